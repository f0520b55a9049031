// SPDX-License-Identifier: MIT
/* src/fs/fs.c — an in-memory tree of files, directories and symbolic links; archive contents are copied on first change. */
#include <string.h>
#include "fs/fs.h"
#include "fs/pool.h"
#include "fs/tar.h"
#include "facet/mem.h"
#include "facet/hypercall.h"
#include "facet/sleeplock.h"

#define ENOENT 2
#define EPERM 1
#define EEXIST 17
#define ENOTDIR 20
#define EISDIR 21
#define ENOSPC 28
#define ENAMETOOLONG 36
#define ENOTEMPTY 39
#define ELOOP 40
#define EFBIG 27
#define EBUSY 16
#define EINVAL 22

/* Nodes and entries come from the roottask's pages: the tree is bounded by memory only. */
static struct pool node_pool = { (sizeof(struct fs_node) + 15) & ~15UL, NULL };
static struct pool dirent_pool = { (sizeof(struct fs_dirent) + 15) & ~15UL, NULL };
static struct pool target_pool = { FS_PATH_MAX, NULL };
static struct fs_node *root;
static uint64_t next_ino = 1;

struct fs_time fs_now(void)
{
    uint64_t ns = fs_now_ns();
    return (struct fs_time){ (int64_t)(ns / 1000000000), (uint32_t)(ns % 1000000000) };
}

void fs_touch(struct fs_node *n, unsigned which)
{
    struct fs_time t = fs_now();
    if (which & FS_ATIME)
        n->atime = t;
    if (which & FS_MTIME)
        n->mtime = t;
    if (which & FS_CTIME)
        n->ctime = t;
}

static struct fs_node *node_new(enum fs_type type, uint32_t mode)
{
    struct fs_node *n = pool_get(&node_pool);
    if (!n)
        return NULL;
    n->type = (uint8_t)type;
    n->mode = mode;
    n->ino = ++next_ino;
    fs_touch(n, FS_ATIME | FS_MTIME | FS_CTIME);
    return n;
}

static void pages_free(struct fs_node *n);

/* Its contents go, then the node itself. */
static void node_free(struct fs_node *n)
{
    pages_free(n);
    if (n->target)
        pool_put(n->target);
    pool_put(n);
}

/* ---- directory entries ---- */

static struct fs_dirent *entry_find(const struct fs_node *dir, const char *name, unsigned len)
{
    for (struct fs_dirent *e = dir->child; e; e = e->next)
        if (!e->name[len] && !memcmp(e->name, name, len))
            return e;
    return NULL;
}

/* A new entry name -> n in dir (n gains a link; a directory learns its parent); 0 or ENOSPC. */
static int entry_add(struct fs_node *dir, const char *name, unsigned len, struct fs_node *n)
{
    struct fs_dirent *e = pool_get(&dirent_pool);
    if (!e)
        return ENOSPC;
    memcpy(e->name, name, len);
    e->node = n;
    e->next = dir->child;
    dir->child = e;
    n->links++;
    if (n->type == FS_DIR)
        n->parent = dir;
    fs_touch(dir, FS_MTIME | FS_CTIME);
    return 0;
}

/* Out of its directory's list (the entry itself stays). */
static void entry_detach(struct fs_node *dir, struct fs_dirent *e)
{
    struct fs_dirent **p = &dir->child;
    while (*p != e)
        p = &(*p)->next;
    *p = e->next;
    e->next = NULL;
    fs_touch(dir, FS_MTIME | FS_CTIME);
}

/* The entry goes; its node too when that was its last name and nothing holds it open. */
static void entry_remove(struct fs_node *dir, struct fs_dirent *e)
{
    struct fs_node *n = e->node;
    entry_detach(dir, e);
    pool_put(e);
    fs_touch(n, FS_CTIME);
    if (n->type == FS_DIR)
        n->parent = NULL;
    if (--n->links == 0 && !n->refs)
        node_free(n);
}

/* A directory's own entry in its parent. */
static const struct fs_dirent *entry_of(const struct fs_node *dir)
{
    const struct fs_dirent *e = dir->parent->child;
    while (e->node != dir)
        e = e->next;
    return e;
}

struct fs_node *fs_root(void)
{
    return root;
}

/* The file system's lock: its waiters sleep (facet/sleeplock.h says why). */
static struct fc_sleeplock lock;

void fs_lock_init(uint64_t sm, uint64_t tsc_per_ms) { fc_sleeplock_init(&lock, sm, tsc_per_ms); }
void fs_lock(void) { fc_sleeplock_take(&lock); }
void fs_unlock(void) { fc_sleeplock_give(&lock); }

bool fs_ready(void)
{
    return root != NULL;
}

/* ---- walking paths ---- */

/*
 * Where a path leads: the directory of its last component, that component, and what it
 * names there (NULL: nothing yet). buf holds the path as walked: a symbolic link's target
 * replaces the link's component in it, so the walk goes on through the target.
 */
struct walk {
    struct fs_node *dir;
    struct fs_dirent *entry;         /* the last component's entry; NULL for "", "." and ".." */
    struct fs_node *node;
    const char *name;                /* the last component (in buf), len bytes */
    unsigned len;
    bool slash;                      /* a '/' followed it */
    bool via_link;                   /* the last component was a link, followed */
    char buf[2 * FS_PATH_MAX];
};

static bool dot_name(const char *name, unsigned len)
{
    return (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
}

static inline int64_t contents_read(const struct fs_node *n, uint64_t off, void *buf, uint64_t len);

/*
 * Put link n's target in front of rest in w->buf (with a '/' between them if slash); the new
 * start of the path to walk, or NULL if it does not fit.
 */
static char *splice(struct walk *w, const struct fs_node *n, char *rest, bool slash)
{
    if (n->size + slash > (uint64_t)(rest - w->buf))
        return NULL;
    char *start = rest - slash - n->size;
    contents_read(n, 0, start, n->size);
    if (slash)
        rest[-1] = '/';
    return start;
}

/* Walk path from base (absolute: from the root), following links on the way, and the last
 * component's if follow or a '/' follows it; 0 with *w filled, or the errno. */
static int walk(struct fs_node *base, const char *path, bool follow, struct walk *w)
{
    unsigned plen = (unsigned)strlen(path), links = 0;
    if (!plen)
        return ENOENT;
    if (plen >= FS_PATH_MAX)
        return ENAMETOOLONG;
    char *end = w->buf + sizeof w->buf - 1;          /* the path's NUL: splice puts links' targets before it */
    char *p = end - plen;
    memcpy(p, path, plen + 1);
    struct fs_node *d = path[0] == '/' || !base ? root : base;
    if (!d || !d->links)
        return ENOENT;                               /* no tree yet, or a removed working directory */
    w->via_link = false;
    for (;;) {
        while (*p == '/')
            p++;
        char *e = memchr(p, '/', (size_t)(end - p));
        if (!e)
            e = end;
        char *rest = e;
        while (*rest == '/')
            rest++;
        unsigned len = (unsigned)(e - p);
        bool last = !*rest;
        w->dir = d;                                  /* (field by field: buf holds the path) */
        w->entry = NULL;
        w->node = NULL;
        w->name = p;
        w->len = len;
        w->slash = rest != e;
        if (len == 0 || (len == 1 && p[0] == '.'))
            w->node = d;
        else if (dot_name(p, len))
            w->node = d->parent ? d->parent : d;
        else if (len <= FS_NAME_MAX && (w->entry = entry_find(d, p, len)))
            w->node = w->entry->node;
        struct fs_node *n = w->node;
        if (!n)
            return last ? 0 : ENOENT;
        if (n->type == FS_LINK && (!last || follow || w->slash)) {
            if (++links > FS_MAX_LINKS)
                return ELOOP;
            if (!n->size)
                return ENOENT;
            if (!(p = splice(w, n, rest, rest != e)))
                return ENAMETOOLONG;
            if (*p == '/')
                d = root;
            w->via_link = last;
            continue;
        }
        if (last)
            return 0;
        if (n->type != FS_DIR)
            return ENOTDIR;
        d = n;
        p = rest;
    }
}

struct fs_node *fs_find(struct fs_node *base, const char *path, bool follow, int *err)
{
    struct walk w;
    *err = walk(base, path, follow, &w);
    if (!*err && !w.node)
        *err = ENOENT;
    if (!*err && w.slash && w.node->type != FS_DIR)
        *err = ENOTDIR;
    return *err ? NULL : w.node;
}

struct fs_node *fs_lookup(struct fs_node *base, const char *path)
{
    int err;
    return fs_find(base, path, true, &err);
}

/* ---- names made and removed ---- */

/* Whether a walk's last component may become a new name: 0 or the errno. */
static int new_name(const struct walk *w)
{
    if (w->len == 0 || dot_name(w->name, w->len) || w->node)
        return EEXIST;
    if (w->len > FS_NAME_MAX)
        return ENAMETOOLONG;
    return w->dir->links ? 0 : ENOENT;               /* a removed directory takes no names */
}

/* A new node named by the walk's last component; NULL with *err set. */
static struct fs_node *create_at(const struct walk *w, enum fs_type type, uint32_t mode, int *err)
{
    *err = new_name(w);
    if (!*err && type != FS_DIR && w->slash)
        *err = EISDIR;
    if (*err)
        return NULL;
    struct fs_node *n = node_new(type, mode);
    if (n && entry_add(w->dir, w->name, w->len, n)) {
        node_free(n);
        n = NULL;
    }
    *err = n ? 0 : ENOSPC;
    return n;
}

struct fs_node *fs_create(struct fs_node *base, const char *path, enum fs_type type, uint32_t mode, int *err)
{
    struct walk w;
    *err = walk(base, path, false, &w);
    return *err ? NULL : create_at(&w, type, mode, err);
}

/* A link's target is kept in an object of its own (not in pages: most are a few bytes). */
int fs_symlink(const char *target, struct fs_node *base, const char *path)
{
    uint64_t tlen = strlen(target);
    if (!tlen)
        return ENOENT;
    if (tlen >= FS_PATH_MAX)
        return ENAMETOOLONG;
    struct walk w;
    int err = walk(base, path, false, &w);
    err = err ? err : new_name(&w);
    if (err)
        return err;
    struct fs_node *n = node_new(FS_LINK, 0777);
    if (n && (n->target = pool_get(&target_pool))) {
        memcpy(n->target, target, tlen);
        n->size = tlen;
    }
    if (!n || !n->target || entry_add(w.dir, w.name, w.len, n)) {
        if (n)
            node_free(n);
        return ENOSPC;
    }
    return 0;
}

int fs_link(struct fs_node *old_base, const char *old_path, bool follow, struct fs_node *new_base, const char *new_path)
{
    int err;
    struct fs_node *n = fs_find(old_base, old_path, follow, &err);
    if (!n)
        return err;
    if (n->type == FS_DIR)
        return EPERM;
    struct walk w;
    err = walk(new_base, new_path, false, &w);
    err = err ? err : new_name(&w);
    err = err ? err : entry_add(w.dir, w.name, w.len, n);
    if (!err)
        fs_touch(n, FS_CTIME);
    return err;
}

int fs_unlink(struct fs_node *base, const char *path, bool dir)
{
    struct walk w;
    int err = walk(base, path, false, &w);
    if (err)
        return err;
    if (w.len == 0)
        return dir ? EBUSY : EISDIR;                 /* the root */
    if (dot_name(w.name, w.len))
        return dir ? EINVAL : EISDIR;
    struct fs_node *n = w.node;
    if (!n)
        return ENOENT;
    if (w.via_link || (dir && n->type != FS_DIR))
        return ENOTDIR;
    if (!dir && n->type == FS_DIR)
        return EISDIR;
    if (n->child)
        return ENOTEMPTY;
    entry_remove(w.dir, w.entry);
    return 0;
}

/* Move a node to a new name (replacing a file there, or an empty directory by a directory), as rename(2). */
int fs_rename(struct fs_node *old_base, const char *old_path, struct fs_node *new_base, const char *new_path)
{
    struct walk from, to;
    int err = walk(old_base, old_path, false, &from);
    err = err ? err : walk(new_base, new_path, false, &to);
    if (err)
        return err;
    struct fs_node *n = from.node, *t = to.node;
    if (!n)
        return ENOENT;
    if (!from.entry || to.len == 0 || dot_name(to.name, to.len))
        return EBUSY;
    if (from.via_link || to.via_link || ((from.slash || to.slash) && n->type != FS_DIR))
        return ENOTDIR;                              /* "name/" is a directory's name */
    if (!to.dir->links)
        return ENOENT;
    for (struct fs_node *a = to.dir; a; a = a->parent)
        if (a == n)
            return EINVAL;                           /* a directory into itself */
    if (t == n)
        return 0;                                    /* two names of one file: nothing to do */
    if (t && t->type == FS_DIR && n->type != FS_DIR)
        return EISDIR;
    if (t && t->type != FS_DIR && n->type == FS_DIR)
        return ENOTDIR;
    if (t && t->child)
        return ENOTEMPTY;
    if (t)                                           /* the target goes, as with unlink/rmdir */
        entry_remove(to.dir, to.entry);
    struct fs_dirent *e = from.entry;
    entry_detach(from.dir, e);
    memset(e->name, 0, sizeof e->name);
    memcpy(e->name, to.name, to.len);
    e->next = to.dir->child;
    to.dir->child = e;
    if (n->type == FS_DIR)
        n->parent = to.dir;
    fs_touch(to.dir, FS_MTIME | FS_CTIME);
    fs_touch(n, FS_CTIME);
    return 0;
}

/* ---- open files ---- */

struct fs_node *fs_open(struct fs_node *base, const char *path, uint64_t flags, uint32_t mode, int *err)
{
    bool writes = flags & FS_O_ACCMODE, creat = flags & FS_O_CREAT, excl = creat && (flags & FS_O_EXCL);
    struct walk w;
    *err = walk(base, path, !(flags & FS_O_NOFOLLOW) && !excl, &w);
    struct fs_node *n = w.node;
    if (*err)
        return NULL;
    if (!n && !creat)
        *err = ENOENT;
    else if (!n && (flags & FS_O_DIRECTORY))
        *err = EINVAL;                               /* O_CREAT | O_DIRECTORY, as Linux answers */
    else if (!n)
        n = create_at(&w, FS_FILE, mode, err);
    else if (excl)
        *err = EEXIST;
    else if (n->type == FS_LINK)
        *err = ELOOP;                                /* O_NOFOLLOW on a link */
    else if (w.slash && n->type != FS_DIR)
        *err = creat ? EISDIR : ENOTDIR;
    else if (n->type == FS_DIR && (writes || creat))
        *err = EISDIR;
    else if (n->type != FS_DIR && (flags & FS_O_DIRECTORY))
        *err = ENOTDIR;
    else if ((flags & FS_O_TRUNC) && writes) {
        *err = fs_truncate(n, 0);
        fs_touch(n, FS_MTIME | FS_CTIME);            /* even if it was empty, as Linux */
    }
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
    const struct fs_dirent *c = dir->child;
    for (index -= 2; c && index; index--)
        c = c->next;
    if (c)
        *e = (struct fs_entry){ c->name, c->node->ino, (enum fs_type)c->node->type };
    return c;
}

uint32_t fs_nlink(const struct fs_node *n)
{
    if (n->type != FS_DIR || !n->links)
        return n->links;
    uint32_t subdirs = 0;
    for (const struct fs_dirent *e = n->child; e; e = e->next)
        subdirs += e->node->type == FS_DIR;
    return 2 + subdirs;
}

void fs_hold(struct fs_node *n)
{
    n->refs++;
}

void fs_release(struct fs_node *n)
{
    if (--n->refs == 0 && !n->links)
        node_free(n);
}

/* ---- contents: a tree of pages ---- */

/*
 * A file's pages hang off a tree of index pages of 512 entries, `levels` deep; it grows a
 * level on top when the file outgrows it. Holes (entries 0) read as zeroes.
 *
 *   n->pages ─▶ [ index (level 2) ] ─▶ [ index (level 1) ] ─▶ [ 4 KiB of data ]
 *                 512 x 2 MiB            512 x 4 KiB
 */
#define PAGE 4096UL
#define MAX_LEVELS 4

/* Data pages under an index of `levels` levels. */
static uint64_t span(unsigned levels)
{
    return 1UL << (9 * levels);
}

/* The slot of data page pno, index pages made on the way; NULL: out of memory (or past the
 * largest tree). */
static uint64_t *slot_of(struct fs_node *n, uint64_t pno)
{
    while (!n->pages || pno >= span(n->levels)) {
        if (n->levels == MAX_LEVELS)
            return NULL;
        uint64_t *top = (uint64_t *)fc_page_alloc();
        if (!top)
            return NULL;
        top[0] = (uint64_t)n->pages;                 /* the old tree: the new top's first part */
        n->pages = top;
        n->levels++;
    }
    uint64_t *t = n->pages;
    for (unsigned l = n->levels; l > 1; l--) {
        uint64_t *s = &t[(pno >> (9 * (l - 1))) & 511];
        if (!*s && !(*s = fc_page_alloc()))
            return NULL;
        t = (uint64_t *)*s;
    }
    return &t[pno & 511];
}

/* The data page holding byte off; 0 if none. A lookup that makes nothing, for every read and
 * write (page_make makes what is missing). */
static uint64_t page_find(const struct fs_node *n, uint64_t off)
{
    uint64_t pno = off / PAGE, *t = n->pages;
    if (!t || pno >= span(n->levels))
        return 0;
    for (unsigned l = n->levels; l > 1 && t; l--)
        t = (uint64_t *)t[(pno >> (9 * (l - 1))) & 511];
    return t ? t[pno & 511] : 0;
}

/* The data page holding byte off, made (with its index pages) if missing; 0: out of memory. */
static uint64_t page_make(struct fs_node *n, uint64_t off)
{
    uint64_t *s = slot_of(n, off / PAGE);
    if (s && !*s && (*s = fc_page_alloc()))
        n->data_pages++;
    return s ? *s : 0;
}

/* n's data pages from page `from` on go, and index pages left with nothing under them (t: an
 * index of level l whose first page is base). */
static void trim(struct fs_node *n, uint64_t *t, unsigned l, uint64_t base, uint64_t from)
{
    uint64_t each = span(l - 1);
    for (unsigned i = 0; i < 512; i++) {
        uint64_t start = base + i * each;
        if (!t[i] || start + each <= from)
            continue;
        if (l > 1)
            trim(n, (uint64_t *)t[i], l - 1, start, from);
        if (start >= from) {
            fc_page_free(t[i]);
            t[i] = 0;
            n->data_pages -= l == 1;
        }
    }
}

/* Every page of its contents back to the pool (size and archive data untouched). */
static void pages_free(struct fs_node *n)
{
    if (n->pages) {
        trim(n, n->pages, n->levels, 0, 0);
        fc_page_free((uint64_t)n->pages);
    }
    n->pages = NULL;
    n->levels = 0;
}

static inline __attribute__((always_inline)) int64_t contents_read(const struct fs_node *n, uint64_t off, void *buf,
                                                                    uint64_t len)
{
    if (off >= n->size)
        return 0;
    if (len > n->size - off)
        len = n->size - off;
    if (n->tar_data || n->target) {
        memcpy(buf, (n->tar_data ? n->tar_data : (const uint8_t *)n->target) + off, len);
        return (int64_t)len;
    }
    uint8_t *b = buf;
    for (uint64_t done = 0; done < len; ) {
        uint64_t o = off + done, chunk = PAGE - (o % PAGE);
        if (chunk > len - done)
            chunk = len - done;
        uint64_t page = page_find(n, o);
        if (page)
            memcpy(b + done, (const uint8_t *)page + o % PAGE, chunk);
        else
            memset(b + done, 0, chunk);              /* a hole */
        done += chunk;
    }
    return (int64_t)len;
}

static bool time_after(struct fs_time a, struct fs_time b)
{
    return a.sec > b.sec || (a.sec == b.sec && a.nsec > b.nsec);
}

/* Up to len bytes of a file from off: from its pages, or from the archive until its first change.
 * The access time moves as with Linux's relatime: when it is older than the last change, or a day old. */
int64_t fs_read(struct fs_node *n, uint64_t off, void *buf, uint64_t len)
{
    if (n->type == FS_DIR)
        return -EISDIR;
    int64_t r = contents_read(n, off, buf, len);
    if (r > 0 && (!time_after(n->atime, n->mtime) || !time_after(n->atime, n->ctime) ||
                  fs_now().sec - n->atime.sec >= 86400))
        fs_touch(n, FS_ATIME);
    return r;
}

/* The archive's bytes into pages of the file's own, before they change; 0 or ENOSPC (then as it was). */
static int unshare(struct fs_node *n)
{
    if (!n->tar_data)
        return 0;
    for (uint64_t o = 0; o < n->size; o += PAGE) {
        uint64_t page = page_make(n, o);
        if (!page) {
            pages_free(n);
            return ENOSPC;
        }
        memcpy((void *)page, n->tar_data + o, n->size - o < PAGE ? n->size - o : PAGE);
    }
    n->tar_data = NULL;
    return 0;
}

/* Write len bytes at off, growing the file page by page; what was written, or -errno. */
static int64_t contents_write(struct fs_node *n, uint64_t off, const void *buf, uint64_t len)
{
    if (off > FS_MAX_FILE || len > FS_MAX_FILE - off)
        return -EFBIG;
    if (unshare(n))
        return -ENOSPC;
    const uint8_t *b = buf;
    for (uint64_t done = 0; done < len; ) {
        uint64_t o = off + done, chunk = PAGE - (o % PAGE);
        if (chunk > len - done)
            chunk = len - done;
        uint64_t page = page_find(n, o);
        if (!page && !(page = page_make(n, o))) {     /* out of memory: what was written counts */
            if (done && off + done > n->size)
                n->size = off + done;
            return done ? (int64_t)done : -ENOSPC;
        }
        memcpy((uint8_t *)page + o % PAGE, b + done, chunk);
        done += chunk;
    }
    if (off + len > n->size)
        n->size = off + len;
    return (int64_t)len;
}

/* A write changes the modification and status-change times (none when nothing was written). */
int64_t fs_write(struct fs_node *n, uint64_t off, const void *buf, uint64_t len)
{
    if (n->type == FS_DIR)
        return -EISDIR;
    if (!len)
        return 0;
    int64_t r = contents_write(n, off, buf, len);
    if (r > 0)
        fs_touch(n, FS_MTIME | FS_CTIME);
    return r;
}

int fs_truncate(struct fs_node *n, uint64_t size)
{
    if (n->type == FS_DIR)
        return EISDIR;
    if (n->type != FS_FILE)
        return EINVAL;
    if (size > FS_MAX_FILE)
        return EFBIG;
    if (size == n->size)
        return 0;
    if (size > n->size && unshare(n))                /* shrinking keeps the archive's bytes */
        return ENOSPC;
    if (size < n->size && n->pages) {
        trim(n, n->pages, n->levels, 0, (size + PAGE - 1) / PAGE);
        uint64_t page = size % PAGE ? page_find(n, size) : 0;
        if (page)                                    /* a later growth reads zeroes there */
            memset((uint8_t *)page + size % PAGE, 0, PAGE - size % PAGE);
        if (!size)
            pages_free(n);
    }
    if (!size)
        n->tar_data = NULL;
    n->size = size;
    fs_touch(n, FS_MTIME | FS_CTIME);
    return 0;
}

/* ---- the archive ---- */

/* The directory at path (made, with its parents, as needed); NULL if there is no room. */
static struct fs_node *archive_dir(char *path)
{
    struct fs_node *d = root;
    for (char *p = path; *p; ) {
        char *e = p;
        while (*e && *e != '/')
            e++;
        char saved = *e;
        *e = 0;
        int err;
        struct fs_node *n = fs_find(d, p, true, &err);
        if (!n)
            n = fs_create(d, p, FS_DIR, 0755, &err);
        *e = saved;
        if (!n || n->type != FS_DIR)
            return NULL;
        d = n;
        p = *e ? e + 1 : e;
    }
    return d;
}

/* One entry of the archive as a node: its mode, owner and time from the header; the contents
 * of a file (a symbolic link's target) stay in the archive. */
static void archive_entry(const struct tar_entry *e)
{
    char path[sizeof e->name];
    memcpy(path, e->name, sizeof path);
    unsigned len = (unsigned)strlen(path);
    while (len && path[len - 1] == '/')
        path[--len] = 0;
    char *slash = strrchr(path, '/'), *name = slash ? slash + 1 : path;
    if (slash)
        *slash = 0;
    struct fs_node *d = slash ? archive_dir(path) : root, *n = NULL;
    if (!d || !name[0])
        return;
    int err;
    if (e->type == '5') {
        n = fs_find(d, name, false, &err);
        n = n ? n : fs_create(d, name, FS_DIR, 0, &err);
    } else if (e->type == '1') {                     /* a hard link: another name of a file before it */
        char target[sizeof e->name];
        memcpy(target, e->link, e->link_len);
        target[e->link_len] = 0;
        struct fs_node *t = fs_find(root, target, false, &err);
        struct walk w;
        if (t && t->type == FS_FILE && !walk(d, name, false, &w) && !new_name(&w))
            entry_add(d, name, (unsigned)strlen(name), t);
        return;
    } else if (e->type == '0' || e->type == '7' || e->type == '2') {
        n = fs_create(d, name, e->type == '2' ? FS_LINK : FS_FILE, 0, &err);
        if (n) {
            n->tar_data = e->type == '2' ? (const uint8_t *)e->link : e->data;
            n->size = e->type == '2' ? e->link_len : e->size;
        }
    }
    if (!n)
        return;
    n->mode = n->type == FS_LINK ? 0777 : e->mode & 07777;
    n->uid = e->uid;
    n->gid = e->gid;
    n->atime = n->mtime = n->ctime = (struct fs_time){ e->mtime, 0 };
}

/* Every entry of the archive becomes a node; directories along its path are made as needed. */
void fs_init(const uint8_t *tar, uint64_t len)
{
    root = node_new(FS_DIR, 0755);
    if (!root)
        return;
    root->ino = 1;
    root->links = 1;                                 /* never removed */
    size_t pos = 0;
    struct tar_entry e;
    const char *why;
    while (tar_next(tar, len, &pos, &e, &why) == 1)
        if (e.name[0])                               /* not "./" itself */
            archive_entry(&e);
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
        const char *name = entry_of(c)->name;
        unsigned len = (unsigned)strlen(name);
        if (at < len + 1)
            return -1;
        at -= len;
        memcpy(buf + at, name, len);
        buf[--at] = '/';
    }
    memmove(buf, buf + at, cap - at);
    return (int)(cap - at - 1);
}

int fs_realpath(struct fs_node *base, const char *path, char *buf, unsigned cap)
{
    struct walk w;
    int err = walk(base, path, true, &w), len;
    if (!err && !w.node)
        err = ENOENT;
    if (err)
        return -err;
    if (w.node->type == FS_DIR)
        return (len = fs_path(w.node, buf, cap)) < 0 ? -ENAMETOOLONG : len;
    len = fs_path(w.dir, buf, cap);                  /* its directory, then its name */
    if (len < 0 || (unsigned)len + 1 + w.len + 1 > cap)
        return -ENAMETOOLONG;
    if (len > 1)
        buf[len++] = '/';
    memcpy(buf + len, w.name, w.len);
    len += (int)w.len;
    buf[len] = 0;
    return len;
}
