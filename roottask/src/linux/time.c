// SPDX-License-Identifier: MIT
/* src/linux/time.c — clocks (the CMOS RTC, clock_gettime, gettimeofday, time), sleeps (nanosleep, clock_nanosleep), timers (alarm, setitimer). */
#include <stdio.h>
#include "linux/linux.h"
#include "facet/spin.h"
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

#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID  3
static uint64_t ns_of(uint64_t ticks);

/* clock_gettime: clock ids 0..7 (the real-time ones from the RTC, the CPU-time ones the
 * process's SC's, the others since the boot). */
int64_t lx_clock_gettime(struct linux_proc *lp, struct utcb_exc *x)
{
    if (x->rdi > 7)
        return -LX_EINVAL;
    uint64_t ns = clock_ns(x->rdi), used = 0;
    if ((x->rdi == CLOCK_PROCESS_CPUTIME_ID || x->rdi == CLOCK_THREAD_CPUTIME_ID) &&
        fc_sc_consumed(proc_sc(lp->p), &used) == SUCCESS)
        ns = ns_of(used);
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

/* ---- sleeps ---- */

#define TIMER_ABSTIME 1
#define NS_PER_S 1000000000UL

#define SEC_MAX  100000000UL                        /* longer times are cut to this (3 years) */

/* TSC ticks of sec seconds and ns nanoseconds, and nanoseconds of ticks. */
static uint64_t ticks_of(uint64_t sec, uint64_t ns)
{
    uint64_t khz = fc_hip->tsc_khz;
    return (sec < SEC_MAX ? sec : SEC_MAX) * khz * 1000 + ns / 1000 * khz / 1000;
}

static uint64_t ns_of(uint64_t ticks)
{
    uint64_t khz = fc_hip->tsc_khz;
    return ticks / khz * 1000000 + ticks % khz * 1000000 / khz;
}

/* A timespec at va (or a timeval: the same two words, microseconds) as TSC ticks: 0, -EFAULT, -EINVAL. */
static int64_t span_ticks(struct linux_proc *lp, uint64_t va, bool timeval, uint64_t *ticks)
{
    struct lx_timespec ts;
    int64_t unit = timeval ? 1000 : 1;               /* nanoseconds per unit of the second word */
    _Static_assert(sizeof(struct lx_timeval) == sizeof ts, "a timeval is a timespec's size");
    if (!proc_read(lp->p, &ts, va, sizeof ts))
        return -LX_EFAULT;
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (int64_t)NS_PER_S / unit)
        return -LX_EINVAL;
    *ticks = ticks_of((uint64_t)ts.tv_sec, (uint64_t)(ts.tv_nsec * unit));
    return 0;
}

int64_t lx_timespec_ticks(struct linux_proc *lp, uint64_t va, uint64_t *ticks)
{
    return span_ticks(lp, va, false, ticks);
}

int64_t lx_timeout_deadline(struct linux_proc *lp, uint64_t va, bool timeval, uint64_t *deadline)
{
    uint64_t ticks;
    *deadline = 0;
    int64_t r = va ? span_ticks(lp, va, timeval, &ticks) : 0;
    if (va && !r)
        *deadline = fc_rdtsc() + ticks + !ticks;     /* 0: passed at once (look once), never "none" */
    return r;
}

int64_t lx_timeout_left(struct linux_proc *lp, uint64_t va, bool timeval, uint64_t deadline)
{
    uint64_t now = fc_rdtsc(), left = deadline > now ? ns_of(deadline - now) : 0;
    int64_t unit = timeval ? 1000 : 1;
    struct lx_timespec ts = { (int64_t)(left / NS_PER_S), (int64_t)(left % NS_PER_S) / unit };
    return !va || proc_write(lp->p, va, &ts, sizeof ts) ? 0 : -LX_EFAULT;
}

uint64_t lx_clock_ns(uint64_t clock)
{
    return clock_ns(clock);
}

int64_t lx_ns_ahead(uint64_t clock, const struct lx_timespec *ts)
{
    uint64_t sec = (uint64_t)ts->tv_sec < 4000000000UL ? (uint64_t)ts->tv_sec : 4000000000UL;
    return (int64_t)(sec * NS_PER_S + (uint64_t)ts->tv_nsec - clock_ns(clock));
}

uint64_t lx_ticks(uint64_t sec, uint64_t ns)
{
    return ticks_of(sec, ns);
}

uint64_t lx_ns(uint64_t ticks)
{
    return ns_of(ticks);
}

uint64_t lx_deadline_ms(int64_t ms)
{
    return ms < 0 ? 0 : fc_rdtsc() + ticks_of((uint64_t)ms / 1000, (uint64_t)ms % 1000 * 1000000) + !ms;
}

/*
 * Sleep until the TSC passes deadline: 0; a signal to handle first: -ERESTART_RESTARTBLOCK
 * (-EINTR once its handler runs). Only this process waits: it sleeps on its own semaphore,
 * which a signal sent to it ups (lx_wake), without the file-system lock.
 */
static int64_t sleep_until(struct linux_proc *lp, uint64_t deadline)
{
    int64_t r = 0;
    lx_wait_begin(lp);
    while (fc_rdtsc() < deadline) {
        if (lx_signal_interrupts(lp)) {
            r = -LX_ERESTART_RESTARTBLOCK;
            break;
        }
        lx_sleep(lp, deadline);
    }
    lx_wait_end(lp);
    return r;
}

/* The TSC deadline of the timespec at va: a span from now, or (absolute) a time of the clock. */
static int64_t deadline_of(struct linux_proc *lp, uint64_t clock, uint64_t va, bool absolute, uint64_t *deadline)
{
    uint64_t ticks, now = fc_rdtsc();
    struct lx_timespec at;
    int64_t r = lx_timespec_ticks(lp, va, &ticks);
    if (r)
        return r;
    if (absolute && proc_read(lp->p, &at, va, sizeof at)) {   /* from the clock's now to the time asked */
        int64_t ahead = lx_ns_ahead(clock, &at);
        ticks = ahead > 0 ? ticks_of((uint64_t)ahead / NS_PER_S, (uint64_t)ahead % NS_PER_S) : 0;
    }
    *deadline = now + ticks;
    return 0;
}

/* A futex wait's timeout: relative, or an absolute time of CLOCK_MONOTONIC or CLOCK_REALTIME. */
int64_t lx_futex_deadline(struct linux_proc *lp, uint64_t va, bool absolute, bool realtime, uint64_t *deadline)
{
    int64_t r = deadline_of(lp, realtime ? 0 : 1, va, absolute, deadline);
    *deadline += !r;                                 /* never 0 ("none"): a wait that times out at once */
    return r;
}

/* Sleep for the timespec at req (absolute: until the clock says it); interrupted, a relative
 * sleep's rest goes to *rem (as Linux, only then). */
static int64_t sleep_for(struct linux_proc *lp, uint64_t clock, uint64_t req, uint64_t rem, bool absolute)
{
    uint64_t deadline;
    int64_t r = deadline_of(lp, clock, req, absolute, &deadline);
    if (r)
        return r;
    r = sleep_until(lp, deadline);
    if (r && !absolute && lx_timeout_left(lp, rem, false, deadline))
        return -LX_EFAULT;
    return r;
}

int64_t lx_nanosleep(struct linux_proc *lp, struct utcb_exc *x)
{
    return sleep_for(lp, 1, x->rdi, x->rsi, false);
}

#define LX_EOPNOTSUPP 95

/* clock_nanosleep: the clocks Linux sleeps on (REALTIME, MONOTONIC, BOOTTIME; the process's CPU
 * time as MONOTONIC); the raw, coarse and alarm ones have no sleep on Linux: -EOPNOTSUPP. */
int64_t lx_clock_nanosleep(struct linux_proc *lp, struct utcb_exc *x)
{
    static const uint16_t no_sleep = 1u << 4 | 1u << 5 | 1u << 6 | 1u << 8 | 1u << 9;
    if (x->rdi < 10 && (no_sleep >> x->rdi & 1))
        return -LX_EOPNOTSUPP;
    if (x->rdi > 7 || x->rdi == 3)
        return -LX_EINVAL;                           /* flags other than TIMER_ABSTIME: ignored, as Linux */
    return sleep_for(lp, x->rdi, x->rdx, x->r10, x->rsi & TIMER_ABSTIME);
}

/* ---- timers: ITIMER_REAL (alarm, setitimer) ---- */

/*
 * Each process's ITIMER_REAL is a TSC deadline (lp->alarm_at, 0: off) and a period. One
 * roottask thread sleeps until the earliest deadline of all, or until a timer is set (its
 * semaphore), and sends SIGALRM: the process wakes from a call it blocks in, or, running its
 * own code, is recalled. The timers are read and changed under timer_lock, so a process's
 * end (lx_timer_stop) and the thread's SIGALRM do not cross: none goes to the slot's next.
 * The thread runs above the processes: on their CPU it would spin for ever on the lock of a
 * handler it preempted, so it only tries the lock, and sleeps a little if it is taken.
 */
#define ITIMER_REAL 0
#define SIGALRM     14
#define TIMER_PRIO  (PROC_PRIO + 10)             /* before the processes it interrupts */
static volatile int timer_lock;
static sel_t timer_sm;

/* Send every SIGALRM due (a periodic timer's next expiry after now); the next deadline, 0: none. */
static uint64_t timers_fire(void)
{
    uint64_t now = fc_rdtsc(), next = 0;
    if (__atomic_exchange_n(&timer_lock, 1, __ATOMIC_ACQUIRE))
        return now + ticks_of(0, 1000000);           /* a handler holds it: again in 1 ms */
    for (unsigned s = 0; s < PROC_MAX; s++) {
        struct linux_proc *lp = lx_slot(s);
        if (lp->alarm_at && lp->alarm_at <= now) {
            lx_signal_send(lp, SIGALRM, 0);
            uint64_t every = lp->alarm_every;
            lp->alarm_at = every ? lp->alarm_at + ((now - lp->alarm_at) / every + 1) * every : 0;
        }
        if (lp->alarm_at && (!next || lp->alarm_at < next))
            next = lp->alarm_at;
    }
    fc_spin_unlock(&timer_lock);
    return next;
}

static void timer_thread(void *arg)
{
    (void)arg;
    for (;;)
        fc_sm_down(timer_sm, timers_fire());
}

void lx_timer_init(void)
{
    if (timer_sm)
        return;
    sel_t s = fc_sel_alloc(1);
    if (fc_create_sm(s, SEL_ROOT_PD, 0) != SUCCESS) {
        printf("[linux] no semaphore for the timer thread: alarm and setitimer will not fire\n");
        return;
    }
    timer_sm = s;                                    /* before the thread, which sleeps on it at once */
    /* The processes start on CPU 0: with two CPUs, a SIGALRM crosses to them (a recall by IPI). */
    if (fc_thread_create(fc_hip->num_cpus - 1, TIMER_PRIO, timer_thread, NULL, NULL) != SUCCESS)
        printf("[linux] no timer thread: alarm and setitimer will not fire\n");
}

/* The ticks left to lp's timer and its period (under timer_lock): on, at least 1 left; off: 0. */
static void timer_get(const struct linux_proc *lp, uint64_t now, uint64_t cur[2])
{
    cur[0] = lp->alarm_at ? (lp->alarm_at > now ? lp->alarm_at - now : 1) : 0;
    cur[1] = lp->alarm_every;
}

/* The timer set to fire in `in` ticks (0: off), then every `every`; the old one into old. */
static void timer_set(struct linux_proc *lp, uint64_t in, uint64_t every, uint64_t old[2])
{
    fc_spin_lock(&timer_lock);
    uint64_t now = fc_rdtsc();
    timer_get(lp, now, old);
    lp->alarm_at = in ? now + in : 0;
    lp->alarm_every = in ? every : 0;
    fc_spin_unlock(&timer_lock);
    if (timer_sm)
        fc_sm_up(timer_sm);                          /* the thread looks at the deadlines again */
}

void lx_timer_stop(struct linux_proc *lp)
{
    fc_spin_lock(&timer_lock);
    lp->alarm_at = lp->alarm_every = 0;
    fc_spin_unlock(&timer_lock);
}

static struct lx_timeval timeval_of(uint64_t ticks)
{
    uint64_t us = (ns_of(ticks) + 999) / 1000;       /* a timer that is on never reads as 0 */
    return (struct lx_timeval){ (int64_t)(us / 1000000), (int64_t)(us % 1000000) };
}

/* The itimerval of the ticks left and the period (old[0], old[1]) to va (0: nowhere). */
static int64_t itimer_out(struct linux_proc *lp, uint64_t va, const uint64_t old[2])
{
    struct lx_itimerval it = { timeval_of(old[1]), timeval_of(old[0]) };
    return !va || proc_write(lp->p, va, &it, sizeof it) ? 0 : -LX_EFAULT;
}

/* setitimer: ITIMER_REAL to the itimerval at rsi (NULL: off), the old one to rdx. */
int64_t lx_setitimer(struct linux_proc *lp, struct utcb_exc *x)
{
    struct lx_itimerval it = { { 0, 0 }, { 0, 0 } };
    if (x->rdi != ITIMER_REAL)
        return -LX_EINVAL;                           /* ITIMER_VIRTUAL, ITIMER_PROF: not kept */
    if (x->rsi && !proc_read(lp->p, &it, x->rsi, sizeof it))
        return -LX_EFAULT;
    const struct lx_timeval *v[2] = { &it.it_value, &it.it_interval };
    for (unsigned i = 0; i < 2; i++)
        if (v[i]->tv_sec < 0 || v[i]->tv_usec < 0 || v[i]->tv_usec >= 1000000)
            return -LX_EINVAL;
    uint64_t old[2];
    timer_set(lp, ticks_of((uint64_t)it.it_value.tv_sec, (uint64_t)it.it_value.tv_usec * 1000),
              ticks_of((uint64_t)it.it_interval.tv_sec, (uint64_t)it.it_interval.tv_usec * 1000), old);
    return itimer_out(lp, x->rdx, old);
}

int64_t lx_getitimer(struct linux_proc *lp, struct utcb_exc *x)
{
    if (x->rdi != ITIMER_REAL)
        return -LX_EINVAL;
    uint64_t cur[2];
    fc_spin_lock(&timer_lock);
    timer_get(lp, fc_rdtsc(), cur);
    fc_spin_unlock(&timer_lock);
    return itimer_out(lp, x->rsi, cur);
}

/* alarm: SIGALRM in rdi seconds (0: none); the seconds the old one had left, rounded as Linux does. */
int64_t lx_alarm(struct linux_proc *lp, struct utcb_exc *x)
{
    uint64_t old[2];
    timer_set(lp, ticks_of((uint32_t)x->rdi, 0), 0, old);
    struct lx_timeval left = timeval_of(old[0]);
    return left.tv_sec + ((!left.tv_sec && left.tv_usec) || left.tv_usec >= 500000);
}
