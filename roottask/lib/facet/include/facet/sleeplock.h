/* SPDX-License-Identifier: MIT */
/* facet/sleeplock.h — a lock whose waiters sleep: for state a thread shares with handlers of lower priority. */
#pragma once

#include <stdint.h>
#include "facet/hypercall.h"

/*
 * A holder may be a handler running on its caller's SC; a waiter of higher priority on the
 * same CPU (the scenario's thread tearing a process down, printing) would spin for ever in
 * front of it (fc_spin_lock). A waiter here sleeps on a semaphore, at most 1 ms at a time, and
 * tries again. The lock itself is the flag, never handed over through the semaphore: a waiter
 * whose caller dies while it sleeps (an abandoned handler never runs again) takes nothing
 * with it. Until fc_sleeplock_init gives it a semaphore, waiters spin (only one thread runs).
 */
struct fc_sleeplock {
    volatile int held;
    volatile unsigned waiting;
    sel_t sm;                                    /* 0: none yet */
    uint64_t tsc_per_ms;
};

/* sm: a semaphore (count 0) of its own; tsc_per_ms: the TSC's ticks in 1 ms (hip->tsc_khz). */
static inline void fc_sleeplock_init(struct fc_sleeplock *l, sel_t sm, uint64_t tsc_per_ms)
{
    l->tsc_per_ms = tsc_per_ms;
    __atomic_store_n(&l->sm, sm, __ATOMIC_RELEASE);
}

static inline void fc_sleeplock_take(struct fc_sleeplock *l)
{
    while (__atomic_exchange_n(&l->held, 1, __ATOMIC_ACQUIRE)) {
        sel_t sm = __atomic_load_n(&l->sm, __ATOMIC_ACQUIRE);
        if (!sm) {
            __asm__ volatile("pause");
            continue;
        }
        __atomic_fetch_add(&l->waiting, 1, __ATOMIC_SEQ_CST);
        if (l->held)
            fc_sm_down(sm, fc_rdtsc() + l->tsc_per_ms);   /* woken by the release, or 1 ms */
        __atomic_fetch_sub(&l->waiting, 1, __ATOMIC_SEQ_CST);
    }
}

static inline void fc_sleeplock_give(struct fc_sleeplock *l)
{
    __atomic_store_n(&l->held, 0, __ATOMIC_RELEASE);
    if (__atomic_load_n(&l->waiting, __ATOMIC_SEQ_CST))
        fc_sm_up(l->sm);                         /* one of them tries now */
}
