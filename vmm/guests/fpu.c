// SPDX-License-Identifier: MIT
/* guests/fpu.c — the guest's FPU and SSE registers are its own: they survive exits whose handler uses the FPU. */
#include "lib/guest.h"

#define ROUNDS 100
#define CR4_OSFXSR (1UL << 9)

/*
 * xmm0..xmm7 get a pattern and the x87 stack two values; then ROUNDS times a
 * VMCALL whose handler in the VMM loads other values into the same registers
 * (function HC_CLOBBER_FPU) before it replies. The kernel must keep the
 * guest's state apart from the VMM's: afterwards every register still holds
 * what the guest put there. Prints "fpu: N of N rounds kept xmm0-7 and x87".
 */
static int check_round(uint64_t seed)
{
    uint64_t in[16], out[16];
    for (unsigned i = 0; i < 16; i++)
        in[i] = seed * 0x9E3779B97F4A7C15UL + i;
    __asm__ volatile("movdqu 0(%0), %%xmm0\n\t movdqu 16(%0), %%xmm1\n\t movdqu 32(%0), %%xmm2\n\t"
                     "movdqu 48(%0), %%xmm3\n\t movdqu 64(%0), %%xmm4\n\t movdqu 80(%0), %%xmm5\n\t"
                     "movdqu 96(%0), %%xmm6\n\t movdqu 112(%0), %%xmm7"
                     :: "r"(in) : "memory");   /* -mno-sse: the compiler uses no xmm register itself */
    uint32_t a = (uint32_t)seed + 3, b = 7;
    __asm__ volatile("fninit\n\t fildl %0\n\t fildl %1" :: "m"(a), "m"(b));
    vmcall(HC_CLOBBER_FPU, seed);
    uint32_t top, below;
    __asm__ volatile("fistpl %0\n\t fistpl %1" : "=m"(top), "=m"(below));
    __asm__ volatile("movdqu %%xmm0, 0(%0)\n\t movdqu %%xmm1, 16(%0)\n\t movdqu %%xmm2, 32(%0)\n\t"
                     "movdqu %%xmm3, 48(%0)\n\t movdqu %%xmm4, 64(%0)\n\t movdqu %%xmm5, 80(%0)\n\t"
                     "movdqu %%xmm6, 96(%0)\n\t movdqu %%xmm7, 112(%0)" :: "r"(out) : "memory");
    for (unsigned i = 0; i < 16; i++)
        if (in[i] != out[i])
            return 0;
    return top == b && below == a;
}

uint64_t guest_main(uint64_t ram_size)
{
    (void)ram_size;
    uint64_t cr4;
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    __asm__ volatile("mov %0, %%cr4" :: "r"(cr4 | CR4_OSFXSR));   /* SSE on: the guest's choice */
    unsigned kept = 0;
    for (unsigned r = 0; r < ROUNDS; r++)
        kept += check_round(r + 1);
    /* Expected: fpu: 100 of 100 rounds kept xmm0-7 and x87 */
    printf("fpu: %u of %u rounds kept xmm0-7 and x87\n", kept, ROUNDS);
    return kept == ROUNDS ? 0 : 1;
}
