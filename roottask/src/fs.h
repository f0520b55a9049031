/* SPDX-License-Identifier: MIT */
/* src/fs.h — the in-memory file system, seeded from the userland archive. */
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
};

#define FS_MAX_FILE (512UL * 4096)

void fs_init(const uint8_t *tar, uint64_t len);
struct fs_node *fs_root(void);
/* Resolve an absolute path (or one relative to the root); NULL if a component is missing. */
struct fs_node *fs_lookup(const char *path);
/* Create a file or directory; NULL with *err (a positive Linux errno) set if it cannot. */
struct fs_node *fs_create(const char *path, enum fs_type type, uint32_t mode, int *err);
int fs_unlink(const char *path, bool dir);           /* 0 or a positive Linux errno */
int64_t fs_read(struct fs_node *n, uint64_t off, void *buf, uint64_t len);
int64_t fs_write(struct fs_node *n, uint64_t off, const void *buf, uint64_t len);   /* bytes or -errno */
void fs_truncate(struct fs_node *n);
struct fs_node *fs_child_at(struct fs_node *dir, uint64_t index);  /* the index-th entry, or NULL */
