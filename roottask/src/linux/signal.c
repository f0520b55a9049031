// SPDX-License-Identifier: MIT
/* src/linux/signal.c — signals: their state, sending (kill, tgkill, SIGPIPE, SIGCHLD), delivery, rt_sigreturn. */
#include <string.h>
#include "linux/linux.h"

/*
 * A signal sent to a process is pending until the process next returns from a syscall; then
 * the lowest pending unblocked one is delivered: ignored, its default action (most end the
 * process), or its handler, on a Linux rt_sigframe on the process's stack (or the alternate
 * stack with SA_ONSTACK), returning through sa_restorer to rt_sigreturn. A fault goes to its
 * signal's handler at once (lx_signal_fault), with si_addr and the trap number. A signal that
 * will act (a handler, or a default that ends the process) interrupts a sleep, a console read
 * or a poll of the console: they return -EINTR (lx_signal_interrupts; the sender ups the
 * process's semaphore, on which they wait). Not yet: the FPU state in the frame, EINTR of
 * wait4 and of pipe reads and writes, SA_RESTART.
 */
#define SIGKILL 9
#define SIGPIPE 13
#define SIGCHLD 17
#define SIGSTOP 19
#define SIG_BLOCK   0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2
#define UNBLOCKABLE ((1UL << (SIGKILL - 1)) | (1UL << (SIGSTOP - 1)))

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
    if (old && !proc_write(lp->p, old, &lp->sigmask, sizeof lp->sigmask))
        return -LX_EFAULT;
    if (set) {
        mask &= ~UNBLOCKABLE;
        lp->sigmask = how == SIG_BLOCK ? lp->sigmask | mask : how == SIG_UNBLOCK ? lp->sigmask & ~mask : mask;
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
            .ss_sp = lp->altstack_sp,
            .ss_flags = lp->altstack_size ? 0 : SS_DISABLE,
            .pad = 0,
            .ss_size = lp->altstack_size,
        };
        if (!proc_write(lp->p, x->rsi, &cur, sizeof cur))
            return -LX_EFAULT;
    }
    if (x->rdi) {
        bool off = (uint32_t)ss.ss_flags & SS_DISABLE;
        lp->altstack_sp = off ? 0 : ss.ss_sp;
        lp->altstack_size = off ? 0 : ss.ss_size;
    }
    return 0;
}


#define SIG_DFL       0
#define SIG_IGN       1
#define SA_ONSTACK    0x08000000
#define SA_RESETHAND  0x80000000
#define SA_NODEFER    0x40000000
#define SI_USER       0
#define USER_CS       0x33                   /* what Linux's frame says of the user's segments */
#define USER_SS       0x2b
#define RFLAGS_TF_DF  0x500                  /* a handler starts with neither */

/* The default action: SIGCHLD, SIGURG, SIGWINCH and SIGCONT are ignored, and (no job control)
 * so are the stop signals; every other signal ends the process. */
static bool default_ignores(int sig)
{
    return sig == SIGCHLD || sig == 23 || sig == 28 || (sig >= 18 && sig <= 22);
}

/* What sig does to lp now: nothing (ignored, explicitly or by default), or something. */
static bool ignored(struct linux_proc *lp, int sig)
{
    uint64_t h = lp->sigaction[sig - 1].sa_handler;
    return h == SIG_IGN || (h == SIG_DFL && default_ignores(sig));
}

/* Pending, with the process's semaphore upped: a sleep or a console read it waits in looks again. */
void lx_signal_send(struct linux_proc *lp, int sig, int from_pid)
{
    (void)from_pid;
    if (sig < 1 || sig > 64)
        return;
    __atomic_or_fetch(&lp->pending, 1UL << (sig - 1), __ATOMIC_SEQ_CST);
    fc_sm_up(lp->child_sm);
}

bool lx_signal_interrupts(struct linux_proc *lp)
{
    uint64_t ready = __atomic_load_n(&lp->pending, __ATOMIC_SEQ_CST) & ~(lp->sigmask & ~UNBLOCKABLE);
    for (int sig = 1; ready; sig++, ready >>= 1)
        if ((ready & 1) && !ignored(lp, sig))
            return true;
    return false;
}

/*
 * Whom the console's ISIG characters (Ctrl-C: SIGINT, Ctrl-\: SIGQUIT) signal: for now every
 * live Linux process whose stdin is the console, except those that ignore sig. (With process
 * groups: the console's foreground group.)
 */
void lx_console_signal(int sig)
{
    for (unsigned s = 0; s < PROC_MAX; s++) {
        struct proc *p = proc_at(s);
        if (p->state != PROC_RUNNING || p->personality != linux_syscall)
            continue;
        struct linux_proc *lp = lx_of(p);
        struct lx_file *in = lp->fd[0];
        if (in && !in->node && !in->pipe && in->console == 0 && !ignored(lp, sig))
            lx_signal_send(lp, sig, 0);
    }
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

/* The frame of sig for handler a, below sp (or on the alternate stack); the registers start the handler. */
static bool push_frame(struct linux_proc *lp, struct utcb_exc *x, int sig, const struct lx_sigaction *a,
                       const struct lx_siginfo *info, uint64_t trapno, uint64_t err, uint64_t cr2)
{
    uint64_t sp = x->rsp;
    bool on_alt = lp->altstack_size && sp - lp->altstack_sp < lp->altstack_size;
    if ((a->sa_flags & SA_ONSTACK) && lp->altstack_size && !on_alt)
        sp = lp->altstack_sp + lp->altstack_size;
    else
        sp -= 128;                                   /* the red zone below the interrupted code's rsp */
    sp -= sizeof(struct lx_rt_sigframe);
    sp = ((sp + 8) & ~15UL) - 8;                     /* as if called: rsp + 8 is 16-aligned at the handler */
    struct lx_rt_sigframe f;
    memset(&f, 0, sizeof f);
    f.pretcode = a->sa_restorer;
    f.uc.uc_stack = (struct lx_sigaltstack){ lp->altstack_sp, lp->altstack_size ? (on_alt ? 1 : 0) : 2, 0,
                                             lp->altstack_size };
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
    m->oldmask = lp->sigmask;
    f.uc.uc_sigmask = lp->sigmask;
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
    return true;
}

void lx_signal_deliver(struct linux_proc *lp, struct utcb_exc *x)
{
    for (;;) {
        uint64_t ready = __atomic_load_n(&lp->pending, __ATOMIC_SEQ_CST) & ~(lp->sigmask & ~UNBLOCKABLE);
        if (!ready)
            return;
        int sig = __builtin_ctzl(ready) + 1;
        __atomic_and_fetch(&lp->pending, ~(1UL << (sig - 1)), __ATOMIC_SEQ_CST);
        struct lx_sigaction *a = &lp->sigaction[sig - 1];
        if (ignored(lp, sig))
            continue;
        if (a->sa_handler == SIG_DFL)
            die_by(lp, sig);                         /* does not return */
        struct lx_siginfo info = { .si_signo = sig, .si_code = SI_USER };
        enter_handler(lp, x, sig, &info, 0, 0, 0);
        return;                                      /* one frame at a time: the next at its return */
    }
}

/* Into sig's handler a: the frame, the mask while it runs, SA_RESETHAND. No room: SIGSEGV's end. */
static void enter_handler(struct linux_proc *lp, struct utcb_exc *x, int sig, const struct lx_siginfo *info,
                          uint64_t trapno, uint64_t err, uint64_t cr2)
{
    struct lx_sigaction *a = &lp->sigaction[sig - 1];
    if (!push_frame(lp, x, sig, a, info, trapno, err, cr2))
        die_by(lp, 11);
    lp->sigmask |= (a->sa_mask | ((a->sa_flags & SA_NODEFER) ? 0 : 1UL << (sig - 1))) & ~UNBLOCKABLE;
    if (a->sa_flags & SA_RESETHAND)
        a->sa_handler = SIG_DFL;
}

#define SEGV_MAPERR 1
#define SEGV_ACCERR 2

bool lx_signal_fault(struct linux_proc *lp, int sig, unsigned vector, struct utcb_exc *x)
{
    struct lx_sigaction *a = &lp->sigaction[sig - 1];
    if (a->sa_handler <= SIG_IGN || (lp->sigmask & (1UL << (sig - 1))))
        return false;                                /* the default (or blocked, or ignored): the end */
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
    lp->sigmask = f.uc.uc_sigmask & ~UNBLOCKABLE;
    return (int64_t)m->rax;                          /* the dispatcher puts it in rax */
}

/* The Linux process with this pid, or NULL. */
static struct linux_proc *by_pid(struct linux_proc *lp, int64_t pid)
{
    for (unsigned s = 0; s < PROC_MAX; s++) {
        struct proc *p = proc_at(s);
        if (p->state == PROC_RUNNING && p->id == (uint64_t)pid && p->personality == lp->p->personality)
            return lx_of(p);
    }
    return NULL;
}

/* kill: pid > 0 that process, 0 the caller (no process groups yet); sig 0 only checks. */
int64_t lx_kill(struct linux_proc *lp, struct utcb_exc *x)
{
    int64_t pid = (int32_t)x->rdi;
    int sig = (int)(int32_t)x->rsi;
    if (sig < 0 || sig > 64)
        return -LX_EINVAL;
    struct linux_proc *t = pid == 0 ? lp : pid > 0 ? by_pid(lp, pid) : NULL;
    if (!t)
        return -LX_ESRCH;
    if (sig)
        lx_signal_send(t, sig, (int)lp->p->id);
    return 0;
}

int64_t lx_tkill(struct linux_proc *lp, struct utcb_exc *x)
{
    x->rdx = x->rsi;
    x->rsi = x->rdi;
    return lx_tgkill(lp, x);
}

/* tgkill: one thread per process, so the thread is the process. */
int64_t lx_tgkill(struct linux_proc *lp, struct utcb_exc *x)
{
    int64_t tgid = (int32_t)x->rdi, tid = (int32_t)x->rsi;
    int sig = (int)(int32_t)x->rdx;
    if (sig < 0 || sig > 64 || tid <= 0 || (tgid != -1 && tgid != tid))
        return -LX_EINVAL;
    struct linux_proc *t = by_pid(lp, tid);
    if (!t)
        return -LX_ESRCH;
    if (sig)
        lx_signal_send(t, sig, (int)lp->p->id);
    return 0;
}
