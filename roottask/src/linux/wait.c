// SPDX-License-Identifier: MIT
/* src/linux/wait.c — waiting for one object (a pipe, an eventfd, a timerfd) under its lock, and waking its waiters. */
#include "linux/linux.h"
#include "fs/fs.h"
#include "facet/spin.h"

/*
 * The protocol of every blocking call (task.c: lx_wait_begin, lx_sleep, lx_wake) for an
 * object with a spin lock and a mask of the process slots waiting for it:
 *
 *   waiter                                     waker
 *   lx_wait_begin                              change the object (its lock held)
 *   loop, the object's lock held:              take its waiter mask (lx_waiters_take), unlock
 *     until(obj) == 0?        -> done          lx_wake_mask: each slot's process woken
 *     a signal to handle?     -> -ERESTARTSYS
 *     its bit into *waiters; unlock (and fs_lock)
 *     sleep (until the time until() said); lock again
 *   lx_wait_end
 *
 * The waiter never takes its bit out: a sibling thread may wait on the same object (linux.h).
 */
int64_t lx_block(struct linux_proc *lp, volatile int *lock, uint32_t *waiters, uint64_t (*until)(void *obj),
                 void *obj, bool nonblock)
{
    uint64_t at = until(obj);
    if (!at)
        return 0;
    if (nonblock)
        return -LX_EAGAIN;
    int64_t r = 0;
    lx_wait_begin(lp);
    while ((at = until(obj))) {
        if (lx_signal_interrupts(lp)) {
            r = -LX_ERESTARTSYS;
            break;
        }
        lx_waiter_add(waiters, lp);                  /* under the lock: a waker sees it */
        fc_spin_unlock(lock);
        fs_unlock();
        lx_sleep(lp, at == LX_FOREVER ? 0 : at);     /* never returns if the process is torn down */
        fs_lock();
        fc_spin_lock(lock);
    }
    lx_wait_end(lp);
    return r;
}

/* Wake the processes of a waiter mask (read under the object's lock, woken after it). */
void lx_wake_mask(uint32_t waiters)
{
    for (; waiters; waiters &= waiters - 1)
        lx_wake(lx_slot((unsigned)__builtin_ctz(waiters)));
}
