// SPDX-License-Identifier: MIT
/* src/linux/sys.c — the system as a program asks about it: uname, getrandom, prlimit64. */
#include <string.h>
#include "linux/linux.h"

/* uname: a Linux 6.1 named facet on x86_64. */
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

/* getrandom: up to 256 bytes a call from a xorshift seeded by the TSC. */
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

/* prlimit64: limits can be read (all unlimited but the 8 MiB stack), not set. */
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
