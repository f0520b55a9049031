/* SPDX-License-Identifier: MIT */
/* tests/test_multiboot.c — host tests for the boot-information readers: multiboot2 and multiboot 1. */
#include "kernel/boot/multiboot.c"
#include "unit.h"

/*
 * A blob is built in memory the way GRUB lays it out:
 *
 *   0  u32 total_size   4  u32 reserved
 *   8  tag { u32 type, u32 size, payload }   each tag starts 8-byte aligned
 *   .. end tag { 0, 8 }
 *
 * blob_tag() opens a tag, put*() append its payload, blob_close() writes its
 * size and pads to 8; blob_end() appends the end tag and writes total_size.
 */
#define BLOB_MAX   8192
#define INFO_PHYS  0x10000ull

struct blob {
    uint8_t b[BLOB_MAX];
    uint32_t len;
    uint32_t tag;               /* offset of the open tag */
};

static void w32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void w64(uint8_t *p, uint64_t v)
{
    w32(p, (uint32_t)v);
    w32(p + 4, (uint32_t)(v >> 32));
}

static void put_bytes(struct blob *bl, const void *src, uint32_t n)
{
    if (bl->len + n > BLOB_MAX)
        abort();
    memcpy(bl->b + bl->len, src, n);
    bl->len += n;
}

static void put32(struct blob *bl, uint32_t v)
{
    uint8_t t[4];
    w32(t, v);
    put_bytes(bl, t, 4);
}

static void put64(struct blob *bl, uint64_t v)
{
    uint8_t t[8];
    w64(t, v);
    put_bytes(bl, t, 8);
}

static void blob_begin(struct blob *bl)
{
    memset(bl, 0, sizeof *bl);
    bl->len = 8;
}

static void blob_tag(struct blob *bl, uint32_t type)
{
    bl->tag = bl->len;
    put32(bl, type);
    put32(bl, 0);
}

/* Write the open tag's size (its unpadded length) and pad to 8. */
static void blob_close(struct blob *bl)
{
    w32(bl->b + bl->tag + 4, bl->len - bl->tag);
    while (bl->len % 8)
        bl->b[bl->len++] = 0;
}

static void blob_end(struct blob *bl)
{
    blob_tag(bl, MB2_TAG_END);
    blob_close(bl);
    w32(bl->b, bl->len);
}

/* Memory map tag with n entries of 24 bytes. */
struct mm {
    uint64_t addr, len;
    uint32_t type;
};

static void add_mmap(struct blob *bl, const struct mm *e, unsigned n)
{
    blob_tag(bl, MB2_TAG_MMAP);
    put32(bl, 24);
    put32(bl, 0);
    for (unsigned i = 0; i < n; i++) {
        put64(bl, e[i].addr);
        put64(bl, e[i].len);
        put32(bl, e[i].type);
        put32(bl, 0);
    }
    blob_close(bl);
}

static void add_module(struct blob *bl, uint32_t start, uint32_t end, const char *cmdline)
{
    blob_tag(bl, MB2_TAG_MODULE);
    put32(bl, start);
    put32(bl, end);
    put_bytes(bl, cmdline, (uint32_t)strlen(cmdline) + 1);
    blob_close(bl);
}

static void add_string_tag(struct blob *bl, uint32_t type, const char *s)
{
    blob_tag(bl, type);
    put_bytes(bl, s, (uint32_t)strlen(s) + 1);
    blob_close(bl);
}

static void add_rsdp(struct blob *bl, uint32_t type, const uint8_t *rsdp, uint32_t n)
{
    blob_tag(bl, type);
    put_bytes(bl, rsdp, n);
    blob_close(bl);
}

/* QEMU's e820 for -m 128M. */
static const struct mm qemu_map[6] = {
    { 0x0,          0x9fc00,    1 },
    { 0x9fc00,      0x400,      2 },
    { 0xf0000,      0x10000,    2 },
    { 0x100000,     0x7ee0000,  1 },
    { 0x7fe0000,    0x20000,    2 },
    { 0xfffc0000,   0x40000,    2 },
};

#define MOD0_CMD  "roottask"
#define MOD1_CMD  "linux.elf console=ttyS0 init=/bin/sh"

/* RSDPs with distinct contents: v1 (revision 0, 20 bytes), v2 (revision 2, 36 bytes). */
static uint8_t rsdp_v1[20], rsdp_v2[36];

__attribute__((constructor)) static void rsdp_make(void)
{
    memcpy(rsdp_v1, "RSD PTR ", 8);
    rsdp_v1[8] = 0x51;                          /* checksum (not checked here) */
    memcpy(rsdp_v1 + 9, "BOCHS ", 6);
    rsdp_v1[15] = 0;                            /* revision */
    w32(rsdp_v1 + 16, 0x07fe14a5);              /* RSDT */

    memcpy(rsdp_v2, "RSD PTR ", 8);
    rsdp_v2[8] = 0x7c;
    memcpy(rsdp_v2 + 9, "BOCHS ", 6);
    rsdp_v2[15] = 2;
    w32(rsdp_v2 + 16, 0x07fe1500);
    w32(rsdp_v2 + 20, 36);                      /* length */
    w64(rsdp_v2 + 24, 0x07fe15f0);              /* XSDT */
    rsdp_v2[32] = 0xa3;                         /* extended checksum */
    rsdp_v2[33] = 0xee;                         /* reserved, nonzero to tell apart */
    rsdp_v2[34] = 0xdd;
    rsdp_v2[35] = 0xcc;
}

/*
 * The realistic blob: boot cmdline, bootloader name (ignored), two modules,
 * the memory map, an old (v1) then a new (v2) RSDP tag, as GRUB emits them.
 */
static void blob_qemu(struct blob *bl)
{
    blob_begin(bl);
    add_string_tag(bl, MB2_TAG_CMDLINE, "facet verbose");
    add_string_tag(bl, 2, "GRUB 2.12");
    add_module(bl, 0x200000, 0x2f1234, MOD0_CMD);
    add_module(bl, 0x2f2000, 0x3a0000, MOD1_CMD);
    add_mmap(bl, qemu_map, 6);
    add_rsdp(bl, MB2_TAG_ACPI_OLD, rsdp_v1, sizeof rsdp_v1);
    add_rsdp(bl, MB2_TAG_ACPI_NEW, rsdp_v2, sizeof rsdp_v2);
    blob_end(bl);
}

/* Parse exactly avail bytes from a heap copy of that size, so ASan sees any overread. */
static int parse_exact(const uint8_t *b, size_t avail, struct boot_info *bi, const char **why)
{
    uint8_t *copy = malloc(avail);
    int r;

    if (!copy && avail)
        abort();
    if (avail)
        memcpy(copy, b, avail);
    r = mb2_parse(copy, avail, INFO_PHYS, bi, why);
    free(copy);
    return r;
}

/* A parse's result r and reason why: a rejection whose reason contains want, or (want NULL) an acceptance. */
static void expect_verdict(int r, const char *why, const char *want, const char *file, int line)
{
    char msg[300];

    if (!want) {
        if (r != 0) {
            snprintf(msg, sizeof msg, "rejected: %s", why ? why : "(no reason)");
            unit_fail(file, line, msg);
        }
        return;
    }
    if (r != -1) {
        snprintf(msg, sizeof msg, "accepted input that should fail with \"%s\"", want);
        unit_fail(file, line, msg);
    }
    if (why == NULL || strstr(why, want) == NULL) {
        snprintf(msg, sizeof msg, "why = \"%s\", wanted \"%s\"", why ? why : "(null)", want);
        unit_fail(file, line, msg);
    }
}

/* The blob (avail bytes of it) must be rejected with a message containing want. */
static void expect_reject_at(const struct blob *bl, size_t avail, const char *want,
                             const char *file, int line)
{
    static struct boot_info bi;
    const char *why = NULL;
    int r = parse_exact(bl->b, avail, &bi, &why);

    expect_verdict(r, why, want, file, line);
}
#define EXPECT_REJECT(bl, avail, want) expect_reject_at(bl, avail, want, __FILE__, __LINE__)

/* The whole blob must be accepted. */
static void expect_accept_at(const struct blob *bl, struct boot_info *bi, const char *file, int line)
{
    const char *why = NULL;
    int r = parse_exact(bl->b, bl->len, bi, &why);

    expect_verdict(r, why, NULL, file, line);
}
#define EXPECT_ACCEPT(bl, bi) expect_accept_at(bl, bi, __FILE__, __LINE__)

static struct blob bl;          /* too big for comfort on the stack */
static struct boot_info bi;

/* bi holds QEMU's memory map and the two modules, as both loaders pass them. */
static void check_qemu_mem_and_mods(void)
{
    CHECK_EQ(bi.nmem, 6);
    CHECK_EQ(bi.dropped_mem, 0);
    for (unsigned i = 0; i < 6; i++) {
        CHECK_EQ(bi.mem[i].addr, qemu_map[i].addr);
        CHECK_EQ(bi.mem[i].len, qemu_map[i].len);
        CHECK_EQ(bi.mem[i].type, qemu_map[i].type);
    }
    CHECK_EQ(bi.nmods, 2);
    CHECK_EQ(bi.dropped_mods, 0);
    CHECK_EQ(bi.mods[0].start, 0x200000);
    CHECK_EQ(bi.mods[0].end, 0x2f1234);
    CHECK_STR(bi.mods[0].cmdline, MOD0_CMD);
    CHECK_EQ(bi.mods[1].start, 0x2f2000);
    CHECK_EQ(bi.mods[1].end, 0x3a0000);
    CHECK_STR(bi.mods[1].cmdline, MOD1_CMD);
}

TEST(qemu_blob_parses)
{
    blob_qemu(&bl);
    EXPECT_ACCEPT(&bl, &bi);
    check_qemu_mem_and_mods();
    CHECK(bi.has_rsdp);
    CHECK(memcmp(bi.rsdp, rsdp_v2, sizeof rsdp_v2) == 0);
    CHECK_EQ(bi.info_start, INFO_PHYS);
    CHECK_EQ(bi.info_end, INFO_PHYS + bl.len);
}

TEST(blob_at_odd_address_parses)
{
    /* The reader works byte by byte: no alignment assumption (UBSan watches). */
    static uint8_t odd[BLOB_MAX + 1];
    const char *why = NULL;

    blob_qemu(&bl);
    memcpy(odd + 1, bl.b, bl.len);
    CHECK_EQ(mb2_parse(odd + 1, bl.len, INFO_PHYS, &bi, &why), 0);
    CHECK_EQ(bi.nmem, 6);
    CHECK_EQ(bi.nmods, 2);
    CHECK_EQ(bi.mem[3].len, 0x7ee0000);
}

TEST(parse_clears_previous_state)
{
    blob_qemu(&bl);
    memset(&bi, 0xa5, sizeof bi);
    EXPECT_ACCEPT(&bl, &bi);
    CHECK_EQ(bi.nmods, 2);
    CHECK_EQ(bi.mods[2].start, 0);
    CHECK_EQ(bi.mods[2].cmdline[0], 0);
    CHECK_EQ(bi.mem[6].type, 0);
}

TEST(avail_larger_than_total_is_fine)
{
    const char *why = NULL;

    blob_qemu(&bl);
    CHECK_EQ(mb2_parse(bl.b, BLOB_MAX, INFO_PHYS, &bi, &why), 0);
    CHECK_EQ(bi.info_end, INFO_PHYS + bl.len);
}

TEST(rsdp_v2_wins_in_either_order)
{
    blob_begin(&bl);
    add_mmap(&bl, qemu_map, 6);
    add_rsdp(&bl, MB2_TAG_ACPI_NEW, rsdp_v2, sizeof rsdp_v2);
    add_rsdp(&bl, MB2_TAG_ACPI_OLD, rsdp_v1, sizeof rsdp_v1);
    blob_end(&bl);
    EXPECT_ACCEPT(&bl, &bi);
    CHECK(bi.has_rsdp);
    CHECK(memcmp(bi.rsdp, rsdp_v2, sizeof rsdp_v2) == 0);

    blob_begin(&bl);
    add_rsdp(&bl, MB2_TAG_ACPI_OLD, rsdp_v1, sizeof rsdp_v1);
    add_mmap(&bl, qemu_map, 6);
    add_rsdp(&bl, MB2_TAG_ACPI_NEW, rsdp_v2, sizeof rsdp_v2);
    add_rsdp(&bl, MB2_TAG_ACPI_OLD, rsdp_v1, sizeof rsdp_v1);
    blob_end(&bl);
    EXPECT_ACCEPT(&bl, &bi);
    CHECK(bi.has_rsdp);
    CHECK(memcmp(bi.rsdp, rsdp_v2, sizeof rsdp_v2) == 0);
}

TEST(rsdp_v1_alone_is_kept_and_zero_extended)
{
    blob_begin(&bl);
    add_mmap(&bl, qemu_map, 6);
    add_rsdp(&bl, MB2_TAG_ACPI_OLD, rsdp_v1, sizeof rsdp_v1);
    blob_end(&bl);
    EXPECT_ACCEPT(&bl, &bi);
    CHECK(bi.has_rsdp);
    CHECK(memcmp(bi.rsdp, rsdp_v1, sizeof rsdp_v1) == 0);
    for (unsigned i = sizeof rsdp_v1; i < sizeof bi.rsdp; i++)
        CHECK_EQ(bi.rsdp[i], 0);
}

TEST(no_rsdp_tag_means_no_rsdp)
{
    blob_begin(&bl);
    add_mmap(&bl, qemu_map, 6);
    blob_end(&bl);
    EXPECT_ACCEPT(&bl, &bi);
    CHECK(!bi.has_rsdp);
    CHECK_EQ(bi.nmods, 0);
}

TEST(rsdp_tag_too_short_is_not_an_rsdp)
{
    blob_begin(&bl);
    add_mmap(&bl, qemu_map, 6);
    add_rsdp(&bl, MB2_TAG_ACPI_OLD, rsdp_v1, 19);
    blob_end(&bl);
    EXPECT_ACCEPT(&bl, &bi);
    CHECK(!bi.has_rsdp);
}

TEST(rsdp_tag_longer_than_36_is_cut)
{
    uint8_t big[48];

    memcpy(big, rsdp_v2, 36);
    memset(big + 36, 0x77, sizeof big - 36);
    blob_begin(&bl);
    add_mmap(&bl, qemu_map, 6);
    add_rsdp(&bl, MB2_TAG_ACPI_NEW, big, sizeof big);
    blob_end(&bl);
    EXPECT_ACCEPT(&bl, &bi);
    CHECK(bi.has_rsdp);
    CHECK(memcmp(bi.rsdp, rsdp_v2, sizeof rsdp_v2) == 0);
}

TEST(module_cmdline_cut_to_fit)
{
    char lng[200], exact[HIP_CMDLINE_LEN], over[HIP_CMDLINE_LEN + 1];

    memset(lng, 'a', sizeof lng - 1);
    lng[sizeof lng - 1] = 0;
    memset(exact, 'b', sizeof exact - 1);       /* 119 chars: fits exactly */
    exact[sizeof exact - 1] = 0;
    memset(over, 'c', sizeof over - 1);         /* 120 chars: one too many */
    over[sizeof over - 1] = 0;

    blob_begin(&bl);
    add_module(&bl, 0x100000, 0x101000, lng);
    add_module(&bl, 0x101000, 0x102000, exact);
    add_module(&bl, 0x102000, 0x103000, over);
    add_module(&bl, 0x103000, 0x103000, "");    /* empty module, empty cmdline */
    add_mmap(&bl, qemu_map, 6);
    blob_end(&bl);
    EXPECT_ACCEPT(&bl, &bi);
    CHECK_EQ(bi.nmods, 4);
    CHECK_EQ(strlen(bi.mods[0].cmdline), HIP_CMDLINE_LEN - 1);
    CHECK(strncmp(bi.mods[0].cmdline, lng, HIP_CMDLINE_LEN - 1) == 0);
    CHECK_STR(bi.mods[1].cmdline, exact);
    CHECK_EQ(strlen(bi.mods[2].cmdline), HIP_CMDLINE_LEN - 1);
    CHECK_EQ(bi.mods[2].cmdline[HIP_CMDLINE_LEN - 1], 0);
    CHECK_STR(bi.mods[3].cmdline, "");
    CHECK_EQ(bi.mods[3].start, bi.mods[3].end);
}

TEST(module_cmdline_without_nul_stops_at_tag_end)
{
    /* Tag size 16 + 5: "hello" with no terminator; the padding must not be read as text. */
    blob_begin(&bl);
    blob_tag(&bl, MB2_TAG_MODULE);
    put32(&bl, 0x100000);
    put32(&bl, 0x200000);
    put_bytes(&bl, "hello", 5);
    blob_close(&bl);
    bl.b[bl.len - 3] = 'X';                     /* garbage in the padding */
    add_mmap(&bl, qemu_map, 6);
    blob_end(&bl);
    EXPECT_ACCEPT(&bl, &bi);
    CHECK_EQ(bi.nmods, 1);
    CHECK_STR(bi.mods[0].cmdline, "hello");
}

TEST(module_tag_without_cmdline)
{
    /* Exactly 16 bytes: start and end, no string at all. */
    blob_begin(&bl);
    blob_tag(&bl, MB2_TAG_MODULE);
    put32(&bl, 0x100000);
    put32(&bl, 0x200000);
    blob_close(&bl);
    add_mmap(&bl, qemu_map, 6);
    blob_end(&bl);
    EXPECT_ACCEPT(&bl, &bi);
    CHECK_EQ(bi.nmods, 1);
    CHECK_STR(bi.mods[0].cmdline, "");
}

/* bi holds the first HIP_MAX_MODS of HIP_MAX_MODS + 3 modules "modI" at 0x1000000 + I pages. */
static void check_many_modules(void)
{
    char cmd[16];

    CHECK_EQ(bi.nmods, HIP_MAX_MODS);
    CHECK_EQ(bi.dropped_mods, 3);
    for (unsigned i = 0; i < HIP_MAX_MODS; i++) {
        snprintf(cmd, sizeof cmd, "mod%u", i);
        CHECK_STR(bi.mods[i].cmdline, cmd);
        CHECK_EQ(bi.mods[i].start, 0x1000000 + i * 0x1000);
        CHECK_EQ(bi.mods[i].end, 0x1000800 + i * 0x1000);
    }
}

TEST(too_many_modules_counted)
{
    char cmd[16];

    blob_begin(&bl);
    for (unsigned i = 0; i < HIP_MAX_MODS + 3; i++) {
        snprintf(cmd, sizeof cmd, "mod%u", i);
        add_module(&bl, 0x1000000 + i * 0x1000, 0x1000800 + i * 0x1000, cmd);
    }
    add_mmap(&bl, qemu_map, 6);
    blob_end(&bl);
    EXPECT_ACCEPT(&bl, &bi);
    check_many_modules();
}

TEST(too_many_mem_entries_counted)
{
    struct mm e[BOOT_MAX_MEM + 5];

    for (unsigned i = 0; i < BOOT_MAX_MEM + 5; i++)
        e[i] = (struct mm){ (uint64_t)i << 20, 0x1000 + i, 1 + i % 5 };
    blob_begin(&bl);
    add_mmap(&bl, e, BOOT_MAX_MEM + 5);
    blob_end(&bl);
    EXPECT_ACCEPT(&bl, &bi);
    CHECK_EQ(bi.nmem, BOOT_MAX_MEM);
    CHECK_EQ(bi.dropped_mem, 5);
    for (unsigned i = 0; i < BOOT_MAX_MEM; i++) {
        CHECK_EQ(bi.mem[i].addr, (uint64_t)i << 20);
        CHECK_EQ(bi.mem[i].len, 0x1000 + i);
        CHECK_EQ(bi.mem[i].type, 1 + i % 5);
    }
}

TEST(two_mmap_tags_accumulate)
{
    blob_begin(&bl);
    add_mmap(&bl, qemu_map, 3);
    add_mmap(&bl, qemu_map + 3, 3);
    blob_end(&bl);
    EXPECT_ACCEPT(&bl, &bi);
    CHECK_EQ(bi.nmem, 6);
    CHECK_EQ(bi.mem[5].addr, 0xfffc0000);
}

TEST(mmap_entry_size_32_uses_stride)
{
    /* Newer firmware may use bigger entries: the reader steps by entry_size. */
    blob_begin(&bl);
    blob_tag(&bl, MB2_TAG_MMAP);
    put32(&bl, 32);
    put32(&bl, 0);
    for (unsigned i = 0; i < 3; i++) {
        put64(&bl, qemu_map[i].addr);
        put64(&bl, qemu_map[i].len);
        put32(&bl, qemu_map[i].type);
        put32(&bl, 0xdead);
        put64(&bl, 0xffffffffffffffffull);      /* extra field */
    }
    blob_close(&bl);
    blob_end(&bl);
    EXPECT_ACCEPT(&bl, &bi);
    CHECK_EQ(bi.nmem, 3);
    for (unsigned i = 0; i < 3; i++) {
        CHECK_EQ(bi.mem[i].addr, qemu_map[i].addr);
        CHECK_EQ(bi.mem[i].len, qemu_map[i].len);
        CHECK_EQ(bi.mem[i].type, qemu_map[i].type);
    }
}

TEST(mmap_partial_trailing_entry_ignored)
{
    /* 2 entries and 16 stray bytes: the partial third entry is not read. */
    blob_begin(&bl);
    add_mmap(&bl, qemu_map, 2);
    bl.len = bl.tag + 16 + 2 * 24;
    put64(&bl, 0x5555);
    put64(&bl, 0x6666);
    blob_close(&bl);
    blob_end(&bl);
    EXPECT_ACCEPT(&bl, &bi);
    CHECK_EQ(bi.nmem, 2);
}

/* ---------------------------------------------------------------- defects */

TEST(reject_avail_below_8)
{
    blob_qemu(&bl);
    for (size_t a = 0; a < 8; a++)
        EXPECT_REJECT(&bl, a, "truncated");
}

TEST(reject_total_below_16)
{
    blob_qemu(&bl);
    for (uint32_t t = 0; t < 16; t++) {
        w32(bl.b, t);
        EXPECT_REJECT(&bl, bl.len, "size invalid");
    }
}

TEST(reject_total_above_avail)
{
    blob_qemu(&bl);
    EXPECT_REJECT(&bl, bl.len - 1, "size invalid");
    w32(bl.b, 0xffffffff);
    EXPECT_REJECT(&bl, bl.len, "size invalid");
    w32(bl.b, bl.len + 8);
    EXPECT_REJECT(&bl, bl.len, "size invalid");
}

TEST(reject_tag_overrunning_total)
{
    blob_begin(&bl);
    add_mmap(&bl, qemu_map, 6);
    add_module(&bl, 0x100000, 0x200000, "m");
    uint32_t mod = bl.tag;
    blob_end(&bl);
    /* The module tag claims to reach one byte past the end of the structure. */
    w32(bl.b + mod + 4, bl.len - mod + 1);
    EXPECT_REJECT(&bl, bl.len, "overruns");
    w32(bl.b + mod + 4, 0xfffffff8);
    EXPECT_REJECT(&bl, bl.len, "overruns");
    /* The end tag itself claims 16 bytes. */
    blob_begin(&bl);
    add_mmap(&bl, qemu_map, 6);
    blob_end(&bl);
    w32(bl.b + bl.len - 4, 16);
    EXPECT_REJECT(&bl, bl.len, "overruns");
}

TEST(reject_tag_size_below_8)
{
    for (uint32_t s = 0; s < 8; s++) {
        blob_begin(&bl);
        add_string_tag(&bl, 2, "GRUB");
        uint32_t t = bl.tag;
        add_mmap(&bl, qemu_map, 6);
        blob_end(&bl);
        w32(bl.b + t + 4, s);
        EXPECT_REJECT(&bl, bl.len, "overruns");
    }
    /* An end tag of size 0 is a defect too, not an end. */
    blob_begin(&bl);
    add_mmap(&bl, qemu_map, 6);
    blob_end(&bl);
    w32(bl.b + bl.len - 4, 0);
    EXPECT_REJECT(&bl, bl.len, "overruns");
}

TEST(reject_missing_end_tag)
{
    /* Tags fill total_size exactly, but none of them is the end tag. */
    blob_begin(&bl);
    add_mmap(&bl, qemu_map, 6);
    add_module(&bl, 0x100000, 0x200000, "m");
    w32(bl.b, bl.len);
    EXPECT_REJECT(&bl, bl.len, "no end tag");

    /* Room for less than a tag header after the last tag. */
    bl.len += 4;
    w32(bl.b, bl.len);
    EXPECT_REJECT(&bl, bl.len, "no end tag");

    /* The end tag replaced by an unknown type. */
    blob_qemu(&bl);
    w32(bl.b + bl.len - 8, 99);
    EXPECT_REJECT(&bl, bl.len, "no end tag");
}

TEST(reject_no_memory_map)
{
    blob_begin(&bl);
    add_module(&bl, 0x100000, 0x200000, "roottask");
    add_rsdp(&bl, MB2_TAG_ACPI_NEW, rsdp_v2, sizeof rsdp_v2);
    blob_end(&bl);
    EXPECT_REJECT(&bl, bl.len, "no memory map");

    /* Only an end tag. */
    blob_begin(&bl);
    blob_end(&bl);
    EXPECT_REJECT(&bl, bl.len, "no memory map");

    /* A memory map tag with no entries. */
    blob_begin(&bl);
    add_mmap(&bl, qemu_map, 0);
    blob_end(&bl);
    EXPECT_REJECT(&bl, bl.len, "no memory map");

    /* The memory map after the end tag is not part of the information. */
    blob_begin(&bl);
    blob_tag(&bl, MB2_TAG_END);
    blob_close(&bl);
    add_mmap(&bl, qemu_map, 6);
    w32(bl.b, bl.len);
    EXPECT_REJECT(&bl, bl.len, "no memory map");
}

TEST(reject_mmap_tag_too_short)
{
    for (uint32_t s = 8; s < 16; s++) {
        blob_begin(&bl);
        blob_tag(&bl, MB2_TAG_MMAP);
        put32(&bl, 24);
        put32(&bl, 0);
        blob_close(&bl);
        w32(bl.b + bl.tag + 4, s);
        blob_end(&bl);
        EXPECT_REJECT(&bl, bl.len, "memory map tag too short");
    }
}

TEST(reject_mmap_entry_size)
{
    static const uint32_t bad[] = { 0, 8, 16, 20, 23, 25, 28, 30, 33, 36, 60 };

    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        blob_begin(&bl);
        add_mmap(&bl, qemu_map, 6);
        w32(bl.b + bl.tag + 8, bad[i]);
        blob_end(&bl);
        EXPECT_REJECT(&bl, bl.len, "entry size invalid");
    }
}

TEST(reject_module_tag_too_short)
{
    for (uint32_t s = 8; s < 16; s++) {
        blob_begin(&bl);
        add_mmap(&bl, qemu_map, 6);
        add_module(&bl, 0x100000, 0x200000, "m");
        w32(bl.b + bl.tag + 4, s);
        blob_end(&bl);
        EXPECT_REJECT(&bl, bl.len, "module tag too short");
    }
}

TEST(reject_module_end_before_start)
{
    blob_begin(&bl);
    add_mmap(&bl, qemu_map, 6);
    add_module(&bl, 0x200000, 0x1fffff, "backwards");
    blob_end(&bl);
    EXPECT_REJECT(&bl, bl.len, "ends before it starts");
}

/* ---------------------------------------------------------------- truncation */

TEST(truncated_avail_rejected_without_overread)
{
    /* total_size says the real size, avail is shorter: every prefix is refused. */
    blob_qemu(&bl);
    for (size_t a = 0; a < bl.len; a++) {
        const char *why = NULL;
        CHECK_EQ(parse_exact(bl.b, a, &bi, &why), -1);
        CHECK(why != NULL);
    }
    EXPECT_ACCEPT(&bl, &bi);
}

TEST(truncated_total_never_reads_past_avail)
{
    /* total_size rewritten to match each shorter avail: rejected, and ASan stays quiet. */
    static struct blob cut;

    blob_qemu(&bl);
    for (uint32_t a = 0; a < bl.len; a++) {
        const char *why = NULL;
        cut = bl;
        if (a >= 4)
            w32(cut.b, a);
        CHECK_EQ(parse_exact(cut.b, a, &bi, &why), -1);
        CHECK(why != NULL);
    }
}

TEST(truncated_total_inside_larger_buffer)
{
    /* avail stays the full size, total_size shrinks: nothing past total is used. */
    static struct blob cut;

    blob_qemu(&bl);
    for (uint32_t t = 16; t < bl.len; t++) {
        const char *why = NULL;
        cut = bl;
        w32(cut.b, t);
        /* Poison what lies beyond total: an overread would see these tags. */
        memset(cut.b + t, 0xff, bl.len - t);
        CHECK_EQ(parse_exact(cut.b, bl.len, &bi, &why), -1);
        CHECK(bi.info_end == INFO_PHYS + t);
        for (unsigned i = 0; i < bi.nmem; i++)
            CHECK(bi.mem[i].addr != 0xffffffffffffffffull);
    }
}

/*
 * An mmap entry_size near 2^32 passes the "multiple of 8, >= 24" check, then
 * `off + esz` wraps in parse_mmap's loop condition and entries are read from
 * beyond the tag (here: past total_size). The buffer is padded so the
 * overread shows as a wrong result rather than an ASan abort.
 */
TEST(mmap_huge_entry_size_does_not_wrap)
{
    static const uint32_t huge[] = { 0xfffffff0u, 0xfffffff8u };
    static uint8_t padded[BLOB_MAX + 64];

    for (unsigned i = 0; i < 2; i++) {
        const char *why = NULL;
        blob_begin(&bl);
        blob_tag(&bl, MB2_TAG_MMAP);
        put32(&bl, huge[i]);
        put32(&bl, 0);
        blob_close(&bl);
        blob_end(&bl);
        memset(padded, 0x11, sizeof padded);
        memcpy(padded, bl.b, bl.len);
        CHECK_EQ(mb2_parse(padded, bl.len, INFO_PHYS, &bi, &why), -1);
        CHECK_EQ(bi.nmem, 0);
    }
}

/* ---------------------------------------------------------------- multiboot 1 */

/*
 * Multiboot 1 information is a fixed structure with pointers to its parts, laid out in a
 * made-up physical memory (a heap block: ASan sees a read past it) as QEMU lays it out:
 *
 *   0x9000  memory map: { u32 size = 20, u64 base, u64 length, u32 type } ...
 *   0x9500  the structure: flags, ..., mods_count (20), mods_addr (24), mmap_length (44),
 *           mmap_addr (48), ..., 88 bytes
 *   0xa000  module list: { u32 start, u32 end, u32 string, u32 reserved } ...
 *   0xb000  command lines
 */
#define PHYS_SIZE    0x10000u
#define MB1_MMAP_AT  0x9000u
#define MB1_INFO_AT  0x9500u
#define MB1_MODS_AT  0xa000u
#define MB1_STR_AT   0xb000u
#define MB1_QEMU_FLAGS 0x24fu          /* memory, boot device, cmdline, modules, mmap, loader name */

static uint8_t phys[PHYS_SIZE];
static uint32_t str_next;              /* where the next command line goes */

static void mb1_set(uint32_t off, uint32_t v) { w32(phys + MB1_INFO_AT + off, v); }

/* A command line at the next free place; its physical address. */
static uint32_t put_str(const char *s)
{
    uint32_t at = str_next;
    if (at + strlen(s) + 1 > PHYS_SIZE)
        abort();
    memcpy(phys + at, s, strlen(s) + 1);
    str_next += (uint32_t)strlen(s) + 1;
    return at;
}

/* n memory-map entries, each with the size field esz (20: packed; more: padded). */
static void put_mb1_mmap(const struct mm *e, unsigned n, uint32_t esz)
{
    uint32_t off = MB1_MMAP_AT;
    for (unsigned i = 0; i < n; i++) {
        if (off + 4 + esz > MB1_INFO_AT)
            abort();
        memset(phys + off, 0xee, 4 + esz);
        w32(phys + off, esz);
        w64(phys + off + 4, e[i].addr);
        w64(phys + off + 12, e[i].len);
        w32(phys + off + 20, e[i].type);
        off += 4 + esz;
    }
    mb1_set(44, off - MB1_MMAP_AT);
    mb1_set(48, MB1_MMAP_AT);
}

/* Module i of the list (its string: 0 for none). */
static void mb1_mod(unsigned i, uint32_t start, uint32_t end, uint32_t str)
{
    uint8_t *m = phys + MB1_MODS_AT + i * 16;
    w32(m, start);
    w32(m + 4, end);
    w32(m + 8, str);
    w32(m + 12, 0);
}

/* What QEMU 7.2 passes for -m 128M -kernel K -initrd "roottask,linux.elf console=ttyS0 init=/bin/sh". */
static void mb1_qemu(void)
{
    memset(phys, 0, sizeof phys);
    str_next = MB1_STR_AT;
    mb1_set(0, MB1_QEMU_FLAGS);
    mb1_set(4, 639);                           /* mem_lower, mem_upper (KiB): not used */
    mb1_set(8, 130944);
    mb1_set(12, 0x8000ffff);
    mb1_set(16, put_str("kernel "));
    mb1_set(20, 2);
    mb1_set(24, MB1_MODS_AT);
    mb1_mod(0, 0x200000, 0x2f1234, put_str(MOD0_CMD));
    mb1_mod(1, 0x2f2000, 0x3a0000, put_str(MOD1_CMD));
    put_mb1_mmap(qemu_map, 6, 20);
    mb1_set(64, put_str("qemu"));
}

/* Parse the first size bytes of phys from a heap copy of exactly that size. */
static int mb1_exact(uint64_t size, uint64_t info, struct boot_info *out, const char **why)
{
    uint8_t *copy = malloc(size ? size : 1);
    int r;

    if (!copy)
        abort();
    memcpy(copy, phys, size);
    r = mb1_parse(copy, size, info, out, why);
    free(copy);
    return r;
}

/* phys (size bytes of it, the structure at info) must be rejected with a message containing want. */
static void mb1_reject_at(uint64_t size, uint64_t info, const char *want, const char *file, int line)
{
    const char *why = NULL;
    int r = mb1_exact(size, info, &bi, &why);

    expect_verdict(r, why, want, file, line);
}
#define MB1_REJECT(want) mb1_reject_at(PHYS_SIZE, MB1_INFO_AT, want, __FILE__, __LINE__)

/* The whole of phys, the structure at MB1_INFO_AT, must be accepted. */
static void mb1_accept_at(const char *file, int line)
{
    const char *why = NULL;
    int r = mb1_exact(PHYS_SIZE, MB1_INFO_AT, &bi, &why);

    expect_verdict(r, why, NULL, file, line);
}
#define MB1_ACCEPT() mb1_accept_at(__FILE__, __LINE__)

TEST(mb1_qemu_info_parses)
{
    mb1_qemu();
    MB1_ACCEPT();
    check_qemu_mem_and_mods();
    CHECK(!bi.has_rsdp);                        /* multiboot 1 has none to give */
    CHECK_EQ(bi.info_start, MB1_INFO_AT);
    CHECK_EQ(bi.info_end, MB1_INFO_AT + 88);
}

TEST(mb1_parse_clears_previous_state)
{
    mb1_qemu();
    memset(&bi, 0xa5, sizeof bi);
    MB1_ACCEPT();
    CHECK_EQ(bi.nmods, 2);
    CHECK_EQ(bi.mods[2].start, 0);
    CHECK_EQ(bi.mods[2].cmdline[0], 0);
    CHECK_EQ(bi.mem[6].type, 0);
    CHECK(!bi.has_rsdp);
}

TEST(mb1_structure_at_the_end_of_memory)
{
    /* The 88 bytes end exactly at the window's end: fine; one byte further: outside. */
    const char *why = NULL;

    mb1_qemu();
    memcpy(phys + PHYS_SIZE - 88, phys + MB1_INFO_AT, 88);
    CHECK_EQ(mb1_exact(PHYS_SIZE, PHYS_SIZE - 88, &bi, &why), 0);
    CHECK_EQ(bi.nmods, 2);
    mb1_reject_at(PHYS_SIZE, PHYS_SIZE - 87, "boot information lies outside memory", __FILE__, __LINE__);
    mb1_reject_at(PHYS_SIZE, PHYS_SIZE, "boot information lies outside memory", __FILE__, __LINE__);
    mb1_reject_at(PHYS_SIZE, 0xfffffff0u, "boot information lies outside memory", __FILE__, __LINE__);
    mb1_reject_at(PHYS_SIZE, ~0ull - 8, "boot information lies outside memory", __FILE__, __LINE__);
    mb1_reject_at(0, 0, "boot information lies outside memory", __FILE__, __LINE__);
    mb1_reject_at(87, 0, "boot information lies outside memory", __FILE__, __LINE__);
}

TEST(mb1_reject_no_memory_map)
{
    mb1_qemu();
    mb1_set(0, MB1_QEMU_FLAGS & ~(1u << 6));   /* the map is there, its flag is not */
    MB1_REJECT("no memory map");

    mb1_qemu();
    mb1_set(44, 0);                             /* no entries */
    MB1_REJECT("no memory map");

    mb1_qemu();
    mb1_set(44, 23);                            /* less than one entry */
    MB1_REJECT("no memory map");
}

TEST(mb1_reject_memory_map_outside_memory)
{
    mb1_qemu();
    mb1_set(48, PHYS_SIZE - 24);
    mb1_set(44, 48);
    MB1_REJECT("memory map lies outside memory");

    mb1_qemu();
    mb1_set(48, 0xfffffff0u);                   /* address + length wraps 32 bits */
    mb1_set(44, 0x20);
    MB1_REJECT("memory map lies outside memory");

    mb1_qemu();
    mb1_set(44, 0xffffffffu);
    MB1_REJECT("memory map lies outside memory");

    /* Exactly up to the window's end is inside. */
    mb1_qemu();
    mb1_set(48, PHYS_SIZE - 48);
    mb1_set(44, 48);
    memcpy(phys + PHYS_SIZE - 48, phys + MB1_MMAP_AT, 48);
    MB1_ACCEPT();
    CHECK_EQ(bi.nmem, 2);
}

TEST(mb1_reject_mmap_entry_size)
{
    for (uint32_t esz = 0; esz < 20; esz++) {
        mb1_qemu();
        w32(phys + MB1_MMAP_AT + 24, esz);      /* the second entry's size field */
        MB1_REJECT("memory map entry size invalid");
    }
}

TEST(mb1_mmap_padded_entries_use_their_size)
{
    /* Entries of size 28 (8 bytes of padding, filled with 0xee): stepped over by size. */
    mb1_qemu();
    put_mb1_mmap(qemu_map, 6, 28);
    MB1_ACCEPT();
    check_qemu_mem_and_mods();
}

TEST(mb1_mmap_partial_trailing_entry_ignored)
{
    mb1_qemu();
    mb1_set(44, 2 * 24 + 10);                   /* two entries and 10 bytes of the third */
    MB1_ACCEPT();
    CHECK_EQ(bi.nmem, 2);

    /* An entry whose size reaches past mmap_length ends the map there. */
    mb1_qemu();
    w32(phys + MB1_MMAP_AT + 2 * 24, 20 + 6 * 24);
    MB1_ACCEPT();
    CHECK_EQ(bi.nmem, 2);
    w32(phys + MB1_MMAP_AT + 2 * 24, 0xfffffffcu);  /* 4 + size wraps 32 bits */
    MB1_ACCEPT();
    CHECK_EQ(bi.nmem, 2);
}

TEST(mb1_too_many_mem_entries_counted)
{
    struct mm e[BOOT_MAX_MEM + 5];

    for (unsigned i = 0; i < BOOT_MAX_MEM + 5; i++)
        e[i] = (struct mm){ (uint64_t)i << 20, 0x1000 + i, 1 + i % 5 };
    mb1_qemu();
    put_mb1_mmap(e, BOOT_MAX_MEM + 5, 20);
    MB1_ACCEPT();
    CHECK_EQ(bi.nmem, BOOT_MAX_MEM);
    CHECK_EQ(bi.dropped_mem, 5);
    CHECK_EQ(bi.mem[BOOT_MAX_MEM - 1].addr, (uint64_t)(BOOT_MAX_MEM - 1) << 20);
}

TEST(mb1_modules_only_with_their_flag)
{
    mb1_qemu();
    mb1_set(0, MB1_QEMU_FLAGS & ~(1u << 3));
    mb1_set(24, 0xfffffff0u);                   /* not read without the flag */
    MB1_ACCEPT();
    CHECK_EQ(bi.nmods, 0);

    mb1_qemu();
    mb1_set(20, 0);                             /* the flag, no modules (QEMU without -initrd) */
    MB1_ACCEPT();
    CHECK_EQ(bi.nmods, 0);
    CHECK_EQ(bi.nmem, 6);
}

TEST(mb1_reject_module_list_outside_memory)
{
    mb1_qemu();
    mb1_set(24, PHYS_SIZE - 16);                /* room for one entry, two claimed */
    MB1_REJECT("module list lies outside memory");

    mb1_qemu();
    mb1_set(20, 0xffffffffu);                   /* count * 16 must not wrap */
    MB1_REJECT("module list lies outside memory");

    mb1_qemu();
    mb1_set(20, 0x10000000u);                   /* 16 * count = 2^32: wraps to 0 in 32 bits */
    MB1_REJECT("module list lies outside memory");

    mb1_qemu();
    mb1_set(24, 0xfffffff8u);
    MB1_REJECT("module list lies outside memory");
}

TEST(mb1_reject_module_end_before_start)
{
    mb1_qemu();
    mb1_mod(1, 0x200000, 0x1fffff, put_str("backwards"));
    MB1_REJECT("ends before it starts");
}

TEST(mb1_module_without_string)
{
    mb1_qemu();
    mb1_mod(1, 0x2f2000, 0x3a0000, 0);
    MB1_ACCEPT();
    CHECK_EQ(bi.nmods, 2);
    CHECK_STR(bi.mods[1].cmdline, "");
    CHECK_STR(bi.mods[0].cmdline, MOD0_CMD);
}

TEST(mb1_reject_module_string_outside_memory)
{
    mb1_qemu();
    mb1_mod(1, 0x2f2000, 0x3a0000, PHYS_SIZE);
    MB1_REJECT("module command line lies outside memory");
    mb1_mod(1, 0x2f2000, 0x3a0000, 0xffffffffu);
    MB1_REJECT("module command line lies outside memory");
}

TEST(mb1_module_string_cut_at_memory_end)
{
    /* "tail" in the last 4 bytes of memory, no NUL before the end: read up to the end only. */
    mb1_qemu();
    memcpy(phys + PHYS_SIZE - 4, "tail", 4);
    mb1_mod(1, 0x2f2000, 0x3a0000, PHYS_SIZE - 4);
    MB1_ACCEPT();
    CHECK_STR(bi.mods[1].cmdline, "tail");
}

TEST(mb1_module_cmdline_cut_to_fit)
{
    char lng[200];

    memset(lng, 'a', sizeof lng - 1);
    lng[sizeof lng - 1] = 0;
    mb1_qemu();
    mb1_mod(0, 0x200000, 0x2f1234, put_str(lng));
    MB1_ACCEPT();
    CHECK_EQ(strlen(bi.mods[0].cmdline), HIP_CMDLINE_LEN - 1);
    CHECK(strncmp(bi.mods[0].cmdline, lng, HIP_CMDLINE_LEN - 1) == 0);
}

TEST(mb1_too_many_modules_counted)
{
    char cmd[16];

    mb1_qemu();
    mb1_set(20, HIP_MAX_MODS + 3);
    for (unsigned i = 0; i < HIP_MAX_MODS + 3; i++) {
        snprintf(cmd, sizeof cmd, "mod%u", i);
        mb1_mod(i, 0x1000000 + i * 0x1000, 0x1000800 + i * 0x1000, put_str(cmd));
    }
    MB1_ACCEPT();
    check_many_modules();
}

TEST(mb1_every_shorter_memory_never_read_past)
{
    /* The same information in ever smaller memories: accepted or refused, ASan stays quiet. */
    mb1_qemu();
    for (uint64_t size = 0; size <= MB1_STR_AT + 0x100; size += 7) {
        const char *why = NULL;
        if (mb1_exact(size, MB1_INFO_AT, &bi, &why) != 0)
            CHECK(why != NULL);
    }
}

TEST(mb1_random_structures_never_read_past)
{
    /* Random flags, counts and pointers (mostly inside the window): no overread, no crash. */
    unit_rng = 0x5eed0001;
    for (unsigned round = 0; round < 3000; round++) {
        const char *why = NULL;
        mb1_qemu();
        for (unsigned k = 0; k < 4; k++) {
            uint32_t field = (uint32_t)(unit_rng_next() % 22) * 4;
            uint32_t v = (uint32_t)unit_rng_next();
            mb1_set(field, unit_rng_next() & 1 ? v % (PHYS_SIZE + 64) : v);
        }
        for (unsigned k = 0; k < 4; k++)         /* and a few bytes of the map and module list */
            phys[MB1_MMAP_AT + unit_rng_next() % 0x1100] = (uint8_t)unit_rng_next();
        if (mb1_exact(PHYS_SIZE, MB1_INFO_AT, &bi, &why) != 0)
            CHECK(why != NULL);
        else
            CHECK(bi.nmem > 0 && bi.nmem <= BOOT_MAX_MEM && bi.nmods <= HIP_MAX_MODS);
    }
}

int main(void)
{
    return unit_run();
}
