// SPDX-License-Identifier: MIT
/* src/linux/misc.c — uname, getrandom, clocks, signal masks, limits, cwd, stdin, close. */
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

/* Signals are not delivered yet: handlers and masks are accepted and remembered nowhere. */
int64_t lx_rt_sig(struct linux_proc *lp, struct utcb_exc *x)
{
    (void)lp;
    (void)x;
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

int64_t lx_getcwd(struct linux_proc *lp, struct utcb_exc *x)
{
    if (x->rsi < 2)
        return -LX_ERANGE;
    return proc_write(lp->p, x->rdi, "/", 2) ? 2 : -LX_EFAULT;
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
