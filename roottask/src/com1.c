// SPDX-License-Identifier: MIT
/* src/com1.c — the roottask's console backend: COM1 directly (it holds every I/O port), and its receiver. */
#include <stdio.h>
#include <stdint.h>
#include "com1.h"
#include "facet/hypercall.h"
#include "facet/thread.h"
#include "facet/sleeplock.h"

#define COM1 COM1_PORT
#define COM1_GSI 4                       /* ISA IRQ 4: edge, active high */
#define REG_IER  1                       /* interrupt enable: bit 0 received data available */
#define REG_FCR  2                       /* FIFO control */
#define REG_MCR  4                       /* modem control: bit 3 OUT2 gates the IRQ line on a PC */
#define REG_LSR  5                       /* line status: bit 0 data ready */

/* Lines as units: its waiters sleep, as a handler printing on a process's SC may hold it while a
 * thread of higher priority wants to print on the same CPU (facet/sleeplock.h). */
static struct fc_sleeplock console_lock;

void console_lock_init(sel_t sm, uint64_t tsc_per_ms)
{
    fc_sleeplock_init(&console_lock, sm, tsc_per_ms);
}

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
    fc_sleeplock_take(&console_lock);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            out('\r');
        out(s[i]);
    }
    fc_sleeplock_give(&console_lock);
}

static uint8_t in(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static void outb_to(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port));
}

static sel_t rx_sm;
static void (*rx_feed)(uint8_t c);

/*
 * Each interrupt: every byte the UART holds. The GSI is edge-triggered, and the UART drops its
 * line only when no byte is left (LSR data ready clear), so draining is what lets the next byte
 * raise a new edge; bytes that came before the first down are drained first.
 */
static void rx_thread(void *arg)
{
    (void)arg;
    for (;;) {
        while (in(COM1 + REG_LSR) & 1)
            rx_feed(in(COM1));
        fc_sm_down(rx_sm, 0);
    }
}

bool com1_input_start(unsigned cpu, unsigned prio, void (*feed)(uint8_t c))
{
    sel_t sm = fc_sel_alloc(1);
    unsigned s = fc_create_sm(sm, SEL_ROOT_PD, 0);
    if (s == SUCCESS)
        s = fc_assign_gsi(sm, COM1_GSI, cpu, 0);
    if (s != SUCCESS) {
        printf("[com1] no input: assign_gsi status=%u (%s)\n", s, fc_status_name(s));
        return false;
    }
    rx_sm = sm;
    rx_feed = feed;
    outb_to(COM1 + REG_FCR, 0x01);                   /* FIFO on, an interrupt from the first byte */
    outb_to(COM1 + REG_MCR, 0x0b);                   /* DTR, RTS, OUT2 */
    outb_to(COM1 + REG_IER, 0x01);
    s = fc_thread_create(cpu, prio, rx_thread, NULL, NULL);
    if (s != SUCCESS) {
        outb_to(COM1 + REG_IER, 0x00);
        printf("[com1] no input: no receiver thread (%s)\n", fc_status_name(s));
        return false;
    }
    return true;
}
