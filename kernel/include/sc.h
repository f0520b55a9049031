/* SPDX-License-Identifier: MIT */
/* sc.h — scheduling contexts and the per-CPU priority round-robin scheduler. */
#pragma once

#include "kobj.h"

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

void sched_enqueue(struct sc *sc);            /* ready: tail of its priority on its CPU */
NORETURN void sched_schedule(void);           /* run the best SC on this CPU, or idle */
NORETURN void sched_idle(void);
void sched_tick(void);                        /* timer interrupt: accounting, timeouts, quanta */
bool sched_preempt_pending(void);             /* a better SC became ready on this CPU */
NORETURN void sched_yield_current(void);      /* requeue the current SC and reschedule */
struct ec *sc_top(struct sc *sc);             /* the EC that runs on sc: end of its call chain */
uint64_t sc_consumed(struct sc *sc);
void sched_kick(unsigned cpu);                /* IPI: make that CPU reschedule */
void sched_dequeue(struct sc *sc);            /* off its run queue, if it is on one */
void sched_stop_current(void);                /* this CPU runs no SC/EC now (accounting done) */
void sc_die(struct sc *sc);
