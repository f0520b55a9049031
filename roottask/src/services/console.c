// SPDX-License-Identifier: MIT
/* src/services/console.c — the console service: a client's text, printed as one tagged line. */
#include <stdio.h>
#include <string.h>
#include "services/services.h"

#define MAX_BYTES ((UTCB_WORDS - 1) * 8)

void console_handler(uint64_t id, struct utcb *u)
{
    unsigned n = UTCB_UNTYPED(u->head.items);
    uint64_t len = n ? u->mr[0] : 0;
    if (n == 0 || len > (uint64_t)(n - 1) * 8) {
        u->mr[0] = (uint64_t)-1;                 /* the words do not hold that many bytes */
        u->head.items = UTCB_ITEMS(1, 0);
        return;
    }
    printf("[console] client %lu: %.*s\n", id, (int)len, (const char *)&u->mr[1]);
    u->mr[0] = len;
    u->head.items = UTCB_ITEMS(1, 0);
}

