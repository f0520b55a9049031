// SPDX-License-Identifier: MIT
/* vmm/linux.c — a bzImage's setup header checked, its pieces placed in guest RAM, the zero page built. */
#include <string.h>
#include "linux.h"

#define MIB (1UL << 20)
#define PAGE_MASK 0xfffUL

static const struct setup_header *header_of(const uint8_t *head)
{
    return (const struct setup_header *)(head + BOOT_HDR_OFFSET);
}

/* Validate everything first (STYLE: no side effect before the last check), then fill *p. */
const char *linux_plan(const uint8_t *head, uint64_t head_len, uint64_t file_size, uint64_t initrd_size,
                       uint64_t cmdline_len, uint64_t ram, struct linux_plan *p)
{
    if (head_len < BOOT_HDR_OFFSET + sizeof(struct setup_header) || file_size < head_len)
        return "not a bzImage: too short for a setup header";
    const struct setup_header *h = header_of(head);
    if (h->boot_flag != BOOT_FLAG_MAGIC || h->header != BOOT_HDRS_MAGIC)
        return "not a bzImage: no boot-sector signature 0xaa55 and \"HdrS\" header";
    if (h->version < BOOT_PROTO_64)
        return "boot protocol older than 2.12: no 64-bit entry point";
    if (!(h->loadflags & LOADFLAG_LOADED_HIGH))
        return "a zImage (loaded low), not a bzImage";
    if (!(h->xloadflags & XLF_KERNEL_64))
        return "the kernel has no 64-bit entry point (XLF_KERNEL_64 not set)";
    uint64_t sects = h->setup_sects ? h->setup_sects : BOOT_SETUP_SECTS_DEFAULT;
    uint64_t offset = (sects + 1) * 512;
    if (offset >= file_size)
        return "not a bzImage: no protected-mode kernel after the setup code";
    if (cmdline_len + 1 > LINUX_CMDLINE_MAX || cmdline_len > h->cmdline_size)
        return "the command line is longer than the kernel takes";
    uint64_t load = h->pref_address >= MIB ? h->pref_address : LINUX_LOAD_DEFAULT;
    uint64_t size = file_size - offset;
    uint64_t end = load + (h->init_size > size ? h->init_size : size);
    uint64_t top = ram;                                   /* the initrd goes at the top of RAM ... */
    if (initrd_size && top > (uint64_t)h->initrd_addr_max + 1)
        top = (uint64_t)h->initrd_addr_max + 1;           /* ... but not above what the kernel can reach */
    uint64_t initrd = initrd_size <= top ? (top - initrd_size) & ~PAGE_MASK : 0;
    if (ram < end || (initrd_size && (initrd_size > top || initrd < end)))
        return "too little guest memory for this kernel and initrd";
    *p = (struct linux_plan){ .version = h->version, .kernel_offset = offset, .kernel_size = size, .load = load,
                              .entry = load + BOOT_ENTRY_64, .end = end, .initrd = initrd_size ? initrd : 0,
                              .initrd_size = initrd_size, .cmdline_len = cmdline_len };
    return NULL;
}

unsigned linux_e820(struct boot_e820_entry *e, unsigned max, uint64_t ram)
{
    const struct boot_e820_entry map[] = {
        { 0, 0xa0000, E820_RAM },                        /* conventional memory, below 640 KiB */
        { 0xf0000, 0x10000, E820_RESERVED },             /* where a BIOS would be */
        { MIB, ram - MIB, E820_RAM },
    };
    unsigned n = 0;
    for (unsigned i = 0; i < sizeof map / sizeof map[0] && n < max; i++)
        e[n++] = map[i];
    return n;
}

void linux_zero_page(struct boot_params *bp, const uint8_t *head, const struct linux_plan *p, uint64_t ram)
{
    /* The header as the file has it, up to its end (0x202 + the jump's offset byte). */
    uint64_t hdr_end = 0x202 + head[0x201];
    uint64_t len = hdr_end - BOOT_HDR_OFFSET;
    if (len > sizeof bp->hdr)
        len = sizeof bp->hdr;
    memset(bp, 0, sizeof *bp);
    memcpy(&bp->hdr, head + BOOT_HDR_OFFSET, len);
    bp->hdr.type_of_loader = 0xff;                       /* a loader with no assigned id */
    bp->hdr.vid_mode = 0xffff;                           /* "normal" */
    bp->hdr.loadflags = (uint8_t)((bp->hdr.loadflags | LOADFLAG_CAN_USE_HEAP) & ~0x20); /* not quiet */
    bp->hdr.heap_end_ptr = 0xfe00;
    bp->hdr.cmd_line_ptr = (uint32_t)LINUX_CMDLINE;
    bp->hdr.ramdisk_image = (uint32_t)p->initrd;
    bp->hdr.ramdisk_size = (uint32_t)p->initrd_size;
    bp->ext_ramdisk_image = (uint32_t)(p->initrd >> 32);
    bp->ext_ramdisk_size = (uint32_t)(p->initrd_size >> 32);
    bp->e820_entries = (uint8_t)linux_e820(bp->e820_table, E820_MAX_ZEROPAGE, ram);
}

const char *linux_version(const uint8_t *head, uint64_t head_len)
{
    if (head_len < BOOT_HDR_OFFSET + sizeof(struct setup_header))
        return "";
    uint64_t at = (uint64_t)header_of(head)->kernel_version + 0x200;
    if (!header_of(head)->kernel_version)
        return "";
    for (uint64_t i = at; i < head_len; i++)
        if (!head[i])
            return (const char *)head + at;              /* NUL-terminated inside what was read */
    return "";
}
