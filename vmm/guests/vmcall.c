// SPDX-License-Identifier: MIT
/* guests/vmcall.c — 1000 ping hypercalls: each must answer rbx + 1; also how long a round trip takes. */
#include "lib/guest.h"

#define ROUNDS 1000

uint64_t guest_main(uint64_t ram_size)
{
    uint64_t bad = 0;

    (void)ram_size;
    uint64_t t0 = rdtsc();
    for (uint64_t i = 0; i < ROUNDS; i++)
        if (vmcall(HC_PING, i) != i + 1)
            bad++;
    uint64_t t1 = rdtsc();

    /* Expected: vmcall: 1000 round trips, 0 mismatches (ROUNDS, and pings with rax != rbx + 1). */
    printf("vmcall: %u round trips, %lu mismatches\n", ROUNDS, bad);
    /* Informative only, not graded: TSC ticks between the two rdtsc / ROUNDS. */
    printf("vmcall: %lu cycles per round trip\n", (t1 - t0) / ROUNDS);
    return bad;
}
