// SPDX-License-Identifier: MIT
/* lib/facet/fs_client.c — the client side of the file service (facet/fs.h), for native programs. */
#include <string.h>
#include "facet/app.h"
#include "facet/thread.h"
#include "facet/fs.h"

/* Send the request of `words` words in the UTCB; the result word, or -EIO if the call failed. */
static int64_t call(unsigned words, unsigned *reply_words)
{
    struct utcb *u = fc_utcb();
    u->head.items = UTCB_ITEMS(words, 0);
    if (fc_call(APP_SEL_FS) != SUCCESS || UTCB_UNTYPED(u->head.items) == 0)
        return -FILE_EIO;
    *reply_words = UTCB_UNTYPED(u->head.items);
    return (int64_t)u->mr[0];
}

/* An operation on a descriptor with up to two more arguments. */
static int64_t call_fd(enum file_op op, int64_t fd, uint64_t a, uint64_t b, unsigned words)
{
    struct utcb *u = fc_utcb();
    unsigned got;
    u->mr[0] = op;
    u->mr[1] = (uint64_t)fd;
    u->mr[2] = a;
    u->mr[3] = b;
    return call(words, &got);
}

/* An operation on a path: mr[1] = arg, the path and its NUL from mr[2] on. */
static int64_t call_path(enum file_op op, uint64_t arg, const char *path)
{
    struct utcb *u = fc_utcb();
    size_t len = strlen(path);
    unsigned got;
    if (len + 1 > (UTCB_WORDS - FILE_ARG_PATH) * 8)
        return -FILE_ENAMETOOLONG;                   /* it does not even fit in a message */
    u->mr[0] = op;
    u->mr[1] = arg;
    u->mr[FILE_ARG_PATH + len / 8] = 0;              /* the NUL, and zeroes after it */
    memcpy(&u->mr[FILE_ARG_PATH], path, len);
    return call(FILE_ARG_PATH + (unsigned)(len / 8) + 1, &got);
}

int64_t file_open(const char *path, uint64_t flags)
{
    return call_path(FILE_OP_OPEN, flags, path);
}

int64_t file_close(int64_t fd)
{
    return call_fd(FILE_OP_CLOSE, fd, 0, 0, 2);
}

/* One call per FILE_READ_MAX bytes; a short read is the end of the file. */
int64_t file_read(int64_t fd, void *buf, uint64_t len)
{
    struct utcb *u = fc_utcb();
    uint8_t *b = buf;
    uint64_t done = 0;
    do {                                             /* at least one call: it checks fd */
        uint64_t chunk = len - done < FILE_READ_MAX ? len - done : FILE_READ_MAX;
        unsigned got;
        u->mr[0] = FILE_OP_READ;
        u->mr[1] = (uint64_t)fd;
        u->mr[2] = chunk;
        int64_t r = call(3, &got);
        if (r >= 0 && ((uint64_t)r > chunk || (uint64_t)r > (got - 1) * 8))
            r = -FILE_EIO;                           /* more than asked for, or than the reply holds */
        if (r < 0)
            return done ? (int64_t)done : r;
        memcpy(b + done, &u->mr[1], (size_t)r);
        done += (uint64_t)r;
        if ((uint64_t)r < chunk)
            break;
    } while (done < len);
    return (int64_t)done;
}

/* One call per FILE_WRITE_MAX bytes; stops at a short write. */
int64_t file_write(int64_t fd, const void *buf, uint64_t len)
{
    struct utcb *u = fc_utcb();
    const uint8_t *b = buf;
    uint64_t done = 0;
    do {
        uint64_t chunk = len - done < FILE_WRITE_MAX ? len - done : FILE_WRITE_MAX;
        unsigned got;
        u->mr[0] = FILE_OP_WRITE;
        u->mr[1] = (uint64_t)fd;
        u->mr[2] = chunk;
        memcpy(&u->mr[3], b + done, (size_t)chunk);
        int64_t r = call(3 + (unsigned)((chunk + 7) / 8), &got);
        if (r >= 0 && (uint64_t)r > chunk)
            r = -FILE_EIO;
        if (r < 0)
            return done ? (int64_t)done : r;
        done += (uint64_t)r;
        if ((uint64_t)r < chunk)
            break;
    } while (done < len);
    return (int64_t)done;
}

int64_t file_lseek(int64_t fd, int64_t off, unsigned whence)
{
    return call_fd(FILE_OP_LSEEK, fd, (uint64_t)off, whence, 4);
}

int64_t file_fstat(int64_t fd, struct file_stat *st)
{
    struct utcb *u = fc_utcb();
    unsigned got;
    u->mr[0] = FILE_OP_FSTAT;
    u->mr[1] = (uint64_t)fd;
    int64_t r = call(2, &got);
    if (r >= 0 && got < 5)
        r = -FILE_EIO;
    if (r < 0)
        return r;
    st->size = u->mr[1];
    st->type = (uint32_t)u->mr[2];
    st->mode = (uint32_t)u->mr[3];
    st->ino = u->mr[4];
    return 0;
}

int64_t file_unlink(const char *path)
{
    return call_path(FILE_OP_UNLINK, 0, path);
}

int64_t file_mkdir(const char *path, uint32_t mode)
{
    return call_path(FILE_OP_MKDIR, mode, path);
}

int64_t file_rmdir(const char *path)
{
    return call_path(FILE_OP_RMDIR, 0, path);
}

int64_t file_getdents(int64_t fd, struct file_dirent *d)
{
    struct utcb *u = fc_utcb();
    unsigned got;
    u->mr[0] = FILE_OP_GETDENTS;
    u->mr[1] = (uint64_t)fd;
    int64_t r = call(2, &got);
    if (r == 1 && got < 4)
        r = -FILE_EIO;
    if (r != 1)
        return r;
    const char *name = (const char *)&u->mr[3];
    size_t n = 0, room = (got - 3) * 8;
    while (n < room && n + 1 < sizeof d->name && name[n])
        n++;
    memcpy(d->name, name, n);
    d->name[n] = 0;
    d->ino = u->mr[1];
    d->type = (uint32_t)u->mr[2];
    return 1;
}
