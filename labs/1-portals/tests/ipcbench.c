// SPDX-License-Identifier: MIT
/* ipcbench.c — cross-PD portal round trips to the echo service, 0 and 8 words, rdtsc medians. */
#include <stdio.h>
#include <stdint.h>
#include "facet/app.h"
#include "facet/thread.h"
#include "facet/sort.h"

#define N 10000
static uint32_t samples[N];

static void run(const char *name, unsigned words, uint32_t overhead)
{
    struct utcb *u = fc_utcb();
    for (unsigned i = 0; i < 1000 + N; i++) {
        u->head.items = UTCB_ITEMS(words, 0);
        uint64_t t0 = fc_rdtsc();
        fc_call(APP_SEL_ECHO);
        uint64_t d = fc_rdtsc() - t0;
        if (i >= 1000)
            samples[i - 1000] = (uint32_t)(d > overhead ? d - overhead : 0);
    }
    fc_sort_u32(samples, N);
    printf("bench %s median=%u min=%u iterations=%u\n", name, samples[N / 2], samples[0], N);
}

int main(uint64_t arg, uint64_t pid);
int main(uint64_t arg, uint64_t pid)
{
    (void)arg;
    (void)pid;
    for (unsigned i = 0; i < N; i++) {
        uint64_t t0 = fc_rdtsc(), t1 = fc_rdtsc();
        samples[i] = (uint32_t)(t1 - t0);
    }
    fc_sort_u32(samples, N);
    uint32_t overhead = samples[0];
    run("ipc_cross_pd", 0, overhead);
    run("ipc_cross_pd_8w", 8, overhead);
    return 0;
}
