// SPDX-License-Identifier: MIT
/* src/proc/thread.c — more threads in a process: an EC and SC each in its PD, with handlers of their own. */
#include <stdio.h>
#include <string.h>
#include "proc/internal.h"
#include "services/services.h"
#include "facet/app.h"
#include "facet/spin.h"

/*
 * A process starts with one thread, its EC (process.c). More come from a table shared by every
 * process: entry i is a thread's EC and SC, its 32 event portals and its own syscall portal
 * (CREATE_EC_SYSCALL), all bound to a handler EC of entry i on the thread's CPU (made for
 * every entry and CPU with the table, at the first thread, and kept). In the process's object space the thread's
 * portals sit at PROC_THREAD_EVENTS(i), its UTCB at PROC_THREAD_UTCB(i): entries are unique
 * across processes, so no two threads of one process collide. A blocking call of one thread
 * holds only its own handler, so it never holds up its process's other threads on that CPU.
 * The handler's fc_self()->user is its entry: proc_thread_self finds the thread's personality
 * state from there.
 *
 *   roottask block of entry i (64 selectors)     the process's object space
 *     0 EC, 1 SC, 2 syscall portal                 PROC_THREAD_EVENTS(i) + 0..31  events
 *     32..63 event portals                         PROC_THREAD_EVENTS(i) + 32     syscalls
 *
 * A thread that ends (proc_thread_exit) cannot revoke its own SC: its handler runs on it. It
 * parks, and the thread reaper revokes the EC and SC, which abandons the parked call; then the
 * entry is free again. A process's teardown (proc_destroy) revokes all of its threads.
 */
#define T_EC       0
#define T_SC       1
#define T_SYSCALL  2
#define T_EVENTS   32

struct proc_thread {
    struct proc *p;                      /* NULL: free */
    unsigned index, cpu;
    uint64_t tid;
    sel_t sel;                           /* its roottask block (made once) */
    sel_t handler[HIP_MAX_CPUS];         /* the entry's handler EC per CPU (made on first use) */
    struct proc_start start;             /* its first registers and FPU image (the startup reply) */
    void *pstate;                        /* its personality's state (fc_self()->user in its handler) */
    bool running;                        /* its EC and SC exist */
    bool ended;                          /* proc_thread_exit, proc_threads_kill: the reaper revokes it */
    bool kill;                           /* proc_threads_kill: its handler starts no more work */
    unsigned in_call;                    /* its handler works for it (proc_enter .. proc_leave) */
};
static struct proc_thread threads[PROC_THREADS_MAX];
static volatile int table_lock;
static volatile int revoke_lock;         /* the reaper's and a teardown's revokes, one at a time */
static sel_t reaper_sm;

static void thread_portal(uint64_t id, struct utcb *u);

static uint64_t thread_portal_id(const struct proc_thread *t, unsigned vector)
{
    return PROC_ID_THREAD | (uint64_t)t->index << 8 | vector;
}

/* The EC and SC of t go (abandoning a call parked for it), and the entry is free. Holds: no handler works for it. */
static void thread_revoke(struct proc_thread *t)
{
    fc_revoke(CRD(CRD_OBJ, 0, 1, t->sel + T_EC), REVOKE_SELF, 0);   /* EC and SC */
    fc_revoke(CRD(CRD_OBJ, 0, 5, t->sel + T_EVENTS), REVOKE_SELF, 0);
    fc_revoke(CRD(CRD_OBJ, 0, 0, t->sel + T_SYSCALL), REVOKE_SELF, 0);
    fc_spin_lock(&table_lock);
    t->running = t->ended = t->kill = false;
    t->in_call = 0;                      /* a handler stopped inside a call counts no more */
    t->p = NULL;
    fc_spin_unlock(&table_lock);
}

/* Ended threads go once no handler works for them (a killed one's may still be finishing a call). */
static void reaper(void *arg)
{
    (void)arg;
    for (;;) {
        fc_sm_down(reaper_sm, 0);
        for (unsigned i = 0; i < PROC_THREADS_MAX; i++) {
            struct proc_thread *t = &threads[i];
            /* its process's teardown may revoke it meanwhile (and the entry be taken again):
             * looked at again under the revoke lock */
            while (__atomic_load_n(&t->ended, __ATOMIC_ACQUIRE) && __atomic_load_n(&t->in_call, __ATOMIC_SEQ_CST))
                fc_sleep_ms(1);
            fc_spin_lock(&revoke_lock);
            if (__atomic_load_n(&t->ended, __ATOMIC_ACQUIRE) && !__atomic_load_n(&t->in_call, __ATOMIC_SEQ_CST))
                thread_revoke(t);
            fc_spin_unlock(&revoke_lock);
        }
    }
}

static unsigned table_init(void)
{
    if (reaper_sm)
        return SUCCESS;
    sel_t s = fc_sel_alloc(1);
    unsigned st = fc_create_sm(s, SEL_ROOT_PD, 0);
    st = st ? st : fc_thread_create(fc_hip->num_cpus - 1, PROC_PRIO, reaper, NULL, NULL);
    if (st)
        return st;
    /* Every entry's handlers at once: a thread never waits for one, and what the table holds
     * does not grow with how threads happened to overlap (an entry still being reaped). */
    for (unsigned i = 0; i < PROC_THREADS_MAX; i++) {
        threads[i].index = i;
        threads[i].sel = fc_sel_alloc(64);
        for (unsigned cpu = 0; cpu < fc_hip->num_cpus && !st; cpu++)
            st = fc_handler_create(cpu, thread_portal, &threads[i].handler[cpu]);
        /* The kernel keeps a capability-table page once a selector on it was used: touch the
         * block's first and last selector now, so that which entries threads happen to reach
         * (an entry still being reaped sends the next thread further) costs no frame later. */
        for (unsigned k = 0; k < 64 && !st; k += 63) {
            st = fc_create_sm(threads[i].sel + k, SEL_ROOT_PD, 0);
            fc_revoke(CRD(CRD_OBJ, 0, 0, threads[i].sel + k), REVOKE_SELF, 0);
        }
    }
    if (st)
        return st;
    reaper_sm = s;
    return SUCCESS;
}

/* A free entry taken for p, or NULL. */
static struct proc_thread *entry_take(struct proc *p)
{
    struct proc_thread *t = NULL;
    fc_spin_lock(&table_lock);
    for (unsigned i = 0; i < PROC_THREADS_MAX && !t; i++)
        if (!threads[i].p && !threads[i].ended)
            t = &threads[i];
    if (t)
        t->p = p;
    fc_spin_unlock(&table_lock);
    return t;
}

/* Its portals, bound to the entry's handler on its CPU, delegated into the process; then its EC. */
static unsigned thread_make(struct proc_thread *t)
{
    struct proc *p = t->p;
    sel_t s = t->sel, *h = &t->handler[t->cpu], base = PROC_THREAD_EVENTS(t->index);
    unsigned st = SUCCESS;
    for (unsigned v = 0; v < NUM_EVENTS && !st; v++)
        st = fc_portal_bind(s + T_EVENTS + v, *h, v == EV_STARTUP ? STARTUP_MTD : v == EV_RECALL ? RECALL_MTD : FAULT_MTD,
                            thread_portal_id(t, v));
    st = st ? st : fc_portal_bind(s + T_SYSCALL, *h, FOREIGN_MTD, thread_portal_id(t, PROC_ID_SYSCALL));
    st = st ? st : fc_delegate(SEL_ROOT_PD, proc_pd(p), CRD(CRD_OBJ, PERM_EVENT, 5, s + T_EVENTS), CRD(CRD_OBJ, PERM_EVENT, 5, base));
    st = st ? st : fc_delegate(SEL_ROOT_PD, proc_pd(p), CRD(CRD_OBJ, PERM_EVENT, 0, s + T_SYSCALL),
                               CRD(CRD_OBJ, PERM_EVENT, 0, base + NUM_EVENTS));
    return st ? st : fc_create_ec_own_syscall(s + T_EC, proc_pd(p), t->cpu, PROC_THREAD_UTCB(t->index), base);
}

/*
 * A new thread of p on cpu that starts with the registers in *start, its personality's state
 * pstate; running when this returns. The caller holds p's lock from now on (proc_lock: p has
 * more than one thread). Its tid, or 0: no free entry, or no memory (nothing is left behind).
 */
uint64_t proc_thread_create(struct proc *p, unsigned cpu, const struct utcb_exc *start, const void *fpu,
                            void *pstate)
{
    if (table_init() != SUCCESS)
        return 0;
    struct proc_thread *t = entry_take(p);
    if (!t)
        return 0;
    t->cpu = cpu % fc_hip->num_cpus;
    t->start.regs = *start;
    memcpy(t->start.fpu, fpu, UTCB_FPU_SIZE);
    t->pstate = pstate;
    t->tid = proc_new_id();
    __atomic_add_fetch(&p->nthreads, 1, __ATOMIC_SEQ_CST);
    proc_lock(p);                                /* from now on its calls and the new thread's take turns */
    unsigned st = thread_make(t);
    st = st ? st : fc_create_sc(t->sel + T_SC, SEL_ROOT_PD, t->sel + T_EC, PROC_PRIO, PROC_QUANTUM);
    if (st) {
        printf("[proc] process %u (%s): no thread: %s\n", p->id, p->name, fc_status_name(st));
        __atomic_sub_fetch(&p->nthreads, 1, __ATOMIC_SEQ_CST);
        thread_revoke(t);
        return 0;
    }
    t->running = true;
    return t->tid;
}

/* The thread whose handler this is; NULL: a process's first thread (or no thread's handler). */
static struct proc_thread *current(void)
{
    return fc_self()->user;
}

void proc_recall_self(struct proc *p)
{
    struct proc_thread *t = current();
    if (t && t->p == p)
        fc_ec_recall(t->sel + T_EC);
    else
        proc_recall(p);
}

void *proc_thread_self(struct proc *p)
{
    struct proc_thread *t = current();
    return t && t->p == p ? t->pstate : NULL;
}

bool proc_thread_enter(struct proc *p)
{
    struct proc_thread *t = current();
    if (!t || t->p != p)
        return true;
    __atomic_add_fetch(&t->in_call, 1, __ATOMIC_SEQ_CST);
    if (!__atomic_load_n(&t->kill, __ATOMIC_SEQ_CST))
        return true;
    __atomic_sub_fetch(&t->in_call, 1, __ATOMIC_SEQ_CST);
    return false;
}

bool proc_thread_killed(struct proc *p)
{
    struct proc_thread *t = current();
    return t && t->p == p && __atomic_load_n(&t->kill, __ATOMIC_SEQ_CST);
}

void proc_thread_leave(struct proc *p)
{
    struct proc_thread *t = current();
    if (t && t->p == p)
        __atomic_sub_fetch(&t->in_call, 1, __ATOMIC_SEQ_CST);
}

/* The thread goes: counted out of p at once, revoked by the reaper once its handler has parked. */
static void thread_end(struct proc *p, struct proc_thread *t)
{
    __atomic_sub_fetch(&p->nthreads, 1, __ATOMIC_SEQ_CST);
    __atomic_store_n(&t->ended, true, __ATOMIC_RELEASE);
    fc_sm_up(reaper_sm);
}

void proc_thread_exit(struct proc *p)
{
    struct proc_thread *t = current();
    if (!t || t->p != p)
        proc_exit(p, 0);                         /* not a thread of the table: the process ends */
    thread_end(p, t);
    proc_park(p);
}

void proc_threads_kill(struct proc *p)
{
    struct proc_thread *self = current();
    for (unsigned i = 0; i < PROC_THREADS_MAX; i++) {
        struct proc_thread *t = &threads[i];
        if (t != self && t->p == p && t->running && !t->ended) {
            __atomic_store_n(&t->kill, true, __ATOMIC_SEQ_CST);
            fc_ec_recall(t->sel + T_EC);
            thread_end(p, t);
        }
    }
}

/* p's threads (not its first) enter the kernel: each recall message goes to p->on_recall. */
void proc_threads_recall(struct proc *p)
{
    for (unsigned i = 0; i < PROC_THREADS_MAX; i++)
        if (threads[i].p == p && threads[i].running && !threads[i].ended)
            fc_ec_recall(threads[i].sel + T_EC);
}

/* Every thread of p goes: from proc_destroy, when no handler works for p any more. */
void proc_threads_destroy(struct proc *p)
{
    fc_spin_lock(&revoke_lock);
    for (unsigned i = 0; i < PROC_THREADS_MAX; i++)
        if (threads[i].p == p)
            thread_revoke(&threads[i]);
    fc_spin_unlock(&revoke_lock);
    p->nthreads = 0;
}

/*
 * A thread's portals. Like a process's (process.c), its handler works for p only between
 * proc_enter and proc_leave, its faults and recalls under p's lock (its syscalls take it in the
 * personality, for the calls that need it); a thread of a process that has ended parks.
 */
static void thread_portal(uint64_t id, struct utcb *u)
{
    struct proc_thread *t = &threads[(id >> 8) % PROC_THREADS_MAX];
    struct proc *p = t->p;
    unsigned vector = proc_id_vector(id);
    fc_self()->user = t;
    if (!proc_enter(p))
        proc_park_left(p);
    if (p->state != PROC_RUNNING)
        proc_park(p);
    if (vector == EV_STARTUP) {
        proc_start_reply(u, &t->start);
    } else if (vector == PROC_ID_SYSCALL) {
        p->personality(p, u);                    /* it takes the lock for the calls that need it */
        proc_unlock(p);
    } else {
        proc_lock(p);
        if (t->kill)
            proc_park(p);                        /* killed while it waited for its turn */
        if (vector == EV_RECALL) {
            if (p->on_recall)
                p->on_recall(p, &u->exc);
        } else
            proc_fault(p, vector, u);
        proc_unlock(p);
    }
    proc_leave(p);
}
