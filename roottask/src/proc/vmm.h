/* SPDX-License-Identifier: MIT */
/* src/proc/vmm.h — a virtual machine: the VMM (vmm/) in a process of its own, running one test guest. */
#pragma once

#include <stdint.h>
#include <stdbool.h>
#include "facet/vmm.h"

#define VMM_GUEST_RAM (4UL << 20)       /* each guest's RAM: 2 MiB at once, the rest on first touch */

/*
 * Start bin/vmm on cpu for guest `name` (vmm/guests/<name>.c) with its
 * capabilities, memory and info page (facet/vmm.h), wait at most wait_ms
 * (times the time scale) and tear it down. Prints "[tag] guest NAME: vmm
 * <state> status=N (wait W)"; returns the VMM's status (~0: it did not finish).
 * fault: VMM_FAULT_* (facet/vmm.h), a VM entry that fails on purpose.
 */
uint64_t vmm_run(const char *name, unsigned cpu, unsigned wait_ms, const char *tag, unsigned fault);

/*
 * The same with ram bytes of guest RAM (a multiple of 2 MiB) and, if console,
 * the guest's UART as the machine's console (facet/vmm.h); wait_ms 0: no limit.
 */
uint64_t vmm_run_ram(const char *name, unsigned cpu, unsigned wait_ms, const char *tag, unsigned fault,
                     uint64_t ram, bool console);
