/* SPDX-License-Identifier: MIT */
/* tests/test_hip.c — host tests for the HIP builder and its checksum. */
#include "kernel/lib/hip.c"
#include "unit.h"

/* The HIP lives in a heap block of exactly its size, so ASan sees any write past it. */
static struct hip *hip_new(void)
{
    struct hip *h = malloc(sizeof *h);
    if (!h)
        abort();
    memset(h, 0xa5, sizeof *h);                 /* hip_init must clear this */
    hip_init(h);
    return h;
}

/* A HIP as the kernel fills it on a 4-CPU QEMU machine. */
static struct hip *hip_qemu(void)
{
    struct hip *h = hip_new();
    h->features = HIP_FEAT_VMX | HIP_FEAT_EPT | HIP_FEAT_TSC_DEADLINE | HIP_FEAT_X2APIC;
    h->tsc_khz = 2893212;
    h->lapic_khz = 1000000;
    h->sel_max = 1u << 20;
    h->frames_free = 0x7a00;
    hip_add_mem(h, 0x0, 0x9fc00, HIP_MEM_AVAILABLE);
    hip_add_mem(h, 0x9fc00, 0x400, HIP_MEM_RESERVED);
    hip_add_mem(h, 0x100000, 0x7ee0000, HIP_MEM_AVAILABLE);
    hip_add_mem(h, 0x7fe0000, 0x20000, HIP_MEM_ACPI);
    hip_add_mem(h, 0x100000, 0x80000, HIP_MEM_KERNEL);
    hip_add_mem(h, 0x200000, 0xf1234, HIP_MEM_MODULE);
    hip_add_module(h, 0x200000, 0xf1234, "roottask");
    hip_add_module(h, 0x2f2000, 0xae000, "linux.elf console=ttyS0");
    for (uint8_t id = 0; id < 4; id++)
        hip_add_cpu(h, id);
    return h;
}

static const uint8_t zeros[sizeof(struct hip)];

TEST(init_sets_header_and_clears)
{
    struct hip *h = hip_new();
    CHECK_EQ(h->signature, HIP_SIGNATURE);
    CHECK_EQ(h->version, HIP_VERSION);
    CHECK_EQ(h->length, sizeof(struct hip));
    CHECK_EQ(h->length, 2544);
    CHECK_EQ(h->checksum, 0);
    CHECK_EQ(h->num_cpus, 0);
    CHECK_EQ(h->num_mem, 0);
    CHECK_EQ(h->num_mods, 0);
    CHECK_EQ(h->mem_total, 0);
    /* Everything after the 8-byte header is zero. */
    CHECK(memcmp((uint8_t *)h + 8, zeros, sizeof *h - 8) == 0);
    free(h);
}

TEST(init_unsealed_is_invalid)
{
    struct hip *h = hip_new();
    CHECK(!hip_valid(h));
    hip_seal(h);
    CHECK(hip_valid(h));
    free(h);
}

TEST(add_mem_up_to_limit)
{
    struct hip *h = hip_new();
    for (unsigned i = 0; i < HIP_MAX_MEM; i++)
        CHECK(hip_add_mem(h, (uint64_t)i << 24, 0x1000 * (i + 1), i % 2 ? HIP_MEM_RESERVED : HIP_MEM_KERNEL));
    CHECK_EQ(h->num_mem, HIP_MAX_MEM);
    for (unsigned i = 0; i < HIP_MAX_MEM; i++) {
        CHECK_EQ(h->mem[i].addr, (uint64_t)i << 24);
        CHECK_EQ(h->mem[i].size, 0x1000 * (i + 1));
        CHECK_EQ(h->mem[i].type, i % 2 ? HIP_MEM_RESERVED : HIP_MEM_KERNEL);
        CHECK_EQ(h->mem[i].reserved, 0);
    }

    /* Full: refused, and nothing in the HIP changes (mod[] follows mem[]). */
    struct hip before = *h;
    CHECK(!hip_add_mem(h, 0x1234, 0x5678, HIP_MEM_AVAILABLE));
    CHECK(!hip_add_mem(h, 0, 0, HIP_MEM_RESERVED));
    CHECK(memcmp(&before, h, sizeof *h) == 0);
    CHECK_EQ(h->num_mem, HIP_MAX_MEM);
    CHECK_EQ(h->mem_total, 0);
    free(h);
}

TEST(mem_total_counts_available_only)
{
    struct hip *h = hip_new();
    CHECK(hip_add_mem(h, 0, 0x9fc00, HIP_MEM_AVAILABLE));
    CHECK(hip_add_mem(h, 0x9fc00, 0x400, HIP_MEM_RESERVED));
    CHECK(hip_add_mem(h, 0xe0000, 0x20000, HIP_MEM_ACPI));
    CHECK(hip_add_mem(h, 0xf0000, 0x1000, HIP_MEM_NVS));
    CHECK(hip_add_mem(h, 0xf1000, 0x1000, HIP_MEM_BAD));
    CHECK(hip_add_mem(h, 0x100000, 0x7ee0000, HIP_MEM_AVAILABLE));
    CHECK(hip_add_mem(h, 0x100000, 0x80000, HIP_MEM_KERNEL));
    CHECK(hip_add_mem(h, 0x200000, 0x10000, HIP_MEM_MODULE));
    CHECK(hip_add_mem(h, 0x100000000ull, 0x100000000ull, HIP_MEM_AVAILABLE));
    CHECK_EQ(h->mem_total, 0x9fc00 + 0x7ee0000 + 0x100000000ull);
    CHECK_EQ(h->num_mem, 9);
    CHECK_EQ(h->mem[6].type, HIP_MEM_KERNEL);
    CHECK_EQ(h->mem[7].type, HIP_MEM_MODULE);
    free(h);
}

TEST(mem_total_ignores_refused_entry)
{
    struct hip *h = hip_new();
    for (unsigned i = 0; i < HIP_MAX_MEM; i++)
        CHECK(hip_add_mem(h, (uint64_t)i << 20, 0x100, HIP_MEM_AVAILABLE));
    CHECK_EQ(h->mem_total, 0x100 * HIP_MAX_MEM);
    CHECK(!hip_add_mem(h, 0, 0x100000, HIP_MEM_AVAILABLE));
    CHECK_EQ(h->mem_total, 0x100 * HIP_MAX_MEM);
    free(h);
}

TEST(add_module_up_to_limit)
{
    struct hip *h = hip_new();
    char cmd[16];
    for (unsigned i = 0; i < HIP_MAX_MODS; i++) {
        snprintf(cmd, sizeof cmd, "mod%u arg", i);
        CHECK(hip_add_module(h, 0x1000000 + i * 0x100000, 0x1000 + i, cmd));
    }
    CHECK_EQ(h->num_mods, HIP_MAX_MODS);
    for (unsigned i = 0; i < HIP_MAX_MODS; i++) {
        snprintf(cmd, sizeof cmd, "mod%u arg", i);
        CHECK_EQ(h->mod[i].addr, 0x1000000 + i * 0x100000);
        CHECK_EQ(h->mod[i].size, 0x1000 + i);
        CHECK_STR(h->mod[i].cmdline, cmd);
    }

    /* mod[] is the last member: a write past it would hit the heap redzone. */
    struct hip before = *h;
    CHECK(!hip_add_module(h, 0xdead000, 0x1000, "extra"));
    CHECK(memcmp(&before, h, sizeof *h) == 0);
    free(h);
}

TEST(module_cmdline_cut_and_terminated)
{
    struct hip *h = hip_new();
    char lng[300], exact[HIP_CMDLINE_LEN], over[HIP_CMDLINE_LEN + 1];

    memset(lng, 'x', sizeof lng - 1);
    lng[sizeof lng - 1] = 0;
    memset(exact, 'y', sizeof exact - 1);       /* 119 chars: fits */
    exact[sizeof exact - 1] = 0;
    memset(over, 'z', sizeof over - 1);         /* 120 chars: one too many */
    over[sizeof over - 1] = 0;

    /* Pre-fill the slots with garbage: the cut string must still end in NUL. */
    memset(h->mod, 0xee, sizeof h->mod);
    CHECK(hip_add_module(h, 1, 2, lng));
    CHECK(hip_add_module(h, 3, 4, exact));
    CHECK(hip_add_module(h, 5, 6, over));
    CHECK(hip_add_module(h, 7, 8, ""));
    CHECK(hip_add_module(h, 9, 10, NULL));
    CHECK_EQ(strlen(h->mod[0].cmdline), HIP_CMDLINE_LEN - 1);
    CHECK(strncmp(h->mod[0].cmdline, lng, HIP_CMDLINE_LEN - 1) == 0);
    CHECK_STR(h->mod[1].cmdline, exact);
    CHECK_EQ(h->mod[2].cmdline[HIP_CMDLINE_LEN - 1], 0);
    CHECK_EQ(strlen(h->mod[2].cmdline), HIP_CMDLINE_LEN - 1);
    CHECK_STR(h->mod[3].cmdline, "");
    CHECK_STR(h->mod[4].cmdline, "");
    CHECK_EQ(h->mod[4].addr, 9);
    CHECK_EQ(h->mod[4].size, 10);
    free(h);
}

TEST(add_cpu_up_to_limit)
{
    struct hip *h = hip_new();
    for (unsigned i = 0; i < HIP_MAX_CPUS; i++)
        CHECK(hip_add_cpu(h, (uint8_t)(i * 2 + 1)));
    CHECK_EQ(h->num_cpus, HIP_MAX_CPUS);
    for (unsigned i = 0; i < HIP_MAX_CPUS; i++) {
        CHECK_EQ(h->cpu[i].apic_id, i * 2 + 1);
        CHECK_EQ(h->cpu[i].online, 1);
        CHECK_EQ(h->cpu[i].reserved[0], 0);
        CHECK_EQ(h->cpu[i].reserved[1], 0);
    }

    /* Full: refused, and mem[] right after cpu[] is untouched. */
    struct hip before = *h;
    CHECK(!hip_add_cpu(h, 0xff));
    CHECK(memcmp(&before, h, sizeof *h) == 0);
    free(h);
}

TEST(full_hip_seals_valid)
{
    struct hip *h = hip_new();
    for (unsigned i = 0; i < HIP_MAX_CPUS; i++)
        CHECK(hip_add_cpu(h, (uint8_t)i));
    for (unsigned i = 0; i < HIP_MAX_MEM; i++)
        CHECK(hip_add_mem(h, (uint64_t)i << 30, 1ull << 30, HIP_MEM_AVAILABLE));
    for (unsigned i = 0; i < HIP_MAX_MODS; i++)
        CHECK(hip_add_module(h, i, i, "a module with a command line"));
    hip_seal(h);
    CHECK(hip_valid(h));
    CHECK_EQ(h->mem_total, (uint64_t)HIP_MAX_MEM << 30);
    free(h);
}

TEST(seal_makes_valid)
{
    struct hip *h = hip_qemu();
    CHECK(!hip_valid(h));                        /* not sealed yet */
    hip_seal(h);
    CHECK(hip_valid(h));
    CHECK_EQ(h->num_cpus, 4);
    CHECK_EQ(h->num_mem, 6);
    CHECK_EQ(h->num_mods, 2);
    CHECK_EQ(h->mem_total, 0x9fc00 + 0x7ee0000);

    /* Sealing twice gives the same checksum. */
    uint16_t sum = h->checksum;
    hip_seal(h);
    CHECK_EQ(h->checksum, sum);
    CHECK(hip_valid(h));

    /* A change after sealing needs a reseal. */
    h->frames_free--;
    CHECK(!hip_valid(h));
    hip_seal(h);
    CHECK(hip_valid(h));
    free(h);
}

TEST(valid_hip_copy_is_valid)
{
    /* The roottask checks its mapping of the page, not the kernel's object. */
    struct hip *h = hip_qemu();
    hip_seal(h);
    uint8_t *page = calloc(1, 4096);
    if (!page)
        abort();
    memcpy(page, h, sizeof *h);
    CHECK(hip_valid((const struct hip *)page));
    free(page);
    free(h);
}

TEST(every_single_byte_change_detected)
{
    /* Every byte of the checked length, every single-bit flip, all-bits flip, +1. */
    struct hip *h = hip_qemu();
    hip_seal(h);
    CHECK(hip_valid(h));
    uint8_t *b = (uint8_t *)h;
    unsigned len = h->length;
    CHECK_EQ(len, sizeof *h);
    for (unsigned i = 0; i < len; i++) {
        uint8_t orig = b[i];
        for (unsigned k = 0; k < 10; k++) {
            uint8_t x = k < 8 ? (uint8_t)(orig ^ (1u << k)) : k == 8 ? (uint8_t)~orig : (uint8_t)(orig + 1);
            b[i] = x;
            if (hip_valid(h)) {
                char msg[120];
                snprintf(msg, sizeof msg, "byte %u changed 0x%02x -> 0x%02x still valid", i, orig, x);
                unit_fail(__FILE__, __LINE__, msg);
            }
        }
        b[i] = orig;
    }
    CHECK(hip_valid(h));
    free(h);
}

TEST(every_single_byte_value_detected_in_header)
{
    /* Exhaustive over the first 64 bytes: each of the 255 other values of each byte. */
    struct hip *h = hip_qemu();
    hip_seal(h);
    uint8_t *b = (uint8_t *)h;
    for (unsigned i = 0; i < 64; i++) {
        uint8_t orig = b[i];
        for (unsigned v = 0; v < 256; v++) {
            if (v == orig)
                continue;
            b[i] = (uint8_t)v;
            CHECK(!hip_valid(h));
        }
        b[i] = orig;
    }
    CHECK(hip_valid(h));
    free(h);
}

TEST(counts_beyond_max_invalid_even_if_resealed)
{
    struct hip *h = hip_qemu();

    h->num_cpus = HIP_MAX_CPUS;
    hip_seal(h);
    CHECK(hip_valid(h));                        /* at the limit: fine */
    h->num_cpus = HIP_MAX_CPUS + 1;
    hip_seal(h);
    CHECK(!hip_valid(h));
    h->num_cpus = 0xffff;
    hip_seal(h);
    CHECK(!hip_valid(h));
    h->num_cpus = 4;

    h->num_mem = HIP_MAX_MEM + 1;
    hip_seal(h);
    CHECK(!hip_valid(h));
    h->num_mem = 6;

    h->num_mods = HIP_MAX_MODS + 1;
    hip_seal(h);
    CHECK(!hip_valid(h));
    h->num_mods = 2;

    hip_seal(h);
    CHECK(hip_valid(h));
    free(h);
}

TEST(header_changes_invalid_even_if_resealed)
{
    struct hip *h = hip_qemu();

    h->signature ^= 1;
    hip_seal(h);
    CHECK(!hip_valid(h));
    h->signature ^= 1;

    h->version = HIP_VERSION + 1;
    hip_seal(h);
    CHECK(!hip_valid(h));
    h->version = HIP_VERSION;

    /* Only shorter lengths: hip_seal sums `length` bytes and must not read past the HIP. */
    h->length = sizeof *h - 2;
    hip_seal(h);
    CHECK(!hip_valid(h));
    h->length = 0;
    hip_seal(h);
    CHECK(!hip_valid(h));
    h->length = sizeof *h;

    hip_seal(h);
    CHECK(hip_valid(h));
    free(h);
}

int main(void)
{
    return unit_run();
}
