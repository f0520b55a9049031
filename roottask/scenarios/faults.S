/* SPDX-License-Identifier: MIT */
/* scenarios/faults.S — one faulting instruction per exception class, between labels a handler can use. */

/*
 * Each fault_<x>() loads rax = 0x1111, executes the instruction at
 * fault_<x>_at and returns rax from fault_<x>_resume. A handler that skips
 * the instruction sets rip = fault_<x>_resume and may change rax: the
 * caller sees the handler's value. Traps (#DB, #BP) report rip = resume.
 */
.macro FAULT name
    .global fault_\name, fault_\name\()_at, fault_\name\()_resume
fault_\name:
.endm

    .text
FAULT de                                 /* #DE: divide by zero */
    mov     $0x1111, %eax
    xor     %ecx, %ecx
    xor     %edx, %edx
fault_de_at:
    div     %rcx
fault_de_resume:
    ret

FAULT db                                 /* #DB: single step (RFLAGS.TF), a trap after one instruction */
    mov     $0x1111, %eax
    pushf
    orl     $0x100, (%rsp)
    popf
fault_db_at:
    nop
fault_db_resume:
    ret

FAULT bp                                 /* #BP: int3, a trap */
    mov     $0x1111, %eax
fault_bp_at:
    int3
fault_bp_resume:
    ret

FAULT ud                                 /* #UD: ud2 */
    mov     $0x1111, %eax
fault_ud_at:
    ud2
fault_ud_resume:
    ret

/* fault_ud_regs(out): #UD; after it, out[0] = rcx, out[1] = r11, out[2] = rdx as the reply left them. */
FAULT ud_regs
    mov     $0x1111, %eax
fault_ud_regs_at:
    ud2
fault_ud_regs_resume:
    mov     %rcx, (%rdi)
    mov     %r11, 8(%rdi)
    mov     %rdx, 16(%rdi)
    ret

FAULT gp                                 /* #GP: hlt in ring 3 */
    mov     $0x1111, %eax
fault_gp_at:
    hlt
fault_gp_resume:
    ret

FAULT ss                                 /* #SS: an rbp-based access at a non-canonical address */
    mov     $0x1111, %eax
    mov     %rbp, %r11
    movabs  $0x8000000000000000, %rbp
fault_ss_at:
    mov     (%rbp), %rcx
fault_ss_resume:
    mov     %r11, %rbp
    ret

FAULT pf                                 /* #PF: read the address in rdi */
    mov     $0x1111, %eax
fault_pf_at:
    mov     (%rdi), %rcx
fault_pf_resume:
    ret

FAULT ac                                 /* #AC: a misaligned load with RFLAGS.AC (CR0.AM is on) */
    mov     $0x1111, %eax
    pushf
    orl     $0x40000, (%rsp)
    popf
    lea     -15(%rsp), %rcx
fault_ac_at:
    mov     (%rcx), %rcx
fault_ac_resume:
    pushf
    andl    $~0x40000, (%rsp)
    popf
    ret

/* Demand paging: store rsi at [rdi] and read it back (the handler maps the page). */
    .global touch_page
touch_page:
    mov     %rsi, (%rdi)
    mov     (%rdi), %rax
    ret

    .section .note.GNU-stack, "", @progbits
