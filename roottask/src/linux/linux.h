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

struct linux_proc;
struct fs_node;

/* A syscall handler: the arguments in rdi, rsi, rdx, r10, r8, r9; returns rax. */
typedef int64_t (*linux_fn)(struct linux_proc *lp, struct utcb_exc *x);
/* The handlers, by file (syscall.c's table gives their numbers). */
/* fd.c: descriptors: their reads and writes, the console */
int64_t lx_read(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_write(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_pread64(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_readv(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_writev(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_lseek(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_close(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_sendfile(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_ioctl(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_poll(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_fcntl(struct linux_proc *lp, struct utcb_exc *x);
/* path.c: names in the file system */
int64_t lx_open(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_openat(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_stat(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_fstat(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_newfstatat(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_getdents64(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_unlink(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_unlinkat(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_mkdir(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_mkdirat(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_rmdir(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_rename(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_renameat(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_renameat2(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_chdir(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_getcwd(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_access(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_faccessat(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_utimensat(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_readlink(struct linux_proc *lp, struct utcb_exc *x);
/* mem.c: the address space */
int64_t lx_brk(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_mmap(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_munmap(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_mprotect(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_madvise(struct linux_proc *lp, struct utcb_exc *x);
/* task.c: the process itself */
int64_t lx_exit(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_getpid(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_getppid(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_getuid(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_arch_prctl(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_set_tid_address(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_set_robust_list(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_prctl(struct linux_proc *lp, struct utcb_exc *x);
/* signal.c: signal state */
int64_t lx_rt_sigaction(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_rt_sigprocmask(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_sigaltstack(struct linux_proc *lp, struct utcb_exc *x);
/* time.c: clocks and sleeps */
int64_t lx_clock_gettime(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_gettimeofday(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_time(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_nanosleep(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_clock_nanosleep(struct linux_proc *lp, struct utcb_exc *x);
/* sys.c: the system */
int64_t lx_uname(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_getrandom(struct linux_proc *lp, struct utcb_exc *x);
int64_t lx_prlimit64(struct linux_proc *lp, struct utcb_exc *x);

/* Per process: what the personality remembers between syscalls (each part's file beside it). */
#define LX_MAX_FDS   32
#define LX_NR_LOGGED 512             /* unsupported syscall numbers logged once each; larger ones once */
struct lx_file {
    bool used;
    struct fs_node *node;            /* NULL: the console (descriptors 0, 1, 2) */
    uint64_t off;                    /* file offset; for a directory: the next entry */
    uint32_t flags;                  /* O_* as opened */
};
struct lx_sigaction { uint64_t handler, flags, restorer, mask; };
struct linux_proc {
    struct lx_file fd[LX_MAX_FDS];   /* fd.c: the descriptors */
    struct proc *p;
    uint64_t clear_child_tid;        /* task.c: set_tid_address */
    uint64_t brk_start, brk;         /* mem.c: the program break */
    uint64_t mmap_next;              /* mem.c: where the next anonymous mapping goes */
    char exe[64];                    /* its path, for /proc/self/exe (path.c: readlink) */
    char line[3][200];               /* fd.c: console output of fd 1 and 2, a line at a time */
    unsigned len[3];
    struct fs_node *cwd;             /* path.c: the working directory (held), NULL: the root */
    uint64_t sigmask;                /* signal.c: rt_sigprocmask: blocked signals */
    struct lx_sigaction sigaction[64];   /* signal.c: rt_sigaction: per signal 1..64 */
    uint64_t altstack_sp, altstack_size;  /* signal.c: sigaltstack; size 0: disabled */
    uint64_t logged[LX_NR_LOGGED / 64 + 1];   /* syscall.c: numbers already reported */
};

/* A Linux process's personality state (linux_spawn puts it behind p->pstate). */
static inline struct linux_proc *lx_of(struct proc *p)
{
    return p->pstate;
}

/* Page arithmetic on the process's addresses and lengths (PAGE_SIZE: uapi/layout.h). */
static inline bool lx_page_aligned(uint64_t a) { return !(a & (PAGE_SIZE - 1)); }
static inline uint64_t lx_page_up(uint64_t a) { return (a + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1); }
static inline uint64_t lx_pages(uint64_t len) { return (len + PAGE_SIZE - 1) / PAGE_SIZE; }   /* pages len bytes fill */
static inline uint64_t lx_page_rest(uint64_t va) { return PAGE_SIZE - (va & (PAGE_SIZE - 1)); }  /* va to its page's end */

/* fd.c: descriptors. */
/* open(2)'s access mode (flags & O_ACCMODE) and the flag a descriptor keeps, Linux's values. */
#define O_ACCMODE 3
#define O_RDONLY  0
#define O_WRONLY  1
#define O_RDWR    2
#define O_APPEND  0x400
/* The open descriptor fd_arg names, or NULL. Descriptor arguments are C ints: Linux looks at
 * the low 32 bits only, and so do we. */
static inline struct lx_file *file_of(struct linux_proc *lp, uint64_t fd_arg)
{
    uint32_t fd = (uint32_t)fd_arg;
    return fd < LX_MAX_FDS && lp->fd[fd].used ? &lp->fd[fd] : NULL;
}
void linux_flush(struct linux_proc *lp);                 /* console lines not ended yet */
/* Every descriptor and the working directory let go: the process is being torn down. */
void linux_release(struct proc *p);

/* time.c: clocks and sleeps. */
void lx_sleep_init(void);    /* on the roottask's main thread, before any handler sleeps */

/* exec.c: start a static x86-64 Linux executable from the userland archive; NULL if it cannot. */
struct proc *linux_spawn(const char *path, int argc, const char *const *argv, const char *const *envp, unsigned cpu);

/* syscall.c: the personality: every foreign syscall of a Linux process. */
void linux_syscall(struct proc *p, struct utcb *u);
