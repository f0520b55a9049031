// SPDX-License-Identifier: MIT
/* boot/multiboot.c — bounds-checked readers of the boot information: multiboot2 (GRUB) and multiboot 1 (QEMU -kernel). */
#include "multiboot.h"

#define MB2_TAG_END       0
#define MB2_TAG_CMDLINE   1
#define MB2_TAG_MODULE    3
#define MB2_TAG_MMAP      6
#define MB2_TAG_ACPI_OLD  14
#define MB2_TAG_ACPI_NEW  15

/* Multiboot 1: the fixed information structure, its flag bits, a module entry. */
#define MB1_INFO_SIZE     88          /* flags .. the VBE fields */
#define MB1_INFO_MODS     (1u << 3)   /* mods_count (20), mods_addr (24) */
#define MB1_INFO_MMAP     (1u << 6)   /* mmap_length (44), mmap_addr (48) */
#define MB1_MOD_SIZE      16          /* mod_start, mod_end, string, reserved */
#define MB1_MMAP_MIN      20          /* an entry's size field: base, length, type */

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
    return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* Copy a NUL-terminated string of at most max bytes into a fixed buffer, cut to fit. */
static void copy_str(char *dst, size_t cap, const uint8_t *src, size_t max)
{
    size_t i = 0;
    for (; i + 1 < cap && i < max && src[i]; i++)
        dst[i] = (char)src[i];
    dst[i] = 0;
}

/* One memory-map entry into bi->mem, or counted as dropped beyond its table. */
static void boot_mem_add(struct boot_info *bi, uint64_t addr, uint64_t len, uint32_t type)
{
    if (bi->nmem == BOOT_MAX_MEM) {
        bi->dropped_mem++;
        return;
    }
    bi->mem[bi->nmem++] = (struct boot_mem){ addr, len, type };
}

/* One module into bi->mods (its command line: at most max bytes at cmd), or counted as dropped. */
static int boot_module_add(struct boot_info *bi, uint64_t start, uint64_t end, const uint8_t *cmd, size_t max,
                      const char **why)
{
    if (end < start) {
        *why = "module ends before it starts";
        return -1;
    }
    if (bi->nmods == HIP_MAX_MODS) {
        bi->dropped_mods++;
        return 0;
    }
    struct boot_module *m = &bi->mods[bi->nmods++];
    m->start = start;
    m->end = end;
    copy_str(m->cmdline, sizeof m->cmdline, cmd, max);
    return 0;
}

/* The memory-map tag: every entry into bi->mem (those beyond its table counted as dropped). */
static int parse_mmap(const uint8_t *t, uint32_t size, struct boot_info *bi, const char **why)
{
    if (size < 16) {
        *why = "memory map tag too short";
        return -1;
    }
    uint32_t esz = rd32(t + 8);
    if (esz < 24 || esz % 8) {
        *why = "memory map entry size invalid";
        return -1;
    }
    for (uint32_t off = 16; esz <= size - off; off += esz)     /* no wrap: off <= size */
        boot_mem_add(bi, rd64(t + off), rd64(t + off + 8), rd32(t + off + 16));
    return 0;
}

/* Check the boot loader's tag list and copy what the kernel needs (memory map, modules, RSDP) into bi. */
int mb2_parse(const void *info, size_t avail, uint64_t info_phys, struct boot_info *bi, const char **why)
{
    const uint8_t *p = info;
    *bi = (struct boot_info){0};
    if (avail < 8) {
        *why = "boot information truncated";
        return -1;
    }
    uint32_t total = rd32(p);
    if (total < 16 || total > avail) {
        *why = "boot information size invalid";
        return -1;
    }
    bi->info_start = info_phys;
    bi->info_end = info_phys + total;
    bool seen_end = false;
    for (uint32_t off = 8; off + 8 <= total; ) {
        const uint8_t *t = p + off;
        uint32_t type = rd32(t), size = rd32(t + 4);
        if (size < 8 || size > total - off) {
            *why = "boot information tag overruns the structure";
            return -1;
        }
        if (type == MB2_TAG_END) {
            seen_end = true;
            break;
        }
        switch (type) {
        case MB2_TAG_MMAP:
            if (parse_mmap(t, size, bi, why))
                return -1;
            break;
        case MB2_TAG_MODULE:
            if (size < 16) {
                *why = "module tag too short";
                return -1;
            }
            if (boot_module_add(bi, rd32(t + 8), rd32(t + 12), t + 16, size - 16, why))
                return -1;
            break;
        case MB2_TAG_ACPI_OLD:
        case MB2_TAG_ACPI_NEW: {
            uint32_t n = size - 8 < sizeof bi->rsdp ? size - 8 : sizeof bi->rsdp;
            if (n < 20 || (bi->has_rsdp && type == MB2_TAG_ACPI_OLD))
                break;                      /* too short to be an RSDP; or prefer the v2 one */
            for (uint32_t i = 0; i < sizeof bi->rsdp; i++)
                bi->rsdp[i] = i < n ? t[8 + i] : 0;
            bi->has_rsdp = true;
            break;
        }
        default:
            break;
        }
        off += (size + 7) & ~7u;
    }
    if (!seen_end) {
        *why = "boot information has no end tag";
        return -1;
    }
    if (bi->nmem == 0) {
        *why = "boot information has no memory map";
        return -1;
    }
    return 0;
}

/* The n bytes at physical pa, if all of them lie inside the window mem[0, mem_size). */
static const uint8_t *phys_span(const uint8_t *mem, uint64_t mem_size, uint64_t pa, uint64_t n)
{
    return pa <= mem_size && n <= mem_size - pa ? mem + pa : NULL;
}

/*
 * The multiboot 1 memory map: entries { u32 size, u64 base, u64 length, u32 type }, each
 * followed by the next at +4+size (size excludes its own field, at least 20).
 */
static int mb1_mmap(const uint8_t *mmap, uint32_t len, struct boot_info *bi, const char **why)
{
    for (uint32_t off = 0; len - off >= 4 + MB1_MMAP_MIN; ) {    /* a partial trailing entry is ignored */
        const uint8_t *e = mmap + off;
        uint32_t esz = rd32(e);
        if (esz < MB1_MMAP_MIN) {
            *why = "memory map entry size invalid";
            return -1;
        }
        if (esz > len - off - 4)
            break;
        boot_mem_add(bi, rd64(e + 4), rd64(e + 12), rd32(e + 20));
        off += 4 + esz;
    }
    return 0;
}

/* Check the multiboot 1 structure and everything it points to; copy memory map and modules into bi. */
int mb1_parse(const void *mem, uint64_t mem_size, uint64_t info_phys, struct boot_info *bi, const char **why)
{
    *bi = (struct boot_info){0};
    const uint8_t *p = phys_span(mem, mem_size, info_phys, MB1_INFO_SIZE);
    if (!p) {
        *why = "boot information lies outside memory";
        return -1;
    }
    bi->info_start = info_phys;
    bi->info_end = info_phys + MB1_INFO_SIZE;
    uint32_t flags = rd32(p);
    if (!(flags & MB1_INFO_MMAP)) {
        *why = "boot information has no memory map";
        return -1;
    }
    uint32_t mmap_len = rd32(p + 44);
    const uint8_t *mmap = phys_span(mem, mem_size, rd32(p + 48), mmap_len);
    if (!mmap) {
        *why = "memory map lies outside memory";
        return -1;
    }
    if (mb1_mmap(mmap, mmap_len, bi, why))
        return -1;
    if (bi->nmem == 0) {
        *why = "boot information has no memory map";
        return -1;
    }
    if (!(flags & MB1_INFO_MODS))
        return 0;
    uint32_t count = rd32(p + 20);
    const uint8_t *list = phys_span(mem, mem_size, rd32(p + 24), (uint64_t)count * MB1_MOD_SIZE);
    if (!list) {
        *why = "module list lies outside memory";
        return -1;
    }
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *m = list + (uint64_t)i * MB1_MOD_SIZE;
        uint32_t str = rd32(m + 8);
        const uint8_t *cmd = (const uint8_t *)"";
        uint64_t max = 1;
        if (str) {                              /* the string may end at the window's end, cut there */
            cmd = phys_span(mem, mem_size, str, 1);
            if (!cmd) {
                *why = "module command line lies outside memory";
                return -1;
            }
            max = mem_size - str;
        }
        if (boot_module_add(bi, rd32(m), rd32(m + 4), cmd, max, why))
            return -1;
    }
    return 0;
}
