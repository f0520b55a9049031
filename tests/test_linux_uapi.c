/* SPDX-License-Identifier: MIT */
/* tests/test_linux_uapi.c — the personality's Linux structures (linux/uapi.h) against the kernel's own UAPI headers. */
#include "roottask/src/linux/uapi.h"
#include "unit.h"

/*
 * The kernel's headers as Debian's linux-libc-dev ships them. They are included without
 * glibc's <signal.h>, <sys/stat.h>, <termios.h>, <sys/uio.h>, <poll.h> and <time.h>, whose
 * structures of the same names conflict with them (and in the cases of termios, stat and
 * sigaction differ from them: the library converts). unit.h's headers are strict C11 (no
 * feature macros), which keeps sys/types.h and its struct timeval out.
 */
#include <asm/ioctls.h>
#include <asm/poll.h>
#include <asm/signal.h>
#include <asm/sigcontext.h>
#include <asm/ucontext.h>
#include <asm/stat.h>
#include <asm/termbits.h>
#include <asm/termios.h>
#include <linux/eventpoll.h>
#include <linux/futex.h>
#include <linux/resource.h>
#include <linux/stat.h>
#include <linux/sysinfo.h>
#include <linux/time.h>
#include <linux/time_types.h>
#include <linux/uio.h>
#include <linux/utsname.h>
#include <dirent.h>
#include <elf.h>

/* A field of ours (struct lx_T) at the kernel's offset (in struct K) with the kernel's size. */
#define CHECK_FIELD(lx, k, field)                                                         \
    do {                                                                                  \
        CHECK_EQ(offsetof(struct lx, field), offsetof(k, field));                         \
        CHECK_EQ(sizeof ((struct lx *)0)->field, sizeof ((k *)0)->field);                 \
    } while (0)

/* ... and, for an integer field, of the kernel's signedness too. */
#define IS_SIGNED(t) (!((__typeof__(t))-1 > 0))
#define CHECK_INT_FIELD(lx, k, field)                                                     \
    do {                                                                                  \
        CHECK_FIELD(lx, k, field);                                                        \
        CHECK_EQ(IS_SIGNED(((struct lx *)0)->field), IS_SIGNED(((k *)0)->field));         \
    } while (0)

TEST(termios)
{
    CHECK_EQ(sizeof(struct lx_termios), sizeof(struct termios));
    CHECK_EQ(sizeof(struct lx_termios), 36);
    CHECK_INT_FIELD(lx_termios, struct termios, c_iflag);
    CHECK_INT_FIELD(lx_termios, struct termios, c_oflag);
    CHECK_INT_FIELD(lx_termios, struct termios, c_cflag);
    CHECK_INT_FIELD(lx_termios, struct termios, c_lflag);
    CHECK_INT_FIELD(lx_termios, struct termios, c_line);
    CHECK_FIELD(lx_termios, struct termios, c_cc);
    CHECK_EQ(LX_NCCS, NCCS);
}

/* The ioctl numbers, flags and c_cc slots the console's termios ioctls and line discipline use. */
TEST(termios_constants)
{
    CHECK_EQ(LX_TCGETS, TCGETS);
    CHECK_EQ(LX_TCSETS, TCSETS);
    CHECK_EQ(LX_TCSETSW, TCSETSW);
    CHECK_EQ(LX_TCSETSF, TCSETSF);
    CHECK_EQ(LX_TIOCGWINSZ, TIOCGWINSZ);
    CHECK_EQ(LX_FIONREAD, FIONREAD);
    CHECK_EQ(LX_INLCR, INLCR);
    CHECK_EQ(LX_IGNCR, IGNCR);
    CHECK_EQ(LX_NOFLSH, NOFLSH);
    CHECK_EQ(LX_TIOCGPGRP, TIOCGPGRP);
    CHECK_EQ(LX_TIOCSPGRP, TIOCSPGRP);
    CHECK_EQ(LX_TIOCGSID, TIOCGSID);
    CHECK_EQ(LX_ICRNL, ICRNL);
    CHECK_EQ(LX_IXON, IXON);
    CHECK_EQ(LX_OPOST, OPOST);
    CHECK_EQ(LX_ONLCR, ONLCR);
    CHECK_EQ(LX_B38400, B38400);
    CHECK_EQ(LX_CS8, CS8);
    CHECK_EQ(LX_CREAD, CREAD);
    CHECK_EQ(LX_HUPCL, HUPCL);
    CHECK_EQ(LX_ISIG, ISIG);
    CHECK_EQ(LX_ICANON, ICANON);
    CHECK_EQ(LX_ECHO, ECHO);
    CHECK_EQ(LX_ECHOE, ECHOE);
    CHECK_EQ(LX_ECHOK, ECHOK);
    CHECK_EQ(LX_ECHOCTL, ECHOCTL);
    CHECK_EQ(LX_ECHOKE, ECHOKE);
    CHECK_EQ(LX_IEXTEN, IEXTEN);
    CHECK_EQ(LX_VINTR, VINTR);
    CHECK_EQ(LX_VQUIT, VQUIT);
    CHECK_EQ(LX_VERASE, VERASE);
    CHECK_EQ(LX_VKILL, VKILL);
    CHECK_EQ(LX_VEOF, VEOF);
    CHECK_EQ(LX_VTIME, VTIME);
    CHECK_EQ(LX_VMIN, VMIN);
    CHECK_EQ(LX_VSTART, VSTART);
    CHECK_EQ(LX_VSTOP, VSTOP);
    CHECK_EQ(LX_VSUSP, VSUSP);
    CHECK_EQ(LX_VREPRINT, VREPRINT);
    CHECK_EQ(LX_VDISCARD, VDISCARD);
    CHECK_EQ(LX_VWERASE, VWERASE);
    CHECK_EQ(LX_VLNEXT, VLNEXT);
}

TEST(winsize)
{
    CHECK_EQ(sizeof(struct lx_winsize), sizeof(struct winsize));
    CHECK_INT_FIELD(lx_winsize, struct winsize, ws_row);
    CHECK_INT_FIELD(lx_winsize, struct winsize, ws_col);
    CHECK_INT_FIELD(lx_winsize, struct winsize, ws_xpixel);
    CHECK_INT_FIELD(lx_winsize, struct winsize, ws_ypixel);
}

TEST(iovec)
{
    CHECK_EQ(sizeof(struct lx_iovec), sizeof(struct iovec));
    CHECK_FIELD(lx_iovec, struct iovec, iov_base);
    CHECK_INT_FIELD(lx_iovec, struct iovec, iov_len);
}

TEST(pollfd)
{
    CHECK_EQ(sizeof(struct lx_pollfd), sizeof(struct pollfd));
    CHECK_INT_FIELD(lx_pollfd, struct pollfd, fd);
    CHECK_INT_FIELD(lx_pollfd, struct pollfd, events);
    CHECK_INT_FIELD(lx_pollfd, struct pollfd, revents);
}

TEST(stat)
{
    CHECK_EQ(sizeof(struct lx_stat), sizeof(struct stat));
    CHECK_EQ(sizeof(struct lx_stat), 144);
    CHECK_INT_FIELD(lx_stat, struct stat, st_dev);
    CHECK_INT_FIELD(lx_stat, struct stat, st_ino);
    CHECK_INT_FIELD(lx_stat, struct stat, st_nlink);
    CHECK_INT_FIELD(lx_stat, struct stat, st_mode);
    CHECK_INT_FIELD(lx_stat, struct stat, st_uid);
    CHECK_INT_FIELD(lx_stat, struct stat, st_gid);
    CHECK_INT_FIELD(lx_stat, struct stat, __pad0);
    CHECK_INT_FIELD(lx_stat, struct stat, st_rdev);
    CHECK_INT_FIELD(lx_stat, struct stat, st_size);
    CHECK_INT_FIELD(lx_stat, struct stat, st_blksize);
    CHECK_INT_FIELD(lx_stat, struct stat, st_blocks);
    CHECK_INT_FIELD(lx_stat, struct stat, st_atime);
    CHECK_INT_FIELD(lx_stat, struct stat, st_atime_nsec);
    CHECK_INT_FIELD(lx_stat, struct stat, st_mtime);
    CHECK_INT_FIELD(lx_stat, struct stat, st_mtime_nsec);
    CHECK_INT_FIELD(lx_stat, struct stat, st_ctime);
    CHECK_INT_FIELD(lx_stat, struct stat, st_ctime_nsec);
    CHECK_FIELD(lx_stat, struct stat, __unused);
}

TEST(statx)
{
    CHECK_EQ(sizeof(struct lx_statx), sizeof(struct statx));
    CHECK_EQ(sizeof(struct lx_statx_timestamp), sizeof(struct statx_timestamp));
    CHECK_INT_FIELD(lx_statx_timestamp, struct statx_timestamp, tv_sec);
    CHECK_INT_FIELD(lx_statx_timestamp, struct statx_timestamp, tv_nsec);
    CHECK_INT_FIELD(lx_statx_timestamp, struct statx_timestamp, __reserved);
    CHECK_INT_FIELD(lx_statx, struct statx, stx_mask);
    CHECK_INT_FIELD(lx_statx, struct statx, stx_blksize);
    CHECK_INT_FIELD(lx_statx, struct statx, stx_attributes);
    CHECK_INT_FIELD(lx_statx, struct statx, stx_nlink);
    CHECK_INT_FIELD(lx_statx, struct statx, stx_uid);
    CHECK_INT_FIELD(lx_statx, struct statx, stx_gid);
    CHECK_INT_FIELD(lx_statx, struct statx, stx_mode);
    CHECK_FIELD(lx_statx, struct statx, __spare0);
    CHECK_INT_FIELD(lx_statx, struct statx, stx_ino);
    CHECK_INT_FIELD(lx_statx, struct statx, stx_size);
    CHECK_INT_FIELD(lx_statx, struct statx, stx_blocks);
    CHECK_INT_FIELD(lx_statx, struct statx, stx_attributes_mask);
    CHECK_FIELD(lx_statx, struct statx, stx_atime);
    CHECK_FIELD(lx_statx, struct statx, stx_btime);
    CHECK_FIELD(lx_statx, struct statx, stx_ctime);
    CHECK_FIELD(lx_statx, struct statx, stx_mtime);
    CHECK_INT_FIELD(lx_statx, struct statx, stx_rdev_major);
    CHECK_INT_FIELD(lx_statx, struct statx, stx_rdev_minor);
    CHECK_INT_FIELD(lx_statx, struct statx, stx_dev_major);
    CHECK_INT_FIELD(lx_statx, struct statx, stx_dev_minor);
    CHECK_INT_FIELD(lx_statx, struct statx, stx_mnt_id);
    CHECK_INT_FIELD(lx_statx, struct statx, stx_dio_mem_align);
    CHECK_INT_FIELD(lx_statx, struct statx, stx_dio_offset_align);
    CHECK_EQ(LX_STATX_BASIC_STATS, STATX_BASIC_STATS);
}

/*
 * linux_dirent64 is the kernel's (include/linux/dirent.h), not in the UAPI headers: checked
 * against the layout getdents(2) documents, and against glibc's struct dirent, which on
 * x86-64 is the very record getdents64 returns (readdir hands it out in place). The DT_*
 * values are getdents(2)'s (strict C11 <dirent.h> does not define them).
 */
TEST(dirent64)
{
    CHECK_EQ(offsetof(struct lx_dirent64, d_ino), 0);
    CHECK_EQ(offsetof(struct lx_dirent64, d_off), 8);
    CHECK_EQ(offsetof(struct lx_dirent64, d_reclen), 16);
    CHECK_EQ(offsetof(struct lx_dirent64, d_type), 18);
    CHECK_EQ(offsetof(struct lx_dirent64, d_name), 19);
    CHECK_INT_FIELD(lx_dirent64, struct dirent, d_ino);
    CHECK_INT_FIELD(lx_dirent64, struct dirent, d_off);
    CHECK_INT_FIELD(lx_dirent64, struct dirent, d_reclen);
    CHECK_INT_FIELD(lx_dirent64, struct dirent, d_type);
    CHECK_EQ(offsetof(struct lx_dirent64, d_name), offsetof(struct dirent, d_name));
    CHECK_EQ(LX_DT_DIR, 4);
    CHECK_EQ(LX_DT_REG, 8);
    CHECK_EQ(LX_DT_LNK, 10);
}

TEST(new_utsname)
{
    CHECK_EQ(sizeof(struct lx_new_utsname), sizeof(struct new_utsname));
    CHECK_EQ(LX_UTS_LEN, __NEW_UTS_LEN + 1);
    CHECK_FIELD(lx_new_utsname, struct new_utsname, sysname);
    CHECK_FIELD(lx_new_utsname, struct new_utsname, nodename);
    CHECK_FIELD(lx_new_utsname, struct new_utsname, release);
    CHECK_FIELD(lx_new_utsname, struct new_utsname, version);
    CHECK_FIELD(lx_new_utsname, struct new_utsname, machine);
    CHECK_FIELD(lx_new_utsname, struct new_utsname, domainname);
}

TEST(rlimit64)
{
    CHECK_EQ(sizeof(struct lx_rlimit64), sizeof(struct rlimit64));
    CHECK_INT_FIELD(lx_rlimit64, struct rlimit64, rlim_cur);
    CHECK_INT_FIELD(lx_rlimit64, struct rlimit64, rlim_max);
    CHECK(LX_RLIM_INFINITY == RLIM64_INFINITY);
    CHECK_EQ(LX_RLIMIT_STACK, RLIMIT_STACK);
}

/* x86-64's syscalls take __kernel_timespec, which is also its struct timespec. */
TEST(timespec)
{
    CHECK_EQ(sizeof(struct lx_timespec), sizeof(struct __kernel_timespec));
    CHECK_INT_FIELD(lx_timespec, struct __kernel_timespec, tv_sec);
    CHECK_INT_FIELD(lx_timespec, struct __kernel_timespec, tv_nsec);
    CHECK_EQ(sizeof(struct lx_timespec), sizeof(struct timespec));
    CHECK_INT_FIELD(lx_timespec, struct timespec, tv_sec);
    CHECK_INT_FIELD(lx_timespec, struct timespec, tv_nsec);
}

TEST(timeval)
{
    CHECK_EQ(sizeof(struct lx_timeval), sizeof(struct timeval));
    CHECK_INT_FIELD(lx_timeval, struct timeval, tv_sec);
    CHECK_INT_FIELD(lx_timeval, struct timeval, tv_usec);
    CHECK_EQ(sizeof(struct lx_timeval), sizeof(struct __kernel_old_timeval));
}

TEST(itimerval)
{
    CHECK_EQ(sizeof(struct lx_itimerval), sizeof(struct itimerval));
    CHECK_FIELD(lx_itimerval, struct itimerval, it_interval);
    CHECK_FIELD(lx_itimerval, struct itimerval, it_value);
}

TEST(itimerspec)
{
    CHECK_EQ(sizeof(struct lx_itimerspec), sizeof(struct itimerspec));
    CHECK_FIELD(lx_itimerspec, struct itimerspec, it_interval);
    CHECK_FIELD(lx_itimerspec, struct itimerspec, it_value);
}

/* Packed on x86-64 (EPOLL_PACKED): 12 bytes, the data at 4. */
TEST(epoll_event)
{
    CHECK_EQ(sizeof(struct lx_epoll_event), sizeof(struct epoll_event));
    CHECK_EQ(sizeof(struct lx_epoll_event), 12);
    CHECK_INT_FIELD(lx_epoll_event, struct epoll_event, events);
    CHECK_INT_FIELD(lx_epoll_event, struct epoll_event, data);
}

TEST(rusage)
{
    CHECK_EQ(sizeof(struct lx_rusage), sizeof(struct rusage));
    CHECK_FIELD(lx_rusage, struct rusage, ru_utime);
    CHECK_FIELD(lx_rusage, struct rusage, ru_stime);
    CHECK_INT_FIELD(lx_rusage, struct rusage, ru_maxrss);
    CHECK_INT_FIELD(lx_rusage, struct rusage, ru_minflt);
    CHECK_INT_FIELD(lx_rusage, struct rusage, ru_nsignals);
    CHECK_INT_FIELD(lx_rusage, struct rusage, ru_nvcsw);
    CHECK_INT_FIELD(lx_rusage, struct rusage, ru_nivcsw);
}

TEST(sysinfo)
{
    CHECK_EQ(sizeof(struct lx_sysinfo), sizeof(struct sysinfo));
    CHECK_INT_FIELD(lx_sysinfo, struct sysinfo, uptime);
    CHECK_FIELD(lx_sysinfo, struct sysinfo, loads);
    CHECK_INT_FIELD(lx_sysinfo, struct sysinfo, totalram);
    CHECK_INT_FIELD(lx_sysinfo, struct sysinfo, freeram);
    CHECK_INT_FIELD(lx_sysinfo, struct sysinfo, freeswap);
    CHECK_INT_FIELD(lx_sysinfo, struct sysinfo, procs);
    CHECK_INT_FIELD(lx_sysinfo, struct sysinfo, pad);
    CHECK_INT_FIELD(lx_sysinfo, struct sysinfo, totalhigh);
    CHECK_INT_FIELD(lx_sysinfo, struct sysinfo, freehigh);
    CHECK_INT_FIELD(lx_sysinfo, struct sysinfo, mem_unit);
}

TEST(timezone)
{
    CHECK_EQ(sizeof(struct lx_timezone), sizeof(struct timezone));
    CHECK_INT_FIELD(lx_timezone, struct timezone, tz_minuteswest);
    CHECK_INT_FIELD(lx_timezone, struct timezone, tz_dsttime);
}

/* <asm/signal.h>'s x86-64 struct sigaction (without __KERNEL__) is the kernel's rt_sigaction layout. */
TEST(sigaction)
{
    CHECK_EQ(sizeof(struct lx_sigaction), sizeof(struct sigaction));
    CHECK_FIELD(lx_sigaction, struct sigaction, sa_handler);
    CHECK_INT_FIELD(lx_sigaction, struct sigaction, sa_flags);
    CHECK_FIELD(lx_sigaction, struct sigaction, sa_restorer);
    CHECK_INT_FIELD(lx_sigaction, struct sigaction, sa_mask);
}

/* Our pad fills exactly the hole the kernel's compiler leaves after ss_flags. */
TEST(sigaltstack)
{
    CHECK_EQ(sizeof(struct lx_sigaltstack), sizeof(stack_t));
    CHECK_FIELD(lx_sigaltstack, stack_t, ss_sp);
    CHECK_INT_FIELD(lx_sigaltstack, stack_t, ss_flags);
    CHECK_INT_FIELD(lx_sigaltstack, stack_t, ss_size);
    CHECK_EQ(offsetof(struct lx_sigaltstack, pad), offsetof(stack_t, ss_flags) + sizeof(int));
    CHECK_EQ(offsetof(struct lx_sigaltstack, pad) + sizeof ((struct lx_sigaltstack *)0)->pad,
             offsetof(stack_t, ss_size));
}

TEST(sigcontext)
{
    CHECK_EQ(sizeof(struct lx_sigcontext), sizeof(struct sigcontext));
    CHECK_FIELD(lx_sigcontext, struct sigcontext, r8);
    CHECK_FIELD(lx_sigcontext, struct sigcontext, r15);
    CHECK_FIELD(lx_sigcontext, struct sigcontext, rdi);
    CHECK_FIELD(lx_sigcontext, struct sigcontext, rax);
    CHECK_FIELD(lx_sigcontext, struct sigcontext, rsp);
    CHECK_FIELD(lx_sigcontext, struct sigcontext, rip);
    CHECK_FIELD(lx_sigcontext, struct sigcontext, eflags);
    CHECK_FIELD(lx_sigcontext, struct sigcontext, cs);
    CHECK_FIELD(lx_sigcontext, struct sigcontext, err);
    CHECK_FIELD(lx_sigcontext, struct sigcontext, oldmask);
    CHECK_FIELD(lx_sigcontext, struct sigcontext, cr2);
    CHECK_FIELD(lx_sigcontext, struct sigcontext, fpstate);
    CHECK_FIELD(lx_sigcontext, struct sigcontext, reserved1);
}

TEST(ucontext)
{
    CHECK_EQ(sizeof(struct lx_ucontext), sizeof(struct ucontext));
    CHECK_FIELD(lx_ucontext, struct ucontext, uc_flags);
    CHECK_FIELD(lx_ucontext, struct ucontext, uc_link);
    CHECK_FIELD(lx_ucontext, struct ucontext, uc_stack);
    CHECK_FIELD(lx_ucontext, struct ucontext, uc_mcontext);
    CHECK_FIELD(lx_ucontext, struct ucontext, uc_sigmask);
}

/* siginfo_t is in asm-generic/siginfo.h, which glibc's headers shadow: its documented layout. */
TEST(siginfo)
{
    CHECK_EQ(sizeof(struct lx_siginfo), 128);
    CHECK_EQ(offsetof(struct lx_siginfo, si_code), 8);
    CHECK_EQ(offsetof(struct lx_siginfo, u.kill.pid), 16);
    CHECK_EQ(offsetof(struct lx_siginfo, u.kill.uid), 20);
    CHECK_EQ(offsetof(struct lx_siginfo, u.fault.addr), 16);
    CHECK_EQ(offsetof(struct lx_rt_sigframe, uc), 8);      /* after pretcode, as arch/x86's rt_sigframe */
    CHECK_EQ(offsetof(struct lx_rt_sigframe, info), 8 + sizeof(struct ucontext));
}

TEST(robust_list_head)
{
    CHECK_EQ(sizeof(struct lx_robust_list_head), sizeof(struct robust_list_head));
    CHECK_FIELD(lx_robust_list_head, struct robust_list_head, list);
    CHECK_INT_FIELD(lx_robust_list_head, struct robust_list_head, futex_offset);
    CHECK_FIELD(lx_robust_list_head, struct robust_list_head, list_op_pending);
}

TEST(auxv)
{
    CHECK_EQ(sizeof(struct lx_auxv), sizeof(Elf64_auxv_t));
    CHECK_INT_FIELD(lx_auxv, Elf64_auxv_t, a_type);
    CHECK_EQ(offsetof(struct lx_auxv, a_val), offsetof(Elf64_auxv_t, a_un.a_val));
    CHECK_EQ(sizeof ((struct lx_auxv *)0)->a_val, sizeof ((Elf64_auxv_t *)0)->a_un.a_val);
}

int main(void)
{
    return unit_run();
}
