// SPDX-License-Identifier: MIT
/* src/linux/sched.c — CPUs and the scheduler (affinity, getcpu, yield), what processes used (getrusage), the system (sysinfo), membarrier. */
#include "linux/linux.h"
#include "facet/mem.h"

#define NS_PER_S 1000000000UL

/* sched_yield: the caller's time slice goes on; a Facet SC is preempted at its quantum anyway. */
int64_t lx_sched_yield(struct linux_proc *lp, struct utcb_exc *x)
{
    (void)lp;
    (void)x;
    return 0;
}

/* ---- affinity: every CPU the HIP names, and the process's own ---- */

/* The CPUs a process may run on: those of the HIP (at most 64: one word, as a kernel built
 * for 64 CPUs reports them). */
static uint64_t cpus_online(void)
{
    unsigned n = fc_hip->num_cpus < 64 ? fc_hip->num_cpus : 64;
    return n == 64 ? ~0UL : (1UL << n) - 1;
}

/* The process pid names for the scheduler calls: 0 the caller; NULL: none (-ESRCH). */
static struct linux_proc *task_of(struct linux_proc *lp, int64_t pid)
{
    return pid == 0 ? lp : pid > 0 ? lx_find(pid) : NULL;
}

/* sched_getaffinity: the mask's size in bytes (one word), as the kernel returns it; glibc and
 * musl clear the rest of the caller's buffer. */
int64_t lx_sched_getaffinity(struct linux_proc *lp, struct utcb_exc *x)
{
    uint64_t len = x->rsi, mask = cpus_online();
    if (len * 8 < fc_hip->num_cpus || (len & 7))
        return -LX_EINVAL;
    if (!task_of(lp, (int32_t)x->rdi))
        return -LX_ESRCH;
    return proc_write(lp->p, x->rdx, &mask, sizeof mask) ? (int64_t)sizeof mask : -LX_EFAULT;
}

/* sched_setaffinity: checked as Linux checks it, then kept nowhere: a process stays on its CPU. */
int64_t lx_sched_setaffinity(struct linux_proc *lp, struct utcb_exc *x)
{
    uint64_t mask = 0, len = x->rsi < sizeof mask ? x->rsi : sizeof mask;
    if (len && !proc_read(lp->p, &mask, x->rdx, len))
        return -LX_EFAULT;
    if (!task_of(lp, (int32_t)x->rdi))
        return -LX_ESRCH;
    return mask & cpus_online() ? 0 : -LX_EINVAL;
}

/* getcpu: the CPU the calling thread runs on (its handler runs there too: portals are bound
 * to a handler on the caller's CPU), NUMA node 0 (either pointer may be NULL). */
int64_t lx_getcpu(struct linux_proc *lp, struct utcb_exc *x)
{
    uint32_t cpu = fc_self()->cpu, node = 0;
    if (x->rdi && !proc_write(lp->p, x->rdi, &cpu, sizeof cpu))
        return -LX_EFAULT;
    return !x->rsi || proc_write(lp->p, x->rsi, &node, sizeof node) ? 0 : -LX_EFAULT;
}

/* ---- what processes used: getrusage, wait4's rusage ---- */

#define RUSAGE_SELF     0
#define RUSAGE_CHILDREN (-1)
#define RUSAGE_BOTH     (-2)
#define RUSAGE_THREAD   1

/* The TSC ticks t's SC has run (its handlers' work for it included: they run on its SC). */
static uint64_t cpu_ticks(const struct linux_proc *t)
{
    uint64_t ticks = 0;
    fc_sc_consumed(proc_sc(t->p), &ticks);
    return ticks;
}

static struct lx_timeval timeval_of(uint64_t ticks)
{
    uint64_t us = lx_ns(ticks) / 1000;
    return (struct lx_timeval){ (int64_t)(us / 1000000), (int64_t)(us % 1000000) };
}

/*
 * The CPU time is all user time (ru_stime 0): the SC's consumption does not tell the two
 * apart. ru_maxrss is the pages it has now, in KiB (for the children: the largest of theirs).
 */
bool lx_rusage_put(struct linux_proc *lp, struct linux_proc *t, int who, uint64_t va)
{
    uint64_t ticks = 0, rss = 0;
    if (who != RUSAGE_CHILDREN) {
        ticks += cpu_ticks(t);
        rss = t->p->npages * (PAGE_SIZE / 1024);
    }
    if (who == RUSAGE_CHILDREN || who == RUSAGE_BOTH) {
        ticks += t->child_ticks;
        rss = rss > t->child_maxrss ? rss : t->child_maxrss;
    }
    struct lx_rusage ru = { .ru_utime = timeval_of(ticks), .ru_maxrss = (int64_t)rss };
    return proc_write(lp->p, va, &ru, sizeof ru);
}

void lx_rusage_reaped(struct linux_proc *lp, struct linux_proc *c)
{
    uint64_t rss = c->p->npages * (PAGE_SIZE / 1024);
    lp->child_ticks += cpu_ticks(c) + c->child_ticks;
    rss = rss > c->child_maxrss ? rss : c->child_maxrss;
    lp->child_maxrss = rss > lp->child_maxrss ? rss : lp->child_maxrss;
}

/* getrusage: the caller's (its thread's: the same), or its waited-for children's. */
int64_t lx_getrusage(struct linux_proc *lp, struct utcb_exc *x)
{
    int32_t who = (int32_t)x->rdi;
    if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN && who != RUSAGE_THREAD)
        return -LX_EINVAL;
    return lx_rusage_put(lp, lp, who == RUSAGE_THREAD ? RUSAGE_SELF : who, x->rsi) ? 0 : -LX_EFAULT;
}

/* ---- the system ---- */

/* sysinfo: the time since the boot (rounded up, as Linux's), the RAM the HIP reports and the
 * roottask's free pages, the Linux processes; no load, no swap. */
int64_t lx_sysinfo(struct linux_proc *lp, struct utcb_exc *x)
{
    uint64_t up = lx_clock_ns(1);
    unsigned slot = 0, procs = 0;
    while (lx_next(&slot))
        procs++;
    struct lx_sysinfo si = {
        .uptime = (int64_t)(up / NS_PER_S + !!(up % NS_PER_S)),
        .totalram = fc_hip->mem_total, .freeram = fc_pages_free() * PAGE_SIZE,
        .procs = (uint16_t)procs, .mem_unit = 1,
    };
    si.freeram = si.freeram < si.totalram ? si.freeram : si.totalram;
    return proc_write(lp->p, x->rdi, &si, sizeof si) ? 0 : -LX_EFAULT;
}

/*
 * membarrier: every command of Linux 6.1 but the RSEQ ones is answered (a barrier on every
 * CPU the process runs on: its one handler's return is one already). The private expedited
 * ones need their registration first, as on Linux (-EPERM); a fork's child has none.
 */
#define MEMBARRIER_CMD_QUERY                                 0
#define MEMBARRIER_CMD_GLOBAL                                (1 << 0)
#define MEMBARRIER_CMD_GLOBAL_EXPEDITED                      (1 << 1)
#define MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED             (1 << 2)
#define MEMBARRIER_CMD_PRIVATE_EXPEDITED                     (1 << 3)
#define MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED            (1 << 4)
#define MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE           (1 << 5)
#define MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE  (1 << 6)
#define MEMBARRIER_SUPPORTED 0x7f                    /* QUERY's answer: the seven above */

int64_t lx_membarrier(struct linux_proc *lp, struct utcb_exc *x)
{
    uint32_t cmd = (uint32_t)x->rdi;
    if ((uint32_t)x->rsi)
        return -LX_EINVAL;                           /* flags: MEMBARRIER_CMD_FLAG_CPU is RSEQ's only */
    switch (cmd) {
    case MEMBARRIER_CMD_QUERY:
        return MEMBARRIER_SUPPORTED;
    case MEMBARRIER_CMD_GLOBAL:
    case MEMBARRIER_CMD_GLOBAL_EXPEDITED:
        return 0;
    case MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED:
    case MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED:
    case MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE:
        lp->membarrier |= cmd;
        return 0;
    case MEMBARRIER_CMD_PRIVATE_EXPEDITED:
    case MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE:
        return lp->membarrier & (cmd << 1) ? 0 : -LX_EPERM;
    default:
        return -LX_EINVAL;
    }
}
