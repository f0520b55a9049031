// SPDX-License-Identifier: MIT
/* src/linux/time.c — clocks (clock_gettime, gettimeofday, time) and sleeps (nanosleep, clock_nanosleep). */
#include "linux/linux.h"

/* clock_gettime: every clock id 0..7 reads the TSC since boot. */
int64_t lx_clock_gettime(struct linux_proc *lp, struct utcb_exc *x)
{
    if (x->rdi > 7)
        return -LX_EINVAL;
    uint64_t ns = fc_rdtsc() * 1000000 / fc_hip->tsc_khz;     /* since boot: a monotonic clock */
    struct lx_timespec ts = { (int64_t)(ns / 1000000000), (int64_t)(ns % 1000000000) };
    return proc_write(lp->p, x->rsi, &ts, sizeof ts) ? 0 : -LX_EFAULT;
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
    uint64_t us = fc_rdtsc() * 1000 / fc_hip->tsc_khz;
    struct lx_timeval tv = { (int64_t)(us / 1000000), (int64_t)(us % 1000000) };
    struct lx_timezone tz = { 0, 0 };                /* UTC, no daylight saving */
    if (x->rdi && !proc_write(lp->p, x->rdi, &tv, sizeof tv))
        return -LX_EFAULT;
    if (x->rsi && !proc_write(lp->p, x->rsi, &tz, sizeof tz))
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

/* Sleep for the timespec at req (absolute: until it, on the since-boot clock); *rem is then 0. */
static int64_t sleep_for(struct linux_proc *lp, uint64_t req, uint64_t rem, bool absolute)
{
    struct lx_timespec ts;
    if (!proc_read(lp->p, &ts, req, sizeof ts))
        return -LX_EFAULT;
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
        return -LX_EINVAL;
    uint64_t khz = fc_hip->tsc_khz, secs = (uint64_t)ts.tv_sec > 1000000 ? 1000000 : (uint64_t)ts.tv_sec;
    uint64_t ticks = secs * khz * 1000 + (uint64_t)ts.tv_nsec / 1000 * khz / 1000;
    int64_t r = sleep_until(lp->p, absolute ? ticks : fc_rdtsc() + ticks);
    struct lx_timespec zero = { 0, 0 };
    if (!r && rem && !absolute && !proc_write(lp->p, rem, &zero, sizeof zero))
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
