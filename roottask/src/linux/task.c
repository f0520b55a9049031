// SPDX-License-Identifier: MIT
/* src/linux/task.c — the process itself: exit, ids, the thread pointer (arch_prctl), tid address, prctl. */
#include <string.h>
#include "facet/lab.h"
#include "linux/linux.h"

/* exit and exit_group (one thread per process): what is left of its console lines, then the end. */
int64_t lx_exit(struct linux_proc *lp, struct utcb_exc *x)
{
    linux_flush(lp);
    proc_exit(lp->p, x->rdi & 0xff);             /* does not come back: the process is torn down */
    return 0;
}

/* getpid and gettid: one thread per process, whose id is the process's. */
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

/* getuid, getgid, geteuid, getegid: the caller is root. */
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

/* set_tid_address: remembered (no threads yet to clear it for); the caller's thread id. */
int64_t lx_set_tid_address(struct linux_proc *lp, struct utcb_exc *x)
{
    lp->clear_child_tid = x->rdi;
    return lp->p->id;
}

int64_t lx_set_robust_list(struct linux_proc *lp, struct utcb_exc *x)
{
    (void)lp;
    return x->rsi == sizeof(struct lx_robust_list_head) ? 0 : -LX_EINVAL;   /* 24 on x86-64 */
}

#define PR_SET_NAME 15
#define PR_GET_NAME 16

/* prctl: the name (the program's, at most 15 bytes and a NUL); setting it is accepted. */
int64_t lx_prctl(struct linux_proc *lp, struct utcb_exc *x)
{
    if (x->rdi == PR_GET_NAME) {
        char name[16] = { 0 };
        memcpy(name, lp->p->name, strlen(lp->p->name) < 15 ? strlen(lp->p->name) : 15);
        return proc_write(lp->p, x->rsi, name, sizeof name) ? 0 : -LX_EFAULT;
    }
    return x->rdi == PR_SET_NAME ? 0 : -LX_EINVAL;
}
