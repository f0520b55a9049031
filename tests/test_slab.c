/* SPDX-License-Identifier: MIT */
/* tests/test_slab.c — host unit tests of the slab object caches. */
#include "kernel/mm/slab.c"
#include "unit.h"

#include <stdint.h>

/* A backend on aligned_alloc that counts pages and can be told to run out. */
struct tb {
    long outstanding;       /* pages handed out and not yet returned */
    long allocs;            /* page_alloc calls that succeeded */
    long fail_after;        /* successful allocations left; -1 = unlimited */
    bool misalign;          /* hand out pages 16 bytes off a 4 KiB boundary */
};

static void *tb_alloc(void *ctx)
{
    struct tb *t = ctx;
    if (t->fail_after == 0)
        return NULL;
    if (t->fail_after > 0)
        t->fail_after--;
    char *p = aligned_alloc(4096, t->misalign ? 8192 : 4096);
    if (!p)
        abort();
    memset(p, 0, t->misalign ? 8192 : 4096);
    t->outstanding++;
    t->allocs++;
    return t->misalign ? p + 16 : p;
}

static void tb_free(void *ctx, void *page)
{
    struct tb *t = ctx;
    t->outstanding--;
    if ((uintptr_t)page & 4095)
        page = (char *)page - 16;
    free(page);
}

static struct tb tb_state;
static const struct slab_backend tb_backend = { tb_alloc, tb_free, &tb_state };

/* Reset the shared backend: unlimited, aligned, nothing outstanding. */
static void tb_reset(void)
{
    tb_state = (struct tb){ 0, 0, -1, false };
}

/* Fill obj with a per-object tag, so overlapping objects show up on verify. */
static void obj_fill(void *obj, uint32_t size, uint32_t tag)
{
    uint32_t *w = obj;
    for (uint32_t i = 0; i < size / 4; i++)
        w[i] = tag;
}

static bool obj_holds(const void *obj, uint32_t size, uint32_t tag)
{
    const uint32_t *w = obj;
    for (uint32_t i = 0; i < size / 4; i++)
        if (w[i] != tag)
            return false;
    return true;
}

static bool obj_zero(const void *obj, uint32_t size)
{
    const unsigned char *p = obj;
    for (uint32_t i = 0; i < size; i++)
        if (p[i])
            return false;
    return true;
}

static void shuffle(void **v, size_t n)
{
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = (size_t)(unit_rng_next() % (i + 1));
        void *t = v[i];
        v[i] = v[j];
        v[j] = t;
    }
}

TEST(init_rounds_size_and_packs_pages)
{
    tb_reset();
    struct slab_cache c;
    slab_cache_init(&c, "x", 1, &tb_backend);
    CHECK_EQ(c.obj_size, 16);
    CHECK_EQ(c.per_page, (4096 - 80) / 16);
    CHECK_STR(c.name, "x");
    slab_cache_init(&c, "x", 17, &tb_backend);
    CHECK_EQ(c.obj_size, 32);
    CHECK_EQ(c.per_page, (4096 - 80) / 32);
    slab_cache_init(&c, "x", 2000, &tb_backend);
    CHECK_EQ(c.per_page, 2);
    slab_cache_init(&c, "x", 2001, &tb_backend);      /* 2016 bytes: one per page */
    CHECK_EQ(c.per_page, 1);
    slab_cache_init(&c, "x", 2048, &tb_backend);
    CHECK_EQ(c.obj_size, 2048);
    CHECK_EQ(c.per_page, 1);
    CHECK_EQ(c.errors, 0);
    CHECK_EQ(c.pages, 0);
    CHECK_EQ(tb_state.allocs, 0);       /* no page until the first object */
}

TEST(invalid_size_or_backend_never_allocates)
{
    tb_reset();
    struct slab_backend none = { NULL, tb_free, &tb_state };
    struct slab_cache c;
    slab_cache_init(&c, "zero", 0, &tb_backend);
    CHECK_EQ(c.errors, 1);
    CHECK(slab_alloc(&c) == NULL);
    slab_cache_init(&c, "huge", 2049, &tb_backend);
    CHECK_EQ(c.errors, 1);
    CHECK(slab_alloc(&c) == NULL);
    slab_cache_init(&c, "nobe", 64, NULL);
    CHECK(slab_alloc(&c) == NULL);
    slab_cache_init(&c, "nocb", 64, &none);
    CHECK(slab_alloc(&c) == NULL);
    CHECK_EQ(tb_state.allocs, 0);
    CHECK(slab_check(&c));
}

TEST(alloc_free_many)
{
    enum { N = 10000 };
    tb_reset();
    struct slab_cache c;
    slab_cache_init(&c, "many", 64, &tb_backend);
    void **v = calloc(N, sizeof *v);
    for (uint32_t i = 0; i < N; i++) {
        v[i] = slab_alloc(&c);
        CHECK(v[i] != NULL);
        CHECK_EQ((uintptr_t)v[i] % 16, 0);
        CHECK(obj_zero(v[i], 64));
        obj_fill(v[i], 64, i + 1);
    }
    CHECK_EQ(c.objs_in_use, N);
    CHECK_EQ(c.pages, (N + c.per_page - 1) / c.per_page);
    CHECK_EQ(tb_state.outstanding, (long)c.pages);
    CHECK(slab_check(&c));
    for (uint32_t i = 0; i < N; i++)
        CHECK(obj_holds(v[i], 64, i + 1));
    unit_rng = 7;
    shuffle(v, N);
    for (uint32_t i = 0; i < N; i++) {
        slab_free(&c, v[i]);
        if (i % 97 == 0)
            CHECK(slab_check(&c));
    }
    CHECK_EQ(c.objs_in_use, 0);
    CHECK_EQ(c.pages, 0);
    CHECK_EQ(tb_state.outstanding, 0);
    CHECK_EQ(c.errors, 0);
    CHECK(slab_check(&c));
    free(v);
}

TEST(every_size_no_overlap)
{
    static const uint32_t odd[] = { 1, 7, 15, 33, 100, 1000, 2007, 2047 };
    uint32_t sizes[128 + 8];
    size_t ns = 0;
    for (uint32_t s = 16; s <= 2048; s += 16)
        sizes[ns++] = s;
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++)
        sizes[ns++] = odd[i];

    unit_rng = 0xfeedull;
    for (size_t si = 0; si < ns; si++) {
        tb_reset();
        struct slab_cache c;
        slab_cache_init(&c, "sz", sizes[si], &tb_backend);
        CHECK(c.obj_size >= sizes[si] && c.obj_size % 16 == 0);
        uint32_t n = 2 * c.per_page + 3;
        void **v = calloc(n, sizeof *v);
        for (uint32_t i = 0; i < n; i++) {
            v[i] = slab_alloc(&c);
            CHECK(v[i] != NULL);
            CHECK_EQ((uintptr_t)v[i] % 16, 0);
            CHECK(obj_zero(v[i], c.obj_size));
            obj_fill(v[i], c.obj_size, 0xa5000000u + i);
        }
        uint64_t pages = (n + c.per_page - 1) / c.per_page;
        CHECK_EQ(c.pages, pages);
        CHECK_EQ(tb_state.outstanding, (long)pages);
        CHECK(slab_check(&c));
        for (uint32_t i = 0; i < n; i++)
            CHECK(obj_holds(v[i], c.obj_size, 0xa5000000u + i));
        shuffle(v, n);
        for (uint32_t i = 0; i < n; i++)
            slab_free(&c, v[i]);
        CHECK_EQ(tb_state.outstanding, 0);
        CHECK_EQ(c.objs_in_use, 0);
        CHECK_EQ(c.errors, 0);
        CHECK(slab_check(&c));
        free(v);
    }
}

TEST(reused_object_is_zeroed)
{
    tb_reset();
    struct slab_cache c;
    slab_cache_init(&c, "z", 100, &tb_backend);
    void *keep = slab_alloc(&c);     /* keeps the page alive */
    void *a = slab_alloc(&c);
    memset(a, 0xff, c.obj_size);
    slab_free(&c, a);
    void *b = slab_alloc(&c);
    CHECK(b == a);
    CHECK(obj_zero(b, c.obj_size));
    slab_free(&c, b);
    slab_free(&c, keep);
    CHECK_EQ(tb_state.outstanding, 0);
}

TEST(empty_page_returned_at_once)
{
    tb_reset();
    struct slab_cache c;
    slab_cache_init(&c, "pd", 200, &tb_backend);
    for (int i = 0; i < 1000; i++) {
        void *a = slab_alloc(&c);
        void *b = slab_alloc(&c);
        CHECK(a && b);
        CHECK_EQ(tb_state.outstanding, 1);
        slab_free(&c, a);
        CHECK_EQ(tb_state.outstanding, 1);
        slab_free(&c, b);
        CHECK_EQ(tb_state.outstanding, 0);
        CHECK_EQ(c.pages, 0);
    }
    CHECK_EQ(tb_state.allocs, 1000);
    CHECK_EQ(c.errors, 0);
}

TEST(partial_page_used_before_a_new_one)
{
    tb_reset();
    struct slab_cache c;
    slab_cache_init(&c, "p", 512, &tb_backend);
    uint32_t n = c.per_page;
    void **v = calloc(n + 1, sizeof *v);
    for (uint32_t i = 0; i < n; i++)
        v[i] = slab_alloc(&c);
    CHECK_EQ(c.pages, 1);
    CHECK(c.partial == NULL && c.full != NULL);
    v[n] = slab_alloc(&c);
    CHECK_EQ(c.pages, 2);
    slab_free(&c, v[3]);             /* first page: full -> partial */
    CHECK(slab_check(&c));
    void *again = slab_alloc(&c);
    CHECK(again == v[3]);
    CHECK_EQ(c.pages, 2);
    v[3] = again;
    for (uint32_t i = 0; i <= n; i++)
        slab_free(&c, v[i]);
    CHECK_EQ(tb_state.outstanding, 0);
    CHECK(slab_check(&c));
    free(v);
}

TEST(double_free_detected_and_ignored)
{
    tb_reset();
    struct slab_cache c;
    slab_cache_init(&c, "df", 48, &tb_backend);
    void *a = slab_alloc(&c);
    void *b = slab_alloc(&c);
    obj_fill(b, c.obj_size, 0x12345678);
    slab_free(&c, a);
    CHECK_EQ(c.errors, 0);
    slab_free(&c, a);
    CHECK_EQ(c.errors, 1);
    CHECK_EQ(c.objs_in_use, 1);
    CHECK_EQ(c.pages, 1);
    CHECK(slab_check(&c));
    /* The next two allocations are distinct: a is handed out once only. */
    void *x = slab_alloc(&c), *y = slab_alloc(&c);
    CHECK(x != y && x != b && y != b);
    CHECK(obj_holds(b, c.obj_size, 0x12345678));
    slab_free(&c, x);
    slab_free(&c, y);
    slab_free(&c, b);
    CHECK_EQ(c.errors, 1);
    CHECK_EQ(tb_state.outstanding, 0);
    CHECK(slab_check(&c));
}

TEST(foreign_pointer_detected_and_ignored)
{
    tb_reset();
    struct slab_cache c, d, big;
    slab_cache_init(&c, "c", 64, &tb_backend);
    slab_cache_init(&d, "d", 64, &tb_backend);
    slab_cache_init(&big, "big", 2048, &tb_backend);
    char *a = slab_alloc(&c);
    char *o = slab_alloc(&d);
    char *g = slab_alloc(&big);
    char *heap = aligned_alloc(4096, 4096);
    memset(heap, 0, 4096);
    unsigned err = 0;

    slab_free(&c, o);                            /* another cache's object */
    CHECK_EQ(c.errors, ++err);
    slab_free(&c, a + 1);                        /* not an object boundary */
    CHECK_EQ(c.errors, ++err);
    slab_free(&c, a + 16);
    CHECK_EQ(c.errors, ++err);
    slab_free(&c, (char *)((uintptr_t)a & ~(uintptr_t)4095));   /* the header */
    CHECK_EQ(c.errors, ++err);
    slab_free(&c, heap + 80);                    /* a page with no header */
    CHECK_EQ(c.errors, ++err);
    slab_free(&c, NULL);                         /* like free(NULL) */
    CHECK_EQ(c.errors, err);
    slab_free(&big, g + 2048);                   /* the slack past per_page */
    CHECK_EQ(big.errors, 1);

    CHECK_EQ(c.objs_in_use, 1);
    CHECK_EQ(d.objs_in_use, 1);
    CHECK_EQ(d.errors, 0);
    CHECK(slab_check(&c) && slab_check(&d) && slab_check(&big));
    slab_free(&c, a);
    slab_free(&d, o);
    slab_free(&big, g);
    CHECK_EQ(c.errors, err);
    CHECK_EQ(tb_state.outstanding, 0);
    free(heap);
}

TEST(backend_oom_gives_null_without_leak)
{
    tb_reset();
    tb_state.fail_after = 0;
    struct slab_cache c;
    slab_cache_init(&c, "oom", 256, &tb_backend);
    CHECK(slab_alloc(&c) == NULL);
    CHECK_EQ(c.pages, 0);
    CHECK_EQ(c.objs_in_use, 0);
    CHECK_EQ(c.errors, 0);

    tb_state.fail_after = 3;
    uint32_t n = 3 * c.per_page;
    void **v = calloc(n, sizeof *v);
    for (uint32_t i = 0; i < n; i++) {
        v[i] = slab_alloc(&c);
        CHECK(v[i] != NULL);
    }
    CHECK(slab_alloc(&c) == NULL);
    CHECK(slab_alloc(&c) == NULL);
    CHECK_EQ(c.objs_in_use, n);
    CHECK_EQ(c.pages, 3);
    CHECK(slab_check(&c));

    /* Room on a page again: no backend call needed. */
    slab_free(&c, v[5]);
    v[5] = slab_alloc(&c);
    CHECK(v[5] != NULL);
    for (uint32_t i = 0; i < n; i++)
        slab_free(&c, v[i]);
    CHECK_EQ(tb_state.outstanding, 0);
    CHECK_EQ(c.pages, 0);
    CHECK(slab_check(&c));

    tb_state.fail_after = -1;          /* recovers once the backend has pages */
    void *a = slab_alloc(&c);
    CHECK(a != NULL);
    slab_free(&c, a);
    CHECK_EQ(tb_state.outstanding, 0);
    free(v);
}

TEST(misaligned_backend_page_refused)
{
    tb_reset();
    tb_state.misalign = true;
    struct slab_cache c;
    slab_cache_init(&c, "mis", 32, &tb_backend);
    CHECK(slab_alloc(&c) == NULL);
    CHECK_EQ(c.errors, 1);
    CHECK_EQ(c.pages, 0);
    CHECK_EQ(tb_state.outstanding, 0);
}

TEST(random_interleaved_two_caches)
{
    enum { MAXLIVE = 3000 };
    tb_reset();
    struct slab_cache cs[2];
    slab_cache_init(&cs[0], "a", 24, &tb_backend);
    slab_cache_init(&cs[1], "b", 640, &tb_backend);
    struct { void *p; int c; uint32_t tag; } *live = calloc(MAXLIVE, sizeof *live);
    size_t nlive = 0;
    uint32_t tag = 1;
    unit_rng = 0xabcdef;
    for (int step = 0; step < 30000; step++) {
        if (nlive == MAXLIVE || (nlive > 0 && unit_rng_next() % 100 < 48)) {
            size_t i = (size_t)(unit_rng_next() % nlive);
            CHECK(obj_holds(live[i].p, cs[live[i].c].obj_size, live[i].tag));
            slab_free(&cs[live[i].c], live[i].p);
            live[i] = live[--nlive];
        } else {
            int k = (int)(unit_rng_next() % 2);
            void *p = slab_alloc(&cs[k]);
            CHECK(p != NULL);
            CHECK(obj_zero(p, cs[k].obj_size));
            obj_fill(p, cs[k].obj_size, tag);
            live[nlive].p = p;
            live[nlive].c = k;
            live[nlive].tag = tag++;
            nlive++;
        }
        if (step % 500 == 0)
            CHECK(slab_check(&cs[0]) && slab_check(&cs[1]));
    }
    while (nlive > 0) {
        nlive--;
        CHECK(obj_holds(live[nlive].p, cs[live[nlive].c].obj_size, live[nlive].tag));
        slab_free(&cs[live[nlive].c], live[nlive].p);
    }
    CHECK_EQ(cs[0].errors + cs[1].errors, 0);
    CHECK_EQ(cs[0].pages + cs[1].pages, 0);
    CHECK_EQ(tb_state.outstanding, 0);
    free(live);
}

TEST(check_detects_corruption)
{
    tb_reset();
    struct slab_cache c;
    slab_cache_init(&c, "chk", 64, &tb_backend);
    void *a = slab_alloc(&c);
    CHECK(slab_check(&c));
    c.objs_in_use++;
    CHECK(!slab_check(&c));
    c.objs_in_use--;
    c.partial->used[0] |= 2;            /* a live bit in_use does not count */
    CHECK(!slab_check(&c));
    c.partial->used[0] &= ~(uint64_t)2;
    CHECK(slab_check(&c));
    slab_free(&c, a);
    CHECK_EQ(tb_state.outstanding, 0);
}

int main(void) { return unit_run(); }
