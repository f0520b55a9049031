/* SPDX-License-Identifier: MIT */
/* lib/app/crt0.S — a native program's first instruction: main(arg, pid), then exit. */
    .section .text.start, "ax"
    .global _start
_start:
    xor     %ebp, %ebp
    and     $-16, %rsp
    call    main                     /* rdi = argument, rsi = process id (from the startup message) */
    mov     %rax, %rdi
    call    app_exit                 /* does not return */
    ud2

    .section .note.GNU-stack, "", @progbits
