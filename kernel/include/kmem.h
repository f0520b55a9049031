/* SPDX-License-Identifier: MIT */
/* kmem.h — kernel memory accounted per PD: accounts, quotas, charges and refunds. */
#pragma once

#include "kernel.h"

struct pd;

/*
 * Every kernel allocation made on a PD's behalf is charged, in bytes, to an account (see
 * docs/architecture.md, "Kernel memory per PD"). A PD created with a quota of its own is its
 * own account: the quota is charged to its creator's account while the PD exists. Any other
 * PD charges its creator's account. A charge that would take an account beyond its limit
 * fails, and the hypercall answers OOM to that PD alone. Callers hold the kernel lock.
 */
struct kmem {
    uint64_t limit;              /* bytes this account may have charged at once */
    uint64_t used;               /* bytes charged now (quotas given to PDs included) */
};

bool kmem_fits(const struct pd *pd, uint64_t bytes);   /* would pd's account take this charge */
bool kmem_charge(struct pd *pd, uint64_t bytes);       /* to pd's account; false: over, nothing charged */
void kmem_refund(struct pd *pd, uint64_t bytes);       /* give back what a charge to pd took */
/* A structure of pd's own spaces (capability leaf, page table, EPT table, I/O bitmap): freed
 * only with the PD, so refunded all at once by pd_release. */
bool kmem_charge_space(struct pd *pd, uint64_t bytes);
void kmem_refund_space(struct pd *pd, uint64_t bytes);  /* a space charge whose structure was not made */
void kmem_account_set(struct pd *pd, struct pd *creator, uint64_t quota);  /* at creation */
void kmem_account_release(struct pd *pd);             /* pd_release: its space, its quota */
