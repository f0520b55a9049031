// SPDX-License-Identifier: MIT
/* src/linux/pipe.c — pipes: a ring of pages between two ends; a read waits for bytes, a write for room. */
#include <string.h>
#include "linux/linux.h"
#include "fs/fs.h"
#include "facet/mem.h"
#include "facet/spin.h"

/*
 * A pipe holds up to PIPE_PAGES pages of bytes (64 KiB, Linux's default), in pages of ours
 * used as a ring. A read of an empty pipe waits while a write end is open (then: end of
 * file, 0); a write waits for room while a read end is open (then: -EPIPE). Waiting is
 * proc_block on the pipe's semaphores, without the file-system lock: only the caller waits
 * (each process has a syscall handler of its own). O_NONBLOCK: -EAGAIN instead of waiting.
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
    sel_t data, room;                /* upped when bytes come in (or the last writer goes), when room comes */
};

#define POLLIN  0x001
#define POLLOUT 0x004
#define POLLERR 0x008
#define POLLHUP 0x010

static void pipe_free(struct lx_pipe *pp)
{
    for (unsigned i = 0; i < PIPE_PAGES; i++)
        if (pp->page[i])
            fc_page_free(pp->page[i]);
    if (pp->data)
        fc_revoke(CRD(CRD_OBJ, PERM_ALL, 0, pp->data), REVOKE_SELF, 0);
    if (pp->room)
        fc_revoke(CRD(CRD_OBJ, PERM_ALL, 0, pp->room), REVOKE_SELF, 0);
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
    sel_t s = fc_sel_alloc(2);
    if (ok && fc_create_sm(s, SEL_ROOT_PD, 0) == SUCCESS)
        pp->data = s;
    if (ok && pp->data && fc_create_sm(s + 1, SEL_ROOT_PD, 0) == SUCCESS)
        pp->room = s + 1;
    if (!ok || !pp->room) {
        pipe_free(pp);
        return NULL;
    }
    pp->readers = pp->writers = 1;
    return pp;
}

/* Wait on sm with nothing held: the fs lock (read and write run under it) goes while we wait. */
static void pipe_wait(struct linux_proc *lp, struct lx_pipe *pp, sel_t sm)
{
    fc_spin_unlock(&pp->lock);
    fs_unlock();
    proc_block(lp->p, sm, 0);                    /* never returns if the process is torn down */
    fs_lock();
    fc_spin_lock(&pp->lock);
}

int64_t lx_pipe_read(struct linux_proc *lp, struct lx_file *f, uint64_t buf, uint64_t len)
{
    struct lx_pipe *pp = f->pipe;
    if (!len)
        return 0;
    fc_spin_lock(&pp->lock);
    while (!pp->count && pp->writers) {
        if (f->flags & O_NONBLOCK) {
            fc_spin_unlock(&pp->lock);
            return -LX_EAGAIN;
        }
        pipe_wait(lp, pp, pp->data);
    }
    if (!pp->count) {                            /* no writer left: the end of the file */
        fc_spin_unlock(&pp->lock);
        return 0;
    }
    uint64_t done = 0;
    while (done < len && pp->count) {
        uint64_t at = pp->head % PIPE_SIZE, n = PAGE_SIZE - at % PAGE_SIZE, w = proc_window(lp->p, buf + done);
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
    fc_spin_unlock(&pp->lock);
    if (done)
        fc_sm_up(pp->room);
    return done ? (int64_t)done : -LX_EFAULT;
}

int64_t lx_pipe_write(struct linux_proc *lp, struct lx_file *f, const void *buf, uint64_t len)
{
    struct lx_pipe *pp = f->pipe;
    const uint8_t *src = buf;
    uint64_t done = 0;
    fc_spin_lock(&pp->lock);
    while (done < len) {
        if (!pp->readers) {
            fc_spin_unlock(&pp->lock);
            lx_signal_send(lp, 13 /* SIGPIPE */, (int)lp->p->id);
            return done ? (int64_t)done : -LX_EPIPE;
        }
        if (pp->count == PIPE_SIZE) {
            if (f->flags & O_NONBLOCK) {
                fc_spin_unlock(&pp->lock);
                return done ? (int64_t)done : -LX_EAGAIN;
            }
            pipe_wait(lp, pp, pp->room);
            continue;
        }
        uint64_t at = (pp->head + pp->count) % PIPE_SIZE, n = PAGE_SIZE - at % PAGE_SIZE;
        if (n > PIPE_SIZE - pp->count)
            n = PIPE_SIZE - pp->count;
        if (n > len - done)
            n = len - done;
        memcpy((void *)(pp->page[at / PAGE_SIZE] + at % PAGE_SIZE), src + done, n);
        pp->count += n;
        done += n;
        fc_sm_up(pp->data);
    }
    fc_spin_unlock(&pp->lock);
    return (int64_t)done;
}

unsigned lx_pipe_poll(struct lx_file *f)
{
    struct lx_pipe *pp = f->pipe;
    unsigned r = 0;
    fc_spin_lock(&pp->lock);
    if ((f->flags & O_ACCMODE) == O_RDONLY)
        r = (pp->count ? POLLIN : 0) | (pp->writers ? 0 : POLLHUP);
    else
        r = (pp->count < PIPE_SIZE ? POLLOUT : 0) | (pp->readers ? 0 : POLLERR);
    fc_spin_unlock(&pp->lock);
    return r;
}

void lx_pipe_close(struct lx_file *f)
{
    struct lx_pipe *pp = f->pipe;
    fc_spin_lock(&pp->lock);
    if ((f->flags & O_ACCMODE) == O_RDONLY)
        pp->readers--;
    else
        pp->writers--;
    bool last = !pp->readers && !pp->writers;
    fc_spin_unlock(&pp->lock);
    f->pipe = NULL;
    if (last) {
        pipe_free(pp);
        return;
    }
    fc_sm_up(pp->data);                          /* a reader waiting sees the end of file */
    fc_sm_up(pp->room);                          /* a writer waiting sees -EPIPE */
}

/* pipe2: a pipe, its read end on the lowest free descriptor, its write end on the next. */
int64_t lx_pipe2(struct linux_proc *lp, struct utcb_exc *x)
{
    uint64_t flags = x->rsi;
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
    if (wfd < 0 || !proc_write(lp->p, x->rdi, fds, sizeof fds)) {
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

int64_t lx_pipe(struct linux_proc *lp, struct utcb_exc *x)
{
    x->rsi = 0;
    return lx_pipe2(lp, x);
}
