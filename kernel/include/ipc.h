/* SPDX-License-Identifier: MIT */
/* ipc.h — call chains, busy-handler queues and kernel-initiated messages (ipc/ipc.c). */
#pragma once

#include "kernel.h"

struct ec;

void chain_link(struct ec *caller, struct ec *handler);    /* caller waits for handler; each holds the other */
void chain_unlink(struct ec *caller, struct ec *handler);
void chain_abort(struct ec *bottom);              /* handlers above a dead EC or SC give up */
void waiter_remove(struct ec *ec);                /* off the busy handler's queue it waits in */
void waiters_wake_all(struct ec *handler);        /* they retry (and see the handler dead) */

/* Deliver a kernel-initiated message (exception, startup, recall, foreign syscall). */
NORETURN void event_send(struct ec *ec, unsigned event);
