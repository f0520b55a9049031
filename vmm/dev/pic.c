/* SPDX-License-Identifier: MIT */
/* vmm/dev/pic.c — a pair of 8259A PICs: master 0x20/0x21, slave 0xa0/0xa1 on master IRQ2. */
#include "pic.h"

/*
 * What a guest needs: Linux and every BIOS send ICW1..ICW4 to both chips
 * (0x11, vector base, cascade, 0x01), mask lines through OCW1 (the data
 * port), end each interrupt with a non-specific EOI (0x20) to the slave
 * and then the master, and read ISR through OCW3 (0x0b) to tell a real
 * IRQ7/IRQ15 from a spurious one.
 *
 * Priority is fixed, IRQ0 highest; the slave's eight lines share master
 * line 2's slot. The slave's INT output is the master's line 2 request:
 *
 *   master  0  1 [2] 3  4  5  6  7      vector = master base + irq
 *                 |
 *   slave   8  9  10 11 12 13 14 15     vector = slave base + (irq & 7)
 *
 * Not modelled: level-triggered mode (edges only), priority rotation,
 * special mask mode, poll mode, special fully nested mode, the ELCR.
 */

#define PIC_CASCADE     2u      /* the master line the slave's INT drives */
#define PIC_NONE        8u      /* "no line" from the priority resolver */

/* The highest-priority (lowest-numbered) line set in m, or PIC_NONE. */
static unsigned pic_first(uint8_t m)
{
    return m ? (unsigned)__builtin_ctz(m) : PIC_NONE;
}

/* The line a chip would signal given its requests irr: unmasked and above all in service. */
static unsigned pic_chip_best(const struct pic_chip *c, uint8_t irr)
{
    unsigned line = pic_first(irr & (uint8_t)~c->imr);
    return line < pic_first(c->isr) ? line : PIC_NONE;
}

/* The slave line whose INT reaches the master now, or PIC_NONE. */
static unsigned pic_slave_line(const struct pic *p)
{
    if (p->chip[0].single)
        return PIC_NONE;
    return pic_chip_best(&p->chip[1], p->chip[1].irr);
}

/* The master's requests as its resolver sees them: latched edges plus the slave's INT. */
static uint8_t pic_master_irr(const struct pic *p)
{
    uint8_t cascade = pic_slave_line(p) != PIC_NONE ? 1u << PIC_CASCADE : 0;
    return p->chip[0].irr | cascade;
}

/* Power-on state: everything masked, the BIOS vector bases 0x08 and 0x70, not initialising. */
void pic_init(struct pic *p)
{
    p->chip[0] = (struct pic_chip){ .imr = 0xff, .vector_base = 0x08 };
    p->chip[1] = (struct pic_chip){ .imr = 0xff, .vector_base = 0x70 };
}

/* An edge on ISA line irq (0..15) latches a request; other numbers are ignored. */
void pic_raise(struct pic *p, unsigned irq)
{
    if (irq >= 16)
        return;
    p->chip[irq >> 3].irr |= (uint8_t)(1u << (irq & 7));
}

/* Which master line and (through the cascade) slave line INTA would take now; false if none. */
static bool pic_resolve(const struct pic *p, unsigned *mline, unsigned *sline)
{
    *mline = pic_chip_best(&p->chip[0], pic_master_irr(p));
    *sline = *mline == PIC_CASCADE ? pic_slave_line(p) : PIC_NONE;
    return *mline != PIC_NONE;
}

/* The vector of the request pic_resolve found. */
static int pic_vector(const struct pic *p, unsigned m, unsigned s)
{
    if (s != PIC_NONE)
        return p->chip[1].vector_base + (int)s;
    return p->chip[0].vector_base + (int)m;
}

/* The vector the guest would receive now, or -1. */
int pic_pending(const struct pic *p)
{
    unsigned m, s;
    return pic_resolve(p, &m, &s) ? pic_vector(p, m, s) : -1;
}

/* INTA on one chip: the request moves into service (or vanishes with auto-EOI). */
static void pic_chip_take(struct pic_chip *c, unsigned line)
{
    uint8_t bit = (uint8_t)(1u << line);
    c->irr &= (uint8_t)~bit;
    if (!c->auto_eoi)
        c->isr |= bit;
}

/* The INTA cycle: deliver the pending vector, or -1 if nothing is pending. */
int pic_ack(struct pic *p)
{
    unsigned m, s;
    if (!pic_resolve(p, &m, &s))
        return -1;
    if (s != PIC_NONE) {
        /* The slave's INT is not latched in the master's IRR: only ISR changes. */
        if (!p->chip[0].auto_eoi)
            p->chip[0].isr |= 1u << PIC_CASCADE;
        pic_chip_take(&p->chip[1], s);
    } else {
        pic_chip_take(&p->chip[0], m);
    }
    return pic_vector(p, m, s);
}

/* A write to the command port: ICW1 starts initialisation, else OCW2 (EOI) or OCW3. */
static void pic_command(struct pic_chip *c, uint8_t v)
{
    if (v & 0x10) {
        /* ICW1 clears the mask, in-service and request state and starts the ICW sequence. */
        *c = (struct pic_chip){ .vector_base = c->vector_base, .init_step = 2,
                                .icw4 = v & 0x01, .single = v & 0x02 };
        return;
    }
    if (v & 0x08) {
        if (v & 0x02)                       /* OCW3 RR: select the register read back */
            c->read_isr = v & 0x01;
        return;
    }
    switch (v >> 5) {                       /* OCW2: R SL EOI */
    case 1: case 5:                         /* non-specific EOI (rotation ignored) */
        if (c->isr)
            c->isr &= (uint8_t)~(1u << pic_first(c->isr));
        break;
    case 3: case 7:                         /* specific EOI of line v & 7 */
        c->isr &= (uint8_t)~(1u << (v & 7));
        break;
    default:                                /* rotation and priority commands: fixed priority */
        break;
    }
}

/* A write to the data port: the next ICW while initialising, else OCW1 (the mask). */
static void pic_data(struct pic_chip *c, uint8_t v)
{
    switch (c->init_step) {
    case 2:                                 /* ICW2: vector base */
        c->vector_base = v & 0xf8;
        c->init_step = !c->single ? 3 : c->icw4 ? 4 : 0;
        break;
    case 3:                                 /* ICW3: the cascade is wired to line 2 regardless */
        c->init_step = c->icw4 ? 4 : 0;
        break;
    case 4:                                 /* ICW4: only auto-EOI matters */
        c->auto_eoi = v & 0x02;
        c->init_step = 0;
        break;
    default:
        c->imr = v;
        break;
    }
}

/* Port I/O on 0x20, 0x21, 0xa0, 0xa1; false for any other port. */
bool pic_io(struct pic *p, uint16_t port, bool in, uint32_t *val)
{
    if (port != 0x20 && port != 0x21 && port != 0xa0 && port != 0xa1)
        return false;
    unsigned i = port >= 0xa0;
    struct pic_chip *c = &p->chip[i];
    bool data = port & 1;

    if (in) {
        uint8_t irr = i == 0 ? pic_master_irr(p) : c->irr;
        *val = data ? c->imr : c->read_isr ? c->isr : irr;
    } else if (data) {
        pic_data(c, (uint8_t)*val);
    } else {
        pic_command(c, (uint8_t)*val);
    }
    return true;
}
