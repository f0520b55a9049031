/* SPDX-License-Identifier: MIT */
/* svm/entry.S — into the guest (VMRUN) and back out at an exit. */
#include "asm/offsets.h"
#include "asm/gprs.h"

    .text
/*
 * svm_run(frame, vmcb_pa, host_pa): frame = &ec->regs, the guest's GPRs
 * (its rax is in the VMCB). Holds: interrupts off. With GIF clear (no
 * interrupt, no NMI) the host's FS, GS, TR, LDTR and SYSCALL MSRs go to
 * this CPU's host page (VMSAVE) and the guest's come from the VMCB (VMLOAD):
 * from there until the VMLOAD after the exit, %gs is the guest's, and
 * nothing here uses it. Interrupts are turned on for VMRUN, so that host
 * interrupts exit (the guest's IF masks only its virtual ones); GIF stays
 * clear after the exit until svm_exit_handler sets it.
 */
    .global svm_run
svm_run:
    clgi
    mov %rdi, %rsp
    mov %rsi, FRAME_VECTOR(%rsp)         /* the two addresses, for after the exit */
    mov %rdx, FRAME_ERR(%rsp)
    mov %rsi, FRAME_RAX(%rsp)            /* rax = the VMCB for VMRUN; the guest's is in the VMCB */
    mov %rdx, %rax
    vmsave %rax
    mov %rsi, %rax
    vmload %rax
    POP_GPRS                             /* rsp = &frame->vector: the host rsp VMRUN keeps */
    sti
    vmrun %rax
    /* The exit: rsp = &frame->vector, rax = the VMCB, GIF clear, the guest's GPRs in registers. */
    PUSH_GPRS
    vmsave %rax                          /* the guest's FS, GS, TR, LDTR, MSRs into its VMCB */
    mov FRAME_ERR(%rsp), %rax
    vmload %rax                          /* the host's: %gs is this CPU again */
    cli
    CALL_ON_KSTACK svm_exit_handler

    .section .note.GNU-stack, "", @progbits
