/* SPDX-License-Identifier: MIT */
/* tests/test_capspace.c — host tests of object spaces: lookup, insertion, derivation, revocation. */
#include "kernel/cap/space.c"
#include "kernel/cap/mdb.c"
#include "kernel/mm/kmem.c"
#include "unit.h"

/*
 * Host stand-ins for what space.c calls: the page allocator (aligned heap
 * blocks, counted, with a switch to fail) and kobj_cap_gone (counts the
 * capability down, marks the object dead at zero as the reaper would, and
 * logs the call).
 */
#include "page_stubs.h"

#define GONE_MAX 4096
static struct kobj *gone_log[GONE_MAX];
static unsigned gone_count;

void kobj_cap_gone(struct kobj *o)
{
    if (o->caps == 0)
        abort();                                 /* more removals than insertions */
    if (gone_count < GONE_MAX)
        gone_log[gone_count] = o;
    gone_count++;
    if (--o->caps == 0)
        o->dead = true;
}

NORETURN void panic(const char *fmt, ...)
{
    fprintf(stderr, "panic: %s\n", fmt);
    abort();
}

void kobj_reap_queue(struct kobj *o) { (void)o; }

/* A PD with an empty object space: the 4-page leaf table, as pd.c allocates it; its own
 * kernel-memory account of 1 GiB. */
static struct pd *pd_new(void)
{
    struct pd *pd = calloc(1, sizeof *pd);
    if (!pd)
        abort();
    pd->obj.type = OBJ_PD;
    kmem_account_set(pd, NULL, 1UL << 30);
    pd->caps = pages_alloc(CAPSPACE_ORDER);
    if (!pd->caps)
        abort();
    return pd;
}

static void pd_gone(struct pd *pd)
{
    capspace_clear(pd);
    capspace_free(pd);
    CHECK(pd->caps == NULL);
    free(pd);
}

static struct kobj *obj_new(enum obj_type type)
{
    struct kobj *o = calloc(1, sizeof *o);
    if (!o)
        abort();
    o->type = (uint8_t)type;
    return o;
}

static void reset(void)
{
    pages_out = 0;
    page_fail = false;
    gone_count = 0;
}

/* Reserve and insert in one step, as the delegation path does. */
static struct cap *put(struct pd *pd, sel_t sel, struct kobj *o, uint64_t perm, struct cap *parent)
{
    CHECK_EQ(cap_reserve(pd, sel), SUCCESS);
    CHECK(cap_free(pd, sel));
    cap_insert(pd, sel, o, perm, parent);
    struct cap *c = cap_slot(pd, sel);
    CHECK(c != NULL && c->obj == o);
    return c;
}

static unsigned gone_calls_for(const struct kobj *o)
{
    unsigned n = 0;
    for (unsigned i = 0; i < gone_count && i < GONE_MAX; i++)
        n += gone_log[i] == o;
    return n;
}

TEST(empty_space_and_out_of_range)
{
    reset();
    struct pd *pd = pd_new();
    static const sel_t sels[] = { 0, 1, 63, 64, SEL_FIRST_FREE, SEL_MAX - 1 };
    for (unsigned i = 0; i < ARRAY_SIZE(sels); i++) {
        CHECK(cap_slot(pd, sels[i]) == NULL);    /* no leaf yet */
        CHECK(cap_free(pd, sels[i]));
        for (int t = OBJ_NONE; t < OBJ_TYPES; t++)
            CHECK(cap_get(pd, sels[i], t, 0) == NULL);
    }
    static const sel_t out[] = { SEL_MAX, SEL_MAX + 1, SEL_MAX * 2, ~(sel_t)0, (sel_t)1 << 63 };
    for (unsigned i = 0; i < ARRAY_SIZE(out); i++) {
        CHECK(cap_slot(pd, out[i]) == NULL);
        CHECK(!cap_free(pd, out[i]));            /* outside the space: never free */
        CHECK(cap_get(pd, out[i], OBJ_PT, 0) == NULL);
        CHECK_EQ(cap_reserve(pd, out[i]), BAD_CAP);
    }
    CHECK_EQ(pages_out, 4);
    pd_gone(pd);
    CHECK_EQ(pages_out, 0);
}

TEST(reserve_allocates_one_leaf_once)
{
    reset();
    struct pd *pd = pd_new();
    CHECK_EQ(cap_reserve(pd, 70), SUCCESS);
    CHECK_EQ(pages_out, 5);
    CHECK_EQ(cap_reserve(pd, 64), SUCCESS);      /* same leaf: 64..127 */
    CHECK_EQ(cap_reserve(pd, 127), SUCCESS);
    CHECK_EQ(pages_out, 5);
    CHECK(cap_slot(pd, 63) == NULL);
    CHECK(cap_slot(pd, 128) == NULL);
    struct cap *a = cap_slot(pd, 64), *b = cap_slot(pd, 127);
    CHECK(a != NULL && b == a + 63);
    CHECK(a->obj == NULL && cap_free(pd, 64) && cap_free(pd, 127));
    CHECK(cap_get(pd, 70, OBJ_NONE, 0) == NULL);  /* an empty slot has no type, not even NONE */

    CHECK_EQ(cap_reserve(pd, SEL_MAX - 1), SUCCESS);   /* the last leaf */
    CHECK_EQ(pages_out, 6);
    CHECK(cap_slot(pd, SEL_MAX - 1) == cap_slot(pd, SEL_MAX - 64) + 63);

    /* Out of memory: OOM and nothing changes; later it works. */
    page_fail = true;
    CHECK_EQ(cap_reserve(pd, 0), OOM);
    CHECK(cap_slot(pd, 0) == NULL);
    CHECK_EQ(cap_reserve(pd, 100), SUCCESS);     /* leaf already there: no allocation */
    page_fail = false;
    CHECK_EQ(cap_reserve(pd, 0), SUCCESS);
    CHECK_EQ(pages_out, 7);
    CHECK_EQ(pd->kmem.used, 3 * PAGE_SIZE);      /* three leaves charged, the failed one not */
    CHECK_EQ(pd->space_bytes, 3 * PAGE_SIZE);
    pd_gone(pd);
    CHECK_EQ(pages_out, 0);
}

TEST(reserve_beyond_the_quota_is_oom_and_charges_nothing)
{
    reset();
    struct pd *pd = pd_new();
    pd->kmem.limit = 2 * PAGE_SIZE;
    CHECK_EQ(cap_reserve(pd, 0), SUCCESS);
    CHECK_EQ(cap_reserve(pd, 64), SUCCESS);
    CHECK_EQ(cap_reserve(pd, 128), OOM);         /* a third leaf: over the quota */
    CHECK(cap_slot(pd, 128) == NULL);
    CHECK_EQ(pages_out, 6);
    CHECK_EQ(pd->kmem.used, 2 * PAGE_SIZE);
    CHECK_EQ(cap_reserve(pd, 100), SUCCESS);     /* an existing leaf costs nothing */
    kmem_account_release(pd);                    /* as pd_release: the leaves' charge comes back */
    CHECK_EQ(pd->space_bytes, 0);
    pd->acct = pd;
    CHECK_EQ(pd->kmem.used, 0);
    pd_gone(pd);
    CHECK_EQ(pages_out, 0);
}

TEST(insert_and_typed_lookup)
{
    reset();
    struct pd *pd = pd_new();
    struct kobj *pt = obj_new(OBJ_PT), *sm = obj_new(OBJ_SM);
    struct cap *c = put(pd, 10, pt, PERM_CALL | PERM_CTRL | 0xffe0, NULL);
    CHECK_EQ(c->perm, PERM_CALL | PERM_CTRL);    /* bits beyond PERM_ALL dropped */
    CHECK(c->pd == pd);
    CHECK_EQ(c->sel, 10);
    CHECK(c->mdb.parent == NULL && c->mdb.child == NULL);
    CHECK_EQ(pt->caps, 1);
    CHECK(!cap_free(pd, 10));
    CHECK(cap_free(pd, 11));

    CHECK(cap_get(pd, 10, OBJ_PT, 0) == pt);
    CHECK(cap_get(pd, 10, OBJ_PT, PERM_CALL) == pt);
    CHECK(cap_get(pd, 10, OBJ_PT, PERM_CTRL) == pt);
    CHECK(cap_get(pd, 10, OBJ_PT, PERM_CALL | PERM_CTRL) == pt);
    CHECK(cap_get(pd, 10, OBJ_PT, 0x4) == NULL);           /* not held */
    CHECK(cap_get(pd, 10, OBJ_PT, PERM_CALL | 0x4) == NULL);
    CHECK(cap_get(pd, 10, OBJ_PT, 0x20) == NULL);          /* dropped at insertion */
    for (int t = OBJ_NONE; t < OBJ_TYPES; t++)
        if (t != OBJ_PT)
            CHECK(cap_get(pd, 10, t, 0) == NULL);          /* wrong type */
    CHECK(cap_get(pd, 11, OBJ_PT, 0) == NULL);             /* the neighbour */

    /* No permissions at all: only a lookup asking for none succeeds. */
    put(pd, 11, sm, 0, NULL);
    CHECK(cap_get(pd, 11, OBJ_SM, 0) == sm);
    CHECK(cap_get(pd, 11, OBJ_SM, PERM_CTRL) == NULL);

    /* A dead object is not found, though the slot still names it. */
    pt->dead = true;
    CHECK(cap_get(pd, 10, OBJ_PT, 0) == NULL);
    CHECK(!cap_free(pd, 10));
    pt->dead = false;
    CHECK(cap_get(pd, 10, OBJ_PT, PERM_CALL) == pt);

    pd_gone(pd);
    CHECK_EQ(pt->caps, 0);
    CHECK_EQ(sm->caps, 0);
    CHECK_EQ(gone_count, 2);
    CHECK_EQ(pages_out, 0);
    free(pt);
    free(sm);
}

TEST(free_after_revoke_and_reuse)
{
    reset();
    struct pd *pd = pd_new();
    struct kobj *a = obj_new(OBJ_EC), *b = obj_new(OBJ_SC);
    struct cap *c = put(pd, 200, a, PERM_ALL, NULL);
    cap_revoke(c, true);
    CHECK(cap_free(pd, 200));
    CHECK(c->obj == NULL && c->perm == 0);
    CHECK(cap_get(pd, 200, OBJ_EC, 0) == NULL);
    CHECK_EQ(a->caps, 0);
    CHECK(a->dead);
    CHECK_EQ(gone_count, 1);
    CHECK(gone_log[0] == a);
    /* Revoking an empty slot does nothing. */
    cap_revoke(c, true);
    cap_revoke(c, false);
    CHECK_EQ(gone_count, 1);
    /* The slot takes a new capability. */
    put(pd, 200, b, PERM_CTRL, NULL);
    CHECK(cap_get(pd, 200, OBJ_SC, PERM_CTRL) == b);
    pd_gone(pd);
    CHECK_EQ(pages_out, 0);
    free(a);
    free(b);
}

/*
 * The derivation tree of most tests below:
 *
 *   A:100 (original, PERM_ALL)
 *    ├── B:200 (CALL|CTRL)
 *    │    └── D:400 (CALL)
 *    └── C:300 (CTRL)
 */
struct world {
    struct pd *a, *b, *c, *d;
    struct kobj *x;
    struct cap *ca, *cb, *cc, *cd;
};

static void world_make(struct world *w)
{
    reset();
    w->a = pd_new();
    w->b = pd_new();
    w->c = pd_new();
    w->d = pd_new();
    w->x = obj_new(OBJ_PT);
    w->ca = put(w->a, 100, w->x, PERM_ALL, NULL);
    w->cb = put(w->b, 200, w->x, PERM_CALL | PERM_CTRL, w->ca);
    w->cc = put(w->c, 300, w->x, PERM_CTRL, w->ca);
    w->cd = put(w->d, 400, w->x, PERM_CALL, w->cb);
    CHECK_EQ(w->x->caps, 4);
    CHECK_EQ(mdb_count(&w->ca->mdb), 3);
    CHECK(w->cd->mdb.parent == &w->cb->mdb);
    CHECK(cap_get(w->d, 400, OBJ_PT, PERM_CALL) == w->x);
    CHECK(cap_get(w->d, 400, OBJ_PT, PERM_CTRL) == NULL);
}

static void world_end(struct world *w)
{
    pd_gone(w->a);
    pd_gone(w->b);
    pd_gone(w->c);
    pd_gone(w->d);
    CHECK_EQ(w->x->caps, 0);
    CHECK_EQ(pages_out, 0);
    free(w->x);
}

TEST(revoke_derived_keeps_original)
{
    struct world w;
    world_make(&w);
    cap_revoke(w.ca, false);
    CHECK(cap_free(w.b, 200) && cap_free(w.c, 300) && cap_free(w.d, 400));
    CHECK(cap_get(w.b, 200, OBJ_PT, 0) == NULL);
    CHECK(cap_get(w.a, 100, OBJ_PT, PERM_ALL) == w.x);
    CHECK_EQ(w.x->caps, 1);
    CHECK(!w.x->dead);
    CHECK_EQ(gone_count, 3);
    CHECK_EQ(gone_calls_for(w.x), 3);
    CHECK(w.ca->mdb.child == NULL);
    CHECK_EQ(mdb_count(&w.ca->mdb), 0);
    CHECK(w.cb->mdb.parent == NULL && w.cd->mdb.parent == NULL);

    /* Again: nothing left to remove. */
    cap_revoke(w.ca, false);
    CHECK_EQ(gone_count, 3);

    /* Now the original itself. */
    cap_revoke(w.ca, true);
    CHECK(cap_free(w.a, 100));
    CHECK_EQ(w.x->caps, 0);
    CHECK(w.x->dead);
    CHECK_EQ(gone_count, 4);
    world_end(&w);
}

TEST(revoke_self_removes_whole_tree)
{
    struct world w;
    world_make(&w);
    cap_revoke(w.ca, true);
    CHECK(cap_free(w.a, 100) && cap_free(w.b, 200) && cap_free(w.c, 300) && cap_free(w.d, 400));
    CHECK_EQ(w.x->caps, 0);
    CHECK_EQ(gone_count, 4);
    CHECK(w.ca->mdb.parent == NULL && w.ca->mdb.child == NULL);
    world_end(&w);
}

TEST(revoke_middle_node)
{
    struct world w;
    world_make(&w);
    cap_revoke(w.cb, false);                     /* B keeps its capability, D loses it */
    CHECK(cap_free(w.d, 400));
    CHECK(cap_get(w.b, 200, OBJ_PT, PERM_CALL) == w.x);
    CHECK(cap_get(w.c, 300, OBJ_PT, PERM_CTRL) == w.x);
    CHECK_EQ(w.x->caps, 3);
    CHECK_EQ(gone_count, 1);
    CHECK_EQ(mdb_count(&w.ca->mdb), 2);

    cap_revoke(w.cb, true);                      /* now B too; C stays */
    CHECK(cap_free(w.b, 200));
    CHECK(!cap_free(w.c, 300));
    CHECK_EQ(w.x->caps, 2);
    CHECK_EQ(gone_count, 2);
    CHECK(w.ca->mdb.child == &w.cc->mdb);
    CHECK(w.cc->mdb.next == NULL);
    CHECK_EQ(mdb_count(&w.ca->mdb), 1);

    /* B's slot can take a new derivation of A, a sibling of C. */
    put(w.b, 200, w.x, PERM_CALL, w.ca);
    CHECK_EQ(mdb_count(&w.ca->mdb), 2);
    CHECK_EQ(w.x->caps, 3);
    world_end(&w);
}

TEST(revoke_leaf_self_detaches_it)
{
    struct world w;
    world_make(&w);
    cap_revoke(w.cd, false);                     /* nothing derived from D */
    CHECK_EQ(gone_count, 0);
    cap_revoke(w.cd, true);
    CHECK(cap_free(w.d, 400));
    CHECK(w.cb->mdb.child == NULL);
    CHECK_EQ(mdb_count(&w.ca->mdb), 2);
    CHECK_EQ(w.x->caps, 3);
    world_end(&w);
}

TEST(clear_space_and_what_came_of_it)
{
    /*
     * A holds X's original (100) and a derived copy of it (150); E holds Y's
     * original, delegated to A (50), and from A on to B (60). B also got X
     * from A (200). Clearing A empties A, B's two slots, and E keeps Y.
     */
    reset();
    struct pd *a = pd_new(), *b = pd_new(), *e = pd_new();
    struct kobj *x = obj_new(OBJ_SM), *y = obj_new(OBJ_EC);
    struct cap *ax = put(a, 100, x, PERM_ALL, NULL);
    struct cap *ax2 = put(a, 150, x, PERM_CTRL, ax);
    put(b, 200, x, PERM_CTRL, ax2);
    struct cap *ey = put(e, 7, y, PERM_ALL, NULL);
    struct cap *ay = put(a, 50, y, PERM_CTRL, ey);
    put(b, 60, y, PERM_CTRL, ay);
    put(a, SEL_MAX - 1, y, 0, ay);               /* in A's last leaf, below A's own slot */
    CHECK_EQ(x->caps, 3);
    CHECK_EQ(y->caps, 4);

    capspace_clear(a);
    for (sel_t s = 0; s < SEL_MAX; s++)
        CHECK(cap_free(a, s));
    CHECK(cap_free(b, 200) && cap_free(b, 60));
    CHECK_EQ(x->caps, 0);
    CHECK(x->dead);
    CHECK_EQ(y->caps, 1);
    CHECK(!y->dead);
    CHECK(cap_get(e, 7, OBJ_EC, PERM_ALL) == y);
    CHECK(ey->mdb.child == NULL);
    CHECK_EQ(gone_count, 6);
    CHECK_EQ(gone_calls_for(x), 3);
    CHECK_EQ(gone_calls_for(y), 3);

    /* Cleared twice: nothing more. The leaves stay until capspace_free. */
    capspace_clear(a);
    CHECK_EQ(gone_count, 6);
    CHECK(cap_slot(a, 100) != NULL);
    pd_gone(a);
    pd_gone(b);
    pd_gone(e);
    CHECK_EQ(y->caps, 0);
    CHECK_EQ(pages_out, 0);
    free(x);
    free(y);
}

TEST(free_returns_every_page)
{
    reset();
    struct pd *pd = pd_new();
    struct kobj *o = obj_new(OBJ_SM);
    for (sel_t s = 0; s < SEL_MAX; s += 997)
        put(pd, s, o, PERM_CTRL, NULL);
    CHECK_EQ(pages_out, 4 + 132);               /* 132 selectors, each in its own leaf */
    capspace_clear(pd);
    CHECK_EQ(o->caps, 0);
    capspace_free(pd);
    CHECK(pd->caps == NULL);
    CHECK_EQ(pages_out, 0);
    free(pd);
    free(o);

    /* Every leaf present. */
    pd = pd_new();
    for (sel_t s = 0; s < SEL_MAX; s += CAPS_PER_LEAF)
        CHECK_EQ(cap_reserve(pd, s), SUCCESS);
    CHECK_EQ(pages_out, 4 + CAP_LEAVES);
    capspace_free(pd);
    CHECK_EQ(pages_out, 0);
    free(pd);
}

/* Every object's count equals the slots naming it, in all PDs, and each slot names its PD. */
static void check_counts(struct pd **pds, unsigned npd, struct kobj **objs, unsigned nobj)
{
    uint32_t seen[16] = { 0 };
    for (unsigned p = 0; p < npd; p++)
        for (sel_t s = 0; s < 512; s++) {
            struct cap *c = cap_slot(pds[p], s);
            if (!c || !c->obj)
                continue;
            CHECK(c->pd == pds[p] && c->sel == s);
            unsigned k = 0;
            while (k < nobj && objs[k] != c->obj)
                k++;
            CHECK(k < nobj);
            seen[k]++;
            if (c->mdb.parent) {
                struct cap *pc = container_of(c->mdb.parent, struct cap, mdb);
                CHECK(pc->obj == c->obj);            /* derived from a live slot of the same object */
                CHECK((c->perm & ~pc->perm) == 0);   /* never more rights than the parent */
            }
        }
    for (unsigned k = 0; k < nobj; k++)
        CHECK_EQ(objs[k]->caps, seen[k]);
}

TEST(random_derive_and_revoke)
{
    enum { NPD = 6, NOBJ = 10, SELS = 512, STEPS = 20000 };
    reset();
    unit_rng = 0xdeadbeefcafef00dull;
    struct pd *pds[NPD];
    struct kobj *objs[NOBJ];
    for (unsigned p = 0; p < NPD; p++)
        pds[p] = pd_new();
    for (unsigned k = 0; k < NOBJ; k++)
        objs[k] = obj_new((enum obj_type)(OBJ_PD + k % (OBJ_TYPES - OBJ_PD)));

    for (int step = 0; step < STEPS; step++) {
        struct pd *pd = pds[unit_rng_next() % NPD];
        sel_t sel = unit_rng_next() % SELS;
        unsigned what = (unsigned)(unit_rng_next() % 10);
        if (what < 2) {                                    /* a new original */
            if (cap_free(pd, sel)) {
                struct kobj *o = objs[unit_rng_next() % NOBJ];
                o->dead = false;
                put(pd, sel, o, unit_rng_next() & PERM_ALL, NULL);
            }
        } else if (what < 7) {                             /* derive from a random slot */
            struct pd *src = pds[unit_rng_next() % NPD];
            struct cap *c = cap_slot(src, unit_rng_next() % SELS);
            if (c && c->obj && cap_free(pd, sel))
                put(pd, sel, c->obj, c->perm & unit_rng_next(), c);
        } else {                                           /* revoke */
            struct cap *c = cap_slot(pd, sel);
            if (c) {
                size_t below = c->obj ? mdb_count(&c->mdb) : 0;
                unsigned before = gone_count;
                bool self = unit_rng_next() & 1;
                bool full = c->obj != NULL;
                cap_revoke(c, self);
                CHECK_EQ(gone_count - before, below + (self && full));
                CHECK(c->mdb.child == NULL);
                if (self)
                    CHECK(cap_free(pd, sel));
            }
        }
        if (step % 500 == 0)
            check_counts(pds, NPD, objs, NOBJ);
    }
    check_counts(pds, NPD, objs, NOBJ);
    for (unsigned p = 0; p < NPD; p++)
        pd_gone(pds[p]);
    for (unsigned k = 0; k < NOBJ; k++) {
        CHECK_EQ(objs[k]->caps, 0);
        free(objs[k]);
    }
    CHECK_EQ(pages_out, 0);
}

int main(void) { return unit_run(); }
