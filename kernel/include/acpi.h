/* SPDX-License-Identifier: MIT */
/* acpi.h — what the kernel reads from ACPI: the RSDP, the local APIC IDs of the CPUs, the I/O APIC. */
#pragma once

#include "kernel.h"
#include "multiboot.h"

/* Fill ids[] with the enabled CPUs' APIC IDs from the MADT; returns the count (0 if no MADT). */
unsigned acpi_cpu_ids(const struct boot_info *bi, uint8_t *ids, unsigned max);

/* The first I/O APIC of the MADT: its physical address and the GSI of its pin 0; false if none. */
bool acpi_ioapic(const struct boot_info *bi, uint64_t *addr, uint32_t *gsi_base);

#define BIOS_AREA_END 0x100000UL     /* the first MiB: BIOS data area, EBDA, BIOS ROM */

/*
 * Find the RSDP the ACPI way, for a loader that passed none: in the first KiB of the EBDA
 * (its segment in the word at 0x40e), then in 0xe0000..0xfffff, on 16-byte boundaries, with
 * a valid checksum (and extended checksum from revision 2). `low` maps physical 0..size.
 * Copies it into rsdp (a v1 one zero-extended) and returns its physical address; 0: none.
 */
uint64_t acpi_rsdp_scan(const void *low, size_t size, uint8_t rsdp[36]);
