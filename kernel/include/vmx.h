/* SPDX-License-Identifier: MIT */
/* vmx.h — Intel VMX: what the CPU offers, and VMX root operation on every CPU that has it. */
#pragma once

#include "kernel.h"
#include "cpu.h"

/* Architectural MSRs of VMX (Intel SDM vol. 3, appendix A). */
#define MSR_FEATURE_CONTROL        0x3a
#define FEATURE_CONTROL_LOCK       (1UL << 0)
#define FEATURE_CONTROL_VMX        (1UL << 2)     /* VMXON outside SMX */
#define MSR_VMX_BASIC              0x480
#define MSR_VMX_PINBASED_CTLS      0x481
#define MSR_VMX_PROCBASED_CTLS     0x482
#define MSR_VMX_EXIT_CTLS          0x483
#define MSR_VMX_ENTRY_CTLS         0x484
#define MSR_VMX_MISC               0x485
#define MSR_VMX_CR0_FIXED0         0x486
#define MSR_VMX_CR0_FIXED1         0x487
#define MSR_VMX_CR4_FIXED0         0x488
#define MSR_VMX_CR4_FIXED1         0x489
#define MSR_VMX_PROCBASED_CTLS2    0x48b
#define MSR_VMX_EPT_VPID_CAP       0x48c
#define MSR_VMX_TRUE_PINBASED_CTLS 0x48d
#define MSR_VMX_TRUE_PROCBASED_CTLS 0x48e
#define MSR_VMX_TRUE_EXIT_CTLS     0x48f
#define MSR_VMX_TRUE_ENTRY_CTLS    0x490

/* Control bits Facet uses (each control MSR: allowed-0 settings low, allowed-1 high). */
#define PIN_EXTINT                 (1u << 0)     /* external interrupts exit */
#define PIN_NMI                    (1u << 3)     /* NMIs exit */
#define PIN_PREEMPT_TIMER          (1u << 6)
#define CPU_INTR_WINDOW            (1u << 2)
#define CPU_TSC_OFFSET             (1u << 3)
#define CPU_HLT                    (1u << 7)
#define CPU_RDTSC                  (1u << 12)
#define CPU_NMI_WINDOW             (1u << 22)
#define CPU_MOV_DR                 (1u << 23)
#define CPU_IO                     (1u << 24)    /* every port access exits */
#define CPU_SECONDARY              (1u << 31)
#define CPU2_EPT                   (1u << 1)
#define CPU2_RDTSCP                (1u << 3)
#define CPU2_VPID                  (1u << 5)
#define CPU2_URG                   (1u << 7)     /* unrestricted guest */
#define CPU2_INVPCID               (1u << 12)
#define EXIT_SAVE_DBG              (1u << 2)     /* save DR7 and DEBUGCTL */
#define EXIT_HOST_64               (1u << 9)
#define EXIT_ACK_INTR              (1u << 15)    /* the exit takes the interrupt: its vector in EXIT_INTR_INFO */
#define EXIT_SAVE_PAT              (1u << 18)
#define EXIT_LOAD_PAT              (1u << 19)
#define EXIT_SAVE_EFER             (1u << 20)
#define EXIT_LOAD_EFER             (1u << 21)
#define ENTRY_LOAD_DBG             (1u << 2)     /* load DR7 and DEBUGCTL */
#define ENTRY_IA32E                (1u << 9)     /* the guest runs in IA-32e mode (EFER.LMA) */
#define ENTRY_LOAD_PAT             (1u << 14)
#define ENTRY_LOAD_EFER            (1u << 15)
#define VMX_BASIC_TRUE_CTLS        (1UL << 55)
#define EXIT_REASON_FAILED_ENTRY   (1u << 31)
/* IA32_VMX_EPT_VPID_CAP */
#define EPT_CAP_WALK4              (1UL << 6)
#define EPT_CAP_WB                 (1UL << 14)
#define EPT_CAP_2M                 (1UL << 16)
#define EPT_CAP_INVEPT             (1UL << 20)
#define EPT_CAP_INVEPT_ALL         (1UL << 26)
#define VPID_CAP_INVVPID           (1UL << 32)

#define CR4_VMXE                   (1UL << 13)
#define CR0_NE                     (1UL << 5)

/*
 * VMCS fields used (Intel SDM vol. 3, appendix B). The encoding says the
 * width: bits 14:13 = 0 16-bit, 1 64-bit, 2 32-bit, 3 natural width.
 */
enum vmcs_field {
    VMCS_VPID            = 0x0000,
    VMCS_GUEST_ES_SEL    = 0x0800,    /* + 2 * segment (ES CS SS DS FS GS LDTR TR) */
    VMCS_HOST_ES_SEL     = 0x0c00,
    VMCS_HOST_CS_SEL     = 0x0c02,
    VMCS_HOST_SS_SEL     = 0x0c04,
    VMCS_HOST_DS_SEL     = 0x0c06,
    VMCS_HOST_FS_SEL     = 0x0c08,
    VMCS_HOST_GS_SEL     = 0x0c0a,
    VMCS_HOST_TR_SEL     = 0x0c0c,
    VMCS_TSC_OFFSET      = 0x2010,
    VMCS_EPTP            = 0x201a,
    VMCS_GUEST_PHYS      = 0x2400,
    VMCS_LINK_PTR        = 0x2800,
    VMCS_GUEST_DEBUGCTL  = 0x2802,
    VMCS_GUEST_PAT       = 0x2804,
    VMCS_GUEST_EFER      = 0x2806,
    VMCS_GUEST_PDPTE0    = 0x280a,    /* + 2 * n */
    VMCS_HOST_PAT        = 0x2c00,
    VMCS_HOST_EFER       = 0x2c02,
    VMCS_PIN_CTLS        = 0x4000,
    VMCS_CPU_CTLS        = 0x4002,
    VMCS_EXC_BITMAP      = 0x4004,
    VMCS_CR3_TARGETS     = 0x400a,
    VMCS_EXIT_CTLS       = 0x400c,
    VMCS_EXIT_MSR_STORE_COUNT = 0x400e,
    VMCS_EXIT_MSR_LOAD_COUNT  = 0x4010,
    VMCS_ENTRY_CTLS      = 0x4012,
    VMCS_ENTRY_MSR_LOAD_COUNT = 0x4014,
    VMCS_ENTRY_INTR_INFO = 0x4016,
    VMCS_ENTRY_INTR_ERROR = 0x4018,
    VMCS_ENTRY_INSTR_LEN = 0x401a,
    VMCS_CPU_CTLS2       = 0x401e,
    VMCS_INSTR_ERROR     = 0x4400,
    VMCS_EXIT_REASON     = 0x4402,
    VMCS_EXIT_INTR_INFO  = 0x4404,
    VMCS_EXIT_INTR_ERROR = 0x4406,
    VMCS_IDT_VECT_INFO   = 0x4408,
    VMCS_IDT_VECT_ERROR  = 0x440a,
    VMCS_EXIT_INSTR_LEN  = 0x440c,
    VMCS_GUEST_ES_LIMIT  = 0x4800,    /* + 2 * segment */
    VMCS_GUEST_GDTR_LIMIT = 0x4810,
    VMCS_GUEST_IDTR_LIMIT = 0x4812,
    VMCS_GUEST_ES_AR     = 0x4814,    /* + 2 * segment */
    VMCS_GUEST_INTR_STATE = 0x4824,
    VMCS_GUEST_ACTV_STATE = 0x4826,
    VMCS_GUEST_SYSENTER_CS = 0x482a,
    VMCS_HOST_SYSENTER_CS = 0x4c00,
    VMCS_CR0_MASK        = 0x6000,
    VMCS_CR4_MASK        = 0x6002,
    VMCS_CR0_SHADOW      = 0x6004,
    VMCS_CR4_SHADOW      = 0x6006,
    VMCS_EXIT_QUAL       = 0x6400,
    VMCS_GUEST_CR0       = 0x6800,
    VMCS_GUEST_CR3       = 0x6802,
    VMCS_GUEST_CR4       = 0x6804,
    VMCS_GUEST_ES_BASE   = 0x6806,    /* + 2 * segment */
    VMCS_GUEST_GDTR_BASE = 0x6816,
    VMCS_GUEST_IDTR_BASE = 0x6818,
    VMCS_GUEST_DR7       = 0x681a,
    VMCS_GUEST_RSP       = 0x681c,
    VMCS_GUEST_RIP       = 0x681e,
    VMCS_GUEST_RFLAGS    = 0x6820,
    VMCS_GUEST_PENDING_DBG = 0x6822,
    VMCS_GUEST_SYSENTER_ESP = 0x6824,
    VMCS_GUEST_SYSENTER_EIP = 0x6826,
    VMCS_HOST_CR0        = 0x6c00,
    VMCS_HOST_CR3        = 0x6c02,
    VMCS_HOST_CR4        = 0x6c04,
    VMCS_HOST_FS_BASE    = 0x6c06,
    VMCS_HOST_GS_BASE    = 0x6c08,
    VMCS_HOST_TR_BASE    = 0x6c0a,
    VMCS_HOST_GDTR_BASE  = 0x6c0c,
    VMCS_HOST_IDTR_BASE  = 0x6c0e,
    VMCS_HOST_SYSENTER_ESP = 0x6c10,
    VMCS_HOST_SYSENTER_EIP = 0x6c12,
    VMCS_HOST_RSP        = 0x6c14,
    VMCS_HOST_RIP        = 0x6c16,
};

/* The guest's segment registers, in the VMCS's order. */
enum vmcs_seg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR };
#define VMCS_SEG(field, seg)       ((uint32_t)(field) + 2u * (seg))
#define VMCS_AR_UNUSABLE           (1u << 16)

/* The VMCS the CPU works on (VMPTRLD'd): every read and write goes to it. */
uint64_t vmcs_read(uint32_t field);
void vmcs_write(uint32_t field, uint64_t value);

/* What the boot CPU found; every CPU must match it to run vCPUs. */
struct vmx_caps {
    bool usable;                   /* VMX, EPT (4-level, WB), unrestricted guest, preemption timer */
    const char *why_not;           /* if not: the first thing missing */
    uint32_t revision;             /* VMCS revision identifier */
    uint32_t vmcs_size;
    bool ept_2m, vpid;
    bool true_ctls;                /* the TRUE_* control MSRs give the allowed-0 settings */
    uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
    unsigned preempt_shift;        /* the preemption timer counts TSC >> this */
};
extern struct vmx_caps vmx_caps;

bool vmx_allows(uint32_t msr, uint32_t bits);   /* a control MSR lets all of bits be 1 */
void vmx_probe(void);              /* the boot CPU: fill vmx_caps, say what there is */
void vmx_cpu_init(struct cpu *c);  /* each CPU: enter VMX root operation if vmx_caps.usable */
unsigned vmx_cpus_on(void);        /* how many CPUs are in VMX root operation */
bool vmx_cpu_on(unsigned cpu);     /* that CPU can run vCPUs */
/* A control field's value: `want` adjusted to what the CPU's control MSR allows (the TRUE one if there). */
uint32_t vmx_ctls(uint32_t msr, uint32_t want);
const char *vmx_instr_error(unsigned error);    /* the VM-instruction error's meaning */
void vmx_invept_all(void);         /* this CPU: forget every EPT-derived translation */
