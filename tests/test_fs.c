/* SPDX-License-Identifier: MIT */
/* tests/test_fs.c — the in-memory file system on the host: links, the archive's links, page trees, running out of pages. */
#include "roottask/src/fs/fs.c"
#include "roottask/src/fs/pool.c"
#include "roottask/src/fs/tar.c"
#include "unit.h"
#include "fs_stubs.h"
#include "ar.h"

/* A new tree from the archive (NULL: an empty one); the old one and its pages gone. */
static void fresh(const uint8_t *tar, size_t len)
{
    if (root)
        tree_free(root);
    root = NULL;
    pages_left = -1;
    fs_init(tar, len);
}

static int put(const char *path, const char *text)
{
    int err;
    struct fs_node *n = fs_open(NULL, path, FS_O_CREAT | FS_O_TRUNC | 1, 0644, &err);
    if (!n)
        return err;
    int64_t r = fs_write(n, 0, text, strlen(text));
    fs_release(n);
    return r < 0 ? (int)-r : 0;
}

/* A file's text through path (links followed), or "<errno N>". */
static const char *text(const char *path)
{
    static char buf[128];
    int err;
    struct fs_node *n = fs_find(NULL, path, true, &err);
    if (!n) {
        snprintf(buf, sizeof buf, "<errno %d>", err);
        return buf;
    }
    int64_t r = fs_read(n, 0, buf, sizeof buf - 1);
    buf[r > 0 ? r : 0] = 0;
    return buf;
}

TEST(links_resolve_against_their_directory_or_the_root)
{
    fresh(NULL, 0);
    int err;
    CHECK(fs_create(NULL, "/d", FS_DIR, 0755, &err));
    CHECK(fs_create(NULL, "/d/e", FS_DIR, 0755, &err));
    CHECK_EQ(put("/d/f", "in d"), 0);
    CHECK_EQ(fs_symlink("../f", NULL, "/d/e/up"), 0);
    CHECK_EQ(fs_symlink("/d/f", NULL, "/abs"), 0);
    CHECK_EQ(fs_symlink("d/e", NULL, "/de"), 0);
    CHECK_STR(text("/d/e/up"), "in d");
    CHECK_STR(text("/abs"), "in d");
    CHECK_STR(text("/de/up"), "in d");                   /* a link on the way, then one at the end */
    CHECK_STR(text("/de/../f"), "in d");                 /* ".." of the directory the link led to */
    struct fs_node *l = fs_find(NULL, "/abs", false, &err);
    CHECK(l && l->type == FS_LINK && l->size == 4);
    CHECK_EQ(fs_find(NULL, "/abs/x", true, &err) == NULL, 1);
    CHECK_EQ(err, ENOTDIR);
    CHECK_EQ(fs_unlink(NULL, "/abs", false), 0);         /* the link goes, not the file */
    CHECK_STR(text("/d/f"), "in d");
    CHECK_EQ(fs_unlink(NULL, "/de/", true), ENOTDIR);    /* rmdir through a link: not its target */
    CHECK(fs_lookup(NULL, "/d/e"));
}

TEST(realpath_resolves_every_link)
{
    fresh(NULL, 0);
    int err;
    char buf[64];
    CHECK(fs_create(NULL, "/d", FS_DIR, 0755, &err));
    CHECK_EQ(put("/d/prog", "x"), 0);
    CHECK_EQ(fs_symlink("d/prog", NULL, "/p"), 0);
    CHECK_EQ(fs_symlink("/d", NULL, "/dl"), 0);
    CHECK_EQ(fs_realpath(NULL, "p", buf, sizeof buf), 7);
    CHECK_STR(buf, "/d/prog");
    CHECK_EQ(fs_realpath(fs_lookup(NULL, "/d"), "../dl/./prog", buf, sizeof buf), 7);
    CHECK_STR(buf, "/d/prog");
    CHECK_EQ(fs_realpath(NULL, "/dl", buf, sizeof buf), 2);
    CHECK_STR(buf, "/d");
    CHECK_EQ(fs_realpath(NULL, "/", buf, sizeof buf), 1);
    CHECK_STR(buf, "/");
    CHECK_EQ(fs_realpath(NULL, "/nothing", buf, sizeof buf), -ENOENT);
    CHECK_EQ(fs_realpath(NULL, "p", buf, 7), -ENAMETOOLONG);
}

TEST(forty_links_are_followed_and_the_forty_first_is_eloop)
{
    fresh(NULL, 0);
    CHECK_EQ(put("/c0", "end"), 0);
    char name[16], to[16];
    for (int i = 1; i <= 41; i++) {
        snprintf(name, sizeof name, "/c%d", i);
        snprintf(to, sizeof to, "c%d", i - 1);
        CHECK_EQ(fs_symlink(to, NULL, name), 0);
    }
    CHECK_STR(text("/c40"), "end");
    CHECK_STR(text("/c41"), "<errno 40>");
    CHECK_EQ(fs_symlink("b", NULL, "/a"), 0);
    CHECK_EQ(fs_symlink("a", NULL, "/b"), 0);
    CHECK_STR(text("/a"), "<errno 40>");
}

TEST(open_follows_a_dangling_link_to_create_unless_excl_or_nofollow)
{
    fresh(NULL, 0);
    int err;
    CHECK_EQ(fs_symlink("made", NULL, "/l"), 0);
    CHECK(!fs_open(NULL, "/l", FS_O_CREAT | FS_O_EXCL | 1, 0644, &err));
    CHECK_EQ(err, EEXIST);
    CHECK(!fs_open(NULL, "/l", FS_O_NOFOLLOW | FS_O_CREAT, 0, &err));
    CHECK_EQ(err, ELOOP);                                /* the link is there, dangling or not */
    struct fs_node *n = fs_open(NULL, "/l", FS_O_CREAT | 1, 0600, &err);
    CHECK(n && n == fs_lookup(NULL, "/made"));
    fs_release(n);
    n = fs_open(NULL, "/made", FS_O_NOFOLLOW, 0, &err);  /* not a link: it opens */
    CHECK(n);
    fs_release(n);
    CHECK_EQ(fs_symlink("", NULL, "/e"), ENOENT);
    CHECK_EQ(fs_symlink("x", NULL, "/made"), EEXIST);
}

TEST(hard_links_share_one_node_until_the_last_name_and_descriptor_go)
{
    fresh(NULL, 0);
    long before = pages_out;
    CHECK_EQ(put("/a", "shared"), 0);
    CHECK_EQ(fs_link(NULL, "/a", false, NULL, "/b"), 0);
    struct fs_node *n = fs_lookup(NULL, "/a");
    CHECK(n == fs_lookup(NULL, "/b"));
    CHECK_EQ(fs_nlink(n), 2);
    CHECK_EQ(fs_link(NULL, "/a", false, NULL, "/b"), EEXIST);
    CHECK_EQ(fs_link(NULL, "/", false, NULL, "/c"), EPERM);
    CHECK_EQ(fs_rename(NULL, "/a", NULL, "/b"), 0);      /* two names of one file: both stay */
    CHECK_EQ(fs_rename(NULL, "/a", NULL, "/new/"), ENOTDIR);
    CHECK(fs_lookup(NULL, "/a") && fs_lookup(NULL, "/b"));
    int err;
    struct fs_node *held = fs_open(NULL, "/b", 0, 0, &err);
    CHECK_EQ(fs_unlink(NULL, "/a", false), 0);
    CHECK_EQ(fs_nlink(n), 1);
    CHECK_EQ(fs_unlink(NULL, "/b", false), 0);
    CHECK_EQ(fs_nlink(n), 0);
    char buf[8] = { 0 };
    CHECK_EQ(fs_read(held, 0, buf, 6), 6);               /* open: still readable */
    CHECK_STR(buf, "shared");
    fs_release(held);
    CHECK_EQ(pages_out, before);
}

TEST(archive_links_share_the_archive_bytes)
{
    static struct ar a;
    ar_init(&a);
    ar_add(&a, "", "bin/", '5', NULL, 0);
    size_t f = ar_file(&a, "bin/tool", "#!tool");
    put_octal(a.b + f + 100, 8, 0750);
    put_octal(a.b + f + 108, 8, 7);
    put_octal(a.b + f + 136, 12, 1234567890);
    hdr_sum(a.b + f);
    size_t s = ar_link(&a, "bin/sh", '2', "tool");
    ar_link(&a, "sbin/tool2", '1', "bin/tool");          /* its directory is not in the archive */
    ar_end(&a);
    fresh(a.b, a.len);
    struct fs_node *t = fs_lookup(NULL, "/bin/tool");
    CHECK(t && t->tar_data == a.b + f + 512);            /* no copy */
    CHECK_EQ(t->mode, 0750);
    CHECK_EQ(t->uid, 7);
    CHECK_EQ(t->mtime.sec, 1234567890);
    CHECK(fs_lookup(NULL, "/bin/sh") == t);
    int err;
    struct fs_node *l = fs_find(NULL, "/bin/sh", false, &err);
    CHECK(l && l->type == FS_LINK && l->tar_data == a.b + s + 157 && l->size == 4);
    CHECK(fs_lookup(NULL, "/sbin/tool2") == t);
    CHECK_EQ(fs_nlink(t), 2);
    CHECK_EQ(put("/sbin/tool2", "new"), 0);              /* a change: now the node's own pages */
    CHECK(!t->tar_data);
    CHECK_STR(text("/bin/tool"), "new");
    CHECK_STR((const char *)a.b + f + 512, "#!tool");    /* the archive as it was */
}

TEST(files_grow_past_2_mib_and_every_page_comes_back)
{
    fresh(NULL, 0);
    long before = pages_out;
    CHECK_EQ(put("/big", ""), 0);
    struct fs_node *n = fs_lookup(NULL, "/big");
    uint64_t far = (1UL << 30) + 5;                      /* three levels of index pages */
    CHECK_EQ(fs_write(n, far, "xyz", 3), 3);
    CHECK_EQ(n->levels, 3);
    CHECK_EQ(n->data_pages, 1);                          /* holes take none */
    CHECK_EQ(n->size, far + 3);
    char buf[4] = { 1, 1, 1, 1 };
    CHECK_EQ(fs_read(n, 4096 * 1000, buf, 4), 4);        /* a hole */
    CHECK(!buf[0] && !buf[3]);
    CHECK_EQ(fs_read(n, far, buf, 4), 3);
    CHECK(!memcmp(buf, "xyz", 3));
    CHECK_EQ(fs_truncate(n, far + 1), 0);                /* shrink: "x" stays, the rest is zero on growth */
    CHECK_EQ(fs_truncate(n, far + 3), 0);
    CHECK_EQ(fs_read(n, far, buf, 3), 3);
    CHECK(buf[0] == 'x' && !buf[1] && !buf[2]);
    CHECK_EQ(fs_truncate(n, 10), 0);
    CHECK(n->pages);                                     /* the index is left, its data pages gone */
    CHECK_EQ(n->data_pages, 0);
    CHECK_EQ(fs_truncate(n, 0), 0);
    CHECK(!n->pages);
    CHECK_EQ(fs_write(n, FS_MAX_FILE, "x", 1), -EFBIG);
    CHECK_EQ(fs_truncate(n, FS_MAX_FILE + 1), EFBIG);
    CHECK_EQ(fs_unlink(NULL, "/big", false), 0);
    CHECK_EQ(pages_out, before);
}

TEST(out_of_pages_is_enospc_and_nothing_leaks)
{
    fresh(NULL, 0);
    long before = pages_out;
    int err;
    pages_left = 0;
    CHECK(!fs_create(NULL, "/x", FS_FILE, 0644, &err));  /* no page for its entry */
    CHECK_EQ(err, ENOSPC);
    CHECK_EQ(fs_symlink("t", NULL, "/l"), ENOSPC);
    CHECK_EQ(pages_out, before);
    pages_left = -1;
    CHECK_EQ(put("/f", ""), 0);
    struct fs_node *n = fs_lookup(NULL, "/f");
    static char data[3 * 4096];
    pages_left = 2;                                      /* the index and one data page */
    CHECK_EQ(fs_write(n, 0, data, sizeof data), 4096);   /* what fitted counts */
    CHECK_EQ(n->size, 4096);
    CHECK_EQ(fs_write(n, 8192, data, 1), -ENOSPC);
    pages_left = -1;
    CHECK_EQ(fs_unlink(NULL, "/f", false), 0);
    CHECK_EQ(pages_out, before);
}

TEST(thousands_of_names_then_every_page_back)
{
    fresh(NULL, 0);
    long before = pages_out;
    char name[32];
    int err;
    for (int i = 0; i < 3000; i++) {
        snprintf(name, sizeof name, "/n%d", i);
        CHECK(i % 3 ? fs_create(NULL, name, FS_FILE, 0644, &err) != NULL : fs_symlink("n1", NULL, name) == 0);
    }
    CHECK(pages_out > before + 50);
    for (int i = 0; i < 3000; i++) {
        snprintf(name, sizeof name, "/n%d", i);
        CHECK_EQ(fs_unlink(NULL, name, false), 0);
    }
    CHECK_EQ(pages_out, before);
}

TEST(times_move_as_linux_moves_them)
{
    fresh(NULL, 0);
    CHECK_EQ(put("/f", ""), 0);
    struct fs_node *n = fs_lookup(NULL, "/f"), *r = fs_root();
    struct fs_time m = n->mtime, c = n->ctime, a = n->atime, dm = r->mtime;
    CHECK_EQ(fs_write(n, 0, "", 0), 0);                  /* nothing written: nothing changes */
    CHECK_EQ(n->mtime.sec, m.sec);
    CHECK_EQ(fs_write(n, 0, "x", 1), 1);
    CHECK(n->mtime.sec > m.sec && n->ctime.sec > c.sec && n->atime.sec == a.sec);
    m = n->mtime;
    char b;
    CHECK_EQ(fs_read(n, 0, &b, 1), 1);                   /* relatime: older than the change, so it moves */
    CHECK(n->atime.sec > m.sec);
    a = n->atime;
    CHECK_EQ(fs_read(n, 0, &b, 1), 1);
    CHECK_EQ(n->atime.sec, a.sec);                       /* newer than the change: it stays */
    c = n->ctime;
    CHECK_EQ(fs_link(NULL, "/f", false, NULL, "/g"), 0);
    CHECK(n->ctime.sec > c.sec && n->mtime.sec == m.sec);
    CHECK(r->mtime.sec > dm.sec);                        /* the directory changed */
}

/* Everything under dir removed, as a program would: links as links, directories emptied first. */
static void remove_below(const char *dir)
{
    struct fs_node *d = fs_lookup(NULL, dir);
    while (d && d->child) {
        char path[128];
        snprintf(path, sizeof path, "%s/%s", dir, d->child->name);
        if (d->child->node->type == FS_DIR) {
            remove_below(path);
            CHECK_EQ(fs_unlink(NULL, path, true), 0);
        } else {
            CHECK_EQ(fs_unlink(NULL, path, false), 0);
        }
    }
}

/* Random operations on a handful of names (links among them, held files); once all is removed,
 * every page is back. */
TEST(random_operations_leave_no_page_behind)
{
    fresh(NULL, 0);
    int err;
    CHECK(fs_create(NULL, "/z", FS_DIR, 0755, &err));
    long before = pages_out;
    static const char *const names[] = { "/z/a", "/z/b", "/z/d", "/z/d/a", "/z/d/d", "/z/l", "/z/d/l" };
    static const char *const targets[] = { "a", "d", ".", "d/a", "/z/b", "l", "nowhere" };   /* none leads out of /z */
    struct fs_node *held[4] = { 0 };
    static char data[3 * 4096];
    unit_rng = 0x5eed;
    for (int i = 0; i < 20000; i++) {
        const char *p = names[unit_rng_next() % 7], *q = names[unit_rng_next() % 7];
        uint64_t r = unit_rng_next(), off = r >> 20 & 0x7fffff;
        unsigned h = (unsigned)(r >> 8) % 4;
        struct fs_node *n = fs_open(NULL, p, (r & 1 ? FS_O_NOFOLLOW : 0) | 1, 0644, &err);
        switch (r % 9) {
        case 0: fs_create(NULL, p, r & 16 ? FS_DIR : FS_FILE, 0755, &err); break;
        case 1: fs_symlink(targets[(r >> 4) % 7], NULL, p); break;
        case 2: fs_link(NULL, p, r & 16, NULL, q); break;
        case 3: fs_unlink(NULL, p, r & 16); break;
        case 4: fs_rename(NULL, p, NULL, q); break;
        case 5: if (n) fs_write(n, off, data, (r >> 4) % sizeof data); break;
        case 6: if (n) fs_truncate(n, off); break;
        case 7: {                                    /* made through a dangling link too */
            struct fs_node *c = fs_open(NULL, p, FS_O_CREAT | 1, 0644, &err);
            if (c)
                fs_release(c);
            break;
        }
        default:                                     /* hold it open for a while */
            if (held[h])
                fs_release(held[h]);
            held[h] = n;
            n = NULL;
        }
        if (n)
            fs_release(n);
    }
    for (unsigned h = 0; h < 4; h++)
        if (held[h])
            fs_release(held[h]);
    remove_below("/z");
    CHECK_EQ(pages_out, before);
}

int main(void)
{
    return unit_run();
}
