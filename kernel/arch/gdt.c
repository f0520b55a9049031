// SPDX-License-Identifier: MIT
/* arch/gdt.c — per-CPU GDT and TSS, and the SYSCALL MSRs. */
#include "cpu.h"
#include "x86.h"

struct cpu cpus[MAX_CPUS];
unsigned cpu_count;

static uint64_t seg_desc(uint32_t flags)
{
    /* base 0, limit 0xfffff; flags hold the access byte (bits 40..47) and L/D/G. */
    return 0x000f00000000ffffULL | ((uint64_t)flags << 40);
}

/* Load this CPU's GDT, TSS and GS base; the GDT/TSS live in struct cpu. */
void gdt_init(struct cpu *c)
{
    c->self = c;
    c->kstack_top = (uint64_t)(c->kstack + KSTACK_SIZE);
    c->gdt[0] = 0;
    c->gdt[1] = seg_desc(0xa09a);        /* kernel code64: P, DPL0, code, L, G */
    c->gdt[2] = seg_desc(0xc092);        /* kernel data */
    c->gdt[3] = seg_desc(0xc0fa);        /* user code32 (unused, SYSRET layout) */
    c->gdt[4] = seg_desc(0xc0f2);        /* user data, DPL3 */
    c->gdt[5] = seg_desc(0xa0fa);        /* user code64, DPL3 */

    uint64_t base = (uint64_t)&c->tss, limit = sizeof(struct tss) - 1;
    c->gdt[6] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ULL << 40) |
                (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    c->gdt[7] = base >> 32;

    c->tss.iomap_base = TSS_IOMAP_OFF;
    c->tss.iomap_end = 0xff;
    memset(c->tss.iomap, 0xff, sizeof c->tss.iomap);
    c->tss.rsp0 = c->kstack_top;
    c->tss.ist[0] = (uint64_t)(c->df_stack + sizeof c->df_stack);

    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) gdtr = {
        sizeof c->gdt - 1, (uint64_t)c->gdt };
    __asm__ volatile(
        "lgdt %0\n\t"
        "mov %1, %%ds\n\t mov %1, %%es\n\t mov %1, %%ss\n\t"
        "pushq %2\n\t leaq 1f(%%rip), %%rax\n\t pushq %%rax\n\t lretq\n"
        "1:\n\t"
        "ltr %w3\n\t"
        :: "m"(gdtr), "r"(SEL_KDATA), "i"(SEL_KCODE), "r"(SEL_TSS) : "rax", "memory");
    /* fs/gs selectors 0; kernel GS base = this CPU, user GS base starts at 0. */
    __asm__ volatile("mov %0, %%fs\n\t mov %0, %%gs" :: "r"(0));
    wrmsr(MSR_GS_BASE, (uint64_t)c);
    wrmsr(MSR_KERNEL_GS_BASE, 0);
}

extern char syscall_entry[];

/* SYSCALL: kernel CS 0x08 (SS 0x10); SYSRET: user CS 0x2b, SS 0x23; IF/TF/DF/AC cleared. */
void syscall_init(void)
{
    wrmsr(MSR_STAR, ((uint64_t)SEL_UCODE32 << 48) | ((uint64_t)SEL_KCODE << 32));
    wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
    wrmsr(MSR_FMASK, 0x47700);   /* TF IF DF IOPL NT AC */
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | 1);
}
