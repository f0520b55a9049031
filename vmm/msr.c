// SPDX-License-Identifier: MIT
/* vmm/msr.c — RDMSR and WRMSR: the MSRs a guest's state has, zero for the rest (logged once each). */
#include "vmm.h"

#define MSR_TSC            0x10
#define MSR_APIC_BASE      0x1b
#define MSR_SYSENTER_CS    0x174
#define MSR_SYSENTER_ESP   0x175
#define MSR_SYSENTER_EIP   0x176
#define MSR_MISC_ENABLE    0x1a0
#define MSR_PAT            0x277
#define MSR_EFER           0xc0000080
#define MSR_STAR           0xc0000081
#define MSR_LSTAR          0xc0000082
#define MSR_FMASK          0xc0000084
#define MSR_FS_BASE        0xc0000100
#define MSR_GS_BASE        0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define EFER_LMA           (1UL << 10)

/* Where an MSR of the guest's state lives in the message (the portal's MTD brought it), or NULL. */
static uint64_t *msr_field(struct utcb_exc *x, uint32_t msr)
{
    switch (msr) {
    case MSR_SYSENTER_CS:    return &x->sysenter_cs;
    case MSR_SYSENTER_ESP:   return &x->sysenter_rsp;
    case MSR_SYSENTER_EIP:   return &x->sysenter_rip;
    case MSR_PAT:            return &x->pat;
    case MSR_EFER:           return &x->efer;
    case MSR_STAR:           return &x->star;
    case MSR_LSTAR:          return &x->lstar;
    case MSR_FMASK:          return &x->fmask;
    case MSR_FS_BASE:        return &x->fs.base;
    case MSR_GS_BASE:        return &x->gs.base;
    case MSR_KERNEL_GS_BASE: return &x->kernel_gs_base;
    default:                 return NULL;
    }
}

/* An MSR the VM does not have: say so the first time (a small table of those seen). */
static void msr_unknown(uint32_t msr, const char *what)
{
    static uint32_t seen[32];
    static unsigned nseen;
    for (unsigned i = 0; i < nseen; i++)
        if (seen[i] == msr)
            return;
    if (nseen < 32)
        seen[nseen++] = msr;
    vmm_log("guest %s MSR %#x: not emulated (reads 0, writes are dropped)", what, msr);
}

bool msr_read(struct vm *vm, struct utcb_exc *x, uint32_t msr, uint64_t *value)
{
    (void)vm;
    uint64_t *f = msr_field(x, msr);
    if (f)
        *value = *f;
    else if (msr == MSR_TSC)
        *value = x->tsc_val;
    else if (msr == MSR_MISC_ENABLE)
        *value = 1;                              /* fast strings */
    else if (msr == MSR_APIC_BASE)
        *value = 0;                              /* no local APIC */
    else {
        msr_unknown(msr, "read of");
        *value = 0;
        return false;
    }
    return true;
}

bool msr_write(struct vm *vm, struct utcb_exc *x, uint32_t msr, uint64_t value)
{
    (void)vm;
    uint64_t *f = msr_field(x, msr);
    if (!f) {
        msr_unknown(msr, "write to");
        return false;
    }
    if (msr == MSR_EFER)
        value = (value & ~EFER_LMA) | (x->efer & EFER_LMA);   /* LMA is the CPU's to change */
    *f = value;
    return true;
}
