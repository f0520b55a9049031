// SPDX-License-Identifier: MIT
/* src/linux/process.c — exit, ids, the thread pointer (arch_prctl) and set_tid_address. */
#include "facet/lab.h"
#include "linux/linux.h"

int64_t lx_exit(struct linux_proc *lp, struct utcb_exc *x)
{
    linux_flush(lp);
    proc_exit(lp->p, x->rdi & 0xff);             /* does not come back: the process is torn down */
    return 0;
}

int64_t lx_getpid(struct linux_proc *lp, struct utcb_exc *x)
{
    (void)x;
    return lp->p->id;
}

/* The parent is the roottask, outside the process's world: 0, as Linux reports a parent in
 * another PID namespace. */
int64_t lx_getppid(struct linux_proc *lp, struct utcb_exc *x)
{
    (void)lp;
    (void)x;
    return 0;
}

int64_t lx_getuid(struct linux_proc *lp, struct utcb_exc *x)
{
    (void)lp;
    (void)x;
    return 0;
}

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

/* The thread pointer lives in the FS base: the reply writes it back (the portal's MTD has FS_GS). */
int64_t lx_arch_prctl(struct linux_proc *lp, struct utcb_exc *x)
{
    /* LAB linux-emulation BEGIN: ARCH_SET_FS/SET_GS: a user-half address into the reply's FS/GS base; GET_FS/GET_GS: write it to the process (docs: labs/5-linux-emulation/README.md#thread-pointer) */
    uint64_t addr = x->rsi;
    bool user = addr < 0x0000800000000000UL;         /* the lower, user half: Linux's TASK_SIZE */
    switch ((uint32_t)x->rdi) {                      /* the code is an int */
    case ARCH_SET_FS:
        if (!user)
            return -LX_EPERM;
        x->fs_base = addr;
        return 0;
    case ARCH_SET_GS:
        if (!user)
            return -LX_EPERM;
        x->gs_base = addr;
        return 0;
    case ARCH_GET_FS:
        return proc_write(lp->p, addr, &x->fs_base, 8) ? 0 : -LX_EFAULT;
    case ARCH_GET_GS:
        return proc_write(lp->p, addr, &x->gs_base, 8) ? 0 : -LX_EFAULT;
    default:
        return -LX_EINVAL;
    }
    //@ (void)lp;
    //@ (void)x;
    //@ LAB_TODO("linux-emulation: arch_prctl, the thread pointer (lx_arch_prctl)");
    //@ return -LX_ENOSYS;
    /* LAB linux-emulation END */
}

int64_t lx_set_tid_address(struct linux_proc *lp, struct utcb_exc *x)
{
    lp->clear_child_tid = x->rdi;
    return lp->p->id;
}
