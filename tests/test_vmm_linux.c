/* SPDX-License-Identifier: MIT */
/* tests/test_vmm_linux.c — host tests of the VMM's Linux loader: the setup header, placement, the zero page. */
#include "vmm/linux.c"
#include "unit.h"

#define MiB (1UL << 20)

/*
 * A synthetic bzImage head, written byte by byte at the offsets of
 * Documentation/x86/boot.rst (not through struct setup_header, so the
 * struct's layout is checked against them).
 */
static uint8_t head[LINUX_HEAD_BYTES];

static void put(uint64_t off, uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++)
        head[off + i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get(const void *base, uint64_t off, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; i++)
        v |= (uint64_t)((const uint8_t *)base)[off + i] << (8 * i);
    return v;
}

/* Like Debian's 6.1 kernel: 39 setup sectors, protocol 2.15, 16 MiB preferred, 63.6 MiB init_size. */
static void make_head(void)
{
    memset(head, 0, sizeof head);
    put(0x1f1, 39, 1);                 /* setup_sects */
    put(0x1fe, 0xaa55, 2);             /* boot_flag */
    put(0x200, 0x6aeb, 2);             /* jump: eb 6a, the header ends at 0x26c */
    put(0x202, 0x53726448, 4);         /* "HdrS" */
    put(0x206, 0x020f, 2);
    put(0x20e, 0x3000 - 0x200, 2);     /* kernel_version: the string at file offset 0x3000 */
    put(0x211, 0x01, 1);               /* loadflags: LOADED_HIGH */
    put(0x22c, 0x7fffffff, 4);         /* initrd_addr_max */
    put(0x230, 0x200000, 4);           /* kernel_alignment */
    put(0x236, 0x7f, 2);               /* xloadflags: XLF_KERNEL_64 and more */
    put(0x238, 2047, 4);               /* cmdline_size */
    put(0x258, 0x1000000, 8);          /* pref_address */
    put(0x260, 0x3f98000, 4);          /* init_size */
    memcpy(head + 0x3000, "6.1.0-57-amd64 (debian-kernel@lists.debian.org) #1", 51);
}

static const uint64_t file_size = 8247232;

TEST(plan_of_a_debian_like_kernel)
{
    make_head();
    struct linux_plan p;
    CHECK(linux_plan(head, sizeof head, file_size, 1234567, 100, 128 * MiB, &p) == NULL);
    CHECK_EQ(p.version, 0x020f);
    CHECK_EQ(p.kernel_offset, 40 * 512);
    CHECK_EQ(p.kernel_size, file_size - 40 * 512);
    CHECK_EQ(p.load, 0x1000000);
    CHECK_EQ(p.entry, 0x1000200);
    CHECK_EQ(p.end, 0x1000000 + 0x3f98000);
    CHECK_EQ(p.initrd, (128 * MiB - 1234567) & ~0xfffUL);   /* at the top, page aligned */
    CHECK(p.initrd + p.initrd_size <= 128 * MiB);
    CHECK_EQ(p.initrd_size, 1234567);
    CHECK_EQ(p.cmdline_len, 100);
}

TEST(setup_sects_zero_means_four)
{
    make_head();
    put(0x1f1, 0, 1);
    struct linux_plan p;
    CHECK(linux_plan(head, sizeof head, file_size, 0, 0, 128 * MiB, &p) == NULL);
    CHECK_EQ(p.kernel_offset, 5 * 512);
    CHECK_EQ(p.initrd, 0);
}

TEST(no_preferred_address_loads_at_16_mib)
{
    make_head();
    put(0x258, 0, 8);
    struct linux_plan p;
    CHECK(linux_plan(head, sizeof head, file_size, 0, 0, 128 * MiB, &p) == NULL);
    CHECK_EQ(p.load, 16 * MiB);
}

TEST(not_a_bzimage)
{
    struct linux_plan p = { .load = 42 };
    memset(head, 'x', sizeof head);                      /* a text file */
    CHECK_STR(linux_plan(head, sizeof head, file_size, 0, 0, 128 * MiB, &p),
              "not a bzImage: no boot-sector signature 0xaa55 and \"HdrS\" header");
    make_head();
    put(0x202, 0x53726449, 4);                           /* "IdrS" */
    CHECK(linux_plan(head, sizeof head, file_size, 0, 0, 128 * MiB, &p) != NULL);
    make_head();
    put(0x1fe, 0, 2);
    CHECK(linux_plan(head, sizeof head, file_size, 0, 0, 128 * MiB, &p) != NULL);
    CHECK_STR(linux_plan(head, 0x200, 0x200, 0, 0, 128 * MiB, &p), "not a bzImage: too short for a setup header");
    make_head();
    CHECK_STR(linux_plan(head, 40 * 512, 40 * 512, 0, 0, 128 * MiB, &p),
              "not a bzImage: no protected-mode kernel after the setup code");
    CHECK_EQ(p.load, 42);                                /* nothing written on failure */
}

TEST(old_protocol_or_no_64_bit_entry)
{
    struct linux_plan p;
    make_head();
    put(0x206, 0x020b, 2);
    CHECK_STR(linux_plan(head, sizeof head, file_size, 0, 0, 128 * MiB, &p),
              "boot protocol older than 2.12: no 64-bit entry point");
    make_head();
    put(0x206, 0x020c, 2);
    CHECK(linux_plan(head, sizeof head, file_size, 0, 0, 128 * MiB, &p) == NULL);
    put(0x236, 0x7e, 2);
    CHECK_STR(linux_plan(head, sizeof head, file_size, 0, 0, 128 * MiB, &p),
              "the kernel has no 64-bit entry point (XLF_KERNEL_64 not set)");
    make_head();
    put(0x211, 0, 1);
    CHECK_STR(linux_plan(head, sizeof head, file_size, 0, 0, 128 * MiB, &p), "a zImage (loaded low), not a bzImage");
}

TEST(too_little_memory)
{
    struct linux_plan p;
    make_head();
    uint64_t end = 0x1000000 + 0x3f98000;
    CHECK_STR(linux_plan(head, sizeof head, file_size, 0, 0, 64 * MiB, &p),
              "too little guest memory for this kernel and initrd");
    CHECK(linux_plan(head, sizeof head, file_size, 0, 0, end, &p) == NULL);            /* exactly enough */
    CHECK(linux_plan(head, sizeof head, file_size, 0, 0, end - 4096, &p) != NULL);
    CHECK(linux_plan(head, sizeof head, file_size, 8192, 0, end + 8192, &p) == NULL);  /* and the initrd */
    CHECK_EQ(p.initrd, end);
    CHECK(linux_plan(head, sizeof head, file_size, 8193, 0, end + 8192, &p) != NULL);
}

TEST(initrd_below_initrd_addr_max)
{
    struct linux_plan p;
    make_head();
    put(0x22c, 0x5ffffff, 4);                            /* 96 MiB - 1 */
    CHECK(linux_plan(head, sizeof head, file_size, 4096, 0, 512 * MiB, &p) == NULL);
    CHECK_EQ(p.initrd, 96 * MiB - 4096);
}

TEST(command_line_limit)
{
    struct linux_plan p;
    make_head();
    CHECK(linux_plan(head, sizeof head, file_size, 0, 2047, 128 * MiB, &p) == NULL);
    CHECK_STR(linux_plan(head, sizeof head, file_size, 0, 2048, 128 * MiB, &p),
              "the command line is longer than the kernel takes");
}

TEST(e820_map)
{
    struct boot_e820_entry e[8];
    CHECK_EQ(linux_e820(e, 8, 96 * MiB), 3);
    CHECK_EQ(e[0].addr, 0);
    CHECK_EQ(e[0].size, 640 * 1024);
    CHECK_EQ(e[0].type, E820_RAM);
    CHECK_EQ(e[1].type, E820_RESERVED);
    CHECK(e[1].addr >= 640 * 1024 && e[1].addr + e[1].size <= MiB);
    CHECK_EQ(e[2].addr, MiB);
    CHECK_EQ(e[2].size, 95 * MiB);
    CHECK_EQ(e[2].type, E820_RAM);
    CHECK_EQ(linux_e820(e, 2, 96 * MiB), 2);             /* never more than asked for */
}

/* The zero page, read back at the raw offsets of zero-page.rst. */
TEST(zero_page)
{
    static struct boot_params bp;
    struct linux_plan p;
    make_head();
    CHECK(linux_plan(head, sizeof head, file_size, 1 * MiB, 50, 128 * MiB, &p) == NULL);
    memset(&bp, 0xcc, sizeof bp);
    linux_zero_page(&bp, head, &p, 128 * MiB);
    CHECK_EQ(get(&bp, 0x1f1, 1), 39);                    /* the header as the file has it */
    CHECK_EQ(get(&bp, 0x202, 4), 0x53726448);
    CHECK_EQ(get(&bp, 0x206, 2), 0x020f);
    CHECK_EQ(get(&bp, 0x260, 4), 0x3f98000);
    CHECK_EQ(get(&bp, 0x258, 8), 0x1000000);
    CHECK_EQ(get(&bp, 0x210, 1), 0xff);                  /* type_of_loader */
    CHECK_EQ(get(&bp, 0x211, 1) & 0x01, 0x01);           /* still LOADED_HIGH */
    CHECK_EQ(get(&bp, 0x211, 1) & 0x20, 0);              /* not quiet */
    CHECK_EQ(get(&bp, 0x228, 4), LINUX_CMDLINE);         /* cmd_line_ptr */
    CHECK_EQ(get(&bp, 0x218, 4), 127 * MiB);             /* ramdisk_image */
    CHECK_EQ(get(&bp, 0x21c, 4), 1 * MiB);               /* ramdisk_size */
    CHECK_EQ(get(&bp, 0x0c0, 4), 0);                     /* ext_ramdisk_image */
    CHECK_EQ(get(&bp, 0x1e8, 1), 3);                     /* e820_entries */
    CHECK_EQ(get(&bp, 0x2d0 + 2 * 20, 8), MiB);          /* third entry: addr, size, type */
    CHECK_EQ(get(&bp, 0x2d0 + 2 * 20 + 8, 8), 127 * MiB);
    CHECK_EQ(get(&bp, 0x2d0 + 2 * 20 + 16, 4), 1);
    CHECK_EQ(get(&bp, 0x2d0 + 3 * 20, 8), 0);            /* the rest is zero */
    CHECK_EQ(get(&bp, 0x000, 8), 0);                     /* screen_info: no video */
    CHECK_EQ(get(&bp, 0xff8, 8), 0);
}

TEST(version_string)
{
    make_head();
    CHECK_STR(linux_version(head, sizeof head), "6.1.0-57-amd64 (debian-kernel@lists.debian.org) #1");
    put(0x20e, 0, 2);
    CHECK_STR(linux_version(head, sizeof head), "");
    put(0x20e, sizeof head, 2);                          /* beyond what was read */
    CHECK_STR(linux_version(head, sizeof head), "");
}

int main(void)
{
    return unit_run();
}
