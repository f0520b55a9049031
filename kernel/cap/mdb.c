// SPDX-License-Identifier: MIT
/* cap/mdb.c — derivation trees: link, detach, and prune without recursion. */
#include "mdb.h"
#include "lab.h"

void mdb_add_child(struct mdb *parent, struct mdb *n)
{
    n->parent = parent;
    n->child = NULL;
    n->next = NULL;
    if (parent) {
        n->next = parent->child;
        parent->child = n;
    }
}

void mdb_detach(struct mdb *n)
{
    if (n->parent) {
        struct mdb **p = &n->parent->child;
        while (*p != n)
            p = &(*p)->next;
        *p = n->next;
    }
    n->parent = n->next = NULL;
}

void mdb_prune(struct mdb *n, void (*fn)(struct mdb *m, void *ctx), void *ctx)
{
    /* LAB capabilities BEGIN: remove every descendant of n, deepest first, calling fn on each once it is detached; no recursion (docs: labs/2-capabilities/README.md#revoke) */
    /* Down to a leaf, remove it, continue from its parent: linear in the subtree. */
    struct mdb *m = n;
    for (;;) {
        while (m->child)
            m = m->child;
        if (m == n)
            return;
        struct mdb *p = m->parent;
        p->child = m->next;
        m->parent = m->next = NULL;
        fn(m, ctx);
        m = p;
    }
    //@ (void)n;
    //@ (void)fn;
    //@ (void)ctx;
    //@ LAB_TODO("capabilities: mdb_prune (recursive revoke)");
    /* LAB capabilities END */
}

size_t mdb_count(const struct mdb *n)
{
    size_t count = 0;
    const struct mdb *m = n->child;
    while (m) {
        count++;
        if (m->child) {
            m = m->child;
            continue;
        }
        while (m != n && !m->next)
            m = m->parent;
        m = m == n ? NULL : m->next;
    }
    return count;
}
