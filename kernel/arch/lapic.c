// SPDX-License-Identifier: MIT
/* arch/lapic.c — xAPIC registers through the (uncached) direct map, PIT-based calibration. */
#include "lapic.h"
#include "memlayout.h"
#include "x86.h"

#define LAPIC_PHYS   0xfee00000UL
#define REG_ID       0x020
#define REG_EOI      0x0b0
#define REG_SVR      0x0f0
#define REG_ICR_LO   0x300
#define REG_ICR_HI   0x310
#define REG_LVT_TMR  0x320
#define REG_TMR_INIT 0x380
#define REG_TMR_CUR  0x390
#define REG_TMR_DIV  0x3e0

uint32_t tsc_khz, lapic_khz;

static volatile uint32_t *reg(unsigned off)
{
    return (volatile uint32_t *)phys_to_virt(LAPIC_PHYS + off);
}

uint8_t lapic_id(void)
{
    return (uint8_t)(*reg(REG_ID) >> 24);
}

void lapic_eoi(void)
{
    *reg(REG_EOI) = 0;
}

static void icr_send(uint8_t apic_id, uint32_t lo)
{
    *reg(REG_ICR_HI) = (uint32_t)apic_id << 24;
    *reg(REG_ICR_LO) = lo;
    for (int i = 0; i < 1000000 && (*reg(REG_ICR_LO) & (1u << 12)); i++)
        cpu_relax();
}

void lapic_ipi(uint8_t apic_id, uint8_t vector)
{
    icr_send(apic_id, vector);                 /* fixed, physical destination */
}

/* INIT, then two STARTUPs at page `page` (the SDM's sequence). */
void lapic_init_sipi(uint8_t apic_id, uint8_t page)
{
    icr_send(apic_id, 0x4500);
    delay_us(10000);
    icr_send(apic_id, 0x4600 | page);
    delay_us(200);
    icr_send(apic_id, 0x4600 | page);
}

void delay_us(uint64_t us)
{
    uint64_t end = rdtsc() + us * tsc_khz / 1000;
    while (rdtsc() < end)
        cpu_relax();
}

/* Measure TSC and LAPIC timer rates over 10 ms of PIT channel 2. */
void lapic_calibrate(void)
{
    /* The legacy PICs would deliver IRQ0 as vector 8 (#DF's): mask both for good. */
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
    *reg(REG_TMR_DIV) = 0xb;                       /* divide by 1 */
    *reg(REG_LVT_TMR) = 1u << 16;                  /* masked */

    const uint16_t pit_count = 11932;              /* 10 ms at 1.193182 MHz */
    outb(0x61, (inb(0x61) & ~0x02) | 0x01);        /* gate on, speaker off */
    outb(0x43, 0xb0);                              /* channel 2, lo/hi, mode 0 */
    outb(0x42, pit_count & 0xff);
    outb(0x42, pit_count >> 8);
    uint8_t g = inb(0x61);
    outb(0x61, g & ~0x01);                         /* restart the count */
    outb(0x61, g | 0x01);
    *reg(REG_TMR_INIT) = 0xffffffff;
    uint64_t t0 = rdtsc();
    while (!(inb(0x61) & 0x20))
        ;
    uint64_t t1 = rdtsc();
    uint32_t lapic_ticks = 0xffffffff - *reg(REG_TMR_CUR);
    *reg(REG_TMR_INIT) = 0;
    tsc_khz = (uint32_t)((t1 - t0) / 10);
    lapic_khz = lapic_ticks / 10;
    if (!tsc_khz || !lapic_khz)
        panic("[apic] calibration failed (tsc %lu ticks, lapic %u ticks in 10 ms)", t1 - t0, lapic_ticks);
}

/* Enable this CPU's LAPIC and start the periodic scheduler tick. */
void lapic_init(void)
{
    uint64_t base = rdmsr(MSR_APIC_BASE);
    wrmsr(MSR_APIC_BASE, base | (1UL << 11));
    *reg(REG_SVR) = 0x100 | 0xff;                  /* enabled, spurious vector 0xff */
    *reg(REG_TMR_DIV) = 0xb;
    *reg(REG_LVT_TMR) = (1u << 17) | 0xf0;         /* periodic, VEC_TIMER */
    *reg(REG_TMR_INIT) = lapic_khz * 1000 / TICK_HZ;
}
