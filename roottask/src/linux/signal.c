// SPDX-License-Identifier: MIT
/* src/linux/signal.c — signals: their state, sending (kill, tgkill, SIGPIPE, SIGCHLD), delivery, rt_sigreturn. */
#include <string.h>
#include "linux/linux.h"

/*
 * A signal sent to a process is pending until the process next returns from a syscall, or,
 * if it runs its own code, until the recall the sender makes brings it into the kernel; then
 * the lowest pending unblocked one is delivered: ignored, its default action (most end the
 * process), or its handler, on a Linux rt_sigframe on the process's stack (or the alternate
 * stack with SA_ONSTACK), returning through sa_restorer to rt_sigreturn. A call that blocks
 * stops for a signal that is not ignored (lx_signal_interrupts) with an -ERESTART* code, which
 * the delivery turns into -EINTR or the call again (SA_RESTART). A fault goes to its signal's
 * handler at once (lx_signal_fault), with si_addr and the trap number.
 *
 * The frame holds the FPU/SSE state too (FXSAVE's 512 bytes, 64-aligned above the frame,
 * uc_mcontext.fpstate pointing at it), and the handler starts with a fresh one, as on Linux;
 * rt_sigreturn loads it back. The kernel gives the FPU image with a message whose portal asks
 * for it (MTD_FPU): a process's recall and fault portals do, its syscall portal does not (512
 * bytes per call). So a handler's frame due on a syscall's way back is made at a recall: the
 * call's outcome is settled now (-EINTR or the call again), the signal stays pending, and the
 * thread is recalled, which brings it back before its next instruction with its FPU state.
 */
#define SIGKILL 9
#define SIGPIPE 13
#define SIGCHLD 17
#define SIGSTOP 19
#define SIG_BLOCK   0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2
#define SIGALRM 14
_Static_assert(UNBLOCKABLE == ((1UL << (SIGKILL - 1)) | (1UL << (SIGSTOP - 1))), "linux.h: SIGKILL and SIGSTOP");

/* rt_sigaction: a signal's handler, flags, restorer and mask; the old one read back first. */
int64_t lx_rt_sigaction(struct linux_proc *lp, struct utcb_exc *x)
{
    uint64_t sig = x->rdi, act = x->rsi, old = x->rdx;
    if (x->r10 != sizeof ((struct lx_sigaction *)0)->sa_mask)
        return -LX_EINVAL;                           /* sizeof(sigset_t) in the kernel ABI: 8 */
    if (sig < 1 || sig > 64 || (act && (sig == SIGKILL || sig == SIGSTOP)))
        return -LX_EINVAL;
    struct lx_sigaction a, *slot = &lp->sigaction[sig - 1];
    if (act && !proc_read(lp->p, &a, act, sizeof a))
        return -LX_EFAULT;
    if (old && !proc_write(lp->p, old, slot, sizeof *slot))
        return -LX_EFAULT;
    if (act) {
        a.sa_mask &= ~UNBLOCKABLE;
        *slot = a;
    }
    return 0;
}

/* rt_sigprocmask: block, unblock or set the mask (SIGKILL and SIGSTOP stay unblocked). */
int64_t lx_rt_sigprocmask(struct linux_proc *lp, struct utcb_exc *x)
{
    uint64_t how = x->rdi, set = x->rsi, old = x->rdx, mask;
    if (x->r10 != 8 || (set && how > SIG_SETMASK))
        return -LX_EINVAL;
    if (set && !proc_read(lp->p, &mask, set, sizeof mask))
        return -LX_EFAULT;
    if (old && !proc_write(lp->p, old, &lx_self(lp)->sigmask, sizeof lx_self(lp)->sigmask))
        return -LX_EFAULT;
    if (set) {
        mask &= ~UNBLOCKABLE;
        lx_self(lp)->sigmask = how == SIG_BLOCK ? lx_self(lp)->sigmask | mask : how == SIG_UNBLOCK ? lx_self(lp)->sigmask & ~mask : mask;
    }
    return 0;
}

#define SS_DISABLE  2
#define MINSIGSTKSZ 2048

/* sigaltstack: the alternate stack kept as given, or disabled; the old one read back first. */
int64_t lx_sigaltstack(struct linux_proc *lp, struct utcb_exc *x)
{
    struct lx_sigaltstack ss;
    if (x->rdi && !proc_read(lp->p, &ss, x->rdi, sizeof ss))
        return -LX_EFAULT;
    if (x->rdi) {
        uint32_t flags = (uint32_t)ss.ss_flags;
        if (flags & ~(uint32_t)SS_DISABLE)
            return -LX_EINVAL;
        if (!(flags & SS_DISABLE) && ss.ss_size < MINSIGSTKSZ)
            return -LX_ENOMEM;
    }
    if (x->rsi) {
        struct lx_sigaltstack cur = {
            .ss_sp = lx_self(lp)->altstack_sp,
            .ss_flags = lx_self(lp)->altstack_size ? 0 : SS_DISABLE,
            .pad = 0,
            .ss_size = lx_self(lp)->altstack_size,
        };
        if (!proc_write(lp->p, x->rsi, &cur, sizeof cur))
            return -LX_EFAULT;
    }
    if (x->rdi) {
        bool off = (uint32_t)ss.ss_flags & SS_DISABLE;
        lx_self(lp)->altstack_sp = off ? 0 : ss.ss_sp;
        lx_self(lp)->altstack_size = off ? 0 : ss.ss_size;
    }
    return 0;
}


#define SIG_DFL       0
#define SIG_IGN       1
#define SA_ONSTACK    0x08000000
#define SA_RESETHAND  0x80000000
#define SA_NODEFER    0x40000000
#define SA_RESTART    0x10000000
#define SI_USER       0
#define SI_KERNEL     0x80                   /* what an ITIMER_REAL's SIGALRM says */
#define USER_CS       0x33                   /* what Linux's frame says of the user's segments */
#define USER_SS       0x2b
#define RFLAGS_TF_DF  0x500                  /* a handler starts with neither */

/* The default action: SIGCHLD, SIGURG, SIGWINCH and SIGCONT are ignored, and (no job control)
 * so are the stop signals; every other signal ends the process. */
static bool default_ignores(int sig)
{
    return sig == SIGCHLD || sig == 23 || sig == 28 || (sig >= 18 && sig <= 22);
}

/* Is sig ignored by lp (its handler SIG_IGN, or the default that ignores it)? */
static bool ignores(const struct linux_proc *lp, int sig)
{
    uint64_t h = lp->sigaction[sig - 1].sa_handler;
    return h == SIG_IGN || (h == SIG_DFL && default_ignores(sig));
}

/* The signals pending for the calling thread: sent to it, or to its process. */
static uint64_t pending_of(struct linux_proc *lp) { return lx_signal_pending(lp, lx_self(lp)); }

/* lx_call_mask_done for thread t. */
static int64_t mask_done(struct lx_task *t, int64_t r)
{
    if (r != -LX_ERESTARTNOHAND && t->restore_mask) {
        t->sigmask = t->saved_mask;
        t->restore_mask = false;
    }
    return r;
}

/* sig is taken: from the thread's own, or else the process's pending set. */
static void pending_take(struct linux_proc *lp, int sig)
{
    uint64_t bit = 1UL << (sig - 1);
    struct lx_task *t = lx_self(lp);
    if (__atomic_load_n(&t->pending, __ATOMIC_SEQ_CST) & bit)
        __atomic_and_fetch(&t->pending, ~bit, __ATOMIC_SEQ_CST);
    else
        __atomic_and_fetch(&lp->pending, ~bit, __ATOMIC_SEQ_CST);
}

bool lx_signal_interrupts(struct linux_proc *lp)
{
    uint64_t ready = lx_signal_ready(lp, lx_self(lp));
    for (; ready; ready &= ready - 1)
        if (!ignores(lp, __builtin_ctzl(ready) + 1))
            return true;
    return false;
}

/*
 * Pending first, then the wake-up of a call it blocks in (lx_wake: after the pending bit, so
 * its check cannot miss it), then, sent by another, a recall: running its own code, it comes
 * into the kernel and its recall delivers (linux_recalled). A process sending to itself gets
 * it on its syscall's way back.
 */
void lx_signal_send(struct linux_proc *lp, int sig, int from_pid)
{
    if (sig < 1 || sig > 64)
        return;
    __atomic_or_fetch(&lp->pending, 1UL << (sig - 1), __ATOMIC_SEQ_CST);
    lx_wake(lp);
    if (from_pid != (int)lp->p->id || lp->p->nthreads) {    /* whichever thread comes first takes it */
        proc_recall(lp->p);
        proc_threads_recall(lp->p);
    }
}

/* The same for one thread (tgkill): only it takes the signal. */
static void thread_send(struct lx_task *t, int sig)
{
    __atomic_or_fetch(&t->pending, 1UL << (sig - 1), __ATOMIC_SEQ_CST);
    lx_task_wake(t);
    if (t == &t->lp->main)
        proc_recall(t->lp->p);
    else
        proc_threads_recall(t->lp->p);
}

/* The console's ISIG characters (Ctrl-C: SIGINT, Ctrl-\: SIGQUIT): to its foreground group. */
void lx_console_signal(int sig)
{
    int pgrp = lx_console_foreground();
    unsigned slot = 0;
    struct linux_proc *t;
    while ((t = lx_next(&slot)))
        if (t->pgid == pgrp)
            lx_signal_send(t, sig, 0);
}

/* The process ends by sig (its parent's wait4 says so). Does not return. */
static void die_by(struct linux_proc *lp, int sig)
{
    lp->term_signal = sig;
    linux_flush(lp);
    lx_close_all(lp);
    proc_exit_signaled(lp->p, (unsigned)sig);        /* its parent hears of it (linux_ended) */
}

static void enter_handler(struct linux_proc *lp, struct utcb_exc *x, int sig, const struct lx_siginfo *info,
                          uint64_t trapno, uint64_t err, uint64_t cr2);

#define FX_SW_BYTES  464                 /* an FXSAVE image's software bytes: Linux's fpx_sw_bytes, for XSAVE frames only */

void lx_fpu_fresh(struct utcb_exc *x)
{
    utcb_fpu_fresh(lx_fpu_image(x));
    x->mtd |= MTD_FPU;
}

const void *lx_clone_fpu(struct linux_proc *lp, const struct utcb_exc *x)
{
    struct lx_task *self = lx_self(lp);
    if (self->clone_fpu_kept == x->rip) {            /* kept at the recall for this very call */
        self->clone_fpu_kept = 0;
        return self->clone_fpu;
    }
    self->clone_fpu_want = x->rip;
    proc_recall_self(lp->p);
    return NULL;
}

void lx_clone_fpu_keep(struct linux_proc *lp, struct utcb_exc *x)
{
    struct lx_task *self = lx_self(lp);
    if (!self->clone_fpu_want || !(x->mtd & MTD_FPU))
        return;
    memcpy(self->clone_fpu, lx_fpu_image(x), UTCB_FPU_SIZE);
    self->clone_fpu_kept = self->clone_fpu_want;
    self->clone_fpu_want = 0;
}

/* The frame of sig for handler a, below sp (or on the alternate stack), the FPU image of the
 * message above it; the registers start the handler, with a fresh FPU state. */
static bool push_frame(struct linux_proc *lp, struct utcb_exc *x, int sig, const struct lx_sigaction *a,
                       const struct lx_siginfo *info, uint64_t trapno, uint64_t err, uint64_t cr2)
{
    uint64_t sp = x->rsp;
    bool on_alt = lx_self(lp)->altstack_size && sp - lx_self(lp)->altstack_sp < lx_self(lp)->altstack_size;
    if ((a->sa_flags & SA_ONSTACK) && lx_self(lp)->altstack_size && !on_alt)
        sp = lx_self(lp)->altstack_sp + lx_self(lp)->altstack_size;
    else
        sp -= 128;                                   /* the red zone below the interrupted code's rsp */
    uint64_t fpstate = (sp - UTCB_FPU_SIZE) & ~63UL;       /* as Linux's fpu__alloc_mathframe */
    uint8_t *image = lx_fpu_image(x);
    memset(image + FX_SW_BYTES, 0, UTCB_FPU_SIZE - FX_SW_BYTES);   /* no XSAVE magic: a legacy frame */
    if (!proc_write(lp->p, fpstate, image, UTCB_FPU_SIZE))
        return false;
    sp = fpstate - sizeof(struct lx_rt_sigframe);
    sp = ((sp + 8) & ~15UL) - 8;                     /* as if called: rsp + 8 is 16-aligned at the handler */
    struct lx_rt_sigframe f;
    memset(&f, 0, sizeof f);
    f.pretcode = a->sa_restorer;
    f.uc.uc_stack = (struct lx_sigaltstack){ lx_self(lp)->altstack_sp, lx_self(lp)->altstack_size ? (on_alt ? 1 : 0) : 2, 0,
                                             lx_self(lp)->altstack_size };
    struct lx_sigcontext *m = &f.uc.uc_mcontext;
    m->r8 = x->r8;   m->r9 = x->r9;   m->r10 = x->r10; m->r11 = x->r11;
    m->r12 = x->r12; m->r13 = x->r13; m->r14 = x->r14; m->r15 = x->r15;
    m->rdi = x->rdi; m->rsi = x->rsi; m->rbp = x->rbp; m->rbx = x->rbx;
    m->rdx = x->rdx; m->rax = x->rax; m->rcx = x->rcx; m->rsp = x->rsp;
    m->rip = x->rip;
    m->eflags = x->rflags;
    m->cs = USER_CS;
    m->ss = USER_SS;
    m->trapno = trapno;
    m->err = err;
    m->cr2 = cr2;
    m->fpstate = fpstate;
    m->oldmask = f.uc.uc_sigmask = lx_self(lp)->restore_mask ? lx_self(lp)->saved_mask : lx_self(lp)->sigmask;   /* sigsuspend's: the one before */
    f.info = *info;
    if (!proc_write(lp->p, sp, &f, sizeof f))
        return false;
    x->rip = a->sa_handler;
    x->rsp = sp;
    x->rdi = (uint64_t)sig;
    x->rsi = sp + offsetof(struct lx_rt_sigframe, info);
    x->rdx = sp + offsetof(struct lx_rt_sigframe, uc);
    x->rax = 0;
    x->rflags &= ~(uint64_t)RFLAGS_TF_DF;
    lx_fpu_fresh(x);
    return true;
}

/*
 * The outcome of syscall nr that a signal interrupted (an -ERESTART* code in rax), a is the
 * handler about to run (NULL: none ran): -EINTR, or the call again (rip back over the 2-byte
 * syscall, rax its number), where Linux restarts it; the handler's frame saves either.
 */
static bool syscall_restart(struct utcb_exc *x, int64_t nr, const struct lx_sigaction *a)
{
    if (!lx_restart_code(x, nr))
        return false;
    int64_t r = (int64_t)x->rax;
    bool again;
    if (r == -LX_ERESTARTSYS)
        again = !a || (a->sa_flags & SA_RESTART);
    else if (r == -LX_ERESTARTNOINTR)
        again = true;
    else
        again = !a;                                  /* NOHAND, RESTARTBLOCK: a handler means -EINTR */
    x->rax = again ? (uint64_t)nr : (uint64_t)-LX_EINTR;
    if (again)
        x->rip -= 2;
    return again;
}

/* lx_signal_deliver's work, when there is some; fpu: the message has the FPU image. */
static bool __attribute__((noinline)) deliver(struct linux_proc *lp, struct lx_task *self, struct utcb_exc *x,
                                              int64_t nr, bool fpu)
{
    for (;;) {
        uint64_t ready = lx_signal_ready(lp, self);
        if (!ready)
            break;
        int sig = __builtin_ctzl(ready) + 1;
        struct lx_sigaction *a = &lp->sigaction[sig - 1];
        if (!fpu && !ignores(lp, sig) && a->sa_handler != SIG_DFL) {
            syscall_restart(x, nr, a);               /* the call's outcome: the handler will have run */
            proc_recall_self(lp->p);                 /* the frame at the recall, with the FPU state */
            return true;
        }
        pending_take(lp, sig);
        if (ignores(lp, sig))
            continue;
        if (a->sa_handler == SIG_DFL)
            die_by(lp, sig);                         /* does not return */
        syscall_restart(x, nr, a);
        struct lx_siginfo info = { .si_signo = sig, .si_code = sig == SIGALRM ? SI_KERNEL : SI_USER };
        enter_handler(lp, x, sig, &info, 0, 0, 0);
        return true;                                 /* one frame at a time: the next at its return */
    }
    bool again = syscall_restart(x, nr, NULL);
    mask_done(self, 0);                              /* no handler took sigsuspend's mask along */
    return again;
}

bool lx_signal_deliver(struct linux_proc *lp, struct utcb_exc *x, int64_t nr)
{
    struct lx_task *self = lx_self(lp);              /* once: every Linux call comes this way */
    bool fpu = x->mtd & MTD_FPU;
    x->mtd &= ~(uint64_t)MTD_FPU;                    /* written back only with a frame (push_frame) */
    return lx_signal_due_for(lp, self, x, nr) && deliver(lp, self, x, nr, fpu);
}

/* Into sig's handler a: the frame, the mask while it runs, SA_RESETHAND. No room: SIGSEGV's end. */
static void enter_handler(struct linux_proc *lp, struct utcb_exc *x, int sig, const struct lx_siginfo *info,
                          uint64_t trapno, uint64_t err, uint64_t cr2)
{
    struct lx_sigaction *a = &lp->sigaction[sig - 1];
    if (!push_frame(lp, x, sig, a, info, trapno, err, cr2))
        die_by(lp, 11);
    lx_self(lp)->restore_mask = false;                        /* the frame has it: rt_sigreturn restores it */
    lx_self(lp)->sigmask |= (a->sa_mask | ((a->sa_flags & SA_NODEFER) ? 0 : 1UL << (sig - 1))) & ~UNBLOCKABLE;
    if (a->sa_flags & SA_RESETHAND)
        a->sa_handler = SIG_DFL;
}

#define SEGV_MAPERR 1
#define SEGV_ACCERR 2

bool lx_signal_fault(struct linux_proc *lp, int sig, unsigned vector, struct utcb_exc *x)
{
    struct lx_sigaction *a = &lp->sigaction[sig - 1];
    if (a->sa_handler <= SIG_IGN || (lx_self(lp)->sigmask & (1UL << (sig - 1))) || !(x->mtd & MTD_FPU))
        return false;                                /* the default (or blocked, or ignored): the end */
    x->mtd &= ~(uint64_t)MTD_FPU;                    /* push_frame names it again */
    uint64_t err = x->qual[0], addr = x->qual[1];
    /* Linux's codes: a page that is there but not allowed is SEGV_ACCERR, none SEGV_MAPERR. */
    struct lx_siginfo info = { .si_signo = sig,
                               .si_code = vector == 14 ? (proc_mapped(lp->p, addr) ? SEGV_ACCERR : SEGV_MAPERR) : 0 };
    info.u.fault.addr = vector == 14 ? addr : x->rip;
    enter_handler(lp, x, sig, &info, vector, err, vector == 14 ? addr : 0);
    return true;
}

/* rt_sigreturn: the registers and mask the frame below rsp saved; the interrupted code goes on. */
int64_t lx_rt_sigreturn(struct linux_proc *lp, struct utcb_exc *x)
{
    struct lx_rt_sigframe f;
    if (!proc_read(lp->p, &f, x->rsp - 8, sizeof f))   /* the restorer's ret took pretcode */
        die_by(lp, 11);
    const struct lx_sigcontext *m = &f.uc.uc_mcontext;
    x->r8 = m->r8;   x->r9 = m->r9;   x->r10 = m->r10; x->r11 = m->r11;
    x->r12 = m->r12; x->r13 = m->r13; x->r14 = m->r14; x->r15 = m->r15;
    x->rdi = m->rdi; x->rsi = m->rsi; x->rbp = m->rbp; x->rbx = m->rbx;
    x->rdx = m->rdx; x->rcx = m->rcx; x->rsp = m->rsp; x->rip = m->rip;
    x->rflags = m->eflags;                           /* the kernel keeps only the user's flags */
    lx_fpu_fresh(x);                                 /* no fpstate: Linux's fresh state */
    if (m->fpstate && !proc_read(lp->p, lx_fpu_image(x), m->fpstate, UTCB_FPU_SIZE))
        die_by(lp, 11);
    lx_self(lp)->sigmask = f.uc.uc_sigmask & ~UNBLOCKABLE;
    return (int64_t)m->rax;                          /* the dispatcher puts it in rax */
}

/* sig (0: none, a check) from lp to the process pid: 0, or -ESRCH if there is none. */
static int64_t send_to(struct linux_proc *lp, int64_t pid, int sig)
{
    struct linux_proc *t = lx_find(pid);
    if (!t)
        return -LX_ESRCH;
    if (sig)
        lx_signal_send(t, sig, (int)lp->p->id);
    return 0;
}

/*
 * kill: pid > 0 that process, 0 the caller's group, -1 every other process, < -1 the group
 * -pid; sig 0 only checks. -ESRCH if it names nobody.
 */
int64_t lx_kill(struct linux_proc *lp, struct utcb_exc *x)
{
    int64_t pid = (int32_t)x->rdi;
    int sig = (int)(int32_t)x->rsi;
    if (sig < 0 || sig > 64)
        return -LX_EINVAL;
    if (pid > 0)
        return send_to(lp, pid, sig);
    if (pid == INT32_MIN)
        return -LX_ESRCH;
    int pgid = pid == 0 ? lp->pgid : (int)-pid;
    bool any = false;
    unsigned slot = 0;
    struct linux_proc *t;
    while ((t = lx_next(&slot)))
        if (pid == -1 ? t != lp : t->pgid == pgid) {
            any = true;
            if (sig)
                lx_signal_send(t, sig, (int)lp->p->id);
        }
    return any ? 0 : -LX_ESRCH;
}

/* tgkill: to the thread tid of the process tgid (-1: any process's); -ESRCH if there is none. */
static int64_t to_thread(int64_t tgid, int64_t tid, int sig)
{
    if (sig < 0 || sig > 64 || tid <= 0 || tgid == 0 || tgid < -1)
        return -LX_EINVAL;
    struct lx_task *t = lx_task_find((uint64_t)tid);
    if (!t || (tgid != -1 && t->lp->p->id != (uint64_t)tgid))
        return -LX_ESRCH;
    if (sig)
        thread_send(t, sig);
    return 0;
}

/* tkill: tgkill without the process (any thread with that tid). Neither changes the caller's registers. */
int64_t lx_tkill(struct linux_proc *lp, struct utcb_exc *x)
{
    (void)lp;
    return to_thread(-1, (int32_t)x->rdi, (int)(int32_t)x->rsi);
}

int64_t lx_tgkill(struct linux_proc *lp, struct utcb_exc *x)
{
    (void)lp;
    return to_thread((int32_t)x->rdi, (int32_t)x->rsi, (int)(int32_t)x->rdx);
}

/* rt_sigpending: the signals sent while blocked, not delivered yet. */
int64_t lx_rt_sigpending(struct linux_proc *lp, struct utcb_exc *x)
{
    if (x->rsi > 8)
        return -LX_EINVAL;
    uint64_t set = pending_of(lp) & lx_self(lp)->sigmask;
    return proc_write(lp->p, x->rdi, &set, x->rsi) ? 0 : -LX_EFAULT;
}

/*
 * Sleep until a signal interrupts, one of `wanted` is pending (even an ignored one), or the
 * TSC passes deadline (0: never).
 */
static void await_signal(struct linux_proc *lp, uint64_t wanted, uint64_t deadline)
{
    lx_wait_begin(lp);
    while (!(pending_of(lp) & wanted) && !lx_signal_interrupts(lp) &&
           (!deadline || fc_rdtsc() < deadline))
        lx_sleep(lp, deadline);
    lx_wait_end(lp);
}

/* pause: until a signal's handler has run (or the signal ends the process). */
int64_t lx_pause(struct linux_proc *lp, struct utcb_exc *x)
{
    (void)x;
    await_signal(lp, 0, 0);
    return -LX_ERESTARTNOHAND;
}

int64_t lx_call_mask(struct linux_proc *lp, uint64_t va, uint64_t len)
{
    uint64_t mask;
    if (!va)
        return 0;
    if (len != 8)
        return -LX_EINVAL;
    if (!proc_read(lp->p, &mask, va, sizeof mask))
        return -LX_EFAULT;
    lx_self(lp)->saved_mask = lx_self(lp)->sigmask;
    lx_self(lp)->restore_mask = true;
    lx_self(lp)->sigmask = mask & ~UNBLOCKABLE;
    return 0;
}

int64_t lx_call_mask_done(struct linux_proc *lp, int64_t r)
{
    return mask_done(lx_self(lp), r);
}

/* rt_sigsuspend: pause with the mask at rdi; the old mask comes back with the handler's return. */
int64_t lx_rt_sigsuspend(struct linux_proc *lp, struct utcb_exc *x)
{
    int64_t r = x->rsi != 8 ? -LX_EINVAL : x->rdi ? lx_call_mask(lp, x->rdi, x->rsi) : -LX_EFAULT;
    if (r)
        return r;
    await_signal(lp, 0, 0);
    return -LX_ERESTARTNOHAND;
}

/*
 * rt_sigtimedwait: a pending signal of the set at rdi taken without its handler: its number,
 * its siginfo at rsi; none before the timeout at rdx (NULL: none): -EAGAIN; another signal to
 * handle first: -EINTR. The set's signals are unblocked meanwhile, as on Linux.
 */
int64_t lx_rt_sigtimedwait(struct linux_proc *lp, struct utcb_exc *x)
{
    uint64_t set, deadline;
    if (x->r10 != 8)
        return -LX_EINVAL;
    if (!proc_read(lp->p, &set, x->rdi, sizeof set))
        return -LX_EFAULT;
    int64_t r = lx_timeout_deadline(lp, x->rdx, false, &deadline);   /* {0, 0}: look once */
    if (r)
        return r;
    set &= ~UNBLOCKABLE;
    uint64_t mask = lx_self(lp)->sigmask;
    lx_self(lp)->sigmask &= ~set;
    await_signal(lp, set, deadline);
    lx_self(lp)->sigmask = mask;
    uint64_t got = pending_of(lp) & set;
    if (!got)
        return lx_signal_interrupts(lp) ? -LX_EINTR : -LX_EAGAIN;
    int sig = __builtin_ctzl(got) + 1;
    pending_take(lp, sig);
    struct lx_siginfo info = { .si_signo = sig, .si_code = sig == SIGALRM ? SI_KERNEL : SI_USER };
    if (x->rsi && !proc_write(lp->p, x->rsi, &info, sizeof info))
        return -LX_EFAULT;
    return sig;
}
