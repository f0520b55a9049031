// SPDX-License-Identifier: MIT
/* arch/idt.c — the IDT, and the panic report for exceptions taken in the kernel. */
#include "cpu.h"
#include "x86.h"

struct idt_entry {
    uint16_t off0, sel;
    uint8_t  ist, type;
    uint16_t off1;
    uint32_t off2, reserved;
} __attribute__((packed));

static struct idt_entry idt[256] __attribute__((aligned(16)));
extern char vector_table_start[];

#define STUB_SIZE 16

/* Every vector gets its stub; #DF and NMI run on IST1 so a broken stack still reports. */
void idt_init(void)
{
    for (int v = 0; v < 256; v++) {
        uint64_t a = (uint64_t)vector_table_start + (uint64_t)v * STUB_SIZE;
        idt[v] = (struct idt_entry){
            .off0 = (uint16_t)a, .sel = SEL_KCODE,
            .ist = (v == EXC_DF || v == EXC_NMI) ? 1 : 0,
            .type = 0x8e,                        /* present, DPL0, interrupt gate */
            .off1 = (uint16_t)(a >> 16), .off2 = (uint32_t)(a >> 32),
        };
    }
    /* int3 and into may be raised from ring 3 by the instruction itself. */
    idt[EXC_BP].type = 0xee;
    idt[EXC_OF].type = 0xee;
}

void idt_load(void)
{
    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) idtr = {
        sizeof idt - 1, (uint64_t)idt };
    __asm__ volatile("lidt %0" :: "m"(idtr));
}

static const char *const exc_names[EXC_VECTORS] = {
    "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
    "#BR bound range", "#UD invalid opcode", "#NM no FPU", "#DF double fault",
    "coprocessor overrun", "#TS invalid TSS", "#NP segment not present",
    "#SS stack fault", "#GP general protection", "#PF page fault", "reserved 15",
    "#MF x87 error", "#AC alignment check", "#MC machine check", "#XM SIMD error",
    "#VE virtualization", "#CP control protection", "reserved 22", "reserved 23",
    "reserved 24", "reserved 25", "reserved 26", "reserved 27", "#HV", "#VC",
    "#SX security", "reserved 31",
};

const char *exc_name(unsigned v)
{
    return v < EXC_VECTORS ? exc_names[v] : "interrupt";
}

/* An exception in ring 0 is a kernel bug: print everything we know and stop this CPU. */
NORETURN void kernel_fault(const struct cpu_regs *r)
{
    cli();
    kprintf("[panic] kernel exception %lu (%s) on cpu%u\n"
            "[panic] err=%#lx rip=%#lx cs=%#lx rflags=%#lx rsp=%#lx cr2=%#lx cr3=%#lx\n"
            "[panic] rax=%#lx rbx=%#lx rcx=%#lx rdx=%#lx rsi=%#lx rdi=%#lx rbp=%#lx\n"
            "[panic] r8=%#lx r9=%#lx r10=%#lx r11=%#lx r12=%#lx r13=%#lx r14=%#lx r15=%#lx\n",
            r->vector, exc_name((unsigned)r->vector), cpu_count ? this_cpu()->id : 0,
            r->err, r->rip, r->cs, r->rflags, r->rsp, read_cr2(), read_cr3(),
            r->rax, r->rbx, r->rcx, r->rdx, r->rsi, r->rdi, r->rbp,
            r->r8, r->r9, r->r10, r->r11, r->r12, r->r13, r->r14, r->r15);
    panic_backtrace("the faulting code", r->rbp);
    panic("unrecoverable exception in the kernel");
}
