// SPDX-License-Identifier: MIT
/* boot/multiboot.c — a bounds-checked reader of the multiboot2 boot information. */
#include "multiboot.h"

#define MB2_TAG_END       0
#define MB2_TAG_CMDLINE   1
#define MB2_TAG_MODULE    3
#define MB2_TAG_MMAP      6
#define MB2_TAG_ACPI_OLD  14
#define MB2_TAG_ACPI_NEW  15

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
    for (uint32_t off = 16; esz <= size - off; off += esz) {   /* no wrap: off <= size */
        const uint8_t *e = t + off;
        if (bi->nmem == BOOT_MAX_MEM) {
            bi->dropped_mem++;
            continue;
        }
        bi->mem[bi->nmem++] = (struct boot_mem){ rd64(e), rd64(e + 8), rd32(e + 16) };
    }
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
            if (bi->nmods == HIP_MAX_MODS) {
                bi->dropped_mods++;
                break;
            }
            struct boot_module *m = &bi->mods[bi->nmods++];
            m->start = rd32(t + 8);
            m->end = rd32(t + 12);
            if (m->end < m->start) {
                *why = "module ends before it starts";
                return -1;
            }
            copy_str(m->cmdline, sizeof m->cmdline, t + 16, size - 16);
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
