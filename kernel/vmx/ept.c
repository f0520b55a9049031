// SPDX-License-Identifier: MIT
/* vmx/ept.c — extended page tables: map, find and walk a PD's guest-physical pages. */
#include "ept.h"
#include "frame.h"
#include "paging.h"
#include "memlayout.h"
#include "uapi/layout.h"
#include "uapi/utcb.h"
#include "lab.h"

uint64_t *ept_create(void)
{
    return page_alloc();                          /* zeroed: nothing present */
}

uint64_t ept_pointer(const uint64_t *ept)
{
    return virt_to_phys((void *)ept) | (3UL << 3) | 6;   /* a 4-level walk (3 = levels - 1), write-back tables */
}

/* The table behind entry e, made if `create` (NULL if absent, a leaf, or out of memory). */
static uint64_t *ept_next(uint64_t *e, bool create)
{
    /* LAB ept BEGIN: a present entry: its table (none behind a 2 MiB leaf); an empty one: a fresh zeroed table if create, entered with all rights (docs: labs/3-ept/README.md#ept) */
    if (*e & EPT_RWX)
        return (*e & EPT_PS) ? NULL : phys_to_virt(*e & EPT_ADDR);
    if (!create)
        return NULL;
    uint64_t *t = page_alloc();
    if (t)
        *e = virt_to_phys(t) | EPT_RWX;
    return t;
    //@ (void)e; (void)create;
    //@ return NULL;
    /* LAB ept END */
}

/* The entry for gpa at the level of `order` (0: a 4 KiB entry, 9: the 2 MiB one), tables made if `create`. */
static uint64_t *ept_slot(uint64_t *ept, uint64_t gpa, unsigned order, bool create)
{
    /* LAB ept BEGIN: walk from the PML4 down to the level of order (the PD for 2 MiB, the PT for 4 KiB), each step through ept_next (docs: labs/3-ept/README.md#ept) */
    int last = order ? PD_SHIFT : PT_SHIFT;
    uint64_t *t = ept;
    for (int shift = PML4_SHIFT; shift > last; shift -= PT_BITS) {
        t = ept_next(&t[PT_INDEX(gpa, shift)], create);
        if (!t)
            return NULL;
    }
    return &t[PT_INDEX(gpa, last)];
    //@ (void)ept; (void)gpa; (void)order; (void)create; (void)ept_next;
    //@ LAB_TODO("ept: the walk to gpa's entry (ept_slot)");
    //@ return NULL;
    /* LAB ept END */
}

int ept_map(uint64_t *ept, uint64_t gpa, uint64_t pa, unsigned order, unsigned perm)
{
    /* LAB ept BEGIN: find (and build) the tables down to the entry for gpa, then write the leaf: frame, R/W/X from perm, write-back, PS for 2 MiB (docs: labs/3-ept/README.md#ept) */
    uint64_t *e = ept_slot(ept, gpa, order, true);
    if (!e)
        return -1;
    *e = (pa & EPT_ADDR) | EPT_WB | (order ? EPT_PS : 0) |
         ((perm & MEM_R) ? EPT_R : 0) | ((perm & MEM_W) ? EPT_W : 0) | ((perm & MEM_X) ? EPT_X : 0);
    return 0;
    //@ (void)ept; (void)gpa; (void)pa; (void)order; (void)perm;
    //@ LAB_TODO("ept: ept_map");
    //@ return -1;
    /* LAB ept END */
}

uint64_t *ept_entry(uint64_t *ept, uint64_t gpa, unsigned order)
{
    uint64_t *e = ept_slot(ept, gpa, order, false);
    return e && (*e & EPT_RWX) && (!order || (*e & EPT_PS)) ? e : NULL;   /* a leaf, not a table */
}

/* Is any part of [gpa, gpa + 2^order pages) mapped (a 2 MiB page above it, or a 4 KiB page in it)? */
bool ept_mapped(uint64_t *ept, uint64_t gpa, unsigned order)
{
    uint64_t *pde = ept_slot(ept, gpa, 9, false);
    if (!pde || !(*pde & EPT_RWX))
        return false;
    if ((*pde & EPT_PS) || order)
        return true;                              /* a 2 MiB page, or a table of 4 KiB ones in the 2 MiB asked */
    return ept_entry(ept, gpa, 0) != NULL;
}

/* Every present leaf; tables are freed after their entries when `free_tables`. */
static void walk(uint64_t *ept, ept_leaf_fn leaf, void *ctx, bool free_tables)
{
    for (uint64_t a = 0; a < PT_ENTRIES; a++) {
        uint64_t *pdpt = ept_next(&ept[a], false);
        for (uint64_t b = 0; pdpt && b < PT_ENTRIES; b++) {
            uint64_t *pd = ept_next(&pdpt[b], false);
            for (uint64_t c = 0; pd && c < PT_ENTRIES; c++) {
                uint64_t gpa = a << PML4_SHIFT | b << PDPT_SHIFT | c << PD_SHIFT;
                if (!(pd[c] & EPT_RWX))
                    continue;
                if (pd[c] & EPT_PS) {
                    if (leaf)
                        leaf(gpa, &pd[c], 9, ctx);
                    continue;
                }
                uint64_t *pt = phys_to_virt(pd[c] & EPT_ADDR);
                for (uint64_t d = 0; leaf && d < PT_ENTRIES; d++)
                    if (pt[d] & EPT_RWX)
                        leaf(gpa | d << PT_SHIFT, &pt[d], 0, ctx);
                if (free_tables)
                    page_free(pt);
            }
            if (pd && free_tables)
                page_free(pd);
        }
        if (pdpt && free_tables)
            page_free(pdpt);
    }
}

void ept_walk(uint64_t *ept, ept_leaf_fn leaf, void *ctx)
{
    walk(ept, leaf, ctx, false);
}

void ept_destroy(uint64_t *ept)
{
    walk(ept, NULL, NULL, true);
    memset(ept, 0, PAGE_SIZE);
    page_free(ept);
}
