/* SPDX-License-Identifier: MIT */
/* tests/unit.h — a minimal host unit-test harness that prints TAP. */
#pragma once

/*
 * Usage: include the file under test first, then this header.
 *
 *   TEST(buddy_splits) { CHECK_EQ(buddy_alloc(&b, 0), 16); }
 *   int main(void) { return unit_run(); }
 *
 * Each TEST registers itself; unit_run() prints "1..N", then one
 * "ok N - name" / "not ok N - name" per test with the first failed check as a
 * TAP comment, and returns non-zero if any test failed. A test stops at its
 * first failed check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <stdint.h>

/* xorshift64 for the randomized tests: seed unit_rng with a constant, and every run is identical. */
static uint64_t unit_rng;
static inline uint64_t unit_rng_next(void)
{
    uint64_t x = unit_rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return unit_rng = x;
}

struct unit_test {
    const char *name;
    void (*fn)(void);
};

#define UNIT_MAX_TESTS 256
static struct unit_test unit_tests[UNIT_MAX_TESTS];
static int unit_count;
static jmp_buf unit_jmp;
static char unit_msg[512];

/*
 * Kernel code under test may print (a lab stub's "[lab] not implemented" line):
 * on the host that goes to stderr, so it never disturbs the TAP on stdout.
 */
#include <stdarg.h>
void kprintf(const char *fmt, ...) __attribute__((weak, format(printf, 1, 2)));
void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}

static inline void unit_register(const char *name, void (*fn)(void))
{
    if (unit_count == UNIT_MAX_TESTS) {
        fprintf(stderr, "unit.h: too many tests\n");
        exit(2);
    }
    unit_tests[unit_count++] = (struct unit_test){ name, fn };
}

#define TEST(name)                                                          \
    static void test_##name(void);                                          \
    __attribute__((constructor)) static void register_##name(void)          \
    { unit_register(#name, test_##name); }                                  \
    static void test_##name(void)

static inline void unit_fail(const char *file, int line, const char *what)
{
    snprintf(unit_msg, sizeof unit_msg, "%s:%d: %s", file, line, what);
    longjmp(unit_jmp, 1);
}

#define CHECK(cond)                                                         \
    do { if (!(cond)) unit_fail(__FILE__, __LINE__, "CHECK(" #cond ")"); } while (0)

#define CHECK_EQ(a, b)                                                      \
    do {                                                                    \
        long long unit_a_ = (long long)(a), unit_b_ = (long long)(b);       \
        if (unit_a_ != unit_b_) {                                           \
            char unit_w_[400];                                              \
            snprintf(unit_w_, sizeof unit_w_, "%s == %s: %lld != %lld",     \
                     #a, #b, unit_a_, unit_b_);                             \
            unit_fail(__FILE__, __LINE__, unit_w_);                         \
        }                                                                   \
    } while (0)

#define CHECK_STR(a, b)                                                     \
    do {                                                                    \
        const char *unit_a_ = (a), *unit_b_ = (b);                          \
        if (strcmp(unit_a_, unit_b_) != 0) {                                \
            char unit_w_[400];                                              \
            snprintf(unit_w_, sizeof unit_w_, "%s == %s: \"%.150s\" != \"%.150s\"", \
                     #a, #b, unit_a_, unit_b_);                             \
            unit_fail(__FILE__, __LINE__, unit_w_);                         \
        }                                                                   \
    } while (0)

static inline int unit_run(void)
{
    volatile int failed = 0;     /* survives the longjmp */
    setvbuf(stdout, NULL, _IONBF, 0);    /* a test that crashes (ASan, UBSan) still shows the lines before */
    printf("1..%d\n", unit_count);
    for (int i = 0; i < unit_count; i++) {
        unit_msg[0] = 0;
        if (setjmp(unit_jmp) == 0) {
            unit_tests[i].fn();
            printf("ok %d - %s\n", i + 1, unit_tests[i].name);
        } else {
            failed++;
            printf("not ok %d - %s\n# %s\n", i + 1, unit_tests[i].name, unit_msg);
        }
    }
    fflush(stdout);
    return failed ? 1 : 0;
}
