// SPDX-License-Identifier: MIT
/* lib/facet/mem.c — a page allocator over the roottask's memory window (fresh ranges and a free stack of pages). */
#include <string.h>
#include "facet/mem.h"
#include "facet/spin.h"
#include "countdown.h"
#include "uapi/layout.h"

/*
 * Pages given back are chained through their first word (the window maps them all) and go
 * out first; the rest are handed out fresh from ranges, bottom up, so no page is touched
 * before it is first needed (writing a link into every page of a 200 MiB window at start-up
 * made QEMU back all of it: 25 to 350 ms of each boot).
 */
#define FRESH_MAX (HIP_MAX_MEM + 1)       /* each root range, the one with the large chunk in two */
static struct fresh { uint64_t next, end; } fresh[FRESH_MAX];   /* window addresses, [next, end) */
static unsigned fresh_count, fresh_at;
static uint64_t free_head, free_count;     /* free_count: the chain's pages and the fresh ones */
static uint64_t large_chunk;              /* one 2 MiB-aligned 2 MiB piece, kept out of the free pages */
static volatile int lock;


void fc_page_free(uint64_t va)
{
    fc_spin_lock(&lock);
    *(uint64_t *)va = free_head;
    free_head = va;
    free_count++;
    fc_spin_unlock(&lock);
}

static void fresh_add(uint64_t start, uint64_t end)
{
    if (start < end && fresh_count < FRESH_MAX) {
        fresh[fresh_count++] = (struct fresh){ ROOT_MEM_WINDOW + start, ROOT_MEM_WINDOW + end };
        free_count += (end - start) / PAGE_SIZE;
    }
}

/* The next page never handed out, or 0. Under the lock. */
static uint64_t fresh_take(void)
{
    for (; fresh_at < fresh_count; fresh_at++)
        if (fresh[fresh_at].next < fresh[fresh_at].end) {
            uint64_t va = fresh[fresh_at].next;
            fresh[fresh_at].next += PAGE_SIZE;
            return va;
        }
    return 0;
}

void fc_mem_init(const struct hip *hip)
{
    /* The first range's top 2 MiB-aligned chunk stays whole, for large-page delegation. */
    uint64_t hole = 0;
    for (unsigned i = 0; i < hip->num_mem && !large_chunk; i++) {
        const struct hip_mem *m = &hip->mem[i];
        uint64_t top = (m->addr + m->size) & ~0x1fffffUL;
        if (m->type == HIP_MEM_ROOT && top >= m->addr + 0x200000) {
            hole = top - 0x200000;
            large_chunk = ROOT_MEM_WINDOW + hole;
        }
    }
    /* Handed out from the last range to the first, each from its bottom up. */
    for (unsigned i = hip->num_mem; i-- > 0; ) {
        const struct hip_mem *m = &hip->mem[i];
        if (m->type != HIP_MEM_ROOT)
            continue;
        uint64_t start = m->addr, end = m->addr + m->size;
        if (large_chunk && hole >= start && hole < end) {
            fresh_add(start, hole);
            fresh_add(hole + 0x200000, end);
        } else {
            fresh_add(start, end);
        }
    }
}

#ifdef FACET_FAIL_INJECTION
static uint64_t fail_countdown;               /* 0: disarmed; 1: the next allocation fails */
static bool injected_failure(void) { return countdown_hit(&fail_countdown); }
uint64_t fc_page_fail_at(uint64_t n) { return countdown_set(&fail_countdown, n); }
#else
static bool injected_failure(void) { return false; }
#endif

uint64_t fc_page_alloc(void)
{
    if (injected_failure())
        return 0;
    fc_spin_lock(&lock);
    uint64_t va = free_head;
    if (va)
        free_head = *(uint64_t *)va;
    else
        va = fresh_take();
    if (va)
        free_count--;
    fc_spin_unlock(&lock);
    if (va)
        memset((void *)va, 0, PAGE_SIZE);
    return va;
}

uint64_t fc_large_chunk(void)
{
    return large_chunk;
}

uint64_t fc_pages_free(void)
{
    return free_count;
}
