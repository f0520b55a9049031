// SPDX-License-Identifier: MIT
/*
 * fuzz.c — random syscalls with random arguments against the Linux personality: a fixed seed,
 * 1 000 000 calls in 100 child processes of 10 000 calls each, then the count of every errno.
 * The personality (the roottask) must survive it and the system go on; the grader checks that,
 * and that nothing leaked. Each child inherits the parent's descriptors and memory (fork),
 * makes pipes, duplicates descriptors and sends itself signals (all blocked, so they pend)
 * among its random calls, sends its counts back through a pipe and exits; the parent waits
 * for it (wait4) and expects status 0: a child that died means the personality failed it.
 *
 * Only for Facet: on a Linux host (as root above all) random syscalls are dangerous, so it
 * refuses to run unless LINUX_UNDER_FACET is set. It works in a directory of its own,
 * fuzz.d (the paths it passes are single names, without '/', or relative ones, and so are
 * the targets of the symbolic links it makes), and removes everything in it at the end.
 *
 * Arguments are drawn from classes that find the edges: small integers (descriptors 3..63,
 * sizes, flags), all-ones and huge values, negative ones, random 64-bit words, pointers into
 * an 8 KiB scratch mapping (ending at an unmapped guard page, so a huge length runs off it),
 * unmapped and kernel addresses. Syscalls that would end or cripple the fuzzer itself are
 * skipped (exit, munmap/mprotect/madvise of its own memory, the FS base, signal handlers and
 * the signal mask, timers, chdir, process creation); mmap loses MAP_FIXED, close and dup2/dup3
 * spare descriptors 0, 1 and 2, no argument names the counts' pipe, kill/tkill/tgkill aim at
 * the child itself with a blockable signal, and nothing may block for ever: pipes are made
 * non-blocking, and so are eventfds and timerfds (and F_SETFL keeps O_NONBLOCK), stdin is
 * /dev/null.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define ROUNDS 100                      /* child processes */
#define CALLS_PER_ROUND 10000
#define SEED  0x5eed5eed2022ULL
#define MAX_ERRNO 4096

static uint64_t rng = SEED;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static unsigned char *scratch;          /* 2 pages, then (for the personality) a guard page */

/* Numbers that would end the fuzzer, take its memory or thread pointer away, or block. */
static int skipped(long nr)
{
    static const long deny[] = {
        SYS_exit, SYS_exit_group, SYS_munmap, SYS_mprotect, SYS_madvise, SYS_mremap, SYS_brk,
        SYS_arch_prctl, SYS_rt_sigaction, SYS_rt_sigprocmask, SYS_rt_sigreturn, SYS_rt_sigsuspend,
        SYS_rt_sigtimedwait,
        SYS_pause, SYS_nanosleep, SYS_clock_nanosleep, SYS_alarm, SYS_setitimer, SYS_poll, SYS_ppoll, SYS_select,
        SYS_pselect6, SYS_epoll_wait, SYS_epoll_pwait, SYS_futex, SYS_wait4, SYS_waitid,
        SYS_clone, SYS_fork, SYS_vfork, SYS_execve, SYS_execveat, SYS_ptrace, SYS_reboot, SYS_chdir, SYS_fchdir, SYS_chroot, SYS_rename, SYS_renameat,
        SYS_renameat2, SYS_setrlimit, SYS_prlimit64, SYS_prctl, SYS_seccomp, SYS_set_tid_address,
        SYS_socket, SYS_socketpair, SYS_userfaultfd, SYS_close_range, 435 /* clone3 */, 441 /* epoll_pwait2 */,
    };
    for (size_t i = 0; i < sizeof deny / sizeof deny[0]; i++)
        if (deny[i] == nr)
            return 1;
    return 0;
}

static uint64_t argument(void)
{
    uint64_t r = next();
    switch (r % 10) {
    case 0: case 1: return 3 + (r >> 8) % 61;                    /* descriptors, small sizes */
    case 2: return (r >> 8) % 4096;                              /* flags, lengths, modes */
    case 3: return (uint64_t)scratch + (r >> 8) % 8192;          /* into the scratch mapping */
    case 4: return (uint64_t)scratch;                            /* its start: a string or a struct */
    case 5: return ~0ULL >> ((r >> 8) % 64);                     /* huge lengths, all ones */
    case 6: return -(uint64_t)(1 + (r >> 8) % 4096);             /* negative: -1, -EBADF-like */
    case 7: return 0xffff800000000000ULL + ((r >> 8) & 0xffffff000ULL);   /* the kernel's half */
    case 8: return (r >> 8) & 0xfffffff000ULL;                   /* unmapped user addresses */
    default: return next();                                      /* anything */
    }
}

/* Remove everything below the directory open as dfd (the fuzzer made it all); until a pass
 * removes nothing more. */
static void clean(int dfd)
{
    char buf[4096];
    long n;
    for (int removed = 1; removed && (n = syscall(SYS_getdents64, dfd, buf, sizeof buf)) > 0; ) {
        removed = 0;
        for (long off = 0; off < n; ) {
            struct { uint64_t ino; int64_t off; unsigned short reclen; unsigned char type; char name[]; } *d = (void *)(buf + off);
            off += d->reclen;
            if (!strcmp(d->name, ".") || !strcmp(d->name, ".."))
                continue;
            if (d->type == DT_DIR) {
                int sub = openat(dfd, d->name, O_RDONLY | O_DIRECTORY);
                if (sub >= 0) {
                    clean(sub);
                    close(sub);
                }
                removed += unlinkat(dfd, d->name, AT_REMOVEDIR) == 0;
            } else {
                removed += unlinkat(dfd, d->name, 0) == 0;
            }
        }
        lseek(dfd, 0, SEEK_SET);                     /* the names moved up: read again */
    }
}

/* The counts of one child: [0] calls without an error, [e] calls that failed with errno e. */
static unsigned long count[MAX_ERRNO + 1];
static int counts_fd = -1;              /* a child's end of the pipe its counts go back through */

/* Descriptors the random calls must leave alone: the standard streams and the counts' pipe. */
static int protected_fd(uint64_t fd)
{
    return (uint32_t)fd <= 2 || (int)(uint32_t)fd == counts_fd;
}

/* The arguments of one call, tamed where the call would hurt the fuzzer itself. */
static void tame(long *nrp, uint64_t a[6])
{
    if (*nrp == SYS_pipe) {                          /* a pipe it reads alone would block for ever */
        *nrp = SYS_pipe2;
        a[1] = O_NONBLOCK | (a[1] & O_CLOEXEC);
    }
    if (*nrp == SYS_eventfd) {                       /* so would an eventfd or a timerfd */
        *nrp = SYS_eventfd2;
        a[1] = O_NONBLOCK;
    }
    long nr = *nrp;
    for (int i = 0; i < 6; i++)                      /* no call touches the counts' pipe */
        if ((int)(uint32_t)a[i] == counts_fd)
            a[i] += 100;
    if (nr == SYS_pipe2 || nr == SYS_eventfd2 || nr == SYS_timerfd_create)
        a[1] |= O_NONBLOCK;
    if (nr == SYS_fcntl && a[1] == F_SETFL)
        a[2] |= O_NONBLOCK;
    if (nr == SYS_mmap)
        a[3] &= ~(uint64_t)(MAP_FIXED | MAP_FIXED_NOREPLACE);
    if (nr == SYS_close && protected_fd(a[0]))
        a[0] = 64 + (uint32_t)a[0];                  /* a descriptor it never has */
    if ((nr == SYS_dup2 || nr == SYS_dup3) && protected_fd(a[1]))
        a[1] = 64 + (uint32_t)a[1];
    if (nr == SYS_kill || nr == SYS_tkill || nr == SYS_tgkill) {
        int sig = 1 + (int)(a[1] % 64);
        if (sig == SIGKILL || sig == SIGSTOP || (sig >= 32 && sig <= 34))
            sig = SIGUSR1;                           /* 32..34: musl's own, sigfillset leaves them */
        a[0] = (uint64_t)getpid();                   /* itself: the signal pends, blocked */
        a[1] = nr == SYS_tgkill ? a[0] : (uint64_t)sig;
        a[2] = (uint64_t)sig;
    }
}

/* One child's random calls; its counts go to the parent through the pipe. */
static void round_child(int round)
{
    rng = SEED + (uint64_t)round * 0x9e3779b97f4a7c15ULL;
    for (unsigned long calls = 0; calls < CALLS_PER_ROUND; ) {
        long nr = (long)(next() % 20 ? next() % 335 : next() % 100000);
        if (skipped(nr))
            continue;
        for (int i = 0; i < 256; i += 8) {           /* fresh random contents: paths, structs */
            uint64_t w = next();
            memcpy(scratch + i, &w, 8);
        }
        for (int i = 0; i < 64; i++)                 /* as a path: one name, inside fuzz.d */
            if (scratch[i] == '/')
                scratch[i] = 'x';
        scratch[next() % 64] = 0;                    /* mostly short strings */
        uint64_t a[6];
        for (int i = 0; i < 6; i++) {
            a[i] = argument();
            if (a[i] - (uint64_t)scratch < 8192 && scratch[a[i] - (uint64_t)scratch] == '/')
                scratch[a[i] - (uint64_t)scratch] = 'x';   /* no absolute path: it would leave fuzz.d */
        }
        if (nr == SYS_symlink || nr == SYS_symlinkat)
            a[0] = (uint64_t)scratch;                /* a link's target is a path too: one name */
        tame(&nr, a);
        long r = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
        calls++;
        if (r == -1 && errno > 0 && errno <= MAX_ERRNO)
            count[errno]++;
        else
            count[0]++;
    }
    const char *p = (const char *)count;
    for (size_t left = sizeof count; left; ) {
        ssize_t n = write(counts_fd, p, left);
        if (n < 0 && errno == EAGAIN)
            continue;                                /* a random F_SETFL made it non-blocking */
        if (n <= 0)
            _exit(3);
        p += n, left -= (size_t)n;
    }
    _exit(0);
}

/* A child for each round; its counts added to total. False if one did not end well. */
static int run_round(int round, unsigned long *total)
{
    int p[2];
    if (pipe(p)) {
        perror("fuzz: pipe");
        return 0;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("fuzz: fork");
        return 0;
    }
    if (pid == 0) {
        close(p[0]);
        counts_fd = p[1];
        round_child(round);
    }
    close(p[1]);
    static unsigned long got[MAX_ERRNO + 1];
    size_t have = 0;
    for (ssize_t n; have < sizeof got && (n = read(p[0], (char *)got + have, sizeof got - have)) > 0; )
        have += (size_t)n;
    close(p[0]);
    int status;
    unsigned long sum = 0;
    for (int e = 0; e <= MAX_ERRNO; e++)
        sum += got[e];
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || have != sizeof got ||
        sum != CALLS_PER_ROUND) {
        printf("fuzz: round %d: the child did not end well (status %#x, %zu bytes of counts adding up to %lu)\n",
               round, status, have, sum);
        return 0;
    }
    for (int e = 0; e <= MAX_ERRNO; e++)
        total[e] += got[e];
    return 1;
}

int main(void)
{
    if (!getenv("LINUX_UNDER_FACET")) {
        fprintf(stderr, "fuzz: refusing to run outside Facet (it makes random syscalls)\n");
        return 2;
    }
    scratch = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (scratch == MAP_FAILED || mkdir("fuzz.d", 0755) || chdir("fuzz.d")) {
        perror("fuzz: setting up");
        return 1;
    }
    for (int fd = 3; fd < 64; fd++)
        close(fd);
    int null = open("/dev/null", O_RDONLY);          /* a read of stdin must not wait for input */
    if (null < 0 || dup2(null, 0) != 0 || close(null)) {
        perror("fuzz: /dev/null as stdin");
        return 1;
    }
    for (int i = 0; i < 8192; i++)
        scratch[i] = (unsigned char)next();
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, NULL);              /* the children's signals to themselves pend */

    static unsigned long total[MAX_ERRNO + 1];
    int good = 0;
    for (int round = 0; round < ROUNDS; round++)
        good += run_round(round, total);
    unsigned long calls = 0;
    for (int e = 0; e <= MAX_ERRNO; e++)
        calls += total[e];
    printf("fuzz: seed %#llx, %lu calls in %d of %d processes\n", SEED, calls, good, ROUNDS);
    printf("fuzz: no error: %lu\n", total[0]);
    for (int e = 1; e <= MAX_ERRNO; e++)
        if (total[e])
            printf("fuzz: errno %d (%s): %lu\n", e, strerror(e), total[e]);

    int here = open(".", O_RDONLY | O_DIRECTORY);
    if (here >= 0) {
        clean(here);
        close(here);
    }
    if (chdir("..") || rmdir("fuzz.d")) {
        perror("fuzz: cleaning up");
        return 1;
    }
    printf("fuzz: done, fuzz.d removed\n");
    return good == ROUNDS ? 0 : 1;
}
