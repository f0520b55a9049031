// SPDX-License-Identifier: MIT
/* src/linux/signal.c — signal state: rt_sigaction, rt_sigprocmask, sigaltstack (no delivery yet). */
#include "linux/linux.h"

/*
 * Signals: handlers, the mask and the alternate stack are kept and reported back as Linux does,
 * but no signal is delivered yet (a fault ends the process, like SIGSEGV without a handler).
 */
#define SIGKILL 9
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

