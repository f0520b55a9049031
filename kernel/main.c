// SPDX-License-Identifier: MIT
/* main.c — the boot CPU's path from the boot loader's handoff to the first roottask instruction. */
#include "kernel.h"
#include "cpu.h"
#include "serial.h"
#include "multiboot.h"
#include "frame.h"
#include "paging.h"
#include "kobj.h"
#include "lapic.h"
#include "smp.h"
#include "root.h"
#include "power.h"
#include "sched.h"
#include "bkl.h"
#include "x86.h"
#include "vmx.h"
#include "svm.h"
#include "lib/hip.h"
#include "ioapic.h"
#include "acpi.h"

#define BOOT_FAIL_STATUS 120          /* power-off status when the kernel cannot start the roottask */

static struct boot_info boot_info;
static struct hip hip __attribute__((aligned(PAGE_SIZE)));

/* The HIP's feature bits from CPUID (and the VMX capability MSRs). */
static uint32_t detect_features(void)
{
    uint32_t r[4], f = 0;
    cpuid(1, 0, r);
    if (vmx_caps.usable)
        f |= HIP_FEAT_VMX | HIP_FEAT_EPT;         /* vCPUs can be made: VMX, EPT, unrestricted guest, VMXON done */
    if (svm_caps.usable)
        f |= HIP_FEAT_SVM | HIP_FEAT_NPT;         /* vCPUs can be made: SVM with nested paging, EFER.SVME set */
    if (r[2] & (1u << 24))
        f |= HIP_FEAT_TSC_DEADLINE;
    if (r[2] & (1u << 21))
        f |= HIP_FEAT_X2APIC;
    cpuid(0x80000000, 0, r);
    uint32_t max_ext = r[0];
    if (max_ext >= 0x80000001) {
        cpuid(0x80000001, 0, r);
        if (r[2] & (1u << 2))
            f |= HIP_FEAT_SVM;
    }
    if ((f & HIP_FEAT_SVM) && max_ext >= 0x8000000a) {
        cpuid(0x8000000a, 0, r);
        if (r[3] & 1)
            f |= HIP_FEAT_NPT;
    }
    if (max_ext >= 0x80000007) {
        cpuid(0x80000007, 0, r);
        if (r[3] & (1u << 8))
            f |= HIP_FEAT_INVARIANT_TSC;
    }
    return f;
}

/* The HIP the roottask reads: memory map, modules, CPUs, features, clock rates. */
static void hip_fill(const struct boot_info *bi)
{
    extern char kernel_phys_start[], kernel_phys_end[];
    hip_init(&hip);
    for (unsigned i = 0; i < bi->nmem; i++)
        hip_add_mem(&hip, bi->mem[i].addr, bi->mem[i].len, (int32_t)bi->mem[i].type);
    hip_add_mem(&hip, (uint64_t)kernel_phys_start, (uint64_t)(kernel_phys_end - kernel_phys_start), HIP_MEM_KERNEL);
    for (unsigned i = 0; i < bi->nmods; i++) {
        hip_add_mem(&hip, bi->mods[i].start, bi->mods[i].end - bi->mods[i].start, HIP_MEM_MODULE);
        hip_add_module(&hip, bi->mods[i].start, bi->mods[i].end - bi->mods[i].start, bi->mods[i].cmdline);
    }
    for (unsigned i = 0; i < cpu_count; i++)
        hip_add_cpu(&hip, cpus[i].apic_id);
    hip.features = detect_features();
    hip.tsc_khz = tsc_khz;
    hip.lapic_khz = lapic_khz;
    hip.sel_max = SEL_MAX;
}

/* From boot/entry.S on the boot CPU: bring up memory, CPUs and the roottask, then schedule for good. */
NORETURN void kmain(uint32_t magic, uint64_t info_phys);
void kmain(uint32_t magic, uint64_t info_phys)
{
    serial_init();
    kprintf("\n[boot] Facet microhypervisor, x86-64\n");

    const char *why;
    bool mb2 = magic == MB2_BOOT_MAGIC;        /* else multiboot 1: entry.S let no other magic through */
    if (mb2 ? mb2_parse(phys_to_virt(info_phys), DIRECT_MAP_SIZE - info_phys, info_phys, &boot_info, &why)
            : mb1_parse(phys_to_virt(0), DIRECT_MAP_SIZE, info_phys, &boot_info, &why)) {
        kprintf("[boot] bad %s information: %s\n", mb2 ? "multiboot2" : "multiboot 1", why);
        machine_poweroff(BOOT_FAIL_STATUS);
    }
    /* No RSDP from the loader (multiboot 1 has no field for it): the BIOS areas, as ACPI says. */
    uint64_t rsdp_at;
    if (!boot_info.has_rsdp && (rsdp_at = acpi_rsdp_scan(phys_to_virt(0), BIOS_AREA_END, boot_info.rsdp))) {
        boot_info.has_rsdp = true;
        kprintf("[boot] ACPI RSDP found at %#lx\n", rsdp_at);
    }
    kprintf("[boot] %u memory map entries, %u modules\n", boot_info.nmem, boot_info.nmods);
    for (unsigned i = 0; i < boot_info.nmods; i++)
        kprintf("[boot] module %u: [%#lx, %#lx) \"%s\"\n", i, boot_info.mods[i].start,
                boot_info.mods[i].end, boot_info.mods[i].cmdline);

    struct cpu *bsp = &cpus[0];
    gdt_init(bsp);
    idt_init();
    idt_load();
    frame_init(&boot_info);
    paging_init();
    kobj_cache_init();
    lapic_calibrate();
    kprintf("[apic] tsc %u kHz, lapic timer %u kHz\n", tsc_khz, lapic_khz);
    vmx_probe();
    if (!vmx_caps.usable)
        svm_probe();
    cpu_local_init(bsp);
    bsp->apic_id = lapic_id();
    bsp->online = true;
    cpu_count = 1;
    kprintf("[smp] cpu0 online (apic %u)\n", bsp->apic_id);

    bkl_lock();                                /* the APs idle behind it until we schedule */
    smp_boot(&boot_info);
    if (vmx_caps.usable)
        kprintf("[vmx] %u of %u CPUs in VMX root operation\n", vmx_cpus_on(), cpu_count);
    if (svm_caps.usable)
        kprintf("[svm] %u of %u CPUs with SVM on\n", svm_cpus_on(), cpu_count);
    ioapic_init(&boot_info);
    hip_fill(&boot_info);
    if ((why = root_create(&boot_info, &hip))) {
        kprintf("[root] cannot start the roottask: %s\n", why);
        machine_poweroff(BOOT_FAIL_STATUS);
    }
    hip_seal(&hip);
    kprintf("[mm] %lu of %lu frames free when the roottask starts\n", frame_free_count(), frame_total_count());
    kobj_report();
    sched_schedule();
}
