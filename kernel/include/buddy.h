/* SPDX-License-Identifier: MIT */
/* buddy.h — a binary buddy allocator of physical page frames. */
#pragma once

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

/*
 * One struct buddy owns the frames [base_pfn, base_pfn + npages) and the
 * caller's metadata array (one struct buddy_page per frame). It keeps no
 * global state and takes no lock: the caller serialises every call.
 *
 * A block of order k is 2^k frames starting at an absolute pfn that is a
 * multiple of 2^k; base_pfn itself need not be aligned. Each frame is in one
 * of four states, kept in its metadata:
 *
 *      pfn:    16   17   18   19   20   21   22   23   24
 *            +----+----+----+----+----+----+----+----+----+
 *            | FH | T  | T  | T  | AH | T  | R  | R  | FH |
 *            +----+----+----+----+----+----+----+----+----+
 *             free block o2        alloc o1  reserved free o0
 *
 *   RESERVED   never handed over by buddy_free_range (the initial state)
 *   FREE_HEAD  first frame of a free block: on free_head[order]
 *   ALLOC_HEAD first frame of an allocated block: remembers its order, so a
 *              buddy_free with the wrong pfn or order is detected
 *   TAIL       any other frame of a free or allocated block
 *
 * Free lists are doubly linked through 32-bit frame indices (pfn - base_pfn),
 * so one struct buddy manages at most BUDDY_MAX_PAGES frames (16 TiB).
 */

#define BUDDY_MAX_ORDER 18                      /* largest block: 2^18 pages = 1 GiB */
#define BUDDY_NIL       UINT32_MAX              /* end of a free list */
#define BUDDY_MAX_PAGES ((uint64_t)UINT32_MAX)  /* indices 0 .. NIL-1 */

enum buddy_state {
    BUDDY_RESERVED = 0,
    BUDDY_TAIL,
    BUDDY_FREE_HEAD,
    BUDDY_ALLOC_HEAD,
};

/* Per-frame metadata, 12 bytes. */
struct buddy_page {
    uint32_t next;      /* 0: next free block of this order (index), or BUDDY_NIL */
    uint32_t prev;      /* 4: previous one, or BUDDY_NIL */
    uint8_t  order;     /* 8: block order; meaningful on FREE_HEAD and ALLOC_HEAD */
    uint8_t  state;     /* 9: enum buddy_state */
    uint16_t pad;       /* 10 */
};
_Static_assert(sizeof(struct buddy_page) <= 24, "buddy_page grew past 24 bytes");

struct buddy {
    uint64_t base_pfn;                              /* first frame managed */
    uint64_t npages;                                /* frames managed: [base_pfn, base_pfn+npages) */
    struct buddy_page *pages;                       /* caller-provided metadata array, npages entries */
    uint32_t free_head[BUDDY_MAX_ORDER + 1];        /* first free block of each order (index) */
    uint32_t free_blocks[BUDDY_MAX_ORDER + 1];      /* length of each free list */
    uint64_t free_pages;                            /* count of free 4 KiB frames */
    unsigned buddy_errors;                          /* misuse seen and ignored (bad/double free, bad range) */
};

void     buddy_init(struct buddy *b, struct buddy_page *meta, uint64_t base_pfn, uint64_t npages);
void     buddy_free_range(struct buddy *b, uint64_t pfn, uint64_t count);
int64_t  buddy_alloc(struct buddy *b, unsigned order);
void     buddy_free(struct buddy *b, uint64_t pfn, unsigned order);
uint64_t buddy_free_count(const struct buddy *b);
int      buddy_max_free_order(const struct buddy *b);
bool     buddy_check(const struct buddy *b);
