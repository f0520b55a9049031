// SPDX-License-Identifier: MIT
/* svm/svm.c — AMD SVM: what the CPU offers, EFER.SVME on every CPU, and VMCS fields on a VMCB. */
#include "svm.h"
#include "vmx.h"
#include "vcpu.h"
#include "frame.h"
#include "paging.h"
#include "x86.h"
#include "uapi/vcpu.h"

struct svm_caps svm_caps;
static bool svm_on[MAX_CPUS];

/*
 * What vCPUs on SVM need: SVM that firmware did not disable (VM_CR.SVMDIS)
 * and nested paging. NRIP save is used where present; without it (QEMU's
 * TCG) the kernel knows the lengths of the instructions that exit.
 */
void svm_probe(void)
{
    struct svm_caps *s = &svm_caps;
    uint32_t r[4];
    cpuid(0x80000000, 0, r);
    unsigned max = r[0];
    cpuid(0x80000001, 0, r);
    if (max < 0x8000000a || !(r[2] & (1u << 2))) {
        s->why_not = "the CPU has no SVM";
        return;                                  /* said by vmx_probe's line: nothing to add on Intel */
    }
    cpuid(0x8000000a, 0, r);
    if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS)
        s->why_not = "firmware disabled SVM (VM_CR.SVMDIS)";
    else if (!(r[3] & (1u << 0)))
        s->why_not = "no nested paging";
    else if (r[1] < 2)
        s->why_not = "no ASID for guests";
    if (s->why_not) {
        kprintf("[svm] not used: %s\n", s->why_not);
        return;
    }
    s->asids = r[1];
    s->nrips = r[3] & (1u << 3);
    s->usable = true;
    kprintf("[svm] SVM with nested paging: %u ASIDs; NRIP save %s\n", s->asids, s->nrips ? "yes" : "no");
}

/* Turn SVM on (EFER.SVME) and give the CPU its host save area: VMRUN keeps the host's state there. */
void svm_cpu_init(struct cpu *c)
{
    if (!svm_caps.usable)
        return;
    void *hsave = page_alloc(), *host = page_alloc();
    if (!hsave || !host) {
        kprintf("[svm] cpu%u: no pages for the host save areas\n", c->id);
        if (hsave) page_free(hsave);
        if (host) page_free(host);
        return;
    }
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
    wrmsr(MSR_VM_HSAVE_PA, virt_to_phys(hsave));
    c->svm_host = host;
    svm_on[c->id] = true;
}

bool svm_cpu_on(unsigned cpu)
{
    return cpu < MAX_CPUS && svm_on[cpu];
}

unsigned svm_cpus_on(void)
{
    unsigned n = 0;
    for (unsigned i = 0; i < MAX_CPUS; i++)
        n += svm_on[i];
    return n;
}

/*
 * VMCS fields on the current VMCB. state.c speaks VMX's encodings; SVM keeps
 * the same state in other places and formats:
 *   segments        VMCB segments, access rights packed as in struct utcb_seg
 *   CR0/CR4 masks   none: the guest reads its real CR0 and CR4
 *   controls        the interrupt window is V_IRQ with the VINTR intercept,
 *                   RDTSC exiting the RDTSC/RDTSCP intercepts
 *   injection       EVENTINJ: the same format in its low half, the error code above
 *   exit fields     translated at the exit into struct vcpu (svm_exit_translate)
 *   EFER            the guest's, less SVME (SVM needs it set in the guest's EFER)
 * Fields SVM has no place for read 0 and ignore writes.
 */
static struct vmcb_seg *vmcb_seg(struct vmcb *b, unsigned seg)
{
    struct vmcb_seg *segs[] = { &b->es, &b->cs, &b->ss, &b->ds, &b->fs, &b->gs, &b->ldtr, &b->tr };
    return segs[seg];
}

static bool seg_field(uint32_t field, uint32_t base, unsigned *seg)
{
    if (field < base || field >= base + 16 || (field - base) % 2)
        return false;
    *seg = (field - base) / 2;
    return true;
}

uint64_t vmcb_read(uint32_t field)
{
    struct vcpu *v = this_cpu()->vcpu;
    struct vmcb *b = v->vmcs;
    unsigned s;
    if (seg_field(field, VMCS_GUEST_ES_SEL, &s))
        return vmcb_seg(b, s)->sel;
    if (seg_field(field, VMCS_GUEST_ES_LIMIT, &s))
        return vmcb_seg(b, s)->limit;
    if (seg_field(field, VMCS_GUEST_ES_BASE, &s))
        return vmcb_seg(b, s)->base;
    if (seg_field(field, VMCS_GUEST_ES_AR, &s))
        return vcpu_ar_unpack(vmcb_seg(b, s)->attrib);
    switch (field) {
    case VMCS_GUEST_GDTR_LIMIT:  return b->gdtr.limit;
    case VMCS_GUEST_GDTR_BASE:   return b->gdtr.base;
    case VMCS_GUEST_IDTR_LIMIT:  return b->idtr.limit;
    case VMCS_GUEST_IDTR_BASE:   return b->idtr.base;
    case VMCS_GUEST_RSP:         return b->rsp;
    case VMCS_GUEST_RIP:         return b->rip;
    case VMCS_GUEST_RFLAGS:      return b->rflags;
    case VMCS_GUEST_CR0:
    case VMCS_CR0_SHADOW:        return b->cr0;
    case VMCS_GUEST_CR3:         return b->cr3;
    case VMCS_GUEST_CR4:
    case VMCS_CR4_SHADOW:        return b->cr4;
    case VMCS_GUEST_DR7:         return b->dr7;
    case VMCS_GUEST_DEBUGCTL:    return b->dbgctl;
    case VMCS_GUEST_SYSENTER_CS: return b->sysenter_cs;
    case VMCS_GUEST_SYSENTER_ESP: return b->sysenter_esp;
    case VMCS_GUEST_SYSENTER_EIP: return b->sysenter_eip;
    case VMCS_GUEST_EFER:        return b->efer & ~EFER_SVME;
    case VMCS_GUEST_PAT:         return b->g_pat;
    case VMCS_TSC_OFFSET:        return b->tsc_offset;
    case VMCS_EXC_BITMAP:        return b->intercept_exc;
    case VMCS_CPU_CTLS:
        return v->cpu_ctls | ((b->intercept1 & SVM_I1_VINTR) ? CPU_INTR_WINDOW : 0) |
               ((b->intercept1 & SVM_I1_RDTSC) ? CPU_RDTSC : 0);
    case VMCS_ENTRY_CTLS:
        return ENTRY_LOAD_EFER | ENTRY_LOAD_PAT | ((b->efer & (1UL << 10)) ? ENTRY_IA32E : 0);
    case VMCS_ENTRY_INTR_INFO:   return (uint32_t)b->eventinj;
    case VMCS_ENTRY_INTR_ERROR:  return b->eventinj >> 32;
    case VMCS_IDT_VECT_INFO:     return (uint32_t)b->exitintinfo;
    case VMCS_IDT_VECT_ERROR:    return b->exitintinfo >> 32;
    case VMCS_GUEST_INTR_STATE:  return (b->int_shadow & 1) ? INTR_STATE_STI : 0;
    case VMCS_EXIT_REASON:       return v->exit_reason;
    case VMCS_EXIT_QUAL:         return v->qual;
    case VMCS_GUEST_PHYS:        return v->gpa;
    case VMCS_EXIT_INSTR_LEN:    return v->inst_len;
    case VMCS_EXIT_INTR_INFO:    return v->exc_info;
    case VMCS_EXIT_INTR_ERROR:   return v->exc_error;
    default:                     return 0;   /* masks, PDPTEs, activity state, secondary controls ... */
    }
}

/*
 * VMX's injection types in SVM's: software exceptions (INT3, INTO, ICEBP) go
 * in as exceptions; the reserved ones stay, for svm_entry_check to refuse.
 */
static uint64_t eventinj_low(uint64_t info)
{
    unsigned type = (info >> 8) & 7;
    if (type == 5 || type == 6)
        info = (info & ~0x700UL) | INJ_TYPE_HW_EXC;
    return info & 0xffffffffUL;
}

/*
 * What VMRUN refuses in EVENTINJ (AMD APM vol. 2, "Event Injection"),
 * checked by the kernel before the CPU: QEMU's TCG would inject nothing.
 */
const char *svm_entry_check(void)
{
    const struct vmcb *b = this_cpu()->vcpu->vmcs;
    unsigned type = (b->eventinj >> 8) & 7, vector = b->eventinj & 0xff;
    if (!(b->eventinj & INJ_VALID))
        return NULL;
    if (type == 1 || type >= 5)
        return "event injection with a reserved type";
    if (type == 3 && (vector == 2 || vector >= 32))
        return "exception injection with a vector that is no exception";
    return NULL;
}

void vmcb_write(uint32_t field, uint64_t value)
{
    struct vcpu *v = this_cpu()->vcpu;
    struct vmcb *b = v->vmcs;
    unsigned s;
    if (seg_field(field, VMCS_GUEST_ES_SEL, &s)) {
        vmcb_seg(b, s)->sel = (uint16_t)value;
        return;
    }
    if (seg_field(field, VMCS_GUEST_ES_LIMIT, &s)) {
        vmcb_seg(b, s)->limit = (uint32_t)value;
        return;
    }
    if (seg_field(field, VMCS_GUEST_ES_BASE, &s)) {
        vmcb_seg(b, s)->base = value;
        return;
    }
    if (seg_field(field, VMCS_GUEST_ES_AR, &s)) {
        vmcb_seg(b, s)->attrib = vcpu_ar_pack((uint32_t)value);
        if (s == SEG_SS)
            b->cpl = (vmcb_seg(b, s)->attrib >> 5) & 3;    /* SVM takes the CPL from here: SS.DPL */
        return;
    }
    switch (field) {
    case VMCS_GUEST_GDTR_LIMIT:  b->gdtr.limit = (uint32_t)value; break;
    case VMCS_GUEST_GDTR_BASE:   b->gdtr.base = value; break;
    case VMCS_GUEST_IDTR_LIMIT:  b->idtr.limit = (uint32_t)value; break;
    case VMCS_GUEST_IDTR_BASE:   b->idtr.base = value; break;
    case VMCS_GUEST_RSP:         b->rsp = value; break;
    case VMCS_GUEST_RIP:         b->rip = value; break;
    case VMCS_GUEST_RFLAGS:      b->rflags = value; break;
    case VMCS_GUEST_CR0:         b->cr0 = value; break;
    case VMCS_GUEST_CR3:         b->cr3 = value; break;
    case VMCS_GUEST_CR4:         b->cr4 = value; break;
    case VMCS_GUEST_DR7:         b->dr7 = value; break;
    case VMCS_GUEST_DEBUGCTL:    b->dbgctl = value; break;
    case VMCS_GUEST_SYSENTER_CS: b->sysenter_cs = value; break;
    case VMCS_GUEST_SYSENTER_ESP: b->sysenter_esp = value; break;
    case VMCS_GUEST_SYSENTER_EIP: b->sysenter_eip = value; break;
    case VMCS_GUEST_EFER:        b->efer = value | EFER_SVME; break;
    case VMCS_GUEST_PAT:         b->g_pat = value; break;
    case VMCS_TSC_OFFSET:        b->tsc_offset = value; break;
    case VMCS_EXC_BITMAP:        b->intercept_exc = (uint32_t)value & ~(1u << 2); break;   /* NMIs are the kernel's */
    case VMCS_CPU_CTLS:
        b->intercept1 &= ~(SVM_I1_VINTR | SVM_I1_RDTSC);
        b->intercept2 &= ~SVM_I2_RDTSCP;
        b->int_control &= ~(SVM_V_IRQ | SVM_V_IGN_TPR);
        if (value & CPU_INTR_WINDOW) {           /* a virtual interrupt nobody takes: it exits when it could */
            b->intercept1 |= SVM_I1_VINTR;
            b->int_control |= SVM_V_IRQ | SVM_V_IGN_TPR;
        }
        if (value & CPU_RDTSC) {
            b->intercept1 |= SVM_I1_RDTSC;
            b->intercept2 |= SVM_I2_RDTSCP;
        }
        break;
    case VMCS_ENTRY_INTR_INFO:   b->eventinj = (b->eventinj & ~0xffffffffUL) | eventinj_low(value); break;
    case VMCS_ENTRY_INTR_ERROR:  b->eventinj = (b->eventinj & 0xffffffffUL) | value << 32; break;
    case VMCS_GUEST_INTR_STATE:  b->int_shadow = (value & (INTR_STATE_STI | INTR_STATE_MOVSS)) ? 1 : 0; break;
    default:                     break;          /* no such state on SVM */
    }
}

/* The length of an instruction that exits, for a CPU without NRIP save (the VMM steps past it). */
static unsigned exit_inst_len(uint32_t code)
{
    switch (code) {
    case SVM_EXIT_HLT:                                     return 1;
    case SVM_EXIT_CPUID: case SVM_EXIT_RDTSC: case SVM_EXIT_INVD:
    case SVM_EXIT_MSR:   case SVM_EXIT_PAUSE:              return 2;
    case SVM_EXIT_VMMCALL: case SVM_EXIT_RDTSCP: case SVM_EXIT_XSETBV:
    case SVM_EXIT_MONITOR: case SVM_EXIT_MWAIT:            return 3;
    default:                                               return 0;
    }
}

/*
 * An SVM exit code in VMX's terms: the event the VMM gets (a VMX basic exit
 * reason, uapi/vcpu.h), and the qualification, guest-physical address,
 * instruction length and exception information as VMX would give them.
 * VMX_EXIT_EXTINT: the kernel's own (a host interrupt or NMI); SVM_REASON_UD:
 * SVM's instructions, which the guest does not have.
 */
uint32_t svm_exit_translate(struct vcpu *v, const struct vmcb *b)
{
    uint32_t code = (uint32_t)b->exitcode;
    uint64_t i1 = b->exitinfo1;
    v->qual = v->gpa = v->exc_info = v->exc_error = 0;
    v->inst_len = exit_inst_len(code);
    if (svm_caps.nrips && b->next_rip > b->rip && b->next_rip - b->rip <= 15)
        v->inst_len = b->next_rip - b->rip;
    if (code >= SVM_EXIT_EXC && code < SVM_EXIT_EXC + 32) {
        unsigned vec = code - SVM_EXIT_EXC;
        bool err = vec == 8 || (vec >= 10 && vec <= 14) || vec == 17;
        v->exc_info = INJ_VALID | INJ_TYPE_HW_EXC | vec | (err ? INJ_ERROR : 0);
        v->exc_error = err ? (uint32_t)i1 : 0;
        v->qual = vec == 14 ? b->exitinfo2 : 0;  /* #PF: the address, as VMX's qualification has it */
        v->inst_len = 0;
        return VMX_EXIT_EXC_NMI;
    }
    switch (code) {
    case SVM_EXIT_INTR: case SVM_EXIT_NMI: case SVM_EXIT_SMI:
        return VMX_EXIT_EXTINT;
    case SVM_EXIT_VMRUN: case SVM_EXIT_VMLOAD: case SVM_EXIT_VMSAVE: case SVM_EXIT_STGI:
    case SVM_EXIT_CLGI: case SVM_EXIT_SKINIT: case SVM_EXIT_INVLPGA:
        return SVM_REASON_UD;
    case SVM_EXIT_INIT:        return VMX_EXIT_INIT;
    case SVM_EXIT_VINTR:       return VMX_EXIT_INTR_WINDOW;
    case SVM_EXIT_CPUID:       return VMX_EXIT_CPUID;
    case SVM_EXIT_HLT:         return VMX_EXIT_HLT;
    case SVM_EXIT_INVD:        return VMX_EXIT_INVD;
    case SVM_EXIT_RDTSC:       return VMX_EXIT_RDTSC;
    case SVM_EXIT_RDTSCP:      return VMX_EXIT_RDTSCP;
    case SVM_EXIT_VMMCALL:     return VMX_EXIT_VMCALL;
    case SVM_EXIT_PAUSE:       return VMX_EXIT_PAUSE;
    case SVM_EXIT_MONITOR:     return VMX_EXIT_MONITOR;
    case SVM_EXIT_MWAIT:       return VMX_EXIT_MWAIT;
    case SVM_EXIT_XSETBV:      return VMX_EXIT_XSETBV;
    case SVM_EXIT_SHUTDOWN:    return VMX_EXIT_TRIPLE;
    case SVM_EXIT_TASK_SWITCH: return 9;
    case SVM_EXIT_MSR:         return i1 ? VMX_EXIT_WRMSR : VMX_EXIT_RDMSR;
    case SVM_EXIT_IOIO: {
        unsigned size = (SVM_IO_SIZE(i1) & 4) ? 4 : (SVM_IO_SIZE(i1) & 2) ? 2 : 1;
        v->qual = (size - 1) | ((i1 & SVM_IO_IN) ? 1u << 3 : 0) | ((i1 & SVM_IO_STR) ? 1u << 4 : 0) |
                  ((i1 & SVM_IO_REP) ? 1u << 5 : 0) | (i1 & 0xffff0000UL);
        v->inst_len = b->exitinfo2 - b->rip;     /* EXITINFO2 is the next RIP, with or without NRIP save */
        return VMX_EXIT_IO;
    }
    case SVM_EXIT_NPF: {
        bool write = i1 & SVM_NPF_WRITE, fetch = i1 & SVM_NPF_FETCH, present = i1 & SVM_NPF_PRESENT;
        v->qual = (write ? EPT_QUAL_WRITE : fetch ? EPT_QUAL_FETCH : EPT_QUAL_READ) |
                  (present ? (1u << 3) | (write ? 0 : 1u << 4) | (fetch ? 0 : 1u << 5) : 0) |
                  (1u << 7) | ((i1 & SVM_NPF_FINAL) ? 1u << 8 : 0);
        v->gpa = b->exitinfo2;
        v->inst_len = 0;
        return VMX_EXIT_EPT_VIOLATION;
    }
    case SVM_EXIT_INVALID:
        return VMX_EXIT_BAD_GUEST | EXIT_REASON_FAILED_ENTRY;
    default:
        return VCPU_EXITS;                       /* nothing the kernel asked for */
    }
}
