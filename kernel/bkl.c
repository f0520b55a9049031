// SPDX-License-Identifier: MIT
/* bkl.c — the kernel lock's storage: bkl.h inlines lock and unlock into every entry path, so only the variable needs a home. */
#include "bkl.h"

struct spinlock kernel_lock;
