// SPDX-License-Identifier: MIT
/* tests/linux/pipes.c — pipes and descriptor duplication, printed as Linux reports them; last, 1 MiB
 * through a pipe between two processes. */
#define _GNU_SOURCE                           /* dup3, pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void show(const char *what, long r)
{
    printf("%-44s %ld", what, r);
    if (r < 0)
        printf(" errno %d", errno);
    printf("\n");
}

int main(void)
{
    int p[2], q[2];
    char buf[70000];
    signal(SIGPIPE, SIG_IGN);                     /* EPIPE instead of dying of SIGPIPE */

    show("pipe", pipe(p));
    show("write 5 bytes", write(p[1], "hello", 5));
    memset(buf, 0, sizeof buf);
    show("read them back", read(p[0], buf, sizeof buf));
    printf("they are: %s\n", buf);

    /* stdout into the pipe for one write, then back */
    int saved = dup(1);
    show("dup(1) is a new descriptor", saved > 2);
    fflush(stdout);                               /* nothing of ours waits in stdio meanwhile */
    long r1 = dup2(p[1], 1);
    write(1, "via stdout", 10);
    long r2 = dup2(saved, 1);
    show("dup2(write end, 1)", r1);
    show("dup2(saved, 1)", r2);
    memset(buf, 0, sizeof buf);
    show("read what stdout wrote", read(p[0], buf, sizeof buf));
    printf("it is: %s\n", buf);

    int d = fcntl(p[1], F_DUPFD, 10);
    show("F_DUPFD from 10 gives 10 or more", d >= 10);
    show("F_GETFD of it", fcntl(d, F_GETFD));
    show("F_SETFD FD_CLOEXEC", fcntl(d, F_SETFD, FD_CLOEXEC));
    show("F_GETFD again", fcntl(d, F_GETFD));
    show("dup3 O_CLOEXEC to 20", dup3(p[1], 20, O_CLOEXEC));
    show("F_GETFD of 20", fcntl(20, F_GETFD));
    show("dup3 to itself", dup3(20, 20, 0));
    show("dup2 to itself", dup2(20, 20));
    show("dup of a closed descriptor", dup(99));

    struct stat st;
    show("fstat of the read end", fstat(p[0], &st));
    show("it is a FIFO", S_ISFIFO(st.st_mode));
    show("lseek on a pipe", lseek(p[0], 0, SEEK_SET));

    struct pollfd pf = { p[0], POLLIN, 0 };
    write(p[1], "x", 1);
    show("poll with a byte in it", poll(&pf, 1, 0));
    show("revents", pf.revents);
    read(p[0], buf, 1);

    /* every write end closed: the end of the file */
    close(p[1]);
    close(d);
    close(20);
    show("read after the last writer closed", read(p[0], buf, sizeof buf));
    pf.revents = 0;
    show("poll", poll(&pf, 1, 0));
    show("revents (POLLHUP)", pf.revents);
    close(p[0]);

    /* non-blocking: empty, then full at 64 KiB, then the reader gone */
    show("pipe2 O_NONBLOCK", pipe2(q, O_NONBLOCK));
    show("read of an empty pipe", read(q[0], buf, 10));
    memset(buf, 'z', sizeof buf);
    show("write 70000 bytes", write(q[1], buf, 70000));
    show("write one more", write(q[1], buf, 1));
    long total = 0, r;
    while ((r = read(q[0], buf, 4000)) > 0)
        total += r;
    show("read it all, 4000 at a time", total);
    show("F_GETFL has O_NONBLOCK", (fcntl(q[0], F_GETFL) & O_NONBLOCK) != 0);
    close(q[0]);
    show("write with no reader", write(q[1], "x", 1));
    close(q[1]);

    /* 1 MiB between two processes in one write: the writer waits for room sixteen times and
     * more, the reader for bytes; each must wake the other. A lost wake-up ends the program
     * by SIGALRM (its output then differs), not the whole run. */
    int t[2];
    show("pipe for the transfer", pipe(t));
    alarm(30);
    pid_t c = fork();
    if (c == 0) {
        static char big[1 << 20];
        for (unsigned i = 0; i < sizeof big; i++)
            big[i] = (char)(i * 7 + i / 4096);
        close(t[0]);
        _exit(write(t[1], big, sizeof big) == (long)sizeof big ? 0 : 1);
    }
    close(t[1]);
    unsigned long sum = 0xcbf29ce484222325UL, got = 0;       /* FNV-1a: the order of the bytes counts */
    while ((r = read(t[0], buf, 1000)) > 0) {
        for (long i = 0; i < r; i++)
            sum = (sum ^ (unsigned char)buf[i]) * 0x100000001b3UL;
        got += (unsigned long)r;
    }
    int status = -1;
    waitpid(c, &status, 0);
    alarm(0);
    printf("1 MiB between two processes: %lu bytes, checksum %#lx, the writer's wait status %d\n", got, sum, status);
    close(t[0]);
    return 0;
}
