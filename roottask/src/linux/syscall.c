// SPDX-License-Identifier: MIT
/* src/linux/syscall.c — the Linux personality's dispatcher: a table from syscall number to handler. */
#include <stdio.h>
#include "linux/linux.h"
#include "fs/fs.h"

/*
 * Per number: the handler, and whether it uses the file system. Those run under fs_lock (the
 * file service and other CPUs' handlers share the tree); the others touch only the calling
 * process's own state (one thread per process) or sleep, and take no lock.
 */
#define FS(fn)  { fn, true }
#define OWN(fn) { fn, false }
static const struct { linux_fn fn; bool fs; } table[] = {
    [0]   = FS(lx_read),          [1]   = FS(lx_write),         [2]   = FS(lx_open),
    [3]   = FS(lx_close),         [4]   = FS(lx_stat),          [5]   = FS(lx_fstat),
    [6]   = FS(lx_stat),          [7]   = OWN(lx_poll),         [8]   = FS(lx_lseek),
    [9]   = FS(lx_mmap),          [10]  = OWN(lx_mprotect),     [11]  = OWN(lx_munmap),
    [12]  = OWN(lx_brk),          [13]  = OWN(lx_rt_sigaction), [14]  = OWN(lx_rt_sigprocmask),
    [16]  = OWN(lx_ioctl),        [17]  = FS(lx_pread64),       [19]  = FS(lx_readv),
    [20]  = FS(lx_writev),        [21]  = FS(lx_access),        [28]  = OWN(lx_madvise),
    [35]  = OWN(lx_nanosleep),    [39]  = OWN(lx_getpid),       [40]  = FS(lx_sendfile),
    [60]  = OWN(lx_exit),         [63]  = OWN(lx_uname),        [72]  = OWN(lx_fcntl),
    [79]  = FS(lx_getcwd),        [80]  = FS(lx_chdir),         [82]  = FS(lx_rename),
    [83]  = FS(lx_mkdir),         [84]  = FS(lx_rmdir),         [87]  = FS(lx_unlink),
    [89]  = OWN(lx_readlink),     [96]  = OWN(lx_gettimeofday), [102] = OWN(lx_getuid),
    [104] = OWN(lx_getuid),       [107] = OWN(lx_getuid),       [108] = OWN(lx_getuid),
    [110] = OWN(lx_getppid),      [131] = OWN(lx_sigaltstack),  [157] = OWN(lx_prctl),
    [158] = OWN(lx_arch_prctl),   [186] = OWN(lx_getpid),       [201] = OWN(lx_time),
    [217] = FS(lx_getdents64),    [218] = OWN(lx_set_tid_address), [228] = OWN(lx_clock_gettime),
    [230] = OWN(lx_clock_nanosleep), [231] = OWN(lx_exit),      [257] = FS(lx_openat),
    [258] = FS(lx_mkdirat),       [262] = FS(lx_newfstatat),    [263] = FS(lx_unlinkat),
    [264] = FS(lx_renameat),      [269] = FS(lx_faccessat),     [273] = OWN(lx_set_robust_list),
    [280] = FS(lx_utimensat),     [302] = OWN(lx_prlimit64),    [316] = FS(lx_renameat2),
    [318] = OWN(lx_getrandom),
};

/* Every x86-64 syscall's name, from the kernel headers (the build generates the table). */
static const char *const names[] = {
#include "syscall_names.h"
};

static const char *syscall_name(uint64_t nr)
{
    return nr < sizeof names / sizeof names[0] && names[nr] ? names[nr] : "no such syscall";
}

/* Run the handler of x->rax (under fs_lock if it uses the file system); -ENOSYS, said once, if none. */
void linux_syscall(struct proc *p, struct utcb *u)
{
    struct linux_proc *lp = lx_of(p);
    struct utcb_exc *x = &u->exc;
    uint64_t nr = x->rax;
    if (nr < sizeof table / sizeof table[0] && table[nr].fn) {
        if (table[nr].fs)
            fs_lock();
        x->rax = (uint64_t)table[nr].fn(lp, x);      /* exit does not come back: it takes no lock */
        if (table[nr].fs)
            fs_unlock();
        return;
    }
    x->rax = (uint64_t)-LX_ENOSYS;
    /* One line per process and number: a program probing (or a fuzzer) does not flood the console. */
    unsigned bit = nr < LX_NR_LOGGED ? (unsigned)nr : LX_NR_LOGGED;
    if (lp->logged[bit / 64] & (1UL << (bit % 64)))
        return;
    lp->logged[bit / 64] |= 1UL << (bit % 64);
    printf("[linux] process %u (%s): syscall %lu (%s) is not supported: -ENOSYS%s\n", p->id, p->name, nr,
           syscall_name(nr), bit == LX_NR_LOGGED ? " (further numbers beyond the table: not logged)" : "");
}
