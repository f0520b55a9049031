/* SPDX-License-Identifier: MIT */
/* asm/offsets.h — the numbers arch/entry.S shares with C (plain #defines); cpu.h asserts each against its struct. */
#pragma once

/* struct cpu, reached through %gs. */
#define CPU_SELF        0        /* the struct's own address: this_cpu() */
#define CPU_USER_RSP    8        /* syscall_entry parks the user rsp here */
#define CPU_REGS_TOP    16       /* end of the current EC's struct cpu_regs (= TSS.rsp0) */
#define CPU_KSTACK_TOP  24       /* top of this CPU's kernel stack */

/* GDT selectors. SYSRET needs user code32, user data, user code64 in this order. */
#define SEL_KCODE       0x08
#define SEL_KDATA       0x10
#define SEL_UCODE32     0x18
#define SEL_UDATA       0x23     /* 0x20 | RPL 3 */
#define SEL_UCODE       0x2b     /* 0x28 | RPL 3 */
#define SEL_TSS         0x30

/* Interrupt vectors the kernel owns (legacy PIC masked). */
#define VEC_GSI         0x30     /* 0x30 .. 0x6f: GSI n (gsi.c, GSI_MAX of them) arrives at VEC_GSI + n */
#define VEC_TIMER       0xf0
#define VEC_RESCHED     0xf1
#define VEC_TLB         0xf2
#define VEC_SPURIOUS    0xff
#define VEC_SYSCALL     0x100    /* not a real vector: marks a frame built by syscall_entry */

/*
 * struct cpu_regs, the frame saved in the EC, from its lowest address:
 *
 *   0        r15 r14 ... rbx rax   PUSH_GPRS (15 registers)
 *   VECTOR   vector err            the stub (err 0 if the CPU pushed none), or syscall_entry
 *   RIP      rip cs rflags rsp ss  the CPU's iret frame, or syscall_entry
 *   SIZE                           <- TSS.rsp0 = cpu->regs_top
 */
#define FRAME_RAX       (14 * 8)
#define FRAME_VECTOR    (15 * 8)
#define FRAME_ERR       (16 * 8)
#define FRAME_RIP       (17 * 8)
#define FRAME_CS        (18 * 8)
#define FRAME_RFLAGS    (19 * 8)
#define FRAME_RSP       (20 * 8)
#define FRAME_SS        (21 * 8)
#define FRAME_SIZE      (22 * 8)
