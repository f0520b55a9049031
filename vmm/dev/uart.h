/* SPDX-License-Identifier: MIT */
/* vmm/dev/uart.h — a 16550A UART whose output is collected into lines. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define UART_LINE_MAX   160     /* a longer line is passed on in pieces of this size */
#define UART_RX_MAX     64      /* input bytes queued for the guest */

struct uart {
    void   (*line)(void *ctx, const char *line, unsigned len);  /* one output line, no '\n' */
    void   (*raw)(void *ctx, uint8_t byte);   /* if set: each byte as it is sent, instead of lines */
    void    *ctx;
    uint16_t base;          /* first of eight ports, e.g. 0x3f8 */
    uint8_t  ier;           /* interrupt enable: bit 0 RX data, bit 1 THR empty */
    uint8_t  lcr;           /* line control: bit 7 DLAB selects DLL/DLM at base+0/1 */
    uint8_t  mcr;           /* modem control: bit 4 loopback */
    uint8_t  fcr;           /* FIFO control as written: bit 0 FIFOs on */
    uint8_t  scr;           /* scratch */
    uint8_t  dll, dlm;      /* divisor latch */
    bool     thre_irq;      /* THR became empty and IIR has not reported it yet */
    bool     overrun;       /* input was dropped; LSR bit 1 until LSR is read */
    uint8_t  rx[UART_RX_MAX];
    unsigned rx_head, rx_len;
    char     out[UART_LINE_MAX + 1];    /* the line being collected, NUL-terminated when passed on */
    unsigned out_len;
};

void uart_init(struct uart *u, uint16_t base, void (*line)(void *, const char *, unsigned), void *ctx);
bool uart_io(struct uart *u, uint16_t port, bool in, unsigned size, uint32_t *val);
void uart_set_raw(struct uart *u, void (*raw)(void *, uint8_t));
bool uart_rx_room(const struct uart *u);
void uart_flush(struct uart *u);
bool uart_push_input(struct uart *u, uint8_t byte);
bool uart_irq_pending(const struct uart *u);
