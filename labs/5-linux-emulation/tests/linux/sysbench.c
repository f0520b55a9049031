// SPDX-License-Identifier: MIT
/*
 * sysbench.c — costs of Linux system calls in TSC ticks: the same binary on Linux and on Facet.
 * `sysbench smp` (on two CPUs or more) measures only what needs them: a futex round trip
 * between threads on two CPUs, and one piece of work done by one thread and split between two.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "lib.h"

#define FILE_NAME  "sysbench.dat"
#define FILE_SIZE  (1 << 20)
#define CALLS      200          /* calls per round of the small benchmarks */
#define ROUNDS     7            /* timed rounds per benchmark, after one untimed warm-up round */

#define SPAWNS     10           /* fork + execve + wait4 per round */
#define PIPE_BYTES (64 << 20)   /* through a pipe per round, in writes of sizeof buf */
#define THREADS    20           /* pthread_create + pthread_join per round */
#define PINGS      200          /* futex round trips between two threads per round */
#define SUM_N      20000000UL   /* iterations of the parallel sum's loop per round, in all */

static char buf[65536] __attribute__((aligned(4096)));
static int fd = -1;
static int tid_word;
static char self[256];          /* this program's path, for execve */

/* The TSC, after every earlier instruction has completed. */
static inline uint64_t tsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
    return (uint64_t)hi << 32 | lo;
}

static void fail(const char *what)
{
    printf("sysbench error: %s: %s\n", what, strerror(errno));
    exit(1);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Per-call benchmarks: one round of CALLS calls, ticks per call (rounded). */
static uint64_t per_call(uint64_t t0, uint64_t t1) { return (t1 - t0 + CALLS / 2) / CALLS; }

static uint64_t bench_getpid(int unused)
{
    (void)unused;
    uint64_t t0 = tsc();
    for (int i = 0; i < CALLS; i++)
        syscall(SYS_getpid);
    return per_call(t0, tsc());
}

static uint64_t bench_set_tid_address(int unused)
{
    (void)unused;
    uint64_t t0 = tsc();
    for (int i = 0; i < CALLS; i++)
        syscall(SYS_set_tid_address, &tid_word);
    return per_call(t0, tsc());
}

static uint64_t bench_fstat(int unused)
{
    (void)unused;
    struct stat st;
    uint64_t t0 = tsc();
    for (int i = 0; i < CALLS; i++)
        if (fstat(fd, &st) != 0)
            fail("fstat " FILE_NAME);
    return per_call(t0, tsc());
}

static uint64_t bench_open_close(int unused)
{
    (void)unused;
    uint64_t t0 = tsc();
    for (int i = 0; i < CALLS; i++) {
        int f = open(FILE_NAME, O_RDONLY);
        if (f < 0)
            fail("open " FILE_NAME);
        close(f);
    }
    return per_call(t0, tsc());
}

/* Back to offset 0, outside the timed part of a pass. */
static void rewind_file(void)
{
    if (lseek(fd, 0, SEEK_SET) != 0)
        fail("lseek " FILE_NAME);
}

/* One pass over the whole file in size-byte read() calls: ticks for the 1 MiB. */
static uint64_t bench_read(int size)
{
    rewind_file();
    uint64_t t0 = tsc();
    for (int off = 0; off < FILE_SIZE; off += size) {
        ssize_t n = read(fd, buf, (size_t)size);
        if (n != size) {
            if (n >= 0)
                errno = EIO;    /* a short read: the file is 1 MiB */
            fail("read " FILE_NAME);
        }
    }
    return tsc() - t0;
}

/* One pass overwriting the whole file in size-byte write() calls: ticks for the 1 MiB. */
static uint64_t bench_write(int size)
{
    rewind_file();
    uint64_t t0 = tsc();
    for (int off = 0; off < FILE_SIZE; off += size) {
        ssize_t n = write(fd, buf, (size_t)size);
        if (n != size) {
            if (n >= 0)
                errno = EIO;
            fail("write " FILE_NAME);
        }
    }
    return tsc() - t0;
}

/* A child that has ended with status 0, or fail. */
static void reap(pid_t pid, const char *what)
{
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail(what);
}

/* SPAWNS times: fork, the child execs this program (which exits at once), the parent waits:
 * ticks per process. */
static uint64_t bench_fork_exec_wait(int unused)
{
    (void)unused;
    uint64_t t0 = tsc();
    for (int i = 0; i < SPAWNS; i++) {
        pid_t pid = fork();
        if (pid < 0)
            fail("fork");
        if (pid == 0) {
            char *const argv[] = { "sysbench", "--exit", NULL };
            execv(self, argv);
            _exit(127);
        }
        reap(pid, "fork + execve + wait4");
    }
    return (tsc() - t0 + SPAWNS / 2) / SPAWNS;
}

/* A child writes PIPE_BYTES into a pipe, the parent reads them to the end: ticks for it all. */
static uint64_t bench_pipe(int unused)
{
    (void)unused;
    int p[2];
    if (pipe(p) != 0)
        fail("pipe");
    uint64_t t0 = tsc();
    pid_t pid = fork();
    if (pid < 0)
        fail("fork");
    if (pid == 0) {
        close(p[0]);
        for (long done = 0; done < PIPE_BYTES; done += (long)sizeof buf)
            if (write(p[1], buf, sizeof buf) != (ssize_t)sizeof buf)
                _exit(1);
        _exit(0);
    }
    close(p[1]);
    long got = 0;
    for (ssize_t n; (n = read(p[0], buf, sizeof buf)) > 0; )
        got += n;
    close(p[0]);
    reap(pid, "pipe writer");
    if (got != PIPE_BYTES) {
        errno = EIO;
        fail("pipe transfer");
    }
    return tsc() - t0;
}

static void *thread_nothing(void *arg)
{
    return arg;
}

/* THREADS times pthread_create and pthread_join (clone, the thread's exit, the futex of the join):
 * ticks per thread. */
static uint64_t bench_thread_create_join(int unused)
{
    (void)unused;
    uint64_t t0 = tsc();
    for (int i = 0; i < THREADS; i++) {
        pthread_t t;
        if (pthread_create(&t, NULL, thread_nothing, NULL) != 0)
            fail("pthread_create");
        pthread_join(t, NULL);
    }
    return (tsc() - t0 + THREADS / 2) / THREADS;
}

/* Two threads hand a word back and forth with futex wait and wake: 0 is the main thread's turn,
 * 1 the other's. Ticks per round trip. */
static volatile int turn;

#define FUTEX_WAIT          0           /* linux/futex.h, which musl-gcc does not see */
#define FUTEX_WAKE          1
#define FUTEX_PRIVATE_FLAG  128

static void futex_call(volatile int *addr, int op, int val)
{
    syscall(SYS_futex, addr, op | FUTEX_PRIVATE_FLAG, val, NULL, NULL, 0);
}

static void hand_over(int to)
{
    __atomic_store_n(&turn, to, __ATOMIC_SEQ_CST);
    futex_call(&turn, FUTEX_WAKE, 1);
    while (__atomic_load_n(&turn, __ATOMIC_SEQ_CST) == to)
        futex_call(&turn, FUTEX_WAIT, to);
}

static void *ponger(void *arg)
{
    (void)arg;
    for (int i = 0; i < PINGS; i++) {
        while (__atomic_load_n(&turn, __ATOMIC_SEQ_CST) != 1)
            futex_call(&turn, FUTEX_WAIT, 0);
        __atomic_store_n(&turn, 0, __ATOMIC_SEQ_CST);
        futex_call(&turn, FUTEX_WAKE, 1);
    }
    return NULL;
}

/* PINGS round trips between us and a thread running fn: ticks per round trip. */
static uint64_t pingpong_with(void *(*fn)(void *))
{
    pthread_t t;
    turn = 0;
    if (pthread_create(&t, NULL, fn, NULL) != 0)
        fail("pthread_create");
    uint64_t t0 = tsc();
    for (int i = 0; i < PINGS; i++)
        hand_over(1);
    uint64_t t1 = tsc();
    pthread_join(t, NULL);
    return (t1 - t0 + PINGS / 2) / PINGS;
}

static uint64_t bench_futex_pingpong(int unused)
{
    (void)unused;
    return pingpong_with(ponger);
}

/* ---- on two CPUs (sysbench smp) ---- */

/* The calling thread on CPU cpu only (Linux; Facet keeps no affinity but puts a process's next
 * thread on the next CPU), and the CPU it is on then. */
static unsigned pin(unsigned cpu)
{
    uint64_t mask = 1UL << cpu;
    unsigned now = ~0u;
    syscall(SYS_sched_setaffinity, 0, sizeof mask, &mask);
    syscall(SYS_getcpu, &now, NULL, NULL);
    return now;
}

static volatile unsigned ponger_cpu;

static void *ponger_on_1(void *arg)
{
    ponger_cpu = pin(1);
    return ponger(arg);
}

/* futex_pingpong with the other thread on the other CPU: ticks per round trip. */
static uint64_t bench_futex_pingpong_2cpu(int unused)
{
    (void)unused;
    ponger_cpu = ~0u;
    unsigned mine = pin(0);
    uint64_t ticks = pingpong_with(ponger_on_1);
    if (ponger_cpu == mine) {
        errno = 0;
        fail("futex_pingpong_2cpu: both threads on one CPU");
    }
    return ticks;
}

/* The second half's thread: on CPU 1, ready, then at `go` its sum, then `done`. */
static volatile int sum_ready, sum_go, sum_done;
static volatile unsigned sum_cpu;

static void *sum_part_on_1(void *arg)
{
    sum_cpu = pin(1);
    __atomic_store_n(&sum_ready, 1, __ATOMIC_SEQ_CST);
    while (!__atomic_load_n(&sum_go, __ATOMIC_SEQ_CST))
        ;
    sum_part(arg);
    __atomic_store_n(&sum_done, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

/*
 * The sum of i*i mod 1000003 for i < SUM_N by `threads` threads (1 or 2, one per CPU): ticks
 * from the start signal to the last part's end (the thread is made and on its CPU before: its
 * creation and the scheduler's placing of it are not what this measures).
 */
static uint64_t bench_sum(int threads)
{
    struct part parts[2] = { { 0, SUM_N / (uint64_t)threads, 0 }, { SUM_N / (uint64_t)threads, SUM_N, 0 } };
    pthread_t t;
    unsigned mine = pin(0);
    sum_ready = sum_go = sum_done = 0;
    if (threads == 2) {
        if (pthread_create(&t, NULL, sum_part_on_1, &parts[1]) != 0)
            fail("pthread_create");
        while (!__atomic_load_n(&sum_ready, __ATOMIC_SEQ_CST))
            syscall(SYS_sched_yield);       /* on Linux it starts on our CPU, then moves */
    }
    uint64_t t0 = tsc();
    __atomic_store_n(&sum_go, 1, __ATOMIC_SEQ_CST);
    sum_part(&parts[0]);
    while (threads == 2 && !__atomic_load_n(&sum_done, __ATOMIC_SEQ_CST))
        ;
    uint64_t t1 = tsc();
    if (threads == 2)
        pthread_join(t, NULL);
    if (threads == 2 && sum_cpu == mine) {
        errno = 0;
        fail("sum_2threads: both threads on one CPU");
    }
    static uint64_t total;
    uint64_t sum = parts[0].sum + (threads == 2 ? parts[1].sum : 0);
    if (total && sum != total) {
        errno = 0;
        fail("parallel sum: the two ways disagree");
    }
    total = sum;
    return t1 - t0;
}

/* One untimed warm-up round, then `rounds` rounds; prints their median and minimum. */
static void measure_rounds(const char *key, uint64_t (*fn)(int), int arg, int rounds)
{
    uint64_t t[ROUNDS];
    fn(arg);
    for (int r = 0; r < rounds; r++)
        t[r] = fn(arg);
    qsort(t, (size_t)rounds, sizeof t[0], cmp_u64);
    printf("sysbench %s median=%llu min=%llu rounds=%d\n", key,
           (unsigned long long)t[rounds / 2], (unsigned long long)t[0], rounds);
    fflush(stdout);
}

static void measure(const char *key, uint64_t (*fn)(int), int arg)
{
    measure_rounds(key, fn, arg, ROUNDS);
}

int main(int argc, char **argv)
{
    static const int sizes[] = { 64, 256, 1024, 4096, 16384, 65536 };
    char key[32];

    if (argc > 1 && !strcmp(argv[1], "--exit"))
        return 0;                                   /* fork_exec_wait's child */
    if (argc > 1 && !strcmp(argv[1], "smp")) {
        if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
            errno = 0;
            fail("smp: fewer than two CPUs");
        }
        measure("futex_pingpong_2cpu", bench_futex_pingpong_2cpu, 0);
        measure("sum_1thread", bench_sum, 1);
        measure("sum_2threads", bench_sum, 2);
        printf("sysbench done\n");
        fflush(stdout);
        goto out;
    }
    /* Under Facet /proc/self/exe names this file; as /init of Linux (no /proc) argv[0] does. */
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0)
        self[n] = 0;
    else
        snprintf(self, sizeof self, "%s", argv[0]);

    memset(buf, 0x5a, sizeof buf);
    fd = open(FILE_NAME, O_CREAT | O_RDWR | O_TRUNC, 0644);
    if (fd < 0)
        fail("open " FILE_NAME);
    for (int off = 0; off < FILE_SIZE; off += (int)sizeof buf)
        if (write(fd, buf, sizeof buf) != (ssize_t)sizeof buf)
            fail("fill " FILE_NAME);

    measure("getpid", bench_getpid, 0);
    measure("set_tid_address", bench_set_tid_address, 0);
    measure("fstat", bench_fstat, 0);
    measure("open_close", bench_open_close, 0);
    for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        snprintf(key, sizeof key, "read_%d", sizes[i]);
        measure(key, bench_read, sizes[i]);
    }
    for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        snprintf(key, sizeof key, "write_%d", sizes[i]);
        measure(key, bench_write, sizes[i]);
    }
    measure("fork_exec_wait", bench_fork_exec_wait, 0);
    measure_rounds("pipe_64m", bench_pipe, 0, 3);
    measure("thread_create_join", bench_thread_create_join, 0);
    measure("futex_pingpong", bench_futex_pingpong, 0);

    close(fd);
    if (unlink(FILE_NAME) != 0)
        fail("unlink " FILE_NAME);
    printf("sysbench done\n");
    fflush(stdout);

out:
    /* /init of a Linux initramfs (tools/linux-bench): power the machine off. */
    if (!getenv("LINUX_UNDER_FACET") && getpid() == 1) {
        sync();
        reboot(RB_POWER_OFF);
    }
    return 0;
}
