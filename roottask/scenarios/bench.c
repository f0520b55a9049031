// SPDX-License-Identifier: MIT
/* scenarios/bench.c — round-trip costs read with rdtsc: hypercalls, IPC, exceptions, foreign syscalls, VM exits. */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include "scenario.h"
#include "services/services.h"
#include "facet/sort.h"
#include "proc/process.h"
#include "facet/mem.h"
#include "fs/fs.h"
#include "linux/linux.h"
#include "proc/vmm.h"

#define WARMUP 1000
#define MAX_ITER 20000

static uint32_t samples[MAX_ITER];
static unsigned iterations = 10000;
static sel_t bench_pt, echo_pt;

extern uint64_t fault_ud(uint64_t);
extern char fault_ud_at[], fault_ud_resume[];

static void op_nothing(void) { }
static void op_null_hypercall(void) { fc_pt_ctrl(bench_pt, 0); }
static void op_ipc_0w(void) { fc_utcb()->head.items = 0; fc_call(echo_pt); }
static void op_ipc_8w(void) { fc_utcb()->head.items = UTCB_ITEMS(8, 0); fc_call(echo_pt); }
static void op_exception(void) { fault_ud(0); }

/* Time op `iterations` times after a warm-up; the rdtsc pair's own cost is subtracted. */
static void measure(const char *name, void (*op)(void), uint32_t overhead)
{
    for (unsigned i = 0; i < WARMUP; i++)
        op();
    for (unsigned i = 0; i < iterations; i++) {
        uint64_t t0 = fc_rdtsc();
        op();
        uint64_t t1 = fc_rdtsc();
        uint64_t d = t1 - t0;
        samples[i] = (uint32_t)(d > overhead ? d - overhead : 0);
    }
    fc_sort_u32(samples, iterations);
    printf("[bench] %s median=%u min=%u iterations=%u\n", name, samples[iterations / 2], samples[0], iterations);
}

static sel_t scratch_pd;
static uint64_t scratch_page;
static void op_delegate_revoke(void)
{
    fc_delegate(SEL_ROOT_PD, scratch_pd, CRD(CRD_MEM, MEM_R | MEM_W, 0, fc_window_page(scratch_page)),
                CRD(CRD_MEM, MEM_R | MEM_W, 0, 0x100));
    fc_revoke(CRD(CRD_MEM, 0, 0, fc_window_page(scratch_page)), 0, 0);
}

static void skip_ud(uint64_t id, struct utcb *u)
{
    (void)id;
    u->exc.rip = (uint64_t)fault_ud_resume;
}

static void bench_personality(struct proc *p, struct utcb *u)
{
    (void)p;
    u->exc.rax = u->exc.rdi + u->exc.rsi;
    u->exc.mtd = MTD_GPR_ACDB;                   /* what goes back: the result (abi.md, reply) */
}

/* Round trips of every kind, each a median of rdtsc deltas, up to the foreign syscall. */
static int bench_facet(void)
{
    bench_pt = fc_sel_alloc(1);
    echo_pt = fc_sel_alloc(1);
    if (fc_portal_create(bench_pt, 0, 0, echo_handler, 0) != SUCCESS ||
        fc_portal_create(echo_pt, 0, 0, echo_handler, 0) != SUCCESS ||
        fc_portal_create(SEL_EXC_BASE + 6, 0, MTD_RIP_LEN, skip_ud, 6) != SUCCESS) {
        printf("[bench] cannot create the portals\n");
        return 1;
    }
    /* The rdtsc pair alone: its minimum is what every sample also contains. */
    for (unsigned i = 0; i < iterations; i++) {
        uint64_t t0 = fc_rdtsc(), t1 = fc_rdtsc();
        samples[i] = (uint32_t)(t1 - t0);
    }
    fc_sort_u32(samples, iterations);
    uint32_t overhead = samples[0];
    printf("[bench] rdtsc_overhead=%u tsc_khz=%u\n", overhead, fc_hip->tsc_khz);
    (void)op_nothing;
    measure("null_hypercall", op_null_hypercall, overhead);
    measure("ipc_pd_internal", op_ipc_0w, overhead);
    measure("ipc_pd_internal_8w", op_ipc_8w, overhead);
    measure("exception", op_exception, overhead);

    /* Stage 2: a page delegated into another PD and revoked again (with its TLB shootdown). */
    fc_mem_init(fc_hip);
    scratch_pd = fc_sel_alloc(1);
    scratch_page = fc_page_alloc();
    fc_create_pd(scratch_pd, SEL_ROOT_PD, 0, 0);
    measure("delegate_revoke_page", op_delegate_revoke, overhead);

    /* Cross-PD IPC: a program in its own PD calls our echo service and reports its medians. */
    if (fc_hip->num_mods > 1) {
        proc_init((const uint8_t *)(ROOT_MODULE_WINDOW + fc_hip->mod[1].addr), fc_hip->mod[1].size);
        struct proc *p = proc_spawn("ipcbench", 0, 0);
        if (p && proc_start(p, ROOT_PRIO) == SUCCESS) {
            proc_wait(p);
            proc_destroy(p);
        }
        /* Stage 4: a foreign syscall's round trip to a personality (the toy ABI's add). */
        p = proc_spawn_foreign("toyforeign", 2, 0, bench_personality);
        if (p && proc_start(p, ROOT_PRIO) == SUCCESS) {
            proc_wait(p);
            proc_destroy(p);
        }
    }
    /* Stage 3: a hypercall to the VMM and back, timed inside the guest (it prints "bench vm_exit ..."). */
    if (fc_hip->num_mods > 1 && (fc_hip->features & (HIP_FEAT_VMX | HIP_FEAT_SVM)))
        vmm_run("vmbench", 0, 60000, "bench", VMM_FAULT_NONE);
    else
        printf("[bench] vm_exit: no vCPUs on this machine, not measured\n");
    return 0;
}

/*
 * Everything bench_facet measures, and the Linux sysbench program under the personality. On
 * several CPUs (tools/bench's SMP run, in real time rather than instructions) only what needs
 * them: `sysbench smp`, threads on two CPUs.
 */
int scenario_bench(void)
{
    bool smp = fc_hip->num_cpus > 1;
    if (!smp)
        bench_facet();
    else
        fc_mem_init(fc_hip);                         /* what bench_facet would have set up */
    if (fc_hip->num_mods > 1) {
        /* Stage 5: Linux syscalls under the personality, the same binary tools/linux-bench runs
         * on Linux: it prints "sysbench <key> median=... min=..." lines of its own. */
        if (smp)
            proc_init((const uint8_t *)(ROOT_MODULE_WINDOW + fc_hip->mod[1].addr), fc_hip->mod[1].size);
        fs_init((const uint8_t *)(ROOT_MODULE_WINDOW + fc_hip->mod[1].addr), fc_hip->mod[1].size);
        static const char *const argv[] = { "sysbench", NULL }, *const argv_smp[] = { "sysbench", "smp", NULL },
                                 *const envp[] = { "LINUX_UNDER_FACET=1", NULL };
        proc_run(linux_spawn("linux/sysbench", smp ? 2 : 1, smp ? argv_smp : argv, envp, 0), 600000, "bench", "linux/sysbench");
    }
    return 0;
}

/* Facet's own round trips only, VM exits included: for emulators where the Linux part is too slow (Bochs). */
int scenario_bench_vm(void)
{
    return bench_facet();
}
