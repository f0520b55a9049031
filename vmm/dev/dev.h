/* SPDX-License-Identifier: MIT */
/* vmm/dev/dev.h — the legacy PC devices of the VMM, and the contract they share. */
#pragma once

/*
 * Every model is plain C over a structure the caller owns: no globals, no
 * hypercalls, no clock, no allocation. Port I/O goes through one call:
 *
 *   bool X_io(struct X *, [time,] uint16_t port, bool in, [size,] uint32_t *val)
 *
 * It returns false, touching nothing, if the port is not the device's, so
 * the VMM can offer an exit to each model in turn. For an IN the model
 * stores the value in *val; for an OUT it reads *val (the low byte for
 * 8-bit registers). Time comes in as arguments: PIT input ticks
 * (PIT_HZ, monotonic) for the PIT, Unix seconds for the RTC.
 *
 * Interrupts are reported, never delivered: the VMM feeds them into the
 * PIC model (pic_raise on an edge) and asks it for the vector to inject.
 *
 *   PIT channel 0 --pit_irq0_count()>0--> pic_raise(0)
 *   UART 0x3f8   --uart_irq_pending() goes true--> pic_raise(4)
 *   pic_pending() >= 0 and the guest can take it --> inject pic_ack()
 */

#include "pic.h"
#include "pit.h"
#include "rtc.h"
#include "kbc.h"
#include "uart.h"
