/* SPDX-License-Identifier: MIT */
/* guests/lib/isr.S — one stub per vector (0..47) into isr_common, which calls isr_dispatch and irets. */

/* The exceptions for which the CPU pushes an error code (Intel SDM vol. 3, table 6-1). */
#define HAS_ERR(n) ((n) == 8 || ((n) >= 10 && (n) <= 14) || (n) == 17 || (n) == 21 || (n) == 29 || (n) == 30)

    .altmacro

/* Stub n: leaves err (the CPU's or a 0) and then n on the stack, the layout struct isr_frame expects. */
.macro STUB n
isr_stub_\n:
    .if HAS_ERR(\n) == 0
    pushq $0
    .endif
    pushq $\n
    jmp isr_common
.endm

.macro STUB_ADDR n
    .quad isr_stub_\n
.endm

    .text
    .set vec, 0
    .rept 48
    STUB %vec
    .set vec, vec + 1
    .endr

/*
 * Here: vector and err on top of the CPU's frame, IF clear (interrupt gates).
 * Only the caller-saved registers need saving: the C code keeps the others.
 * 9 pushes bring the frame to 16 words, so rsp is 16-byte aligned at the call
 * (the CPU aligned it before pushing; lib.c asserts the sizes).
 */
isr_common:
    push %rax
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %r8
    push %r9
    push %r10
    push %r11
    cld                         /* the C ABI wants DF clear; iretq restores the guest's */
    mov %rsp, %rdi              /* struct isr_frame * */
    call isr_dispatch
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rax
    add $16, %rsp               /* vector, err */
    iretq

/* The stubs' addresses, indexed by vector: idt_load points each gate at one. */
    .section .rodata
    .balign 8
    .globl isr_stubs
isr_stubs:
    .set vec, 0
    .rept 48
    STUB_ADDR %vec
    .set vec, vec + 1
    .endr

    .section .note.GNU-stack, "", @progbits
