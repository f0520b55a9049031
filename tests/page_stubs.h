/* SPDX-License-Identifier: MIT */
/* tests/page_stubs.h — the kernel page allocator on the host, for tests of code that takes pages. */
#pragma once
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/*
 * Pages are zeroed, page-aligned heap blocks. pages_out counts the pages
 * handed out and not given back, so a test can demand that everything came
 * home; page_fail makes every page_alloc return NULL until cleared.
 */
static long pages_out;
static bool page_fail;

void *pages_alloc(unsigned order)
{
    if (page_fail)
        return NULL;
    void *p = aligned_alloc(PAGE_SIZE << order, PAGE_SIZE << order);
    if (!p)
        abort();
    memset(p, 0, PAGE_SIZE << order);
    pages_out += 1L << order;
    return p;
}

void *page_alloc(void)
{
    return pages_alloc(0);
}

void pages_free(void *va, unsigned order)
{
    pages_out -= 1L << order;
    free(va);
}

void page_free(void *va)
{
    pages_free(va, 0);
}
