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

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] - y[i];
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
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
