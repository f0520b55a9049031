// SPDX-License-Identifier: MIT
/* vmx/vcpu.c — vCPUs: their VMCS, VM entry, and what a VM exit turns into; the parts SVM's share. */
#include "vcpu.h"
#include "vmx.h"
#include "svm.h"
#include "ept.h"
#include "ec.h"
#include "pd.h"
#include "pt.h"
#include "ipc.h"
#include "sched.h"
#include "sc.h"
#include "bkl.h"
#include "lapic.h"
#include "tlb.h"
#include "fpu.h"
#include "frame.h"
#include "paging.h"
#include "x86.h"
#include "uapi/hypercall.h"

#define MSR_PAT      0x277
#define EFER_LMA     (1UL << 10)

NORETURN void vmx_enter(struct cpu_regs *frame, bool launched);   /* vmx/entry.S */
extern char vmx_exit[];
NORETURN void vmx_exit_handler(void);
NORETURN void vmx_entry_failed(void);
static bool failure_shown(struct ec *ec);

/* VPIDs 1..65535, one per vCPU while there are enough (0: none, every entry flushes). */
static uint64_t vpid_used[65536 / 64] = { 1 };     /* VPID 0 is the host's */

static uint16_t vpid_alloc(void)
{
    for (unsigned w = 0; vmx_caps.vpid && w < ARRAY_SIZE(vpid_used); w++)
        if (~vpid_used[w]) {
            unsigned b = (unsigned)__builtin_ctzll(~vpid_used[w]);
            vpid_used[w] |= 1UL << b;
            return (uint16_t)(w * 64 + b);
        }
    return 0;
}

/* The backend the boot CPU chose: VMX with EPT, else SVM with nested paging. */
bool vcpus_usable(void)
{
    return vmx_caps.usable || svm_caps.usable;
}

bool vcpu_cpu_on(unsigned cpu)
{
    return vmx_caps.usable ? vmx_cpu_on(cpu) : svm_cpu_on(cpu);
}

static const char *tag(void)
{
    return svm_caps.usable ? "svm" : "vmx";
}

/* A vCPU for ec (in its PD, whose EPT is made now if it has none): pages only, no VMCS field yet. */
int vcpu_create(struct ec *ec)
{
    if (svm_caps.usable)
        return svm_vcpu_create(ec);
    struct vcpu *v = page_alloc();
    void *vmcs = page_alloc();
    if (!v || !vmcs || (!ec->pd->ept && !(ec->pd->ept = ept_create()))) {
        if (v) page_free(v);
        if (vmcs) page_free(vmcs);
        return OOM;
    }
    *(uint32_t *)vmcs = vmx_caps.revision;
    v->vmcs = vmcs;
    v->vpid = vpid_alloc();
    v->cr0_fixed0 = vmx_caps.cr0_fixed0;
    v->cr0_fixed1 = vmx_caps.cr0_fixed1;
    v->cr4_fixed0 = vmx_caps.cr4_fixed0;
    v->cr4_fixed1 = vmx_caps.cr4_fixed1;
    ec->vcpu = v;
    return SUCCESS;
}

static void vmclear(void *vmcs)
{
    uint64_t pa = virt_to_phys(vmcs);
    __asm__ volatile("vmclear %0" :: "m"(pa) : "cc", "memory");
}

void vcpu_load(struct vcpu *v)
{
    struct cpu *c = this_cpu();
    if (c->vmcs == v->vmcs)
        return;
    if (!svm_caps.usable) {                      /* a VMCB is plain memory: nothing to load */
        uint64_t pa = virt_to_phys(v->vmcs);
        __asm__ volatile("vmptrld %0" :: "m"(pa) : "cc", "memory");
    }
    c->vmcs = v->vmcs;
    c->vcpu = v;
}

/* The host's SYSCALL MSRs, TR's limit (a VM exit sets it to 0x67: no I/O bitmap), for host ECs. */
void vmx_host_restore(struct cpu *c)
{
    c->gdt[SEL_TSS / 8] &= ~(2UL << 40);        /* available again, so ltr takes it */
    __asm__ volatile("ltr %w0" :: "r"(SEL_TSS));
    if (c->vmx_msrs) {
        syscall_init();
        wrmsr(MSR_KERNEL_GS_BASE, c->gs_base);
        c->vmx_msrs = NULL;
    }
    c->vmx_dirty = false;
}

/* Forget v on this CPU (its VMCS leaves the CPU, its MSRs too), then free it. */
static void vcpu_free(struct cpu *c, struct vcpu *v)
{
    if (c->vmcs == v->vmcs) {
        c->vmcs = NULL;
        c->vcpu = NULL;
    }
    if (svm_caps.usable) {
        svm_vcpu_free(v);
        return;
    }
    vmclear(v->vmcs);
    if (c->vmx_msrs == v)
        vmx_host_restore(c);
    if (v->vpid)
        vpid_used[v->vpid / 64] &= ~(1UL << (v->vpid % 64));
    page_free(v->vmcs);
    page_free(v);
}

/* A VMCS may be cached by the CPU that used it: that CPU clears it (now, or when it next schedules). */
void vcpu_release(struct ec *ec)
{
    struct vcpu *v = ec->vcpu;
    struct cpu *t = &cpus[ec->cpu];
    ec->vcpu = NULL;
    if (t == this_cpu()) {
        vcpu_free(t, v);
        return;
    }
    v->clear_next = t->vmcs_clear;
    t->vmcs_clear = v;
    sched_kick(ec->cpu);
}

void vcpu_clear_pending(struct cpu *c)
{
    while (c->vmcs_clear) {
        struct vcpu *v = c->vmcs_clear;
        c->vmcs_clear = v->clear_next;
        vcpu_free(c, v);
    }
}

/*
 * The architectural reset state (Intel SDM vol. 3, "Initialization"): real
 * mode at f000:fff0. The VMM's startup reply usually replaces all of it.
 */
void vcpu_reset(struct vcpu *v, struct cpu_regs *gpr)
{
    struct utcb_exc x = {
        .rip = 0xfff0, .rflags = RFLAGS_FIXED, .cr0 = 0x60000010, .dr7 = 0x400, .pat = 0x0007040600070406UL,
        .cs = { .sel = 0xf000, .ar = SEG_AR(0xb, 1, 0, 1, 0, 0, 0), .limit = 0xffff, .base = 0xffff0000 },
        .ldtr = { .ar = SEG_AR_LDT, .limit = 0xffff },
        .tr = { .ar = SEG_AR(0xb, 0, 0, 1, 0, 0, 0), .limit = 0xffff },
        .gdtr = { .limit = 0xffff }, .idtr = { .limit = 0xffff },
    };
    struct utcb_seg data = { .ar = SEG_AR(0x3, 1, 0, 1, 0, 0, 0), .limit = 0xffff };
    x.ds = x.es = x.ss = x.fs = x.gs = data;
    memset(gpr, 0, offsetof(struct cpu_regs, vector));
    vcpu_load_state(&x, ~0UL & ~(uint64_t)(MTD_CTRL | MTD_SYSCALL_SWAPGS | MTD_TLB), v, gpr);
    vmcs_write(VMCS_GUEST_DEBUGCTL, 0);
    vmcs_write(VMCS_GUEST_PENDING_DBG, 0);
}

/*
 * Program the VMCS, on the vCPU's CPU at its first run. Controls: host
 * interrupts and NMIs exit (taken by the kernel), HLT, every port access and
 * MOV DR exit; EPT, unrestricted guest, VPID where offered; the exit is in
 * 64-bit mode with the interrupt acknowledged; EFER, PAT and DR7/DEBUGCTL
 * switched both ways.
 * The kernel owns CR0.NE and CR4.VMXE (masked, the guest reads its own view).
 */
static void vmcs_setup(struct cpu *c, struct ec *ec)
{
    struct vcpu *v = ec->vcpu;
    vmclear(v->vmcs);
    c->vmcs = NULL;
    c->vcpu = NULL;
    vcpu_load(v);
    v->cpu_ctls = vmx_ctls(MSR_VMX_PROCBASED_CTLS, CPU_HLT | CPU_IO | CPU_MOV_DR | CPU_TSC_OFFSET | CPU_SECONDARY) &
                  ~(CPU_INTR_WINDOW | CPU_NMI_WINDOW);
    v->cpu_ctls_extra = vmx_ctls(MSR_VMX_PROCBASED_CTLS, CPU_RDTSC) & CPU_RDTSC;
    vmcs_write(VMCS_PIN_CTLS, vmx_ctls(MSR_VMX_PINBASED_CTLS, PIN_EXTINT | PIN_NMI));
    vmcs_write(VMCS_CPU_CTLS, v->cpu_ctls);
    vmcs_write(VMCS_CPU_CTLS2, vmx_ctls(MSR_VMX_PROCBASED_CTLS2, CPU2_EPT | CPU2_URG | CPU2_RDTSCP | CPU2_INVPCID |
                                        (v->vpid ? CPU2_VPID : 0)));
    vmcs_write(VMCS_EXIT_CTLS, vmx_ctls(MSR_VMX_EXIT_CTLS, EXIT_SAVE_DBG | EXIT_HOST_64 | EXIT_ACK_INTR |
                                        EXIT_SAVE_PAT | EXIT_LOAD_PAT | EXIT_SAVE_EFER | EXIT_LOAD_EFER));
    vmcs_write(VMCS_ENTRY_CTLS, vmx_ctls(MSR_VMX_ENTRY_CTLS, ENTRY_LOAD_DBG | ENTRY_LOAD_PAT | ENTRY_LOAD_EFER) &
                                ~ENTRY_IA32E);
    vmcs_write(VMCS_EXC_BITMAP, 0);
    vmcs_write(VMCS_CR3_TARGETS, 0);
    vmcs_write(VMCS_EXIT_MSR_STORE_COUNT, 0);
    vmcs_write(VMCS_EXIT_MSR_LOAD_COUNT, 0);
    vmcs_write(VMCS_ENTRY_MSR_LOAD_COUNT, 0);
    vmcs_write(VMCS_LINK_PTR, ~0UL);
    vmcs_write(VMCS_EPTP, ept_pointer(ec->pd->ept));
    if (v->vpid)
        vmcs_write(VMCS_VPID, v->vpid);
    vmcs_write(VMCS_CR0_MASK, CR0_NE);
    vmcs_write(VMCS_CR4_MASK, CR4_VMXE);
    vmcs_write(VMCS_TSC_OFFSET, 0);

    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) idtr;
    __asm__ volatile("sidt %0" : "=m"(idtr));
    vmcs_write(VMCS_HOST_CS_SEL, SEL_KCODE);
    vmcs_write(VMCS_HOST_SS_SEL, SEL_KDATA);
    vmcs_write(VMCS_HOST_DS_SEL, 0);
    vmcs_write(VMCS_HOST_ES_SEL, 0);
    vmcs_write(VMCS_HOST_FS_SEL, 0);
    vmcs_write(VMCS_HOST_GS_SEL, 0);
    vmcs_write(VMCS_HOST_TR_SEL, SEL_TSS);
    vmcs_write(VMCS_HOST_CR4, read_cr4());
    vmcs_write(VMCS_HOST_FS_BASE, 0);
    vmcs_write(VMCS_HOST_GS_BASE, (uint64_t)c);
    vmcs_write(VMCS_HOST_TR_BASE, (uint64_t)&c->tss);
    vmcs_write(VMCS_HOST_GDTR_BASE, (uint64_t)c->gdt);
    vmcs_write(VMCS_HOST_IDTR_BASE, idtr.base);
    vmcs_write(VMCS_HOST_SYSENTER_CS, 0);
    vmcs_write(VMCS_HOST_SYSENTER_ESP, 0);
    vmcs_write(VMCS_HOST_SYSENTER_EIP, 0);
    vmcs_write(VMCS_HOST_EFER, rdmsr(MSR_EFER));
    vmcs_write(VMCS_HOST_PAT, rdmsr(MSR_PAT));
    vmcs_write(VMCS_HOST_RSP, (uint64_t)&ec->regs.vector);
    vmcs_write(VMCS_HOST_RIP, (uint64_t)vmx_exit);
    vcpu_reset(v, &ec->regs);
    v->ready = true;
}

/* A value the CPU takes in an MSR without #GP: canonical addresses only. */
static uint64_t msr_addr(uint64_t a)
{
    return canonical(a) ? a : 0;
}

/*
 * Into the guest. Holds: the kernel lock, the VMCS current. The guest owns
 * the FPU registers while it runs (loaded eagerly), CR2 and the SYSCALL MSRs
 * are its own; host ECs get theirs back in vmx_host_restore.
 */
void vcpu_fpu(struct cpu *c, struct ec *ec)
{
    if (c->fpu_owner != ec) {
        if (!fpu_trap(ec))
            ec_kill(ec, "no memory for its FPU state");
    } else if (c->fpu_ts) {
        __asm__ volatile("clts");
        c->fpu_ts = false;
    }
}

NORETURN static void vcpu_enter(struct cpu *c, struct ec *ec)
{
    struct vcpu *v = ec->vcpu;
    vcpu_fpu(c, ec);
    vmcs_write(VMCS_HOST_CR0, read_cr0());
    vmcs_write(VMCS_HOST_CR3, read_cr3());
    if (v->flush) {
        struct { uint64_t vpid, addr; } desc = { v->vpid, 0 };
        if (v->vpid)
            __asm__ volatile("invvpid %0, %1" :: "m"(desc), "r"(1UL) : "cc", "memory");
        v->flush = false;
    }
    if (c->vmx_msrs != v) {
        wrmsr(MSR_STAR, v->star);
        wrmsr(MSR_LSTAR, msr_addr(v->lstar));
        wrmsr(MSR_FMASK, v->fmask & 0xffffffffUL);
        wrmsr(MSR_KERNEL_GS_BASE, msr_addr(v->kernel_gs_base));
        c->vmx_msrs = v;
    }
    if (read_cr2() != v->cr2)
        __asm__ volatile("mov %0, %%cr2" :: "r"(v->cr2));
    c->vmx_dirty = true;
    bkl_unlock();
    vmx_enter(&ec->regs, v->launched);
}

/* Continue a vCPU (ec_resume's part for them): pending messages first, then the guest. */
void vcpu_resume(struct cpu *c, struct ec *ec)
{
    struct vcpu *v = ec->vcpu;
    vcpu_load(v);
    if (!v->ready) {
        if (svm_caps.usable)
            svm_setup(ec);
        else
            vmcs_setup(c, ec);
    }
    switch (ec->cont) {
    case CONT_STARTUP:
        ec->regs.rip = vmcs_read(VMCS_GUEST_RIP);   /* for reports, as after every exit */
        event_send(ec, VCPU_EV_STARTUP);
    case CONT_EVENT:
        event_send(ec, ec->event);
    case CONT_IRET:
        break;
    default:
        panic("[%s] vCPU ec#%u resumed while blocked (cont %d)", tag(), ec->obj.id, ec->cont);
    }
    if (unlikely(ec->recall)) {
        ec->recall = false;
        if (cap_get(ec->pd, ec->event_base + VCPU_EV_RECALL, OBJ_PT, 0))
            event_send(ec, VCPU_EV_RECALL);
    }
    if (unlikely(v->check)) {
        v->check = false;
        const char *rule = vcpu_entry_check();
        if (!rule && svm_caps.usable)
            rule = svm_entry_check();
        if (rule) {                              /* what the CPU would refuse: refused here, the same way */
            v->exit_reason = EXIT_REASON_FAILED_ENTRY | VMX_EXIT_BAD_GUEST;
            if (failure_shown(ec)) {
                kprintf("[%s] ec#%u: VM entry refused: invalid guest state: %s\n", tag(), ec->obj.id, rule);
                vcpu_dump(ec);
            }
            v->check = true;                     /* until a reply fixes it */
            event_send(ec, VMX_EXIT_BAD_GUEST);
        }
    }
    if (svm_caps.usable)
        svm_enter(c, ec);
    vcpu_enter(c, ec);
}

/*
 * A failed VM entry is the VMM's to handle (it gets the event); the console
 * gets the first few with the guest state, so that a VMM that keeps failing
 * cannot flood it.
 */
#define FAILURES_SHOWN 3
static bool failure_shown(struct ec *ec)
{
    unsigned n = ++ec->vcpu->failures;
    if (n == FAILURES_SHOWN + 1)
        kprintf("[%s] ec#%u: more failed VM entries, not shown\n", tag(), ec->obj.id);
    return n <= FAILURES_SHOWN;
}

/* After an exit nobody hears of: back into the guest, unless it was killed meanwhile or a better SC waits. */
void vcpu_continue(struct ec *ec)
{
    if (ec->cont != CONT_DEAD)
        ec->cont = CONT_IRET;                    /* continue the guest when it runs again */
    if (sched_preempt_pending())
        sched_yield_current();
    ec_resume(ec);
}

/* A host interrupt that made the guest exit (VMX acknowledged it, SVM let it in): the kernel's alone. */
void vcpu_host_interrupt(struct ec *ec, unsigned vector)
{
    if (vector == VEC_TLB) {
        tlb_ack();                               /* before the lock: its holder waits for this */
        lapic_eoi();
        bkl_lock();
    } else {
        bkl_lock();
        intr_host(vector);
    }
    vcpu_continue(ec);
}

/* The rest of an exit, with the lock: a message for its event; a failed entry is shown first. */
void vcpu_exit_event(struct ec *ec, uint32_t reason)
{
    unsigned event = reason & 0xffff;
    if (ec->cont == CONT_DEAD)
        sched_yield_current();
    ec->cont = CONT_IRET;
    ec->regs.rip = vmcs_read(VMCS_GUEST_RIP);    /* for reports */
    if ((reason & EXIT_REASON_FAILED_ENTRY) && failure_shown(ec)) {
        if (svm_caps.usable)
            kprintf("[svm] ec#%u: VMRUN refused the guest state (VMEXIT_INVALID)\n", ec->obj.id);
        else
            kprintf("[vmx] ec#%u: VM entry failed: %s (exit reason %u, qualification %#lx)\n", ec->obj.id,
                    event == VMX_EXIT_BAD_GUEST ? "invalid guest state" : event == VMX_EXIT_MSR_LOAD ?
                    "MSR loading" : "machine check", event, vmcs_read(VMCS_EXIT_QUAL));
        vcpu_dump(ec);
    }
    if (event >= VCPU_EXITS)
        ec_kill(ec, "VM exit with an unknown reason");
    event_send(ec, event);
}

/*
 * A VM exit, on the kernel stack; the guest's GPRs are in ec->regs. Host
 * interrupts (acknowledged by the exit) and NMIs are the kernel's; every
 * other exit is a message to the vCPU's portal for its reason.
 */
void vmx_exit_handler(void)
{
    struct cpu *c = this_cpu();
    struct ec *ec = c->ec;
    struct vcpu *v = ec->vcpu;
    v->cr2 = read_cr2();
    v->kernel_gs_base = rdmsr(MSR_KERNEL_GS_BASE);   /* the guest's SWAPGS changes it without an exit */
    c->fs_base = 0;                              /* HOST_FS_BASE */
    uint32_t reason = (uint32_t)vmcs_read(VMCS_EXIT_REASON);
    unsigned event = reason & 0xffff;
    if (!(reason & EXIT_REASON_FAILED_ENTRY))
        v->launched = true;                      /* a VMCS is launched once an entry succeeded */
    v->exit_reason = reason;
    if (event == VMX_EXIT_EXTINT)
        vcpu_host_interrupt(ec, (unsigned)vmcs_read(VMCS_EXIT_INTR_INFO) & 0xff);
    bkl_lock();
    if (event == VMX_EXIT_EXC_NMI && ((vmcs_read(VMCS_EXIT_INTR_INFO) >> 8) & 7) == 2)
        vcpu_continue(ec);                       /* a host NMI: nothing for the guest */
    vcpu_exit_event(ec, reason);
}

/* VMLAUNCH or VMRESUME did not enter: the VM-instruction error goes to the VMM. */
void vmx_entry_failed(void)
{
    struct cpu *c = this_cpu();
    struct ec *ec = c->ec;
    struct vcpu *v = ec->vcpu;
    bkl_lock();
    v->entry_error = (uint32_t)vmcs_read(VMCS_INSTR_ERROR);
    if (failure_shown(ec)) {
        kprintf("[vmx] ec#%u: %s failed: VM-instruction error %u (%s)\n", ec->obj.id,
                v->launched ? "VMRESUME" : "VMLAUNCH", v->entry_error, vmx_instr_error(v->entry_error));
        vcpu_dump(ec);
    }
    if (ec->cont == CONT_DEAD)
        sched_yield_current();
    ec->cont = CONT_IRET;
    event_send(ec, VCPU_EV_FAILED_ENTRY);
}

/* The message of event to handler h: the groups its portal's MTD selects. */
void vcpu_message(struct ec *ec, struct utcb *u, uint64_t mtd, unsigned event)
{
    vcpu_load(ec->vcpu);
    vcpu_save_state(&u->exc, mtd, event, ec->vcpu, &ec->regs);
}

/* The handler's reply: what its MTD names goes back into the guest. */
void vcpu_reply(struct ec *ec, const struct utcb *u)
{
    struct vcpu *v = ec->vcpu;
    uint64_t mtd = u->exc.mtd;
    vcpu_load(v);
    vcpu_load_state(&u->exc, mtd & ~(uint64_t)MTD_FPU, v, &ec->regs);
    if ((mtd & MTD_INJ) && svm_caps.usable)
        v->check = true;                         /* svm_entry_check: what QEMU's SVM would not refuse */
    if (mtd & MTD_SYSCALL_SWAPGS)
        cpus[ec->cpu].vmx_msrs = NULL;           /* load them again at the next entry */
}

static void dump_seg(const char *name, enum vmcs_seg s)
{
    kprintf("[%s]   %s sel %#lx base %#lx limit %#lx ar %#lx\n", tag(), name, vmcs_read(VMCS_SEG(VMCS_GUEST_ES_SEL, s)),
            vmcs_read(VMCS_SEG(VMCS_GUEST_ES_BASE, s)), vmcs_read(VMCS_SEG(VMCS_GUEST_ES_LIMIT, s)),
            vmcs_read(VMCS_SEG(VMCS_GUEST_ES_AR, s)));
}

/* The guest state as the VMCS holds it: what to compare with the SDM's checks after a failed entry. */
void vcpu_dump(struct ec *ec)
{
    struct vcpu *v = ec->vcpu;
    struct cpu_regs *g = &ec->regs;
    vcpu_load(v);
    kprintf("[%s] ec#%u guest state (last exit reason %#x, qualification %#lx, guest-physical %#lx):\n",
            tag(), ec->obj.id, v->exit_reason, vmcs_read(VMCS_EXIT_QUAL), vmcs_read(VMCS_GUEST_PHYS));
    kprintf("[%s]   rip %#lx rsp %#lx rflags %#lx intr-state %#lx activity %#lx\n", tag(), vmcs_read(VMCS_GUEST_RIP),
            vmcs_read(VMCS_GUEST_RSP), vmcs_read(VMCS_GUEST_RFLAGS), vmcs_read(VMCS_GUEST_INTR_STATE),
            vmcs_read(VMCS_GUEST_ACTV_STATE));
    kprintf("[%s]   rax %#lx rbx %#lx rcx %#lx rdx %#lx rsi %#lx rdi %#lx\n", tag(), g->rax, g->rbx, g->rcx, g->rdx,
            g->rsi, g->rdi);
    kprintf("[%s]   cr0 %#lx (reads %#lx) cr3 %#lx cr4 %#lx (reads %#lx) efer %#lx entry-ctls %#lx\n",
            tag(), vmcs_read(VMCS_GUEST_CR0), vmcs_read(VMCS_CR0_SHADOW), vmcs_read(VMCS_GUEST_CR3),
            vmcs_read(VMCS_GUEST_CR4), vmcs_read(VMCS_CR4_SHADOW), vmcs_read(VMCS_GUEST_EFER),
            vmcs_read(VMCS_ENTRY_CTLS));
    static const char *const names[] = { "es", "cs", "ss", "ds", "fs", "gs", "ldtr", "tr" };
    for (unsigned s = SEG_ES; s <= SEG_TR; s++)
        dump_seg(names[s], s);
    kprintf("[%s]   gdtr %#lx/%#lx idtr %#lx/%#lx entry-intr %#lx\n", tag(), vmcs_read(VMCS_GUEST_GDTR_BASE),
            vmcs_read(VMCS_GUEST_GDTR_LIMIT), vmcs_read(VMCS_GUEST_IDTR_BASE), vmcs_read(VMCS_GUEST_IDTR_LIMIT),
            vmcs_read(VMCS_ENTRY_INTR_INFO));
}
