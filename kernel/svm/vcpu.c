// SPDX-License-Identifier: MIT
/* svm/vcpu.c — vCPUs on AMD SVM: their VMCB, VMRUN, and what an exit turns into. */
#include "vcpu.h"
#include "svm.h"
#include "vmx.h"
#include "ept.h"
#include "ec.h"
#include "pd.h"
#include "bkl.h"
#include "frame.h"
#include "paging.h"
#include "x86.h"
#include "uapi/hypercall.h"

NORETURN void svm_run(struct cpu_regs *frame, uint64_t vmcb_pa, uint64_t host_pa);   /* svm/entry.S */
NORETURN void svm_exit_handler(void);

/* Every port and every MSR exits (as VMX's unconditional I/O exiting and no MSR bitmap): one map each for all. */
static void *iopm, *msrpm;

/* ASIDs 1 .. svm_caps.asids-1, one per vCPU (0 is the host's). */
static uint64_t asid_used[65536 / 64] = { 1 };

static uint32_t asid_alloc(void)
{
    for (unsigned w = 0; w < ARRAY_SIZE(asid_used) && w * 64 < svm_caps.asids; w++)
        if (~asid_used[w]) {
            unsigned b = (unsigned)__builtin_ctzll(~asid_used[w]);
            uint32_t a = w * 64 + b;
            if (a >= svm_caps.asids)
                return 0;
            asid_used[w] |= 1UL << b;
            return a;
        }
    return 0;
}

/* A vCPU for ec: its VMCB page (filled at its first run, on its CPU, like a VMCS), the PD's nested table. */
int svm_vcpu_create(struct ec *ec)
{
    if (!iopm) {
        iopm = pages_alloc(2);                   /* 12 KiB used */
        msrpm = pages_alloc(1);
        if (!iopm || !msrpm) {
            if (iopm) pages_free(iopm, 2);
            if (msrpm) pages_free(msrpm, 1);
            iopm = msrpm = NULL;
            return OOM;
        }
        memset(iopm, 0xff, 4 * PAGE_SIZE);
        memset(msrpm, 0xff, 2 * PAGE_SIZE);
    }
    struct vcpu *v = page_alloc();
    void *vmcb = page_alloc();
    uint32_t asid = asid_alloc();
    if (!v || !vmcb || !asid || (!ec->pd->ept && !(ec->pd->ept = ept_create()))) {
        if (v) page_free(v);
        if (vmcb) page_free(vmcb);
        if (asid) asid_used[asid / 64] &= ~(1UL << (asid % 64));
        return OOM;
    }
    v->vmcs = vmcb;
    v->asid = asid;
    v->cr0_fixed0 = v->cr4_fixed0 = 0;           /* SVM fixes no CR0/CR4 bit: a bad value fails VMRUN */
    v->cr0_fixed1 = v->cr4_fixed1 = ~0UL;
    ec->vcpu = v;
    return SUCCESS;
}

void svm_vcpu_free(struct vcpu *v)
{
    asid_used[v->asid / 64] &= ~(1UL << (v->asid % 64));
    page_free(v->vmcs);
    page_free(v);
}

/*
 * The VMCB's controls, at the vCPU's first run. Intercepts: host interrupts,
 * NMIs, SMIs and INIT (the kernel's), CPUID, INVD, HLT, every port and MSR,
 * task switches, shutdown (a triple fault), XSETBV, VMMCALL and the SVM
 * instructions (the guest has no SVM: #UD). Nested paging on the PD's
 * guest table, its own ASID, virtual interrupt masking (the guest's IF masks
 * only the guest's interrupts). Then the reset state, as on VMX.
 */
void svm_setup(struct ec *ec)
{
    struct vcpu *v = ec->vcpu;
    struct vmcb *b = v->vmcs;
    b->intercept1 = SVM_I1_INTR | SVM_I1_NMI | SVM_I1_SMI | SVM_I1_INIT | SVM_I1_CPUID | SVM_I1_INVD |
                    SVM_I1_HLT | SVM_I1_INVLPGA | SVM_I1_IOIO | SVM_I1_MSR | SVM_I1_TASK_SWITCH | SVM_I1_SHUTDOWN;
    b->intercept2 = SVM_I2_VMRUN | SVM_I2_VMMCALL | SVM_I2_VMLOAD | SVM_I2_VMSAVE | SVM_I2_STGI | SVM_I2_CLGI |
                    SVM_I2_SKINIT | SVM_I2_XSETBV;
    b->iopm_pa = virt_to_phys(iopm);
    b->msrpm_pa = virt_to_phys(msrpm);
    b->asid = v->asid;
    b->int_control = SVM_V_INTR_MASKING;
    b->np_enable = 1;
    b->n_cr3 = virt_to_phys(ec->pd->ept);
    v->cpu_ctls = CPU_HLT | CPU_IO;              /* what a VMM reading the controls is told */
    v->cpu_ctls_extra = CPU_RDTSC;
    v->flush = true;                             /* an ASID used before may have translations left */
    vcpu_reset(v, &ec->regs);
    v->ready = true;
}

void svm_tlb_ack(struct cpu *c)
{
    c->svm_flush = true;
}

/*
 * Into the guest. Holds: the kernel lock, v's VMCB current. SVM switches
 * CR2, EFER, PAT and (with VMLOAD) FS, GS, TR, LDTR and the SYSCALL MSRs;
 * the FPU is loaded eagerly as on VMX. The guest's rax lives in the VMCB.
 */
void svm_enter(struct cpu *c, struct ec *ec)
{
    struct vcpu *v = ec->vcpu;
    struct vmcb *b = v->vmcs;
    vcpu_fpu(c, ec);
    b->rax = ec->regs.rax;
    b->cr2 = v->cr2;
    b->star = v->star;
    b->lstar = canonical(v->lstar) ? v->lstar : 0;
    b->sfmask = v->fmask & 0xffffffffUL;
    b->kernel_gs_base = canonical(v->kernel_gs_base) ? v->kernel_gs_base : 0;
    b->tlb_control = (v->flush || c->svm_flush) ? 1 : 0;
    v->flush = c->svm_flush = false;
    bkl_unlock();
    svm_run(&ec->regs, virt_to_phys(b), virt_to_phys(c->svm_host));
}

/*
 * An exit, on the kernel stack with GIF clear and interrupts off; the guest's
 * GPRs are in ec->regs (rax still in the VMCB). A host interrupt is let in
 * here, through the IDT (svm_intr); every other exit is what VMX's would be.
 */
void svm_exit_handler(void)
{
    struct cpu *c = this_cpu();
    struct ec *ec = c->ec;
    struct vcpu *v = ec->vcpu;
    struct vmcb *b = v->vmcs;
    ec->regs.rax = b->rax;
    ec->regs.vector = ec->regs.err = 0;
    v->cr2 = b->cr2;
    v->kernel_gs_base = b->kernel_gs_base;       /* VMSAVE's: the guest's SWAPGS changes it without an exit */
    b->eventinj = 0;                             /* delivered, or in exitintinfo for the VMM */
    uint32_t reason = svm_exit_translate(v, b);
    v->exit_reason = reason;
    v->launched = true;
    if (reason == VMX_EXIT_EXTINT) {
        c->svm_window = true;                    /* the interrupt arrives in svm_intr, which does not return */
        __asm__ volatile("stgi; sti; nop; cli" ::: "memory");
        c->svm_window = false;                   /* none came (it went away, or it was an SMI) */
        bkl_lock();
        vcpu_continue(ec);
    }
    __asm__ volatile("stgi" ::: "memory");      /* interrupts stay off until the next VMRUN or return */
    bkl_lock();
    if (reason == SVM_REASON_UD) {
        b->eventinj = INJ_VALID | INJ_TYPE_HW_EXC | 6;
        vcpu_continue(ec);
    }
    vcpu_exit_event(ec, reason);
}

/* intr_handler, for the interrupt or NMI svm_exit_handler let in: the kernel's, as after VMX's exits. */
void svm_intr(unsigned vector)
{
    struct cpu *c = this_cpu();
    c->svm_window = false;
    if (vector == 2) {                           /* a host NMI: nothing for anybody */
        bkl_lock();
        vcpu_continue(c->ec);
    }
    vcpu_host_interrupt(c->ec, vector);
}
