/* SPDX-License-Identifier: MIT */
/* src/com1.h — the roottask's UARTs beyond its console: raw byte streams. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* n bytes as they are (no CR added) to the UART at base (COM2 0x2f8, COM3 0x3e8). */
void com_raw(uint16_t base, const char *s, size_t n);
