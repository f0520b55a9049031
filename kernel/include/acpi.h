/* SPDX-License-Identifier: MIT */
/* acpi.h — what the kernel reads from ACPI: the local APIC IDs of the CPUs. */
#pragma once

#include "kernel.h"
#include "multiboot.h"

/* Fill ids[] with the enabled CPUs' APIC IDs from the MADT; returns the count (0 if no MADT). */
unsigned acpi_cpu_ids(const struct boot_info *bi, uint8_t *ids, unsigned max);
