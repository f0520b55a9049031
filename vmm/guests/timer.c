// SPDX-License-Identifier: MIT
/* guests/timer.c — PIT ticks through the 8259: 20 while halted, 20 while spinning, then the RTC's time. */
#include "lib/guest.h"

#define PIC1_CMD    0x20
#define PIC1_DATA   0x21
#define PIC2_CMD    0xa0
#define PIC2_DATA   0xa1
#define PIC_EOI     0x20        /* OCW2: non-specific end of interrupt */
#define VEC_IRQ0    0x20        /* the master's base after the remap */
#define VEC_IRQ7    0x27        /* where a spurious master interrupt lands */

#define PIT_CH0     0x40
#define PIT_MODE    0x43
#define PIT_DIVISOR 11932       /* 1193182 Hz / 11932 = 99.998 Hz */

#define CMOS_INDEX  0x70
#define CMOS_DATA   0x71

#define PHASE1      20          /* ticks taken while halted */
#define PHASE2      40          /* total ticks after the spinning phase */

static volatile uint64_t ticks;

static void tick(struct isr_frame *f)
{
    (void)f;
    ticks++;
    outb(PIC1_CMD, PIC_EOI);
}

/* A spurious IRQ7 is not in the ISR, so it gets no EOI (8259A datasheet); it is only ignored. */
static void spurious(struct isr_frame *f)
{
    (void)f;
}

/* ICW1-4 for the master/slave pair at 0x20/0x28, then only IRQ0 unmasked. */
static void pic_init(void)
{
    outb(PIC1_CMD, 0x11);       /* ICW1: edge triggered, cascade, ICW4 follows */
    outb(PIC2_CMD, 0x11);
    outb(PIC1_DATA, VEC_IRQ0);  /* ICW2: vector base */
    outb(PIC2_DATA, VEC_IRQ0 + 8);
    outb(PIC1_DATA, 0x04);      /* ICW3: the slave hangs on the master's IRQ2 */
    outb(PIC2_DATA, 0x02);      /* ... and knows it is number 2 */
    outb(PIC1_DATA, 0x01);      /* ICW4: 8086 mode, normal EOI */
    outb(PIC2_DATA, 0x01);
    outb(PIC1_DATA, 0xfe);      /* OCW1: IRQ0 only */
    outb(PIC2_DATA, 0xff);
}

/* Channel 0, lobyte/hibyte, mode 2 (rate generator), binary: one IRQ0 per PIT_DIVISOR input clocks. */
static void pit_init(void)
{
    outb(PIT_MODE, 0x34);
    outb(PIT_CH0, PIT_DIVISOR & 0xff);
    outb(PIT_CH0, PIT_DIVISOR >> 8);
}

static uint8_t cmos_read(uint8_t reg)
{
    outb(CMOS_INDEX, reg);
    return inb(CMOS_DATA);
}

/* BCD to binary; 0xff for a byte that is not BCD, which every range check then rejects. */
static uint8_t from_bcd(uint8_t v)
{
    if ((v & 0xf) > 9 || (v >> 4) > 9)
        return 0xff;
    return (uint8_t)((v >> 4) * 10 + (v & 0xf));
}

/* Reads seconds, minutes and hours and checks their ranges in the format status B names. */
static int rtc_valid(void)
{
    /* Status A bit 7: an update is under way and the time registers may be in flux. */
    for (int i = 0; i < 100000 && (cmos_read(0x0a) & 0x80); i++)
        pause();
    uint8_t sec = cmos_read(0x00), min = cmos_read(0x02), hour = cmos_read(0x04);
    uint8_t b = cmos_read(0x0b);
    int binary = b & 0x04, h24 = b & 0x02;

    hour &= 0x7f;               /* bit 7: PM in 12-hour mode */
    if (!binary) {
        sec = from_bcd(sec);
        min = from_bcd(min);
        hour = from_bcd(hour);
    }
    if (sec > 59 || min > 59)
        return 0;
    return h24 ? hour <= 23 : hour >= 1 && hour <= 12;
}

uint64_t guest_main(uint64_t ram_size)
{
    (void)ram_size;
    idt_set(VEC_IRQ0, tick);
    idt_set(VEC_IRQ7, spurious);
    idt_load();
    pic_init();
    pit_init();

    /* Phase 1: each sti; hlt sleeps until the next tick; IF is clear whenever ticks is tested. */
    uint64_t t0 = rdtsc();
    while (ticks < PHASE1)
        __asm__ volatile("sti; hlt; cli" ::: "memory");
    uint64_t span = rdtsc() - t0;
    /* Expected: phase 1: 20 ticks with hlt (the constant PHASE1, reached). */
    printf("phase 1: %u ticks with hlt\n", PHASE1);

    /*
     * Phase 2: IF set, no hlt, no exit in the loop: the ticks only arrive if the
     * VMM interrupts the running vCPU. The time limit, 20 times what phase 1's
     * 20 ticks took, is read rarely so a VMM with RDTSC exiting gets few exits.
     */
    uint64_t limit = span ? span * 20 : UINT64_MAX, t1 = rdtsc();
    sti();
    for (uint64_t spin = 1; ticks < PHASE2; spin++) {
        pause();
        if (!(spin & 0xffff) && rdtsc() - t1 > limit)
            break;
    }
    cli();
    if (ticks < PHASE2) {
        /* A failure line: the tick count only helps the reader. */
        printf("phase 2: timed out after %lu ticks\n", ticks);
        outb(PIC1_DATA, 0xff);
        return 2;
    }
    /* Expected: phase 2: 40 ticks without hlt (the constant PHASE2, reached). */
    printf("phase 2: %u ticks without hlt\n", PHASE2);

    int ok = rtc_valid();
    /* Expected: rtc: valid (seconds and minutes 0-59, hours 0-23 or 1-12). */
    puts(ok ? "rtc: valid" : "rtc: invalid");

    outb(PIC1_DATA, 0xff);      /* IRQ0 masked: no tick after the guest is done */
    return ok ? 0 : 3;
}
