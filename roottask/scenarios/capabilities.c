// SPDX-License-Identifier: MIT
/* scenarios/capabilities.c — stage 2: programs in their own PDs, delegation, revocation, 1000 processes. */
#include <stdio.h>
#include <string.h>
#include "scenario.h"
#include "facet/time.h"
#include "proc/process.h"
#include "facet/app.h"
#include "facet/mem.h"

/* The userland tar is boot module 1, mapped read-only in our module window. */
static bool userland(const uint8_t **tar, uint64_t *len)
{
    if (fc_hip->num_mods < 2)
        return false;
    *tar = (const uint8_t *)(ROOT_MODULE_WINDOW + fc_hip->mod[1].addr);
    *len = fc_hip->mod[1].size;
    return true;
}

/* Run one program to its end; returns it (still to be destroyed) or NULL. */
/* A program without a shared page asks for a gift: a semaphore, as a typed item. */
static sel_t gift_sm;

/*
 * The notify portal of this scenario's programs: memuser says its page is
 * written (or, without one, asks for a gift), bigmem its 2 MiB. The oracle:
 * memuser says its page is written: check it from our side, then take the page away. */
static void notify(struct proc *p, struct utcb *u)
{
    if (u->mr[0] == 2 && p->large) {
        /* bigmem: both ends of its 2 MiB, then revoke one page in the middle of it. */
        const volatile uint64_t *w = (const volatile uint64_t *)p->large;
        bool first = w[0] == p->id * 1000 + 1, last = w[0x200000 / 8 - 1] == p->id * 1000 + 2;
        unsigned s = fc_revoke(CRD(CRD_MEM, 0, 0, fc_window_page(p->large) + 256), 0, 0);
        printf("[proc] large notify from process %u: first word %s, last word %s; revoked page 256 of it, status %u\n",
               p->id, first ? "right" : "WRONG", last ? "right" : "WRONG", s);
        u->mr[0] = first && last;
        u->head.items = UTCB_ITEMS(1, 0);
        return;
    }
    if (!p->shared) {
        u->mr[0] = 0;
        u->mr[1] = CRD(CRD_OBJ, PERM_CTRL, 0, gift_sm);   /* the item: our semaphore ... */
        u->mr[2] = 3;                                            /* ... at window base + 3 */
        u->head.items = UTCB_ITEMS(1, 1);
        return;
    }
    uint64_t right = 0, n = u->mr[0] > 512 ? 512 : u->mr[0];
    const volatile uint64_t *w = (const volatile uint64_t *)p->shared;
    for (uint64_t i = 0; p->shared && i < n; i++)
        right += w[i] == p->id * 0x100000000ULL + i * i;
    unsigned s = fc_revoke(CRD(CRD_MEM, 0, 0, fc_window_page(p->shared)), 0, 0);
    printf("[proc] notify from process %u: %lu of %lu words right; page revoked, status %u\n",
           p->id, right, n, s);
    u->mr[0] = right;
    u->head.items = UTCB_ITEMS(1, 0);
}

static struct proc *run(const char *name, uint64_t arg, unsigned cpu, unsigned share_perm, uint64_t fill)
{
    struct proc *p = proc_spawn(name, arg, cpu);
    if (!p)
        return NULL;
    if (share_perm && proc_share_page(p, share_perm, fill) != SUCCESS)
        printf("[caps] cannot share a page with %s\n", name);
    unsigned s = proc_start(p, PROC_PRIO);
    if (s != SUCCESS) {
        printf("[caps] cannot start %s: %s\n", name, fc_status_name(s));
        proc_destroy(p);
        return NULL;
    }
    proc_wait(p);
    return p;
}

static void report_end(const char *tag, struct proc *p)
{
    if (!p)
        return;
    printf("[caps] %s: process %u %s status=%lu\n", tag, p->id, proc_state_name(p), p->status);
    proc_destroy(p);
}

/* Can PD `from` still delegate `crd` (one item)? Probe into a scratch PD, then undo. */
static unsigned probe(sel_t from, sel_t scratch, uint64_t crd, uint64_t dst_crd)
{
    unsigned s = fc_delegate(from, scratch, crd, dst_crd);
    if (s == SUCCESS)
        fc_revoke(dst_crd, REVOKE_SELF | REVOKE_REMOTE, scratch);
    return s;
}

/* Which of A, B, C still hold the page and the semaphore (0 = held, 4 = BAD_CAP: gone). */
static void probe_all(const char *label, const sel_t *pds, sel_t scratch, const uint64_t *va)
{
    unsigned m[3], o[3];
    for (int i = 0; i < 3; i++) {
        m[i] = probe(pds[i], scratch, CRD(CRD_MEM, MEM_R, 0, va[i]), CRD(CRD_MEM, MEM_R, 0, 0x50000));
        o[i] = probe(pds[i], scratch, CRD(CRD_OBJ, PERM_ALL, 0, 100), CRD(CRD_OBJ, PERM_ALL, 0, 200));
    }
    printf("[caps] %s: memory A=%u B=%u C=%u objects A=%u B=%u C=%u\n", label, m[0], m[1], m[2], o[0], o[1], o[2]);
}

/* Delegate memory and a semaphore root -> A -> B -> C, then revoke in B and at the root: a probe table. */
static void recursive_revoke(void)
{
    sel_t a = fc_sel_alloc(4), b = a + 1, c = a + 2, scratch = a + 3, sm = fc_sel_alloc(1);
    for (unsigned i = 0; i < 4; i++)
        fc_create_pd(a + i, SEL_ROOT_PD, 0, 0);
    fc_create_sm(sm, SEL_ROOT_PD, 0);
    uint64_t page = fc_page_alloc();
    const uint64_t va[3] = { 0x20000, 0x30000, 0x40000 };       /* page numbers in A, B, C */
    /* Root -> A -> B -> C, for a page and for a semaphore. */
    unsigned s = fc_delegate(SEL_ROOT_PD, a, CRD(CRD_MEM, MEM_R | MEM_W, 0, fc_window_page(page)), CRD(CRD_MEM, MEM_R | MEM_W, 0, va[0]));
    s |= fc_delegate(a, b, CRD(CRD_MEM, MEM_R | MEM_W, 0, va[0]), CRD(CRD_MEM, MEM_R | MEM_W, 0, va[1]));
    s |= fc_delegate(b, c, CRD(CRD_MEM, MEM_R, 0, va[1]), CRD(CRD_MEM, MEM_R | MEM_W, 0, va[2]));
    s |= fc_delegate(SEL_ROOT_PD, a, CRD(CRD_OBJ, PERM_ALL, 0, sm), CRD(CRD_OBJ, PERM_ALL, 0, 100));
    s |= fc_delegate(a, b, CRD(CRD_OBJ, PERM_ALL, 0, 100), CRD(CRD_OBJ, PERM_ALL, 0, 100));
    s |= fc_delegate(b, c, CRD(CRD_OBJ, PERM_ALL, 0, 100), CRD(CRD_OBJ, PERM_ALL, 0, 100));
    printf("[caps] chain root -> A -> B -> C built, status %u\n", s);

    sel_t pds[3] = { a, b, c };
    probe_all("after delegation", pds, scratch, va);
    /* Revoke in B (remote, children only): C loses both, A and B keep them. */
    fc_revoke(CRD(CRD_MEM, 0, 0, va[1]), REVOKE_REMOTE, b);
    fc_revoke(CRD(CRD_OBJ, 0, 0, 100), REVOKE_REMOTE, b);
    probe_all("after revoking in B", pds, scratch, va);
    /* Again B -> C, then revoke at the root: everything derived goes, the root keeps its own. */
    fc_delegate(b, c, CRD(CRD_MEM, MEM_R, 0, va[1]), CRD(CRD_MEM, MEM_R, 0, va[2]));
    fc_delegate(b, c, CRD(CRD_OBJ, PERM_ALL, 0, 100), CRD(CRD_OBJ, PERM_ALL, 0, 100));
    fc_revoke(CRD(CRD_MEM, 0, 0, fc_window_page(page)), 0, 0);
    fc_revoke(CRD(CRD_OBJ, 0, 0, sm), 0, 0);
    probe_all("after revoking at the root", pds, scratch, va);
    printf("[caps] root keeps its own: sm up status %u\n", fc_sm_up(sm));
    /* Revoking ranges that hold nothing is fine. */
    report_status("caps", "revoke_empty_objects", fc_revoke(CRD(CRD_OBJ, 0, 4, 0x1000), REVOKE_SELF, 0));
    report_status("caps", "revoke_empty_memory", fc_revoke(CRD(CRD_MEM, 0, 4, 0x7000000), REVOKE_SELF, 0));
    for (unsigned i = 0; i < 4; i++)
        fc_revoke(CRD(CRD_OBJ, 0, 0, a + i), REVOKE_SELF, 0);
    fc_page_free(page);
}

/* Every bad CRD and delegation gets its status and changes nothing. */
static void bad_delegations(void)
{
    sel_t pd = fc_sel_alloc(1), sm = fc_sel_alloc(1);
    fc_create_pd(pd, SEL_ROOT_PD, 0, 0);
    fc_create_sm(sm, SEL_ROOT_PD, 0);
    uint64_t page = fc_page_alloc(), wp = fc_window_page(page);
#define D(name, src, dst, scrd, dcrd) report_status("bad", name, fc_delegate(src, dst, scrd, dcrd))
    D("crd_null_kind", SEL_ROOT_PD, pd, CRD(CRD_NULL, 0, 0, 0), CRD(CRD_NULL, 0, 0, 0));
    D("crd_kinds_differ", SEL_ROOT_PD, pd, CRD(CRD_MEM, MEM_R, 0, wp), CRD(CRD_OBJ, PERM_ALL, 0, 10));
    D("crd_orders_differ", SEL_ROOT_PD, pd, CRD(CRD_MEM, MEM_R, 0, wp), CRD(CRD_MEM, MEM_R, 1, 0x100));
    D("crd_misaligned", SEL_ROOT_PD, pd, CRD(CRD_MEM, MEM_R, 1, wp | 1), CRD(CRD_MEM, MEM_R, 1, 0x100));
    D("crd_order_beyond_space", SEL_ROOT_PD, pd, CRD(CRD_OBJ, PERM_ALL, 20, 0), CRD(CRD_OBJ, PERM_ALL, 20, 0));
    D("crd_kernel_address", SEL_ROOT_PD, pd, CRD(CRD_MEM, MEM_R, 0, wp), CRD(CRD_MEM, MEM_R, 0, 0xffff800000000UL));
    D("crd_ports_beyond", SEL_ROOT_PD, pd, CRD(CRD_IO, 0, 4, 0xfff8), CRD(CRD_IO, 0, 4, 0xfff8));
    D("source_holds_nothing", pd, SEL_ROOT_PD, CRD(CRD_MEM, MEM_R, 0, 0x100), CRD(CRD_MEM, MEM_R, 0, 0x6000000));
    D("mem_without_read", SEL_ROOT_PD, pd, CRD(CRD_MEM, MEM_W, 0, wp), CRD(CRD_MEM, MEM_W, 0, 0x100));
    D("no_cap_to_destination", SEL_ROOT_PD, fc_sel_alloc(1), CRD(CRD_OBJ, PERM_ALL, 0, sm), CRD(CRD_OBJ, PERM_ALL, 0, 10));
    D("destination_not_a_pd", SEL_ROOT_PD, sm, CRD(CRD_OBJ, PERM_ALL, 0, sm), CRD(CRD_OBJ, PERM_ALL, 0, 10));
    D("ok_first", SEL_ROOT_PD, pd, CRD(CRD_MEM, MEM_R, 0, wp), CRD(CRD_MEM, MEM_R, 0, 0x100));
    D("overlapping_destination", SEL_ROOT_PD, pd, CRD(CRD_MEM, MEM_R, 0, wp), CRD(CRD_MEM, MEM_R, 0, 0x100));
    D("object_slot_taken", SEL_ROOT_PD, pd, CRD(CRD_OBJ, PERM_ALL, 0, sm), CRD(CRD_OBJ, PERM_ALL, 0, 10));
    D("object_slot_taken_again", SEL_ROOT_PD, pd, CRD(CRD_OBJ, PERM_ALL, 0, sm), CRD(CRD_OBJ, PERM_ALL, 0, 10));
    D("large_page", SEL_ROOT_PD, pd, CRD(CRD_MEM, MEM_R, 9, fc_window_page(fc_large_chunk())), CRD(CRD_MEM, MEM_R, 9, 0x40000));
    D("small_page_inside_large", SEL_ROOT_PD, pd, CRD(CRD_MEM, MEM_R, 0, wp), CRD(CRD_MEM, MEM_R, 0, 0x40005));
    D("io_ports", SEL_ROOT_PD, pd, CRD(CRD_IO, 0, 3, 0x3f8), CRD(CRD_IO, 0, 3, 0x3f8));
    D("io_ports_again", SEL_ROOT_PD, pd, CRD(CRD_IO, 0, 3, 0x3f8), CRD(CRD_IO, 0, 3, 0x3f8));
    D("io_renumbered", SEL_ROOT_PD, pd, CRD(CRD_IO, 0, 0, 0x80), CRD(CRD_IO, 0, 0, 0x81));
#undef D
    /* Guest memory beyond 512 GiB: BAD_FTR without vCPUs, BAD_PAR with (never stage 3's EPT code). */
    report_status("bad", "delegate_guest_flag",
                  fc_hypercall(FC_HC(HC_pd_ctrl, PD_CTRL_DELEGATE, SEL_ROOT_PD), pd, CRD(CRD_MEM, MEM_R, 0, wp), DELEGATE_GUEST,
                               CRD(CRD_MEM, MEM_R, 0, 1UL << 27), 0));
    report_status("bad", "pd_ctrl_bad_subop", fc_hypercall(FC_HC(HC_pd_ctrl, 1, SEL_ROOT_PD), pd, 0, 0, 0, 0));
    report_status("bad", "revoke_bad_flags", fc_revoke(CRD(CRD_OBJ, 0, 0, 10), 0x4, 0));
    report_status("bad", "revoke_remote_no_pd", fc_revoke(CRD(CRD_OBJ, 0, 0, 10), REVOKE_REMOTE, sm));
    report_status("bad", "revoke_null_crd", fc_revoke(0, 0, 0));
    fc_revoke(CRD(CRD_OBJ, 0, 0, pd), REVOKE_SELF, 0);
    fc_revoke(CRD(CRD_OBJ, 0, 0, sm), REVOKE_SELF, 0);
    fc_revoke(CRD(CRD_MEM, 0, 0, wp), 0, 0);
    fc_page_free(page);
}

static void thousand(void)
{
    uint64_t f0, o0, f1, o1, pages0, pages1;
    /* A process on every CPU first: each CPU's handlers are made on first use, not leaked. */
    for (unsigned cpu = 0; cpu < fc_hip->num_cpus; cpu++)
        report_end("warm-up", run("quiet", 1, cpu, 0, 0));
    fc_stats(&f0, &o0);
    pages0 = fc_pages_free();
    unsigned wrong = 0, lost = 0;
    for (unsigned i = 0; i < 1000; i++) {
        struct proc *p = run("quiet", i, i % fc_hip->num_cpus, 0, 0);
        if (!p) {
            lost++;
            continue;
        }
        if (p->state != PROC_EXITED || p->status != i * 7 % 128)
            wrong++;
        proc_destroy(p);
        if ((i + 1) % 50 == 0 && i + 1 < 1000)
            printf("[caps] %u processes so far\n", i + 1);
    }
    fc_stats(&f1, &o1);
    pages1 = fc_pages_free();
    printf("[caps] 1000 processes: not started %u, wrong exit status %u\n", lost, wrong);
    printf("[caps] kernel frames free before=%lu after=%lu; kernel objects before=%lu after=%lu; "
           "roottask pages free before=%lu after=%lu\n", f0, f1, o0, o1, pages0, pages1);
}

static void concurrent(void)
{
    if (fc_hip->num_cpus < 2) {
        printf("[caps] concurrent: skipped, 1 CPU\n");
        return;
    }
    struct proc *a = proc_spawn("spin", 20000000, 0), *b = proc_spawn("spin", 20000000, 1);
    if (!a || !b)
        return;
    uint64_t t0 = fc_rdtsc();
    proc_start(a, PROC_PRIO);
    proc_start(b, PROC_PRIO);
    proc_wait(a);
    proc_wait(b);
    uint64_t wall = fc_rdtsc() - t0, ca = 0, cb = 0;
    fc_sc_consumed(proc_sc(a), &ca);
    fc_sc_consumed(proc_sc(b), &cb);
    printf("[caps] concurrent on 2 CPUs: consumed_a=%lu consumed_b=%lu wall=%lu\n", ca, cb, wall);
    proc_destroy(a);
    proc_destroy(b);
}

/*
 * A process killed while it computes on another CPU: that CPU reschedules and
 * idles, and no CPU may keep the dead PD's page tables loaded once they are
 * freed. A memory revoke afterwards makes every CPU reload its page table (a
 * TLB shootdown); the other CPU then runs a program as before.
 */
static void killed_while_running(void)
{
    unsigned cpu = fc_hip->num_cpus - 1;
    if (cpu == 0) {
        printf("[caps] killed while running: skipped, 1 CPU\n");
        return;
    }
    struct proc *p = proc_spawn("spin", ~0UL, cpu);
    if (!p || proc_start(p, PROC_PRIO) != SUCCESS) {
        if (p)
            proc_destroy(p);
        return;
    }
    sel_t tick = fc_sel_alloc(1);
    fc_create_sm(tick, SEL_ROOT_PD, 0);
    uint64_t used = 0, deadline = fc_deadline_ms(10000);
    while (!used && (!deadline || fc_rdtsc() < deadline)) {      /* until it has run on its CPU */
        fc_sm_down(tick, fc_rdtsc() + fc_hip->tsc_khz);
        fc_sc_consumed(proc_sc(p), &used);
    }
    proc_destroy(p);
    report_end("after_kill_revoke", run("memuser", 0, 0, MEM_R | MEM_W, 0));
    report_end("after_kill_same_cpu", run("hello", 5, cpu, 0, 0));
    printf("[caps] killed while running on CPU %u: it had run %s\n", cpu, used ? "yes" : "no");
    fc_revoke(CRD(CRD_OBJ, 0, 0, tick), REVOKE_SELF, 0);
}

/*
 * A handler whose client dies while it runs: the kernel abandons its invocation (chain_abort)
 * and it must do nothing more. The client T calls a portal whose handler spins on CPU 1; T's
 * EC is revoked meanwhile (its SC lives on); then the handler goes on to a down on semaphore
 * S. The kernel must stop it there: had the down queued it, S's next up would go to an EC
 * that never runs again (its SC's chain ends in a dead EC) and a real waiter W would miss it.
 * A race once seen only under load (a process's lock lost a wake-up and its threads hung);
 * here in order, every boot.
 */
static volatile int ab_running, ab_go, ab_down_done, ab_w_done;
static volatile unsigned ab_w_status;
static sel_t ab_sm, ab_pt;

static void ab_handler(uint64_t id, struct utcb *u)
{
    (void)id;
    (void)u;
    ab_running = 1;
    while (!ab_go)
        __asm__ volatile("pause");
    fc_sm_down(ab_sm, 0);                         /* must not queue: its invocation is gone */
    ab_down_done = 1;
}

static void ab_client(void *arg)
{
    (void)arg;
    fc_call(ab_pt);
    for (;;)
        fc_sm_down(ab_sm, 0);                     /* not reached: revoked in the call */
}

static void ab_waiter(void *arg)
{
    (void)arg;
    ab_w_status = fc_sm_down(ab_sm, fc_deadline_ms(2000));
    ab_w_done = 1;
    for (;;)
        fc_sleep_ms(1000);
}

static void abandoned_handler(void)
{
    if (fc_hip->num_cpus < 2) {
        printf("[caps] abandoned handler: skipped, 1 CPU\n");
        return;
    }
    sel_t h_ec, tick = fc_sel_alloc(1);
    struct fc_thread *t = NULL, *w = NULL;
    ab_sm = fc_sel_alloc(1);
    ab_pt = fc_sel_alloc(1);
    unsigned st = fc_create_sm(ab_sm, SEL_ROOT_PD, 0);
    st = st ? st : fc_create_sm(tick, SEL_ROOT_PD, 0);
    st = st ? st : fc_handler_create(1, ab_handler, &h_ec);
    st = st ? st : fc_portal_bind(ab_pt, h_ec, 0, 0);
    st = st ? st : fc_thread_create(1, ROOT_PRIO, ab_client, NULL, &t);
    uint64_t deadline = fc_deadline_ms(5000);
    while (!st && !ab_running && fc_rdtsc() < deadline)
        fc_sm_down(tick, fc_rdtsc() + fc_hip->tsc_khz);
    if (st || !ab_running) {
        printf("[caps] abandoned handler: no set-up (%s)\n", st ? fc_status_name(st) : "the handler never ran");
        return;
    }
    fc_revoke(CRD(CRD_OBJ, 0, 0, t->ec), REVOKE_SELF, 0);   /* the client goes, its SC stays */
    ab_go = 1;
    fc_sm_down(tick, fc_rdtsc() + 50 * (uint64_t)fc_hip->tsc_khz);
    st = fc_thread_create(0, ROOT_PRIO, ab_waiter, NULL, &w);
    fc_sm_down(tick, fc_rdtsc() + 50 * (uint64_t)fc_hip->tsc_khz);
    fc_sm_up(ab_sm);                              /* for the waiter */
    deadline = fc_deadline_ms(5000);
    while (!st && !ab_w_done && fc_rdtsc() < deadline)
        fc_sm_down(tick, fc_rdtsc() + fc_hip->tsc_khz);
    printf("[caps] abandoned handler: it went on past its down: %s; the waiter's down: %s\n",
           ab_down_done ? "yes" : "no", ab_w_done ? fc_status_name(ab_w_status) : "never returned");
    fc_revoke(CRD(CRD_OBJ, 0, 0, t->sc), REVOKE_SELF, 0);
    if (w)
        fc_revoke(CRD(CRD_OBJ, 0, 0, w->ec), REVOKE_SELF, 0), fc_revoke(CRD(CRD_OBJ, 0, 0, w->sc), REVOKE_SELF, 0);
    fc_revoke(CRD(CRD_OBJ, 0, 0, ab_pt), REVOKE_SELF, 0);
    fc_revoke(CRD(CRD_OBJ, 0, 0, h_ec), REVOKE_SELF, 0);
    fc_revoke(CRD(CRD_OBJ, 0, 0, ab_sm), REVOKE_SELF, 0);
    fc_revoke(CRD(CRD_OBJ, 0, 0, tick), REVOKE_SELF, 0);
}

/* What both capabilities scenarios start with: the memory pool and the process manager. */
static bool caps_init(void)
{
    const uint8_t *tar;
    uint64_t len;
    if (!userland(&tar, &len)) {
        printf("[caps] no userland archive\n");
        return false;
    }
    fc_mem_init(fc_hip);
    proc_init(tar, len);
    return true;
}

/*
 * The stress group of stage 2 in a boot of its own (scenario=capabilities-many), so a
 * slow or hung run of it costs only its own tests: 1000 processes and what they leave.
 */
int scenario_caps_many(void)
{
    if (!caps_init())
        return 1;
    thousand();
    return 0;
}

/* Stage 2: programs in their own PDs, what they may and may not do, and their teardown. */
int scenario_caps(void)
{
    if (!caps_init())
        return 1;
    gift_sm = fc_sel_alloc(1);
    fc_create_sm(gift_sm, SEL_ROOT_PD, 0);
    proc_set_notify(notify);
    printf("[caps] roottask memory: %lu pages\n", fc_pages_free());

    report_end("hello", run("hello", 5, 0, 0, 0));
    report_end("echo_client", run("echo_client", 8, fc_hip->num_cpus - 1, 0, 0));
    printf("[caps] gift semaphore count after the client's up: down status %u\n", fc_sm_down(gift_sm, 1));
    report_end("memuser", run("memuser", 0, 0, MEM_R | MEM_W, 0));
    report_end("memuser_readonly", run("memuser", 1, 0, MEM_R, 0xfeed));
    /* 2 MiB as one large page: revoking any part of it takes all of it. */
    struct proc *big = proc_spawn("bigmem", 0, 0);
    if (big) {
        report_status("caps", "delegate_2mib_large_page", proc_share_large(big, fc_large_chunk(), MEM_R | MEM_W));
        if (proc_start(big, PROC_PRIO) == SUCCESS)
            proc_wait(big);
        report_end("bigmem", big);
    }
    /* The violator also gets a portal capability with every right but CALL. */
    struct proc *v = proc_spawn("violator", 1, 0);
    if (v) {
        report_status("caps", "delegate_portal_without_call",
                      fc_delegate(SEL_ROOT_PD, proc_pd(v), CRD(CRD_OBJ, PERM_ALL, 0, proc_echo_portal(0)),
                                  CRD(CRD_OBJ, PERM_ALL & ~PERM_CALL, 0, APP_SEL_NOCALL)));
        if (proc_start(v, PROC_PRIO) == SUCCESS)
            proc_wait(v);
        report_end("violator", v);
    }
    report_end("missing", run("no-such-program", 0, 0, 0, 0));
    recursive_revoke();
    bad_delegations();
    concurrent();
    killed_while_running();
    abandoned_handler();
    return 0;
}
