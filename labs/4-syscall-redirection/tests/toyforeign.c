// SPDX-License-Identifier: MIT
/* toyforeign.c — a program with its own toy system-call ABI (syscall, rax = number). In a
 * foreign PD the roottask's toy personality answers it; in a native PD the kernel decodes the
 * same instruction as a hypercall. Native hypercalls from a foreign PD need the NSCT. */
#include <stdio.h>
#include <stdint.h>
#include "facet/app.h"
#include "facet/thread.h"
#include "facet/sort.h"

/* The toy ABI: rax = number, rdi, rsi = arguments, result in rax. */
static uint64_t toy(uint64_t nr, uint64_t a, uint64_t b)
{
    __asm__ volatile("syscall" : "+a"(nr), "+D"(a), "+S"(b) :: "rcx", "r11", "rdx", "r8", "memory");
    return nr;
}

/* Toy call 2 with r8..r15 and rbx loaded: the personality xors them and writes r12/r13 back. */
static uint64_t toy_state(uint64_t *r12_out, uint64_t *r13_out)
{
    register uint64_t r8 __asm__("r8") = 0x1111, r9 __asm__("r9") = 0x2222, r10 __asm__("r10") = 0x3333;
    register uint64_t r12 __asm__("r12") = 0x5555, r13 __asm__("r13") = 0x6666;
    register uint64_t r14 __asm__("r14") = 0x7777, r15 __asm__("r15") = 0x8888;
    uint64_t rax = 2, rbx = 0x9999;
    __asm__ volatile("syscall"
                     : "+a"(rax), "+r"(r8), "+r"(r9), "+r"(r10), "+r"(r12), "+r"(r13), "+r"(r14),
                       "+r"(r15), "+b"(rbx)
                     :
                     : "rcx", "r11", "rdi", "rsi", "rdx", "memory");
    *r12_out = r12;
    *r13_out = r13;
    return rax;
}

int main(uint64_t arg, uint64_t pid);
int main(uint64_t arg, uint64_t pid)
{
    (void)pid;
    if (arg == 1) {
        /* In a native PD the same instruction is a hypercall: rdi = 40 is no hypercall number. */
        uint64_t nr = 1, a = 40, b = 2;
        __asm__ volatile("syscall" : "+a"(nr), "+D"(a), "+S"(b) :: "rcx", "r11", "rdx", "r8", "memory");
        printf("native probe: rax %lu (untouched), rdi %lu (the hypercall status)\n", nr, a & 0xff);
        return 0;
    }
    if (arg == 2) {
        /* Benchmark: toy call 1 round trips, rdtsc median. */
        static uint32_t t[5000];
        for (unsigned i = 0; i < 500; i++)
            toy(1, i, i);
        for (unsigned i = 0; i < 5000; i++) {
            uint64_t t0 = fc_rdtsc();
            toy(1, i, i);
            t[i] = (uint32_t)(fc_rdtsc() - t0);
        }
        fc_sort_u32(t, 5000);
        printf("bench foreign_syscall median=%u min=%u iterations=5000\n", t[2500], t[0]);
        return 0;
    }
    if (arg == 3)
        for (;;)
            toy(3, 0, 0);       /* always in a call that holds a lock of the personality's */
    if (arg == 4) {
        /* A fault after a toy call: its message goes to the same handler as the syscalls. */
        printf("before the fault: toy add 2+3 = %lu\n", toy(1, 2, 3));
        uint64_t nowhere = 0x10;
        __asm__ volatile("" : "+r"(nowhere));    /* an address the compiler cannot see through */
        *(volatile uint64_t *)nowhere = 1;
        printf("after the fault: nothing should print this\n");
        return 1;
    }
    if ((arg & 0xff) == 5) {
        /* A mix of calls the scenario draws from the boot's seed (fields: count_mix in
         * scenarios/syscall_redirection.c): adds, 99s, one number in 100..511 and one above. */
        unsigned adds = arg >> 8 & 0xf, n99 = arg >> 12 & 0xf, nk = arg >> 16 & 0xf, nl = arg >> 32 & 0xf;
        uint64_t k = arg >> 20 & 0xfff, large = arg >> 36 & 0xffff;
        uint64_t sum = 0;
        for (unsigned i = 0; i < adds || i < n99 || i < nk || i < nl; i++) {
            if (i < nl)
                toy(large, 0, 0);
            if (i < adds)
                sum += toy(1, i, 1);
            if (i < nk)
                toy(k, 0, 0);
            if (i < n99)
                toy(99, 0, 0);
        }
        printf("mix of calls: the adds came to %lu\n", sum);
        return 0;
    }
    uint64_t sum = toy(1, 40, 2);
    uint64_t r12 = 0, r13 = 0;
    uint64_t x = toy_state(&r12, &r13);
    uint64_t unknown = toy(99, 0, 0);
    printf("toy add 40+2 = %lu; state xor = %#lx, r12 = %#lx, r13 = %#lx; unknown = %ld\n",
           sum, x, r12, r13, (long)unknown);

    /* A native hypercall through the NSCT: pt_ctrl on a selector we do not have -> BAD_CAP. */
    struct utcb *u = fc_utcb();
    u->head.flags |= UTCB_NSCT;
    unsigned st = fc_pt_ctrl(3000, 0);
    uint64_t flags_after = u->head.flags & UTCB_NSCT;
    uint64_t again = toy(1, 1, 2);        /* the kernel cleared the toggle: a toy call again */
    printf("native hypercall with NSCT: status %u; NSCT after it %lu; next toy add 1+2 = %lu\n",
           st, flags_after, again);
    return (int)(sum == 42 ? 0 : 1);
}
