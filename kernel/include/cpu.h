/* SPDX-License-Identifier: MIT */
/* cpu.h — per-CPU state (reached through GS), the saved user register frame, GDT/TSS. */
#pragma once

#include "kernel.h"
#include "memlayout.h"
#include "asm/offsets.h"         /* SEL_*, VEC_*, and the CPU_* and FRAME_* offsets asserted below */

#define MAX_CPUS        64
#define GDT_ENTRIES     8

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
struct vcpu;

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
    void *vmcs;                  /* the VMCS made current here (VMPTRLD), or the VMCB, NULL: none */
    struct vcpu *vcpu;           /* whose VMCS or VMCB that is */
    bool svm_window;             /* an SVM exit lets a host interrupt in: intr_handler gives it to svm_intr */
    bool svm_flush;              /* nested tables changed: the next VMRUN here flushes every ASID */
    void *svm_host;              /* the page VMSAVE keeps the host's FS, GS, TR, LDTR and MSRs in */
    bool vmx_dirty;              /* a VM exit left TR's limit and maybe the SYSCALL MSRs wrong for host ECs */
    struct vcpu *vmx_msrs;       /* whose SYSCALL MSRs are loaded, NULL: the host's */
    struct vcpu *vmcs_clear;     /* VMCSs of dead vCPUs of this CPU, to clear and free here */
    struct runqueue rq;
    struct ec *timeouts;         /* ECs in sm_down with a deadline, sorted */
    uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));
    struct tss tss __attribute__((aligned(16)));
    uint8_t  df_stack[4096] __attribute__((aligned(16)));   /* IST1: double fault, NMI */
    uint8_t  kstack[KSTACK_SIZE] __attribute__((aligned(16)));
};

extern struct cpu cpus[MAX_CPUS];
extern unsigned cpu_count;           /* CPUs online */

static inline struct cpu *this_cpu(void)
{
    struct cpu *c;
    __asm__ volatile("mov %%gs:%c1, %0" : "=r"(c) : "i"(CPU_SELF));
    return c;
}

void gdt_init(struct cpu *c);
void idt_init(void);
void idt_load(void);
void syscall_init(void);
NORETURN void ret_user_iret(struct cpu_regs *r);
NORETURN void ret_user_sysret(struct cpu_regs *r);
NORETURN void cpu_halt(void);
void intr_host(unsigned vector);     /* a host interrupt (timer, IPIs) taken in the kernel: acknowledge, act */

/* The numbers entry.S uses (asm/offsets.h) are these structures' layout. */
_Static_assert(offsetof(struct cpu, self) == CPU_SELF, "asm/offsets.h CPU_SELF");
_Static_assert(offsetof(struct cpu, user_rsp) == CPU_USER_RSP, "asm/offsets.h CPU_USER_RSP");
_Static_assert(offsetof(struct cpu, regs_top) == CPU_REGS_TOP, "asm/offsets.h CPU_REGS_TOP");
_Static_assert(offsetof(struct cpu, kstack_top) == CPU_KSTACK_TOP, "asm/offsets.h CPU_KSTACK_TOP");
_Static_assert(offsetof(struct cpu_regs, vector) == FRAME_VECTOR, "asm/offsets.h FRAME_VECTOR");
_Static_assert(offsetof(struct cpu_regs, err) == FRAME_ERR, "asm/offsets.h FRAME_ERR");
_Static_assert(offsetof(struct cpu_regs, rax) == FRAME_RAX, "asm/offsets.h FRAME_RAX");
_Static_assert(offsetof(struct cpu_regs, rip) == FRAME_RIP, "asm/offsets.h FRAME_RIP");
_Static_assert(offsetof(struct cpu_regs, cs) == FRAME_CS, "asm/offsets.h FRAME_CS");
_Static_assert(offsetof(struct cpu_regs, rflags) == FRAME_RFLAGS, "asm/offsets.h FRAME_RFLAGS");
_Static_assert(offsetof(struct cpu_regs, rsp) == FRAME_RSP, "asm/offsets.h FRAME_RSP");
_Static_assert(offsetof(struct cpu_regs, ss) == FRAME_SS, "asm/offsets.h FRAME_SS");
_Static_assert(sizeof(struct cpu_regs) == FRAME_SIZE, "asm/offsets.h FRAME_SIZE");
/* syscall_entry pushes SEL_UCODE and SEL_UDATA: what SYSRET loads from STAR (SEL_UCODE32 + 16, + 8). */
_Static_assert(SEL_UCODE == ((SEL_UCODE32 + 16) | 3) && SEL_UDATA == ((SEL_UCODE32 + 8) | 3), "SYSRET selectors");

const char *exc_name(unsigned v);
NORETURN void kernel_fault(const struct cpu_regs *r);
