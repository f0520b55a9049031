// SPDX-License-Identifier: MIT
/* vmm/fuzz.c — the kernel against a VMM that replies nonsense: random guest states, every exit. */
#include <string.h>
#include "vmm.h"

/*
 * VMM_FAULT_FUZZ: every message of the vCPU is answered with the start state
 * (guest_boot's, kept from the startup message) spoiled in one to four random places: any segment, descriptor
 * table, control register, EFER, RFLAGS, RIP, RSP, an injected event, the
 * interruptibility and activity state, DR7, PAT, the SYSENTER and SYSCALL
 * MSRs, the TSC offset, the exception bitmap. The CPU refuses most (VM entry
 * fails, the VMM hears of it), some run until an exit. Whatever the VMM says,
 * the kernel must go on: the scenario checks that the next VMs still work.
 * A fixed seed makes every run try the same states.
 */
#define FUZZ_ROUNDS 300

static uint64_t seed = 0x2545f4914f6cdd1dUL;

static uint64_t rnd(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed;
}

/* A value that is often near the interesting ones: small, a single bit, all ones, or anything. */
static uint64_t rnd_value(void)
{
    switch (rnd() % 4) {
    case 0:  return rnd() & 0xffff;
    case 1:  return 1UL << (rnd() % 64);
    case 2:  return ~0UL >> (rnd() % 64);
    default: return rnd();
    }
}

static void spoil_segment(struct utcb_seg *s)
{
    switch (rnd() % 4) {
    case 0:  s->sel = (uint16_t)rnd(); break;
    case 1:  s->ar = (uint16_t)(s->ar ^ (1u << (rnd() % 12))); break;
    case 2:  s->limit = (uint32_t)rnd_value(); break;
    default: s->base = rnd_value(); break;
    }
}

/* One field of the state, chosen at random, gets a random value or a flipped bit. */
static void spoil_one(struct utcb_exc *x)
{
    struct utcb_seg *segs[] = { &x->es, &x->cs, &x->ss, &x->ds, &x->fs, &x->gs, &x->tr, &x->ldtr, &x->gdtr, &x->idtr };
    uint64_t *words[] = { &x->cr0, &x->cr3, &x->cr4, &x->efer, &x->rflags, &x->rip, &x->rsp, &x->dr7, &x->pat,
                          &x->sysenter_cs, &x->sysenter_rsp, &x->sysenter_rip, &x->star, &x->lstar, &x->fmask,
                          &x->kernel_gs_base, &x->tsc_off, &x->cr2, &x->pdpte[0] };
    unsigned pick = (unsigned)(rnd() % 16);
    if (pick < 5) {
        spoil_segment(segs[rnd() % (sizeof segs / sizeof segs[0])]);
    } else if (pick < 11) {
        uint64_t *w = words[rnd() % (sizeof words / sizeof words[0])];
        *w = (rnd() & 1) ? *w ^ (1UL << (rnd() % 64)) : rnd_value();
    } else if (pick < 13) {
        x->intr_info = (uint32_t)rnd() | (uint32_t)((rnd() & 1) << 31);
        x->intr_error = (uint32_t)rnd();
        x->inst_len = rnd() % 20;
    } else if (pick < 15) {
        x->intr_state = (uint32_t)(rnd() % 32);
        x->actv_state = (uint32_t)(rnd() % 4);
    } else {
        x->exc_bitmap = (uint32_t)rnd();
        x->ctrl[0] = (uint32_t)rnd();
    }
}

/* Every message: count what it was, then the next random state (or, after the last round, the end). */
void fuzz_exit(struct vm *vm, unsigned event, struct utcb_exc *x)
{
    if (event == VMX_EXIT_BAD_GUEST || event == VMX_EXIT_MSR_LOAD)
        vm->fuzz_refused_state++;
    else if (event == VCPU_EV_FAILED_ENTRY)
        vm->fuzz_refused_entry++;
    else if (event != VCPU_EV_STARTUP)
        vm->fuzz_ran++;
    if (vm->fuzz_rounds++ == FUZZ_ROUNDS) {
        vm_end(vm, 0, "fuzzed");
        return;
    }
    static struct utcb_exc start;                /* the start state, built once (guest_boot clears RAM) */
    if (event == VCPU_EV_STARTUP) {
        guest_boot(vm, x);
        start = *x;
    }
    *x = start;
    for (unsigned n = 1 + (unsigned)(rnd() % 4); n; n--)
        spoil_one(x);
    x->mtd = MTD_BOOT | MTD_INJ | MTD_STA | MTD_CTRL | MTD_TSC | MTD_SYSCALL_SWAPGS | MTD_PDPTE | MTD_TLB;
}
