/* SPDX-License-Identifier: MIT */
/* cpu.h — per-CPU state (reached through GS), the saved user register frame, GDT/TSS. */
#pragma once

#include "kernel.h"
#include "memlayout.h"

#define MAX_CPUS        64

/* GDT selectors. SYSRET needs user code32, user data, user code64 in this order. */
#define SEL_KCODE       0x08
#define SEL_KDATA       0x10
#define SEL_UCODE32     0x18
#define SEL_UDATA       0x23     /* 0x20 | RPL 3 */
#define SEL_UCODE       0x2b     /* 0x28 | RPL 3 */
#define SEL_TSS         0x30
#define GDT_ENTRIES     8

/* Interrupt vectors the kernel owns (legacy PIC masked). */
#define VEC_TIMER       0xf0
#define VEC_RESCHED     0xf1
#define VEC_TLB         0xf2
#define VEC_SPURIOUS    0xff
#define VEC_SYSCALL     0x100    /* not a real vector: marks a frame built by syscall_entry */

/*
 * The user register frame, saved in the EC on every kernel entry: the
 * stubs push the GPRs below the hardware's iret frame. TSS.rsp0 points at
 * the end of the current EC's frame, so the CPU writes it in place.
 */
struct cpu_regs {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, err;
    uint64_t rip, cs, rflags, rsp, ss;
};
_Static_assert(sizeof(struct cpu_regs) % 16 == 0, "the CPU aligns rsp0 to 16");

struct tss {
    uint32_t reserved0;
    uint64_t rsp0, rsp1, rsp2;
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
    uint8_t  iomap[8192];        /* I/O permission bitmap of the PD that ran last */
    uint8_t  iomap_end;          /* must be 0xff */
} __attribute__((packed));

#define TSS_IOMAP_ON    offsetof(struct tss, iomap)
#define TSS_IOMAP_OFF   sizeof(struct tss)          /* beyond the limit: every port denied */

struct ec;
struct sc;
struct pd;

struct runqueue {
    uint64_t bitmap[2];          /* one bit per priority with a non-empty queue */
    struct sc *head[128];
};

struct cpu {
    struct cpu *self;            /* gs:0 */
    uint64_t user_rsp;           /* gs:8   syscall_entry scratch */
    uint64_t regs_top;           /* gs:16  end of the current EC's cpu_regs */
    uint64_t kstack_top;         /* gs:24 */
    unsigned id;
    uint8_t  apic_id;
    volatile bool online;
    struct ec *ec;               /* running EC, NULL while idle */
    struct sc *sc;               /* SC it runs on */
    struct pd *pd;               /* whose address space is loaded */
    struct pd *io_pd;            /* whose I/O bitmap is in the TSS */
    uint64_t sc_start;           /* TSC when the current SC was dispatched */
    uint64_t fs_base, gs_base;   /* user FS base and (inactive) GS base loaded in the MSRs */
    volatile uint64_t tlb_acked; /* the last TLB shootdown this CPU has carried out */
    struct ec *fpu_owner;        /* whose state is in the FPU registers */
    bool fpu_ts;                 /* CR0.TS is set: the next FPU use traps (#NM) */
    uint64_t ticks;
    bool resched;                /* a better SC is ready, or the quantum ran out */
    struct runqueue rq;
    struct ec *timeouts;         /* ECs in sm_down with a deadline, sorted */
    uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));
    struct tss tss __attribute__((aligned(16)));
    uint8_t  df_stack[4096] __attribute__((aligned(16)));   /* IST1: double fault, NMI */
    uint8_t  kstack[KSTACK_SIZE] __attribute__((aligned(16)));
};

#define CPU_USER_RSP    8
#define CPU_REGS_TOP    16
#define CPU_KSTACK_TOP  24

extern struct cpu cpus[MAX_CPUS];
extern unsigned cpu_count;           /* CPUs online */

static inline struct cpu *this_cpu(void)
{
    struct cpu *c;
    __asm__ volatile("mov %%gs:0, %0" : "=r"(c));
    return c;
}

void gdt_init(struct cpu *c);
void idt_init(void);
void idt_load(void);
void syscall_init(void);
NORETURN void ret_user_iret(struct cpu_regs *r);
NORETURN void ret_user_sysret(struct cpu_regs *r);
NORETURN void cpu_halt(void);

_Static_assert(offsetof(struct cpu, user_rsp) == CPU_USER_RSP, "entry.S offset");
_Static_assert(offsetof(struct cpu, regs_top) == CPU_REGS_TOP, "entry.S offset");
_Static_assert(offsetof(struct cpu, kstack_top) == CPU_KSTACK_TOP, "entry.S offset");
_Static_assert(offsetof(struct cpu_regs, cs) == 18 * 8, "entry.S FRAME_CS");
_Static_assert(offsetof(struct cpu_regs, rip) == 17 * 8, "entry.S sysret offsets");
const char *exc_name(unsigned v);
NORETURN void kernel_fault(const struct cpu_regs *r);
