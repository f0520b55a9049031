/* SPDX-License-Identifier: MIT */
/* multiboot.h — what the kernel keeps of the boot loader's information (multiboot2 or multiboot 1). */
#pragma once

/* The magic values a loader leaves in EAX at the 32-bit entry (boot/entry.S, kmain). */
#define MB2_BOOT_MAGIC   0x36d76289      /* GRUB's multiboot2 */
#define MB1_BOOT_MAGIC   0x2badb002      /* multiboot 1: QEMU -kernel */

#ifndef __ASSEMBLER__
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "uapi/hip.h"

#define BOOT_MAX_MEM 40

struct boot_mem {
    uint64_t addr, len;
    uint32_t type;              /* multiboot/e820 type: 1 available, ... */
};

struct boot_module {
    uint64_t start, end;        /* physical, [start, end) */
    char cmdline[HIP_CMDLINE_LEN];
};

struct boot_info {
    unsigned nmem, nmods;
    unsigned dropped_mem, dropped_mods;      /* entries beyond our tables */
    struct boot_mem mem[BOOT_MAX_MEM];
    struct boot_module mods[HIP_MAX_MODS];
    bool has_rsdp;
    uint8_t rsdp[36];           /* copy of the ACPI RSDP (v1: 20 bytes, v2: 36) */
    uint64_t info_start, info_end;           /* physical span of the info itself */
};

/*
 * Parse the multiboot2 information at `info` (`avail` bytes readable).
 * Returns 0, or -1 with *why naming the defect; never reads past avail.
 */
int mb2_parse(const void *info, size_t avail, uint64_t info_phys, struct boot_info *bi, const char **why);

/*
 * Parse the multiboot 1 information at physical info_phys. Its parts (memory map, module
 * list, command lines) lie wherever the loader put them: `mem` maps physical 0..mem_size,
 * and every part must lie inside. Returns 0, or -1 with *why naming the defect; never
 * reads past mem_size. Multiboot 1 passes no RSDP (acpi_rsdp_scan finds one).
 */
int mb1_parse(const void *mem, uint64_t mem_size, uint64_t info_phys, struct boot_info *bi, const char **why);
#endif
