// SPDX-License-Identifier: MIT
/* scenarios/ept.c — stage 3: the vCPU interface's checks, then every test guest under the VMM (vmm/). */
#include <stdio.h>
#include <string.h>
#include "scenario.h"
#include "facet/time.h"
#include "facet/mem.h"
#include "facet/vmm.h"
#include "proc/process.h"
#include "proc/vmm.h"
#include "uapi/vcpu.h"

/* Arguments the kernel must refuse, and a vCPU nobody serves: each a "[ept] name status=N" line. */
static void interface_checks(void)
{
    sel_t s = fc_sel_alloc(8);
    unsigned cpu = fc_hip->num_cpus - 1;
    uint64_t page = fc_window_page(fc_page_alloc());
    unsigned rw = MEM_R | MEM_W;
    report_status("ept", "create_vm_pd", fc_create_pd(s, SEL_ROOT_PD, 0, 0));
    report_status("ept", "vcpu_bad_cpu", fc_create_vcpu(s + 1, s, 99, 0));
    report_status("ept", "vcpu_with_utcb", fc_hypercall(FC_HC(HC_create_ec, CREATE_EC_VCPU, s + 1), s,
                                                         EC_ARG3(cpu, 0x10000), 0, 0, 0));
    report_status("ept", "vcpu_event_base_too_high", fc_create_vcpu(s + 1, s, cpu, SEL_MAX - 1));
    report_status("ept", "guest_ports", fc_delegate_guest(SEL_ROOT_PD, s, CRD(CRD_IO, 1, 0, 0x3f8), CRD(CRD_IO, 1, 0, 0x3f8)));
    report_status("ept", "guest_misaligned", fc_delegate_guest(SEL_ROOT_PD, s, CRD(CRD_MEM, rw, 1, page & ~1UL),
                                                               CRD(CRD_MEM, rw, 1, 1)));
    report_status("ept", "guest_beyond_512g", fc_delegate_guest(SEL_ROOT_PD, s, CRD(CRD_MEM, rw, 0, page),
                                                                CRD(CRD_MEM, rw, 0, 1UL << 27)));
    report_status("ept", "guest_page", fc_delegate_guest(SEL_ROOT_PD, s, CRD(CRD_MEM, rw, 0, page), CRD(CRD_MEM, rw, 0, 0)));
    report_status("ept", "guest_page_taken", fc_delegate_guest(SEL_ROOT_PD, s, CRD(CRD_MEM, rw, 0, page), CRD(CRD_MEM, rw, 0, 0)));
    report_status("ept", "guest_flag_unknown", fc_hypercall(FC_HC(HC_pd_ctrl, PD_CTRL_DELEGATE, SEL_ROOT_PD), s,
                                                            CRD(CRD_MEM, rw, 0, page), 0x80, CRD(CRD_MEM, rw, 0, 1), 0));
    report_status("ept", "guest_page_revoked", fc_revoke(CRD(CRD_MEM, rw, 0, page), 0, 0));
    report_status("ept", "guest_page_again", fc_delegate_guest(SEL_ROOT_PD, s, CRD(CRD_MEM, rw, 0, page), CRD(CRD_MEM, rw, 0, 0)));
    /*
     * A vCPU with no portal at all: its startup message finds none, the kernel ends it with a
     * report. On our CPU below our priority: it runs (and the kernel prints) while we sleep.
     */
    unsigned st = fc_create_vcpu(s + 1, s, 0, 0);
    report_status("ept", "vcpu_create", st);
    st = st ? st : fc_create_sc(s + 2, SEL_ROOT_PD, s + 1, PROC_PRIO, 1000);
    report_status("ept", "vcpu_without_portals_started", st);
    fc_sleep_ms(50);
    fc_revoke(CRD(CRD_OBJ, PERM_ALL, 3, s), REVOKE_SELF, 0);   /* the PD, the vCPU, its SC */
    fc_page_free(page << 12);
}

int scenario_ept(void)
{
    if (fc_hip->num_mods < 2)
        return 1;
    fc_mem_init(fc_hip);
    proc_init((const uint8_t *)(ROOT_MODULE_WINDOW + fc_hip->mod[1].addr), fc_hip->mod[1].size);
    if (!(fc_hip->features & (HIP_FEAT_VMX | HIP_FEAT_SVM))) {
        printf("[ept] no vCPUs on this machine (the kernel says why in its [vmx] or [svm] line): nothing to run\n");
        return 1;
    }
    interface_checks();
    unsigned cpu = fc_hip->num_cpus - 1;
    static const char *const guests[] = { "hello", "timer", "mmio", "memory", "vmcall", "fpu", "triple", "outside" };
    for (unsigned i = 0; i < sizeof guests / sizeof guests[0]; i++)
        vmm_run(guests[i], cpu, 30000, "ept", VMM_FAULT_NONE);
    /* VM entries that fail: reported to the VMM (and on the console), the VM ends, nothing else. */
    vmm_run("hello", cpu, 30000, "ept", VMM_FAULT_GUEST_STATE);
    vmm_run("hello", cpu, 30000, "ept", VMM_FAULT_INJECTION);
    /* A VMM that answers every message with a random state: the kernel survives all of them. */
    vmm_run("hello", cpu, 60000, "ept", VMM_FAULT_FUZZ);
    /* Nothing stays behind: the same VM twice more leaves the kernel's objects and frames as they were. */
    uint64_t f[2], o[2];
    for (unsigned i = 0; i < 2; i++) {
        vmm_run("memory", cpu, 30000, "ept", VMM_FAULT_NONE);
        fc_stats(&f[i], &o[i]);
    }
    printf("[ept] after two more VMs: kernel objects %lu then %lu, free kernel frames %lu then %lu\n",
           o[0], o[1], f[0], f[1]);
    printf("[ept] done\n");
    return 0;
}
