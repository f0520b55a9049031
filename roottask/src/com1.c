// SPDX-License-Identifier: MIT
/* src/com1.c — the roottask's console backend: COM1 directly (it holds every I/O port). */
#include <stdio.h>
#include <stdint.h>
#include "com1.h"

#define COM1 0x3f8

static volatile int console_lock;

/* One byte to the UART at base, once it can take one (a port with no UART reads 0xff: at once). */
static void out_to(uint16_t base, char c)
{
    uint8_t lsr;
    do
        __asm__ volatile("inb %1, %0" : "=a"(lsr) : "Nd"((uint16_t)(base + 5)));
    while (!(lsr & 0x20));
    __asm__ volatile("outb %0, %1" :: "a"(c), "Nd"(base));
}

static void out(char c)
{
    out_to(COM1, c);
}

void com_raw(uint16_t base, const char *s, size_t n)
{
    static volatile int raw_lock;
    while (__atomic_exchange_n(&raw_lock, 1, __ATOMIC_ACQUIRE))
        __asm__ volatile("pause");
    for (size_t i = 0; i < n; i++)
        out_to(base, s[i]);
    __atomic_store_n(&raw_lock, 0, __ATOMIC_RELEASE);
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
