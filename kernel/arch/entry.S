/* SPDX-License-Identifier: MIT */
/* arch/entry.S — interrupt/exception stubs, SYSCALL entry, and the two ways back to user mode. */
#include "asm/offsets.h"
#include "x86.h"
#include "asm/gprs.h"

/* From the vector slot (where rsp points before PUSH_GPRS and after POP_GPRS) to a field. */
#define AT_VECTOR(field) (FRAME_##field - FRAME_VECTOR)


    .text
/*
 * One stub per vector. The CPU pushed ss rsp rflags cs rip (and an error
 * code for some exceptions); every stub leaves the same layout: err, vector.
 * From user mode the frame is being written into the current EC (rsp0).
 */
.macro VECTOR n
    .align 16
vector_\n:
    /* The CPU pushed an error code for these; the others get a 0 in its place. */
    .if (\n == EXC_DF) || (\n >= EXC_TS && \n <= EXC_PF) || (\n == EXC_AC) || (\n == EXC_CP) || (\n == EXC_VC) || (\n == EXC_SX)
    .else
    pushq $0
    .endif
    pushq $\n
    jmp intr_common
.endm

    .align 16
    .global vector_table_start
vector_table_start:
.altmacro
.set i, 0
.rept 256
    VECTOR %i
    .set i, i + 1
.endr

/* Holds: rsp -> vector, err, hardware frame. Interrupts are off. */
intr_common:
    testb $3, AT_VECTOR(CS)(%rsp)        /* cs of the interrupted context */
    jz 1f
    swapgs
1:  PUSH_GPRS
    mov %rsp, %rdi                       /* struct cpu_regs * */
    testb $3, FRAME_CS(%rsp)
    jz 2f
    mov %gs:CPU_KSTACK_TOP, %rsp         /* the frame stays in the EC; C runs on the CPU stack */
2:  xor %ebp, %ebp
    call intr_handler                    /* never returns */
    ud2

/*
 * SYSCALL: rcx = user rip, r11 = user rflags, rsp still the user's.
 * Build the same frame as an interrupt inside the current EC.
 */
    .global syscall_entry
    .align 16
syscall_entry:
    swapgs
    mov %rsp, %gs:CPU_USER_RSP
    mov %gs:CPU_REGS_TOP, %rsp
    pushq $SEL_UDATA
    pushq %gs:CPU_USER_RSP
    pushq %r11
    pushq $SEL_UCODE
    pushq %rcx
    pushq $0
    pushq $VEC_SYSCALL
    PUSH_GPRS
    mov %rsp, %rdi
    mov %gs:CPU_KSTACK_TOP, %rsp
    xor %ebp, %ebp
    call syscall_handler                 /* never returns */
    ud2

/* ret_user_iret(regs): restore everything from the EC's frame and iret to ring 3. */
    .global ret_user_iret
ret_user_iret:
    mov %rdi, %rsp
    POP_GPRS
    add $AT_VECTOR(RIP), %rsp            /* past vector and err: the iret frame */
    swapgs
    iretq

/*
 * ret_user_sysret(regs): the fast way back after a hypercall; the caller
 * checked that rip is canonical. rcx and r11 are clobbered, as SYSCALL allows.
 */
    .global ret_user_sysret
ret_user_sysret:
    mov %rdi, %rsp
    POP_GPRS
    mov AT_VECTOR(RIP)(%rsp), %rcx
    mov AT_VECTOR(RFLAGS)(%rsp), %r11
    mov AT_VECTOR(RSP)(%rsp), %rsp       /* user rsp: the frame is no longer reachable */
    swapgs
    sysretq

    .global cpu_halt
cpu_halt:
    cli
1:  hlt
    jmp 1b

    .section .note.GNU-stack, "", @progbits
