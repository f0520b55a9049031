// SPDX-License-Identifier: MIT
/* grade/witness/fuzz.c — random hypercalls from two CPUs at once, and nothing may leak. */
#include "witness.h"

/* ---- fuzz: random hypercalls from two CPUs at once ----------------------------------------- */

/*
 * Each fuzzing thread owns a window of 256 selectors, a sub-PD, eight frames and 64 pages of
 * address space (in our PD and in its sub-PD), and drives random hypercalls — well formed
 * and not — at them: creations, delegations and revocations of every kind, calls (never
 * blocking), semaphore ups and downs (with deadlines), recalls, queries, raw calls with
 * random arguments. Nothing of the rest of our PD is in reach: revocations name only its
 * window and ranges, raw calls its selectors, portals an entry point that is not mapped,
 * and no machine_ctrl or assign_gsi. At the end the thread revokes all it made.
 */
#define FUZZ_SEL     256
#define FUZZ_FRAMES  8
#define FUZZ_VA      0x0000620000000000UL   /* + 64 pages per thread, in our PD and the sub-PD's */
#define FUZZ_UTCB    0x0000630000000000UL   /* local ECs' UTCBs: one page per selector */

struct fuzzer {
    unsigned cpu, index;
    uint64_t rng, calls, count;
    sel_t base, sub, go;                    /* its selector window, its sub-PD, its start */
    struct utcb *utcb;
    uint64_t frames[FUZZ_FRAMES];
    uint64_t status[16];                    /* how many calls returned each status */
};
static struct fuzzer fuzzers[2];
static sel_t fuzz_done;

static uint64_t frnd(struct fuzzer *f)
{
    uint64_t z = (f->rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/*
 * A selector of the window; mostly of the part where the kind at hand is made, so that calls
 * meet portals, portals ECs and downs semaphores: ECs at 0-31, portals 32-95, semaphores
 * 96-159, PDs 160-191; delegations land anywhere.
 */
enum { F_EC = 0, F_PT = 32, F_SM = 96, F_PD = 160, F_ANY = 256 };
static sel_t fsel_in(struct fuzzer *f, unsigned part)
{
    if (part == F_ANY || frnd(f) % 4 == 0)
        return f->base + frnd(f) % FUZZ_SEL;
    unsigned size = part == F_EC ? 32 : part == F_PD ? 32 : 64;
    return f->base + part + frnd(f) % size;
}
static sel_t fsel(struct fuzzer *f) { return fsel_in(f, F_ANY); }
static uint64_t fva_page(struct fuzzer *f) { return (FUZZ_VA >> PAGE_SHIFT) + f->index * 64 + frnd(f) % 64; }

/* A CRD of one kind inside the thread's reach: its selectors, its pages, a few ports. */
static uint64_t fcrd(struct fuzzer *f, unsigned kind, bool our_frame)
{
    unsigned order = frnd(f) % 8 ? 0 : (unsigned)(frnd(f) % 3);
    unsigned perm = (unsigned)(frnd(f) & 0x1f);
    switch (kind) {
    case CRD_MEM:
        if (our_frame)
            return CRD(CRD_MEM, perm, 0, window_page(f->frames[frnd(f) % FUZZ_FRAMES]));
        return CRD(CRD_MEM, perm, order, fva_page(f) & ~((1UL << order) - 1));
    case CRD_IO:
        return CRD(CRD_IO, perm, order, (0x80 + frnd(f) % 8) & ~((1UL << order) - 1));
    default:
        return CRD(CRD_OBJ, perm, order, fsel(f) & ~((sel_t)(1UL << order) - 1));
    }
}

static void fuzz_one(struct fuzzer *f)
{
    unsigned s;
    uint64_t r = frnd(f);
    sel_t a;
    switch (r % 14) {
    case 0:
        s = fc_create_sm(fsel_in(f, F_SM), frnd(f) % 4 ? SEL_ROOT_PD : fsel_in(f, F_PD), frnd(f) % 3);
        break;
    case 1:                                 /* a portal to an EC of the window, entry not mapped */
        s = fc_create_pt(fsel_in(f, F_PT), SEL_ROOT_PD, fsel_in(f, F_EC),
                         frnd(f) % 8 ? frnd(f) & MTD_EXC_VALID : frnd(f), UNMAPPED + (frnd(f) & 0xfffff000));
        break;
    case 2:                                 /* a local EC: its events go to the window's portals */
        a = fsel_in(f, F_EC);
        s = fc_create_ec(a, frnd(f) % 4 ? SEL_ROOT_PD : fsel_in(f, F_PD), f->cpu,
                         FUZZ_UTCB + (uint64_t)(a - f->base + f->index * FUZZ_SEL) * PAGE_SIZE,
                         UNMAPPED + (frnd(f) & 0xffff0), f->base + F_PT + frnd(f) % 32, false);
        break;
    case 3:                                 /* plain, foreign, or with a quota (from ours or a window PD's) */
        a = fsel_in(f, F_PD);
        if (r & 0x100)
            s = fc_create_pd_quota(a, r & 0x2000 ? fsel_in(f, F_PD) : SEL_ROOT_PD, (frnd(f) % 64) * 1024);
        else
            s = r & 0x200 ? fc_create_pd(a, SEL_ROOT_PD, 0, 0) : fc_create_pd_foreign(a, SEL_ROOT_PD, f->base);
        break;
    case 4: {                               /* delegate objects, memory or ports, either way */
        unsigned kind = 1 + (unsigned)(frnd(f) % 3);
        bool down = r & 0x400;              /* ours -> the sub-PD's, else back */
        uint64_t src = fcrd(f, kind, down && kind == CRD_MEM && (r & 0x800));
        uint64_t dst = frnd(f) % 8 ? fcrd(f, kind, false) : frnd(f);   /* sometimes malformed */
        s = down ? fc_delegate(SEL_ROOT_PD, f->sub, src, dst) : fc_delegate(f->sub, SEL_ROOT_PD, src, dst);
        break;
    }
    case 5: {                               /* revoke in the window and its pages, or in the sub-PD */
        unsigned kind = 1 + (unsigned)(frnd(f) % 3);
        unsigned flags = (unsigned)(frnd(f) & (REVOKE_SELF | REVOKE_REMOTE));
        s = fc_revoke(fcrd(f, kind, false), flags, flags & REVOKE_REMOTE ? f->sub : 0);
        break;
    }
    case 6:
        s = fc_sm_up(fsel_in(f, F_SM));
        break;
    case 7:
        s = fc_sm_down(fsel_in(f, F_SM), fc_rdtsc() + 1000 + frnd(f) % 20000);
        break;
    case 8:                                 /* never blocking: a busy handler is TIMEOUT */
        f->utcb->head.items = UTCB_ITEMS(frnd(f) % 4, 0);
        s = fc_call_nb(fsel_in(f, F_PT));
        break;
    case 9:
        s = fc_ec_recall(fsel_in(f, F_EC));
        break;
    case 10: {
        uint64_t t;
        s = fc_sc_consumed(fsel(f), &t);
        break;
    }
    case 11:
        s = fc_pt_ctrl(fsel_in(f, F_PT), frnd(f));
        break;
    case 12: {                              /* raw, random arguments: the calls that stay in reach */
        static const unsigned nums[] = { HC_create_pd, HC_create_sm, HC_ec_ctrl, HC_sc_ctrl, HC_pt_ctrl, 13, 16, 255 };
        unsigned num = nums[frnd(f) % (sizeof nums / sizeof nums[0])];
        s = fc_hypercall(HC_ARG1(num, frnd(f) & 0xf, fsel(f)), frnd(f) % 2 ? SEL_ROOT_PD : frnd(f), frnd(f), frnd(f),
                         frnd(f), NULL);
        break;
    }
    default:                                /* calls, ups and downs at selectors out of the space */
        s = fc_hypercall(HC_ARG1(r & 0x1000 ? HC_call : HC_sm_ctrl, CALL_NONBLOCK, SEL_MAX + (frnd(f) & 0xffff)),
                         0, 0, 0, 0, NULL);
        break;
    }
    f->status[s & 15]++;
    f->calls++;
}

/* A fuzzing thread: per round, a fresh sub-PD (in every other round with a kernel-memory quota
 * of its own that the delegations into it can use up), count calls, then everything it made
 * revoked. */
static void fuzz_thread(uint64_t index, uint64_t id)
{
    struct fuzzer *f = &fuzzers[index];
    f->utcb = thread_utcb[id];
    for (;;) {
        fc_sm_down(f->go, 0);
        unsigned made = f->rng & 0x10000 ? fc_create_pd_quota(f->sub, SEL_ROOT_PD, 64 * 1024)
                                         : fc_create_pd(f->sub, SEL_ROOT_PD, 0, 0);
        if (made == SUCCESS)
            for (uint64_t i = 0; i < f->count; i++)
                fuzz_one(f);
        fc_revoke(CRD(CRD_OBJ, 0, 8, f->base), REVOKE_SELF, 0);
        fc_revoke(CRD(CRD_MEM, 0, 6, (FUZZ_VA >> PAGE_SHIFT) + f->index * 64), REVOKE_SELF, 0);
        for (unsigned k = 0; k < FUZZ_FRAMES; k++)
            fc_revoke(CRD(CRD_MEM, 0, 0, window_page(f->frames[k])), 0, 0);
        fc_revoke(CRD(CRD_IO, 0, 3, 0x80), 0, 0);
        fc_revoke(CRD(CRD_OBJ, 0, 0, f->sub), REVOKE_SELF, 0);
        fc_sm_up(fuzz_done);
    }
}

/* One round: each thread fuzzes count calls; SUCCESS when all came back in time. */
static unsigned fuzz_round(unsigned n, uint64_t count, uint64_t round_seed)
{
    for (unsigned i = 0; i < n; i++) {
        fuzzers[i].count = count;
        fuzzers[i].rng = round_seed ^ (0x1000 * (i + 1));
        fc_sm_up(fuzzers[i].go);
    }
    /* Wait, saying every 5 s how far they are (a slow host's boot must not look idle). */
    unsigned s = SUCCESS, done = 0;
    uint64_t limit = deadline_ms(600000);
    while (done < n && s == SUCCESS) {
        s = fc_sm_down(fuzz_done, deadline_ms(5000));
        if (s == SUCCESS)
            done++;
        else if (s == TIMEOUT && (!limit || fc_rdtsc() < limit)) {
            printf("[witness] fuzz: %lu and %lu calls so far\n", fuzzers[0].calls, fuzzers[1].calls);
            s = SUCCESS;
        }
    }
    return s;
}

void stage_fuzz(uint64_t count)
{
    unsigned n = hip->num_cpus > 1 ? 2 : 1, s = SUCCESS;
    fuzz_done = sm_new(0);
    for (unsigned i = 0; i < n; i++) {
        struct fuzzer *f = &fuzzers[i];
        f->cpu = f->index = i;
        f->base = sel_alloc(FUZZ_SEL);
        f->sub = sel_alloc(1);
        f->go = sm_new(0);
        for (unsigned k = 0; k < FUZZ_FRAMES; k++)
            f->frames[k] = frame_alloc();
        int id = thread_prepare_on(i, fuzz_thread, i);
        s = s ? s : thread_start(id);
    }
    /* A short round first: what the kernel keeps once used (capability-table leaves, page
     * tables of our PD) is there before we count. */
    unsigned warm = s ? s : fuzz_round(n, count / 10 + 200, seed);
    uint64_t frames0 = 0, objects0 = 0, frames1 = 0, objects1 = 0, limit = 0, used0 = 0, used1 = 0;
    fc_stats(&frames0, &objects0);
    fc_pd_quota(SEL_ROOT_PD, &limit, &used0);
    uint64_t calls0 = fuzzers[0].calls + fuzzers[1].calls;
    s = warm ? warm : fuzz_round(n, count, seed ^ 0x5eed);
    stats_settled(frames0, objects0, &frames1, &objects1);
    fc_pd_quota(SEL_ROOT_PD, &limit, &used1);
    uint64_t calls = fuzzers[0].calls + fuzzers[1].calls - calls0;
    printf("[witness] fuzz: %lu calls on %u CPUs; statuses:", calls, n);
    for (unsigned k = 0; k < 10; k++)
        printf(" %u=%lu", k, fuzzers[0].status[k] + fuzzers[1].status[k]);
    printf("; frames %lu -> %lu, objects %lu -> %lu, our account %lu -> %lu bytes\n", frames0, frames1, objects0,
           objects1, used0, used1);
    expect("fuzz", s == SUCCESS && calls == count * n, "status %u (warm-up %u), %lu calls of %lu", s, warm, calls, count * n);
    expect("fuzz-leak", s == SUCCESS && frames1 == frames0 && objects1 == objects0 && used1 == used0,
           "free frames %lu -> %lu, objects %lu -> %lu, our account %lu -> %lu bytes", frames0, frames1, objects0,
           objects1, used0, used1);
}
