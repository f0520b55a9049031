// SPDX-License-Identifier: MIT
/* arch/serial.c — the COM1 UART (115200 8N1), polled. */
#include "kernel.h"
#include "x86.h"
#include "serial.h"

#define COM1 0x3f8

void serial_init(void)
{
    outb(COM1 + 1, 0x00);    /* no interrupts */
    outb(COM1 + 3, 0x80);    /* DLAB */
    outb(COM1 + 0, 0x01);    /* divisor 1: 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03);    /* 8N1 */
    outb(COM1 + 2, 0xc7);    /* FIFO on, cleared */
    outb(COM1 + 4, 0x03);    /* DTR RTS */
}

void serial_putc(char c)
{
    if (c == '\n')
        serial_putc('\r');
    for (int i = 0; i < 100000 && !(inb(COM1 + 5) & 0x20); i++)
        ;
    outb(COM1, (uint8_t)c);
}

/* Wait until the last byte has left the UART: an emulator that stops drops what is queued. */
void serial_flush(void)
{
    for (int i = 0; i < 1000000 && !(inb(COM1 + 5) & 0x40); i++)
        ;
}
