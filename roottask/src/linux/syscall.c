// SPDX-License-Identifier: MIT
/* src/linux/syscall.c — the Linux personality's dispatcher: a table from syscall number to handler. */
#include <stdio.h>
#include "linux.h"

static const struct { linux_fn fn; const char *name; } table[] = {
    [1]   = { lx_write, "write" },
    [16]  = { lx_ioctl, "ioctl" },
    [20]  = { lx_writev, "writev" },
    [39]  = { lx_getpid, "getpid" },
    [60]  = { lx_exit, "exit" },
    [102] = { lx_getuid, "getuid" },
    [104] = { lx_getuid, "getgid" },
    [107] = { lx_getuid, "geteuid" },
    [108] = { lx_getuid, "getegid" },
    [110] = { lx_getpid, "getppid" },
    [158] = { lx_arch_prctl, "arch_prctl" },
    [186] = { lx_getpid, "gettid" },
    [218] = { lx_set_tid_address, "set_tid_address" },
    [231] = { lx_exit, "exit_group" },
};

void linux_syscall(struct proc *p, struct utcb *u)
{
    struct linux_proc *lp = p->linux;
    struct utcb_exc *x = &u->exc;
    uint64_t nr = x->rax;
    if (nr < sizeof table / sizeof table[0] && table[nr].fn) {
        x->rax = (uint64_t)table[nr].fn(lp, x);
        return;
    }
    printf("[linux] process %u (%s): syscall %lu is not supported: -ENOSYS\n", p->id, p->name, nr);
    x->rax = (uint64_t)-LX_ENOSYS;
}
