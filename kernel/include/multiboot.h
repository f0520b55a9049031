/* SPDX-License-Identifier: MIT */
/* multiboot.h — what the kernel keeps of GRUB's multiboot2 boot information. */
#pragma once

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "uapi/hip.h"

#define BOOT_MAX_MEM 40

struct boot_mem {
    uint64_t addr, len;
    uint32_t type;              /* multiboot2/e820 type: 1 available, ... */
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
