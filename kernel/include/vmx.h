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

/* Control bits Facet needs (each control MSR: allowed-0 settings low, allowed-1 high). */
#define PIN_PREEMPT_TIMER          (1u << 6)
#define CPU_SECONDARY              (1u << 31)
#define CPU2_EPT                   (1u << 1)
#define CPU2_VPID                  (1u << 5)
#define CPU2_URG                   (1u << 7)     /* unrestricted guest */
/* IA32_VMX_EPT_VPID_CAP */
#define EPT_CAP_WALK4              (1UL << 6)
#define EPT_CAP_WB                 (1UL << 14)
#define EPT_CAP_2M                 (1UL << 16)
#define EPT_CAP_INVEPT             (1UL << 20)
#define VPID_CAP_INVVPID           (1UL << 32)

#define CR4_VMXE                   (1UL << 13)
#define CR0_NE                     (1UL << 5)

/* What the boot CPU found; every CPU must match it to run vCPUs. */
struct vmx_caps {
    bool usable;                   /* VMX, EPT (4-level, WB), unrestricted guest, preemption timer */
    const char *why_not;           /* if not: the first thing missing */
    uint32_t revision;             /* VMCS revision identifier */
    uint32_t vmcs_size;
    bool ept_2m, vpid;
    unsigned preempt_shift;        /* the preemption timer counts TSC >> this */
};
extern struct vmx_caps vmx_caps;

bool vmx_allows(uint32_t msr, uint32_t bits);   /* a control MSR lets all of bits be 1 */
void vmx_probe(void);              /* the boot CPU: fill vmx_caps, say what there is */
void vmx_cpu_init(struct cpu *c);  /* each CPU: enter VMX root operation if vmx_caps.usable */
unsigned vmx_cpus_on(void);        /* how many CPUs are in VMX root operation */
