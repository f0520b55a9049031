/* SPDX-License-Identifier: MIT */
/* sm.h — counting semaphores with FIFO waiters and TSC deadlines. */
#pragma once

#include "kobj.h"

struct ec;

struct sm {
    struct kobj obj;
    uint64_t count;
    struct ec *waiters, *waiters_tail;
    unsigned gsi;                    /* the GSI whose interrupts up it, + 1 (gsi.c); 0: none */
};

int  sm_up(struct sm *sm);           /* wake the longest waiter, else count: SUCCESS, or BAD_PAR when full */

void sm_timeout(struct ec *ec);      /* a deadline passed: take ec off its SM with TIMEOUT */
void sm_forget(struct ec *ec);       /* off its SM without waking it (it is dying) */
void sm_die(struct sm *sm);
