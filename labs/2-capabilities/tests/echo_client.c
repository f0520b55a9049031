// SPDX-License-Identifier: MIT
/* echo_client.c — calls the roottask's echo service across PDs with words and a typed item. */
#include <stdio.h>
#include <stdint.h>
#include "facet/app.h"
#include "facet/thread.h"

#define ECHO_XOR 0x5a5a5a5a5a5a5a5aULL

int main(uint64_t arg, uint64_t pid);
int main(uint64_t arg, uint64_t pid)
{
    (void)pid;
    struct utcb *u = fc_utcb();
    unsigned n = (unsigned)arg, bad = 0;
    for (unsigned i = 0; i < n; i++)
        u->mr[i] = i * 1000 + 7;
    u->head.items = UTCB_ITEMS(n, 0);
    unsigned s = fc_call(APP_SEL_ECHO);
    for (unsigned i = 0; s == SUCCESS && i < n; i++)
        if (u->mr[i] != (((i * 1000 + 7) ^ ECHO_XOR) + i))
            bad++;
    printf("echo across PDs: %u words, status %u, %u wrong\n", n, s, bad);

    /* A typed item: the roottask's notify reply delegates a semaphore into our receive window. */
    u->head.del = CRD(CRD_OBJ, PERM_ALL, 4, APP_SEL_RECV);
    u->mr[0] = 0;
    u->head.items = UTCB_ITEMS(1, 0);
    unsigned g = fc_call(APP_SEL_NOTIFY);
    unsigned items = UTCB_TYPED(u->head.items);
    uint64_t crd = u->mr[1];
    unsigned up = fc_sm_up(APP_SEL_RECV + 3), empty = fc_sm_up(APP_SEL_RECV + 4);
    printf("typed item: status %u, items %u, landed at selector %lu, up %u, neighbour %u\n",
           g, items, CRD_BASE(crd), up, empty);
    return s == SUCCESS && bad == 0 ? 0 : 1;
}
