// SPDX-License-Identifier: MIT
/* src/linux/syscall.c — the Linux personality's dispatcher: a table from syscall number to handler. */
#include <stdio.h>
#include "linux.h"
#include "../fs.h"

static const linux_fn table[] = {
    [0]   = lx_read,         [1]   = lx_write,         [2]   = lx_open,
    [3]   = lx_close,        [4]   = lx_stat,          [5]   = lx_fstat,
    [6]   = lx_stat,         [7]   = lx_poll,          [8]   = lx_lseek,
    [9]   = lx_mmap,         [10]  = lx_mprotect,      [11]  = lx_munmap,
    [12]  = lx_brk,          [13]  = lx_rt_sigaction,  [14]  = lx_rt_sigprocmask,
    [16]  = lx_ioctl,        [17]  = lx_pread64,       [19]  = lx_readv,
    [20]  = lx_writev,       [21]  = lx_access,        [28]  = lx_madvise,
    [39]  = lx_getpid,       [40]  = lx_sendfile,      /* 60, 231: exit, below */
    [63]  = lx_uname,        [72]  = lx_fcntl,         [79]  = lx_getcwd,
    [80]  = lx_chdir,        [83]  = lx_mkdir,         [84]  = lx_rmdir,
    [87]  = lx_unlink,       [89]  = lx_readlink,      [102] = lx_getuid,
    [104] = lx_getuid,       [107] = lx_getuid,        [108] = lx_getuid,
    [110] = lx_getppid,      [131] = lx_sigaltstack,   [157] = lx_prctl,
    [158] = lx_arch_prctl,   [186] = lx_getpid,        [217] = lx_getdents64,
    [218] = lx_set_tid_address, [228] = lx_clock_gettime,
    [257] = lx_openat,       [258] = lx_mkdirat,       [262] = lx_newfstatat,
    [263] = lx_unlinkat,     [269] = lx_faccessat,     [273] = lx_set_robust_list,
    [302] = lx_prlimit64,    [318] = lx_getrandom,     [82]  = lx_rename,
    [264] = lx_renameat,     [316] = lx_renameat2,     [280] = lx_utimensat,
    [201] = lx_time,         [96]  = lx_gettimeofday,     
};

/* Every x86-64 syscall's name, from the kernel headers (the build generates the table). */
static const char *const names[] = {
#include "syscall_names.h"
};

const char *linux_syscall_name(uint64_t nr)
{
    return nr < sizeof names / sizeof names[0] && names[nr] ? names[nr] : "no such syscall";
}

void linux_syscall(struct proc *p, struct utcb *u)
{
    struct linux_proc *lp = p->linux;
    struct utcb_exc *x = &u->exc;
    uint64_t nr = x->rax;
    if (nr == 60 || nr == 231)
        lx_exit(lp, x);                              /* does not come back */
    if (nr == 35 || nr == 230) {                     /* sleeps: without the lock */
        x->rax = (uint64_t)(nr == 35 ? lx_nanosleep(lp, x) : lx_clock_nanosleep(lp, x));
        return;
    }
    if (nr < sizeof table / sizeof table[0] && table[nr]) {
        fs_lock();                                   /* handlers on other CPUs share the file system */
        x->rax = (uint64_t)table[nr](lp, x);
        fs_unlock();
        return;
    }
    x->rax = (uint64_t)-LX_ENOSYS;
    /* One line per process and number: a program probing (or a fuzzer) does not flood the console. */
    unsigned bit = nr < LX_NR_LOGGED ? (unsigned)nr : LX_NR_LOGGED;
    lp->unsupported++;
    if (lp->logged[bit / 64] & (1UL << (bit % 64)))
        return;
    lp->logged[bit / 64] |= 1UL << (bit % 64);
    printf("[linux] process %u (%s): syscall %lu (%s) is not supported: -ENOSYS%s\n", p->id, p->name, nr,
           linux_syscall_name(nr), bit == LX_NR_LOGGED ? " (further numbers beyond the table: not logged)" : "");
}
