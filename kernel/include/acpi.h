/* SPDX-License-Identifier: MIT */
/* acpi.h — what the kernel reads from ACPI: the local APIC IDs of the CPUs, the I/O APIC. */
#pragma once

#include "kernel.h"
#include "multiboot.h"

/* Fill ids[] with the enabled CPUs' APIC IDs from the MADT; returns the count (0 if no MADT). */
unsigned acpi_cpu_ids(const struct boot_info *bi, uint8_t *ids, unsigned max);

/* The first I/O APIC of the MADT: its physical address and the GSI of its pin 0; false if none. */
bool acpi_ioapic(const struct boot_info *bi, uint64_t *addr, uint32_t *gsi_base);
