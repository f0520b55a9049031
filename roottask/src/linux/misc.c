// SPDX-License-Identifier: MIT
/* src/linux/misc.c — uname, getrandom, clocks, signal state, limits, robust lists, readlink, prctl. */
#include <string.h>
#include "linux.h"

int64_t lx_uname(struct linux_proc *lp, struct utcb_exc *x)
{
    static const char *const fields[6] = {
        "Linux", "facet", "6.1.0-facet", "#1 Facet personality", "x86_64", "(none)" };
    char u[6][65];
    memset(u, 0, sizeof u);
    for (int i = 0; i < 6; i++)
        memcpy(u[i], fields[i], strlen(fields[i]));
    return proc_write(lp->p, x->rdi, u, sizeof u) ? 0 : -LX_EFAULT;
}

int64_t lx_getrandom(struct linux_proc *lp, struct utcb_exc *x)
{
    uint64_t buf = x->rdi, len = x->rsi > 256 ? 256 : x->rsi, s = fc_rdtsc() | 1;
    uint8_t b[256];
    for (uint64_t i = 0; i < len; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;  /* xorshift: not for cryptography */
        b[i] = (uint8_t)s;
    }
    return proc_write(lp->p, buf, b, len) ? (int64_t)len : -LX_EFAULT;
}

int64_t lx_clock_gettime(struct linux_proc *lp, struct utcb_exc *x)
{
    if (x->rdi > 7)
        return -LX_EINVAL;
    uint64_t ns = fc_rdtsc() * 1000000 / fc_hip->tsc_khz;     /* since boot: a monotonic clock */
    uint64_t ts[2] = { ns / 1000000000, ns % 1000000000 };
    return proc_write(lp->p, x->rsi, ts, sizeof ts) ? 0 : -LX_EFAULT;
}

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

int64_t lx_rt_sigaction(struct linux_proc *lp, struct utcb_exc *x)
{
    uint64_t sig = x->rdi, act = x->rsi, old = x->rdx;
    if (x->r10 != 8)
        return -LX_EINVAL;                           /* sizeof(sigset_t) in the kernel ABI */
    if (sig < 1 || sig > 64 || (act && (sig == SIGKILL || sig == SIGSTOP)))
        return -LX_EINVAL;
    struct lx_sigaction a, *slot = &lp->sigaction[sig - 1];
    if (act && !proc_read(lp->p, &a, act, sizeof a))
        return -LX_EFAULT;
    if (old && !proc_write(lp->p, old, slot, sizeof *slot))
        return -LX_EFAULT;
    if (act) {
        a.mask &= ~UNBLOCKABLE;
        *slot = a;
    }
    return 0;
}

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

int64_t lx_sigaltstack(struct linux_proc *lp, struct utcb_exc *x)
{
    uint64_t ss[3];                                  /* ss_sp, ss_flags (an int, padded), ss_size */
    if (x->rdi && !proc_read(lp->p, ss, x->rdi, sizeof ss))
        return -LX_EFAULT;
    if (x->rdi) {
        uint32_t flags = (uint32_t)ss[1];
        if (flags & ~(uint32_t)SS_DISABLE)
            return -LX_EINVAL;
        if (!(flags & SS_DISABLE) && ss[2] < MINSIGSTKSZ)
            return -LX_ENOMEM;
    }
    if (x->rsi) {
        uint64_t cur[3] = { lp->altstack[0], lp->altstack[2] ? 0 : SS_DISABLE, lp->altstack[2] };
        if (!proc_write(lp->p, x->rsi, cur, sizeof cur))
            return -LX_EFAULT;
    }
    if (x->rdi) {
        bool off = (uint32_t)ss[1] & SS_DISABLE;    /* kept: ss_sp and ss_size; 0 size: disabled */
        lp->altstack[0] = off ? 0 : ss[0];
        lp->altstack[2] = off ? 0 : ss[2];
    }
    return 0;
}

int64_t lx_prlimit64(struct linux_proc *lp, struct utcb_exc *x)
{
    if (x->rdx) {
        return -LX_EPERM;                         /* setting limits: not allowed */
    }
    if (x->r10) {
        uint64_t lim[2] = { ~0UL, ~0UL };         /* RLIM_INFINITY */
        if (x->rsi == 3)                          /* RLIMIT_STACK: 8 MiB */
            lim[0] = lim[1] = 8UL << 20;
        if (!proc_write(lp->p, x->r10, lim, sizeof lim))
            return -LX_EFAULT;
    }
    return 0;
}

int64_t lx_set_robust_list(struct linux_proc *lp, struct utcb_exc *x)
{
    (void)lp;
    return x->rsi == 24 ? 0 : -LX_EINVAL;        /* the list head's size on x86-64 */
}

/* readlink: only /proc/self/exe, the program's path in the archive. */
int64_t lx_readlink(struct linux_proc *lp, struct utcb_exc *x)
{
    char path[32];
    if (!proc_read(lp->p, path, x->rdi, sizeof "/proc/self/exe"))
        return -LX_EFAULT;
    if (memcmp(path, "/proc/self/exe", sizeof "/proc/self/exe"))
        return -LX_ENOENT;
    uint64_t n = strlen(lp->exe), len = x->rdx < n ? x->rdx : n;
    return proc_write(lp->p, x->rsi, lp->exe, len) ? (int64_t)len : -LX_EFAULT;
}

#define PR_SET_NAME 15
#define PR_GET_NAME 16

int64_t lx_prctl(struct linux_proc *lp, struct utcb_exc *x)
{
    if (x->rdi == PR_GET_NAME) {
        char name[16] = { 0 };
        memcpy(name, lp->p->name, strlen(lp->p->name) < 15 ? strlen(lp->p->name) : 15);
        return proc_write(lp->p, x->rsi, name, sizeof name) ? 0 : -LX_EFAULT;
    }
    return x->rdi == PR_SET_NAME ? 0 : -LX_EINVAL;
}
