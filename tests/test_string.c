/* SPDX-License-Identifier: MIT */
/* tests/test_string.c — the kernel's and the roottask's mem* and str* functions, against the C library's. */
#include "unit.h"

/* Ours under names of their own, beside the host's. */
#define memset  k_memset
#define memcpy  k_memcpy
#define memmove k_memmove
#define memcmp  k_memcmp
#define memchr  k_memchr
#define strlen  k_strlen
#define strncmp k_strncmp
#include "kernel/lib/string.c"
#undef memset
#undef memcpy
#undef memmove
#undef memcmp
#undef memchr
#undef strlen
#undef strncmp

static int sign(int v) { return (v > 0) - (v < 0); }

/* Every length up to 40 at every start within a word, the NUL followed by more text. */
TEST(strlen_every_length_and_alignment)
{
    char buf[64];
    for (unsigned start = 0; start < 8; start++)
        for (unsigned len = 0; len < 40; len++) {
            memset(buf, 'x', sizeof buf);
            buf[start + len] = 0;
            CHECK_EQ(k_strlen(buf + start), strlen(buf + start));
        }
}

/* Bytes above 0x80 next to the NUL: the word test must not take them for it. */
TEST(strlen_high_bytes)
{
    char buf[32];
    for (unsigned len = 0; len < 20; len++) {
        memset(buf, 0x81, sizeof buf);
        buf[len] = 0;
        buf[len + 1] = 1;
        CHECK_EQ(k_strlen(buf), len);
    }
}

/* Equal prefixes of every length, then one byte that differs (both ways, high bytes too). */
TEST(memcmp_first_difference)
{
    unsigned char a[48], b[48];
    for (unsigned n = 0; n <= 40; n++)
        for (unsigned at = 0; at <= n; at++)
            for (unsigned off = 0; off < 3; off++) {
                for (unsigned i = 0; i < sizeof a; i++)
                    a[i] = b[i] = (unsigned char)(i * 37 + 11);
                if (at < n) {
                    a[off + at] = 0x10;
                    b[off + at] = 0xf0;
                    a[off + at + 1 < sizeof a ? off + at + 1 : 0] ^= 0xff;   /* later bytes differ too */
                }
                CHECK_EQ(sign(k_memcmp(a + off, b + off, n)), sign(memcmp(a + off, b + off, n)));
                CHECK_EQ(sign(k_memcmp(b + off, a + off, n)), sign(memcmp(b + off, a + off, n)));
            }
}

TEST(memcmp_random)
{
    unit_rng = 0x5eed;
    unsigned char a[64], b[64];
    for (int round = 0; round < 20000; round++) {
        unsigned n = (unsigned)(unit_rng_next() % 33), off = (unsigned)(unit_rng_next() % 8);
        for (unsigned i = 0; i < sizeof a; i++)
            a[i] = b[i] = (unsigned char)unit_rng_next();
        if (unit_rng_next() % 2)
            b[off + unit_rng_next() % (n + 1)] = (unsigned char)unit_rng_next();
        CHECK_EQ(sign(k_memcmp(a + off, b + off, n)), sign(memcmp(a + off, b + off, n)));
    }
}

/* Every length and start, the byte first, last, twice, absent; 0 and high bytes sought. */
TEST(memchr_every_place)
{
    unsigned char buf[48];
    static const int sought[] = { 0, 'a', 0x80, 0xff };
    for (unsigned k = 0; k < 4; k++)
        for (unsigned start = 0; start < 8; start++)
            for (unsigned n = 0; n <= 32; n++)
                for (unsigned at = 0; at <= n; at++) {
                    memset(buf, 0x7f, sizeof buf);
                    buf[start + n] = (unsigned char)sought[k];       /* just past the end: not found */
                    if (at < n)
                        buf[start + at] = buf[start + n - 1] = (unsigned char)sought[k];
                    CHECK(k_memchr(buf + start, sought[k] + 256, n) == memchr(buf + start, sought[k], n));
                }
}

/* Before the start, in the first word: the byte sought (no hit) and, for the word test, a
 * borrow into bytes one above it (no false hit either). */
TEST(memchr_strlen_ignore_bytes_before_start)
{
    unsigned char buf[32];
    static const int sought[] = { 0, 'a', 0xff };
    for (unsigned k = 0; k < 3; k++)
        for (unsigned start = 1; start < 8; start++)
            for (unsigned n = 1; n <= 16; n++) {
                memset(buf, sought[k] ^ 1, sizeof buf);
                memset(buf, sought[k], start);
                CHECK(k_memchr(buf + start, sought[k], n) == NULL);
            }
    char str[32];
    for (unsigned start = 1; start < 8; start++)
        for (unsigned len = 0; len < 16; len++) {
            memset(str, 1, sizeof str);
            memset(str, 0, start);
            str[start + len] = 0;
            CHECK_EQ(k_strlen(str + start), len);
        }
}

TEST(strncmp_and_copies)
{
    CHECK_EQ(k_strncmp("abc", "abd", 2), 0);
    CHECK(k_strncmp("abc", "abd", 3) < 0);
    CHECK(k_strncmp("ab", "abc", 3) < 0);
    CHECK_EQ(k_strncmp("ab\0x", "ab\0y", 4), 0);
    char d[32], s[32];
    for (unsigned i = 0; i < sizeof s; i++)
        s[i] = (char)('a' + i % 26);
    for (unsigned n = 0; n < 20; n++) {
        memset(d, 0, sizeof d);
        k_memcpy(d, s, n);
        CHECK_EQ(memcmp(d, s, n), 0);
        CHECK_EQ(d[n], 0);
        k_memset(d, 'q', n);
        CHECK_EQ(d[n], 0);
        CHECK(n == 0 || d[n - 1] == 'q');
    }
    memcpy(d, "0123456789", 11);
    k_memmove(d + 2, d, 8);                       /* overlapping, forward */
    CHECK_EQ(memcmp(d, "0101234567", 10), 0);
    k_memmove(d, d + 2, 8);                       /* overlapping, backward */
    CHECK_EQ(memcmp(d, "0123456767", 10), 0);
}

int main(void) { return unit_run(); }
