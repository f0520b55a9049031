// SPDX-License-Identifier: MIT
/* arch/acpi.c — the RSDP (the loader's, or found in the BIOS areas), through it the MADT: the CPUs and the first I/O APIC. */
#include "acpi.h"
#include "memlayout.h"

struct sdt_header {
    char     sig[4];
    uint32_t length;
    uint8_t  rev, checksum;
    char     oem[6], oem_table[8];
    uint32_t oem_rev, creator, creator_rev;
} __attribute__((packed));

static bool checksum_ok(const void *p, uint32_t len)
{
    const uint8_t *b = p;
    uint8_t s = 0;
    for (uint32_t i = 0; i < len; i++)
        s = (uint8_t)(s + b[i]);
    return s == 0;
}

#define RSDP_V1_LEN 20
#define RSDP_V2_LEN 36

/* An RSDP at p (avail bytes readable): signature, checksum, and from revision 2 its length and extended checksum. */
static bool rsdp_valid(const uint8_t *p, size_t avail)
{
    if (avail < RSDP_V1_LEN || memcmp(p, "RSD PTR ", 8) || !checksum_ok(p, RSDP_V1_LEN))
        return false;
    if (p[15] < 2)
        return true;
    uint32_t len;
    memcpy(&len, p + 20, 4);
    return len >= RSDP_V2_LEN && len <= avail && checksum_ok(p, len);
}

/* The first valid RSDP in [from, to) of the window low[0, size), on 16-byte boundaries; 0: none. */
static uint64_t rsdp_search(const uint8_t *low, size_t size, uint64_t from, uint64_t to)
{
    to = MIN(to, size);
    for (uint64_t pa = ALIGN_UP(from, 16); pa < to; pa += 16)
        if (rsdp_valid(low + pa, to - pa))
            return pa;
    return 0;
}

uint64_t acpi_rsdp_scan(const void *low, size_t size, uint8_t rsdp[36])
{
    const uint8_t *mem = low;
    uint64_t pa = 0;
    if (size >= 0x410) {
        uint16_t seg;
        memcpy(&seg, mem + 0x40e, 2);
        uint64_t ebda = (uint64_t)seg << 4;
        if (ebda >= 0x500)                    /* a segment into the BIOS data area is no EBDA */
            pa = rsdp_search(mem, size, ebda, ebda + 1024);
    }
    if (!pa)
        pa = rsdp_search(mem, size, 0xe0000, 0x100000);
    if (!pa)
        return 0;
    unsigned n = mem[pa + 15] >= 2 ? RSDP_V2_LEN : RSDP_V1_LEN;
    for (unsigned i = 0; i < RSDP_V2_LEN; i++)
        rsdp[i] = i < n ? mem[pa + i] : 0;
    return pa;
}

/* A table at a physical address, if it is inside the direct map and its checksum holds. */
static const struct sdt_header *table_at(uint64_t pa)
{
    if (!pa || pa + sizeof(struct sdt_header) > DIRECT_MAP_SIZE)
        return NULL;
    const struct sdt_header *h = phys_to_virt(pa);
    if (h->length < sizeof *h || pa + h->length > DIRECT_MAP_SIZE || !checksum_ok(h, h->length))
        return NULL;
    return h;
}

/* The MADT, through the RSDP's XSDT (ACPI 2+) or RSDT, or NULL. */
static const struct sdt_header *find_madt(const struct boot_info *bi)
{
    const uint8_t *rsdp = bi->rsdp;
    uint32_t rsdt = *(const uint32_t *)(rsdp + 16);
    uint64_t xsdt = rsdp[15] >= 2 ? *(const uint64_t *)(rsdp + 24) : 0;
    const struct sdt_header *root = table_at(xsdt ? xsdt : rsdt);
    if (!root)
        return NULL;
    unsigned esz = xsdt ? 8 : 4;
    unsigned n = (root->length - sizeof *root) / esz;
    const uint8_t *entries = (const uint8_t *)(root + 1);
    for (unsigned i = 0; i < n; i++) {
        uint64_t pa = esz == 8 ? *(const uint64_t *)(entries + i * 8) : *(const uint32_t *)(entries + i * 4);
        const struct sdt_header *t = table_at(pa);
        if (t && !memcmp(t->sig, "APIC", 4))
            return t;
    }
    return NULL;
}

/* The MADT's interrupt controller structures, [*p, *end), after its LAPIC address and flags; false: no MADT. */
static bool madt_entries(const struct boot_info *bi, const uint8_t **p, const uint8_t **end)
{
    const struct sdt_header *madt = bi->has_rsdp ? find_madt(bi) : NULL;
    if (!madt)
        return false;
    *p = (const uint8_t *)madt + sizeof *madt + 8;
    *end = (const uint8_t *)madt + madt->length;
    return true;
}

/* The next structure from p (type p[0], length p[1]) that lies wholly before end, or NULL. */
static const uint8_t *madt_next(const uint8_t *p, const uint8_t *end, bool first)
{
    if (!first)
        p += p[1];
    return p + 2 <= end && p[1] >= 2 && p + p[1] <= end ? p : NULL;
}

unsigned acpi_cpu_ids(const struct boot_info *bi, uint8_t *ids, unsigned max)
{
    const uint8_t *p, *end;
    unsigned n = 0;
    if (!madt_entries(bi, &p, &end))
        return 0;
    for (p = madt_next(p, end, true); p; p = madt_next(p, end, false))
        if (p[0] == 0 && p[1] >= 8 && (p[4] & 1) && n < max)      /* processor local APIC, enabled */
            ids[n++] = p[3];
    return n;
}

bool acpi_ioapic(const struct boot_info *bi, uint64_t *addr, uint32_t *gsi_base)
{
    const uint8_t *p, *end;
    if (!madt_entries(bi, &p, &end))
        return false;
    for (p = madt_next(p, end, true); p; p = madt_next(p, end, false))
        if (p[0] == 1 && p[1] >= 12) {                            /* I/O APIC: id, 0, address, GSI base */
            uint32_t a, g;
            memcpy(&a, p + 4, 4);
            memcpy(&g, p + 8, 4);
            *addr = a;
            *gsi_base = g;
            return true;
        }
    return false;
}
