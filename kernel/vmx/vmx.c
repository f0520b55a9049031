// SPDX-License-Identifier: MIT
/* vmx/vmx.c — VMX capabilities, and VMXON on every CPU: the ground vCPUs will run on. */
#include "vmx.h"
#include "svm.h"
#include "frame.h"
#include "paging.h"
#include "x86.h"

struct vmx_caps vmx_caps;
static void *vmxon_region[MAX_CPUS];    /* a CPU's VMXON region while it is in VMX root operation */

/* Can a control MSR (allowed-1 settings in its high half) turn all of `bits` on? */
bool vmx_allows(uint32_t msr, uint32_t bits)
{
    return ((rdmsr(msr) >> 32) & bits) == bits;
}

/*
 * What Hedron requires to run vCPUs, checked in order, the first miss named:
 * VMX that firmware did not lock off, secondary controls with EPT (a 4-level
 * walk into write-back memory, INVEPT) and unrestricted guest, and the VMX
 * preemption timer (Hedron's interface has it, MTD_TSC_TIMEOUT; Facet does
 * not use it yet). VPID and 2 MiB EPT pages are used where present.
 */
void vmx_probe(void)
{
    struct vmx_caps *v = &vmx_caps;
    uint32_t r[4];
    cpuid(1, 0, r);
    uint64_t fc = (r[2] & (1u << 5)) ? rdmsr(MSR_FEATURE_CONTROL) : 0;
    if (!(r[2] & (1u << 5)))
        v->why_not = "the CPU has no VMX";
    else if ((fc & FEATURE_CONTROL_LOCK) && !(fc & FEATURE_CONTROL_VMX))
        v->why_not = "firmware locked VMX off (IA32_FEATURE_CONTROL)";
    else if (!vmx_allows(MSR_VMX_PROCBASED_CTLS, CPU_SECONDARY) ||
             !vmx_allows(MSR_VMX_PROCBASED_CTLS2, CPU2_EPT))
        v->why_not = "no EPT";
    else if (!vmx_allows(MSR_VMX_PROCBASED_CTLS2, CPU2_URG))
        v->why_not = "no unrestricted guest";
    else if (!vmx_allows(MSR_VMX_PINBASED_CTLS, PIN_PREEMPT_TIMER))
        v->why_not = "no VMX preemption timer";
    if (v->why_not) {
        kprintf("[vmx] not used: %s\n", v->why_not);
        return;
    }
    uint64_t basic = rdmsr(MSR_VMX_BASIC), ept = rdmsr(MSR_VMX_EPT_VPID_CAP);
    uint64_t need = EPT_CAP_WALK4 | EPT_CAP_WB | EPT_CAP_INVEPT | EPT_CAP_INVEPT_ALL;
    if ((ept & need) != need) {
        v->why_not = "EPT without a 4-level walk, write-back tables or all-context INVEPT";
        kprintf("[vmx] not used: %s\n", v->why_not);
        return;
    }
    v->revision = (uint32_t)(basic & 0x7fffffff);
    v->vmcs_size = (uint32_t)((basic >> 32) & 0x1fff);
    v->ept_2m = ept & EPT_CAP_2M;
    v->vpid = vmx_allows(MSR_VMX_PROCBASED_CTLS2, CPU2_VPID) && (ept & VPID_CAP_INVVPID);
    v->preempt_shift = (unsigned)(rdmsr(MSR_VMX_MISC) & 0x1f);
    v->true_ctls = basic & VMX_BASIC_TRUE_CTLS;
    v->cr0_fixed0 = rdmsr(MSR_VMX_CR0_FIXED0);
    v->cr0_fixed1 = rdmsr(MSR_VMX_CR0_FIXED1);
    v->cr4_fixed0 = rdmsr(MSR_VMX_CR4_FIXED0);
    v->cr4_fixed1 = rdmsr(MSR_VMX_CR4_FIXED1);
    v->usable = v->vmcs_size <= PAGE_SIZE;
    if (!v->usable) {
        v->why_not = "a VMCS larger than a page";
        kprintf("[vmx] not used: %s\n", v->why_not);
        return;
    }
    kprintf("[vmx] VMX with EPT and unrestricted guest: VMCS revision %#x, %u bytes; EPT 4-level WB%s; VPID %s; "
            "preemption timer TSC/%u\n", v->revision, v->vmcs_size, v->ept_2m ? ", 2 MiB pages" : "",
            v->vpid ? "yes" : "no", 1u << v->preempt_shift);
}

/*
 * Enter VMX root operation: CR0 and CR4 within the bits VMX fixes (NE on,
 * VMXE on), the feature-control MSR enabled and locked if firmware left it
 * open, then VMXON on a page that starts with the VMCS revision.
 */
void vmx_cpu_init(struct cpu *c)
{
    if (!vmx_caps.usable)
        return;
    uint64_t fc = rdmsr(MSR_FEATURE_CONTROL);
    if (!(fc & FEATURE_CONTROL_LOCK))
        wrmsr(MSR_FEATURE_CONTROL, fc | FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX);
    uint64_t cr0 = (read_cr0() | CR0_NE | rdmsr(MSR_VMX_CR0_FIXED0)) & rdmsr(MSR_VMX_CR0_FIXED1);
    uint64_t cr4 = (read_cr4() | CR4_VMXE | rdmsr(MSR_VMX_CR4_FIXED0)) & rdmsr(MSR_VMX_CR4_FIXED1);
    write_cr0(cr0);
    write_cr4(cr4);
    uint32_t *region = page_alloc();
    if (!region) {
        kprintf("[vmx] cpu%u: no page for the VMXON region\n", c->id);
        return;
    }
    region[0] = vmx_caps.revision;
    uint64_t pa = virt_to_phys(region);
    uint8_t failed;
    __asm__ volatile("vmxon %1; setna %0" : "=q"(failed) : "m"(pa) : "cc", "memory");
    if (failed) {
        kprintf("[vmx] cpu%u: VMXON failed\n", c->id);
        write_cr4(read_cr4() & ~CR4_VMXE);
        page_free(region);
        return;
    }
    vmxon_region[c->id] = region;
}

unsigned vmx_cpus_on(void)
{
    unsigned n = 0;
    for (unsigned i = 0; i < MAX_CPUS; i++)
        n += vmxon_region[i] != NULL;
    return n;
}

bool vmx_cpu_on(unsigned cpu)
{
    return cpu < MAX_CPUS && vmxon_region[cpu];
}

/*
 * Bits the CPU insists on (allowed-0 settings, low half) are added, bits it
 * cannot set (allowed-1, high half) dropped. With TRUE controls, default-1
 * bits we do not want (CR3 and INVLPG exiting ...) may be 0.
 */
uint32_t vmx_ctls(uint32_t msr, uint32_t want)
{
    if (vmx_caps.true_ctls && msr != MSR_VMX_PROCBASED_CTLS2)
        msr += MSR_VMX_TRUE_PINBASED_CTLS - MSR_VMX_PINBASED_CTLS;
    uint64_t allowed = rdmsr(msr);
    return (want | (uint32_t)allowed) & (uint32_t)(allowed >> 32);
}

uint64_t vmcs_read(uint32_t field)
{
    if (svm_caps.usable)
        return vmcb_read(field);
    uint64_t v;
    __asm__ volatile("vmread %1, %0" : "=rm"(v) : "r"((uint64_t)field) : "cc");
    return v;
}

void vmcs_write(uint32_t field, uint64_t value)
{
    if (svm_caps.usable) {
        vmcb_write(field, value);
        return;
    }
    uint8_t failed;
    __asm__ volatile("vmwrite %1, %2; setna %0" : "=q"(failed) : "rm"(value), "r"((uint64_t)field) : "cc");
    if (unlikely(failed))
        kprintf("[vmx] vmwrite %#x = %#lx failed: %s\n", field, value, vmx_instr_error((unsigned)vmcs_read(VMCS_INSTR_ERROR)));
}

void vmx_invept_all(void)
{
    struct { uint64_t eptp, reserved; } desc = { 0, 0 };
    __asm__ volatile("invept %0, %1" :: "m"(desc), "r"(2UL) : "cc", "memory");
}

/* The VM-instruction error numbers (Intel SDM vol. 3, "VM-Instruction Error Numbers"). */
const char *vmx_instr_error(unsigned error)
{
    static const char *const names[] = {
        [1]  = "VMCALL in VMX root operation",
        [2]  = "VMCLEAR with an invalid physical address",
        [3]  = "VMCLEAR with the VMXON pointer",
        [4]  = "VMLAUNCH with a VMCS that is not clear",
        [5]  = "VMRESUME with a VMCS that was not launched",
        [6]  = "VMRESUME after VMXOFF",
        [7]  = "VM entry with invalid control fields",
        [8]  = "VM entry with invalid host-state fields",
        [9]  = "VMPTRLD with an invalid physical address",
        [10] = "VMPTRLD with the VMXON pointer",
        [11] = "VMPTRLD with a wrong VMCS revision",
        [12] = "VMREAD/VMWRITE of an unsupported VMCS field",
        [13] = "VMWRITE to a read-only VMCS field",
        [15] = "VMXON in VMX root operation",
        [26] = "VM entry with events blocked by MOV SS",
        [28] = "invalid operand to INVEPT/INVVPID",
    };
    return error < ARRAY_SIZE(names) && names[error] ? names[error] : "unknown VM-instruction error";
}
