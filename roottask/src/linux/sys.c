// SPDX-License-Identifier: MIT
/* src/linux/misc.c — uname, getrandom, clocks, signal state, limits, robust lists, readlink, prctl. */
#include <string.h>
#include "linux/linux.h"

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
        uint64_t cur[3] = { lp->altstack_sp, lp->altstack_size ? 0 : SS_DISABLE, lp->altstack_size };
        if (!proc_write(lp->p, x->rsi, cur, sizeof cur))
            return -LX_EFAULT;
    }
    if (x->rdi) {
        bool off = (uint32_t)ss[1] & SS_DISABLE;
        lp->altstack_sp = off ? 0 : ss[0];
        lp->altstack_size = off ? 0 : ss[2];
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

/* time and gettimeofday: the clock clock_gettime gives (seconds since boot; there is no RTC). */
int64_t lx_time(struct linux_proc *lp, struct utcb_exc *x)
{
    uint64_t s = fc_rdtsc() / ((uint64_t)fc_hip->tsc_khz * 1000);
    if (x->rdi && !proc_write(lp->p, x->rdi, &s, sizeof s))
        return -LX_EFAULT;
    return (int64_t)s;
}

int64_t lx_gettimeofday(struct linux_proc *lp, struct utcb_exc *x)
{
    uint64_t us = fc_rdtsc() * 1000 / fc_hip->tsc_khz, tv[2] = { us / 1000000, us % 1000000 }, tz[1] = { 0 };
    if (x->rdi && !proc_write(lp->p, x->rdi, tv, sizeof tv))
        return -LX_EFAULT;
    if (x->rsi && !proc_write(lp->p, x->rsi, tz, sizeof tz))
        return -LX_EFAULT;
    return 0;
}

/*
 * nanosleep and clock_nanosleep: a timed down on a semaphore nobody ups. The handler of this
 * CPU sleeps with the caller, so other Linux processes' syscalls on this CPU wait meanwhile;
 * the dispatcher runs these without the file-system lock.
 */
#define TIMER_ABSTIME 1
static sel_t sleep_sm;

/* From linux_spawn, on the roottask's main thread: the semaphore exists before any handler sleeps. */
void lx_sleep_init(void)
{
    if (sleep_sm)
        return;
    sel_t s = fc_sel_alloc(1);
    if (fc_create_sm(s, SEL_ROOT_PD, 0) == SUCCESS)
        sleep_sm = s;
}

/* Its teardown does not wait for the sleep: proc_block holds nothing up. */
static int64_t sleep_until(struct proc *p, uint64_t deadline)
{
    if (!sleep_sm)
        return -LX_ENOMEM;
    while (fc_rdtsc() < deadline && proc_block(p, sleep_sm, deadline) != TIMEOUT)
        ;
    return 0;
}

static int64_t sleep_for(struct linux_proc *lp, uint64_t req, uint64_t rem, bool absolute)
{
    int64_t ts[2];
    if (!proc_read(lp->p, ts, req, sizeof ts))
        return -LX_EFAULT;
    if (ts[0] < 0 || ts[1] < 0 || ts[1] >= 1000000000)
        return -LX_EINVAL;
    uint64_t khz = fc_hip->tsc_khz, secs = (uint64_t)ts[0] > 1000000 ? 1000000 : (uint64_t)ts[0];
    uint64_t ticks = secs * khz * 1000 + (uint64_t)ts[1] / 1000 * khz / 1000;
    int64_t r = sleep_until(lp->p, absolute ? ticks : fc_rdtsc() + ticks);
    int64_t zero[2] = { 0, 0 };
    if (!r && rem && !absolute && !proc_write(lp->p, rem, zero, sizeof zero))
        return -LX_EFAULT;
    return r;
}

int64_t lx_nanosleep(struct linux_proc *lp, struct utcb_exc *x)
{
    return sleep_for(lp, x->rdi, x->rsi, false);
}

int64_t lx_clock_nanosleep(struct linux_proc *lp, struct utcb_exc *x)
{
    if (x->rdi > 7 || x->rsi & ~(uint64_t)TIMER_ABSTIME)
        return -LX_EINVAL;
    return sleep_for(lp, x->rdx, x->r10, x->rsi & TIMER_ABSTIME);
}
