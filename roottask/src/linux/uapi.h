/* SPDX-License-Identifier: MIT */
/* src/linux/uapi.h — what the personality reads and writes in a Linux program's memory, laid out as x86-64 Linux does. */
#pragma once

/*
 * Each structure is the kernel's (its UAPI header named above it), with the kernel's field
 * names; user pointers are uint64_t, C longs int64_t/uint64_t. The asserts pin the x86-64
 * layout; tests/test_linux_uapi.c compares every field with the kernel's own headers.
 * Some differ from glibc's structure of the same name (termios, sigaction): a program's libc
 * converts, so the kernel's is the one to copy.
 */
#include <stddef.h>
#include <stdint.h>

/* ---- terminals: ioctl ---- */

#define LX_TCGETS     0x5401         /* asm-generic/ioctls.h */
#define LX_TCSETS     0x5402
#define LX_TCSETSW    0x5403
#define LX_TCSETSF    0x5404
#define LX_TIOCGWINSZ 0x5413
#define LX_FIONREAD   0x541B
#define LX_TIOCGPGRP  0x540f         /* the foreground process group: tcgetpgrp */
#define LX_TIOCSPGRP  0x5410         /* tcsetpgrp */
#define LX_TIOCGSID   0x5429         /* the terminal's session: tcgetsid */

/* asm-generic/termbits.h: struct termios (glibc's is 60 bytes, with speeds: not this). */
#define LX_NCCS 19
struct lx_termios {
    uint32_t c_iflag;                /*  0: input modes */
    uint32_t c_oflag;                /*  4: output modes */
    uint32_t c_cflag;                /*  8: control modes */
    uint32_t c_lflag;                /* 12: local modes */
    uint8_t c_line;                  /* 16: line discipline */
    uint8_t c_cc[LX_NCCS];           /* 17: control characters, by LX_V* */
};                                   /* 36 */
_Static_assert(sizeof(struct lx_termios) == 36, "struct termios is 36 bytes");
_Static_assert(offsetof(struct lx_termios, c_line) == 16 && offsetof(struct lx_termios, c_cc) == 17,
               "termios: c_line, c_cc");

/* The flags and c_cc slots n_tty sets for a fresh terminal (asm-generic/termbits*.h), and the
 * others the console's line discipline (tty.c) looks at. */
#define LX_INLCR   0000100           /* c_iflag */
#define LX_IGNCR   0000200
#define LX_ICRNL   0000400
#define LX_IXON    0002000
#define LX_OPOST   0000001           /* c_oflag */
#define LX_ONLCR   0000004
#define LX_B38400  0000017           /* c_cflag */
#define LX_CS8     0000060
#define LX_CREAD   0000200
#define LX_HUPCL   0002000
#define LX_NOFLSH  0000200           /* c_lflag */
#define LX_ISIG    0000001
#define LX_ICANON  0000002
#define LX_ECHO    0000010
#define LX_ECHOE   0000020
#define LX_ECHOK   0000040
#define LX_ECHOCTL 0001000
#define LX_ECHOKE  0004000
#define LX_IEXTEN  0100000
#define LX_VINTR     0
#define LX_VQUIT     1
#define LX_VERASE    2
#define LX_VKILL     3
#define LX_VEOF      4
#define LX_VTIME     5
#define LX_VMIN      6
#define LX_VSTART    8
#define LX_VSTOP     9
#define LX_VSUSP    10
#define LX_VREPRINT 12
#define LX_VDISCARD 13
#define LX_VWERASE  14
#define LX_VLNEXT   15

/* asm-generic/termios.h: struct winsize (TIOCGWINSZ). */
struct lx_winsize {
    uint16_t ws_row;                 /* 0 */
    uint16_t ws_col;                 /* 2 */
    uint16_t ws_xpixel;              /* 4 */
    uint16_t ws_ypixel;              /* 6 */
};                                   /* 8 */
_Static_assert(sizeof(struct lx_winsize) == 8, "struct winsize is 8 bytes");

/* ---- descriptors: readv/writev, poll ---- */

/* linux/uio.h: struct iovec. */
struct lx_iovec {
    uint64_t iov_base;               /* 0: a user address */
    uint64_t iov_len;                /* 8 */
};                                   /* 16 */
_Static_assert(sizeof(struct lx_iovec) == 16, "struct iovec is 16 bytes");

/* asm-generic/poll.h: struct pollfd. */
struct lx_pollfd {
    int32_t fd;                      /* 0 */
    int16_t events;                  /* 4 */
    int16_t revents;                 /* 6 */
};                                   /* 8 */
_Static_assert(sizeof(struct lx_pollfd) == 8 && offsetof(struct lx_pollfd, revents) == 6, "struct pollfd");

/* linux/eventpoll.h: struct epoll_event, packed on x86-64 (12 bytes: data at 4). */
struct lx_epoll_event {
    uint32_t events;                 /* 0: EPOLL* */
    uint64_t data;                   /* 4: the program's, given back as it was */
} __attribute__((packed));           /* 12 */
_Static_assert(sizeof(struct lx_epoll_event) == 12 && offsetof(struct lx_epoll_event, data) == 4,
               "x86-64 struct epoll_event is packed: 12 bytes");

/* ---- files: stat, statx, getdents64 ---- */

/* arch/x86/include/uapi/asm/stat.h: struct stat for x86-64 (st_nlink before st_mode, unlike
 * the generic one); what stat, lstat, fstat and newfstatat fill in. */
struct lx_stat {
    uint64_t st_dev;                 /*   0 */
    uint64_t st_ino;                 /*   8 */
    uint64_t st_nlink;               /*  16 */
    uint32_t st_mode;                /*  24 */
    uint32_t st_uid;                 /*  28 */
    uint32_t st_gid;                 /*  32 */
    uint32_t __pad0;                 /*  36 */
    uint64_t st_rdev;                /*  40 */
    int64_t st_size;                 /*  48 */
    int64_t st_blksize;              /*  56 */
    int64_t st_blocks;               /*  64: in 512-byte units */
    uint64_t st_atime;               /*  72 */
    uint64_t st_atime_nsec;          /*  80 */
    uint64_t st_mtime;               /*  88 */
    uint64_t st_mtime_nsec;          /*  96 */
    uint64_t st_ctime;               /* 104 */
    uint64_t st_ctime_nsec;          /* 112 */
    int64_t __unused[3];             /* 120 */
};                                   /* 144 */
_Static_assert(sizeof(struct lx_stat) == 144, "x86-64 struct stat is 144 bytes");
_Static_assert(offsetof(struct lx_stat, st_mode) == 24 && offsetof(struct lx_stat, st_rdev) == 40 &&
               offsetof(struct lx_stat, st_size) == 48 && offsetof(struct lx_stat, st_atime) == 72,
               "x86-64 struct stat");

/* The kernel's struct linux_dirent64 (include/linux/dirent.h, not UAPI; glibc's struct
 * dirent64 on x86-64 is the same record): a getdents64 entry, reclen bytes long. */
struct lx_dirent64 {
    uint64_t d_ino;                  /*  0 */
    int64_t d_off;                   /*  8: where the next entry starts (for lseek) */
    uint16_t d_reclen;               /* 16: this record's length, a multiple of 8 */
    uint8_t d_type;                  /* 18: LX_DT_* */
    char d_name[];                   /* 19: NUL-terminated */
};
_Static_assert(offsetof(struct lx_dirent64, d_name) == 19, "linux_dirent64: the name at 19");
#define LX_DT_DIR 4
#define LX_DT_REG 8
#define LX_DT_LNK 10

/* linux/stat.h: struct statx_timestamp and struct statx (statx). */
struct lx_statx_timestamp {
    int64_t tv_sec;                  /*  0 */
    uint32_t tv_nsec;                /*  8 */
    int32_t __reserved;              /* 12 */
};                                   /* 16 */
_Static_assert(sizeof(struct lx_statx_timestamp) == 16, "struct statx_timestamp is 16 bytes");

struct lx_statx {
    uint32_t stx_mask;               /*   0: STATX_* of what is filled in */
    uint32_t stx_blksize;            /*   4 */
    uint64_t stx_attributes;         /*   8 */
    uint32_t stx_nlink;              /*  16 */
    uint32_t stx_uid;                /*  20 */
    uint32_t stx_gid;                /*  24 */
    uint16_t stx_mode;               /*  28 */
    uint16_t __spare0[1];            /*  30 */
    uint64_t stx_ino;                /*  32 */
    uint64_t stx_size;               /*  40 */
    uint64_t stx_blocks;             /*  48 */
    uint64_t stx_attributes_mask;    /*  56 */
    struct lx_statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;   /* 64, 80, 96, 112 */
    uint32_t stx_rdev_major;         /* 128 */
    uint32_t stx_rdev_minor;         /* 132 */
    uint32_t stx_dev_major;          /* 136 */
    uint32_t stx_dev_minor;          /* 140 */
    uint64_t stx_mnt_id;             /* 144 */
    uint32_t stx_dio_mem_align;      /* 152 */
    uint32_t stx_dio_offset_align;   /* 156 */
    uint64_t __spare3[12];           /* 160 */
};                                   /* 256 */
_Static_assert(sizeof(struct lx_statx) == 256 && offsetof(struct lx_statx, stx_atime) == 64 &&
               offsetof(struct lx_statx, stx_rdev_major) == 128, "struct statx");
#define LX_STATX_BASIC_STATS 0x7ffu  /* type, mode, nlink, uid, gid, atime, mtime, ctime, ino, size, blocks */

/* ---- the system: uname, prlimit64 ---- */

/* linux/utsname.h: struct new_utsname (uname). */
#define LX_UTS_LEN 65                /* __NEW_UTS_LEN + 1 */
struct lx_new_utsname {
    char sysname[LX_UTS_LEN];        /*   0 */
    char nodename[LX_UTS_LEN];       /*  65 */
    char release[LX_UTS_LEN];        /* 130 */
    char version[LX_UTS_LEN];        /* 195 */
    char machine[LX_UTS_LEN];        /* 260 */
    char domainname[LX_UTS_LEN];     /* 325 */
};                                   /* 390 */
_Static_assert(sizeof(struct lx_new_utsname) == 390, "struct new_utsname is 6 x 65 bytes");

/* linux/resource.h: struct rlimit64 (prlimit64). */
#define LX_RLIMIT_STACK   3
#define LX_RLIM_INFINITY  (~0ULL)
struct lx_rlimit64 {
    uint64_t rlim_cur;               /* 0 */
    uint64_t rlim_max;               /* 8 */
};                                   /* 16 */
_Static_assert(sizeof(struct lx_rlimit64) == 16, "struct rlimit64 is 16 bytes");

/* ---- time ---- */

/* linux/time_types.h: struct __kernel_timespec, x86-64's struct timespec (clock_gettime,
 * nanosleep, clock_nanosleep, utimensat's two). */
struct lx_timespec {
    int64_t tv_sec;                  /* 0 */
    int64_t tv_nsec;                 /* 8 */
};                                   /* 16 */
_Static_assert(sizeof(struct lx_timespec) == 16, "struct timespec is 16 bytes");

/* linux/time.h: struct timeval and struct timezone (gettimeofday). */
struct lx_timeval {
    int64_t tv_sec;                  /* 0 */
    int64_t tv_usec;                 /* 8 */
};                                   /* 16 */
_Static_assert(sizeof(struct lx_timeval) == 16, "struct timeval is 16 bytes");

struct lx_timezone {
    int32_t tz_minuteswest;          /* 0 */
    int32_t tz_dsttime;              /* 4 */
};                                   /* 8 */
_Static_assert(sizeof(struct lx_timezone) == 8, "struct timezone is 8 bytes");

/* linux/time.h: struct itimerval (setitimer, getitimer). */
struct lx_itimerval {
    struct lx_timeval it_interval;   /*  0: the period after the first expiry; 0: once */
    struct lx_timeval it_value;      /* 16: the time to the next expiry; 0: off */
};                                   /* 32 */
_Static_assert(sizeof(struct lx_itimerval) == 32, "struct itimerval is 32 bytes");

/* linux/time.h: struct itimerspec (timerfd_settime, timerfd_gettime). */
struct lx_itimerspec {
    struct lx_timespec it_interval;  /*  0: the period after the first expiry; 0: once */
    struct lx_timespec it_value;     /* 16: the time to the next expiry; 0: off */
};                                   /* 32 */
_Static_assert(sizeof(struct lx_itimerspec) == 32 && offsetof(struct lx_itimerspec, it_value) == 16,
               "struct itimerspec is 32 bytes");

/* linux/resource.h: struct rusage (getrusage, wait4). */
struct lx_rusage {
    struct lx_timeval ru_utime;      /*   0 */
    struct lx_timeval ru_stime;      /*  16 */
    int64_t ru_maxrss;               /*  32: KiB */
    int64_t ru_ixrss, ru_idrss, ru_isrss, ru_minflt, ru_majflt, ru_nswap;   /* 40 */
    int64_t ru_inblock, ru_oublock, ru_msgsnd, ru_msgrcv, ru_nsignals;     /* 88 */
    int64_t ru_nvcsw, ru_nivcsw;     /* 128 */
};                                   /* 144 */
_Static_assert(sizeof(struct lx_rusage) == 144 && offsetof(struct lx_rusage, ru_maxrss) == 32 &&
               offsetof(struct lx_rusage, ru_nivcsw) == 136, "struct rusage is 144 bytes");

/* linux/sysinfo.h: struct sysinfo (sysinfo). */
struct lx_sysinfo {
    int64_t uptime;                  /*   0: seconds since the boot */
    uint64_t loads[3];               /*   8: 1, 5, 15 minutes, << 16 */
    uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;  /* 32 */
    uint16_t procs;                  /*  80 */
    uint16_t pad;                    /*  82 */
    uint32_t pad2;                   /*  84: implicit in the kernel's; named, so no stale bytes go out */
    uint64_t totalhigh, freehigh;    /*  88 */
    uint32_t mem_unit;               /* 104: bytes of the unit of the sizes */
    char _f[4];                      /* 108: 20 - 2 * 8 - 4 bytes of libc5's padding, and 4 to 8-align */
};                                   /* 112 */
_Static_assert(sizeof(struct lx_sysinfo) == 112 && offsetof(struct lx_sysinfo, procs) == 80 &&
               offsetof(struct lx_sysinfo, mem_unit) == 104, "struct sysinfo is 112 bytes");

/* ---- signals ---- */

/* arch/x86/include/uapi/asm/signal.h: the kernel's struct sigaction for x86-64 (rt_sigaction),
 * the mask last; glibc's has a 128-byte mask second and is converted by the library. */
struct lx_sigaction {
    uint64_t sa_handler;             /*  0: SIG_DFL (0), SIG_IGN (1) or a user address */
    uint64_t sa_flags;               /*  8: SA_* (an unsigned long) */
    uint64_t sa_restorer;            /* 16 */
    uint64_t sa_mask;                /* 24: sigset_t, 64 signals */
};                                   /* 32 */
_Static_assert(sizeof(struct lx_sigaction) == 32 && offsetof(struct lx_sigaction, sa_mask) == 24,
               "x86-64 kernel struct sigaction");

/* asm/signal.h: struct sigaltstack, stack_t (sigaltstack). */
struct lx_sigaltstack {
    uint64_t ss_sp;                  /*  0: a user address */
    int32_t ss_flags;                /*  8: SS_* */
    int32_t pad;                     /* 12: implicit in the kernel's; named, so a copy out sends no stale bytes */
    uint64_t ss_size;                /* 16 */
};                                   /* 24 */
_Static_assert(sizeof(struct lx_sigaltstack) == 24 && offsetof(struct lx_sigaltstack, ss_size) == 16, "stack_t");

/* asm/sigcontext.h: struct sigcontext (x86-64), the registers a signal frame saves. */
struct lx_sigcontext {
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;    /*   0 */
    uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp;   /*  64 */
    uint64_t rip, eflags;                              /* 128 */
    uint16_t cs, gs, fs, ss;                           /* 144 (ss: __pad0 in older headers) */
    uint64_t err, trapno, oldmask, cr2;                /* 152 */
    uint64_t fpstate;                                  /* 184: a user address, 0: none saved */
    uint64_t reserved1[8];                             /* 192 */
};                                                     /* 256 */
_Static_assert(sizeof(struct lx_sigcontext) == 256 && offsetof(struct lx_sigcontext, rip) == 128 &&
               offsetof(struct lx_sigcontext, fpstate) == 184, "x86-64 struct sigcontext");

/* asm/ucontext.h: struct ucontext. */
struct lx_ucontext {
    uint64_t uc_flags;                                 /*   0 */
    uint64_t uc_link;                                  /*   8 */
    struct lx_sigaltstack uc_stack;                    /*  16 */
    struct lx_sigcontext uc_mcontext;                  /*  40 */
    uint64_t uc_sigmask;                               /* 296: sigset_t */
};                                                     /* 304 */
_Static_assert(sizeof(struct lx_ucontext) == 304 && offsetof(struct lx_ucontext, uc_sigmask) == 296, "struct ucontext");

/* asm-generic/siginfo.h: siginfo_t (128 bytes): the fields of a kill and of a fault. */
struct lx_siginfo {
    int32_t si_signo, si_errno, si_code;               /*  0 */
    int32_t pad0;                                      /* 12: the union is 8-aligned */
    union {
        struct { int32_t pid; uint32_t uid; } kill;    /* 16: si_pid, si_uid */
        struct { uint64_t addr; } fault;               /* 16: si_addr */
        uint8_t bytes[112];
    } u;
};                                                     /* 128 */
_Static_assert(sizeof(struct lx_siginfo) == 128 && offsetof(struct lx_siginfo, u) == 16, "siginfo_t");

/* arch/x86/include/asm/sigframe.h: struct rt_sigframe, at the handler's rsp. */
struct lx_rt_sigframe {
    uint64_t pretcode;                                 /*   0: sa_restorer, the handler's return address */
    struct lx_ucontext uc;                             /*   8 */
    struct lx_siginfo info;                            /* 312 */
};                                                     /* 440 */
_Static_assert(sizeof(struct lx_rt_sigframe) == 440 && offsetof(struct lx_rt_sigframe, info) == 312, "rt_sigframe");

/* ---- the process ---- */

/* linux/futex.h: struct robust_list_head (set_robust_list checks its size). */
struct lx_robust_list_head {
    uint64_t list;                   /*  0: struct robust_list, a user address */
    int64_t futex_offset;            /*  8 */
    uint64_t list_op_pending;        /* 16 */
};                                   /* 24 */
_Static_assert(sizeof(struct lx_robust_list_head) == 24, "struct robust_list_head is 24 bytes");

/* elf.h: Elf64_auxv_t, one (key, value) pair of the initial stack's auxv. build_stack
 * (exec.c) writes them as uint64_t[2] inside its LAB block; this is the layout it must match. */
struct lx_auxv {
    uint64_t a_type;                 /* 0: AT_* */
    uint64_t a_val;                  /* 8 */
};                                   /* 16 */
_Static_assert(sizeof(struct lx_auxv) == 2 * sizeof(uint64_t), "an auxv entry is two words");
