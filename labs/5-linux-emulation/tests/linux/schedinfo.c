// SPDX-License-Identifier: MIT
/* tests/linux/schedinfo.c — clock_nanosleep, CPUs (affinity, getcpu, yield), getrusage, sysinfo, membarrier, madvise: as Linux reports them. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "lib.h"

/* A call's result, and its errno's name when it failed. */
static void show(const char *what, long r)
{
    printf("%-56s %ld", what, r);
    if (r < 0)
        printf(" %s", errno == EINVAL ? "EINVAL" : errno == ESRCH ? "ESRCH" : errno == EPERM ? "EPERM"
                      : errno == EFAULT ? "EFAULT" : errno == EINTR ? "EINTR" : "other");
    printf("\n");
    errno = 0;
}


static long tv_ms(struct timeval tv)
{
    return tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* Work until the process has used ms milliseconds of CPU time (a loaded host gives it less
 * than the wall clock's). */
static void busy(long ms)
{
    struct timespec t0, t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
    do
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < ms);
}

static volatile int alarms;
static void on_alarm(int sig)
{
    (void)sig;
    alarms++;
}

/* now on clock + ms milliseconds (ms may be negative). */
static struct timespec later(clockid_t clock, long ms)
{
    struct timespec t;
    clock_gettime(clock, &t);
    long long ns = (long long)t.tv_sec * 1000000000 + t.tv_nsec + (long long)ms * 1000000;
    return (struct timespec){ ns / 1000000000, ns % 1000000000 };
}

static void sleeps(void)
{
    struct timespec t0, req = { 0, 30000000 }, rem;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    show("clock_nanosleep CLOCK_MONOTONIC 30 ms", clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL));
    printf("30 ms or more: %s\n", yes(ms_since(&t0) >= 30));
    static const struct { clockid_t clock; const char *name; } clocks[] = {
        { CLOCK_MONOTONIC, "CLOCK_MONOTONIC" }, { CLOCK_REALTIME, "CLOCK_REALTIME" }, { CLOCK_BOOTTIME, "CLOCK_BOOTTIME" },
    };
    for (unsigned i = 0; i < 3; i++) {
        clock_gettime(CLOCK_MONOTONIC, &t0);
        struct timespec at = later(clocks[i].clock, 40);
        printf("%s: ", clocks[i].name);
        show("TIMER_ABSTIME now + 40 ms", clock_nanosleep(clocks[i].clock, TIMER_ABSTIME, &at, NULL));
        printf("40 ms or more: %s\n", yes(ms_since(&t0) >= 40));
    }
    struct timespec past = later(CLOCK_MONOTONIC, -1000);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    show("TIMER_ABSTIME a second ago", clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL));
    printf("at once: %s\n", yes(ms_since(&t0) < 500));
    /* clock_nanosleep returns the error itself, as both libcs pass it on. */
    printf("CLOCK_MONOTONIC_RAW: %d\n", clock_nanosleep(CLOCK_MONOTONIC_RAW, 0, &req, NULL));
    printf("CLOCK_REALTIME_COARSE: %d\n", clock_nanosleep(CLOCK_REALTIME_COARSE, 0, &req, NULL));
    printf("CLOCK_THREAD_CPUTIME_ID: %d\n", clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &req, NULL));
    printf("a bad flag: %d\n", clock_nanosleep(CLOCK_MONOTONIC, 2, &req, NULL));
    struct timespec bad = { 0, 1000000000 };
    printf("tv_nsec 10^9: %d\n", clock_nanosleep(CLOCK_MONOTONIC, 0, &bad, NULL));

    /* Interrupted: the rest of a relative sleep, nothing of an absolute one. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = { { 0, 30000 }, { 0, 30000 } }, off = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &it, NULL);
    req = (struct timespec){ 2, 0 };
    printf("a 2 s sleep that SIGALRM interrupts: %d\n", clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &rem));
    printf("the rest is between 1 s and 2 s: %s\n", yes(rem.tv_sec == 1 && rem.tv_nsec >= 0 && rem.tv_nsec < 1000000000));
    struct timespec at = later(CLOCK_REALTIME, 2000);
    rem = (struct timespec){ 77, 77 };
    printf("an absolute one: %d\n", clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &at, &rem));
    setitimer(ITIMER_REAL, &off, NULL);
    printf("rem untouched: %s; the handler ran: %s\n", yes(rem.tv_sec == 77 && rem.tv_nsec == 77), yes(alarms >= 2));
}

/* The affinity mask as the raw calls take it (the build's include path has Facet's own
 * sched.h, so no cpu_set_t here): one bit a CPU. */
#define MASK_WORDS 16
static int cpu_count(const unsigned long *mask)
{
    int n = 0;
    for (int i = 0; i < MASK_WORDS; i++)
        n += __builtin_popcountl(mask[i]);
    return n;
}

static void cpus(void)
{
    unsigned long mask[MASK_WORDS], none[MASK_WORDS];
    memset(mask, 0, sizeof mask);
    memset(none, 0, sizeof none);
    long r = syscall(SYS_sched_getaffinity, 0, sizeof mask, mask);
    printf("sched_getaffinity: a size in whole words, at most the buffer's: %s\n",
           yes(r > 0 && r % 8 == 0 && r <= (long)sizeof mask));
    printf("one CPU or more: %s\n", yes(cpu_count(mask) >= 1));
    show("sched_getaffinity into 4 bytes", syscall(SYS_sched_getaffinity, 0, 4, mask));
    show("sched_getaffinity of no such process", syscall(SYS_sched_getaffinity, 99999999, sizeof mask, mask));
    show("sched_getaffinity of its own pid > 0", syscall(SYS_sched_getaffinity, getpid(), sizeof mask, mask) > 0);
    unsigned cpu = 1000, node = 1000;
    show("getcpu", syscall(SYS_getcpu, &cpu, &node, NULL));
    printf("its CPU is in the set: %s; node %u\n", yes(cpu < 64 * MASK_WORDS && (mask[cpu / 64] >> (cpu % 64) & 1)), node);
    show("getcpu with NULL pointers", syscall(SYS_getcpu, NULL, NULL, NULL));
    show("sched_setaffinity to the same set", syscall(SYS_sched_setaffinity, 0, sizeof mask, mask));
    show("sched_setaffinity to no CPU", syscall(SYS_sched_setaffinity, 0, sizeof none, none));
    show("sched_setaffinity of no such process", syscall(SYS_sched_setaffinity, 99999999, sizeof mask, mask));
    show("sched_yield", syscall(SYS_sched_yield));
}

static void usage(void)
{
    struct rusage ru;
    /* Children waited for before its exec count too (busybox timeout's helper, under the table). */
    show("getrusage RUSAGE_CHILDREN before a child of its own", getrusage(RUSAGE_CHILDREN, &ru));
    long before = tv_ms(ru.ru_utime) + tv_ms(ru.ru_stime);
    printf("under 50 ms: %s\n", yes(before < 50));
    busy(60);
    show("getrusage RUSAGE_SELF after 60 ms of work", getrusage(RUSAGE_SELF, &ru));
    printf("50 ms or more of CPU time: %s; maxrss > 0: %s\n", yes(tv_ms(ru.ru_utime) + tv_ms(ru.ru_stime) >= 50),
           yes(ru.ru_maxrss > 0));
    show("getrusage RUSAGE_THREAD", getrusage(RUSAGE_THREAD, &ru));
    show("getrusage with who 5", getrusage(5, &ru));
    pid_t c = fork();
    if (c == 0) {
        busy(60);
        _exit(0);
    }
    int st;
    show("wait4 of a child that worked 60 ms", wait4(c, &st, 0, &ru) == c);
    printf("its CPU time 50 ms or more: %s\n", yes(tv_ms(ru.ru_utime) + tv_ms(ru.ru_stime) >= 50));
    getrusage(RUSAGE_CHILDREN, &ru);
    printf("RUSAGE_CHILDREN grew by 50 ms or more: %s\n", yes(tv_ms(ru.ru_utime) + tv_ms(ru.ru_stime) - before >= 50));
}

static void system_info(void)
{
    struct sysinfo si;
    memset(&si, 0xff, sizeof si);
    show("sysinfo", sysinfo(&si));
    printf("uptime > 0: %s; totalram > 0: %s; freeram <= totalram: %s; procs >= 1: %s; mem_unit %u\n",
           yes(si.uptime > 0), yes(si.totalram > 0), yes(si.freeram <= si.totalram), yes(si.procs >= 1), si.mem_unit);
    show("sysinfo at a bad address", syscall(SYS_sysinfo, (void *)8));

    long q = syscall(SYS_membarrier, 0 /* QUERY */, 0, 0);
    printf("membarrier QUERY: private expedited and its registration: %s\n", yes(q > 0 && (q & 0x18) == 0x18));
    show("MEMBARRIER_CMD_PRIVATE_EXPEDITED unregistered", syscall(SYS_membarrier, 8, 0, 0));
    show("MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED", syscall(SYS_membarrier, 16, 0, 0));
    show("MEMBARRIER_CMD_PRIVATE_EXPEDITED", syscall(SYS_membarrier, 8, 0, 0));
    show("MEMBARRIER_CMD_QUERY with a flag", syscall(SYS_membarrier, 0, 1, 0));
    show("command 12345", syscall(SYS_membarrier, 12345, 0, 0));
}

/* Are the n bytes at p all v? */
static int all(const unsigned char *p, size_t n, unsigned char v)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != v)
            return 0;
    return 1;
}

static void advice(void)
{
    size_t page = 4096;
    unsigned char *m = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(m, 0xab, 4 * page);
    show("MADV_DONTNEED of the second page", madvise(m + page, page, MADV_DONTNEED));
    printf("it reads zero: %s; the others kept: %s\n", yes(all(m + page, page, 0)),
           yes(all(m, page, 0xab) && all(m + 2 * page, 2 * page, 0xab)));
    m[page] = 1;
    printf("written again: %s\n", yes(m[page] == 1));
    show("MADV_FREE of the third page", madvise(m + 2 * page, page, MADV_FREE));
    show("MADV_DONTNEED at an unaligned address", madvise(m + 1, page, MADV_DONTNEED));
    show("advice 9999", madvise(m, page, 9999));
    show("MADV_WILLNEED", madvise(m, page, MADV_WILLNEED));
    /* After a fork: the child's pages are its own, dropped or not. */
    pid_t c = fork();
    if (c == 0) {
        madvise(m, 4 * page, MADV_DONTNEED);
        _exit(all(m, 4 * page, 0) ? 0 : 1);
    }
    int st;
    waitpid(c, &st, 0);
    printf("a fork's child drops its copy: zero there: %s; the parent's kept: %s\n",
           yes(WIFEXITED(st) && WEXITSTATUS(st) == 0), yes(all(m, page, 0xab) && m[page] == 1));
    munmap(m, 4 * page);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    sleeps();
    cpus();
    usage();
    system_info();
    advice();
    printf("done\n");
    return 0;
}
