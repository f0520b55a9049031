// SPDX-License-Identifier: MIT
/* lib/c/console.c — printf for the roottask: formats a line, then writes COM1 under a lock. */
#include <stdio.h>
#include <string.h>
#include <stdint.h>

#define COM1 0x3f8

static volatile int console_lock;

static void out(char c)
{
    uint8_t lsr;
    do
        __asm__ volatile("inb %1, %0" : "=a"(lsr) : "Nd"((uint16_t)(COM1 + 5)));
    while (!(lsr & 0x20));
    __asm__ volatile("outb %0, %1" :: "a"(c), "Nd"((uint16_t)COM1));
}

/* Write n bytes as one unit: no other roottask thread interleaves inside it. */
static void console_write(const char *s, size_t n)
{
    while (__atomic_exchange_n(&console_lock, 1, __ATOMIC_ACQUIRE))
        __asm__ volatile("pause");
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            out('\r');
        out(s[i]);
    }
    __atomic_store_n(&console_lock, 0, __ATOMIC_RELEASE);
}

int vprintf(const char *fmt, va_list ap)
{
    char buf[512];
    int n = fmt_vsnprintf(buf, sizeof buf, fmt, ap);
    if (n < 0)
        return n;
    console_write(buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
    return n;
}

int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

int puts(const char *s)
{
    console_write(s, strlen(s));
    console_write("\n", 1);
    return 0;
}
