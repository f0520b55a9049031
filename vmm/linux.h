/* SPDX-License-Identifier: MIT */
/* vmm/linux.h — booting a Linux bzImage with the 64-bit boot protocol: where everything goes. */
#pragma once

#include <stdint.h>
#include <stddef.h>
#include "bootparam.h"

/*
 * Guest-physical layout of a Linux guest (the page tables and the GDT are
 * the ones every guest gets, vmm/memory.c):
 *
 *   0x000800  GDT: 0x10 __BOOT_CS (64-bit code), 0x18 __BOOT_DS
 *   0x001000  PML4, PDPT, PD: [0, 1 GiB) identity, 2 MiB pages
 *   0x007000  the zero page (struct boot_params); RSI points here
 *   0x020000  the command line
 *   load      the protected-mode kernel (pref_address, or 16 MiB), init_size bytes from here on
 *   initrd    the initramfs, at the top of RAM (page aligned, below initrd_addr_max)
 *
 * e820: RAM [0, 640 KiB), reserved [0xf0000, 1 MiB), RAM [1 MiB, ram).
 */
#define LINUX_ZERO_PAGE   0x7000UL
#define LINUX_CMDLINE     0x20000UL
#define LINUX_CMDLINE_MAX 4096UL
#define LINUX_STACK       0x10000UL        /* until the kernel sets up its own */
#define LINUX_LOAD_DEFAULT 0x1000000UL     /* 16 MiB, if the header prefers nothing */
#define LINUX_HEAD_BYTES  0x8000UL          /* read this much of the file for the setup header */

struct linux_plan {
    uint16_t version;          /* boot protocol, e.g. 0x020f */
    uint64_t kernel_offset;    /* in the file: (setup_sects + 1) * 512 */
    uint64_t kernel_size;      /* bytes of protected-mode kernel in the file */
    uint64_t load;             /* its guest-physical address */
    uint64_t entry;            /* load + 0x200: the 64-bit entry */
    uint64_t end;              /* load + max(init_size, kernel_size): the kernel's memory ends here */
    uint64_t initrd, initrd_size;
    uint64_t cmdline_len;      /* without the NUL */
};

/*
 * Check a bzImage's header (head: its first head_len bytes, of file_size in
 * all) and place kernel, initrd and command line in ram bytes of guest RAM.
 * NULL and *p filled, or why it cannot boot.
 */
const char *linux_plan(const uint8_t *head, uint64_t head_len, uint64_t file_size, uint64_t initrd_size,
                       uint64_t cmdline_len, uint64_t ram, struct linux_plan *p);

/* The zero page for plan p: the file's setup header, what the loader says, the e820 map. */
void linux_zero_page(struct boot_params *bp, const uint8_t *head, const struct linux_plan *p, uint64_t ram);

/* The e820 map of a guest with ram bytes of RAM: the number of entries written (at most max). */
unsigned linux_e820(struct boot_e820_entry *e, unsigned max, uint64_t ram);

/* The version string the header points at ("6.1.0-57-amd64 (debian-kernel@...) #1 ..."), or "". */
const char *linux_version(const uint8_t *head, uint64_t head_len);
