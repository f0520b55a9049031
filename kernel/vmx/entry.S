/* SPDX-License-Identifier: MIT */
/* vmx/entry.S — into the guest (VMLAUNCH/VMRESUME) and back out at a VM exit. */
#include "asm/offsets.h"
#include "asm/gprs.h"

    .text
/*
 * vmx_enter(frame, launched): frame = &ec->regs, the guest's GPRs. Holds:
 * interrupts off, the vCPU's VMCS current, its HOST_RSP = &frame->vector
 * (where POP_GPRS leaves rsp, and where the exit stub pushes the GPRs back).
 * Returns only if the instruction failed: then to vmx_entry_failed.
 */
    .global vmx_enter
vmx_enter:
    mov %rdi, %rsp
    test %esi, %esi                      /* POP_GPRS keeps the flags */
    POP_GPRS
    jnz 1f
    vmlaunch
    jmp 2f
1:  vmresume
2:  PUSH_GPRS                            /* nothing entered: the guest's GPRs go back unchanged */
    CALL_ON_KSTACK vmx_entry_failed

/*
 * HOST_RIP: a VM exit. rsp = &ec->regs.vector (HOST_RSP), the guest's GPRs
 * still in the registers, GS base = this CPU (HOST_GS_BASE), interrupts off.
 */
    .global vmx_exit
vmx_exit:
    PUSH_GPRS
    CALL_ON_KSTACK vmx_exit_handler

    .section .note.GNU-stack, "", @progbits
