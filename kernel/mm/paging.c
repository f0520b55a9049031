// SPDX-License-Identifier: MIT
/* mm/paging.c — builds the kernel's page table and walks/edits user address spaces. */
#include "paging.h"
#include "frame.h"
#include "memlayout.h"
#include "x86.h"

extern uint64_t boot_pml4[512], boot_pd[2048];
uint64_t *kernel_pml4;

/* Drop the identity map (a fresh master table) and make the APIC window uncached. */
void paging_init(void)
{
    for (unsigned i = 0xfe000000UL >> PD_SHIFT; i < 2048; i++)
        boot_pd[i] |= PTE_PCD | PTE_PWT;
    kernel_pml4 = page_alloc();
    if (!kernel_pml4)
        panic("[mm] no page for the kernel page table");
    for (unsigned i = PML4_KERNEL_FIRST; i < 512; i++)
        kernel_pml4[i] = boot_pml4[i];
    write_cr3(virt_to_phys(kernel_pml4));
    tlb_flush_global();                                /* the identity map's global entries go too */
}

/* Toggling CR4.PGE drops global translations, which a CR3 write keeps. */
void tlb_flush_global(void)
{
    uint64_t cr4 = read_cr4();
    write_cr4(cr4 & ~CR4_PGE);
    write_cr4(cr4 | CR4_PGE);
}

uint64_t *space_create(void)
{
    uint64_t *pml4 = page_alloc();
    if (pml4)
        for (unsigned i = PML4_KERNEL_FIRST; i < 512; i++)
            pml4[i] = kernel_pml4[i];
    return pml4;
}

/*
 * The user half, PML4 entries 0 .. PML4_KERNEL_FIRST-1, depth first. 1 GiB
 * pages are not used: a PDPT entry with PTE_PS is skipped.
 *
 *   pml4[a] -> pdpt[b] -> pd[c] -(PTE_PS)-> leaf: a 2 MiB page
 *                              \-> pt[d] -> leaf: a 4 KiB page
 *
 * Each table is reported after its entries (so `table` may free it); the
 * PML4 itself is not. Without `leaf`, the page tables' entries are not read.
 */
void space_walk(uint64_t *pml4, space_leaf_fn leaf, space_table_fn table, void *ctx)
{
    for (uint64_t a = 0; a < PML4_KERNEL_FIRST; a++) {
        if (!(pml4[a] & PTE_P))
            continue;
        uint64_t *pdpt = phys_to_virt(pml4[a] & PTE_ADDR);
        for (uint64_t b = 0; b < PT_ENTRIES; b++) {
            if (!(pdpt[b] & PTE_P) || (pdpt[b] & PTE_PS))
                continue;
            uint64_t *pd = phys_to_virt(pdpt[b] & PTE_ADDR);
            for (uint64_t c = 0; c < PT_ENTRIES; c++) {
                uint64_t va = a << PML4_SHIFT | b << PDPT_SHIFT | c << PD_SHIFT;
                if (!(pd[c] & PTE_P))
                    continue;
                if (pd[c] & PTE_PS) {
                    if (leaf)
                        leaf(va, &pd[c], ctx);
                    continue;
                }
                uint64_t *pt = phys_to_virt(pd[c] & PTE_ADDR);
                for (uint64_t d = 0; leaf && d < PT_ENTRIES; d++)
                    if (pt[d] & PTE_P)
                        leaf(va | d << PT_SHIFT, &pt[d], ctx);
                if (table)
                    table(pt, ctx);
            }
            if (table)
                table(pd, ctx);
        }
        if (table)
            table(pdpt, ctx);
    }
}

static void table_free(uint64_t *table, void *ctx)
{
    (void)ctx;
    page_free(table);
}

/* Free the three lower levels of the user half; leaf frames belong to their owners. */
void space_destroy(uint64_t *pml4)
{
    space_walk(pml4, NULL, table_free, NULL);
    memset(pml4, 0, PAGE_SIZE);                        /* a CPU still on it faults now, not on reuse */
    page_free(pml4);
}

/* The next-level table behind *e, allocating it when `create` is set. */
static uint64_t *next_table(uint64_t *e, bool create)
{
    if (*e & PTE_P)
        return (*e & PTE_PS) ? NULL : phys_to_virt(*e & PTE_ADDR);
    if (!create)
        return NULL;
    uint64_t *t = page_alloc();
    if (t)
        *e = virt_to_phys(t) | PTE_P | PTE_W | PTE_U;
    return t;
}

/* The 4 KiB page-table entry for va, or NULL; with `create`, the tables above it are made. */
static uint64_t *pte_get(uint64_t *pml4, uint64_t va, bool create)
{
    uint64_t *t = pml4;
    for (int shift = PML4_SHIFT; shift > PT_SHIFT; shift -= PT_BITS) {
        t = next_table(&t[PT_INDEX(va, shift)], create);
        if (!t)
            return NULL;
    }
    return &t[PT_INDEX(va, PT_SHIFT)];
}

uint64_t *space_pte(uint64_t *pml4, uint64_t va)
{
    return pte_get(pml4, va, false);
}

int space_map(uint64_t *pml4, uint64_t va, uint64_t pa, uint64_t flags)
{
    uint64_t *pte = pte_get(pml4, va, true);
    if (!pte)
        return -1;
    *pte = (pa & PTE_ADDR) | flags | PTE_P;
    return 0;
}

bool user_range_ok(uint64_t va, uint64_t len)
{
    return va >= USER_BASE && va < USER_END && len <= USER_END - va;
}

/* Translate va in pml4, 4 KiB or 2 MiB pages: physical address and PTE flags, or false. */
bool space_lookup(uint64_t *pml4, uint64_t va, uint64_t *pa, uint64_t *flags)
{
    uint64_t *t = pml4;
    for (int shift = PML4_SHIFT; shift >= PT_SHIFT; shift -= PT_BITS) {
        uint64_t e = t[PT_INDEX(va, shift)];
        if (!(e & PTE_P))
            return false;
        if (shift == PT_SHIFT || (shift == PD_SHIFT && (e & PTE_PS))) {
            uint64_t size = 1UL << shift;
            *pa = (e & PTE_ADDR & ~(size - 1)) | (va & (size - 1) & ~(PAGE_SIZE - 1));
            *flags = e & ~PTE_ADDR;
            return true;
        }
        if (e & PTE_PS)
            return false;                            /* 1 GiB pages are not used */
        t = phys_to_virt(e & PTE_ADDR);
    }
    return false;
}

/* Map [va, va+size) to [pa, ...) with 2 MiB pages where both are aligned, else 4 KiB. */
int space_map_range(uint64_t *pml4, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags)
{
    for (uint64_t off = 0; off < size; ) {
        uint64_t v = va + off, p = pa + off;
        if (!(v & (LARGE_PAGE_SIZE - 1)) && !(p & (LARGE_PAGE_SIZE - 1)) && size - off >= LARGE_PAGE_SIZE) {
            uint64_t *t = pml4;
            for (int shift = PML4_SHIFT; shift > PD_SHIFT; shift -= PT_BITS)
                if (!(t = next_table(&t[PT_INDEX(v, shift)], true)))
                    return -1;
            t[PT_INDEX(v, PD_SHIFT)] = p | flags | PTE_P | PTE_PS;
            off += LARGE_PAGE_SIZE;
        } else {
            if (space_map(pml4, v, p, flags))
                return -1;
            off += PAGE_SIZE;
        }
    }
    return 0;
}

/* How many tables a walk to va's entry (the 2 MiB-level one if large) would make: 0 when they
 * are all there, or when a 2 MiB page is in the way (the mapping then fails by itself). */
unsigned space_tables_missing(const uint64_t *pml4, uint64_t va, bool large)
{
    const uint64_t *t = pml4;
    int shift = PML4_SHIFT, last = large ? PD_SHIFT : PT_SHIFT;
    for (; shift > last; shift -= PT_BITS) {
        uint64_t e = t[PT_INDEX(va, shift)];
        if (!(e & PTE_P))
            return (unsigned)((shift - last) / PT_BITS);
        if (e & PTE_PS)
            return 0;
        t = phys_to_virt(e & PTE_ADDR);
    }
    return 0;
}

int space_prepare(uint64_t *pml4, uint64_t va, bool large)
{
    return (large ? space_pde(pml4, va, true) : pte_get(pml4, va, true)) ? 0 : -1;
}

/* The page-directory entry (2 MiB level) for va, creating the levels above it if asked. */
uint64_t *space_pde(uint64_t *pml4, uint64_t va, bool create)
{
    uint64_t *t = pml4;
    for (int shift = PML4_SHIFT; shift > PD_SHIFT; shift -= PT_BITS)
        if (!(t = next_table(&t[PT_INDEX(va, shift)], create)))
            return NULL;
    return &t[PT_INDEX(va, PD_SHIFT)];
}
