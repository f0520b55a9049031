/* SPDX-License-Identifier: MIT */
/* tests/test_mdb.c — host tests of the mapping database's derivation trees. */
#include "kernel/cap/mdb.c"
#include "unit.h"

#include <stdbool.h>
#include <stdint.h>

/*
 * Test nodes are malloc'ed one by one (ASan sees every stale pointer) and
 * remember their creation index, so a visit log can be checked against the
 * tree as it was built.
 */
struct node {
    struct mdb m;                /* first: a struct mdb * is a struct node * */
    size_t id;
};

static struct node *N(struct mdb *m) { return (struct node *)m; }

static struct node *node_new(size_t id, struct node *parent)
{
    struct node *n = malloc(sizeof *n);
    if (!n)
        abort();
    memset(n, 0xa5, sizeof *n);                  /* add_child must set every link */
    n->id = id;
    mdb_add_child(parent ? &parent->m : NULL, &n->m);
    return n;
}

/* A pruning log: the ids in visit order, and what fn saw of each node. */
struct log {
    size_t *order;
    size_t n, max;
    size_t *pos;                 /* id -> place in order, SIZE_MAX if not visited */
    bool free_nodes;
    bool bad_links;              /* fn saw a node still linked or with children */
    void *ctx_seen;
};

static void log_init(struct log *l, size_t max, bool free_nodes)
{
    memset(l, 0, sizeof *l);
    l->order = calloc(max ? max : 1, sizeof *l->order);
    l->pos = malloc((max ? max : 1) * sizeof *l->pos);
    if (!l->order || !l->pos)
        abort();
    for (size_t i = 0; i < max; i++)
        l->pos[i] = SIZE_MAX;
    l->max = max;
    l->free_nodes = free_nodes;
}

static void log_done(struct log *l)
{
    free(l->order);
    free(l->pos);
}

static void visit(struct mdb *m, void *ctx)
{
    struct log *l = ctx;
    struct node *n = N(m);
    l->ctx_seen = ctx;
    if (m->parent || m->next || m->child)
        l->bad_links = true;
    if (n->id >= l->max || l->pos[n->id] != SIZE_MAX || l->n == l->max) {
        l->bad_links = true;                     /* unknown or visited twice */
    } else {
        l->pos[n->id] = l->n;
        l->order[l->n++] = n->id;
    }
    if (l->free_nodes) {
        memset(n, 0xdd, sizeof *n);
        free(n);
    }
}

/*
 * Nodes 1..n-1 (par[i]: the id of i's parent as built) were pruned from
 * node 0, each once and after all its descendants: a parent's place in the
 * log comes after each child's.
 */
static void check_deepest_first(const size_t *par, size_t n, const struct log *l)
{
    CHECK(!l->bad_links);
    CHECK_EQ(l->n, n - 1);
    CHECK_EQ(l->pos[0], SIZE_MAX);               /* the pruned node itself survives */
    for (size_t i = 1; i < n; i++) {
        CHECK(l->pos[i] != SIZE_MAX);
        if (par[i] != 0)
            CHECK(l->pos[par[i]] > l->pos[i]);
    }
}

TEST(add_child_links_new_child_first)
{
    struct node *r = node_new(0, NULL);
    CHECK(r->m.parent == NULL && r->m.child == NULL && r->m.next == NULL);
    struct node *a = node_new(1, r), *b = node_new(2, r), *c = node_new(3, r);
    CHECK(r->m.child == &c->m);
    CHECK(c->m.next == &b->m);
    CHECK(b->m.next == &a->m);
    CHECK(a->m.next == NULL);
    CHECK(a->m.parent == &r->m && b->m.parent == &r->m && c->m.parent == &r->m);
    CHECK(a->m.child == NULL);
    CHECK(r->m.parent == NULL && r->m.next == NULL);
    CHECK_EQ(mdb_count(&r->m), 3);
    CHECK_EQ(mdb_count(&a->m), 0);
    free(a), free(b), free(c), free(r);
}

TEST(count_subtrees_not_siblings)
{
    /*
     *         r
     *      /  |  \
     *     a   b   c
     *    / \      |
     *   a1 a2     c1
     *   |         |
     *   a11       c11
     */
    struct node *v[10];
    v[0] = node_new(0, NULL);
    v[1] = node_new(1, v[0]);                    /* a */
    v[2] = node_new(2, v[0]);                    /* b */
    v[3] = node_new(3, v[0]);                    /* c */
    v[4] = node_new(4, v[1]);                    /* a1 */
    v[5] = node_new(5, v[1]);                    /* a2 */
    v[6] = node_new(6, v[4]);                    /* a11 */
    v[7] = node_new(7, v[3]);                    /* c1 */
    v[8] = node_new(8, v[7]);                    /* c11 */
    CHECK_EQ(mdb_count(&v[0]->m), 8);
    CHECK_EQ(mdb_count(&v[1]->m), 3);            /* a has siblings: they are not counted */
    CHECK_EQ(mdb_count(&v[2]->m), 0);
    CHECK_EQ(mdb_count(&v[3]->m), 2);
    CHECK_EQ(mdb_count(&v[4]->m), 1);
    CHECK_EQ(mdb_count(&v[7]->m), 1);
    CHECK_EQ(mdb_count(&v[8]->m), 0);
    for (int i = 0; i < 9; i++)
        free(v[i]);
}

TEST(detach_keeps_siblings)
{
    struct node *r = node_new(0, NULL);
    struct node *c[5];
    for (int i = 0; i < 5; i++)
        c[i] = node_new((size_t)i + 1, r);       /* list: c4 c3 c2 c1 c0 */

    mdb_detach(&c[2]->m);                        /* the middle */
    CHECK(c[2]->m.parent == NULL && c[2]->m.next == NULL);
    CHECK(r->m.child == &c[4]->m);
    CHECK(c[4]->m.next == &c[3]->m);
    CHECK(c[3]->m.next == &c[1]->m);
    CHECK(c[1]->m.next == &c[0]->m);
    CHECK(c[0]->m.next == NULL);
    CHECK_EQ(mdb_count(&r->m), 4);

    mdb_detach(&c[4]->m);                        /* the first */
    CHECK(r->m.child == &c[3]->m);
    mdb_detach(&c[0]->m);                        /* the last */
    CHECK(c[1]->m.next == NULL);
    CHECK_EQ(mdb_count(&r->m), 2);
    mdb_detach(&c[3]->m);
    mdb_detach(&c[1]->m);
    CHECK(r->m.child == NULL);
    CHECK_EQ(mdb_count(&r->m), 0);

    /* A root (no parent) detaches to itself; a detached node can be re-added. */
    mdb_detach(&r->m);
    CHECK(r->m.parent == NULL && r->m.next == NULL && r->m.child == NULL);
    mdb_add_child(&r->m, &c[2]->m);
    CHECK(r->m.child == &c[2]->m && c[2]->m.parent == &r->m);
    CHECK_EQ(mdb_count(&r->m), 1);
    for (int i = 0; i < 5; i++)
        free(c[i]);
    free(r);
}

TEST(detach_leaf_inside_a_deeper_tree)
{
    struct node *r = node_new(0, NULL), *a = node_new(1, r), *b = node_new(2, r);
    struct node *a1 = node_new(3, a), *a2 = node_new(4, a), *b1 = node_new(5, b);
    mdb_detach(&a1->m);
    CHECK(a->m.child == &a2->m && a2->m.next == NULL);
    CHECK_EQ(mdb_count(&r->m), 4);
    CHECK(b->m.child == &b1->m);
    CHECK(r->m.child == &b->m && b->m.next == &a->m);
    free(r), free(a), free(b), free(a1), free(a2), free(b1);
}

TEST(prune_leaf_calls_nothing)
{
    struct node *r = node_new(0, NULL), *a = node_new(1, r);
    struct log l;
    log_init(&l, 2, false);
    mdb_prune(&a->m, visit, &l);
    CHECK_EQ(l.n, 0);
    CHECK(a->m.parent == &r->m);                 /* untouched */
    CHECK_EQ(mdb_count(&r->m), 1);
    log_done(&l);
    free(a), free(r);
}

TEST(prune_small_tree_deepest_first)
{
    static const size_t par[9] = { 0, 0, 0, 1, 1, 3, 5, 2, 4 };
    struct node *v[9];
    v[0] = node_new(0, NULL);
    for (size_t i = 1; i < 9; i++)
        v[i] = node_new(i, v[par[i]]);
    struct log l;
    log_init(&l, 9, false);
    mdb_prune(&v[0]->m, visit, &l);
    CHECK(l.ctx_seen == &l);
    check_deepest_first(par, 9, &l);
    CHECK(v[0]->m.child == NULL);
    CHECK(v[0]->m.parent == NULL);
    CHECK_EQ(mdb_count(&v[0]->m), 0);
    log_done(&l);
    for (int i = 0; i < 9; i++)
        free(v[i]);
}

TEST(prune_middle_node_keeps_the_rest)
{
    /* r -> {a -> {a1 -> a11, a2}, b -> b1, c}; prune a. */
    struct node *r = node_new(0, NULL);
    struct node *a = node_new(1, r), *b = node_new(2, r), *c = node_new(3, r);
    struct node *a1 = node_new(4, a), *a2 = node_new(5, a), *a11 = node_new(6, a1);
    struct node *b1 = node_new(7, b);
    struct log l;
    log_init(&l, 8, true);
    mdb_prune(&a->m, visit, &l);                 /* frees a1, a2, a11 */
    CHECK(!l.bad_links);
    CHECK_EQ(l.n, 3);
    CHECK(l.pos[6] < l.pos[4]);                  /* a11 before a1 */
    CHECK(l.pos[1] == SIZE_MAX && l.pos[7] == SIZE_MAX);
    CHECK(a->m.child == NULL);
    CHECK(a->m.parent == &r->m);                 /* a stays where it was */
    CHECK(r->m.child == &c->m && c->m.next == &b->m && b->m.next == &a->m && a->m.next == NULL);
    CHECK(b->m.child == &b1->m);
    CHECK_EQ(mdb_count(&r->m), 4);
    CHECK_EQ(mdb_count(&b->m), 1);
    log_done(&l);
    (void)a2, (void)a11;
    free(r), free(a), free(b), free(c), free(b1);
}

TEST(prune_random_trees_fn_frees)
{
    unit_rng = 0x853c49e6748fea9bull;
    for (int round = 0; round < 50; round++) {
        size_t n = 1 + (size_t)(unit_rng_next() % 3000);
        struct node **v = malloc(n * sizeof *v);
        size_t *par = calloc(n, sizeof *par);
        if (!v || !par)
            abort();
        v[0] = node_new(0, NULL);
        for (size_t i = 1; i < n; i++) {
            /* Mostly near the newest node: deep trees; sometimes anywhere: bushy ones. */
            par[i] = (unit_rng_next() & 3) ? i - 1 - (size_t)(unit_rng_next() % (i < 4 ? i : 4))
                                      : (size_t)(unit_rng_next() % i);
            v[i] = node_new(i, v[par[i]]);
        }
        CHECK_EQ(mdb_count(&v[0]->m), n - 1);
        struct log l;
        log_init(&l, n, true);
        mdb_prune(&v[0]->m, visit, &l);
        check_deepest_first(par, n, &l);          /* fn freed v[1..n-1] */
        CHECK(v[0]->m.child == NULL);
        CHECK_EQ(mdb_count(&v[0]->m), 0);
        log_done(&l);
        free(v[0]);
        free(par);
        free(v);
    }
}

TEST(long_chain_no_recursion)
{
    enum { LEN = 100000 };
    struct node **v = malloc(LEN * sizeof *v);
    if (!v)
        abort();
    v[0] = node_new(0, NULL);
    for (size_t i = 1; i < LEN; i++)
        v[i] = node_new(i, v[i - 1]);
    CHECK_EQ(mdb_count(&v[0]->m), LEN - 1);
    CHECK_EQ(mdb_count(&v[LEN / 2]->m), LEN - 1 - LEN / 2);
    struct log l;
    log_init(&l, LEN, true);
    mdb_prune(&v[0]->m, visit, &l);
    CHECK(!l.bad_links);
    CHECK_EQ(l.n, LEN - 1);
    for (size_t i = 0; i < LEN - 1; i++)
        CHECK_EQ(l.order[i], LEN - 1 - i);       /* the tip first, v[1] last */
    CHECK(v[0]->m.child == NULL);
    log_done(&l);
    free(v[0]);
    free(v);
}

TEST(wide_node)
{
    enum { WIDTH = 10000 };
    struct node *r = node_new(0, NULL);
    struct node **v = malloc(WIDTH * sizeof *v);
    if (!v)
        abort();
    for (size_t i = 0; i < WIDTH; i++)
        v[i] = node_new(i + 1, r);
    CHECK_EQ(mdb_count(&r->m), WIDTH);
    /* Detach every other child from the middle of the list. */
    for (size_t i = 1; i < WIDTH; i += 2)
        mdb_detach(&v[i]->m);
    CHECK_EQ(mdb_count(&r->m), WIDTH / 2);
    for (size_t i = 1; i < WIDTH; i += 2) {
        free(v[i]);
        v[i] = NULL;
    }
    struct log l;
    log_init(&l, WIDTH + 1, true);
    mdb_prune(&r->m, visit, &l);
    CHECK(!l.bad_links);
    CHECK_EQ(l.n, WIDTH / 2);
    for (size_t i = 0; i < WIDTH; i += 2)
        CHECK(l.pos[i + 1] != SIZE_MAX);
    CHECK(r->m.child == NULL);
    CHECK_EQ(mdb_count(&r->m), 0);
    log_done(&l);
    free(v);
    free(r);
}

TEST(wide_and_deep)
{
    /* 200 chains of 500 under one root: 100 000 descendants. */
    enum { CHAINS = 200, DEPTH = 500, TOTAL = 1 + CHAINS * DEPTH };
    struct node **v = malloc(TOTAL * sizeof *v);
    size_t *par = calloc(TOTAL, sizeof *par);
    if (!v || !par)
        abort();
    v[0] = node_new(0, NULL);
    size_t k = 1;
    for (size_t c = 0; c < CHAINS; c++)
        for (size_t d = 0; d < DEPTH; d++, k++) {
            par[k] = d ? k - 1 : 0;
            v[k] = node_new(k, v[par[k]]);
        }
    CHECK_EQ(mdb_count(&v[0]->m), TOTAL - 1);
    struct log l;
    log_init(&l, TOTAL, false);
    mdb_prune(&v[0]->m, visit, &l);
    check_deepest_first(par, TOTAL, &l);
    log_done(&l);
    for (size_t i = 0; i < TOTAL; i++)
        free(v[i]);
    free(par);
    free(v);
}

int main(void) { return unit_run(); }
