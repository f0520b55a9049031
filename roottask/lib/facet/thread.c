// SPDX-License-Identifier: MIT
/* lib/facet/thread.c — selectors, UTCB addresses, stacks; threads and portal handlers. */
#include "facet/thread.h"
#include "facet/spin.h"
#include <stdio.h>
#include <string.h>
#include "facet/lab.h"

#define MAX_STACKS   448                     /* handlers: per CPU, per process slot, per thread entry and CPU */
#define UTCB_AREA    0x00007f0000000000UL    /* the roottask's UTCBs, one page each */
#define STARTUP_MTD  (MTD_RIP_LEN | MTD_RSP)

const struct hip *fc_hip;
static sel_t next_sel = SEL_FIRST_FREE;
static uint64_t next_utcb = UTCB_AREA;
static uint8_t stacks[MAX_STACKS][FC_STACK_SIZE] __attribute__((aligned(FC_STACK_SIZE)));
static unsigned next_stack;
static volatile int alloc_lock;
static sel_t startup_ec_of_cpu[HIP_MAX_CPUS];      /* one startup handler EC per CPU, made on demand */
static sel_t graveyard;                             /* finished threads wait here forever */

struct utcb *fc_utcb(void)
{
    return fc_self()->utcb;
}

sel_t fc_sel_alloc(unsigned count)
{
    fc_spin_lock(&alloc_lock);
    sel_t s = (next_sel + count - 1) & ~(sel_t)(count - 1);
    next_sel = s + count;
    fc_spin_unlock(&alloc_lock);
    return s;
}

uint64_t fc_utcb_alloc(void)
{
    fc_spin_lock(&alloc_lock);
    uint64_t u = next_utcb;
    next_utcb += PAGE_SIZE;
    fc_spin_unlock(&alloc_lock);
    return u;
}

/* A fresh stack with its fc_thread at the top, or NULL. */
static struct fc_thread *stack_alloc(void)
{
    fc_spin_lock(&alloc_lock);
    struct fc_thread *t = NULL;
    if (next_stack < MAX_STACKS)
        t = (struct fc_thread *)(stacks[next_stack++] + FC_STACK_SIZE) - 1;
    fc_spin_unlock(&alloc_lock);
    if (t)
        memset(t, 0, sizeof *t);
    return t;
}

void fc_runtime_init(const struct hip *hip, struct utcb *root_utcb)
{
    fc_hip = hip;
    struct fc_thread *self = fc_self();
    self->utcb = root_utcb;
    self->ec = SEL_ROOT_EC;
    self->sc = SEL_ROOT_SC;
    self->event_base = SEL_EXC_BASE;
    graveyard = fc_sel_alloc(1);
    if (fc_create_sm(graveyard, SEL_ROOT_PD, 0) != SUCCESS)
        printf("[root] cannot create the runtime's semaphore\n");
}

extern char fc_portal_entry[], fc_thread_entry[];

unsigned fc_handler_create(unsigned cpu, fc_portal_fn handler, sel_t *ec)
{
    struct fc_thread *t = stack_alloc();
    if (!t)
        return OOM;
    uint64_t utcb = fc_utcb_alloc();
    t->ec = fc_sel_alloc(1);
    t->cpu = cpu;
    t->handler = handler;
    t->utcb = (struct utcb *)utcb;
    unsigned s = fc_create_ec(t->ec, SEL_ROOT_PD, cpu, utcb, (uint64_t)t, 0, false);
    if (s == SUCCESS)
        *ec = t->ec;
    return s;
}

unsigned fc_portal_bind(sel_t pt, sel_t ec, uint64_t mtd, uint64_t id)
{
    unsigned s = fc_create_pt(pt, SEL_ROOT_PD, ec, mtd, (uint64_t)fc_portal_entry);
    return s == SUCCESS ? fc_pt_ctrl(pt, id) : s;
}

unsigned fc_portal_create(sel_t pt, unsigned cpu, uint64_t mtd, fc_portal_fn handler, uint64_t id)
{
    /* LAB portals BEGIN: create a local EC that runs `handler` on `cpu` and a portal `pt` into it, passing `id` (docs: labs/1-portals/README.md#dispatcher) */
    sel_t ec;
    unsigned s = fc_handler_create(cpu, handler, &ec);
    return s == SUCCESS ? fc_portal_bind(pt, ec, mtd, id) : s;
    //@ (void)pt;
    //@ (void)cpu;
    //@ (void)mtd;
    //@ (void)handler;
    //@ (void)id;
    //@ LAB_TODO("portals: fc_portal_create (the portal dispatcher)");
    //@ return BAD_FTR;
    /* LAB portals END */
}

/* C side of fc_portal_entry: run the handler, then reply (which does not return). */
void fc_portal_main(uint64_t id, struct fc_thread *t) __attribute__((noreturn));
void fc_portal_main(uint64_t id, struct fc_thread *t)
{
    t->handler(id, t->utcb);
    unsigned s = fc_reply();
    printf("[root] portal handler %lu: reply failed: %s\n", id, fc_status_name(s));
    __builtin_trap();
}

/* The startup message of a new thread: its portal id is its fc_thread; start at fc_thread_entry. */
static void startup_handler(uint64_t id, struct utcb *u)
{
    struct fc_thread *t = (struct fc_thread *)id;
    u->exc.rip = (uint64_t)fc_thread_entry;
    u->exc.rsp = (uint64_t)t;
}

void fc_thread_main(struct fc_thread *t) __attribute__((noreturn));
void fc_thread_main(struct fc_thread *t)
{
    t->fn(t->arg);
    /* An EC cannot end itself (only revoking its capability does): park on a semaphore nobody ups. */
    for (;;)
        fc_sm_down(graveyard, 0);
}

/* A thread that does not run yet: bind its event portals, then fc_thread_start it. */
unsigned fc_thread_prepare(unsigned cpu, fc_thread_fn fn, void *arg, struct fc_thread **out)
{
    if (cpu >= fc_hip->num_cpus)
        return BAD_CPU;
    if (!startup_ec_of_cpu[cpu]) {
        unsigned s = fc_handler_create(cpu, startup_handler, &startup_ec_of_cpu[cpu]);
        if (s != SUCCESS)
            return s;
    }
    struct fc_thread *t = stack_alloc();
    if (!t)
        return OOM;
    t->fn = fn;
    t->arg = arg;
    t->cpu = cpu;
    t->utcb = (struct utcb *)fc_utcb_alloc();
    t->event_base = fc_sel_alloc(NUM_EVENTS);
    t->ec = fc_sel_alloc(1);
    t->sc = fc_sel_alloc(1);
    unsigned s = fc_create_ec(t->ec, SEL_ROOT_PD, cpu, (uint64_t)t->utcb, 0, t->event_base, true);
    if (s == SUCCESS)
        s = fc_portal_bind(t->event_base + EV_STARTUP, startup_ec_of_cpu[cpu], STARTUP_MTD, (uint64_t)t);
    if (s == SUCCESS)
        *out = t;
    return s;
}

unsigned fc_thread_start(struct fc_thread *t, unsigned prio)
{
    return fc_create_sc(t->sc, SEL_ROOT_PD, t->ec, prio, 1000);
}

unsigned fc_thread_create(unsigned cpu, unsigned prio, fc_thread_fn fn, void *arg, struct fc_thread **out)
{
    struct fc_thread *t;
    unsigned s = fc_thread_prepare(cpu, fn, arg, &t);
    if (s == SUCCESS)
        s = fc_thread_start(t, prio);
    if (s == SUCCESS && out)
        *out = t;
    return s;
}

/* Sleep: a down with a deadline on a semaphore nobody ups. */
void fc_sleep_ms(unsigned ms)
{
    fc_sm_down(graveyard, fc_rdtsc() + (uint64_t)fc_hip->tsc_khz * ms);
}

/* A spin lock's waiter that tried long enough (facet/spin.h). Before fc_threads_init there is
 * no graveyard yet (selector 0): the down fails at once, and the waiter spins on. */
void fc_spin_nap(void)
{
    fc_sleep_ms(1);
}
