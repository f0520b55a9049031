// SPDX-License-Identifier: MIT
/* vmm/cpuid.c — what CPUID tells the guest: the host's CPU, less what this VM does not have. */
#include "vmm.h"

#define HV_LEAF 0x40000000u

static void host_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

/*
 * The host's answer with the features the VM lacks masked out: no VMX (no
 * nested virtualization), no local APIC or x2APIC (the guest has the 8259
 * pair), no XSAVE (the kernel keeps only the legacy FPU state of a guest),
 * no MONITOR/MWAIT, one logical CPU; the hypervisor bit set, and leaf
 * 0x40000000 says who: "FacetVMM    ".
 */
void cpuid_policy(struct utcb_exc *x)
{
    uint32_t leaf = (uint32_t)x->rax, sub = (uint32_t)x->rcx, r[4] = { 0, 0, 0, 0 };
    /* LAB ept BEGIN: answer CPUID like a CPU with the VM's features: mask the host's leaf 1, add the hypervisor leaf (docs: labs/3-ept/README.md#cpuid) */
    if (leaf == HV_LEAF) {
        r[0] = HV_LEAF;
        r[1] = 0x65636146;                       /* "Face" */
        r[2] = 0x4d4d5674;                       /* "tVMM" */
        r[3] = 0x20202020;                       /* "    " */
    } else if ((leaf & 0xffff0000u) == HV_LEAF || leaf == 0xb || leaf == 0xd || leaf == 0x1f) {
        /* other hypervisor leaves, topology and XSAVE state: nothing */
    } else {
        host_cpuid(leaf, sub, r);
        if (leaf == 1) {
            r[1] = (r[1] & 0xffff) | (1u << 16);             /* one logical CPU, initial APIC id 0 */
            r[2] &= ~((1u << 3) | (1u << 5) | (1u << 6) | (1u << 21) | (1u << 24) | (1u << 26) | (1u << 27));
            r[2] |= 1u << 31;                                 /* hypervisor present */
            r[3] &= ~(1u << 9);                               /* no local APIC */
        }
    }
    //@ (void)leaf;
    //@ (void)sub;
    //@ (void)host_cpuid;
    //@ LAB_TODO("ept: the CPUID policy (vmm/cpuid.c)");
    /* LAB ept END */
    x->rax = r[0];
    x->rbx = r[1];
    x->rcx = r[2];
    x->rdx = r[3];
}
