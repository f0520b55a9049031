/* SPDX-License-Identifier: MIT */
/* sched.h — the per-CPU priority round-robin scheduler (sched.c). */
#pragma once

#include "kernel.h"
#include "sc.h"
#include "ec.h"

struct sc;

void sched_enqueue(struct sc *sc);            /* ready: tail of its priority on its CPU */
void sched_dequeue(struct sc *sc);            /* off its run queue, if it is on one */
NORETURN void sched_schedule(void);           /* run the best SC on this CPU, or idle */
NORETURN void sched_idle(void);
NORETURN void sched_yield_current(void);      /* requeue the current SC and reschedule */
void sched_stop_current(void);                /* this CPU runs no SC/EC now (accounting done) */
/* Leave the running EC now? A better SC is ready, its quantum ran out, or it was revoked. */
static ALWAYS_INLINE bool sched_preempt_pending(void)
{
    struct cpu *c = this_cpu();
    return c->resched || (c->sc && c->sc->obj.dead) || (c->ec && c->ec->cont == CONT_DEAD);
}
void sched_tick(void);                        /* timer interrupt: accounting, timeouts, quanta */
void sched_kick(unsigned cpu);                /* IPI: make that CPU reschedule */
