// SPDX-License-Identifier: MIT
/* tests/linux/forks.c — fork, wait4 and pipes between processes, printed as Linux reports them (no pids). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int shared = 1;

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);             /* no stdio buffer copied into the children */
    pid_t me = getpid();

    /* a child that exits with 7; its parent id is ours; its memory is a copy */
    pid_t c = fork();
    if (c == 0) {
        shared = 42;
        _exit(getppid() == me ? 7 : 1);
    }
    int st = 0;
    pid_t w = waitpid(c, &st, 0);
    printf("fork: waited for the child: %d, exited %d, status %d\n", w == c, WIFEXITED(st), WEXITSTATUS(st));
    printf("fork: our copy of the variable is still %d\n", shared);

    /* the child starts with our FPU state: MXCSR's rounding mode (fesetround) and masks */
    unsigned mxcsr = 0x1f80 | 0x6000, seen;       /* round toward zero */
    __asm__ volatile("ldmxcsr %0" :: "m"(mxcsr));
    c = fork();
    if (c == 0) {
        __asm__ volatile("stmxcsr %0" : "=m"(seen));
        _exit(seen == mxcsr ? 3 : 4);
    }
    waitpid(c, &st, 0);
    mxcsr = 0x1f80;
    __asm__ volatile("ldmxcsr %0" :: "m"(mxcsr));
    printf("fork: the child has our MXCSR: %s\n", WIFEXITED(st) && WEXITSTATUS(st) == 3 ? "yes" : "no");

    /* a pipe between them: the child writes and exits, we read to the end of the file */
    int p[2];
    pipe(p);
    c = fork();
    if (c == 0) {
        close(p[0]);
        const char msg[] = "a line through a pipe from a child";
        write(p[1], msg, sizeof msg - 1);
        _exit(0);
    }
    close(p[1]);
    char buf[128];
    long n, total = 0;
    while ((n = read(p[0], buf + total, sizeof buf - 1 - total)) > 0)
        total += n;
    buf[total] = 0;
    printf("pipe: read %ld bytes until the end: %s\n", total, buf);
    close(p[0]);
    waitpid(c, &st, 0);

    /* three children, any order: their statuses add up */
    for (int i = 1; i <= 3; i++)
        if (fork() == 0)
            _exit(i * 10);
    int sum = 0;
    for (int i = 0; i < 3; i++) {
        wait(&st);
        sum += WEXITSTATUS(st);
    }
    printf("three children: statuses add up to %d\n", sum);

    /* WNOHANG while the child still sleeps, then the real wait */
    c = fork();
    if (c == 0) {
        struct timespec t = { 0, 300 * 1000000 };
        nanosleep(&t, NULL);
        _exit(3);
    }
    printf("WNOHANG while it sleeps: %d\n", waitpid(c, &st, WNOHANG));
    w = waitpid(c, &st, 0);
    printf("then waited: %d, status %d\n", w == c, WEXITSTATUS(st));

    /* a child that faults: killed by SIGSEGV */
    c = fork();
    if (c == 0) {
        volatile int *nowhere = (volatile int *)(uintptr_t)strtoul("16", NULL, 0);
        *nowhere = 1;
        _exit(0);
    }
    waitpid(c, &st, 0);
    printf("a faulting child: signaled %d, signal %d\n", WIFSIGNALED(st), WTERMSIG(st));

    /* copy-on-write: 16 MiB written before the fork; after it, each side's writes are its own,
     * a read() into a shared page (the system writes it) too, and a grandchild sees its
     * parent's copy, not the original */
    enum { BIG = 16 << 20 };
    unsigned char *big = mmap(NULL, BIG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (long i = 0; i < BIG; i += 4096)
        big[i] = (unsigned char)(i >> 12);
    pipe(p);
    write(p[1], "XYZ", 3);
    c = fork();
    if (c == 0) {
        big[0] = 200;                                /* the child's own page now */
        read(p[0], big + 8192, 3);                   /* the system writes a shared page */
        pid_t g = fork();
        if (g == 0) {
            printf("copy-on-write, grandchild: %d %d %d\n", big[0], big[4096], big[8192]);
            _exit(0);
        }
        waitpid(g, &st, 0);
        long sum = 0;
        for (long i = 0; i < BIG; i += 4096)
            sum += big[i];
        printf("copy-on-write, child: %d %d %d, sum %ld\n", big[0], big[4096], big[8192], sum);
        _exit(0);
    }
    big[4096] = 100;                                 /* the parent's write, not the child's */
    waitpid(c, &st, 0);
    long total_big = 0;
    for (long i = 0; i < BIG; i += 4096)
        total_big += big[i];
    printf("copy-on-write, parent: %d %d %d, sum %ld\n", big[0], big[4096], big[8192], total_big);
    munmap(big, BIG);
    close(p[0]);
    close(p[1]);

    /* nothing left to wait for */
    errno = 0;
    w = wait(&st);
    printf("wait with no child: %d, errno %d\n", w, errno);
    return 0;
}
