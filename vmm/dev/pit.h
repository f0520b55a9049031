/* SPDX-License-Identifier: MIT */
/* vmm/dev/pit.h — the 8254 programmable interval timer (0x40-0x43) and port 0x61. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define PIT_HZ  1193182u        /* input clock: "now" is counted in these ticks */

/* One counter. Its value is a function of (start, reload, mode) and the time. */
struct pit_channel {
    uint64_t start;         /* tick at which the current count began */
    uint64_t held;          /* ticks counted when the gate stopped the count */
    uint32_t reload;        /* 1..65536 (a written 0 means 65536) */
    uint16_t latch;         /* the count captured by a latch command */
    uint8_t  mode;          /* 0..5 */
    uint8_t  access;        /* 1 lobyte, 2 hibyte, 3 lobyte then hibyte */
    uint8_t  bcd;           /* kept for the status byte; counting is always binary */
    uint8_t  write_lo;      /* the low byte of a lobyte/hibyte write */
    uint8_t  latched;       /* bytes of the latched count still to read: 0, 1 or 2 */
    uint8_t  status;        /* the status byte captured by read-back */
    bool     status_latched;
    bool     write_hi;      /* the next count write is the high byte */
    bool     read_hi;       /* the next unlatched read is the high byte */
    bool     loaded;        /* a count was written since the control word */
    bool     counting;      /* loaded, and for modes 1 and 5 triggered by the gate */
    bool     frozen;        /* the gate is low and stops this mode's count */
    bool     gate;          /* channels 0, 1: always high; channel 2: port 0x61 bit 0 */
};

struct pit {
    struct pit_channel ch[3];
    uint64_t irq0_last;     /* channel-0 edges are counted up to this tick */
    uint64_t irq0_pending;  /* edges counted but not yet returned by pit_irq0_count */
    uint8_t  port61;        /* port 0x61 bits 0-3 as last written */
};

void     pit_init(struct pit *p);
bool     pit_io(struct pit *p, uint64_t now, uint16_t port, bool in, uint32_t *val);
uint64_t pit_irq0_count(struct pit *p, uint64_t now);
uint64_t pit_next_irq0(const struct pit *p, uint64_t now);
