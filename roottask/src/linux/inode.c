// SPDX-License-Identifier: MIT
/* src/linux/inode.c — what a node says of itself (stat, statx) and its changes: chmod, chown, truncate, utimensat. */
#include <string.h>
#include "linux/linux.h"
#include "fs/fs.h"

/* ---- which node a call means ---- */

/* The descriptor dirfd as a target (AT_FDCWD: the working directory); *n NULL: a pipe or the console. */
static int64_t fd_target(struct linux_proc *lp, int64_t dirfd, struct fs_node **n, struct lx_file **f)
{
    *f = NULL;
    if (dirfd == AT_FDCWD) {
        *n = lp->cwd ? lp->cwd : fs_root();
        return 0;
    }
    if (!(*f = file_of(lp, (uint64_t)dirfd)))
        return -LX_EBADF;
    *n = (*f)->node;
    return 0;
}

/* What (dirfd, path, flags) names, as the *at calls read them: the path's node (its last link
 * followed unless AT_SYMLINK_NOFOLLOW), or with AT_EMPTY_PATH and "" the descriptor itself. */
static int64_t at_target(struct linux_proc *lp, int64_t dirfd, uint64_t va, uint64_t flags, struct fs_node **n,
                         struct lx_file **f)
{
    char first = 1;
    if ((flags & AT_EMPTY_PATH) && !proc_read(lp->p, &first, va, 1))
        return -LX_EFAULT;
    if (!first)
        return fd_target(lp, dirfd, n, f);
    char path[24];                                   /* /dev/fd/N: the descriptor itself */
    if (lx_user_string(lp, va, path, sizeof path) > 0 && lx_fd_path(path) >= 0)
        return fd_target(lp, lx_fd_path(path), n, f);
    *f = NULL;
    return lx_user_node(lp, dirfd, va, !(flags & AT_SYMLINK_NOFOLLOW), n);
}

/* ---- stat and statx ---- */

/* What both stat structures say, from a node, a pipe's end or the console. */
struct attrs {
    uint64_t dev, ino, rdev;
    uint32_t nlink, mode, uid, gid;
    int64_t size, blocks;            /* blocks: of 512 bytes */
    struct fs_time atime, mtime, ctime;
};

#define S_IFIFO 0010000
#define S_IFCHR 0020000
#define S_IFDIR 0040000
#define S_IFREG 0100000
#define S_IFLNK 0120000

/* The pages a file's contents fill: the archive's, or its own. */
static uint64_t file_pages(const struct fs_node *n)
{
    return n->tar_data ? (n->size + 4095) / 4096 : n->data_pages;
}

/* A node: on one disk (8:1, a first partition) of 4 KiB blocks; a directory is one block, a
 * link's size its target's length and no block (kept in the inode, as ext4's short ones); a
 * file's blocks are its pages, holes not counted. Without a node: a pipe (a FIFO of its own
 * device) or the console (136:0, /dev/pts/0, as root's), no times kept. */
static struct attrs attrs_of(const struct fs_node *n, const struct lx_file *f)
{
    if (!n && f && f->pipe)
        return (struct attrs){ .dev = 0xc, .ino = 2000, .nlink = 1, .mode = S_IFIFO | 0600 };
    if (!n)
        return (struct attrs){ .dev = 0x801, .ino = 1000, .nlink = 1, .mode = S_IFCHR | 0620, .rdev = 0x8800 };
    static const uint32_t type_bits[] = { [FS_FILE] = S_IFREG, [FS_DIR] = S_IFDIR, [FS_LINK] = S_IFLNK };
    uint64_t rdev = lx_dev_rdev(n);                  /* a device file (dev.c): a character device */
    return (struct attrs){
        .dev = 0x801, .ino = n->ino, .nlink = fs_nlink(n), .mode = (rdev ? S_IFCHR : type_bits[n->type]) | n->mode,
        .rdev = rdev,
        .uid = n->uid, .gid = n->gid, .size = n->type == FS_DIR ? 4096 : (int64_t)n->size,
        .blocks = n->type == FS_DIR ? 8 : n->type == FS_LINK ? 0 : 8 * (int64_t)file_pages(n),
        .atime = n->atime, .mtime = n->mtime, .ctime = n->ctime,
    };
}

static int64_t put_stat(struct linux_proc *lp, const struct attrs *a, uint64_t va)
{
    struct lx_stat st = {
        .st_dev = a->dev, .st_ino = a->ino, .st_nlink = a->nlink, .st_mode = a->mode,
        .st_uid = a->uid, .st_gid = a->gid, .st_rdev = a->rdev, .st_size = a->size,
        .st_blksize = 4096, .st_blocks = a->blocks,
        .st_atime = (uint64_t)a->atime.sec, .st_atime_nsec = a->atime.nsec,
        .st_mtime = (uint64_t)a->mtime.sec, .st_mtime_nsec = a->mtime.nsec,
        .st_ctime = (uint64_t)a->ctime.sec, .st_ctime_nsec = a->ctime.nsec,
    };
    return proc_write(lp->p, va, &st, sizeof st) ? 0 : -LX_EFAULT;
}

/* stat, lstat, fstat, newfstatat: one path each to the attributes. */
static int64_t stat_at(struct linux_proc *lp, int64_t dirfd, uint64_t path_va, uint64_t flags, uint64_t buf)
{
    if (flags & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -LX_EINVAL;
    struct fs_node *n;
    struct lx_file *f;
    int64_t e = at_target(lp, dirfd, path_va, flags, &n, &f);
    if (e)
        return e;
    struct attrs a = attrs_of(n, f);
    return put_stat(lp, &a, buf);
}

int64_t lx_stat(struct linux_proc *lp, struct utcb_exc *x) { return stat_at(lp, AT_FDCWD, x->rdi, 0, x->rsi); }
int64_t lx_lstat(struct linux_proc *lp, struct utcb_exc *x) { return stat_at(lp, AT_FDCWD, x->rdi, AT_SYMLINK_NOFOLLOW, x->rsi); }
int64_t lx_newfstatat(struct linux_proc *lp, struct utcb_exc *x) { return stat_at(lp, lx_dirfd(x->rdi), x->rsi, x->r10, x->rdx); }

int64_t lx_fstat(struct linux_proc *lp, struct utcb_exc *x)
{
    struct lx_file *f = file_of(lp, x->rdi);
    if (!f)
        return -LX_EBADF;
    struct attrs a = attrs_of(f->node, f);
    return put_stat(lp, &a, x->rsi);
}

#define AT_NO_AUTOMOUNT       0x800
#define AT_STATX_SYNC_TYPE    0x6000

/* statx: the basic stats (no birth time), whatever the mask asked. */
int64_t lx_statx(struct linux_proc *lp, struct utcb_exc *x)
{
    uint64_t flags = x->rdx;
    if (flags & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE) ||
        (flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE || (x->r10 & 0x80000000u))   /* STATX__RESERVED */
        return -LX_EINVAL;
    struct fs_node *n;
    struct lx_file *f;
    int64_t e = at_target(lp, lx_dirfd(x->rdi), x->rsi, flags, &n, &f);
    if (e)
        return e;
    struct attrs a = attrs_of(n, f);
    struct lx_statx st = {
        .stx_mask = LX_STATX_BASIC_STATS, .stx_blksize = 4096, .stx_nlink = a.nlink,
        .stx_uid = a.uid, .stx_gid = a.gid, .stx_mode = (uint16_t)a.mode, .stx_ino = a.ino,
        .stx_size = (uint64_t)a.size, .stx_blocks = (uint64_t)a.blocks,
        .stx_atime = { a.atime.sec, a.atime.nsec, 0 }, .stx_ctime = { a.ctime.sec, a.ctime.nsec, 0 },
        .stx_mtime = { a.mtime.sec, a.mtime.nsec, 0 },
        .stx_rdev_major = (uint32_t)(a.rdev >> 8), .stx_rdev_minor = (uint32_t)(a.rdev & 0xff),
        .stx_dev_major = (uint32_t)(a.dev >> 8), .stx_dev_minor = (uint32_t)(a.dev & 0xff),
    };
    return proc_write(lp->p, x->r8, &st, sizeof st) ? 0 : -LX_EFAULT;
}

/* ---- permissions and owners: kept, never checked (every process is root) ---- */

/* A pipe or the console (n NULL) keeps none: the change is taken and forgotten. */
static int64_t set_mode(struct fs_node *n, uint64_t mode)
{
    if (n) {
        n->mode = (uint32_t)mode & 07777;
        fs_touch(n, FS_CTIME);
    }
    return 0;
}

#define S_ISUID 04000
#define S_ISGID 02000
#define S_IXGRP 00010

/* uid or gid -1: that one stays. A file loses set-user-ID, and set-group-ID if the group may
 * execute it, as Linux does on every chown of a non-directory. */
static int64_t set_owner(struct fs_node *n, uint64_t uid, uint64_t gid)
{
    if (!n)
        return 0;
    if ((uint32_t)uid != UINT32_MAX)
        n->uid = (uint32_t)uid;
    if ((uint32_t)gid != UINT32_MAX)
        n->gid = (uint32_t)gid;
    if (n->type == FS_FILE)
        n->mode &= ~(uint32_t)(S_ISUID | ((n->mode & S_IXGRP) ? S_ISGID : 0));
    fs_touch(n, FS_CTIME);
    return 0;
}

/* The node of a path argument (its last link followed, or not), or of a descriptor (NULL: a
 * pipe or the console). */
static int64_t path_node(struct linux_proc *lp, uint64_t va, bool follow, struct fs_node **n)
{
    return lx_user_node(lp, AT_FDCWD, va, follow, n);
}

static int64_t fd_node(struct linux_proc *lp, uint64_t fd, struct fs_node **n)
{
    struct lx_file *f = file_of(lp, fd);
    *n = f ? f->node : NULL;
    return f ? 0 : -LX_EBADF;
}

int64_t lx_chmod(struct linux_proc *lp, struct utcb_exc *x)
{
    struct fs_node *n;
    int64_t e = path_node(lp, x->rdi, true, &n);
    return e ? e : set_mode(n, x->rsi);
}

int64_t lx_fchmod(struct linux_proc *lp, struct utcb_exc *x)
{
    struct fs_node *n;
    int64_t e = fd_node(lp, x->rdi, &n);
    return e ? e : set_mode(n, x->rsi);
}

/* fchmodat: the syscall has no flags argument (glibc's AT_SYMLINK_NOFOLLOW is the library's). */
int64_t lx_fchmodat(struct linux_proc *lp, struct utcb_exc *x)
{
    struct fs_node *n;
    int64_t e = lx_user_node(lp, lx_dirfd(x->rdi), x->rsi, true, &n);
    return e ? e : set_mode(n, x->rdx);
}

int64_t lx_chown(struct linux_proc *lp, struct utcb_exc *x)
{
    struct fs_node *n;
    int64_t e = path_node(lp, x->rdi, true, &n);
    return e ? e : set_owner(n, x->rsi, x->rdx);
}

int64_t lx_lchown(struct linux_proc *lp, struct utcb_exc *x)
{
    struct fs_node *n;
    int64_t e = path_node(lp, x->rdi, false, &n);
    return e ? e : set_owner(n, x->rsi, x->rdx);
}

int64_t lx_fchown(struct linux_proc *lp, struct utcb_exc *x)
{
    struct fs_node *n;
    int64_t e = fd_node(lp, x->rdi, &n);
    return e ? e : set_owner(n, x->rsi, x->rdx);
}

int64_t lx_fchownat(struct linux_proc *lp, struct utcb_exc *x)
{
    if (x->r8 & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -LX_EINVAL;
    struct fs_node *n;
    struct lx_file *f;
    int64_t e = at_target(lp, lx_dirfd(x->rdi), x->rsi, x->r8, &n, &f);
    return e ? e : set_owner(n, x->rdx, x->r10);
}

/* ---- sizes ---- */

/* truncate: a file by name; its times change only if its size did. */
int64_t lx_truncate(struct linux_proc *lp, struct utcb_exc *x)
{
    struct fs_node *n;
    int64_t e = path_node(lp, x->rdi, true, &n);
    if (e)
        return e;
    if ((int64_t)x->rsi < 0)
        return -LX_EINVAL;
    return -(int64_t)fs_truncate(n, x->rsi);
}

/* ftruncate: a file open for writing; its times change in any case, as Linux's. */
int64_t lx_ftruncate(struct linux_proc *lp, struct utcb_exc *x)
{
    struct lx_file *f = file_of(lp, x->rdi);
    if (!f)
        return -LX_EBADF;
    if ((int64_t)x->rsi < 0 || !f->node || f->node->type != FS_FILE || (f->flags & O_ACCMODE) == O_RDONLY)
        return -LX_EINVAL;
    int err = fs_truncate(f->node, x->rsi);
    if (!err)
        fs_touch(f->node, FS_MTIME | FS_CTIME);
    return -(int64_t)err;
}

/* ---- times ---- */

#define UTIME_NOW  ((1L << 30) - 1)
#define UTIME_OMIT ((1L << 30) - 2)

/* One of utimensat's times into *t: now, kept (UTIME_OMIT), or as given; false if malformed. */
static bool time_set(struct fs_time *t, const struct lx_timespec *ts, const struct fs_time *now)
{
    if (ts->tv_nsec == UTIME_OMIT)
        return true;
    if (ts->tv_nsec != UTIME_NOW && (ts->tv_nsec < 0 || ts->tv_nsec > 999999999))
        return false;
    *t = ts->tv_nsec == UTIME_NOW ? *now : (struct fs_time){ ts->tv_sec, (uint32_t)ts->tv_nsec };
    return true;
}

/*
 * utimensat (futimens: no path): access and modification times, each now, kept or as given
 * (no times: both now); the status-change time moves unless both are kept.
 */
int64_t lx_utimensat(struct linux_proc *lp, struct utcb_exc *x)
{
    if (x->r10 & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -LX_EINVAL;
    struct lx_timespec ts[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };
    if (x->rdx && !proc_read(lp->p, ts, x->rdx, sizeof ts))
        return -LX_EFAULT;
    struct fs_node *n;
    struct lx_file *f;
    int64_t e = x->rsi ? at_target(lp, lx_dirfd(x->rdi), x->rsi, x->r10, &n, &f) : fd_node(lp, x->rdi, &n);
    if (e)
        return e;
    struct fs_time now = fs_now(), atime = n ? n->atime : now, mtime = n ? n->mtime : now;
    if (!time_set(&atime, &ts[0], &now) || !time_set(&mtime, &ts[1], &now))
        return -LX_EINVAL;
    if (!n || (ts[0].tv_nsec == UTIME_OMIT && ts[1].tv_nsec == UTIME_OMIT))
        return 0;
    n->atime = atime;
    n->mtime = mtime;
    n->ctime = now;
    return 0;
}
