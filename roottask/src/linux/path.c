// SPDX-License-Identifier: MIT
/* src/linux/path.c — names in the file system: open, stat, directories, unlink, rename, chdir, access. */
#include <string.h>
#include "linux/linux.h"
#include "fs/fs.h"

#define O_CREAT     0x40
#define O_EXCL      0x80
#define O_TRUNC     0x200
#define O_DIRECTORY 0x10000
#define AT_FDCWD    (-100)
_Static_assert(O_ACCMODE == FS_O_ACCMODE && O_CREAT == FS_O_CREAT && O_EXCL == FS_O_EXCL && O_TRUNC == FS_O_TRUNC &&
               O_DIRECTORY == FS_O_DIRECTORY, "fs_open takes Linux's open flags");
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_REMOVEDIR        0x200
#define AT_EMPTY_PATH       0x1000

/* ---- path arguments ---- */

/* A dirfd argument: a C int, AT_FDCWD (-100) among its values. */
static int64_t dirfd_of(uint64_t arg)
{
    return (int32_t)arg;
}

/*
 * A path argument: copied from the process (a page at a time, up to its NUL); *base is the
 * directory a relative path starts from: dirfd's, or the working directory for AT_FDCWD.
 */
int64_t lx_user_string(struct linux_proc *lp, uint64_t va, char *out, unsigned cap)
{
    for (unsigned i = 0;;) {
        if (i == cap)
            return -LX_ENAMETOOLONG;
        unsigned n = (unsigned)lx_page_rest(va + i);
        if (n > cap - i)
            n = cap - i;
        if (!proc_read(lp->p, out + i, va + i, n))
            return -LX_EFAULT;
        unsigned end = i + n;
        while (i < end && out[i])
            i++;
        if (i < end)
            return i;                                /* found the NUL */
    }
}

static int64_t user_path(struct linux_proc *lp, int64_t dirfd, uint64_t va, char *out, unsigned cap,
                         struct fs_node **base)
{
    int64_t len = lx_user_string(lp, va, out, cap);
    if (len < 0)
        return len;
    if (!out[0])
        return -LX_ENOENT;
    *base = lp->cwd;
    if (out[0] != '/' && dirfd != AT_FDCWD) {
        struct lx_file *f = file_of(lp, (uint64_t)dirfd);
        if (!f)
            return -LX_EBADF;
        if (!f->node || f->node->type != FS_DIR)
            return -LX_ENOTDIR;
        *base = f->node;
    }
    return 0;
}

/* The node a path argument names: 0 with *out set, or -errno (-ENOENT if there is none). */
static int64_t user_node(struct linux_proc *lp, int64_t dirfd, uint64_t va, struct fs_node **out)
{
    char path[256];
    struct fs_node *base;
    int64_t e = user_path(lp, dirfd, va, path, sizeof path, &base);
    if (e)
        return e;
    *out = fs_lookup(base, path);
    return *out ? 0 : -LX_ENOENT;
}

/* ---- open ---- */

/* open and openat: fs_open's node on the lowest free descriptor, as on Linux; the descriptor or -errno. */
static int64_t open_path(struct linux_proc *lp, int64_t dirfd, uint64_t va, uint64_t flags, uint64_t mode)
{
    char path[256];
    struct fs_node *base;
    int64_t e = user_path(lp, dirfd, va, path, sizeof path, &base);
    if (e)
        return e;
    unsigned fd = 0;                                 /* the lowest free one, first, as on Linux */
    while (fd < LX_MAX_FDS && file_of(lp, fd))
        fd++;
    if (fd == LX_MAX_FDS)
        return -LX_EMFILE;
    int err;
    struct fs_node *n = fs_open(base, path, flags, (uint32_t)mode & 07777 & ~lp->umask, &err);
    if (!n)
        return -err;
    struct lx_file *f = lx_file_new(n, (uint32_t)flags & ~(uint32_t)O_CLOEXEC, -1);
    if (!f) {
        fs_release(n);
        return -LX_ENFILE;
    }
    return lx_fd_install(lp, f, fd, flags & O_CLOEXEC);
}

int64_t lx_open(struct linux_proc *lp, struct utcb_exc *x)
{
    return open_path(lp, AT_FDCWD, x->rdi, x->rsi, x->rdx);
}

int64_t lx_openat(struct linux_proc *lp, struct utcb_exc *x)
{
    return open_path(lp, dirfd_of(x->rdi), x->rsi, x->rdx, x->r10);
}

/* ---- the stat family ---- */

/* A node's struct stat (n NULL: the console; the console and device files are character
 * devices); owned by root, no times kept. */
static int64_t put_stat(struct linux_proc *lp, struct fs_node *n, uint64_t va)
{
    int64_t size = n ? (n->type == FS_DIR ? 4096 : (int64_t)n->size) : 0;
    uint64_t rdev = lx_dev_rdev(n);
    struct lx_stat st = {
        .st_dev = 0x801,                             /* 8:1, a disk's first partition */
        .st_ino = n ? n->ino : 1000,
        .st_nlink = 1,
        .st_mode = !n ? 020620 : n->type == FS_DIR ? (040000 | n->mode) : ((rdev ? 020000 : 0100000) | n->mode),
        .st_rdev = n ? rdev : 0x8800,                /* the console: 136:0, /dev/pts/0 */
        .st_size = size,
        .st_blksize = 4096,
        .st_blocks = (size + 511) / 512,
    };
    return proc_write(lp->p, va, &st, sizeof st) ? 0 : -LX_EFAULT;
}

/* A pipe's end: a FIFO of its own device, nothing more to say. */
static int64_t put_pipe_stat(struct linux_proc *lp, uint64_t va)
{
    struct lx_stat st = { .st_dev = 0xc, .st_ino = 2000, .st_nlink = 1, .st_mode = 010600, .st_blksize = 4096 };
    return proc_write(lp->p, va, &st, sizeof st) ? 0 : -LX_EFAULT;
}

int64_t lx_fstat(struct linux_proc *lp, struct utcb_exc *x)
{
    struct lx_file *f = file_of(lp, x->rdi);
    return !f ? -LX_EBADF : f->pipe ? put_pipe_stat(lp, x->rsi) : put_stat(lp, f->node, x->rsi);
}

static int64_t stat_path(struct linux_proc *lp, int64_t dirfd, uint64_t path_va, uint64_t buf)
{
    struct fs_node *n;
    int64_t e = user_node(lp, dirfd, path_va, &n);
    return e ? e : put_stat(lp, n, buf);
}

int64_t lx_stat(struct linux_proc *lp, struct utcb_exc *x)
{
    return stat_path(lp, AT_FDCWD, x->rdi, x->rsi);
}

/* newfstatat: a path from dirfd, or with AT_EMPTY_PATH and "" the descriptor itself. */
int64_t lx_newfstatat(struct linux_proc *lp, struct utcb_exc *x)
{
    char first;
    if ((x->r10 & AT_EMPTY_PATH) && proc_read(lp->p, &first, x->rsi, 1) && !first) {
        struct lx_file *f = file_of(lp, x->rdi);
        return f ? put_stat(lp, f->node, x->rdx) : -LX_EBADF;
    }
    return stat_path(lp, dirfd_of(x->rdi), x->rsi, x->rdx);
}

/* ---- directories ---- */

/* getdents64: ".", "..", then the children; the offset counts entries. */
int64_t lx_getdents64(struct linux_proc *lp, struct utcb_exc *x)
{
    struct lx_file *f = file_of(lp, x->rdi);
    if (!f)
        return -LX_EBADF;
    if (!f->node || f->node->type != FS_DIR)
        return -LX_ENOTDIR;
    uint64_t buf = x->rsi, cap = x->rdx, used = 0;
    const uint64_t name_at = offsetof(struct lx_dirent64, d_name);
    struct fs_entry e;
    while (fs_entry(f->node, f->off, &e)) {
        uint64_t len = strlen(e.name), reclen = (name_at + len + 1 + 7) & ~7UL;   /* the NUL, 8-aligned */
        if (used + reclen > cap)
            return used ? (int64_t)used : -LX_EINVAL;
        struct lx_dirent64 d = {
            .d_ino = e.ino,
            .d_off = (int64_t)f->off + 1,            /* the next entry's index */
            .d_reclen = (uint16_t)reclen,
            .d_type = e.type == FS_DIR ? LX_DT_DIR : LX_DT_REG,
        };
        char rec[offsetof(struct lx_dirent64, d_name) + sizeof ((struct fs_node *)0)->name + 8] = { 0 };
        memcpy(rec, &d, name_at);
        memcpy(rec + name_at, e.name, len);          /* a node's name: shorter than its name[] */
        if (!proc_write(lp->p, buf + used, rec, reclen))
            return -LX_EFAULT;
        used += reclen;
        f->off++;
    }
    return (int64_t)used;
}

/* unlink, rmdir, unlinkat: a file, or (dir) an empty directory. */
static int64_t remove_path(struct linux_proc *lp, int64_t dirfd, uint64_t va, bool dir)
{
    char path[256];
    struct fs_node *base;
    int64_t e = user_path(lp, dirfd, va, path, sizeof path, &base);
    return e ? e : -(int64_t)fs_unlink(base, path, dir);
}

int64_t lx_unlink(struct linux_proc *lp, struct utcb_exc *x) { return remove_path(lp, AT_FDCWD, x->rdi, false); }
int64_t lx_rmdir(struct linux_proc *lp, struct utcb_exc *x) { return remove_path(lp, AT_FDCWD, x->rdi, true); }

int64_t lx_unlinkat(struct linux_proc *lp, struct utcb_exc *x)
{
    return remove_path(lp, dirfd_of(x->rdi), x->rsi, x->rdx & AT_REMOVEDIR);
}

/* mkdir and mkdirat: a new directory with the mode's permission bits. */
static int64_t make_dir(struct linux_proc *lp, int64_t dirfd, uint64_t va, uint64_t mode)
{
    char path[256];
    struct fs_node *base;
    int64_t e = user_path(lp, dirfd, va, path, sizeof path, &base);
    if (e)
        return e;
    int err = 0;
    return fs_create(base, path, FS_DIR, (uint32_t)mode & 07777 & ~lp->umask, &err) ? 0 : -err;
}

int64_t lx_mkdir(struct linux_proc *lp, struct utcb_exc *x) { return make_dir(lp, AT_FDCWD, x->rdi, x->rsi); }
int64_t lx_mkdirat(struct linux_proc *lp, struct utcb_exc *x) { return make_dir(lp, dirfd_of(x->rdi), x->rsi, x->rdx); }

#define RENAME_NOREPLACE 1

/* rename, renameat, renameat2: fs_rename, with RENAME_NOREPLACE's check first. */
static int64_t rename_path(struct linux_proc *lp, int64_t olddir, uint64_t old_va, int64_t newdir, uint64_t new_va,
                           uint64_t flags)
{
    if (flags & ~(uint64_t)RENAME_NOREPLACE)
        return -LX_EINVAL;                           /* RENAME_EXCHANGE, RENAME_WHITEOUT: not here */
    char from[256], to[256];
    struct fs_node *from_base, *to_base;
    int64_t e = user_path(lp, olddir, old_va, from, sizeof from, &from_base);
    e = e ? e : user_path(lp, newdir, new_va, to, sizeof to, &to_base);
    if (e)
        return e;
    if ((flags & RENAME_NOREPLACE) && fs_lookup(to_base, to))
        return -LX_EEXIST;
    return -(int64_t)fs_rename(from_base, from, to_base, to);
}

int64_t lx_rename(struct linux_proc *lp, struct utcb_exc *x) { return rename_path(lp, AT_FDCWD, x->rdi, AT_FDCWD, x->rsi, 0); }
int64_t lx_renameat(struct linux_proc *lp, struct utcb_exc *x)
{
    return rename_path(lp, dirfd_of(x->rdi), x->rsi, dirfd_of(x->rdx), x->r10, 0);
}
int64_t lx_renameat2(struct linux_proc *lp, struct utcb_exc *x)
{
    return rename_path(lp, dirfd_of(x->rdi), x->rsi, dirfd_of(x->rdx), x->r10, x->r8);
}

/* ---- the working directory ---- */

/* The working directory: held, so a removed one stays valid (getcwd then says -ENOENT). */
int64_t lx_chdir(struct linux_proc *lp, struct utcb_exc *x)
{
    struct fs_node *n;
    int64_t e = user_node(lp, AT_FDCWD, x->rdi, &n);
    if (e)
        return e;
    if (n->type != FS_DIR)
        return -LX_ENOTDIR;
    fs_hold(n);
    if (lp->cwd)
        fs_release(lp->cwd);
    lp->cwd = n;
    return 0;
}

/* getcwd: its absolute path and the NUL; the length with the NUL, as the kernel returns it. */
int64_t lx_getcwd(struct linux_proc *lp, struct utcb_exc *x)
{
    char path[256];
    if (lp->cwd && lp->cwd->unlinked)
        return -LX_ENOENT;
    int len = fs_path(lp->cwd ? lp->cwd : fs_root(), path, sizeof path);
    if (len < 0 || (uint64_t)len + 1 > x->rsi)
        return -LX_ERANGE;
    return proc_write(lp->p, x->rdi, path, (uint64_t)len + 1) ? len + 1 : -LX_EFAULT;
}

/* ---- access, times, links ---- */

#define X_OK 1
#define W_OK 2
#define R_OK 4

/* access: the caller is root, so only execute needs a permission bit (any x bit), as on Linux. */
static int64_t access_path(struct linux_proc *lp, int64_t dirfd, uint64_t va, uint64_t mode)
{
    if (mode & ~(uint64_t)(R_OK | W_OK | X_OK))
        return -LX_EINVAL;
    struct fs_node *n;
    int64_t e = user_node(lp, dirfd, va, &n);
    if (e)
        return e;
    return (mode & X_OK) && n->type == FS_FILE && !(n->mode & 0111) ? -LX_EACCES : 0;
}

int64_t lx_access(struct linux_proc *lp, struct utcb_exc *x) { return access_path(lp, AT_FDCWD, x->rdi, x->rsi); }
int64_t lx_faccessat(struct linux_proc *lp, struct utcb_exc *x) { return access_path(lp, dirfd_of(x->rdi), x->rsi, x->rdx); }

/* utimensat: the file must be there; no times are kept (stat reports 0), so nothing changes. */
int64_t lx_utimensat(struct linux_proc *lp, struct utcb_exc *x)
{
    if (x->r10 & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -LX_EINVAL;
    struct lx_timespec ts[2];                        /* atime, mtime: read for -EFAULT, then unused */
    if (x->rdx && !proc_read(lp->p, ts, x->rdx, sizeof ts))
        return -LX_EFAULT;
    if (!x->rsi)                                     /* futimens: the descriptor itself */
        return file_of(lp, x->rdi) ? 0 : -LX_EBADF;
    struct fs_node *n;
    return user_node(lp, dirfd_of(x->rdi), x->rsi, &n);
}

/* readlink: only /proc/self/exe, the program's path in the archive. */
int64_t lx_readlink(struct linux_proc *lp, struct utcb_exc *x)
{
    char path[32];
    if (!proc_read(lp->p, path, x->rdi, sizeof "/proc/self/exe"))
        return -LX_EFAULT;
    if (memcmp(path, "/proc/self/exe", sizeof "/proc/self/exe"))
        return -LX_ENOENT;
    uint64_t n = strlen(lp->exe), len = x->rdx < n ? x->rdx : n;
    return proc_write(lp->p, x->rsi, lp->exe, len) ? (int64_t)len : -LX_EFAULT;
}

/* umask: the new mask (its permission bits); the old one back. */
int64_t lx_umask(struct linux_proc *lp, struct utcb_exc *x)
{
    uint32_t old = lp->umask;
    lp->umask = (uint32_t)x->rdi & 0777;
    return old;
}
