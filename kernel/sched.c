// SPDX-License-Identifier: MIT
/* sched.c — per-CPU run queues: fixed priorities, round robin within one, tick-driven quanta. */
#include "sched.h"
#include "sc.h"
#include "ec.h"
#include "sm.h"
#include "bkl.h"
#include "lapic.h"
#include "paging.h"
#include "x86.h"
#include "vcpu.h"

/*
 * Run queue of a CPU: one circular list per priority and a bitmap of the
 * non-empty ones, so picking the best is two bit scans.
 *
 *   bitmap: ...0100...1   head[p] -> sc <-> sc <-> sc (circular)
 */
static void rq_insert(struct runqueue *rq, struct sc *sc)
{
    struct sc **h = &rq->head[sc->prio];
    if (!*h) {
        sc->next = sc->prev = sc;
        *h = sc;
        rq->bitmap[sc->prio / 64] |= 1UL << (sc->prio % 64);
    } else {
        sc->prev = (*h)->prev;
        sc->next = *h;
        (*h)->prev->next = sc;
        (*h)->prev = sc;
    }
    sc->queued = true;
}

/* Take the head of the highest non-empty priority, or NULL. */
static struct sc *rq_pop(struct runqueue *rq)
{
    int p;
    if (rq->bitmap[1])
        p = 64 + 63 - __builtin_clzl(rq->bitmap[1]);
    else if (rq->bitmap[0])
        p = 63 - __builtin_clzl(rq->bitmap[0]);
    else
        return NULL;
    struct sc *sc = rq->head[p];
    if (sc->next == sc) {
        rq->head[p] = NULL;
        rq->bitmap[p / 64] &= ~(1UL << (p % 64));
    } else {
        sc->prev->next = sc->next;
        sc->next->prev = sc->prev;
        rq->head[p] = sc->next;
    }
    sc->queued = false;
    return sc;
}

void sched_dequeue(struct sc *sc)
{
    if (!sc->queued)
        return;
    struct runqueue *rq = &cpus[sc->cpu].rq;
    if (sc->next == sc) {
        rq->head[sc->prio] = NULL;
        rq->bitmap[sc->prio / 64] &= ~(1UL << (sc->prio % 64));
    } else {
        sc->prev->next = sc->next;
        sc->next->prev = sc->prev;
        if (rq->head[sc->prio] == sc)
            rq->head[sc->prio] = sc->next;
    }
    sc->queued = false;
}

/* The SC this CPU runs: the CPU holds a reference so a revoked SC stays valid until it leaves. */
static void set_sc(struct cpu *c, struct sc *sc)
{
    if (c->sc) {
        c->sc->consumed += rdtsc() - c->sc_start;
        kobj_put(&c->sc->obj);
    }
    if (sc) {
        kobj_get(&sc->obj);
        c->sc_start = rdtsc();
    }
    c->sc = sc;
}

void sched_stop_current(void)
{
    struct cpu *c = this_cpu();
    set_sc(c, NULL);
    ec_set_current(c, NULL);
}

void sched_kick(unsigned cpu)
{
    lapic_ipi(cpus[cpu].apic_id, VEC_RESCHED);
}

void sched_enqueue(struct sc *sc)
{
    struct cpu *t = &cpus[sc->cpu];
    if (sc->queued || t->sc == sc || sc->obj.dead)
        return;
    rq_insert(&t->rq, sc);
    if (t->sc && sc->prio <= t->sc->prio)
        return;
    if (t == this_cpu())
        t->resched = true;
    else
        sched_kick(sc->cpu);
}

struct ec *sc_top(struct sc *sc)
{
    struct ec *e = sc->ec;
    while (e->callee)
        e = e->callee;
    return e;
}

uint64_t sc_consumed(struct sc *sc)
{
    struct cpu *t = &cpus[sc->cpu];
    return sc->consumed + (t->sc == sc ? rdtsc() - t->sc_start : 0);
}

/* Idle on a fresh stack: nothing to run until an interrupt makes something ready. */
NORETURN static void idle_loop(void)
{
    sched_stop_current();
    if (kobj_reap_pending())
        kobj_reap();
    bkl_unlock();
    for (;;) {
        sti();
        hlt();
        cli();
    }
}

void sched_idle(void)
{
    __asm__ volatile("mov %0, %%rsp\n\t jmp *%1" :: "r"(this_cpu()->kstack_top), "r"(idle_loop));
    __builtin_unreachable();
}

/*
 * Continuations call each other (resume -> event -> kill -> schedule ...):
 * scheduling starts over on an empty kernel stack so no chain can grow it.
 */
NORETURN static void schedule_fresh(void);

void sched_schedule(void)
{
    __asm__ volatile("mov %0, %%rsp\n\t jmp *%1" :: "r"(this_cpu()->kstack_top), "r"(schedule_fresh));
    __builtin_unreachable();
}

/* On the empty stack: reap, then run the best SC that is still alive, or idle. */
static void schedule_fresh(void)
{
    struct cpu *c = this_cpu();
    set_sc(c, NULL);
    c->resched = false;
    if (kobj_reap_pending())
        kobj_reap();
    if (c->vmcs_clear)
        vcpu_clear_pending(c);
    for (;;) {
        struct sc *sc = rq_pop(&c->rq);
        if (!sc)
            sched_idle();
        struct ec *ec = sc_top(sc);
        if (sc->obj.dead || ec->cont == CONT_DEAD)
            continue;                            /* revoked, or its EC died: never runs again */
        set_sc(c, sc);
        ec_resume(ec);
    }
}

void sched_yield_current(void)
{
    struct cpu *c = this_cpu();
    struct sc *sc = c->sc;
    if (sc && !sc->obj.dead) {
        set_sc(c, NULL);
        rq_insert(&c->rq, sc);
    }
    sched_schedule();
}

/* Timer tick: wake expired sm_down deadlines, charge the quantum. */
void sched_tick(void)
{
    struct cpu *c = this_cpu();
    c->ticks++;
    uint64_t now = rdtsc();
    while (c->timeouts && c->timeouts->deadline <= now)
        sm_timeout(c->timeouts);
    if (c->sc && --c->sc->left == 0) {
        c->sc->left = c->sc->quantum;
        if (c->rq.bitmap[0] | c->rq.bitmap[1])
            c->resched = true;
    }
}
