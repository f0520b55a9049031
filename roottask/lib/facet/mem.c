// SPDX-License-Identifier: MIT
/* lib/facet/mem.c — a page allocator over the roottask's memory window (a free stack of pages). */
#include <string.h>
#include "facet/mem.h"
#include "facet/spin.h"
#include "countdown.h"
#include "uapi/layout.h"

/* Free pages are chained through their first word: the window maps them all. */
static uint64_t free_head, free_count;
static uint64_t large_chunk;              /* one 2 MiB-aligned 2 MiB piece, kept out of the free list */
static volatile int lock;


void fc_page_free(uint64_t va)
{
    fc_spin_lock(&lock);
    *(uint64_t *)va = free_head;
    free_head = va;
    free_count++;
    fc_spin_unlock(&lock);
}

void fc_mem_init(const struct hip *hip)
{
    for (unsigned i = 0; i < hip->num_mem; i++) {
        const struct hip_mem *m = &hip->mem[i];
        if (m->type != HIP_MEM_ROOT)
            continue;
        /* The first range's top 2 MiB-aligned chunk stays whole, for large-page delegation. */
        uint64_t top = (m->addr + m->size) & ~0x1fffffUL, hole = 0;
        if (!large_chunk && top >= m->addr + 0x200000) {
            hole = top - 0x200000;
            large_chunk = ROOT_MEM_WINDOW + hole;
        }
        /* Highest first, so allocation starts at the bottom of the window. */
        for (uint64_t a = m->addr + m->size; a > m->addr; a -= PAGE_SIZE)
            if (!hole || a - PAGE_SIZE < hole || a - PAGE_SIZE >= hole + 0x200000)
                fc_page_free(ROOT_MEM_WINDOW + a - PAGE_SIZE);
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
    if (va) {
        free_head = *(uint64_t *)va;
        free_count--;
    }
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
