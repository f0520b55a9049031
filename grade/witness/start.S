/* SPDX-License-Identifier: MIT */
/* grade/witness/start.S — the witness's entry, its portal entry, memory probes and the code its
 * child PDs run (copied to a page of their own: position independent, no stack). */

    .section .text.start, "ax"
    .global _start
/* The kernel starts the root EC here: rdi = HIP, rsi = UTCB. */
_start:
    lea     w_stack_top(%rip), %rsp
    xor     %ebp, %ebp
    call    witness_main
    ud2

    .text
/* A portal call lands here: rdi = the portal's id, rsp = the handler's struct w_handler. */
    .global w_portal_entry
w_portal_entry:
    mov     %rsp, %rsi
    xor     %ebp, %ebp
    and     $-16, %rsp
    call    w_portal_main            /* runs the handler and replies: never returns */
    ud2

/* Memory probes: rax = the value read (or 0x1111 untouched); a handler that skips the access
 * resumes at the _resume label. */
    .global probe_read, probe_read_at, probe_read_resume
probe_read:
    mov     $0x1111, %eax
probe_read_at:
    mov     (%rdi), %rax
probe_read_resume:
    ret

    .global probe_write, probe_write_at, probe_write_resume
probe_write:
    mov     $0x1111, %eax
probe_write_at:
    mov     %rsi, (%rdi)
probe_write_resume:
    ret

/*
 * Child code: copied to the child's page at CHILD_CODE; each routine is entered at its offset
 * from child_code with the registers its startup message set, and ends in ud2 (its exception
 * handler reads the registers and parks it at child_park).
 */
    .global child_code, child_code_end, child_park, child_io, child_syscall, child_nsct
child_code:
child_park:                              /* where a finished child waits to be destroyed */
    pause
    jmp     child_park
child_io:                                /* rax = inb from port dx */
    xor     %eax, %eax
    inb     %dx, %al
    ud2
child_syscall:                           /* a syscall with the registers as set; rax back */
    syscall
    ud2
child_nsct:                              /* rbx = the UTCB: a native hypercall (rdi..), then a syscall */
    orq     $1, 0x18(%rbx)                /* head.flags |= UTCB_NSCT */
    syscall                               /* native: rdi = the status */
    mov     %rdi, %r12
    mov     %r13, %rax                    /* the next one is forwarded again */
    mov     %r14, %rdi
    syscall
    ud2
child_code_end:

/* A VM's code (stage 3), copied to its guest-physical 0x10000: 64-bit, no stack. */
    .global guest_code, guest_code_end
guest_code:
    out     %eax, (%dx)                  /* rax to port dx: an I/O exit */
    mov     (%rbx), %rcx                 /* memory it has not got: an EPT violation, then the page */
    out     %al, (%dx)                   /* rcx, what it read, in the message */
    hlt
1:  pause
    jmp     1b
guest_code_end:

    .bss
    .align 16
    .fill 16384, 1, 0
w_stack_top:

    .section .note.GNU-stack, "", @progbits
