// SPDX-License-Identifier: MIT
/* scenarios/vm.c — tools/facet-vm: one Linux guest under the VMM, its UART the machine's console. */
#include <stdio.h>
#include "scenario.h"
#include "proc/vmm.h"
#include "fs/tar.h"
#include "facet/vmm.h"

#define MIB (1UL << 20)
#define VM_MEM_DEFAULT 128                       /* MiB, when the archive says nothing */

/*
 * The archive holds bin/vmm and vm/: bzImage, initrd, append (more of the
 * kernel's command line), which the VMM reads over the file service, and
 * mem (the guest's RAM in MiB, decimal), read here. The guest's end is the
 * boot's: its status is the power-off status.
 */
static uint64_t vm_mem_mib(const uint8_t *tar, uint64_t len)
{
    struct tar_entry e;
    const char *why = NULL;
    uint64_t mib = 0;
    if (tar_find(tar, len, "vm/mem", &e, &why) != 1)
        return VM_MEM_DEFAULT;
    for (uint64_t i = 0; i < e.size && e.data[i] >= '0' && e.data[i] <= '9' && mib < 1000000; i++)
        mib = mib * 10 + (uint64_t)(e.data[i] - '0');
    return mib;
}

int scenario_vm(void)
{
    uint64_t len;
    const uint8_t *tar = archive_open(&len);
    if (!tar)
        return 120;
    if (!(fc_hip->features & (HIP_FEAT_VMX | HIP_FEAT_SVM))) {
        printf("[vm] no vCPUs on this machine (the kernel says why in its [vmx] or [svm] line)\n");
        return 121;
    }
    uint64_t mib = vm_mem_mib(tar, len);
    if (mib < 4 || mib % 2) {
        printf("[vm] vm/mem: %lu MiB; the guest wants an even number of MiB, at least 4\n", mib);
        return 121;
    }
    printf("[vm] a Linux guest with %lu MiB of RAM; its serial console is this one\n", mib);
    uint64_t status = vmm_run_ram(VMM_LINUX, fc_hip->num_cpus - 1, 0, "vm", VMM_FAULT_NONE, mib * MIB, true);
    printf("[vm] the guest ended: status %lu\n", status);
    return status > 127 ? 127 : (int)status;
}
