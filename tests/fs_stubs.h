/* SPDX-License-Identifier: MIT */
/* tests/fs_stubs.h — what the file system takes from the roottask, on the host: pages and a clock. */
#pragma once
#include <stdbool.h>
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

/* The wall clock: a second further at every reading, so every change is seen. */
static uint64_t clock_s = 1000000000;

uint64_t fs_now_ns(void)
{
    return ++clock_s * 1000000000;
}

/* A directory, everything under it and its pages, gone (what no file system call does). */
static void tree_free(struct fs_node *d)
{
    while (d->child) {
        struct fs_dirent *e = d->child;
        d->child = e->next;
        if (e->node->type == FS_DIR)
            tree_free(e->node);
        else if (--e->node->links == 0)
            node_free(e->node);
        pool_put(e);
    }
    node_free(d);
}
