// SPDX-License-Identifier: MIT
/* tests/linux/bigmem.c — memory the Linux way: big allocations, huge reservations, a deep stack. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

/* Every page of a 64 MiB malloc written and summed: all of it is there. */
static uint64_t big_malloc(void)
{
    size_t len = 64u << 20;
    uint8_t *m = malloc(len);
    if (!m)
        return 0;
    for (size_t i = 0; i < len; i += 4096)
        m[i] = (uint8_t)(i >> 12);
    uint64_t sum = 0;
    for (size_t i = 0; i < len; i += 4096)
        sum += m[i];
    free(m);
    return sum;
}

/* A 1 GiB reservation touched in one page: only that page costs memory. */
static int big_reservation(void)
{
    size_t len = 1ul << 30;
    char *r = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (r == MAP_FAILED)
        return -1;
    r[len / 2] = 42;
    int v = r[len / 2] + r[0] + r[len - 1];     /* untouched pages read as zero */
    munmap(r, len);
    return v;
}

/* Go's way: 64 GiB of PROT_NONE, then a window made usable. */
static int prot_none_then_window(void)
{
    size_t len = 64ul << 30;
    char *r = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (r == MAP_FAILED)
        return -1;
    char *w = r + (32ul << 30);
    if (mprotect(w, 1 << 20, PROT_READ | PROT_WRITE))
        return -2;
    memset(w, 7, 1 << 20);
    int v = w[0] + w[(1 << 20) - 1];
    munmap(r, len);
    return v;
}

/* Recursion with 64 KiB of frame each, 64 deep: a 4 MiB stack, grown on fault. */
static uint64_t deep(int n)
{
    volatile uint8_t frame[64 << 10];
    frame[0] = (uint8_t)n;
    frame[sizeof frame - 1] = (uint8_t)(n * 3);
    if (n == 0)
        return frame[0] + frame[sizeof frame - 1];
    return deep(n - 1) + frame[0] + frame[sizeof frame - 1];
}

/* mremap: a mapping grown (moved, its pages with it), shrunk where it is, moved to a fixed
 * place; an unmapped range (-EFAULT) and a zero size (-EINVAL) refused; what the pages hold
 * kept throughout: the sum of one byte per page. */
static long page_sum(const unsigned char *p, long pages)
{
    long s = 0;
    for (long i = 0; i < pages; i++)
        s += p[i * 4096];
    return s;
}

static void remaps(void)
{
    const long P = 4096;
    unsigned char *a = mmap(NULL, 4 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < 4; i++)
        a[i * P] = (unsigned char)(10 + i);
    unsigned char *b = mremap(a, 4 * P, 1024 * P, MREMAP_MAYMOVE);
    printf("mremap grow: ok %d, kept %ld, a new page reads %d\n", b != MAP_FAILED, page_sum(b, 4), b[1000 * P]);
    b[1023 * P] = 7;
    unsigned char *c = mremap(b, 1024 * P, 2 * P, 0);
    printf("mremap shrink: in place %d, kept %ld\n", c == b, page_sum(c, 2));
    unsigned char *d = mmap(NULL, 8 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    unsigned char *e = mremap(c, 2 * P, 2 * P, MREMAP_MAYMOVE | MREMAP_FIXED, d + 4 * P);
    printf("mremap fixed: there %d, kept %ld\n", e == d + 4 * P, page_sum(e, 2));
    unsigned char *hole = mmap(NULL, P, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(hole, P);                                 /* nothing there now */
    errno = 0;
    void *f = mremap(hole, P, 2 * P, MREMAP_MAYMOVE);
    printf("mremap of nothing: failed %d, errno %d\n", f == MAP_FAILED, errno);
    errno = 0;
    f = mremap(d, P, 0, MREMAP_MAYMOVE);
    printf("mremap to size 0: failed %d, errno %d\n", f == MAP_FAILED, errno);
    munmap(d, 8 * P);
}

int main(void)
{
    printf("malloc 64 MiB: page sum %llu\n", (unsigned long long)big_malloc());
    printf("1 GiB reservation, one page touched: %d\n", big_reservation());
    printf("64 GiB PROT_NONE, 1 MiB window: %d\n", prot_none_then_window());
    printf("64 frames of 64 KiB: %llu\n", (unsigned long long)deep(63));
    remaps();
    return 0;
}
