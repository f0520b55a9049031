/* SPDX-License-Identifier: MIT */
/* facet/spin.h — a spin lock for state the handler ECs of several CPUs share. */
#pragma once

static inline void fc_spin_lock(volatile int *l)
{
    while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))
        __asm__ volatile("pause");
}

static inline void fc_spin_unlock(volatile int *l)
{
    __atomic_store_n(l, 0, __ATOMIC_RELEASE);
}
