/* SPDX-License-Identifier: MIT */
/* resource.h — memory and I/O-port capabilities: delegated pages and ports, with their derivations. */
#pragma once

#include "kernel.h"
#include "mdb.h"

struct pd;
struct slab_cache;

#define IO_PORTS 65536                     /* port numbers 0 .. 65535 */

/*
 * One delegated page (or port) in one PD. Nodes of the same frame (port)
 * are chained, so revoke and teardown find them from the resource.
 */
struct rnode {
    struct mdb mdb;
    struct pd *pd;
    uint64_t key;                /* page number in pd (memory), port number (I/O) */
    uint64_t res;                /* frame number (memory), port number (I/O) */
    struct rnode *res_next;      /* next node of the same frame or port */
    uint32_t perm;
    uint8_t order;               /* memory: 0 = a 4 KiB page, 9 = a 2 MiB page (listed under its first frame) */
    bool guest;                  /* memory: key is a guest-physical page of pd (its EPT), not a host one */
};

void mem_init(uint64_t max_pfn);
/* A node for a mapping or port of pd (n->pd set), charged to pd's kernel-memory account
 * (kmem.h): NULL when out of memory or over pd's quota. Nodes of both kinds, one cache. */
struct rnode *rnode_alloc(struct pd *pd);
void rnode_free(struct rnode *n);             /* back to the cache, its charge refunded */
/* Check (check_only) or do the delegation of 2^order pages; status code. */
int  mem_delegate(struct pd *src, struct pd *dst, uint64_t src_page, uint64_t dst_page,
                  unsigned order, unsigned perm, bool check_only);
/* The same into dst's guest-physical space (its EPT), from src's host pages. */
int  mem_delegate_guest(struct pd *src, struct pd *dst, uint64_t src_page, uint64_t guest_page,
                        unsigned order, unsigned perm, bool check_only);
void mem_revoke(struct pd *pd, uint64_t page, unsigned order, bool self);
void mem_teardown(struct pd *pd);          /* a dying PD: every delegated page and what came of it */

int  io_delegate(struct pd *src, struct pd *dst, uint64_t port, unsigned order, bool check_only);
void io_revoke(struct pd *pd, uint64_t port, unsigned order, bool self);
void io_teardown(struct pd *pd);
