/* SPDX-License-Identifier: MIT */
/* mm/buddy.c — binary buddy allocator of page frames (pure logic, caller locks). */
#include "buddy.h"

#define BUDDY_ORDERS (BUDDY_MAX_ORDER + 1)

/* Whether the absolute pfn lies among the frames b manages. */
static inline bool buddy_owns(const struct buddy *b, uint64_t pfn)
{
    return pfn >= b->base_pfn && pfn - b->base_pfn < b->npages;
}

/* Push frame idx, the head of a free block of this order, onto its list. */
static void buddy_list_add(struct buddy *b, uint32_t idx, unsigned order)
{
    struct buddy_page *p = &b->pages[idx];
    uint32_t first = b->free_head[order];

    p->state = BUDDY_FREE_HEAD;
    p->order = (uint8_t)order;
    p->prev = BUDDY_NIL;
    p->next = first;
    if (first != BUDDY_NIL)
        b->pages[first].prev = idx;
    b->free_head[order] = idx;
    b->free_blocks[order]++;
}

/* Unlink the free block headed by idx from the list of its order. */
static void buddy_list_del(struct buddy *b, uint32_t idx, unsigned order)
{
    struct buddy_page *p = &b->pages[idx];

    if (p->prev != BUDDY_NIL)
        b->pages[p->prev].next = p->next;
    else
        b->free_head[order] = p->next;
    if (p->next != BUDDY_NIL)
        b->pages[p->next].prev = p->prev;
    p->next = p->prev = BUDDY_NIL;
    p->state = BUDDY_TAIL;
    b->free_blocks[order]--;
}

/*
 * Put the block [pfn, pfn + 2^order) on a free list, merging it with its
 * buddy for as long as the buddy is a whole free block of the same order.
 * Every frame of the block is already TAIL or the block's head.
 */
static void buddy_block_release(struct buddy *b, uint64_t pfn, unsigned order)
{
    b->free_pages += (uint64_t)1 << order;
    while (order < BUDDY_MAX_ORDER) {
        uint64_t bud = pfn ^ ((uint64_t)1 << order);
        if (!buddy_owns(b, bud))
            break;
        const struct buddy_page *bp = &b->pages[bud - b->base_pfn];
        if (bp->state != BUDDY_FREE_HEAD || bp->order != order)
            break;
        /* The buddy is free: the merged block starts at the lower of the two. */
        buddy_list_del(b, (uint32_t)(bud - b->base_pfn), order);
        b->pages[pfn - b->base_pfn].state = BUDDY_TAIL;
        pfn &= ~((uint64_t)1 << order);
        order++;
    }
    buddy_list_add(b, (uint32_t)(pfn - b->base_pfn), order);
}

/* Take ownership of the metadata array; every frame starts reserved. */
void buddy_init(struct buddy *b, struct buddy_page *meta, uint64_t base_pfn, uint64_t npages)
{
    /* Indices must fit the 32-bit links, and base_pfn + npages must not wrap. */
    if (npages > BUDDY_MAX_PAGES)
        npages = BUDDY_MAX_PAGES;
    if (npages > UINT64_MAX - base_pfn)
        npages = UINT64_MAX - base_pfn;

    b->base_pfn = base_pfn;
    b->npages = npages;
    b->pages = meta;
    for (unsigned k = 0; k < BUDDY_ORDERS; k++) {
        b->free_head[k] = BUDDY_NIL;
        b->free_blocks[k] = 0;
    }
    b->free_pages = 0;
    b->buddy_errors = 0;
    for (uint64_t i = 0; i < npages; i++)
        meta[i] = (struct buddy_page){ BUDDY_NIL, BUDDY_NIL, 0, BUDDY_RESERVED, 0 };
}

/*
 * Hand the reserved frames [pfn, pfn + count) to the allocator as maximal
 * naturally aligned blocks. A range that leaves the managed frames or touches
 * a frame already handed over is refused as a whole and counted as an error.
 */
void buddy_free_range(struct buddy *b, uint64_t pfn, uint64_t count)
{
    if (count == 0)
        return;
    if (!buddy_owns(b, pfn) || count > b->npages - (pfn - b->base_pfn)) {
        b->buddy_errors++;
        return;
    }
    uint64_t first = pfn - b->base_pfn;
    for (uint64_t i = first; i < first + count; i++) {
        if (b->pages[i].state != BUDDY_RESERVED) {
            b->buddy_errors++;
            return;
        }
    }

    /* Blocks merge only with FREE_HEAD buddies, so not-yet-released TAIL frames stay put. */
    for (uint64_t i = first; i < first + count; i++)
        b->pages[i].state = BUDDY_TAIL;
    uint64_t end = pfn + count;
    while (pfn < end) {
        unsigned order = 0;
        while (order < BUDDY_MAX_ORDER &&
               (pfn & (((uint64_t)2 << order) - 1)) == 0 &&
               ((uint64_t)2 << order) <= end - pfn)
            order++;
        buddy_block_release(b, pfn, order);
        pfn += (uint64_t)1 << order;
    }
}

/* Allocate a naturally aligned block of 2^order frames; -1 when none is free. */
int64_t buddy_alloc(struct buddy *b, unsigned order)
{
    if (order > BUDDY_MAX_ORDER)
        return -1;
    unsigned k = order;
    while (k <= BUDDY_MAX_ORDER && b->free_head[k] == BUDDY_NIL)
        k++;
    if (k > BUDDY_MAX_ORDER)
        return -1;

    uint32_t idx = b->free_head[k];
    buddy_list_del(b, idx, k);
    /* Split: the upper halves go back on the lower lists. */
    while (k > order) {
        k--;
        buddy_list_add(b, idx + ((uint32_t)1 << k), k);
    }
    b->pages[idx].state = BUDDY_ALLOC_HEAD;
    b->pages[idx].order = (uint8_t)order;
    b->free_pages -= (uint64_t)1 << order;
    return (int64_t)(b->base_pfn + idx);
}

/* Free a block from buddy_alloc; a pfn/order it did not hand out is counted and ignored. */
void buddy_free(struct buddy *b, uint64_t pfn, unsigned order)
{
    if (order > BUDDY_MAX_ORDER || !buddy_owns(b, pfn)) {
        b->buddy_errors++;
        return;
    }
    const struct buddy_page *p = &b->pages[pfn - b->base_pfn];
    if (p->state != BUDDY_ALLOC_HEAD || p->order != order) {
        b->buddy_errors++;
        return;
    }
    buddy_block_release(b, pfn, order);
}

uint64_t buddy_free_count(const struct buddy *b)
{
    return b->free_pages;
}

/* The order of the largest free block, or -1 when nothing is free. */
int buddy_max_free_order(const struct buddy *b)
{
    for (int k = BUDDY_MAX_ORDER; k >= 0; k--)
        if (b->free_head[k] != BUDDY_NIL)
            return k;
    return -1;
}

/*
 * Verify the invariants: each list entry is a FREE_HEAD of that order,
 * aligned, inside the range, back-linked, with TAIL frames behind it and no
 * free buddy left unmerged; no FREE_HEAD is off-list; the counts add up.
 * O(npages); for tests and debug builds.
 */
bool buddy_check(const struct buddy *b)
{
    uint64_t sum = 0, entries = 0;

    for (unsigned k = 0; k < BUDDY_ORDERS; k++) {
        uint64_t size = (uint64_t)1 << k, n = 0;
        uint32_t prev = BUDDY_NIL;
        for (uint32_t idx = b->free_head[k]; idx != BUDDY_NIL; idx = b->pages[idx].next) {
            if (idx >= b->npages || size > b->npages - idx)
                return false;
            const struct buddy_page *p = &b->pages[idx];
            uint64_t pfn = b->base_pfn + idx;
            if (p->state != BUDDY_FREE_HEAD || p->order != k || p->prev != prev)
                return false;
            if (pfn & (size - 1))
                return false;
            /* Bounds the work below by npages even on a corrupt (cyclic) list. */
            sum += size;
            if (sum > b->npages)
                return false;
            for (uint64_t j = 1; j < size; j++)
                if (b->pages[idx + j].state != BUDDY_TAIL)
                    return false;
            uint64_t bud = pfn ^ size;
            if (k < BUDDY_MAX_ORDER && buddy_owns(b, bud)) {
                const struct buddy_page *bp = &b->pages[bud - b->base_pfn];
                if (bp->state == BUDDY_FREE_HEAD && bp->order == k)
                    return false;
            }
            prev = idx;
            n++;
        }
        if (n != b->free_blocks[k])
            return false;
        entries += n;
    }

    uint64_t heads = 0;
    for (uint64_t i = 0; i < b->npages; i++)
        if (b->pages[i].state == BUDDY_FREE_HEAD)
            heads++;
    return heads == entries && sum == b->free_pages;
}
