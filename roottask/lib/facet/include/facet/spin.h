/* SPDX-License-Identifier: MIT */
/* facet/spin.h — a spin lock for state the handler ECs of several CPUs share. */
#pragma once

/*
 * The holder may be a thread of lower priority on the waiter's own CPU, preempted with the
 * lock: a handler (it runs on its caller's SC), preempted by the thread that tears its process
 * down or by the console's input thread. A waiter that only spun would keep it from running
 * for ever. So every FC_SPIN_TRIES failed tries a waiter naps (fc_spin_nap, thread.c: 1 ms
 * asleep), which lets the holder run on and give the lock back. Uncontended, taking the lock
 * is one exchange. Where the holder may also sleep, or hold the lock long, facet/sleeplock.h.
 */
#define FC_SPIN_TRIES 1024

void fc_spin_nap(void);

static inline void fc_spin_lock(volatile int *l)
{
    for (unsigned tries = 1; __atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE); tries++) {
        if (tries % FC_SPIN_TRIES == 0)
            fc_spin_nap();
        else
            __asm__ volatile("pause");
    }
}

static inline void fc_spin_unlock(volatile int *l)
{
    __atomic_store_n(l, 0, __ATOMIC_RELEASE);
}
