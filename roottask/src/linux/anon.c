// SPDX-License-Identifier: MIT
/* src/linux/anon.c — descriptions of Linux's anonymous inodes (eventfd, timerfd, epoll): their objects and descriptors. */
#include "linux/linux.h"
#include "fs/pool.h"
#include "facet/spin.h"

/* The kinds' objects come from pools of the roottask's pages (fs/pool.c), under one lock:
 * every process's handler makes and frees them. */
static volatile int pool_lock;

void *lx_anon_get(struct pool *pool)
{
    fc_spin_lock(&pool_lock);
    void *o = pool_get(pool);
    fc_spin_unlock(&pool_lock);
    return o;
}

void lx_anon_put(void *obj)
{
    fc_spin_lock(&pool_lock);
    pool_put(obj);
    fc_spin_unlock(&pool_lock);
}

int64_t lx_anon_install(struct linux_proc *lp, const struct lx_kind *kind, void *obj, uint32_t flags)
{
    struct lx_file *f = obj ? lx_file_new(NULL, O_RDWR | (flags & O_NONBLOCK), -1) : NULL;
    if (!f) {
        if (obj)
            kind->release(obj);
        return obj ? -LX_ENFILE : -LX_ENOMEM;
    }
    f->kind = kind;
    f->obj = obj;
    int64_t fd = lx_fd_install(lp, f, 0, flags & O_CLOEXEC);
    if (fd < 0)
        lx_file_put(f);                              /* and obj with it */
    return fd;
}
