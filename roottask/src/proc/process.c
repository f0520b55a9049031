// SPDX-License-Identifier: MIT
/* src/proc/process.c — the process table: portals and their handlers, start, wait, teardown. */
#include <stdio.h>
#include <string.h>
#include "facet/lab.h"
#include "proc/internal.h"
#include "services/services.h"
#include "facet/app.h"
#include "facet/mem.h"
#include "facet/time.h"


const uint8_t *proc_tar;
uint64_t proc_tar_len;
static struct proc procs[PROC_MAX];
static unsigned next_id = 1;

unsigned proc_new_id(void)
{
    return __atomic_fetch_add(&next_id, 1, __ATOMIC_SEQ_CST);
}
static sel_t echo_pt[HIP_MAX_CPUS];
static proc_notify_fn notify_fn;

/* One handler EC per CPU and service, made on first use. */
struct handlers { sel_t startup, fault, exit, console, notify, fs; };
static struct handlers per_cpu[HIP_MAX_CPUS];
/*
 * A foreign process's syscalls have a handler of their own (one per slot and CPU, made at the
 * first use and kept for the slot's next processes): a call that blocks (a sleep, later a pipe
 * read or a wait) blocks only its caller, never the other processes of that CPU.
 */
static sel_t foreign_ec[PROC_MAX][HIP_MAX_CPUS];

struct proc *proc_by_id(uint64_t id) { return &procs[(id >> 8) % PROC_MAX]; }
struct proc *proc_at(unsigned slot) { return &procs[slot % PROC_MAX]; }
static struct proc *by_slot(uint64_t id) { return proc_by_id(id); }
_Static_assert(PROC_MAX <= FS_SERVICE_CLIENTS, "the file service keeps descriptors for every slot");

static void startup_portal(uint64_t id, struct utcb *u);
static void fault_portal(uint64_t id, struct utcb *u);
static void exit_portal(uint64_t id, struct utcb *u);
static void console_portal(uint64_t id, struct utcb *u);
static void fs_portal(uint64_t id, struct utcb *u);
static void notify_portal(uint64_t id, struct utcb *u);
static void foreign_portal(uint64_t id, struct utcb *u);
static unsigned handlers_for(unsigned cpu)
{
    struct handlers *h = &per_cpu[cpu];
    if (h->startup)
        return SUCCESS;
    unsigned s = fc_handler_create(cpu, startup_portal, &h->startup);
    s = s ? s : fc_handler_create(cpu, fault_portal, &h->fault);
    s = s ? s : fc_handler_create(cpu, exit_portal, &h->exit);
    s = s ? s : fc_handler_create(cpu, console_portal, &h->console);
    s = s ? s : fc_handler_create(cpu, fs_portal, &h->fs);
    s = s ? s : fc_handler_create(cpu, notify_portal, &h->notify);
    if (s == SUCCESS && !echo_pt[cpu]) {
        echo_pt[cpu] = fc_sel_alloc(1);
        s = fc_portal_create(echo_pt[cpu], cpu, 0, echo_handler, 0);
    }
    return s;
}

void proc_init(const uint8_t *tar, uint64_t tar_size)
{
    proc_tar = tar;
    proc_tar_len = tar_size;
    for (unsigned i = 0; i < PROC_MAX; i++) {
        procs[i].slot = i;
        procs[i].sel = fc_sel_alloc(1u << PROC_SEL_ORDER);
        procs[i].done = fc_sel_alloc(2);
        procs[i].hold = procs[i].done + 1;
        procs[i].lock = fc_sel_alloc(1);
        fc_create_sm(procs[i].done, SEL_ROOT_PD, 0);
        fc_create_sm(procs[i].hold, SEL_ROOT_PD, 0);
        fc_create_sm(procs[i].lock, SEL_ROOT_PD, 0);
    }
}

/* A free slot of the table, made a fresh running process named after path's last part. */
struct proc *proc_slot_take(const char *path)
{
    struct proc *p = NULL;
    if (!proc_tar) {                             /* the slots' selectors are made by proc_init */
        printf("[proc] cannot start %s: proc_init has not run\n", path);
        return NULL;
    }
    for (unsigned i = 0; i < PROC_MAX && !p; i++)
        if (procs[i].state == PROC_FREE)
            p = &procs[i];
    if (!p) {
        printf("[proc] cannot start %s: too many processes\n", path);
        return NULL;
    }
    memset(p->name, 0, sizeof p->name);
    const char *base = strrchr(path, '/');
    snprintf(p->name, sizeof p->name, "%s", base ? base + 1 : path);
    p->id = proc_new_id();
    p->npages = 0;
    p->pmap = 0;
    p->nareas = 0;
    p->shared = 0;
    p->large = 0;
    p->start_sp = 0;
    p->start_state = NULL;
    p->pstate = NULL;
    p->on_fault = NULL;
    p->fault_taken = NULL;
    p->on_end = NULL;
    p->on_recall = NULL;
    p->teardown = NULL;
    p->personality = NULL;
    p->busy = 0;
    p->dying = false;
    p->nthreads = 0;
    p->lock_count = 0;
    p->lock_owner = NULL;
    p->state = PROC_RUNNING;
    return p;
}

/*
 * A foreign process's syscall portal on cpu: its slot's handler EC there (foreign_ec, made at
 * the first use and kept), a portal of ours into it (the state a personality needs, the slot
 * in the id) at p->sel + SEL_FOREIGN, and that portal for its PD where the kernel looks for
 * it. SUCCESS, or the first status that was not.
 */
static unsigned foreign_portal_give(struct proc *p, unsigned cpu)
{
    /* LAB syscall-redirection BEGIN: make the slot's handler EC on cpu if it has none, bind the process's foreign portal to it, give the portal to the process where its syscalls on cpu go (docs: labs/4-syscall-redirection/README.md#wiring) */
    sel_t *own = &foreign_ec[p->slot][cpu];
    unsigned st = *own ? SUCCESS : fc_handler_create(cpu, foreign_portal, own);
    st = st ? st : fc_portal_bind(p->sel + SEL_FOREIGN, *own, FOREIGN_MTD, proc_portal_id(p, PROC_ID_SYSCALL));
    return st ? st : fc_delegate(SEL_ROOT_PD, p->sel + SEL_PD, CRD(CRD_OBJ, PERM_EVENT, 0, p->sel + SEL_FOREIGN),
                                 CRD(CRD_OBJ, PERM_EVENT, 0, APP_SEL_FOREIGN + cpu));
    //@ (void)p;
    //@ (void)cpu;
    //@ (void)foreign_portal;
    //@ LAB_TODO("syscall-redirection: a foreign process's syscall portal (foreign_portal_give)");
    //@ return BAD_FTR;
    /* LAB syscall-redirection END */
}

/*
 * Its portals, bound to this CPU's handlers with the slot in the id: events
 * (startup at EV_STARTUP, the rest faults), console, exit, notify, files, the
 * CPU's shared echo portal, and for a foreign one its syscall portal. A foreign
 * process's faults and recall go to its own syscall handler, not the CPU's
 * fault handler: its personality may end it there (a signal's default), and
 * the handler that parks with it until the teardown must not be one its parent
 * needs (for a page fault, a recall) before it reaps it.
 */
unsigned proc_portals(struct proc *p, unsigned cpu, bool with_foreign)
{
    unsigned st = handlers_for(cpu);
    const struct handlers *h = &per_cpu[cpu];
    sel_t s = p->sel, pd = s + SEL_PD;
    st = st ? st : with_foreign ? foreign_portal_give(p, cpu) : SUCCESS;
    sel_t own = foreign_ec[p->slot][cpu];
    for (unsigned v = 0; v < NUM_EVENTS && !st; v++)
        st = fc_portal_bind(s + SEL_EVENTS + v, v == EV_STARTUP ? h->startup : with_foreign ? own : h->fault,
                            v == EV_STARTUP ? STARTUP_MTD : v == EV_RECALL ? (with_foreign ? RECALL_MTD : FOREIGN_MTD)
                            : with_foreign ? FAULT_MTD : EXC_MTD,
                            proc_portal_id(p, v));
    st = st ? st : fc_portal_bind(s + SEL_CONSOLE, h->console, 0, proc_portal_id(p, 0));
    st = st ? st : fc_portal_bind(s + SEL_EXIT, h->exit, 0, proc_portal_id(p, 0));
    st = st ? st : fc_portal_bind(s + SEL_NOTIFY, h->notify, 0, proc_portal_id(p, 0));
    st = st ? st : fc_portal_bind(s + SEL_FS, h->fs, 0, proc_portal_id(p, 0));
    st = st ? st : fc_delegate(SEL_ROOT_PD, pd, CRD(CRD_OBJ, PERM_EVENT, 5, s + SEL_EVENTS), CRD(CRD_OBJ, PERM_EVENT, 5, APP_SEL_EVENTS));
    st = st ? st : fc_delegate(SEL_ROOT_PD, pd, CRD(CRD_OBJ, PERM_CALL, 0, s + SEL_CONSOLE), CRD(CRD_OBJ, PERM_CALL, 0, APP_SEL_CONSOLE));
    st = st ? st : fc_delegate(SEL_ROOT_PD, pd, CRD(CRD_OBJ, PERM_CALL, 0, s + SEL_EXIT), CRD(CRD_OBJ, PERM_CALL, 0, APP_SEL_EXIT));
    st = st ? st : fc_delegate(SEL_ROOT_PD, pd, CRD(CRD_OBJ, PERM_CALL, 0, echo_pt[cpu]), CRD(CRD_OBJ, PERM_CALL, 0, APP_SEL_ECHO));
    st = st ? st : fc_delegate(SEL_ROOT_PD, pd, CRD(CRD_OBJ, PERM_CALL, 0, s + SEL_NOTIFY), CRD(CRD_OBJ, PERM_CALL, 0, APP_SEL_NOTIFY));
    return st ? st : fc_delegate(SEL_ROOT_PD, pd, CRD(CRD_OBJ, PERM_CALL, 0, s + SEL_FS), CRD(CRD_OBJ, PERM_CALL, 0, APP_SEL_FS));
}

void proc_set_notify(proc_notify_fn fn)
{
    notify_fn = fn;
}

/* ---- the services a process calls ---------------------------------------------------- */

/*
 * A handler runs on the calling process's SC, so the teardown's revoke of that
 * SC abandons it wherever it is: inside console_out or under the fs lock, the
 * lock would stay taken for ever. So a handler works for p only between
 * proc_enter and proc_leave, and proc_destroy waits until none does. Either
 * the handler sees `dying` or the teardown sees `busy` (both seq_cst).
 * Handlers leave before they block for long (proc_block): abandoned there,
 * they hold nothing.
 */
bool proc_enter(struct proc *p)
{
    __atomic_add_fetch(&p->busy, 1, __ATOMIC_SEQ_CST);
    if (!__atomic_load_n(&p->dying, __ATOMIC_SEQ_CST) && proc_thread_enter(p))
        return true;
    __atomic_sub_fetch(&p->busy, 1, __ATOMIC_SEQ_CST);
    return false;
}

/*
 * Done with p: busy first, then the thread's in_call. A thread that has ended is revoked by the
 * reaper as soon as in_call is 0, which stops this handler where it is (it runs on that thread's
 * SC): had in_call gone first, busy could stay counted for ever and p's teardown wait for it.
 */
void proc_leave(struct proc *p)
{
    __atomic_sub_fetch(&p->busy, 1, __ATOMIC_SEQ_CST);
    proc_thread_leave(p);
}

/* Park a handler that is done with p for good: the teardown abandons this call. */
static void __attribute__((noreturn)) park(struct proc *p)
{
    for (;;)
        fc_sm_down(p->hold, 0);
}

void proc_park_left(struct proc *p)
{
    park(p);
}

void proc_park(struct proc *p)
{
    proc_unlock(p);
    proc_leave(p);
    park(p);
}

/*
 * The lock's holder is a handler (its fc_thread): a thread's calls, faults and recalls. A count
 * of holders and waiters decides; only a handler that has to wait sleeps on the semaphore, and
 * only an unlock with waiters ups it: no hypercall while the threads do not meet.
 */
void proc_lock_take(struct proc *p)
{
    if (__atomic_fetch_add(&p->lock_count, 1, __ATOMIC_SEQ_CST))
        fc_sm_down(p->lock, 0);
    p->lock_owner = fc_self();
}

void proc_lock_give(struct proc *p)
{
    p->lock_owner = NULL;
    if (__atomic_sub_fetch(&p->lock_count, 1, __ATOMIC_SEQ_CST))
        fc_sm_up(p->lock);                       /* the next waiter's turn */
}

/*
 * Asleep, a handler holds neither the lock nor p (the teardown may come). It wakes to a
 * process that has ended (another thread's exit_group, a signal's end): it parks.
 */
unsigned proc_block(struct proc *p, sel_t sm, uint64_t deadline)
{
    bool held = p->lock_owner == fc_self();
    proc_unlock(p);
    proc_leave(p);
    unsigned s = fc_sm_down(sm, deadline);
    if (!proc_enter(p))
        park(p);                                 /* torn down meanwhile: touch nothing of it */
    if (held)
        proc_lock_take(p);
    if (p->state != PROC_RUNNING || proc_thread_killed(p))
        proc_park(p);                            /* another thread ended the process, or this thread */
    return s;
}

/* Each portal of a process: its handler inside proc_enter/proc_leave, nothing once it is dying. */
#define PROC_PORTAL(name, call)                                         \
    static void name(uint64_t id, struct utcb *u)                       \
    {                                                                   \
        struct proc *p = by_slot(id);                                   \
        if (!proc_enter(p))                                             \
            park(p);                                                    \
        if (p->state != PROC_RUNNING)                                   \
            proc_park(p);              /* ended by another thread */    \
        call;                                                           \
        proc_unlock(p);                                                 \
        proc_leave(p);                                                  \
    }

static void startup_handler(uint64_t id, struct utcb *u);
static void fault_handler(uint64_t id, struct utcb *u);
/* It has ended (state and status say how): its other threads stop, whoever waits for it is told. */
static void ended(struct proc *p)
{
    proc_threads_recall(p);
    proc_recall(p);                              /* its first thread too, if another thread ended it */
    if (p->on_end)
        p->on_end(p);
    fc_sm_up(p->done);
}

void proc_exit_signaled(struct proc *p, unsigned sig)
{
    if (p->state == PROC_RUNNING) {
        p->status = 128 + sig;                       /* as a shell reports a death by a signal */
        p->state = PROC_FAULTED;
        ended(p);
    }
    proc_park(p);
}

static void exit_handler(uint64_t id, struct utcb *u);
static void foreign_handler(uint64_t id, struct utcb *u);
PROC_PORTAL(startup_portal, startup_handler(id, u))
PROC_PORTAL(fault_portal, fault_handler(id, u))
PROC_PORTAL(exit_portal, exit_handler(id, u))
PROC_PORTAL(console_portal, console_handler(p->id, u))
PROC_PORTAL(fs_portal, fs_service_handler(p->slot, u))
/* The notify portal: whatever the running scenario checks (proc_set_notify); else nothing. */
PROC_PORTAL(notify_portal, notify_fn ? notify_fn(p, u) : (void)(u->head.items = 0))
PROC_PORTAL(foreign_portal, foreign_handler(id, u))

void proc_start_reply(struct utcb *u, const struct proc_start *s)
{
    uint64_t mtd = u->exc.mtd;
    u->exc = s->regs;
    u->exc.mtd = mtd | MTD_FPU;                  /* every group the portal's MTD names, and the FPU */
    memcpy(utcb_fpu(u), s->fpu, UTCB_FPU_SIZE);
}

/* The first message of its EC: where it starts (a fork's child: where its parent was). */
static void startup_handler(uint64_t id, struct utcb *u)
{
    struct proc *p = by_slot(id);
    if (p->start_state) {
        proc_start_reply(u, p->start_state);
        p->start_state = NULL;
        return;
    }
    u->exc.rip = p->entry;
    u->exc.rsp = APP_STACK_TOP - 8;              /* as if called */
    u->exc.rdi = p->arg;
    u->exc.rsi = p->id;
    if (p->start_sp) {                           /* a Linux process: rsp at argc, rdx = 0 (no atexit) */
        u->exc.rsp = p->start_sp;
        u->exc.rdi = u->exc.rsi = 0;
    }
    u->exc.rdx = 0;
}

#define PF_PRESENT 0x1
#define PF_WRITE   0x2
#define PF_FETCH   0x10

/*
 * A page fault on a page it asked for but never touched (proc_area_add), or a write to a page
 * shared since a fork: the page (or its copy) comes now and the instruction runs again (the reply). Any other fault nobody in the process handles: report
 * it, let the roottask end the process.
 */
void proc_fault(struct proc *p, unsigned vector, struct utcb *u)
{
    uint64_t err = u->exc.qual[0];
    if (vector == EV_PF && (!(err & PF_PRESENT) || (err & PF_WRITE)) && p->nareas &&
        proc_fault_in(p, u->exc.qual[1], MEM_R | ((err & PF_WRITE) ? MEM_W : 0) | ((err & PF_FETCH) ? MEM_X : 0))) {
        u->exc.mtd &= ~(uint64_t)MTD_FPU;        /* the instruction runs again, its FPU as it is */
        return;
    }
    if (p->state == PROC_RUNNING && p->fault_taken && p->fault_taken(p, vector, &u->exc))
        return;                                  /* its handler runs now (the reply's state) */
    if (p->state == PROC_RUNNING) {
        p->status = vector;
        p->fault_rip = u->exc.rip;
        p->fault_addr = u->exc.qual[1];
        printf("[proc] process %u (%s) fault: vector %u at rip %#lx, address %#lx, error %#lx: ended\n",
               p->id, p->name, vector, u->exc.rip, u->exc.qual[1], u->exc.qual[0]);
        if (p->on_fault)
            p->on_fault(p, vector, u->exc.qual[1]);
        p->state = PROC_FAULTED;
        ended(p);
    }
    proc_park(p);                                /* never replied */
}

static void fault_handler(uint64_t id, struct utcb *u)
{
    proc_fault(by_slot(id), proc_id_vector(id), u);
}

void proc_recall(struct proc *p)
{
    fc_ec_recall(p->sel + SEL_EC);               /* a process torn down meanwhile: BAD_CAP, nothing */
}

void proc_exit(struct proc *p, uint64_t status)
{
    if (p->state == PROC_RUNNING) {
        p->status = status;
        p->state = PROC_EXITED;
        ended(p);
    }
    proc_park(p);
}

static void exit_handler(uint64_t id, struct utcb *u)
{
    proc_exit(by_slot(id), u->mr[0]);
}

/* The foreign-syscall dispatcher: the portal id names the process; its personality decides.
 * Its faults and its recall (proc_recall) come here too, as the vector in the id says. */
static void foreign_handler(uint64_t id, struct utcb *u)
{
    struct proc *p = by_slot(id);
    unsigned vector = proc_id_vector(id);
    if (vector == EV_RECALL) {                   /* no fault, no syscall: it goes on */
        proc_lock(p);
        if (p->state == PROC_RUNNING && p->on_recall)
            p->on_recall(p, &u->exc);
        return;
    }
    if (vector != PROC_ID_SYSCALL)
        proc_lock(p);                            /* a fault: under the lock its other threads take */
    /* LAB syscall-redirection BEGIN: a fault to the process manager's fault handler, a syscall to the process's personality (docs: labs/4-syscall-redirection/README.md#dispatcher) */
    if (vector != PROC_ID_SYSCALL)
        fault_handler(id, u);
    else if (p->personality)
        p->personality(p, u);
    //@ (void)u;
    //@ LAB_TODO("syscall-redirection: the foreign-syscall dispatcher (foreign_handler)");
    /* LAB syscall-redirection END */
}

/* ---- the process table ------------------------------------------------------------------ */

sel_t proc_pd(const struct proc *p)
{
    return p->sel + SEL_PD;
}

sel_t proc_sc(const struct proc *p)
{
    return p->sel + SEL_SC;
}

sel_t proc_echo_portal(unsigned cpu)
{
    return echo_pt[cpu];
}

unsigned proc_start(struct proc *p, unsigned prio)
{
    return fc_create_sc(p->sel + SEL_SC, SEL_ROOT_PD, p->sel + SEL_EC, prio, PROC_QUANTUM);
}

void proc_wait(struct proc *p)
{
    fc_sm_down(p->done, 0);
}

unsigned proc_wait_ms(struct proc *p, unsigned ms)
{
    return fc_sm_down(p->done, fc_deadline_ms(ms));
}

const char *proc_state_name(const struct proc *p)
{
    return p->state == PROC_EXITED ? "exited" : p->state == PROC_FAULTED ? "faulted" : "did not finish";
}

void proc_run(struct proc *p, unsigned ms, const char *tag, const char *what)
{
    if (!p)
        return;
    unsigned s = proc_start(p, PROC_PRIO);
    unsigned w = s == SUCCESS ? proc_wait_ms(p, ms) : s;
    printf("[%s] %s: process %u %s status=%lu (wait %u)\n", tag, what, p->id, proc_state_name(p), p->status, w);
    proc_destroy(p);
}

/*
 * Everything it had goes: its capabilities (the PD first), then the memory,
 * which we get back. First no handler may be working for it (proc_enter).
 */
void proc_destroy(struct proc *p)
{
    __atomic_store_n(&p->dying, true, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&p->busy, __ATOMIC_SEQ_CST))
        fc_sleep_ms(1);
    if (p->teardown)
        p->teardown(p);
    p->teardown = NULL;
    proc_threads_destroy(p);
    fc_revoke(CRD(CRD_OBJ, 0, PROC_SEL_ORDER, p->sel), REVOKE_SELF, 0);
    fs_service_release(p->slot);                 /* after its portals: no new file call comes */
    proc_unmap_all(p);
    if (p->large)
        fc_revoke(CRD(CRD_MEM, 0, LARGE_ORDER, fc_window_page(p->large)), 0, 0);
    p->npages = 0;
    p->shared = 0;
    p->large = 0;
    /* Its semaphores may hold counts from a run that ended: drain them; the lock is free. */
    while (fc_sm_down(p->done, 1) == SUCCESS)
        ;
    while (fc_sm_down(p->lock, 1) == SUCCESS)
        ;
    p->lock_count = 0;
    p->lock_owner = NULL;
    p->state = PROC_FREE;
}
