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
 * memcmp and strlen look at eight bytes per step: a path's names are compared and measured on
 * every Linux call that takes one. A word is read through a type that may alias anything.
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

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (; n >= 8; x += 8, y += 8, n -= 8) {
        uint64_t u = *(const word_t *)x, v = *(const word_t *)y;
        if (u != v)
            return word_diff(u, v);
    }
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] - y[i];
    return 0;
}

/*
 * Up to the first aligned word a byte at a time, then a word at a time: an aligned word never
 * crosses a page, so reading the bytes after the NUL in the NUL's own word cannot fault (the
 * only reason AddressSanitizer, which the host tests run under, must not look at it).
 */
__attribute__((no_sanitize_address))
size_t strlen(const char *s)
{
    const char *p = s;
    for (; (uintptr_t)p % 8; p++)
        if (!*p)
            return (size_t)(p - s);
    for (;; p += 8) {
        uint64_t v = *(const word_t *)p;
        uint64_t zero = (v - ONES) & ~v & HIGHS;    /* the lowest set bit marks the first NUL */
        if (zero)
            return (size_t)(p - s) + ((unsigned)__builtin_ctzll(zero) >> 3);
    }
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
