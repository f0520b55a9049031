/* SPDX-License-Identifier: MIT */
/* spinlock.h — ticket spinlocks (the kernel runs with interrupts off). */
#pragma once

#include <stdint.h>
#include "x86.h"
#include "kernel.h"

struct spinlock {
    volatile uint16_t next, owner;
};

static inline void spin_lock(struct spinlock *l)
{
    uint16_t me = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
    while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != me)
        cpu_relax();
}

static ALWAYS_INLINE void spin_unlock(struct spinlock *l)
{
    __atomic_store_n(&l->owner, (uint16_t)(l->owner + 1), __ATOMIC_RELEASE);
}
