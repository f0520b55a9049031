/* SPDX-License-Identifier: MIT */
/* tests/test_buddy.c — host unit tests of the buddy frame allocator. */
#include "kernel/mm/buddy.c"
#include "unit.h"

/* Metadata is sized exactly, so ASan catches any access past the range. */
static struct buddy_page *meta_new(uint64_t npages)
{
    struct buddy_page *m = calloc(npages ? npages : 1, sizeof *m);
    if (!m)
        abort();
    return m;
}

/* One allocation remembered by a test. */
struct block {
    uint64_t pfn;
    unsigned order;
};

/* Mark [pfn, pfn + 2^order) in a frame map; false if a frame was already taken. */
static bool map_take(unsigned char *map, const struct buddy *b, uint64_t pfn, unsigned order)
{
    for (uint64_t i = 0; i < ((uint64_t)1 << order); i++) {
        uint64_t idx = pfn + i - b->base_pfn;
        if (map[idx])
            return false;
        map[idx] = 1;
    }
    return true;
}

TEST(init_everything_reserved)
{
    struct buddy b;
    struct buddy_page *m = meta_new(64);
    buddy_init(&b, m, 100, 64);
    CHECK_EQ(buddy_free_count(&b), 0);
    CHECK_EQ(buddy_max_free_order(&b), -1);
    for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++)
        CHECK_EQ(buddy_alloc(&b, k), -1);
    CHECK_EQ(b.buddy_errors, 0);
    CHECK(buddy_check(&b));
    free(m);
}

TEST(free_range_unaligned_gives_maximal_blocks)
{
    /* [3, 32) splits into 3 (o0), 4..7 (o2), 8..15 (o3), 16..31 (o4). */
    struct buddy b;
    struct buddy_page *m = meta_new(29);
    buddy_init(&b, m, 3, 29);
    buddy_free_range(&b, 3, 29);
    CHECK(buddy_check(&b));
    CHECK_EQ(buddy_free_count(&b), 29);
    CHECK_EQ(b.free_blocks[0], 1);
    CHECK_EQ(b.free_blocks[1], 0);
    CHECK_EQ(b.free_blocks[2], 1);
    CHECK_EQ(b.free_blocks[3], 1);
    CHECK_EQ(b.free_blocks[4], 1);
    CHECK_EQ(buddy_max_free_order(&b), 4);
    CHECK_EQ(buddy_alloc(&b, 4), 16);
    CHECK_EQ(buddy_alloc(&b, 3), 8);
    CHECK_EQ(buddy_alloc(&b, 2), 4);
    CHECK_EQ(buddy_alloc(&b, 0), 3);
    CHECK_EQ(buddy_alloc(&b, 0), -1);
    CHECK_EQ(buddy_free_count(&b), 0);
    CHECK(buddy_check(&b));
    free(m);
}

TEST(free_range_tail_end_unaligned)
{
    /* [0x1000, 0x1000 + 0x1005): one o12 block, then 0x2000 (o2), 0x2004 (o0). */
    struct buddy b;
    struct buddy_page *m = meta_new(0x1005);
    buddy_init(&b, m, 0x1000, 0x1005);
    buddy_free_range(&b, 0x1000, 0x1005);
    CHECK(buddy_check(&b));
    CHECK_EQ(buddy_free_count(&b), 0x1005);
    CHECK_EQ(b.free_blocks[12], 1);
    CHECK_EQ(b.free_blocks[2], 1);
    CHECK_EQ(b.free_blocks[0], 1);
    CHECK_EQ(buddy_alloc(&b, 12), 0x1000);
    CHECK_EQ(buddy_alloc(&b, 2), 0x2000);
    CHECK_EQ(buddy_alloc(&b, 0), 0x2004);
    free(m);
}

TEST(alloc_every_order_aligned)
{
    /* Two max-order blocks: room for one block of every order 0..18. */
    uint64_t n = (uint64_t)2 << BUDDY_MAX_ORDER;
    struct buddy b;
    struct buddy_page *m = meta_new(n);
    buddy_init(&b, m, 0, n);
    buddy_free_range(&b, 0, n);
    CHECK_EQ(b.free_blocks[BUDDY_MAX_ORDER], 2);
    unsigned char *map = calloc(n, 1);
    uint64_t expect = n;
    for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++) {
        int64_t pfn = buddy_alloc(&b, k);
        CHECK(pfn >= 0);
        CHECK_EQ((uint64_t)pfn & (((uint64_t)1 << k) - 1), 0);
        CHECK((uint64_t)pfn + ((uint64_t)1 << k) <= n);
        CHECK(map_take(map, &b, (uint64_t)pfn, k));
        expect -= (uint64_t)1 << k;
        CHECK_EQ(buddy_free_count(&b), expect);
    }
    CHECK_EQ(buddy_alloc(&b, BUDDY_MAX_ORDER + 1), -1);
    CHECK_EQ(expect, 1);
    CHECK(buddy_check(&b));
    free(map);
    free(m);
}

TEST(alignment_is_absolute_with_unaligned_base)
{
    uint64_t base = 0x12345, n = 5000;
    struct buddy b;
    struct buddy_page *m = meta_new(n);
    unsigned char *map = calloc(n, 1);
    buddy_init(&b, m, base, n);
    buddy_free_range(&b, base, n);
    CHECK(buddy_check(&b));
    unit_rng = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < 400; i++) {
        unsigned k = (unsigned)(unit_rng_next() % 7);
        int64_t pfn = buddy_alloc(&b, k);
        if (pfn < 0)
            continue;
        CHECK_EQ((uint64_t)pfn % ((uint64_t)1 << k), 0);
        CHECK((uint64_t)pfn >= base);
        CHECK((uint64_t)pfn + ((uint64_t)1 << k) <= base + n);
        CHECK(map_take(map, &b, (uint64_t)pfn, k));
    }
    CHECK(buddy_check(&b));
    free(map);
    free(m);
}

TEST(exhaustion_returns_minus_one)
{
    uint64_t base = 7, n = 100;
    struct buddy b;
    struct buddy_page *m = meta_new(n);
    unsigned char *map = calloc(n, 1);
    buddy_init(&b, m, base, n);
    buddy_free_range(&b, base, n);
    for (uint64_t i = 0; i < n; i++) {
        int64_t pfn = buddy_alloc(&b, 0);
        CHECK(pfn >= 0);
        CHECK(map_take(map, &b, (uint64_t)pfn, 0));
    }
    CHECK_EQ(buddy_free_count(&b), 0);
    for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++)
        CHECK_EQ(buddy_alloc(&b, k), -1);
    CHECK_EQ(buddy_max_free_order(&b), -1);
    CHECK_EQ(b.buddy_errors, 0);
    CHECK(buddy_check(&b));
    /* Too large for what is left, though frames are free. */
    buddy_free(&b, base + 50, 0);
    CHECK_EQ(buddy_alloc(&b, 1), -1);
    CHECK_EQ(buddy_alloc(&b, 0), (int64_t)(base + 50));
    CHECK(buddy_check(&b));
    free(map);
    free(m);
}

TEST(free_coalesces_to_initial_state)
{
    uint64_t n = (uint64_t)1 << BUDDY_MAX_ORDER;
    struct buddy b;
    struct buddy_page *m = meta_new(n);
    buddy_init(&b, m, n, n);
    buddy_free_range(&b, n, n);
    CHECK_EQ(buddy_max_free_order(&b), BUDDY_MAX_ORDER);
    CHECK_EQ(b.free_blocks[BUDDY_MAX_ORDER], 1);

    int64_t a = buddy_alloc(&b, 0);
    CHECK_EQ(a, (int64_t)n);
    CHECK_EQ(buddy_max_free_order(&b), BUDDY_MAX_ORDER - 1);
    for (unsigned k = 0; k < BUDDY_MAX_ORDER; k++)
        CHECK_EQ(b.free_blocks[k], 1);      /* one split remnant per order */
    int64_t c = buddy_alloc(&b, 5);
    int64_t d = buddy_alloc(&b, 17);
    CHECK(c >= 0 && d >= 0);
    CHECK(buddy_check(&b));

    buddy_free(&b, (uint64_t)c, 5);
    buddy_free(&b, (uint64_t)a, 0);
    buddy_free(&b, (uint64_t)d, 17);
    CHECK(buddy_check(&b));
    CHECK_EQ(buddy_free_count(&b), n);
    CHECK_EQ(buddy_max_free_order(&b), BUDDY_MAX_ORDER);
    for (unsigned k = 0; k < BUDDY_MAX_ORDER; k++)
        CHECK_EQ(b.free_blocks[k], 0);
    CHECK_EQ(b.free_blocks[BUDDY_MAX_ORDER], 1);
    CHECK_EQ(buddy_alloc(&b, BUDDY_MAX_ORDER), (int64_t)n);
    CHECK_EQ(b.buddy_errors, 0);
    free(m);
}

TEST(alloc_all_free_all_random_order)
{
    uint64_t base = 0x3f1, n = 3000;
    struct buddy b;
    struct buddy_page *m = meta_new(n);
    unsigned char *map = calloc(n, 1);
    struct block *blk = calloc(n, sizeof *blk);
    buddy_init(&b, m, base, n);
    buddy_free_range(&b, base, n);
    uint32_t initial[BUDDY_MAX_ORDER + 1];
    memcpy(initial, b.free_blocks, sizeof initial);

    /* Allocate random orders; when an order fails fall back to smaller ones. */
    unit_rng = 0x0123456789abcdefull;
    size_t nblk = 0;
    for (;;) {
        unsigned k = (unsigned)(unit_rng_next() % 6);
        int64_t pfn = -1;
        while ((pfn = buddy_alloc(&b, k)) < 0 && k > 0)
            k--;
        if (pfn < 0)
            break;
        CHECK_EQ((uint64_t)pfn % ((uint64_t)1 << k), 0);
        CHECK(map_take(map, &b, (uint64_t)pfn, k));
        blk[nblk++] = (struct block){ (uint64_t)pfn, k };
        CHECK(buddy_check(&b));
    }
    CHECK_EQ(buddy_free_count(&b), 0);
    for (uint64_t i = 0; i < n; i++)
        CHECK(map[i]);

    /* Fisher-Yates shuffle, then free one by one. */
    for (size_t i = nblk - 1; i > 0; i--) {
        size_t j = (size_t)(unit_rng_next() % (i + 1));
        struct block t = blk[i];
        blk[i] = blk[j];
        blk[j] = t;
    }
    uint64_t expect = 0;
    for (size_t i = 0; i < nblk; i++) {
        buddy_free(&b, blk[i].pfn, blk[i].order);
        expect += (uint64_t)1 << blk[i].order;
        CHECK_EQ(buddy_free_count(&b), expect);
        CHECK(buddy_check(&b));
    }
    CHECK_EQ(expect, n);
    CHECK_EQ(b.buddy_errors, 0);
    CHECK(memcmp(initial, b.free_blocks, sizeof initial) == 0);
    free(blk);
    free(map);
    free(m);
}

TEST(random_interleaved_alloc_free)
{
    uint64_t base = 0x801, n = 4096 + 333;
    struct buddy b;
    struct buddy_page *m = meta_new(n);
    struct block *live = calloc(n, sizeof *live);
    size_t nlive = 0;
    buddy_init(&b, m, base, n);
    buddy_free_range(&b, base, n);
    unit_rng = 42;
    for (int step = 0; step < 20000; step++) {
        if (nlive > 0 && (unit_rng_next() % 100) < 45) {
            size_t i = (size_t)(unit_rng_next() % nlive);
            buddy_free(&b, live[i].pfn, live[i].order);
            live[i] = live[--nlive];
        } else {
            unsigned k = (unsigned)(unit_rng_next() % 9);
            uint64_t before = buddy_free_count(&b);
            int64_t pfn = buddy_alloc(&b, k);
            if (pfn < 0) {
                CHECK_EQ(buddy_free_count(&b), before);
                continue;
            }
            CHECK_EQ(buddy_free_count(&b), before - ((uint64_t)1 << k));
            live[nlive++] = (struct block){ (uint64_t)pfn, k };
        }
        if (step % 64 == 0)
            CHECK(buddy_check(&b));
    }
    while (nlive > 0) {
        nlive--;
        buddy_free(&b, live[nlive].pfn, live[nlive].order);
    }
    CHECK(buddy_check(&b));
    CHECK_EQ(buddy_free_count(&b), n);
    CHECK_EQ(b.buddy_errors, 0);
    free(live);
    free(m);
}

TEST(double_and_bad_free_counted_and_harmless)
{
    uint64_t base = 64, n = 256;
    struct buddy b;
    struct buddy_page *m = meta_new(n);
    buddy_init(&b, m, base, n);
    buddy_free_range(&b, base + 16, n - 32);   /* frames 64..79 and 304..319 stay reserved */
    int64_t a = buddy_alloc(&b, 2);
    int64_t c = buddy_alloc(&b, 3);
    CHECK(a >= 0 && c >= 0);
    uint64_t fc = buddy_free_count(&b);
    unsigned err = 0;

    buddy_free(&b, (uint64_t)a, 1);            /* wrong order */
    CHECK_EQ(b.buddy_errors, ++err);
    buddy_free(&b, (uint64_t)a + 1, 0);        /* inside a block */
    CHECK_EQ(b.buddy_errors, ++err);
    buddy_free(&b, base - 1, 0);               /* below the range */
    CHECK_EQ(b.buddy_errors, ++err);
    buddy_free(&b, base + n, 0);               /* above the range */
    CHECK_EQ(b.buddy_errors, ++err);
    buddy_free(&b, base, 0);                   /* reserved, never handed over */
    CHECK_EQ(b.buddy_errors, ++err);
    buddy_free(&b, (uint64_t)a, BUDDY_MAX_ORDER + 1);
    CHECK_EQ(b.buddy_errors, ++err);
    CHECK_EQ(buddy_free_count(&b), fc);
    CHECK(buddy_check(&b));

    buddy_free(&b, (uint64_t)a, 2);
    CHECK_EQ(b.buddy_errors, err);
    buddy_free(&b, (uint64_t)a, 2);            /* double free */
    CHECK_EQ(b.buddy_errors, ++err);
    CHECK_EQ(buddy_free_count(&b), fc + 4);
    CHECK(buddy_check(&b));

    /* Free again after a merge: the old head is TAIL or heads a larger free block. */
    buddy_free(&b, (uint64_t)c, 3);
    buddy_free(&b, (uint64_t)c, 3);
    CHECK_EQ(b.buddy_errors, ++err);

    /* Ranges overlapping free frames or leaving the managed frames. */
    buddy_free_range(&b, base + 10, 10);
    CHECK_EQ(b.buddy_errors, ++err);
    buddy_free_range(&b, base + n - 8, 16);
    CHECK_EQ(b.buddy_errors, ++err);
    buddy_free_range(&b, base - 4, 8);
    CHECK_EQ(b.buddy_errors, ++err);
    buddy_free_range(&b, base, 0);             /* empty: nothing to do */
    CHECK_EQ(b.buddy_errors, err);
    CHECK_EQ(buddy_free_count(&b), n - 32);
    CHECK(buddy_check(&b));

    /* The allocator still works and nothing was lost. */
    buddy_free_range(&b, base, 16);
    buddy_free_range(&b, base + n - 16, 16);
    CHECK_EQ(buddy_free_count(&b), n);
    CHECK_EQ(buddy_max_free_order(&b), 7);       /* [64, 320): o6 + o7 + o6 */
    CHECK_EQ(buddy_alloc(&b, 7), 128);
    CHECK(buddy_check(&b));
    free(m);
}

TEST(ranges_with_holes)
{
    uint64_t n = 1024;
    struct buddy b;
    struct buddy_page *m = meta_new(n);
    buddy_init(&b, m, 0, n);
    buddy_free_range(&b, 0, 100);
    buddy_free_range(&b, 200, n - 200);
    CHECK(buddy_check(&b));
    CHECK_EQ(buddy_free_count(&b), n - 100);

    /* Order 7 blocks at 0 and 128 both touch the hole. */
    int64_t big = buddy_alloc(&b, 7);
    CHECK(big >= 256);
    buddy_free(&b, (uint64_t)big, 7);

    unsigned char *map = calloc(n, 1);
    int64_t pfn;
    uint64_t got = 0;
    while ((pfn = buddy_alloc(&b, 0)) >= 0) {
        CHECK(pfn < 100 || pfn >= 200);
        CHECK(map_take(map, &b, (uint64_t)pfn, 0));
        got++;
    }
    CHECK_EQ(got, n - 100);
    for (uint64_t i = 0; i < n; i++)
        if (map[i])
            buddy_free(&b, i, 0);
    CHECK(buddy_check(&b));
    CHECK_EQ(buddy_max_free_order(&b), 9);

    /* Filling the hole merges everything into one block. */
    buddy_free_range(&b, 100, 100);
    CHECK(buddy_check(&b));
    CHECK_EQ(buddy_free_count(&b), n);
    CHECK_EQ(b.free_blocks[10], 1);
    CHECK_EQ(buddy_max_free_order(&b), 10);
    CHECK_EQ(b.buddy_errors, 0);
    free(map);
    free(m);
}

TEST(buddies_outside_range_never_touched)
{
    /* Every buddy of [1, 3) lies outside the range: no merge, no stray access. */
    struct buddy b;
    struct buddy_page *m = meta_new(2);
    buddy_init(&b, m, 1, 2);
    buddy_free_range(&b, 1, 2);
    CHECK(buddy_check(&b));
    CHECK_EQ(b.free_blocks[0], 2);
    CHECK_EQ(buddy_alloc(&b, 1), -1);
    int64_t x = buddy_alloc(&b, 0), y = buddy_alloc(&b, 0);
    CHECK(x >= 1 && x <= 2 && y >= 1 && y <= 2 && x != y);
    buddy_free(&b, (uint64_t)x, 0);
    buddy_free(&b, (uint64_t)y, 0);
    CHECK(buddy_check(&b));
    CHECK_EQ(b.free_blocks[0], 2);
    free(m);

    /* [0, 3): blocks 0 (o1) and 2 (o0); 2's buddy 3 is past the end. */
    m = meta_new(3);
    buddy_init(&b, m, 0, 3);
    buddy_free_range(&b, 0, 3);
    CHECK_EQ(b.free_blocks[1], 1);
    CHECK_EQ(b.free_blocks[0], 1);
    CHECK_EQ(buddy_alloc(&b, 0), 2);
    buddy_free(&b, 2, 0);
    CHECK(buddy_check(&b));
    CHECK_EQ(b.buddy_errors, 0);
    free(m);
}

TEST(range_larger_than_max_order)
{
    uint64_t n = ((uint64_t)3 << BUDDY_MAX_ORDER) + 5;
    struct buddy b;
    struct buddy_page *m = meta_new(n);
    buddy_init(&b, m, 0, n);
    buddy_free_range(&b, 0, n);
    CHECK(buddy_check(&b));
    CHECK_EQ(b.free_blocks[BUDDY_MAX_ORDER], 3);   /* never merged past the max order */
    CHECK_EQ(b.free_blocks[2], 1);
    CHECK_EQ(b.free_blocks[0], 1);
    CHECK_EQ(buddy_free_count(&b), n);
    free(m);
}

TEST(check_detects_corruption)
{
    struct buddy b;
    struct buddy_page *m = meta_new(64);
    buddy_init(&b, m, 0, 64);
    buddy_free_range(&b, 0, 64);
    CHECK(buddy_check(&b));
    b.free_pages++;
    CHECK(!buddy_check(&b));
    b.free_pages--;
    m[5].state = BUDDY_RESERVED;       /* a hole inside a free block */
    CHECK(!buddy_check(&b));
    m[5].state = BUDDY_TAIL;
    m[0].next = 0;                     /* a cycle */
    CHECK(!buddy_check(&b));
    m[0].next = BUDDY_NIL;
    CHECK(buddy_check(&b));
    free(m);
}

int main(void) { return unit_run(); }
