// SPDX-License-Identifier: MIT
/* cap/delegate.c — pd_ctrl delegate, typed IPC items and revoke: one path for every kind. */
#include "delegate.h"
#include "cap.h"
#include "pd.h"
#include "ec.h"
#include "paging.h"
#include "resource.h"
#include "syscall.h"
#include "ept.h"
#include "vmx.h"
#include "vcpu.h"
#include "lab.h"

/* Is the CRD's range well formed (kind, natural alignment, inside its space)? */
static bool crd_ok(uint64_t crd)
{
    uint64_t count = 1UL << CRD_ORDER(crd), base = CRD_BASE(crd);
    if (base & (count - 1))
        return false;
    switch (CRD_KIND(crd)) {
    case CRD_MEM: return user_range_ok(base << PAGE_SHIFT, count << PAGE_SHIFT);
    case CRD_IO:  return base + count <= IO_PORTS;
    case CRD_OBJ: return base + count <= SEL_MAX;
    default:      return false;
    }
}

/* Object capabilities: validate everything, reserve the leaves, then copy with reduced rights. */
static int obj_delegate(struct pd *src, struct pd *dst, uint64_t sbase, uint64_t dbase, uint64_t count,
                        unsigned perm, bool check_only)
{
    for (uint64_t i = 0; i < count; i++) {
        struct cap *c = cap_slot(src, sbase + i);
        if (!c || !c->obj || c->obj->dead)
            return BAD_CAP;
        if (!cap_free(dst, dbase + i))
            return BAD_CAP;                          /* the destination slot is taken */
    }
    if (check_only)
        return SUCCESS;
    /* LAB capabilities BEGIN: copy each source capability into the destination slot, rights reduced, derived from its source (docs: labs/2-capabilities/README.md#delegate-objects) */
    for (uint64_t i = 0; i < count; i++)
        if (cap_reserve(dst, dbase + i) != SUCCESS)
            return OOM;
    for (uint64_t i = 0; i < count; i++) {
        struct cap *c = cap_slot(src, sbase + i);
        cap_insert(dst, dbase + i, c->obj, c->perm & perm, c);
    }
    return SUCCESS;
    //@ (void)perm;
    //@ LAB_TODO("capabilities: delegating object capabilities");
    //@ return BAD_FTR;
    /* LAB capabilities END */
}

/* One CRD pair, any kind: check only, or do it (after a check that passed). */
static int delegate(struct pd *src, struct pd *dst, uint64_t scrd, uint64_t dcrd, bool check_only)
{
    unsigned kind = CRD_KIND(scrd), order = CRD_ORDER(scrd);
    unsigned perm = CRD_PERM(scrd) & CRD_PERM(dcrd);
    if (kind == CRD_NULL || CRD_KIND(dcrd) != kind || CRD_ORDER(dcrd) != order || !crd_ok(scrd) || !crd_ok(dcrd))
        return BAD_PAR;
    if (dst->obj.dead || src->obj.dead)
        return BAD_CAP;
    switch (kind) {
    case CRD_OBJ:
        return obj_delegate(src, dst, CRD_BASE(scrd), CRD_BASE(dcrd), 1UL << order, perm, check_only);
    case CRD_MEM:
        return mem_delegate(src, dst, CRD_BASE(scrd), CRD_BASE(dcrd), order, perm, check_only);
    default:
        if (CRD_BASE(scrd) != CRD_BASE(dcrd))
            return BAD_PAR;                          /* ports keep their numbers */
        return io_delegate(src, dst, CRD_BASE(scrd), order, check_only);
    }
}

/* Everything is checked before anything changes: the same delegation runs twice. */
int cap_delegate(struct pd *src, struct pd *dst, uint64_t scrd, uint64_t dcrd)
{
    int s = delegate(src, dst, scrd, dcrd, true);
    return s == SUCCESS ? delegate(src, dst, scrd, dcrd, false) : s;
}

/* Where item i lands in the receive window, or 0 (a null CRD) if it does not fit. */
static uint64_t item_dest(uint64_t window, uint64_t crd, uint64_t hotspot)
{
    uint64_t count = 1UL << CRD_ORDER(crd), room = 1UL << CRD_ORDER(window);
    /* hotspot comes from the sender: compare without an addition that could wrap. */
    if (CRD_KIND(window) != CRD_KIND(crd) || hotspot & (count - 1) || count > room || hotspot > room - count ||
        !crd_ok(window))
        return 0;
    return CRD(CRD_KIND(crd), CRD_PERM(window), CRD_ORDER(crd), CRD_BASE(window) + hotspot);
}

/* Typed items of a call or reply: every item checked against the receive window first, then delegated. */
int xfer_items(struct ec *from, struct ec *to, unsigned n, unsigned t)
{
    uint64_t window = to->utcb->head.del, *item = &from->utcb->mr[n];
    /* All items must fit the window without overlapping each other; check them all first. */
    for (unsigned i = 0; i < t; i++) {
        uint64_t d = item_dest(window, item[2 * i], item[2 * i + 1]);
        if (!d)
            return BAD_PAR;
        for (unsigned j = 0; j < i; j++) {
            uint64_t e = item_dest(window, item[2 * j], item[2 * j + 1]);
            if (CRD_BASE(d) < CRD_BASE(e) + (1UL << CRD_ORDER(e)) && CRD_BASE(e) < CRD_BASE(d) + (1UL << CRD_ORDER(d)))
                return BAD_PAR;                      /* two items for the same slots */
        }
        int s = delegate(from->pd, to->pd, item[2 * i], d, true);
        if (s != SUCCESS)
            return s;
    }
    for (unsigned i = 0; i < t; i++) {
        uint64_t d = item_dest(window, item[2 * i], item[2 * i + 1]);
        int s = delegate(from->pd, to->pd, item[2 * i], d, false);
        if (s != SUCCESS)
            return s;                                /* only OOM can get here */
        to->utcb->mr[n + 2 * i] = d;                 /* tell the receiver what it got */
        to->utcb->mr[n + 2 * i + 1] = 0;
    }
    return SUCCESS;
}

/*
 * Memory into a guest-physical space: the source a CRD of src's host pages,
 * the destination guest pages of dst (from 0, below 2^GPA_BITS). Ports cannot
 * go to a guest: every guest port access exits to the VMM.
 */
static int guest_delegate(struct pd *src, struct pd *dst, uint64_t scrd, uint64_t dcrd)
{
    unsigned order = CRD_ORDER(scrd);
    uint64_t gbase = CRD_BASE(dcrd), count = 1UL << order;
    if (!vcpus_usable())
        return BAD_FTR;
    if (CRD_KIND(scrd) != CRD_MEM || CRD_KIND(dcrd) != CRD_MEM)
        return CRD_KIND(scrd) == CRD_IO ? BAD_FTR : BAD_PAR;
    if (CRD_ORDER(dcrd) != order || !crd_ok(scrd) || (gbase & (count - 1)) ||
        order > GPA_BITS - PAGE_SHIFT || gbase + count > (1UL << (GPA_BITS - PAGE_SHIFT)))
        return BAD_PAR;
    if (dst->obj.dead || src->obj.dead)
        return BAD_CAP;
    unsigned perm = CRD_PERM(scrd) & CRD_PERM(dcrd);
    int s = mem_delegate_guest(src, dst, CRD_BASE(scrd), gbase, order, perm, true);
    return s == SUCCESS ? mem_delegate_guest(src, dst, CRD_BASE(scrd), gbase, order, perm, false) : s;
}

/*
 * pd_ctrl delegate: ARG1 = sub-operation 2 + source PD, ARG2 = destination PD,
 * ARG3 = source CRD, ARG4 = flags, ARG5 = destination CRD.
 */
int sys_pd_ctrl(struct ec *ec, struct cpu_regs *r)
{
    if (hc_flags(r) == PD_CTRL_QUOTA) {
        struct pd *pd = cap_get(ec->pd, hc_sel(r), OBJ_PD, PERM_CTRL);
        if (!pd)
            return BAD_CAP;
        kobj_reap();                             /* what is due to be freed is not charged */
        set_out2(r, pd->acct->kmem.limit);
        r->rdx = pd->acct->kmem.used;
        return SUCCESS;
    }
    if (hc_flags(r) != PD_CTRL_DELEGATE)
        return BAD_PAR;
    struct pd *src = cap_get(ec->pd, hc_sel(r), OBJ_PD, PERM_CTRL);
    struct pd *dst = cap_get(ec->pd, arg2(r), OBJ_PD, PERM_CTRL);
    if (!src || !dst)
        return BAD_CAP;
    if (arg4(r) & ~(uint64_t)DELEGATE_GUEST)
        return BAD_PAR;
    if (arg4(r) & DELEGATE_GUEST)
        return guest_delegate(src, dst, arg3(r), arg5(r));
    return cap_delegate(src, dst, arg3(r), arg5(r));
}

/* revoke: ARG1 = flags (self, remote), ARG2 = CRD, ARG3 = PD when remote. */
int sys_revoke(struct ec *ec, struct cpu_regs *r)
{
    unsigned flags = hc_flags(r);
    uint64_t crd = arg2(r);
    struct pd *pd = ec->pd;
    if (flags & ~(REVOKE_SELF | REVOKE_REMOTE))
        return BAD_PAR;
    if (flags & REVOKE_REMOTE) {
        pd = cap_get(ec->pd, arg3(r), OBJ_PD, PERM_CTRL);
        if (!pd)
            return BAD_CAP;
    }
    if (!crd_ok(crd))
        return BAD_PAR;
    uint64_t base = CRD_BASE(crd), count = 1UL << CRD_ORDER(crd);
    bool self = flags & REVOKE_SELF;
    switch (CRD_KIND(crd)) {
    case CRD_OBJ:
        for (uint64_t i = 0; i < count; i++) {
            struct cap *c = cap_slot(pd, base + i);
            if (c)
                cap_revoke(c, self);
        }
        break;
    case CRD_MEM:
        mem_revoke(pd, base, CRD_ORDER(crd), self);
        break;
    default:
        io_revoke(pd, base, CRD_ORDER(crd), self);
        break;
    }
    kobj_reap();
    return SUCCESS;
}
