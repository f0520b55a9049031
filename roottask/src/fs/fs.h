/* SPDX-License-Identifier: MIT */
/* src/fs/fs.h — the in-memory file system, seeded from the userland archive. */
#pragma once

#include <stdint.h>
#include <stdbool.h>

enum fs_type { FS_FILE = 1, FS_DIR = 2 };

struct fs_node {
    char name[60];
    uint8_t type;                    /* enum fs_type; 0 = a free node */
    uint32_t mode;                   /* permission bits */
    uint64_t ino, size;
    struct fs_node *parent, *child, *next;
    const uint8_t *tar_data;         /* contents as in the archive, until the first write */
    uint64_t *pages;                 /* then: a page of page addresses (2 MiB per file at most) */
    uint32_t refs;                   /* open descriptors and working directories on it */
    bool unlinked;                   /* removed from the tree; freed when the last reference goes */
};

#define FS_MAX_FILE (512UL * 4096)

void fs_init(const uint8_t *tar, uint64_t len);
/*
 * One lock for the tree: the file service and the Linux personality, whose handlers run on
 * every CPU, hold it around their use of it. A spin lock: every caller runs at the same
 * priority (a higher-priority spinner could starve a holder on its CPU).
 */
void fs_lock(void);
void fs_unlock(void);
bool fs_ready(void);                                 /* fs_init has run in this boot */
struct fs_node *fs_root(void);
/*
 * Paths: absolute, or relative to the directory base (NULL: the root). Errors are positive
 * Linux errno values (in *err, or returned).
 */
/* The node a path names; NULL if a component is missing. */
struct fs_node *fs_lookup(struct fs_node *base, const char *path);
/* Create a file or directory; NULL with *err set if it cannot. */
struct fs_node *fs_create(struct fs_node *base, const char *path, enum fs_type type, uint32_t mode, int *err);
/* Remove a file (dir false) or an empty directory; 0 or the errno. */
int fs_unlink(struct fs_node *base, const char *path, bool dir);
/* Move a node to another name (replacing a file, or an empty directory, there); 0 or the errno. */
int fs_rename(struct fs_node *old_base, const char *old_path, struct fs_node *new_base, const char *new_path);

/* open(2)'s flags, with Linux's values: what fs_open looks at. */
#define FS_O_ACCMODE   3                 /* 0: read only; else it writes */
#define FS_O_CREAT     0x40
#define FS_O_EXCL      0x80
#define FS_O_TRUNC     0x200
#define FS_O_DIRECTORY 0x10000
/* Open (create, truncate) as open(2) does; the node comes back held (fs_release it), or NULL. */
struct fs_node *fs_open(struct fs_node *base, const char *path, uint64_t flags, uint32_t mode, int *err);
/* lseek: the new offset from cur, off and whence (0 SET, 1 CUR, 2 END), or -EINVAL. */
int64_t fs_seek(const struct fs_node *n, uint64_t cur, int64_t off, uint64_t whence);
/* Entry `index` of a directory: ".", "..", then its children; false past the last one. */
struct fs_entry { const char *name; uint64_t ino; enum fs_type type; };
bool fs_entry(const struct fs_node *dir, uint64_t index, struct fs_entry *e);
/* The absolute path of n into buf (cap bytes); its length, or -1 if it does not fit. */
int fs_path(const struct fs_node *n, char *buf, unsigned cap);
int64_t fs_read(struct fs_node *n, uint64_t off, void *buf, uint64_t len);
int64_t fs_write(struct fs_node *n, uint64_t off, const void *buf, uint64_t len);   /* bytes or -errno */
void fs_truncate(struct fs_node *n);
/* An open descriptor (or a working directory) keeps a node alive after an unlink, as on Linux. */
void fs_hold(struct fs_node *n);
void fs_release(struct fs_node *n);
