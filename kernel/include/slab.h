/* SPDX-License-Identifier: MIT */
/* slab.h — fixed-size object caches on 4 KiB pages from a pluggable backend. */
#pragma once

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

/*
 * A struct slab_cache owns the pages it got from its backend and hands out
 * objects of one size carved from them. It keeps no global state and takes
 * no lock: the caller serialises every call on a cache. Each page starts
 * with its header; objects follow at 16-byte alignment:
 *
 *   page (4096-aligned)
 *   +--------------------------------+------+------+-----+------+-------+
 *   | header: magic, cache, links,   | obj0 | obj1 | ... | objN | slack |
 *   |   in_use, used-bitmap (80 B)   |      |      |     |      |       |
 *   +--------------------------------+------+------+-----+------+-------+
 *
 * The used-bitmap is the only record of which objects are live, so a double
 * free is always detected; a page whose last object is freed goes back to
 * the backend at once. An object's page header is found by masking the
 * pointer, so slab_free reads the 4 KiB page the pointer falls in: a foreign
 * pointer must still point into readable memory (true for the kernel's
 * direct map).
 */

#define SLAB_PAGE_SIZE  4096u
#define SLAB_ALIGN      16u     /* object size granule and alignment */
#define SLAB_MAX_OBJ    2048u   /* largest object size */

/* Where pages come from: the kernel's frame allocator, or aligned_alloc in host tests. */
struct slab_backend {
    void *(*page_alloc)(void *ctx);             /* one zeroed 4 KiB page, 4096-aligned, or NULL */
    void  (*page_free)(void *ctx, void *page);
    void  *ctx;
};

struct slab_page;                               /* the in-page header, private to slab.c */

struct slab_cache {
    const char *name;
    uint32_t obj_size;                          /* rounded up to 16; 0 if the requested size was invalid */
    uint32_t per_page;                          /* objects per page; 0 makes every slab_alloc fail */
    struct slab_page *partial;                  /* pages with live and free objects */
    struct slab_page *full;                     /* pages with no free object */
    uint64_t objs_in_use, pages;                /* visible counts for the boot log and tests */
    unsigned errors;                            /* bad or double frees (and bad backend pages) ignored */
    const struct slab_backend *backend;
};

void  slab_cache_init(struct slab_cache *c, const char *name, uint32_t obj_size, const struct slab_backend *be);
void *slab_alloc(struct slab_cache *c);
void  slab_free(struct slab_cache *c, void *obj);
bool  slab_check(const struct slab_cache *c);
