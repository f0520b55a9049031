// SPDX-License-Identifier: MIT
/* src/linux/epoll.c — epoll: instances that watch descriptors, and waits until some of them are ready. */
#include <string.h>
#include "linux/linux.h"
#include "facet/mem.h"
#include "facet/spin.h"

/*
 * An instance is a page: a header and the items it watches, each keyed as Linux keys them by
 * the description and the descriptor it was added by, with the events asked and the program's
 * data. Nothing is queued as Linux's ready list is: a wait looks at every item (as poll looks
 * at its array) and reports the ready ones in the order Linux's list would hold them, the one
 * longest ready (or least recently reported: a maxevents smaller than what is ready starves
 * none) first; it sleeps as poll does (registered with each object) while none is ready. An
 * edge-triggered item (EPOLLET) reports when its object changed since its last report
 * (lx_kind's gen: bytes came, a count moved, a timer expired) or it was seen not ready in
 * between; a one-shot item (EPOLLONESHOT) is off after its report until EPOLL_CTL_MOD.
 *
 *   page:  [ lock n clock waiting | item 0: f fd events data gen since ... | item 1 | ... ]
 *
 * Neither side holds a reference to the other: a description that goes takes itself out of
 * every instance first (lx_epoll_forget, called by lx_file_put), as Linux's eventpoll_release.
 * Instances inside instances are looked at recursively; loops and nests deeper than
 * EP_MAX_NESTS are refused when they would be made (-ELOOP).
 */
#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3
#define EPOLL_CLOEXEC O_CLOEXEC
#define EPOLLIN        0x001
#define EPOLLOUT       0x004
#define EPOLLERR       0x008
#define EPOLLHUP       0x010
#define EPOLLRDNORM    0x040
#define EPOLLEXCLUSIVE (1u << 28)
#define EPOLLWAKEUP    (1u << 29)
#define EPOLLONESHOT   (1u << 30)
#define EPOLLET        (1u << 31)
#define EP_FLAGS       (EPOLLEXCLUSIVE | EPOLLWAKEUP | EPOLLONESHOT | EPOLLET)   /* not events */
#define EP_EXCLUSIVE_OK (EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE)
#define EP_MAX_NESTS   4
#define EP_MAX_EVENTS  (0x7fffffff / sizeof(struct lx_epoll_event))
#define EP_INSTANCES   128
#define TASK_SIZE      0x00007ffffffff000UL          /* Linux's end of user space: access_ok */

struct ep_item {
    struct lx_file *f;               /*  0: the description watched */
    int32_t fd;                      /*  8: the descriptor it was added by */
    uint32_t events;                 /* 12: EPOLL* asked, with EPOLLERR | EPOLLHUP; only flags: spent */
    uint64_t data;                   /* 16 */
    uint32_t gen;                    /* 24: EPOLLET: the object's gen at the last report */
    uint32_t since;                  /* 28: when it was last reported, added, or seen not ready (ep->clock) */
    uint32_t seen_gen;               /* 32: a wait's look: the object's gen ... */
    uint16_t seen;                   /* 36: ... and what it would report */
    bool armed;                      /* 38: EPOLLET: may report without a new gen (new, modified, seen not ready) */
};                                   /* 40 */

struct lx_epoll {
    volatile int lock;
    unsigned n;                      /* items */
    uint32_t clock;                  /* counts the items' events (their `since`) */
    uint32_t waiting;                /* slots of the processes waiting on it: a change of its items wakes them */
    struct ep_item item[];
};
#define EP_ITEMS ((PAGE_SIZE - sizeof(struct lx_epoll)) / sizeof(struct ep_item))

static struct lx_epoll *instances[EP_INSTANCES];
static volatile int instances_lock;  /* the list; taken before an instance's lock */
static volatile int nest_lock;       /* adding an instance to another: one at a time, loops checked */

static const struct lx_kind epoll_kind;

/* The looker into the instance's waiters, if it watches (lock held). */
static void ep_watch(struct lx_epoll *ep, struct linux_proc *lp, const struct lx_look *look)
{
    if (look->watch > 0)
        lx_waiter_add(&ep->waiting, lp);
}

/* What the item would report now (nothing if spent); the object's gen to *gen. */
static unsigned item_ready(struct linux_proc *lp, struct ep_item *it, struct lx_look *look, uint32_t *gen)
{
    unsigned asked = it->events & ~EP_FLAGS;
    if (!asked)
        return 0;
    unsigned got = lx_file_poll(lp, it->f, asked, look, gen) & asked;
    if (!(it->events & EPOLLET))
        return got;
    if (!got)
        it->armed = true;                            /* readiness fell: the next rise is an edge */
    return it->armed || *gen != it->gen ? got : 0;
}

static void item_reported(struct ep_item *it, uint32_t gen)
{
    it->gen = gen;
    it->armed = false;
    if (it->events & EPOLLONESHOT)
        it->events &= EP_FLAGS;
}

static void item_remove(struct lx_epoll *ep, unsigned i)
{
    __atomic_sub_fetch(&ep->item[i].f->watched, 1, __ATOMIC_SEQ_CST);
    memmove(&ep->item[i], &ep->item[i + 1], (ep->n - i - 1) * sizeof ep->item[0]);
    ep->n--;
}

/* ---- making and going ---- */

static void ep_release(void *obj)
{
    struct lx_epoll *ep = obj;
    fc_spin_lock(&instances_lock);
    for (unsigned i = 0; i < EP_INSTANCES; i++)
        if (instances[i] == ep)
            instances[i] = NULL;
    fc_spin_unlock(&instances_lock);
    for (unsigned i = 0; i < ep->n; i++)
        __atomic_sub_fetch(&ep->item[i].f->watched, 1, __ATOMIC_SEQ_CST);
    fc_page_free((uint64_t)ep);
}

void lx_epoll_forget(struct lx_file *f)
{
    fc_spin_lock(&instances_lock);
    for (unsigned k = 0; k < EP_INSTANCES; k++) {
        struct lx_epoll *ep = instances[k];
        if (!ep)
            continue;
        fc_spin_lock(&ep->lock);
        for (unsigned i = 0; i < ep->n;)
            if (ep->item[i].f == f)
                item_remove(ep, i);
            else
                i++;
        fc_spin_unlock(&ep->lock);
    }
    fc_spin_unlock(&instances_lock);
}

static int64_t ep_create(struct linux_proc *lp, uint32_t flags)
{
    struct lx_epoll *ep = (struct lx_epoll *)fc_page_alloc();   /* zeroed */
    if (!ep)
        return -LX_ENOMEM;
    bool listed = false;
    fc_spin_lock(&instances_lock);
    for (unsigned i = 0; i < EP_INSTANCES && !listed; i++)
        if (!instances[i])
            instances[i] = ep, listed = true;
    fc_spin_unlock(&instances_lock);
    if (!listed) {
        fc_page_free((uint64_t)ep);
        return -LX_ENOMEM;
    }
    return lx_anon_install(lp, &epoll_kind, ep, flags);
}

/* epoll_create: the size is only checked (> 0), as on Linux. */
int64_t lx_epoll_create(struct linux_proc *lp, struct utcb_exc *x)
{
    return (int32_t)x->rdi <= 0 ? -LX_EINVAL : ep_create(lp, 0);
}

int64_t lx_epoll_create1(struct linux_proc *lp, struct utcb_exc *x)
{
    return x->rdi & ~(uint64_t)EPOLL_CLOEXEC ? -LX_EINVAL : ep_create(lp, (uint32_t)x->rdi);
}

/* ---- epoll_ctl ---- */

/* Does instance `from` lead to `to` through its items, or nest deeper than Linux allows? */
static bool ep_reaches(struct lx_epoll *from, const struct lx_epoll *to, unsigned depth)
{
    if (from == to || depth > EP_MAX_NESTS)
        return true;
    bool r = false;
    fc_spin_lock(&from->lock);
    for (unsigned i = 0; i < from->n && !r; i++)
        if (from->item[i].f->kind == &epoll_kind)
            r = ep_reaches(from->item[i].f->obj, to, depth + 1);
    fc_spin_unlock(&from->lock);
    return r;
}

/* The change op asks of ep (lock held) for (f, fd): 0 or Linux's -errno. */
static int64_t ep_change(struct lx_epoll *ep, int op, struct lx_file *f, int32_t fd, const struct lx_epoll_event *ev)
{
    unsigned i = 0;
    while (i < ep->n && (ep->item[i].f != f || ep->item[i].fd != fd))
        i++;
    bool found = i < ep->n;
    uint32_t events = ev->events | EPOLLERR | EPOLLHUP;
    switch (op) {
    case EPOLL_CTL_ADD:
        if (found)
            return -LX_EEXIST;
        if (ep->n == EP_ITEMS)
            return -LX_ENOSPC;                       /* as Linux past max_user_watches */
        ep->item[ep->n++] = (struct ep_item){ .f = f, .fd = fd, .events = events, .data = ev->data,
                                              .since = ++ep->clock, .armed = true };
        __atomic_add_fetch(&f->watched, 1, __ATOMIC_SEQ_CST);
        return 0;
    case EPOLL_CTL_MOD:
        if (!found)
            return -LX_ENOENT;
        if (ep->item[i].events & EPOLLEXCLUSIVE)
            return -LX_EINVAL;
        ep->item[i].events = events;
        ep->item[i].data = ev->data;
        ep->item[i].armed = true;                    /* ready now: reported, as Linux's requeue */
        ep->item[i].since = ++ep->clock;
        return 0;
    case EPOLL_CTL_DEL:
        if (!found)
            return -LX_ENOENT;
        item_remove(ep, i);
        return 0;
    default:
        return -LX_EINVAL;
    }
}

/*
 * epoll_ctl: ADD, MOD, DEL of (descriptor, its description) in the instance epfd, with Linux's
 * checks in Linux's order. Files, directories and device nodes cannot be waited for (no poll
 * of theirs): -EPERM, as on Linux. Waiters of the instance look again.
 */
int64_t lx_epoll_ctl(struct linux_proc *lp, struct utcb_exc *x)
{
    int op = (int)x->rsi;
    int32_t fd = (int32_t)x->rdx;
    struct lx_epoll_event ev = { 0, 0 };
    if (op != EPOLL_CTL_DEL && !proc_read(lp->p, &ev, x->r10, sizeof ev))
        return -LX_EFAULT;
    struct lx_file *ef = file_of(lp, x->rdi), *f = fd >= 0 ? file_of(lp, (uint64_t)fd) : NULL;
    if (!ef || !f)
        return -LX_EBADF;
    if (f->node)
        return -LX_EPERM;
    if (ef == f || ef->kind != &epoll_kind)
        return -LX_EINVAL;
    if (op != EPOLL_CTL_DEL && (ev.events & EPOLLEXCLUSIVE) &&
        (op == EPOLL_CTL_MOD || f->kind == &epoll_kind || (ev.events & ~EP_EXCLUSIVE_OK)))
        return -LX_EINVAL;
    struct lx_epoll *ep = ef->obj;
    bool nest = op == EPOLL_CTL_ADD && f->kind == &epoll_kind;
    if (nest) {
        fc_spin_lock(&nest_lock);
        if (ep_reaches(f->obj, ep, 1)) {
            fc_spin_unlock(&nest_lock);
            return -LX_ELOOP;
        }
    }
    fc_spin_lock(&ep->lock);
    int64_t r = ep_change(ep, op, f, fd, &ev);
    uint32_t wake = lx_waiters_take(&ep->waiting);
    fc_spin_unlock(&ep->lock);
    if (nest)
        fc_spin_unlock(&nest_lock);
    lx_wake_mask(wake);
    return r;
}

/* ---- waiting ---- */

/* An instance in poll, select or another instance: readable when an item would report. */
static unsigned ep_poll(struct linux_proc *lp, struct lx_file *f, unsigned events, struct lx_look *look, uint32_t *gen)
{
    struct lx_epoll *ep = f->obj;
    unsigned any = 0;
    (void)events;
    fc_spin_lock(&ep->lock);
    ep_watch(ep, lp, look);
    for (unsigned i = 0; i < ep->n; i++) {
        uint32_t g;
        any |= item_ready(lp, &ep->item[i], look, &g);
    }
    fc_spin_unlock(&ep->lock);
    *gen = 0;
    return any ? EPOLLIN | EPOLLRDNORM : 0;
}

static const struct lx_kind epoll_kind = { .poll = ep_poll, .release = ep_release };

/* What an epoll_wait waits on, and where its events go. */
struct ep_wait { struct lx_epoll *ep; uint64_t va; uint64_t max; };

/* The ready item (seen) that has waited longest; NULL: none left. */
static struct ep_item *ep_first(struct lx_epoll *ep)
{
    struct ep_item *first = NULL;
    for (unsigned i = 0; i < ep->n; i++)
        if (ep->item[i].seen && (!first || (int32_t)(ep->item[i].since - first->since) < 0))
            first = &ep->item[i];
    return first;
}

/* One look: every item's readiness, then the ready ones' events (at most max, longest ready
 * first) written out and reported. */
static int64_t ep_look(struct linux_proc *lp, void *what, struct lx_look *look)
{
    struct ep_wait *w = what;
    struct lx_epoll *ep = w->ep;
    int64_t n = 0;
    fc_spin_lock(&ep->lock);
    ep_watch(ep, lp, look);
    for (unsigned i = 0; i < ep->n; i++) {
        struct ep_item *it = &ep->item[i];
        it->seen = (uint16_t)item_ready(lp, it, look, &it->seen_gen);
        if (!it->seen)
            it->since = ++ep->clock;                 /* not ready: it queues anew when it is */
    }
    struct ep_item *it;
    while (look->watch >= 0 && (uint64_t)n < w->max && (it = ep_first(ep))) {
        struct lx_epoll_event ev = { it->seen, it->data };
        if (!proc_write(lp->p, w->va + (uint64_t)n * sizeof ev, &ev, sizeof ev)) {
            n = n ? n : -LX_EFAULT;
            break;
        }
        item_reported(it, it->seen_gen);
        it->seen = 0;
        it->since = ++ep->clock;
        n++;
    }
    fc_spin_unlock(&ep->lock);
    return n;
}

/* epoll_wait and its kin: Linux's checks, then the wait (a reference to the instance held). */
static int64_t ep_wait(struct linux_proc *lp, uint64_t epfd, uint64_t va, int64_t max, uint64_t deadline)
{
    if (max <= 0 || (uint64_t)max > EP_MAX_EVENTS)
        return -LX_EINVAL;
    if (va >= TASK_SIZE || (uint64_t)max * sizeof(struct lx_epoll_event) > TASK_SIZE - va)
        return -LX_EFAULT;
    struct lx_file *f = file_of(lp, epfd);
    if (!f)
        return -LX_EBADF;
    if (f->kind != &epoll_kind)
        return -LX_EINVAL;
    lx_file_hold(f);
    struct ep_wait w = { f->obj, va, (uint64_t)max };
    int64_t r = lx_poll_wait(lp, ep_look, &w, deadline);
    lx_file_put(f);
    return r;
}

/* A signal ends a wait with -EINTR, SA_RESTART or not, as on Linux. */
static int64_t eintr(int64_t r)
{
    return r == -LX_ERESTARTNOHAND ? -LX_EINTR : r;
}

int64_t lx_epoll_wait(struct linux_proc *lp, struct utcb_exc *x)
{
    return eintr(ep_wait(lp, x->rdi, x->rsi, (int32_t)x->rdx, lx_deadline_ms((int32_t)x->r10)));
}

/* epoll_pwait: with a mask for the call (r8, its size r9), kept for the handler of the signal
 * that ends it. */
int64_t lx_epoll_pwait(struct linux_proc *lp, struct utcb_exc *x)
{
    int64_t r = lx_call_mask(lp, x->r8, x->r9);
    if (r)
        return r;
    return eintr(lx_call_mask_done(lp, ep_wait(lp, x->rdi, x->rsi, (int32_t)x->rdx, lx_deadline_ms((int32_t)x->r10))));
}

/* epoll_pwait2: the timeout a timespec (NULL: none), nothing written back. */
int64_t lx_epoll_pwait2(struct linux_proc *lp, struct utcb_exc *x)
{
    uint64_t deadline;
    int64_t r = lx_timed_mask(lp, x->r10, x->r8, x->r9, &deadline);
    return r ? r : eintr(lx_call_mask_done(lp, ep_wait(lp, x->rdi, x->rsi, (int32_t)x->rdx, deadline)));
}
