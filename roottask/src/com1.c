// SPDX-License-Identifier: MIT
/* src/com1.c — the roottask's console backend: COM1 directly (it holds every I/O port). */
#include <stdio.h>
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
void console_out(const char *s, size_t n)
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
