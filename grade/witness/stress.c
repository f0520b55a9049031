// SPDX-License-Identifier: MIT
/* grade/witness/stress.c — revocations under the feet of other CPUs, on up to 8 CPUs. */
#include "witness.h"

/* ---- stress: revocations under the feet of other CPUs ---------------------------------------- */

/*
 * A worker on every CPU but 0 calls its portal (a handler on its CPU) and reads its page, in
 * a loop, while CPU 0 revokes the portal and makes it anew, and revokes the page and gives
 * it again: calls must end in SUCCESS or BAD_CAP, never hang; reads must see the page's value
 * or fault (a #PF its handler skips), never stale memory after the revoke returned. At the
 * end CPU 0 revokes the workers while they run, and everything else it made; the kernel's
 * free frames and objects must be what they were after a warm-up round.
 */
#define STRESS_VA 0x0000640000000000UL       /* + cpu * 2 pages: each worker's page */

#define POISON 0xdeadbeefdeadbeefUL         /* what a revoked frame holds: read it and a TLB was stale */

struct worker {
    sel_t pt, handler, exc_handler, ec, sc;
    int id;                                 /* its thread slot, reused every round */
    uint64_t frame[2], va, value;
    unsigned which;                         /* the frame granted now */
    volatile uint64_t calls, bad_cap, other, reads, faults, stale, rounds, status[16];
    volatile unsigned stop;
};
static struct worker workers[WCPUS];

/* The reply says its word; not the portal's id: a portal made anew has id 0 until its pt_ctrl. */
#define STRESS_WORD 0x5eed5eedUL
static void stress_echo(uint64_t id, struct utcb *u)
{
    (void)id;
    u->mr[0] = STRESS_WORD;
    u->head.items = UTCB_ITEMS(1, 0);
}

/* A worker's page faults: skip the read (probe_read returns 0x1111), count it. */
static void stress_exc(uint64_t id, struct utcb *u)
{
    struct worker *w = &workers[id >> 8];
    w->faults++;
    u->exc.rip = (uint64_t)probe_read_resume;
    u->exc.rax = 0x1111;
}

static void stress_worker(uint64_t cpu, uint64_t id)
{
    struct worker *w = &workers[cpu];
    struct utcb *u = thread_utcb[id];
    while (!w->stop) {
        u->head.items = 0;
        u->mr[0] = 0;
        unsigned s = fc_call(w->pt);
        w->status[s & 15]++;
        if (s == SUCCESS && u->mr[0] == STRESS_WORD)
            w->calls++;
        else if (s == BAD_CAP)
            w->bad_cap++;
        else
            w->other++;
        if (probe_read(w->va) == POISON)
            w->stale++;                     /* a frame revoked before it was poisoned: a missed shootdown */
        w->reads++;
        w->rounds++;
    }
    park();
}

/* The other frame, with a fresh value, at the worker's page. */
static unsigned stress_give(struct worker *w)
{
    w->which ^= 1;
    w->value = rnd() & ~1UL;
    *(volatile uint64_t *)window(w->frame[w->which]) = w->value;
    return self_delegate(CRD(CRD_MEM, MEM_R, 0, window_page(w->frame[w->which])),
                         CRD(CRD_MEM, MEM_R, 0, w->va >> PAGE_SHIFT));
}

/* Take the page back; once the revoke returned no CPU may read the frame through it. */
static unsigned stress_take(struct worker *w)
{
    unsigned s = fc_revoke(CRD(CRD_MEM, 0, 0, window_page(w->frame[w->which])), 0, 0);
    *(volatile uint64_t *)window(w->frame[w->which]) = POISON;
    return s;
}

/* One round of iterations on every worker; SUCCESS unless an operation of CPU 0 failed. */
static unsigned stress_round(unsigned n, unsigned iterations)
{
    unsigned bad = 0;
    for (unsigned it = 0; it < iterations; it++) {
        if (it && it % 500 == 0)
            printf("[witness] stress: %u of %u\n", it, iterations);   /* a slow host must not look idle */
        for (unsigned c = 1; c < n; c++) {
            struct worker *w = &workers[c];
            bad += fc_revoke(CRD(CRD_OBJ, 0, 0, w->pt), REVOKE_SELF, 0) != SUCCESS;
            bad += portal(w->pt, w->handler, 0, c) != SUCCESS;
            bad += stress_take(w) != SUCCESS;
            bad += stress_give(w) != SUCCESS;
        }
    }
    return bad ? ABORT : SUCCESS;
}

void stage_stress(unsigned iterations)
{
    unsigned n = hip->num_cpus < WCPUS ? hip->num_cpus : WCPUS;
    if (n < 2) {
        verdict("stress", "one CPU: the stress needs two at least");
        return;
    }
    unsigned s = SUCCESS;
    uint64_t frames0 = 0, objects0 = 0, frames1 = 0, objects1 = 0;
    for (unsigned round = 0; round < 2 && s == SUCCESS; round++) {
        if (round == 1)
            fc_stats(&frames0, &objects0);
        for (unsigned c = 1; c < n && s == SUCCESS; c++) {
            struct worker *w = &workers[c];
            int id = w->id;
            if (!w->handler) {              /* kept across rounds: handlers, selectors, frames, slot */
                w->handler = handler_new(c, stress_echo);
                w->exc_handler = handler_new(c, stress_exc);
                w->pt = sel_alloc(1);
                w->sc = sel_alloc(1);
                w->frame[0] = frame_alloc();
                w->frame[1] = frame_alloc();
                w->va = STRESS_VA + 2 * c * PAGE_SIZE;
                w->id = id = thread_prepare_on(c, stress_worker, c);
            } else {                        /* the same slot again: its startup portal and EC anew */
                s = portal(thread_evt[id] + EV_STARTUP, startup_ec[c], STARTUP_MTD, (uint64_t)id);
                s = s ? s : fc_create_ec(thread_ec[id], SEL_ROOT_PD, c, (uint64_t)thread_utcb[id], starts[id].rsp,
                                         thread_evt[id], true);
            }
            w->stop = 0;
            s = s ? s : portal(w->pt, w->handler, 0, c);
            s = s ? s : stress_give(w);
            s = s ? s : id < 0 ? OOM : exc_portals(thread_evt[id], w->exc_handler, (uint64_t)c << 8);
            w->ec = id >= 0 ? thread_ec[id] : 0;
            s = s ? s : id < 0 ? OOM : fc_create_sc(w->sc, SEL_ROOT_PD, w->ec, ROOT_PRIO, 1000);
        }
        s = s ? s : stress_round(n, round == 0 ? iterations / 10 + 10 : iterations);
        /* Down they go while they run: the SC, the EC, the portal, the page. */
        for (unsigned c = 1; c < n; c++) {
            struct worker *w = &workers[c];
            w->stop = round == 0;           /* the first time let them stop; then revoke them running */
            fc_revoke(CRD(CRD_OBJ, 0, 0, w->sc), REVOKE_SELF, 0);
            fc_revoke(CRD(CRD_OBJ, 0, 0, w->ec), REVOKE_SELF, 0);
            fc_revoke(CRD(CRD_OBJ, 0, 0, w->pt), REVOKE_SELF, 0);
            stress_take(w);
            fc_revoke(CRD(CRD_OBJ, 0, 5, thread_evt[w->id]), REVOKE_SELF, 0);
        }
    }
    stats_settled(frames0, objects0, &frames1, &objects1);   /* the workers' CPUs leave them */
    uint64_t calls = 0, bad_cap = 0, other = 0, reads = 0, faulted = 0, stale = 0;
    for (unsigned c = 1; c < n; c++) {
        calls += workers[c].calls, bad_cap += workers[c].bad_cap, other += workers[c].other;
        reads += workers[c].reads, faulted += workers[c].faults, stale += workers[c].stale;
    }
    printf("[witness] stress: call statuses:");
    for (unsigned k = 0; k < 10; k++) {
        uint64_t t = 0;
        for (unsigned c = 1; c < n; c++)
            t += workers[c].status[k];
        printf(" %u=%lu", k, t);
    }
    printf("\n");
    printf("[witness] stress: %u CPUs, %u revocations of each kind per worker: %lu calls answered, %lu BAD_CAP, "
           "%lu otherwise; %lu reads, %lu faulted, %lu stale; frames %lu -> %lu, objects %lu -> %lu\n", n,
           iterations, calls, bad_cap, other, reads, faulted, stale, frames0, frames1, objects0, objects1);
    expect("stress", s == SUCCESS && calls > 0 && !other && reads > 0 && !stale,
           "status %u, %lu calls answered, %lu ended otherwise, %lu reads, %lu stale", s, calls, other, reads, stale);
    expect("stress-leak", s == SUCCESS && frames1 == frames0 && objects1 == objects0,
           "free frames %lu -> %lu, objects %lu -> %lu", frames0, frames1, objects0, objects1);
}
