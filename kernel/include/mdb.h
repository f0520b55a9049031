/* SPDX-License-Identifier: MIT */
/* mdb.h — the mapping database: which capability was derived from which (pure, host-testable). */
#pragma once

#include <stddef.h>

/*
 * Every delegated capability (object slot, memory page, I/O port) holds one
 * of these. A node with parent NULL was derived from the roottask's initial
 * capabilities (or is an object's original capability).
 *
 *        root cap
 *        /      \
 *     child --- child        parent <- child, first child, next sibling
 *       |
 *    grandchild
 */
struct mdb {
    struct mdb *parent, *child, *next;
};

void mdb_add_child(struct mdb *parent, struct mdb *n);   /* parent may be NULL: n is a root */
void mdb_detach(struct mdb *n);                          /* n must have no children */
/*
 * Remove every descendant of n, deepest first, calling fn on each after it
 * was detached (fn may free it). No recursion: the tree may be deep.
 */
void mdb_prune(struct mdb *n, void (*fn)(struct mdb *m, void *ctx), void *ctx);
size_t mdb_count(const struct mdb *n);                   /* descendants of n */
