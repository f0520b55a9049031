// SPDX-License-Identifier: MIT
/* src/services/echo.c — the echo service: returns the words it got, transformed, for IPC tests and benchmarks. */
#include "services/services.h"

volatile uint64_t echo_served;

void echo_handler(uint64_t id, struct utcb *u)
{
    (void)id;
    unsigned n = UTCB_UNTYPED(u->head.items);
    for (unsigned i = 0; i < n; i++)
        u->mr[i] = (u->mr[i] ^ ECHO_XOR) + i;
    u->head.items = UTCB_ITEMS(n, 0);
    echo_served++;
}
