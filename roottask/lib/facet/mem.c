// SPDX-License-Identifier: MIT
/* lib/facet/mem.c — a page allocator over the roottask's memory window (a free stack of pages). */
#include <string.h>
#include "facet/mem.h"
#include "uapi/layout.h"

/* Free pages are chained through their first word: the window maps them all. */
static uint64_t free_head, free_count;
static volatile int lock;

static void take(void) { while (__atomic_exchange_n(&lock, 1, __ATOMIC_ACQUIRE)) __asm__ volatile("pause"); }
static void give(void) { __atomic_store_n(&lock, 0, __ATOMIC_RELEASE); }

void fc_page_free(uint64_t va)
{
    take();
    *(uint64_t *)va = free_head;
    free_head = va;
    free_count++;
    give();
}

void fc_mem_init(const struct hip *hip)
{
    for (unsigned i = 0; i < hip->num_mem; i++) {
        const struct hip_mem *m = &hip->mem[i];
        if (m->type != HIP_MEM_ROOT)
            continue;
        /* Highest first, so allocation starts at the bottom of the window. */
        for (uint64_t a = m->addr + m->size; a > m->addr; a -= PAGE_SIZE)
            fc_page_free(ROOT_MEM_WINDOW + a - PAGE_SIZE);
    }
}

uint64_t fc_page_alloc(void)
{
    take();
    uint64_t va = free_head;
    if (va) {
        free_head = *(uint64_t *)va;
        free_count--;
    }
    give();
    if (va)
        memset((void *)va, 0, PAGE_SIZE);
    return va;
}

uint64_t fc_pages_free(void)
{
    return free_count;
}
