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

/*
 * The return addresses of the frames from rbp up (the kernel keeps frame pointers), as long
 * as the chain stays on this CPU's kernel stack and goes up it: the graders turn them into
 * functions and lines (grade/lib/facet.bash).
 */
void panic_backtrace(const char *whose, uint64_t rbp)
{
    if (!cpu_count)
        return;                             /* the boot stack: no bounds to trust */
    uint64_t lo = (uint64_t)this_cpu()->kstack, hi = lo + KSTACK_SIZE;
    kprintf("[panic] backtrace (%s):", whose);
    for (unsigned i = 0; i < 16 && rbp >= lo && rbp + 16 <= hi && !(rbp & 7); i++) {
        const uint64_t *frame = (const uint64_t *)rbp;
        kprintf(" %#lx", frame[1]);
        if (frame[0] <= rbp)
            break;
        rbp = frame[0];
    }
    kprintf("\n");
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
    kprintf("\n");
    panic_backtrace("panic", (uint64_t)__builtin_frame_address(0));
    kprintf("[panic] cpu halted\n");
    cpu_halt();
}
