// SPDX-License-Identifier: MIT
/* cap/io.c — I/O-port capabilities: a PD's ports are the clear bits of its I/O bitmap. */
#include "resource.h"
#include "tlb.h"
#include "pd.h"
#include "frame.h"
#include "slab.h"
#include "uapi/hypercall.h"
#include "lab.h"

static struct rnode *port_nodes[IO_PORTS];      /* per port: the PDs it was delegated to */

/* pd's node for a port, or NULL. */
static struct rnode *io_find(struct pd *pd, uint64_t port)
{
    for (struct rnode *n = port_nodes[port]; n; n = n->res_next)
        if (n->pd == pd)
            return n;
    return NULL;
}

static void allow(struct pd *pd, uint64_t port, bool on)
{
    if (on)
        pd->iobitmap[port / 8] &= (uint8_t)~(1u << (port % 8));
    else
        pd->iobitmap[port / 8] |= (uint8_t)(1u << (port % 8));
}

/* Open 2^order ports of src in dst's I/O bitmap, each a child of src's node (the roottask's ports are roots). */
int io_delegate(struct pd *src, struct pd *dst, uint64_t port, unsigned order, bool check_only)
{
    uint64_t count = 1UL << order;
    if (port + count > IO_PORTS)
        return BAD_PAR;
    for (uint64_t i = 0; i < count; i++) {
        if (!src->root && !io_find(src, port + i))
            return BAD_CAP;                          /* the source does not have that port */
        if (dst->root || io_find(dst, port + i))
            return BAD_PAR;                          /* the destination has it already */
    }
    if (check_only)
        return SUCCESS;
    if (!dst->iobitmap && !dst->iobitmap_charged) {  /* the bitmap made below: charged to dst once */
        if (!kmem_charge_space(dst, 2 * PAGE_SIZE))
            return OOM;
        dst->iobitmap_charged = true;
    }
    /* LAB capabilities BEGIN: give the destination an I/O bitmap if it has none, then open each port and record its node (docs: labs/2-capabilities/README.md#delegate-io) */
    if (!dst->iobitmap) {
        dst->iobitmap = pages_alloc(1);
        if (!dst->iobitmap)
            return OOM;
        memset(dst->iobitmap, 0xff, 2 * PAGE_SIZE);
    }
    for (uint64_t i = 0; i < count; i++) {
        struct rnode *n = rnode_alloc(dst);
        if (!n)
            return OOM;
        struct rnode *parent = src->root ? NULL : io_find(src, port + i);
        n->key = n->res = port + i;
        n->res_next = port_nodes[port + i];
        port_nodes[port + i] = n;
        mdb_add_child(parent ? &parent->mdb : NULL, &n->mdb);
        allow(dst, port + i, true);
    }
    tlb_shootdown();                                 /* CPUs running dst reload its bitmap */
    return SUCCESS;
    //@ (void)allow;
    //@ LAB_TODO("capabilities: delegating I/O ports");
    //@ return BAD_FTR;
    /* LAB capabilities END */
}

/* Close a node's port in its PD and free the node. */
static void close_node(struct mdb *m, void *ctx)
{
    (void)ctx;
    struct rnode *n = container_of(m, struct rnode, mdb);
    allow(n->pd, n->res, false);
    for (struct rnode **p = &port_nodes[n->res]; *p; p = &(*p)->res_next)
        if (*p == n) {
            *p = n->res_next;
            break;
        }
    rnode_free(n);
}

/* Close what was derived from n, and n itself when `self`. */
static void io_remove_tree(struct rnode *n, bool self)
{
    mdb_prune(&n->mdb, close_node, NULL);
    if (self && !n->mdb.child) {            /* never free a node whose derivations are still there */
        mdb_detach(&n->mdb);
        close_node(&n->mdb, NULL);
    }
}

/* Close what was delegated from pd's ports (and those ports with `self`) in every PD. */
void io_revoke(struct pd *pd, uint64_t port, unsigned order, bool self)
{
    bool any = false;
    for (uint64_t p = port; p < port + (1UL << order) && p < IO_PORTS; p++) {
        if (pd->root) {                              /* the root keeps its ports; all derived ones go */
            while (port_nodes[p]) {
                io_remove_tree(port_nodes[p], true);
                any = true;
            }
            continue;
        }
        struct rnode *n = io_find(pd, p);
        if (n) {
            io_remove_tree(n, self);
            any = true;
        }
    }
    if (any)
        tlb_shootdown();
}

/* A dying PD: every port delegated to it goes, with everything delegated from it. */
void io_teardown(struct pd *pd)
{
    if (!pd->iobitmap || pd->root)
        return;
    for (uint64_t p = 0; p < IO_PORTS; p++) {
        struct rnode *n = io_find(pd, p);
        if (n)
            io_remove_tree(n, true);
    }
}
