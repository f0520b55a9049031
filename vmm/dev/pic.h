/* SPDX-License-Identifier: MIT */
/* vmm/dev/pic.h — two cascaded 8259A interrupt controllers, master 0x20 and slave 0xa0. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* One 8259A. Bit n of irr/isr/imr is the chip's line n. */
struct pic_chip {
    uint8_t irr;            /* requests latched by an edge */
    uint8_t isr;            /* acknowledged by INTA, not yet EOIed */
    uint8_t imr;            /* masked lines (OCW1) */
    uint8_t vector_base;    /* ICW2 with the low three bits clear */
    uint8_t init_step;      /* 0: operating; 2, 3, 4: the ICW the data port expects next */
    bool    icw4;           /* ICW1 bit 0: an ICW4 follows */
    bool    single;         /* ICW1 bit 1: no cascade, no ICW3 */
    bool    auto_eoi;       /* ICW4 bit 1: INTA leaves no ISR bit behind */
    bool    read_isr;       /* OCW3: a command-port read returns ISR, else IRR */
};

struct pic {
    struct pic_chip chip[2];    /* [0] master, [1] slave on the master's line 2 */
};

void pic_init(struct pic *p);
bool pic_io(struct pic *p, uint16_t port, bool in, uint32_t *val);
void pic_raise(struct pic *p, unsigned irq);
int  pic_pending(const struct pic *p);
int  pic_ack(struct pic *p);
