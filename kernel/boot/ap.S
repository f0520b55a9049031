/* SPDX-License-Identifier: MIT */
/* boot/ap.S — the real-mode trampoline an application processor starts in (copied to 0x8000). */

#define TRAMP       0x8000
#define T(x)        ((x) - ap_trampoline + TRAMP)

    .section .rodata
    .global ap_trampoline, ap_trampoline_end
    .global ap_tramp_cr3, ap_tramp_stack, ap_tramp_entry
    .code16
/* Holds: real mode, cs:ip = 0800:0000 after the STARTUP IPI, interrupts off. */
ap_trampoline:
    cli
    xor     %ax, %ax
    mov     %ax, %ds
    lgdtl   T(tramp_gdtr)
    mov     %cr0, %eax
    or      $1, %eax
    mov     %eax, %cr0
    ljmpl   $0x08, $T(ap_prot)

    .code32
ap_prot:
    mov     $0x10, %ax
    mov     %ax, %ds
    mov     %ax, %ss
    mov     %cr4, %eax
    or      $((1 << 5) | (1 << 7)), %eax     /* PAE, PGE */
    mov     %eax, %cr4
    mov     T(ap_tramp_cr3), %eax            /* the boot table: still has the identity map */
    mov     %eax, %cr3
    mov     $0xc0000080, %ecx
    rdmsr
    or      $((1 << 8) | (1 << 11) | (1 << 0)), %eax   /* LME NXE SCE */
    wrmsr
    mov     %cr0, %eax
    or      $((1 << 31) | (1 << 16)), %eax   /* PG WP */
    mov     %eax, %cr0
    ljmp    $0x18, $T(ap_long)

    .code64
ap_long:
    mov     T(ap_tramp_stack), %rsp
    mov     T(ap_tramp_entry), %rax
    jmp     *%rax                            /* smp_ap_entry in the kernel image */

    .align 8
tramp_gdt:
    .quad 0
    .quad 0x00cf9a000000ffff                 /* 0x08 code32 */
    .quad 0x00cf92000000ffff                 /* 0x10 data */
    .quad 0x00af9a000000ffff                 /* 0x18 code64 */
tramp_gdtr:
    .short tramp_gdtr - tramp_gdt - 1
    .long T(tramp_gdt)
    .align 8
ap_tramp_cr3:   .quad 0
ap_tramp_stack: .quad 0
ap_tramp_entry: .quad 0
ap_trampoline_end:

    .section .note.GNU-stack, "", @progbits
