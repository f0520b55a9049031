// SPDX-License-Identifier: MIT
/* tests/linux/signals.c — signals sent and delivered: handlers, masks, SA_RESETHAND, SIGPIPE, SIGCHLD, deaths. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int got[65];
static volatile int info_ok;

static void count(int sig) { got[sig]++; }

static void with_info(int sig, siginfo_t *si, void *uc)
{
    got[sig]++;
    info_ok = si->si_signo == sig && uc != NULL;
}

/* A handler that leaves registers and the stack as the interrupted code needs them. */
static long compute(long n)
{
    long s = 0;
    for (long i = 0; i < n; i++) {
        s += i * i;
        if (i == n / 2)
            raise(SIGUSR2);                       /* a handler in the middle of the loop */
    }
    return s;
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = count;
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR2, &sa, NULL);

    raise(SIGUSR1);
    printf("raise SIGUSR1: handler ran %d time(s)\n", got[SIGUSR1]);
    long sum = compute(100000);
    printf("a loop with a handler in its middle: %ld (the handler ran %d time(s))\n", sum, got[SIGUSR2]);

    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, &old);
    kill(getpid(), SIGUSR1);
    printf("blocked: handler ran %d time(s) so far\n", got[SIGUSR1]);
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("unblocked: handler ran %d time(s)\n", got[SIGUSR1]);

    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = with_info;
    sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
    sigaction(SIGTERM, &sa, NULL);
    kill(getpid(), SIGTERM);
    printf("SA_SIGINFO: handler ran %d time(s), siginfo right %d\n", got[SIGTERM], info_ok);
    sigaction(SIGTERM, NULL, &sa);
    printf("SA_RESETHAND: the handler is now the default %d\n", sa.sa_handler == SIG_DFL);

    /* SIGPIPE: with a handler, then the write's EPIPE */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = count;
    sigaction(SIGPIPE, &sa, NULL);
    int p[2];
    pipe(p);
    close(p[0]);
    errno = 0;
    long w = write(p[1], "x", 1);
    printf("write to a pipe nobody reads: %ld errno %d, SIGPIPE handled %d time(s)\n", w, errno, got[SIGPIPE]);
    close(p[1]);

    /* SIGCHLD when a child ends */
    sigaction(SIGCHLD, &sa, NULL);
    pid_t c = fork();
    if (c == 0)
        _exit(0);
    int st;
    waitpid(c, &st, 0);
    printf("SIGCHLD after the child's end: handled %d time(s)\n", got[SIGCHLD]);

    /* deaths by a signal, as wait4 reports them */
    c = fork();
    if (c == 0) {
        raise(SIGTERM);                           /* the default action: the end */
        _exit(0);
    }
    waitpid(c, &st, 0);
    printf("a child that raised SIGTERM: signaled %d, signal %d\n", WIFSIGNALED(st), WTERMSIG(st));
    c = fork();
    if (c == 0) {
        signal(SIGPIPE, SIG_DFL);
        int q[2];
        pipe(q);
        close(q[0]);
        write(q[1], "x", 1);
        _exit(0);
    }
    waitpid(c, &st, 0);
    printf("a child that wrote to a closed pipe: signaled %d, signal %d\n", WIFSIGNALED(st), WTERMSIG(st));
    int k = kill(999999, 0);
    printf("kill of no such process: %d errno %d\n", k, errno);
    return 0;
}
