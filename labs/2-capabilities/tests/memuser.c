// SPDX-License-Identifier: MIT
/* memuser.c — uses memory it was given at APP_SHARED; the roottask checks it and takes it back. */
#include <stdio.h>
#include <stdint.h>
#include "facet/app.h"
#include "facet/thread.h"

int main(uint64_t arg, uint64_t pid);
int main(uint64_t arg, uint64_t pid)
{
    volatile uint64_t *p = (volatile uint64_t *)APP_SHARED;
    if (arg == 1) {
        /* The page was given read-only: reading works, writing faults. */
        uint64_t v = p[0];
        printf("read-only page holds %#lx; now writing\n", v);
        p[1] = v;
        printf("ERROR: wrote a read-only page\n");
        return 1;
    }
    for (unsigned i = 0; i < 512; i++)
        p[i] = pid * 0x100000000ULL + i * i;
    struct utcb *u = fc_utcb();
    u->mr[0] = 512;
    u->head.items = UTCB_ITEMS(1, 0);
    unsigned s = fc_call(APP_SEL_NOTIFY);        /* the roottask checks the page, then revokes it */
    printf("notify: status %u, verdict %lu; touching the page again\n", s, u->mr[0]);
    uint64_t again = p[0];
    printf("ERROR: the revoked page still reads %#lx\n", again);
    return 1;
}
