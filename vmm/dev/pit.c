/* SPDX-License-Identifier: MIT */
/* vmm/dev/pit.c — an 8254 PIT at 0x40-0x43 and the channel-2 bits of port 0x61. */
#include "pit.h"

/*
 * What a guest needs: Linux programs channel 0 in mode 2 (0x34) for its
 * periodic tick and in mode 4 (0x38) as a one-shot event device; it
 * calibrates the TSC on channel 2 in mode 0 (0xb0), with the gate opened
 * through port 0x61 bit 0, and either polls OUT2 on port 0x61 bit 5 or
 * reads the count back (lobyte then hibyte, unlatched). BIOSes use mode 3.
 *
 * The model never reads a clock: every call brings "now", a monotonic count
 * of 1,193,182 Hz input ticks. A channel's count and OUT are computed from
 * the tick at which its count began ("start") and the elapsed ticks e:
 *
 *   mode 0  count N-e (wraps past 0)   OUT low, high from e = N on
 *   mode 2  count N - e%N              OUT low for one tick at e%N = N-1
 *   mode 3  count N..2 twice per N     OUT high the first half, low the second
 *   mode 4  count N-e (wraps past 0)   OUT low for one tick at e = N
 *   modes 1 and 5 are 0 and 4 started by a rising gate (channel 2 only)
 *
 * The IRQ0 edges the 8259 sees are OUT0's rising edges. Simplifications:
 * a count is loaded the tick it is written (no extra load cycle), a count
 * rewritten while running takes effect at once, BCD counting is binary.
 */

#define PIT_PORT_CONTROL   0x43
#define PIT_PORT_SPEAKER   0x61
#define PIT_SPEAKER_GATE2  0x01
#define PIT_SPEAKER_REFRESH 0x10        /* toggles every 15 us: 18 input ticks */
#define PIT_SPEAKER_OUT2   0x20

/* Ticks this channel has counted by now (0 when not counting). */
static uint64_t pit_elapsed(const struct pit_channel *c, uint64_t now)
{
    if (!c->counting)
        return 0;
    if (c->frozen)
        return c->held;
    return now > c->start ? now - c->start : 0;
}

/* The counting element's value at now. */
static uint16_t pit_count(const struct pit_channel *c, uint64_t now)
{
    uint64_t n = c->reload, e = pit_elapsed(c, now);
    if (!c->counting)
        return (uint16_t)n;
    if (c->mode == 2)
        return (uint16_t)(n - e % n);
    if (c->mode == 3) {
        uint64_t phase = e % n, high = (n + 1) / 2;
        return (uint16_t)(n - 2 * (phase < high ? phase : phase - high));
    }
    return (uint16_t)(n - e);                       /* modes 0, 1, 4, 5 wrap to 0xffff */
}

/* The OUT pin at now. */
static bool pit_out(const struct pit_channel *c, uint64_t now)
{
    uint64_t n = c->reload, e = pit_elapsed(c, now);
    if (!c->counting)
        return c->mode != 0;                        /* mode 0: low from the control word on */
    switch (c->mode) {
    case 0: case 1: return e >= n;
    case 2:         return c->frozen || e % n != n - 1;
    case 3:         return c->frozen || e % n < (n + 1) / 2;
    default:        return e != n;                  /* 4, 5: a one-tick strobe */
    }
}

/* Rising edges of OUT with elapsed time in (a, b]. */
static uint64_t pit_edges(const struct pit_channel *c, uint64_t a, uint64_t b)
{
    uint64_t n = c->reload;
    switch (c->mode) {
    case 2: case 3: return b / n - a / n;           /* OUT rises at every multiple of N */
    case 0: case 1: return a < n && b >= n;
    default:        return a <= n && b > n;         /* back high one tick after the strobe */
    }
}

/* Count channel 0's edges up to now into irq0_pending, before anything can change them. */
static void pit_irq0_settle(struct pit *p, uint64_t now)
{
    const struct pit_channel *c = &p->ch[0];
    if (now <= p->irq0_last)
        return;
    if (c->counting && !c->frozen)
        p->irq0_pending += pit_edges(c, pit_elapsed(c, p->irq0_last), pit_elapsed(c, now));
    p->irq0_last = now;
}

/* Power-on: no channel counts (no IRQ0 until the guest programs one), gate 2 closed. */
void pit_init(struct pit *p)
{
    *p = (struct pit){ 0 };
    for (unsigned i = 0; i < 3; i++)
        p->ch[i] = (struct pit_channel){ .reload = 0x10000, .access = 3, .gate = i != 2 };
}

/* A complete count was written: modes 0, 2, 3, 4 start now (held by a low gate), 1 and 5 wait. */
static void pit_start(struct pit_channel *c, uint64_t now, uint32_t n)
{
    bool triggered = c->mode != 1 && c->mode != 5;
    c->reload = n ? n : 0x10000;
    c->loaded = true;
    c->start = now;
    c->held = 0;
    c->counting = triggered;
    c->frozen = triggered && !c->gate;
}

/* A write to a counter's port: one byte of the count, by the access mode. */
static void pit_write(struct pit_channel *c, uint64_t now, uint8_t v)
{
    if (c->access == 1) {
        pit_start(c, now, v);
    } else if (c->access == 2) {
        pit_start(c, now, (uint32_t)v << 8);
    } else if (!c->write_hi) {
        c->write_lo = v;
        c->write_hi = true;
        if (c->mode == 0)                           /* mode 0: the first byte stops the count */
            c->loaded = c->counting = false;
    } else {
        c->write_hi = false;
        pit_start(c, now, c->write_lo | (uint32_t)v << 8);
    }
}

/* A read of a counter's port: status, then a latched count, then the live count. */
static uint8_t pit_read(struct pit_channel *c, uint64_t now)
{
    uint16_t v;
    bool hi;
    if (c->status_latched) {
        c->status_latched = false;
        return c->status;
    }
    if (c->latched) {
        v = c->latch;
        hi = c->access == 2 || (c->access == 3 && c->latched == 1);
        c->latched--;
    } else {
        v = pit_count(c, now);
        hi = c->access == 2 || (c->access == 3 && c->read_hi);
        if (c->access == 3)
            c->read_hi = !c->read_hi;
    }
    return (uint8_t)(hi ? v >> 8 : v);
}

/* Counter latch: freeze the count for reading; a second latch before the read is ignored. */
static void pit_latch(struct pit_channel *c, uint64_t now)
{
    if (c->latched)
        return;
    c->latch = pit_count(c, now);
    c->latched = c->access == 3 ? 2 : 1;
}

/* Read-back (0xc0..0xfe): latch the count (bit 5 clear) and/or status (bit 4 clear) of the selected channels. */
static void pit_readback(struct pit *p, uint64_t now, uint8_t v)
{
    for (unsigned i = 0; i < 3; i++) {
        struct pit_channel *c = &p->ch[i];
        if (!(v & (2u << i)))
            continue;
        if (!(v & 0x20))
            pit_latch(c, now);
        if (!(v & 0x10) && !c->status_latched) {
            c->status = (uint8_t)(pit_out(c, now) << 7 | !c->loaded << 6 |
                                  c->access << 4 | c->mode << 1 | c->bcd);
            c->status_latched = true;
        }
    }
}

/* A control word on port 0x43: select channel, access mode, mode; or latch; or read-back. */
static void pit_control(struct pit *p, uint64_t now, uint8_t v)
{
    unsigned sel = v >> 6, access = (v >> 4) & 3, mode = (v >> 1) & 7;
    if (sel == 3) {
        pit_readback(p, now, v);
        return;
    }
    struct pit_channel *c = &p->ch[sel];
    if (access == 0) {
        pit_latch(c, now);
        return;
    }
    *c = (struct pit_channel){ .reload = c->reload, .gate = c->gate, .access = (uint8_t)access,
                               .mode = (uint8_t)(mode > 5 ? mode & 3 : mode), .bcd = v & 1 };
}

/* Channel 2's gate changed: modes 0 and 4 pause and resume, 1, 2, 3 and 5 restart on the rising edge. */
static void pit_gate(struct pit_channel *c, uint64_t now, bool gate)
{
    bool retrigger = c->mode != 0 && c->mode != 4;
    if (gate == c->gate)
        return;
    c->gate = gate;
    if (!c->loaded)
        return;
    if (!gate) {
        if (c->mode == 1 || c->mode == 5)           /* a low gate does not stop these */
            return;
        c->held = pit_elapsed(c, now);
        c->frozen = true;
    } else {
        c->start = now - (retrigger ? 0 : c->held);
        c->held = 0;
        c->frozen = false;
        c->counting = true;
    }
}

/* Port I/O on 0x40-0x43 and 0x61 at PIT tick now; false for any other port. */
bool pit_io(struct pit *p, uint64_t now, uint16_t port, bool in, uint32_t *val)
{
    if ((port < 0x40 || port > PIT_PORT_CONTROL) && port != PIT_PORT_SPEAKER)
        return false;
    pit_irq0_settle(p, now);

    if (port == PIT_PORT_SPEAKER) {
        if (in)
            *val = p->port61 | ((now / 18) & 1 ? PIT_SPEAKER_REFRESH : 0) |
                   (pit_out(&p->ch[2], now) ? PIT_SPEAKER_OUT2 : 0);
        else {
            p->port61 = *val & 0x0f;
            pit_gate(&p->ch[2], now, *val & PIT_SPEAKER_GATE2);
        }
    } else if (port == PIT_PORT_CONTROL) {
        if (in)
            *val = 0xff;                            /* write-only */
        else
            pit_control(p, now, (uint8_t)*val);
    } else if (in) {
        *val = pit_read(&p->ch[port - 0x40], now);
    } else {
        pit_write(&p->ch[port - 0x40], now, (uint8_t)*val);
    }
    return true;
}

/* How many channel-0 rising edges fell in (previous call, now]; the VMM raises IRQ0 if any. */
uint64_t pit_irq0_count(struct pit *p, uint64_t now)
{
    pit_irq0_settle(p, now);
    uint64_t n = p->irq0_pending;
    p->irq0_pending = 0;
    return n;
}

/* The tick of channel 0's next rising edge after now, or UINT64_MAX if none will come. */
uint64_t pit_next_irq0(const struct pit *p, uint64_t now)
{
    const struct pit_channel *c = &p->ch[0];
    uint64_t n = c->reload, e = pit_elapsed(c, now), edge;
    if (!c->counting || c->frozen)
        return UINT64_MAX;
    if (c->mode == 2 || c->mode == 3)
        return c->start + (e / n + 1) * n;
    edge = c->start + n + (c->mode >= 4);
    return edge > now ? edge : UINT64_MAX;
}
