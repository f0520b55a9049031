/* SPDX-License-Identifier: MIT */
/* asm/gprs.h — assembly only: push and pop the GPRs of a struct cpu_regs frame (arch/, vmx/, svm/entry.S). */
#pragma once

/* struct cpu_regs' GPRs: rax is pushed first, so r15 ends at the lowest address (FRAME offset 0). */
.macro PUSH_GPRS
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
.endm

.macro POP_GPRS
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
.endm

/* Leave a guest's frame for this CPU's kernel stack and call a C handler that never returns. */
.macro CALL_ON_KSTACK handler
    mov %gs:CPU_KSTACK_TOP, %rsp
    xor %ebp, %ebp
    call \handler                        /* never returns */
    ud2
.endm
