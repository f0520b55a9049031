/* SPDX-License-Identifier: MIT */
/* ec.h — execution contexts: threads (global), portal handlers (local). */
#pragma once

#include "kobj.h"
#include "cpu.h"
#include "uapi/utcb.h"
#include "utcb.h"

struct pd;
struct sc;
struct sm;
struct pt;
struct vcpu;

/*
 * How the EC goes back to user mode the next time it runs. The kernel keeps
 * no stack per EC: everything needed to continue is here.
 */
enum ec_cont {
    CONT_SYSRET,      /* after a hypercall: rdi/rsi hold the results */
    CONT_IRET,        /* after an interrupt or exception reply: restore all */
    CONT_STARTUP,     /* never ran: send the startup message first */
    CONT_CALL,        /* waiting for a busy handler: retry the call hypercall */
    CONT_EVENT,       /* waiting for a busy handler: retry the event message */
    CONT_IPC_WAIT,    /* inside a call, waiting for the reply */
    CONT_EVENT_WAIT,  /* inside a kernel-initiated message, waiting for the reply */
    CONT_DEAD,        /* killed: never runs again */
};

struct ec {
    struct kobj obj;             /* first, like every object */
    struct cpu_regs regs __attribute__((aligned(16)));  /* user state; TSS.rsp0 = &regs + 1 */
    struct pd *pd;
    struct sc *sc;               /* global EC: its own SC (NULL until create_sc) */
    struct utcb *utcb;           /* kernel address of its UTCB (NULL for a vCPU) */
    struct vcpu *vcpu;           /* a vCPU: its VMX state (vmx/vcpu.c), else NULL */
    uint64_t utcb_va;            /* where the UTCB is mapped in pd */
    uint64_t event_base;
    uint64_t sp0;                /* local EC: stack pointer at each portal entry */
    struct exc_extra extra;      /* fault address, fs/gs bases */
    void *fpu;                   /* FXSAVE area, allocated at its first FPU use */
    bool fpu_used;
    unsigned cpu;
    bool global;
    bool recall;                 /* ec_ctrl recall pending */
    bool abandoned;              /* a handler whose invocation chain_abort dropped while it ran: it stops at its next kernel entry */
    bool own_syscall;            /* CREATE_EC_SYSCALL: its foreign syscalls go to event_base + NUM_EVENTS */
    enum ec_cont cont;
    unsigned event;              /* CONT_EVENT / CONT_EVENT_WAIT: which event */

    /* IPC */
    struct ec *caller;           /* local EC: whom it serves now */
    struct ec *callee;           /* the handler serving this EC's call */
    struct ec *waiters;          /* ECs waiting for this (busy) handler, FIFO */
    struct ec *wait_next;
    struct ec *waiting_for;      /* the busy handler this EC waits for */
    struct sc *wait_sc;          /* the SC that was running when this EC blocked */

    /* semaphores */
    struct sm *sm;               /* blocked in sm_down on this */
    struct ec *sm_next;
    uint64_t deadline;           /* TSC deadline of that down, 0 = none */
    struct ec *to_next;          /* per-CPU timeout list */
};

NORETURN void ec_resume(struct ec *ec);          /* make ec current on this CPU and return to user */
NORETURN void ec_sysret(struct ec *ec);          /* ec_resume for cont CONT_SYSRET, the fast path's way back */
NORETURN void ec_iret(struct ec *ec);            /* ec_resume for cont CONT_IRET, the fast reply to an event */
NORETURN void ec_kill(struct ec *ec, const char *why);  /* report, stop it, schedule */
NORETURN void ec_abandon_stop(struct ec *ec);   /* an abandoned handler entered the kernel: stop it */
void ec_block(struct ec *ec, enum ec_cont cont);  /* stop running ec (it stays current until scheduling) */
void ec_wake(struct ec *ec);                      /* make a blocked ec's SC runnable again */
void ec_die(struct ec *ec);                       /* last capability gone: stop it, unlink it everywhere */
void ec_release(struct ec *ec);                   /* nothing refers to it: unmap and free its UTCB */
/* The EC a CPU runs: the CPU holds a reference, so a killed or revoked EC stays valid until it leaves. */
static ALWAYS_INLINE void ec_set_current(struct cpu *c, struct ec *ec)
{
    if (c->ec == ec)
        return;
    if (ec)
        kobj_get(&ec->obj);
    if (c->ec)
        kobj_put(&c->ec->obj);
    c->ec = ec;
}
