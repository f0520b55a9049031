// SPDX-License-Identifier: MIT
/* obj/pt.c — portals: create_pt and pt_ctrl. */
#include "pt.h"
#include "ec.h"
#include "pd.h"
#include "paging.h"
#include "syscall.h"

/* MTD bits a host EC's message can carry. */
#define MTD_RESERVED   ((1u << 25) | (1u << 29))   /* no group: refused, for any sender */

/* create_pt: ARG1 = destination selector, ARG2 = PD, ARG3 = local EC, ARG4 = MTD, ARG5 = entry IP. */
int sys_create_pt(struct ec *cur, struct cpu_regs *r)
{
    sel_t dst = hc_sel(r);
    if (hc_flags(r))
        return BAD_PAR;
    if (!cap_free(cur->pd, dst))
        return BAD_CAP;
    struct pd *pd = cap_get(cur->pd, arg2(r), OBJ_PD, PERM_CREATE);
    struct ec *ec = cap_get(cur->pd, arg3(r), OBJ_EC, PERM_CTRL);
    if (!pd || !ec)
        return BAD_CAP;
    if (ec->global || ec->pd != pd)
        return BAD_PAR;                              /* portals lead to local ECs of that PD */
    if (arg4(r) & ~(uint64_t)0xffffffff || arg4(r) & MTD_RESERVED)
        return BAD_PAR;
    if (!user_range_ok(arg5(r), 1))
        return BAD_PAR;
    if (cap_reserve(cur->pd, dst) != SUCCESS)
        return OOM;
    struct pt *pt = kobj_alloc(OBJ_PT, pd, 0);
    if (!pt)
        return OOM;
    pt->ec = ec;
    kobj_get(&ec->obj);
    pt->mtd = arg4(r);
    pt->ip = arg5(r);
    cap_insert(cur->pd, dst, &pt->obj, PERM_ALL, NULL);
    return SUCCESS;
}

/* pt_ctrl: ARG1 = PT selector, ARG2 = the id its handler receives. Also the cheapest hypercall. */
int sys_pt_ctrl(struct ec *cur, struct cpu_regs *r)
{
    if (hc_flags(r))
        return BAD_PAR;
    struct pt *pt = cap_get(cur->pd, hc_sel(r), OBJ_PT, PERM_CTRL);
    if (!pt)
        return BAD_CAP;
    pt->id = arg2(r);
    return SUCCESS;
}
