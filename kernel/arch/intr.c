// SPDX-License-Identifier: MIT
/* arch/intr.c — what happens after an interrupt or exception stub: timer, IPIs, user faults. */
#include "cpu.h"
#include "ec.h"
#include "ipc.h"
#include "sched.h"
#include "sc.h"
#include "bkl.h"
#include "lapic.h"
#include "x86.h"
#include "tlb.h"
#include "fpu.h"
#include "lab.h"
#include "gsi.h"
#include "ioapic.h"
#include "vcpu.h"

/* A host interrupt, from user mode, idle, or a VM exit: the timer's tick, a reschedule IPI, a GSI. */
void intr_host(unsigned vector)
{
    switch (vector) {
    case VEC_TIMER:
        lapic_eoi();
        sched_tick();
        break;
    case VEC_RESCHED:
        lapic_eoi();
        break;
    case VEC_SPURIOUS:
        break;
    default:
        if (vector >= VEC_GSI && vector < VEC_GSI + GSI_MAX) {
            gsi_interrupt(vector - VEC_GSI);
            break;
        }
        kprintf("[intr] cpu%u: unexpected vector %u\n", this_cpu()->id, vector);
        lapic_eoi();
        break;
    }
}

/* Every interrupt and exception, from intr_common: kernel faults and TLB IPIs before the lock, then the rest. */
NORETURN void intr_handler(struct cpu_regs *r);
void intr_handler(struct cpu_regs *r)
{
    bool user = r->cs & 3;
    if (unlikely(!user && this_cpu()->svm_window) && (r->vector >= EXC_VECTORS || r->vector == 2))
        svm_intr((unsigned)r->vector);           /* the host interrupt an SVM exit was waiting to take */
    if (!user && r->vector < EXC_VECTORS)
        kernel_fault(r);                         /* before the lock: we may hold it already */
    if (r->vector == VEC_TLB) {
        /* Before the lock: its holder is waiting for this acknowledgement. */
        tlb_ack();
        lapic_eoi();
        if (user)
            ret_user_iret(r);                    /* nothing else changed for the running EC */
        bkl_lock();
        sched_schedule();                        /* we were idle */
    }
    bkl_lock();
    struct cpu *c = this_cpu();
    struct ec *ec = user ? c->ec : NULL;
    struct ec *abandoned = ec && unlikely(ec->abandoned) ? ec : NULL;
    bool dead = ec && ec->cont == CONT_DEAD;     /* killed while it ran (elsewhere): it never runs again */
    if (dead || abandoned)
        ec = NULL;                               /* abandoned: its invocation is gone, no event for it */
    if (ec)
        ec->cont = CONT_IRET;

    switch (r->vector) {
    case EXC_NM:                                 /* its first FPU use since another EC's */
        if (ec && !fpu_trap(ec))
            ec_kill(ec, "no memory for its FPU state");
        break;
    default:
        if (r->vector >= EXC_VECTORS) {
            intr_host((unsigned)r->vector);
        } else if (ec) {                         /* a fault of the running EC: a message to its handler */
            /* LAB portals BEGIN: a user fault becomes a message to the EC's exception portal (remember the #PF address first) (docs: labs/1-portals/README.md#exceptions) */
            if (r->vector == EXC_PF)
                ec->extra.fault_addr = read_cr2();
            event_send(ec, (unsigned)r->vector);
            //@ LAB_TODO("portals: deliver user exceptions to their portal");
            //@ ec_kill(ec, exc_name((unsigned)r->vector));
            /* LAB portals END */
        }
        break;
    }
    if (abandoned)
        ec_abandon_stop(abandoned);              /* the interrupt is served; now it stops */
    if (dead)
        sched_yield_current();                   /* its SC (maybe a caller's) goes on with someone else */
    if (!ec)
        sched_schedule();                        /* we were idle */
    if (sched_preempt_pending())
        sched_yield_current();
    ec_resume(ec);
}
