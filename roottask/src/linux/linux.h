/* SPDX-License-Identifier: MIT */
/* src/linux/linux.h — the Linux personality: what its syscall families share. */
#pragma once

#include <stdint.h>
#include <stdbool.h>
#include "proc/process.h"
#include "facet/thread.h"

/* Linux errno values (negated in rax). */
#define LX_EPERM         1
#define LX_ENOENT        2
#define LX_EBADF         9
#define LX_ENOMEM       12
#define LX_EACCES       13
#define LX_EFAULT       14
#define LX_EEXIST       17
#define LX_ENODEV       19
#define LX_ENOTDIR      20
#define LX_EISDIR       21
#define LX_EINVAL       22
#define LX_EMFILE       24
#define LX_ENOTTY       25
#define LX_ESPIPE       29
#define LX_ERANGE       34
#define LX_ENAMETOOLONG 36
#define LX_ENOSYS       38

struct fs_node;

#define LX_MAX_FDS 32
struct lx_file {
    bool used;
    struct fs_node *node;            /* NULL: the console (descriptors 0, 1, 2) */
    uint64_t off;                    /* file offset; for a directory: the next entry */
    uint32_t flags;                  /* O_* as opened */
};

/* Per process: what the personality remembers between syscalls. */
#define LX_NR_LOGGED 512             /* unsupported syscall numbers logged once each; larger ones once */
struct lx_sigaction { uint64_t handler, flags, restorer, mask; };
struct linux_proc {
    struct lx_file fd[LX_MAX_FDS];
    struct proc *p;
    uint64_t clear_child_tid;        /* set_tid_address */
    uint64_t brk_start, brk;         /* the program break */
    uint64_t mmap_next;              /* where the next anonymous mapping goes */
    char exe[64];                    /* its path, for /proc/self/exe */
    char line[3][200];               /* console output of fd 1 and 2, a line at a time */
    unsigned len[3];
    struct fs_node *cwd;             /* the working directory (held), NULL: the root */
    uint64_t sigmask;                /* rt_sigprocmask: blocked signals */
    struct lx_sigaction sigaction[64];   /* rt_sigaction: per signal 1..64 */
    uint64_t altstack_sp, altstack_size;  /* sigaltstack; size 0: disabled */
    uint64_t logged[LX_NR_LOGGED / 64 + 1];
};

/* A syscall handler: the arguments in rdi, rsi, rdx, r10, r8, r9; returns rax. */
typedef int64_t (*linux_fn)(struct linux_proc *lp, struct utcb_exc *x);

/* Start a static x86-64 Linux executable from the userland archive; NULL if it cannot. */
struct proc *linux_spawn(const char *path, int argc, const char *const *argv, const char *const *envp, unsigned cpu);
void linux_syscall(struct proc *p, struct utcb *u);     /* the personality: every foreign syscall */
void linux_flush(struct linux_proc *lp);                 /* console lines not ended yet */

/* Families (one file each). */
int64_t lx_write(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_writev(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_ioctl(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_exit(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_arch_prctl(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_set_tid_address(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_getpid(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_getuid(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_brk(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_mmap(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_munmap(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_mprotect(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_uname(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_getrandom(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_clock_gettime(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_rt_sigaction(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_rt_sigprocmask(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_sigaltstack(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_poll(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_pread64(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_readv(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_access(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_faccessat(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_chdir(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_madvise(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_getppid(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_rename(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_renameat(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_renameat2(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_utimensat(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_time(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_gettimeofday(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_nanosleep(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_clock_nanosleep(struct linux_proc *lp, struct utcb_exc *x);
void lx_sleep_init(void);
/* Every descriptor and the working directory let go: the process is being torn down. */
void linux_release(struct proc *p);
int64_t lx_prlimit64(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_getcwd(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_read(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_close(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_open(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_openat(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_lseek(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_fstat(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_stat(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_newfstatat(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_getdents64(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_sendfile(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_unlink(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_unlinkat(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_mkdir(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_mkdirat(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_rmdir(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_fcntl(struct linux_proc *lp, struct utcb_exc *x);
/* A descriptor's write, for write/writev/sendfile: bytes or -errno. */
int64_t lx_fd_write(struct linux_proc *lp, uint64_t fd, const void *buf, uint64_t len);
void lx_console_out(struct linux_proc *lp, unsigned fd, const char *s, uint64_t n);
/* readv/writev: each iovec in turn through one(); the total, or the first error if nothing moved. */
typedef int64_t (*lx_xfer)(struct linux_proc *lp, uint64_t fd, uint64_t buf, uint64_t len, void *ctx);
int64_t lx_iovecs(struct linux_proc *lp, uint64_t fd, uint64_t iov, uint64_t cnt, lx_xfer one, void *ctx);
int64_t lx_set_robust_list(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_readlink(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_prctl(struct linux_proc *lp, struct utcb_exc *x);
