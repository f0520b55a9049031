// SPDX-License-Identifier: MIT
/* src/linux/pipe.c — pipes: a ring of pages between two ends; a read waits for bytes, a write for room. */
#include <string.h>
#include "linux/linux.h"
#include "fs/fs.h"
#include "facet/mem.h"
#include "facet/spin.h"
#include "facet/lab.h"

/*
 * A pipe holds up to PIPE_PAGES pages of bytes (64 KiB, Linux's default), in pages of ours
 * used as a ring. A read of an empty pipe waits while a write end is open (then: end of
 * file, 0); a write waits for room while a read end is open (then: -EPIPE). A waiter puts its
 * slot's bit into the pipe's readers_waiting or writers_waiting and sleeps on its own
 * semaphore (lx_sleep), without the file-system lock: only the caller waits. Whoever adds
 * bytes, takes them or closes an end wakes the other side's waiters (lx_wake_mask). A signal to
 * handle ends a wait with -ERESTARTSYS. O_NONBLOCK: -EAGAIN instead of waiting.
 *
 *   ring:  [page 0][page 1] ... [page 15]    head = the next byte to read, count = bytes held
 */
#define PIPE_PAGES 16
#define PIPE_SIZE  (PIPE_PAGES * PAGE_SIZE)

struct lx_pipe {
    volatile int lock;
    unsigned readers, writers;       /* open ends */
    uint64_t head, count;
    uint64_t page[PIPE_PAGES];       /* our window addresses */
    uint32_t readers_waiting;        /* slots of the processes waiting for bytes (bit per slot) */
    uint32_t writers_waiting;        /* ... for room */
    uint32_t in_gen, out_gen;        /* changes for the read end (bytes came, writers went), the write end's */
};
_Static_assert(PROC_MAX <= 32, "a waiter mask has a bit per slot");

#define POLLIN  0x001
#define POLLOUT 0x004
#define POLLERR 0x008
#define POLLHUP 0x010

static void pipe_free(struct lx_pipe *pp)
{
    for (unsigned i = 0; i < PIPE_PAGES; i++)
        if (pp->page[i])
            fc_page_free(pp->page[i]);
    fc_page_free((uint64_t)pp);
}

static struct lx_pipe *pipe_new(void)
{
    struct lx_pipe *pp = (struct lx_pipe *)fc_page_alloc();    /* zeroed */
    if (!pp)
        return NULL;
    bool ok = true;
    for (unsigned i = 0; i < PIPE_PAGES && ok; i++)
        ok = (pp->page[i] = fc_page_alloc()) != 0;
    if (!ok) {
        pipe_free(pp);
        return NULL;
    }
    pp->readers = pp->writers = 1;
    return pp;
}

/* Must a read (reading) or a write of it wait now: no bytes (no room) while the other side is open? */
static bool pipe_blocked(const struct lx_pipe *pp, bool reading)
{
    return reading ? !pp->count && pp->writers : pp->count == PIPE_SIZE && pp->readers;
}

/* lx_block's question for a read (a write): wait, for good, or not at all (0). */
static uint64_t pipe_until_bytes(void *pp)
{
    return pipe_blocked(pp, true) ? LX_FOREVER : 0;
}

static uint64_t pipe_until_room(void *pp)
{
    return pipe_blocked(pp, false) ? LX_FOREVER : 0;
}

/*
 * With the pipe locked: wait until a read (reading) or a write through f need not: 0;
 * O_NONBLOCK: -EAGAIN; a signal to handle: -ERESTARTSYS. The locks (the pipe's, and the fs
 * lock read and write run under) go while it sleeps.
 */
static int64_t pipe_wait(struct linux_proc *lp, struct lx_file *f, struct lx_pipe *pp, bool reading)
{
    return lx_block(lp, &pp->lock, reading ? &pp->readers_waiting : &pp->writers_waiting,
                    reading ? pipe_until_bytes : pipe_until_room, pp, f->flags & O_NONBLOCK);
}

/*
 * A read of up to len bytes into the process's buf: waits (pipe_wait) while the pipe is empty
 * and a write end is open; 0 at the end of the file; the bytes taken, or -EFAULT if buf
 * could take none; wakes the writers waiting for room.
 */
int64_t lx_pipe_read(struct linux_proc *lp, struct lx_file *f, uint64_t buf, uint64_t len)
{
    /* LAB linux-emulation BEGIN: wait for bytes or the end of the file, copy from the ring straight into the process page by page, wake the writers (docs: labs/5-linux-emulation/README.md#pipes) */
    struct lx_pipe *pp = f->pipe;
    if (!len)
        return 0;
    fc_spin_lock(&pp->lock);
    int64_t r = pipe_wait(lp, f, pp, true);
    if (r || !pp->count) {                       /* no writer left: the end of the file */
        fc_spin_unlock(&pp->lock);
        return r;
    }
    uint64_t done = 0;
    while (done < len && pp->count) {
        uint64_t at = pp->head % PIPE_SIZE, n = PAGE_SIZE - at % PAGE_SIZE, w = proc_user_window(lp->p, buf + done, true);
        if (n > pp->count)
            n = pp->count;
        if (n > len - done)
            n = len - done;
        if (n > PAGE_SIZE - ((buf + done) & 0xfff))
            n = PAGE_SIZE - ((buf + done) & 0xfff);
        if (!w)
            break;
        memcpy((void *)w, (const void *)(pp->page[at / PAGE_SIZE] + at % PAGE_SIZE), n);
        pp->head += n;
        pp->count -= n;
        done += n;
    }
    pp->out_gen += done != 0;
    uint32_t wake = done ? lx_waiters_take(&pp->writers_waiting) : 0;
    fc_spin_unlock(&pp->lock);
    lx_wake_mask(wake);
    return done ? (int64_t)done : -LX_EFAULT;
    //@ (void)lp;
    //@ (void)f;
    //@ (void)buf;
    //@ (void)len;
    //@ (void)pipe_wait;
    //@ LAB_TODO("linux-emulation: reading a pipe (lx_pipe_read)");
    //@ return -LX_ENOSYS;
    /* LAB linux-emulation END */
}

/* A write: all of it, waiting for room as it goes; what a signal or a closed read end left
 * unwritten is not written (the bytes so far, or the error). */
int64_t lx_pipe_write(struct linux_proc *lp, struct lx_file *f, const void *buf, uint64_t len)
{
    /* LAB linux-emulation BEGIN: all of buf into the ring, waiting for room as it goes; no reader: SIGPIPE and -EPIPE; wake the readers after each piece (docs: labs/5-linux-emulation/README.md#pipes) */
    struct lx_pipe *pp = f->pipe;
    const uint8_t *src = buf;
    uint64_t done = 0;
    int64_t r = 0;
    fc_spin_lock(&pp->lock);
    while (done < len && !(r = pipe_wait(lp, f, pp, false))) {
        if (!pp->readers) {
            fc_spin_unlock(&pp->lock);
            lx_signal_send(lp, 13 /* SIGPIPE */, (int)lp->p->id);
            return done ? (int64_t)done : -LX_EPIPE;
        }
        uint64_t at = (pp->head + pp->count) % PIPE_SIZE, n = PAGE_SIZE - at % PAGE_SIZE;
        if (n > PIPE_SIZE - pp->count)
            n = PIPE_SIZE - pp->count;
        if (n > len - done)
            n = len - done;
        memcpy((void *)(pp->page[at / PAGE_SIZE] + at % PAGE_SIZE), src + done, n);
        pp->count += n;
        done += n;
        pp->in_gen++;
        uint32_t wake = lx_waiters_take(&pp->readers_waiting);
        fc_spin_unlock(&pp->lock);
        lx_wake_mask(wake);
        fc_spin_lock(&pp->lock);
    }
    fc_spin_unlock(&pp->lock);
    return done ? (int64_t)done : r;
    //@ (void)lp;
    //@ (void)f;
    //@ (void)buf;
    //@ (void)len;
    //@ LAB_TODO("linux-emulation: writing a pipe (lx_pipe_write)");
    //@ return -LX_ENOSYS;
    /* LAB linux-emulation END */
}

void lx_pipe_watch(struct linux_proc *lp, struct lx_file *f)
{
    struct lx_pipe *pp = f->pipe;
    fc_spin_lock(&pp->lock);
    lx_waiter_add((f->flags & O_ACCMODE) == O_RDONLY ? &pp->readers_waiting : &pp->writers_waiting, lp);
    fc_spin_unlock(&pp->lock);
}

unsigned lx_pipe_poll(struct lx_file *f, uint32_t *gen)
{
    struct lx_pipe *pp = f->pipe;
    unsigned r = 0;
    fc_spin_lock(&pp->lock);
    if ((f->flags & O_ACCMODE) == O_RDONLY)
        r = (pp->count ? POLLIN : 0) | (pp->writers ? 0 : POLLHUP);
    else
        r = (pp->count < PIPE_SIZE ? POLLOUT : 0) | (pp->readers ? 0 : POLLERR);
    *gen = (f->flags & O_ACCMODE) == O_RDONLY ? pp->in_gen : pp->out_gen;
    fc_spin_unlock(&pp->lock);
    return r;
}

void lx_pipe_close(struct lx_file *f)
{
    struct lx_pipe *pp = f->pipe;
    fc_spin_lock(&pp->lock);
    if ((f->flags & O_ACCMODE) == O_RDONLY)
        pp->readers--, pp->out_gen++;
    else
        pp->writers--, pp->in_gen++;
    bool last = !pp->readers && !pp->writers;
    uint32_t wake = lx_waiters_take(&pp->readers_waiting) | lx_waiters_take(&pp->writers_waiting);   /* end of file, -EPIPE */
    fc_spin_unlock(&pp->lock);
    f->pipe = NULL;
    if (last)
        pipe_free(pp);
    else
        lx_wake_mask(wake);
}

/* pipe2: a pipe, its read end on the lowest free descriptor, its write end on the next; into fds_va. */
static int64_t make_pipe(struct linux_proc *lp, uint64_t fds_va, uint64_t flags)
{
    if (flags & ~(uint64_t)(O_CLOEXEC | O_NONBLOCK))
        return -LX_EINVAL;
    struct lx_pipe *pp = pipe_new();
    if (!pp)
        return -LX_ENFILE;
    uint32_t status = (uint32_t)flags & O_NONBLOCK;
    struct lx_file *r = lx_file_new(NULL, O_RDONLY | status, -1), *w = lx_file_new(NULL, O_WRONLY | status, -1);
    if (r)
        r->pipe = pp;
    if (w)
        w->pipe = pp;
    int64_t rfd = r && w ? lx_fd_install(lp, r, 0, flags & O_CLOEXEC) : -LX_ENFILE;
    int64_t wfd = rfd >= 0 ? lx_fd_install(lp, w, 0, flags & O_CLOEXEC) : rfd;
    int32_t fds[2] = { (int32_t)rfd, (int32_t)wfd };
    if (wfd < 0 || !proc_write(lp->p, fds_va, fds, sizeof fds)) {
        if (rfd >= 0)
            lp->fd[rfd] = NULL;
        if (wfd >= 0)
            lp->fd[wfd] = NULL;
        if (r)
            lx_file_put(r);                      /* its end goes (and the pipe with the last) */
        else
            pp->readers--;
        if (w)
            lx_file_put(w);
        else
            pp->writers--;
        if (!r && !w)
            pipe_free(pp);
        return wfd < 0 ? wfd : -LX_EFAULT;
    }
    return 0;
}

int64_t lx_pipe2(struct linux_proc *lp, struct utcb_exc *x)
{
    return make_pipe(lp, x->rdi, x->rsi);
}

int64_t lx_pipe(struct linux_proc *lp, struct utcb_exc *x)
{
    return make_pipe(lp, x->rdi, 0);
}
