// SPDX-License-Identifier: MIT
/* tests/test_pmap.c — the roottask's page map of a process (src/proc/memory.c) on the host: its range walk against a plain list of pages. */

/*
 * memory.c's hypercalls (facet/hypercall.h: `syscall`) are replaced, after the header is in,
 * by stubs that succeed; its pages are heap pages here (fc_pages.h). pmap_range and proc_mapped are
 * checked against the set of pages a test put in: which pages a range walk visits, in
 * which order, and that a walk that clears slots (as unmap does) leaves the rest.
 */
#include "proc/internal.h"
#include "fc_spin_stub.h"
#include "unit.h"
#include "fc_pages.h"

static unsigned stub_ok(void) { return SUCCESS; }
#define fc_delegate(src, dst, s, d) ((void)(src), (void)(dst), (void)(s), (void)(d), stub_ok())
#define fc_revoke(crd, flags, pd) ((void)(crd), (void)(flags), (void)(pd), stub_ok())

uint64_t fc_large_chunk(void) { return 0; }

#include "roottask/src/proc/memory.c"

/* The pages a walk visited, in order. */
struct seen { uint64_t va[4096]; unsigned n; bool clear; };
static void seen_fn(struct proc *p, uint64_t va, uint64_t *slot, void *ctx)
{
    (void)p;
    struct seen *s = ctx;
    s->va[s->n++] = va;
    if (s->clear)
        *slot = 0;
}

static int cmp_va(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Pages scattered over the whole user range: near each other, at table edges, far apart. */
static unsigned make_pages(struct proc *p, uint64_t *va, unsigned n)
{
    unsigned k = 0;
    while (k < n) {
        uint64_t r = unit_rng_next(), v;
        switch (r % 4) {
        case 0: v = 0x400000 + (r >> 8) % 64 * PAGE_SIZE; break;                   /* one table */
        case 1: v = ((r >> 8) % 8 + 1) * (1UL << 21) - PAGE_SIZE * ((r >> 20) % 2); break;  /* 2 MiB edges */
        case 2: v = ((r >> 8) % 4 + 1) * (1UL << 30) + ((r >> 16) % 3) * PAGE_SIZE; break;  /* 1 GiB edges */
        default: v = ((r >> 8) % (USER_END >> 12)) << 12; break;                   /* anywhere */
        }
        uint64_t *slot = pmap_slot_make(p, v);
        CHECK(slot != NULL);
        if (*slot)
            continue;
        *slot = 0x1000 | PM_PRESENT | MEM_R;
        va[k++] = v;
    }
    qsort(va, n, sizeof va[0], cmp_va);
    return k;
}

static struct seen walked;
static void walk_fn(struct proc *p, uint64_t va, uint64_t *slot) { seen_fn(p, va, slot, &walked); }

/* The map's tables back to the allocator: all of them? */
static bool all_back(struct proc *p)
{
    pmap_walk(p, NULL, true);
    return pages_out == 0;
}

/* A process p with n pages scattered from seed (va, sorted), and a record s for walks over it. */
static struct proc p;
static uint64_t va[300];
static struct seen s;
static unsigned n;
static void fixture_new(uint64_t seed, unsigned pages)
{
    memset(&p, 0, sizeof p);
    memset(&s, 0, sizeof s);
    unit_rng = seed;
    n = make_pages(&p, va, pages);
}

TEST(range_walk_visits_the_range_in_order)
{
    fixture_new(0x9a9e, 300);
    for (int round = 0; round < 2000; round++) {
        uint64_t a, b;
        if (round % 3 == 0) {                    /* around a page that is there */
            a = va[unit_rng_next() % n] - (unit_rng_next() % 3) * PAGE_SIZE;
            b = a + (unit_rng_next() % 5) * PAGE_SIZE;
        } else {
            a = (unit_rng_next() % (USER_END >> 12)) << 12;
            b = (unit_rng_next() % (USER_END >> 12)) << 12;
            if (round % 3 == 1)
                b = a + (unit_rng_next() % 2048) * PAGE_SIZE;
        }
        if (round == 0)
            a = 0, b = USER_END;
        s.n = 0;
        s.clear = false;
        uint64_t count = pmap_range(&p, a, b, seen_fn, &s);
        unsigned want = 0;
        for (unsigned i = 0; i < n; i++)
            if (va[i] >= a && va[i] < b) {
                CHECK(want < s.n);
                CHECK_EQ(s.va[want], va[i]);
                want++;
            }
        CHECK_EQ(s.n, want);
        CHECK_EQ(count, want);
        CHECK_EQ(pmap_range(&p, a, b, NULL, NULL), want);
    }
    walked.n = 0;
    pmap_walk(&p, walk_fn, false);                   /* the teardown's walk: every page, in order */
    CHECK_EQ(walked.n, n);
    CHECK_EQ(memcmp(walked.va, va, n * sizeof va[0]), 0);
    CHECK(all_back(&p));
}

/* A walk that clears each slot it visits (unmap's way) goes on to the next, and the pages
 * outside the range stay. */
TEST(range_walk_clearing_slots)
{
    fixture_new(0x5107, 200);
    uint64_t a = va[50], b = va[150];
    s.n = 0;
    s.clear = true;
    CHECK_EQ(pmap_range(&p, a, b, seen_fn, &s), 100);
    CHECK_EQ(s.n, 100);
    CHECK_EQ(pmap_range(&p, 0, USER_END, NULL, NULL), n - 100);
    CHECK_EQ(pmap_range(&p, a, b, NULL, NULL), 0);
    CHECK(proc_mapped(&p, va[49]) && !proc_mapped(&p, va[50]) && proc_mapped(&p, va[150]));
    CHECK(all_back(&p));
}

TEST(range_walk_empty_ranges)
{
    memset(&p, 0, sizeof p);
    CHECK_EQ(pmap_range(&p, 0, USER_END, NULL, NULL), 0);             /* no map at all */
    uint64_t *slot = pmap_slot_make(&p, 0x400000);
    *slot = 0x1000 | PM_PRESENT;
    CHECK_EQ(pmap_range(&p, 0x400000, 0x400000, NULL, NULL), 0);      /* end == va */
    CHECK_EQ(pmap_range(&p, 0x401000, 0x400000, NULL, NULL), 0);      /* end < va */
    CHECK_EQ(pmap_range(&p, 0x3ff000, 0x401000, NULL, NULL), 1);
    CHECK_EQ(pmap_range(&p, USER_END - PAGE_SIZE, USER_END, NULL, NULL), 0);
    CHECK(all_back(&p));
}

int main(void) { return unit_run(); }
