/* SPDX-License-Identifier: MIT */
/* serial.h — the COM1 console device. */
#pragma once
void serial_init(void);
void serial_putc(char c);
void serial_flush(void);
