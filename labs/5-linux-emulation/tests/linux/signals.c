// SPDX-License-Identifier: MIT
/* tests/linux/signals.c — signals sent and delivered: handlers, masks, SA_RESETHAND, SIGPIPE, SIGCHLD, deaths, the FPU state around a handler. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <ucontext.h>
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

/*
 * The FPU/SSE state around a handler: the interrupted code's comes back (the frame holds it,
 * uc_mcontext.fpregs), and the handler starts with a fresh one (MXCSR 0x1f80). Twice: a
 * handler at a syscall's return (a raw kill of ourselves, XMM1 and MXCSR set around it), and
 * one that interrupts a loop (SIGALRM, XMM2 set around it).
 */
static const unsigned char pattern[16] = "0123456789abcdef";
static volatile int fp_in_frame, fp_mxcsr_fresh, alarm_seen;

static unsigned mxcsr_get(void)
{
    unsigned m;
    __asm__ volatile("stmxcsr %0" : "=m"(m));
    return m;
}

static void mxcsr_set(unsigned m) { __asm__ volatile("ldmxcsr %0" :: "m"(m)); }

/* The frame's FPU image (FXSAVE's layout on both libcs: XMM n at 160 + 16 n) has the pattern in XMM xmm. */
static int frame_has_pattern(void *uc, int xmm)
{
    const unsigned char *fp = (const unsigned char *)((ucontext_t *)uc)->uc_mcontext.fpregs;
    return fp && !memcmp(fp + 160 + 16 * xmm, pattern, sizeof pattern);
}

static void fpu_at_syscall(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)si;
    fp_in_frame = frame_has_pattern(uc, 1);
    fp_mxcsr_fresh = mxcsr_get() == 0x1f80;
    mxcsr_set(0x1f80 | 0x2000);                   /* round down: the interrupted code must not see it */
    __asm__ volatile("pxor %%xmm1, %%xmm1" ::: "xmm1");
}

static void fpu_in_loop(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)si;
    fp_in_frame = frame_has_pattern(uc, 2);
    __asm__ volatile("pxor %%xmm2, %%xmm2" ::: "xmm2");
    alarm_seen = 1;
}

static void fpu_state(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fpu_at_syscall;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    unsigned char out[16];
    long rax = SYS_kill;
    mxcsr_set(0x1f80 | 0x6000);                   /* round toward zero, kept over the call */
    __asm__ volatile("movdqu %[pat], %%xmm1\n\t"
                     "syscall\n\t"
                     "movdqu %%xmm1, %[out]"
                     : [out] "=m"(out), "+a"(rax)
                     : [pat] "m"(pattern), "D"((long)getpid()), "S"((long)SIGUSR1)
                     : "rcx", "r11", "xmm1", "memory");
    unsigned m = mxcsr_get();
    mxcsr_set(0x1f80);
    printf("fpu: a handler at a syscall's return: XMM1 kept %d, MXCSR kept %d, in the frame %d, "
           "the handler's MXCSR fresh %d\n", !memcmp(out, pattern, sizeof out), m == (0x1f80 | 0x6000),
           fp_in_frame, fp_mxcsr_fresh);

    fp_in_frame = 0;
    sa.sa_sigaction = fpu_in_loop;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = { { 0, 0 }, { 0, 20000 } };
    setitimer(ITIMER_REAL, &it, NULL);
    __asm__ volatile("movdqu %[pat], %%xmm2\n"
                     "1:\tcmpl $0, %[seen]\n\t"
                     "jne 2f\n\t"
                     "pause\n\t"
                     "jmp 1b\n"
                     "2:\tmovdqu %%xmm2, %[out]"
                     : [out] "=m"(out)
                     : [pat] "m"(pattern), [seen] "m"(alarm_seen)
                     : "xmm2", "memory");
    printf("fpu: a handler that interrupted a loop: XMM2 kept %d, in the frame %d\n",
           !memcmp(out, pattern, sizeof out), fp_in_frame);
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
    fpu_state();
    return 0;
}
