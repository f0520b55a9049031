/* SPDX-License-Identifier: MIT */
/* tests/test_vmm_devices.c — host tests of the VMM's legacy PC devices: PIC, PIT, RTC, KBC, UART. */
#include "vmm/dev/pic.c"
#include "vmm/dev/pit.c"
#include "vmm/dev/rtc.c"
#include "vmm/dev/kbc.c"
#include "vmm/dev/uart.c"
#include "unit.h"

/* Each device is driven the way the VMM drives it: one port access per exit. */

static void pic_outb(struct pic *p, uint16_t port, uint8_t v)
{
    uint32_t val = v;
    CHECK(pic_io(p, port, false, &val));
}

static uint8_t pic_inb(struct pic *p, uint16_t port)
{
    uint32_t val = 0xdeadbeef;
    CHECK(pic_io(p, port, true, &val));
    CHECK(val <= 0xff);
    return (uint8_t)val;
}

/* Linux's init_8259A: mask all, ICW1-ICW4 on both chips, then the masks it wants. */
static void pic_linux_init(struct pic *p, bool auto_eoi, uint8_t mask_master, uint8_t mask_slave)
{
    pic_init(p);
    pic_outb(p, 0x21, 0xff);
    pic_outb(p, 0xa1, 0xff);
    pic_outb(p, 0x20, 0x11);
    pic_outb(p, 0x21, 0x20);
    pic_outb(p, 0x21, 0x04);
    pic_outb(p, 0x21, auto_eoi ? 0x03 : 0x01);
    pic_outb(p, 0xa0, 0x11);
    pic_outb(p, 0xa1, 0x28);
    pic_outb(p, 0xa1, 0x02);
    pic_outb(p, 0xa1, 0x01);
    pic_outb(p, 0x21, mask_master);
    pic_outb(p, 0xa1, mask_slave);
}

/* ISR of one chip, read the way Linux does: OCW3 0x0b, then the command port. */
static uint8_t pic_read_isr(struct pic *p, uint16_t cmd)
{
    pic_outb(p, cmd, 0x0b);
    return pic_inb(p, cmd);
}

static uint8_t pic_read_irr(struct pic *p, uint16_t cmd)
{
    pic_outb(p, cmd, 0x0a);
    return pic_inb(p, cmd);
}

TEST(pic_claims_only_its_ports)
{
    struct pic p;
    uint32_t v = 0;
    pic_init(&p);
    CHECK(!pic_io(&p, 0x22, true, &v));
    CHECK(!pic_io(&p, 0x1f, false, &v));
    CHECK(!pic_io(&p, 0xa2, true, &v));
    CHECK(!pic_io(&p, 0x4d0, true, &v));
    CHECK_EQ(pic_inb(&p, 0x21), 0xff);          /* power-on: all masked */
    CHECK_EQ(pic_inb(&p, 0xa1), 0xff);
    pic_raise(&p, 0);
    CHECK_EQ(pic_pending(&p), -1);
}

TEST(pic_linux_init_then_masks)
{
    struct pic p;
    pic_linux_init(&p, false, 0xfb, 0xff);
    CHECK_EQ(pic_inb(&p, 0x21), 0xfb);          /* data port reads the mask back */
    CHECK_EQ(pic_inb(&p, 0xa1), 0xff);
    CHECK_EQ(p.chip[0].vector_base, 0x20);
    CHECK_EQ(p.chip[1].vector_base, 0x28);
    CHECK_EQ(p.chip[0].init_step, 0);
    CHECK_EQ(p.chip[1].init_step, 0);
    CHECK_EQ(pic_read_irr(&p, 0x20), 0);
    CHECK_EQ(pic_read_isr(&p, 0x20), 0);
    CHECK_EQ(pic_pending(&p), -1);
    CHECK_EQ(pic_ack(&p), -1);
}

TEST(pic_irq0_ack_blocks_until_eoi)
{
    struct pic p;
    pic_linux_init(&p, false, 0xfe, 0xff);
    pic_raise(&p, 0);
    CHECK_EQ(pic_pending(&p), 0x20);
    CHECK_EQ(pic_ack(&p), 0x20);
    CHECK_EQ(pic_read_isr(&p, 0x20), 0x01);
    CHECK_EQ(pic_read_irr(&p, 0x20), 0x00);
    CHECK_EQ(pic_pending(&p), -1);

    pic_raise(&p, 0);                           /* the next tick while the first is in service */
    CHECK_EQ(pic_read_irr(&p, 0x20), 0x01);
    CHECK_EQ(pic_pending(&p), -1);
    CHECK_EQ(pic_ack(&p), -1);

    pic_outb(&p, 0x20, 0x20);                   /* non-specific EOI */
    CHECK_EQ(pic_read_isr(&p, 0x20), 0x00);
    CHECK_EQ(pic_pending(&p), 0x20);
    CHECK_EQ(pic_ack(&p), 0x20);
}

TEST(pic_mask_holds_the_request)
{
    struct pic p;
    pic_linux_init(&p, false, 0xff, 0xff);
    pic_raise(&p, 3);
    CHECK_EQ(pic_read_irr(&p, 0x20), 0x08);     /* latched despite the mask */
    CHECK_EQ(pic_pending(&p), -1);
    pic_outb(&p, 0x21, 0xf7);                   /* unmask IRQ3 */
    CHECK_EQ(pic_pending(&p), 0x23);
    pic_outb(&p, 0x21, 0xff);
    CHECK_EQ(pic_pending(&p), -1);
}

TEST(pic_fixed_priority_and_nesting)
{
    struct pic p;
    pic_linux_init(&p, false, 0x00, 0xff);
    pic_raise(&p, 5);
    pic_raise(&p, 1);
    CHECK_EQ(pic_ack(&p), 0x21);                /* IRQ1 beats IRQ5 */
    CHECK_EQ(pic_pending(&p), -1);              /* IRQ5 waits for IRQ1's EOI */
    pic_raise(&p, 0);
    CHECK_EQ(pic_ack(&p), 0x20);                /* IRQ0 nests inside IRQ1 */
    CHECK_EQ(pic_read_isr(&p, 0x20), 0x03);
    pic_outb(&p, 0x20, 0x20);                   /* ends IRQ0, the highest in service */
    CHECK_EQ(pic_read_isr(&p, 0x20), 0x02);
    CHECK_EQ(pic_pending(&p), -1);
    pic_outb(&p, 0x20, 0x20);
    CHECK_EQ(pic_ack(&p), 0x25);
}

TEST(pic_specific_eoi)
{
    struct pic p;
    pic_linux_init(&p, false, 0x00, 0xff);
    pic_raise(&p, 5);
    CHECK_EQ(pic_ack(&p), 0x25);
    pic_raise(&p, 1);
    CHECK_EQ(pic_ack(&p), 0x21);
    CHECK_EQ(pic_read_isr(&p, 0x20), 0x22);
    pic_outb(&p, 0x20, 0x65);                   /* specific EOI of line 5 */
    CHECK_EQ(pic_read_isr(&p, 0x20), 0x02);
    pic_outb(&p, 0x20, 0x61);                   /* and of line 1 */
    CHECK_EQ(pic_read_isr(&p, 0x20), 0x00);
}

TEST(pic_slave_needs_cascade_unmasked)
{
    struct pic p;
    pic_linux_init(&p, false, 0xff, 0xfe);      /* slave IRQ8 open, master IRQ2 masked */
    pic_raise(&p, 8);
    CHECK_EQ(pic_read_irr(&p, 0xa0), 0x01);
    CHECK_EQ(pic_pending(&p), -1);
    pic_outb(&p, 0x21, 0xfb);                   /* unmask the cascade */
    CHECK_EQ(pic_pending(&p), 0x28);
    CHECK_EQ(pic_read_irr(&p, 0x20), 0x04);     /* the slave's INT on master line 2 */
    CHECK_EQ(pic_ack(&p), 0x28);
    CHECK_EQ(pic_read_isr(&p, 0x20), 0x04);
    CHECK_EQ(pic_read_isr(&p, 0xa0), 0x01);
    CHECK_EQ(pic_read_irr(&p, 0xa0), 0x00);
    CHECK_EQ(pic_read_irr(&p, 0x20), 0x00);

    pic_raise(&p, 8);                           /* blocked while in service on both chips */
    CHECK_EQ(pic_pending(&p), -1);
    pic_outb(&p, 0xa0, 0x20);                   /* Linux: EOI the slave, then the master */
    CHECK_EQ(pic_pending(&p), -1);
    pic_outb(&p, 0x20, 0x20);
    CHECK_EQ(pic_pending(&p), 0x28);
}

TEST(pic_slave_sits_in_the_irq2_slot)
{
    struct pic p;
    pic_linux_init(&p, false, 0x00, 0x00);
    pic_raise(&p, 3);
    pic_raise(&p, 14);
    CHECK_EQ(pic_ack(&p), 0x2e);                /* IRQ14 (slot 2) beats IRQ3 */
    pic_raise(&p, 1);
    CHECK_EQ(pic_ack(&p), 0x21);                /* IRQ1 beats the cascade */
    pic_raise(&p, 9);
    CHECK_EQ(pic_pending(&p), -1);              /* IRQ9 waits: line 2 in service */
    pic_outb(&p, 0x20, 0x20);                   /* end IRQ1 */
    pic_outb(&p, 0xa0, 0x20);                   /* end IRQ14 */
    pic_outb(&p, 0x20, 0x20);
    CHECK_EQ(pic_ack(&p), 0x29);
    pic_outb(&p, 0xa0, 0x20);
    pic_outb(&p, 0x20, 0x20);
    CHECK_EQ(pic_ack(&p), 0x23);
}

TEST(pic_auto_eoi_leaves_nothing_in_service)
{
    struct pic p;
    pic_linux_init(&p, true, 0xfe, 0xff);
    pic_raise(&p, 0);
    CHECK_EQ(pic_ack(&p), 0x20);
    CHECK_EQ(pic_read_isr(&p, 0x20), 0x00);
    pic_raise(&p, 0);
    CHECK_EQ(pic_pending(&p), 0x20);            /* no EOI needed */
}

TEST(pic_icw1_resets_state_and_bad_irqs_ignored)
{
    struct pic p;
    pic_linux_init(&p, false, 0x00, 0x00);
    pic_raise(&p, 16);
    pic_raise(&p, 1000);
    CHECK_EQ(pic_pending(&p), -1);
    pic_raise(&p, 4);
    pic_raise(&p, 6);
    CHECK_EQ(pic_ack(&p), 0x24);
    pic_outb(&p, 0x20, 0x11);                   /* re-initialise: ICW1 */
    CHECK_EQ(pic_read_irr(&p, 0x20), 0);
    CHECK_EQ(pic_read_isr(&p, 0x20), 0);
    pic_outb(&p, 0x21, 0x30);                   /* ICW2, not a mask */
    pic_outb(&p, 0x21, 0x04);
    pic_outb(&p, 0x21, 0x01);
    CHECK_EQ(pic_inb(&p, 0x21), 0x00);          /* ICW1 cleared the mask */
    pic_raise(&p, 7);
    CHECK_EQ(pic_ack(&p), 0x37);
}

/* ---- PIT ---- */

static void pit_outb(struct pit *p, uint64_t now, uint16_t port, uint8_t v)
{
    uint32_t val = v;
    CHECK(pit_io(p, now, port, false, &val));
}

static uint8_t pit_inb(struct pit *p, uint64_t now, uint16_t port)
{
    uint32_t val = 0xdeadbeef;
    CHECK(pit_io(p, now, port, true, &val));
    CHECK(val <= 0xff);
    return (uint8_t)val;
}

/* Control word, then a lobyte/hibyte count, all at tick now. */
static void pit_program(struct pit *p, uint64_t now, uint8_t control, uint16_t count)
{
    uint16_t port = 0x40 + (control >> 6);
    pit_outb(p, now, 0x43, control);
    pit_outb(p, now, port, count & 0xff);
    pit_outb(p, now, port, count >> 8);
}

/* Two reads of a lobyte/hibyte counter, as Linux does. */
static unsigned pit_read16(struct pit *p, uint64_t now, uint16_t port)
{
    unsigned lo = pit_inb(p, now, port);
    return lo | (unsigned)pit_inb(p, now, port) << 8;
}

static bool pit_out2(struct pit *p, uint64_t now)
{
    return pit_inb(p, now, 0x61) & 0x20;
}

#define T0 1000000u                             /* an arbitrary tick at which the guest programs */

TEST(pit_claims_only_its_ports_and_is_idle)
{
    struct pit p;
    uint32_t v = 0;
    pit_init(&p);
    CHECK(!pit_io(&p, 0, 0x44, true, &v));
    CHECK(!pit_io(&p, 0, 0x3f, true, &v));
    CHECK(!pit_io(&p, 0, 0x60, true, &v));
    CHECK(!pit_io(&p, 0, 0x62, false, &v));
    CHECK_EQ(pit_irq0_count(&p, 10 * PIT_HZ), 0);
    CHECK_EQ(pit_next_irq0(&p, 0), UINT64_MAX);
    CHECK_EQ(pit_inb(&p, 0, 0x43), 0xff);       /* the control register is write-only */
}

TEST(pit_mode2_100hz_tick)
{
    struct pit p;
    pit_init(&p);
    pit_program(&p, T0, 0x34, 11932);           /* Linux: channel 0, lo/hi, mode 2, HZ=100 */
    CHECK_EQ(pit_irq0_count(&p, T0), 0);
    CHECK_EQ(pit_irq0_count(&p, T0 + 11931), 0);
    CHECK_EQ(pit_irq0_count(&p, T0 + 11932), 1);
    CHECK_EQ(pit_irq0_count(&p, T0 + 1193200), 99);   /* 100 in the first 1,193,200 ticks */

    uint64_t total = 0;                         /* the same second in uneven steps */
    for (uint64_t t = T0 + 1193200; t < T0 + 2 * 1193200; t += 997)
        total += pit_irq0_count(&p, t);
    total += pit_irq0_count(&p, T0 + 2 * 1193200);
    CHECK_EQ(total, 100);
}

TEST(pit_mode2_next_irq0)
{
    struct pit p;
    pit_init(&p);
    pit_program(&p, T0, 0x34, 11932);
    CHECK_EQ(pit_next_irq0(&p, T0), T0 + 11932);
    CHECK_EQ(pit_next_irq0(&p, T0 + 11931), T0 + 11932);
    CHECK_EQ(pit_next_irq0(&p, T0 + 11932), T0 + 2 * 11932);
    CHECK_EQ(pit_next_irq0(&p, T0 + 50000), T0 + 5 * 11932);
}

TEST(pit_mode2_count_zero_means_65536)
{
    struct pit p;
    pit_init(&p);
    pit_program(&p, T0, 0x34, 0);
    CHECK_EQ(pit_next_irq0(&p, T0), T0 + 65536);
    CHECK_EQ(pit_irq0_count(&p, T0 + 65535), 0);
    CHECK_EQ(pit_irq0_count(&p, T0 + 65536), 1);
    CHECK_EQ(pit_read16(&p, T0 + 65536 + 16, 0x40), 65536 - 16);
}

TEST(pit_latch_freezes_the_count)
{
    struct pit p;
    pit_init(&p);
    pit_program(&p, T0, 0x34, 11932);
    pit_outb(&p, T0 + 5000, 0x43, 0x00);        /* counter latch, channel 0 */
    pit_outb(&p, T0 + 5100, 0x43, 0x00);        /* ignored: the first latch is unread */
    CHECK_EQ(pit_read16(&p, T0 + 9000, 0x40), 11932 - 5000);
    CHECK_EQ(pit_read16(&p, T0 + 10000, 0x40), 11932 - 10000);  /* live again */
    CHECK_EQ(pit_read16(&p, T0 + 11932 + 7, 0x40), 11932 - 7);  /* reloaded */
}

TEST(pit_lobyte_and_hibyte_access)
{
    struct pit p;
    pit_init(&p);
    pit_outb(&p, T0, 0x43, 0x14);               /* channel 0, lobyte only, mode 2 */
    pit_outb(&p, T0, 0x40, 100);
    CHECK_EQ(pit_next_irq0(&p, T0), T0 + 100);
    CHECK_EQ(pit_inb(&p, T0 + 30, 0x40), 70);
    CHECK_EQ(pit_inb(&p, T0 + 40, 0x40), 60);   /* no flip-flop: low byte every time */
    pit_outb(&p, T0, 0x43, 0x24);               /* hibyte only */
    pit_outb(&p, T0, 0x40, 0x01);
    CHECK_EQ(pit_next_irq0(&p, T0), T0 + 256);
    CHECK_EQ(pit_inb(&p, T0 + 2, 0x40), 0x00);  /* 254 = 0x00fe: high byte */
    CHECK_EQ(pit_inb(&p, T0 + 256, 0x40), 0x01);    /* reloaded: 0x0100 */
}

TEST(pit_channel2_mode0_out_on_port61)
{
    struct pit p;
    pit_init(&p);
    /* Linux's pit_calibrate_tsc: gate on, speaker off, mode 0, then the count. */
    pit_outb(&p, T0, 0x61, (pit_inb(&p, T0, 0x61) & ~0x02) | 0x01);
    CHECK_EQ(pit_inb(&p, T0, 0x61) & 0x03, 0x01);
    pit_program(&p, T0, 0xb0, 1000);
    CHECK(!pit_out2(&p, T0));
    CHECK(!pit_out2(&p, T0 + 999));
    CHECK(pit_out2(&p, T0 + 1000));
    CHECK(pit_out2(&p, T0 + 70000));            /* stays high; the count wraps on */
    CHECK_EQ(pit_read16(&p, T0 + 1001, 0x42), 0xffff);
    CHECK_EQ(pit_irq0_count(&p, T0 + 70000), 0);   /* channel 2 never raises IRQ0 */
}

TEST(pit_channel2_count_read_back_msb)
{
    struct pit p;
    pit_init(&p);
    /* Linux's quick_pit_calibrate: count 0xffff, then poll the MSB with two reads. */
    pit_outb(&p, T0, 0x61, 0x01);
    pit_program(&p, T0, 0xb0, 0xffff);
    CHECK_EQ(pit_read16(&p, T0 + 0x100, 0x42), 0xfeff);
    CHECK_EQ(pit_read16(&p, T0 + 0x2000, 0x42), 0xdfff);
    CHECK_EQ(pit_inb(&p, T0 + 0x3000, 0x42), 0xff);     /* flip-flop: a low byte... */
    CHECK_EQ(pit_inb(&p, T0 + 0x3000, 0x42), 0xcf);     /* ...then the high byte */
}

TEST(pit_channel2_gate_holds_mode0)
{
    struct pit p;
    pit_init(&p);
    CHECK_EQ(pit_inb(&p, T0, 0x61) & 0x01, 0);  /* gate 2 starts closed */
    pit_program(&p, T0, 0xb0, 100);
    CHECK(!pit_out2(&p, T0 + 500));             /* no counting with the gate low */
    CHECK_EQ(pit_read16(&p, T0 + 500, 0x42), 100);
    pit_outb(&p, T0 + 500, 0x61, 0x01);
    CHECK(!pit_out2(&p, T0 + 549));
    pit_outb(&p, T0 + 550, 0x61, 0x00);         /* pause after 50 ticks */
    CHECK_EQ(pit_read16(&p, T0 + 800, 0x42), 50);
    pit_outb(&p, T0 + 800, 0x61, 0x01);         /* resume */
    CHECK(!pit_out2(&p, T0 + 849));
    CHECK(pit_out2(&p, T0 + 850));
}

TEST(pit_channel2_mode3_square_wave)
{
    struct pit p;
    pit_init(&p);
    pit_outb(&p, T0, 0x61, 0x03);
    pit_program(&p, T0, 0xb6, 1000);            /* channel 2, lo/hi, mode 3 (the beep) */
    CHECK(pit_out2(&p, T0));
    CHECK(pit_out2(&p, T0 + 499));
    CHECK(!pit_out2(&p, T0 + 500));
    CHECK(!pit_out2(&p, T0 + 999));
    CHECK(pit_out2(&p, T0 + 1000));
    CHECK_EQ(pit_read16(&p, T0 + 100, 0x42), 800);      /* counts down by two */
    CHECK_EQ(pit_read16(&p, T0 + 600, 0x42), 800);
    pit_outb(&p, T0 + 1200, 0x61, 0x02);        /* gate low: OUT forced high */
    CHECK(pit_out2(&p, T0 + 1700));
    pit_outb(&p, T0 + 2000, 0x61, 0x03);        /* rising gate restarts the period */
    CHECK(!pit_out2(&p, T0 + 2500));
    CHECK(pit_out2(&p, T0 + 2499));
}

TEST(pit_mode0_one_shot_irq0)
{
    struct pit p;
    pit_init(&p);
    pit_program(&p, T0, 0x30, 500);
    CHECK_EQ(pit_next_irq0(&p, T0), T0 + 500);
    CHECK_EQ(pit_irq0_count(&p, T0 + 499), 0);
    CHECK_EQ(pit_irq0_count(&p, T0 + 10 * 65536), 1);   /* once, even after wrapping */
    CHECK_EQ(pit_next_irq0(&p, T0 + 500), UINT64_MAX);
    pit_outb(&p, T0 + 700000, 0x40, 10);        /* rearm with a new count */
    pit_outb(&p, T0 + 700000, 0x40, 0);
    CHECK_EQ(pit_next_irq0(&p, T0 + 700000), T0 + 700010);
    CHECK_EQ(pit_irq0_count(&p, T0 + 700010), 1);
}

TEST(pit_mode4_linux_oneshot)
{
    struct pit p;
    pit_init(&p);
    pit_program(&p, T0, 0x38, 1193);            /* Linux's oneshot clockevent: mode 4 */
    CHECK_EQ(pit_next_irq0(&p, T0), T0 + 1194); /* OUT rises after the one-tick strobe */
    CHECK_EQ(pit_irq0_count(&p, T0 + 1193), 0);
    CHECK_EQ(pit_irq0_count(&p, T0 + 1194), 1);
    CHECK_EQ(pit_irq0_count(&p, T0 + 100000), 0);
    /* Linux's shutdown: mode 0 with a zero count gives one last edge 65536 ticks on. */
    pit_program(&p, T0 + 100000, 0x30, 0);
    CHECK_EQ(pit_next_irq0(&p, T0 + 100000), T0 + 100000 + 65536);
}

TEST(pit_reprogramming_keeps_earlier_edges)
{
    struct pit p;
    pit_init(&p);
    pit_program(&p, T0, 0x34, 1000);
    pit_program(&p, T0 + 5500, 0x34, 30000);   /* 5 edges happened before this */
    CHECK_EQ(pit_irq0_count(&p, T0 + 5600), 5);
    pit_outb(&p, T0 + 6000, 0x43, 0x30);        /* mode 0 control word: OUT0 low, no count */
    CHECK_EQ(pit_next_irq0(&p, T0 + 6000), UINT64_MAX);
    CHECK_EQ(pit_irq0_count(&p, T0 + 1000000), 0);
}

TEST(pit_readback_status_and_count)
{
    struct pit p;
    pit_init(&p);
    pit_program(&p, T0, 0x34, 11932);
    pit_outb(&p, T0 + 100, 0x43, 0xc2);         /* read-back: count and status of channel 0 */
    CHECK_EQ(pit_inb(&p, T0 + 200, 0x40), 0x80 | 0x30 | 0x04);  /* OUT high, lo/hi, mode 2 */
    CHECK_EQ(pit_read16(&p, T0 + 300, 0x40), 11932 - 100);
    pit_outb(&p, T0, 0x43, 0xb0);               /* channel 2 mode 0, no count yet */
    pit_outb(&p, T0, 0x43, 0xe8);               /* status only, channel 2 */
    CHECK_EQ(pit_inb(&p, T0, 0x42), 0x40 | 0x30); /* OUT low, null count */
}

/* ---- RTC ---- */

static uint8_t rtc_rd(struct rtc *r, uint64_t now, uint8_t index)
{
    uint32_t v = index;
    CHECK(rtc_io(r, now, 0x70, false, &v));
    v = 0xdeadbeef;
    CHECK(rtc_io(r, now, 0x71, true, &v));
    CHECK(v <= 0xff);
    return (uint8_t)v;
}

static void rtc_wr(struct rtc *r, uint64_t now, uint8_t index, uint8_t val)
{
    uint32_t v = index;
    CHECK(rtc_io(r, now, 0x70, false, &v));
    v = val;
    CHECK(rtc_io(r, now, 0x71, false, &v));
}

#define NOV14   1700000000u                     /* 2023-11-14 22:13:20 UTC, a Tuesday */

TEST(rtc_claims_only_its_ports)
{
    struct rtc r;
    uint32_t v = 0;
    rtc_init(&r, NOV14);
    CHECK(!rtc_io(&r, NOV14, 0x72, true, &v));
    CHECK(!rtc_io(&r, NOV14, 0x6f, false, &v));
    CHECK(rtc_io(&r, NOV14, 0x70, true, &v));
}

TEST(rtc_bcd_date)
{
    struct rtc r;
    rtc_init(&r, NOV14);
    CHECK_EQ(rtc_rd(&r, NOV14, 0x00), 0x20);
    CHECK_EQ(rtc_rd(&r, NOV14, 0x02), 0x13);
    CHECK_EQ(rtc_rd(&r, NOV14, 0x04), 0x22);
    CHECK_EQ(rtc_rd(&r, NOV14, 0x06), 0x03);    /* Tuesday: Sunday is 1 */
    CHECK_EQ(rtc_rd(&r, NOV14, 0x07), 0x14);
    CHECK_EQ(rtc_rd(&r, NOV14, 0x08), 0x11);
    CHECK_EQ(rtc_rd(&r, NOV14, 0x09), 0x23);
    CHECK_EQ(rtc_rd(&r, NOV14, 0x32), 0x20);
}

TEST(rtc_binary_mode)
{
    struct rtc r;
    rtc_init(&r, NOV14);
    rtc_wr(&r, NOV14, 0x0b, rtc_rd(&r, NOV14, 0x0b) | 0x04);
    CHECK_EQ(rtc_rd(&r, NOV14, 0x00), 20);
    CHECK_EQ(rtc_rd(&r, NOV14, 0x02), 13);
    CHECK_EQ(rtc_rd(&r, NOV14, 0x04), 22);
    CHECK_EQ(rtc_rd(&r, NOV14, 0x07), 14);
    CHECK_EQ(rtc_rd(&r, NOV14, 0x08), 11);
    CHECK_EQ(rtc_rd(&r, NOV14, 0x09), 23);
    CHECK_EQ(rtc_rd(&r, NOV14, 0x32), 20);
}

TEST(rtc_status_registers)
{
    struct rtc r;
    rtc_init(&r, NOV14);
    CHECK_EQ(rtc_rd(&r, NOV14, 0x0a), 0x26);    /* UIP (bit 7) clear */
    rtc_wr(&r, NOV14, 0x0a, 0xa6);              /* UIP is read-only */
    CHECK_EQ(rtc_rd(&r, NOV14, 0x0a) & 0x80, 0);
    CHECK_EQ(rtc_rd(&r, NOV14, 0x0b), 0x02);    /* 24-hour, BCD */
    CHECK_EQ(rtc_rd(&r, NOV14, 0x0c), 0x00);
    CHECK_EQ(rtc_rd(&r, NOV14, 0x0d), 0x80);    /* valid RAM and time */
    rtc_wr(&r, NOV14, 0x0d, 0x00);
    CHECK_EQ(rtc_rd(&r, NOV14, 0x0d), 0x80);
}

TEST(rtc_12_hour_mode)
{
    struct rtc r;
    rtc_init(&r, NOV14);
    rtc_wr(&r, NOV14, 0x0b, 0x00);
    CHECK_EQ(rtc_rd(&r, NOV14, 0x04), 0x80 | 0x10);             /* 10 PM */
    CHECK_EQ(rtc_rd(&r, NOV14 - 22 * 3600, 0x04), 0x12);        /* midnight: 12 AM */
    CHECK_EQ(rtc_rd(&r, NOV14 - 10 * 3600, 0x04), 0x80 | 0x12); /* noon: 12 PM */
}

TEST(rtc_time_advances_with_the_caller)
{
    struct rtc r;
    rtc_init(&r, NOV14);
    CHECK_EQ(rtc_rd(&r, NOV14 + 61, 0x00), 0x21);
    CHECK_EQ(rtc_rd(&r, NOV14 + 61, 0x02), 0x14);
    const uint64_t eve = 1704067199;            /* 2023-12-31 23:59:59 */
    CHECK_EQ(rtc_rd(&r, eve, 0x09), 0x23);
    CHECK_EQ(rtc_rd(&r, eve + 1, 0x09), 0x24);
    CHECK_EQ(rtc_rd(&r, eve + 1, 0x08), 0x01);
    CHECK_EQ(rtc_rd(&r, eve + 1, 0x07), 0x01);
    CHECK_EQ(rtc_rd(&r, eve + 1, 0x04), 0x00);
    const uint64_t leap = 1709164800;           /* 2024-02-29, a Thursday */
    CHECK_EQ(rtc_rd(&r, leap, 0x08), 0x02);
    CHECK_EQ(rtc_rd(&r, leap, 0x07), 0x29);
    CHECK_EQ(rtc_rd(&r, leap, 0x06), 0x05);
}

TEST(rtc_civil_conversion)
{
    static const struct { uint64_t t; unsigned y, m, d, wd; } known[] = {
        { 0,          1970, 1,  1,  4 },
        { 951782400,  2000, 2,  29, 2 },
        { 2147483647, 2038, 1,  19, 2 },
        { 4102444799, 2099, 12, 31, 4 },
    };
    struct rtc_date d;
    for (unsigned i = 0; i < sizeof known / sizeof known[0]; i++) {
        rtc_civil(known[i].t, &d);
        CHECK_EQ(d.year, known[i].y);
        CHECK_EQ(d.mon, known[i].m);
        CHECK_EQ(d.mday, known[i].d);
        CHECK_EQ(d.wday, known[i].wd);
    }
    unit_rng = 0x5eed;
    for (unsigned i = 0; i < 100000; i++) {     /* round trips over 4000 years */
        uint64_t t = unit_rng_next() % (4000ull * 366 * 86400);
        rtc_civil(t, &d);
        CHECK(d.mon >= 1 && d.mon <= 12 && d.mday >= 1 && d.mday <= 31);
        CHECK(d.hour < 24 && d.min < 60 && d.sec < 60 && d.wday < 7);
        CHECK_EQ(rtc_unix(&d), t);
    }
}

TEST(rtc_guest_sets_the_clock)
{
    struct rtc r;
    const uint64_t now = NOV14 + 3600;          /* 23:13:20 */
    rtc_init(&r, NOV14);
    rtc_wr(&r, now, 0x0b, 0x82);                /* SET: the clock stops for editing */
    CHECK_EQ(rtc_rd(&r, now + 50, 0x04), 0x23); /* holding the time SET was set at */
    CHECK_EQ(rtc_rd(&r, now + 50, 0x00), 0x20);
    rtc_wr(&r, now, 0x00, 0x00);
    rtc_wr(&r, now, 0x02, 0x00);
    rtc_wr(&r, now, 0x04, 0x12);
    rtc_wr(&r, now, 0x07, 0x01);
    rtc_wr(&r, now, 0x08, 0x01);
    rtc_wr(&r, now, 0x09, 0x30);
    CHECK_EQ(rtc_rd(&r, now + 100, 0x00), 0x00);    /* held while SET */
    CHECK_EQ(rtc_rd(&r, now + 100, 0x09), 0x30);
    rtc_wr(&r, now + 100, 0x0b, 0x02);          /* 2030-01-01 12:00:00 from now on */
    CHECK_EQ(r.offset, 1893499200 - (int64_t)(now + 100));
    CHECK_EQ(rtc_rd(&r, now + 105, 0x00), 0x05);
    CHECK_EQ(rtc_rd(&r, now + 105, 0x04), 0x12);
    CHECK_EQ(rtc_rd(&r, now + 105, 0x32), 0x20);

    rtc_wr(&r, now + 200, 0x0b, 0x82);          /* only the hour: the rest is kept */
    rtc_wr(&r, now + 200, 0x04, 0x15);
    rtc_wr(&r, now + 200, 0x0b, 0x02);
    CHECK_EQ(rtc_rd(&r, now + 200, 0x02), 0x01);    /* 12:01:40 became 15:01:40 */
    CHECK_EQ(rtc_rd(&r, now + 200, 0x00), 0x40);
    CHECK_EQ(rtc_rd(&r, now + 200, 0x04), 0x15);
    CHECK_EQ(rtc_rd(&r, now + 200, 0x09), 0x30);

    int64_t before = r.offset;                  /* an impossible date is ignored */
    rtc_wr(&r, now + 300, 0x0b, 0x82);
    rtc_wr(&r, now + 300, 0x08, 0x13);
    rtc_wr(&r, now + 300, 0x0b, 0x02);
    CHECK_EQ(r.offset, before);
}

TEST(rtc_cmos_ram_reads_back)
{
    struct rtc r;
    rtc_init(&r, NOV14);
    for (unsigned i = 0x0e; i < 0x80; i++)
        if (i != 0x32)
            rtc_wr(&r, NOV14, (uint8_t)i, (uint8_t)(i ^ 0x5a));
    for (unsigned i = 0x0e; i < 0x80; i++)
        if (i != 0x32)
            CHECK_EQ(rtc_rd(&r, NOV14, (uint8_t)i), i ^ 0x5a);
    CHECK_EQ(rtc_rd(&r, NOV14, 0x80 | 0x40), 0x40 ^ 0x5a);      /* NMI-mask bit ignored */
    rtc_wr(&r, NOV14, 0x01, 0x33);              /* alarm registers are RAM */
    CHECK_EQ(rtc_rd(&r, NOV14, 0x01), 0x33);
}

/* ---- KBC ---- */

static uint8_t kbc_inb(struct kbc *k, uint16_t port)
{
    uint32_t v = 0xdeadbeef;
    CHECK(kbc_io(k, port, true, &v));
    CHECK(v <= 0xff);
    return (uint8_t)v;
}

static void kbc_outb(struct kbc *k, uint16_t port, uint8_t val)
{
    uint32_t v = val;
    CHECK(kbc_io(k, port, false, &v));
}

TEST(kbc_idle_status)
{
    struct kbc k;
    uint32_t v = 0;
    kbc_init(&k);
    CHECK(!kbc_io(&k, 0x61, true, &v));
    CHECK(!kbc_io(&k, 0x65, true, &v));
    CHECK_EQ(kbc_inb(&k, 0x64), 0x04);          /* both buffers empty, system flag */
    CHECK_EQ(kbc_inb(&k, 0x60), 0x00);
    CHECK(!kbc_reset_requested(&k));
}

TEST(kbc_self_test_and_command_byte)
{
    struct kbc k;
    kbc_init(&k);
    kbc_outb(&k, 0x64, 0xaa);
    CHECK_EQ(kbc_inb(&k, 0x64), 0x05);          /* output buffer full */
    CHECK_EQ(kbc_inb(&k, 0x60), 0x55);
    CHECK_EQ(kbc_inb(&k, 0x64), 0x04);
    kbc_outb(&k, 0x64, 0x20);
    CHECK_EQ(kbc_inb(&k, 0x60), 0x45);
    kbc_outb(&k, 0x64, 0x60);
    kbc_outb(&k, 0x60, 0x65);
    kbc_outb(&k, 0x64, 0x20);
    CHECK_EQ(kbc_inb(&k, 0x60), 0x65);
    kbc_outb(&k, 0x60, 0x00);                   /* for the absent keyboard: dropped */
    kbc_outb(&k, 0x64, 0x20);
    CHECK_EQ(kbc_inb(&k, 0x60), 0x65);
    CHECK(!kbc_reset_requested(&k));
}

TEST(kbc_reset_line)
{
    struct kbc k;
    kbc_init(&k);
    kbc_outb(&k, 0x64, 0xff);                   /* pulses nothing */
    CHECK(!kbc_reset_requested(&k));
    kbc_outb(&k, 0x64, 0xfe);                   /* Linux's reboot=k */
    CHECK(kbc_reset_requested(&k));

    kbc_init(&k);
    kbc_outb(&k, 0x64, 0xd1);                   /* output port: A20 on, reset high */
    kbc_outb(&k, 0x60, 0xdf);
    CHECK(!kbc_reset_requested(&k));
    kbc_outb(&k, 0x64, 0xd0);
    CHECK_EQ(kbc_inb(&k, 0x60), 0xdf);
    kbc_outb(&k, 0x64, 0xd1);                   /* reset line low */
    kbc_outb(&k, 0x60, 0xde);
    CHECK(kbc_reset_requested(&k));
}

/* ---- UART ---- */

#define COM1 0x3f8

/* What the line callback saw. */
struct lines {
    unsigned n;
    unsigned len;
    char last[UART_LINE_MAX + 1];
};

static void lines_take(void *ctx, const char *line, unsigned len)
{
    struct lines *l = ctx;
    CHECK(len <= UART_LINE_MAX);
    CHECK_EQ(line[len], 0);
    l->n++;
    l->len = len;
    memcpy(l->last, line, len + 1);
}

static void uart_outb(struct uart *u, unsigned reg, uint8_t val)
{
    uint32_t v = val;
    CHECK(uart_io(u, (uint16_t)(COM1 + reg), false, 1, &v));
}

static uint8_t uart_inb(struct uart *u, unsigned reg)
{
    uint32_t v = 0xdeadbeef;
    CHECK(uart_io(u, (uint16_t)(COM1 + reg), true, 1, &v));
    CHECK(v <= 0xff);
    return (uint8_t)v;
}

static void uart_puts(struct uart *u, const char *s)
{
    while (*s)
        uart_outb(u, 0, (uint8_t)*s++);
}

TEST(uart_claims_only_its_ports)
{
    struct uart u;
    uint32_t v = 0;
    uart_init(&u, COM1, NULL, NULL);
    CHECK(!uart_io(&u, COM1 - 1, true, 1, &v));
    CHECK(!uart_io(&u, COM1 + 8, true, 1, &v));
    CHECK(!uart_io(&u, 0x2f8, false, 1, &v));
    uart_puts(&u, "no callback set\n");         /* must not crash */
}

TEST(uart_line_callback)
{
    struct uart u;
    struct lines l = { 0 };
    uart_init(&u, COM1, lines_take, &l);
    uart_puts(&u, "hi");
    CHECK_EQ(l.n, 0);
    uart_puts(&u, "\n");
    CHECK_EQ(l.n, 1);
    CHECK_STR(l.last, "hi");
    uart_puts(&u, "a\r\nb\r\n");                /* '\r' dropped */
    CHECK_EQ(l.n, 3);
    CHECK_STR(l.last, "b");
    uart_puts(&u, "\n");                        /* an empty line is still a line */
    CHECK_EQ(l.n, 4);
    CHECK_EQ(l.len, 0);
}

/* Raw mode (a terminal): every byte at once, CR and LF included, no lines; loopback still loops. */
static char raw_seen[16];
static unsigned raw_n;
static void raw_take(void *ctx, uint8_t b)
{
    CHECK_EQ(((struct lines *)ctx)->n, 0);
    if (raw_n < sizeof raw_seen)
        raw_seen[raw_n++] = (char)b;
}

TEST(uart_raw_bytes)
{
    struct uart u;
    struct lines l = { 0 };
    raw_n = 0;
    uart_init(&u, COM1, lines_take, &l);
    uart_set_raw(&u, raw_take);
    uart_puts(&u, "/ # ");
    CHECK_EQ(raw_n, 4);                         /* a prompt without a newline is out already */
    uart_puts(&u, "a\r\n");
    CHECK_EQ(raw_n, 7);
    CHECK(!memcmp(raw_seen, "/ # a\r\n", 7));
    CHECK_EQ(l.n, 0);                           /* no lines in raw mode */
    uart_outb(&u, 4, 0x10);                     /* loopback: back as input, not out */
    uart_puts(&u, "x");
    CHECK_EQ(raw_n, 7);
    CHECK_EQ(uart_inb(&u, 0), 'x');
}

TEST(uart_rx_room)
{
    struct uart u;
    uart_init(&u, COM1, NULL, NULL);
    for (unsigned i = 0; i < UART_RX_MAX; i++) {
        CHECK(uart_rx_room(&u));
        CHECK(uart_push_input(&u, (uint8_t)i));
    }
    CHECK(!uart_rx_room(&u));
    CHECK(!uart_push_input(&u, 0xff));
    CHECK_EQ(uart_inb(&u, 0), 0);
    CHECK(uart_rx_room(&u));
}

TEST(uart_long_line_and_flush)
{
    struct uart u;
    struct lines l = { 0 };
    uart_init(&u, COM1, lines_take, &l);
    for (unsigned i = 0; i < 200; i++)
        uart_outb(&u, 0, (uint8_t)('a' + i % 26));
    CHECK_EQ(l.n, 1);                           /* the full buffer went out */
    CHECK_EQ(l.len, UART_LINE_MAX);
    CHECK_EQ(l.last[0], 'a');
    uart_flush(&u);
    CHECK_EQ(l.n, 2);
    CHECK_EQ(l.len, 40);
    CHECK_EQ(l.last[0], 'a' + 160 % 26);
    uart_flush(&u);                             /* nothing left: no callback */
    CHECK_EQ(l.n, 2);
}

TEST(uart_dlab_selects_the_divisor)
{
    struct uart u;
    struct lines l = { 0 };
    uart_init(&u, COM1, lines_take, &l);
    uart_outb(&u, 3, 0x80);                     /* DLAB */
    uart_outb(&u, 0, 0x01);                     /* 115200 baud */
    uart_outb(&u, 1, 0x00);
    CHECK_EQ(uart_inb(&u, 0), 0x01);
    CHECK_EQ(uart_inb(&u, 1), 0x00);
    uart_outb(&u, 3, 0x03);                     /* 8N1, DLAB off */
    CHECK_EQ(uart_inb(&u, 3), 0x03);
    CHECK_EQ(u.dll, 0x01);
    CHECK_EQ(u.ier, 0x00);
    uart_puts(&u, "ok\n");
    CHECK_EQ(l.n, 1);
    CHECK_STR(l.last, "ok");                    /* the divisor byte 0x01 was not printed */
}

TEST(uart_linux_probe_registers)
{
    struct uart u;
    uart_init(&u, COM1, NULL, NULL);
    uart_outb(&u, 7, 0xa5);                     /* scratch */
    CHECK_EQ(uart_inb(&u, 7), 0xa5);
    uart_outb(&u, 1, 0x00);
    CHECK_EQ(uart_inb(&u, 1), 0x00);
    uart_outb(&u, 1, 0xff);                     /* IER keeps four bits */
    CHECK_EQ(uart_inb(&u, 1), 0x0f);
    uart_outb(&u, 1, 0x00);
    uart_outb(&u, 4, 0x1a);                     /* loopback, OUT2, RTS */
    CHECK_EQ(uart_inb(&u, 6) & 0xf0, 0x90);     /* DCD, CTS */
    uart_outb(&u, 4, 0x1f);
    CHECK_EQ(uart_inb(&u, 6), 0xf0);
    uart_outb(&u, 4, 0x08);
    CHECK_EQ(uart_inb(&u, 6), 0xb0);            /* a terminal attached */
    CHECK_EQ(uart_inb(&u, 2), 0x01);            /* no FIFO, no interrupt */
    uart_outb(&u, 2, 0x07);                     /* FIFOs on and reset */
    CHECK_EQ(uart_inb(&u, 2), 0xc1);            /* a 16550A */
}

TEST(uart_lsr_and_input_fifo)
{
    struct uart u;
    uart_init(&u, COM1, NULL, NULL);
    CHECK_EQ(uart_inb(&u, 5), 0x60);            /* THRE, TEMT; no data */
    CHECK_EQ(uart_inb(&u, 0), 0x00);            /* empty RBR */
    for (unsigned i = 0; i < UART_RX_MAX; i++)
        CHECK(uart_push_input(&u, (uint8_t)i));
    CHECK(!uart_push_input(&u, 0xee));          /* full */
    CHECK_EQ(uart_inb(&u, 5), 0x63);            /* DR and overrun */
    CHECK_EQ(uart_inb(&u, 5), 0x61);            /* OE clears on read */
    for (unsigned i = 0; i < UART_RX_MAX; i++)
        CHECK_EQ(uart_inb(&u, 0), i);
    CHECK_EQ(uart_inb(&u, 5), 0x60);
    CHECK(uart_push_input(&u, 'x'));            /* the ring wraps */
    CHECK_EQ(uart_inb(&u, 0), 'x');
    CHECK(uart_push_input(&u, 'y'));
    uart_outb(&u, 2, 0x03);                     /* FIFO on with RX reset drops input */
    CHECK_EQ(uart_inb(&u, 5), 0x60);
}

TEST(uart_thre_interrupt)
{
    struct uart u;
    uart_init(&u, COM1, NULL, NULL);
    CHECK(!uart_irq_pending(&u));
    uart_outb(&u, 1, 0x02);                     /* enabling it with THR empty raises it */
    CHECK(uart_irq_pending(&u));
    CHECK_EQ(uart_inb(&u, 2), 0x02);
    CHECK(!uart_irq_pending(&u));               /* reading IIR acknowledged it */
    CHECK_EQ(uart_inb(&u, 2), 0x01);
    uart_outb(&u, 0, 'x');                      /* sent at once: THR empty again */
    CHECK(uart_irq_pending(&u));
    uart_outb(&u, 1, 0x00);
    CHECK(!uart_irq_pending(&u));
    uart_outb(&u, 1, 0x02);                     /* Linux's THRE test: once more */
    CHECK_EQ(uart_inb(&u, 2), 0x02);
}

TEST(uart_rx_interrupt_has_priority)
{
    struct uart u;
    uart_init(&u, COM1, NULL, NULL);
    uart_outb(&u, 2, 0x01);                     /* FIFOs on */
    uart_outb(&u, 1, 0x01);                     /* RX data interrupt only */
    CHECK(!uart_irq_pending(&u));
    CHECK(uart_push_input(&u, 'k'));
    CHECK(uart_irq_pending(&u));
    uart_outb(&u, 1, 0x03);
    CHECK_EQ(uart_inb(&u, 2), 0xc4);            /* RX first... */
    CHECK_EQ(uart_inb(&u, 0), 'k');
    CHECK_EQ(uart_inb(&u, 2), 0xc2);            /* ...then THR empty */
    CHECK_EQ(uart_inb(&u, 2), 0xc1);
    CHECK(!uart_irq_pending(&u));
}

TEST(uart_loopback_returns_output)
{
    struct uart u;
    struct lines l = { 0 };
    uart_init(&u, COM1, lines_take, &l);
    uart_outb(&u, 4, 0x10);
    uart_puts(&u, "z\n");
    CHECK_EQ(l.n, 0);                           /* nothing reached the console */
    CHECK_EQ(uart_inb(&u, 5) & 0x01, 0x01);
    CHECK_EQ(uart_inb(&u, 0), 'z');
    CHECK_EQ(uart_inb(&u, 0), '\n');
    uart_outb(&u, 4, 0x00);
    uart_puts(&u, "z\n");
    CHECK_EQ(l.n, 1);
}

TEST(uart_wide_access)
{
    struct uart u;
    uint32_t v = 0;
    uart_init(&u, COM1, NULL, NULL);
    CHECK(uart_io(&u, COM1 + 5, true, 2, &v));  /* LSR and MSR in one word */
    CHECK_EQ(v, 0xb060);
    v = 0x0b03;                                 /* LCR = 0x03, MCR = 0x0b in one word */
    CHECK(uart_io(&u, COM1 + 3, false, 2, &v));
    CHECK_EQ(u.lcr, 0x03);
    CHECK_EQ(u.mcr, 0x0b);
    uart_outb(&u, 7, 0x5c);
    CHECK(uart_io(&u, COM1 + 4, true, 4, &v));  /* MCR, LSR, MSR, SCR */
    CHECK_EQ(v, 0x5cb0600b);
    CHECK(uart_io(&u, COM1 + 6, true, 4, &v));  /* past base+7 reads 0xff */
    CHECK_EQ(v, 0xffff5cb0);
}

int main(void)
{
    return unit_run();
}
