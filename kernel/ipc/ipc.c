// SPDX-License-Identifier: MIT
/* ipc/ipc.c — call, reply, and kernel-initiated messages (exceptions, startup, recall). */
#include "ipc.h"
#include "ec.h"
#include "pd.h"
#include "pt.h"
#include "sched.h"
#include "syscall.h"
#include "delegate.h"
#include "x86.h"
#include "utcb.h"
#include "sm.h"
#include "vcpu.h"
#include "fpu.h"
#include "lab.h"

static struct ec *waiter_pop(struct ec *h)
{
    struct ec *w = h->waiters;
    if (w) {
        h->waiters = w->wait_next;
        w->wait_next = NULL;
        w->waiting_for = NULL;
    }
    return w;
}

/*
 * The bottom of a call chain (or its SC) died: every handler above it
 * abandons its invocation. Its next call starts afresh at the portal IP.
 */
void chain_abort(struct ec *bottom)
{
    struct ec *h = bottom->callee;
    while (h) {
        struct ec *next = h->callee;
        chain_unlink(h->caller, h);
        if (h->sm)
            sm_forget(h);
        if (h->waiting_for)
            waiter_remove(h);
        h->wait_sc = NULL;
        if (h->cont != CONT_DEAD)
            h->cont = CONT_SYSRET;
        struct ec *w = waiter_pop(h);
        if (w)
            ec_wake(w);
        for (unsigned i = 0; i < cpu_count; i++)
            if (cpus[i].ec == h) {
                /* It runs there (or waits for the kernel's lock in a hypercall): the rest of
                 * this invocation must do nothing, above all not block on a semaphore, whose
                 * up would go to an EC that never runs again. */
                h->abandoned = true;
                if (&cpus[i] != this_cpu())
                    sched_kick(i);
            }
        h = next;
    }
}

/* Queue ec behind a busy handler; it retries when the handler replies. */
NORETURN static void wait_for(struct ec *h, struct ec *ec, enum ec_cont cont)
{
    struct ec **p = &h->waiters;
    while (*p)
        p = &(*p)->wait_next;
    ec->wait_next = NULL;
    ec->waiting_for = h;
    *p = ec;
    ec_block(ec, cont);
    sched_schedule();
}

void waiter_remove(struct ec *ec)
{
    for (struct ec **p = &ec->waiting_for->waiters; *p; p = &(*p)->wait_next)
        if (*p == ec) {
            *p = ec->wait_next;
            break;
        }
    ec->wait_next = NULL;
    ec->waiting_for = NULL;
}

void waiters_wake_all(struct ec *h)
{
    struct ec *w;
    while ((w = waiter_pop(h)))
        ec_wake(w);
}

/* The caller waits in `wait` for the portal's handler, which starts at the portal's IP. */
static ALWAYS_INLINE void ipc_link(struct ec *caller, struct pt *pt, enum ec_cont wait)
{
    struct ec *h = pt->ec;
    chain_link(caller, h);
    caller->cont = wait;
    h->regs.rip = pt->ip;
    h->regs.rsp = h->sp0;
    h->regs.rdi = pt->id;
    h->regs.rflags = RFLAGS_IF | RFLAGS_FIXED;
    h->cont = CONT_SYSRET;
    h->abandoned = false;
}

/* Enter the portal's handler on the caller's SC; the caller waits in `wait`. */
NORETURN static void ipc_enter(struct ec *caller, struct pt *pt, enum ec_cont wait)
{
    ipc_link(caller, pt, wait);
    ec_sysret(pt->ec);                           /* its cont is CONT_SYSRET now */
}

/* call: ARG1 = portal selector + flags (non-blocking). Words and typed items go UTCB to UTCB. */
int sys_call(struct ec *ec, struct cpu_regs *r)
{
    struct pt *pt = cap_get(ec->pd, hc_sel(r), OBJ_PT, PERM_CALL);
    if (!pt)
        return BAD_CAP;
    if (hc_flags(r) & ~CALL_NONBLOCK)
        return BAD_PAR;
    struct ec *h = pt->ec;
    if (h->cpu != ec->cpu)
        return BAD_CPU;
    if (h->cont == CONT_DEAD)
        return ABORT;
    uint64_t items = ec->utcb->head.items;
    unsigned n = UTCB_UNTYPED(items), t = UTCB_TYPED(items);
    if (n + 2 * t > UTCB_WORDS)
        return BAD_PAR;
    /* LAB portals BEGIN: refuse a call into our own chain, wait for a busy handler, transfer words (and items), enter the handler (docs: labs/1-portals/README.md#call) */
    for (struct ec *e = ec; e; e = e->caller)
        if (e == h)
            return ABORT;                            /* the handler is waiting for us: deadlock */
    if (h->caller) {
        if (hc_flags(r) & CALL_NONBLOCK)
            return TIMEOUT;
        wait_for(h, ec, CONT_CALL);
    }
    if (t) {
        int s = xfer_items(ec, h, n, t);
        if (s != SUCCESS)
            return s;
    }
    utcb_copy_words(h->utcb, ec->utcb, n);
    h->utcb->head.items = UTCB_ITEMS(n, t);
    ipc_enter(ec, pt, CONT_IPC_WAIT);
    //@ (void)n;
    //@ (void)t;
    //@ (void)wait_for;
    //@ LAB_TODO("portals: the call path in sys_call");
    //@ return BAD_HYP;
    /* LAB portals END */
}

/* The reply to a host EC's event: the groups the reply's own MTD names go back into c, which
 * returns to user mode with iret (sys_reply and the fast path). */
static void event_reply(struct ec *c, struct ec *h)
{
    uint64_t mtd = h->utcb->exc.mtd;
    utcb_load_state(h->utcb, mtd, &c->regs, &c->extra);
    if (unlikely(mtd & MTD_FPU))
        fpu_state_set(c, utcb_fpu(h->utcb));     /* no memory for its area: the FPU stays as it was */
    c->cont = CONT_IRET;
}

uint64_t fastpath_counts[FASTPATH_COUNTERS];

/* Untyped words only, and no more than a UTCB holds. */
static bool words_only(uint64_t items)
{
    return !UTCB_TYPED(items) && UTCB_UNTYPED(items) <= UTCB_WORDS;
}

/* The fast path's way back: ec continues after its call (cont CONT_SYSRET) or, with iret, after
 * its event (CONT_IRET); the caller knows which, so the call path tests nothing for it. */
NORETURN static ALWAYS_INLINE void fast_return(struct ec *ec, bool iret)
{
    if (unlikely(ec->recall))
        fastpath_counts[FASTPATH_RESUME]++;      /* ec_sysret and ec_iret take ec_resume, which delivers it */
    if (iret)
        ec_iret(ec);
    ec_sysret(ec);
}

/*
 * The fast path of call and reply, seL4's model: each checks the preconditions of the common
 * case (a call to an idle handler on this CPU with untyped words only; the reply to such a
 * call, or to an event, with nobody queued for the handler) and does that case without the
 * general path's detours, with the same result. Any other case it counts by the first
 * precondition that failed and returns: sys_call and sys_reply, the reference, do it.
 */
void ipc_fast_call(struct ec *ec, struct cpu_regs *r)
{
    /* LAB portals BEGIN: optional: the common case of call, anything else left to the general path (docs: labs/1-portals/README.md#fast-path) */
    uint64_t items = ec->utcb->head.items;
    struct pt *pt = cap_get(ec->pd, hc_sel(r), OBJ_PT, PERM_CALL);
    struct ec *h = pt ? pt->ec : NULL;
    unsigned why = !pt ? FASTPATH_CALL_CAP : hc_flags(r) & ~CALL_NONBLOCK ? FASTPATH_CALL_FLAGS
                 : h->cpu != ec->cpu ? FASTPATH_CALL_CPU : h->cont == CONT_DEAD ? FASTPATH_CALL_DEAD
                 : h->caller || h->callee || h == ec ? FASTPATH_CALL_BUSY
                 : !words_only(items) ? FASTPATH_CALL_ITEMS : FASTPATH_CALL_TAKEN;
    fastpath_counts[why]++;
    if (why != FASTPATH_CALL_TAKEN)
        return;
    utcb_copy_words(h->utcb, ec->utcb, UTCB_UNTYPED(items));
    h->utcb->head.items = UTCB_ITEMS(UTCB_UNTYPED(items), 0);
    ipc_link(ec, pt, CONT_IPC_WAIT);
    fast_return(h, false);
    //@ (void)ec;
    //@ (void)r;
    //@ (void)ipc_link;
    /* LAB portals END */
}

void ipc_fast_reply(struct ec *h)
{
    /* LAB portals BEGIN: optional: the common case of reply, anything else left to the general path (docs: labs/1-portals/README.md#fast-path) */
    struct ec *c = h->caller;
    uint64_t items = h->utcb->head.items;
    bool event = c && c->cont == CONT_EVENT_WAIT;
    unsigned why = !c ? FASTPATH_REPLY_NONE : h->waiters ? FASTPATH_REPLY_WAITERS
                 : event ? (c->vcpu ? FASTPATH_REPLY_OTHER : FASTPATH_EVENT_REPLY_TAKEN)
                 : c->cont != CONT_IPC_WAIT ? FASTPATH_REPLY_OTHER
                 : !words_only(items) ? FASTPATH_REPLY_ITEMS : FASTPATH_REPLY_TAKEN;
    fastpath_counts[why]++;
    if (why != FASTPATH_REPLY_TAKEN && why != FASTPATH_EVENT_REPLY_TAKEN)
        return;
    chain_unlink(c, h);
    if (event) {
        event_reply(c, h);
        fast_return(c, true);
    }
    utcb_copy_words(c->utcb, h->utcb, UTCB_UNTYPED(items));
    c->utcb->head.items = UTCB_ITEMS(UTCB_UNTYPED(items), 0);
    c->regs.rdi = SUCCESS;
    c->cont = CONT_SYSRET;
    fast_return(c, false);
    //@ (void)h;
    //@ (void)words_only;
    //@ (void)fast_return;
    /* LAB portals END */
}

/* The selector of ec's portal for event: a foreign syscall's is its PD's foreign base + CPU, or its own. */
static sel_t event_sel(const struct ec *ec, unsigned event)
{
    if (event != EV_FOREIGN_SYSCALL)
        return ec->event_base + event;
    return ec->own_syscall ? ec->event_base + NUM_EVENTS : ec->pd->foreign_base + ec->cpu;
}

/*
 * Send event `event` of ec (the running EC) to the portal at its
 * event_base + event (a foreign syscall: its PD's foreign base + CPU, or
 * with CREATE_EC_SYSCALL its event base + NUM_EVENTS).
 * No portal, or one on another CPU: ec dies.
 */
void event_send(struct ec *ec, unsigned event)
{
    sel_t sel = event_sel(ec, event);
    struct pt *pt = cap_get(ec->pd, sel, OBJ_PT, PERM_EVENT);
    if (!pt) {
        if (ec->vcpu) {                              /* a vCPU's events are exit reasons (uapi/vcpu.h) */
            vcpu_dump(ec);
            ec_kill(ec, event == VCPU_EV_STARTUP ? "no startup portal" : event == VMX_EXIT_TRIPLE ?
                        "VM exit (triple fault) without a portal" : "VM exit without a portal");
        }
        if (event == EV_STARTUP)
            ec_kill(ec, "no startup portal");
        if (event == EV_FOREIGN_SYSCALL)
            ec_kill(ec, "foreign syscall without a portal");
        ec_kill(ec, event < EXC_VECTORS ? exc_name(event) : "event without a portal");
    }
    struct ec *h = pt->ec;
    if (h->cpu != ec->cpu)
        ec_kill(ec, "event portal bound to another CPU");
    if (h->cont == CONT_DEAD || h == ec)
        ec_kill(ec, "event handler is dead");
    if (ec->cont == CONT_SYSRET) {                   /* keep what sysret would have set */
        ec->regs.rcx = ec->regs.rip;
        ec->regs.r11 = ec->regs.rflags;
    }
    ec->event = event;
    if (h->caller)
        wait_for(h, ec, CONT_EVENT);
    if (ec->vcpu)
        vcpu_message(ec, h->utcb, pt->mtd, event);
    else {
        utcb_save_state(h->utcb, pt->mtd, event, &ec->regs, &ec->extra);
        if (unlikely(pt->mtd & MTD_FPU))
            fpu_state_get(ec, utcb_fpu(h->utcb));
    }
    ipc_enter(ec, pt, CONT_EVENT_WAIT);
}

/* reply: back to the caller with the handler's words and items (or state), wait for the next call. */
int sys_reply(struct ec *h, struct cpu_regs *r)
{
    (void)r;
    struct ec *c = h->caller;
    if (!c)
        return BAD_PAR;                              /* nobody called: a global EC, or a stale reply */
    if (c->cont == CONT_EVENT_WAIT && c->vcpu) {
        vcpu_reply(c, h->utcb);                      /* the reply's own MTD says what goes back */
        c->cont = CONT_IRET;
    } else if (c->cont == CONT_EVENT_WAIT) {
        event_reply(c, h);
    } else if (c->cont != CONT_DEAD) {
        /* LAB portals BEGIN: copy the handler's words (and items) back to the caller and make its call return SUCCESS (docs: labs/1-portals/README.md#reply) */
        uint64_t items = h->utcb->head.items;
        unsigned n = UTCB_UNTYPED(items), t = UTCB_TYPED(items);
        if (n + 2 * t > UTCB_WORDS)
            return BAD_PAR;
        if (t) {
            int s = xfer_items(h, c, n, t);
            if (s != SUCCESS)
                return s;
        }
        utcb_copy_words(c->utcb, h->utcb, n);
        c->utcb->head.items = UTCB_ITEMS(n, t);
        c->regs.rdi = SUCCESS;
        c->cont = CONT_SYSRET;
        //@ LAB_TODO("portals: the reply path in sys_reply");
        //@ return BAD_HYP;
        /* LAB portals END */
    }
    chain_unlink(c, h);
    struct ec *w = waiter_pop(h);
    if (w)
        ec_wake(w);
    if (c->cont == CONT_DEAD)
        sched_yield_current();                       /* the caller died meanwhile: whatever is left of the chain */
    ec_resume(c);
}
