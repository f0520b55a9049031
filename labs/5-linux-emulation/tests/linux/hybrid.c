// SPDX-License-Identifier: MIT
/* hybrid.c — a Linux program that, under Facet, also calls Facet's echo portal through the NSCT. */
#include <stdio.h>
#include <stdlib.h>
#include "facet/hybrid.h"

int main(void)
{
    if (!getenv("LINUX_UNDER_FACET")) {
        printf("not under Facet: no portals to call\n");
        return 0;
    }
    uint64_t w[4];
    for (unsigned i = 0; i < 4; i++)
        w[i] = i * 100 + 1;
    unsigned s = facet_call(APP_SEL_ECHO, w, 4);
    printf("echo portal via the NSCT: status %u, words %#lx %#lx %#lx %#lx\n", s,
           (unsigned long)w[0], (unsigned long)w[1], (unsigned long)w[2], (unsigned long)w[3]);
    printf("NSCT after the call: %lu; this line is a Linux writev again\n",
           (unsigned long)(facet_utcb()->head.flags & UTCB_NSCT));
    return 0;
}
