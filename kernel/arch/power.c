// SPDX-License-Identifier: MIT
/* arch/power.c — power-off: a console line the graders read, then the emulators' exit ports. */
#include "power.h"
#include "cpu.h"
#include "x86.h"
#include "serial.h"

void machine_poweroff(unsigned status)
{
    kprintf("[power] off status=%u\n", status);
    serial_flush();
    outb(0xf4, (uint8_t)status);                 /* QEMU exits with (status << 1) | 1 */
    for (const char *s = "Shutdown"; *s; s++)    /* Bochs */
        outb(0x8900, (uint8_t)*s);
    kprintf("[power] no exit device answered; halting\n");
    cpu_halt();
}
