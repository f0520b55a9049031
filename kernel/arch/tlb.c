// SPDX-License-Identifier: MIT
/* arch/tlb.c — TLB shootdown: after an unmap, no CPU keeps a stale translation. */
#include "tlb.h"
#include "cpu.h"
#include "pd.h"
#include "paging.h"
#include "lapic.h"
#include "x86.h"
#include "vmx.h"
#include "svm.h"
#include "vcpu.h"

static volatile uint64_t tlb_gen;

/*
 * Holds: the kernel lock. Other CPUs are in user mode or idle (they take
 * the IPI), or spinning for the kernel lock (they poll tlb_pending()).
 */
void tlb_shootdown(void)
{
    uint64_t gen = __atomic_add_fetch(&tlb_gen, 1, __ATOMIC_SEQ_CST);
    tlb_ack();
    for (unsigned i = 0; i < cpu_count; i++)
        if (&cpus[i] != this_cpu())
            lapic_ipi(cpus[i].apic_id, VEC_TLB);
    for (unsigned i = 0; i < cpu_count; i++)
        while (&cpus[i] != this_cpu() && __atomic_load_n(&cpus[i].tlb_acked, __ATOMIC_ACQUIRE) < gen)
            cpu_relax();
}

bool tlb_pending(void)
{
    return this_cpu()->tlb_acked < __atomic_load_n(&tlb_gen, __ATOMIC_ACQUIRE);
}

/*
 * Flush this CPU's user (and guest-physical) translations and reload its PD's I/O bitmap, then say
 * so. A CPU whose PD was released (c->pd NULL) moves to the kernel's table.
 */
void tlb_ack(void)
{
    struct cpu *c = this_cpu();
    uint64_t gen = __atomic_load_n(&tlb_gen, __ATOMIC_ACQUIRE);
    write_cr3(virt_to_phys(c->pd ? c->pd->pml4 : kernel_pml4));
    if (vmx_cpu_on(c->id))
        vmx_invept_all();                        /* guest memory may have been revoked too */
    else if (svm_cpu_on(c->id))
        svm_tlb_ack(c);                          /* the same, at the next VMRUN */
    if (c->pd && c->pd->iobitmap && c->io_pd == c->pd)
        memcpy(c->tss.iomap, c->pd->iobitmap, sizeof c->tss.iomap);
    else
        c->io_pd = NULL;
    __atomic_store_n(&c->tlb_acked, gen, __ATOMIC_RELEASE);
}
