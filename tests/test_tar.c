/* SPDX-License-Identifier: MIT */
/* tests/test_tar.c — host tests for the strict ustar reader of the userland archive. */
#include "roottask/src/fs/tar.c"
#include "unit.h"
#include "ar.h"

/* A heap copy of exactly len bytes, so ASan sees any read past the archive. */
static uint8_t *exact(const uint8_t *b, size_t len)
{
    uint8_t *c = malloc(len ? len : 1);
    if (!c)
        abort();
    memcpy(c, b, len);
    return c;
}

/* The first len bytes of a, walked: the first entry must be a defect whose message contains want. */
static void expect_defect(const struct ar *a, size_t len, size_t skip, const char *want)
{
    uint8_t *t = exact(a->b, len);
    size_t pos = 0;
    struct tar_entry e;
    const char *why = NULL;
    for (size_t i = 0; i < skip; i++)
        CHECK_EQ(tar_next(t, len, &pos, &e, &why), 1);
    CHECK_EQ(tar_next(t, len, &pos, &e, &why), -1);
    CHECK(why != NULL);
    if (!strstr(why, want)) {
        char m[300];
        snprintf(m, sizeof m, "message \"%s\" lacks \"%s\"", why, want);
        unit_fail(__FILE__, __LINE__, m);
    }
    free(t);
}

TEST(walks_files_and_directories_in_order)
{
    static struct ar a;
    ar_init(&a);
    size_t o_etc = ar_add(&a, "", "etc/", '5', NULL, 0);
    size_t o_pw = ar_file(&a, "etc/passwd", "root:x:0:0");
    size_t o_sh = ar_add(&a, "", "bin/sh", '0', NULL, 512);   /* exactly one block */
    size_t o_empty = ar_add(&a, "", "empty", '0', NULL, 0);
    size_t o_big = ar_add(&a, "", "big", '0', NULL, 1500);     /* three blocks, last partial */
    size_t o_end = a.len;
    ar_end(&a);
    CHECK_EQ(o_pw, 512);
    CHECK_EQ(o_sh, 1024 + 512);
    CHECK_EQ(o_empty, o_sh + 1024);
    CHECK_EQ(o_big, o_empty + 512);
    CHECK_EQ(o_end, o_big + 512 + 1536);

    uint8_t *t = exact(a.b, a.len);
    size_t pos = 0;
    struct tar_entry e;
    const char *why = NULL;

    CHECK_EQ(tar_next(t, a.len, &pos, &e, &why), 1);
    CHECK_STR(e.name, "etc/");
    CHECK_EQ(e.type, '5');
    CHECK_EQ(e.size, 0);
    CHECK(e.data == t + o_etc + 512);
    CHECK_EQ(pos, o_pw);

    CHECK_EQ(tar_next(t, a.len, &pos, &e, &why), 1);
    CHECK_STR(e.name, "etc/passwd");
    CHECK_EQ(e.type, '0');
    CHECK_EQ(e.size, 10);
    CHECK(e.data == t + o_pw + 512);
    CHECK(memcmp(e.data, "root:x:0:0", 10) == 0);
    CHECK_EQ(pos, o_sh);

    CHECK_EQ(tar_next(t, a.len, &pos, &e, &why), 1);
    CHECK_STR(e.name, "bin/sh");
    CHECK_EQ(e.size, 512);
    CHECK(e.data == t + o_sh + 512);
    CHECK_EQ(e.data[511], (uint8_t)511);
    CHECK_EQ(pos, o_empty);

    CHECK_EQ(tar_next(t, a.len, &pos, &e, &why), 1);
    CHECK_STR(e.name, "empty");
    CHECK_EQ(e.size, 0);
    CHECK_EQ(pos, o_big);

    CHECK_EQ(tar_next(t, a.len, &pos, &e, &why), 1);
    CHECK_STR(e.name, "big");
    CHECK_EQ(e.type, '0');
    CHECK_EQ(e.size, 1500);
    CHECK(e.data == t + o_big + 512);
    CHECK_EQ(e.data[1499], (uint8_t)1499);
    CHECK_EQ(pos, o_end);

    /* The end marker, and it stays the end. */
    CHECK_EQ(tar_next(t, a.len, &pos, &e, &why), 0);
    CHECK_EQ(pos, o_end);
    CHECK_EQ(tar_next(t, a.len, &pos, &e, &why), 0);
    CHECK(why == NULL);
    free(t);
}

TEST(type_nul_is_a_regular_file_other_types_kept)
{
    static struct ar a;
    ar_init(&a);
    size_t o = ar_file(&a, "old", "v7");
    a.b[o + 156] = 0;                                /* pre-POSIX regular file */
    hdr_sum(a.b + o);
    ar_link(&a, "link", '2', "old");
    ar_end(&a);
    size_t pos = 0;
    struct tar_entry e;
    const char *why = NULL;
    CHECK_EQ(tar_next(a.b, a.len, &pos, &e, &why), 1);
    CHECK_EQ(e.type, '0');
    CHECK_EQ(tar_next(a.b, a.len, &pos, &e, &why), 1);
    CHECK_EQ(e.type, '2');
    CHECK_EQ(e.link_len, 3);
    CHECK(!memcmp(e.link, "old", 3));
    CHECK_EQ(tar_next(a.b, a.len, &pos, &e, &why), 0);
    CHECK_EQ(tar_find(a.b, a.len, "old", &e, &why), 1);
    CHECK_EQ(tar_find(a.b, a.len, "link", &e, &why), 0);
}

TEST(mode_owner_time_and_link_targets)
{
    static struct ar a;
    ar_init(&a);
    size_t o = ar_file(&a, "bin/tool", "x");
    put_octal(a.b + o + 100, 8, 04755);
    put_octal(a.b + o + 108, 8, 1000);
    put_octal(a.b + o + 116, 8, 100);
    put_octal(a.b + o + 136, 12, 1234567890);
    hdr_sum(a.b + o);
    ar_link(&a, "hard", '1', "./bin/tool");           /* GNU tar's "./": stripped as from names */
    ar_end(&a);
    size_t pos = 0;
    struct tar_entry e;
    const char *why = NULL;
    CHECK_EQ(tar_next(a.b, a.len, &pos, &e, &why), 1);
    CHECK_EQ(e.mode, 04755);
    CHECK_EQ(e.uid, 1000);
    CHECK_EQ(e.gid, 100);
    CHECK_EQ(e.mtime, 1234567890);
    CHECK_EQ(tar_next(a.b, a.len, &pos, &e, &why), 1);
    CHECK_EQ(e.type, '1');
    CHECK_EQ(e.link_len, 8);
    CHECK(!memcmp(e.link, "bin/tool", 8));
}

TEST(a_link_without_a_target_or_a_bad_mode_is_a_defect)
{
    static struct ar a;
    ar_init(&a);
    ar_add(&a, "", "link", '2', NULL, 0);
    ar_end(&a);
    size_t pos = 0;
    struct tar_entry e;
    const char *why = NULL;
    CHECK_EQ(tar_next(a.b, a.len, &pos, &e, &why), -1);
    CHECK_STR(why, "a link without a target");
    ar_init(&a);
    size_t o = ar_file(&a, "f", "x");
    memcpy(a.b + o + 100, "07a5", 4);
    hdr_sum(a.b + o);
    ar_end(&a);
    pos = 0;
    CHECK_EQ(tar_next(a.b, a.len, &pos, &e, &why), -1);
    CHECK_STR(why, "mode, uid, gid or mtime field is not an octal number");
}

TEST(leading_dot_slash_stripped)
{
    static struct ar a;
    ar_init(&a);
    ar_add(&a, "", "./", '5', NULL, 0);             /* what tar -C dir . writes first */
    ar_file(&a, "./bin/init", "ELF");
    ar_file(&a, ".profile", "p");
    ar_file(&a, "../up", "u");
    ar_file(&a, ".", "d");
    ar_end(&a);
    size_t pos = 0;
    struct tar_entry e;
    const char *why = NULL;
    CHECK_EQ(tar_next(a.b, a.len, &pos, &e, &why), 1);
    CHECK_STR(e.name, "");
    CHECK_EQ(e.type, '5');
    CHECK_EQ(tar_next(a.b, a.len, &pos, &e, &why), 1);
    CHECK_STR(e.name, "bin/init");
    CHECK_EQ(tar_next(a.b, a.len, &pos, &e, &why), 1);
    CHECK_STR(e.name, ".profile");
    CHECK_EQ(tar_next(a.b, a.len, &pos, &e, &why), 1);
    CHECK_STR(e.name, "../up");
    CHECK_EQ(tar_next(a.b, a.len, &pos, &e, &why), 1);
    CHECK_STR(e.name, ".");
    CHECK_EQ(tar_next(a.b, a.len, &pos, &e, &why), 0);
    CHECK_EQ(tar_find(a.b, a.len, "bin/init", &e, &why), 1);
    CHECK(memcmp(e.data, "ELF", 3) == 0);
}

TEST(prefix_and_name_joined)
{
    static struct ar a;
    ar_init(&a);
    ar_add(&a, "usr/share/doc", "README", '0', "text", 4);
    /* Both fields full, neither NUL-terminated: 155 + '/' + 100 characters. */
    char prefix[156], name[101], want[258];
    memset(prefix, 'p', 155);
    prefix[155] = 0;
    memset(name, 'n', 100);
    name[100] = 0;
    snprintf(want, sizeof want, "%s/%s", prefix, name);
    ar_add(&a, prefix, name, '0', "x", 1);
    ar_end(&a);
    size_t pos = 0;
    struct tar_entry e;
    const char *why = NULL;
    memset(e.name, 0x55, sizeof e.name);
    CHECK_EQ(tar_next(a.b, a.len, &pos, &e, &why), 1);
    CHECK_STR(e.name, "usr/share/doc/README");
    CHECK_EQ(tar_next(a.b, a.len, &pos, &e, &why), 1);
    CHECK_EQ(strlen(e.name), 256);
    CHECK_STR(e.name, want);
    CHECK_EQ(e.size, 1);
    CHECK_EQ(tar_find(a.b, a.len, "usr/share/doc/README", &e, &why), 1);
    CHECK_EQ(tar_find(a.b, a.len, "README", &e, &why), 0);
}

/*
 * GNU tar -C dir . splits a path longer than 100 characters at a '/', and
 * the leading "./" then lands in the prefix field:
 *   prefix "./aaa…/bbb…"  name "file.txt"
 * The entry must read "aaa…/bbb…/file.txt" like every other one.
 */
TEST(leading_dot_slash_stripped_from_prefix)
{
    static struct ar a;
    char dir[61], pre[200], want[300];
    memset(dir, 'a', 60);
    dir[60] = 0;
    snprintf(pre, sizeof pre, "./%s/%s", dir, dir);
    snprintf(want, sizeof want, "%s/%s/file.txt", dir, dir);
    ar_init(&a);
    ar_add(&a, pre, "file.txt", '0', "hi\n", 3);
    ar_end(&a);
    size_t pos = 0;
    struct tar_entry e;
    const char *why = NULL;
    CHECK_EQ(tar_next(a.b, a.len, &pos, &e, &why), 1);
    CHECK_STR(e.name, want);
    CHECK_EQ(tar_find(a.b, a.len, want, &e, &why), 1);
}

TEST(find_file_missing_and_directory)
{
    static struct ar a;
    ar_init(&a);
    ar_add(&a, "", "lib", '5', NULL, 0);            /* a directory named like the file below */
    ar_file(&a, "bin/a", "first");
    ar_file(&a, "bin/ab", "second");
    ar_add(&a, "", "dir", '5', NULL, 0);
    ar_file(&a, "lib", "the file");
    ar_end(&a);
    struct tar_entry e;
    const char *why = NULL;
    CHECK_EQ(tar_find(a.b, a.len, "bin/ab", &e, &why), 1);
    CHECK_EQ(e.size, 6);
    CHECK(memcmp(e.data, "second", 6) == 0);
    CHECK_EQ(tar_find(a.b, a.len, "bin/a", &e, &why), 1);
    CHECK(memcmp(e.data, "first", 5) == 0);
    CHECK_EQ(tar_find(a.b, a.len, "bin/abc", &e, &why), 0);
    CHECK_EQ(tar_find(a.b, a.len, "bin", &e, &why), 0);
    CHECK_EQ(tar_find(a.b, a.len, "", &e, &why), 0);
    CHECK_EQ(tar_find(a.b, a.len, "dir", &e, &why), 0);   /* only a directory */
    CHECK_EQ(tar_find(a.b, a.len, "lib", &e, &why), 1);   /* the file, not the directory */
    CHECK_EQ(e.type, '0');
    CHECK(memcmp(e.data, "the file", 8) == 0);
    CHECK(why == NULL);

    /* Nothing before the end: 0; a defect before the name: -1. */
    CHECK_EQ(tar_find(a.b, 0, "lib", &e, &why), 0);
    a.b[1024 + 1] ^= 1;                              /* data of "bin/a": not checked */
    CHECK_EQ(tar_find(a.b, a.len, "lib", &e, &why), 1);
    a.b[512 + 1] ^= 1;                               /* header of "bin/a" */
    CHECK_EQ(tar_find(a.b, a.len, "lib", &e, &why), -1);
    CHECK(strstr(why, "checksum") != NULL);
}

TEST(end_marker_one_or_two_blocks_then_anything)
{
    static struct ar a;
    ar_init(&a);
    ar_file(&a, "a", "1");
    size_t end = a.len;
    ar_end(&a);
    memset(a.b + a.len, 0xee, 512);                  /* garbage after the marker */
    a.len += 512;
    size_t pos = 0;
    struct tar_entry e;
    const char *why = NULL;
    CHECK_EQ(tar_next(a.b, a.len, &pos, &e, &why), 1);
    CHECK_EQ(tar_next(a.b, a.len, &pos, &e, &why), 0);
    CHECK_EQ(pos, end);

    /* One zero block is enough. */
    pos = 0;
    uint8_t *t = exact(a.b, end + 512);
    CHECK_EQ(tar_next(t, end + 512, &pos, &e, &why), 1);
    CHECK_EQ(tar_next(t, end + 512, &pos, &e, &why), 0);
    free(t);
    CHECK(why == NULL);
}

TEST(no_end_marker_ends_after_last_file)
{
    static struct ar a;
    ar_init(&a);
    ar_file(&a, "a", "1");
    ar_add(&a, "", "b", '0', NULL, 1024);
    uint8_t *t = exact(a.b, a.len);
    size_t pos = 0;
    struct tar_entry e;
    const char *why = NULL;
    CHECK_EQ(tar_next(t, a.len, &pos, &e, &why), 1);
    CHECK_EQ(tar_next(t, a.len, &pos, &e, &why), 1);
    CHECK_EQ(pos, a.len);
    CHECK_EQ(tar_next(t, a.len, &pos, &e, &why), 0);
    CHECK_EQ(tar_find(t, a.len, "c", &e, &why), 0);
    CHECK_EQ(tar_find(t, a.len, "b", &e, &why), 1);
    free(t);

    /* The empty archive. */
    pos = 0;
    t = exact(a.b, 0);
    CHECK_EQ(tar_next(t, 0, &pos, &e, &why), 0);
    free(t);
    CHECK(why == NULL);
}

TEST(header_truncated)
{
    static struct ar a;
    ar_init(&a);
    ar_file(&a, "a", "1");
    ar_file(&a, "b", "2");
    ar_end(&a);
    expect_defect(&a, 1, 0, "truncated: header");
    expect_defect(&a, 511, 0, "truncated: header");
    expect_defect(&a, 1024 + 100, 1, "truncated: header");   /* second header cut */
    expect_defect(&a, 2048 + 511, 2, "truncated: header");   /* marker cut */

    /* A position past the end is a defect, not the end. */
    size_t pos = a.len + 512;
    struct tar_entry e;
    const char *why = NULL;
    CHECK_EQ(tar_next(a.b, a.len, &pos, &e, &why), -1);
    CHECK(strstr(why, "truncated") != NULL);
}

TEST(bad_checksum)
{
    static struct ar a;
    for (unsigned at = 0; at < 512; at += 37) {
        ar_init(&a);
        ar_file(&a, "a", "data");
        ar_end(&a);
        if (at >= 148 && at < 156)
            continue;
        a.b[at] ^= 0x01;
        expect_defect(&a, a.len, 0, "checksum");
    }
    /* The checksum field itself: not octal, empty, off by one. */
    ar_init(&a);
    ar_file(&a, "a", "data");
    ar_end(&a);
    a.b[149] = '8';
    expect_defect(&a, a.len, 0, "checksum");
    memset(a.b + 148, ' ', 8);
    expect_defect(&a, a.len, 0, "checksum");
    hdr_sum(a.b);
    a.b[153]++;
    if (a.b[153] == '8')
        a.b[153] = '0';
    expect_defect(&a, a.len, 0, "checksum");

    /* A defect in the second header after a good first one. */
    ar_init(&a);
    ar_file(&a, "a", "data");
    ar_file(&a, "b", "data");
    ar_end(&a);
    a.b[1024 + 300] = 'Z';
    expect_defect(&a, a.len, 1, "checksum");
}

TEST(checksum_forms_accepted)
{
    /* Leading spaces and a space-only terminator, as older tars write it. */
    static struct ar a;
    ar_init(&a);
    ar_file(&a, "a", "data");
    ar_end(&a);
    uint8_t digits[6];
    memcpy(digits, a.b + 148, 6);                    /* "0dddddd\0 " becomes " 0dddddd " */
    a.b[148] = ' ';
    memcpy(a.b + 149, digits, 6);
    a.b[155] = ' ';
    size_t pos = 0;
    struct tar_entry e;
    const char *why = NULL;
    CHECK_EQ(tar_next(a.b, a.len, &pos, &e, &why), 1);
    CHECK_STR(e.name, "a");
}

TEST(not_ustar)
{
    static struct ar a;
    ar_init(&a);
    ar_file(&a, "a", "data");
    ar_end(&a);
    memcpy(a.b + 257, "ustaR", 5);
    hdr_sum(a.b);
    expect_defect(&a, a.len, 0, "not a ustar");
    memset(a.b + 257, 0, 8);                         /* v7 tar: no magic at all */
    hdr_sum(a.b);
    expect_defect(&a, a.len, 0, "not a ustar");
}

TEST(size_not_octal)
{
    static const char *bad[] = { "12a", "8", "1 2", "-1", "", "       " };
    static struct ar a;
    for (unsigned i = 0; i < (sizeof bad / sizeof bad[0]); i++) {
        ar_init(&a);
        ar_file(&a, "a", "data");
        ar_end(&a);
        memset(a.b + 124, 0, 12);
        memcpy(a.b + 124, bad[i], strlen(bad[i]));
        hdr_sum(a.b);
        expect_defect(&a, a.len, 0, "not an octal");
    }
    /* GNU's base-256 form for sizes past 8 GiB is not octal either. */
    ar_init(&a);
    ar_file(&a, "a", "data");
    ar_end(&a);
    memset(a.b + 124, 0, 12);
    a.b[124] = 0x80;
    a.b[135] = 4;
    hdr_sum(a.b);
    expect_defect(&a, a.len, 0, "not an octal");
}

TEST(size_forms_accepted)
{
    /* Leading spaces, trailing spaces, 11 digits + NUL, and all 12 digits. */
    static const struct { const char *f; uint64_t v; } ok[] = {
        { "   4", 4 }, { "4    ", 4 }, { "00000000004", 4 }, { "000000000004", 4 },
    };
    static struct ar a;
    for (unsigned i = 0; i < (sizeof ok / sizeof ok[0]); i++) {
        ar_init(&a);
        ar_file(&a, "a", "data");
        ar_end(&a);
        memset(a.b + 124, 0, 12);
        memcpy(a.b + 124, ok[i].f, strlen(ok[i].f));
        hdr_sum(a.b);
        size_t pos = 0;
        struct tar_entry e;
        const char *why = NULL;
        CHECK_EQ(tar_next(a.b, a.len, &pos, &e, &why), 1);
        CHECK_EQ(e.size, ok[i].v);
        CHECK_EQ(pos, 1024);
    }
}

TEST(size_beyond_archive)
{
    static struct ar a;
    ar_init(&a);
    ar_add(&a, "", "a", '0', NULL, 1000);            /* two data blocks */
    size_t full = a.len;
    ar_end(&a);
    expect_defect(&a, 512, 0, "truncated: file data");
    expect_defect(&a, 1024, 0, "truncated: file data");   /* one block of two */
    expect_defect(&a, full - 1, 0, "truncated: file data"); /* last block short */

    /* The size says more than the data that follows, the rest is the marker. */
    ar_init(&a);
    ar_add(&a, "", "a", '0', NULL, 10);
    put_octal(a.b + 124, 12, 512 * 4);
    hdr_sum(a.b);
    ar_end(&a);
    expect_defect(&a, a.len, 0, "truncated: file data");
}

TEST(huge_size_no_overflow)
{
    static const char *huge[] = { "77777777777", "777777777777" };
    static struct ar a;
    for (unsigned i = 0; i < (sizeof huge / sizeof huge[0]); i++) {
        ar_init(&a);
        ar_file(&a, "a", "data");
        ar_end(&a);
        memset(a.b + 124, 0, 12);
        memcpy(a.b + 124, huge[i], strlen(huge[i]));
        hdr_sum(a.b);
        expect_defect(&a, a.len, 0, "truncated: file data");
    }
    /* A size one block past what is there, in an archive at a high position. */
    ar_init(&a);
    ar_file(&a, "a", "x");
    ar_add(&a, "", "b", '0', NULL, 512);
    ar_end(&a);
    put_octal(a.b + 1024 + 124, 12, 512 + 1024 + 1);
    hdr_sum(a.b + 1024);
    expect_defect(&a, a.len, 1, "truncated: file data");
}

TEST(empty_name)
{
    static struct ar a;
    ar_init(&a);
    ar_add(&a, "", "", '0', "x", 1);
    ar_end(&a);
    expect_defect(&a, a.len, 0, "empty file name");

    /* A prefix does not make up for an empty name. */
    ar_init(&a);
    ar_add(&a, "some/dir", "", '0', "x", 1);
    ar_end(&a);
    expect_defect(&a, a.len, 0, "empty file name");
}

/* The fixed archive of the sweep tests: three files, the end marker. */
static const struct { const char *name; uint64_t size; } sweep_files[3] = {
    { "init", 700 }, { "etc/motd", 0 }, { "bin/sh", 1024 },
};

static void sweep_build(struct ar *a, size_t *ends)
{
    ar_init(a);
    for (unsigned i = 0; i < 3; i++) {
        ar_add(a, "", sweep_files[i].name, '0', NULL, sweep_files[i].size);
        ends[i] = a->len;
    }
    ar_end(a);
}

TEST(truncation_sweep)
{
    static struct ar a;
    size_t ends[3];
    sweep_build(&a, ends);
    CHECK_EQ(ends[2], 512 + 1024 + 512 + 512 + 1024);
    for (size_t len = 0; len <= a.len; len++) {
        uint8_t *t = exact(a.b, len);
        size_t pos = 0, n = 0;
        struct tar_entry e;
        const char *why = NULL;
        int r;
        while ((r = tar_next(t, len, &pos, &e, &why)) == 1) {
            CHECK(n < 3);
            CHECK_STR(e.name, sweep_files[n].name);
            CHECK_EQ(e.size, sweep_files[n].size);
            CHECK(e.data + e.size <= t + len);
            n++;
        }
        /* Exactly the entries that fit; the end right after one, or at a whole zero block. */
        size_t fit = 0;
        while (fit < 3 && ends[fit] <= len)
            fit++;
        CHECK_EQ(n, fit);
        size_t at = n ? ends[n - 1] : 0;
        bool end = len == at || (n == 3 && len >= at + 512);
        CHECK_EQ(r, end ? 0 : -1);
        if (r < 0)
            CHECK(strstr(why, len - at < 512 ? "truncated: header" : "truncated: file data") != NULL);
        free(t);
    }
}

TEST(random_corruption_stays_in_bounds)
{
    static struct ar a;
    size_t ends[3];
    sweep_build(&a, ends);
    unit_rng = 0x2545f4914f6cdd1dull;
    for (int iter = 0; iter < 20000; iter++) {
        uint8_t *t = exact(a.b, a.len);
        unsigned flips = 1 + (unsigned)(unit_rng_next() % 4);
        for (unsigned k = 0; k < flips; k++) {
            /* Mostly header bytes, where the parser looks. */
            size_t at = (unit_rng_next() & 1) ? ends[unit_rng_next() % 2] + unit_rng_next() % 512
                                         : unit_rng_next() % 512;
            t[at] = (uint8_t)unit_rng_next();
        }
        if (iter & 1) {                              /* keep some headers' checksums valid */
            hdr_sum(t);
            hdr_sum(t + ends[0]);
            hdr_sum(t + ends[1]);
        }
        size_t pos = 0, last = 0;
        struct tar_entry e;
        const char *why = NULL;
        int r, n = 0;
        while ((r = tar_next(t, a.len, &pos, &e, &why)) == 1) {
            CHECK(pos > last && pos <= a.len);
            CHECK(e.data >= t && e.data + e.size <= t + a.len);
            CHECK(strlen(e.name) <= 256);
            last = pos;
            n++;
        }
        CHECK(r == 0 || (r == -1 && why != NULL));
        CHECK((size_t)n <= a.len / 512);
        free(t);
    }
}

int main(void) { return unit_run(); }
