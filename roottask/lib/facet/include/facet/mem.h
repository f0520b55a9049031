/* SPDX-License-Identifier: MIT */
/* facet/mem.h — the roottask's own memory: pages of its window (HIP_MEM_ROOT ranges). */
#pragma once

#include <stdint.h>
#include "uapi/hip.h"

void     fc_mem_init(const struct hip *hip);
uint64_t fc_page_alloc(void);            /* a zeroed page: its address in the window, or 0 */
/*
 * Failure injection (a build with FAIL_INJECTION=1, -DFACET_FAIL_INJECTION, as the kernel's):
 * after fc_page_fail_at(n), the n-th fc_page_alloc from then on returns 0 as if the roottask's
 * memory had run out; fc_page_fail_at(0) disarms and says how many were still to go (0: the
 * failure happened). Without the switch nothing fails and FC_FAIL_INJECTION_BUILT is false.
 */
#ifdef FACET_FAIL_INJECTION
#define FC_FAIL_INJECTION_BUILT true
uint64_t fc_page_fail_at(uint64_t n);
#else
#define FC_FAIL_INJECTION_BUILT false
static inline uint64_t fc_page_fail_at(uint64_t n) { (void)n; return 0; }
#endif
void     fc_page_free(uint64_t va);
uint64_t fc_pages_free(void);
uint64_t fc_large_chunk(void);          /* a 2 MiB-aligned 2 MiB piece of the window (not in the free list), or 0 */
static inline uint64_t fc_window_page(uint64_t va) { return va >> 12; }   /* for memory CRDs */
