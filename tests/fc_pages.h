/* SPDX-License-Identifier: MIT */
/* tests/fc_pages.h — the roottask's page allocator (facet/mem.h) on the host, for its file system and page maps. */
#pragma once
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The roottask's page allocator: zeroed heap pages; pages_out counts what is not back, and
 * pages_left (when not negative) how many more are handed out before it says no. */
static long pages_out, pages_left = -1;

uint64_t fc_page_alloc(void)
{
    if (pages_left == 0)
        return 0;
    if (pages_left > 0)
        pages_left--;
    void *p = aligned_alloc(4096, 4096);
    if (!p)
        abort();
    memset(p, 0, 4096);
    pages_out++;
    return (uint64_t)p;
}

void fc_page_free(uint64_t va)
{
    free((void *)va);
    pages_out--;
}
