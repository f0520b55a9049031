// SPDX-License-Identifier: MIT
/* grade/witness/quota.c — kernel memory accounted per PD: a PD runs out of its own quota alone. */
#include "witness.h"

/* ---- quota: one PD allocates until OOM, the others go on, everything comes back ---------- */

/*
 * Q gets a quota of its own (Q_BYTES, taken from ours while it exists). Semaphores made in its
 * name (create_sm with Q as the PD: the creator names who pays) are charged to it until one is
 * OOM; one revoked, one more fits again. A PD made in Q's name is charged to Q too. M, another
 * PD with a quota, gets memory at addresses 1 GiB apart (each needs page tables of its own)
 * and capabilities 64 selectors apart (each a capability-table leaf) until OOM. Meanwhile we
 * and a PD without a quota of its own (R, charging ours) go on as before. After the revokes
 * the kernel's free frames and objects and our account are what they were. All of it runs
 * twice with the same selectors and addresses: the first run makes our own tables (selector
 * leaves, page tables), which stay; the second is measured.
 */
#define Q_BYTES   (8 * 1024)
#define M_BYTES   (48 * 1024)
#define Q_SMS     1024                      /* selectors for Q's semaphores: more than fit */
#define M_STEPS   64

static sel_t q, m, r, qpd, sms, sm, mine;
static uint64_t frame, self_page;
static bool measured;                       /* the second round: its checks are signed */
#define check(...) do { if (measured) expect(__VA_ARGS__); } while (0)

static uint64_t used_of(sel_t pd)
{
    uint64_t limit = 0, used = 0;
    return fc_pd_quota(pd, &limit, &used) == SUCCESS ? used : ~0UL;
}

/* Semaphores in Q's name until one is refused: how many, and the refusal's status. */
static unsigned fill(unsigned *status)
{
    unsigned n = 0;
    for (*status = SUCCESS; n < Q_SMS && (*status = fc_create_sm(sms + n, q, 0)) == SUCCESS;)
        n++;
    return n;
}

/* Capabilities and memory into m until OOM: three capabilities first (each its own table leaf),
 * then memory until it is refused, then capabilities until they are: the counts that went in,
 * and the statuses that ended each. */
static void fill_m(unsigned *mem, unsigned *caps, unsigned *st_mem, unsigned *st_caps)
{
    *mem = *caps = 0;
    *st_mem = *st_caps = SUCCESS;
    for (unsigned i = 0; i < M_STEPS && *st_caps == SUCCESS; i++) {
        if (i == 3)
            for (unsigned j = 0; j < M_STEPS && *st_mem == SUCCESS; j++) {
                uint64_t page = (0x40000000UL >> PAGE_SHIFT) * (j + 1);     /* j + 1 GiB */
                *st_mem = fc_delegate(SEL_ROOT_PD, m, CRD(CRD_MEM, MEM_R, 0, window_page(frame)),
                                      CRD(CRD_MEM, MEM_R, 0, page));
                *mem += *st_mem == SUCCESS;
            }
        *st_caps = fc_delegate(SEL_ROOT_PD, m, CRD(CRD_OBJ, PERM_CTRL, 0, sm), CRD(CRD_OBJ, PERM_ALL, 0, 64 * (i + 1)));
        *caps += *st_caps == SUCCESS;
    }
}


static void quota_round(void)
{
    uint64_t frames0 = 0, objects0 = 0, limit = 0, used0 = used_of(SEL_ROOT_PD);
    fc_stats(&frames0, &objects0);

    unsigned st = fc_create_pd_quota(q, SEL_ROOT_PD, Q_BYTES), used_q = 0;
    fc_pd_quota(q, &limit, &(uint64_t){0});
    uint64_t ours = used_of(SEL_ROOT_PD);
    check("quota-create", st == SUCCESS && limit == Q_BYTES && used_of(q) == 0 && ours >= used0 + Q_BYTES,
           "create_pd with a quota: status %u, limit %lu, charged %lu; ours %lu -> %lu", st, limit, used_of(q),
           used0, ours);
    unsigned too_much = fc_create_pd_quota(qpd, SEL_ROOT_PD, ~0UL >> 1), zero = fc_create_pd_quota(qpd, SEL_ROOT_PD, 0);
    check("quota-create", too_much == OOM && zero == BAD_PAR,
           "a quota beyond ours: status %u (OOM wanted); a quota of 0: status %u (BAD_PAR wanted)", too_much, zero);

    /* Q allocates until OOM: everything it was charged fits its quota, one more would not. */
    unsigned n = fill(&st);
    used_q = (unsigned)used_of(q);
    uint64_t one = n ? used_q / n : 0;
    if (measured)
        printf("[witness] quota: %u semaphores in the name of a PD with %u bytes, then status %u; %u bytes charged\n", n,
           Q_BYTES, st, used_q);
    check("quota-oom", n > 0 && st == OOM && used_q <= Q_BYTES && used_q + one > Q_BYTES,
           "%u semaphores, then status %u (OOM wanted); %u of %u bytes charged", n, st, used_q, Q_BYTES);
    unsigned pd_in_q = fc_create_pd(qpd, q, 0, 0);
    fc_revoke(CRD(CRD_OBJ, 0, 0, sms), REVOKE_SELF, 0);
    unsigned again = fc_create_sm(sms, q, 0), more = fc_create_sm(sms + n, q, 0);
    check("quota-oom", pd_in_q == OOM && again == SUCCESS && more == OOM,
           "a PD in the exhausted PD's name: status %u (OOM wanted); after one revoke: %u, then %u (SUCCESS, OOM "
           "wanted)", pd_in_q, again, more);

    /* Page tables, mapping nodes and capability leaves are charged to the PD they are made for. */
    fc_create_sm(sm, SEL_ROOT_PD, 0);
    unsigned mem = 0, caps = 0, st_mem = 0, st_caps = 0;
    st = fc_create_pd_quota(m, SEL_ROOT_PD, M_BYTES);
    fill_m(&mem, &caps, &st_mem, &st_caps);
    uint64_t used_m = used_of(m);
    if (measured)
        printf("[witness] quota: a PD with %u bytes took %u pages 1 GiB apart, then status %u; %u capabilities "
           "64 apart, then status %u; %lu bytes charged\n", M_BYTES, mem, st_mem, caps, st_caps, used_m);
    check("quota-spaces", st == SUCCESS && mem > 0 && mem < M_STEPS && st_mem == OOM && caps >= 3 && st_caps == OOM &&
           used_m <= M_BYTES, "create %u; %u pages then %u, %u capabilities then %u (OOM wanted), %lu of %u bytes",
           st, mem, st_mem, caps, st_caps, used_m, M_BYTES);

    /* Everybody else goes on: we, and R (no quota of its own: it charges ours). */
    unsigned st_r = fc_create_pd(r, SEL_ROOT_PD, 0, 0);
    unsigned st_rmem = fc_delegate(SEL_ROOT_PD, r, CRD(CRD_MEM, MEM_R, 0, window_page(frame)), CRD(CRD_MEM, MEM_R, 0, 0x100));
    unsigned st_rcap = fc_delegate(SEL_ROOT_PD, r, CRD(CRD_OBJ, PERM_CTRL, 0, sm), CRD(CRD_OBJ, PERM_ALL, 0, 64));
    unsigned st_mine = fc_create_sm(mine, SEL_ROOT_PD, 3);
    unsigned st_self = self_delegate(CRD(CRD_MEM, MEM_R, 0, window_page(frame)), CRD(CRD_MEM, MEM_R, 0, self_page));
    check("quota-others", st_r == SUCCESS && st_rmem == SUCCESS && st_rcap == SUCCESS && st_mine == SUCCESS &&
           st_self == SUCCESS, "a PD without a quota: create %u, memory %u, capability %u; ours: semaphore %u, "
           "memory %u", st_r, st_rmem, st_rcap, st_mine, st_self);

    /* All of it revoked: every frame, object and byte of our account comes back. */
    fc_revoke(CRD(CRD_MEM, 0, 0, window_page(frame)), 0, 0);
    fc_revoke(CRD(CRD_OBJ, 0, 2, q), REVOKE_SELF, 0);
    fc_revoke(CRD(CRD_OBJ, 0, 10, sms), REVOKE_SELF, 0);
    fc_revoke(CRD(CRD_OBJ, 0, 1, sm), REVOKE_SELF, 0);          /* sm and mine */
    if (!measured)
        return;                             /* the first round keeps our new tables: nothing to wait for */
    uint64_t frames = 0, objects = 0;
    stats_settled(frames0, objects0, &frames, &objects);
    uint64_t used = used_of(SEL_ROOT_PD);
    check("quota-leak", frames == frames0 && objects == objects0 && used == used0,
           "free frames %lu -> %lu, objects %lu -> %lu, our account %lu -> %lu bytes", frames0, frames, objects0,
           objects, used0, used);
}

void stage_quota(void)
{
    q = sel_alloc(4), m = q + 1, r = q + 2, qpd = q + 3;
    sms = sel_alloc(Q_SMS);
    sm = sel_alloc(2), mine = sm + 1;
    frame = frame_alloc();
    self_page = map_alloc() >> PAGE_SHIFT;
    quota_round();                          /* our own tables are made */
    measured = true;
    quota_round();
}
