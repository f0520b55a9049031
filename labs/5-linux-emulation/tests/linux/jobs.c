// SPDX-License-Identifier: MIT
/* tests/linux/jobs.c — what shells need: process groups, sessions, the terminal's foreground group, timers, sigsuspend, EINTR. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <sys/select.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <sys/ioctl.h>
#include <unistd.h>

/*
 * Everything printed is a relation ("pgid == pid: yes"), never a pid or a time, so the output
 * on Linux and on Facet can be compared. Run on Linux as the session leader of a terminal (the
 * grader uses script(1)), as Facet runs its first process: pid = pgid = sid, the foreground.
 * Children say what they saw by their exit status; only the parent prints.
 */

static volatile int got[65];
static volatile int refill_fd = -1;          /* the SA_RESTART read's handler writes here */
static volatile pid_t victim;                /* the SA_RESTART wait4's handler kills it */

static void count(int sig) { got[sig]++; }

/* From its third run: a byte for the read it interrupts, which SA_RESTART started again. */
static void refill(int sig)
{
    if (++got[sig] == 3 && write(refill_fd, "x", 1) != 1)
        _exit(99);
}

static void kill_victim(int sig)
{
    got[sig]++;
    kill(victim, SIGKILL);
}

static const char *yes(int c) { return c ? "yes" : "no"; }

/* tcgetsid (musl has none): the terminal's session. */
static pid_t terminal_session(int fd)
{
    pid_t sid;
    return ioctl(fd, TIOCGSID, &sid) < 0 ? -1 : sid;
}

static void on(int sig, void (*fn)(int), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sa.sa_flags = flags;
    sigaction(sig, &sa, NULL);
}

static void block(int how, int sig)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, sig);
    sigprocmask(how, &s, NULL);
}

/*
 * ITIMER_REAL in ms milliseconds, then every ms milliseconds if `again`. A call that is to be
 * interrupted gets a periodic one: an expiry that comes before the call blocks (a slow or busy
 * machine) runs the handler, and the next one interrupts the call, on Linux as on Facet.
 */
static void timer_ms(long ms, int again)
{
    struct timeval t = { ms / 1000, ms % 1000 * 1000 };
    struct itimerval it = { again ? t : (struct timeval){ 0, 0 }, t };
    setitimer(ITIMER_REAL, &it, NULL);
}

static void timer_off(void)
{
    timer_ms(0, 0);
}

static const char *errno_name(int e)
{
    static const struct { int e; const char *name; } names[] = {
        { EINTR, "EINTR" }, { EPERM, "EPERM" }, { ESRCH, "ESRCH" }, { EACCES, "EACCES" }, { EINVAL, "EINVAL" },
        { ECHILD, "ECHILD" }, { EAGAIN, "EAGAIN" }, { ENOTTY, "ENOTTY" }, { EBADF, "EBADF" },
    };
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].e == e)
            return names[i].name;
    return "another errno";
}

/* "-1 EINTR", or "ok": the outcome of the call just made (r, errno), without the numbers that
 * differ from run to run. */
static void said(const char *what, long r)
{
    int err = errno;
    printf("%s: %s%s\n", what, r < 0 ? "-1 " : "ok", r < 0 ? errno_name(err) : "");
}

static void groups(void)
{
    pid_t me = getpid();
    printf("pgid == pid: %s, sid == pid: %s\n", yes(getpgrp() == me), yes(getsid(0) == me));
    printf("getpgid(0) == getpgrp(): %s, getsid(me) == getsid(0): %s\n", yes(getpgid(0) == getpgrp()),
           yes(getsid(me) == getsid(0)));
    printf("the terminal's foreground group is ours: %s, its session ours: %s\n", yes(tcgetpgrp(0) == me),
           yes(terminal_session(1) == me));
    said("setsid as a session leader", setsid());
    said("setpgid as a session leader", setpgid(0, 0));
    said("tcsetpgrp to group -5", tcsetpgrp(0, -5));

    /* A child: our group and session until it makes a group of its own. */
    block(SIG_BLOCK, SIGUSR1);
    on(SIGUSR1, count, 0);
    pid_t a = fork();
    if (a == 0) {
        int same = getsid(0) == me;
        setpgid(0, 0);
        sigset_t none;
        sigemptyset(&none);
        while (!got[SIGUSR1])
            sigsuspend(&none);
        _exit(same && getpgrp() == getpid() ? 5 : 1);
    }
    setpgid(a, a);                                   /* both sides, as a shell does: no race */
    printf("the child's group is its own: %s, in our session: %s\n", yes(getpgid(a) == a), yes(getsid(a) == me));
    said("setpgid(child, a group that is not there)", setpgid(a, a + 100000));
    said("getpgid of no such process", getpgid(a + 100000));

    /* The terminal's foreground: the child's group, then ours again (SIGTTOU ignored, as shells do). */
    signal(SIGTTOU, SIG_IGN);
    said("tcsetpgrp to the child's group", tcsetpgrp(0, a));
    printf("the foreground is the child's: %s\n", yes(tcgetpgrp(2) == a));
    said("tcsetpgrp back to ours", tcsetpgrp(0, me));
    printf("the foreground is ours: %s\n", yes(tcgetpgrp(0) == me));
    signal(SIGTTOU, SIG_DFL);

    int st;
    said("kill(-group, SIGUSR1)", kill(-a, SIGUSR1));
    pid_t w = waitpid(-a, &st, 0);
    printf("wait4(-group) took the child: %s, it exited with %d\n", yes(w == a), WEXITSTATUS(st));
    said("wait4(-group) again", waitpid(-a, &st, 0));
    said("kill(-group) of a group that is gone", kill(-a, SIGUSR1));
    block(SIG_UNBLOCK, SIGUSR1);

    /* wait4(0): children of our group only. */
    pid_t b = fork();
    if (b == 0)
        _exit(getpgrp() == me ? 6 : 1);
    w = waitpid(0, &st, 0);
    printf("wait4(0) took the child of our group (it is in ours): %s, status %d\n", yes(w == b), WEXITSTATUS(st));

    /* kill(0): every process of our group, us too. */
    on(SIGUSR2, count, 0);
    kill(0, SIGUSR2);
    printf("kill(0, SIGUSR2): our handler ran %d time(s)\n", got[SIGUSR2]);

    /* A child in a session of its own: no terminal, no way back into our group. */
    pid_t c = fork();
    if (c == 0) {
        pid_t s = setsid();
        int ok = s == getpid() && getsid(0) == s && getpgrp() == s;
        errno = 0;
        int tty = tcgetpgrp(0) < 0 && errno == ENOTTY;
        int back = setpgid(0, me) < 0 && errno == EPERM;
        _exit(ok << 0 | tty << 1 | back << 2);
    }
    waitpid(c, &st, 0);
    printf("setsid in a child: a session and group of its own %s, no terminal %s, our group refused %s\n",
           yes(WEXITSTATUS(st) & 1), yes(WEXITSTATUS(st) & 2), yes(WEXITSTATUS(st) & 4));
}

/* After execve: a child that says it is there (a byte to fd argv[2]), then pauses. */
static int exec_pause(int fd)
{
    if (write(fd, "x", 1) != 1)
        return 1;
    for (;;)
        pause();
}

static void exec_child(void)
{
    int p[2], st;
    if (pipe(p))
        return;
    pid_t c = fork();
    if (c == 0) {
        char fd[16];
        snprintf(fd, sizeof fd, "%d", p[1]);
        execl("/proc/self/exe", "jobs", "exec-pause", fd, (char *)NULL);
        _exit(127);
    }
    char x;
    if (read(p[0], &x, 1) != 1)
        return;
    said("setpgid of a child after its execve", setpgid(c, c));
    kill(c, SIGTERM);
    waitpid(c, &st, 0);
    printf("SIGTERM ended the paused child: %s\n", yes(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM));
    close(p[0]);
    close(p[1]);
}

static void timers(void)
{
    printf("alarm(10) after none: %ld\n", syscall(SYS_alarm, 10));
    printf("alarm(5) after alarm(10): %ld\n", syscall(SYS_alarm, 5));
    printf("alarm(0) after alarm(5): %ld\n", syscall(SYS_alarm, 0));

    struct itimerval it = { { 0, 0 }, { 2, 0 } }, cur;
    setitimer(ITIMER_REAL, &it, NULL);
    getitimer(ITIMER_REAL, &cur);
    printf("getitimer: between 1 s and 2 s left: %s, no interval: %s\n",
           yes(cur.it_value.tv_sec == 1 || (cur.it_value.tv_sec == 2 && !cur.it_value.tv_usec)),
           yes(!cur.it_interval.tv_sec && !cur.it_interval.tv_usec));
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &off, &cur);
    printf("setitimer off: the old one had time left: %s\n", yes(cur.it_value.tv_sec || cur.it_value.tv_usec));
    getitimer(ITIMER_REAL, &cur);
    printf("now it is off: %s\n", yes(!cur.it_value.tv_sec && !cur.it_value.tv_usec));

    on(SIGALRM, count, 0);
    timer_ms(50, 1);
    errno = 0;
    long r = pause();
    timer_off();
    said("pause until SIGALRM", r);
    printf("the SIGALRM handler ran: %s\n", yes(got[SIGALRM] >= 1));

    /* A periodic timer: three expiries, each waited for with sigsuspend. */
    got[SIGALRM] = 0;
    block(SIG_BLOCK, SIGALRM);
    struct itimerval every = { { 0, 20000 }, { 0, 20000 } };
    setitimer(ITIMER_REAL, &every, NULL);
    sigset_t none;
    sigemptyset(&none);
    while (got[SIGALRM] < 3)
        sigsuspend(&none);
    setitimer(ITIMER_REAL, &off, NULL);
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    printf("a 20 ms interval timer fired 3 times; SIGALRM still blocked after sigsuspend: %s\n",
           yes(sigismember(&now, SIGALRM)));
    block(SIG_UNBLOCK, SIGALRM);

    /* Code that makes no syscall is interrupted too. */
    got[SIGALRM] = 0;
    timer_ms(50, 0);
    while (!got[SIGALRM])
        ;
    printf("a busy loop got SIGALRM: %s\n", yes(got[SIGALRM] == 1));

    /* Not across fork: the child starts without one; kept over execve. */
    syscall(SYS_alarm, 100);
    pid_t c = fork();
    if (c == 0)
        _exit(syscall(SYS_alarm, 0) == 0 ? 0 : 1);
    int st;
    waitpid(c, &st, 0);
    printf("a fork's child has no timer: %s\n", yes(WEXITSTATUS(st) == 0));
    c = fork();
    if (c == 0) {
        syscall(SYS_alarm, 100);
        execl("/proc/self/exe", "jobs", "exec-alarm", (char *)NULL);
        _exit(127);
    }
    waitpid(c, &st, 0);
    printf("a timer is kept over execve: %s\n", yes(WIFEXITED(st) && WEXITSTATUS(st) == 0));
    printf("ours is still on: %s\n", yes(syscall(SYS_alarm, 0) > 90));

    /* SIGALRM's default action ends a process blocked in pause. */
    c = fork();
    if (c == 0) {
        signal(SIGALRM, SIG_DFL);
        timer_ms(30, 0);
        for (;;)
            pause();
    }
    waitpid(c, &st, 0);
    printf("SIGALRM's default ended a paused child: %s\n", yes(WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM));
}

static void signal_waits(void)
{
    /* sigsuspend: SIGUSR1 blocked, sent by a child, taken while the mask is empty. */
    got[SIGUSR1] = 0;
    on(SIGUSR1, count, 0);
    block(SIG_BLOCK, SIGUSR1);
    pid_t c = fork();
    if (c == 0) {
        kill(getppid(), SIGUSR1);
        _exit(0);
    }
    sigset_t none, now;
    sigemptyset(&none);
    errno = 0;
    long r = sigsuspend(&none);
    sigprocmask(SIG_BLOCK, NULL, &now);
    said("sigsuspend", r);
    printf("its handler ran %d time(s); the mask is back: %s\n", got[SIGUSR1], yes(sigismember(&now, SIGUSR1)));
    waitpid(c, NULL, 0);

    /* rt_sigpending: a blocked signal waits there. */
    kill(getpid(), SIGUSR1);
    sigset_t pend;
    sigpending(&pend);
    printf("sigpending has SIGUSR1: %s, SIGUSR2: %s\n", yes(sigismember(&pend, SIGUSR1)),
           yes(sigismember(&pend, SIGUSR2)));

    /* rt_sigtimedwait: it is taken without its handler; nothing else comes in 20 ms. */
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, SIGUSR1);
    struct timespec t20 = { 0, 20000000 };
    siginfo_t si;
    int s = sigtimedwait(&one, &si, &t20);
    printf("sigtimedwait took SIGUSR1: %s (si_signo right: %s); the handler ran %d time(s)\n", yes(s == SIGUSR1),
           yes(si.si_signo == SIGUSR1), got[SIGUSR1]);
    errno = 0;
    said("sigtimedwait with nothing sent", sigtimedwait(&one, &si, &t20));
    block(SIG_UNBLOCK, SIGUSR1);

    /* SIGCHLD, whose default is to ignore it, is still there for sigtimedwait when blocked. */
    block(SIG_BLOCK, SIGCHLD);
    c = fork();
    if (c == 0)
        _exit(0);
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    printf("sigtimedwait for SIGCHLD: %s\n", yes(sigtimedwait(&chld, &si, NULL) == SIGCHLD));
    waitpid(c, NULL, 0);
    block(SIG_UNBLOCK, SIGCHLD);
}

/* Blocking calls and SIGALRM every 50 ms, its handler with and without SA_RESTART. */
static void eintr(void)
{
    int p[2];
    char buf[8];
    if (pipe(p))
        return;
    on(SIGALRM, count, 0);
    timer_ms(50, 1);
    errno = 0;
    long r = read(p[0], buf, sizeof buf);
    timer_off();
    said("a pipe read, SIGALRM without SA_RESTART", r);

    got[SIGALRM] = 0;
    refill_fd = p[1];
    on(SIGALRM, refill, SA_RESTART);
    timer_ms(50, 1);
    r = read(p[0], buf, sizeof buf);
    timer_off();
    printf("a pipe read, SIGALRM with SA_RESTART: %ld byte(s), after the handler's third run: %s\n", r,
           yes(got[SIGALRM] >= 3));
    close(p[0]);
    close(p[1]);

    /* A write to a full pipe. */
    static char big[65536];
    if (pipe(p))
        return;
    on(SIGALRM, count, 0);
    r = write(p[1], big, sizeof big);
    printf("64 KiB filled the pipe: %s\n", yes(r == (long)sizeof big));
    timer_ms(50, 1);
    errno = 0;
    r = write(p[1], "y", 1);
    timer_off();
    said("a write to a full pipe, SIGALRM without SA_RESTART", r);
    close(p[0]);
    close(p[1]);

    /* nanosleep: -EINTR even with SA_RESTART, the rest in rem. */
    on(SIGALRM, count, SA_RESTART);
    timer_ms(50, 1);
    struct timespec t = { 5, 0 }, rem = { 0, 0 };
    errno = 0;
    r = nanosleep(&t, &rem);
    timer_off();
    said("nanosleep(5 s), SIGALRM with SA_RESTART", r);
    printf("rem is between 2 s and 5 s: %s\n", yes(rem.tv_sec >= 2 && rem.tv_sec < 5));

    /* wait4: -EINTR, and started again with SA_RESTART (the handler ends the child). */
    pid_t c = fork();
    if (c == 0)
        for (;;)
            pause();
    on(SIGALRM, count, 0);
    timer_ms(50, 1);
    errno = 0;
    r = waitpid(c, NULL, 0);
    timer_off();
    said("wait4, SIGALRM without SA_RESTART", r);
    victim = c;
    on(SIGALRM, kill_victim, SA_RESTART);
    timer_ms(50, 0);
    int st;
    pid_t w = waitpid(c, &st, 0);
    printf("wait4, SIGALRM with SA_RESTART: the child, killed by its handler: %s\n",
           yes(w == c && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL));

    /* A signal whose default ends a process ends one blocked in a pipe read. */
    if (pipe(p))
        return;
    c = fork();
    if (c == 0) {
        close(p[1]);
        read(p[0], buf, 1);
        _exit(0);
    }
    close(p[0]);
    struct timespec t30 = { 0, 30000000 };
    nanosleep(&t30, NULL);                           /* it is blocked by now (or soon: it ends either way) */
    kill(c, SIGTERM);
    waitpid(c, &st, 0);
    printf("SIGTERM ended a child blocked in a pipe read: %s\n", yes(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM));
    close(p[1]);

    /* ... and one running its own code, and one that faults; we touch fresh memory (page
     * faults of ours) before we wait for them. */
    for (int faults = 0; faults < 2; faults++) {
        c = fork();
        if (c == 0) {
            volatile int *nowhere = (volatile int *)strtoul("16", NULL, 0);   /* hidden from the compiler */
            if (faults)
                *nowhere = 1;
            for (;;)
                ;
        }
        if (!faults)
            kill(c, SIGTERM);
        nanosleep(&t30, NULL);
        size_t len = 1 << 20;
        char *fresh = malloc(len);
        if (fresh)
            memset(fresh, 1, len);
        waitpid(c, &st, 0);
        printf("%s ended a child %s: %s\n", faults ? "SIGSEGV" : "SIGTERM", faults ? "that wrote to address 16" : "in a busy loop",
               yes(WIFSIGNALED(st) && WTERMSIG(st) == (faults ? SIGSEGV : SIGTERM)));
        free(fresh);
    }
    signal(SIGALRM, SIG_DFL);
}

/* A child that writes a byte to fd after ms milliseconds. */
static pid_t write_later(int fd, long ms)
{
    pid_t c = fork();
    if (c == 0) {
        struct timespec t = { 0, ms * 1000000 };
        nanosleep(&t, NULL);
        _exit(write(fd, "z", 1) == 1 ? 0 : 1);
    }
    return c;
}

/* poll, select and pselect that wait: for a pipe, for a timeout, until a signal. */
static void polls(void)
{
    int p[2];
    if (pipe(p))
        return;
    struct pollfd pfd = { .fd = p[0], .events = POLLIN };
    printf("poll of an empty pipe, 30 ms: %d\n", poll(&pfd, 1, 30));
    pid_t c = write_later(p[1], 30);
    int n = poll(&pfd, 1, 5000);
    printf("poll until a child writes: %d ready, POLLIN: %s\n", n, yes(pfd.revents & POLLIN));
    waitpid(c, NULL, 0);
    char b;
    if (read(p[0], &b, 1) != 1)
        return;

    fd_set in;
    FD_ZERO(&in);
    FD_SET(p[0], &in);
    struct timeval tv = { 0, 30000 };
    n = select(p[0] + 1, &in, NULL, NULL, &tv);
    printf("select of an empty pipe, 30 ms: %d, the set emptied: %s\n", n, yes(!FD_ISSET(p[0], &in)));
    c = write_later(p[1], 30);
    FD_SET(p[0], &in);
    tv = (struct timeval){ 5, 0 };
    n = select(p[0] + 1, &in, NULL, NULL, &tv);
    printf("select until a child writes: %d, the pipe in the set: %s\n", n, yes(FD_ISSET(p[0], &in)));
    waitpid(c, NULL, 0);
    if (read(p[0], &b, 1) != 1)
        return;
    fd_set bad;
    FD_ZERO(&bad);
    FD_SET(p[1] + 10, &bad);
    errno = 0;
    said("select of a descriptor that is not open", select(p[1] + 11, &bad, NULL, NULL, NULL));

    on(SIGALRM, count, SA_RESTART);
    timer_ms(50, 1);
    errno = 0;
    long r = poll(&pfd, 1, -1);
    timer_off();
    said("poll without a timeout, SIGALRM with SA_RESTART", r);

    /* pselect with a mask that lets SIGUSR1 in, which is blocked otherwise. */
    got[SIGUSR1] = 0;
    on(SIGUSR1, count, 0);
    block(SIG_BLOCK, SIGUSR1);
    c = fork();
    if (c == 0) {
        kill(getppid(), SIGUSR1);
        _exit(0);
    }
    sigset_t none, now;
    sigemptyset(&none);
    FD_ZERO(&in);
    FD_SET(p[0], &in);
    errno = 0;
    r = pselect(p[0] + 1, &in, NULL, NULL, NULL, &none);
    sigprocmask(SIG_BLOCK, NULL, &now);
    said("pselect, SIGUSR1 let in by its mask", r);
    printf("the handler ran %d time(s); SIGUSR1 blocked again: %s\n", got[SIGUSR1], yes(sigismember(&now, SIGUSR1)));
    waitpid(c, NULL, 0);
    block(SIG_UNBLOCK, SIGUSR1);
    close(p[0]);
    close(p[1]);
    signal(SIGALRM, SIG_DFL);
}

int main(int argc, char **argv)
{
    if (argc > 2 && !strcmp(argv[1], "exec-pause"))
        return exec_pause(atoi(argv[2]));
    if (argc > 1 && !strcmp(argv[1], "exec-alarm"))
        return syscall(SYS_alarm, 0) > 90 ? 0 : 1;
    setvbuf(stdout, NULL, _IONBF, 0);
    groups();
    exec_child();
    timers();
    signal_waits();
    eintr();
    polls();
    printf("done\n");
    return 0;
}
