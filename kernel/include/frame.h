/* SPDX-License-Identifier: MIT */
/* frame.h — physical page frames: boot-time set-up and the locked buddy allocator. */
#pragma once

#include "kernel.h"
#include "multiboot.h"

struct slab_backend;

void     frame_init(const struct boot_info *bi);
void    *page_alloc(void);                 /* one zeroed 4 KiB page (kernel address), or NULL */
/*
 * Failure injection (a build with FAIL_INJECTION=1, -DFACET_FAIL_INJECTION): after
 * alloc_fail_at(n), the n-th kernel allocation from then on (pages_alloc, kobj_alloc) fails
 * as if memory had run out; alloc_fail_at(0) disarms and says how many were still to go
 * (0: the failure happened). Without the switch alloc_injected_failure() is false.
 */
#ifdef FACET_FAIL_INJECTION
#define FAIL_INJECTION_BUILT true
bool     alloc_injected_failure(void);
uint64_t alloc_fail_at(uint64_t n);
#else
#define FAIL_INJECTION_BUILT false
static inline bool alloc_injected_failure(void) { return false; }
static inline uint64_t alloc_fail_at(uint64_t n) { (void)n; return 0; }
#endif
void    *pages_alloc(unsigned order);      /* 2^order zeroed pages, naturally aligned, or NULL */
void     page_free(void *va);
void     pages_free(void *va, unsigned order);
uint64_t frame_free_count(void);
uint64_t frame_total_count(void);
extern const struct slab_backend frame_slab;   /* slab caches take their pages from here */

/* The roottask's memory: RAM outside the kernel pool, mapped in its window. */
#define MAX_ROOT_RANGES 16
struct frame_range { uint64_t start, end; };
extern struct frame_range root_ranges[MAX_ROOT_RANGES];
extern unsigned root_range_count;
extern uint64_t root_frames;
