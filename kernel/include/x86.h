/* SPDX-License-Identifier: MIT */
/* x86.h — x86-64 architecture: vectors, flag bits, MSRs, the canonical-address rule, thin wrappers around instructions. */
#pragma once

/* Exception vectors 0..31 (the numbers only are assembly-safe). */
#define EXC_DE              0    /* divide error */
#define EXC_DB              1    /* debug */
#define EXC_NMI             2
#define EXC_BP              3    /* int3 */
#define EXC_OF              4    /* into */
#define EXC_BR              5    /* bound range */
#define EXC_UD              6    /* invalid opcode */
#define EXC_NM              7    /* no FPU: the first FPU use while CR0.TS is set */
#define EXC_DF              8    /* double fault (error code) */
#define EXC_TS              10   /* invalid TSS (error code) */
#define EXC_NP              11   /* segment not present (error code) */
#define EXC_SS              12   /* stack fault (error code) */
#define EXC_GP              13   /* general protection (error code) */
#define EXC_PF              14   /* page fault (error code; address in CR2) */
#define EXC_MF              16   /* x87 error */
#define EXC_AC              17   /* alignment check (error code) */
#define EXC_MC              18   /* machine check */
#define EXC_XM              19   /* SIMD error */
#define EXC_VE              20   /* virtualization */
#define EXC_CP              21   /* control protection (error code) */
#define EXC_HV              28
#define EXC_VC              29   /* (error code) */
#define EXC_SX              30   /* security (error code) */
#define EXC_VECTORS         32   /* vectors below this are exceptions */

#ifndef __ASSEMBLER__                   /* the rest is C */
#include <stdint.h>
#include <stdbool.h>

#define RFLAGS_FIXED        (1UL << 1)   /* reserved, always 1 */
#define RFLAGS_IF           (1UL << 9)
#define RFLAGS_USER_MASK    0x240dd5UL   /* CF PF AF ZF SF TF DF OF AC ID: what popf lets ring 3 set */

#define CR0_MP              (1UL << 1)
#define CR0_EM              (1UL << 2)
#define CR0_TS              (1UL << 3)
#define CR0_AM              (1UL << 18)  /* alignment checks (#AC) for ring 3 with RFLAGS.AC */
#define CR4_PGE             (1UL << 7)   /* global pages */
#define CR4_OSFXSR          (1UL << 9)
#define CR4_OSXMMEXCPT      (1UL << 10)

#define MSR_EFER            0xc0000080
#define MSR_STAR            0xc0000081
#define MSR_LSTAR           0xc0000082
#define MSR_FMASK           0xc0000084
#define MSR_FS_BASE         0xc0000100
#define MSR_GS_BASE         0xc0000101
#define MSR_KERNEL_GS_BASE  0xc0000102
#define MSR_APIC_BASE       0x1b
#define MSR_TSC_DEADLINE    0x6e0

/* Bits 63..47 all equal: an address the CPU accepts (48-bit virtual addresses). */
static inline bool canonical(uint64_t a)
{
    return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

static inline uint64_t read_cr2(void) { uint64_t v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr3(void) { uint64_t v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline void write_cr3(uint64_t v) { __asm__ volatile("mov %0, %%cr3" :: "r"(v) : "memory"); }
static inline uint64_t read_cr0(void) { uint64_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline void write_cr0(uint64_t v) { __asm__ volatile("mov %0, %%cr0" :: "r"(v) : "memory"); }
static inline uint64_t read_cr4(void) { uint64_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr4(uint64_t v) { __asm__ volatile("mov %0, %%cr4" :: "r"(v) : "memory"); }
static inline void invlpg(uint64_t va) { __asm__ volatile("invlpg (%0)" :: "r"(va) : "memory"); }
static inline void cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }
static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void hlt(void) { __asm__ volatile("hlt" ::: "memory"); }
#endif /* __ASSEMBLER__ */
