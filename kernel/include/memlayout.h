/* SPDX-License-Identifier: MIT */
/* memlayout.h — the kernel's virtual address space. */
#pragma once

#include "uapi/layout.h"

/*
 *  0xffffffff80000000  kernel image (top 2 GiB, -mcmodel=kernel), 1 GiB mapped
 *  0xffff800000000000  direct map of physical memory 0 .. DIRECT_MAP_SIZE
 *  0x0000000000000000  user space (per PD, PML4 entries 0..255)
 */
#define KERNEL_VMA       0xffffffff80000000UL
#define DIRECT_MAP       0xffff800000000000UL
#define DIRECT_MAP_SIZE  (4UL << 30)          /* 4 GiB of 2 MiB pages, built at boot */

#define PML4_KERNEL_FIRST 256                 /* entries 256..511 are shared by every PD */

#define KSTACK_SIZE      16384                /* per-CPU kernel stack */

#ifndef __ASSEMBLER__
#include <stdint.h>
static inline void *phys_to_virt(uint64_t pa) { return (void *)(pa + DIRECT_MAP); }
static inline uint64_t virt_to_phys(const void *va)
{
    uint64_t v = (uint64_t)va;
    return v >= KERNEL_VMA ? v - KERNEL_VMA : v - DIRECT_MAP;
}
#endif
