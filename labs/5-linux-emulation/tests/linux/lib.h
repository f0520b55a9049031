/* SPDX-License-Identifier: MIT */
/* tests/linux/lib.h — what the waiting and time tests (events.c, schedinfo.c) print alike: yes or no, and the milliseconds since a time; the sum the thread programs (threads.c, sysbench.c) split between threads. */
#pragma once
#include <stdint.h>
#include <time.h>

static inline const char *yes(int b)
{
    return b ? "yes" : "no";
}

/* Milliseconds of CLOCK_MONOTONIC since *t0. */
static inline long ms_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* One part of a sum of i*i mod 1000003 over [from, to): a thread's share. */
struct part { uint64_t from, to, sum; };

static inline void *sum_part(void *arg)
{
    struct part *p = arg;
    uint64_t s = 0;
    for (uint64_t i = p->from; i < p->to; i++)
        s += i * i % 1000003;
    p->sum = s;
    return NULL;
}
