/* SPDX-License-Identifier: MIT */
/* ioapic.h — the I/O APIC: global system interrupts (GSIs) routed to a CPU's vector. */
#pragma once

#include "kernel.h"
#include "multiboot.h"

/* GSIs the kernel serves (pins of the first I/O APIC, at most this many). */
#define GSI_MAX 64

void     ioapic_init(const struct boot_info *bi);   /* find it (MADT, else 0xfec00000), every pin masked */
unsigned ioapic_pins(void);                         /* its pins: GSIs 0 .. n-1 (0: no I/O APIC) */
/* Route gsi to vector on the CPU with apic_id: edge or level, active high or low; left masked. */
void     ioapic_route(unsigned gsi, uint8_t vector, uint8_t apic_id, bool level, bool active_low);
void     ioapic_mask(unsigned gsi, bool masked);
