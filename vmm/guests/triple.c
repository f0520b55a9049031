// SPDX-License-Identifier: MIT
/* guests/triple.c — a triple fault on purpose: #UD with an empty IDT cannot be delivered, nor can the #DF. */
#include "lib/guest.h"

uint64_t guest_main(uint64_t ram_size)
{
    struct __attribute__((packed)) {
        uint16_t limit;
        uint64_t base;
    } idtr = { 0, 0 };

    (void)ram_size;
    puts("triple: faulting now");
    /*
     * Limit 0: no gate lies inside the IDT, so #UD turns into #GP, that into
     * #DF, and a fault while delivering #DF is a triple fault: the VMM sees
     * the exit and ends the VM.
     */
    __asm__ volatile("lidt %0; ud2" :: "m"(idtr) : "memory");
    puts("triple: still running");
    return 1;
}
