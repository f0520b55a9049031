/* SPDX-License-Identifier: MIT */
/* guests/lib/guest.h — the test guests' runtime: port I/O, console, power-off, CPUID, VMCALL, MMIO, an IDT. */
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Ports and addresses of the environment the VMM builds (README.md, "The contract"). */
#define COM1            0x3f8        /* THR on write; LSR at +5 */
#define COM1_LSR        (COM1 + 5)
#define LSR_THRE        0x20         /* the VMM keeps it set */
#define PORT_POWEROFF   0xf4         /* outl status: the VM ends */
#define MMIO_DEV        0xfeb00000ul /* the test device's page */
#define RAM_LAZY_START  0x200000ul   /* RAM below is there from the start, above on first touch */
#define SEL_CODE        0x10         /* the VMM's GDT: 64-bit code, DPL 0 */

/* The VMCALL functions (rax); arguments in rbx. */
#define HC_PING         1            /* rax = rbx + 1 */
#define HC_CLOBBER_FPU  2            /* the VMM loads other values into its own FPU/SSE registers */

/* The status a guest powers off with when a vector without a handler arrives. */
#define EXIT_TRAP       0x100        /* + vector */

/* What the guest does; its return value is the power-off status (0 = success). */
uint64_t guest_main(uint64_t ram_size);

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(port)); }

static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline uint32_t inl(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

/*
 * MMIO: the VMM decodes the faulting instruction and knows only
 * mov r32,[reg] / mov [reg],r32 / mov [reg],imm32 with a plain base register.
 * The asm pins the encodings (8b 02, 89 02, c7 02 imm32: base rdx, value eax,
 * no prefix, displacement or SIB) instead of hoping -O2 picks them.
 */
static inline uint32_t mmio_read32(uint64_t addr)
{
    uint32_t v;
    __asm__ volatile("movl (%1), %0" : "=a"(v) : "d"(addr) : "memory");
    return v;
}

static inline void mmio_write32(uint64_t addr, uint32_t v)
{
    __asm__ volatile("movl %0, (%1)" :: "a"(v), "d"(addr) : "memory");
}

/* The mov [reg], imm32 form: v must be a compile-time constant. */
#define mmio_write32_imm(addr, v) \
    __asm__ volatile("movl %0, (%1)" :: "i"((uint32_t)(v)), "d"((uint64_t)(addr)) : "memory")

struct cpuid_regs {
    uint32_t a, b, c, d;
};

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
    struct cpuid_regs r;
    __asm__ volatile("cpuid" : "=a"(r.a), "=b"(r.b), "=c"(r.c), "=d"(r.d) : "a"(leaf), "c"(subleaf));
    return r;
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

/*
 * One hypercall: function fn in rax, argument in rbx; the VMM's answer comes
 * back in rax. Intel's VMX has VMCALL, AMD's SVM VMMCALL, and the other is
 * #UD: the CPU's vendor (CPUID 0, asked once) says which.
 */
extern int hypercall_amd;       /* lib.c: -1 until asked, then 0 or 1 */
int vendor_amd(void);

static inline uint64_t vmcall(uint64_t fn, uint64_t arg)
{
    uint64_t ret;
    if (hypercall_amd < 0)
        hypercall_amd = vendor_amd();
    if (hypercall_amd)
        __asm__ volatile("vmmcall" : "=a"(ret) : "a"(fn), "b"(arg) : "memory");
    else
        __asm__ volatile("vmcall" : "=a"(ret) : "a"(fn), "b"(arg) : "memory");
    return ret;
}

static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void pause(void) { __asm__ volatile("pause" ::: "memory"); }

static inline uint64_t read_cr3(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}

static inline void write_cr3(uint64_t v) { __asm__ volatile("mov %0, %%cr3" :: "r"(v) : "memory"); }

static inline uint64_t rol64(uint64_t v, unsigned n) { return v << n | v >> (64 - n); }

/* lib.c: the console (COM1) and power-off. */
void putc(char c);
void puts(const char *s);    /* s and a newline */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
__attribute__((noreturn)) void poweroff(uint32_t status);

/* lib.c: identity-maps the 2 MiB page holding pa, uncached (the VMM's tables stop at 1 GiB); 0 or -1. */
int map_device(uint64_t pa);

/* lib.c: what GCC may call even in freestanding code (-O2 turns loops into them). */
void *memset(void *d, int c, size_t n);
void *memcpy(void *restrict d, const void *restrict s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/*
 * The stack an interrupt handler sees (isr.S builds it; lowest address first):
 *
 *   r11 r10 r9 r8 rdi rsi rdx rcx rax   pushed by isr_common (caller-saved only)
 *   vector err                          pushed by the stub (err: 0 if the CPU gave none)
 *   rip cs rflags rsp ss                pushed by the CPU
 */
struct isr_frame {
    uint64_t r11, r10, r9, r8, rdi, rsi, rdx, rcx, rax;   /* 0x00 */
    uint64_t vector, err;                                  /* 0x48 */
    uint64_t rip, cs, rflags, rsp, ss;                     /* 0x58 */
};

typedef void (*isr_fn)(struct isr_frame *f);

/* Vectors with a stub: the 32 exceptions and the 16 PIC lines remapped to 0x20..0x2f. */
#define ISR_VECTORS     48

int idt_set(unsigned vector, isr_fn handler);    /* 0, or -1 for a vector without a stub */
void idt_load(void);
void isr_dispatch(struct isr_frame *f);           /* called by isr.S only */
