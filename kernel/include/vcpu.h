/* SPDX-License-Identifier: MIT */
/* vcpu.h — virtual CPUs on VMX (one VMCS each) or SVM (one VMCB each), run by a global EC; their state as messages. */
#pragma once

#include "kernel.h"
#include "cpu.h"
#include "uapi/utcb.h"
#include "uapi/vcpu.h"

struct ec;

/*
 * What a vCPU has besides its EC: the guest's GPRs live in the EC's frame
 * (ec->regs, where the exit stub pushes them), everything the VMCS holds
 * stays there, and the few registers VMX does not switch are kept here.
 */
struct vcpu {
    void *vmcs;                  /* the VMCS region, or on SVM the VMCB (one page) */
    bool ready;                  /* its fields were written (on its own CPU, at the first run) */
    bool launched;               /* VMLAUNCH succeeded once: VMRESUME from now on */
    uint16_t vpid;               /* 0: none (every entry and exit flushes the guest's TLB) */
    uint64_t cr2;                /* VMX does not switch CR2 */
    uint64_t star, lstar, fmask, kernel_gs_base;   /* nor the SYSCALL MSRs */
    uint32_t exit_reason;        /* of the last exit */
    uint32_t entry_error;        /* VCPU_EV_FAILED_ENTRY: the VM-instruction error */
    unsigned failures;           /* failed VM entries so far: only the first few are printed */
    uint32_t cpu_ctls;           /* the primary processor-based controls the kernel keeps on */
    uint32_t cpu_ctls_extra;     /* those a VMM may add (MTD_CTRL) that this CPU offers */
    bool flush;                  /* MTD_TLB: flush the guest's translations before the next entry */
    bool check;                  /* a reply changed CR0/CR4/EFER: vcpu_entry_check before the next entry */
    uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;  /* what VMX forces in the real CR0/CR4 */
    struct vcpu *clear_next;     /* on its CPU's list of VMCSs to clear and free */
    /* SVM only: the last exit in VMX's terms (svm/vmcb.c), and the vCPU's ASID. */
    uint32_t asid;
    uint64_t qual, gpa, inst_len;  /* exit qualification, guest-physical address, instruction length */
    uint32_t exc_info, exc_error;  /* an exception exit: VMX interruption information and error code */
};

/*
 * Guest state <-> UTCB, by MTD group (vmx/state.c, pure: it reaches the VMCS
 * only through vmcs_read/vmcs_write, so it is tested on the host). `event` is
 * the message's event number; gpr the guest's GPR frame.
 */
void vcpu_save_state(struct utcb_exc *x, uint64_t mtd, unsigned event, const struct vcpu *v,
                     const struct cpu_regs *gpr);
void vcpu_load_state(const struct utcb_exc *x, uint64_t mtd, struct vcpu *v, struct cpu_regs *gpr);
/*
 * The VM-entry checks on the guest's paging mode (Intel SDM vol. 3, "Checks on
 * Guest Control Registers, Debug Registers, and MSRs"), made by the kernel
 * before the CPU does: NULL if they hold, else the rule that does not.
 * Emulators are known to mishandle some of these states instead of failing
 * the entry; every CPU refuses them.
 */
const char *vcpu_entry_check(void);
/* The packed access rights of struct utcb_seg <-> the VMCS's. */
uint16_t vcpu_ar_pack(uint32_t vmx_ar);
uint32_t vcpu_ar_unpack(uint16_t ar);

/* vmx/vcpu.c: the backend's life of a vCPU (VMX here, svm/vcpu.c for SVM, chosen at boot) */
int  vcpu_create(struct ec *ec);              /* SUCCESS or OOM; its VMCS is set up at the first run */
NORETURN void vcpu_resume(struct cpu *c, struct ec *ec);  /* continue it the way its cont says */
void vcpu_load(struct vcpu *v);               /* make v's VMCS current on this CPU */
void vcpu_release(struct ec *ec);             /* the EC goes: its VMCS is cleared on its CPU and freed */
void vcpu_clear_pending(struct cpu *c);       /* this CPU: clear and free what vcpu_release left it */
void vcpu_dump(struct ec *ec);                /* the guest state on the console */
struct utcb;
void vcpu_message(struct ec *ec, struct utcb *u, uint64_t mtd, unsigned event);  /* event_send's state */
void vcpu_reply(struct ec *ec, const struct utcb *u);   /* a reply's state back into the guest */
void vmx_host_restore(struct cpu *c);         /* after exits: TR limit, SYSCALL MSRs for host ECs */
bool vcpus_usable(void);                      /* VMX with EPT, or SVM with NPT: vCPUs can be made */
bool vcpu_cpu_on(unsigned cpu);               /* that CPU can run them */
void vcpu_fpu(struct cpu *c, struct ec *ec);  /* before an entry: the guest's FPU state in the registers */
NORETURN void vcpu_host_interrupt(struct ec *ec, unsigned vector);  /* a host interrupt at an exit */
NORETURN void vcpu_continue(struct ec *ec);   /* an exit the kernel handled: back into the guest */
NORETURN void vcpu_exit_event(struct ec *ec, uint32_t reason);  /* any other exit: a message (lock held) */
void vcpu_reset(struct vcpu *v, struct cpu_regs *gpr);  /* the architectural reset state */

/* svm/vcpu.c */
int  svm_vcpu_create(struct ec *ec);
NORETURN void svm_enter(struct cpu *c, struct ec *ec);
void svm_setup(struct ec *ec);
void svm_vcpu_free(struct vcpu *v);
void svm_tlb_ack(struct cpu *c);              /* nested tables changed: flush at this CPU's next VMRUN */
NORETURN void svm_intr(unsigned vector);      /* intr_handler: the interrupt an SVM exit let in */
