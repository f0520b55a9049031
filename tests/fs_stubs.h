/* SPDX-License-Identifier: MIT */
/* tests/fs_stubs.h — what the file system takes from the roottask, on the host: pages and a clock. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fc_pages.h"

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
