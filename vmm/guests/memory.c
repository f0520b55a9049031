// SPDX-License-Identifier: MIT
/* guests/memory.c — fills every lazily populated page (2 MiB .. RAM size) with a pattern and reads it back. */
#include "lib/guest.h"

#define PAGE        4096ul
#define MAP_END     (1ul << 30)             /* the VMM's identity map ends at 1 GiB */
#define GOLDEN      0x9E3779B97F4A7C15ul    /* 2^64 / phi: neighbouring addresses get unrelated words */

/* The word at guest-physical address a (unsigned 64-bit wraparound). */
static inline uint64_t pattern(uint64_t a) { return (a * GOLDEN) >> 7; }

/*
 * The checksum the grader recomputes: sum = rol64(sum, 1) ^ word over every
 * 8-byte word from 2 MiB up to the RAM size, ascending, starting from 0.
 *
 *   M = 2**64 - 1; ram = 4 << 20; s = 0
 *   for a in range(2 << 20, ram, 8):
 *       w = ((a * 0x9E3779B97F4A7C15) & M) >> 7
 *       s = ((s << 1 | s >> 63) & M) ^ w
 *   print(f"memory: pages {(ram - (2 << 20)) // 4096} checksum {s:016x}")
 *
 * For 4 MiB it prints: memory: pages 512 checksum 0673788a49b6f9aa
 */
uint64_t guest_main(uint64_t ram_size)
{
    if (ram_size < RAM_LAZY_START || ram_size > MAP_END || ram_size % PAGE) {
        printf("memory: unusable RAM size 0x%lx\n", ram_size);
        return 2;
    }

    /* volatile: the read pass must load what the VMM's pages hold, not what the compiler remembers. */
    for (uint64_t a = RAM_LAZY_START; a < ram_size; a += 8)
        *(volatile uint64_t *)a = pattern(a);

    uint64_t sum = 0, bad = 0;
    for (uint64_t a = RAM_LAZY_START; a < ram_size; a += 8) {
        uint64_t w = *(volatile uint64_t *)a;
        if (w != pattern(a) && bad++ == 0)
            printf("memory: mismatch at 0x%lx: 0x%016lx, expected 0x%016lx\n", a, w, pattern(a));
        sum = rol64(sum, 1) ^ w;
    }

    /* pages = (ram_size - 2 MiB) / 4096; the checksum as computed above. */
    printf("memory: pages %lu checksum %016lx\n", (ram_size - RAM_LAZY_START) / PAGE, sum);
    if (bad) {
        printf("memory: %lu words wrong\n", bad);
        return 1;
    }
    return 0;
}
