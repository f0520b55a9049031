/* SPDX-License-Identifier: MIT */
/* pd.h — protection domains: object space, address space, I/O port space. */
#pragma once

#include "kobj.h"
#include "cap.h"
#include "kmem.h"
#include "cpu.h"
#include "x86.h"

struct pd {
    struct kobj obj;
    struct capspace *caps;       /* object space */
    uint64_t *pml4;              /* host address space */
    uint64_t cr3;                /* its physical address: what pd_activate loads */
    uint64_t *ept;               /* guest-physical space (its vCPUs' memory), NULL until the first guest delegation */
    uint8_t *iobitmap;           /* 8 KiB I/O permission bitmap (0 = allowed), NULL = no ports */
    bool passthrough;            /* the roottask (and PDs it marks so) */
    bool root;                   /* the roottask: its memory window and all ports are its own */
    bool foreign;                /* its `syscall`s are messages to foreign_base + cpu (unless NSCT) */
    sel_t foreign_base;
    /* Kernel memory (kmem.h): the account it charges (itself if it has a quota, else its
     * parent's), its own account, its parent's account (a reference; NULL: the roottask's PD)
     * and what its spaces hold. */
    struct pd *acct;
    struct kmem kmem;
    struct pd *parent_acct;
    uint64_t space_bytes;
    bool iobitmap_charged;       /* a delegated I/O bitmap is in space_bytes */
};

/* An empty PD, charged to payer's account (NULL: the kernel's own), its account set with
 * kmem_account_set; NULL on OOM. */
struct pd *pd_create(bool passthrough, struct pd *payer);
void pd_load_ports(struct cpu *c, struct pd *pd);   /* its I/O bitmap into this CPU's TSS */
/* Load its address space and I/O bitmap on CPU c (this one): nothing to do when both are loaded already. */
static ALWAYS_INLINE void pd_activate(struct cpu *c, struct pd *pd)
{
    if (c->pd != pd) {
        write_cr3(pd->cr3);
        c->pd = pd;
    }
    if (!pd->iobitmap)
        c->tss.iomap_base = TSS_IOMAP_OFF;       /* no ports: the bitmap lies beyond the TSS's limit */
    else if (unlikely(c->io_pd != pd))
        pd_load_ports(c, pd);
    else
        c->tss.iomap_base = TSS_IOMAP_ON;
}
void pd_die(struct pd *pd);              /* last capability gone: drop its capabilities and mappings */
void pd_release(struct pd *pd);          /* nothing refers to it: free its tables */
/* The page tables down to va's entry in pd's address space (the 2 MiB-level one if large),
 * each charged to pd (kmem_charge_space): SUCCESS, or OOM with nothing charged for what is
 * not made. After it, space_map and space_pde make no table for va. */
int pd_tables_prepare(struct pd *pd, uint64_t va, bool large);
