/* SPDX-License-Identifier: MIT */
/* src/fs/tar.h — reading the userland archive: ustar headers, validated. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

struct tar_entry {
    char name[258];            /* prefix/name (155 + 1 + 100), NUL-terminated, no leading "./" */
    char type;                 /* '0' file, '1' hard link, '2' symbolic link, '5' directory, ... */
    const uint8_t *data;       /* inside the archive */
    uint64_t size;
    const char *link;          /* a link's target: inside the header, link_len bytes (no NUL) */
    unsigned link_len;         /* (a hard link's: the other entry's name, no leading "./") */
    uint32_t mode, uid, gid;
    int64_t mtime;             /* seconds since 1970 */
};

/*
 * Walk an archive: *pos starts at 0. Returns 1 with *e filled, 0 at the end
 * of the archive, -1 with *why set on a defect (truncated header, bad
 * checksum, not ustar, a numeric field not octal, size beyond the archive,
 * empty name, a link without a target).
 */
int tar_next(const uint8_t *tar, size_t len, size_t *pos, struct tar_entry *e, const char **why);
/* Find a regular file by name: 1 found, 0 not there, -1 on a defect. */
int tar_find(const uint8_t *tar, size_t len, const char *name, struct tar_entry *e, const char **why);
