/* SPDX-License-Identifier: MIT */
/* facet/vmm.h — how the roottask starts the VMM (vmm/): its capabilities, its memory, what to run. */
#pragma once

#include <stdint.h>
#include "facet/app.h"

/*
 * A native program (facet/app.h) with more: its own PD with the right to
 * create objects in it (the VM's PD, vCPU, SCs, portals), the guest's RAM,
 * and a page saying what to run.
 *
 *   APP_SHARED     2 MiB, one large page, RWX: guest-physical [0, 2 MiB)
 *   VMM_RAM_HIGH   4 KiB pages, RWX: guest-physical [2 MiB, ram), given to the guest on first touch
 *   VMM_INFO       struct vmm_info, read only
 */
#define VMM_SEL_PD      37                       /* the VMM's own PD (create, ctrl) */
#define VMM_INFO        0x0000000020000000UL
#define VMM_RAM_HIGH    0x0000000040000000UL
#define VMM_RAM_LOW     (2UL << 20)              /* the bytes at APP_SHARED */

struct vmm_info {
    char guest[32];             /* the guest's name (vmm/guests/<name>.c) */
    uint64_t ram;               /* guest RAM in bytes: 2 MiB + what is at VMM_RAM_HIGH */
    uint64_t tsc_khz;           /* the TSC's frequency */
    uint32_t vcpu_cpu;          /* the CPU its vCPU runs on */
    uint32_t time_scale_milli;  /* the host's slowness (facet/time.h), 0: never give up */
    uint32_t fault;             /* VMM_FAULT_*: start the guest in a state the CPU refuses, on purpose */
};

/* The VMM's tests of failed VM entries: what its startup reply gets wrong. */
#define VMM_FAULT_NONE        0
#define VMM_FAULT_GUEST_STATE 1     /* CS with L and D both set: VM entry fails, "invalid guest state" */
#define VMM_FAULT_INJECTION   2     /* an event of the reserved type 1: VMLAUNCH fails, error 7 */
#define VMM_FAULT_FUZZ        3     /* every reply a random guest state (vmm/fuzz.c) */
