/* SPDX-License-Identifier: MIT */
/* src/fs/fs.h — the in-memory file system, seeded from the userland archive. */
#pragma once

#include <stdint.h>
#include <stdbool.h>

enum fs_type { FS_FILE = 1, FS_DIR = 2, FS_LINK = 3 };

#define FS_NAME_MAX 63                   /* bytes of a name (Linux allows 255) */
#define FS_PATH_MAX 256                  /* bytes of a path walked, with the NUL */
#define FS_MAX_LINKS 40                  /* symbolic links one walk follows, as Linux: then ELOOP */

struct fs_time { int64_t sec; uint32_t nsec; };

/*
 * A node is an inode: a file, a directory or a symbolic link (its contents: the target).
 * Names are directory entries (struct fs_dirent) pointing at nodes; a file may have several
 * (hard links), a directory has one, and its parent pointer leads back to the directory
 * holding it.
 *
 *   dir node ──child──▶ dirent "a" ──next──▶ dirent "b" ──next──▶ NULL
 *                         │node               │node
 *                         ▼                   ▼
 *                       file node ◀───────  (a hard link: the same node, links = 2)
 */
struct fs_dirent {
    struct fs_dirent *next;
    struct fs_node *node;
    char name[FS_NAME_MAX + 1];
};

struct fs_node {
    uint8_t type;                    /* enum fs_type */
    uint8_t dev;                     /* the Linux personality's device it is (linux/dev.c) + 1; 0: none */
    uint32_t mode;                   /* permission bits (07777) */
    uint32_t uid, gid;
    uint32_t links;                  /* entries naming it (0: removed; freed when refs go too) */
    uint32_t refs;                   /* open descriptors and working directories on it */
    uint64_t ino, size;
    struct fs_time atime, mtime, ctime;
    struct fs_node *parent;          /* a directory's: the directory holding it (the root's: NULL) */
    struct fs_dirent *child;         /* a directory's entries, the newest first */
    const uint8_t *tar_data;         /* contents as in the archive, until the first change */
    char *target;                    /* a link made at run time: its target (FS_PATH_MAX bytes of a pool) */
    uint64_t *pages;                 /* then: a tree of pages, `levels` index pages deep */
    unsigned levels;
    uint64_t data_pages;             /* pages of contents in that tree (holes have none) */
};

/* A device file of the Linux personality's (linux/dev.c), not one with contents. */
static inline bool fs_is_dev(const struct fs_node *n) { return n && n->dev; }

/* A file's largest size: four levels of index pages (512 entries each) over 4 KiB pages. */
#define FS_MAX_FILE (512UL * 512 * 512 * 512 * 4096)

void fs_init(const uint8_t *tar, uint64_t len);
/*
 * One lock for the tree: the file service and the Linux personality, whose handlers run on
 * every CPU, and the teardown of a process hold it around their use of it. Its waiters sleep
 * (fs.c): a higher-priority spinner could starve a holder on its CPU. fs_lock_init: the
 * semaphore (selector) they sleep on and the TSC ticks of 1 ms, before any second user.
 */
void fs_lock_init(uint64_t sm, uint64_t tsc_per_ms);
void fs_lock(void);
void fs_unlock(void);
bool fs_ready(void);                                 /* fs_init has run in this boot */
struct fs_node *fs_root(void);
/* The wall clock for file times, ns since 1970: the system's (linux/time.c); and as a file time. */
uint64_t fs_now_ns(void);
struct fs_time fs_now(void);
/*
 * Paths: absolute, or relative to the directory base (NULL: the root). Errors are positive
 * Linux errno values (in *err, or returned). Symbolic links are followed on the way, and the
 * last component's too if `follow` says so (or a '/' follows it).
 */
/* The node a path names; NULL with *err set if there is none. */
struct fs_node *fs_find(struct fs_node *base, const char *path, bool follow, int *err);
/* The node a path names, every link followed; NULL if there is none. */
struct fs_node *fs_lookup(struct fs_node *base, const char *path);
/* Create a file or directory; NULL with *err set if it cannot. */
struct fs_node *fs_create(struct fs_node *base, const char *path, enum fs_type type, uint32_t mode, int *err);
/* A symbolic link at path holding target; 0 or the errno. */
int fs_symlink(const char *target, struct fs_node *base, const char *path);
/* A second name (new_path) for the file old_path names (its link followed if follow); 0 or the errno. */
int fs_link(struct fs_node *old_base, const char *old_path, bool follow, struct fs_node *new_base, const char *new_path);
/* Remove a file or link (dir false) or an empty directory; 0 or the errno. */
int fs_unlink(struct fs_node *base, const char *path, bool dir);
/* Move a node to another name (replacing a file, or an empty directory, there); 0 or the errno. */
int fs_rename(struct fs_node *old_base, const char *old_path, struct fs_node *new_base, const char *new_path);

/* open(2)'s flags, with Linux's values: what fs_open looks at. */
#define FS_O_ACCMODE   3                 /* 0: read only; else it writes */
#define FS_O_CREAT     0x40
#define FS_O_EXCL      0x80
#define FS_O_TRUNC     0x200
#define FS_O_DIRECTORY 0x10000
#define FS_O_NOFOLLOW  0x20000
/* Open (create, truncate) as open(2) does; the node comes back held (fs_release it), or NULL. */
struct fs_node *fs_open(struct fs_node *base, const char *path, uint64_t flags, uint32_t mode, int *err);
/* lseek: the new offset from cur, off and whence (0 SET, 1 CUR, 2 END), or -EINVAL. */
int64_t fs_seek(const struct fs_node *n, uint64_t cur, int64_t off, uint64_t whence);
/* Entry `index` of a directory: ".", "..", then its children; false past the last one. */
struct fs_entry { const char *name; uint64_t ino; enum fs_type type; };
bool fs_entry(const struct fs_node *dir, uint64_t index, struct fs_entry *e);
/* The absolute path of directory n into buf (cap bytes); its length, or -1 if it does not fit. */
int fs_path(const struct fs_node *n, char *buf, unsigned cap);
/* The absolute path of what path names, every link followed (realpath(3)); its length, or -errno. */
int fs_realpath(struct fs_node *base, const char *path, char *buf, unsigned cap);
/* st_nlink: a file's names; a directory's "." , its entry and its subdirectories' "..". */
uint32_t fs_nlink(const struct fs_node *n);
int64_t fs_read(struct fs_node *n, uint64_t off, void *buf, uint64_t len);
int64_t fs_write(struct fs_node *n, uint64_t off, const void *buf, uint64_t len);   /* bytes or -errno */
/* A file's new size: zeroes past the old end, or the bytes past the new one gone; 0 or the errno. */
int fs_truncate(struct fs_node *n, uint64_t size);
/* Times to now: FS_ATIME, FS_MTIME, FS_CTIME bits. */
#define FS_ATIME 1
#define FS_MTIME 2
#define FS_CTIME 4
void fs_touch(struct fs_node *n, unsigned which);
/* An open descriptor (or a working directory) keeps a node alive after an unlink, as on Linux. */
void fs_hold(struct fs_node *n);
void fs_release(struct fs_node *n);
