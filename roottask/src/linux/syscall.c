// SPDX-License-Identifier: MIT
/* src/linux/syscall.c — the Linux personality's dispatcher: a table from syscall number to handler. */
#include <stdio.h>
#include "linux/linux.h"
#include "fs/fs.h"
#include "syscall_nr.h"      /* __NR_read ... from the kernel headers (the build generates it) */

/*
 * Per number (LINUX_SYSCALLS in linux.h): the handler, and what it runs under. FS: fs_lock and
 * the process's lock; OWN: the process's lock (proc_lock: its threads' calls take turns, with
 * more than one thread); FREE: neither (what touches only the calling thread's own state: the
 * ids, set_tid_address, whose word only the thread itself reads, at its end). A signal's
 * delivery on the way back is under the process's lock.
 */
enum { LOCK_FREE, LOCK_OWN, LOCK_FS };
#define ENTRY(nr, fn, lock) [nr] = { fn, LOCK_##lock },
static const struct { linux_fn fn; uint8_t lock; } table[] = { LINUX_SYSCALLS(ENTRY) };
#undef ENTRY

/* Every x86-64 syscall's name, from the kernel headers (the build generates the table). */
static const char *const names[] = {
#include "syscall_names.h"
};

static const char *syscall_name(uint64_t nr)
{
    return nr < sizeof names / sizeof names[0] && names[nr] ? names[nr] : "no such syscall";
}

/*
 * The calls whose handlers set more of the thread's state than rax: the registers, FS base and
 * FPU state of a new program (execve), an interrupted one's (rt_sigreturn), the thread pointer
 * (arch_prctl). A handler that writes any other field of x must be here; the FPU state goes
 * back if the handler put MTD_FPU into x->mtd (lx_fpu_fresh, rt_sigreturn).
 */
static bool sets_state(uint64_t nr)
{
    return nr == __NR_execve || nr == __NR_rt_sigreturn || nr == __NR_arch_prctl;
}

/*
 * Run the handler of x->rax (under fs_lock if it uses the file system); -ENOSYS, said once, if
 * none. The reply writes back the groups x->mtd names (abi.md): a call's result alone, rax (in
 * MTD_GPR_ACDB, whose rcx, rdx and rbx go back as they came), unless the call or a signal's
 * delivery set more; then all the message carried, and the FPU state if they set it.
 */
void linux_syscall(struct proc *p, struct utcb *u)
{
    struct linux_proc *lp = lx_of(p);
    struct utcb_exc *x = &u->exc;
    uint64_t nr = x->rax, all = x->mtd;
    x->mtd = MTD_GPR_ACDB;
    if (nr < sizeof table / sizeof table[0] && table[nr].fn) {
        if (table[nr].lock != LOCK_FREE)
            proc_lock(p);
        if (table[nr].lock == LOCK_FS)
            fs_lock();
        x->rax = (uint64_t)table[nr].fn(lp, x);      /* exit does not come back: it takes no fs_lock */
        if (table[nr].lock == LOCK_FS)
            fs_unlock();
        /* On the way back: a handler's frame, or the end; rt_sigreturn's rax is the interrupted
         * code's, never a call to start again. The process's lock only when there is something
         * to deliver (the portal that took the call gives it back, process.c's and thread.c's). */
        int64_t restartable = nr == __NR_rt_sigreturn ? -1 : (int64_t)nr;
        uint64_t reply = sets_state(nr) ? all | (x->mtd & MTD_FPU) : MTD_GPR_ACDB;
        if (lx_signal_due(lp, x, restartable)) {
            proc_lock(p);
            x->mtd = all;                            /* what the message carried (no FPU image) */
            if (lx_signal_deliver(lp, x, restartable))
                reply = all | (reply & MTD_FPU);
        }
        x->mtd = reply;
        return;
    }
    x->rax = (uint64_t)-LX_ENOSYS;
    /* One line per process and number: a program probing (or a fuzzer) does not flood the console. */
    unsigned bit = nr < LX_NR_LOGGED ? (unsigned)nr : LX_NR_LOGGED;
    proc_lock(p);                                    /* its threads share the bitmap */
    bool said = lp->logged[bit / 64] & (1UL << (bit % 64));
    lp->logged[bit / 64] |= 1UL << (bit % 64);
    proc_unlock(p);
    if (said)
        return;
    printf("[linux] process %u (%s): syscall %lu (%s) is not supported: -ENOSYS%s\n", p->id, p->name, nr,
           syscall_name(nr), bit == LX_NR_LOGGED ? " (further numbers beyond the table: not logged)" : "");
}
