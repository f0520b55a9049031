/* SPDX-License-Identifier: MIT */
/* countdown.h — the n-th event from now: failure injection's counter (the kernel's page and object
 * allocations, the roottask's pages). Lock-free: allocations on several CPUs count down one word. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* One event: true for the one that takes the counter from 1 to 0 (0 stays 0: disarmed). */
static inline bool countdown_hit(uint64_t *counter)
{
    uint64_t left = __atomic_load_n(counter, __ATOMIC_RELAXED);
    while (left && !__atomic_compare_exchange_n(counter, &left, left - 1, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        ;
    return left == 1;
}

/* Arm it for the n-th event from now (0: disarm); what was left of the last arming (0: it hit). */
static inline uint64_t countdown_set(uint64_t *counter, uint64_t n)
{
    return __atomic_exchange_n(counter, n, __ATOMIC_RELAXED);
}
