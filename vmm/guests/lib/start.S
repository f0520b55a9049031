/* SPDX-License-Identifier: MIT */
/* guests/lib/start.S — _start, the image's first byte: zero the bss, run guest_main, power off with its result. */

    .section .text.start, "ax"
    .globl _start
/*
 * Here: long mode, CPL 0, IF clear, rsp = 0x1ff000, rdi = RAM size in bytes,
 * rsi = 0. guest.ld keeps the bss out of the flat binary, so it is zeroed here.
 */
_start:
    mov %rdi, %rbx              /* the RAM size, kept across rep stosb */
    cld
    lea __bss_start(%rip), %rdi
    lea __bss_end(%rip), %rcx
    sub %rdi, %rcx
    xor %eax, %eax
    rep stosb
    and $-16, %rsp              /* the call below needs a 16-byte aligned rsp */
    mov %rbx, %rdi
    call guest_main
    mov $0xf4, %dx              /* PORT_POWEROFF: status = guest_main's result, low 32 bits */
    out %eax, %dx
1:  cli                         /* the VMM did not end the VM: stay put */
    hlt
    jmp 1b

    .section .note.GNU-stack, "", @progbits
