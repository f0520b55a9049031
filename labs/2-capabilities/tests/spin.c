// SPDX-License-Identifier: MIT
/* spin.c — a long computation; it reports when it ran (TSC) so overlap can be checked. */
#include <stdio.h>
#include <stdint.h>
#include "facet/thread.h"

int main(uint64_t arg, uint64_t pid);
int main(uint64_t arg, uint64_t pid)
{
    uint64_t t0 = fc_rdtsc(), x = pid;
    for (uint64_t i = 0; i < arg; i++)
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    uint64_t t1 = fc_rdtsc();
    printf("spin done: start=%lu end=%lu value=%#lx\n", t0, t1, x);
    return 0;
}
