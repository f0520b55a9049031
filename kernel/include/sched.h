/* SPDX-License-Identifier: MIT */
/* sched.h — the per-CPU priority round-robin scheduler (sched.c). */
#pragma once

#include "kernel.h"

struct sc;

void sched_enqueue(struct sc *sc);            /* ready: tail of its priority on its CPU */
void sched_dequeue(struct sc *sc);            /* off its run queue, if it is on one */
NORETURN void sched_schedule(void);           /* run the best SC on this CPU, or idle */
NORETURN void sched_idle(void);
NORETURN void sched_yield_current(void);      /* requeue the current SC and reschedule */
void sched_stop_current(void);                /* this CPU runs no SC/EC now (accounting done) */
/* sched_preempt_pending(), whether the running EC must leave now: in sc.h (it reads the SC and EC). This
 * header includes nothing more: the Linux test programs, built with -Ikernel/include, get it for
 * <sched.h> (musl's pthread.h includes that), and the kernel's other headers do not compile there. */
void sched_tick(void);                        /* timer interrupt: accounting, timeouts, quanta */
void sched_kick(unsigned cpu);                /* IPI: make that CPU reschedule */
