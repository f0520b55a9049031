// SPDX-License-Identifier: MIT
/* lib/console.c — kprintf and panic on the serial console, one lock for whole lines. */
#include "kernel.h"
#include "cpu.h"
#include "serial.h"
#include "spinlock.h"
#include "lib/format.h"

static struct spinlock console_lock;

static void console_putc(void *ctx, char c)
{
    (void)ctx;
    serial_putc(c);
}

void kvprintf(const char *fmt, va_list ap)
{
    spin_lock(&console_lock);
    fmt_vformat(console_putc, NULL, fmt, ap);
    spin_unlock(&console_lock);
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
}

/* A kernel bug: report it and stop this CPU. The other CPUs keep their state for gdb. */
void panic(const char *fmt, ...)
{
    va_list ap;
    cli();
    kprintf("[panic] cpu%u: ", cpu_count ? this_cpu()->id : 0);
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
    kprintf("\n[panic] cpu halted\n");
    cpu_halt();
}
