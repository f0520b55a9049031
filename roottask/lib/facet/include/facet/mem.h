/* SPDX-License-Identifier: MIT */
/* facet/mem.h — the roottask's own memory: pages of its window (HIP_MEM_ROOT ranges). */
#pragma once

#include <stdint.h>
#include "uapi/hip.h"

void     fc_mem_init(const struct hip *hip);
uint64_t fc_page_alloc(void);            /* a zeroed page: its address in the window, or 0 */
void     fc_page_free(uint64_t va);
uint64_t fc_pages_free(void);
uint64_t fc_large_chunk(void);          /* a 2 MiB-aligned 2 MiB piece of the window (not in the free list), or 0 */
static inline uint64_t fc_window_page(uint64_t va) { return va >> 12; }   /* for memory CRDs */
