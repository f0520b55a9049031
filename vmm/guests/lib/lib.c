// SPDX-License-Identifier: MIT
/* guests/lib/lib.c — the guests' console, printf subset, power-off, the mem* GCC needs, a device mapping, the IDT. */
#include "guest.h"
#include <lib/format.h>

/* Polls THRE although the VMM keeps it set: the same code then works on a real 16550. */
void putc(char c)
{
    while (!(inb(COM1_LSR) & LSR_THRE))
        pause();
    outb(COM1, (uint8_t)c);
}

void puts(const char *s)
{
    while (*s)
        putc(*s++);
    putc('\n');
}

/* Writes v in base 10 or 16, right-aligned in width with pad ('0' goes after a '-'). */
/* The kit's one formatter (kernel/lib/format.c, compiled into every guest too), then the UART. */
int vprintf(const char *fmt, va_list ap)
{
    char buf[256];
    int n = fmt_vsnprintf(buf, sizeof buf, fmt, ap);
    for (int i = 0; i < n && i < (int)sizeof buf - 1; i++)
        putc(buf[i]);
    return n;
}

int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

/* The VMM ends the VM at the outl; the loop only runs if it did not. */
int hypercall_amd = -1;

/* "AuthenticAMD" or Hygon's "HygonGenuine": SVM's hypercall. */
int vendor_amd(void)
{
    struct cpuid_regs r = cpuid(0, 0);
    return (r.b == 0x68747541 && r.d == 0x69746e65 && r.c == 0x444d4163) ||
           (r.b == 0x6f677948 && r.d == 0x6e65476e && r.c == 0x656e6975);
}

void poweroff(uint32_t status)
{
    outl(PORT_POWEROFF, status);
    for (;;)
        __asm__ volatile("cli; hlt");
}

void *memset(void *d, int c, size_t n)
{
    unsigned char *p = d;
    while (n--)
        *p++ = (unsigned char)c;
    return d;
}

void *memcpy(void *restrict d, const void *restrict s, size_t n)
{
    unsigned char *p = d;
    const unsigned char *q = s;
    while (n--)
        *p++ = *q++;
    return d;
}

void *memmove(void *d, const void *s, size_t n)
{
    unsigned char *p = d;
    const unsigned char *q = s;
    if (p < q)
        while (n--)
            *p++ = *q++;
    else
        while (n--)
            p[n] = q[n];
    return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *p = a, *q = b;
    for (; n; n--, p++, q++)
        if (*p != *q)
            return *p - *q;
    return 0;
}

/* ------------------------------------------------------------------ device mappings */

#define PTE_P       0x001
#define PTE_W       0x002
#define PTE_PWT     0x008
#define PTE_PCD     0x010       /* with PWT: uncached under the default PAT */
#define PTE_PS      0x080       /* a 2 MiB page in a PD */
#define PTE_ADDR    0x000ffffffffff000ul

/*
 * The VMM's tables (CR3 = 0x1000) map GiB 0 and must stay as they are. The
 * first map_device switches to a copy of the top two levels that adds one PD
 * of the guest's own for the device's GiB:
 *
 *   pml4[0] -> pdpt[0] -> the VMM's PD (GiB 0, 2 MiB pages, as before)
 *              pdpt[g] -> pd_dev[slot] = the device's 2 MiB page, PCD|PWT
 */
static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd_dev[512] __attribute__((aligned(4096)));
static uint64_t pd_dev_gib;     /* the GiB pd_dev covers, + 1 (0: none yet) */

/* Maps the 2 MiB page holding pa into pd_dev, switching to the guest's own top levels on first use. */
int map_device(uint64_t pa)
{
    uint64_t gib = pa >> 30;

    if (pa >> 39)
        return -1;              /* beyond pml4[0]'s 512 GiB */
    if (pd_dev_gib && pd_dev_gib != gib + 1)
        return -1;              /* one device GiB is all the guests need */
    if (!pd_dev_gib) {
        const uint64_t *vmm_pml4 = (const uint64_t *)(read_cr3() & PTE_ADDR);
        const uint64_t *vmm_pdpt = (const uint64_t *)(vmm_pml4[0] & PTE_ADDR);
        if (vmm_pdpt[gib] & PTE_P)
            return -1;          /* RAM's GiB: it would need the VMM's PD split */
        memcpy(pml4, vmm_pml4, sizeof pml4);
        memcpy(pdpt, vmm_pdpt, sizeof pdpt);
        pdpt[gib] = (uint64_t)pd_dev | PTE_P | PTE_W;
        pml4[0] = (uint64_t)pdpt | PTE_P | PTE_W;
        pd_dev_gib = gib + 1;
    }
    pd_dev[(pa >> 21) & 511] = (pa & ~0x1ffffful) | PTE_P | PTE_W | PTE_PS | PTE_PCD | PTE_PWT;
    write_cr3((uint64_t)pml4);  /* also flushes the TLB: nothing stale survives */
    return 0;
}

/* ------------------------------------------------------------------ the IDT */

/* A 64-bit interrupt gate (Intel SDM vol. 3, 6.14.1). */
struct idt_gate {
    uint16_t off_lo;    /* 0x0 */
    uint16_t sel;       /* 0x2 */
    uint8_t ist;        /* 0x4 */
    uint8_t type;       /* 0x5: P | DPL | type */
    uint16_t off_mid;   /* 0x6 */
    uint32_t off_hi;    /* 0x8 */
    uint32_t zero;      /* 0xc */
};
_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate is 16 bytes");

#define GATE_INTR       0x8e    /* present, DPL 0, 64-bit interrupt gate: IF cleared on entry */

/* isr.S pushes 9 registers, then the stub's vector and err, below the CPU's 5 words: */
_Static_assert(offsetof(struct isr_frame, vector) == 9 * 8, "isr.S pushes 9 registers");
_Static_assert(offsetof(struct isr_frame, rip) == 11 * 8, "isr.S skips vector and err (16 bytes)");
/* 16 words: the CPU aligned rsp to 16 before its push, so the call in isr_common is aligned too. */
_Static_assert(sizeof(struct isr_frame) == 16 * 8, "rsp stays 16-byte aligned at the call");

extern const uint64_t isr_stubs[ISR_VECTORS];   /* isr.S */

static struct idt_gate idt[ISR_VECTORS];
static isr_fn handlers[ISR_VECTORS];

/* Records the handler; the gate itself points at the vector's stub (idt_load writes it). */
int idt_set(unsigned vector, isr_fn handler)
{
    if (vector >= ISR_VECTORS)
        return -1;
    handlers[vector] = handler;
    return 0;
}

/* Points every gate at its stub and loads IDTR; vectors beyond the limit raise #GP (13). */
void idt_load(void)
{
    struct __attribute__((packed)) {
        uint16_t limit;
        uint64_t base;
    } idtr = { sizeof idt - 1, (uint64_t)idt };

    for (unsigned v = 0; v < ISR_VECTORS; v++) {
        uint64_t a = isr_stubs[v];
        idt[v] = (struct idt_gate){
            .off_lo = (uint16_t)a, .sel = SEL_CODE, .type = GATE_INTR,
            .off_mid = (uint16_t)(a >> 16), .off_hi = (uint32_t)(a >> 32),
        };
    }
    __asm__ volatile("lidt %0" :: "m"(idtr) : "memory");
}

/* A vector nobody asked for ends the guest with a line saying which, and status EXIT_TRAP + vector. */
void isr_dispatch(struct isr_frame *f)
{
    isr_fn h = handlers[f->vector];

    if (h) {
        h(f);
        return;
    }
    printf("unexpected vector %lu err 0x%lx rip 0x%lx\n", f->vector, f->err, f->rip);
    poweroff(EXIT_TRAP + (uint32_t)f->vector);
}
