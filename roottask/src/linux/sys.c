// SPDX-License-Identifier: MIT
/* src/linux/sys.c — the system as a program asks about it: uname, getrandom, prlimit64. */
#include "linux/linux.h"

/* uname: a Linux 6.1 named facet on x86_64. */
int64_t lx_uname(struct linux_proc *lp, struct utcb_exc *x)
{
    static const struct lx_new_utsname uts = {       /* each field NUL-padded to its 65 bytes */
        .sysname = "Linux", .nodename = "facet", .release = "6.1.0-facet",
        .version = "#1 Facet personality", .machine = "x86_64", .domainname = "(none)",
    };
    return proc_write(lp->p, x->rdi, &uts, sizeof uts) ? 0 : -LX_EFAULT;
}

/* A xorshift seeded by the TSC at each call: not for cryptography. */
void lx_random_fill(uint8_t *b, uint64_t len)
{
    uint64_t s = fc_rdtsc() | 1;
    for (uint64_t i = 0; i < len; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        b[i] = (uint8_t)s;
    }
}

/* getrandom: up to 256 bytes a call. */
int64_t lx_getrandom(struct linux_proc *lp, struct utcb_exc *x)
{
    uint64_t buf = x->rdi, len = x->rsi > 256 ? 256 : x->rsi;
    uint8_t b[256];
    lx_random_fill(b, len);
    return proc_write(lp->p, buf, b, len) ? (int64_t)len : -LX_EFAULT;
}

/* prlimit64: limits can be read (all unlimited but the 8 MiB stack), not set. */
int64_t lx_prlimit64(struct linux_proc *lp, struct utcb_exc *x)
{
    if (x->rdx) {
        return -LX_EPERM;                         /* setting limits: not allowed */
    }
    if (x->r10) {
        struct lx_rlimit64 lim = { LX_RLIM_INFINITY, LX_RLIM_INFINITY };
        if ((uint32_t)x->rsi == LX_RLIMIT_STACK)  /* the resource is an unsigned int */
            lim.rlim_cur = lim.rlim_max = LX_STACK_MAX;
        if (!proc_write(lp->p, x->r10, &lim, sizeof lim))
            return -LX_EFAULT;
    }
    return 0;
}
