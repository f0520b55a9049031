/* SPDX-License-Identifier: MIT */
/* bkl.h — the kernel lock: taken at every entry, released on the way back to user or idle. */
#pragma once

#include "spinlock.h"
#include "tlb.h"

extern struct spinlock kernel_lock;

/* While waiting, carry out TLB shootdowns: the holder may be waiting for us. */
static ALWAYS_INLINE void bkl_lock(void)
{
    uint16_t me = __atomic_fetch_add(&kernel_lock.next, 1, __ATOMIC_RELAXED);
    while (__atomic_load_n(&kernel_lock.owner, __ATOMIC_ACQUIRE) != me) {
        if (tlb_pending())
            tlb_ack();
        cpu_relax();
    }
}

static ALWAYS_INLINE void bkl_unlock(void) { spin_unlock(&kernel_lock); }
