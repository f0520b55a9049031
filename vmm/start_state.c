// SPDX-License-Identifier: MIT
/* vmm/start_state.c — a vCPU's first state in long mode (no VMM state: the witness links it too). */
#include <string.h>
#include "uapi/vcpu.h"
#include "start_state.h"

void vcpu_long_mode_state(struct utcb_exc *x, uint64_t rip, uint64_t rsp, uint64_t cr3, uint64_t gdt)
{
    struct utcb_seg code = { GUEST_SEL_CODE, SEG_AR_CODE64, 0xffffffff, 0 };
    struct utcb_seg data = { GUEST_SEL_DATA, SEG_AR_DATA, 0xffffffff, 0 };
    x->cs = code;
    x->ds = x->es = x->ss = x->fs = x->gs = data;
    x->tr = (struct utcb_seg){ 0, SEG_AR_TSS64_BUSY, 0x67, 0 };
    x->ldtr = (struct utcb_seg){ 0, SEG_AR_UNUSABLE, 0, 0 };
    x->gdtr = (struct utcb_seg){ 0, 0, 31, gdt };
    x->idtr = (struct utcb_seg){ 0, 0, 0, 0 };
    x->cr0 = 0x80010033;                          /* PG WP NE ET MP PE */
    x->cr2 = 0;
    x->cr3 = cr3;
    x->cr4 = 0x20;                                /* PAE */
    x->efer = 0x501;                              /* LMA LME SCE */
    x->pat = 0x0007040600070406UL;
    x->dr7 = 0x400;
    x->sysenter_cs = x->sysenter_rsp = x->sysenter_rip = 0;
    memset(&x->rax, 0, 16 * sizeof(uint64_t));   /* rax .. r15 */
    x->rsp = rsp;
    x->rip = rip;
    x->rflags = 0x2;
    x->intr_state = x->actv_state = 0;
    x->intr_info = 0;
}
