/* SPDX-License-Identifier: MIT */
/* paging.h — 4-level page tables: the kernel's master table and per-PD user spaces. */
#pragma once

#include "kernel.h"

#define PTE_P       0x001UL
#define PTE_W       0x002UL
#define PTE_U       0x004UL
#define PTE_PWT     0x008UL
#define PTE_PCD     0x010UL
#define PTE_PS      0x080UL
#define PTE_G       0x100UL
#define PTE_NX      (1UL << 63)
#define PTE_ADDR    0x000ffffffffff000UL

extern uint64_t *kernel_pml4;            /* the kernel half only: what a CPU runs before its first PD */
void      tlb_flush_global(void);

void      paging_init(void);
uint64_t *space_create(void);            /* a PML4 sharing the kernel half, or NULL */
void      space_destroy(uint64_t *pml4); /* frees the user-half tables (not the frames they map) */
int       space_map(uint64_t *pml4, uint64_t va, uint64_t pa, uint64_t flags); /* 0 or -1 (OOM) */
uint64_t *space_pte(uint64_t *pml4, uint64_t va);    /* the 4 KiB PTE for va, or NULL */
bool      user_range_ok(uint64_t va, uint64_t len);  /* inside [USER_BASE, USER_END) */
bool      space_lookup(uint64_t *pml4, uint64_t va, uint64_t *pa, uint64_t *flags);
uint64_t *space_pde(uint64_t *pml4, uint64_t va, bool create);   /* the 2 MiB-level entry */
int       space_map_range(uint64_t *pml4, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags);
