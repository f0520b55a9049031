/* SPDX-License-Identifier: MIT */
/* tests/test_format.c — host tests for the formatting core, checked against the C library. */
#include "kernel/lib/format.c"
#include "unit.h"

#include <limits.h>
#include <stdint.h>

/* Compare one call of fmt_snprintf with the host's snprintf: text and return value. */
static void cmp_result(const char *file, int line, const char *what,
                       const char *got, int rgot, const char *want, int rwant)
{
    char msg[400];

    if (rgot != rwant || strcmp(got, want) != 0) {
        snprintf(msg, sizeof msg, "%s: got \"%.100s\" (%d), libc \"%.100s\" (%d)",
                 what, got, rgot, want, rwant);
        unit_fail(file, line, msg);
    }
}

/* Both the library and ours, same literal format (checked by -Wformat), same arguments. */
#define CMP(...)                                                              \
    do {                                                                      \
        char got_[1024], want_[1024];                                         \
        int rgot_ = fmt_snprintf(got_, sizeof got_, __VA_ARGS__);             \
        int rwant_ = snprintf(want_, sizeof want_, __VA_ARGS__);              \
        cmp_result(__FILE__, __LINE__, #__VA_ARGS__, got_, rgot_, want_, rwant_); \
    } while (0)

/* As CMP, for combinations -Wformat rightly warns about (flags C99 says are ignored). */
#define CMP_RT(fmt, ...)                                                      \
    do {                                                                      \
        const char *volatile f_ = (fmt);                                      \
        char got_[512], want_[512];                                           \
        int rgot_ = fmt_runtime(got_, sizeof got_, f_, __VA_ARGS__);          \
        int rwant_ = snprintf(want_, sizeof want_, f_, __VA_ARGS__);          \
        cmp_result(__FILE__, __LINE__, fmt, got_, rgot_, want_, rwant_);      \
    } while (0)

/* Our output must be exactly want. */
#define EXPECT(want, ...)                                                     \
    do {                                                                      \
        char got_[512];                                                       \
        int rgot_ = fmt_snprintf(got_, sizeof got_, __VA_ARGS__);             \
        cmp_result(__FILE__, __LINE__, #__VA_ARGS__, got_, rgot_, want, (int)strlen(want)); \
    } while (0)

/* A format built at run time, bypassing -Wformat for deliberately odd strings. */
static int fmt_runtime(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = fmt_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

enum len_kind { L_HH, L_H, L_NONE, L_L, L_LL, L_Z, L_J, L_T, L_COUNT };
static const char *const len_text[L_COUNT] = { "hh", "h", "", "l", "ll", "z", "j", "t" };

/* Call both with a run-time format, passing v as the type the length modifier names. */
static void cmp_dynamic(const char *fmt, enum len_kind len, bool is_signed, uint64_t v,
                        const char *file, int line)
{
    char got[512], want[512];
    int rgot = 0, rwant = 0;

#define BOTH(T)                                                               \
    do {                                                                      \
        rgot = fmt_runtime(got, sizeof got, fmt, (T)v);                       \
        rwant = snprintf(want, sizeof want, fmt, (T)v);                       \
    } while (0)
    switch (len) {
    case L_HH: case L_H: case L_NONE:
        if (is_signed) BOTH(int); else BOTH(unsigned int);
        break;
    case L_L:  if (is_signed) BOTH(long); else BOTH(unsigned long); break;
    case L_LL: if (is_signed) BOTH(long long); else BOTH(unsigned long long); break;
    case L_Z:  if (is_signed) BOTH(ptrdiff_t); else BOTH(size_t); break;
    case L_J:  if (is_signed) BOTH(intmax_t); else BOTH(uintmax_t); break;
    case L_T:  if (is_signed) BOTH(ptrdiff_t); else BOTH(size_t); break;
    default: break;
    }
#undef BOTH
    {
        char what[96];
        snprintf(what, sizeof what, "\"%s\" with %#llx", fmt, (unsigned long long)v);
        cmp_result(file, line, what, got, rgot, want, rwant);
    }
}

static const uint64_t values[] = {
    0, 1, 7, 8, 9, 10, 15, 16, 99, 100, 127, 128, 200, 255, 256, 4095, 32767, 32768, 65535, 65536,
    0x12345678, 012345670123, 2147483647, 2147483648ull, 4294967295ull, 4294967296ull,
    (uint64_t)-1, (uint64_t)-2, (uint64_t)-128, (uint64_t)-129, (uint64_t)-32768,
    (uint64_t)INT32_MIN, (uint64_t)INT64_MAX, (uint64_t)INT64_MIN, UINT64_MAX, 0xdeadbeefcafebabeull,
};

/* Every flag set, several widths and precisions, every conversion, length and value. */
TEST(integers_match_libc_exhaustively)
{
    static const char flag_chars[] = "-0+ #";
    static const char *const widths[] = { "", "1", "5", "12", "30" };
    static const char *const precs[] = { "", ".", ".0", ".1", ".4", ".25" };
    static const char convs[] = "diuxXo";
    char fmt[64];
    unsigned long cases = 0;

    for (unsigned fl = 0; fl < 32; fl++) {
        char flags[8];
        int nf = 0;

        for (int k = 0; k < 5; k++)
            if (fl & (1u << k))
                flags[nf++] = flag_chars[k];
        flags[nf] = 0;
        for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++)
            for (size_t p = 0; p < sizeof precs / sizeof precs[0]; p++)
                for (size_t c = 0; c < sizeof convs - 1; c++)
                    for (int l = 0; l < L_COUNT; l++) {
                        bool is_signed = convs[c] == 'd' || convs[c] == 'i';

                        snprintf(fmt, sizeof fmt, "<%%%s%s%s%s%c>", flags, widths[w], precs[p],
                                 len_text[l], convs[c]);
                        for (size_t v = 0; v < sizeof values / sizeof values[0]; v++) {
                            cmp_dynamic(fmt, (enum len_kind)l, is_signed, values[v], __FILE__, __LINE__);
                            cases++;
                        }
                    }
    }
    CHECK(cases > 500000);
}

TEST(integer_edges)
{
    CMP("%lld %lld", (long long)INT64_MIN, (long long)INT64_MAX);
    CMP("%ld|%lu|%lx|%lo|%#lo|%#lX", (long)INT64_MIN, (unsigned long)UINT64_MAX,
        (unsigned long)UINT64_MAX, (unsigned long)UINT64_MAX, (unsigned long)UINT64_MAX,
        (unsigned long)UINT64_MAX);
    CMP("%jd %ju %jx", (intmax_t)INT64_MIN, (uintmax_t)UINT64_MAX, (uintmax_t)UINT64_MAX);
    CMP("%zu %zx %zd", (size_t)SIZE_MAX, (size_t)SIZE_MAX, (ptrdiff_t)-1);
    CMP("%td %tx", (ptrdiff_t)PTRDIFF_MIN, (size_t)PTRDIFF_MAX);
    CMP("%d %d %u", INT_MIN, INT_MAX, UINT_MAX);
    CMP("%hhd %hhu %hhx %hd %hu %hx", (signed char)-56, (unsigned char)255, (unsigned char)0xab,
        (short)-32768, (unsigned short)65535, (unsigned short)0x2345);
    CMP("%+d %+d % d % d", 0, -5, 0, 42);
    CMP_RT("%+ d|% +d", 42, 42);                      /* '+' overrides ' ' */
    CMP("%.0d|%.0u|%.0x|%#.0x|%#.0o|%+.0d|% .0d|%5.0d|%-5.0d|", 0, 0u, 0u, 0u, 0u, 0, 0, 0, 0);
    CMP("%#o %#o %#.3o %#.1o %#5o", 0u, 8u, 8u, 8u, 8u);
    CMP("%#x %#X %#x %#08x %#-8x|", 0u, 255u, 1u, 255u, 255u);
    CMP("%08d|%+08d|% 08d|%08d", -42, 42, 42, INT_MIN);
    CMP_RT("%-08d|%08.3d|%08.0d|%-#08x|", -42, -42, 0, 255u);   /* '-' or a precision beat '0' */
    CMP("%020lld|%-+20lld|%.20lld", (long long)INT64_MIN, (long long)INT64_MIN, (long long)INT64_MIN);
    CMP("%.30llo|%#.30llx|%#30llo", (unsigned long long)UINT64_MAX, (unsigned long long)UINT64_MAX,
        (unsigned long long)UINT64_MAX);
    CMP("%300d|%-300u", -1, 1u);
}

TEST(star_width_and_precision)
{
    CMP("[%*d]", 6, 42);
    CMP("[%*d]", -6, 42);                 /* negative width: left-justified */
    CMP("[%-*d]", -6, 42);
    CMP("[%0*d]", -6, 42);                /* '-' overrides '0' */
    CMP("[%.*d]", 5, 42);
    CMP("[%.*d]", -1, 42);                /* negative precision: as if none */
    CMP_RT("[%0.*d]", -1, 42);             /* no precision after all: '0' counts */
    CMP_RT("[%08.*d]", -3, 42);
    CMP_RT("[%08.*d]", 3, 42);
    CMP("[%*.*x]", 10, 6, 0xbeefu);
    CMP("[%-*.*s]", 8, 3, "abcdef");
    CMP("[%*s]", -8, "ab");
    CMP("[%*c]", 4, 'z');
    CMP("[%.*s]", 0, "abc");
    CMP("[%*d][%d]", INT_MIN + 1000000000 + 1147483647, 1, 2);   /* -1: width 1 */
    CMP("[%.*d]", 0, 0);
}

TEST(chars_and_strings)
{
    CMP("%c%c%c", 'a', 'B', '~');
    CMP("[%5c][%-5c][%1c]", 'x', 'y', 'z');
    CMP("[%s][%10s][%-10s][%.2s][%10.2s][%-10.2s]", "hello", "hello", "hello", "hello", "hello", "hello");
    CMP("[%s][%5s][%.0s]", "", "", "abc");
    CMP("[%.10s][%.5s]", "abc", "abcde");
    CMP("[%3s]", "abcdef");
    CMP("%s %s", "multi", "word");
}

TEST(null_string_prints_null)
{
    const char *volatile nul = NULL;      /* hidden from -Wformat-overflow */

    EXPECT("(null)", "%s", nul);
    EXPECT("    (null)", "%10s", nul);
    EXPECT("(null)    |", "%-10s|", nul);
    EXPECT("(nu", "%.3s", nul);
}

TEST(precision_bounds_string_reads)
{
    char abc[3] = { 'a', 'b', 'c' };      /* not NUL-terminated: ASan checks we stop */
    char *heap = malloc(3);

    memcpy(heap, abc, 3);
    EXPECT("abc", "%.3s", abc);
    EXPECT("ab", "%.2s", heap);
    EXPECT("[  abc]", "[%5.3s]", heap);
    free(heap);
}

TEST(pointers)
{
    int x;
    void *p = &x;

    {
        char got[64], want[64];
        fmt_snprintf(got, sizeof got, "%p", p);
        snprintf(want, sizeof want, "%#lx", (unsigned long)(uintptr_t)p);
        CHECK_STR(got, want);
        fmt_snprintf(got, sizeof got, "[%20p][%-20p]", p, p);
        snprintf(want, sizeof want, "[%#20lx][%-#20lx]", (unsigned long)(uintptr_t)p,
                 (unsigned long)(uintptr_t)p);
        CHECK_STR(got, want);
    }
    EXPECT("0x0", "%p", (void *)0);
    EXPECT("0xffffffffffffffff", "%p", (void *)UINTPTR_MAX);
    EXPECT("0x1000", "%p", (void *)0x1000);
    EXPECT("[  0xabc]", "[%7p]", (void *)0xabc);
}

TEST(percent_and_plain_text)
{
    CMP("100%%");
    CMP("%%d %% %d%%", 5);
    CMP("no conversions at all");
    CMP_RT("", 0);
    EXPECT("50%", "%d%%", 50);
}

TEST(floating_point_prints_question_mark)
{
    /* Doubles travel in vector registers; the integers after them still line up. */
    EXPECT("? 42", "%f %d", 1.5, 42);
    EXPECT("[?][?][?][?] 7", "[%e][%g][%.3f][%10a] %d", 1.0, 2.0, 3.0, 4.0, 7);
    EXPECT("?|?|?|?", "%F|%E|%G|%A", 1.0, 2.0, 3.0, 4.0);
}

TEST(n_writes_nothing)
{
    int n = 1234;

    EXPECT("abcd 9", "ab%ncd %d", &n, 9);
    CHECK_EQ(n, 1234);
}

TEST(unknown_and_unfinished_conversions_echoed)
{
    char buf[64];
    const char *y = "%y", *y2 = "a%-5yb", *tail = "abc%", *tail2 = "abc%-5", *lc = "%lc%ls";

    CHECK_EQ(fmt_runtime(buf, sizeof buf, y, 1), 2);
    CHECK_STR(buf, "%y");
    CHECK_EQ(fmt_runtime(buf, sizeof buf, y2, 1), 6);
    CHECK_STR(buf, "a%-5yb");
    CHECK_EQ(fmt_runtime(buf, sizeof buf, tail, 1), 4);
    CHECK_STR(buf, "abc%");
    CHECK_EQ(fmt_runtime(buf, sizeof buf, tail2, 1), 6);
    CHECK_STR(buf, "abc%-5");
    CHECK_EQ(fmt_runtime(buf, sizeof buf, lc, 65, (void *)0), 2);
    CHECK_STR(buf, "??");
}

TEST(truncation_and_return_value)
{
    const char *full = "value=12345 end";
    int len = (int)strlen(full);

    for (size_t size = 1; size <= (size_t)len + 3; size++) {
        char buf[32];

        memset(buf, 0x5a, sizeof buf);
        CHECK_EQ(fmt_snprintf(buf, size, "value=%d %s", 12345, "end"), len);
        size_t kept = size - 1 < (size_t)len ? size - 1 : (size_t)len;
        CHECK(memcmp(buf, full, kept) == 0);
        CHECK_EQ(buf[kept], '\0');
        for (size_t i = kept + 1; i < sizeof buf; i++)
            CHECK_EQ((unsigned char)buf[i], 0x5a);     /* nothing written past the end */
    }
}

TEST(size_zero_writes_nothing)
{
    char buf[4] = { 'x', 'y', 'z', 'w' };

    CHECK_EQ(fmt_snprintf(NULL, 0, "%d-%s", 123, "abc"), 7);
    CHECK_EQ(fmt_snprintf(buf, 0, "%d-%s", 123, "abc"), 7);
    CHECK_EQ(buf[0], 'x');
    CHECK_EQ(fmt_snprintf(buf, 1, "%d", 123), 3);
    CHECK_EQ(buf[0], '\0');
    CHECK_EQ(buf[1], 'y');
}

TEST(truncation_matches_libc)
{
    static const char *const fmts[] = { "%s|%d", "%-12s|%+d", "%.3s%08d" };
    volatile size_t sizes[] = { 0, 1, 2, 5, 9, 13, 40 };

    for (size_t f = 0; f < sizeof fmts / sizeof fmts[0]; f++)
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            char got[64], want[64];
            size_t n = sizes[s];

            memset(got, 0x77, sizeof got);
            memset(want, 0x77, sizeof want);
            int rgot = fmt_runtime(got, n, fmts[f], "truncate", -987);
            int rwant = snprintf(want, n, fmts[f], "truncate", -987);
            CHECK_EQ(rgot, rwant);
            CHECK(memcmp(got, want, sizeof got) == 0);
        }
}

/* A sink that records what it is given. */
struct rec {
    char buf[64];
    size_t n;
};

static void rec_putc(void *ctx, char c)
{
    struct rec *r = ctx;

    if (r->n < sizeof r->buf)
        r->buf[r->n] = c;
    r->n++;
}

static int sink_format(fmt_putc_fn putc, struct rec *r, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = fmt_vformat(putc, r, fmt, ap);
    va_end(ap);
    return n;
}

static int rec_format(struct rec *r, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = fmt_vformat(rec_putc, r, fmt, ap);
    va_end(ap);
    return n;
}

TEST(vformat_feeds_sink_and_counts)
{
    struct rec r = { .n = 0 };

    CHECK_EQ(rec_format(&r, "[%5s|%-3d|%c]", "ab", 7, 'q'), 13);
    CHECK_EQ(r.n, 13);
    CHECK(memcmp(r.buf, "[   ab|7  |q]", 13) == 0);
    r.n = 0;
    CHECK_EQ(rec_format(&r, "%c%c", 0, 'a'), 2);      /* a NUL character is a character */
    CHECK_EQ(r.buf[0], 0);
    CHECK_EQ(r.buf[1], 'a');
}

static int fmt_vsnprintf_null_fmt(char *buf, size_t size)
{
    return fmt_runtime(buf, size, NULL);
}

TEST(vformat_rejects_null_arguments)
{
    struct rec r = { .n = 0 };
    char buf[4] = "abc";

    CHECK_EQ(sink_format(rec_putc, &r, NULL), -1);
    CHECK_EQ(sink_format(NULL, &r, "x"), -1);
    CHECK_EQ(r.n, 0);
    CHECK_EQ(fmt_vsnprintf_null_fmt(buf, sizeof buf), -1);
    CHECK_EQ(buf[0], '\0');                 /* still a valid (empty) string */
}

int main(void) { return unit_run(); }
