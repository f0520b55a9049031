// SPDX-License-Identifier: MIT
/* src/linux/path.c — names in the file system: open, directories, unlink, rename, links, chdir, access. */
#include <string.h>
#include "linux/linux.h"
#include "fs/fs.h"

#define O_CREAT     0x40
#define O_EXCL      0x80
#define O_TRUNC     0x200
#define O_DIRECTORY 0x10000
#define O_NOFOLLOW  0x20000
_Static_assert(O_ACCMODE == FS_O_ACCMODE && O_CREAT == FS_O_CREAT && O_EXCL == FS_O_EXCL && O_TRUNC == FS_O_TRUNC &&
               O_DIRECTORY == FS_O_DIRECTORY && O_NOFOLLOW == FS_O_NOFOLLOW, "fs_open takes Linux's open flags");
#define AT_REMOVEDIR        0x200
#define AT_SYMLINK_FOLLOW   0x400

/* ---- path arguments ---- */

/*
 * A path argument: copied from the process up to its NUL (sought in the process's page through
 * our window, then only the string copied); *base is the directory a relative path starts
 * from: dirfd's, or the working directory for AT_FDCWD.
 */
int64_t lx_user_string(struct linux_proc *lp, uint64_t va, char *out, unsigned cap)
{
    for (unsigned i = 0; i < cap;) {
        uint64_t w = proc_user_window(lp->p, va + i, false);
        if (!w)
            return -LX_EFAULT;
        unsigned n = (unsigned)lx_page_rest(va + i);
        if (n > cap - i)
            n = cap - i;
        const char *nul = memchr((const char *)w, 0, n);
        unsigned take = nul ? (unsigned)(nul - (const char *)w) : n;
        memcpy(out + i, (const char *)w, take);
        i += take;
        if (nul) {
            out[i] = 0;                              /* (another thread may change it meanwhile) */
            return i;
        }
    }
    return -LX_ENAMETOOLONG;
}

int64_t lx_user_path(struct linux_proc *lp, int64_t dirfd, uint64_t va, char *out, unsigned cap, struct fs_node **base)
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

int64_t lx_user_node(struct linux_proc *lp, int64_t dirfd, uint64_t va, bool follow, struct fs_node **out)
{
    char path[FS_PATH_MAX];
    struct fs_node *base;
    int64_t e = lx_user_path(lp, dirfd, va, path, sizeof path, &base);
    if (e)
        return e;
    int err;
    *out = fs_find(base, path, follow, &err);
    return *out ? 0 : -err;
}

/* ---- open ---- */

int lx_fd_path(const char *path)
{
#define DIR(s) { s, sizeof s - 1 }
    static const struct { const char *name; unsigned len; } dirs[] = { DIR("/dev/fd/"), DIR("/proc/self/fd/") };
#undef DIR
    if (path[0] != '/')
        return -1;
    for (unsigned i = 0; i < 2; i++) {
        unsigned len = dirs[i].len;
        if (strncmp(path, dirs[i].name, len) || !path[len])
            continue;
        int fd = 0;
        for (const char *c = path + len; *c; c++) {
            if (*c < '0' || *c > '9' || fd >= LX_MAX_FDS)
                return -1;
            fd = fd * 10 + (*c - '0');
        }
        return fd < LX_MAX_FDS ? fd : -1;
    }
    return -1;
}

/* open of /dev/fd/N: a file opened again (a description of its own, at offset 0, as Linux's
 * /proc/self/fd does), a pipe's end or the console shared (dup's way). */
static int64_t open_fd_path(struct linux_proc *lp, int fd, uint64_t flags, unsigned min)
{
    struct lx_file *old = file_of(lp, (uint64_t)fd), *f;
    if (!old)
        return -LX_ENOENT;
    if (old->node) {
        fs_hold(old->node);
        if (!(f = lx_file_new(old->node, (uint32_t)flags & ~(uint32_t)O_CLOEXEC, -1))) {
            fs_release(old->node);
            return -LX_ENFILE;
        }
    } else {
        lx_file_hold(old);
        f = old;
    }
    return lx_fd_install(lp, f, min, flags & O_CLOEXEC);
}

/* open and openat: fs_open's node on the lowest free descriptor, as on Linux; the descriptor or -errno. */
static int64_t open_path(struct linux_proc *lp, int64_t dirfd, uint64_t va, uint64_t flags, uint64_t mode)
{
    char path[FS_PATH_MAX];
    struct fs_node *base;
    int64_t e = lx_user_path(lp, dirfd, va, path, sizeof path, &base);
    if (e)
        return e;
    unsigned fd = 0;                                 /* the lowest free one, first, as on Linux */
    while (fd < LX_MAX_FDS && file_of(lp, fd))
        fd++;
    if (fd == LX_MAX_FDS)
        return -LX_EMFILE;
    if (lx_fd_path(path) >= 0)
        return open_fd_path(lp, lx_fd_path(path), flags, fd);
    int err;
    struct fs_node *n = fs_open(base, path, flags, (uint32_t)mode & 07777 & ~lp->umask, &err);
    if (!n)
        return -err;
    if (lx_dev_tty(n)) {                             /* not a file: the process's terminal */
        fs_release(n);
        return lx_tty_open(lp, flags, fd);
    }
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
    return open_path(lp, lx_dirfd(x->rdi), x->rsi, x->rdx, x->r10);
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
            .d_type = e.type == FS_DIR ? LX_DT_DIR : e.type == FS_LINK ? LX_DT_LNK : LX_DT_REG,
        };
        char rec[offsetof(struct lx_dirent64, d_name) + FS_NAME_MAX + 1 + 8] = { 0 };
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
    char path[FS_PATH_MAX];
    struct fs_node *base;
    int64_t e = lx_user_path(lp, dirfd, va, path, sizeof path, &base);
    return e ? e : -(int64_t)fs_unlink(base, path, dir);
}

int64_t lx_unlink(struct linux_proc *lp, struct utcb_exc *x) { return remove_path(lp, AT_FDCWD, x->rdi, false); }
int64_t lx_rmdir(struct linux_proc *lp, struct utcb_exc *x) { return remove_path(lp, AT_FDCWD, x->rdi, true); }

int64_t lx_unlinkat(struct linux_proc *lp, struct utcb_exc *x)
{
    return remove_path(lp, lx_dirfd(x->rdi), x->rsi, x->rdx & AT_REMOVEDIR);
}

/* mkdir and mkdirat: a new directory with the mode's permission bits. */
static int64_t make_dir(struct linux_proc *lp, int64_t dirfd, uint64_t va, uint64_t mode)
{
    char path[FS_PATH_MAX];
    struct fs_node *base;
    int64_t e = lx_user_path(lp, dirfd, va, path, sizeof path, &base);
    if (e)
        return e;
    int err = 0;
    return fs_create(base, path, FS_DIR, (uint32_t)mode & 07777 & ~lp->umask, &err) ? 0 : -err;
}

int64_t lx_mkdir(struct linux_proc *lp, struct utcb_exc *x) { return make_dir(lp, AT_FDCWD, x->rdi, x->rsi); }
int64_t lx_mkdirat(struct linux_proc *lp, struct utcb_exc *x) { return make_dir(lp, lx_dirfd(x->rdi), x->rsi, x->rdx); }

#define RENAME_NOREPLACE 1

/* rename, renameat, renameat2: fs_rename, with RENAME_NOREPLACE's check first. */
static int64_t rename_path(struct linux_proc *lp, int64_t olddir, uint64_t old_va, int64_t newdir, uint64_t new_va,
                           uint64_t flags)
{
    if (flags & ~(uint64_t)RENAME_NOREPLACE)
        return -LX_EINVAL;                           /* RENAME_EXCHANGE, RENAME_WHITEOUT: not here */
    char from[FS_PATH_MAX], to[FS_PATH_MAX];
    struct fs_node *from_base, *to_base;
    int64_t e = lx_user_path(lp, olddir, old_va, from, sizeof from, &from_base);
    e = e ? e : lx_user_path(lp, newdir, new_va, to, sizeof to, &to_base);
    if (e)
        return e;
    if ((flags & RENAME_NOREPLACE) && fs_lookup(to_base, to))
        return -LX_EEXIST;
    return -(int64_t)fs_rename(from_base, from, to_base, to);
}

int64_t lx_rename(struct linux_proc *lp, struct utcb_exc *x) { return rename_path(lp, AT_FDCWD, x->rdi, AT_FDCWD, x->rsi, 0); }
int64_t lx_renameat(struct linux_proc *lp, struct utcb_exc *x)
{
    return rename_path(lp, lx_dirfd(x->rdi), x->rsi, lx_dirfd(x->rdx), x->r10, 0);
}
int64_t lx_renameat2(struct linux_proc *lp, struct utcb_exc *x)
{
    return rename_path(lp, lx_dirfd(x->rdi), x->rsi, lx_dirfd(x->rdx), x->r10, x->r8);
}

/* ---- the working directory ---- */

/* The working directory: held, so a removed one stays valid (getcwd then says -ENOENT). */
int64_t lx_chdir(struct linux_proc *lp, struct utcb_exc *x)
{
    struct fs_node *n;
    int64_t e = lx_user_node(lp, AT_FDCWD, x->rdi, true, &n);
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
    char path[FS_PATH_MAX];
    if (lp->cwd && !lp->cwd->links)                 /* removed */
        return -LX_ENOENT;
    int len = fs_path(lp->cwd ? lp->cwd : fs_root(), path, sizeof path);
    if (len < 0 || (uint64_t)len + 1 > x->rsi)
        return -LX_ERANGE;
    return proc_write(lp->p, x->rdi, path, (uint64_t)len + 1) ? len + 1 : -LX_EFAULT;
}

/* ---- access ---- */

#define X_OK 1
#define W_OK 2
#define R_OK 4

/* access: the caller is root, so only execute needs a permission bit (any x bit), as on Linux. */
static int64_t access_path(struct linux_proc *lp, int64_t dirfd, uint64_t va, uint64_t mode)
{
    if (mode & ~(uint64_t)(R_OK | W_OK | X_OK))
        return -LX_EINVAL;
    struct fs_node *n;
    int64_t e = lx_user_node(lp, dirfd, va, true, &n);
    if (e)
        return e;
    return (mode & X_OK) && n->type == FS_FILE && !(n->mode & 0111) ? -LX_EACCES : 0;
}

int64_t lx_access(struct linux_proc *lp, struct utcb_exc *x) { return access_path(lp, AT_FDCWD, x->rdi, x->rsi); }
int64_t lx_faccessat(struct linux_proc *lp, struct utcb_exc *x) { return access_path(lp, lx_dirfd(x->rdi), x->rsi, x->rdx); }

/* ---- links ---- */

/* readlink and readlinkat: a link's target, not NUL-terminated, cut at bufsiz; /proc/self/exe is
 * the program's path. */
static int64_t read_link(struct linux_proc *lp, int64_t dirfd, uint64_t va, uint64_t buf, uint64_t bufsiz)
{
    char path[FS_PATH_MAX];
    struct fs_node *base, *n;
    int64_t e = lx_user_path(lp, dirfd, va, path, sizeof path, &base);
    if (e)
        return e;
    if ((int32_t)bufsiz <= 0)
        return -LX_EINVAL;
    uint64_t len;
    if (!strcmp(path, "/proc/self/exe")) {
        len = strlen(lp->exe);
        memcpy(path, lp->exe, len);
    } else {
        int err;
        if (!(n = fs_find(base, path, false, &err)))
            return -err;
        if (n->type != FS_LINK)
            return -LX_EINVAL;
        len = (uint64_t)fs_read(n, 0, path, sizeof path);
    }
    len = len < (uint32_t)bufsiz ? len : (uint32_t)bufsiz;
    return proc_write(lp->p, buf, path, len) ? (int64_t)len : -LX_EFAULT;
}

int64_t lx_readlink(struct linux_proc *lp, struct utcb_exc *x) { return read_link(lp, AT_FDCWD, x->rdi, x->rsi, x->rdx); }
int64_t lx_readlinkat(struct linux_proc *lp, struct utcb_exc *x)
{
    return read_link(lp, lx_dirfd(x->rdi), x->rsi, x->rdx, x->r10);
}

/* symlink and symlinkat: a link at path holding the target, which need not exist. */
static int64_t make_symlink(struct linux_proc *lp, uint64_t target_va, int64_t dirfd, uint64_t va)
{
    char target[FS_PATH_MAX], path[FS_PATH_MAX];
    struct fs_node *base;
    int64_t e = lx_user_string(lp, target_va, target, sizeof target);
    e = e < 0 ? e : lx_user_path(lp, dirfd, va, path, sizeof path, &base);
    return e < 0 ? e : -(int64_t)fs_symlink(target, base, path);
}

int64_t lx_symlink(struct linux_proc *lp, struct utcb_exc *x) { return make_symlink(lp, x->rdi, AT_FDCWD, x->rsi); }
int64_t lx_symlinkat(struct linux_proc *lp, struct utcb_exc *x) { return make_symlink(lp, x->rdi, lx_dirfd(x->rsi), x->rdx); }

/* link and linkat: another name of a file; a link itself unless AT_SYMLINK_FOLLOW. */
static int64_t make_link(struct linux_proc *lp, int64_t olddir, uint64_t old_va, int64_t newdir, uint64_t new_va,
                         uint64_t flags)
{
    if (flags & ~(uint64_t)AT_SYMLINK_FOLLOW)
        return -LX_EINVAL;                           /* AT_EMPTY_PATH: not here */
    char from[FS_PATH_MAX], to[FS_PATH_MAX];
    struct fs_node *from_base, *to_base;
    int64_t e = lx_user_path(lp, olddir, old_va, from, sizeof from, &from_base);
    e = e ? e : lx_user_path(lp, newdir, new_va, to, sizeof to, &to_base);
    return e ? e : -(int64_t)fs_link(from_base, from, flags & AT_SYMLINK_FOLLOW, to_base, to);
}

int64_t lx_link(struct linux_proc *lp, struct utcb_exc *x) { return make_link(lp, AT_FDCWD, x->rdi, AT_FDCWD, x->rsi, 0); }
int64_t lx_linkat(struct linux_proc *lp, struct utcb_exc *x)
{
    return make_link(lp, lx_dirfd(x->rdi), x->rsi, lx_dirfd(x->rdx), x->r10, x->r8);
}

/* umask: the mask open, mkdir and mknod take from a new file's mode; the old one back. */
int64_t lx_umask(struct linux_proc *lp, struct utcb_exc *x)
{
    uint32_t old = lp->umask;
    lp->umask = (uint32_t)x->rdi & 0777;
    return old;
}
