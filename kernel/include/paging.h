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

/*
 * A user virtual address as the four levels index it, 9 bits each:
 *
 *   47      39 38      30 29      21 20      12 11         0
 *   +---------+----------+----------+----------+------------+
 *   |  PML4   |   PDPT   |    PD    |    PT    |   offset   |
 *   +---------+----------+----------+----------+------------+
 */
#define PML4_SHIFT  39
#define PDPT_SHIFT  30
#define PD_SHIFT    21               /* a PD entry with PTE_PS maps 2 MiB */
#define PT_SHIFT    12
#define PT_BITS     9                /* index bits per level */
#define PT_ENTRIES  (1 << PT_BITS)
#define PT_INDEX(va, shift) (((va) >> (shift)) & (PT_ENTRIES - 1))
#define LARGE_PAGE_SIZE (1UL << PD_SHIFT)

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
unsigned  space_tables_missing(const uint64_t *pml4, uint64_t va, bool large);
int       space_prepare(uint64_t *pml4, uint64_t va, bool large); /* the tables to va's entry: 0 or -1 */
int       space_map_range(uint64_t *pml4, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags);

/* A present leaf: a 4 KiB PTE, or a 2 MiB PD entry (PTE_PS); the callback may clear *entry. */
typedef void (*space_leaf_fn)(uint64_t va, uint64_t *entry, void *ctx);
/* A page table of the user half whose entries were all visited. */
typedef void (*space_table_fn)(uint64_t *table, void *ctx);
/* Walk the user half of pml4 in address order: leaf for each present leaf, table after each table (either may be NULL). */
void      space_walk(uint64_t *pml4, space_leaf_fn leaf, space_table_fn table, void *ctx);
