/* SPDX-License-Identifier: MIT */
/* tests/test_fs_service.c — the file service's request checks, over the real in-memory file system. */
#include "roottask/src/services/fs_service.c"
#include "roottask/src/fs/fs.c"
#include "roottask/src/fs/pool.c"
#include "roottask/src/fs/tar.c"
#include "unit.h"
#include "fs_stubs.h"

static struct utcb u;

/* No descriptors, no files: a file system that never was (ready = false) or an empty one. */
static void fresh(bool ready)
{
    for (unsigned c = 0; c < FS_SERVICE_CLIENTS; c++)
        fs_service_release(c);
    if (root)
        tree_free(root);
    root = NULL;
    if (ready)
        fs_init(NULL, 0);
    memset(&u, 0, sizeof u);
}

/* Send the n words already in u.mr as client c; the result word. */
static int64_t ask(uint64_t c, unsigned n)
{
    u.head.items = UTCB_ITEMS(n, 0);
    fs_service_handler(c, &u);
    return (int64_t)u.mr[0];
}

static int64_t ask_path(uint64_t c, uint64_t op, uint64_t arg, const char *path)
{
    size_t len = strlen(path);
    u.mr[0] = op;
    u.mr[1] = arg;
    u.mr[FILE_ARG_PATH + len / 8] = 0;
    memcpy(&u.mr[FILE_ARG_PATH], path, len);
    return ask(c, FILE_ARG_PATH + (unsigned)(len / 8) + 1);
}

static int64_t ask_fd(uint64_t c, uint64_t op, uint64_t fd, uint64_t a, uint64_t b, unsigned n)
{
    u.mr[0] = op;
    u.mr[1] = fd;
    u.mr[2] = a;
    u.mr[3] = b;
    return ask(c, n);
}

static int64_t write_str(uint64_t c, uint64_t fd, const char *s)
{
    size_t len = strlen(s);
    u.mr[0] = FILE_OP_WRITE;
    u.mr[1] = fd;
    u.mr[2] = len;
    memcpy(&u.mr[3], s, len);
    return ask(c, 3 + (unsigned)((len + 7) / 8));
}

TEST(every_request_is_enodev_before_fs_init)
{
    fresh(false);
    for (uint64_t op = 0; op <= FILE_OP_COUNT + 1; op++) {
        memset(&u, 0, sizeof u);
        u.mr[0] = op;
        CHECK_EQ(ask(0, 4), -FILE_ENODEV);
        CHECK_EQ(UTCB_UNTYPED(u.head.items), 1);
    }
    CHECK_EQ(ask(99, 0), -FILE_ENODEV);
    CHECK_EQ(ask_path(0, FILE_OP_OPEN, FILE_O_CREAT | FILE_O_RDWR, "x"), -FILE_ENODEV);
}

TEST(unknown_operations_and_clients)
{
    fresh(true);
    u.mr[0] = 0;
    CHECK_EQ(ask(0, 1), -FILE_ENOSYS);
    u.mr[0] = FILE_OP_COUNT;
    CHECK_EQ(ask(0, 1), -FILE_ENOSYS);
    u.mr[0] = ~0ULL;
    CHECK_EQ(ask(0, 1), -FILE_ENOSYS);
    CHECK_EQ(ask(0, 0), -FILE_EINVAL);                   /* no words at all */
    CHECK_EQ(ask_path(FS_SERVICE_CLIENTS, FILE_OP_OPEN, 0, "/"), -FILE_EINVAL);
    CHECK_EQ(ask_path(0, FILE_OP_OPEN, 0, "/"), 0);
    u.head.items = UTCB_ITEMS(2, 1);                     /* a typed item: refused */
    u.mr[0] = FILE_OP_CLOSE;
    u.mr[1] = 0;
    fs_service_handler(0, &u);
    CHECK_EQ((int64_t)u.mr[0], -FILE_EINVAL);
}

TEST(too_few_words_for_the_operation)
{
    fresh(true);
    CHECK_EQ(ask_path(0, FILE_OP_OPEN, FILE_O_CREAT | FILE_O_RDWR, "f"), 0);
    static const unsigned need[FILE_OP_COUNT] = {
        [FILE_OP_OPEN] = 3, [FILE_OP_CLOSE] = 2, [FILE_OP_READ] = 3, [FILE_OP_WRITE] = 3,
        [FILE_OP_LSEEK] = 4, [FILE_OP_FSTAT] = 2, [FILE_OP_UNLINK] = 3, [FILE_OP_MKDIR] = 3,
        [FILE_OP_RMDIR] = 3, [FILE_OP_GETDENTS] = 2,
    };
    for (unsigned op = FILE_OP_OPEN; op < FILE_OP_COUNT; op++) {
        u.mr[0] = op;
        u.mr[1] = 0;                                     /* descriptor 0 is open */
        u.mr[2] = 0;
        CHECK_EQ(ask(0, need[op] - 1), -FILE_EINVAL);
    }
}

TEST(a_path_must_end_inside_the_words_sent)
{
    fresh(true);
    CHECK_EQ(ask_path(0, FILE_OP_MKDIR, 0755, "d"), 0);
    u.mr[0] = FILE_OP_OPEN;
    u.mr[1] = FILE_O_RDONLY;
    memcpy(&u.mr[2], "abcdefgh", 8);                     /* no NUL in the one path word ... */
    u.mr[3] = 0;                                         /* ... the one after it is not sent */
    CHECK_EQ(ask(0, 3), -FILE_EINVAL);
    u.mr[0] = FILE_OP_OPEN;                              /* (the reply overwrote them) */
    u.mr[1] = FILE_O_RDONLY;
    memcpy(&u.mr[2], "d\0cdefgh", 8);
    CHECK_EQ(ask(0, 3), 0);                              /* the NUL may sit anywhere in it */
}

TEST(a_path_of_path_max_bytes_is_too_long)
{
    fresh(true);
    char path[FILE_PATH_MAX + 50];
    memset(path, 'a', sizeof path);
    path[FILE_PATH_MAX - 1] = 0;                         /* 255 bytes and the NUL: fits */
    CHECK_EQ(ask_path(0, FILE_OP_OPEN, 0, path), -FILE_ENOENT);
    path[FILE_PATH_MAX - 1] = 'a';
    path[FILE_PATH_MAX] = 0;                             /* 256 bytes */
    CHECK_EQ(ask_path(0, FILE_OP_OPEN, 0, path), -FILE_ENAMETOOLONG);
    path[sizeof path - 1] = 0;
    CHECK_EQ(ask_path(0, FILE_OP_UNLINK, 0, path), -FILE_ENAMETOOLONG);
    CHECK_EQ(ask_path(0, FILE_OP_OPEN, 0, ""), -FILE_ENOENT);
}

TEST(descriptors_out_of_range_closed_or_someone_elses)
{
    fresh(true);
    CHECK_EQ(ask_path(1, FILE_OP_OPEN, FILE_O_CREAT | FILE_O_RDWR, "mine"), 0);
    const uint64_t bad[] = { 0 /* client 2 has none */, FILE_MAX_FDS, (uint64_t)-1, 1ULL << 32 };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
        for (unsigned op = FILE_OP_CLOSE; op <= FILE_OP_GETDENTS; op++) {
            if (op == FILE_OP_UNLINK || op == FILE_OP_MKDIR || op == FILE_OP_RMDIR)
                continue;
            CHECK_EQ(ask_fd(2, op, bad[i], 0, 0, 4), -FILE_EBADF);
        }
    CHECK_EQ(ask_fd(1, FILE_OP_CLOSE, 0, 0, 0, 2), 0);
    CHECK_EQ(ask_fd(1, FILE_OP_CLOSE, 0, 0, 0, 2), -FILE_EBADF);
}

TEST(open_flags_are_checked)
{
    fresh(true);
    CHECK_EQ(ask_path(0, FILE_OP_OPEN, 0x80000, "f"), -FILE_EINVAL);
    CHECK_EQ(ask_path(0, FILE_OP_OPEN, FILE_O_ACCMODE, "f"), -FILE_EINVAL);
    CHECK_EQ(ask_path(0, FILE_OP_OPEN, FILE_O_CREAT | FILE_O_DIRECTORY, "f"), -FILE_EINVAL);
    CHECK(!fs_lookup(NULL, "f"));                              /* nothing was created on the way */
    CHECK_EQ(ask_path(0, FILE_OP_OPEN, FILE_O_CREAT | FILE_O_WRONLY, "f"), 0);
    CHECK_EQ(ask_path(0, FILE_OP_OPEN, FILE_O_CREAT | FILE_O_EXCL | FILE_O_WRONLY, "f"), -FILE_EEXIST);
    CHECK_EQ(ask_path(0, FILE_OP_OPEN, FILE_O_DIRECTORY, "f"), -FILE_ENOTDIR);
    CHECK_EQ(ask_path(0, FILE_OP_OPEN, FILE_O_RDWR, "/"), -FILE_EISDIR);
}

TEST(sixteen_descriptors_then_emfile)
{
    fresh(true);
    for (unsigned i = 0; i < FILE_MAX_FDS; i++)
        CHECK_EQ(ask_path(0, FILE_OP_OPEN, 0, "/"), i);
    CHECK_EQ(ask_path(0, FILE_OP_OPEN, 0, "/"), -FILE_EMFILE);
}

TEST(write_length_against_the_words_sent)
{
    fresh(true);
    CHECK_EQ(ask_path(0, FILE_OP_OPEN, FILE_O_CREAT | FILE_O_RDWR, "f"), 0);
    CHECK_EQ(ask_fd(0, FILE_OP_WRITE, 0, 17, 0, 5), -FILE_EINVAL);   /* 17 bytes in 2 words */
    CHECK_EQ(ask_fd(0, FILE_OP_WRITE, 0, 16, 0, 5), 16);
    u.mr[0] = FILE_OP_WRITE;
    u.mr[1] = 0;
    u.mr[2] = FILE_WRITE_MAX + 1;
    CHECK_EQ(ask(0, UTCB_WORDS), -FILE_EINVAL);
    u.mr[0] = FILE_OP_WRITE;
    u.mr[1] = 0;
    u.mr[2] = FILE_WRITE_MAX;
    CHECK_EQ(ask(0, UTCB_WORDS), FILE_WRITE_MAX);
    CHECK_EQ(ask_fd(0, FILE_OP_READ, 0, FILE_READ_MAX + 1, 0, 3), -FILE_EINVAL);
}

TEST(read_replies_with_the_bytes_after_the_result)
{
    fresh(true);
    CHECK_EQ(ask_path(0, FILE_OP_OPEN, FILE_O_CREAT | FILE_O_RDWR, "/f"), 0);
    CHECK_EQ(write_str(0, 0, "hello, file service"), 19);
    CHECK_EQ(ask_fd(0, FILE_OP_LSEEK, 0, 7, FILE_SEEK_SET, 4), 7);
    CHECK_EQ(ask_fd(0, FILE_OP_READ, 0, 100, 0, 3), 12);
    CHECK_EQ(UTCB_UNTYPED(u.head.items), 1 + 2);
    CHECK(!memcmp(&u.mr[1], "file service", 12));
    CHECK_EQ(ask_fd(0, FILE_OP_READ, 0, 100, 0, 3), 0);  /* the end */
    CHECK_EQ(ask_fd(0, FILE_OP_LSEEK, 0, 0, FILE_SEEK_SET, 4), 0);
    u.mr[0] = FILE_OP_READ;
    u.mr[1] = 0;
    u.mr[2] = 100;
    memset(&u.mr[3], 0xee, 8);                            /* an earlier request's bytes */
    CHECK_EQ(ask(0, 3), 19);
    CHECK(!memcmp(&u.mr[1], "hello, file service\0\0\0\0\0", 24));   /* padded with zeroes */
    CHECK_EQ(ask_fd(0, FILE_OP_FSTAT, 0, 0, 0, 2), 0);
    CHECK_EQ(UTCB_UNTYPED(u.head.items), 5);
    CHECK_EQ(u.mr[1], 19);
    CHECK_EQ(u.mr[2], FILE_TYPE_FILE);
    CHECK_EQ(u.mr[3], 0644);
}

TEST(read_and_write_follow_the_access_mode)
{
    fresh(true);
    CHECK_EQ(ask_path(0, FILE_OP_OPEN, FILE_O_CREAT | FILE_O_WRONLY, "w"), 0);
    CHECK_EQ(ask_fd(0, FILE_OP_READ, 0, 1, 0, 3), -FILE_EBADF);
    CHECK_EQ(ask_path(0, FILE_OP_OPEN, FILE_O_RDONLY, "w"), 1);
    CHECK_EQ(write_str(0, 1, "x"), -FILE_EBADF);
    CHECK_EQ(ask_path(0, FILE_OP_OPEN, FILE_O_RDONLY, "/"), 2);
    CHECK_EQ(ask_fd(0, FILE_OP_READ, 2, 1, 0, 3), -FILE_EISDIR);
    CHECK_EQ(ask_fd(0, FILE_OP_GETDENTS, 0, 0, 0, 2), -FILE_ENOTDIR);
}

TEST(lseek_checks_whence_and_range)
{
    fresh(true);
    CHECK_EQ(ask_path(0, FILE_OP_OPEN, FILE_O_CREAT | FILE_O_RDWR, "f"), 0);
    CHECK_EQ(ask_fd(0, FILE_OP_LSEEK, 0, 0, 3, 4), -FILE_EINVAL);
    CHECK_EQ(ask_fd(0, FILE_OP_LSEEK, 0, (uint64_t)-1, FILE_SEEK_SET, 4), -FILE_EINVAL);
    CHECK_EQ(ask_fd(0, FILE_OP_LSEEK, 0, 1, FILE_SEEK_SET, 4), 1);
    CHECK_EQ(ask_fd(0, FILE_OP_LSEEK, 0, INT64_MAX, FILE_SEEK_CUR, 4), -FILE_EINVAL);
    CHECK_EQ(ask_fd(0, FILE_OP_LSEEK, 0, 0, FILE_SEEK_CUR, 4), 1);   /* unchanged */
}

TEST(getdents_lists_dot_dotdot_then_the_entries)
{
    fresh(true);
    CHECK_EQ(ask_path(0, FILE_OP_MKDIR, 0700, "d"), 0);
    CHECK_EQ(ask_path(0, FILE_OP_MKDIR, 0700, "d/sub"), 0);
    CHECK_EQ(ask_path(0, FILE_OP_OPEN, FILE_O_RDONLY | FILE_O_DIRECTORY, "d"), 0);
    const char *want[] = { ".", "..", "sub" };
    for (unsigned i = 0; i < 3; i++) {
        CHECK_EQ(ask_fd(0, FILE_OP_GETDENTS, 0, 0, 0, 2), 1);
        CHECK_STR((const char *)&u.mr[3], want[i]);
        CHECK_EQ(u.mr[2], FILE_TYPE_DIR);
        CHECK_EQ(UTCB_UNTYPED(u.head.items), 4);
    }
    CHECK_EQ(ask_fd(0, FILE_OP_GETDENTS, 0, 0, 0, 2), 0);
    CHECK_EQ(ask_fd(0, FILE_OP_LSEEK, 0, 0, FILE_SEEK_SET, 4), 0);
    CHECK_EQ(ask_fd(0, FILE_OP_GETDENTS, 0, 0, 0, 2), 1);   /* rewound */
    CHECK_STR((const char *)&u.mr[3], ".");
}

TEST(unlink_rmdir_mkdir_arguments)
{
    fresh(true);
    CHECK_EQ(ask_path(0, FILE_OP_MKDIR, 010000, "d"), -FILE_EINVAL);  /* not a permission bit */
    CHECK_EQ(ask_path(0, FILE_OP_MKDIR, 0755, "d"), 0);
    CHECK_EQ(ask_path(0, FILE_OP_MKDIR, 0755, "d/e"), 0);
    CHECK_EQ(ask_path(0, FILE_OP_RMDIR, 1, "d/e"), -FILE_EINVAL);     /* the reserved word */
    CHECK_EQ(ask_path(0, FILE_OP_RMDIR, 0, "d/e/."), -FILE_EINVAL);
    CHECK_EQ(ask_path(0, FILE_OP_RMDIR, 0, "d/e/.."), -FILE_EINVAL);
    CHECK_EQ(ask_path(0, FILE_OP_RMDIR, 0, "d"), -FILE_ENOTEMPTY);
    CHECK_EQ(ask_path(0, FILE_OP_UNLINK, 0, "d/e"), -FILE_EISDIR);
    CHECK_EQ(ask_path(0, FILE_OP_RMDIR, 0, "d/e/"), 0);
    CHECK_EQ(ask_path(0, FILE_OP_RMDIR, 0, "d"), 0);
    CHECK_EQ(ask_path(0, FILE_OP_RMDIR, 0, ""), -FILE_ENOENT);
}

TEST(release_closes_and_frees_an_unlinked_file)
{
    fresh(true);
    long before = pages_out;
    CHECK_EQ(ask_path(3, FILE_OP_OPEN, FILE_O_CREAT | FILE_O_RDWR, "gone"), 0);
    u.mr[0] = FILE_OP_WRITE;
    u.mr[1] = 0;
    u.mr[2] = 4000;
    CHECK_EQ(ask(3, 3 + 500), 4000);
    CHECK(pages_out > before);
    CHECK_EQ(ask_path(3, FILE_OP_UNLINK, 0, "gone"), 0);
    CHECK_EQ(ask_fd(3, FILE_OP_LSEEK, 0, 0, FILE_SEEK_SET, 4), 0);
    CHECK_EQ(ask_fd(3, FILE_OP_READ, 0, 10, 0, 3), 10);   /* still open: still there */
    fs_service_release(3);
    CHECK_EQ(pages_out, before);                          /* the last reference went */
    CHECK_EQ(ask_fd(3, FILE_OP_READ, 0, 10, 0, 3), -FILE_EBADF);
    fs_service_release(FS_SERVICE_CLIENTS + 5);           /* not a client: nothing happens */
}

int main(void)
{
    return unit_run();
}
