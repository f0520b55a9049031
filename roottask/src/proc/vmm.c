// SPDX-License-Identifier: MIT
/* src/proc/vmm.c — a virtual machine: the VMM process, its own PD to build the VM in, the guest's RAM. */
#include <stdio.h>
#include <string.h>
#include "proc/vmm.h"
#include "proc/process.h"
#include "facet/vmm.h"
#include "facet/mem.h"
#include "facet/time.h"
#include "facet/thread.h"
#include "com1.h"

/* The VMM's PD with the right to create in it, 2 MiB + the rest of the RAM (RWX), the info page, the input ring. */
static unsigned vmm_setup(struct proc *p, const struct vmm_info *info)
{
    sel_t pd = proc_pd(p);
    unsigned rwx = MEM_R | MEM_W | MEM_X;
    unsigned st = fc_delegate(SEL_ROOT_PD, pd, CRD(CRD_OBJ, PERM_CREATE | PERM_CTRL, 0, pd),
                              CRD(CRD_OBJ, PERM_CREATE | PERM_CTRL, 0, VMM_SEL_PD));
    st = st ? st : proc_share_large(p, fc_large_chunk(), rwx);
    st = st ? st : proc_map(p, VMM_RAM_HIGH, (info->ram - VMM_RAM_LOW) >> 12, rwx);
    st = st ? st : proc_map(p, VMM_INFO, 1, MEM_R);
    if (info->console) {
        st = st ? st : proc_map(p, VMM_INPUT, 1, MEM_R | MEM_W);
        st = st ? st : fc_delegate(SEL_ROOT_PD, pd, CRD(CRD_IO, 1, 3, COM1_PORT), CRD(CRD_IO, 1, 3, COM1_PORT));
    }
    /* Ours to fill: the VMM may only read it (proc_write would ask for its right to write). */
    _Static_assert(sizeof *info <= PAGE_SIZE, "the VMM's information fits its page");
    uint64_t w = st ? 0 : proc_window(p, VMM_INFO);
    if (!st && !w)
        st = BAD_PAR;
    if (w)
        memcpy((void *)w, info, sizeof *info);
    return st;
}

/* The running VMM's input ring (vmm_run_ram with console), in our window; NULL: none. */
static struct vmm_input *volatile input_ring;

/* COM1's receiver thread: one byte for the guest (dropped when no VM takes input, or the ring is full). */
static void vmm_input_feed(uint8_t c)
{
    struct vmm_input *r = input_ring;
    if (!r || r->head - r->tail >= VMM_INPUT_BYTES)
        return;
    r->bytes[r->head % VMM_INPUT_BYTES] = c;
    __atomic_store_n(&r->head, r->head + 1, __ATOMIC_RELEASE);
}

uint64_t vmm_run(const char *name, unsigned cpu, unsigned wait_ms, const char *tag, unsigned fault)
{
    return vmm_run_ram(name, cpu, wait_ms, tag, fault, VMM_GUEST_RAM, false);
}

uint64_t vmm_run_ram(const char *name, unsigned cpu, unsigned wait_ms, const char *tag, unsigned fault,
                     uint64_t ram, bool console)
{
    static bool com1_started;
    struct proc *p = proc_spawn("vmm", 0, cpu);
    if (!p) {
        printf("[%s] guest %s: no VMM process\n", tag, name);
        return ~0UL;
    }
    struct vmm_info info = { .ram = ram, .tsc_khz = fc_hip->tsc_khz, .vcpu_cpu = cpu,
                             .time_scale_milli = fc_time_scale_milli, .fault = fault, .console = console };
    snprintf(info.guest, sizeof info.guest, "%s", name);
    unsigned st = vmm_setup(p, &info);
    if (st) {
        printf("[%s] guest %s: cannot set up its VMM: %s\n", tag, name, fc_status_name(st));
        proc_destroy(p);
        return ~0UL;
    }
    if (console) {
        input_ring = (struct vmm_input *)proc_window(p, VMM_INPUT);
        if (!com1_started)
            com1_started = com1_input_start(0, PROC_PRIO, vmm_input_feed);   /* not on the vCPU's CPU */
    }
    st = proc_start(p, PROC_PRIO);
    unsigned w = st != SUCCESS ? st : wait_ms ? proc_wait_ms(p, wait_ms) : (proc_wait(p), SUCCESS);
    input_ring = NULL;
    printf("[%s] guest %s: vmm %s status=%lu (wait %u)\n", tag, name, proc_state_name(p), p->status, w);
    uint64_t status = p->state == PROC_EXITED ? p->status : ~0UL;
    proc_destroy(p);
    return status;
}
