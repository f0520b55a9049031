/* SPDX-License-Identifier: MIT */
/* src/com1.h — the roottask's UARTs beyond its console: raw byte streams. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define COM1_PORT 0x3f8

/* The semaphore (count 0) that waiters for the console sleep on, and the TSC's ticks in 1 ms;
 * until it is given, they spin. */
void console_lock_init(uint64_t sm, uint64_t tsc_per_ms);
/* n bytes as they are (no CR added) to the UART at base (COM1_PORT, COM2 0x2f8, COM3 0x3e8). */
void com_raw(uint16_t base, const char *s, size_t n);
/* COM1's receiver: a thread on cpu at priority prio that waits for its interrupt (GSI 4,
 * assign_gsi) and hands each byte received to feed; false if it cannot run. */
bool com1_input_start(unsigned cpu, unsigned prio, void (*feed)(uint8_t c));
