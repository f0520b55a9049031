// SPDX-License-Identifier: MIT
/* syscall.c — the hypercall entry: one bounds-checked table built from the hypercall list. */
#include "syscall.h"
#include "ec.h"
#include "pd.h"
#include "ipc.h"
#include "sched.h"
#include "sc.h"
#include "bkl.h"
#include "x86.h"
#include "power.h"
#include "lab.h"
#include "frame.h"

static const hc_fn hc_table[HC_MAX] = {
#define HC_ENTRY(num, name, summary) [num] = sys_##name,
    FACET_HYPERCALLS(HC_ENTRY)
#undef HC_ENTRY
};

void sys_finish(struct ec *ec, int status)
{
    ec->regs.rdi = (uint64_t)status;
    if (unlikely(sched_preempt_pending()))
        sched_yield_current();
    if (likely(ec->cont == CONT_SYSRET))
        ec_sysret(ec);                           /* without ec_resume's switch over continuations */
    ec_resume(ec);
}

/* Called from syscall_entry with the frame saved in the current EC. */
NORETURN void syscall_handler(struct cpu_regs *r);
void syscall_handler(struct cpu_regs *r)
{
    bkl_lock();
    struct ec *ec = this_cpu()->ec;
    if (unlikely(ec->abandoned))
        ec_abandon_stop(ec);                     /* its invocation is gone: no hypercall */
    ec->cont = CONT_SYSRET;
    /*
     * The flexible system-call layer: a foreign PD's syscall is a message to its
     * personality, unless the NSCT marks it native. The kernel clears the toggle
     * as it takes the native path: one toggle, one hypercall.
     */
    /* LAB syscall-redirection BEGIN: a foreign PD's syscall goes to its personality unless the NSCT is set; clear the NSCT (docs: labs/4-syscall-redirection/README.md#forward) */
    if (unlikely(ec->pd->foreign)) {
        if (!(ec->utcb->head.flags & UTCB_NSCT))
            event_send(ec, EV_FOREIGN_SYSCALL);
        ec->utcb->head.flags &= ~(uint64_t)UTCB_NSCT;
    }
    //@ if (unlikely(ec->pd->foreign))
        //@ LAB_TODO("syscall-redirection: forward a foreign PD's syscall (syscall_handler)");
    /* LAB syscall-redirection END */
    unsigned n = HC_NUM(r->rdi);
    if (n <= HC_reply) {                         /* the IPC fast path; returns if this is not its case */
        if (n == HC_call)
            ipc_fast_call(ec, r);
        else
            ipc_fast_reply(ec);
    }
    hc_fn fn = n < HC_MAX ? hc_table[n] : NULL;
    sys_finish(ec, fn ? fn(ec, r) : BAD_HYP);
}

/*
 * machine_ctrl: ARG1 = sub-operation. Passthrough PDs only.
 * poweroff: ARG2 = exit status 0..127. stats: OUT2 = free kernel frames, OUT3 = objects in use.
 * fastpath: ARG2 = a FASTPATH_* counter, OUT2 = its count.
 */
int sys_machine_ctrl(struct ec *ec, struct cpu_regs *r)
{
    unsigned op = hc_flags(r);
    if (op != MACHINE_CTRL_POWEROFF && op != MACHINE_CTRL_STATS && op != MACHINE_CTRL_FAIL_ALLOC &&
        op != MACHINE_CTRL_FASTPATH)
        return BAD_PAR;
    if (!ec->pd->passthrough)
        return BAD_CAP;
    if (op == MACHINE_CTRL_FASTPATH) {
        if (arg2(r) >= FASTPATH_COUNTERS)
            return BAD_PAR;
        set_out2(r, fastpath_counts[arg2(r)]);
        return SUCCESS;
    }
    if (op == MACHINE_CTRL_FAIL_ALLOC) {
        if (!FAIL_INJECTION_BUILT)
            return BAD_FTR;                      /* a kernel built without FAIL_INJECTION=1 */
        set_out2(r, alloc_fail_at(arg2(r)));
        return SUCCESS;
    }
    if (op == MACHINE_CTRL_STATS) {
        kobj_reap();
        set_out2(r, frame_free_count());
        r->rdx = kobj_in_use();
        return SUCCESS;
    }
    if (arg2(r) > 127)
        return BAD_PAR;
    machine_poweroff((unsigned)arg2(r));
}
