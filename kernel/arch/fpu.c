// SPDX-License-Identifier: MIT
/* arch/fpu.c — lazy FPU/SSE switching with CR0.TS and #NM; the kernel itself never uses the FPU. */
#include "fpu.h"
#include "cpu.h"
#include "ec.h"
#include "slab.h"
#include "frame.h"
#include "x86.h"
#include "lib/string.h"

static struct slab_cache states;            /* 512-byte FXSAVE areas, 16-byte aligned */

static uint32_t mxcsr_mask;                 /* the MXCSR bits this CPU has (FXSAVE's MXCSR_MASK) */

void fpu_init(void)
{
    if (!states.obj_size)
        slab_cache_init(&states, "fpu", FPU_STATE_SIZE, &frame_slab);
    write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP);
    write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
    if (!mxcsr_mask) {
        uint8_t image[FPU_STATE_SIZE] __attribute__((aligned(16))) = { 0 };
        __asm__ volatile("fxsave64 %0" : "=m"(image));
        uint32_t m;
        memcpy(&m, image + UTCB_FPU_MXCSR_MASK, sizeof m);
        mxcsr_mask = m ? m : 0xffbf;        /* 0: the SDM's default mask */
    }
    write_cr0(read_cr0() | CR0_TS);
    this_cpu()->fpu_owner = NULL;
    this_cpu()->fpu_ts = true;
}

/* ec's FXSAVE area, allocated (and charged to its EC's payer) at the first need. */
static bool fpu_area(struct ec *ec)
{
    if (ec->fpu)
        return true;
    if (!(ec->fpu = slab_alloc(&states)))
        return false;
    if (!kobj_charge_more(&ec->obj, FPU_STATE_SIZE)) {
        slab_free(&states, ec->fpu);
        ec->fpu = NULL;
        return false;
    }
    return true;
}

bool fpu_trap(struct ec *ec)
{
    struct cpu *c = this_cpu();
    if (!fpu_area(ec))
        return false;
    __asm__ volatile("clts");
    c->fpu_ts = false;
    if (c->fpu_owner)
        __asm__ volatile("fxsave64 (%0)" :: "r"(c->fpu_owner->fpu) : "memory");
    if (ec->fpu_used) {
        __asm__ volatile("fxrstor64 (%0)" :: "r"(ec->fpu) : "memory");
    } else {
        uint32_t mxcsr = FPU_MXCSR_INIT;
        __asm__ volatile("fninit; ldmxcsr %0" :: "m"(mxcsr));
        ec->fpu_used = true;
    }
    c->fpu_owner = ec;
    return true;
}

void fpu_state_get(struct ec *ec, void *dst)
{
    struct cpu *c = this_cpu();
    if (c->fpu_owner == ec) {
        if (c->fpu_ts)
            __asm__ volatile("clts");       /* FXSAVE with TS set would trap (#NM) */
        __asm__ volatile("fxsave64 (%0)" :: "r"(dst) : "memory");
        if (c->fpu_ts)
            write_cr0(read_cr0() | CR0_TS);
    } else if (ec->fpu_used) {
        memcpy(dst, ec->fpu, FPU_STATE_SIZE);
    } else {                                /* what fpu_trap gives a first use */
        utcb_fpu_fresh(dst);
        memcpy((uint8_t *)dst + UTCB_FPU_MXCSR_MASK, &mxcsr_mask, sizeof mxcsr_mask);
    }
}

bool fpu_state_set(struct ec *ec, const void *src)
{
    if (!fpu_area(ec))
        return false;
    memcpy(ec->fpu, src, FPU_STATE_SIZE);
    uint32_t mxcsr;
    memcpy(&mxcsr, (uint8_t *)ec->fpu + UTCB_FPU_MXCSR, sizeof mxcsr);
    mxcsr &= mxcsr_mask;
    memcpy((uint8_t *)ec->fpu + UTCB_FPU_MXCSR, &mxcsr, sizeof mxcsr);
    ec->fpu_used = true;
    struct cpu *c = this_cpu();
    if (c->fpu_owner == ec) {               /* its registers are stale: the next use loads the image */
        c->fpu_owner = NULL;
        if (!c->fpu_ts) {                   /* clear for an owner running here: none runs now */
            write_cr0(read_cr0() | CR0_TS);
            c->fpu_ts = true;
        }
    }
    return true;
}

void fpu_forget(struct ec *ec)
{
    for (unsigned i = 0; i < cpu_count; i++)
        if (cpus[i].fpu_owner == ec)
            cpus[i].fpu_owner = NULL;        /* its registers are simply abandoned */
    if (ec->fpu)
        slab_free(&states, ec->fpu);
    ec->fpu = NULL;
}
