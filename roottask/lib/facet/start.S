/* SPDX-License-Identifier: MIT */
/* lib/facet/start.S — entry points: the root EC's first instruction, thread starts, portal entries. */
#include "facet/offsets.h"

    .section .text.start, "ax"
    .global _start
/* The kernel starts the root EC here: rdi = HIP, rsi = UTCB, rsp = its boot stack. */
_start:
    lea     root_stack + FC_STACK_SIZE - FC_THREAD_SIZE(%rip), %rsp
    mov     %rsi, FC_THREAD_UTCB(%rsp)   /* fc_thread.utcb */
    xor     %ebp, %ebp
    and     $-16, %rsp
    call    fc_start                 /* C: runtime set-up, then main */
    ud2

    .text
/* A thread's startup reply lands here: rsp = its fc_thread (at the top of its stack). */
    .global fc_thread_entry
fc_thread_entry:
    mov     %rsp, %rdi
    xor     %ebp, %ebp
    and     $-16, %rsp
    call    fc_thread_main           /* never returns */
    ud2

/* Every portal of the runtime enters here: rdi = portal id, rsp = the handler's fc_thread. */
    .global fc_portal_entry
fc_portal_entry:
    mov     %rsp, %rsi
    xor     %ebp, %ebp
    and     $-16, %rsp
    call    fc_portal_main           /* handles, then replies: never returns */
    ud2

    .bss
    .align FC_STACK_SIZE
root_stack:
    .fill FC_STACK_SIZE, 1, 0

    .section .note.GNU-stack, "", @progbits
