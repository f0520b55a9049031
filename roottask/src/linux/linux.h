/* SPDX-License-Identifier: MIT */
/* src/linux/linux.h — the Linux personality: its one syscall list and what its files share. */
#pragma once

#include <stdint.h>
#include <stdbool.h>
#include "proc/process.h"
#include "facet/thread.h"
#include "linux/uapi.h"

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
#define LX_ENFILE       23
#define LX_EMFILE       24
#define LX_ENOTTY       25
#define LX_ECHILD       10
#define LX_E2BIG         7
#define LX_ENOEXEC       8
#define LX_ESRCH         3
#define LX_ENXIO         6
#define LX_EINTR         4
#define LX_ESPIPE       29
#define LX_EPIPE        32
#define LX_EAGAIN       11
#define LX_ERANGE       34
#define LX_ENOSPC       28
#define LX_ENAMETOOLONG 36
#define LX_ENOSYS       38
#define LX_ETIMEDOUT    110
#define LX_EINTR         4
/* The kernel's own codes for a call a signal interrupted (never seen by a program): the
 * delivery (signal.c: lx_signal_deliver) makes them -EINTR or starts the call again. */
#define LX_ERESTARTSYS          512  /* again if the handler has SA_RESTART (or none ran), else -EINTR */
#define LX_ERESTARTNOINTR       513  /* again, whatever ran (fork and clone, for the FPU image: signal.c) */
#define LX_ERESTARTNOHAND       514  /* again only if no handler ran (pause, sigsuspend) */
#define LX_ERESTART_RESTARTBLOCK 516 /* nanosleep: -EINTR if a handler ran (the rest is in rem) */
#define LX_ELOOP        40

/*
 * Every syscall the personality answers, grouped by the file that handles it: the kernel's
 * number (its __NR_ name; the build generates them from the kernel headers, see the Makefile),
 * the handler, and whether the call uses the file system: FS calls run under fs_lock (the file
 * service and other CPUs' handlers share the tree); OWN calls touch only the calling process's
 * own state (one thread per process) or sleep, and take no lock. One handler may serve several
 * numbers. The dispatch table (syscall.c) and the handlers' prototypes (below) come from here.
 */
#define LINUX_SYSCALLS(X) \
    /* fd.c: descriptors: their reads and writes, the console */ \
    X(__NR_read,            lx_read,            FS)  \
    X(__NR_write,           lx_write,           FS)  \
    X(__NR_pread64,         lx_pread64,         FS)  \
    X(__NR_pwrite64,        lx_pwrite64,        FS)  \
    X(__NR_readv,           lx_readv,           FS)  \
    X(__NR_writev,          lx_writev,          FS)  \
    X(__NR_lseek,           lx_lseek,           FS)  \
    X(__NR_close,           lx_close,           FS)  \
    X(__NR_sendfile,        lx_sendfile,        FS)  \
    X(__NR_ioctl,           lx_ioctl,           OWN) \
    X(__NR_poll,            lx_poll,            OWN) /* blocks */ \
    X(__NR_ppoll,           lx_ppoll,           OWN) /* blocks */ \
    X(__NR_select,          lx_select,          OWN) /* blocks */ \
    X(__NR_pselect6,        lx_pselect6,        OWN) /* blocks */ \
    X(__NR_fcntl,           lx_fcntl,           OWN) \
    X(__NR_dup,             lx_dup,             OWN) \
    X(__NR_dup2,            lx_dup2,            FS)  /* closing the target may let a file go */ \
    X(__NR_dup3,            lx_dup3,            FS)  \
    /* pipe.c: pipes */ \
    X(__NR_pipe,            lx_pipe,            OWN) \
    X(__NR_pipe2,           lx_pipe2,           OWN) \
    /* epoll.c: epoll instances */ \
    X(__NR_epoll_create,    lx_epoll_create,    OWN) \
    X(__NR_epoll_create1,   lx_epoll_create1,   OWN) \
    X(__NR_epoll_ctl,       lx_epoll_ctl,       OWN) \
    X(__NR_epoll_wait,      lx_epoll_wait,      OWN) /* blocks */ \
    X(__NR_epoll_pwait,     lx_epoll_pwait,     OWN) /* blocks */ \
    X(__NR_epoll_pwait2,    lx_epoll_pwait2,    OWN) /* blocks */ \
    /* eventfd.c: event counters; timerfd.c: timers read as descriptors (read: fd.c) */ \
    X(__NR_eventfd,         lx_eventfd,         OWN) \
    X(__NR_eventfd2,        lx_eventfd2,        OWN) \
    X(__NR_timerfd_create,  lx_timerfd_create,  OWN) \
    X(__NR_timerfd_settime, lx_timerfd_settime, OWN) \
    X(__NR_timerfd_gettime, lx_timerfd_gettime, OWN) \
    /* path.c: names in the file system */ \
    X(__NR_open,            lx_open,            FS)  \
    X(__NR_openat,          lx_openat,          FS)  \
    X(__NR_getdents64,      lx_getdents64,      FS)  \
    X(__NR_unlink,          lx_unlink,          FS)  \
    X(__NR_unlinkat,        lx_unlinkat,        FS)  \
    X(__NR_mkdir,           lx_mkdir,           FS)  \
    X(__NR_mkdirat,         lx_mkdirat,         FS)  \
    X(__NR_rmdir,           lx_rmdir,           FS)  \
    X(__NR_rename,          lx_rename,          FS)  \
    X(__NR_renameat,        lx_renameat,        FS)  \
    X(__NR_renameat2,       lx_renameat2,       FS)  \
    X(__NR_chdir,           lx_chdir,           FS)  \
    X(__NR_getcwd,          lx_getcwd,          FS)  \
    X(__NR_access,          lx_access,          FS)  \
    X(__NR_faccessat,       lx_faccessat,       FS)  \
    X(__NR_readlink,        lx_readlink,        FS)  \
    X(__NR_readlinkat,      lx_readlinkat,      FS)  \
    X(__NR_symlink,         lx_symlink,         FS)  \
    X(__NR_symlinkat,       lx_symlinkat,       FS)  \
    X(__NR_link,            lx_link,            FS)  \
    X(__NR_linkat,          lx_linkat,          FS)  \
    X(__NR_umask,           lx_umask,           OWN) \
    /* inode.c: what a node says of itself, and its changes */ \
    X(__NR_stat,            lx_stat,            FS)  \
    X(__NR_lstat,           lx_lstat,           FS)  \
    X(__NR_fstat,           lx_fstat,           FS)  \
    X(__NR_newfstatat,      lx_newfstatat,      FS)  \
    X(__NR_statx,           lx_statx,           FS)  \
    X(__NR_chmod,           lx_chmod,           FS)  \
    X(__NR_fchmod,          lx_fchmod,          FS)  \
    X(__NR_fchmodat,        lx_fchmodat,        FS)  \
    X(__NR_chown,           lx_chown,           FS)  \
    X(__NR_fchown,          lx_fchown,          FS)  \
    X(__NR_lchown,          lx_lchown,          FS)  \
    X(__NR_fchownat,        lx_fchownat,        FS)  \
    X(__NR_truncate,        lx_truncate,        FS)  \
    X(__NR_ftruncate,       lx_ftruncate,       FS)  \
    X(__NR_utimensat,       lx_utimensat,       FS)  \
    /* mem.c: the address space */ \
    X(__NR_brk,             lx_brk,             OWN) \
    X(__NR_mmap,            lx_mmap,            FS)  /* a file mapping reads the file */ \
    X(__NR_munmap,          lx_munmap,          OWN) \
    X(__NR_mremap,          lx_mremap,          OWN) \
    X(__NR_mprotect,        lx_mprotect,        OWN) \
    X(__NR_madvise,         lx_madvise,         OWN) \
    /* task.c: the process itself */ \
    X(__NR_exit,            lx_exit,            OWN) /* never returns */ \
    X(__NR_exit_group,      lx_exit_group,      OWN) /* never returns */ \
    X(__NR_getpid,          lx_getpid,          FREE) \
    X(__NR_gettid,          lx_gettid,          FREE) \
    X(__NR_getppid,         lx_getppid,         OWN) \
    X(__NR_fork,            lx_fork,            OWN) \
    X(__NR_vfork,           lx_vfork,           OWN) /* a copy, the parent waiting for its exec or end */ \
    X(__NR_clone,           lx_clone,           OWN) /* fork's flags, vfork's, a thread's (thread.c) */ \
    X(__NR_futex,           lx_futex,           OWN) /* blocks */ \
    X(__NR_wait4,           lx_wait4,           OWN) /* blocks */ \
    X(__NR_execve,          lx_execve,          FS)  /* execve.c */ \
    X(__NR_setpgid,         lx_setpgid,         OWN) /* process groups and sessions */ \
    X(__NR_getpgid,         lx_getpgid,         OWN) \
    X(__NR_getpgrp,         lx_getpgrp,         OWN) \
    X(__NR_setsid,          lx_setsid,          OWN) \
    X(__NR_getsid,          lx_getsid,          OWN) \
    X(__NR_getpriority,     lx_getpriority,     OWN) /* the nice value: kept, not used */ \
    X(__NR_setpriority,     lx_setpriority,     OWN) \
    X(__NR_getuid,          lx_getuid,          OWN) /* root: every id is 0 */ \
    X(__NR_getgid,          lx_getuid,          OWN) \
    X(__NR_geteuid,         lx_getuid,          OWN) \
    X(__NR_getegid,         lx_getuid,          OWN) \
    X(__NR_arch_prctl,      lx_arch_prctl,      OWN) \
    X(__NR_set_tid_address, lx_set_tid_address, FREE) \
    X(__NR_set_robust_list, lx_set_robust_list, OWN) \
    X(__NR_get_robust_list, lx_get_robust_list, OWN) \
    X(__NR_prctl,           lx_prctl,           OWN) \
    /* signal.c: signal state */ \
    X(__NR_rt_sigaction,    lx_rt_sigaction,    OWN) \
    X(__NR_rt_sigprocmask,  lx_rt_sigprocmask,  OWN) \
    X(__NR_sigaltstack,     lx_sigaltstack,     OWN) \
    X(__NR_rt_sigreturn,    lx_rt_sigreturn,    OWN) \
    X(__NR_kill,            lx_kill,            OWN) \
    X(__NR_tkill,           lx_tkill,           OWN) \
    X(__NR_tgkill,          lx_tgkill,          OWN) \
    X(__NR_rt_sigpending,   lx_rt_sigpending,   OWN) \
    X(__NR_rt_sigsuspend,   lx_rt_sigsuspend,   OWN) /* blocks */ \
    X(__NR_pause,           lx_pause,           OWN) /* blocks */ \
    X(__NR_rt_sigtimedwait, lx_rt_sigtimedwait, OWN) /* blocks */ \
    /* time.c: clocks and sleeps */ \
    X(__NR_clock_gettime,   lx_clock_gettime,   OWN) \
    X(__NR_gettimeofday,    lx_gettimeofday,    OWN) \
    X(__NR_time,            lx_time,            OWN) \
    X(__NR_nanosleep,       lx_nanosleep,       OWN) /* blocks */ \
    X(__NR_clock_nanosleep, lx_clock_nanosleep, OWN) /* blocks */ \
    X(__NR_alarm,           lx_alarm,           OWN) \
    X(__NR_setitimer,       lx_setitimer,       OWN) \
    X(__NR_getitimer,       lx_getitimer,       OWN) \
    /* sched.c: CPUs, the scheduler, what processes used */ \
    X(__NR_sched_yield,       lx_sched_yield,       OWN) \
    X(__NR_sched_getaffinity, lx_sched_getaffinity, OWN) \
    X(__NR_sched_setaffinity, lx_sched_setaffinity, OWN) \
    X(__NR_getcpu,            lx_getcpu,            OWN) \
    X(__NR_getrusage,         lx_getrusage,         OWN) \
    X(__NR_sysinfo,           lx_sysinfo,           OWN) \
    X(__NR_membarrier,        lx_membarrier,        OWN) \
    /* sys.c: the system */ \
    X(__NR_uname,           lx_uname,           OWN) \
    X(__NR_getrandom,       lx_getrandom,       OWN) \
    X(__NR_prlimit64,       lx_prlimit64,       OWN)

struct linux_proc;
struct fs_node;

/* A syscall handler: the arguments in rdi, rsi, rdx, r10, r8, r9; returns rax. */
typedef int64_t (*linux_fn)(struct linux_proc *lp, struct utcb_exc *x);
#define LX_HANDLER(nr, fn, lock) int64_t fn(struct linux_proc *lp, struct utcb_exc *x);
LINUX_SYSCALLS(LX_HANDLER)
#undef LX_HANDLER

#define LX_STACK_MAX (8UL << 20)         /* RLIMIT_STACK: the stack grows on fault up to this */

/* Per process: what the personality remembers between syscalls (each part's file beside it). */
#define LX_MAX_FDS   1024            /* RLIMIT_NOFILE */
#define LX_NR_LOGGED 512             /* unsupported syscall numbers logged once each; larger ones once */
struct lx_pipe;
/*
 * An open file description: what open, pipe and the console make. Descriptors point at one
 * (dup gives a second descriptor the same one: one offset, one set of status flags); it goes
 * when the last descriptor does (fd.c: lx_file_put).
 */
struct lx_file {
    unsigned refs;                   /* descriptors that point here; 0: free */
    struct fs_node *node;            /* a file or directory; NULL: the console or a pipe */
    int console;                     /* the console's stream: 0 stdin, 1 stdout, 2 stderr, LX_CONSOLE_TTY
                                        (/dev/tty: read as stdin, written as stdout); -1: none */
    struct lx_pipe *pipe;            /* a pipe's end: its read end if flags say O_RDONLY */
    uint64_t off;                    /* file offset; for a directory: the next entry */
    uint32_t flags;                  /* O_* as opened (access mode and status flags) */
    const struct lx_kind *kind;      /* an eventfd, timerfd or epoll instance (obj); NULL: none */
    void *obj;
    unsigned watched;                /* epoll.c: epoll items on it (it forgets them when it goes) */
};

/* An interest a wait takes in what a look saw (poll, select, epoll): watch > 0: the looker is
 * woken when the answer may change (its bit in the object's waiter mask until a waker takes
 * it: lx_waiters_take); < 0: the wait's last look, nothing kept; 0: neither. wake: lowered to
 * the TSC time at which the answer changes by itself (a timer's expiry); 0: no such time. */
struct lx_look { int watch; uint64_t wake; };

/*
 * A kind of description that is neither a node, a pipe nor the console: Linux's anonymous
 * inodes (anon.c makes them). read and write take the process's buffer; poll says what it is
 * ready for of events (POLL*, hang-up and error unasked) and a count that moves with each
 * change (edge-triggered epoll); release frees the object with the last descriptor.
 */
struct lx_kind {
    int64_t (*read)(struct linux_proc *lp, struct lx_file *f, uint64_t buf, uint64_t len);
    int64_t (*write)(struct linux_proc *lp, struct lx_file *f, uint64_t buf, uint64_t len);
    unsigned (*poll)(struct linux_proc *lp, struct lx_file *f, unsigned events, struct lx_look *look, uint32_t *gen);
    void (*release)(void *obj);
};
/*
 * A thread of a Linux process: what is its own. The first thread's is in its process
 * (linux_proc.main), the others' come from a table (thread.c); lx_self finds the caller's.
 */
struct lx_task {
    struct linux_proc *lp;           /* its process; NULL: a free entry of the table */
    uint64_t tid;                    /* the first thread's: the process id */
    sel_t wake_sm;                   /* task.c: every blocking call of it sleeps here (lx_sleep) */
    int waiting;                     /* task.c: between lx_wait_begin and lx_wait_end (lx_wake ups wake_sm) */
    uint64_t clear_child_tid;        /* thread.c: set_tid_address, CLONE_CHILD_CLEARTID */
    uint64_t robust_list;            /* thread.c: set_robust_list's head (0: none) */
    uint64_t sigmask;                /* signal.c: rt_sigprocmask: blocked signals */
    uint64_t pending;                /* signal.c: signals sent to this thread (tgkill), not delivered yet */
    uint64_t saved_mask;             /* signal.c: the mask before rt_sigsuspend's, ... */
    bool restore_mask;               /* ... back when its signal is delivered */
    uint64_t altstack_sp, altstack_size;  /* signal.c: sigaltstack; size 0: disabled */
    uint64_t futex_addr;             /* thread.c: the futex word it waits on, ... */
    uint32_t futex_bits;             /* ... the bitset of its wait, ... */
    bool futex_queued;               /* ... and whether it waits still (a wake takes it off) */
    uint64_t clone_fpu_want;         /* signal.c: a fork or clone (its rip) waits for the FPU image, ... */
    uint64_t clone_fpu_kept;         /* ... which the recall kept for it, here: */
    uint8_t clone_fpu[UTCB_FPU_SIZE];
};

struct linux_proc {
    struct linux_proc *parent;       /* task.c: who forked it (NULL: the roottask started it) */
    struct lx_task main;             /* its first thread */
    unsigned tasks;                  /* thread.c: entries of the thread table that are its (0: none, no scan) */
    int pgid, sid;                   /* task.c: its process group and session */
    int nice;                        /* task.c: setpriority's -20..19 (the scheduler does not look) */
    bool execed;                     /* task.c: it has run execve (its parent's setpgid: -EACCES) */
    int term_signal;                 /* task.c: it ended by a fault: the signal Linux would have sent */
    bool end_told;                   /* exec.c: its parent has been told of its end (wait4 waits for it) */
    bool orphan;                     /* task.c: its parent ended first: the reaper takes it when it ends */
    struct linux_proc *vfork_parent; /* task.c: vfork's parent, waiting until this one execs or ends */
    struct lx_file *fd[LX_MAX_FDS];  /* fd.c: the descriptors */
    uint64_t cloexec[LX_MAX_FDS / 64];   /* fd.c: FD_CLOEXEC per descriptor */
    struct proc *p;
    uint64_t brk_start, brk;         /* mem.c: the program break */
    uint64_t mmap_next;              /* mem.c: where the next anonymous mapping goes */
    char exe[64];                    /* its path, for /proc/self/exe (path.c: readlink) */
    char line[3][200];               /* fd.c: console output of fd 1 and 2, a line at a time */
    unsigned len[3];
    struct fs_node *cwd;             /* path.c: the working directory (held), NULL: the root */
    uint32_t umask;                  /* path.c: permission bits new files and directories lose */
    uint64_t pending;                /* signal.c: signals sent to the process, not delivered yet (bit sig - 1) */
    uint64_t alarm_at, alarm_every;  /* time.c: ITIMER_REAL: the TSC deadline (0: off), the interval */
    struct lx_sigaction sigaction[64];   /* signal.c: rt_sigaction: per signal 1..64 */
    uint64_t logged[LX_NR_LOGGED / 64 + 1];   /* syscall.c: numbers already reported */
    uint64_t logged_fcntl;           /* fd.c: fcntl commands already reported (lx_fcntl_unsupported) */
    uint64_t child_ticks;            /* sched.c: CPU time of its waited-for children (and theirs) */
    uint64_t child_maxrss;           /* sched.c: the largest of theirs, KiB */
    uint32_t membarrier;             /* sched.c: MEMBARRIER_CMD_REGISTER_* it has made */
};

/* A Linux process's personality state (linux_spawn puts it behind p->pstate). */
static inline struct linux_proc *lx_of(struct proc *p)
{
    return p->pstate;
}

/* The calling thread of lp (its handler's): one of its threads, or its first (the only one
 * while the thread table has none of lp's). */
static inline struct lx_task *lx_self(struct linux_proc *lp)
{
    if (!__atomic_load_n(&lp->tasks, __ATOMIC_ACQUIRE))
        return &lp->main;
    struct lx_task *t = proc_thread_self(lp->p);
    return t ? t : &lp->main;
}
/* thread.c: lp's threads from *i on, one after the other, its first thread before the rest. */
struct lx_task *lx_task_next(struct linux_proc *lp, unsigned *i);
struct lx_task *lx_task_find(uint64_t tid);          /* any process's thread with that tid, or NULL */

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
    return fd < LX_MAX_FDS ? lp->fd[fd] : NULL;
}
#define O_NONBLOCK 0x800
#define O_CLOEXEC  0x80000
/* A new description (refs 1) of node, or of the console's stream, or of nothing yet; NULL: none left. */
struct lx_file *lx_file_new(struct fs_node *node, uint32_t flags, int console);
void lx_file_put(struct lx_file *f);                 /* one descriptor fewer (a file: under fs_lock) */
void lx_file_hold(struct lx_file *f);                /* one descriptor more */
/* f on the lowest free descriptor from min (taking the caller's reference); the descriptor or -EMFILE. */
int64_t lx_fd_install(struct linux_proc *lp, struct lx_file *f, unsigned min, bool cloexec);
/* What f is ready for (fd.c, for poll, select and epoll): as lx_kind's poll. */
unsigned lx_file_poll(struct linux_proc *lp, struct lx_file *f, unsigned events, struct lx_look *look, uint32_t *gen);
/* One look at what a poll, select or epoll waits for: the number ready (their results kept),
 * or -errno. look->watch < 0: only that, nothing kept. */
typedef int64_t (*lx_poll_look)(struct linux_proc *lp, void *what, struct lx_look *look);
/* fd.c: look until something is ready, deadline (0: none) passes (0 ready), or a signal comes
 * (-ERESTARTNOHAND); in between the process sleeps, as every blocking call (task.c). */
int64_t lx_poll_wait(struct linux_proc *lp, lx_poll_look look, void *what, uint64_t deadline);
/* fd.c: ppoll's and epoll_pwait2's start: the deadline of the timespec at timeout (NULL: none),
 * then the mask for the call (lx_call_mask): 0 or -errno. */
int64_t lx_timed_mask(struct linux_proc *lp, uint64_t timeout, uint64_t mask, uint64_t size, uint64_t *deadline);
/* anon.c: a new description of kind for obj on the lowest free descriptor (flags: O_NONBLOCK,
 * O_CLOEXEC): the descriptor; or -errno, obj released. */
int64_t lx_anon_install(struct linux_proc *lp, const struct lx_kind *kind, void *obj, uint32_t flags);
struct pool;
void *lx_anon_get(struct pool *pool);                /* a zeroed object of the pool, or NULL */
void lx_anon_put(void *obj);
/*
 * wait.c: wait, the object's spin lock held, until until(obj) says a call need not (0); else
 * it says until when (a TSC time, or LX_FOREVER). The process's slot bit is in *waiters while
 * it sleeps without the lock and fs_lock (read and write run under it). 0; nonblock: -EAGAIN;
 * a signal to handle: -ERESTARTSYS. Whoever changes the object wakes the mask (lx_wake_mask).
 */
#define LX_FOREVER (~0UL)
int64_t lx_block(struct linux_proc *lp, volatile int *lock, uint32_t *waiters, uint64_t (*until)(void *obj),
                 void *obj, bool nonblock);
void lx_wake_mask(uint32_t waiters);
/*
 * A waiter mask has a bit per process, and a process may have several threads waiting on the
 * object, so only a waker takes bits out, all at once, under the object's lock
 * (lx_waiters_take), and wakes those processes: each of their threads looks again and puts
 * the bit back if it still waits. A thread that stops waiting (a timeout, a signal, the end
 * of a poll) leaves the bit, which a sibling may still wait on: a stale bit costs one
 * needless wake.
 */
static inline void lx_waiter_add(uint32_t *waiters, const struct linux_proc *lp)
{
    *waiters |= 1u << lp->p->slot;
}

static inline uint32_t lx_waiters_take(uint32_t *waiters)
{
    uint32_t w = *waiters;
    *waiters = 0;
    return w;
}
/* epoll.c: f goes (its last descriptor did): out of every epoll instance watching it. */
void lx_epoll_forget(struct lx_file *f);
/* pipe.c: a pipe end's read and write, from and to the process's memory; poll's view of it. */
int64_t lx_pipe_read(struct linux_proc *lp, struct lx_file *f, uint64_t buf, uint64_t len);
int64_t lx_pipe_write(struct linux_proc *lp, struct lx_file *f, const void *buf, uint64_t len);
unsigned lx_pipe_poll(struct lx_file *f, uint32_t *gen);   /* POLLIN / POLLOUT / POLLHUP / POLLERR bits */
/* lp waits for f's pipe to change (poll, select): lx_wake when it does (its bit stays until then). */
void lx_pipe_watch(struct linux_proc *lp, struct lx_file *f);
void lx_pipe_close(struct lx_file *f);               /* its end goes; the pipe with the last one */
void linux_flush(struct linux_proc *lp);                 /* console lines not ended yet */
/*
 * Where the console's stdout and stderr go: tagged lines on the log (the default); with
 * LX_CONSOLE_STREAMS (facet-run's scenario) every byte as it is to COM2 and COM3; with
 * LX_CONSOLE_TERMINAL (the shell's) every byte to COM1, through the terminal's output modes.
 */
enum lx_console_mode { LX_CONSOLE_LOG, LX_CONSOLE_STREAMS, LX_CONSOLE_TERMINAL };
extern enum lx_console_mode lx_console_mode;
#define LX_COM_STDOUT 0x2f8
#define LX_COM_STDERR 0x3e8
/* Its fd 0 reads the file at path instead of the console; false if there is none. */
bool linux_stdin_file(struct proc *p, const char *path);
/* Every descriptor and the working directory let go: the process is being torn down. */
void linux_release(struct proc *p);

/* time.c: clocks and sleeps. */
/*
 * tty.c: the console as a terminal. Its input, once lx_tty_start has COM1's receiver running
 * (else stdin is at its end): a queue the line discipline fills as bytes come in.
 */
void lx_tty_start(void);
void lx_tty_receive(uint8_t c);                      /* one byte from the UART: echo, edit, signal, queue */
int64_t lx_tty_read(struct linux_proc *lp, uint64_t buf, uint64_t len, bool nonblock);   /* under fs_lock */
bool lx_tty_readable(void);                          /* a read would not wait (poll's POLLIN) */
void lx_tty_watch(struct linux_proc *lp);            /* poll: lp is woken when input comes */
int64_t lx_tty_ioctl(struct linux_proc *lp, uint64_t req, uint64_t arg);   /* TCGETS, TCSETS*, ... */
void lx_tty_write(unsigned stream, const char *s, uint64_t n);   /* program output, in terminal mode */
void lx_timer_init(void);    /* on the main thread before any process: the thread that fires ITIMER_REAL */
void lx_timer_stop(struct linux_proc *lp);           /* its ITIMER_REAL off (it ends or goes) */
/* The TSC ticks of the timespec at va (tv_sec cut to 10^8 s): 0, -EFAULT or -EINVAL. */
int64_t lx_timespec_ticks(struct linux_proc *lp, uint64_t va, uint64_t *ticks);
/* The TSC deadline of a poll/select timeout at va, a timespec or a timeval (NULL: 0, none):
 * 0, -EFAULT or -EINVAL; and the time left to deadline written back there. */
int64_t lx_timeout_deadline(struct linux_proc *lp, uint64_t va, bool timeval, uint64_t *deadline);
int64_t lx_timeout_left(struct linux_proc *lp, uint64_t va, bool timeval, uint64_t deadline);
uint64_t lx_deadline_ms(int64_t ms);                 /* poll's: < 0 none (0), 0 at once */
uint64_t lx_clock_ns(uint64_t clock);                /* a clock's nanoseconds (since 1970 or the boot) */
uint64_t lx_ticks(uint64_t sec, uint64_t ns);        /* TSC ticks of a span (seconds cut to 10^8) */
/* How far the clock's time ts (a valid timespec) lies ahead of now: ns, < 0 behind (seconds cut to 4 x 10^9). */
int64_t lx_ns_ahead(uint64_t clock, const struct lx_timespec *ts);
uint64_t lx_ns(uint64_t ticks);                      /* nanoseconds of TSC ticks */
/* sched.c: the struct rusage of t (RUSAGE_SELF, RUSAGE_CHILDREN, or both for wait4) to lp's va. */
bool lx_rusage_put(struct linux_proc *lp, struct linux_proc *t, int who, uint64_t va);
void lx_rusage_reaped(struct linux_proc *lp, struct linux_proc *c);   /* c waited for: its use is lp's children's */
/* exec.c: the personality's state of a new process p (zeroed, linked to p); fork's child too. */
struct linux_proc *lx_proc_new(struct proc *p);
/* exec.c: a new program's stack: the growth area and the initial stack (argc, argv, envp, auxv). */
bool lx_stack_setup(struct proc *p, int argc, const char *const *argv, const char *const *envp, const char *path);
void lx_clock_init(void);    /* time.c, on the main thread before any process: the RTC read once */
void lx_wait_init(void);     /* task.c, on the roottask's main thread before any process: the slots' semaphores */
sel_t lx_wait_sm(unsigned slot);                     /* task.c: that slot's, for its new process (emptied) */
struct linux_proc *lx_slot(unsigned slot);           /* exec.c: the state of the slot's process (maybe none) */
/*
 * task.c: waiting. A call that blocks announces it (lx_wait_begin) before it looks at what it
 * waits for, then sleeps on its own semaphore (lx_sleep) until that changes or a signal comes;
 * whoever changes it afterwards wakes it (lx_wake). See docs/architecture.md, section 7a.
 */
void lx_wait_begin(struct linux_proc *lp);
unsigned lx_sleep(struct linux_proc *lp, uint64_t deadline);   /* proc_block's status */
void lx_wait_end(struct linux_proc *lp);
void lx_wake(struct linux_proc *lp);
void lx_task_wake(struct lx_task *t);                /* one thread, if it waits */
/* thread.c: threads. */
void lx_thread_init(void);                           /* with lx_wait_init */
int64_t lx_clone_thread(struct linux_proc *lp, struct utcb_exc *x);
void lx_threads_release(struct linux_proc *lp);      /* its threads' state goes (the process's end, execve) */
/* time.c: a futex wait's timeout at va (absolute: a time of CLOCK_MONOTONIC, or CLOCK_REALTIME): its TSC deadline. */
int64_t lx_futex_deadline(struct linux_proc *lp, uint64_t va, bool absolute, bool realtime, uint64_t *deadline);
/* task.c: the Linux processes (running, or ended and not waited for) from *slot on; one by pid. */
struct linux_proc *lx_next(unsigned *slot);
struct linux_proc *lx_find(int64_t pid);
int lx_pgrp_session(int pgid);                       /* task.c: the session of group pgid; 0: no such group */
/* fd.c: the console, the controlling terminal of the session lp leads (the first process's). */
void lx_console_session(struct linux_proc *lp);
int lx_console_foreground(void);                     /* fd.c: the console's foreground process group */
/* fd.c: every descriptor of lp closed (an exit: the pipes see their end at once). */
void lx_close_all(struct linux_proc *lp);
/* path.c: N if path is /dev/fd/N or /proc/self/fd/N (a descriptor's own name), else -1. */
int lx_fd_path(const char *path);
/* path.c: a NUL-terminated string of the process at va into out (cap bytes): its length, or
 * -EFAULT, or -ENAMETOOLONG if no NUL comes within cap. */
int64_t lx_user_string(struct linux_proc *lp, uint64_t va, char *out, unsigned cap);
/* path.c: path arguments. A dirfd argument is a C int, AT_FDCWD among its values. */
#define AT_FDCWD            (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_EMPTY_PATH       0x1000
static inline int64_t lx_dirfd(uint64_t arg) { return (int32_t)arg; }
/* The path at va into out (cap bytes), *base the directory a relative one starts from (dirfd's,
 * or the working directory for AT_FDCWD); 0 or -errno (-ENOENT for ""). */
int64_t lx_user_path(struct linux_proc *lp, int64_t dirfd, uint64_t va, char *out, unsigned cap, struct fs_node **base);
/* The node a path argument names (its last link followed if follow): 0 with *out set, or -errno. */
int64_t lx_user_node(struct linux_proc *lp, int64_t dirfd, uint64_t va, bool follow, struct fs_node **out);
/* signal.c: send sig to lp (from pid, 0: the system); deliver what is pending and unblocked
 * into the registers of a syscall's reply (x): a handler's frame, or the default action. */
void lx_signal_send(struct linux_proc *lp, int sig, int from_pid);
/* nr: the syscall returning now (its -ERESTART* codes become -EINTR or the call again), -1: none.
 * True if it changed registers other than rax (a handler's frame, a call started again).
 * x->mtd: the message's groups; with MTD_FPU the FPU image is in the UTCB (a recall's, a
 * fault's), without it (a syscall's) a handler's frame waits for the recall it makes. MTD_FPU
 * stays in x->mtd only if a frame was made (the handler starts with a fresh FPU state). */
bool lx_signal_deliver(struct linux_proc *lp, struct utcb_exc *x, int64_t nr);
/* The FPU image of the message or reply x (abi.md: MTD_FPU), in the UTCB that holds x. */
static inline void *lx_fpu_image(struct utcb_exc *x)
{
    return utcb_fpu((struct utcb *)((char *)x - offsetof(struct utcb, exc)));
}
/* The reply x gives the thread the FPU state of a program's start (execve, a handler's entry). */
void lx_fpu_fresh(struct utcb_exc *x);
/* The calling thread's FPU image for the child of its fork, vfork or clone x (the child inherits
 * it, as on Linux); NULL: the syscall's message has none, and the caller returns
 * -LX_ERESTARTNOINTR: the call comes again after the recall this asks for, which keeps the
 * image (lx_clone_fpu_keep, from the recall's message). */
const void *lx_clone_fpu(struct linux_proc *lp, const struct utcb_exc *x);
void lx_clone_fpu_keep(struct linux_proc *lp, struct utcb_exc *x);
/* What is pending for thread t of lp (its own and the process's); and of that, what its mask
 * lets through (SIGKILL and SIGSTOP are never blocked). */
#define UNBLOCKABLE ((1UL << 8) | (1UL << 18))
static inline uint64_t lx_signal_pending(struct linux_proc *lp, struct lx_task *t)
{
    return __atomic_load_n(&lp->pending, __ATOMIC_SEQ_CST) | __atomic_load_n(&t->pending, __ATOMIC_SEQ_CST);
}
static inline uint64_t lx_signal_ready(struct linux_proc *lp, struct lx_task *t)
{
    return lx_signal_pending(lp, t) & ~(t->sigmask & ~UNBLOCKABLE);
}
/* x->rax of syscall nr (-1: none) is one of the -ERESTART* codes a signal's delivery resolves. */
static inline bool lx_restart_code(const struct utcb_exc *x, int64_t nr)
{
    int64_t r = (int64_t)x->rax;
    return nr >= 0 && r <= -LX_ERESTARTSYS && r >= -LX_ERESTART_RESTARTBLOCK;
}
/* Anything for lx_signal_deliver to do for thread self? Reads only what its own thread changes,
 * or atomics, without the process's lock (a signal sent just after comes with its recall):
 * inline, as every call's way back asks. */
static inline bool lx_signal_due_for(struct linux_proc *lp, struct lx_task *self, const struct utcb_exc *x, int64_t nr)
{
    return lx_signal_ready(lp, self) || lx_restart_code(x, nr) || self->restore_mask;
}
static inline bool lx_signal_due(struct linux_proc *lp, const struct utcb_exc *x, int64_t nr)
{
    return lx_signal_due_for(lp, lx_self(lp), x, nr);
}
/* A signal a blocking call must stop for: pending, unblocked, handled or deadly (not ignored). */
bool lx_signal_interrupts(struct linux_proc *lp);
void lx_console_signal(int sig);                     /* the console's Ctrl-C (SIGINT), Ctrl-\ (SIGQUIT) */
/* The mask for one call (sigsuspend, ppoll, pselect6: a sigset_t at va of size len; va 0: none):
 * 0 or -errno; the old one comes back with the handler's return, or at once if the call ends
 * otherwise than by a signal (lx_call_mask_done, which passes the call's result r through). */
int64_t lx_call_mask(struct linux_proc *lp, uint64_t va, uint64_t len);
int64_t lx_call_mask_done(struct linux_proc *lp, int64_t r);
/* A fault of the process, as signal sig: into its handler (x: the fault's state, with its FPU
 * image: MTD_FPU); false: none. */
bool lx_signal_fault(struct linux_proc *lp, int sig, unsigned vector, struct utcb_exc *x);
/* task.c: its children (running or ended) torn down: it is going itself. */
/* task.c: it is going: its ended children go now, the others become orphans (lx_orphan_ended). */
void lx_reap_children(struct linux_proc *lp);
void lx_orphan_ended(void);                          /* an orphan has ended: the reaper looks */
void lx_vfork_release(struct linux_proc *lp);        /* task.c: it has exec'ed or ended: its vfork parent goes on */

/* dev.c: the device files (/dev/null, /dev/zero, /dev/full, /dev/random, /dev/urandom): nodes
 * of the file system the personality recognises; reads and writes on them come here. */
void lx_dev_init(void);                              /* when the first process starts */
bool lx_dev_tty(const struct fs_node *n);            /* /dev/tty: opened as the console (lx_tty_open) */
/* fd.c: /dev/tty on descriptor fd: the console, if it is lp's controlling terminal; or -ENXIO. */
#define LX_CONSOLE_TTY 3
int64_t lx_tty_open(struct linux_proc *lp, uint64_t flags, unsigned fd);
uint64_t lx_dev_rdev(const struct fs_node *n);       /* st_rdev, as Linux encodes it; 0: no device */
int64_t lx_dev_read(struct linux_proc *lp, const struct fs_node *n, uint64_t buf, uint64_t len);
int64_t lx_dev_write(const struct fs_node *n, uint64_t len);
/* sys.c: len pseudo-random bytes (getrandom, /dev/urandom): not for cryptography. */
void lx_random_fill(uint8_t *b, uint64_t len);

/* exec.c: start a static x86-64 Linux executable from the userland archive; NULL if it cannot. */
struct proc *linux_spawn(const char *path, int argc, const char *const *argv, const char *const *envp, unsigned cpu);

/* syscall.c: the personality: every foreign syscall of a Linux process. */
void linux_syscall(struct proc *p, struct utcb *u);
