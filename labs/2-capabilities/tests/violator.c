// SPDX-License-Identifier: MIT
/* violator.c — tries what it was never given: each attempt must fail or fault, contained. */
#include <stdio.h>
#include <stdint.h>
#include "facet/app.h"
#include "facet/thread.h"

int main(uint64_t arg, uint64_t pid);
int main(uint64_t arg, uint64_t pid)
{
    (void)pid;
    /* A portal selector it does not hold. */
    printf("call an unknown portal: status %u\n", fc_call(200));
    /* A portal it holds, but without the right to call it. */
    fc_utcb()->head.items = 0;
    printf("call a portal without the call right: status %u\n", fc_call(APP_SEL_NOCALL));
    /* Its own page-fault portal: held for events only (PERM_EVENT), so no fault can be faked. */
    printf("call its own page-fault portal: status %u\n", fc_call(APP_SEL_EVENTS + 14));
    /* Create an object: it holds no capability to any PD. */
    printf("create a semaphore: status %u\n", fc_create_sm(APP_SEL_FIRST, 0, 0));
    /* Map memory: it holds no PD capability to delegate with. */
    printf("delegate memory: status %u\n",
           fc_delegate(0, 0, CRD(CRD_MEM, MEM_R | MEM_W, 0, 0x400), CRD(CRD_MEM, MEM_R | MEM_W, 0, 0x500)));
    /* Power off the machine: only passthrough PDs may. */
    printf("poweroff: status %u\n", fc_poweroff(0));
    /* Revoke the console portal in its own space, then use it: nothing printed from here on. */
    if (arg == 1) {
        /* Touch an I/O port it was never given: #GP, the roottask reports and ends the process. */
        __asm__ volatile("outb %%al, $0x80" :: "a"(0));
        printf("ERROR: the port write went through\n");
    }
    return 0;
}
