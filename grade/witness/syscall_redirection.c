// SPDX-License-Identifier: MIT
/* grade/witness/syscall_redirection.c — stage 4: a foreign PD's syscall as a message, and the NSCT. */
#include "witness.h"

/* ---- stage 4: syscall redirection ------------------------------------------------------ */

void stage_syscall_redirection(void)
{
    /* A foreign PD's syscall arrives as a message with its registers; our rax goes back. */
    struct kid k;
    uint64_t args[7];
    for (unsigned i = 0; i < 7; i++)
        args[i] = rnd();
    args[0] &= 0xffff;
    child.sys_reply = rnd();
    unsigned syscalls = child.syscalls;
    unsigned m = child_make(&k, true, 0);
    /* child_syscall: rax, rdi, rsi, rdx come from the startup message; r10, r8, r9 are zero. */
    child.rax = args[0];
    child.regs.rdi = args[1];
    child.regs.rsi = args[2];
    child.rdx = args[3];
    unsigned run = m == SUCCESS ? child_run(&k, child_syscall) : m;
    bool regs = child.sys[0] == args[0] && child.sys[1] == args[1] && child.sys[2] == args[2] && child.sys[3] == args[3];
    bool rip = child.sys[7] == child_ip(child_syscall) + 2;
    expect("foreign-syscall", run == SUCCESS && child.syscalls == syscalls + 1 && regs && rip && child.vector == 6 &&
           child.out_rax == child.sys_reply,
           "run %u, %u messages, registers %s, rip %s, then vector %lu with rax %s", run, child.syscalls - syscalls,
           regs ? "right" : "wrong", rip ? "right" : "wrong", child.vector,
           child.out_rax == child.sys_reply ? "ours" : "another value");
    child_end(&k);

    /* With the NSCT set, one syscall is a native hypercall (an up); the next is forwarded again. */
    sel_t sm = sm_new(0);
    syscalls = child.syscalls;
    m = child_make(&k, true, sm);
    child.rbx = CHILD_UTCB;
    child.regs.rdi = HC_ARG1(HC_sm_ctrl, SM_CTRL_UP, CHILD_SM);
    child.regs.rsi = 0;
    child.rdx = 0;
    child.rax = 0;
    child.r13 = rnd() & 0xffff;
    child.r14 = rnd();
    run = m == SUCCESS ? child_run(&k, child_nsct) : m;
    unsigned upped = fc_sm_down(sm, deadline_ms(100));
    expect("foreign-nsct", run == SUCCESS && upped == SUCCESS && child.out_r12 == SUCCESS &&
           child.syscalls == syscalls + 1 && child.sys[0] == child.r13 && child.sys[1] == child.r14,
           "run %u, the native up %u (status %lu), %u messages forwarded, %s", run, upped, child.out_r12,
           child.syscalls - syscalls, child.sys[0] == child.r13 ? "the second" : "not the second");
    child_end(&k);
}
