/* SPDX-License-Identifier: MIT */
/* src/fs/pool.h — objects of one size carved out of the roottask's pages, a page given back when its last object goes. */
#pragma once

#include <stdint.h>

struct pool_page;
struct pool {
    unsigned size;                   /* bytes of an object (a multiple of 16, at most a page's rest) */
    struct pool_page *pages;         /* pages holding at least one object */
};

void *pool_get(struct pool *p);                      /* a zeroed object, or NULL: no page left */
void pool_put(void *o);                              /* back to its page (and the page to the roottask if it was the last) */
