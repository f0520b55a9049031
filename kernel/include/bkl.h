/* SPDX-License-Identifier: MIT */
/* bkl.h — the kernel lock: taken at every entry, released on the way back to user or idle. */
#pragma once

#include "spinlock.h"

extern struct spinlock kernel_lock;

static inline void bkl_lock(void) { spin_lock(&kernel_lock); }
static inline void bkl_unlock(void) { spin_unlock(&kernel_lock); }
