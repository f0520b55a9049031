// SPDX-License-Identifier: MIT
/* obj/sm.c — semaphores: create_sm and sm_ctrl (up, down with an optional TSC deadline). */
#include "sm.h"
#include "ec.h"
#include "pd.h"
#include "sched.h"
#include "syscall.h"
#include "x86.h"
#include "gsi.h"

/* Per-CPU deadline list, sorted, so the tick looks at the head only. */
static void timeout_insert(struct ec *ec)
{
    struct ec **p = &cpus[ec->cpu].timeouts;
    while (*p && (*p)->deadline <= ec->deadline)
        p = &(*p)->to_next;
    ec->to_next = *p;
    *p = ec;
}

static void timeout_remove(struct ec *ec)
{
    for (struct ec **p = &cpus[ec->cpu].timeouts; *p; p = &(*p)->to_next)
        if (*p == ec) {
            *p = ec->to_next;
            return;
        }
}

/* Take ec off its semaphore's wait list (and its deadline off the CPU's list). */
void sm_forget(struct ec *ec)
{
    struct sm *sm = ec->sm;
    struct ec **p = &sm->waiters, *prev = NULL;
    while (*p && *p != ec) {
        prev = *p;
        p = &(*p)->sm_next;
    }
    if (*p) {
        *p = ec->sm_next;
        if (sm->waiters_tail == ec)
            sm->waiters_tail = prev;
    }
    if (ec->deadline)
        timeout_remove(ec);
    ec->sm = NULL;
    ec->sm_next = NULL;
    ec->deadline = 0;
}

/* Wake ec from its semaphore with `status` as the result of its down. */
static void sm_release(struct ec *ec, int status)
{
    sm_forget(ec);
    ec->regs.rdi = (uint64_t)status;
    ec_wake(ec);
}

void sm_timeout(struct ec *ec)
{
    sm_release(ec, TIMEOUT);
}

/* create_sm: ARG1 = destination selector, ARG2 = PD, ARG3 = initial count (< 2^32). */
int sys_create_sm(struct ec *ec, struct cpu_regs *r)
{
    sel_t dst = hc_sel(r);
    if (hc_flags(r))
        return BAD_PAR;
    struct pd *pd = cap_get(ec->pd, arg2(r), OBJ_PD, PERM_CREATE);
    if (!cap_free(ec->pd, dst) || !pd)
        return BAD_CAP;
    if (arg3(r) > UINT32_MAX)
        return BAD_PAR;
    if (cap_reserve(ec->pd, dst) != SUCCESS)
        return OOM;
    struct sm *sm = kobj_alloc(OBJ_SM, pd, 0);
    if (!sm)
        return OOM;
    sm->count = arg3(r);
    cap_insert(ec->pd, dst, &sm->obj, PERM_ALL, NULL);
    return SUCCESS;
}

int sm_up(struct sm *sm)
{
    if (sm->waiters) {
        sm_release(sm->waiters, SUCCESS);
        return SUCCESS;
    }
    if (sm->count == UINT32_MAX)
        return BAD_PAR;                              /* the counter would overflow */
    sm->count++;
    return SUCCESS;
}

/*
 * sm_ctrl: ARG1 = SM selector + sub-operation (0 up, 1 down);
 * down: ARG2, ARG3 = the halves of a TSC deadline (SM_DEADLINE), 0 = wait forever.
 */
int sys_sm_ctrl(struct ec *ec, struct cpu_regs *r)
{
    unsigned op = hc_flags(r);
    if (op != SM_CTRL_UP && op != SM_CTRL_DOWN)
        return BAD_PAR;
    struct sm *sm = cap_get(ec->pd, hc_sel(r), OBJ_SM, PERM_CTRL);
    if (!sm)
        return BAD_CAP;

    if (op == SM_CTRL_UP)
        return sm_up(sm);

    gsi_sm_down(sm);                                 /* a level interrupt's driver is ready for the next */
    uint64_t deadline = SM_DEADLINE(arg2(r), arg3(r));
    if (sm->count) {
        sm->count--;
        return SUCCESS;
    }
    if (deadline && deadline <= rdtsc())
        return TIMEOUT;
    ec->sm = sm;
    ec->sm_next = NULL;
    if (sm->waiters_tail)
        sm->waiters_tail->sm_next = ec;
    else
        sm->waiters = ec;
    sm->waiters_tail = ec;
    ec->deadline = deadline;
    if (deadline)
        timeout_insert(ec);
    ec_block(ec, CONT_SYSRET);
    sched_schedule();
}

/* The last capability is gone: its GSI is masked, its waiters' downs return ABORT. */
void sm_die(struct sm *sm)
{
    gsi_sm_die(sm);
    while (sm->waiters)
        sm_release(sm->waiters, ABORT);
}
