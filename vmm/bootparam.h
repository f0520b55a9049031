/* SPDX-License-Identifier: MIT */
/* vmm/bootparam.h — Linux's x86 boot protocol: the setup header and the zero page (struct boot_params). */
#pragma once

#include <stdint.h>
#include <stddef.h>

/*
 * Facts from Linux's Documentation/x86/boot.rst and zero-page.rst (the
 * layout of arch/x86/include/uapi/asm/bootparam.h); only the fields a
 * 64-bit loader reads or writes are named, the rest is padding. Every
 * offset is checked below.
 *
 *   zero page (4 KiB)          bzImage file
 *   0x000 screen_info ...      0x000 boot sector, setup code ...
 *   0x0c0 ext_ramdisk_image    0x1f1 setup header (copied into the zero page as it is)
 *   0x1e8 e820_entries         (setup_sects + 1) * 512: the protected-mode kernel
 *   0x1f1 hdr (setup_header)
 *   0x2d0 e820_table[128]
 */

#define BOOT_HDR_OFFSET   0x1f1          /* struct setup_header in the file and in the zero page */
#define BOOT_FLAG_MAGIC   0xaa55
#define BOOT_HDRS_MAGIC   0x53726448     /* "HdrS" */
#define BOOT_PROTO_64     0x020c         /* 2.12: xloadflags, the 64-bit entry at load address + 0x200 */
#define BOOT_ENTRY_64     0x200
#define BOOT_SETUP_SECTS_DEFAULT 4       /* setup_sects 0 means 4 */

#define LOADFLAG_LOADED_HIGH   0x01      /* a bzImage: the protected-mode kernel at 1 MiB or above */
#define LOADFLAG_KEEP_SEGMENTS 0x40
#define LOADFLAG_CAN_USE_HEAP  0x80
#define XLF_KERNEL_64          0x01      /* has the 64-bit entry point */

#define E820_RAM      1
#define E820_RESERVED 2
#define E820_MAX_ZEROPAGE 128

struct setup_header {
    uint8_t  setup_sects;        /* 0x1f1 */
    uint16_t root_flags;
    uint32_t syssize;
    uint16_t ram_size;
    uint16_t vid_mode;           /* 0x1fa */
    uint16_t root_dev;
    uint16_t boot_flag;          /* 0x1fe: 0xaa55 */
    uint16_t jump;               /* 0x200: its second byte + 0x202 is where the header ends */
    uint32_t header;             /* 0x202: "HdrS" */
    uint16_t version;            /* 0x206 */
    uint32_t realmode_swtch;
    uint16_t start_sys_seg;
    uint16_t kernel_version;     /* 0x20e: the version string, at this + 0x200 in the file */
    uint8_t  type_of_loader;     /* 0x210 */
    uint8_t  loadflags;          /* 0x211 */
    uint16_t setup_move_size;
    uint32_t code32_start;       /* 0x214 */
    uint32_t ramdisk_image;      /* 0x218 */
    uint32_t ramdisk_size;       /* 0x21c */
    uint32_t bootsect_kludge;
    uint16_t heap_end_ptr;       /* 0x224 */
    uint8_t  ext_loader_ver;
    uint8_t  ext_loader_type;
    uint32_t cmd_line_ptr;       /* 0x228 */
    uint32_t initrd_addr_max;    /* 0x22c */
    uint32_t kernel_alignment;   /* 0x230 */
    uint8_t  relocatable_kernel; /* 0x234 */
    uint8_t  min_alignment;
    uint16_t xloadflags;         /* 0x236 */
    uint32_t cmdline_size;       /* 0x238: the longest command line, without its NUL */
    uint32_t hardware_subarch;
    uint64_t hardware_subarch_data;
    uint32_t payload_offset;     /* 0x248 */
    uint32_t payload_length;
    uint64_t setup_data;         /* 0x250 */
    uint64_t pref_address;       /* 0x258 */
    uint32_t init_size;          /* 0x260: the memory the kernel needs from its load address on */
    uint32_t handover_offset;
    uint32_t kernel_info_offset; /* 0x268 */
} __attribute__((packed));

struct boot_e820_entry {
    uint64_t addr;
    uint64_t size;
    uint32_t type;
} __attribute__((packed));

struct boot_params {
    uint8_t  screen_info[0x40];  /* 0x000 */
    uint8_t  _pad1[0xc0 - 0x40];
    uint32_t ext_ramdisk_image;  /* 0x0c0: bits 63:32 of the initrd's address */
    uint32_t ext_ramdisk_size;   /* 0x0c4 */
    uint32_t ext_cmd_line_ptr;   /* 0x0c8 */
    uint8_t  _pad2[0x1e8 - 0xcc];
    uint8_t  e820_entries;       /* 0x1e8 */
    uint8_t  _pad3[BOOT_HDR_OFFSET - 0x1e9];
    struct setup_header hdr;     /* 0x1f1 */
    uint8_t  _pad4[0x2d0 - 0x26c];
    struct boot_e820_entry e820_table[E820_MAX_ZEROPAGE];   /* 0x2d0 */
    uint8_t  _pad5[0x1000 - 0xcd0];
} __attribute__((packed));

_Static_assert(sizeof(struct setup_header) == 0x26c - BOOT_HDR_OFFSET, "setup_header ends at 0x26c");
_Static_assert(offsetof(struct setup_header, boot_flag) == 0x1fe - BOOT_HDR_OFFSET, "boot_flag");
_Static_assert(offsetof(struct setup_header, header) == 0x202 - BOOT_HDR_OFFSET, "header");
_Static_assert(offsetof(struct setup_header, version) == 0x206 - BOOT_HDR_OFFSET, "version");
_Static_assert(offsetof(struct setup_header, kernel_version) == 0x20e - BOOT_HDR_OFFSET, "kernel_version");
_Static_assert(offsetof(struct setup_header, type_of_loader) == 0x210 - BOOT_HDR_OFFSET, "type_of_loader");
_Static_assert(offsetof(struct setup_header, loadflags) == 0x211 - BOOT_HDR_OFFSET, "loadflags");
_Static_assert(offsetof(struct setup_header, ramdisk_image) == 0x218 - BOOT_HDR_OFFSET, "ramdisk_image");
_Static_assert(offsetof(struct setup_header, ramdisk_size) == 0x21c - BOOT_HDR_OFFSET, "ramdisk_size");
_Static_assert(offsetof(struct setup_header, heap_end_ptr) == 0x224 - BOOT_HDR_OFFSET, "heap_end_ptr");
_Static_assert(offsetof(struct setup_header, cmd_line_ptr) == 0x228 - BOOT_HDR_OFFSET, "cmd_line_ptr");
_Static_assert(offsetof(struct setup_header, initrd_addr_max) == 0x22c - BOOT_HDR_OFFSET, "initrd_addr_max");
_Static_assert(offsetof(struct setup_header, kernel_alignment) == 0x230 - BOOT_HDR_OFFSET, "kernel_alignment");
_Static_assert(offsetof(struct setup_header, xloadflags) == 0x236 - BOOT_HDR_OFFSET, "xloadflags");
_Static_assert(offsetof(struct setup_header, cmdline_size) == 0x238 - BOOT_HDR_OFFSET, "cmdline_size");
_Static_assert(offsetof(struct setup_header, payload_offset) == 0x248 - BOOT_HDR_OFFSET, "payload_offset");
_Static_assert(offsetof(struct setup_header, setup_data) == 0x250 - BOOT_HDR_OFFSET, "setup_data");
_Static_assert(offsetof(struct setup_header, pref_address) == 0x258 - BOOT_HDR_OFFSET, "pref_address");
_Static_assert(offsetof(struct setup_header, init_size) == 0x260 - BOOT_HDR_OFFSET, "init_size");
_Static_assert(offsetof(struct setup_header, kernel_info_offset) == 0x268 - BOOT_HDR_OFFSET, "kernel_info_offset");
_Static_assert(sizeof(struct boot_e820_entry) == 20, "e820 entry");
_Static_assert(offsetof(struct boot_params, ext_ramdisk_image) == 0x0c0, "ext_ramdisk_image");
_Static_assert(offsetof(struct boot_params, ext_cmd_line_ptr) == 0x0c8, "ext_cmd_line_ptr");
_Static_assert(offsetof(struct boot_params, e820_entries) == 0x1e8, "e820_entries");
_Static_assert(offsetof(struct boot_params, hdr) == BOOT_HDR_OFFSET, "hdr");
_Static_assert(offsetof(struct boot_params, e820_table) == 0x2d0, "e820_table");
_Static_assert(sizeof(struct boot_params) == 4096, "the zero page");
