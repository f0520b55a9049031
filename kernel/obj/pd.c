// SPDX-License-Identifier: MIT
/* obj/pd.c — protection domains: creation, activation on a CPU, death; create_pd. */
#include "pd.h"
#include "ec.h"
#include "frame.h"
#include "paging.h"
#include "resource.h"
#include "tlb.h"
#include "syscall.h"
#include "x86.h"
#include "ept.h"

/* An empty PD: object space, user half sharing the kernel's, and all ports open if passthrough. */
struct pd *pd_create(bool passthrough, struct pd *payer)
{
    uint64_t pages = (1UL << CAPSPACE_ORDER) + 1 + (passthrough ? 2 : 0);   /* object space, PML4, I/O bitmap */
    struct pd *pd = kobj_alloc(OBJ_PD, payer, pages * PAGE_SIZE);
    if (!pd)
        return NULL;
    pd->caps = pages_alloc(CAPSPACE_ORDER);
    pd->pml4 = space_create();
    if (passthrough)
        pd->iobitmap = pages_alloc(1);          /* all zero: every port allowed */
    if (!pd->caps || !pd->pml4 || (passthrough && !pd->iobitmap)) {
        pd_release(pd);
        kobj_free(pd);
        return NULL;
    }
    pd->cr3 = virt_to_phys(pd->pml4);
    pd->passthrough = passthrough;
    return pd;
}

int pd_tables_prepare(struct pd *pd, uint64_t va, bool large)
{
    unsigned missing = space_tables_missing(pd->pml4, va, large);
    if (!missing)
        return SUCCESS;
    if (!kmem_charge_space(pd, missing * PAGE_SIZE))
        return OOM;
    if (space_prepare(pd->pml4, va, large) == 0)
        return SUCCESS;
    kmem_refund_space(pd, space_tables_missing(pd->pml4, va, large) * PAGE_SIZE);  /* those not made */
    return OOM;
}

void pd_load_ports(struct cpu *c, struct pd *pd)
{
    memcpy(c->tss.iomap, pd->iobitmap, sizeof c->tss.iomap);
    c->io_pd = pd;
    c->tss.iomap_base = TSS_IOMAP_ON;
}

/* The last capability to the PD is gone: everything it holds or delegated goes too. */
void pd_die(struct pd *pd)
{
    capspace_clear(pd);
    mem_teardown(pd);
    io_teardown(pd);
}

/*
 * Nothing runs in it any more: no CPU may keep its tables loaded, then they go
 * back. A CPU that last ran one of its ECs still has them in CR3 while it
 * idles or schedules (pd_activate switches lazily); it moves to the kernel's
 * own table now (this CPU) or in the shootdown's tlb_ack (the others).
 */
void pd_release(struct pd *pd)
{
    bool loaded_elsewhere = false;
    for (unsigned i = 0; i < cpu_count; i++) {
        if (cpus[i].io_pd == pd)
            cpus[i].io_pd = NULL;
        if (cpus[i].pd != pd)
            continue;
        cpus[i].pd = NULL;
        if (&cpus[i] == this_cpu())
            write_cr3(virt_to_phys(kernel_pml4));
        else
            loaded_elsewhere = true;
    }
    if (loaded_elsewhere)
        tlb_shootdown();
    if (pd->caps)
        capspace_free(pd);
    if (pd->pml4)
        space_destroy(pd->pml4);
    if (pd->ept)
        ept_destroy(pd->ept);                   /* its vCPUs are gone: nothing runs on it */
    if (pd->iobitmap)
        pages_free(pd->iobitmap, 1);
    kmem_account_release(pd);                   /* its spaces' structures, its quota */
}

/*
 * create_pd: ARG1 = destination selector + flags (passthrough, foreign, quota),
 * ARG2 = parent PD selector (its account pays), ARG3 = CRD (must be 0), ARG4 = foreign-syscall
 * portal base, ARG5 = with CREATE_PD_QUOTA: the new PD's own kernel-memory quota in bytes.
 */
int sys_create_pd(struct ec *ec, struct cpu_regs *r)
{
    sel_t dst = hc_sel(r);
    bool passthrough = hc_flags(r) & CREATE_PD_PASSTHROUGH, foreign = hc_flags(r) & CREATE_PD_FOREIGN;
    uint64_t quota = (hc_flags(r) & CREATE_PD_QUOTA) ? arg5(r) : 0;
    if (hc_flags(r) & ~(CREATE_PD_PASSTHROUGH | CREATE_PD_FOREIGN | CREATE_PD_QUOTA))
        return BAD_PAR;
    if (foreign && arg4(r) > SEL_MAX - MAX_CPUS)
        return BAD_PAR;                         /* base + cpu must stay inside the object space */
    if ((hc_flags(r) & CREATE_PD_QUOTA) && !quota)
        return BAD_PAR;                         /* an own account of nothing: leave the flag off */
    struct pd *parent = cap_get(ec->pd, arg2(r), OBJ_PD, PERM_CREATE);
    if (!parent)
        return BAD_CAP;
    if (!cap_free(ec->pd, dst))
        return BAD_CAP;
    if (passthrough && !ec->pd->passthrough)
        return BAD_PAR;
    if (arg3(r) != 0)
        return BAD_FTR;                         /* use pd_ctrl delegate after creation */
    if (cap_reserve(ec->pd, dst) != SUCCESS)
        return OOM;
    if (quota && !kmem_charge(parent, quota))
        return OOM;                             /* the parent's account cannot give that much */
    struct pd *pd = pd_create(passthrough, parent);
    if (!pd) {
        if (quota)
            kmem_refund(parent, quota);
        return OOM;
    }
    kmem_account_set(pd, parent, quota);
    pd->foreign = foreign;
    pd->foreign_base = foreign ? arg4(r) : 0;
    cap_insert(ec->pd, dst, &pd->obj, PERM_ALL, NULL);
    return SUCCESS;
}
