// SPDX-License-Identifier: MIT
/* src/linux/eventfd.c — eventfd: a 64-bit counter that a write adds to and a read takes, each waiting as Linux's. */
#include "linux/linux.h"
#include "fs/pool.h"
#include "facet/spin.h"

/*
 * A read takes the whole count (EFD_SEMAPHORE: 1 of it), waiting while it is 0; a write adds
 * its value, waiting while the sum would pass EFD_MAX. Both move 8 bytes (fewer: -EINVAL);
 * O_NONBLOCK gives -EAGAIN instead of a wait. Waiters (readers, writers, poll and epoll) are
 * process slots in one mask, all woken at each change: one that need not go on looks again.
 */
#define EFD_SEMAPHORE 1
#define EFD_MAX       (~0UL - 1)                     /* the largest count */
#define POLLIN  0x001
#define POLLOUT 0x004

struct lx_eventfd {
    volatile int lock;
    bool semaphore;
    uint64_t count;
    uint32_t in_gen, out_gen;                        /* changes for readers (a write), for writers (a read) */
    uint32_t waiting;                                /* slots of the processes waiting for a change */
};

static struct pool eventfd_pool = { .size = (sizeof(struct lx_eventfd) + 15) & ~15UL };

/* A call on the counter, and lx_block's question for it: wait (for good) or not (0). */
struct efd_call { struct lx_eventfd *e; uint64_t add; };

static uint64_t until_count(void *c)
{
    return ((struct efd_call *)c)->e->count ? 0 : LX_FOREVER;
}

static uint64_t until_room(void *c)
{
    struct efd_call *call = c;
    return call->e->count <= EFD_MAX - call->add ? 0 : LX_FOREVER;
}

/* The change of a read (take) or a write (add) once it need not wait: 0, or lx_block's -errno. */
static int64_t efd_change(struct linux_proc *lp, struct lx_file *f, bool take, uint64_t *v)
{
    struct lx_eventfd *e = f->obj;
    struct efd_call call = { e, *v };
    fc_spin_lock(&e->lock);
    int64_t r = lx_block(lp, &e->lock, &e->waiting, take ? until_count : until_room, &call, f->flags & O_NONBLOCK);
    if (!r && take) {
        *v = e->semaphore ? 1 : e->count;
        e->count -= *v;
        e->out_gen++;
    } else if (!r) {
        e->count += *v;
        e->in_gen++;
    }
    uint32_t wake = r ? 0 : lx_waiters_take(&e->waiting);
    fc_spin_unlock(&e->lock);
    lx_wake_mask(wake);
    return r;
}

static int64_t efd_read(struct linux_proc *lp, struct lx_file *f, uint64_t buf, uint64_t len)
{
    uint64_t v = 0;
    if (len < sizeof v)
        return -LX_EINVAL;
    int64_t r = efd_change(lp, f, true, &v);
    return r ? r : proc_write(lp->p, buf, &v, sizeof v) ? (int64_t)sizeof v : -LX_EFAULT;   /* taken, as Linux's */
}

static int64_t efd_write(struct linux_proc *lp, struct lx_file *f, uint64_t buf, uint64_t len)
{
    uint64_t v;
    if (len < sizeof v)
        return -LX_EINVAL;
    if (!proc_read(lp->p, &v, buf, sizeof v))
        return -LX_EFAULT;
    if (v == ~0UL)
        return -LX_EINVAL;
    int64_t r = efd_change(lp, f, false, &v);
    return r ? r : (int64_t)sizeof v;
}

static unsigned efd_poll(struct linux_proc *lp, struct lx_file *f, unsigned events, struct lx_look *look, uint32_t *gen)
{
    struct lx_eventfd *e = f->obj;
    fc_spin_lock(&e->lock);
    if (look->watch > 0)
        lx_waiter_add(&e->waiting, lp);
    unsigned r = (e->count ? POLLIN : 0) | (e->count < EFD_MAX ? POLLOUT : 0);
    *gen = (events & POLLIN ? e->in_gen : 0) + (events & POLLOUT ? e->out_gen : 0);
    fc_spin_unlock(&e->lock);
    return r;
}

static const struct lx_kind eventfd_kind = {
    .read = efd_read, .write = efd_write, .poll = efd_poll, .release = lx_anon_put,
};

/* eventfd2: a counter starting at the initial value (an unsigned int); EFD_SEMAPHORE, EFD_NONBLOCK, EFD_CLOEXEC. */
static int64_t make_eventfd(struct linux_proc *lp, uint64_t initval, uint64_t flags)
{
    if (flags & ~(uint64_t)(EFD_SEMAPHORE | O_NONBLOCK | O_CLOEXEC))
        return -LX_EINVAL;
    struct lx_eventfd *e = lx_anon_get(&eventfd_pool);
    if (e) {
        e->count = (uint32_t)initval;
        e->semaphore = flags & EFD_SEMAPHORE;
    }
    return lx_anon_install(lp, &eventfd_kind, e, (uint32_t)flags);
}

int64_t lx_eventfd2(struct linux_proc *lp, struct utcb_exc *x)
{
    return make_eventfd(lp, x->rdi, x->rsi);
}

int64_t lx_eventfd(struct linux_proc *lp, struct utcb_exc *x)
{
    return make_eventfd(lp, x->rdi, 0);
}
