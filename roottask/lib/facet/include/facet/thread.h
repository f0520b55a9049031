/* SPDX-License-Identifier: MIT */
/* facet/thread.h — threads (global EC + SC) and portal handlers (local EC + PT) in one call each. */
#pragma once

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include "facet/hypercall.h"
#include "facet/offsets.h"             /* FC_STACK_SIZE, and the fc_thread layout start.S uses */
#include "uapi/hip.h"

struct fc_thread;
typedef void (*fc_thread_fn)(void *arg);
/* A portal handler: receives the portal id and its UTCB; returning replies. */
typedef void (*fc_portal_fn)(uint64_t id, struct utcb *utcb);

/* Lives at the top of each runtime stack: how a thread finds its UTCB. */
struct fc_thread {
    struct utcb *utcb;
    sel_t ec, sc;                     /* its EC (and SC for threads) */
    sel_t event_base;                 /* its 32 event selectors */
    unsigned cpu;
    fc_thread_fn fn;
    void *arg;
    fc_portal_fn handler;
    void *user;                       /* the caller's: what a handler works for now (fc_self()->user) */
    uint64_t pad;                     /* keeps sizeof a multiple of 16 */
};
_Static_assert(sizeof(struct fc_thread) == FC_THREAD_SIZE, "facet/offsets.h FC_THREAD_SIZE (start.S)");
_Static_assert(offsetof(struct fc_thread, utcb) == FC_THREAD_UTCB, "facet/offsets.h FC_THREAD_UTCB (start.S)");

extern const struct hip *fc_hip;

void fc_runtime_init(const struct hip *hip, struct utcb *root_utcb);
struct utcb *fc_utcb(void);            /* the calling EC's UTCB */
/* The running thread: its fc_thread sits at the top of its stack, which is aligned to its size
 * (not volatile: any rsp of the function lies in the same stack, so one read serves them all). */
static inline struct fc_thread *fc_self(void)
{
    uint64_t sp;
    __asm__("mov %%rsp, %0" : "=r"(sp));
    return (struct fc_thread *)((sp | (FC_STACK_SIZE - 1)) + 1 - sizeof(struct fc_thread));
}
sel_t fc_sel_alloc(unsigned count);    /* count selectors, aligned to count (a power of two) */
uint64_t fc_utcb_alloc(void);          /* a free UTCB address in the roottask */

/* A global EC on `cpu` that will run fn(arg), not started: bind its event portals first. */
unsigned fc_thread_prepare(unsigned cpu, fc_thread_fn fn, void *arg, struct fc_thread **out);
unsigned fc_thread_start(struct fc_thread *t, unsigned prio);   /* give it its SC */
void fc_sleep_ms(unsigned ms);          /* this EC waits ms milliseconds */
/* prepare + start: a global EC on `cpu` running fn(arg); its startup goes through a portal. */
unsigned fc_thread_create(unsigned cpu, unsigned prio, fc_thread_fn fn, void *arg, struct fc_thread **out);
/* A local EC on `cpu` whose portals all run handler; *ec = its selector. */
unsigned fc_handler_create(unsigned cpu, fc_portal_fn handler, sel_t *ec);
/* A portal at `pt` into handler EC `ec`, passing `id`. */
unsigned fc_portal_bind(sel_t pt, sel_t ec, uint64_t mtd, uint64_t id);
/* A local EC on `cpu` and a portal at `pt` leading to handler; mtd for kernel-initiated messages. */
unsigned fc_portal_create(sel_t pt, unsigned cpu, uint64_t mtd, fc_portal_fn handler, uint64_t id);
