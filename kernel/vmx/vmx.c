// SPDX-License-Identifier: MIT
/* vmx/vmx.c — VMX capabilities, and VMXON on every CPU: the ground vCPUs will run on. */
#include "vmx.h"
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
 * preemption timer. VPID and 2 MiB EPT pages are used where present.
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
    if ((ept & (EPT_CAP_WALK4 | EPT_CAP_WB | EPT_CAP_INVEPT)) != (EPT_CAP_WALK4 | EPT_CAP_WB | EPT_CAP_INVEPT)) {
        v->why_not = "EPT without a 4-level walk, write-back tables or INVEPT";
        kprintf("[vmx] not used: %s\n", v->why_not);
        return;
    }
    v->revision = (uint32_t)(basic & 0x7fffffff);
    v->vmcs_size = (uint32_t)((basic >> 32) & 0x1fff);
    v->ept_2m = ept & EPT_CAP_2M;
    v->vpid = vmx_allows(MSR_VMX_PROCBASED_CTLS2, CPU2_VPID) && (ept & VPID_CAP_INVVPID);
    v->preempt_shift = (unsigned)(rdmsr(MSR_VMX_MISC) & 0x1f);
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
