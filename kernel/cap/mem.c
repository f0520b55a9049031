// SPDX-License-Identifier: MIT
/* cap/mem.c — memory capabilities: delegate pages between PDs, revoke them with everything derived. */
#include "resource.h"
#include "tlb.h"
#include "pd.h"
#include "frame.h"
#include "paging.h"
#include "slab.h"
#include "memlayout.h"
#include "uapi/hypercall.h"
#include "uapi/utcb.h"
#include "ept.h"
#include "vmx.h"
#include "svm.h"
#include "lab.h"

static struct rnode **frame_nodes;          /* per frame: its delegated mappings */
static uint64_t max_frame;
static struct slab_cache rnodes;
static bool tlb_dirty;

struct rnode *rnode_alloc(struct pd *pd)
{
    if (!kmem_charge(pd, sizeof(struct rnode)))
        return NULL;                                 /* pd's kernel-memory quota is used up */
    struct rnode *n = slab_alloc(&rnodes);
    if (!n) {
        kmem_refund(pd, sizeof *n);
        return NULL;
    }
    n->pd = pd;
    return n;
}

void rnode_free(struct rnode *n)
{
    kmem_refund(n->pd, sizeof *n);
    slab_free(&rnodes, n);
}

/* The per-frame node lists for frames 0 .. max_pfn-1 (the roottask's memory) and the node cache. */
void mem_init(uint64_t max_pfn)
{
    unsigned order = 0;
    while ((PAGE_SIZE << order) < max_pfn * sizeof *frame_nodes)
        order++;
    frame_nodes = pages_alloc(order);
    if (!frame_nodes)
        panic("[mm] no memory for the frame table");
    max_frame = max_pfn;
    slab_cache_init(&rnodes, "rnode", sizeof(struct rnode), &frame_slab);
}

static bool in_window(const struct pd *pd, uint64_t page)
{
    return pd->root && page >= (ROOT_MEM_WINDOW >> PAGE_SHIFT) &&
           page < ((ROOT_MEM_WINDOW >> PAGE_SHIFT) + max_frame);
}

#define LARGE_ORDER (PD_SHIFT - PAGE_SHIFT)    /* a 2 MiB page: 512 frames */
#define LARGE_PAGES (1UL << LARGE_ORDER)

/* pd's node for a page (a 4 KiB node, or the 2 MiB node covering it, listed under its first frame). */
static struct rnode *mem_find(struct pd *pd, uint64_t page, uint64_t frame)
{
    if (frame >= max_frame)
        return NULL;
    for (struct rnode *n = frame_nodes[frame]; n; n = n->res_next)
        if (n->pd == pd && n->key == page && !n->order && !n->guest)
            return n;
    uint64_t base = frame & ~(LARGE_PAGES - 1);
    for (struct rnode *n = frame_nodes[base]; n; n = n->res_next)
        if (n->pd == pd && n->order && !n->guest && n->key == (page & ~(LARGE_PAGES - 1)))
            return n;
    return NULL;
}

/* pd's guest node of that order for a guest page backed by frame (its first frame for 2 MiB). */
static struct rnode *mem_find_guest(struct pd *pd, uint64_t gpage, uint64_t frame, unsigned order)
{
    if (frame >= max_frame)
        return NULL;
    for (struct rnode *n = frame_nodes[frame]; n; n = n->res_next)
        if (n->pd == pd && n->guest && n->key == gpage && n->order == order)
            return n;
    return NULL;
}

/* Fill in a new node of dst for key (a page of its host or guest space) and list it under its frame. */
static void node_link(struct rnode *n, struct pd *dst, uint64_t key, uint64_t frame, unsigned perm,
                      unsigned order, bool guest, struct rnode *parent)
{
    n->pd = dst;
    n->key = key;
    n->res = frame;
    n->perm = perm;
    n->order = (uint8_t)order;
    n->guest = guest;
    n->res_next = frame_nodes[frame];
    frame_nodes[frame] = n;
    mdb_add_child(parent ? &parent->mdb : NULL, &n->mdb);
}

/*
 * The frame behind a page of pd, or -1 if pd cannot delegate it: a page of the
 * root's window, or one delegated to pd (kernel-made mappings such as UTCBs
 * and the root image are not). With `large`, the page must start a 2 MiB
 * mapping (the root's window, or a 2 MiB delegation) that can go as one.
 */
static int64_t source(struct pd *pd, uint64_t page, bool large, struct rnode **node, unsigned *perm)
{
    uint64_t pa, flags;
    if (!space_lookup(pd->pml4, page << PAGE_SHIFT, &pa, &flags) || (large && !(flags & PTE_PS)))
        return -1;
    uint64_t frame = pa >> PAGE_SHIFT;
    *node = NULL;
    if (in_window(pd, page)) {
        *perm = MEM_R | MEM_W | MEM_X;
        return (int64_t)frame;
    }
    *node = mem_find(pd, page, frame);
    if (!*node || (large && !(*node)->order))
        return -1;
    *perm = (*node)->perm;
    return (int64_t)frame;
}

/* 2^order pages (order >= 9, both sides 2 MiB-aligned) as 2 MiB pages: status, or -1 if it cannot. */
static int delegate_large(struct pd *src, struct pd *dst, uint64_t src_page, uint64_t dst_page,
                          unsigned order, unsigned perm, bool check_only)
{
    for (uint64_t u = 0; u < (1UL << order); u += LARGE_PAGES) {
        struct rnode *parent;
        unsigned have;
        int64_t frame = source(src, src_page + u, true, &parent, &have);
        if (frame < 0)
            return -1;                               /* not backed by one 2 MiB mapping: 4 KiB pages */
        if (!((perm & have) & MEM_R))
            return BAD_PAR;
        uint64_t *pde = space_pde(dst->pml4, (dst_page + u) << PAGE_SHIFT, false);
        if (pde && (*pde & PTE_P))
            return BAD_PAR;                          /* something is mapped in that 2 MiB */
        if (check_only)
            continue;
        unsigned p = perm & have;
        struct rnode *n = rnode_alloc(dst);
        if (!n || pd_tables_prepare(dst, (dst_page + u) << PAGE_SHIFT, true) != SUCCESS) {
            if (n)
                rnode_free(n);
            return OOM;
        }
        pde = space_pde(dst->pml4, (dst_page + u) << PAGE_SHIFT, false);
        *pde = ((uint64_t)frame << PAGE_SHIFT) | PTE_P | PTE_PS | PTE_U |
               ((p & MEM_W) ? PTE_W : 0) | ((p & MEM_X) ? 0 : PTE_NX);
        node_link(n, dst, dst_page + u, (uint64_t)frame, p, LARGE_ORDER, false, parent);
    }
    return SUCCESS;
}

/* Map 2^order pages of src into dst (2 MiB pages where both sides allow), each a child of its source node. */
int mem_delegate(struct pd *src, struct pd *dst, uint64_t src_page, uint64_t dst_page,
                 unsigned order, unsigned perm, bool check_only)
{
    if (order >= LARGE_ORDER && !((src_page | dst_page) & (LARGE_PAGES - 1))) {
        int s = delegate_large(src, dst, src_page, dst_page, order, perm, check_only);
        if (s >= 0)
            return s;
    }
    uint64_t count = 1UL << order;
    for (uint64_t i = 0; i < count; i++) {
        struct rnode *parent;
        unsigned have;
        int64_t frame = source(src, src_page + i, false, &parent, &have);
        if (frame < 0)
            return BAD_CAP;                          /* nothing delegable there */
        if (!((perm & have) & MEM_R))
            return BAD_PAR;                          /* a mapping needs read permission */
        uint64_t mapped_pa, mapped_flags;
        if (space_lookup(dst->pml4, (dst_page + i) << PAGE_SHIFT, &mapped_pa, &mapped_flags))
            return BAD_PAR;                          /* the destination overlaps a mapping (4 KiB or 2 MiB) */
        if (check_only)
            continue;
        if (pd_tables_prepare(dst, (dst_page + i) << PAGE_SHIFT, false) != SUCCESS)
            return OOM;                              /* the page tables, charged to dst: space_map makes none */
        /* LAB capabilities BEGIN: map the frame into the destination with the permitted rights and record a node derived from the source's (docs: labs/2-capabilities/README.md#delegate-memory) */
        unsigned p = perm & have;
        struct rnode *n = rnode_alloc(dst);
        uint64_t flags = PTE_U | ((p & MEM_W) ? PTE_W : 0) | ((p & MEM_X) ? 0 : PTE_NX);
        if (!n || space_map(dst->pml4, (dst_page + i) << PAGE_SHIFT, (uint64_t)frame << PAGE_SHIFT, flags)) {
            if (n)
                rnode_free(n);
            return OOM;                              /* what was done so far stays (documented) */
        }
        n->key = dst_page + i;
        n->res = (uint64_t)frame;
        n->perm = p;
        n->res_next = frame_nodes[frame];
        frame_nodes[frame] = n;
        mdb_add_child(parent ? &parent->mdb : NULL, &n->mdb);
        //@ (void)parent;
        //@ LAB_TODO("capabilities: delegating memory");
        //@ return BAD_FTR;
        /* LAB capabilities END */
    }
    return SUCCESS;
}

/*
 * guest_map for dst's EPT (or nested table), its new tables charged to dst: 0, or -1 when
 * out of memory or quota. The walk is ept_map's (or the NPT's): the tables it makes are
 * counted by the frames it takes (under the kernel lock nothing else allocates meanwhile;
 * the count is kept within what such a walk can make).
 */
static int guest_map_charged(struct pd *dst, uint64_t gpa, uint64_t pa, unsigned order, unsigned perm)
{
    const uint64_t worst = 3 * PAGE_SIZE;            /* below the root: PDPT, PD, PT */
    if (!kmem_fits(dst, worst))
        return -1;
    int64_t before = (int64_t)frame_free_count();
    int s = guest_map(dst->ept, gpa, pa, order, perm);
    int64_t made = (before - (int64_t)frame_free_count()) * PAGE_SIZE;
    kmem_charge_space(dst, (uint64_t)MIN(MAX(made, 0), (int64_t)worst));   /* fits: checked above */
    return s;
}

/*
 * Guest memory: 2^order pages of src's host space at guest page guest_page of
 * dst, in its EPT (made at the first delegation). A 2 MiB EPT page where the
 * source is one 2 MiB mapping and the CPU has them, 4 KiB pages otherwise.
 */
int mem_delegate_guest(struct pd *src, struct pd *dst, uint64_t src_page, uint64_t guest_page,
                       unsigned order, unsigned perm, bool check_only)
{
    if (!check_only && !dst->ept) {
        if (!kmem_charge_space(dst, PAGE_SIZE))
            return OOM;
        if (!(dst->ept = ept_create())) {
            kmem_refund_space(dst, PAGE_SIZE);
            return OOM;
        }
    }
    uint64_t count = 1UL << order;
    for (uint64_t i = 0; i < count;) {
        struct rnode *parent;
        unsigned have;
        bool large = (vmx_caps.ept_2m || svm_caps.usable) && count - i >= LARGE_PAGES && !(((src_page + i) | (guest_page + i)) & (LARGE_PAGES - 1));
        int64_t frame = large ? source(src, src_page + i, true, &parent, &have) : -1;
        if (frame < 0) {
            large = false;
            frame = source(src, src_page + i, false, &parent, &have);
        }
        if (frame < 0)
            return BAD_CAP;                          /* nothing delegable there */
        if (!((perm & have) & MEM_R))
            return BAD_PAR;
        unsigned o = large ? LARGE_ORDER : 0;
        uint64_t gpa = (guest_page + i) << PAGE_SHIFT;
        if (dst->ept && ept_mapped(dst->ept, gpa, o))
            return BAD_PAR;                          /* the guest page is taken */
        if (!check_only) {
            struct rnode *n = rnode_alloc(dst);
            if (!n || guest_map_charged(dst, gpa, (uint64_t)frame << PAGE_SHIFT, o, perm & have)) {
                if (n)
                    rnode_free(n);
                return OOM;
            }
            node_link(n, dst, guest_page + i, (uint64_t)frame, perm & have, o, true, parent);
        }
        i += large ? LARGE_PAGES : 1;
    }
    return SUCCESS;
}

/* The entry that maps a node's page: its PD's page table, or its EPT for guest memory. */
static uint64_t *node_entry(const struct rnode *n)
{
    if (n->guest)
        return n->pd->ept ? ept_entry(n->pd->ept, n->key << PAGE_SHIFT, n->order) : NULL;
    return n->order ? space_pde(n->pd->pml4, n->key << PAGE_SHIFT, false)
                    : space_pte(n->pd->pml4, n->key << PAGE_SHIFT);
}

/* Unmap a node's page from its PD and free the node (the shootdown also empties every CPU's EPT TLB). */
static void unmap_node(struct mdb *m, void *ctx)
{
    (void)ctx;
    struct rnode *n = container_of(m, struct rnode, mdb);
    uint64_t *pte = node_entry(n);
    if (pte)
        *pte = 0;
    for (struct rnode **p = &frame_nodes[n->res]; *p; p = &(*p)->res_next)
        if (*p == n) {
            *p = n->res_next;
            break;
        }
    rnode_free(n);
    tlb_dirty = true;
}

/* Remove what was derived from n, and n itself when `self`; true if n is gone. */
static bool mem_remove_tree(struct rnode *n, bool self)
{
    mdb_prune(&n->mdb, unmap_node, NULL);
    if (!self || n->mdb.child)              /* never free a node whose derivations are still there */
        return false;
    mdb_detach(&n->mdb);
    unmap_node(&n->mdb, NULL);
    return true;
}

/* Unmap in every PD what came of pd's pages (with `self` those too, unless the roottask's own); then shoot down. */
void mem_revoke(struct pd *pd, uint64_t page, unsigned order, bool self)
{
    for (uint64_t i = 0; i < (1UL << order); i++) {
        uint64_t pa, flags;
        if (!space_lookup(pd->pml4, (page + i) << PAGE_SHIFT, &pa, &flags))
            continue;
        uint64_t frame = pa >> PAGE_SHIFT;
        if (in_window(pd, page + i)) {
            /* The root's own pages cannot go; everything delegated from them does. */
            /* The frame's own nodes, then 2 MiB nodes covering it (listed under their first frame). */
            uint64_t lists[2] = { frame, frame & ~(LARGE_PAGES - 1) };
            for (int l = 0; l < 2; l++) {
                struct rnode *n = frame_nodes[lists[l]];
                while (n) {
                    if (!n->mdb.parent && (l == 0 || n->order) && mem_remove_tree(n, true))
                        n = frame_nodes[lists[l]];   /* the list changed: start over */
                    else
                        n = n->res_next;
                }
            }
            continue;
        }
        struct rnode *n = mem_find(pd, page + i, frame);
        if (n)
            mem_remove_tree(n, self);
    }
    if (tlb_dirty) {
        tlb_dirty = false;
        tlb_shootdown();
    }
}

/* A mapping of the dying PD (4 KiB or 2 MiB): if it was delegated, it goes with what came of it. */
static void teardown_leaf(uint64_t va, uint64_t *entry, void *ctx)
{
    struct pd *pd = ctx;
    struct rnode *n = mem_find(pd, va >> PAGE_SHIFT, (*entry & PTE_ADDR) >> PAGE_SHIFT);
    if (n)
        mem_remove_tree(n, true);
}

/* A guest page of the dying PD: its node goes (nothing is ever derived from guest memory). */
static void teardown_guest_leaf(uint64_t gpa, uint64_t *entry, unsigned order, void *ctx)
{
    struct rnode *n = mem_find_guest(ctx, gpa >> PAGE_SHIFT, (*entry & EPT_ADDR) >> PAGE_SHIFT, order);
    if (n)
        mem_remove_tree(n, true);
}

/* A dying PD: every page delegated to it goes, with everything delegated from it. */
void mem_teardown(struct pd *pd)
{
    space_walk(pd->pml4, teardown_leaf, NULL, pd);
    if (pd->ept)
        ept_walk(pd->ept, teardown_guest_leaf, pd);
    if (tlb_dirty) {
        tlb_dirty = false;
        tlb_shootdown();
    }
}
