/* SPDX-License-Identifier: MIT */
/* tests/test_elf.c — host tests for the ELF64 validator, one corrupted field per case. */
#include "kernel/lib/elf.c"
#include "unit.h"

/*
 * The reference image (IMG_SIZE bytes, ET_EXEC at 0x400000):
 *
 *   file 0x0000 ┌ ELF header, program headers ┐ LOAD0  R X  vaddr 0x400000  filesz=memsz 0x1000
 *        0x1000 ├ .tdata + data (0x100)       ┤ LOAD1  RW   vaddr 0x401000  filesz 0x100 memsz 0x2000
 *        0x1100 ┘                              ┘ TLS at 0x401000 (filesz 0x10, memsz 0x20)
 *
 * Program headers: PHDR, LOAD0, LOAD1, TLS, GNU_STACK. Entry 0x400100.
 * LOAD1's data reaches the end of the file, so every truncation is a defect.
 */
#define IMG_SIZE   0x1100u
#define IMG_BASE   0x400000ull
#define IMG_ENTRY  0x400100ull

enum { PH_PHDR, PH_LOAD0, PH_LOAD1, PH_TLS, PH_STACK, PH_COUNT };

/* Phdr field offsets. */
#define P_TYPE   0
#define P_FLAGS  4
#define P_OFFSET 8
#define P_VADDR  16
#define P_FILESZ 32
#define P_MEMSZ  40
#define P_ALIGN  48

static const struct elf_limits lim_user = {
    .lo = 0x1000, .hi = 0x00007ffffffff000ull, .allow_dyn = false, .load_bias = 0,
};

static void put8(uint8_t *b, size_t off, uint8_t v)   { b[off] = v; }
static void put16(uint8_t *b, size_t off, uint16_t v) { memcpy(b + off, &v, sizeof v); }
static void put32(uint8_t *b, size_t off, uint32_t v) { memcpy(b + off, &v, sizeof v); }
static void put64(uint8_t *b, size_t off, uint64_t v) { memcpy(b + off, &v, sizeof v); }

static size_t ph_at(int i) { return 64 + 56 * (size_t)i; }

/* Write program header i. */
static void img_phdr(uint8_t *b, int i, uint32_t type, uint32_t flags, uint64_t off,
                     uint64_t vaddr, uint64_t filesz, uint64_t memsz, uint64_t align)
{
    size_t p = ph_at(i);

    put32(b, p + P_TYPE, type);
    put32(b, p + P_FLAGS, flags);
    put64(b, p + P_OFFSET, off);
    put64(b, p + P_VADDR, vaddr);
    put64(b, p + 24, vaddr);
    put64(b, p + P_FILESZ, filesz);
    put64(b, p + P_MEMSZ, memsz);
    put64(b, p + P_ALIGN, align);
}

/* Build the reference image at base (0x400000 for ET_EXEC, 0 for ET_DYN). */
static void img_make_at(uint8_t *b, uint16_t type, uint64_t base)
{
    memset(b, 0, IMG_SIZE);
    b[0] = 0x7f; b[1] = 'E'; b[2] = 'L'; b[3] = 'F';
    b[EI_CLASS] = ELFCLASS64;
    b[EI_DATA] = ELFDATA2LSB;
    b[EI_VERSION] = EV_CURRENT;
    put16(b, 16, type);
    put16(b, 18, EM_X86_64);
    put32(b, 20, EV_CURRENT);
    put64(b, 24, base + (IMG_ENTRY - IMG_BASE));
    put64(b, 32, 64);               /* e_phoff */
    put16(b, 52, 64);               /* e_ehsize */
    put16(b, 54, 56);               /* e_phentsize */
    put16(b, 56, PH_COUNT);         /* e_phnum */
    img_phdr(b, PH_PHDR, PT_PHDR, PF_R, 64, base + 64, 56 * PH_COUNT, 56 * PH_COUNT, 8);
    img_phdr(b, PH_LOAD0, PT_LOAD, PF_R | PF_X, 0, base, 0x1000, 0x1000, 0x1000);
    img_phdr(b, PH_LOAD1, PT_LOAD, PF_R | PF_W, 0x1000, base + 0x1000, 0x100, 0x2000, 0x1000);
    img_phdr(b, PH_TLS, PT_TLS, PF_R, 0x1000, base + 0x1000, 0x10, 0x20, 8);
    img_phdr(b, PH_STACK, PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 16);
}

static void img_make(uint8_t *b)
{
    img_make_at(b, ET_EXEC, IMG_BASE);
}

/* Parse exactly n bytes from a heap copy of that size, so ASan sees any overread. */
static int parse_exact(const uint8_t *b, size_t n, const struct elf_limits *lim,
                       struct elf_info *out, const char **why)
{
    uint8_t *copy = malloc(n ? n : 1);
    int r;

    memcpy(copy, b, n);
    r = elf_parse(copy, n, lim, out, why);
    free(copy);
    return r;
}

/* The image must be rejected with a message containing want. */
static void expect_reject_at(const uint8_t *b, size_t n, const struct elf_limits *lim,
                             const char *want, const char *file, int line)
{
    struct elf_info info;
    const char *why = NULL;
    char msg[300];

    if (parse_exact(b, n, lim, &info, &why) != -1) {
        snprintf(msg, sizeof msg, "accepted an image that should fail with \"%s\"", want);
        unit_fail(file, line, msg);
    }
    if (why == NULL || strstr(why, want) == NULL) {
        snprintf(msg, sizeof msg, "why = \"%s\", wanted \"%s\"", why ? why : "(null)", want);
        unit_fail(file, line, msg);
    }
}
#define EXPECT_REJECT(b, n, lim, want) expect_reject_at(b, n, lim, want, __FILE__, __LINE__)

/* The image must be accepted. */
static void expect_accept_at(const uint8_t *b, size_t n, const struct elf_limits *lim,
                             struct elf_info *info, const char *file, int line)
{
    const char *why = NULL;
    char msg[300];

    if (parse_exact(b, n, lim, info, &why) != 0) {
        snprintf(msg, sizeof msg, "rejected: %s", why ? why : "(no reason)");
        unit_fail(file, line, msg);
    }
}
#define EXPECT_ACCEPT(b, n, lim, info) expect_accept_at(b, n, lim, info, __FILE__, __LINE__)

TEST(valid_exec_described)
{
    uint8_t b[IMG_SIZE];
    struct elf_info in;

    img_make(b);
    EXPECT_ACCEPT(b, IMG_SIZE, &lim_user, &in);
    CHECK_EQ(in.type, ET_EXEC);
    CHECK_EQ(in.entry, IMG_ENTRY);
    CHECK_EQ(in.phoff, 64);
    CHECK_EQ(in.phnum, PH_COUNT);
    CHECK_EQ(in.phentsize, 56);
    CHECK_EQ(in.phdr_vaddr, IMG_BASE + 64);
    CHECK(!in.has_interp);
    CHECK_EQ(in.tls_vaddr, IMG_BASE + 0x1000);
    CHECK_EQ(in.tls_memsz, 0x20);
    CHECK_EQ(in.tls_filesz, 0x10);
    CHECK_EQ(in.tls_align, 8);
    CHECK_EQ(in.nseg, 2);
    CHECK_EQ(in.seg[0].vaddr, IMG_BASE);
    CHECK_EQ(in.seg[0].memsz, 0x1000);
    CHECK_EQ(in.seg[0].offset, 0);
    CHECK_EQ(in.seg[0].filesz, 0x1000);
    CHECK_EQ(in.seg[0].flags, PF_R | PF_X);
    CHECK_EQ(in.seg[0].align, 0x1000);
    CHECK_EQ(in.seg[1].vaddr, IMG_BASE + 0x1000);
    CHECK_EQ(in.seg[1].memsz, 0x2000);
    CHECK_EQ(in.seg[1].offset, 0x1000);
    CHECK_EQ(in.seg[1].filesz, 0x100);
    CHECK_EQ(in.seg[1].flags, PF_R | PF_W);
    CHECK_EQ(in.seg[2].vaddr, 0);
    CHECK_EQ(in.lo, IMG_BASE);
    CHECK_EQ(in.hi, IMG_BASE + 0x3000);
}

TEST(valid_span_is_page_rounded)
{
    uint8_t b[IMG_SIZE];
    struct elf_info in;

    img_make(b);
    put64(b, ph_at(PH_LOAD1) + P_MEMSZ, 0x1801);   /* ends at 0x402801 */
    EXPECT_ACCEPT(b, IMG_SIZE, &lim_user, &in);
    CHECK_EQ(in.lo, IMG_BASE);
    CHECK_EQ(in.hi, IMG_BASE + 0x3000);
}

TEST(valid_dyn_with_bias)
{
    uint8_t b[IMG_SIZE];
    struct elf_info in;
    struct elf_limits lim = lim_user;

    img_make_at(b, ET_DYN, 0);
    lim.allow_dyn = true;
    lim.load_bias = 0x7f0000000000ull;
    EXPECT_ACCEPT(b, IMG_SIZE, &lim, &in);
    CHECK_EQ(in.type, ET_DYN);
    CHECK_EQ(in.entry, lim.load_bias + 0x100);
    CHECK_EQ(in.phdr_vaddr, lim.load_bias + 64);
    CHECK_EQ(in.tls_vaddr, lim.load_bias + 0x1000);
    CHECK_EQ(in.nseg, 2);
    CHECK_EQ(in.seg[0].vaddr, lim.load_bias);
    CHECK_EQ(in.seg[0].offset, 0);
    CHECK_EQ(in.seg[1].vaddr, lim.load_bias + 0x1000);
    CHECK_EQ(in.seg[1].offset, 0x1000);
    CHECK_EQ(in.lo, lim.load_bias);
    CHECK_EQ(in.hi, lim.load_bias + 0x3000);
}

TEST(dyn_at_zero_needs_bias_inside_limits)
{
    uint8_t b[IMG_SIZE];
    struct elf_limits lim = lim_user;

    img_make_at(b, ET_DYN, 0);
    lim.allow_dyn = true;
    EXPECT_REJECT(b, IMG_SIZE, &lim, "outside the allowed address range");
}

TEST(dyn_rejected_unless_allowed)
{
    uint8_t b[IMG_SIZE];

    img_make_at(b, ET_DYN, 0);
    EXPECT_REJECT(b, IMG_SIZE, &lim_user, "type not accepted: ET_DYN");
}

TEST(dyn_bias_must_be_page_aligned)
{
    uint8_t b[IMG_SIZE];
    struct elf_limits lim = lim_user;

    img_make_at(b, ET_DYN, 0);
    lim.allow_dyn = true;
    lim.load_bias = 0x10000800;
    EXPECT_REJECT(b, IMG_SIZE, &lim, "load bias not page-aligned");
}

TEST(dyn_bias_overflow_rejected)
{
    uint8_t b[IMG_SIZE];
    struct elf_limits lim = { .lo = 0, .hi = UINT64_MAX, .allow_dyn = true,
                              .load_bias = 0xfffffffffffff000ull };

    img_make_at(b, ET_DYN, 0);
    EXPECT_REJECT(b, IMG_SIZE, &lim, "vaddr+memsz overflows");
}

TEST(exec_ignores_load_bias)
{
    uint8_t b[IMG_SIZE];
    struct elf_info in;
    struct elf_limits lim = lim_user;

    img_make(b);
    lim.allow_dyn = true;
    lim.load_bias = 0x10000000;
    EXPECT_ACCEPT(b, IMG_SIZE, &lim, &in);
    CHECK_EQ(in.entry, IMG_ENTRY);
    CHECK_EQ(in.seg[0].vaddr, IMG_BASE);
}

TEST(interp_flagged)
{
    uint8_t b[IMG_SIZE];
    struct elf_info in;

    img_make(b);
    img_phdr(b, PH_STACK, PT_INTERP, PF_R, 0x200, IMG_BASE + 0x200, 0x1c, 0x1c, 1);
    EXPECT_ACCEPT(b, IMG_SIZE, &lim_user, &in);
    CHECK(in.has_interp);
}

TEST(interp_beyond_file_rejected)
{
    uint8_t b[IMG_SIZE];

    img_make(b);
    img_phdr(b, PH_STACK, PT_INTERP, PF_R, IMG_SIZE - 4, 0, 0x10, 0x10, 1);
    EXPECT_REJECT(b, IMG_SIZE, &lim_user, "PT_INTERP beyond end of file");
}

TEST(no_tls_gives_zeros)
{
    uint8_t b[IMG_SIZE];
    struct elf_info in;

    img_make(b);
    put32(b, ph_at(PH_TLS) + P_TYPE, PT_NOTE);
    EXPECT_ACCEPT(b, IMG_SIZE, &lim_user, &in);
    CHECK_EQ(in.tls_vaddr, 0);
    CHECK_EQ(in.tls_memsz, 0);
    CHECK_EQ(in.tls_filesz, 0);
    CHECK_EQ(in.tls_align, 0);
}

TEST(smaller_than_header)
{
    uint8_t b[IMG_SIZE];

    img_make(b);
    EXPECT_REJECT(b, 63, &lim_user, "truncated: file smaller than the ELF header");
    EXPECT_REJECT(b, 0, &lim_user, "truncated: file smaller than the ELF header");
}

TEST(bad_magic)
{
    uint8_t b[IMG_SIZE];

    for (int i = 0; i < 4; i++) {
        img_make(b);
        b[i] ^= 0x20;
        EXPECT_REJECT(b, IMG_SIZE, &lim_user, "bad magic");
    }
}

TEST(not_class64)
{
    uint8_t b[IMG_SIZE];

    img_make(b);
    put8(b, EI_CLASS, 1);
    EXPECT_REJECT(b, IMG_SIZE, &lim_user, "a 32-bit executable (ELFCLASS32): only x86-64 ones run here");
    put8(b, EI_CLASS, 0);
    EXPECT_REJECT(b, IMG_SIZE, &lim_user, "not ELFCLASS64");
}

TEST(not_little_endian)
{
    uint8_t b[IMG_SIZE];

    img_make(b);
    put8(b, EI_DATA, 2);
    EXPECT_REJECT(b, IMG_SIZE, &lim_user, "not little-endian");
}

TEST(bad_version)
{
    uint8_t b[IMG_SIZE];

    img_make(b);
    put8(b, EI_VERSION, 0);
    EXPECT_REJECT(b, IMG_SIZE, &lim_user, "bad ELF version");
    img_make(b);
    put32(b, 20, 2);
    EXPECT_REJECT(b, IMG_SIZE, &lim_user, "bad ELF version");
}

TEST(machine_not_x86_64)
{
    uint8_t b[IMG_SIZE];

    img_make(b);
    put16(b, 18, 3);   /* EM_386 */
    EXPECT_REJECT(b, IMG_SIZE, &lim_user, "machine not x86-64");
}

TEST(type_not_accepted)
{
    uint8_t b[IMG_SIZE];
    struct elf_limits lim = lim_user;

    lim.allow_dyn = true;
    img_make(b);
    put16(b, 16, 1);   /* ET_REL */
    EXPECT_REJECT(b, IMG_SIZE, &lim, "type not accepted: neither ET_EXEC nor ET_DYN");
    put16(b, 16, 4);   /* ET_CORE */
    EXPECT_REJECT(b, IMG_SIZE, &lim, "type not accepted");
}

TEST(bad_phentsize)
{
    uint8_t b[IMG_SIZE];

    img_make(b);
    put16(b, 54, 64);
    EXPECT_REJECT(b, IMG_SIZE, &lim_user, "e_phentsize");
}

TEST(phoff_overflow)
{
    uint8_t b[IMG_SIZE];

    img_make(b);
    put64(b, 32, UINT64_MAX - 100);
    EXPECT_REJECT(b, IMG_SIZE, &lim_user, "program header table offset overflows");
}

TEST(phdrs_beyond_file)
{
    uint8_t b[IMG_SIZE];

    img_make(b);
    put64(b, 32, IMG_SIZE - 56 * PH_COUNT + 1);
    EXPECT_REJECT(b, IMG_SIZE, &lim_user, "truncated: program headers beyond end of file");
    img_make(b);
    put64(b, 32, IMG_SIZE + 8);
    EXPECT_REJECT(b, IMG_SIZE, &lim_user, "truncated: program headers beyond end of file");
    img_make(b);
    put16(b, 56, 0xffff);
    EXPECT_REJECT(b, IMG_SIZE, &lim_user, "truncated: program headers beyond end of file");
}

TEST(no_pt_load)
{
    uint8_t b[IMG_SIZE];

    img_make(b);
    put32(b, ph_at(PH_LOAD0) + P_TYPE, PT_NOTE);
    put32(b, ph_at(PH_LOAD1) + P_TYPE, PT_NOTE);
    EXPECT_REJECT(b, IMG_SIZE, &lim_user, "no PT_LOAD");
    img_make(b);
    put16(b, 56, 0);
    EXPECT_REJECT(b, IMG_SIZE, &lim_user, "no PT_LOAD");
}

/* An image with n one-page PT_LOADs at 0x400000, 0x401000, ... (n <= 17). */
static size_t img_make_many(uint8_t *b, unsigned n)
{
    size_t size = 0x1000 * (size_t)n;

    memset(b, 0, size);
    img_make(b);                    /* header only; phdrs are rewritten */
    put16(b, 56, (uint16_t)n);
    for (unsigned i = 0; i < n; i++)
        img_phdr(b, (int)i, PT_LOAD, PF_R | PF_X, 0x1000 * (uint64_t)i, IMG_BASE + 0x1000 * (uint64_t)i,
                 0x1000, 0x1000, 0x1000);
    return size;
}

TEST(sixteen_loads_accepted)
{
    static uint8_t b[0x1000 * 17];
    struct elf_info in;
    size_t size = img_make_many(b, ELF_MAX_SEGS);

    EXPECT_ACCEPT(b, size, &lim_user, &in);
    CHECK_EQ(in.nseg, ELF_MAX_SEGS);
    CHECK_EQ(in.seg[15].vaddr, IMG_BASE + 0xf000);
    CHECK_EQ(in.hi, IMG_BASE + 0x10000);
    CHECK_EQ(in.phdr_vaddr, IMG_BASE + 64);
}

TEST(too_many_loads)
{
    static uint8_t b[0x1000 * 17];
    size_t size = img_make_many(b, ELF_MAX_SEGS + 1);

    EXPECT_REJECT(b, size, &lim_user, "too many PT_LOAD");
}

TEST(load_filesz_above_memsz)
{
    uint8_t b[IMG_SIZE];

    img_make(b);
    put64(b, ph_at(PH_LOAD0) + P_MEMSZ, 0xfff);
    EXPECT_REJECT(b, IMG_SIZE, &lim_user, "PT_LOAD filesz larger than memsz");
}

TEST(load_data_beyond_file)
{
    uint8_t b[IMG_SIZE];

    img_make(b);
    put64(b, ph_at(PH_LOAD1) + P_FILESZ, 0x101);
    EXPECT_REJECT(b, IMG_SIZE, &lim_user, "truncated: PT_LOAD data beyond end of file");
    img_make(b);
    put64(b, ph_at(PH_LOAD1) + P_OFFSET, 0x2000);
    put64(b, ph_at(PH_LOAD1) + P_VADDR, IMG_BASE + 0x2000);
    EXPECT_REJECT(b, IMG_SIZE, &lim_user, "truncated: PT_LOAD data beyond end of file");
}

TEST(load_file_range_overflow)
{
    uint8_t b[IMG_SIZE];

    img_make(b);
    put64(b, ph_at(PH_LOAD1) + P_OFFSET, UINT64_MAX - 0x10);
    put64(b, ph_at(PH_LOAD1) + P_ALIGN, 0);
    EXPECT_REJECT(b, IMG_SIZE, &lim_user, "PT_LOAD file range (offset+filesz) overflows");
}

TEST(load_vaddr_overflow)
{
    uint8_t b[IMG_SIZE];
    struct elf_limits lim = { .lo = 0, .hi = UINT64_MAX };

    img_make(b);
    put64(b, ph_at(PH_LOAD1) + P_VADDR, 0xfffffffffffff000ull);
    EXPECT_REJECT(b, IMG_SIZE, &lim, "PT_LOAD vaddr+memsz overflows");
    /* The end fits in 64 bits but its page does not. */
    put64(b, ph_at(PH_LOAD1) + P_MEMSZ, 0x800);
    EXPECT_REJECT(b, IMG_SIZE, &lim, "PT_LOAD vaddr+memsz overflows");
}

TEST(load_outside_limits)
{
    uint8_t b[IMG_SIZE];
    struct elf_info in;
    struct elf_limits lim = lim_user;

    img_make(b);
    lim.hi = IMG_BASE + 0x3000;                 /* exactly the span: fine */
    EXPECT_ACCEPT(b, IMG_SIZE, &lim, &in);
    lim.hi = IMG_BASE + 0x2fff;
    EXPECT_REJECT(b, IMG_SIZE, &lim, "PT_LOAD segment outside the allowed address range");
    lim = lim_user;
    lim.lo = IMG_BASE;                          /* exactly the start: fine */
    EXPECT_ACCEPT(b, IMG_SIZE, &lim, &in);
    lim.lo = IMG_BASE + 1;
    EXPECT_REJECT(b, IMG_SIZE, &lim, "PT_LOAD segment outside the allowed address range");
    lim = lim_user;
    put64(b, ph_at(PH_LOAD1) + P_VADDR, 0x00007ffffffff000ull);
    EXPECT_REJECT(b, IMG_SIZE, &lim, "PT_LOAD segment outside the allowed address range");
}

TEST(load_align_not_power_of_two)
{
    uint8_t b[IMG_SIZE];

    img_make(b);
    put64(b, ph_at(PH_LOAD1) + P_ALIGN, 0x3000);
    EXPECT_REJECT(b, IMG_SIZE, &lim_user, "PT_LOAD p_align not a power of two");
}

TEST(load_vaddr_offset_not_congruent)
{
    uint8_t b[IMG_SIZE];
    struct elf_info in;

    img_make(b);
    put64(b, ph_at(PH_LOAD1) + P_VADDR, IMG_BASE + 0x1800);
    put32(b, ph_at(PH_TLS) + P_TYPE, PT_NOTE);
    EXPECT_REJECT(b, IMG_SIZE, &lim_user, "not congruent modulo p_align");
    /* Without an alignment requirement the same layout is fine. */
    put64(b, ph_at(PH_LOAD1) + P_ALIGN, 1);
    EXPECT_ACCEPT(b, IMG_SIZE, &lim_user, &in);
    CHECK_EQ(in.seg[1].vaddr, IMG_BASE + 0x1800);
    CHECK_EQ(in.hi, IMG_BASE + 0x4000);
}

TEST(loads_overlap)
{
    uint8_t b[IMG_SIZE];

    img_make(b);
    put64(b, ph_at(PH_LOAD1) + P_VADDR, IMG_BASE + 0xf00);
    put64(b, ph_at(PH_LOAD1) + P_ALIGN, 0);
    put64(b, ph_at(PH_TLS) + P_VADDR, IMG_BASE + 0xf00);
    EXPECT_REJECT(b, IMG_SIZE, &lim_user, "PT_LOAD segments overlap");
    /* The same load in the other order. */
    img_make(b);
    img_phdr(b, PH_LOAD0, PT_LOAD, PF_R | PF_W, 0x1000, IMG_BASE + 0x1000, 0x100, 0x2000, 0x1000);
    img_phdr(b, PH_LOAD1, PT_LOAD, PF_R | PF_X, 0, IMG_BASE + 0x2000, 0x1000, 0x1000, 0x1000);
    EXPECT_REJECT(b, IMG_SIZE, &lim_user, "PT_LOAD segments overlap");
}

TEST(loads_sharing_a_page_allowed)
{
    uint8_t b[IMG_SIZE];
    struct elf_info in;

    img_make(b);
    put64(b, ph_at(PH_LOAD0) + P_FILESZ, 0xf00);
    put64(b, ph_at(PH_LOAD0) + P_MEMSZ, 0xf00);
    put64(b, ph_at(PH_LOAD1) + P_VADDR, IMG_BASE + 0xf00);
    put64(b, ph_at(PH_LOAD1) + P_ALIGN, 0);
    put64(b, ph_at(PH_TLS) + P_VADDR, IMG_BASE + 0xf00);
    EXPECT_ACCEPT(b, IMG_SIZE, &lim_user, &in);
    CHECK_EQ(in.nseg, 2);
    CHECK_EQ(in.seg[1].vaddr, IMG_BASE + 0xf00);
    CHECK_EQ(in.lo, IMG_BASE);
    CHECK_EQ(in.hi, IMG_BASE + 0x3000);   /* 0x400f00 + 0x2000, rounded up */
}

TEST(entry_outside_executable_segment)
{
    uint8_t b[IMG_SIZE];
    struct elf_info in;

    img_make(b);
    put64(b, 24, IMG_BASE + 0x1010);            /* inside the RW segment */
    EXPECT_REJECT(b, IMG_SIZE, &lim_user, "entry point not inside an executable PT_LOAD");
    put64(b, 24, IMG_BASE + 0x1000);            /* one past the text */
    EXPECT_REJECT(b, IMG_SIZE, &lim_user, "entry point not inside an executable PT_LOAD");
    put64(b, 24, 0x10);                         /* unmapped */
    EXPECT_REJECT(b, IMG_SIZE, &lim_user, "entry point not inside an executable PT_LOAD");
    put64(b, 24, IMG_BASE + 0xfff);             /* last byte of the text */
    EXPECT_ACCEPT(b, IMG_SIZE, &lim_user, &in);
    CHECK_EQ(in.entry, IMG_BASE + 0xfff);
}

TEST(entry_overflowing_with_bias_rejected)
{
    uint8_t b[IMG_SIZE];
    struct elf_limits lim = lim_user;

    img_make_at(b, ET_DYN, 0);
    lim.allow_dyn = true;
    lim.load_bias = 0x10000000;
    put64(b, 24, UINT64_MAX - 0x10000000 + 0x100 + 1);   /* wraps to bias + 0x100 */
    EXPECT_REJECT(b, IMG_SIZE, &lim, "entry point not inside an executable PT_LOAD");
}

TEST(tls_defects)
{
    uint8_t b[IMG_SIZE];

    img_make(b);
    put64(b, ph_at(PH_TLS) + P_MEMSZ, 0x8);
    EXPECT_REJECT(b, IMG_SIZE, &lim_user, "PT_TLS filesz larger than memsz");
    img_make(b);
    put64(b, ph_at(PH_TLS) + P_ALIGN, 12);
    EXPECT_REJECT(b, IMG_SIZE, &lim_user, "PT_TLS p_align not a power of two");
    img_make(b);
    put64(b, ph_at(PH_TLS) + P_VADDR, 0x500000);
    EXPECT_REJECT(b, IMG_SIZE, &lim_user, "PT_TLS image not inside a PT_LOAD");
    img_make(b);
    put64(b, ph_at(PH_TLS) + P_OFFSET, IMG_SIZE - 8);
    EXPECT_REJECT(b, IMG_SIZE, &lim_user, "truncated: PT_TLS data beyond end of file");
    img_make(b);
    put64(b, ph_at(PH_TLS) + P_VADDR, UINT64_MAX - 0x10);
    EXPECT_REJECT(b, IMG_SIZE, &lim_user, "PT_TLS vaddr+memsz overflows");
    img_make(b);
    img_phdr(b, PH_STACK, PT_TLS, PF_R, 0x1000, IMG_BASE + 0x1000, 0x10, 0x20, 8);
    EXPECT_REJECT(b, IMG_SIZE, &lim_user, "more than one PT_TLS");
}

TEST(phdr_segment_must_match)
{
    uint8_t b[IMG_SIZE];
    struct elf_info in;

    img_make(b);
    put64(b, ph_at(PH_PHDR) + P_VADDR, IMG_BASE + 0x80);
    EXPECT_REJECT(b, IMG_SIZE, &lim_user, "PT_PHDR does not match");
    /* Program headers not covered by a PT_LOAD's file bytes. */
    img_make(b);
    put64(b, ph_at(PH_LOAD0) + P_FILESZ, 0x100);
    EXPECT_REJECT(b, IMG_SIZE, &lim_user, "PT_PHDR does not match");
    /* Same without PT_PHDR: accepted, phdr_vaddr 0. */
    put32(b, ph_at(PH_PHDR) + P_TYPE, PT_NULL);
    EXPECT_ACCEPT(b, IMG_SIZE, &lim_user, &in);
    CHECK_EQ(in.phdr_vaddr, 0);
    img_make(b);
    img_phdr(b, PH_STACK, PT_PHDR, PF_R, 64, IMG_BASE + 64, 56 * PH_COUNT, 56 * PH_COUNT, 8);
    EXPECT_REJECT(b, IMG_SIZE, &lim_user, "more than one PT_PHDR");
}

TEST(null_arguments)
{
    uint8_t b[IMG_SIZE];
    struct elf_info in;
    const char *why = NULL;

    img_make(b);
    CHECK_EQ(elf_parse(NULL, IMG_SIZE, &lim_user, &in, &why), -1);
    CHECK(strstr(why, "bad arguments") != NULL);
    CHECK_EQ(elf_parse(b, IMG_SIZE, NULL, &in, &why), -1);
    CHECK_EQ(elf_parse(b, IMG_SIZE, &lim_user, NULL, &why), -1);
    CHECK_EQ(elf_parse(b, 10, &lim_user, &in, NULL), -1);       /* why is optional */
    CHECK_EQ(elf_parse(b, IMG_SIZE, &lim_user, &in, NULL), 0);
}

TEST(output_untouched_on_failure)
{
    uint8_t b[IMG_SIZE];
    struct elf_info in, before;
    const char *why = NULL;

    img_make(b);
    put64(b, 24, 0x10);                         /* fails at the very last check */
    memset(&in, 0xab, sizeof in);
    memcpy(&before, &in, sizeof in);
    CHECK_EQ(elf_parse(b, IMG_SIZE, &lim_user, &in, &why), -1);
    CHECK(memcmp(&in, &before, sizeof in) == 0);
}

TEST(unaligned_image)
{
    static uint8_t raw[IMG_SIZE + 8];
    uint8_t b[IMG_SIZE];
    struct elf_info in;
    const char *why = NULL;

    img_make(b);
    memcpy(raw + 3, b, IMG_SIZE);
    CHECK_EQ(elf_parse(raw + 3, IMG_SIZE, &lim_user, &in, &why), 0);
    CHECK_EQ(in.entry, IMG_ENTRY);
    CHECK_EQ(in.hi, IMG_BASE + 0x3000);
}

TEST(every_truncation_rejected)
{
    uint8_t b[IMG_SIZE];
    struct elf_info in;
    const char *why;

    img_make(b);
    for (size_t n = 0; n < IMG_SIZE; n++) {
        why = NULL;
        CHECK_EQ(parse_exact(b, n, &lim_user, &in, &why), -1);
        CHECK(why != NULL && strstr(why, "truncated") != NULL);
    }
    CHECK_EQ(parse_exact(b, IMG_SIZE, &lim_user, &in, &why), 0);
}

TEST(random_mutations_keep_invariants)
{
    uint8_t ref[IMG_SIZE], b[IMG_SIZE];
    struct elf_info in;
    struct elf_limits lim = lim_user;
    unit_rng = 0x9e3779b97f4a7c15ull;
    unsigned accepted = 0;

    lim.allow_dyn = true;
    lim.load_bias = 0x10000000;
    img_make(ref);
    for (int iter = 0; iter < 20000; iter++) {
        const char *why = NULL;
        int flips = 1 + (int)(unit_rng_next() % 4);

        memcpy(b, ref, IMG_SIZE);
        for (int f = 0; f < flips; f++) {
            /* Mostly hit the headers, where the meaning is. */
            size_t at = unit_rng_next() % (64 + 56 * PH_COUNT);
            b[at] = (uint8_t)unit_rng_next();
        }
        if (parse_exact(b, IMG_SIZE, &lim, &in, &why) != 0) {
            CHECK(why != NULL);
            continue;
        }
        accepted++;
        CHECK(in.nseg >= 1 && in.nseg <= ELF_MAX_SEGS);
        CHECK(in.lo < in.hi && in.lo >= lim.lo && in.hi <= lim.hi);
        for (unsigned i = 0; i < in.nseg; i++) {
            const struct elf_seg *s = &in.seg[i];
            CHECK(s->filesz <= s->memsz);
            CHECK(s->offset + s->filesz <= IMG_SIZE);
            CHECK(s->vaddr >= in.lo && s->vaddr + s->memsz <= in.hi);
            for (unsigned j = i + 1; j < in.nseg; j++)
                CHECK(s->vaddr + s->memsz <= in.seg[j].vaddr ||
                      in.seg[j].vaddr + in.seg[j].memsz <= s->vaddr);
        }
    }
    CHECK(accepted > 100);     /* the test did exercise success paths */
}

int main(void) { return unit_run(); }
