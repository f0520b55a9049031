// SPDX-License-Identifier: MIT
/* src/linux/thread.c — threads: clone with CLONE_THREAD, their exit and exit_group, futex. */
#include <string.h>
#include <stdio.h>
#include "linux/linux.h"
#include "facet/spin.h"

/*
 * A thread is an EC of its process's PD (proc/thread.c) with a handler of its own, so a
 * blocking call blocks only it; here it has its struct lx_task: tid, signal mask and
 * alternate stack, pending signals of its own, its wake-up semaphore, its futex wait. The
 * process's other state (memory, descriptors, handlers, working directory ...) is shared
 * because it is the process's. While a process has more than one thread its calls run one at
 * a time (proc_lock): a call that blocks gives the turn away while it sleeps.
 */
#define CLONE_VM             0x00000100
#define CLONE_FS             0x00000200
#define CLONE_FILES          0x00000400
#define CLONE_SIGHAND        0x00000800
#define CLONE_THREAD         0x00010000
#define CLONE_SYSVSEM        0x00040000
#define CLONE_SETTLS         0x00080000
#define CLONE_PARENT_SETTID  0x00100000
#define CLONE_CHILD_CLEARTID 0x00200000
#define CLONE_DETACHED       0x00400000
#define CLONE_CHILD_SETTID   0x01000000
#define THREAD_NEEDS         (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD)
#define THREAD_MAY           (THREAD_NEEDS | CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | \
                              CLONE_CHILD_CLEARTID | CLONE_DETACHED | CLONE_CHILD_SETTID)

static struct lx_task tasks[PROC_THREADS_MAX];
static volatile int tasks_lock;

/* Their wake-up semaphores, with the processes' (lx_wait_init). */
void lx_thread_init(void)
{
    for (unsigned i = 0; i < PROC_THREADS_MAX; i++)
        if (!tasks[i].wake_sm) {
            sel_t s = fc_sel_alloc(1);
            if (fc_create_sm(s, SEL_ROOT_PD, 0) == SUCCESS)
                tasks[i].wake_sm = s;
        }
}

struct lx_task *lx_task_next(struct linux_proc *lp, unsigned *i)
{
    if (*i == 0) {
        *i = 1;
        return &lp->main;
    }
    if (!__atomic_load_n(&lp->tasks, __ATOMIC_ACQUIRE))
        return NULL;                                 /* one thread: no table to scan (every wake asks) */
    for (; *i <= PROC_THREADS_MAX; (*i)++)
        if (tasks[*i - 1].lp == lp)
            return &tasks[(*i)++ - 1];
    return NULL;
}

struct lx_task *lx_task_find(uint64_t tid)
{
    for (unsigned i = 0; i < PROC_THREADS_MAX; i++)
        if (tasks[i].lp && tasks[i].tid == tid)
            return &tasks[i];
    struct linux_proc *lp = lx_find((int64_t)tid);
    return lp ? &lp->main : NULL;
}

static struct lx_task *task_take(struct linux_proc *lp)
{
    struct lx_task *t = NULL;
    fc_spin_lock(&tasks_lock);
    for (unsigned i = 0; i < PROC_THREADS_MAX && !t; i++)
        if (!tasks[i].lp && tasks[i].wake_sm)
            t = &tasks[i];
    if (t) {
        sel_t sm = t->wake_sm;
        memset(t, 0, sizeof *t);
        t->wake_sm = sm;
        t->lp = lp;
        __atomic_add_fetch(&lp->tasks, 1, __ATOMIC_SEQ_CST);
    }
    fc_spin_unlock(&tasks_lock);
    if (t)
        while (fc_sm_down(t->wake_sm, 1) == SUCCESS)  /* ups its last thread did not need */
            ;
    return t;
}

static void task_free(struct lx_task *t)
{
    struct linux_proc *lp = __atomic_exchange_n(&t->lp, NULL, __ATOMIC_ACQ_REL);
    if (lp)
        __atomic_sub_fetch(&lp->tasks, 1, __ATOMIC_SEQ_CST);
}

/* Every thread of lp but its first: gone with the process (linux_release) or at its execve. */
void lx_threads_release(struct linux_proc *lp)
{
    for (unsigned i = 0; i < PROC_THREADS_MAX; i++)
        if (tasks[i].lp == lp)
            task_free(&tasks[i]);
}

/*
 * clone with thread flags (glibc's and musl's pthread_create, Go's newosproc): a new thread of
 * this process on the next CPU, starting where the caller is with rax 0, on the stack at rsi,
 * with the thread pointer tls (CLONE_SETTLS), its tid written where CLONE_PARENT_SETTID and
 * CLONE_CHILD_SETTID say; CLONE_CHILD_CLEARTID: cleared (and a futex woken) when it ends. The
 * signal mask and alternate stack... the mask is the caller's, no alternate stack. Its tid, or
 * -EAGAIN (no entry free, no memory), -EINVAL (flags a thread cannot have).
 */
int64_t lx_clone_thread(struct linux_proc *lp, struct utcb_exc *x)
{
    uint64_t flags = x->rdi, stack = x->rsi, ptid = x->rdx, ctid = x->r10, tls = x->r8;
    if ((flags & THREAD_NEEDS) != THREAD_NEEDS || (flags & ~(THREAD_MAY | 0xff)) || (flags & 0xff)) {
        printf("[linux] process %u (%s): clone with flags %#lx is not supported: -EINVAL\n", lp->p->id,
               lp->p->name, flags);
        return -LX_EINVAL;
    }
    const void *fpu = lx_clone_fpu(lp, x);
    if (!fpu)
        return -LX_ERESTARTNOINTR;                   /* again, with the FPU image, after a recall */
    struct lx_task *t = task_take(lp);
    if (!t)
        return -LX_EAGAIN;
    struct lx_task *self = lx_self(lp);
    t->sigmask = self->sigmask;
    t->clear_child_tid = (flags & CLONE_CHILD_CLEARTID) ? ctid : 0;
    struct utcb_exc start = *x;
    start.rax = 0;
    start.rsp = stack;
    start.rip = x->rip;                              /* after its syscall, as the caller */
    if (flags & CLONE_SETTLS)
        start.fs_base = tls;
    unsigned cpu = lp->p->cpu + lp->p->nthreads + 1;
    uint64_t tid = proc_thread_create(lp->p, cpu, &start, fpu, t);   /* from here on: the process's lock */
    if (!tid) {
        task_free(t);
        return -LX_EAGAIN;
    }
    t->tid = tid;
    uint32_t tid32 = (uint32_t)tid;
    if (flags & CLONE_PARENT_SETTID)
        proc_write(lp->p, ptid, &tid32, sizeof tid32);
    if (flags & CLONE_CHILD_SETTID)
        proc_write(lp->p, ctid, &tid32, sizeof tid32);
    return (int64_t)tid;
}

static int64_t futex_wake(struct linux_proc *lp, uint64_t addr, uint32_t bits, int64_t n);
static void robust_list_release(struct linux_proc *lp, struct lx_task *t);

/*
 * The calling thread ends (exit): its tid word at clear_child_tid cleared and a waiter woken
 * (pthread_join's), then it goes. The process's first thread with others still running ends
 * the process (Facet keeps no thread-less process), as does the last.
 */
static void thread_exit(struct linux_proc *lp, uint64_t status)
{
    struct lx_task *t = lx_self(lp);
    if (t == &lp->main) {
        linux_flush(lp);
        lx_close_all(lp);
        proc_exit(lp->p, status & 0xff);
    }
    robust_list_release(lp, t);
    if (t->clear_child_tid) {
        uint32_t zero = 0;
        if (proc_write(lp->p, t->clear_child_tid, &zero, sizeof zero))
            futex_wake(lp, t->clear_child_tid, ~0u, 1);
    }
    task_free(t);
    proc_thread_exit(lp->p);
}

int64_t lx_exit(struct linux_proc *lp, struct utcb_exc *x)
{
    thread_exit(lp, x->rdi);
    return 0;
}

/* exit_group: every thread ends; what is left of its console lines, its descriptors, then the end. */
int64_t lx_exit_group(struct linux_proc *lp, struct utcb_exc *x)
{
    linux_flush(lp);
    lx_close_all(lp);
    proc_exit(lp->p, x->rdi & 0xff);                 /* its parent hears of it (linux_ended) */
    return 0;
}

/* ---- futex ------------------------------------------------------------------------------- */

#define FUTEX_WAIT            0
#define FUTEX_WAKE            1
#define FUTEX_REQUEUE         3
#define FUTEX_CMP_REQUEUE     4
#define FUTEX_WAKE_OP         5
#define FUTEX_LOCK_PI         6
#define FUTEX_WAIT_BITSET     9
#define FUTEX_WAKE_BITSET     10
#define FUTEX_PRIVATE_FLAG    128
#define FUTEX_CLOCK_REALTIME  256
#define FUTEX_BITSET_ANY      0xffffffffu

/*
 * Waiters are the threads of the caller's process (a futex word in memory shared between
 * processes is not looked at: MAP_SHARED is one process's here), marked with the word they
 * wait on; every operation runs under the process's lock (its calls take turns), so the
 * check of the word and the queueing are one step for any waker.
 */
static int64_t futex_wake(struct linux_proc *lp, uint64_t addr, uint32_t bits, int64_t n)
{
    int64_t woken = 0;
    unsigned i = 0;
    struct lx_task *t;
    while (woken < n && (t = lx_task_next(lp, &i)))
        if (t->futex_queued && t->futex_addr == addr && (t->futex_bits & bits)) {
            t->futex_queued = false;
            fc_sm_up(t->wake_sm);
            woken++;
        }
    return woken;
}

/* Up to n waiters on addr woken, up to m more moved to wait on addr2: how many were woken (and moved). */
static int64_t futex_requeue(struct linux_proc *lp, uint64_t addr, int64_t n, uint64_t addr2, int64_t m)
{
    int64_t done = futex_wake(lp, addr, FUTEX_BITSET_ANY, n);
    unsigned i = 0;
    struct lx_task *t;
    while (m > 0 && (t = lx_task_next(lp, &i)))
        if (t->futex_queued && t->futex_addr == addr) {
            t->futex_addr = addr2;
            m--;
            done++;
        }
    return done;
}

/* FUTEX_WAIT(_BITSET): sleep while *addr is val, until woken, the deadline, or a signal. */
static int64_t futex_wait(struct linux_proc *lp, uint64_t addr, uint32_t val, uint32_t bits, uint64_t deadline)
{
    uint32_t cur;
    if (addr & 3)
        return -LX_EINVAL;
    if (!proc_read(lp->p, &cur, addr, sizeof cur))
        return -LX_EFAULT;
    if (cur != val)
        return -LX_EAGAIN;
    struct lx_task *t = lx_self(lp);
    t->futex_addr = addr;
    t->futex_bits = bits;
    t->futex_queued = true;
    int64_t r = 0;
    lx_wait_begin(lp);
    while (t->futex_queued) {
        if (lx_signal_interrupts(lp)) {
            r = -LX_ERESTARTSYS;
            break;
        }
        if (deadline && fc_rdtsc() >= deadline) {
            r = -LX_ETIMEDOUT;
            break;
        }
        lx_sleep(lp, deadline);
    }
    lx_wait_end(lp);
    t->futex_queued = false;
    return r;
}

/* The futex word at addr as our window shows it, for an atomic update next to the process's
 * threads running on other CPUs (a page shared since a fork becomes its own first); NULL: not
 * aligned, or no page there. */
static uint32_t *futex_word(struct linux_proc *lp, uint64_t addr)
{
    return addr & 3 ? NULL : (uint32_t *)proc_window(lp->p, addr);
}

/* FUTEX_WAKE_OP: *addr2's operation, then wake n on addr, and m on addr2 if the old value passes the test. */
static int64_t futex_wake_op(struct linux_proc *lp, uint64_t addr, int64_t n, uint64_t addr2, int64_t m, uint32_t op)
{
    uint32_t old, arg = (op >> 12) & 0xfff, cmparg = op & 0xfff, nw;
    unsigned kind = (op >> 28) & 7, cmp = (op >> 24) & 0xf;
    if (op & (1u << 31))
        arg = arg < 32 ? 1u << arg : 0;             /* FUTEX_OP_OPARG_SHIFT */
    if (addr2 & 3)
        return -LX_EINVAL;
    uint32_t *word = futex_word(lp, addr2);
    if (kind > 4)
        return -LX_ENOSYS;
    if (!word)
        return -LX_EFAULT;
    old = __atomic_load_n(word, __ATOMIC_SEQ_CST);
    do {
        switch (kind) {
        case 0: nw = arg; break;                     /* SET */
        case 1: nw = old + arg; break;               /* ADD */
        case 2: nw = old | arg; break;               /* OR */
        case 3: nw = old & ~arg; break;              /* ANDN */
        default: nw = old ^ arg; break;              /* XOR */
        }
    } while (!__atomic_compare_exchange_n(word, &old, nw, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
    bool pass;
    switch (cmp) {
    case 0: pass = old == cmparg; break;
    case 1: pass = old != cmparg; break;
    case 2: pass = (int32_t)old < (int32_t)cmparg; break;
    case 3: pass = (int32_t)old <= (int32_t)cmparg; break;
    case 4: pass = (int32_t)old > (int32_t)cmparg; break;
    case 5: pass = (int32_t)old >= (int32_t)cmparg; break;
    default: return -LX_ENOSYS;
    }
    int64_t r = futex_wake(lp, addr, FUTEX_BITSET_ANY, n);
    return r + (pass ? futex_wake(lp, addr2, FUTEX_BITSET_ANY, m) : 0);
}

/* ---- robust futexes: the locks a thread holds when it dies ----------------------------------- */

#define FUTEX_WAITERS       0x80000000u
#define FUTEX_OWNER_DIED    0x40000000u
#define FUTEX_TID_MASK      0x3fffffffu
#define ROBUST_LIST_LIMIT   2048        /* entries walked at most, as Linux (a loop in the list ends) */

/* set_robust_list: where the calling thread's list head is (glibc registers one per thread). */
int64_t lx_set_robust_list(struct linux_proc *lp, struct utcb_exc *x)
{
    if (x->rsi != sizeof(struct lx_robust_list_head))  /* 24 on x86-64 */
        return -LX_EINVAL;
    lx_self(lp)->robust_list = x->rdi;
    return 0;
}

/* get_robust_list(tid, *head, *len): a thread of the caller's process (0: the caller); others -ESRCH. */
int64_t lx_get_robust_list(struct linux_proc *lp, struct utcb_exc *x)
{
    struct lx_task *t = x->rdi ? lx_task_find(x->rdi) : lx_self(lp);
    if (x->rdi == lp->main.tid)
        t = &lp->main;
    if (!t || t->lp != lp)
        return -LX_ESRCH;
    uint64_t len = sizeof(struct lx_robust_list_head);
    if (!proc_write(lp->p, x->rsi, &t->robust_list, sizeof t->robust_list) ||
        !proc_write(lp->p, x->rdx, &len, sizeof len))
        return -LX_EFAULT;
    return 0;
}

/*
 * One lock of a dying thread t: if t owns the word (its tid in the low 30 bits), it becomes
 * FUTEX_OWNER_DIED (FUTEX_WAITERS kept) and one waiter wakes; the next locker gets EOWNERDEAD.
 * `pending`: the lock t was taking or releasing (list_op_pending): a free word wakes a waiter
 * too, one that may have missed its wake-up. Priority-inheritance locks (bit 0 of the entry)
 * are skipped: PI futexes are -ENOSYS.
 */
static void futex_owner_died(struct linux_proc *lp, struct lx_task *t, uint64_t addr, bool pending)
{
    uint32_t *word = futex_word(lp, addr);
    if (!word)
        return;
    uint32_t cur = __atomic_load_n(word, __ATOMIC_SEQ_CST);
    for (;;) {
        if (pending && !cur) {
            futex_wake(lp, addr, FUTEX_BITSET_ANY, 1);
            return;
        }
        if ((cur & FUTEX_TID_MASK) != (uint32_t)t->tid)
            return;
        uint32_t died = (cur & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
        if (__atomic_compare_exchange_n(word, &cur, died, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
            break;
    }
    if (cur & FUTEX_WAITERS)
        futex_wake(lp, addr, FUTEX_BITSET_ANY, 1);
}

/*
 * Thread t ends: the locks on its robust list (struct robust_list_head: the list's first entry,
 * the offset from an entry to its futex word, the entry in flight) are marked as their owner's
 * death, as Linux's exit does; a list that cannot be read ends the walk, as there.
 */
static void robust_list_release(struct linux_proc *lp, struct lx_task *t)
{
    struct lx_robust_list_head head;
    if (!t->robust_list || !proc_read(lp->p, &head, t->robust_list, sizeof head))
        return;
    uint64_t entry = head.list, pending = head.list_op_pending;
    for (unsigned n = 0; entry != t->robust_list && n < ROBUST_LIST_LIMIT; n++) {
        uint64_t next;
        bool readable = proc_read(lp->p, &next, entry & ~1UL, sizeof next);
        if (entry != pending && !(entry & 1))
            futex_owner_died(lp, t, (entry & ~1UL) + (uint64_t)head.futex_offset, false);
        if (!readable)
            return;
        entry = next;
    }
    if (pending && !(pending & 1))
        futex_owner_died(lp, t, pending + (uint64_t)head.futex_offset, true);
}

/*
 * futex(uaddr, op, val, timeout/val2, uaddr2, val3). WAIT's timeout is relative (CLOCK_MONOTONIC),
 * WAIT_BITSET's absolute (FUTEX_CLOCK_REALTIME: on the real-time clock). Priority inheritance:
 * -ENOSYS (glibc uses it only for PI mutexes a program asks for).
 */
int64_t lx_futex(struct linux_proc *lp, struct utcb_exc *x)
{
    uint64_t addr = x->rdi, addr2 = x->r8;
    unsigned op = (unsigned)x->rsi & ~(unsigned)(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
    bool realtime = x->rsi & FUTEX_CLOCK_REALTIME;
    uint32_t val = (uint32_t)x->rdx, val3 = (uint32_t)x->r9;
    uint64_t deadline = 0;
    int64_t r;
    switch (op) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET:
        if (op == FUTEX_WAIT_BITSET && !val3)
            return -LX_EINVAL;
        if (x->r10 && (r = lx_futex_deadline(lp, x->r10, op == FUTEX_WAIT_BITSET, realtime, &deadline)))
            return r;
        return futex_wait(lp, addr, val, op == FUTEX_WAIT ? FUTEX_BITSET_ANY : val3, deadline);
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET:
        if (op == FUTEX_WAKE_BITSET && !val3)
            return -LX_EINVAL;
        return futex_wake(lp, addr, op == FUTEX_WAKE ? FUTEX_BITSET_ANY : val3, (int32_t)val);
    case FUTEX_REQUEUE:
    case FUTEX_CMP_REQUEUE:
        if (op == FUTEX_CMP_REQUEUE) {
            uint32_t cur;
            if (!proc_read(lp->p, &cur, addr, sizeof cur))
                return -LX_EFAULT;
            if (cur != val3)
                return -LX_EAGAIN;
        }
        return futex_requeue(lp, addr, (int32_t)val, addr2, (int32_t)x->r10);
    case FUTEX_WAKE_OP:
        return futex_wake_op(lp, addr, (int32_t)val, addr2, (int32_t)x->r10, val3);
    default:
        return -LX_ENOSYS;                           /* priority inheritance (LOCK_PI ...), FD */
    }
}
