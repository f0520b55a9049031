/* SPDX-License-Identifier: MIT */
/* lapic.h — the local APIC: timer, IPIs, end of interrupt; and the calibrated clocks. */
#pragma once

#include "kernel.h"

#define TICK_HZ 1000                    /* scheduler tick */

extern uint32_t tsc_khz, lapic_khz;

void     lapic_init(void);              /* this CPU: enable, periodic tick */
void     lapic_calibrate(void);         /* BSP, once: TSC and LAPIC timer against the PIT */
uint8_t  lapic_id(void);
void     lapic_eoi(void);
void     lapic_ipi(uint8_t apic_id, uint8_t vector);
void     lapic_init_sipi(uint8_t apic_id, uint8_t page);
void     delay_us(uint64_t us);
