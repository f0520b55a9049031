// SPDX-License-Identifier: MIT
/* guests/mmio.c — the VMM's MMIO test device: a read counter, a scratch register and scratch * 3 + 1. */
#include "lib/guest.h"

#define DEV_COUNT   (MMIO_DEV + 0x0)    /* read: 1, 2, 3, ... (one more after every read) */
#define DEV_SCRATCH (MMIO_DEV + 0x4)    /* write stores, read returns it */
#define DEV_TRIPLE  (MMIO_DEV + 0x8)    /* read: scratch * 3 + 1 mod 2^32 */

static unsigned mismatches;

/* One line per access: what came back, what the contract says, ok or MISMATCH. */
static void check(const char *what, uint32_t got, uint32_t want)
{
    int ok = got == want;
    printf("mmio: %s 0x%x expected 0x%x %s\n", what, got, want, ok ? "ok" : "MISMATCH");
    if (!ok)
        mismatches++;
}

uint64_t guest_main(uint64_t ram_size)
{
    /* The VMM's page tables end at 1 GiB; the device is at 0xfeb00000. */
    if (map_device(MMIO_DEV)) {
        puts("mmio: cannot map the device");
        return 100;
    }
    /* Lines 1-3: the counter, 0x1 0x2 0x3. */
    check("[0x0]", mmio_read32(DEV_COUNT), 1);
    check("[0x0]", mmio_read32(DEV_COUNT), 2);
    check("[0x0]", mmio_read32(DEV_COUNT), 3);

    /* The mov [reg], imm32 form; then scratch 0x1234 and 0x1234 * 3 + 1 = 0x369d. */
    mmio_write32_imm(DEV_SCRATCH, 0x1234);
    check("[0x4]", mmio_read32(DEV_SCRATCH), 0x1234);
    check("[0x8]", mmio_read32(DEV_TRIPLE), 0x369d);

    /*
     * The mov [reg], r32 form with a value the compiler cannot know:
     * s = ram_size >> 12 (4 MiB: 0x400), read back s * 3 + 1 mod 2^32 (0xc01).
     */
    uint32_t s = (uint32_t)(ram_size >> 12);
    mmio_write32(DEV_SCRATCH, s);
    check("[0x8]", mmio_read32(DEV_TRIPLE), s * 3 + 1);

    /* mmio: <mismatches> mismatches; expected 0. */
    printf("mmio: %u mismatches\n", mismatches);
    return mismatches;
}
