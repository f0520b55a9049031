// SPDX-License-Identifier: MIT
/* tests/test_ept.c — extended page tables on the host: leaves, tables, lookups, the walk, teardown. */
#include "kernel/vmx/ept.c"
#include "unit.h"
#include "page_stubs.h"

/*
 * Tables are heap pages (page_stubs.h); virt_to_phys/phys_to_virt are the
 * kernel's own direct-map arithmetic, which round-trips a heap address, so
 * a test follows an entry to the next table as the CPU would. The frames
 * mapped are made-up numbers: nothing reads them.
 */

/* A new EPT, the page count restarted: a failed test before this one leaks nothing into it. */
static uint64_t *ept_fresh(void)
{
    pages_out = 0;
    page_fail = false;
    uint64_t *ept = ept_create();
    if (!ept)
        unit_fail(__FILE__, __LINE__, "ept_create returned NULL");
    return ept;
}

/* The table an entry points at. */
static uint64_t *next_table(uint64_t e)
{
    return phys_to_virt(e & EPT_ADDR);
}

/* The frame, permission, type and PS bits a leaf should have. */
static uint64_t leaf_bits(uint64_t pa, unsigned perm, bool large)
{
    /* MEM_R/W/X and EPT_R/W/X are both bits 0, 1, 2: one table says which is which. */
    static const uint64_t rwx[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };
    return pa | EPT_WB | (large ? EPT_PS : 0) | rwx[perm & 7];
}

TEST(map_4k_writes_the_leaf)
{
    uint64_t *ept = ept_fresh();
    CHECK_EQ(ept_map(ept, 0x5000, 0xabcd000, 0, MEM_R | MEM_W), 0);
    uint64_t *e = ept_entry(ept, 0x5000, 0);
    CHECK(e);
    CHECK_EQ(*e & EPT_ADDR, 0xabcd000);
    CHECK_EQ(*e & EPT_RWX, EPT_R | EPT_W);                /* no X: not asked for */
    CHECK_EQ((*e >> 3) & 7, 6);                           /* memory type write-back */
    CHECK_EQ(*e & EPT_PS, 0);                             /* a 4 KiB leaf has no PS */
    CHECK_EQ(*e, leaf_bits(0xabcd000, MEM_R | MEM_W, false));
    ept_destroy(ept);
    CHECK_EQ(pages_out, 0);
}

TEST(map_each_permission_combination)
{
    uint64_t *ept = ept_fresh();
    for (unsigned perm = 1; perm < 8; perm++) {
        uint64_t gpa = 0x100000 + perm * 0x1000, pa = 0x7000000 + perm * 0x1000;
        CHECK_EQ(ept_map(ept, gpa, pa, 0, perm), 0);
        uint64_t *e = ept_entry(ept, gpa, 0);
        CHECK(e);
        CHECK_EQ(*e, leaf_bits(pa, perm, false));
        CHECK_EQ(*e & EPT_RWX, perm);                     /* MEM_R/W/X are the EPT's R/W/X bits */
    }
    ept_destroy(ept);
    CHECK_EQ(pages_out, 0);
}

TEST(map_2m_sets_ps_in_the_pd_entry)
{
    uint64_t *ept = ept_fresh();
    uint64_t gpa = 0x40000000 + 5 * LARGE_PAGE_SIZE, pa = 0x12600000;
    CHECK_EQ(ept_map(ept, gpa, pa, 9, MEM_R | MEM_W | MEM_X), 0);
    uint64_t *e = ept_entry(ept, gpa, 9);
    CHECK(e);
    CHECK_EQ(*e, leaf_bits(pa, MEM_R | MEM_W | MEM_X, true));
    CHECK_EQ(ept_entry(ept, gpa, 0), NULL);               /* covered by the 2 MiB page: no 4 KiB entry */
    CHECK_EQ(ept_entry(ept, gpa + 0x1ff000, 0), NULL);
    /* The entry is the PD's: pml4[0] -> pdpt[1] -> pd[5]. */
    uint64_t *pdpt = next_table(ept[0]), *pd = next_table(pdpt[1]);
    CHECK(e == &pd[5]);
    ept_destroy(ept);
    CHECK_EQ(pages_out, 0);
}

TEST(tables_are_rwx_and_made_once)
{
    uint64_t *ept = ept_fresh();
    CHECK_EQ(pages_out, 1);
    uint64_t gpa = (3UL << PDPT_SHIFT) | (7UL << PD_SHIFT) | (9UL << PT_SHIFT);
    CHECK_EQ(ept_map(ept, gpa, 0x9000, 0, MEM_R), 0);
    CHECK_EQ(pages_out, 4);                               /* PDPT, PD and PT */
    /* Every table entry on the way: the next table's frame, R|W|X, nothing else. */
    CHECK_EQ(ept[0] & ~EPT_ADDR, EPT_RWX);
    uint64_t *pdpt = next_table(ept[0]);
    CHECK_EQ(pdpt[3] & ~EPT_ADDR, EPT_RWX);
    uint64_t *pd = next_table(pdpt[3]);
    CHECK_EQ(pd[7] & ~EPT_ADDR, EPT_RWX);
    uint64_t *pt = next_table(pd[7]);
    CHECK(&pt[9] == ept_entry(ept, gpa, 0));
    CHECK_EQ(pt[9], leaf_bits(0x9000, MEM_R, false));
    /* Only the entries on the path were written. */
    for (unsigned i = 0; i < PT_ENTRIES; i++) {
        if (i) CHECK_EQ(ept[i], 0);
        if (i != 3) CHECK_EQ(pdpt[i], 0);
        if (i != 7) CHECK_EQ(pd[i], 0);
        if (i != 9) CHECK_EQ(pt[i], 0);
    }
    CHECK_EQ(ept_map(ept, gpa + 0x1000, 0xa000, 0, MEM_R), 0);
    CHECK_EQ(pages_out, 4);                               /* same PT: no new table */
    CHECK_EQ(ept_map(ept, gpa + LARGE_PAGE_SIZE, 0xb000, 0, MEM_R), 0);
    CHECK_EQ(pages_out, 5);                               /* the next 2 MiB: one new PT */
    CHECK_EQ(ept_map(ept, gpa + (1UL << PDPT_SHIFT), 0xc000, 0, MEM_R), 0);
    CHECK_EQ(pages_out, 7);                               /* the next 1 GiB: a new PD and PT */
    ept_destroy(ept);
    CHECK_EQ(pages_out, 0);
}

TEST(entry_is_null_where_nothing_is_mapped)
{
    uint64_t *ept = ept_fresh();
    CHECK_EQ(ept_entry(ept, 0, 0), NULL);                 /* empty: no tables at all */
    CHECK_EQ(ept_entry(ept, 0, 9), NULL);
    CHECK_EQ(ept_map(ept, 0x201000, 0x3000, 0, MEM_R | MEM_W), 0);
    CHECK(ept_entry(ept, 0x201000, 0));
    CHECK(ept_entry(ept, 0x201fff & ~0xfffUL, 0));
    CHECK_EQ(ept_entry(ept, 0x200000, 0), NULL);          /* the neighbours in the same PT */
    CHECK_EQ(ept_entry(ept, 0x202000, 0), NULL);
    CHECK_EQ(ept_entry(ept, 0x1000, 0), NULL);            /* another 2 MiB: no PT there */
    CHECK_EQ(ept_entry(ept, 1UL << PDPT_SHIFT, 0), NULL); /* another 1 GiB: no PD there */
    CHECK_EQ(ept_entry(ept, 0x400000, 9), NULL);
    long before = pages_out;
    CHECK_EQ(ept_entry(ept, 5UL << PDPT_SHIFT, 0), NULL);
    CHECK_EQ(pages_out, before);                          /* a lookup builds no tables */
    ept_destroy(ept);
    CHECK_EQ(pages_out, 0);
}

TEST(top_of_the_guest_physical_space)
{
    uint64_t *ept = ept_fresh();
    uint64_t last4k = (1UL << GPA_BITS) - 0x1000, last2m = (1UL << GPA_BITS) - 2 * LARGE_PAGE_SIZE;
    CHECK_EQ(ept_map(ept, last4k, 0xfff000, 0, MEM_R | MEM_X), 0);
    CHECK_EQ(ept_map(ept, last2m, 0x800000, 9, MEM_R), 0);
    uint64_t *pdpt = next_table(ept[0]), *pd = next_table(pdpt[511]), *pt = next_table(pd[511]);
    CHECK(ept_entry(ept, last4k, 0) == &pt[511]);
    CHECK(ept_entry(ept, last2m, 9) == &pd[510]);
    CHECK_EQ(pt[511], leaf_bits(0xfff000, MEM_R | MEM_X, false));
    CHECK_EQ(pd[510], leaf_bits(0x800000, MEM_R, true));
    for (unsigned i = 1; i < PT_ENTRIES; i++)
        CHECK_EQ(ept[i], 0);                              /* below 2^39: only PML4 entry 0 */
    ept_destroy(ept);
    CHECK_EQ(pages_out, 0);
}

TEST(mapped_sees_large_pages_and_tables)
{
    uint64_t *ept = ept_fresh();
    CHECK(!ept_mapped(ept, 0x200000, 0));
    CHECK(!ept_mapped(ept, 0x200000, 9));
    CHECK_EQ(ept_map(ept, 0x200000, 0x400000, 9, MEM_R | MEM_W), 0);
    CHECK(ept_mapped(ept, 0x200000, 9));
    CHECK(ept_mapped(ept, 0x200000, 0));                  /* a 4 KiB query inside the 2 MiB page */
    CHECK(ept_mapped(ept, 0x3ff000, 0));
    CHECK(!ept_mapped(ept, 0x400000, 0));                 /* the next 2 MiB is free */
    CHECK(!ept_mapped(ept, 0x1ff000, 0));
    CHECK_EQ(ept_map(ept, 0x605000, 0x9000, 0, MEM_R), 0);
    CHECK(ept_mapped(ept, 0x605000, 0));
    CHECK(!ept_mapped(ept, 0x606000, 0));                 /* the same PT, another page */
    CHECK(ept_mapped(ept, 0x600000, 9));                  /* a 2 MiB query over a 4 KiB page in it */
    ept_destroy(ept);
    CHECK_EQ(pages_out, 0);
}

/* What ept_walk reported, in order. */
struct visit {
    uint64_t gpa;
    uint64_t *entry;
    unsigned order;
};
struct visits {
    unsigned n;
    struct visit v[16];
};

static void record_leaf(uint64_t gpa, uint64_t *entry, unsigned order, void *ctx)
{
    struct visits *s = ctx;
    if (s->n < 16)
        s->v[s->n] = (struct visit){ gpa, entry, order };
    s->n++;
}

TEST(walk_visits_every_leaf_in_order)
{
    uint64_t *ept = ept_fresh();
    /* Mapped out of order; the walk must report them sorted. */
    static const struct { uint64_t gpa; unsigned order; } m[] = {
        { (1UL << GPA_BITS) - 0x1000, 0 },
        { 0x600000, 9 },
        { 0x3000, 0 },
        { (2UL << PDPT_SHIFT) + LARGE_PAGE_SIZE, 9 },
        { 0x1000, 0 },
        { 0x1ff000, 0 },
        { (2UL << PDPT_SHIFT) + 0x7000, 0 },
    };
    static const unsigned sorted[] = { 4, 2, 5, 1, 6, 3, 0 };
    for (unsigned i = 0; i < ARRAY_SIZE(m); i++)
        CHECK_EQ(ept_map(ept, m[i].gpa, 0x10000000 + (i << PD_SHIFT), m[i].order, MEM_R), 0);
    struct visits s = { 0 };
    ept_walk(ept, record_leaf, &s);
    CHECK_EQ(s.n, ARRAY_SIZE(m));
    for (unsigned k = 0; k < ARRAY_SIZE(sorted); k++) {
        unsigned i = sorted[k];
        CHECK_EQ(s.v[k].gpa, m[i].gpa);
        CHECK_EQ(s.v[k].order, m[i].order);
        CHECK(s.v[k].entry == ept_entry(ept, m[i].gpa, m[i].order));
        CHECK_EQ(*s.v[k].entry & EPT_ADDR, 0x10000000 + (i << PD_SHIFT));
    }
    ept_destroy(ept);
    CHECK_EQ(pages_out, 0);
}

TEST(walk_skips_cleared_leaves)
{
    uint64_t *ept = ept_fresh();
    CHECK_EQ(ept_map(ept, 0x1000, 0x1000, 0, MEM_R), 0);
    CHECK_EQ(ept_map(ept, 0x2000, 0x2000, 0, MEM_R), 0);
    CHECK_EQ(ept_map(ept, 0x400000, 0x400000, 9, MEM_R), 0);
    *ept_entry(ept, 0x1000, 0) = 0;                       /* unmapped the way mem.c does it */
    *ept_entry(ept, 0x400000, 9) = 0;
    struct visits s = { 0 };
    ept_walk(ept, record_leaf, &s);
    CHECK_EQ(s.n, 1);
    CHECK_EQ(s.v[0].gpa, 0x2000);
    CHECK_EQ(ept_entry(ept, 0x1000, 0), NULL);
    ept_destroy(ept);
    CHECK_EQ(pages_out, 0);
}

TEST(destroy_frees_every_table)
{
    uint64_t *ept = ept_fresh();
    /* Pages and large pages in several PDs and PDPT entries. */
    for (uint64_t g = 0; g < 4; g++)
        for (uint64_t i = 0; i < 3; i++) {
            uint64_t base = (g << PDPT_SHIFT) + i * 3 * LARGE_PAGE_SIZE;
            CHECK_EQ(ept_map(ept, base + 0x1000 * (i + 1), 0x1000, 0, MEM_R), 0);
            CHECK_EQ(ept_map(ept, base + LARGE_PAGE_SIZE, 0x200000, 9, MEM_R | MEM_W), 0);
        }
    CHECK_EQ(pages_out, 1 + 1 + 4 + 4 * 3);               /* top, PDPT, 4 PDs, 12 PTs */
    ept_destroy(ept);
    CHECK_EQ(pages_out, 0);
}

TEST(map_out_of_memory_fails_cleanly)
{
    uint64_t *ept = ept_fresh();
    CHECK_EQ(ept_map(ept, 0x1000, 0x1000, 0, MEM_R), 0);
    page_fail = true;
    int r = ept_map(ept, 1UL << PDPT_SHIFT, 0x2000, 0, MEM_R);   /* needs a PD and a PT */
    int same_pt = ept_map(ept, 0x2000, 0x3000, 0, MEM_R);        /* needs nothing new */
    page_fail = false;
    CHECK_EQ(r, -1);
    CHECK_EQ(same_pt, 0);
    CHECK_EQ(ept_entry(ept, 1UL << PDPT_SHIFT, 0), NULL);
    CHECK(ept_entry(ept, 0x1000, 0));
    CHECK(ept_entry(ept, 0x2000, 0));
    ept_destroy(ept);
    CHECK_EQ(pages_out, 0);
}

TEST(pointer_is_write_back_four_levels)
{
    uint64_t *ept = ept_fresh();
    uint64_t eptp = ept_pointer(ept);
    CHECK_EQ(eptp & 0xfff, 0x1e);                         /* type 6 in 2:0, levels - 1 = 3 in 5:3 */
    CHECK_EQ(eptp & EPT_ADDR, virt_to_phys(ept));
    CHECK(phys_to_virt(eptp & EPT_ADDR) == ept);
    ept_destroy(ept);
    CHECK_EQ(pages_out, 0);
}

int main(void)
{
    return unit_run();
}
