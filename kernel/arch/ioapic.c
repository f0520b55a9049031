// SPDX-License-Identifier: MIT
/* arch/ioapic.c — the first I/O APIC: its redirection table, one entry per pin (GSI). */
#include "ioapic.h"
#include "acpi.h"
#include "memlayout.h"

#define IOAPIC_DEFAULT 0xfec00000UL    /* where PC chipsets (QEMU's pc and q35 too) put it */
#define REG_VERSION    0x01            /* [23:16] the highest redirection entry */
#define REG_REDIR      0x10            /* entry i: registers 0x10 + 2i (low), 0x11 + 2i (high) */
#define REDIR_LOW_ACTIVE_LOW (1u << 13)
#define REDIR_LOW_LEVEL      (1u << 15)
#define REDIR_LOW_MASKED     (1u << 16)

static volatile uint32_t *base;        /* IOREGSEL at +0, IOWIN at +0x10 */
static unsigned pins;

static uint32_t reg_read(uint8_t r)
{
    base[0] = r;
    return base[4];
}

static void reg_write(uint8_t r, uint32_t v)
{
    base[0] = r;
    base[4] = v;
}

void ioapic_init(const struct boot_info *bi)
{
    uint64_t addr = IOAPIC_DEFAULT;
    uint32_t gsi_base = 0;
    if (!acpi_ioapic(bi, &addr, &gsi_base))
        kprintf("[ioapic] no MADT entry: assuming %#lx\n", addr);
    if (gsi_base != 0 || addr >= DIRECT_MAP_SIZE) {
        kprintf("[ioapic] at %#lx with GSI base %u: not used\n", addr, gsi_base);
        return;
    }
    base = phys_to_virt(addr);
    uint32_t version = reg_read(REG_VERSION);
    if (version == 0xffffffff) {                     /* nothing answers there */
        kprintf("[ioapic] none at %#lx\n", addr);
        base = NULL;
        return;
    }
    pins = MIN(((version >> 16) & 0xff) + 1, GSI_MAX);
    for (unsigned i = 0; i < pins; i++)
        reg_write((uint8_t)(REG_REDIR + 2 * i), REDIR_LOW_MASKED);
    kprintf("[ioapic] at %#lx: GSIs 0..%u, all masked\n", addr, pins - 1);
}

unsigned ioapic_pins(void)
{
    return pins;
}

void ioapic_route(unsigned gsi, uint8_t vector, uint8_t apic_id, bool level, bool active_low)
{
    uint32_t low = vector | REDIR_LOW_MASKED;        /* fixed delivery, physical destination */
    if (level)
        low |= REDIR_LOW_LEVEL;
    if (active_low)
        low |= REDIR_LOW_ACTIVE_LOW;
    reg_write((uint8_t)(REG_REDIR + 2 * gsi), REDIR_LOW_MASKED);
    reg_write((uint8_t)(REG_REDIR + 2 * gsi + 1), (uint32_t)apic_id << 24);
    reg_write((uint8_t)(REG_REDIR + 2 * gsi), low);
}

void ioapic_mask(unsigned gsi, bool masked)
{
    uint8_t r = (uint8_t)(REG_REDIR + 2 * gsi);
    uint32_t low = reg_read(r);
    reg_write(r, masked ? low | REDIR_LOW_MASKED : low & ~REDIR_LOW_MASKED);
}
