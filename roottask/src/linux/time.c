// SPDX-License-Identifier: MIT
/* src/linux/time.c — clocks (the CMOS RTC, clock_gettime, gettimeofday, time) and sleeps (nanosleep, clock_nanosleep). */
#include "linux/linux.h"
#include "fs/fs.h"

/*
 * The wall clock: the CMOS RTC read once (the first Linux program's start), then the TSC from
 * there. CLOCK_REALTIME and its coarse twin, time and gettimeofday read it; the other clocks
 * (monotonic, boot time, CPU time) count from the boot.
 */
static uint64_t rtc_unix, rtc_tsc;                   /* Unix seconds at TSC rtc_tsc */

static uint8_t cmos(uint8_t reg)
{
    uint8_t v;
    __asm__ volatile("outb %0, $0x70" :: "a"(reg));
    __asm__ volatile("inb $0x71, %0" : "=a"(v));
    return v;
}

/* Days since 1970-01-01 of a date (the proleptic Gregorian calendar). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* Read the RTC (between updates, BCD or binary, 12- or 24-hour) into rtc_unix; UTC, as QEMU keeps it. */
void lx_clock_init(void)
{
    if (rtc_tsc)
        return;
    while (cmos(0x0a) & 0x80)                        /* an update is in progress: it takes < 2 ms */
        ;
    uint8_t sec = cmos(0), min = cmos(2), hour = cmos(4), day = cmos(7), mon = cmos(8), year = cmos(9);
    uint8_t cent = cmos(0x32), b = cmos(0x0b);
    bool pm = hour & 0x80;
    hour &= 0x7f;
    if (!(b & 0x04)) {                               /* BCD */
#define BIN(v) (uint8_t)(((v) >> 4) * 10 + ((v) & 0x0f))
        sec = BIN(sec); min = BIN(min); hour = BIN(hour); day = BIN(day); mon = BIN(mon); year = BIN(year);
        cent = BIN(cent);
#undef BIN
    }
    if (!(b & 0x02) && pm)                           /* 12-hour mode */
        hour = (uint8_t)(hour % 12 + 12);
    unsigned full_year = (cent >= 19 && cent <= 30 ? cent : 20) * 100u + year;
    rtc_tsc = fc_rdtsc();
    rtc_unix = (uint64_t)(days_from_civil(full_year, mon, day) * 86400 + hour * 3600 + min * 60 + sec);
}

/* Nanoseconds of the clock: since the boot, or since 1970 for the real-time ones. */
static uint64_t clock_ns(uint64_t id)
{
    uint64_t now = fc_rdtsc();
    if (id == 0 || id == 5)                          /* CLOCK_REALTIME, CLOCK_REALTIME_COARSE */
        return rtc_unix * 1000000000 + (now - rtc_tsc) * 1000000 / fc_hip->tsc_khz;
    return now * 1000000 / fc_hip->tsc_khz;
}

/* The file system's clock: file times are wall-clock times. */
uint64_t fs_now_ns(void)
{
    return clock_ns(0);
}

/* clock_gettime: clock ids 0..7 (the real-time ones from the RTC, the others since the boot). */
int64_t lx_clock_gettime(struct linux_proc *lp, struct utcb_exc *x)
{
    if (x->rdi > 7)
        return -LX_EINVAL;
    uint64_t ns = clock_ns(x->rdi);
    struct lx_timespec ts = { (int64_t)(ns / 1000000000), (int64_t)(ns % 1000000000) };
    return proc_write(lp->p, x->rsi, &ts, sizeof ts) ? 0 : -LX_EFAULT;
}

/* time and gettimeofday: the real-time clock. */
int64_t lx_time(struct linux_proc *lp, struct utcb_exc *x)
{
    uint64_t s = clock_ns(0) / 1000000000;
    if (x->rdi && !proc_write(lp->p, x->rdi, &s, sizeof s))
        return -LX_EFAULT;
    return (int64_t)s;
}

int64_t lx_gettimeofday(struct linux_proc *lp, struct utcb_exc *x)
{
    uint64_t us = clock_ns(0) / 1000;
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
