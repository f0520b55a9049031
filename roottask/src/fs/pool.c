// SPDX-License-Identifier: MIT
/* src/fs/pool.c — fixed-size objects from pages: each page heads a free list of its own objects. */
#include <string.h>
#include "fs/pool.h"
#include "facet/mem.h"

#define PAGE 4096UL

/*
 * A page of objects: this header, then objects of p->size bytes. Its free objects are linked
 * through their first word; when none is used any more, the page goes back.
 *
 *   ┌────────┬───────┬───────┬───────┬──
 *   │ header │ obj 0 │ obj 1 │ obj 2 │ ...     free ──▶ obj 2 ──▶ obj 0 ──▶ NULL
 *   └────────┴───────┴───────┴───────┴──
 */
struct pool_page {
    struct pool_page *next, **prev;  /* the pool's list of pages */
    void *free;
    unsigned used;
};

#define FIRST ((sizeof(struct pool_page) + 15) & ~15UL)

static struct pool_page *page_new(struct pool *p)
{
    struct pool_page *pg = (struct pool_page *)fc_page_alloc();
    if (!pg)
        return NULL;
    for (uint64_t o = FIRST; o + p->size <= PAGE; o += p->size) {
        void **obj = (void **)((uint8_t *)pg + o);
        *obj = pg->free;
        pg->free = obj;
    }
    pg->next = p->pages;
    pg->prev = &p->pages;
    if (p->pages)
        p->pages->prev = &pg->next;
    p->pages = pg;
    return pg;
}

void *pool_get(struct pool *p)
{
    struct pool_page *pg = p->pages;
    while (pg && !pg->free)
        pg = pg->next;
    if (!pg && !(pg = page_new(p)))
        return NULL;
    void **obj = pg->free;
    pg->free = *obj;
    pg->used++;
    memset(obj, 0, p->size);
    return obj;
}

void pool_put(void *o)
{
    struct pool_page *pg = (struct pool_page *)((uint64_t)o & ~(PAGE - 1));
    *(void **)o = pg->free;
    pg->free = o;
    if (--pg->used)
        return;
    *pg->prev = pg->next;                            /* the last one: the page goes back */
    if (pg->next)
        pg->next->prev = pg->prev;
    fc_page_free((uint64_t)pg);
}
