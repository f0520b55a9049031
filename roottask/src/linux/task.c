// SPDX-License-Identifier: MIT
/* src/linux/task.c — the process itself: exit, ids, the thread pointer (arch_prctl), tid address, prctl. */
#include <string.h>
#include "facet/lab.h"
#include "linux/linux.h"
#include "fs/fs.h"
#include <stdio.h>

/* ---- waiting ---------------------------------------------------------------------- */

static sel_t wait_sms[PROC_MAX];
static void reaper_init(void);

/* The semaphores processes sleep on, one per slot, made on the main thread before any process. */
void lx_wait_init(void)
{
    reaper_init();
    lx_thread_init();
    for (unsigned i = 0; i < PROC_MAX; i++)
        if (!wait_sms[i]) {
            sel_t s = fc_sel_alloc(1);
            if (fc_create_sm(s, SEL_ROOT_PD, 0) == SUCCESS)
                wait_sms[i] = s;
        }
}

sel_t lx_wait_sm(unsigned slot)
{
    sel_t s = wait_sms[slot % PROC_MAX];
    while (fc_sm_down(s, 1) == SUCCESS)              /* ups the slot's last process did not need */
        ;
    return s;
}

/*
 * The waiter says it waits before it looks (at a pipe, its children, its signals); a waker
 * changes what it looks at before it reads `waiting`. Both orders are fenced, so one of them
 * sees the other: the waiter sees the change, or the waker sees `waiting` and ups. An up that
 * comes before the down is kept (the semaphore counts); an up nobody needed only makes the
 * next sleep look again.
 */
void lx_wait_begin(struct linux_proc *lp)
{
    __atomic_store_n(&lx_self(lp)->waiting, 1, __ATOMIC_SEQ_CST);
}

void lx_wait_end(struct linux_proc *lp)
{
    __atomic_store_n(&lx_self(lp)->waiting, 0, __ATOMIC_SEQ_CST);
}

unsigned lx_sleep(struct linux_proc *lp, uint64_t deadline)
{
    return proc_block(lp->p, lx_self(lp)->wake_sm, deadline);   /* never returns if it is torn down meanwhile */
}

/* One thread, if it waits. */
void lx_task_wake(struct lx_task *t)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (__atomic_load_n(&t->waiting, __ATOMIC_SEQ_CST))
        fc_sm_up(t->wake_sm);
}

/* Every thread of lp that waits: each looks again at what it waits for. */
void lx_wake(struct linux_proc *lp)
{
    unsigned i = 0;
    struct lx_task *t;
    while ((t = lx_task_next(lp, &i)))
        lx_task_wake(t);
}

/* ---- processes: fork, wait4 ---------------------------------------------------------- */

#define CSIGNAL              0x000000ff
#define CLONE_VM             0x00000100
#define CLONE_VFORK          0x00004000
#define CLONE_PARENT_SETTID  0x00100000
#define CLONE_CHILD_CLEARTID 0x00200000
#define CLONE_CHILD_SETTID   0x01000000
#define WNOHANG              1

/* The Linux processes (running, or ended and not waited for yet) from *slot on, one after the other. */
struct linux_proc *lx_next(unsigned *slot)
{
    for (; *slot < PROC_MAX; (*slot)++) {
        struct proc *c = proc_at(*slot);
        if (c->state != PROC_FREE && c->pstate && c->personality == linux_syscall)
            return lx_of(proc_at((*slot)++));
    }
    return NULL;
}

struct linux_proc *lx_find(int64_t pid)
{
    unsigned slot = 0;
    struct linux_proc *c;
    while ((c = lx_next(&slot)))
        if (c->p->id == (uint64_t)pid)
            return c;
    return NULL;
}

/* The children of lp, one after the other. */
static struct linux_proc *child_next(struct linux_proc *lp, unsigned *slot)
{
    struct linux_proc *c;
    while ((c = lx_next(slot)))
        if (c->parent == lp)
            return c;
    return NULL;
}

/*
 * fork: a copy of the process (its pages shared until written: copy-on-write), its descriptors shared
 * with it (dup's way), its working directory and umask, signal state, break and mappings; the child
 * starts where the parent is, with 0 in rax. The child's pid, or -EAGAIN (no slot, no memory).
 */
static int64_t fork_as(struct linux_proc *lp, struct utcb_exc *x, uint64_t flags, uint64_t stack, uint64_t ptid,
                       uint64_t ctid)
{
    const void *fpu = lx_clone_fpu(lp, x);
    if (!fpu)
        return -LX_ERESTARTNOINTR;                   /* again, with the FPU image, after a recall */
    struct utcb_exc state = *x;
    state.rax = 0;
    if (stack)
        state.rsp = stack;                           /* clone's child stack */
    struct proc *c = proc_fork(lp->p, &state, fpu);
    if (!c)
        return -LX_EAGAIN;
    struct linux_proc *clp = lx_proc_new(c);
    clp->parent = lp;
    clp->pgid = lp->pgid;
    clp->sid = lp->sid;
    clp->nice = lp->nice;
    for (unsigned fd = 0; fd < LX_MAX_FDS; fd++)
        if (lp->fd[fd]) {
            lx_file_hold(lp->fd[fd]);
            clp->fd[fd] = lp->fd[fd];
        }
    memcpy(clp->cloexec, lp->cloexec, sizeof clp->cloexec);
    fs_lock();
    if (lp->cwd)
        fs_hold(lp->cwd);
    fs_unlock();
    clp->cwd = lp->cwd;
    clp->umask = lp->umask;
    clp->brk_start = lp->brk_start;
    clp->brk = lp->brk;
    clp->mmap_next = lp->mmap_next;
    clp->main.sigmask = lx_self(lp)->sigmask;
    memcpy(clp->sigaction, lp->sigaction, sizeof clp->sigaction);
    clp->main.altstack_sp = lx_self(lp)->altstack_sp;
    clp->main.altstack_size = lx_self(lp)->altstack_size;
    memcpy(clp->exe, lp->exe, sizeof clp->exe);
    uint32_t tid = c->id;
    if (flags & CLONE_CHILD_SETTID)
        proc_write(c, ctid, &tid, sizeof tid);
    if (flags & CLONE_CHILD_CLEARTID)
        clp->main.clear_child_tid = ctid;
    if (flags & CLONE_PARENT_SETTID)
        proc_write(lp->p, ptid, &tid, sizeof tid);
    if (flags & CLONE_VFORK)
        clp->vfork_parent = lp;
    if (proc_start(c, PROC_PRIO) != SUCCESS) {
        proc_destroy(c);
        return -LX_EAGAIN;
    }
    int64_t id = c->id;
    if (flags & CLONE_VFORK) {                       /* until the child execs or ends (not a signal) */
        lx_wait_begin(lp);
        while (__atomic_load_n(&clp->vfork_parent, __ATOMIC_SEQ_CST))
            lx_sleep(lp, 0);
        lx_wait_end(lp);
    }
    return id;
}

void lx_vfork_release(struct linux_proc *lp)
{
    struct linux_proc *parent = __atomic_exchange_n(&lp->vfork_parent, NULL, __ATOMIC_SEQ_CST);
    if (parent)
        lx_wake(parent);
}

int64_t lx_fork(struct linux_proc *lp, struct utcb_exc *x)
{
    return fork_as(lp, x, 0, 0, 0, 0);
}

/* vfork: a copy (copy-on-write) rather than the parent's memory itself, but the parent waits
 * until the child has exec'ed or ended, as on Linux. */
int64_t lx_vfork(struct linux_proc *lp, struct utcb_exc *x)
{
    return fork_as(lp, x, CLONE_VFORK, 0, 0, 0);
}

/*
 * clone with fork's flags (glibc's fork: SIGCHLD and the tid words), or vfork's (glibc's
 * posix_spawn, system, popen: CLONE_VM | CLONE_VFORK with a stack of its own: the child gets
 * a copy of the memory, not the memory itself, so what it writes before its execve stays its
 * own); with CLONE_THREAD a thread (thread.c).
 */
int64_t lx_clone(struct linux_proc *lp, struct utcb_exc *x)
{
    if (x->rdi & 0x00010000)                         /* CLONE_THREAD */
        return lx_clone_thread(lp, x);
    uint64_t flags = x->rdi, allowed = CSIGNAL | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID;
    bool vfork = (flags & (CLONE_VM | CLONE_VFORK)) == (CLONE_VM | CLONE_VFORK);
    if (vfork)
        allowed |= CLONE_VM | CLONE_VFORK;
    if ((flags & ~allowed) || (x->rsi && !vfork)) {
        printf("[linux] process %u (%s): clone with flags %#lx is not supported: -ENOSYS\n",
               lp->p->id, lp->p->name, flags);
        return -LX_ENOSYS;
    }
    return fork_as(lp, x, flags, x->rsi, x->rdx, x->r10);
}

/* What wait4 reports of an ended child: exit status << 8, or the signal that ended it. */
static uint32_t wait_status(struct linux_proc *c)
{
    return c->p->state == PROC_FAULTED ? (uint32_t)(c->term_signal & 0x7f) : (uint32_t)((c->p->status & 0xff) << 8);
}

/* Does wait4's pid (> 0: that child, -1: any, 0: the caller's group, < -1: group -pid) take c? */
static bool wait_takes(struct linux_proc *lp, struct linux_proc *c, int64_t pid)
{
    return pid > 0 ? c->p->id == (uint64_t)pid : pid == -1 ? true : c->pgid == (pid ? -pid : lp->pgid);
}

/* One ended child that pid names reported (status, rusage) and gone: its pid; 0: none has
 * ended yet; -ECHILD: there is no such child. */
static int64_t wait_reap(struct linux_proc *lp, int64_t pid, uint64_t status_va, uint64_t rusage)
{
    bool any = false;
    unsigned slot = 0;
    struct linux_proc *c;
    while ((c = child_next(lp, &slot))) {
        if (!wait_takes(lp, c, pid))
            continue;
        any = true;
        if (c->p->state == PROC_RUNNING || !__atomic_load_n(&c->end_told, __ATOMIC_ACQUIRE))
            continue;                                /* running, or its end not told yet */
        uint32_t st = wait_status(c);
        int64_t id = c->p->id;
        if (status_va && !proc_write(lp->p, status_va, &st, sizeof st))
            return -LX_EFAULT;
        if (rusage)
            lx_rusage_put(lp, c, -2 /* RUSAGE_BOTH: its own and its children's */, rusage);
        lx_rusage_reaped(lp, c);
        c->parent = NULL;
        proc_destroy(c->p);
        return id;
    }
    return any ? 0 : -LX_ECHILD;
}

/*
 * wait4: an ended child is reported and goes; none ended yet: wait (WNOHANG: 0), blocking
 * only this process, until one ends (its SIGCHLD wakes us) or a signal interrupts.
 */
int64_t lx_wait4(struct linux_proc *lp, struct utcb_exc *x)
{
    int64_t pid = (int32_t)x->rdi;
    uint64_t status_va = x->rsi, options = x->rdx, rusage = x->r10;
    if (options & ~(uint64_t)(WNOHANG | 0x2 | 0x8 | 0x01000000 | 0x40000000 | 0x80000000))
        return -LX_EINVAL;
    int64_t r;
    lx_wait_begin(lp);
    while (!(r = wait_reap(lp, pid, status_va, rusage)) && !(options & WNOHANG)) {
        if (lx_signal_interrupts(lp)) {
            /* The child that ended after our look sent the SIGCHLD we see: it is reported
             * (its end is told before its signal), as Linux's wait after the wake-up. */
            r = wait_reap(lp, pid, status_va, rusage);
            r = r ? r : -LX_ERESTARTSYS;
            break;
        }
        lx_sleep(lp, 0);
    }
    lx_wait_end(lp);
    return r;
}

/*
 * Orphans. On Linux init adopts the children of a process that ends; here a reaper thread
 * does: they run on (busybox timeout's watcher outlives the process that made it), and when
 * one ends, the reaper takes it (proc_destroy) as a parent's wait4 would. Its end is told
 * either way: linux_ended sets end_told, then looks for a parent, and lx_reap_children clears
 * the parent, then wakes the reaper; one of the two sees the other.
 */
static sel_t reaper_sm;
#define REAPER_PRIO PROC_PRIO    /* the handlers': proc_destroy takes the file system's spin lock */

static void reaper_thread(void *arg)
{
    (void)arg;
    for (;;) {
        fc_sm_down(reaper_sm, 0);
        unsigned slot = 0;
        struct linux_proc *c;
        while ((c = lx_next(&slot)))
            if (__atomic_load_n(&c->orphan, __ATOMIC_SEQ_CST) && c->p->state != PROC_RUNNING &&
                __atomic_load_n(&c->end_told, __ATOMIC_SEQ_CST))
                proc_destroy(c->p);
    }
}

static void reaper_init(void)
{
    if (reaper_sm)
        return;
    sel_t s = fc_sel_alloc(1);
    if (fc_create_sm(s, SEL_ROOT_PD, 0) != SUCCESS ||
        fc_thread_create(fc_hip->num_cpus - 1, REAPER_PRIO, reaper_thread, NULL, NULL) != SUCCESS) {
        printf("[linux] no reaper thread: orphans that end keep their slots\n");
        return;
    }
    reaper_sm = s;
}

void lx_orphan_ended(void)
{
    if (reaper_sm)
        fc_sm_up(reaper_sm);
}

void lx_reap_children(struct linux_proc *lp)
{
    unsigned slot = 0;
    struct linux_proc *c;
    while ((c = child_next(lp, &slot))) {
        if (c->p->state != PROC_RUNNING && __atomic_load_n(&c->end_told, __ATOMIC_SEQ_CST)) {
            c->parent = NULL;                        /* a zombie: it goes now */
            proc_destroy(c->p);
            continue;
        }
        __atomic_store_n(&c->orphan, true, __ATOMIC_SEQ_CST);
        __atomic_store_n(&c->parent, NULL, __ATOMIC_SEQ_CST);
        lx_orphan_ended();                           /* in case it ended meanwhile */
    }
}

/* getpid: the process's id (its first thread's tid); gettid: the calling thread's. */
int64_t lx_getpid(struct linux_proc *lp, struct utcb_exc *x)
{
    (void)x;
    return lp->p->id;
}

int64_t lx_gettid(struct linux_proc *lp, struct utcb_exc *x)
{
    (void)x;
    return (int64_t)lx_self(lp)->tid;
}

/* The parent: the process that forked it, or the roottask, outside the process's world: 0, as
 * Linux reports a parent in another PID namespace. */
int64_t lx_getppid(struct linux_proc *lp, struct utcb_exc *x)
{
    (void)x;
    return lp->parent ? (int64_t)lp->parent->p->id : 0;
}

/* ---- process groups and sessions ---------------------------------------------------- */

int lx_pgrp_session(int pgid)
{
    unsigned slot = 0;
    struct linux_proc *c;
    while ((c = lx_next(&slot)))
        if (c->pgid == pgid)
            return c->sid;
    return 0;
}

/* The process pid names (0: the caller), or NULL. */
static struct linux_proc *self_or(struct linux_proc *lp, int64_t pid)
{
    return pid == 0 ? lp : lx_find(pid);
}

/*
 * setpgid: the caller or a child of it (in its session, not after its execve) into group pgid
 * (0: its own pid's), which must be its own pid or a group of the caller's session; a session
 * leader stays in its group. Linux's errors, in Linux's order.
 */
int64_t lx_setpgid(struct linux_proc *lp, struct utcb_exc *x)
{
    int64_t pid = (int32_t)x->rdi, pgid = (int32_t)x->rsi;
    if (pgid < 0)
        return -LX_EINVAL;
    struct linux_proc *t = self_or(lp, pid);
    if (!t)
        return -LX_ESRCH;
    if (t->parent == lp) {
        if (t->sid != lp->sid)
            return -LX_EPERM;
        if (t->execed)
            return -LX_EACCES;
    } else if (t != lp) {
        return -LX_ESRCH;
    }
    if (t->sid == (int)t->p->id)
        return -LX_EPERM;
    pid = t->p->id;
    if (!pgid)
        pgid = pid;
    if (pgid != pid && lx_pgrp_session((int)pgid) != lp->sid)
        return -LX_EPERM;
    t->pgid = (int)pgid;
    return 0;
}

int64_t lx_getpgid(struct linux_proc *lp, struct utcb_exc *x)
{
    struct linux_proc *t = self_or(lp, (int32_t)x->rdi);
    return t ? t->pgid : -LX_ESRCH;
}

int64_t lx_getpgrp(struct linux_proc *lp, struct utcb_exc *x)
{
    (void)x;
    return lp->pgid;
}

/* setsid: a new session and group, both the caller's pid (it leaves its controlling terminal:
 * the console is its old session's); -EPERM if a group of that id exists (it leads one). */
int64_t lx_setsid(struct linux_proc *lp, struct utcb_exc *x)
{
    (void)x;
    int pid = (int)lp->p->id;
    if (lx_pgrp_session(pid))
        return -LX_EPERM;
    lp->sid = lp->pgid = pid;
    return pid;
}

int64_t lx_getsid(struct linux_proc *lp, struct utcb_exc *x)
{
    struct linux_proc *t = self_or(lp, (int32_t)x->rdi);
    return t ? t->sid : -LX_ESRCH;
}

#define PRIO_PROCESS 0
#define PRIO_PGRP    1
#define PRIO_USER    2

/* Does setpriority's or getpriority's (which, who) name t? Every process is root's (PRIO_USER). */
static bool prio_names(struct linux_proc *lp, struct linux_proc *t, int which, int64_t who)
{
    if (which == PRIO_PROCESS)
        return t->p->id == (uint64_t)(who ? who : (int64_t)lp->p->id);
    if (which == PRIO_PGRP)
        return t->pgid == (who ? who : lp->pgid);
    return who == 0;
}

/* getpriority and setpriority: the nice value of the processes (which, who) names, which the
 * scheduler does not look at; get: the highest priority of them as Linux reports it, 20 - nice. */
static int64_t priority(struct linux_proc *lp, struct utcb_exc *x, bool set)
{
    int which = (int)(int32_t)x->rdi;
    int64_t who = (int32_t)x->rsi, nice = (int32_t)x->rdx, best = -1;
    if (which < PRIO_PROCESS || which > PRIO_USER)
        return -LX_EINVAL;
    nice = nice < -20 ? -20 : nice > 19 ? 19 : nice;
    unsigned slot = 0;
    struct linux_proc *t;
    while ((t = lx_next(&slot)))
        if (prio_names(lp, t, which, who)) {
            if (set)
                t->nice = (int)nice;
            best = 20 - t->nice > best ? 20 - t->nice : best;
        }
    return best < 0 ? -LX_ESRCH : set ? 0 : best;
}

int64_t lx_getpriority(struct linux_proc *lp, struct utcb_exc *x)
{
    return priority(lp, x, false);
}

int64_t lx_setpriority(struct linux_proc *lp, struct utcb_exc *x)
{
    return priority(lp, x, true);
}

/* getuid, getgid, geteuid, getegid: the caller is root. */
int64_t lx_getuid(struct linux_proc *lp, struct utcb_exc *x)
{
    (void)lp;
    (void)x;
    return 0;
}

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

/* The thread pointer lives in the FS base: the reply writes it back (the portal's MTD has FS_GS). */
int64_t lx_arch_prctl(struct linux_proc *lp, struct utcb_exc *x)
{
    /* LAB linux-emulation BEGIN: ARCH_SET_FS/SET_GS: a user-half address into the reply's FS/GS base; GET_FS/GET_GS: write it to the process (docs: labs/5-linux-emulation/README.md#thread-pointer) */
    uint64_t addr = x->rsi;
    bool user = addr < 0x0000800000000000UL;         /* the lower, user half: Linux's TASK_SIZE */
    switch ((uint32_t)x->rdi) {                      /* the code is an int */
    case ARCH_SET_FS:
        if (!user)
            return -LX_EPERM;
        x->fs_base = addr;
        return 0;
    case ARCH_SET_GS:
        if (!user)
            return -LX_EPERM;
        x->gs_base = addr;
        return 0;
    case ARCH_GET_FS:
        return proc_write(lp->p, addr, &x->fs_base, 8) ? 0 : -LX_EFAULT;
    case ARCH_GET_GS:
        return proc_write(lp->p, addr, &x->gs_base, 8) ? 0 : -LX_EFAULT;
    default:
        return -LX_EINVAL;
    }
    //@ (void)lp;
    //@ (void)x;
    //@ LAB_TODO("linux-emulation: arch_prctl, the thread pointer (lx_arch_prctl)");
    //@ return -LX_ENOSYS;
    /* LAB linux-emulation END */
}

/* set_tid_address: where the caller's thread id is cleared (and a futex woken) when it ends; its tid. */
int64_t lx_set_tid_address(struct linux_proc *lp, struct utcb_exc *x)
{
    struct lx_task *self = lx_self(lp);
    self->clear_child_tid = x->rdi;
    return (int64_t)self->tid;
}

#define PR_SET_NAME 15
#define PR_GET_NAME 16

/* prctl: the name (the program's, at most 15 bytes and a NUL); setting it is accepted. */
int64_t lx_prctl(struct linux_proc *lp, struct utcb_exc *x)
{
    if (x->rdi == PR_GET_NAME) {
        char name[16] = { 0 };
        memcpy(name, lp->p->name, strlen(lp->p->name) < 15 ? strlen(lp->p->name) : 15);
        return proc_write(lp->p, x->rsi, name, sizeof name) ? 0 : -LX_EFAULT;
    }
    return x->rdi == PR_SET_NAME ? 0 : -LX_EINVAL;
}
