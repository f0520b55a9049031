// SPDX-License-Identifier: MIT
/* vmm/exits.c — one handler per VM exit, the state each portal asks for, and interrupt injection. */
#include <stdio.h>
#include <string.h>
#include "vmm.h"

#define RFLAGS_IF (1UL << 9)

void vm_skip(struct utcb_exc *x)
{
    x->rip += x->inst_len;
    x->intr_state &= ~(INTR_STATE_STI | INTR_STATE_MOVSS);   /* the instruction completed: its shadow is over */
}

/*
 * The VM is over: say how, and wake the main thread, which revokes the vCPU.
 * Not here: this handler runs on the vCPU's SC, and once the vCPU is gone the
 * SC has nobody to run for (the handler would stop wherever it was
 * preempted). The handler never replies to an ended VM (vmm_portal).
 */
void vm_end(struct vm *vm, uint64_t status, const char *why)
{
    if (vm->state == VM_DONE)
        return;
    vm->status = status;
    snprintf(vm->why, sizeof vm->why, "%s", why);
    vm->state = VM_DONE;
    fc_sm_up(SEL_WAKE);
}

uint64_t vm_stop_status(const struct vm *vm)
{
    return !vm->linux_guest ? ~0UL : vm->panicked ? 1 : 0;
}

/* Startup: the guest's initial state (vmm/memory.c, vmm/linux_boot.c build it), spoiled on purpose if asked to. */
static void on_startup(struct vm *vm, struct utcb_exc *x)
{
    vm->tsc0 = fc_rdtsc();
    if (vm->linux_guest)
        linux_start(vm, x);
    else if (!guest_boot(vm, x))
        vm_end(vm, ~0UL, "the guest image does not fit its RAM");
    if (vm->info->fault == VMM_FAULT_GUEST_STATE)
        x->cs.ar |= SEG_AR(0, 0, 0, 0, 0, 1, 0);  /* D/B with L: no such code segment in IA-32e mode */
    if (vm->info->fault == VMM_FAULT_INJECTION)
        x->intr_info = INJ_VALID | (1u << 8) | 0x20;   /* interruption type 1 is reserved */
}

/*
 * A Linux guest is also told of no 5-level paging (leaf 7: LA57; QEMU's TCG walks a 5-level
 * guest's tables through nested paging wrongly) and no SVM (leaf 0x80000001): what it would
 * use and this VMM does not give.
 */
static void linux_cpuid(struct utcb_exc *x, uint32_t leaf)
{
    if (leaf == 7)
        x->rcx &= ~(uint64_t)(1u << 16);
    else if (leaf == 0x80000001)
        x->rcx &= ~(uint64_t)(1u << 2);
}

static void on_cpuid(struct vm *vm, struct utcb_exc *x)
{
    uint32_t leaf = (uint32_t)x->rax;
    cpuid_policy(x);
    if (vm->linux_guest)
        linux_cpuid(x, leaf);
    vm_skip(x);
}

/* Port I/O: qual[0] says port, size and direction; string I/O is not emulated. */
static void on_io(struct vm *vm, struct utcb_exc *x)
{
    uint64_t q = x->qual[0];
    /* LAB ept BEGIN: decode the port-I/O qualification, let the port bus do the access, give an IN its value in rax, step past the instruction (docs: labs/3-ept/README.md#port-io) */
    if (IO_QUAL_STRING(q)) {
        vm_end(vm, ~0UL, "string port I/O (ins/outs) is not emulated");
        return;
    }
    unsigned size = IO_QUAL_SIZE(q), port = IO_QUAL_PORT(q);
    uint64_t mask = size == 4 ? 0xffffffffUL : (1UL << (8 * size)) - 1;
    uint32_t value = (uint32_t)(x->rax & mask);
    io_access(vm, (uint16_t)port, IO_QUAL_IN(q), size, &value);
    if (IO_QUAL_IN(q))                           /* a 32-bit IN zero-extends into rax, as every 32-bit write */
        x->rax = size == 4 ? value : (x->rax & ~mask) | (value & mask);
    vm_skip(x);
    //@ (void)q;
    //@ LAB_TODO("ept: port I/O exits (vmm/exits.c on_io)");
    //@ vm_end(vm, ~0UL, "port I/O is not emulated yet");
    /* LAB ept END */
}

/*
 * HLT: sleep until the next device interrupt is due (or, with a console,
 * input comes: the timer thread wakes us), never re-enter the guest only to
 * halt again. With interrupts disabled nothing wakes the guest: it stopped
 * (Linux's halt and power-off without ACPI end that way).
 */
static void on_hlt(struct vm *vm, struct utcb_exc *x)
{
    vm_skip(x);
    for (;;) {
        vm_update_irqs(vm);
        if (pic_pending(&vm->pic) >= 0 && (x->rflags & RFLAGS_IF))
            return;
        if (!(x->rflags & RFLAGS_IF)) {
            vm_end(vm, vm_stop_status(vm), "halted with interrupts disabled");
            return;
        }
        if (!vm->irq_due && !vm->info->console) {
            vm_end(vm, ~0UL, "halted with no interrupt to come");
            return;
        }
        vm->halted = true;
        fc_sm_down(SEL_HALT, vm->irq_due);       /* 0: until the timer thread says input came */
        vm->halted = false;
    }
}

/*
 * This handler's own FPU and SSE registers get other values: the guest's must
 * be unaffected (the kernel switches them). The VMM is built without SSE, so
 * only this asm touches them.
 */
static void clobber_fpu(uint64_t seed)
{
    uint64_t junk[2] = { ~seed, seed << 7 };
    __asm__ volatile("fninit\n\t fldpi\n\t fldl2e\n\t movdqu (%0), %%xmm0\n\t movdqu (%0), %%xmm1\n\t"
                     "movdqu (%0), %%xmm2\n\t movdqu (%0), %%xmm3\n\t movdqu (%0), %%xmm4\n\t"
                     "movdqu (%0), %%xmm5\n\t movdqu (%0), %%xmm6\n\t movdqu (%0), %%xmm7" :: "r"(junk) : "memory");
}

/* VMCALL: rax = function. 1 ping: rax = rbx + 1; 2: use the FPU here, rax = 0; others: rax = ~0. */
static void on_vmcall(struct vm *vm, struct utcb_exc *x)
{
    (void)vm;
    if (x->rax == 1) {
        x->rax = x->rbx + 1;
    } else if (x->rax == 2) {
        clobber_fpu(x->rbx);
        x->rax = 0;
    } else {
        x->rax = ~0UL;
    }
    vm_skip(x);
}

/* EPT violation: RAM not given yet (give it, retry), the test device (emulate), or outside: the VM ends. */
static void on_ept(struct vm *vm, struct utcb_exc *x)
{
    uint64_t gpa = x->qual[1];
    if (gpa < vm->info->ram && guest_populate(vm, gpa))
        return;                                  /* the same instruction again, now with memory */
    if ((gpa & ~0xfffUL) == GUEST_MMIO && mmio_access(vm, x, gpa))
        return;
    char why[96];
    snprintf(why, sizeof why, "%s guest-physical %#lx outside its RAM at rip %#lx",
             (x->qual[0] & EPT_QUAL_WRITE) ? "wrote" : (x->qual[0] & EPT_QUAL_FETCH) ? "fetched" : "read",
             gpa, x->rip);
    vm_end(vm, ~0UL, why);
}

static void on_rdmsr(struct vm *vm, struct utcb_exc *x)
{
    uint64_t value = 0;
    msr_read(vm, x, (uint32_t)x->rcx, &value);
    x->rax = value & 0xffffffffUL;
    x->rdx = value >> 32;
    vm_skip(x);
}

static void on_wrmsr(struct vm *vm, struct utcb_exc *x)
{
    msr_write(vm, x, (uint32_t)x->rcx, (x->rdx & 0xffffffffUL) << 32 | (x->rax & 0xffffffffUL));
    vm_skip(x);
}

/* The only CR exits are writes of CR0.NE or CR4.VMXE changes: take the value (the kernel keeps what VMX needs). */
static void on_cr(struct vm *vm, struct utcb_exc *x)
{
    uint64_t q = x->qual[0];
    unsigned cr = q & 0xf, type = (q >> 4) & 3, reg = (q >> 8) & 0xf;
    uint64_t *gprs = &x->rax;                    /* rax rcx rdx rbx rsp rbp rsi rdi r8..r15 in UTCB order */
    if (type != 0 || (cr != 0 && cr != 4)) {
        vm_end(vm, ~0UL, "a control-register access the VMM does not emulate");
        return;
    }
    uint64_t value = gprs[reg];
    if (cr == 0)
        x->cr0 = value;
    else
        x->cr4 = value;
    vm_skip(x);
}

/* Nothing to emulate: step over it. */
static void on_skip(struct vm *vm, struct utcb_exc *x)
{
    (void)vm;
    vm_skip(x);
}

/*
 * MOV to or from a debug register: the guest owns none. Writes vanish; a read
 * gives the reset values (DR6 0xffff0ff0, DR7 0x400, the others 0).
 * Qualification: bits 2:0 the DR, bit 4 set for a read, bits 11:8 the GPR.
 */
static void on_dr(struct vm *vm, struct utcb_exc *x)
{
    uint64_t q = x->qual[0], *gprs = &x->rax;    /* rax rcx rdx rbx rsp rbp rsi rdi r8..r15 in UTCB order */
    unsigned dr = q & 7, reg = (q >> 8) & 0xf;
    (void)vm;
    if (q & 0x10)
        gprs[reg] = dr == 6 || dr == 4 ? 0xffff0ff0UL : dr == 7 || dr == 5 ? 0x400UL : 0;
    vm_skip(x);
}

/* XSETBV: the guest was told there is no XSAVE; it gets #UD. */
static void on_xsetbv(struct vm *vm, struct utcb_exc *x)
{
    (void)vm;
    x->intr_info = INJ_VALID | INJ_TYPE_HW_EXC | 6;
}

static void on_triple(struct vm *vm, struct utcb_exc *x)
{
    char why[64];
    snprintf(why, sizeof why, "triple fault at rip %#lx", x->rip);
    vm_end(vm, ~0UL, why);
}

static void on_failed_entry(struct vm *vm, struct utcb_exc *x)
{
    char why[80];
    snprintf(why, sizeof why, "VM entry failed (VM-instruction error %lu)", x->qual[0]);
    vm_end(vm, ~0UL, why);
}

static void on_bad_guest(struct vm *vm, struct utcb_exc *x)
{
    (void)x;
    vm_end(vm, ~0UL, "VM entry failed: invalid guest state");
}

/* Recall and interrupt window: nothing but the injection every exit ends with. */
static void on_inject_only(struct vm *vm, struct utcb_exc *x)
{
    (void)vm;
    (void)x;
}

static void on_unexpected(struct vm *vm, struct utcb_exc *x)
{
    char why[80];
    snprintf(why, sizeof why, "unexpected VM exit %lu at rip %#lx (qualification %#lx)", x->vector, x->rip, x->qual[0]);
    vm_end(vm, ~0UL, why);
}

static const struct {
    exit_fn fn;
    uint64_t mtd;
} exits[VCPU_EVENTS] = {
    [VMX_EXIT_TRIPLE]        = { on_triple, MTD_BASE },
    [VMX_EXIT_INTR_WINDOW]   = { on_inject_only, MTD_BASE },
    [VMX_EXIT_CPUID]         = { on_cpuid, MTD_BASE },
    [VMX_EXIT_HLT]           = { on_hlt, MTD_BASE },
    [VMX_EXIT_INVD]          = { on_skip, MTD_BASE },
    [VMX_EXIT_VMCALL]        = { on_vmcall, MTD_BASE },
    [VMX_EXIT_CR]            = { on_cr, MTD_BASE | MTD_GPR_R8_R15 | MTD_RSP | MTD_CR },
    [VMX_EXIT_DR]            = { on_dr, MTD_BASE | MTD_GPR_R8_R15 | MTD_RSP },
    [VMX_EXIT_IO]            = { on_io, MTD_BASE },
    [VMX_EXIT_RDMSR]         = { on_rdmsr, MTD_BASE | MTD_FS_GS | MTD_EFER_PAT | MTD_SYSCALL_SWAPGS | MTD_SYSENTER | MTD_TSC },
    [VMX_EXIT_WRMSR]         = { on_wrmsr, MTD_BASE | MTD_FS_GS | MTD_EFER_PAT | MTD_SYSCALL_SWAPGS | MTD_SYSENTER | MTD_TSC },
    [VMX_EXIT_BAD_GUEST]     = { on_bad_guest, MTD_BASE },
    [VMX_EXIT_EPT_VIOLATION] = { on_ept, MTD_BASE | MTD_GPR_R8_R15 | MTD_RSP | MTD_CR | MTD_CS_SS },
    [VMX_EXIT_XSETBV]        = { on_xsetbv, MTD_BASE },
    [VCPU_EV_FAILED_ENTRY]   = { on_failed_entry, MTD_BASE },
    [VCPU_EV_STARTUP]        = { on_startup, MTD_BOOT },
    [VCPU_EV_RECALL]         = { on_inject_only, MTD_BASE },
};

uint64_t exit_mtd(unsigned event)
{
    return event < VCPU_EVENTS && exits[event].fn ? exits[event].mtd : MTD_BASE;
}

/*
 * Before every return to the guest: an event whose delivery the exit
 * interrupted goes in again; otherwise the PIC's best interrupt if the guest
 * can take it now, or an interrupt-window exit when it can.
 */
static void inject(struct vm *vm, struct utcb_exc *x)
{
    if (x->vect_info & INJ_VALID) {
        x->intr_info = x->vect_info & ~(uint32_t)INJ_WINDOW;   /* bit 12 of the vectoring info is not ours */
        x->intr_error = x->vect_error;
        return;
    }
    if (x->intr_info & INJ_VALID)
        return;                                  /* the handler injected something itself */
    vm_update_irqs(vm);
    if (pic_pending(&vm->pic) < 0) {
        x->intr_info = 0;
    } else if ((x->rflags & RFLAGS_IF) && !(x->intr_state & (INTR_STATE_STI | INTR_STATE_MOVSS))) {
        x->intr_info = INJ_VALID | INJ_TYPE_EXTINT | (uint32_t)pic_ack(&vm->pic);
    } else {
        x->intr_info = INJ_WINDOW;
    }
}

void exit_dispatch(struct vm *vm, unsigned event, struct utcb_exc *x)
{
    vm->exits[event]++;
    if (vm->info->fault == VMM_FAULT_FUZZ) {
        fuzz_exit(vm, event, x);
        return;
    }
    x->intr_info &= ~(uint32_t)INJ_WINDOW;       /* what we want now is decided below */
    x->mtd = exit_mtd(event);
    (exits[event].fn ? exits[event].fn : on_unexpected)(vm, x);
    if (vm->state == VM_RUNNING)
        inject(vm, x);
}
