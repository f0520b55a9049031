// SPDX-License-Identifier: MIT
/* tests/linux/cowthreads.c — fork in a process whose threads keep writing: after every fork the
 * pages they write are shared copy-on-write, and several threads fault on the same page at once.
 * Each fault must end in a private copy (or the access going on), never in a SIGSEGV; the
 * threads' counters and the children's view must be right. Printed as Linux reports it. */
#include <pthread.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#define THREADS 4
#define PAGES   8
#define FORKS   200

static volatile long counters[PAGES][512];          /* thread t writes word t of every page */
static volatile int stop;
static long done[THREADS];

static void *writer(void *arg)
{
    long t = (long)arg, n = 0;
    while (!stop) {
        for (int p = 0; p < PAGES; p++)
            counters[p][t]++;
        n++;
    }
    done[t] = n;
    return NULL;
}

int main(void)
{
    pthread_t th[THREADS];
    for (long t = 0; t < THREADS; t++)
        pthread_create(&th[t], NULL, writer, (void *)t);
    int bad_children = 0, forks = 0;
    for (int i = 0; i < FORKS; i++) {
        pid_t c = fork();
        if (c == 0) {
            /* the child's copy: every page holds the same count for a thread, give or take the
             * one round the fork may have cut (a thread between two pages) */
            for (int t = 0; t < THREADS; t++)
                if (counters[0][t] - counters[PAGES - 1][t] > 1 || counters[0][t] < counters[PAGES - 1][t])
                    _exit(1);
            _exit(0);
        }
        int st = -1;
        if (c > 0 && waitpid(c, &st, 0) == c) {
            forks++;
            bad_children += !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        }
    }
    stop = 1;
    int right = 1;
    for (long t = 0; t < THREADS; t++) {
        pthread_join(th[t], NULL);
        for (int p = 0; p < PAGES; p++)
            right &= counters[p][t] == done[t];
    }
    printf("%d forks while %d threads wrote %d shared pages: children that saw torn pages %d, "
           "every counter right %d\n", forks, THREADS, PAGES, bad_children, right);
    return 0;
}
