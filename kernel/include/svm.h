/* SPDX-License-Identifier: MIT */
/* svm.h — AMD SVM with nested paging: the VMCB, intercepts, exit codes, and what the CPU offers. */
#pragma once

#include "kernel.h"
#include "cpu.h"

/*
 * The VMCB (AMD APM vol. 2, appendix B): one page, the control area at 0,
 * the state-save area at 0x400. Only the fields Facet uses are named; the
 * offsets are asserted below.
 */
struct vmcb_seg {
    uint16_t sel;
    uint16_t attrib;             /* the descriptor's bits 8..15 and 52..55, packed: as struct utcb_seg.ar */
    uint32_t limit;
    uint64_t base;
};

struct vmcb {
    /* control area */
    uint32_t intercept_cr;       /* 0x000: reads [15:0], writes [31:16] */
    uint32_t intercept_dr;       /* 0x004 */
    uint32_t intercept_exc;      /* 0x008: one bit per exception vector */
    uint32_t intercept1;         /* 0x00c: SVM_I1_* */
    uint32_t intercept2;         /* 0x010: SVM_I2_* */
    uint8_t  reserved0[0x40 - 0x14];
    uint64_t iopm_pa;            /* 0x040: I/O permission map (12 KiB) */
    uint64_t msrpm_pa;           /* 0x048: MSR permission map (8 KiB) */
    uint64_t tsc_offset;         /* 0x050 */
    uint32_t asid;               /* 0x058 */
    uint8_t  tlb_control;        /* 0x05c: 1 = flush every ASID's translations at VMRUN */
    uint8_t  reserved1[3];
    uint64_t int_control;        /* 0x060: V_IRQ, V_IGN_TPR, V_INTR_MASKING ... */
    uint64_t int_shadow;         /* 0x068: bit 0 = the guest is in an interrupt shadow (STI, MOV SS) */
    uint64_t exitcode;           /* 0x070 */
    uint64_t exitinfo1;          /* 0x078 */
    uint64_t exitinfo2;          /* 0x080 */
    uint64_t exitintinfo;        /* 0x088: an event being delivered when the exit came (EVENTINJ format) */
    uint64_t np_enable;          /* 0x090: bit 0 = nested paging */
    uint8_t  reserved2[0xa8 - 0x98];
    uint64_t eventinj;           /* 0x0a8: the event to inject at VMRUN */
    uint64_t n_cr3;              /* 0x0b0: the nested page table */
    uint64_t lbr_control;        /* 0x0b8 */
    uint32_t clean;              /* 0x0c0 */
    uint32_t reserved3;
    uint64_t next_rip;           /* 0x0c8: with NRIP save */
    uint8_t  reserved4[0x400 - 0xd0];
    /* state-save area */
    struct vmcb_seg es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr;   /* 0x400 .. 0x49f */
    uint8_t  reserved5[0x4cb - 0x4a0];
    uint8_t  cpl;                /* 0x4cb */
    uint32_t reserved6;
    uint64_t efer;               /* 0x4d0 */
    uint8_t  reserved7[0x548 - 0x4d8];
    uint64_t cr4, cr3, cr0, dr7, dr6, rflags, rip;                  /* 0x548 .. 0x57f */
    uint8_t  reserved8[0x5d8 - 0x580];
    uint64_t rsp;                /* 0x5d8 */
    uint8_t  reserved9[0x5f8 - 0x5e0];
    uint64_t rax;                /* 0x5f8 */
    uint64_t star, lstar, cstar, sfmask, kernel_gs_base;            /* 0x600 .. 0x627 */
    uint64_t sysenter_cs, sysenter_esp, sysenter_eip, cr2;          /* 0x628 .. 0x647 */
    uint8_t  reserved10[0x668 - 0x648];
    uint64_t g_pat;              /* 0x668 */
    uint64_t dbgctl;             /* 0x670 */
    uint8_t  reserved11[0x1000 - 0x678];
};
_Static_assert(offsetof(struct vmcb, iopm_pa) == 0x40, "VMCB iopm_base_pa");
_Static_assert(offsetof(struct vmcb, int_control) == 0x60, "VMCB int_control");
_Static_assert(offsetof(struct vmcb, exitcode) == 0x70, "VMCB exitcode");
_Static_assert(offsetof(struct vmcb, np_enable) == 0x90, "VMCB np_enable");
_Static_assert(offsetof(struct vmcb, eventinj) == 0xa8, "VMCB eventinj");
_Static_assert(offsetof(struct vmcb, next_rip) == 0xc8, "VMCB nrip");
_Static_assert(offsetof(struct vmcb, es) == 0x400, "VMCB save area");
_Static_assert(offsetof(struct vmcb, tr) == 0x490, "VMCB tr");
_Static_assert(offsetof(struct vmcb, cpl) == 0x4cb, "VMCB cpl");
_Static_assert(offsetof(struct vmcb, efer) == 0x4d0, "VMCB efer");
_Static_assert(offsetof(struct vmcb, cr4) == 0x548, "VMCB cr4");
_Static_assert(offsetof(struct vmcb, rip) == 0x578, "VMCB rip");
_Static_assert(offsetof(struct vmcb, rsp) == 0x5d8, "VMCB rsp");
_Static_assert(offsetof(struct vmcb, rax) == 0x5f8, "VMCB rax");
_Static_assert(offsetof(struct vmcb, sysenter_cs) == 0x628, "VMCB sysenter_cs");
_Static_assert(offsetof(struct vmcb, cr2) == 0x640, "VMCB cr2");
_Static_assert(offsetof(struct vmcb, g_pat) == 0x668, "VMCB g_pat");
_Static_assert(sizeof(struct vmcb) == 0x1000, "a VMCB is a page");

/* Intercept vector 1 (0x00c) and 2 (0x010). */
#define SVM_I1_INTR          (1u << 0)
#define SVM_I1_NMI           (1u << 1)
#define SVM_I1_SMI           (1u << 2)
#define SVM_I1_INIT          (1u << 3)
#define SVM_I1_VINTR         (1u << 4)
#define SVM_I1_RDTSC         (1u << 14)
#define SVM_I1_CPUID         (1u << 18)
#define SVM_I1_INVD          (1u << 22)
#define SVM_I1_HLT           (1u << 24)
#define SVM_I1_INVLPGA       (1u << 26)
#define SVM_I1_IOIO          (1u << 27)
#define SVM_I1_MSR           (1u << 28)
#define SVM_I1_TASK_SWITCH   (1u << 29)
#define SVM_I1_SHUTDOWN      (1u << 31)
#define SVM_I2_VMRUN         (1u << 0)
#define SVM_I2_VMMCALL       (1u << 1)
#define SVM_I2_VMLOAD        (1u << 2)
#define SVM_I2_VMSAVE        (1u << 3)
#define SVM_I2_STGI          (1u << 4)
#define SVM_I2_CLGI          (1u << 5)
#define SVM_I2_SKINIT        (1u << 6)
#define SVM_I2_RDTSCP        (1u << 7)
#define SVM_I2_MONITOR       (1u << 10)
#define SVM_I2_MWAIT         (1u << 11)
#define SVM_I2_XSETBV        (1u << 13)

/* int_control */
#define SVM_V_IRQ            (1UL << 8)
#define SVM_V_IGN_TPR        (1UL << 20)
#define SVM_V_INTR_MASKING   (1UL << 24)

/* Exit codes (APM vol. 2, appendix C). */
#define SVM_EXIT_EXC         0x40     /* + vector */
#define SVM_EXIT_INTR        0x60
#define SVM_EXIT_NMI         0x61
#define SVM_EXIT_SMI         0x62
#define SVM_EXIT_INIT        0x63
#define SVM_EXIT_VINTR       0x64
#define SVM_EXIT_RDTSC       0x6e
#define SVM_EXIT_CPUID       0x72
#define SVM_EXIT_INVD        0x76
#define SVM_EXIT_PAUSE       0x77
#define SVM_EXIT_HLT         0x78
#define SVM_EXIT_INVLPGA     0x7a
#define SVM_EXIT_IOIO        0x7b
#define SVM_EXIT_MSR         0x7c
#define SVM_EXIT_TASK_SWITCH 0x7d
#define SVM_EXIT_SHUTDOWN    0x7f
#define SVM_EXIT_VMRUN       0x80
#define SVM_EXIT_VMMCALL     0x81
#define SVM_EXIT_VMLOAD      0x82
#define SVM_EXIT_VMSAVE      0x83
#define SVM_EXIT_STGI        0x84
#define SVM_EXIT_CLGI        0x85
#define SVM_EXIT_SKINIT      0x86
#define SVM_EXIT_RDTSCP      0x87
#define SVM_EXIT_MONITOR     0x8a
#define SVM_EXIT_MWAIT       0x8b
#define SVM_EXIT_XSETBV      0x8d
#define SVM_EXIT_NPF         0x400
#define SVM_EXIT_INVALID     0xffffffffu   /* VMRUN refused the state; -1, or 0xffffffff under QEMU TCG */

/* IOIO's exitinfo1 and NPF's. */
#define SVM_IO_IN            (1u << 0)
#define SVM_IO_STR           (1u << 2)
#define SVM_IO_REP           (1u << 3)
#define SVM_IO_SIZE(i)       (((i) >> 4) & 7)     /* one-hot: 1, 2 or 4 bytes */
#define SVM_NPF_PRESENT      (1UL << 0)
#define SVM_NPF_WRITE        (1UL << 1)
#define SVM_NPF_FETCH        (1UL << 4)
#define SVM_NPF_FINAL        (1UL << 32)

#define MSR_VM_CR            0xc0010114
#define MSR_VM_HSAVE_PA      0xc0010117
#define VM_CR_SVMDIS         (1UL << 4)
#define EFER_SVME            (1UL << 12)

struct svm_caps {
    bool usable;                 /* SVM, not disabled, with nested paging */
    const char *why_not;
    bool nrips;                  /* the CPU saves the next RIP at exits (else the kernel knows lengths) */
    uint32_t asids;              /* ASIDs 1 .. asids-1 */
};
extern struct svm_caps svm_caps;

void svm_probe(void);                /* the boot CPU: fill svm_caps, say what there is */
void svm_cpu_init(struct cpu *c);    /* each CPU: EFER.SVME and its host save area */
bool svm_cpu_on(unsigned cpu);       /* that CPU can run vCPUs */
unsigned svm_cpus_on(void);

/*
 * The VMCS fields state.c speaks, on the current VMCB (svm/vmcb.c): the one
 * guest-state code serves both. vmcs_read/vmcs_write come here on SVM.
 */
uint64_t vmcb_read(uint32_t field);
void vmcb_write(uint32_t field, uint64_t value);
/* An exit in VMX's terms: its exit reason (VMX_EXIT_EXTINT: the kernel's), the rest into v. */
struct vcpu;
#define SVM_REASON_UD        0xfffeu    /* VMRUN, VMLOAD ... in the guest: it has no SVM, #UD */
uint32_t svm_exit_translate(struct vcpu *v, const struct vmcb *b);
const char *svm_entry_check(void);   /* an injection VMRUN would refuse: the rule, or NULL */
