// SPDX-License-Identifier: MIT
/* guests/hello.c — the first guest: a greeting, the VMM's CPUID signature and bits, the RAM size. */
#include "lib/guest.h"

#define CPUID_HV_LEAF   0x40000000u
#define CPUID1_ECX_VMX  (1u << 5)
#define CPUID1_ECX_HV   (1u << 31)

uint64_t guest_main(uint64_t ram_size)
{
    puts("hello from guest");

    /* ebx ecx edx hold the 12-byte signature, "FacetVMM    " (four spaces). */
    struct cpuid_regs r = cpuid(CPUID_HV_LEAF, 0);
    uint32_t sig[4] = { r.b, r.c, r.d, 0 };
    /* Quoted, so the trailing spaces show: signature: "FacetVMM    " */
    printf("signature: \"%s\"\n", (const char *)sig);

    /* Expected: cpuid.1: hypervisor 1 vmx 0 (the VMM sets ecx bit 31 and clears bit 5). */
    r = cpuid(1, 0);
    printf("cpuid.1: hypervisor %u vmx %u\n", (r.c & CPUID1_ECX_HV) ? 1 : 0, (r.c & CPUID1_ECX_VMX) ? 1 : 0);

    /* ram: <rdi / 1024> KiB; 4 MiB gives "ram: 4096 KiB". */
    printf("ram: %lu KiB\n", ram_size >> 10);
    return 0;
}
