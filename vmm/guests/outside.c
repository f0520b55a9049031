// SPDX-License-Identifier: MIT
/* guests/outside.c — a read the guest's page tables allow but its RAM does not hold: the VMM must end the VM. */
#include "lib/guest.h"

#define OUTSIDE 0x20000000ul    /* 512 MiB: inside the 1 GiB identity map, far above the 4 MiB of RAM */

uint64_t guest_main(uint64_t ram_size)
{
    (void)ram_size;
    printf("outside: reading 0x%lx\n", OUTSIDE);
    /* The plain mov r32, [reg] the device uses: a VMM that decodes it reports the address, not the form. */
    (void)mmio_read32(OUTSIDE);
    puts("outside: read returned");
    return 1;
}
