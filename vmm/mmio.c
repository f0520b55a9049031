// SPDX-License-Identifier: MIT
/* vmm/mmio.c — the test device at GUEST_MMIO, reached by decoding the guest's faulting instruction. */
#include <string.h>
#include "vmm.h"

/*
 * An EPT violation on the device page says only "this address, read or
 * write". What to read or write, and how long the instruction was, the VMM
 * learns from the instruction itself: fetched from guest memory through the
 * guest's page tables, decoded here. Understood: MOV between a register and
 * memory (88/89/8A/8B, with 66 and REX prefixes) and MOV of an immediate to
 * memory (C6/C7), any ModRM/SIB/displacement form.
 */
struct mov {
    unsigned len;        /* instruction bytes */
    unsigned size;       /* operand bytes: 1, 2, 4 or 8 */
    bool write;          /* to memory */
    int reg;             /* the register operand (UTCB order: rax rcx rdx rbx rsp rbp rsi rdi r8..), -1: immediate */
    uint64_t imm;
};

/* Decode b[0..n); false if it is not a MOV this decoder knows. */
static bool mov_decode(const uint8_t *b, unsigned n, struct mov *m)
{
    unsigned i = 0, rex = 0;
    bool opsize = false;
    for (; i < n && (b[i] == 0x66 || (b[i] & 0xf0) == 0x40); i++) {
        if (b[i] == 0x66)
            opsize = true;
        else
            rex = b[i];                          /* REX must come last: a later prefix would end the loop anyway */
    }
    if (i + 2 > n)
        return false;
    uint8_t op = b[i++], modrm = b[i++];
    unsigned mod = modrm >> 6, rm = modrm & 7, size = (rex & 8) ? 8 : opsize ? 2 : 4;
    if (mod == 3)
        return false;                            /* register to register: never a memory exit */
    if (rm == 4 && mod != 3) {                   /* a SIB byte; base 5 with mod 0 means disp32 */
        if (i >= n)
            return false;
        if (mod == 0 && (b[i] & 7) == 5)
            i += 4;
        i++;
    } else if (mod == 0 && rm == 5) {
        i += 4;                                  /* rip-relative disp32 */
    }
    i += mod == 1 ? 1 : mod == 2 ? 4 : 0;
    m->reg = (int)(((modrm >> 3) & 7) | ((rex & 4) ? 8 : 0));
    switch (op) {
    case 0x88: m->write = true;  m->size = 1; break;
    case 0x89: m->write = true;  m->size = size; break;
    case 0x8a: m->write = false; m->size = 1; break;
    case 0x8b: m->write = false; m->size = size; break;
    case 0xc6:
    case 0xc7: {
        if ((modrm >> 3) & 7)
            return false;                        /* only /0 is MOV */
        unsigned isz = op == 0xc6 ? 1 : size == 2 ? 2 : 4;
        if (i + isz > n)
            return false;
        m->imm = 0;
        memcpy(&m->imm, b + i, isz);
        if (isz == 4 && size == 8)
            m->imm = (uint64_t)(int64_t)(int32_t)m->imm;   /* sign-extended to 64 bits */
        i += isz;
        m->write = true;
        m->size = op == 0xc6 ? 1 : size;
        m->reg = -1;
        break;
    }
    default:
        return false;
    }
    if (i > n)
        return false;
    m->len = i;
    return true;
}

/* The device's registers: 0 a counter (read: value, then +1), 4 scratch, 8 scratch * 3 + 1. */
static uint32_t device_read(struct vm *vm, uint64_t offset)
{
    switch (offset) {
    case 0:  return vm->mmio_counter++;
    case 4:  return vm->mmio_scratch;
    case 8:  return vm->mmio_scratch * 3 + 1;
    default: return 0xffffffff;
    }
}

static void device_write(struct vm *vm, uint64_t offset, uint32_t value)
{
    if (offset == 4)
        vm->mmio_scratch = value;
}

/* Emulate the guest's access to the device: decode, read or write, step past it. */
bool mmio_access(struct vm *vm, struct utcb_exc *x, uint64_t gpa)
{
    uint8_t insn[15];
    unsigned n = 0;
    uint64_t va = x->rip;
    while (n < sizeof insn) {                    /* up to the end of a page at a time */
        uint64_t pa;
        if (!guest_translate(x->cr3, va + n, &pa))
            break;
        unsigned room = (unsigned)(4096 - (pa & 0xfff)), chunk = sizeof insn - n < room ? sizeof insn - n : room;
        const uint8_t *p = guest_ptr(pa, chunk);
        if (!p)
            break;
        memcpy(insn + n, p, chunk);
        n += chunk;
    }
    struct mov m;
    if (!vm->mmio_counter)
        vm->mmio_counter = 1;                    /* the counter's first read is 1 */
    if (!mov_decode(insn, n, &m) || m.size != 4)
        return false;
    uint64_t *gprs = &x->rax;                    /* rax .. rdi, r8 .. r15 follow each other in the UTCB */
    uint64_t *reg = m.reg < 0 ? NULL : &gprs[m.reg];
    if (m.write)
        device_write(vm, gpa & 0xfff, (uint32_t)(reg ? *reg : m.imm));
    else
        *reg = device_read(vm, gpa & 0xfff);     /* a 32-bit load zero-extends */
    x->rip += m.len;
    return true;
}
