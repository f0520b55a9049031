/* SPDX-License-Identifier: MIT */
/* ipc.h — call chains, busy-handler queues and kernel-initiated messages (ipc/ipc.c). */
#pragma once

#include "kernel.h"
#include "ec.h"

struct ec;
struct cpu_regs;

/* caller waits for h; each holds the other until the link is cut. */
static ALWAYS_INLINE void chain_link(struct ec *caller, struct ec *h)
{
    h->caller = caller;
    caller->callee = h;
    kobj_get(&caller->obj);
    kobj_get(&h->obj);
}

static ALWAYS_INLINE void chain_unlink(struct ec *caller, struct ec *h)
{
    h->caller = NULL;
    caller->callee = NULL;
    kobj_put(&caller->obj);
    kobj_put(&h->obj);
}
void chain_abort(struct ec *bottom);              /* handlers above a dead EC or SC give up */
void waiter_remove(struct ec *ec);                /* off the busy handler's queue it waits in */
void waiters_wake_all(struct ec *handler);        /* they retry (and see the handler dead) */

/* call and reply in their common case (the fast path); each returns when the general path must do it. */
void ipc_fast_call(struct ec *ec, struct cpu_regs *r);
void ipc_fast_reply(struct ec *h);
extern uint64_t fastpath_counts[];               /* FASTPATH_* (uapi/hypercall.h), for machine_ctrl */

/* Deliver a kernel-initiated message (exception, startup, recall, foreign syscall). */
NORETURN void event_send(struct ec *ec, unsigned event);
