/* SPDX-License-Identifier: MIT */
/* src/linux/linux.h — the Linux personality: what its syscall families share. */
#pragma once

#include <stdint.h>
#include <stdbool.h>
#include "../process.h"
#include "facet/thread.h"

/* Linux errno values (negated in rax). */
#define LX_EPERM   1
#define LX_ENOENT  2
#define LX_EBADF   9
#define LX_EFAULT  14
#define LX_EINVAL  22
#define LX_ENOTTY  25
#define LX_ENOSYS  38
#define LX_ENOMEM  12
#define LX_ENODEV  19
#define LX_ERANGE  34

struct fs_node;

#define LX_MAX_FDS 32
struct lx_file {
    bool used;
    struct fs_node *node;            /* NULL: the console (descriptors 0, 1, 2) */
    uint64_t off;                    /* file offset; for a directory: the next entry */
    uint32_t flags;                  /* O_* as opened */
};

/* Per process: what the personality remembers between syscalls. */
struct linux_proc {
    struct lx_file fd[LX_MAX_FDS];
    struct proc *p;
    uint64_t clear_child_tid;        /* set_tid_address */
    uint64_t brk_start, brk;         /* the program break */
    uint64_t mmap_next;              /* where the next anonymous mapping goes */
    char exe[64];                    /* its path, for /proc/self/exe */
    char line[3][200];               /* console output of fd 1 and 2, a line at a time */
    unsigned len[3];
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
int64_t lx_rt_sig(struct linux_proc *lp, struct utcb_exc *x);
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
int64_t lx_set_robust_list(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_readlink(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_prctl(struct linux_proc *lp, struct utcb_exc *x);
