// SPDX-License-Identifier: MIT
/* vmx/state.c — a vCPU's guest state to and from a message, one MTD group at a time. */
#include "vcpu.h"
#include "vmx.h"
#include "x86.h"
#include "lab.h"

#define CR0_PE      (1UL << 0)
#define CR0_PG      (1UL << 31)
#define EFER_LME    (1UL << 8)
#define EFER_LMA    (1UL << 10)
#define CR4_PAE     (1UL << 5)
#define RFLAGS_VALID 0x3f7fd5UL          /* the bits a guest's RFLAGS may hold; bit 1 is always set */

/* The VMX access rights (type..P in 7:0, AVL L D/B G in 15:12, unusable 16) packed into 12 bits. */
uint16_t vcpu_ar_pack(uint32_t vmx_ar)
{
    if (vmx_ar & VMCS_AR_UNUSABLE)
        return SEG_AR_UNUSABLE;
    return (uint16_t)((vmx_ar & 0xff) | ((vmx_ar >> 4) & 0xf00));
}

uint32_t vcpu_ar_unpack(uint16_t ar)
{
    uint32_t vmx_ar = (ar & 0xffu) | ((ar & 0xf00u) << 4);
    return (ar & 0x80) ? vmx_ar : vmx_ar | VMCS_AR_UNUSABLE;     /* not present: unusable */
}

static void seg_save(struct utcb_seg *s, enum vmcs_seg seg)
{
    s->sel = (uint16_t)vmcs_read(VMCS_SEG(VMCS_GUEST_ES_SEL, seg));
    s->ar = vcpu_ar_pack((uint32_t)vmcs_read(VMCS_SEG(VMCS_GUEST_ES_AR, seg)));
    s->limit = (uint32_t)vmcs_read(VMCS_SEG(VMCS_GUEST_ES_LIMIT, seg));
    s->base = vmcs_read(VMCS_SEG(VMCS_GUEST_ES_BASE, seg));
}

static void seg_load(const struct utcb_seg *s, enum vmcs_seg seg)
{
    vmcs_write(VMCS_SEG(VMCS_GUEST_ES_SEL, seg), s->sel);
    vmcs_write(VMCS_SEG(VMCS_GUEST_ES_AR, seg), vcpu_ar_unpack(s->ar));
    vmcs_write(VMCS_SEG(VMCS_GUEST_ES_LIMIT, seg), s->limit);
    vmcs_write(VMCS_SEG(VMCS_GUEST_ES_BASE, seg), s->base);
}

/* What the guest reads from CR0/CR4: its own value where the kernel owns a bit (the read shadow). */
static uint64_t cr_guest_view(uint32_t real, uint32_t mask, uint32_t shadow)
{
    uint64_t m = vmcs_read(mask);
    return (vmcs_read(real) & ~m) | (vmcs_read(shadow) & m);
}

/*
 * Fill x with the groups mtd selects (struct utcb_exc, uapi/utcb.h). The
 * qualification depends on the event: the exit qualification and the
 * guest-physical address for EPT exits, the interruption information and
 * error code for exception exits, the VM-instruction error for a failed entry.
 */
void vcpu_save_state(struct utcb_exc *x, uint64_t mtd, unsigned event, const struct vcpu *v,
                     const struct cpu_regs *g)
{
    x->mtd = mtd;
    x->vector = event;
    /* LAB ept BEGIN: copy the guest state the portal's MTD selects into the handler's UTCB: GPRs, RIP and the exit's instruction length, RFLAGS, the qualification (docs: labs/3-ept/README.md#exit-state) */
    if (mtd & MTD_GPR_ACDB) {
        x->rax = g->rax;
        x->rcx = g->rcx;
        x->rdx = g->rdx;
        x->rbx = g->rbx;
    }
    if (mtd & MTD_GPR_BSD) {
        x->rbp = g->rbp;
        x->rsi = g->rsi;
        x->rdi = g->rdi;
    }
    if (mtd & MTD_GPR_R8_R15) {
        x->r8 = g->r8;   x->r9 = g->r9;   x->r10 = g->r10; x->r11 = g->r11;
        x->r12 = g->r12; x->r13 = g->r13; x->r14 = g->r14; x->r15 = g->r15;
    }
    if (mtd & MTD_RSP)
        x->rsp = vmcs_read(VMCS_GUEST_RSP);
    if (mtd & MTD_RIP_LEN) {
        x->rip = vmcs_read(VMCS_GUEST_RIP);
        x->inst_len = vmcs_read(VMCS_EXIT_INSTR_LEN);
    }
    if (mtd & MTD_RFLAGS)
        x->rflags = vmcs_read(VMCS_GUEST_RFLAGS);
    if (mtd & MTD_QUAL) {
        x->qual[0] = event == VCPU_EV_FAILED_ENTRY ? v->entry_error : vmcs_read(VMCS_EXIT_QUAL);
        if (event == VMX_EXIT_EPT_VIOLATION || event == VMX_EXIT_EPT_MISCONFIG)
            x->qual[1] = vmcs_read(VMCS_GUEST_PHYS);
        else if (event == VMX_EXIT_EXC_NMI)
            x->qual[1] = vmcs_read(VMCS_EXIT_INTR_INFO) | vmcs_read(VMCS_EXIT_INTR_ERROR) << 32;
        else
            x->qual[1] = 0;
    }
    //@ (void)g;
    //@ LAB_TODO("ept: the guest state of a VM exit message");
    /* LAB ept END */
    if (mtd & MTD_DS_ES) {
        seg_save(&x->ds, SEG_DS);
        seg_save(&x->es, SEG_ES);
    }
    if (mtd & MTD_FS_GS) {
        seg_save(&x->fs, SEG_FS);
        seg_save(&x->gs, SEG_GS);
    }
    if (mtd & MTD_CS_SS) {
        seg_save(&x->cs, SEG_CS);
        seg_save(&x->ss, SEG_SS);
    }
    if (mtd & MTD_TR)
        seg_save(&x->tr, SEG_TR);
    if (mtd & MTD_LDTR)
        seg_save(&x->ldtr, SEG_LDTR);
    if (mtd & MTD_GDTR)
        x->gdtr = (struct utcb_seg){ .limit = (uint32_t)vmcs_read(VMCS_GUEST_GDTR_LIMIT),
                                     .base = vmcs_read(VMCS_GUEST_GDTR_BASE) };
    if (mtd & MTD_IDTR)
        x->idtr = (struct utcb_seg){ .limit = (uint32_t)vmcs_read(VMCS_GUEST_IDTR_LIMIT),
                                     .base = vmcs_read(VMCS_GUEST_IDTR_BASE) };
    if (mtd & MTD_CR) {
        x->cr0 = cr_guest_view(VMCS_GUEST_CR0, VMCS_CR0_MASK, VMCS_CR0_SHADOW);
        x->cr2 = v->cr2;
        x->cr3 = vmcs_read(VMCS_GUEST_CR3);
        x->cr4 = cr_guest_view(VMCS_GUEST_CR4, VMCS_CR4_MASK, VMCS_CR4_SHADOW);
        x->xcr0 = 1;                                 /* x87 only: guests get no XSAVE state */
    }
    if (mtd & MTD_DR)
        x->dr7 = vmcs_read(VMCS_GUEST_DR7);
    if (mtd & MTD_SYSENTER) {
        x->sysenter_cs = vmcs_read(VMCS_GUEST_SYSENTER_CS);
        x->sysenter_rsp = vmcs_read(VMCS_GUEST_SYSENTER_ESP);
        x->sysenter_rip = vmcs_read(VMCS_GUEST_SYSENTER_EIP);
    }
    if (mtd & MTD_CTRL) {
        x->ctrl[0] = (uint32_t)vmcs_read(VMCS_CPU_CTLS);
        x->ctrl[1] = (uint32_t)vmcs_read(VMCS_CPU_CTLS2);
        x->exc_bitmap = (uint32_t)vmcs_read(VMCS_EXC_BITMAP);
    }
    if (mtd & MTD_INJ) {
        x->intr_info = (uint32_t)vmcs_read(VMCS_ENTRY_INTR_INFO) |
                       ((vmcs_read(VMCS_CPU_CTLS) & CPU_INTR_WINDOW) ? INJ_WINDOW : 0);
        x->intr_error = (uint32_t)vmcs_read(VMCS_ENTRY_INTR_ERROR);
        x->vect_info = (uint32_t)vmcs_read(VMCS_IDT_VECT_INFO);
        x->vect_error = (uint32_t)vmcs_read(VMCS_IDT_VECT_ERROR);
    }
    if (mtd & MTD_STA) {
        x->intr_state = (uint32_t)vmcs_read(VMCS_GUEST_INTR_STATE);
        x->actv_state = (uint32_t)vmcs_read(VMCS_GUEST_ACTV_STATE);
    }
    if (mtd & MTD_TSC) {
        x->tsc_off = vmcs_read(VMCS_TSC_OFFSET);
        x->tsc_val = __builtin_ia32_rdtsc() + x->tsc_off;
    }
    if (mtd & MTD_EFER_PAT) {
        x->efer = vmcs_read(VMCS_GUEST_EFER);
        x->pat = vmcs_read(VMCS_GUEST_PAT);
    }
    if (mtd & MTD_PDPTE)
        for (unsigned i = 0; i < 4; i++)
            x->pdpte[i] = vmcs_read(VMCS_GUEST_PDPTE0 + 2 * i);
    if (mtd & MTD_SYSCALL_SWAPGS) {
        x->star = v->star;
        x->lstar = v->lstar;
        x->fmask = v->fmask;
        x->kernel_gs_base = v->kernel_gs_base;
    }
}

/* A CR0/CR4 value the VMM gives: the guest reads it as given, the CPU runs with VMX's fixed bits. */
static void cr_load(uint32_t real, uint32_t shadow, uint64_t value, uint64_t fixed0, uint64_t fixed1)
{
    vmcs_write(real, (value | fixed0) & fixed1);
    vmcs_write(shadow, value);
}

/*
 * Write back what mtd selects from a reply. Nothing here can hurt the host:
 * a value the CPU refuses makes the next VM entry fail, and that failure is
 * the VMM's message. Injection requests set or clear the interrupt window.
 */
void vcpu_load_state(const struct utcb_exc *x, uint64_t mtd, struct vcpu *v, struct cpu_regs *g)
{
    if (mtd & MTD_GPR_ACDB) {
        g->rax = x->rax;
        g->rcx = x->rcx;
        g->rdx = x->rdx;
        g->rbx = x->rbx;
    }
    if (mtd & MTD_GPR_BSD) {
        g->rbp = x->rbp;
        g->rsi = x->rsi;
        g->rdi = x->rdi;
    }
    if (mtd & MTD_GPR_R8_R15) {
        g->r8 = x->r8;   g->r9 = x->r9;   g->r10 = x->r10; g->r11 = x->r11;
        g->r12 = x->r12; g->r13 = x->r13; g->r14 = x->r14; g->r15 = x->r15;
    }
    if (mtd & MTD_RSP)
        vmcs_write(VMCS_GUEST_RSP, x->rsp);
    if (mtd & MTD_RIP_LEN)
        vmcs_write(VMCS_GUEST_RIP, x->rip);
    if (mtd & MTD_RFLAGS)
        vmcs_write(VMCS_GUEST_RFLAGS, (x->rflags & RFLAGS_VALID) | RFLAGS_FIXED);
    if (mtd & MTD_DS_ES) {
        seg_load(&x->ds, SEG_DS);
        seg_load(&x->es, SEG_ES);
    }
    if (mtd & MTD_FS_GS) {
        seg_load(&x->fs, SEG_FS);
        seg_load(&x->gs, SEG_GS);
    }
    if (mtd & MTD_CS_SS) {
        seg_load(&x->cs, SEG_CS);
        seg_load(&x->ss, SEG_SS);
    }
    if (mtd & MTD_TR)
        seg_load(&x->tr, SEG_TR);
    if (mtd & MTD_LDTR)
        seg_load(&x->ldtr, SEG_LDTR);
    if (mtd & MTD_GDTR) {
        vmcs_write(VMCS_GUEST_GDTR_LIMIT, x->gdtr.limit & 0xffff);
        vmcs_write(VMCS_GUEST_GDTR_BASE, x->gdtr.base);
    }
    if (mtd & MTD_IDTR) {
        vmcs_write(VMCS_GUEST_IDTR_LIMIT, x->idtr.limit & 0xffff);
        vmcs_write(VMCS_GUEST_IDTR_BASE, x->idtr.base);
    }
    if (mtd & MTD_CR) {
        /* Unrestricted guest: PE and PG are the guest's to choose. */
        cr_load(VMCS_GUEST_CR0, VMCS_CR0_SHADOW, x->cr0, v->cr0_fixed0 & ~(CR0_PE | CR0_PG), v->cr0_fixed1);
        cr_load(VMCS_GUEST_CR4, VMCS_CR4_SHADOW, x->cr4, v->cr4_fixed0, v->cr4_fixed1);
        v->cr2 = x->cr2;
        vmcs_write(VMCS_GUEST_CR3, x->cr3);
    }
    if (mtd & MTD_DR)
        vmcs_write(VMCS_GUEST_DR7, x->dr7 & 0xffffffffUL);
    if (mtd & MTD_SYSENTER) {
        vmcs_write(VMCS_GUEST_SYSENTER_CS, x->sysenter_cs & 0xffffffffUL);
        vmcs_write(VMCS_GUEST_SYSENTER_ESP, x->sysenter_rsp);
        vmcs_write(VMCS_GUEST_SYSENTER_EIP, x->sysenter_rip);
    }
    if (mtd & MTD_CTRL) {
        uint32_t window = (uint32_t)vmcs_read(VMCS_CPU_CTLS) & CPU_INTR_WINDOW;
        vmcs_write(VMCS_CPU_CTLS, v->cpu_ctls | window | (x->ctrl[0] & VCPU_CTRL_RDTSC & v->cpu_ctls_extra));
        vmcs_write(VMCS_EXC_BITMAP, x->exc_bitmap);
    }
    if (mtd & MTD_INJ) {
        uint32_t ctls = (uint32_t)vmcs_read(VMCS_CPU_CTLS) & ~CPU_INTR_WINDOW;
        vmcs_write(VMCS_CPU_CTLS, ctls | ((x->intr_info & INJ_WINDOW) ? CPU_INTR_WINDOW : 0));
        vmcs_write(VMCS_ENTRY_INTR_INFO, x->intr_info & ~(INJ_WINDOW | INJ_NMI_WINDOW));
        vmcs_write(VMCS_ENTRY_INTR_ERROR, x->intr_error);
        vmcs_write(VMCS_ENTRY_INSTR_LEN, x->inst_len & 0xf);
    }
    if (mtd & MTD_STA) {
        vmcs_write(VMCS_GUEST_INTR_STATE, x->intr_state & 0xf);
        /*
         * Always active: HLT exits, so a halted guest is the VMM's to put to
         * sleep. (Entering in the HLT state with interrupts off also leaves
         * Bochs' CPU deaf to the external interrupts that must exit.)
         */
        vmcs_write(VMCS_GUEST_ACTV_STATE, ACTV_ACTIVE);
    }
    if (mtd & MTD_TSC)
        vmcs_write(VMCS_TSC_OFFSET, x->tsc_off);
    if (mtd & MTD_EFER_PAT) {
        uint32_t entry = (uint32_t)vmcs_read(VMCS_ENTRY_CTLS) & ~ENTRY_IA32E;
        vmcs_write(VMCS_ENTRY_CTLS, entry | ((x->efer & EFER_LMA) ? ENTRY_IA32E : 0));
        vmcs_write(VMCS_GUEST_EFER, x->efer);
        vmcs_write(VMCS_GUEST_PAT, x->pat);
    }
    if (mtd & MTD_PDPTE)
        for (unsigned i = 0; i < 4; i++)
            vmcs_write(VMCS_GUEST_PDPTE0 + 2 * i, x->pdpte[i]);
    if (mtd & MTD_SYSCALL_SWAPGS) {
        v->star = x->star;
        v->lstar = x->lstar;
        v->fmask = x->fmask;
        v->kernel_gs_base = x->kernel_gs_base;
    }
    if (mtd & MTD_TLB)
        v->flush = true;
    if (mtd & (MTD_CR | MTD_EFER_PAT))
        v->check = true;
}

const char *vcpu_entry_check(void)
{
    uint64_t cr0 = vmcs_read(VMCS_GUEST_CR0), cr4 = vmcs_read(VMCS_GUEST_CR4), efer = vmcs_read(VMCS_GUEST_EFER);
    uint64_t entry = vmcs_read(VMCS_ENTRY_CTLS);
    bool ia32e = entry & ENTRY_IA32E, load_efer = entry & ENTRY_LOAD_EFER;
    if ((cr0 & CR0_PG) && !(cr0 & CR0_PE))
        return "CR0.PG set without CR0.PE";
    if (ia32e && !(cr0 & CR0_PG))
        return "IA-32e mode guest (EFER.LMA) with CR0.PG clear";
    if (ia32e && !(cr4 & CR4_PAE))
        return "IA-32e mode guest (EFER.LMA) with CR4.PAE clear";
    if (load_efer && !!(efer & EFER_LMA) != ia32e)
        return "EFER.LMA differs from the IA-32e mode guest entry control";
    if (load_efer && (cr0 & CR0_PG) && !!(efer & EFER_LMA) != !!(efer & EFER_LME))
        return "CR0.PG set and EFER.LME differs from EFER.LMA";
    return NULL;
}
