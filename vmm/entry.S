/* SPDX-License-Identifier: MIT */
/* vmm/entry.S — where the VMM's portals and its timer thread start: a fresh stack, then C. */
    .text
/* Every exit portal: rdi = portal id (the event), rsp = the handler's stack top. */
    .global vmm_portal_entry
vmm_portal_entry:
    xor     %ebp, %ebp
    and     $-16, %rsp
    call    vmm_portal               /* handles the exit, replies: never returns */
    ud2

/* The timer thread's first instruction (its startup reply set rip and rsp). */
    .global vmm_timer_entry
vmm_timer_entry:
    xor     %ebp, %ebp
    and     $-16, %rsp
    call    vmm_timer                /* never returns */
    ud2

    .section .note.GNU-stack, "", @progbits
