// SPDX-License-Identifier: MIT
/* src/linux/fd.c — descriptors: read and write (and their variants), lseek, close, ioctl, poll, fcntl; the console. */
#include <stdio.h>
#include <string.h>
#include "facet/lab.h"
#include "linux/linux.h"
#include "fs/fs.h"
#include "facet/spin.h"
#include "com1.h"

/* ---- open file descriptions ---- */

#define LX_MAX_FILES 1024                    /* descriptions of every process together */
static struct lx_file files[LX_MAX_FILES];
static unsigned files_free;                     /* none free below it (under files_lock) */
static volatile int files_lock;              /* the handlers of all processes share the pool */

struct lx_file *lx_file_new(struct fs_node *node, uint32_t flags, int console)
{
    struct lx_file *f = NULL;
    fc_spin_lock(&files_lock);
    for (unsigned i = files_free; i < LX_MAX_FILES && !f; i++)
        if (!files[i].refs)
            f = &files[i];
    if (f) {
        *f = (struct lx_file){ .refs = 1, .node = node, .console = console, .flags = flags };
        files_free = (unsigned)(f - files) + 1;
    }
    fc_spin_unlock(&files_lock);
    return f;
}

void lx_file_hold(struct lx_file *f)
{
    fc_spin_lock(&files_lock);
    f->refs++;
    fc_spin_unlock(&files_lock);
}

/* The last reference keeps the description taken until what it holds has gone: an epoll's
 * look at it (under the epoll's lock, which lx_epoll_forget takes first) never sees it reused. */
void lx_file_put(struct lx_file *f)
{
    fc_spin_lock(&files_lock);
    bool last = f->refs == 1;
    if (!last)
        f->refs--;
    fc_spin_unlock(&files_lock);
    if (!last)
        return;
    if (__atomic_load_n(&f->watched, __ATOMIC_SEQ_CST))
        lx_epoll_forget(f);
    if (f->node)
        fs_release(f->node);
    if (f->pipe)
        lx_pipe_close(f);
    if (f->kind)
        f->kind->release(f->obj);
    fc_spin_lock(&files_lock);
    f->refs = 0;
    if (files_free > (unsigned)(f - files))
        files_free = (unsigned)(f - files);
    fc_spin_unlock(&files_lock);
}

int64_t lx_fd_install(struct linux_proc *lp, struct lx_file *f, unsigned min, bool cloexec)
{
    for (unsigned fd = min; fd < LX_MAX_FDS; fd++)
        if (!lp->fd[fd]) {
            lp->fd[fd] = f;
            lp->cloexec[fd / 64] = (lp->cloexec[fd / 64] & ~(1UL << (fd % 64))) | ((uint64_t)cloexec << (fd % 64));
            return fd;
        }
    return -LX_EMFILE;
}

/* ---- the console: a description per stream (no node, no pipe) ---- */

static const char *const fd_tag[3] = { "stdin", "stdout", "stderr" };

/* Console output goes out whole lines at a time, tagged with the descriptor (or as the console
 * mode says). Kept out of lx_fd_write (noinline): inlined, its loop would lengthen every write
 * to a file. */
enum lx_console_mode lx_console_mode;

static __attribute__((noinline)) void lx_console_out(struct linux_proc *lp, unsigned fd /* the stream */,
                                                     const char *s, uint64_t n)
{
    if (lx_console_mode == LX_CONSOLE_STREAMS) {
        com_raw(fd == 1 ? LX_COM_STDOUT : LX_COM_STDERR, s, n);
        return;
    }
    if (lx_console_mode == LX_CONSOLE_TERMINAL) {
        lx_tty_write(fd, s, n);
        return;
    }
    for (uint64_t i = 0; i < n; i++) {
        char c = s[i];
        if (c != '\n')
            lp->line[fd][lp->len[fd]++] = c;
        if (c == '\n' || lp->len[fd] == sizeof lp->line[fd] - 1) {
            printf("[%s] %.*s\n", fd_tag[fd], (int)lp->len[fd], lp->line[fd]);
            lp->len[fd] = 0;
        }
    }
}

void linux_flush(struct linux_proc *lp)
{
    for (unsigned fd = 1; fd < 3; fd++)
        if (lp->len[fd]) {
            printf("[%s] %.*s\n", fd_tag[fd], (int)lp->len[fd], lp->line[fd]);
            lp->len[fd] = 0;
        }
}

/* ---- writes ---- */

/* A descriptor's write from a roottask buffer (the one place write, writev and sendfile end up):
 * the console, or the file at its offset; bytes or -errno. */
static int64_t lx_fd_write(struct linux_proc *lp, uint64_t fd_arg, const void *buf, uint64_t len)
{
    struct lx_file *f = file_of(lp, fd_arg);
    if (!f || ((f->node || f->pipe || f->console == LX_CONSOLE_TTY) && (f->flags & O_ACCMODE) == O_RDONLY) ||
        f->console == 0)
        return -LX_EBADF;
    if (f->kind)
        return -LX_EINVAL;                           /* from the roottask's buffer: see fd_write */
    if (f->pipe)
        return lx_pipe_write(lp, f, buf, len);
    if (!f->node) {
        lx_console_out(lp, f->console == LX_CONSOLE_TTY ? 1 : (unsigned)f->console, buf, len);
        return (int64_t)len;
    }
    if (fs_is_dev(f->node))
        return lx_dev_write(f->node, len);
    if (f->flags & O_APPEND)
        f->off = f->node->size;
    int64_t r = fs_write(f->node, f->off, buf, len);
    if (r > 0)
        f->off += (uint64_t)r;
    return r;
}

/* Write len bytes from the process's buf to a descriptor, page by page straight from its memory:
 * bytes written or -errno. */
static int64_t write_user(struct linux_proc *lp, uint64_t fd, uint64_t buf, uint64_t len)
{
    /* LAB linux-emulation BEGIN: copy from the process's buffer page by page (proc_user_window) into lx_fd_write; -EFAULT only if no byte could be taken (docs: labs/5-linux-emulation/README.md#write) */
    int64_t ok = lx_fd_write(lp, fd, "", 0);         /* the descriptor first: -EBADF before -EFAULT */
    if (ok < 0 || !len)
        return ok;
    for (uint64_t done = 0; done < len; ) {
        uint64_t va = buf + done, w = proc_user_window(lp->p, va, false), n = 4096 - (va & 4095);
        if (!w || va < buf)
            return done ? (int64_t)done : -LX_EFAULT;
        if (n > len - done)
            n = len - done;
        int64_t r = lx_fd_write(lp, fd, (const void *)w, n);
        if (r < 0)
            return done ? (int64_t)done : r;
        done += (uint64_t)r;
        if ((uint64_t)r < n)
            return (int64_t)done;
    }
    return (int64_t)len;
    //@ (void)lp;
    //@ (void)fd;
    //@ (void)buf;
    //@ (void)len;
    //@ LAB_TODO("linux-emulation: write from the process's memory (write_user)");
    //@ return -LX_ENOSYS;
    /* LAB linux-emulation END */
}

/* A write from the process's buf: an eventfd (its kind) takes it whole, the rest page by page. */
static int64_t fd_write(struct linux_proc *lp, uint64_t fd, uint64_t buf, uint64_t len)
{
    struct lx_file *f = file_of(lp, fd);
    if (f && f->kind)
        return f->kind->write ? f->kind->write(lp, f, buf, len) : -LX_EINVAL;
    return write_user(lp, fd, buf, len);
}

int64_t lx_write(struct linux_proc *lp, struct utcb_exc *x)
{
    return fd_write(lp, x->rdi, x->rsi, x->rdx);
}

/* sendfile: from a file to a descriptor, at the file's offset (or *offset). */
int64_t lx_sendfile(struct linux_proc *lp, struct utcb_exc *x)
{
    struct lx_file *in = file_of(lp, x->rsi);
    if (!in || !in->node || in->node->type != FS_FILE)
        return -LX_EBADF;
    uint64_t off = in->off;
    if (x->rdx && !proc_read(lp->p, &off, x->rdx, sizeof off))   /* a loff_t */
        return -LX_EFAULT;
    uint64_t done = 0, count = x->r10;
    char chunk[512];
    while (done < count) {
        int64_t r = fs_read(in->node, off, chunk, count - done < sizeof chunk ? count - done : sizeof chunk);
        if (r <= 0)
            break;
        int64_t w = lx_fd_write(lp, x->rdi, chunk, (uint64_t)r);
        if (w < 0)
            return done ? (int64_t)done : w;
        off += (uint64_t)w;
        done += (uint64_t)w;
    }
    if (x->rdx)
        proc_write(lp->p, x->rdx, &off, sizeof off);
    else
        in->off = off;
    return (int64_t)done;
}

/* ---- reads ---- */

/* Read from f at *off into the process's buf, page by page straight into its memory: bytes or -errno. */
static int64_t read_into(struct linux_proc *lp, uint64_t fd, uint64_t buf, uint64_t len, uint64_t *off)
{
    struct lx_file *f = file_of(lp, fd);
    if (!f || ((f->node || f->pipe || f->console == LX_CONSOLE_TTY) && (f->flags & O_ACCMODE) == O_WRONLY))
        return -LX_EBADF;
    if (f->pipe)
        return lx_pipe_read(lp, f, buf, len);
    if (f->kind)
        return f->kind->read ? f->kind->read(lp, f, buf, len) : -LX_EINVAL;
    if (!f->node)                                    /* the console's stdin or /dev/tty: its terminal (tty.c) */
        return f->console == 0 || f->console == LX_CONSOLE_TTY ? lx_tty_read(lp, buf, len, f->flags & O_NONBLOCK)
                                                                : -LX_EBADF;
    if (fs_is_dev(f->node))
        return lx_dev_read(lp, f->node, buf, len);
    if (f->node->type == FS_DIR)
        return -LX_EISDIR;
    /* LAB linux-emulation BEGIN: copy the file's bytes from *off page by page straight into the process (proc_user_window, fs_read); short at the end of the file or a bad page (docs: labs/5-linux-emulation/README.md#read) */
    uint64_t done = 0;
    while (done < len && *off < f->node->size) {
        uint64_t va = buf + done, w = proc_user_window(lp->p, va, true), n = 4096 - (va & 4095);
        if (!w || va < buf)
            return done ? (int64_t)done : -LX_EFAULT;
        if (n > len - done)
            n = len - done;
        int64_t r = fs_read(f->node, *off, (void *)w, n);
        if (r <= 0)
            return done ? (int64_t)done : r;
        *off += (uint64_t)r;
        done += (uint64_t)r;
    }
    return (int64_t)done;
    //@ (void)buf;
    //@ (void)len;
    //@ (void)off;
    //@ LAB_TODO("linux-emulation: read into the process's memory (read_into)");
    //@ return -LX_ENOSYS;
    /* LAB linux-emulation END */
}

/* read: at the descriptor's offset, which moves (the console's is always 0). */
int64_t lx_read(struct linux_proc *lp, struct utcb_exc *x)
{
    struct lx_file *f = file_of(lp, x->rdi);
    uint64_t console_off = 0;
    return read_into(lp, x->rdi, x->rsi, x->rdx, f && f->node ? &f->off : &console_off);
}

/* pread64's and pwrite64's descriptor and offset: 0 with *f set, or -errno (the console and
 * pipes cannot seek). */
static int64_t positioned(struct linux_proc *lp, struct utcb_exc *x, struct lx_file **f)
{
    *f = file_of(lp, x->rdi);
    if (!*f)
        return -LX_EBADF;
    if (!(*f)->node)
        return -LX_ESPIPE;
    return (int64_t)x->r10 < 0 ? -LX_EINVAL : 0;
}

/* pread64: at the offset given; the descriptor's stays. */
int64_t lx_pread64(struct linux_proc *lp, struct utcb_exc *x)
{
    struct lx_file *f;
    int64_t e = positioned(lp, x, &f);
    uint64_t off = x->r10;
    return e ? e : read_into(lp, x->rdi, x->rsi, x->rdx, &off);
}

/* pwrite64: at the offset given; the descriptor's stays (under fs_lock, the swap is not seen).
 * With O_APPEND it appends, as Linux's does. */
int64_t lx_pwrite64(struct linux_proc *lp, struct utcb_exc *x)
{
    struct lx_file *f;
    int64_t e = positioned(lp, x, &f);
    if (e)
        return e;
    uint64_t saved = f->off;
    f->off = x->r10;
    int64_t r = write_user(lp, x->rdi, x->rsi, x->rdx);
    f->off = saved;
    return r;
}

/* ---- readv and writev: one iovec walk ---- */

/* The transfer of one iovec: write_user, or read_into at the offset ctx points to. */
typedef int64_t (*iov_xfer)(struct linux_proc *lp, uint64_t fd, uint64_t buf, uint64_t len, void *ctx);

/* Each iovec in turn through one(): the total, or the first error if nothing moved; a short
 * transfer ends the walk. */
static int64_t lx_iovecs(struct linux_proc *lp, uint64_t fd, uint64_t iov, uint64_t cnt, iov_xfer one, void *ctx)
{
    if (cnt > 1024)
        return -LX_EINVAL;                           /* IOV_MAX */
    int64_t total = 0;
    for (uint64_t i = 0; i < cnt; i++) {
        struct lx_iovec v;
        if (!proc_read(lp->p, &v, iov + sizeof v * i, sizeof v))
            return total ? total : -LX_EFAULT;
        int64_t r = one(lp, fd, v.iov_base, v.iov_len, ctx);
        if (r < 0)
            return total ? total : r;
        total += r;
        if ((uint64_t)r < v.iov_len)
            break;
    }
    return total;
}

static int64_t read_one(struct linux_proc *lp, uint64_t fd, uint64_t buf, uint64_t len, void *off)
{
    return read_into(lp, fd, buf, len, off);
}

int64_t lx_readv(struct linux_proc *lp, struct utcb_exc *x)
{
    struct lx_file *f = file_of(lp, x->rdi);
    if (!f)
        return -LX_EBADF;
    uint64_t console_off = 0;
    return lx_iovecs(lp, x->rdi, x->rsi, x->rdx, read_one, f->node ? &f->off : &console_off);
}

static int64_t write_one(struct linux_proc *lp, uint64_t fd, uint64_t buf, uint64_t len, void *ctx)
{
    (void)ctx;
    return fd_write(lp, fd, buf, len);
}

int64_t lx_writev(struct linux_proc *lp, struct utcb_exc *x)
{
    return lx_iovecs(lp, x->rdi, x->rsi, x->rdx, write_one, NULL);
}

/* ---- the descriptor itself ---- */

/* lseek: a file's offset (SEEK_SET, SEEK_CUR, SEEK_END); the console cannot seek. */
int64_t lx_lseek(struct linux_proc *lp, struct utcb_exc *x)
{
    struct lx_file *f = file_of(lp, x->rdi);
    if (!f)
        return -LX_EBADF;
    if (f->kind)
        return 0;                                    /* eventfd, timerfd, epoll: Linux's noop_llseek */
    if (!f->node)
        return -LX_ESPIPE;                           /* the console */
    int64_t off = fs_seek(f->node, f->off, (int64_t)x->rsi, x->rdx);
    if (off >= 0)
        f->off = (uint64_t)off;
    return off;
}

bool linux_stdin_file(struct proc *p, const char *path)
{
    struct linux_proc *lp = lx_of(p);
    fs_lock();
    struct fs_node *n = fs_lookup(NULL, path);
    struct lx_file *f = n && n->type == FS_FILE ? lx_file_new(n, O_RDONLY, -1) : NULL;
    if (f) {
        fs_hold(n);
        lx_file_put(lp->fd[0]);                      /* the console's stdin */
        lp->fd[0] = f;
    }
    fs_unlock();
    return f != NULL;
}

/* A descriptor goes; its description (and file, or pipe end) when it was the last. */
static void fd_close(struct linux_proc *lp, unsigned fd)
{
    struct lx_file *f = lp->fd[fd];
    lp->fd[fd] = NULL;
    lp->cloexec[fd / 64] &= ~(1UL << (fd % 64));
    lx_file_put(f);
}

/* close: any descriptor, the console's too. */
int64_t lx_close(struct linux_proc *lp, struct utcb_exc *x)
{
    if (!file_of(lp, x->rdi))
        return -LX_EBADF;
    fd_close(lp, (uint32_t)x->rdi);
    return 0;
}

void lx_close_all(struct linux_proc *lp)
{
    fs_lock();
    for (unsigned fd = 0; fd < LX_MAX_FDS; fd++)
        if (lp->fd[fd])
            fd_close(lp, fd);
    fs_unlock();
}

/* The teardown: its descriptors and working directory go; its children become orphans (task.c). */
void linux_release(struct proc *p)
{
    struct linux_proc *lp = lx_of(p);
    lx_timer_stop(lp);
    lx_threads_release(lp);
    lx_reap_children(lp);
    lx_close_all(lp);
    fs_lock();
    if (lp->cwd)
        fs_release(lp->cwd);
    lp->cwd = NULL;
    fs_unlock();
}

/* dup: the same description on the lowest free descriptor. */
int64_t lx_dup(struct linux_proc *lp, struct utcb_exc *x)
{
    struct lx_file *f = file_of(lp, x->rdi);
    if (!f)
        return -LX_EBADF;
    fc_spin_lock(&files_lock);
    f->refs++;
    fc_spin_unlock(&files_lock);
    int64_t fd = lx_fd_install(lp, f, 0, false);
    if (fd < 0)
        lx_file_put(f);
    return fd;
}

/* dup3 (and dup2): the same description on newfd, which is closed first if it was open. */
static int64_t dup_to(struct linux_proc *lp, uint64_t oldfd, uint64_t newfd_arg, bool cloexec)
{
    uint32_t newfd = (uint32_t)newfd_arg;
    struct lx_file *f = file_of(lp, oldfd);
    if (!f || newfd >= LX_MAX_FDS)
        return -LX_EBADF;
    if (lp->fd[newfd] == f)
        return newfd;
    fc_spin_lock(&files_lock);
    f->refs++;
    fc_spin_unlock(&files_lock);
    if (lp->fd[newfd])
        fd_close(lp, newfd);
    return lx_fd_install(lp, f, newfd, cloexec);
}

int64_t lx_dup2(struct linux_proc *lp, struct utcb_exc *x)
{
    if ((uint32_t)x->rdi == (uint32_t)x->rsi)           /* dup2 of a descriptor to itself: a check */
        return file_of(lp, x->rdi) ? (int64_t)(uint32_t)x->rsi : -LX_EBADF;
    return dup_to(lp, x->rdi, x->rsi, false);
}

int64_t lx_dup3(struct linux_proc *lp, struct utcb_exc *x)
{
    if ((x->rdx & ~(uint64_t)O_CLOEXEC) || (uint32_t)x->rdi == (uint32_t)x->rsi)
        return -LX_EINVAL;
    return dup_to(lp, x->rdi, x->rsi, x->rdx & O_CLOEXEC);
}

#define F_DUPFD         0
#define F_GETFD         1
#define F_SETFD         2
#define F_GETFL         3
#define F_SETFL         4
#define F_DUPFD_CLOEXEC 1030

/* An fcntl command not served: -EINVAL, and one line per process and command, as syscall.c
 * says an unsupported syscall (commands from 62 up share one line, F_DUPFD_CLOEXEC aside). */
static int64_t lx_fcntl_unsupported(struct linux_proc *lp, uint32_t cmd)
{
    unsigned bit = cmd < 62 ? cmd : cmd == F_DUPFD_CLOEXEC ? 62 : 63;
    if (lp->logged_fcntl & (1UL << bit))
        return -LX_EINVAL;
    lp->logged_fcntl |= 1UL << bit;
    printf("[linux] process %u (%s): fcntl command %u%s is not supported: -EINVAL%s\n", lp->p->id, lp->p->name, cmd,
           cmd == F_DUPFD ? " (F_DUPFD)" : cmd == F_DUPFD_CLOEXEC ? " (F_DUPFD_CLOEXEC)" : "",
           bit == 63 ? " (further commands from 62 up: not logged)" : "");
    return -LX_EINVAL;
}

#define FD_CLOEXEC 1

/*
 * fcntl: duplicates (F_DUPFD, F_DUPFD_CLOEXEC: the lowest free descriptor from arg), the
 * close-on-exec flag (kept; no exec yet), the status flags, of which O_APPEND and O_NONBLOCK
 * change. The command is an unsigned int: its low 32 bits, as Linux reads it.
 */
int64_t lx_fcntl(struct linux_proc *lp, struct utcb_exc *x)
{
    uint32_t fd = (uint32_t)x->rdi, cmd = (uint32_t)x->rsi;
    struct lx_file *f = file_of(lp, fd);
    if (!f)
        return -LX_EBADF;
    switch (cmd) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC: {
        if ((uint32_t)x->rdx >= LX_MAX_FDS)
            return -LX_EINVAL;
        fc_spin_lock(&files_lock);
        f->refs++;
        fc_spin_unlock(&files_lock);
        int64_t nfd = lx_fd_install(lp, f, (uint32_t)x->rdx, cmd == F_DUPFD_CLOEXEC);
        if (nfd < 0)
            lx_file_put(f);
        return nfd;
    }
    case F_GETFD: return (lp->cloexec[fd / 64] >> (fd % 64)) & 1;
    case F_SETFD:
        lp->cloexec[fd / 64] = (lp->cloexec[fd / 64] & ~(1UL << (fd % 64))) | ((x->rdx & FD_CLOEXEC) << (fd % 64));
        return 0;
    case F_GETFL: return f->flags;
    case F_SETFL: f->flags = (f->flags & O_ACCMODE) | ((uint32_t)x->rdx & (O_APPEND | O_NONBLOCK)); return 0;
    default: return lx_fcntl_unsupported(lp, cmd);
    }
}

/*
 * The console as a controlling terminal: of one session, the first process's (its leader's,
 * linux_spawn), with a foreground process group. A process that left the session (setsid)
 * has no controlling terminal.
 */
static int console_sid, console_pgrp;

void lx_console_session(struct linux_proc *lp)
{
    console_sid = lp->sid;
    console_pgrp = lp->pgid;
}

int lx_console_foreground(void)
{
    return console_pgrp;
}

/*
 * /dev/tty: the console, for a process of the session it is the controlling terminal of, in
 * the shell's terminal mode (make shell). Elsewhere (facet-run's streams, the graders' log) a
 * process has no terminal: -ENXIO, what Linux says to a process without one.
 */
int64_t lx_tty_open(struct linux_proc *lp, uint64_t flags, unsigned fd)
{
    if (lx_console_mode != LX_CONSOLE_TERMINAL || lp->sid != console_sid)
        return -LX_ENXIO;
    struct lx_file *f = lx_file_new(NULL, (uint32_t)flags & ~(uint32_t)O_CLOEXEC, LX_CONSOLE_TTY);
    if (!f)
        return -LX_ENFILE;
    return lx_fd_install(lp, f, fd, flags & O_CLOEXEC);
}

/* TIOCGPGRP, TIOCSPGRP, TIOCGSID (tcgetpgrp, tcsetpgrp, tcgetsid) of a process of the console's session. */
static int64_t console_jobs(struct linux_proc *lp, uint64_t req, uint64_t arg)
{
    int32_t v = req == LX_TIOCGPGRP ? console_pgrp : console_sid;
    if (lp->sid != console_sid)
        return -LX_ENOTTY;                           /* not its controlling terminal */
    if (req != LX_TIOCSPGRP)
        return proc_write(lp->p, arg, &v, sizeof v) ? 0 : -LX_EFAULT;
    if (!proc_read(lp->p, &v, arg, sizeof v))
        return -LX_EFAULT;
    if (v < 0)
        return -LX_EINVAL;
    int sid = lx_pgrp_session(v);
    if (sid != lp->sid)
        return sid ? -LX_EPERM : -LX_ESRCH;
    console_pgrp = v;
    return 0;
}

/* ioctl: the console is a terminal (tty.c) with a foreground process group (console_jobs); a
 * file or a pipe is no terminal. */
int64_t lx_ioctl(struct linux_proc *lp, struct utcb_exc *x)
{
    struct lx_file *f = file_of(lp, x->rdi);
    if (!f)
        return -LX_EBADF;
    if (f->node || f->pipe || f->kind)
        return -LX_ENOTTY;                           /* a file, a pipe, an eventfd ... is no terminal */
    uint64_t req = (uint32_t)x->rsi, arg = x->rdx;
    if (req == LX_TIOCGPGRP || req == LX_TIOCSPGRP || req == LX_TIOCGSID)
        return console_jobs(lp, req, arg);
    return lx_tty_ioctl(lp, req, arg);
}

#define POLLIN     0x001
#define POLLOUT    0x004
#define POLLERR    0x008
#define POLLHUP    0x010
#define POLLNVAL   0x020
#define POLLRDNORM 0x040
#define POLLWRNORM 0x100

/*
 * poll, ppoll, select, pselect6 (and epoll.c): files and the console's output are always
 * ready; a pipe end as lx_pipe_poll says, the console's input as the terminal (tty.c), an
 * eventfd, timerfd or epoll instance as its kind. Nothing ready: the process waits, as every
 * blocking call does (task.c), registered meanwhile as a waiter of each thing it looks at,
 * until one changes, the timeout or a timer it looks at passes, or a signal to handle comes.
 */

/* As Linux's: POLLIN comes with POLLRDNORM, POLLOUT with POLLWRNORM (pipes, terminals, files). */
static unsigned with_norm(unsigned r)
{
    return r | (r & POLLIN ? POLLRDNORM : 0) | (r & POLLOUT ? POLLWRNORM : 0);
}

unsigned lx_file_poll(struct linux_proc *lp, struct lx_file *f, unsigned events, struct lx_look *look, uint32_t *gen)
{
    unsigned any = events | POLLHUP | POLLERR;       /* hang-up and error come unasked */
    *gen = 0;
    if (f->kind)
        return f->kind->poll(lp, f, events, look, gen) & any;
    if (!f->node && !f->pipe && (f->console == 0 || f->console == LX_CONSOLE_TTY)) {   /* as the terminal says */
        if (look->watch > 0)
            lx_tty_watch(lp);
        return with_norm(POLLOUT | (lx_tty_readable() ? POLLIN : 0)) & events;
    }
    if (!f->pipe)
        return with_norm(POLLIN | POLLOUT) & events;
    if (look->watch > 0)
        lx_pipe_watch(lp, f);
    return with_norm(lx_pipe_poll(f, gen)) & any;
}

/* What descriptor fd is ready for of events (POLL*); a bad descriptor: POLLNVAL. */
static unsigned fd_poll(struct linux_proc *lp, int64_t fd, unsigned events, struct lx_look *look)
{
    struct lx_file *f = fd >= 0 ? file_of(lp, (uint64_t)fd) : NULL;
    uint32_t gen;
    return f ? lx_file_poll(lp, f, events, look, &gen) : POLLNVAL;
}

int64_t lx_poll_wait(struct linux_proc *lp, lx_poll_look look, void *what, uint64_t deadline)
{
    int64_t r;
    struct lx_look l = { 1, 0 };
    lx_wait_begin(lp);
    while (!(r = look(lp, what, &l)) && (!deadline || fc_rdtsc() < deadline)) {
        if (lx_signal_interrupts(lp)) {
            r = -LX_ERESTARTNOHAND;
            break;
        }
        lx_sleep(lp, l.wake && (!deadline || l.wake < deadline) ? l.wake : deadline);
        l.wake = 0;
    }
    l.watch = -1;
    look(lp, what, &l);
    lx_wait_end(lp);
    return r;
}

/* poll's array in the process's memory: revents written back at each look. */
struct poll_fds { uint64_t va, n; };

static int64_t poll_fds_look(struct linux_proc *lp, void *what, struct lx_look *look)
{
    const struct poll_fds *w = what;
    int64_t ready = 0;
    for (uint64_t i = 0; i < w->n; i++) {
        struct lx_pollfd pfd;
        if (!proc_read(lp->p, &pfd, w->va + sizeof pfd * i, sizeof pfd))
            return -LX_EFAULT;
        pfd.revents = pfd.fd < 0 ? 0 : (int16_t)fd_poll(lp, pfd.fd, (uint16_t)pfd.events, look);
        if (look->watch >= 0 && !proc_write(lp->p, w->va + sizeof pfd * i, &pfd, sizeof pfd))
            return -LX_EFAULT;
        ready += pfd.revents != 0;
    }
    return ready;
}

/* poll and ppoll: fds, nfds; a deadline from the caller. */
static int64_t poll_on(struct linux_proc *lp, uint64_t fds, uint64_t nfds, uint64_t deadline)
{
    if (nfds > LX_MAX_FDS * 8)
        return -LX_EINVAL;                           /* Linux: more than RLIMIT_NOFILE */
    struct poll_fds w = { fds, nfds };
    return lx_poll_wait(lp, poll_fds_look, &w, deadline);
}

int64_t lx_poll(struct linux_proc *lp, struct utcb_exc *x)
{
    int64_t r = poll_on(lp, x->rdi, x->rsi, lx_deadline_ms((int32_t)x->rdx));
    return r == -LX_ERESTARTNOHAND ? -LX_EINTR : r;  /* Linux restarts poll only without a handler */
}

int64_t lx_timed_mask(struct linux_proc *lp, uint64_t timeout, uint64_t mask, uint64_t size, uint64_t *deadline)
{
    int64_t r = lx_timeout_deadline(lp, timeout, false, deadline);
    return r ? r : lx_call_mask(lp, mask, size);
}

/* ppoll: the timeout a timespec (left written back), a mask for the call. */
int64_t lx_ppoll(struct linux_proc *lp, struct utcb_exc *x)
{
    uint64_t deadline;
    int64_t r = lx_timed_mask(lp, x->rdx, x->r10, x->r8, &deadline);
    if (r)
        return r;
    r = lx_call_mask_done(lp, poll_on(lp, x->rdi, x->rsi, deadline));
    lx_timeout_left(lp, x->rdx, false, deadline);   /* as Linux: the time left, unless it cannot */
    return r;
}

#define FD_WORDS (LX_MAX_FDS / 64)

/* select's three sets (read, write, except: copied in) and what is ready in them. */
struct select_sets { uint64_t nfds; uint64_t in[3][FD_WORDS], out[3][FD_WORDS]; };

static int64_t select_look(struct linux_proc *lp, void *what, struct lx_look *look)
{
    struct select_sets *w = what;
    static const unsigned asks[3] = { POLLIN, POLLOUT, 0 }, says[3] = { POLLIN | POLLHUP | POLLERR, POLLOUT | POLLERR, 0 };
    int64_t ready = 0;
    for (uint64_t fd = 0; fd < w->nfds; fd++) {
        uint64_t word = fd / 64, bit = 1UL << (fd % 64);
        unsigned events = 0;
        for (unsigned s = 0; s < 3; s++)
            events |= (w->in[s][word] & bit) ? asks[s] | POLLERR : 0;
        if (!events)
            continue;
        unsigned got = fd_poll(lp, (int64_t)fd, events, look);
        if (got & POLLNVAL)
            return look->watch < 0 ? 0 : -LX_EBADF;
        for (unsigned s = 0; s < 3 && look->watch >= 0; s++)
            if ((w->in[s][word] & bit) && (got & says[s])) {
                w->out[s][word] |= bit;
                ready++;
            }
    }
    return ready;
}

/* select and pselect6: the sets at set[0..2] (NULL: none), the deadline given; the sets hold
 * what is ready afterwards. */
static int64_t select_on(struct linux_proc *lp, uint64_t nfds, const uint64_t set[3], uint64_t deadline)
{
    static struct select_sets sets[PROC_MAX];        /* too big for a handler's stack */
    struct select_sets *w = &sets[lp->p->slot];
    if ((int32_t)nfds < 0)
        return -LX_EINVAL;
    w->nfds = (uint32_t)nfds < LX_MAX_FDS ? (uint32_t)nfds : LX_MAX_FDS;
    uint64_t bytes = (w->nfds + 63) / 64 * 8;
    memset(w->in, 0, sizeof w->in);
    for (unsigned s = 0; s < 3; s++)
        if (set[s] && !proc_read(lp->p, w->in[s], set[s], bytes))
            return -LX_EFAULT;
    memset(w->out, 0, sizeof w->out);                /* a look that finds nothing leaves nothing */
    int64_t r = lx_poll_wait(lp, select_look, w, deadline);
    for (unsigned s = 0; s < 3 && r >= 0; s++)
        if (set[s] && !proc_write(lp->p, set[s], w->out[s], bytes))
            return -LX_EFAULT;
    return r;
}

/* select: the sets, the timeout a timeval (the time left written back). */
int64_t lx_select(struct linux_proc *lp, struct utcb_exc *x)
{
    uint64_t deadline, set[3] = { x->rsi, x->rdx, x->r10 };
    int64_t r = lx_timeout_deadline(lp, x->r8, true, &deadline);
    if (r)
        return r;
    r = select_on(lp, x->rdi, set, deadline);
    lx_timeout_left(lp, x->r8, true, deadline);
    return r;
}

/* pselect6: the timeout a timespec, and at r9 { the mask for the call, its size }. */
int64_t lx_pselect6(struct linux_proc *lp, struct utcb_exc *x)
{
    uint64_t deadline, set[3] = { x->rsi, x->rdx, x->r10 }, sig[2] = { 0, 0 };
    int64_t r = lx_timeout_deadline(lp, x->r8, false, &deadline);
    if (!r && x->r9 && !proc_read(lp->p, sig, x->r9, sizeof sig))
        r = -LX_EFAULT;
    r = r ? r : lx_call_mask(lp, sig[0], sig[1]);
    if (r)
        return r;
    r = lx_call_mask_done(lp, select_on(lp, x->rdi, set, deadline));
    lx_timeout_left(lp, x->r8, false, deadline);
    return r;
}
