/* SPDX-License-Identifier: MIT */
/* tests/test_crd.c — host tests of CRD checks, receive windows and object delegation. */
#include "kernel/cap/delegate.c"
#include "kernel/cap/space.c"
#include "kernel/cap/mdb.c"
#include "kernel/mm/paging.c"                 /* the real user_range_ok */
#include "kernel/mm/kmem.c"                   /* capability leaves are charged (cap_reserve) */
#include "unit.h"

/*
 * delegate.c is included whole: crd_ok and item_dest are static. Object
 * delegation runs on the real object space (space.c, mdb.c); memory and
 * I/O delegation, the page allocator and the reaper are stand-ins that
 * record their calls.
 */
uint64_t boot_pml4[512], boot_pd[2048];          /* paging.c's boot tables, never touched */

NORETURN void panic(const char *fmt, ...)
{
    fprintf(stderr, "panic: %s\n", fmt);
    abort();
}

#include "page_stubs.h"

void kobj_cap_gone(struct kobj *o)
{
    if (--o->caps == 0)
        o->dead = true;
}

void kobj_reap(void) {}
void kobj_reap_queue(struct kobj *o) { (void)o; }

/* One call of mem_delegate or io_delegate, as recorded. */
struct res_call {
    unsigned n;                  /* calls so far */
    struct pd *src, *dst;
    uint64_t sbase, dbase;
    unsigned order, perm;
    bool check_only;
    int status;                  /* what the stub returns */
};
static struct res_call mem_call, io_call;

int mem_delegate(struct pd *src, struct pd *dst, uint64_t src_page, uint64_t dst_page,
                 unsigned order, unsigned perm, bool check_only)
{
    mem_call.n++;
    mem_call.src = src, mem_call.dst = dst;
    mem_call.sbase = src_page, mem_call.dbase = dst_page;
    mem_call.order = order, mem_call.perm = perm, mem_call.check_only = check_only;
    return mem_call.status;
}

/* Guest memory (the EPT stage) goes through mem_delegate_guest: recorded like mem_delegate. */
struct vmx_caps vmx_caps;
bool vcpus_usable(void) { return vmx_caps.usable; }
static struct res_call guest_call;
int mem_delegate_guest(struct pd *src, struct pd *dst, uint64_t src_page, uint64_t guest_page,
                       unsigned order, unsigned perm, bool check_only)
{
    guest_call.n++;
    guest_call.src = src, guest_call.dst = dst;
    guest_call.sbase = src_page, guest_call.dbase = guest_page;
    guest_call.order = order, guest_call.perm = perm, guest_call.check_only = check_only;
    return guest_call.status;
}

int io_delegate(struct pd *src, struct pd *dst, uint64_t port, unsigned order, bool check_only)
{
    io_call.n++;
    io_call.src = src, io_call.dst = dst;
    io_call.sbase = io_call.dbase = port;
    io_call.order = order, io_call.check_only = check_only;
    return io_call.status;
}

void mem_revoke(struct pd *pd, uint64_t page, unsigned order, bool self)
{
    (void)pd, (void)page, (void)order, (void)self;
}

void io_revoke(struct pd *pd, uint64_t port, unsigned order, bool self)
{
    (void)pd, (void)port, (void)order, (void)self;
}

static void reset(void)
{
    pages_out = 0;
    page_fail = false;
    memset(&mem_call, 0, sizeof mem_call);
    memset(&io_call, 0, sizeof io_call);
}

#define USER_PAGES  (USER_END >> PAGE_SHIFT)     /* pages below USER_END: 0x7ffffffff */
#define BASE_MAX    ((1UL << 52) - 1)            /* the largest base a CRD holds */

TEST(crd_fields_round_trip)
{
    uint64_t c = CRD(CRD_OBJ, 0x15, 31, BASE_MAX);
    CHECK_EQ(CRD_KIND(c), CRD_OBJ);
    CHECK_EQ(CRD_PERM(c), 0x15);
    CHECK_EQ(CRD_ORDER(c), 31);
    CHECK_EQ(CRD_BASE(c), BASE_MAX);
    CHECK_EQ(CRD(CRD_NULL, 0, 0, 0), 0);
    CHECK_EQ(CRD(CRD_MEM, 0, 0, 1), 0x1001);
}

TEST(null_kind_rejected)
{
    CHECK(!crd_ok(0));
    CHECK(!crd_ok(CRD(CRD_NULL, PERM_ALL, 0, 64)));
    CHECK(!crd_ok(CRD(CRD_NULL, 0, 4, 16)));
    CHECK(!crd_ok(CRD(CRD_NULL, 0, 0, 0x100)));  /* a good memory range, but no kind */
}

TEST(each_kind_accepted)
{
    CHECK(crd_ok(CRD(CRD_MEM, MEM_R | MEM_W, 0, 0x100)));
    CHECK(crd_ok(CRD(CRD_IO, 0, 3, 0x3f8)));
    CHECK(crd_ok(CRD(CRD_OBJ, PERM_ALL, 0, SEL_FIRST_FREE)));
    /* Permissions play no part. */
    for (unsigned p = 0; p <= 0x1f; p++) {
        CHECK(crd_ok(CRD(CRD_OBJ, p, 2, 64)));
        CHECK(!crd_ok(CRD(CRD_OBJ, p, 2, 65)));
    }
}

TEST(natural_alignment)
{
    static const unsigned kinds[] = { CRD_MEM, CRD_IO, CRD_OBJ };
    for (unsigned k = 0; k < ARRAY_SIZE(kinds); k++)
        for (unsigned order = 1; order <= 12; order++) {
            uint64_t n = 1UL << order;
            CHECK(crd_ok(CRD(kinds[k], 0, order, n)));
            CHECK(crd_ok(CRD(kinds[k], 0, order, 3 * n)));
            CHECK(!crd_ok(CRD(kinds[k], 0, order, n + n / 2)));
            CHECK(!crd_ok(CRD(kinds[k], 0, order, n + 1)));
            CHECK(!crd_ok(CRD(kinds[k], 0, order, 2 * n - 1)));
            CHECK(crd_ok(CRD(kinds[k], 0, order - 1, n + n / 2)));   /* one order less fits */
        }
    /* Order 0 takes any base. */
    CHECK(crd_ok(CRD(CRD_OBJ, 0, 0, 12345)));
    CHECK(crd_ok(CRD(CRD_IO, 0, 0, 0x61)));
    CHECK(crd_ok(CRD(CRD_MEM, 0, 0, 0x12345)));
}

TEST(memory_inside_user_space)
{
    CHECK(!crd_ok(CRD(CRD_MEM, 0, 0, 0)));                    /* page 0 is not user space */
    CHECK(crd_ok(CRD(CRD_MEM, 0, 0, USER_BASE >> PAGE_SHIFT)));
    CHECK(!crd_ok(CRD(CRD_MEM, 0, 1, 0)));                    /* covers page 0 */
    CHECK(crd_ok(CRD(CRD_MEM, 0, 1, 2)));
    CHECK(crd_ok(CRD(CRD_MEM, 0, 0, USER_PAGES - 1)));        /* the last user page */
    CHECK(!crd_ok(CRD(CRD_MEM, 0, 0, USER_PAGES)));           /* the first one above */
    CHECK(!crd_ok(CRD(CRD_MEM, 0, 1, USER_PAGES - 1)));       /* odd base: misaligned anyway */
    CHECK(crd_ok(CRD(CRD_MEM, 0, 1, USER_PAGES - 3)));
    CHECK(!crd_ok(CRD(CRD_MEM, 0, 1, USER_PAGES - 1 + 1)));
    CHECK(!crd_ok(CRD(CRD_MEM, 0, 0, 1UL << 36)));            /* upper canonical half */
    CHECK(!crd_ok(CRD(CRD_MEM, 0, 0, BASE_MAX)));             /* va = 2^64 - 4096 */
    CHECK(!crd_ok(CRD(CRD_MEM, 0, 31, (1UL << 52) - (1UL << 31))));   /* va + len wraps to 0 */
    CHECK(!crd_ok(CRD(CRD_MEM, 0, 20, (1UL << 52) - (1UL << 20))));
    CHECK(crd_ok(CRD(CRD_MEM, 0, 31, 1UL << 31)));            /* 8 TiB at 8 TiB */
    CHECK(!crd_ok(CRD(CRD_MEM, 0, 31, 0)));

    /* For each order: the highest aligned block inside is accepted, the next one is not. */
    for (unsigned order = 0; order <= 31; order++) {
        uint64_t n = 1UL << order;
        uint64_t hi = (USER_PAGES - n) & ~(n - 1);
        CHECK(hi + n <= USER_PAGES);
        CHECK(crd_ok(CRD(CRD_MEM, 0, order, hi)));
        CHECK(!crd_ok(CRD(CRD_MEM, 0, order, hi + n)));
    }
}

TEST(ports_up_to_65536)
{
    CHECK(crd_ok(CRD(CRD_IO, 0, 0, 0)));
    CHECK(crd_ok(CRD(CRD_IO, 0, 0, 65535)));
    CHECK(!crd_ok(CRD(CRD_IO, 0, 0, 65536)));
    CHECK(crd_ok(CRD(CRD_IO, 0, 1, 65534)));
    CHECK(crd_ok(CRD(CRD_IO, 0, 15, 32768)));
    CHECK(!crd_ok(CRD(CRD_IO, 0, 15, 65536)));
    CHECK(crd_ok(CRD(CRD_IO, 0, 16, 0)));                     /* every port */
    CHECK(!crd_ok(CRD(CRD_IO, 0, 17, 0)));
    CHECK(!crd_ok(CRD(CRD_IO, 0, 0, BASE_MAX)));              /* no wrap */
    CHECK(!crd_ok(CRD(CRD_IO, 0, 31, (1UL << 52) - (1UL << 31))));
}

TEST(selectors_up_to_sel_max)
{
    CHECK(crd_ok(CRD(CRD_OBJ, 0, 0, 0)));
    CHECK(crd_ok(CRD(CRD_OBJ, 0, 0, SEL_MAX - 1)));
    CHECK(!crd_ok(CRD(CRD_OBJ, 0, 0, SEL_MAX)));
    CHECK(crd_ok(CRD(CRD_OBJ, 0, 6, SEL_MAX - 64)));
    CHECK(!crd_ok(CRD(CRD_OBJ, 0, 6, SEL_MAX)));
    CHECK(crd_ok(CRD(CRD_OBJ, 0, 17, 0)));                    /* the whole space */
    CHECK(!crd_ok(CRD(CRD_OBJ, 0, 18, 0)));
    CHECK(!crd_ok(CRD(CRD_OBJ, 0, 0, BASE_MAX)));
    CHECK(!crd_ok(CRD(CRD_OBJ, 0, 31, (1UL << 52) - (1UL << 31))));
}

TEST(random_crds_match_the_rules)
{
    /* The rules restated in 128-bit arithmetic, where nothing can wrap. */
    unit_rng = 0x6a09e667f3bcc909ull;
    for (int i = 0; i < 200000; i++) {
        uint64_t r = unit_rng_next();
        unsigned kind = (unsigned)(r & 3), order = (unsigned)(r >> 2) % 32;
        uint64_t base;
        switch ((r >> 8) % 4) {
        case 0:  base = unit_rng_next() & BASE_MAX; break;               /* anywhere */
        case 1:  base = unit_rng_next() % (1UL << 18); break;           /* near ports and selectors */
        case 2:  base = USER_PAGES - unit_rng_next() % (1UL << 32); break; /* near the top of user space */
        default: base = BASE_MAX - unit_rng_next() % (1UL << 32); break;   /* near the top of a CRD */
        }
        base &= ~((1UL << ((r >> 16) % (order + 1))) - 1);         /* often aligned */
        unsigned __int128 lo = base, end = (unsigned __int128)base + ((unsigned __int128)1 << order);
        bool want = (base & ((1UL << order) - 1)) == 0;
        if (kind == CRD_MEM)
            want = want && lo >= 1 && end <= USER_PAGES;
        else if (kind == CRD_IO)
            want = want && end <= 65536;
        else if (kind == CRD_OBJ)
            want = want && end <= SEL_MAX;
        else
            want = false;
        uint64_t c = CRD(kind, unit_rng_next() & 0x1f, order, base);
        if (crd_ok(c) != want) {
            char m[200];
            snprintf(m, sizeof m, "crd_ok(kind %u order %u base %#lx) != %d", kind, order, base, want);
            unit_fail(__FILE__, __LINE__, m);
        }
    }
}

TEST(item_dest_fits_window)
{
    uint64_t win = CRD(CRD_OBJ, PERM_CALL, 4, 64);              /* selectors 64..79 */
    /* Result: the item's kind and order, the window's permissions, base = window + hotspot. */
    uint64_t d = item_dest(win, CRD(CRD_OBJ, PERM_ALL, 2, 1000), 8);
    CHECK_EQ(d, CRD(CRD_OBJ, PERM_CALL, 2, 72));
    CHECK_EQ(item_dest(win, CRD(CRD_OBJ, 0, 0, 5), 0), CRD(CRD_OBJ, PERM_CALL, 0, 64));
    CHECK_EQ(item_dest(win, CRD(CRD_OBJ, 0, 0, 5), 15), CRD(CRD_OBJ, PERM_CALL, 0, 79));
    CHECK_EQ(item_dest(win, CRD(CRD_OBJ, 0, 2, 0), 12), CRD(CRD_OBJ, PERM_CALL, 2, 76)); /* at the end */
    CHECK_EQ(item_dest(win, CRD(CRD_OBJ, 0, 4, 0), 0), CRD(CRD_OBJ, PERM_CALL, 4, 64));  /* the whole window */

    /* Past the end, misaligned, larger than the window, another kind: 0. */
    CHECK_EQ(item_dest(win, CRD(CRD_OBJ, 0, 0, 5), 16), 0);
    CHECK_EQ(item_dest(win, CRD(CRD_OBJ, 0, 2, 0), 16), 0);
    CHECK_EQ(item_dest(win, CRD(CRD_OBJ, 0, 3, 0), 12), 0);       /* misaligned for order 3 */
    CHECK_EQ(item_dest(win, CRD(CRD_OBJ, 0, 2, 0), 2), 0);
    CHECK_EQ(item_dest(win, CRD(CRD_OBJ, 0, 2, 0), 6), 0);
    CHECK_EQ(item_dest(win, CRD(CRD_OBJ, 0, 5, 0), 0), 0);        /* larger than the window */
    CHECK_EQ(item_dest(win, CRD(CRD_OBJ, 0, 31, 0), 0), 0);
    CHECK_EQ(item_dest(win, CRD(CRD_MEM, 0, 0, 5), 0), 0);
    CHECK_EQ(item_dest(win, CRD(CRD_IO, 0, 0, 5), 0), 0);
    CHECK_EQ(item_dest(win, CRD(CRD_NULL, 0, 0, 5), 0), 0);
    CHECK_EQ(item_dest(CRD(CRD_MEM, MEM_R, 8, 0x100), CRD(CRD_OBJ, 0, 0, 5), 0), 0);

    /* Memory: hotspot in pages; the window's rights, not the sender's. */
    uint64_t mw = CRD(CRD_MEM, MEM_R, 8, 0x400);
    CHECK_EQ(item_dest(mw, CRD(CRD_MEM, MEM_R | MEM_W | MEM_X, 4, 0x9000), 0x30),
             CRD(CRD_MEM, MEM_R, 4, 0x430));
    CHECK_EQ(item_dest(mw, CRD(CRD_MEM, MEM_R, 4, 0x9000), 0xf0), CRD(CRD_MEM, MEM_R, 4, 0x4f0));
    CHECK_EQ(item_dest(mw, CRD(CRD_MEM, MEM_R, 4, 0x9000), 0x100), 0);
    CHECK_EQ(item_dest(mw, CRD(CRD_MEM, MEM_R, 4, 0x9000), 0x38), 0);
}

/*
 * A hotspot is the sender's value. hotspot = 2^64 - count passes
 * "hotspot + count > room" by wrapping to 0, and the item lands at
 * window base - count: outside the receiver's window.
 */
TEST(item_dest_hotspot_cannot_wrap)
{
    uint64_t win = CRD(CRD_OBJ, PERM_ALL, 4, 64);
    for (unsigned order = 0; order <= 4; order++) {
        uint64_t count = 1UL << order;
        CHECK_EQ(item_dest(win, CRD(CRD_OBJ, 0, order, 0), (uint64_t)0 - count), 0);
        CHECK_EQ(item_dest(win, CRD(CRD_OBJ, 0, order, 0), (uint64_t)0 - 2 * count), 0);
        CHECK_EQ(item_dest(win, CRD(CRD_OBJ, 0, order, 0), (uint64_t)1 << 63), 0);
    }
    uint64_t mw = CRD(CRD_MEM, MEM_R | MEM_W, 10, 0x800);
    CHECK_EQ(item_dest(mw, CRD(CRD_MEM, MEM_R | MEM_W, 0, 0x900), ~(uint64_t)0), 0);
}

TEST(item_dest_random_stays_inside_window)
{
    unit_rng = 0xbb67ae8584caa73bull;
    for (int i = 0; i < 200000; i++) {
        unsigned kind = 1 + (unsigned)(unit_rng_next() % 3);
        unsigned worder = (unsigned)(unit_rng_next() % 12), iorder = (unsigned)(unit_rng_next() % 12);
        uint64_t wbase = (unit_rng_next() % (1UL << 20)) << worder;
        uint64_t win = CRD(kind, unit_rng_next() & 0x1f, worder, wbase);
        uint64_t item = CRD(unit_rng_next() % 8 ? kind : (unsigned)(unit_rng_next() & 3), unit_rng_next() & 0x1f,
                            iorder, unit_rng_next() & BASE_MAX);
        uint64_t hot;
        switch (unit_rng_next() % 3) {
        case 0:  hot = unit_rng_next() % (2UL << worder); break;
        case 1:  hot = (uint64_t)0 - (unit_rng_next() % (2UL << worder)); break;
        default: hot = unit_rng_next(); break;
        }
        uint64_t d = item_dest(win, item, hot);
        /* The window must itself be a valid range (crd_ok is tested on its own above). */
        bool fits = CRD_KIND(item) == kind && iorder <= worder && hot % (1UL << iorder) == 0 &&
                    hot <= (1UL << worder) - (1UL << iorder) && crd_ok(win);
        CHECK_EQ(d != 0, fits);
        if (!d)
            continue;
        CHECK_EQ(CRD_KIND(d), kind);
        CHECK_EQ(CRD_ORDER(d), iorder);
        CHECK_EQ(CRD_PERM(d), CRD_PERM(win));
        CHECK(CRD_BASE(d) >= wbase);
        CHECK(CRD_BASE(d) + (1UL << iorder) <= wbase + (1UL << worder));
    }
}

/* ---------------------------------------------------------------- delegation */

static struct pd *pd_new(void)
{
    struct pd *pd = calloc(1, sizeof *pd);
    if (!pd)
        abort();
    pd->obj.type = OBJ_PD;
    pd->obj.caps = 1;
    pd->caps = pages_alloc(CAPSPACE_ORDER);
    if (!pd->caps)
        abort();
    kmem_account_set(pd, NULL, 1UL << 30);         /* an own account, as the roottask's */
    return pd;
}

static void pd_gone(struct pd *pd)
{
    capspace_clear(pd);
    capspace_free(pd);
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

static void put(struct pd *pd, sel_t sel, struct kobj *o, uint64_t perm)
{
    CHECK_EQ(cap_reserve(pd, sel), SUCCESS);
    cap_insert(pd, sel, o, perm, NULL);
}

/* Two PDs; src holds four SMs at 64..67 with every right. */
struct pair {
    struct pd *src, *dst;
    struct kobj *o[4];
};

static void pair_make(struct pair *p)
{
    reset();
    p->src = pd_new();
    p->dst = pd_new();
    for (unsigned i = 0; i < 4; i++) {
        p->o[i] = obj_new(OBJ_SM);
        put(p->src, 64 + i, p->o[i], PERM_ALL);
    }
}

static void pair_end(struct pair *p)
{
    pd_gone(p->dst);
    pd_gone(p->src);
    for (unsigned i = 0; i < 4; i++) {
        CHECK_EQ(p->o[i]->caps, 0);
        free(p->o[i]);
    }
    CHECK_EQ(pages_out, 0);
}

static bool dst_empty(struct pd *pd)
{
    for (sel_t s = 0; s < 1024; s++)
        if (!cap_free(pd, s))
            return false;
    return true;
}

TEST(delegate_objects)
{
    struct pair p;
    pair_make(&p);
    int s = cap_delegate(p.src, p.dst, CRD(CRD_OBJ, PERM_ALL, 2, 64), CRD(CRD_OBJ, PERM_CTRL, 2, 128));
    CHECK_EQ(s, SUCCESS);
    for (unsigned i = 0; i < 4; i++) {
        struct cap *c = cap_slot(p.dst, 128 + i);
        CHECK(c && c->obj == p.o[i]);
        CHECK_EQ(c->perm, PERM_CTRL);                         /* source & destination rights */
        CHECK(c->mdb.parent == &cap_slot(p.src, 64 + i)->mdb);
        CHECK_EQ(p.o[i]->caps, 2);
        CHECK(cap_get(p.dst, 128 + i, OBJ_SM, PERM_CTRL) == p.o[i]);
        CHECK(cap_get(p.dst, 128 + i, OBJ_SM, PERM_CALL) == NULL);
    }
    CHECK(cap_free(p.dst, 127) && cap_free(p.dst, 132));
    /* Rights only shrink along a chain: dst -> src again at 200, asking for everything. */
    CHECK_EQ(cap_delegate(p.dst, p.src, CRD(CRD_OBJ, PERM_ALL, 0, 129), CRD(CRD_OBJ, PERM_ALL, 0, 200)),
             SUCCESS);
    CHECK_EQ(cap_slot(p.src, 200)->perm, PERM_CTRL);
    /* Revoking the source's original removes both generations. */
    cap_revoke(cap_slot(p.src, 65), false);
    CHECK(cap_free(p.dst, 129) && cap_free(p.src, 200));
    CHECK_EQ(p.o[1]->caps, 1);
    pair_end(&p);
}

TEST(delegate_rejects_bad_crds_without_change)
{
    struct pair p;
    pair_make(&p);
    uint64_t src = CRD(CRD_OBJ, PERM_ALL, 2, 64);
    CHECK_EQ(cap_delegate(p.src, p.dst, src, CRD(CRD_OBJ, PERM_ALL, 1, 128)), BAD_PAR); /* orders differ */
    CHECK_EQ(cap_delegate(p.src, p.dst, src, CRD(CRD_IO, PERM_ALL, 2, 128)), BAD_PAR);  /* kinds differ */
    CHECK_EQ(cap_delegate(p.src, p.dst, CRD(CRD_NULL, 0, 2, 64), CRD(CRD_NULL, 0, 2, 128)), BAD_PAR);
    CHECK_EQ(cap_delegate(p.src, p.dst, src, CRD(CRD_OBJ, PERM_ALL, 2, 130)), BAD_PAR); /* misaligned */
    CHECK_EQ(cap_delegate(p.src, p.dst, src, CRD(CRD_OBJ, PERM_ALL, 2, SEL_MAX)), BAD_PAR);
    CHECK_EQ(cap_delegate(p.src, p.dst, CRD(CRD_OBJ, PERM_ALL, 2, 66), CRD(CRD_OBJ, PERM_ALL, 2, 128)),
             BAD_PAR);
    CHECK(dst_empty(p.dst));

    /* An empty source slot in the range (68 is past the four). */
    CHECK_EQ(cap_delegate(p.src, p.dst, CRD(CRD_OBJ, PERM_ALL, 3, 64), CRD(CRD_OBJ, PERM_ALL, 3, 128)),
             BAD_CAP);
    CHECK(dst_empty(p.dst));

    /* A taken destination slot, last in the range: nothing is copied, not even the first three. */
    struct kobj *other = obj_new(OBJ_PT);
    put(p.dst, 131, other, PERM_CALL);
    CHECK_EQ(cap_delegate(p.src, p.dst, src, CRD(CRD_OBJ, PERM_ALL, 2, 128)), BAD_CAP);
    CHECK(cap_free(p.dst, 128) && cap_free(p.dst, 129) && cap_free(p.dst, 130));
    CHECK(cap_get(p.dst, 131, OBJ_PT, PERM_CALL) == other);
    for (unsigned i = 0; i < 4; i++)
        CHECK_EQ(p.o[i]->caps, 1);

    /* A dead object at the source. */
    p.o[3]->dead = true;
    CHECK_EQ(cap_delegate(p.src, p.dst, src, CRD(CRD_OBJ, PERM_ALL, 2, 256)), BAD_CAP);
    p.o[3]->dead = false;
    CHECK(dst_empty(p.dst) == false && cap_free(p.dst, 256));

    /* A dead PD on either side. */
    p.dst->obj.dead = true;
    CHECK_EQ(cap_delegate(p.src, p.dst, src, CRD(CRD_OBJ, PERM_ALL, 2, 256)), BAD_CAP);
    p.dst->obj.dead = false;
    p.src->obj.dead = true;
    CHECK_EQ(cap_delegate(p.src, p.dst, src, CRD(CRD_OBJ, PERM_ALL, 2, 256)), BAD_CAP);
    p.src->obj.dead = false;
    CHECK(cap_free(p.dst, 256));

    /* No page for the destination leaf. */
    page_fail = true;
    CHECK_EQ(cap_delegate(p.src, p.dst, src, CRD(CRD_OBJ, PERM_ALL, 2, 4096)), OOM);
    page_fail = false;
    CHECK(cap_free(p.dst, 4096));

    /* Within one PD. */
    CHECK_EQ(cap_delegate(p.src, p.src, src, CRD(CRD_OBJ, PERM_ALL, 2, 64)), BAD_CAP);
    CHECK_EQ(cap_delegate(p.src, p.src, src, CRD(CRD_OBJ, PERM_CALL, 2, 68)), SUCCESS);
    CHECK_EQ(p.o[0]->caps, 2);
    pair_end(&p);
    CHECK_EQ(other->caps, 0);
    free(other);
}

TEST(delegate_memory_and_ports_reach_their_paths)
{
    struct pair p;
    pair_make(&p);
    /* Memory: check, then do, with the intersected rights. */
    int s = cap_delegate(p.src, p.dst, CRD(CRD_MEM, MEM_R | MEM_W, 4, 0x1230),
                         CRD(CRD_MEM, MEM_R | MEM_X, 4, 0x4560));
    CHECK_EQ(s, SUCCESS);
    CHECK_EQ(mem_call.n, 2);
    CHECK(mem_call.src == p.src && mem_call.dst == p.dst);
    CHECK_EQ(mem_call.sbase, 0x1230);
    CHECK_EQ(mem_call.dbase, 0x4560);
    CHECK_EQ(mem_call.order, 4);
    CHECK_EQ(mem_call.perm, MEM_R);
    CHECK(!mem_call.check_only);
    /* The check fails: nothing is done. */
    mem_call = (struct res_call){ .status = BAD_CAP };
    CHECK_EQ(cap_delegate(p.src, p.dst, CRD(CRD_MEM, MEM_R, 0, 0x10), CRD(CRD_MEM, MEM_R, 0, 0x20)),
             BAD_CAP);
    CHECK_EQ(mem_call.n, 1);
    CHECK(mem_call.check_only);
    /* Outside user space on either side: never reaches mem_delegate. */
    mem_call = (struct res_call){ 0 };
    CHECK_EQ(cap_delegate(p.src, p.dst, CRD(CRD_MEM, MEM_R, 0, 0), CRD(CRD_MEM, MEM_R, 0, 0x20)), BAD_PAR);
    CHECK_EQ(cap_delegate(p.src, p.dst, CRD(CRD_MEM, MEM_R, 0, 0x10), CRD(CRD_MEM, MEM_R, 0, USER_PAGES)),
             BAD_PAR);
    CHECK_EQ(mem_call.n, 0);

    /* Ports keep their numbers. */
    CHECK_EQ(cap_delegate(p.src, p.dst, CRD(CRD_IO, 0, 3, 0x3f8), CRD(CRD_IO, 0, 3, 0x2f8)), BAD_PAR);
    CHECK_EQ(io_call.n, 0);
    CHECK_EQ(cap_delegate(p.src, p.dst, CRD(CRD_IO, 0, 3, 0x3f8), CRD(CRD_IO, 0, 3, 0x3f8)), SUCCESS);
    CHECK_EQ(io_call.n, 2);
    CHECK_EQ(io_call.sbase, 0x3f8);
    CHECK_EQ(io_call.order, 3);
    CHECK(!io_call.check_only);
    CHECK_EQ(cap_delegate(p.src, p.dst, CRD(CRD_IO, 0, 0, 65536), CRD(CRD_IO, 0, 0, 65536)), BAD_PAR);
    CHECK_EQ(io_call.n, 2);
    pair_end(&p);
}

/* ---------------------------------------------------------------- typed items */

struct ipc {
    struct pair p;
    struct ec *from, *to;
};

static struct ec *ec_new(struct pd *pd)
{
    struct ec *ec = calloc(1, sizeof *ec);
    if (!ec)
        abort();
    ec->pd = pd;
    ec->utcb = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
    if (!ec->utcb)
        abort();
    memset(ec->utcb, 0, PAGE_SIZE);
    return ec;
}

static void ec_gone(struct ec *ec)
{
    free(ec->utcb);
    free(ec);
}

static void ipc_make(struct ipc *c, uint64_t window)
{
    pair_make(&c->p);
    c->from = ec_new(c->p.src);
    c->to = ec_new(c->p.dst);
    c->to->utcb->head.del = window;
}

static void ipc_end(struct ipc *c)
{
    ec_gone(c->from);
    ec_gone(c->to);
    pair_end(&c->p);
}

/* Item i after n untyped words of the sender. */
static void item_set(struct ipc *c, unsigned n, unsigned i, uint64_t crd, uint64_t hotspot)
{
    c->from->utcb->mr[n + 2 * i] = crd;
    c->from->utcb->mr[n + 2 * i + 1] = hotspot;
}

TEST(xfer_items_into_window)
{
    struct ipc c;
    ipc_make(&c, CRD(CRD_OBJ, PERM_CTRL, 4, 512));             /* 512..527 */
    item_set(&c, 3, 0, CRD(CRD_OBJ, PERM_ALL, 1, 64), 4);      /* 64,65 -> 516,517 */
    item_set(&c, 3, 1, CRD(CRD_OBJ, PERM_ALL, 0, 67), 15);     /* 67 -> 527 */
    CHECK_EQ(xfer_items(c.from, c.to, 3, 2), SUCCESS);
    CHECK(cap_get(c.p.dst, 516, OBJ_SM, PERM_CTRL) == c.p.o[0]);
    CHECK(cap_get(c.p.dst, 517, OBJ_SM, PERM_CTRL) == c.p.o[1]);
    CHECK(cap_get(c.p.dst, 527, OBJ_SM, PERM_CTRL) == c.p.o[3]);
    CHECK(cap_get(c.p.dst, 516, OBJ_SM, PERM_CALL) == NULL);
    /* The receiver is told what it got, after its own untyped words. */
    CHECK_EQ(c.to->utcb->mr[3], CRD(CRD_OBJ, PERM_CTRL, 1, 516));
    CHECK_EQ(c.to->utcb->mr[4], 0);
    CHECK_EQ(c.to->utcb->mr[5], CRD(CRD_OBJ, PERM_CTRL, 0, 527));
    CHECK_EQ(c.to->utcb->mr[6], 0);
    ipc_end(&c);
}

TEST(xfer_items_rejected_all_or_nothing)
{
    struct ipc c;
    ipc_make(&c, CRD(CRD_OBJ, PERM_ALL, 3, 512));              /* 512..519 */
    /* Two items for the same slots. */
    item_set(&c, 0, 0, CRD(CRD_OBJ, PERM_ALL, 1, 64), 2);
    item_set(&c, 0, 1, CRD(CRD_OBJ, PERM_ALL, 0, 66), 3);
    CHECK_EQ(xfer_items(c.from, c.to, 0, 2), BAD_PAR);
    CHECK(dst_empty(c.p.dst));
    /* The second item does not fit: the first is not delegated either. */
    item_set(&c, 0, 1, CRD(CRD_OBJ, PERM_ALL, 0, 66), 8);
    CHECK_EQ(xfer_items(c.from, c.to, 0, 2), BAD_PAR);
    CHECK(dst_empty(c.p.dst));
    /* The second item names an empty slot. */
    item_set(&c, 0, 1, CRD(CRD_OBJ, PERM_ALL, 0, 100), 4);
    CHECK_EQ(xfer_items(c.from, c.to, 0, 2), BAD_CAP);
    CHECK(dst_empty(c.p.dst));
    /* No window. */
    c.to->utcb->head.del = 0;
    item_set(&c, 0, 1, CRD(CRD_OBJ, PERM_ALL, 0, 66), 4);
    CHECK_EQ(xfer_items(c.from, c.to, 0, 2), BAD_PAR);
    CHECK(dst_empty(c.p.dst));
    ipc_end(&c);
}

TEST(xfer_items_stay_inside_window)
{
    /* The receiver's window is 64..79 of its space; slot 63 below it must stay free. */
    struct ipc c;
    ipc_make(&c, CRD(CRD_OBJ, PERM_ALL, 4, 64));
    item_set(&c, 0, 0, CRD(CRD_OBJ, PERM_ALL, 0, 64), ~(uint64_t)0);
    CHECK_EQ(xfer_items(c.from, c.to, 0, 1), BAD_PAR);
    CHECK(cap_free(c.p.dst, 63));
    CHECK(dst_empty(c.p.dst));
    ipc_end(&c);
}

int main(void) { return unit_run(); }
