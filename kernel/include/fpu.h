/* SPDX-License-Identifier: MIT */
/* fpu.h — user FPU/SSE state, switched lazily: saved only when another EC touches the FPU. */
#pragma once

#include "kernel.h"
#include "cpu.h"
#include "x86.h"

struct ec;
struct cpu;

#define FPU_STATE_SIZE 512                  /* FXSAVE area */

void fpu_init(void);                        /* this CPU: enable SSE, no FPU owner */
/* About to run ec: trap its first FPU use unless it owns it (CR0 is written only when TS changes:
 * at every switch between an EC that owns it, a Linux program's, and one that does not). */
static ALWAYS_INLINE void fpu_enter(struct cpu *c, struct ec *ec)
{
    bool owns = c->fpu_owner == ec;
    if (owns != c->fpu_ts)
        return;                             /* TS already right: clear for the owner, set for another */
    if (owns)
        __asm__ volatile("clts");
    else
        write_cr0(read_cr0() | CR0_TS);
    c->fpu_ts = !owns;
}
bool fpu_trap(struct ec *ec);               /* #NM from ec: give it the FPU; false if out of memory */
/* MTD_FPU (a message, a reply): ec's state (on ec's own CPU: this one) into dst, FXSAVE's
 * layout, 16-aligned: its live registers if it owns the FPU here, else its saved area, or the
 * state a first use starts with. */
void fpu_state_get(struct ec *ec, void *dst);
/* The image at src becomes ec's state (MXCSR's reserved bits cleared: FXRSTOR would fault on
 * them), loaded at its next FPU use. false: no kernel memory for its area (nothing changed). */
bool fpu_state_set(struct ec *ec, const void *src);
void fpu_forget(struct ec *ec);             /* ec is going away */
