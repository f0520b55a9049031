// SPDX-License-Identifier: MIT
/* src/fs/fs.c — an in-memory tree of files and directories; archive contents are copied on first write. */
#include <string.h>
#include "fs/fs.h"
#include "fs/tar.h"
#include "facet/mem.h"
#include "facet/spin.h"

#define MAX_NODES 1024
#define ENOENT 2
#define EEXIST 17
#define ENOTDIR 20
#define EISDIR 21
#define ENOSPC 28
#define ENAMETOOLONG 36
#define ENOTEMPTY 39
#define EFBIG 27
#define EBUSY 16
#define EINVAL 22

static struct fs_node nodes[MAX_NODES];
static uint64_t next_ino = 1;

static struct fs_node *node_new(struct fs_node *parent, const char *name, unsigned len, enum fs_type type, uint32_t mode)
{
    for (unsigned i = 1; i < MAX_NODES; i++) {
        struct fs_node *n = &nodes[i];
        if (n->type)
            continue;
        memset(n, 0, sizeof *n);
        memcpy(n->name, name, len);
        n->type = (uint8_t)type;
        n->mode = mode;
        n->ino = ++next_ino;
        n->parent = parent;
        n->next = parent->child;
        parent->child = n;
        return n;
    }
    return NULL;
}

/* Out of its directory's list of children. */
static void detach(struct fs_node *n)
{
    struct fs_node **p = &n->parent->child;
    while (*p != n)
        p = &(*p)->next;
    *p = n->next;
    n->next = NULL;
}

/* Its contents go, then the node itself. */
static void node_free(struct fs_node *n)
{
    fs_truncate(n);
    n->type = 0;
}

static struct fs_node *child(struct fs_node *dir, const char *name, unsigned len)
{
    for (struct fs_node *n = dir->child; n; n = n->next)
        if (strlen(n->name) == len && !memcmp(n->name, name, len))
            return n;
    return NULL;
}

struct fs_node *fs_root(void)
{
    return &nodes[0];
}

static volatile int lock;

void fs_lock(void)
{
    fc_spin_lock(&lock);
}

void fs_unlock(void)
{
    fc_spin_unlock(&lock);
}

bool fs_ready(void)
{
    return nodes[0].type == FS_DIR;
}

/* From base (absolute paths: from the root), walk all but (if `last` is set) the last component;
 * *last points at that component. */
static struct fs_node *walk(struct fs_node *base, const char *path, const char **last, int *err)
{
    struct fs_node *d = path[0] == '/' || !base ? fs_root() : base;
    if (d->unlinked) {                               /* a removed working directory */
        *err = ENOENT;
        return NULL;
    }
    const char *p = path;
    for (;;) {
        while (*p == '/')
            p++;
        const char *e = p;
        while (*e && *e != '/')
            e++;
        const char *rest = e;
        while (*rest == '/')
            rest++;
        if (last && !*rest) {                        /* p..e is the last component */
            *last = p;
            return d;
        }
        if (e == p)
            return d;
        unsigned len = (unsigned)(e - p);
        if (len == 1 && p[0] == '.') {
        } else if (len == 2 && p[0] == '.' && p[1] == '.') {
            d = d->parent ? d->parent : d;
        } else {
            struct fs_node *c = child(d, p, len);
            if (!c) {
                *err = ENOENT;
                return NULL;
            }
            if (c->type != FS_DIR && *rest) {
                *err = ENOTDIR;
                return NULL;
            }
            d = c;
        }
        p = e;
        if (!*rest)
            return d;
    }
}

struct fs_node *fs_lookup(struct fs_node *base, const char *path)
{
    int err;
    return walk(base, path, NULL, &err);
}

static bool dot_name(const char *name, unsigned len)
{
    return (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
}

/* The directory a new name goes into and that name (*name, *len): 0 or the errno. */
static int parent_of(struct fs_node *base, const char *path, struct fs_node **dir, const char **name, unsigned *len)
{
    int err = 0;
    *dir = walk(base, path, name, &err);
    if (!*dir)
        return err;
    if ((*dir)->type != FS_DIR)
        return ENOTDIR;
    *len = 0;
    while ((*name)[*len] && (*name)[*len] != '/')
        (*len)++;
    return *len >= sizeof (*dir)->name ? ENAMETOOLONG : 0;
}

struct fs_node *fs_create(struct fs_node *base, const char *path, enum fs_type type, uint32_t mode, int *err)
{
    struct fs_node *d;
    const char *name;
    unsigned len;
    *err = parent_of(base, path, &d, &name, &len);
    if (!*err && (len == 0 || dot_name(name, len) || child(d, name, len)))
        *err = EEXIST;
    struct fs_node *n = *err ? NULL : node_new(d, name, len, type, mode);
    if (!*err && !n)
        *err = ENOSPC;
    return n;
}

/* Out of the tree; freed now, or when the last descriptor on it goes. */
static void node_remove(struct fs_node *n)
{
    detach(n);
    n->parent = NULL;
    n->unlinked = true;
    if (!n->refs)
        node_free(n);
}

int fs_unlink(struct fs_node *base, const char *path, bool dir)
{
    if (!path[0])
        return ENOENT;
    const char *name = path;                         /* its last component: "." and ".." stay */
    for (const char *p = path; *p; p++)
        if (p[0] == '/' && p[1] && p[1] != '/')
            name = p + 1;
    unsigned len = 0;
    while (name[len] && name[len] != '/')
        len++;
    if (dot_name(name, len))
        return dir ? EINVAL : EISDIR;
    struct fs_node *n = fs_lookup(base, path);
    if (!n || n == fs_root())
        return ENOENT;
    if (dir && n->type != FS_DIR)
        return ENOTDIR;
    if (!dir && n->type == FS_DIR)
        return EISDIR;
    if (n->child)
        return ENOTEMPTY;
    node_remove(n);
    return 0;
}

/* Move a node to a new name (replacing a file there, or an empty directory by a directory), as rename(2). */
int fs_rename(struct fs_node *old_base, const char *old_path, struct fs_node *new_base, const char *new_path)
{
    struct fs_node *n = fs_lookup(old_base, old_path), *d;
    if (!n || n == fs_root())
        return ENOENT;
    const char *name;
    unsigned len;
    int err = parent_of(new_base, new_path, &d, &name, &len);
    if (err)
        return err;
    if (len == 0 || dot_name(name, len))
        return EBUSY;
    for (struct fs_node *a = d; a; a = a->parent)
        if (a == n)
            return EINVAL;                           /* a directory into itself */
    struct fs_node *t = child(d, name, len);
    if (t == n)
        return 0;
    if (t) {                                         /* the target goes, as with unlink/rmdir */
        if (t->type == FS_DIR && n->type != FS_DIR)
            return EISDIR;
        if (t->type != FS_DIR && n->type == FS_DIR)
            return ENOTDIR;
        if (t->child)
            return ENOTEMPTY;
        node_remove(t);
    }
    detach(n);
    memset(n->name, 0, sizeof n->name);
    memcpy(n->name, name, len);
    n->parent = d;
    n->next = d->child;
    d->child = n;
    return 0;
}

struct fs_node *fs_open(struct fs_node *base, const char *path, uint64_t flags, uint32_t mode, int *err)
{
    bool writes = flags & FS_O_ACCMODE;
    struct fs_node *n = fs_lookup(base, path);
    *err = 0;
    if (!n && !(flags & FS_O_CREAT))
        *err = ENOENT;
    else if (!n && (flags & FS_O_DIRECTORY))
        *err = EINVAL;                               /* O_CREAT | O_DIRECTORY, as Linux answers */
    else if (!n)
        n = fs_create(base, path, FS_FILE, mode, err);
    else if ((flags & FS_O_CREAT) && (flags & FS_O_EXCL))
        *err = EEXIST;
    else if (n->type == FS_DIR && writes)
        *err = EISDIR;
    else if (n->type != FS_DIR && (flags & FS_O_DIRECTORY))
        *err = ENOTDIR;
    else if ((flags & FS_O_TRUNC) && writes)
        fs_truncate(n);
    if (*err)
        return NULL;
    fs_hold(n);
    return n;
}

int64_t fs_seek(const struct fs_node *n, uint64_t cur, int64_t off, uint64_t whence)
{
    if (whence > 2)
        return -EINVAL;
    int64_t base = whence == 0 ? 0 : whence == 1 ? (int64_t)cur : (int64_t)n->size;
    if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
        return -EINVAL;
    return base + off;
}

bool fs_entry(const struct fs_node *dir, uint64_t index, struct fs_entry *e)
{
    if (index < 2) {
        const struct fs_node *d = index == 1 && dir->parent ? dir->parent : dir;
        *e = (struct fs_entry){ index ? ".." : ".", d->ino, FS_DIR };
        return true;
    }
    const struct fs_node *n = dir->child;
    for (index -= 2; n && index; index--)
        n = n->next;
    if (n)
        *e = (struct fs_entry){ n->name, n->ino, (enum fs_type)n->type };
    return n;
}

void fs_hold(struct fs_node *n)
{
    n->refs++;
}

void fs_release(struct fs_node *n)
{
    if (--n->refs == 0 && n->unlinked)
        node_free(n);
}

/* Every page of its contents back to the pool (size and archive data untouched). */
static void file_pages_free(struct fs_node *n)
{
    if (n->pages) {
        for (unsigned i = 0; i < 512; i++)
            if (n->pages[i])
                fc_page_free(n->pages[i]);
        fc_page_free((uint64_t)n->pages);
        n->pages = NULL;
    }
}

void fs_truncate(struct fs_node *n)
{
    file_pages_free(n);
    n->tar_data = NULL;
    n->size = 0;
}

/* The page holding byte `off` of a file, allocated if `make`; 0 if none. */
static uint64_t page_at(struct fs_node *n, uint64_t off, bool make)
{
    if (!n->pages) {
        if (!make || !(n->pages = (uint64_t *)fc_page_alloc()))
            return 0;
    }
    uint64_t *slot = &n->pages[off / 4096];
    if (!*slot && make)
        *slot = fc_page_alloc();
    return *slot;
}

/* Up to len bytes of a file from off: from its pages, or from the archive until its first write. */
int64_t fs_read(struct fs_node *n, uint64_t off, void *buf, uint64_t len)
{
    if (n->type == FS_DIR)
        return -EISDIR;
    if (off >= n->size)
        return 0;
    if (len > n->size - off)
        len = n->size - off;
    if (n->tar_data) {
        memcpy(buf, n->tar_data + off, len);
        return (int64_t)len;
    }
    uint8_t *b = buf;
    for (uint64_t done = 0; done < len; ) {
        uint64_t o = off + done, chunk = 4096 - (o % 4096);
        if (chunk > len - done)
            chunk = len - done;
        uint64_t page = page_at(n, o, false);
        if (page)
            memcpy(b + done, (const uint8_t *)page + o % 4096, chunk);
        else
            memset(b + done, 0, chunk);              /* a hole */
        done += chunk;
    }
    return (int64_t)len;
}

/* Write len bytes at off, growing the file page by page; the archive's bytes are copied first. */
int64_t fs_write(struct fs_node *n, uint64_t off, const void *buf, uint64_t len)
{
    if (n->type == FS_DIR)
        return -EISDIR;
    if (off > FS_MAX_FILE || len > FS_MAX_FILE - off)
        return -EFBIG;
    if (n->tar_data) {                               /* copy the archive's contents before changing them */
        for (uint64_t o = 0; o < n->size; o += 4096) {
            uint64_t page = page_at(n, o, true);
            if (!page) {
                file_pages_free(n);                       /* out of memory: the file stays as it was */
                return -ENOSPC;
            }
            memcpy((void *)page, n->tar_data + o, n->size - o < 4096 ? n->size - o : 4096);
        }
        n->tar_data = NULL;
    }
    const uint8_t *b = buf;
    for (uint64_t done = 0; done < len; ) {
        uint64_t o = off + done, chunk = 4096 - (o % 4096);
        if (chunk > len - done)
            chunk = len - done;
        uint64_t page = page_at(n, o, true);
        if (!page) {                                 /* out of memory: what was written counts */
            if (done && off + done > n->size)
                n->size = off + done;
            return done ? (int64_t)done : -ENOSPC;
        }
        memcpy((uint8_t *)page + o % 4096, b + done, chunk);
        done += chunk;
    }
    if (off + len > n->size)
        n->size = off + len;
    return (int64_t)len;
}

/* Every entry of the archive becomes a node; directories along its path are made as needed. */
void fs_init(const uint8_t *tar, uint64_t len)
{
    memset(nodes, 0, sizeof nodes);
    nodes[0].type = FS_DIR;
    nodes[0].mode = 0755;
    nodes[0].ino = 1;
    size_t pos = 0;
    struct tar_entry e;
    const char *why;
    while (tar_next(tar, len, &pos, &e, &why) == 1) {
        if (!e.name[0])
            continue;                                /* "./" itself */
        char path[260];
        unsigned n = 0;
        for (const char *s = e.name; *s && n + 1 < sizeof path; s++)
            path[n++] = *s;
        while (n && path[n - 1] == '/')
            n--;
        path[n] = 0;
        /* make the parents, then the entry */
        for (unsigned i = 1; i <= n; i++) {
            if (i < n && path[i] != '/')
                continue;
            char saved = path[i];
            path[i] = 0;
            int err;
            bool is_last = i == n;
            struct fs_node *x = fs_lookup(NULL, path);
            if (!x)
                x = fs_create(NULL, path, is_last && e.type != '5' ? FS_FILE : FS_DIR, is_last && e.type != '5' ? 0644 : 0755, &err);
            if (x && is_last && x->type == FS_FILE) {
                x->tar_data = e.data;
                x->size = e.size;
            }
            path[i] = saved;
        }
    }
}

int fs_path(const struct fs_node *n, char *buf, unsigned cap)
{
    if (!n->parent) {                                /* the root */
        if (cap < 2)
            return -1;
        buf[0] = '/', buf[1] = 0;
        return 1;
    }
    /* Right to left: each component with its '/' in front, then move the result to the start. */
    unsigned at = cap;
    if (!at--)
        return -1;
    buf[at] = 0;
    for (const struct fs_node *c = n; c->parent; c = c->parent) {
        unsigned len = (unsigned)strlen(c->name);
        if (at < len + 1)
            return -1;
        at -= len;
        memcpy(buf + at, c->name, len);
        buf[--at] = '/';
    }
    memmove(buf, buf + at, cap - at);
    return (int)(cap - at - 1);
}
