// SPDX-License-Identifier: MIT
/* tests/linux/bigmem.c — memory the Linux way: big allocations, huge reservations, a deep stack. */
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

int main(void)
{
    printf("malloc 64 MiB: page sum %llu\n", (unsigned long long)big_malloc());
    printf("1 GiB reservation, one page touched: %d\n", big_reservation());
    printf("64 GiB PROT_NONE, 1 MiB window: %d\n", prot_none_then_window());
    printf("64 frames of 64 KiB: %llu\n", (unsigned long long)deep(63));
    return 0;
}
