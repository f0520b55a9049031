/* SPDX-License-Identifier: MIT */
/* ept.h — extended page tables: a PD's guest-physical address space (vmx/ept.c). */
#pragma once

#include "kernel.h"

/*
 * An EPT entry (Intel SDM vol. 3, "EPT Translation Mechanism"): the same
 * four levels as a page table, other bits.
 *
 *   63      52 51                     12 11  8 7  6 5   3 2 1 0
 *   +---------+-------------------------+-----+--+--+-----+-+-+-+
 *   | ignored |  frame (or next table)  | ign |PS|IP|type |X|W|R|
 *   +---------+-------------------------+-----+--+--+-----+-+-+-+
 *
 * Present means any of R, W, X. A leaf (a 4 KiB entry, or a 2 MiB one with
 * PS in the third level) carries the memory type (6 = write-back); a table
 * entry points at the next level with R, W and X all set.
 */
#define EPT_R        (1UL << 0)
#define EPT_W        (1UL << 1)
#define EPT_X        (1UL << 2)
#define EPT_RWX      (EPT_R | EPT_W | EPT_X)
#define EPT_WB       (6UL << 3)
#define EPT_PS       (1UL << 7)
#define EPT_ADDR     0x000ffffffffff000UL
#define GPA_BITS     39           /* guest-physical addresses below 512 GiB */

uint64_t *ept_create(void);                       /* an empty top-level table, or NULL */
void      ept_destroy(uint64_t *ept);             /* free every table (not the frames they map) */
uint64_t  ept_pointer(const uint64_t *ept);       /* the EPTP for the VMCS: WB, 4 levels */
/* Map the 4 KiB (order 0) or 2 MiB (order 9) page at gpa to pa with MEM_R/W/X; 0, or -1 if out of memory. */
int       ept_map(uint64_t *ept, uint64_t gpa, uint64_t pa, unsigned order, unsigned perm);
/* The leaf entry of that order for gpa, or NULL; with order 0, NULL if a 2 MiB page covers it. */
uint64_t *ept_entry(uint64_t *ept, uint64_t gpa, unsigned order);
/* ept_map, then on SVM the leaf in the nested-paging format (svm/npt.c): the same tables serve both. */
int       guest_map(uint64_t *ept, uint64_t gpa, uint64_t pa, unsigned order, unsigned perm);
bool      ept_mapped(uint64_t *ept, uint64_t gpa, unsigned order);  /* anything present in that range */
typedef void (*ept_leaf_fn)(uint64_t gpa, uint64_t *entry, unsigned order, void *ctx);
void      ept_walk(uint64_t *ept, ept_leaf_fn leaf, void *ctx);     /* every present leaf, in gpa order */
