// SPDX-License-Identifier: MIT
/* ipc/utcb.c — the UTCB transfer: untyped words, and exception state gated by MTD bits. */
#include "utcb.h"
#include "x86.h"
#include "lab.h"

/* A call or reply: the sender's untyped words into the receiver's UTCB. */
void utcb_copy_words(struct utcb *dst, const struct utcb *src, unsigned n)
{
    /* LAB portals BEGIN: copy the sender's n untyped words into the receiver's UTCB and set its item count (docs: labs/1-portals/README.md#transfer) */
    for (unsigned i = 0; i < n; i++)
        dst->mr[i] = src->mr[i];
    dst->head.items = UTCB_ITEMS(n, 0);
    //@ (void)src;
    //@ (void)n;
    //@ dst->head.items = 0;
    //@ LAB_TODO("portals: utcb_copy_words (the UTCB word transfer)");
    /* LAB portals END */
}

/* An event's message: the register groups the portal's MTD selects, copied into the handler's UTCB. */
void utcb_save_state(struct utcb *u, uint64_t mtd, unsigned event,
                     const struct cpu_regs *s, const struct exc_extra *e)
{
    struct utcb_exc *x = &u->exc;
    u->head.items = 0;
    x->mtd = mtd;
    x->vector = event;
    /* LAB portals BEGIN: copy the register groups the MTD selects (and the error code, fault address) into the handler's UTCB (docs: labs/1-portals/README.md#exception-state) */
    if (mtd & MTD_GPR_ACDB) { x->rax = s->rax; x->rcx = s->rcx; x->rdx = s->rdx; x->rbx = s->rbx; }
    if (mtd & MTD_GPR_BSD)  { x->rbp = s->rbp; x->rsi = s->rsi; x->rdi = s->rdi; }
    if (mtd & MTD_RSP)      x->rsp = s->rsp;
    if (mtd & MTD_RIP_LEN)  { x->rip = s->rip; x->inst_len = 0; }
    if (mtd & MTD_RFLAGS)   x->rflags = s->rflags;
    if (mtd & MTD_GPR_R8_R15) {
        x->r8 = s->r8; x->r9 = s->r9; x->r10 = s->r10; x->r11 = s->r11;
        x->r12 = s->r12; x->r13 = s->r13; x->r14 = s->r14; x->r15 = s->r15;
    }
    if (mtd & MTD_QUAL) {
        x->qual[0] = event < EV_STARTUP ? s->err : 0;     /* exceptions only, not startup or recall */
        x->qual[1] = event == EXC_PF ? e->fault_addr : 0;
    }
    if (mtd & MTD_CR)
        x->cr2 = event == EXC_PF ? e->fault_addr : 0;
    if (mtd & MTD_FS_GS)    { x->fs_base = e->fs_base; x->gs_base = e->gs_base; }
    //@ (void)s;
    //@ (void)e;
    //@ LAB_TODO("portals: utcb_save_state (exception state for the handler)");
    /* LAB portals END */
}

/* The reply to an event: the MTD's groups back into the EC, sanitized where the CPU would fault. */
void utcb_load_state(const struct utcb *u, uint64_t mtd, struct cpu_regs *s, struct exc_extra *e)
{
    const struct utcb_exc *x = &u->exc;
    if (mtd & MTD_GPR_ACDB) { s->rax = x->rax; s->rcx = x->rcx; s->rdx = x->rdx; s->rbx = x->rbx; }
    if (mtd & MTD_GPR_BSD)  { s->rbp = x->rbp; s->rsi = x->rsi; s->rdi = x->rdi; }
    if (mtd & MTD_RSP)      s->rsp = x->rsp;
    if (mtd & MTD_RIP_LEN)  s->rip = x->rip;
    if (mtd & MTD_RFLAGS)   s->rflags = (s->rflags & ~RFLAGS_USER_MASK) | (x->rflags & RFLAGS_USER_MASK);
    if (mtd & MTD_GPR_R8_R15) {
        s->r8 = x->r8; s->r9 = x->r9; s->r10 = x->r10; s->r11 = x->r11;
        s->r12 = x->r12; s->r13 = x->r13; s->r14 = x->r14; s->r15 = x->r15;
    }
    /* A non-canonical base would fault in the kernel's wrmsr: such a reply leaves them alone. */
    if ((mtd & MTD_FS_GS) && canonical(x->fs_base) && canonical(x->gs_base)) {
        e->fs_base = x->fs_base;
        e->gs_base = x->gs_base;
    }
}
