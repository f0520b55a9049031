// SPDX-License-Identifier: MIT
/* src/services/fs_service.c — the file service: the in-memory file system for native programs, over IPC. */
#include <string.h>
#include "services/services.h"
#include "fs/fs.h"
#include "facet/fs.h"

_Static_assert(FILE_TYPE_FILE == FS_FILE && FILE_TYPE_DIR == FS_DIR, "facet/fs.h types are fs.h's");
_Static_assert(FILE_O_ACCMODE == FS_O_ACCMODE && FILE_O_CREAT == FS_O_CREAT && FILE_O_EXCL == FS_O_EXCL &&
               FILE_O_TRUNC == FS_O_TRUNC && FILE_O_DIRECTORY == FS_O_DIRECTORY, "facet/fs.h flags are fs_open's");
_Static_assert(FILE_READ_MAX + 8 <= UTCB_WORDS * 8, "a READ reply fits in the UTCB");
_Static_assert(FS_NAME_MAX + 1 <= FILE_NAME_MAX, "a name fits a GETDENTS reply");

#define O_KNOWN (FILE_O_ACCMODE | FILE_O_CREAT | FILE_O_EXCL | FILE_O_TRUNC | FILE_O_APPEND | FILE_O_DIRECTORY)

/* An open descriptor: it holds its node (fs_hold), so an unlinked file stays readable. */
struct open_file {
    struct fs_node *node;            /* NULL: free */
    uint64_t off;                    /* bytes; for a directory, entries (0 ".", 1 "..") */
    uint64_t flags;                  /* FILE_O_* as opened */
};

static struct open_file files[FS_SERVICE_CLIENTS][FILE_MAX_FDS];

/* One request, decoded: what the operation may use. */
struct request {
    struct utcb *u;
    unsigned words;                  /* untyped words sent */
    uint64_t op;                     /* mr[0] */
    struct open_file *fds;           /* the client's table */
    struct open_file *f;             /* the descriptor in mr[1] (operations on one) */
    const char *path;                /* the path at mr[FILE_ARG_PATH] (operations on one) */
    unsigned reply;                  /* data words the reply carries after mr[0] */
};

static int64_t op_open(struct request *r);
static int64_t op_close(struct request *r);
static int64_t op_read(struct request *r);
static int64_t op_write(struct request *r);
static int64_t op_lseek(struct request *r);
static int64_t op_fstat(struct request *r);
static int64_t op_unlink(struct request *r);
static int64_t op_mkdir(struct request *r);
static int64_t op_rmdir(struct request *r);
static int64_t op_getdents(struct request *r);

/* Per operation: the handler, the words it needs at least, and whether it names a descriptor
 * (mr[1]) or a path (from mr[FILE_ARG_PATH]). */
enum arg { ARG_FD, ARG_PATH };
static const struct {
    int64_t (*fn)(struct request *r);
    unsigned words;
    enum arg arg;
} ops[FILE_OP_COUNT] = {
    [FILE_OP_OPEN]     = { op_open,     FILE_ARG_PATH + 1, ARG_PATH },
    [FILE_OP_CLOSE]    = { op_close,    2, ARG_FD },
    [FILE_OP_READ]     = { op_read,     3, ARG_FD },
    [FILE_OP_WRITE]    = { op_write,    3, ARG_FD },
    [FILE_OP_LSEEK]    = { op_lseek,    4, ARG_FD },
    [FILE_OP_FSTAT]    = { op_fstat,    2, ARG_FD },
    [FILE_OP_UNLINK]   = { op_unlink,   FILE_ARG_PATH + 1, ARG_PATH },
    [FILE_OP_MKDIR]    = { op_mkdir,    FILE_ARG_PATH + 1, ARG_PATH },
    [FILE_OP_RMDIR]    = { op_rmdir,    FILE_ARG_PATH + 1, ARG_PATH },
    [FILE_OP_GETDENTS] = { op_getdents, 2, ARG_FD },
};

/* The path from mr[FILE_ARG_PATH]: 0, or -EINVAL if its NUL is not in the words sent, -ENAMETOOLONG. */
static int64_t path_of(struct request *r)
{
    const char *s = (const char *)&r->u->mr[FILE_ARG_PATH];
    uint64_t room = (uint64_t)(r->words - FILE_ARG_PATH) * 8;
    for (uint64_t i = 0; i < room && i < FILE_PATH_MAX; i++)
        if (!s[i]) {
            r->path = s;
            return 0;
        }
    return room < FILE_PATH_MAX ? -FILE_EINVAL : -FILE_ENAMETOOLONG;
}

/* Check the request against the protocol; 0 or the error. Nothing changes here. */
static int64_t decode(struct request *r)
{
    if (r->words == 0 || r->words > UTCB_WORDS || UTCB_TYPED(r->u->head.items))
        return -FILE_EINVAL;
    r->op = r->u->mr[0];
    if (r->op >= FILE_OP_COUNT || !ops[r->op].fn)
        return -FILE_ENOSYS;
    if (r->words < ops[r->op].words)
        return -FILE_EINVAL;
    if (ops[r->op].arg == ARG_PATH)
        return path_of(r);
    uint64_t fd = r->u->mr[1];
    if (fd >= FILE_MAX_FDS || !r->fds[fd].node)
        return -FILE_EBADF;
    r->f = &r->fds[fd];
    return 0;
}

/* The request in u from client `id` (the process's slot); the reply goes back in u. */
void fs_service_handler(uint64_t id, struct utcb *u)
{
    struct request r = { .u = u, .words = UTCB_UNTYPED(u->head.items) };
    int64_t result;
    fs_lock();
    if (!fs_ready())
        result = -FILE_ENODEV;                       /* this boot has no file system */
    else if (id >= FS_SERVICE_CLIENTS)
        result = -FILE_EINVAL;                       /* a portal not bound for a process */
    else {
        r.fds = files[id];
        result = decode(&r);
        if (result == 0)
            result = ops[r.op].fn(&r);
    }
    fs_unlock();
    u->mr[0] = (uint64_t)result;
    u->head.items = UTCB_ITEMS(1 + (result < 0 ? 0 : r.reply), 0);
}

/* Client id has gone (the process was torn down): its descriptors close. */
void fs_service_release(uint64_t id)
{
    if (id >= FS_SERVICE_CLIENTS)
        return;
    fs_lock();
    for (unsigned fd = 0; fd < FILE_MAX_FDS; fd++)
        if (files[id][fd].node) {
            fs_release(files[id][fd].node);
            files[id][fd].node = NULL;
        }
    fs_unlock();
}

/* ---- the operations: the request is valid; the remaining checks come before any change -- */

static int64_t op_open(struct request *r)
{
    uint64_t flags = r->u->mr[1];
    if ((flags & ~(uint64_t)O_KNOWN) || (flags & FILE_O_ACCMODE) == FILE_O_ACCMODE ||
        ((flags & FILE_O_CREAT) && (flags & FILE_O_DIRECTORY)))
        return -FILE_EINVAL;
    if (!r->path[0])
        return -FILE_ENOENT;
    unsigned fd = 0;
    while (fd < FILE_MAX_FDS && r->fds[fd].node)
        fd++;
    if (fd == FILE_MAX_FDS)
        return -FILE_EMFILE;
    int err;
    struct fs_node *n = fs_open(NULL, r->path, flags, 0644, &err);
    if (!n)
        return -err;
    r->fds[fd] = (struct open_file){ n, 0, flags };
    return fd;
}

static int64_t op_close(struct request *r)
{
    fs_release(r->f->node);
    r->f->node = NULL;
    return 0;
}

/* The bytes go straight into the reply, from mr[1] on. */
static int64_t op_read(struct request *r)
{
    uint64_t len = r->u->mr[2];
    if ((r->f->flags & FILE_O_ACCMODE) == FILE_O_WRONLY)
        return -FILE_EBADF;
    if (len > FILE_READ_MAX)
        return -FILE_EINVAL;
    uint8_t *bytes = (uint8_t *)&r->u->mr[1];
    int64_t got = fs_read(r->f->node, r->f->off, bytes, len);
    if (got > 0) {
        r->f->off += (uint64_t)got;
        r->reply = (unsigned)(((uint64_t)got + 7) / 8);
        memset(bytes + got, 0, r->reply * 8 - (uint64_t)got);   /* not an earlier caller's words */
    }
    return got;
}

static int64_t op_write(struct request *r)
{
    uint64_t len = r->u->mr[2];
    if ((r->f->flags & FILE_O_ACCMODE) == FILE_O_RDONLY)
        return -FILE_EBADF;
    if (len > FILE_WRITE_MAX || len > (uint64_t)(r->words - 3) * 8)
        return -FILE_EINVAL;                         /* more bytes than the message carries */
    uint64_t off = (r->f->flags & FILE_O_APPEND) ? r->f->node->size : r->f->off;
    int64_t done = fs_write(r->f->node, off, &r->u->mr[3], len);
    if (done >= 0)
        r->f->off = off + (uint64_t)done;
    return done;
}

static int64_t op_lseek(struct request *r)
{
    int64_t off = fs_seek(r->f->node, r->f->off, (int64_t)r->u->mr[2], r->u->mr[3]);
    if (off >= 0)
        r->f->off = (uint64_t)off;
    return off;
}

static int64_t op_fstat(struct request *r)
{
    const struct fs_node *n = r->f->node;
    r->u->mr[1] = n->size;
    r->u->mr[2] = n->type;
    r->u->mr[3] = n->mode;
    r->u->mr[4] = n->ino;
    r->reply = 4;
    return 0;
}

static int64_t op_remove(struct request *r, bool dir)
{
    if (r->u->mr[1])
        return -FILE_EINVAL;                         /* a reserved word */
    return -(int64_t)fs_unlink(NULL, r->path, dir);
}

static int64_t op_unlink(struct request *r) { return op_remove(r, false); }
static int64_t op_rmdir(struct request *r) { return op_remove(r, true); }

static int64_t op_mkdir(struct request *r)
{
    uint64_t mode = r->u->mr[1];
    if (mode & ~07777UL)
        return -FILE_EINVAL;
    if (!r->path[0])
        return -FILE_ENOENT;
    int err = 0;
    return fs_create(NULL, r->path, FS_DIR, (uint32_t)mode, &err) ? 0 : -err;
}

/* One entry per call: ".", "..", then the children; the reply is ino, type, the name. */
static int64_t op_getdents(struct request *r)
{
    struct fs_entry e;
    if (r->f->node->type != FS_DIR)
        return -FILE_ENOTDIR;
    if (!fs_entry(r->f->node, r->f->off, &e))
        return 0;                                    /* no more */
    size_t len = strlen(e.name);
    r->u->mr[1] = e.ino;
    r->u->mr[2] = e.type;
    r->u->mr[3 + len / 8] = 0;                       /* the NUL and the padding */
    memcpy(&r->u->mr[3], e.name, len);
    r->reply = 2 + (unsigned)(len / 8) + 1;
    r->f->off++;
    return 1;
}
