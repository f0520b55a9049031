/* SPDX-License-Identifier: MIT */
/* sc.h — scheduling contexts: priority, quantum, consumed time (the scheduler is sched.h). */
#pragma once

#include "kobj.h"
#include "ec.h"

struct ec;

struct sc {
    struct kobj obj;
    struct ec *ec;               /* the global EC it drives */
    unsigned cpu;
    unsigned prio;               /* 1 .. PRIO_MAX */
    uint32_t quantum;            /* in scheduler ticks */
    uint32_t left;               /* ticks left of the current quantum */
    uint64_t consumed;           /* TSC ticks spent running */
    bool queued;
    struct sc *next, *prev;      /* run-queue links (circular per priority) */
};

struct ec *sc_top(struct sc *sc);             /* the EC that runs on sc: end of its call chain (sched.c) */
uint64_t sc_consumed(struct sc *sc);          /* TSC ticks, the running slice included (sched.c) */
void sc_die(struct sc *sc);                   /* last capability gone: never scheduled again */

/* Leave the running EC now? A better SC is ready, its quantum ran out, or it was revoked (sched.c). */
static ALWAYS_INLINE bool sched_preempt_pending(void)
{
    struct cpu *c = this_cpu();
    return c->resched || (c->sc && c->sc->obj.dead) || (c->ec && c->ec->cont == CONT_DEAD);
}
