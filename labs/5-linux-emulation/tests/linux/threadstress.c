// SPDX-License-Identifier: MIT
/*
 * threadstress.c — 20 runs in a row, each a forked process whose 64 threads take one mutex
 * 10 000 times each and add to a counter under it; the total must be 640 000 in every run.
 * The roottask counts its free pages and the kernel's free frames before and after (the
 * linux scenario): every thread's EC, SC, stack and handler state must come back.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define THREADS 64
#define ROUNDS  10000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long counter;

static void *worker(void *arg)
{
    (void)arg;
    for (unsigned i = 0; i < ROUNDS; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

/* One run: its threads, joined; 0 if the total is right. */
static int run(void)
{
    pthread_t t[THREADS];
    for (unsigned i = 0; i < THREADS; i++)
        if (pthread_create(&t[i], NULL, worker, NULL))
            return 2;
    for (unsigned i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    return counter == (unsigned long)THREADS * ROUNDS ? 0 : 1;
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 20, good = 0;
    for (int r = 0; r < runs; r++) {
        pid_t pid = fork();
        if (pid == 0)
            _exit(run());
        int st;
        if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0)
            good++;
    }
    printf("threadstress: %d of %d runs: %d threads x %d locked increments = %d each\n", good, runs, THREADS,
           ROUNDS, THREADS * ROUNDS);
    return good == runs ? 0 : 1;
}
