/* SPDX-License-Identifier: MIT */
/* tests/linux/lib.h — what the waiting and time tests (events.c, schedinfo.c) print alike: yes or no, and the milliseconds since a time. */
#pragma once
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
