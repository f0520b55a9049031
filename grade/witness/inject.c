// SPDX-License-Identifier: MIT
/* grade/witness/inject.c — every kernel allocation of a workload failing in turn (a FAIL_INJECTION=1 kernel). */
#include "witness.h"

/* ---- inject: every kernel allocation of a workload fails once -------------------------------- */

/*
 * Needs a kernel built with FAIL_INJECTION=1. The workload builds a small world — a sub-PD
 * with memory and a semaphore, a local EC and a portal that is called, a foreign PD, memory
 * delegated to ourselves, four semaphores — and tears it down. Run n makes the n-th kernel
 * allocation of the workload fail, for n = 1, 2, ... until a run makes no more: every call
 * must return SUCCESS or OOM (nothing else, no panic), and after each teardown the kernel's
 * free frames and objects must be what they were.
 */
#define INJ_WIN  64                         /* the workload's selectors */
#define INJ_VA   0x0000650000000000UL
static uint8_t inj_stack[4096] __attribute__((aligned(16)));
static sel_t inj_base;
static uint64_t inj_frames[2];

static unsigned fail_at(uint64_t n, uint64_t *left)
{
    uint64_t a1 = FC_HC(HC_machine_ctrl, MACHINE_CTRL_FAIL_ALLOC, 0);
    return fc_hypercall(a1, n, 0, 0, 0, left);
}

static void inj_echo(uint64_t id, struct utcb *u)
{
    (void)id;
    u->mr[0] += 1;
    u->head.items = UTCB_ITEMS(1, 0);
}

/* The workload: how many calls returned something else than SUCCESS or OOM. */
static unsigned inj_workload(unsigned *ooms)
{
    sel_t sub = inj_base, sm = inj_base + 1, ec = inj_base + 2, pt = inj_base + 3, foreign = inj_base + 4;
    sel_t sms = inj_base + 8;               /* 4, aligned */
    unsigned st[16], k = 0;
    st[k++] = fc_create_pd(sub, SEL_ROOT_PD, 0, 0);
    st[k++] = fc_create_sm(sm, SEL_ROOT_PD, 1);
    st[k++] = fc_delegate(SEL_ROOT_PD, sub, CRD(CRD_MEM, MEM_R | MEM_W, 1, window_page(inj_frames[0])),
                          CRD(CRD_MEM, MEM_R | MEM_W, 1, 0x100));
    st[k++] = fc_delegate(SEL_ROOT_PD, sub, CRD(CRD_OBJ, PERM_CTRL, 0, sm), CRD(CRD_OBJ, PERM_ALL, 0, 10));
    struct handler *h = (struct handler *)(inj_stack + sizeof inj_stack) - 1;
    h->fn = inj_echo;
    h->utcb = (struct utcb *)(INJ_VA + 0x100000);
    st[k++] = fc_create_ec(ec, SEL_ROOT_PD, 0, (uint64_t)h->utcb, (uint64_t)h, 0, false);
    st[k++] = portal(pt, ec, 0, 0);
    root_utcb->mr[0] = 41;
    root_utcb->head.items = UTCB_ITEMS(1, 0);
    unsigned called = fc_call(pt);
    st[k++] = called == SUCCESS && root_utcb->mr[0] != 42 ? ABORT : called == BAD_CAP ? SUCCESS : called;
    st[k++] = fc_create_pd_foreign(foreign, SEL_ROOT_PD, 0x100);
    st[k++] = fc_delegate(SEL_ROOT_PD, foreign, CRD(CRD_OBJ, PERM_EVENT, 0, pt), CRD(CRD_OBJ, PERM_ALL, 0, 0x100));
    st[k++] = self_delegate(CRD(CRD_MEM, MEM_R, 0, window_page(inj_frames[1])), CRD(CRD_MEM, MEM_R, 0, INJ_VA >> PAGE_SHIFT));
    for (unsigned i = 0; i < 4; i++)
        st[k++] = fc_create_sm(sms + i, SEL_ROOT_PD, i);
    unsigned bad = 0;
    for (unsigned i = 0; i < k; i++) {
        /* OOM, or what follows from an earlier one: the object it needed is not there */
        bool ok = st[i] == SUCCESS || st[i] == OOM || st[i] == BAD_CAP;
        bad += !ok;
        *ooms += st[i] == OOM;
    }
    return bad;
}

static void inj_teardown(void)
{
    fc_revoke(CRD(CRD_MEM, 0, 0, window_page(inj_frames[1])), 0, 0);
    fc_revoke(CRD(CRD_MEM, 0, 1, window_page(inj_frames[0])), 0, 0);
    fc_revoke(CRD(CRD_OBJ, 0, 6, inj_base), REVOKE_SELF, 0);
}

void stage_inject(void)
{
    uint64_t left = 0;
    if (fail_at(0, &left) != SUCCESS) {
        verdict("inject", "the kernel has no failure injection (build it with FAIL_INJECTION=1)");
        return;
    }
    inj_base = sel_alloc(INJ_WIN);
    inj_frames[0] = frame_alloc();
    inj_frames[1] = frame_alloc();
    frame_alloc();                          /* the pair of frames 0 and 1 delegated as one order-1 range */
    if (window_page(inj_frames[0]) & 1) {   /* keep the order-1 range aligned */
        inj_frames[0] = inj_frames[1];
        inj_frames[1] = frame_alloc();
    }
    unsigned ooms = 0, bad = inj_workload(&ooms);   /* warm-up: no failure */
    inj_teardown();
    uint64_t frames0 = 0, objects0 = 0;
    fc_stats(&frames0, &objects0);
    unsigned runs = 0, bad_runs = 0, leaks = 0, runs_with_oom = 0;
    char first[96] = "";
    for (uint64_t n = 1; n < 1000; n++) {
        fail_at(n, NULL);
        unsigned o = 0, b = inj_workload(&o);
        fail_at(0, &left);
        inj_teardown();
        uint64_t frames = 0, objects = 0;
        fc_stats(&frames, &objects);
        runs++;
        runs_with_oom += o > 0;
        if ((b || frames != frames0 || objects != objects0) && !first[0])
            snprintf(first, sizeof first, "run %lu: %u wrong statuses, frames %lu -> %lu, objects %lu -> %lu", n, b,
                     frames0, frames, objects0, objects);
        bad_runs += b > 0;
        leaks += frames != frames0 || objects != objects0;
        if (left)
            break;                          /* n is past the workload's last allocation */
    }
    printf("[witness] inject: %u runs, the workload makes %u kernel allocations; %u runs saw OOM\n", runs, runs - 1,
           runs_with_oom);
    expect("inject", !bad && left && !bad_runs && runs_with_oom == runs - 1,
           "warm-up %u; %u runs with another status, %u with OOM of %u; %s", bad, bad_runs, runs_with_oom, runs - 1,
           first);
    expect("inject-leak", !leaks, "%u runs lost frames or objects; %s", leaks, first);
}
