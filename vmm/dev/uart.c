/* SPDX-License-Identifier: MIT */
/* vmm/dev/uart.c — a 16550A UART: output collected into lines, a small input FIFO. */
#include "uart.h"

/*
 * What a guest needs: Linux's 8250 driver probes the chip (scratch
 * register, IER read-back, MCR loopback mirrored in MSR, FCR turning on
 * the FIFOs so that IIR bits 7:6 read 11), programs the divisor through
 * DLAB, then writes THR whenever LSR says THRE, or from the THRE
 * interrupt, which it expects right after it enables IER bit 1.
 *
 * Transmission is instantaneous: THR and the shift register are always
 * empty (LSR THRE and TEMT set). Bytes sent in loopback mode come back as
 * input. The modem lines of a connected terminal read as CTS, DSR, DCD.
 *
 *   base+0  RBR (in) / THR (out)      DLL when LCR.DLAB
 *   base+1  IER                       DLM when LCR.DLAB
 *   base+2  IIR (in) / FCR (out)
 *   base+3  LCR   base+4 MCR   base+5 LSR   base+6 MSR   base+7 SCR
 *
 * Interrupt causes, highest first: RX data (IIR 0x04), THR empty (0x02);
 * none is 0x01. The model reports the condition (uart_irq_pending); the
 * line to the PIC, and whether MCR.OUT2 gates it, is the VMM's business.
 * Not modelled: baud timing, FIFO trigger levels and the RX timeout,
 * line-status interrupts, parity and framing errors.
 */

#define UART_LCR_DLAB   0x80
#define UART_MCR_LOOP   0x10
#define UART_IER_RX     0x01
#define UART_IER_THRE   0x02
#define UART_LSR_DR     0x01
#define UART_LSR_OE     0x02
#define UART_LSR_THRE   0x20
#define UART_LSR_TEMT   0x40
#define UART_IIR_NONE   0x01
#define UART_IIR_THRE   0x02
#define UART_IIR_RX     0x04
#define UART_IIR_FIFO   0xc0
#define UART_MSR_IDLE   0xb0        /* DCD, DSR, CTS: a terminal is attached */

/* Reset state at base, passing each output line to line(ctx, ...). */
void uart_init(struct uart *u, uint16_t base, void (*line)(void *, const char *, unsigned), void *ctx)
{
    *u = (struct uart){ .line = line, .ctx = ctx, .base = base, .dll = 12 };   /* 9600 baud */
}

/* From now on, each byte the guest sends goes to raw(ctx, byte) at once: a terminal, not lines. */
void uart_set_raw(struct uart *u, void (*raw)(void *, uint8_t))
{
    u->raw = raw;
}

/* Whether the input FIFO takes another byte. */
bool uart_rx_room(const struct uart *u)
{
    return u->rx_len < UART_RX_MAX;
}

/* Pass the collected bytes on as one line (possibly empty) and start a new one. */
static void uart_emit(struct uart *u)
{
    u->out[u->out_len] = 0;
    if (u->line)
        u->line(u->ctx, u->out, u->out_len);
    u->out_len = 0;
}

/* Pass on a partial line, if there is one. */
void uart_flush(struct uart *u)
{
    if (u->out_len)
        uart_emit(u);
}

/* Queue a byte for the guest; false (and LSR.OE) if the FIFO is full. */
bool uart_push_input(struct uart *u, uint8_t byte)
{
    if (u->rx_len == UART_RX_MAX) {
        u->overrun = true;
        return false;
    }
    u->rx[(u->rx_head + u->rx_len++) % UART_RX_MAX] = byte;
    return true;
}

/* Take the oldest input byte, or 0 if there is none. */
static uint8_t uart_pop_input(struct uart *u)
{
    uint8_t b;
    if (!u->rx_len)
        return 0;
    b = u->rx[u->rx_head];
    u->rx_head = (u->rx_head + 1) % UART_RX_MAX;
    u->rx_len--;
    return b;
}

/* A byte written to THR: sent at once, into the line (or back to RX in loopback). */
static void uart_transmit(struct uart *u, uint8_t b)
{
    u->thre_irq = true;                     /* THR is empty again */
    if (u->mcr & UART_MCR_LOOP) {
        uart_push_input(u, b);
        return;
    }
    if (u->raw) {
        u->raw(u->ctx, b);
        return;
    }
    if (b == '\r')
        return;
    if (b == '\n') {
        uart_emit(u);
        return;
    }
    u->out[u->out_len++] = (char)b;
    if (u->out_len == UART_LINE_MAX)
        uart_emit(u);
}

/* Whether the guest should be interrupted now (the level of the UART's IRQ output). */
bool uart_irq_pending(const struct uart *u)
{
    return ((u->ier & UART_IER_RX) && u->rx_len) || ((u->ier & UART_IER_THRE) && u->thre_irq);
}

/* Reading IIR reports the highest cause; reporting THR empty acknowledges it. */
static uint8_t uart_iir(struct uart *u)
{
    uint8_t fifo = u->fcr & 0x01 ? UART_IIR_FIFO : 0;
    if ((u->ier & UART_IER_RX) && u->rx_len)
        return fifo | UART_IIR_RX;
    if ((u->ier & UART_IER_THRE) && u->thre_irq) {
        u->thre_irq = false;
        return fifo | UART_IIR_THRE;
    }
    return fifo | UART_IIR_NONE;
}

/* MSR: in loopback the modem outputs come back (DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD). */
static uint8_t uart_msr(const struct uart *u)
{
    uint8_t m = u->mcr;
    if (!(m & UART_MCR_LOOP))
        return UART_MSR_IDLE;
    return (uint8_t)((m & 0x01) << 5 | (m & 0x02) << 3 | (m & 0x0c) << 4);
}

/* Read register reg (0-7). */
static uint8_t uart_read(struct uart *u, unsigned reg)
{
    bool dlab = u->lcr & UART_LCR_DLAB;
    uint8_t lsr;
    switch (reg) {
    case 0: return dlab ? u->dll : uart_pop_input(u);
    case 1: return dlab ? u->dlm : u->ier;
    case 2: return uart_iir(u);
    case 3: return u->lcr;
    case 4: return u->mcr;
    case 5:
        lsr = UART_LSR_THRE | UART_LSR_TEMT | (u->rx_len ? UART_LSR_DR : 0) |
              (u->overrun ? UART_LSR_OE : 0);
        u->overrun = false;
        return lsr;
    case 6: return uart_msr(u);
    default: return u->scr;
    }
}

/* Write register reg (0-7). */
static void uart_write(struct uart *u, unsigned reg, uint8_t v)
{
    bool dlab = u->lcr & UART_LCR_DLAB;
    switch (reg) {
    case 0:
        if (dlab)
            u->dll = v;
        else
            uart_transmit(u, v);
        break;
    case 1:
        if (dlab) {
            u->dlm = v;
            break;
        }
        if ((v & UART_IER_THRE) && !(u->ier & UART_IER_THRE))
            u->thre_irq = true;             /* enabling it with THR empty raises it */
        u->ier = v & 0x0f;
        break;
    case 2:
        if ((v ^ u->fcr) & 0x01 || (v & 0x02))  /* FIFOs switched, or RX reset */
            u->rx_head = u->rx_len = 0;
        u->fcr = v & 0xc9;                  /* the reset bits 1, 2 clear themselves */
        break;
    case 3: u->lcr = v; break;
    case 4: u->mcr = v & 0x1f; break;
    case 7: u->scr = v; break;
    default: break;                         /* LSR, MSR: read-only */
    }
}

/* Port I/O of size 1, 2 or 4 bytes starting in base..base+7; false if port is not ours. */
bool uart_io(struct uart *u, uint16_t port, bool in, unsigned size, uint32_t *val)
{
    uint32_t result = 0;
    if (port < u->base || port >= u->base + 8u)
        return false;
    if (size != 2 && size != 4)
        size = 1;
    for (unsigned i = 0; i < size; i++) {
        unsigned reg = port - u->base + i;  /* a wide access covers consecutive ports */
        if (in)
            result |= (uint32_t)(reg < 8 ? uart_read(u, reg) : 0xff) << (8 * i);
        else if (reg < 8)
            uart_write(u, reg, (uint8_t)(*val >> (8 * i)));
    }
    if (in)
        *val = result;
    return true;
}
