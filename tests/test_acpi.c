/* SPDX-License-Identifier: MIT */
/* tests/test_acpi.c — host tests for the RSDP search in the BIOS areas (multiboot 1 passes no RSDP). */
#include "kernel/arch/acpi.c"
#include "unit.h"

/*
 * The first MiB of physical memory as a heap block of exactly that size (ASan sees a read
 * past it): the BIOS data area's EBDA segment at 0x40e, the EBDA, the BIOS ROM at 0xe0000.
 */
#define LOW_SIZE 0x100000u

static uint8_t *low;

__attribute__((constructor)) static void low_make(void)
{
    low = malloc(LOW_SIZE);
    if (!low)
        abort();
}

static void low_clear(uint16_t ebda_seg)
{
    memset(low, 0, LOW_SIZE);
    low[0x40e] = (uint8_t)ebda_seg;
    low[0x40f] = (uint8_t)(ebda_seg >> 8);
}

static uint8_t sum(const uint8_t *p, unsigned n)
{
    uint8_t s = 0;
    for (unsigned i = 0; i < n; i++)
        s = (uint8_t)(s + p[i]);
    return s;
}

/* An RSDP at pa: revision 0 (20 bytes) or 2 (36), both checksums right; rsdt tells them apart. */
static void put_rsdp(uint32_t pa, uint8_t rev, uint32_t rsdt)
{
    uint8_t *p = low + pa;
    memcpy(p, "RSD PTR ", 8);
    p[8] = 0;
    memcpy(p + 9, "BOCHS ", 6);
    p[15] = rev;
    memcpy(p + 16, &rsdt, 4);
    p[8] = (uint8_t)-sum(p, 20);
    if (rev >= 2) {
        uint32_t len = 36;
        uint64_t xsdt = 0x07fe15f0 + rsdt;
        memcpy(p + 20, &len, 4);
        memcpy(p + 24, &xsdt, 8);
        p[32] = 0;
        p[33] = p[34] = p[35] = 0;
        p[32] = (uint8_t)-sum(p, 36);
    }
}

static uint8_t out[36];

TEST(v1_in_bios_rom_found)
{
    low_clear(0x9fc0);
    put_rsdp(0xf5a20, 0, 0x07fe14a5);
    memset(out, 0x77, sizeof out);
    CHECK_EQ(acpi_rsdp_scan(low, LOW_SIZE, out), 0xf5a20);
    CHECK(memcmp(out, low + 0xf5a20, 20) == 0);
    for (unsigned i = 20; i < 36; i++)
        CHECK_EQ(out[i], 0);                    /* zero-extended: no XSDT read from it */
}

TEST(v2_copied_whole)
{
    low_clear(0);
    put_rsdp(0xe0000, 2, 0x1000);
    CHECK_EQ(acpi_rsdp_scan(low, LOW_SIZE, out), 0xe0000);
    CHECK(memcmp(out, low + 0xe0000, 36) == 0);

    low_clear(0);
    put_rsdp(0xffff0 - 32, 2, 0x1000);          /* the last place a v2 fits */
    CHECK_EQ(acpi_rsdp_scan(low, LOW_SIZE, out), 0xffff0 - 32);
}

TEST(ebda_searched_first)
{
    low_clear(0x9fc0);
    put_rsdp(0xf0000, 0, 0x2000);
    put_rsdp(0x9fc00 + 0x3d0, 2, 0x1000);       /* the last place a v2 fits in the first KiB */
    CHECK_EQ(acpi_rsdp_scan(low, LOW_SIZE, out), 0x9fc00 + 0x3d0);
    uint32_t rsdt;
    memcpy(&rsdt, out + 16, 4);
    CHECK_EQ(rsdt, 0x1000);
}

TEST(ebda_beyond_its_first_kib_not_searched)
{
    low_clear(0x9fc0);
    put_rsdp(0x9fc00 + 0x400, 0, 0x1000);
    CHECK_EQ(acpi_rsdp_scan(low, LOW_SIZE, out), 0);
    put_rsdp(0xfe000, 0, 0x2000);
    CHECK_EQ(acpi_rsdp_scan(low, LOW_SIZE, out), 0xfe000);
}

TEST(bad_ebda_segment_ignored)
{
    /* Segment 0 (none) or one into the interrupt table: straight to the BIOS ROM. */
    static const uint16_t segs[] = { 0, 0x1, 0x40 };
    for (unsigned i = 0; i < 3; i++) {
        low_clear(segs[i]);
        put_rsdp(0x10 * segs[i] + 0x10, 0, 0x3000);    /* would be found if searched */
        put_rsdp(0xe1230, 0, 0x1000);
        CHECK_EQ(acpi_rsdp_scan(low, LOW_SIZE, out), 0xe1230);
    }
    /* An EBDA at the window's end: searched up to the end only. */
    low_clear(0xfff0);
    put_rsdp(0xe0000, 0, 0x1000);
    CHECK_EQ(acpi_rsdp_scan(low, LOW_SIZE, out), 0xe0000);
}

TEST(only_16_byte_boundaries)
{
    low_clear(0);
    put_rsdp(0xf0008, 0, 0x1000);
    CHECK_EQ(acpi_rsdp_scan(low, LOW_SIZE, out), 0);
}

TEST(bad_checksums_skipped)
{
    low_clear(0);
    put_rsdp(0xe0000, 0, 0x1000);
    low[0xe0000 + 8]++;                         /* checksum off by one */
    put_rsdp(0xe0010, 2, 0x1000);
    low[0xe0010 + 32]++;                        /* extended checksum wrong */
    put_rsdp(0xe0040, 2, 0x1000);
    low[0xe0040 + 20] = 35;                     /* length below 36 */
    low[0xe0040 + 32] = 0;
    low[0xe0040 + 32] = (uint8_t)-sum(low + 0xe0040, 36);
    put_rsdp(0xe0080, 0, 0x1000);
    memcpy(low + 0xe0080, "RSD PTR!", 8);       /* not the signature */
    CHECK_EQ(acpi_rsdp_scan(low, LOW_SIZE, out), 0);
    put_rsdp(0xe00c0, 2, 0x4000);
    CHECK_EQ(acpi_rsdp_scan(low, LOW_SIZE, out), 0xe00c0);
}

TEST(v2_length_past_the_window_refused)
{
    /* An RSDP's first 16 bytes in the last 16 of the window: its 20 do not fit, so it is not read. */
    low_clear(0);
    memcpy(low + 0xffff0, "RSD PTR ", 8);
    low[0xffff0 + 15] = 2;
    CHECK_EQ(acpi_rsdp_scan(low, LOW_SIZE, out), 0);

    /* A v2 in the EBDA's last 32 bytes: 20 fit, 36 do not. */
    low_clear(0x9fc0);
    put_rsdp(0x9fc00 + 0x3e0, 2, 0x1000);
    CHECK_EQ(acpi_rsdp_scan(low, LOW_SIZE, out), 0);

    low_clear(0);
    put_rsdp(0xe0000, 2, 0x1000);
    uint32_t huge = 0xffffffffu;
    memcpy(low + 0xe0000 + 20, &huge, 4);
    CHECK_EQ(acpi_rsdp_scan(low, LOW_SIZE, out), 0);
}

TEST(small_windows_never_read_past)
{
    /* Windows smaller than a MiB: nothing beyond size is read (ASan), nothing found there. */
    static const size_t sizes[] = { 0, 1, 0x40f, 0x410, 0x9fc00, 0xe0000, 0xe0013, 0xe0014, 0xf0000 };
    low_clear(0x9fc0);
    put_rsdp(0xe0000, 0, 0x1000);
    for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        uint8_t *w = malloc(sizes[i] ? sizes[i] : 1);
        if (!w)
            abort();
        memcpy(w, low, sizes[i]);
        uint64_t pa = acpi_rsdp_scan(w, sizes[i], out);
        CHECK_EQ(pa, sizes[i] >= 0xe0014 ? 0xe0000 : 0);
        free(w);
    }
}

int main(void)
{
    return unit_run();
}
