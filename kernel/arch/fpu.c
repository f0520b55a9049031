// SPDX-License-Identifier: MIT
/* arch/fpu.c — lazy FPU/SSE switching with CR0.TS and #NM; the kernel itself never uses the FPU. */
#include "fpu.h"
#include "cpu.h"
#include "ec.h"
#include "slab.h"
#include "frame.h"
#include "x86.h"

static struct slab_cache states;            /* 512-byte FXSAVE areas, 16-byte aligned */

void fpu_init(void)
{
    if (!states.obj_size)
        slab_cache_init(&states, "fpu", FPU_STATE_SIZE, &frame_slab);
    write_cr0((read_cr0() & ~CR0_EM) | CR0_MP | CR0_TS);
    write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
    this_cpu()->fpu_owner = NULL;
    this_cpu()->fpu_ts = true;
}

bool fpu_trap(struct ec *ec)
{
    struct cpu *c = this_cpu();
    if (!ec->fpu) {
        if (!(ec->fpu = slab_alloc(&states)))
            return false;
        if (!kobj_charge_more(&ec->obj, FPU_STATE_SIZE)) {   /* its EC's payer pays for it */
            slab_free(&states, ec->fpu);
            ec->fpu = NULL;
            return false;
        }
    }
    __asm__ volatile("clts");
    c->fpu_ts = false;
    if (c->fpu_owner)
        __asm__ volatile("fxsave64 (%0)" :: "r"(c->fpu_owner->fpu) : "memory");
    if (ec->fpu_used) {
        __asm__ volatile("fxrstor64 (%0)" :: "r"(ec->fpu) : "memory");
    } else {
        uint32_t mxcsr = 0x1f80;             /* all SIMD exceptions masked, round to nearest */
        __asm__ volatile("fninit; ldmxcsr %0" :: "m"(mxcsr));
        ec->fpu_used = true;
    }
    c->fpu_owner = ec;
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
