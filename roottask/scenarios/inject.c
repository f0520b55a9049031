// SPDX-License-Identifier: MIT
/*
 * scenarios/inject.c — the roottask's own allocations failing in turn (a build with
 * FAIL_INJECTION=1): a Linux workload (a program started, a shell that forks, pipes and
 * execs) runs once per page the roottask allocates for it, with exactly that allocation
 * failing. Each run must end (a status, a signal, a refusal to start: any Linux answer), the
 * roottask must go on, and once the run is torn down the roottask's free pages and the
 * kernel's free frames and objects must be what they were after a warm-up run.
 * scenario=inject+K fails every K-th allocation only, inject+K-S from the S-th on (to look at
 * one); grade/robustness.bats (make check) runs inject+7, `make fuzz` fails every one
 * (docs/architecture.md, "Robustness, tested").
 */
#include <stdio.h>
#include "scenario.h"
#include "proc/process.h"
#include "linux/linux.h"
#include "facet/mem.h"
#include "facet/time.h"

static const char *const environment[] = { "LINUX_UNDER_FACET=1", "PATH=/bin", "HOME=/", "TERM=dumb", NULL };
static const char *const workload[] = { "sh", "-c", "echo a | cat > /dev/null; linux/hello x > /dev/null", NULL };

/* One run of the workload: true if it ended by itself (an exit, a signal, or no start). */
static bool run_once(void)
{
    struct proc *p = linux_spawn("linux/busybox", 3, workload, environment, 0);
    if (!p)
        return true;                                 /* refused to start: the allocation's answer */
    bool ended = proc_start(p, PROC_PRIO) != SUCCESS || proc_wait_ms(p, 20000) == SUCCESS;
    proc_destroy(p);
    return ended;
}

/* The roottask's free pages, the kernel's free frames and objects. */
struct counts { uint64_t pages, frames, objects; };
static struct counts counts_now(void)
{
    struct counts c = { fc_pages_free(), 0, 0 };
    fc_stats(&c.frames, &c.objects);
    return c;
}

static bool counts_equal(struct counts a, struct counts b)
{
    return a.pages == b.pages && a.frames == b.frames && a.objects == b.objects;
}

/* The counts once they are back at base, or after 5 s: a pipeline's last process may end
 * after the shell (an orphan the reaper takes); a leak never comes back. */
static struct counts counts_settled(struct counts base)
{
    struct counts c = counts_now();
    for (unsigned i = 0; i < 1000 && !counts_equal(c, base); i++, c = counts_now())
        fc_sleep_ms(5);
    return c;
}

int scenario_inject(void)
{
    uint64_t len;
    if (!archive_open(&len))
        return 120;
    if (!FC_FAIL_INJECTION_BUILT) {
        printf("[inject] this roottask was built without FAIL_INJECTION=1: nothing can fail on purpose\n");
        return 1;
    }
    unsigned stride = 0, start = 0;
    const char *d = scenario_group;
    for (; *d >= '0' && *d <= '9'; d++)
        stride = stride * 10 + (unsigned)(*d - '0');
    if (*d == '-')
        for (d++; *d >= '0' && *d <= '9'; d++)
            start = start * 10 + (unsigned)(*d - '0');
    stride = stride ? stride : 1;
    start = start ? start : 1;
    run_once();                                      /* warm-up: caches filled, first-use tables made */
    struct counts base = counts_now();
    fc_page_fail_at(~0UL >> 1);
    run_once();
    uint64_t allocations = (~0UL >> 1) - fc_page_fail_at(0);
    printf("[inject] the workload allocates %lu roottask pages; failing each %u-th in turn\n", allocations, stride);
    unsigned runs = 0, hangs = 0, leaks = 0, missed = 0;
    for (uint64_t n = start; n <= allocations; n += stride) {
        fc_page_fail_at(n);
        bool ended = run_once();
        missed += fc_page_fail_at(0) != 0;           /* the run took another path: n never came */
        struct counts now = counts_settled(base);
        bool leaked = !counts_equal(now, base);
        runs++;
        hangs += !ended;
        leaks += leaked;
        if ((!ended || leaked) && hangs + leaks <= 20)
            printf("[inject] allocation %lu: %s; roottask pages %+ld, kernel frames %+ld, objects %+ld\n", n,
                   ended ? "ended" : "did not end", (int64_t)(now.pages - base.pages),
                   (int64_t)(now.frames - base.frames), (int64_t)(now.objects - base.objects));
        if (leaked)
            base = now;                              /* one leak counted once, not in every later run */
        if (runs % 50 == 0)
            printf("[inject] %u runs\n", runs);      /* a slow host must not look idle */
    }
    printf("[inject] %u runs (%u in which the failing allocation never came): %u did not end, %u lost memory\n",
           runs, missed, hangs, leaks);
    bool ok = runs > 0 && !hangs && !leaks;
    printf("[inject] roottask failure injection: %s\n", ok ? "ok" : "FAIL");
    return ok ? 0 : 1;
}
