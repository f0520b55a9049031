// SPDX-License-Identifier: MIT
/* arch/smp.c — per-CPU set-up and the INIT-SIPI-SIPI start of the other CPUs. */
#include "cpu.h"
#include "smp.h"
#include "acpi.h"
#include "lapic.h"
#include "paging.h"
#include "sched.h"
#include "x86.h"
#include "vmx.h"
#include "svm.h"
#include "bkl.h"
#include "fpu.h"

#define TRAMP_PHYS 0x8000

extern char ap_trampoline[], ap_trampoline_end[];
extern char ap_tramp_cr3[], ap_tramp_stack[], ap_tramp_entry[];
extern uint64_t boot_pml4[];

static struct cpu *volatile starting;    /* the CPU being started */

/* What every CPU sets up for itself: GDT/TSS, IDT, #AC, SYSCALL, LAPIC timer, FPU, VMX, run queue. */
void cpu_local_init(struct cpu *c)
{
    gdt_init(c);
    idt_load();
    write_cr0(read_cr0() | CR0_AM);          /* #AC for ring 3 code that sets RFLAGS.AC */
    syscall_init();
    lapic_init();
    fpu_init();
    vmx_cpu_init(c);
    svm_cpu_init(c);
    c->rq = (struct runqueue){0};
}

/* An AP arrives here from the trampoline, on its own stack, with the boot page table. */
NORETURN static void smp_ap_entry(void)
{
    struct cpu *c = starting;
    write_cr3(virt_to_phys(kernel_pml4));
    tlb_flush_global();
    cpu_local_init(c);
    kprintf("[smp] cpu%u online (apic %u)\n", c->id, c->apic_id);
    __atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
    bkl_lock();                              /* idles behind the BSP until it schedules */
    sched_idle();
}

/* Patch a 64-bit field of the copied trampoline. */
static void tramp_set(char *field, uint64_t v)
{
    *(uint64_t *)phys_to_virt(TRAMP_PHYS + (uint64_t)(field - ap_trampoline)) = v;
}

/* Start each CPU the ACPI MADT lists with INIT-SIPI-SIPI, one at a time, waiting up to 200 ms for each. */
void smp_boot(const struct boot_info *bi)
{
    uint8_t ids[MAX_CPUS];
    unsigned n = acpi_cpu_ids(bi, ids, MAX_CPUS);
    uint8_t me = lapic_id();
    if (!n) {
        kprintf("[smp] no ACPI MADT: running on the boot CPU only\n");
        return;
    }
    memcpy(phys_to_virt(TRAMP_PHYS), ap_trampoline, (size_t)(ap_trampoline_end - ap_trampoline));
    for (unsigned i = 0; i < n; i++) {
        if (ids[i] == me)
            continue;
        struct cpu *c = &cpus[cpu_count];
        c->id = cpu_count;
        c->apic_id = ids[i];
        starting = c;
        tramp_set(ap_tramp_cr3, virt_to_phys(boot_pml4));
        tramp_set(ap_tramp_stack, (uint64_t)(c->kstack + KSTACK_SIZE));
        tramp_set(ap_tramp_entry, (uint64_t)smp_ap_entry);
        lapic_init_sipi(ids[i], TRAMP_PHYS >> 12);
        uint64_t deadline = rdtsc() + (uint64_t)tsc_khz * 200;     /* 200 ms */
        while (!__atomic_load_n(&c->online, __ATOMIC_ACQUIRE) && rdtsc() < deadline)
            cpu_relax();
        if (!c->online) {
            kprintf("[smp] cpu with apic %u did not start\n", ids[i]);
            continue;
        }
        cpu_count++;
    }
    kprintf("[smp] %u of %u CPUs online\n", cpu_count, n);
}
