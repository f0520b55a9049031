// SPDX-License-Identifier: MIT
/* scenarios/syscall_redirection.c — stage 4: the flexible system-call layer with a toy foreign ABI. */
#include <stdio.h>
#include <string.h>
#include "scenario.h"
#include "facet/time.h"
#include "proc/process.h"
#include "facet/app.h"
#include "facet/mem.h"
#include "facet/spin.h"
#include "facet/lab.h"

static volatile uint64_t toy_calls;
static volatile int toy_lock;           /* what toy call 3 holds, as a real service holds its locks */
static sel_t toy_inside;                /* upped by toy call 3 while it holds toy_lock */

/*
 * The toy personality: the toy ABI's meaning of a foreign syscall, from the caller's state in
 * u->exc (labs/4-syscall-redirection/README.md, "The toy foreign ABI"); it counts the calls.
 */
static void toy_personality(struct proc *p, struct utcb *u)
{
    /* LAB syscall-redirection BEGIN: count the call; 1: add, 2: xor of the state (r12, r13 written back), 3: hold toy_lock 20 ms, else log it, -38 (docs: labs/4-syscall-redirection/README.md#toy) */
    struct utcb_exc *x = &u->exc;
    toy_calls++;
    switch (x->rax) {
    case 1:
        x->rax = x->rdi + x->rsi;
        break;
    case 2:
        x->rax = x->r8 ^ x->r9 ^ x->r10 ^ x->r12 ^ x->r13 ^ x->r14 ^ x->r15 ^ x->rbx;
        x->r12 = 0x1212;
        x->r13 = 0x1313;
        break;
    case 3:
        fc_spin_lock(&toy_lock);
        fc_sm_up(toy_inside);
        fc_sleep_ms(20);
        fc_spin_unlock(&toy_lock);
        x->rax = 0;
        break;
    default:
        printf("[toy] process %u: unknown toy syscall %lu at rip %#lx\n", p->id, x->rax, x->rip);
        x->rax = (uint64_t)-38;
        break;
    }
    //@ (void)p;
    //@ (void)u;
    //@ LAB_TODO("syscall-redirection: the toy personality (toy_personality)");
    /* LAB syscall-redirection END */
}

/*
 * A process torn down while its call holds a lock of the personality: the
 * handler runs on the process's SC, so the teardown must wait until the
 * handler lets go, or the lock stays taken for ever.
 */
static void torn_down_in_call(void)
{
    toy_inside = fc_sel_alloc(1);
    fc_create_sm(toy_inside, SEL_ROOT_PD, 0);
    struct proc *p = proc_spawn_foreign("toyforeign", 3, fc_hip->num_cpus - 1, toy_personality);
    if (!p)
        return;
    unsigned s = proc_start(p, PROC_PRIO);
    if (s == SUCCESS)
        s = fc_sm_down(toy_inside, fc_deadline_ms(5000));
    proc_destroy(p);
    bool taken = __atomic_exchange_n(&toy_lock, 1, __ATOMIC_ACQUIRE);
    if (!taken)
        fc_spin_unlock(&toy_lock);
    printf("[sysredir] torn down during a call: in the call %s, its lock %s after the teardown\n",
           s == SUCCESS ? "yes" : "no", taken ? "abandoned" : "free");
}

/*
 * toyforeign's argument for a mix of toy calls drawn from the boot's seed: 1 to 8 adds (1),
 * 0 to 3 calls of 99, 1 to 4 of one number in 100..511, 0 to 3 of one in 512..4607. What
 * a count per syscall number should show for it (the optional challenge 1 of the handout;
 * grade/challenges/4-syscall-redirection.bats draws the same).
 */
static uint64_t count_mix(uint64_t seed)
{
    uint64_t adds = 1 + (seed & 7), n99 = seed >> 3 & 3, k = 100 + (seed >> 5 & 0x1ff) % 412;
    uint64_t nk = 1 + (seed >> 14 & 3), large = 512 + (seed >> 16 & 0xfff), nl = seed >> 28 & 3;
    return 5 | adds << 8 | n99 << 12 | nk << 16 | k << 20 | nl << 32 | large << 36;
}

int scenario_sysredir(void)
{
    if (fc_hip->num_mods < 2)
        return 1;
    fc_mem_init(fc_hip);
    proc_init((const uint8_t *)(ROOT_MODULE_WINDOW + fc_hip->mod[1].addr), fc_hip->mod[1].size);

    /* Waits are upper bounds (x the host's time scale): a starved host prints slowly. */
    proc_run(proc_spawn_foreign("toyforeign", 0, fc_hip->num_cpus - 1, toy_personality), 10000, "sysredir", "foreign");
    printf("[sysredir] the personality handled %lu toy calls\n", toy_calls);
    /* The same binary in a native PD: its syscalls are hypercalls (numbers from rdi: BAD_HYP). */
    proc_run(proc_spawn("toyforeign", 1, 0), 10000, "sysredir", "native");
    /* A foreign PD with no portal for its syscalls: its first one kills it, the system goes on
     * (it never finishes: the wait only gives the kill time to happen). */
    proc_run(proc_spawn_foreign("toyforeign", 0, 0, NULL), 500, "sysredir", "foreign without a portal");
    torn_down_in_call();
    /* A foreign process's fault is not a syscall: the process manager reports it and ends it. */
    proc_run(proc_spawn_foreign("toyforeign", 4, fc_hip->num_cpus - 1, toy_personality), 3000, "sysredir",
             "foreign fault");                   /* short: a fault that loops floods the log */
    proc_run(proc_spawn_foreign("toyforeign", count_mix(scenario_seed), fc_hip->num_cpus - 1, toy_personality),
             10000, "sysredir", "mix of calls");

    sel_t pd = fc_sel_alloc(1);
    report_status("sysredir", "create_pd_foreign_base_beyond_space", fc_create_pd_foreign(pd, SEL_ROOT_PD, SEL_MAX));
    report_status("sysredir", "create_pd_unknown_flag", fc_create_pd(pd, SEL_ROOT_PD, 0, 0x4));
    return 0;
}
