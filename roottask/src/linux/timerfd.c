// SPDX-License-Identifier: MIT
/* src/linux/timerfd.c — timerfd: a timer on the monotonic or real-time clock whose expiries a read counts. */
#include "linux/linux.h"
#include "fs/pool.h"
#include "facet/spin.h"

/*
 * A timer is its next expiry as a TSC time (0: disarmed) and its period; expiries are counted
 * when someone looks (a read, poll, epoll, gettime, settime): no thread fires them. A read
 * returns the count (8 bytes) and zeroes it; with none it waits until the next expiry (or a
 * settime, which wakes it), or gives -EAGAIN with O_NONBLOCK. A poll or epoll that waits sleeps
 * at most until the next expiry (lx_look's wake). An absolute time (TFD_TIMER_ABSTIME) is turned
 * into a TSC time when it is set, from the clock's reading then: a later settimeofday does not
 * move it (there is none here).
 */
#define CLOCK_REALTIME       0
#define CLOCK_MONOTONIC      1
#define CLOCK_BOOTTIME       7
#define CLOCK_REALTIME_ALARM 8
#define CLOCK_BOOTTIME_ALARM 9
#define TFD_TIMER_ABSTIME       1
#define TFD_TIMER_CANCEL_ON_SET 2
#define POLLIN 0x001
#define NS_PER_S 1000000000UL

struct lx_timerfd {
    volatile int lock;
    uint32_t clock;                                  /* CLOCK_REALTIME, CLOCK_MONOTONIC or CLOCK_BOOTTIME */
    uint64_t next;                                   /* TSC time of the next expiry; 0: disarmed */
    uint64_t every;                                  /* TSC ticks between expiries; 0: one only */
    struct lx_timespec interval;                     /* the period as set (gettime says it so) */
    uint64_t count;                                  /* expiries not read yet */
    uint32_t gen;                                    /* changes: expiries counted, settime */
    uint32_t waiting;                                /* slots of the processes waiting for an expiry */
};

static struct pool timerfd_pool = { .size = (sizeof(struct lx_timerfd) + 15) & ~15UL };

/* Count the expiries due by now (lock held); a periodic timer's next one comes after now. */
static void tfd_expire(struct lx_timerfd *t, uint64_t now)
{
    if (!t->next || now < t->next)
        return;
    uint64_t n = 1 + (t->every ? (now - t->next) / t->every : 0);
    t->count += n;
    t->next = t->every ? t->next + n * t->every : 0;
    t->gen++;
}

/* lx_block's question for a read: no wait (0), until the next expiry, or for good (disarmed). */
static uint64_t until_expiry(void *obj)
{
    struct lx_timerfd *t = obj;
    tfd_expire(t, fc_rdtsc());
    return t->count ? 0 : t->next ? t->next : LX_FOREVER;
}

static int64_t tfd_read(struct linux_proc *lp, struct lx_file *f, uint64_t buf, uint64_t len)
{
    struct lx_timerfd *t = f->obj;
    uint64_t n = 0;
    if (len < sizeof n)
        return -LX_EINVAL;
    fc_spin_lock(&t->lock);
    int64_t r = lx_block(lp, &t->lock, &t->waiting, until_expiry, t, f->flags & O_NONBLOCK);
    if (!r) {
        n = t->count;
        t->count = 0;
    }
    fc_spin_unlock(&t->lock);
    return r ? r : proc_write(lp->p, buf, &n, sizeof n) ? (int64_t)sizeof n : -LX_EFAULT;
}

static unsigned tfd_poll(struct linux_proc *lp, struct lx_file *f, unsigned events, struct lx_look *look, uint32_t *gen)
{
    struct lx_timerfd *t = f->obj;
    (void)events;
    fc_spin_lock(&t->lock);
    tfd_expire(t, fc_rdtsc());
    if (look->watch > 0)
        lx_waiter_add(&t->waiting, lp);
    if (look->watch > 0 && !t->count && t->next && (!look->wake || t->next < look->wake))
        look->wake = t->next;
    *gen = t->gen;
    unsigned r = t->count ? POLLIN : 0;
    fc_spin_unlock(&t->lock);
    return r;
}

static const struct lx_kind timerfd_kind = { .read = tfd_read, .poll = tfd_poll, .release = lx_anon_put };

/* timerfd_create: a disarmed timer on the clock (the alarm clocks as their plain twins); TFD_NONBLOCK, TFD_CLOEXEC. */
int64_t lx_timerfd_create(struct linux_proc *lp, struct utcb_exc *x)
{
    int32_t clock = (int32_t)x->rdi;
    uint64_t flags = x->rsi;
    if ((flags & ~(uint64_t)(O_NONBLOCK | O_CLOEXEC)) ||
        (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC && clock != CLOCK_BOOTTIME &&
         clock != CLOCK_REALTIME_ALARM && clock != CLOCK_BOOTTIME_ALARM))
        return -LX_EINVAL;
    struct lx_timerfd *t = lx_anon_get(&timerfd_pool);
    if (t)
        t->clock = clock == CLOCK_REALTIME_ALARM ? CLOCK_REALTIME : clock == CLOCK_BOOTTIME_ALARM ? CLOCK_BOOTTIME
                                                                                                    : (uint32_t)clock;
    return lx_anon_install(lp, &timerfd_kind, t, (uint32_t)flags);
}

/* The timer of descriptor fd: 0 with *t set, -EBADF, or -EINVAL (not a timerfd). */
static int64_t timer_of(struct linux_proc *lp, uint64_t fd, struct lx_timerfd **t)
{
    struct lx_file *f = file_of(lp, fd);
    if (!f)
        return -LX_EBADF;
    if (f->kind != &timerfd_kind)
        return -LX_EINVAL;
    *t = f->obj;
    return 0;
}

static struct lx_timespec timespec_of(uint64_t ticks)
{
    uint64_t ns = lx_ns(ticks);
    return (struct lx_timespec){ (int64_t)(ns / NS_PER_S), (int64_t)(ns % NS_PER_S) };
}

/* The timer's setting now, as gettime reports it, its expiries counted first (lock held). */
static struct lx_itimerspec tfd_setting(struct lx_timerfd *t, uint64_t now)
{
    tfd_expire(t, now);
    return (struct lx_itimerspec){ t->interval, timespec_of(t->next > now ? t->next - now : 0) };
}

static bool timespec_valid(const struct lx_timespec *ts)
{
    return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < (int64_t)NS_PER_S;
}

/* The TSC time of an expiry `value` from now, or at the clock's time `value` (absolute; one
 * already past lies as far in the past, so its missed periods count). Never 0 (disarmed). */
static uint64_t expiry_at(const struct lx_timerfd *t, const struct lx_timespec *value, bool absolute, uint64_t now)
{
    if (!absolute)
        return now + lx_ticks((uint64_t)value->tv_sec, (uint64_t)value->tv_nsec);
    int64_t ahead = lx_ns_ahead(t->clock, value);
    uint64_t far = (uint64_t)(ahead < 0 ? -ahead : ahead), span = lx_ticks(far / NS_PER_S, far % NS_PER_S);
    return ahead >= 0 ? now + span : span < now ? now - span : 1;
}

/* timerfd_settime: armed to the itimerspec at rdx (it_value 0: disarmed), the old setting to r10. */
int64_t lx_timerfd_settime(struct linux_proc *lp, struct utcb_exc *x)
{
    struct lx_itimerspec it, old;
    struct lx_timerfd *t;
    if (!proc_read(lp->p, &it, x->rdx, sizeof it))
        return -LX_EFAULT;
    if ((x->rsi & ~(uint64_t)(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)) || !timespec_valid(&it.it_value) ||
        !timespec_valid(&it.it_interval))
        return -LX_EINVAL;
    int64_t r = timer_of(lp, x->rdi, &t);
    if (r)
        return r;
    fc_spin_lock(&t->lock);
    uint64_t now = fc_rdtsc();
    old = tfd_setting(t, now);
    bool on = it.it_value.tv_sec || it.it_value.tv_nsec;
    uint64_t every = lx_ticks((uint64_t)it.it_interval.tv_sec, (uint64_t)it.it_interval.tv_nsec);
    t->every = every + (!every && it.it_interval.tv_nsec);   /* never rounded to none */
    t->interval = it.it_interval;                    /* kept disarmed too, as Linux's */
    t->next = on ? expiry_at(t, &it.it_value, x->rsi & TFD_TIMER_ABSTIME, now) : 0;
    t->count = 0;
    t->gen++;
    uint32_t wake = lx_waiters_take(&t->waiting);
    fc_spin_unlock(&t->lock);
    lx_wake_mask(wake);                              /* a read waits for another time now */
    return !x->r10 || proc_write(lp->p, x->r10, &old, sizeof old) ? 0 : -LX_EFAULT;
}

/* timerfd_gettime: the time to the next expiry (0: disarmed) and the period. */
int64_t lx_timerfd_gettime(struct linux_proc *lp, struct utcb_exc *x)
{
    struct lx_timerfd *t;
    int64_t r = timer_of(lp, x->rdi, &t);
    if (r)
        return r;
    fc_spin_lock(&t->lock);
    struct lx_itimerspec cur = tfd_setting(t, fc_rdtsc());
    fc_spin_unlock(&t->lock);
    return proc_write(lp->p, x->rsi, &cur, sizeof cur) ? 0 : -LX_EFAULT;
}
