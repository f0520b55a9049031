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
 *   VMM_INPUT      struct vmm_input, RW: console input for the guest's UART (when info->console)
 *
 * With info->console the guest's UART is the machine's console: the VMM
 * also gets COM1's ports (0x3f8-0x3ff) and writes the guest's bytes there
 * as they come; the roottask's COM1 receiver puts what is typed into
 * VMM_INPUT.
 */
#define VMM_SEL_PD      37                       /* the VMM's own PD (create, ctrl) */
#define VMM_INFO        0x0000000020000000UL
#define VMM_RAM_HIGH    0x0000000040000000UL
#define VMM_RAM_LOW     (2UL << 20)              /* the bytes at APP_SHARED */
#define VMM_INPUT       (VMM_INFO + 0x1000)
#define VMM_LINUX       "linux"                  /* the guest name of a Linux guest (vmm/linux_boot.c) */

struct vmm_info {
    char guest[32];             /* the guest's name (vmm/guests/<name>.c) */
    uint64_t ram;               /* guest RAM in bytes: 2 MiB + what is at VMM_RAM_HIGH */
    uint64_t tsc_khz;           /* the TSC's frequency */
    uint32_t vcpu_cpu;          /* the CPU its vCPU runs on */
    uint32_t time_scale_milli;  /* the host's slowness (facet/time.h), 0: never give up */
    uint32_t fault;             /* VMM_FAULT_*: start the guest in a state the CPU refuses, on purpose */
    uint32_t console;           /* 1: the guest's UART is the console (COM1 out, VMM_INPUT in) */
};

/*
 * Console input on its way to the guest's UART: a ring the roottask's COM1
 * receiver writes (head) and the VMM reads (tail); each index only grows.
 */
#define VMM_INPUT_BYTES 4088
struct vmm_input {
    volatile uint32_t head;     /* written by the roottask */
    volatile uint32_t tail;     /* written by the VMM */
    uint8_t bytes[VMM_INPUT_BYTES];
};
_Static_assert(sizeof(struct vmm_input) == 4096, "one page");

/* The VMM's tests of failed VM entries: what its startup reply gets wrong. */
#define VMM_FAULT_NONE        0
#define VMM_FAULT_GUEST_STATE 1     /* CS with L and D both set: VM entry fails, "invalid guest state" */
#define VMM_FAULT_INJECTION   2     /* an event of the reserved type 1: VMLAUNCH fails, error 7 */
#define VMM_FAULT_FUZZ        3     /* every reply a random guest state (vmm/fuzz.c) */
