// SPDX-License-Identifier: MIT
/* ipc/ipc.c — call, reply, and kernel-initiated messages (exceptions, startup, recall). */
#include "ec.h"
#include "pd.h"
#include "pt.h"
#include "sc.h"
#include "syscall.h"
#include "x86.h"

/* Queue ec behind a busy handler; it retries when the handler replies. */
NORETURN static void wait_for(struct ec *h, struct ec *ec, enum ec_cont cont)
{
    struct ec **p = &h->waiters;
    while (*p)
        p = &(*p)->wait_next;
    ec->wait_next = NULL;
    *p = ec;
    ec_block(ec, cont);
    sched_schedule();
}

/* Enter the portal's handler on the caller's SC; the caller waits in `wait`. */
NORETURN static void ipc_enter(struct ec *caller, struct pt *pt, enum ec_cont wait)
{
    struct ec *h = pt->ec;
    h->caller = caller;
    caller->callee = h;
    caller->cont = wait;
    h->regs.rip = pt->ip;
    h->regs.rsp = h->sp0;
    h->regs.rdi = pt->id;
    h->regs.rflags = RFLAGS_IF | 0x2;
    h->cont = CONT_SYSRET;
    ec_resume(h);
}

/* call: ARG1 = portal selector + flags (non-blocking). Untyped words go UTCB to UTCB. */
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
    unsigned n = UTCB_UNTYPED(items);
    if (n > UTCB_WORDS)
        return BAD_PAR;
    if (UTCB_TYPED(items))
        return BAD_FTR;                              /* typed items: the capabilities stage */
    for (struct ec *e = ec; e; e = e->caller)
        if (e == h)
            return ABORT;                            /* the handler is waiting for us: deadlock */
    if (h->caller) {
        if (hc_flags(r) & CALL_NONBLOCK)
            return TIMEOUT;
        wait_for(h, ec, CONT_CALL);
    }
    memcpy(h->utcb->mr, ec->utcb->mr, n * sizeof(uint64_t));
    h->utcb->head.items = UTCB_ITEMS(n, 0);
    ipc_enter(ec, pt, CONT_IPC_WAIT);
}

/* Copy the groups `mtd` selects from the EC's saved state into a handler's UTCB. */
static void state_to_utcb(const struct ec *ec, uint64_t mtd, unsigned event, struct utcb *u)
{
    const struct cpu_regs *s = &ec->regs;
    struct utcb_exc *x = &u->exc;
    u->head.items = 0;
    x->mtd = mtd;
    x->vector = event;
    if (mtd & MTD_GPR_ACDB) { x->rax = s->rax; x->rcx = s->rcx; x->rdx = s->rdx; x->rbx = s->rbx; }
    if (mtd & MTD_GPR_BSD)  { x->rbp = s->rbp; x->rsi = s->rsi; x->rdi = s->rdi; }
    if (mtd & MTD_RSP)      x->rsp = s->rsp;
    if (mtd & MTD_RIP_LEN)  { x->rip = s->rip; x->inst_len = 0; }
    if (mtd & MTD_RFLAGS)   x->rflags = s->rflags;
    if (mtd & MTD_GPR_R8_R15) {
        x->r8 = s->r8; x->r9 = s->r9; x->r10 = s->r10; x->r11 = s->r11;
        x->r12 = s->r12; x->r13 = s->r13; x->r14 = s->r14; x->r15 = s->r15;
    }
    if (mtd & MTD_QUAL) {
        x->qual[0] = event < 32 ? s->err : 0;
        x->qual[1] = event == 14 ? ec->fault_addr : 0;
    }
    if (mtd & MTD_CR)
        x->cr2 = event == 14 ? ec->fault_addr : 0;
    if (mtd & MTD_FS_GS)    { x->fs_base = ec->fs_base; x->gs_base = ec->gs_base; }
}

static bool canonical(uint64_t a)
{
    return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

/* The reply to a kernel-initiated message: write the selected groups back. */
static void utcb_to_state(struct ec *ec, uint64_t mtd, const struct utcb *u)
{
    struct cpu_regs *s = &ec->regs;
    const struct utcb_exc *x = &u->exc;
    if (mtd & MTD_GPR_ACDB) { s->rax = x->rax; s->rcx = x->rcx; s->rdx = x->rdx; s->rbx = x->rbx; }
    if (mtd & MTD_GPR_BSD)  { s->rbp = x->rbp; s->rsi = x->rsi; s->rdi = x->rdi; }
    if (mtd & MTD_RSP)      s->rsp = x->rsp;
    if (mtd & MTD_RIP_LEN)  s->rip = x->rip;
    if (mtd & MTD_RFLAGS)   s->rflags = (x->rflags & RFLAGS_USER_MASK) | RFLAGS_IF | 0x2;
    if (mtd & MTD_GPR_R8_R15) {
        s->r8 = x->r8; s->r9 = x->r9; s->r10 = x->r10; s->r11 = x->r11;
        s->r12 = x->r12; s->r13 = x->r13; s->r14 = x->r14; s->r15 = x->r15;
    }
    if ((mtd & MTD_FS_GS) && canonical(x->fs_base) && canonical(x->gs_base)) {
        ec->fs_base = x->fs_base;
        ec->gs_base = x->gs_base;
    }
}

/*
 * Send event `event` of ec (the running EC) to the portal at its
 * event_base + event. No portal, or one on another CPU: ec dies.
 */
void event_send(struct ec *ec, unsigned event)
{
    struct pt *pt = cap_get(ec->pd, ec->event_base + event, OBJ_PT, 0);
    if (!pt) {
        if (event == EV_STARTUP)
            ec_kill(ec, "no startup portal");
        ec_kill(ec, event < 32 ? exc_name(event) : "event without a portal");
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
    ec->event_mtd = pt->mtd;
    state_to_utcb(ec, pt->mtd, event, h->utcb);
    ipc_enter(ec, pt, CONT_EVENT_WAIT);
}

/* reply: back to the caller with the handler's words (or state), and wait for the next call. */
int sys_reply(struct ec *h, struct cpu_regs *r)
{
    (void)r;
    struct ec *c = h->caller;
    if (!c)
        return BAD_PAR;                              /* nobody called: a global EC, or a stale reply */
    if (c->cont == CONT_EVENT_WAIT) {
        utcb_to_state(c, c->event_mtd, h->utcb);
        c->cont = CONT_IRET;
    } else {
        unsigned n = UTCB_UNTYPED(h->utcb->head.items);
        if (n > UTCB_WORDS)
            return BAD_PAR;
        memcpy(c->utcb->mr, h->utcb->mr, n * sizeof(uint64_t));
        c->utcb->head.items = UTCB_ITEMS(n, 0);
        c->regs.rdi = SUCCESS;
        c->cont = CONT_SYSRET;
    }
    h->caller = NULL;
    c->callee = NULL;
    if (h->waiters) {
        struct ec *w = h->waiters;
        h->waiters = w->wait_next;
        ec_wake(w);
    }
    ec_resume(c);
}
