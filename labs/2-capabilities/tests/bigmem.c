// SPDX-License-Identifier: MIT
/* bigmem.c — uses 2 MiB it was given at APP_SHARED in one large page; the roottask checks both
 * ends, revokes one 4 KiB page in the middle, and the first page is gone too: one 2 MiB mapping. */
#include <stdio.h>
#include <stdint.h>
#include "facet/app.h"
#include "facet/thread.h"

#define WORDS (0x200000 / 8)

int main(uint64_t arg, uint64_t pid);
int main(uint64_t arg, uint64_t pid)
{
    (void)arg;
    volatile uint64_t *p = (volatile uint64_t *)APP_SHARED;
    p[0] = pid * 1000 + 1;
    p[WORDS - 1] = pid * 1000 + 2;
    struct utcb *u = fc_utcb();
    u->mr[0] = 2;                                  /* "check my 2 MiB" */
    u->head.items = UTCB_ITEMS(1, 0);
    u->head.flags |= UTCB_NSCT;
    unsigned s = fc_call(APP_SEL_NOTIFY);
    printf("large notify: status %u, verdict %lu; touching the first page again\n", s, u->mr[0]);
    uint64_t again = p[0];
    printf("ERROR: the first page survived the revoke (%#lx): not one 2 MiB mapping\n", again);
    return 1;
}
