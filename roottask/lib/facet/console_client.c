// SPDX-License-Identifier: MIT
/* lib/facet/console_client.c — the client side of the console service, for the roottask and programs. */
#include <string.h>
#include "facet/thread.h"
#include "facet/console.h"

#define MAX_BYTES ((UTCB_WORDS - 1) * 8)

/* Client side: send s through the console portal pt; SUCCESS or the call's status. */
unsigned console_write(sel_t pt, const char *s)
{
    struct utcb *u = fc_utcb();
    size_t len = strlen(s);
    if (len > MAX_BYTES)
        len = MAX_BYTES;
    u->mr[0] = len;
    memcpy(&u->mr[1], s, len);
    u->head.items = UTCB_ITEMS(1 + (len + 7) / 8, 0);
    unsigned st = fc_call(pt);
    if (st == SUCCESS && u->mr[0] != len)
        st = BAD_PAR;
    return st;
}
