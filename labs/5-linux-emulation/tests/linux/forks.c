// SPDX-License-Identifier: MIT
/* tests/linux/forks.c — fork, wait4 and pipes between processes, printed as Linux reports them (no pids). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

    /* nothing left to wait for */
    errno = 0;
    w = wait(&st);
    printf("wait with no child: %d, errno %d\n", w, errno);
    return 0;
}
