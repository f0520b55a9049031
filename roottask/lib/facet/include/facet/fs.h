/* SPDX-License-Identifier: MIT */
/* facet/fs.h — the file service: its protocol, and the client library native programs call. */
#pragma once

#include <stdint.h>
#include "facet/hypercall.h"

/*
 * The roottask's in-memory file system (seeded from the userland archive) is
 * a portal service. A program calls it at APP_SEL_FS; the portal's id tells
 * the roottask which process calls, and descriptors are that process's own
 * (FILE_MAX_FDS of them, numbered from 0), closed when it ends.
 *
 * Request: untyped words only.  mr[0] = operation, then its arguments:
 *
 *   op             mr[1]          mr[2]          mr[3..]         reply mr[0]     reply mr[1..]
 *   OPEN      1    flags          path ...                       descriptor      -
 *   CLOSE     2    fd                                            0               -
 *   READ      3    fd             len                            bytes read      the bytes
 *   WRITE     4    fd             len            the bytes       bytes written   -
 *   LSEEK     5    fd             offset         whence          new offset      -
 *   FSTAT     6    fd                                            0               size, type, mode, ino
 *   UNLINK    7    0              path ...                       0               -
 *   MKDIR     8    mode           path ...                       0               -
 *   RMDIR     9    0              path ...                       0               -
 *   GETDENTS 10    fd                                            1 or 0 (end)    ino, type, name ...
 *
 * A path starts at mr[2] and ends with a NUL inside the words sent; it is
 * absolute or relative to the root. Each reply is one word (mr[0]) plus the
 * data words shown; mr[0] is the result, or a negative Linux errno. A READ
 * or WRITE moves at most FILE_READ_MAX / FILE_WRITE_MAX bytes (what one UTCB
 * holds): the client library splits larger transfers into several calls.
 * GETDENTS returns one entry per call: ".", "..", then the directory's
 * entries; the descriptor's offset counts entries (lseek to 0 rewinds).
 *
 * Every request is checked before anything changes: an unknown operation
 * gets -ENOSYS; too few words, a length beyond the words sent, unknown flags
 * or a path without its NUL get -EINVAL; a path of FILE_PATH_MAX bytes or
 * more -ENAMETOOLONG; a descriptor out of range or not open -EBADF. In a
 * boot that never set up the file system every request gets -ENODEV. An
 * open file stays readable after an unlink, until it is closed (as on Linux).
 */
enum file_op {
    FILE_OP_OPEN = 1,
    FILE_OP_CLOSE,
    FILE_OP_READ,
    FILE_OP_WRITE,
    FILE_OP_LSEEK,
    FILE_OP_FSTAT,
    FILE_OP_UNLINK,
    FILE_OP_MKDIR,
    FILE_OP_RMDIR,
    FILE_OP_GETDENTS,
    FILE_OP_COUNT,
};

#define FILE_ARG_PATH   2                            /* the word a path starts at */
#define FILE_PATH_MAX   256                          /* bytes, with the NUL */
#define FILE_MAX_FDS    16                           /* descriptors per process */
#define FILE_READ_MAX   ((UTCB_WORDS - 1) * 8)       /* the reply: mr[0] + the bytes */
#define FILE_WRITE_MAX  ((UTCB_WORDS - 3) * 8)       /* the request: op, fd, len + the bytes */
#define FILE_NAME_MAX   64                           /* a directory entry's name, with the NUL */

/* OPEN flags: Linux's values. Created files get mode 0644. */
#define FILE_O_RDONLY     0
#define FILE_O_WRONLY     1
#define FILE_O_RDWR       2
#define FILE_O_ACCMODE    3
#define FILE_O_CREAT      0x40
#define FILE_O_EXCL       0x80
#define FILE_O_TRUNC      0x200
#define FILE_O_APPEND     0x400
#define FILE_O_DIRECTORY  0x10000

#define FILE_SEEK_SET   0
#define FILE_SEEK_CUR   1
#define FILE_SEEK_END   2

#define FILE_TYPE_FILE  1                            /* FSTAT / GETDENTS type */
#define FILE_TYPE_DIR   2

/* Errors: negative Linux errno values. */
#define FILE_ENOENT        2
#define FILE_EIO           5                         /* the client's: the call failed or its reply is malformed */
#define FILE_EBADF         9
#define FILE_EEXIST       17
#define FILE_ENODEV       19
#define FILE_ENOTDIR      20
#define FILE_EISDIR       21
#define FILE_EINVAL       22
#define FILE_EMFILE       24
#define FILE_EFBIG        27
#define FILE_ENOSPC       28
#define FILE_ENAMETOOLONG 36
#define FILE_ENOSYS       38
#define FILE_ENOTEMPTY    39

struct file_stat {
    uint64_t size;                                   /* bytes (0 for a directory) */
    uint64_t ino;
    uint32_t type;                                   /* FILE_TYPE_* */
    uint32_t mode;                                   /* permission bits */
};

struct file_dirent {
    uint64_t ino;
    uint32_t type;                                   /* FILE_TYPE_* */
    char name[FILE_NAME_MAX];                        /* NUL-terminated */
};

/*
 * The client library: each call is one or more calls of the portal at
 * APP_SEL_FS. Results as in the table above: >= 0, or a negative errno.
 * (Not fs_*: in the roottask, fs_read and friends are the file system itself.)
 */
int64_t file_open(const char *path, uint64_t flags);
int64_t file_close(int64_t fd);
int64_t file_read(int64_t fd, void *buf, uint64_t len);          /* up to len bytes: fewer only at the end */
int64_t file_write(int64_t fd, const void *buf, uint64_t len);
int64_t file_lseek(int64_t fd, int64_t off, unsigned whence);
int64_t file_fstat(int64_t fd, struct file_stat *st);
int64_t file_unlink(const char *path);
int64_t file_mkdir(const char *path, uint32_t mode);
int64_t file_rmdir(const char *path);
int64_t file_getdents(int64_t fd, struct file_dirent *d);        /* 1: *d is the next entry; 0: no more */
