// SPDX-License-Identifier: MIT
/* src/linux/syscall.c — the Linux personality's dispatcher: a table from syscall number to handler. */
#include <stdio.h>
#include "linux.h"

static const struct { linux_fn fn; const char *name; } table[] = {
    [0]   = { lx_read, "read" },
    [1]   = { lx_write, "write" },
    [2]   = { lx_open, "open" },
    [3]   = { lx_close, "close" },
    [4]   = { lx_stat, "stat" },
    [5]   = { lx_fstat, "fstat" },
    [6]   = { lx_stat, "lstat" },
    [8]   = { lx_lseek, "lseek" },
    [9]   = { lx_mmap, "mmap" },
    [10]  = { lx_mprotect, "mprotect" },
    [11]  = { lx_munmap, "munmap" },
    [12]  = { lx_brk, "brk" },
    [13]  = { lx_rt_sig, "rt_sigaction" },
    [14]  = { lx_rt_sig, "rt_sigprocmask" },
    [28]  = { lx_mprotect, "madvise" },
    [16]  = { lx_ioctl, "ioctl" },
    [20]  = { lx_writev, "writev" },
    [39]  = { lx_getpid, "getpid" },
    [40]  = { lx_sendfile, "sendfile" },
    [60]  = { lx_exit, "exit" },
    [63]  = { lx_uname, "uname" },
    [72]  = { lx_fcntl, "fcntl" },
    [79]  = { lx_getcwd, "getcwd" },
    [83]  = { lx_mkdir, "mkdir" },
    [84]  = { lx_rmdir, "rmdir" },
    [87]  = { lx_unlink, "unlink" },
    [89]  = { lx_readlink, "readlink" },
    [102] = { lx_getuid, "getuid" },
    [104] = { lx_getuid, "getgid" },
    [107] = { lx_getuid, "geteuid" },
    [108] = { lx_getuid, "getegid" },
    [110] = { lx_getpid, "getppid" },
    [157] = { lx_prctl, "prctl" },
    [158] = { lx_arch_prctl, "arch_prctl" },
    [186] = { lx_getpid, "gettid" },
    [217] = { lx_getdents64, "getdents64" },
    [218] = { lx_set_tid_address, "set_tid_address" },
    [228] = { lx_clock_gettime, "clock_gettime" },
    [231] = { lx_exit, "exit_group" },
    [257] = { lx_openat, "openat" },
    [258] = { lx_mkdirat, "mkdirat" },
    [262] = { lx_newfstatat, "newfstatat" },
    [263] = { lx_unlinkat, "unlinkat" },
    [273] = { lx_set_robust_list, "set_robust_list" },
    [302] = { lx_prlimit64, "prlimit64" },
    [318] = { lx_getrandom, "getrandom" },
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
