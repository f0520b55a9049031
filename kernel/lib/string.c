// SPDX-License-Identifier: MIT
/* lib/string.c — the mem* and str* functions the compiler and the kernel need. */
#include <stdint.h>
#include "lib/string.h"

/*
 * memset and memcpy move eight bytes per step and the rest one at a time: string instructions
 * with a count, which every x86-64 CPU runs fast. (Under QEMU's -icount, where benchmarks count
 * instructions, each repetition counts as one: eight bytes per step matters there too.)
 */
void *memset(void *d, int c, size_t n)
{
    void *r = d;
    size_t q = n / 8, b = n % 8;
    uint64_t v = 0x0101010101010101ULL * (uint8_t)c;
    __asm__ volatile("rep stosq" : "+D"(d), "+c"(q) : "a"(v) : "memory");
    __asm__ volatile("rep stosb" : "+D"(d), "+c"(b) : "a"(v) : "memory");
    return r;
}

void *memcpy(void *d, const void *s, size_t n)
{
    void *r = d;
    size_t q = n / 8, b = n % 8;
    __asm__ volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(q) :: "memory");
    __asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(b) :: "memory");
    return r;
}

void *memmove(void *d, const void *s, size_t n)
{
    unsigned char *dp = d;
    const unsigned char *sp = s;
    if (dp <= sp || dp >= sp + n)
        return memcpy(d, s, n);
    while (n--)
        dp[n] = sp[n];
    return d;
}

/*
 * memcmp, memchr and strlen look at eight bytes per step: a path's names are sought, compared
 * and measured on every Linux call that takes one. A word is read through a type that may alias anything.
 */
typedef uint64_t __attribute__((may_alias, aligned(1))) word_t;

#define ONES  0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* The first byte in which a and b differ (they do), compared as unsigned bytes. */
static int word_diff(uint64_t a, uint64_t b)
{
    unsigned shift = (unsigned)__builtin_ctzll(a ^ b) & ~7u;    /* little-endian: lowest first */
    return (int)((a >> shift) & 0xff) - (int)((b >> shift) & 0xff);
}

/* Eight bytes a step; a tail of fewer is the last eight bytes again (those before it are equal). */
int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    if (n < 8) {
        for (size_t i = 0; i < n; i++)
            if (x[i] != y[i])
                return x[i] - y[i];
        return 0;
    }
    for (size_t i = 0;; i += 8) {
        if (i > n - 8)
            i = n - 8;
        uint64_t u = *(const word_t *)(x + i), v = *(const word_t *)(y + i);
        if (u != v)
            return word_diff(u, v);
        if (i == n - 8)
            return 0;
    }
}

/*
 * memchr and strlen read the aligned words that hold their bytes, the first and last words
 * whole: an aligned word never crosses a page, so the bytes before the start and after the
 * end in those words cannot fault (reading them is why AddressSanitizer, which the host tests
 * run under, must not look). The bytes before the start are set to 0xff first, so that
 * nothing there looks like a hit.
 */
static uint64_t zero_bytes(uint64_t v)          /* the lowest set bit marks v's first zero byte */
{
    return (v - ONES) & ~v & HIGHS;
}

static uint64_t before_start(const void *s)     /* a mask of the bytes of s's word before s */
{
    return (1ULL << ((uintptr_t)s % 8 * 8)) - 1;
}

__attribute__((no_sanitize_address))
void *memchr(const void *s, int c, size_t n)
{
    if (!n)
        return NULL;
    const unsigned char *last = (const unsigned char *)s + n - 1;
    const word_t *w = (const word_t *)((uintptr_t)s & ~7UL);
    uint64_t pat = ONES * (unsigned char)c;
    uint64_t hit = zero_bytes((*w ^ pat) | before_start(s));
    while (!hit) {
        if ((const unsigned char *)++w > last)
            return NULL;
        hit = zero_bytes(*w ^ pat);
    }
    const unsigned char *at = (const unsigned char *)w + ((unsigned)__builtin_ctzll(hit) >> 3);
    return at <= last ? (void *)at : NULL;
}

__attribute__((no_sanitize_address))
size_t strlen(const char *s)
{
    const word_t *w = (const word_t *)((uintptr_t)s & ~7UL);
    uint64_t hit = zero_bytes(*w | before_start(s));
    while (!hit)
        hit = zero_bytes(*++w);
    return (size_t)((const char *)w - s) + ((unsigned)__builtin_ctzll(hit) >> 3);
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (a[i] != b[i])
            return (unsigned char)a[i] - (unsigned char)b[i];
        if (!a[i])
            return 0;
    }
    return 0;
}
