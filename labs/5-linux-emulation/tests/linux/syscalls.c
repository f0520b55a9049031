// SPDX-License-Identifier: MIT
/*
 * syscalls.c — the rest of the thesis' syscall set, answered as Linux answers: poll, signal
 * state (rt_sigaction, rt_sigprocmask, sigaltstack), file mappings, mprotect, madvise, pread,
 * readv, access, chdir/getcwd, a file that lives on after its unlink, and bad flags. Works in
 * a directory of its own (probe.d) below the current one and removes it at the end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>

static void show(const char *what, long r)
{
    printf("%-44s %ld", what, r);
    if (r < 0)
        printf(" errno %d", errno);
    printf("\n");
}

static void on_usr1(int sig)
{
    (void)sig;
}

static void polls(void)
{
    struct pollfd p[3] = { { .fd = 1, .events = POLLOUT }, { .fd = 99, .events = POLLIN }, { .fd = -1, .events = POLLIN } };
    show("poll(stdout, fd 99, fd -1)", poll(p, 3, 1000));
    printf("  revents: %#x %#x %#x\n", p[0].revents, p[1].revents, p[2].revents);
    show("poll(NULL, 0, 1): a short sleep", poll(NULL, 0, 1));
    show("poll from a bad pointer", poll((struct pollfd *)8, 1, 0));
}

static void signals(void)
{
    struct sigaction act = { .sa_handler = on_usr1, .sa_flags = SA_RESTART }, old;
    sigemptyset(&act.sa_mask);
    sigaddset(&act.sa_mask, SIGUSR2);
    show("sigaction(SIGUSR1, handler)", sigaction(SIGUSR1, &act, NULL));
    memset(&old, 0, sizeof old);
    show("sigaction(SIGUSR1) read back", sigaction(SIGUSR1, NULL, &old));
    printf("  handler is ours: %d, SA_RESTART: %d, SIGUSR2 in its mask: %d\n", old.sa_handler == on_usr1,
           (old.sa_flags & SA_RESTART) != 0, sigismember(&old.sa_mask, SIGUSR2));
    show("sigaction(SIGKILL, handler)", sigaction(SIGKILL, &act, NULL));
    show("rt_sigaction(65)", syscall(SYS_rt_sigaction, 65, NULL, NULL, 8));
    show("rt_sigaction with sigsetsize 4", syscall(SYS_rt_sigaction, SIGUSR1, NULL, &old, 4));

    sigset_t set, cur;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGKILL);
    show("sigprocmask(SIG_BLOCK, {USR1, KILL})", sigprocmask(SIG_BLOCK, &set, NULL));
    show("sigprocmask read back", sigprocmask(SIG_BLOCK, NULL, &cur));
    printf("  USR1 blocked: %d, KILL blocked: %d, USR2 blocked: %d\n", sigismember(&cur, SIGUSR1),
           sigismember(&cur, SIGKILL), sigismember(&cur, SIGUSR2));
    show("sigprocmask(SIG_UNBLOCK, {USR1, KILL})", sigprocmask(SIG_UNBLOCK, &set, &cur));
    show("rt_sigprocmask with how 7", syscall(SYS_rt_sigprocmask, 7, &set, NULL, 8));

    static char stack[16384];
    stack_t ss = { 0 }, got;
    show("sigaltstack query", sigaltstack(NULL, &got));
    printf("  disabled: %d\n", (got.ss_flags & SS_DISABLE) != 0);
    ss.ss_sp = stack, ss.ss_size = 1000;
    show("sigaltstack, 1000 bytes (too small)", sigaltstack(&ss, NULL));
    ss.ss_size = sizeof stack;
    show("sigaltstack, 16 KiB", sigaltstack(&ss, NULL));
    show("sigaltstack query", sigaltstack(NULL, &got));
    printf("  ours: %d, size %zu, flags %d\n", got.ss_sp == stack, got.ss_size, got.ss_flags);
}

static void memory(int fd)
{
    char *m = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, fd, 0);
    show("mmap of the file, private, read-only", m == MAP_FAILED ? -1 : 0);
    if (m != MAP_FAILED) {
        printf("  it holds: %.*s", 14, m);
        printf("  past its end: %d\n", m[100]);
        show("munmap", munmap(m, 8192));
    }
    show("mmap fd -1 without MAP_ANONYMOUS", (long)mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, -1, 0));
    show("mmap fd 77", (long)mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 77, 0));
    show("mmap of length 0", (long)mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    show("mmap, an unaligned offset", (long)mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 100));

    char *a = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    a[0] = 'x', a[4096] = 'y';
    show("mprotect(PROT_READ) of the first page", mprotect(a, 4096, PROT_READ));
    printf("  still readable: %c %c\n", a[0], a[4096]);
    show("mprotect, unaligned", mprotect(a + 1, 4096, PROT_READ));
    show("mprotect, unknown bits", mprotect(a, 4096, 0x100));
    show("madvise(MADV_DONTNEED) of the second page", madvise(a + 4096, 4096, MADV_DONTNEED));
    printf("  reads as zero again: %d\n", a[4096]);
    show("madvise, advice 77", madvise(a, 4096, 77));
    show("munmap of all three", munmap(a, 3 * 4096));
    show("mprotect of what was unmapped", mprotect(a, 4096, PROT_READ));
}

static void files(int fd)
{
    char buf[32] = { 0 };
    show("pread(5 bytes at 6)", pread(fd, buf, 5, 6));
    printf("  %s; offset still %ld\n", buf, (long)lseek(fd, 0, SEEK_CUR));
    show("pread, a negative offset", pread(fd, buf, 5, -1));
    show("pread of stdout", pread(1, buf, 5, 0));
    char x[4] = { 0 }, y[8] = { 0 };
    struct iovec iov[2] = { { x, 3 }, { y, 7 } };
    show("readv(3 + 7 bytes)", readv(fd, iov, 2));
    printf("  \"%s\" \"%s\"\n", x, y);
    show("access(R_OK)", access("probe.txt", R_OK));
    show("access(X_OK) of a 0644 file", access("probe.txt", X_OK));
    show("access of a missing file", access("missing", F_OK));
    show("access, mode 8", access("probe.txt", 8));
    show("faccessat(AT_FDCWD, \"..\")", faccessat(AT_FDCWD, "..", R_OK, 0));

    char cwd[512];
    show("mkdir sub", mkdir("sub", 0755));
    show("chdir sub", chdir("sub"));
    const char *base = getcwd(cwd, sizeof cwd) ? strrchr(cwd, '/') + 1 : "?";
    printf("  getcwd ends in: %s\n", base);
    int up = open("../probe.txt", O_RDONLY);
    show("open ../probe.txt from there", up < 0 ? up : 0);
    close(up);
    show("getcwd into 2 bytes", getcwd(cwd, 2) ? 0 : -1);
    show("chdir to a missing directory", chdir("nowhere"));
    show("chdir to a file", chdir("../probe.txt"));
    show("chdir ..", chdir(".."));
    base = getcwd(cwd, sizeof cwd) ? strrchr(cwd, '/') + 1 : "?";
    printf("  getcwd ends in: %s\n", base);
    show("rmdir sub", rmdir("sub"));

    show("rename probe.txt to moved.txt", rename("probe.txt", "moved.txt"));
    show("open probe.txt after that", open("probe.txt", O_RDONLY));
    close(open("other.txt", O_CREAT | O_WRONLY, 0644));
    show("rename other.txt onto moved.txt", rename("other.txt", "moved.txt"));
    struct stat st;
    show("stat moved.txt (now the empty one)", stat("moved.txt", &st) ? -1 : (long)st.st_size);
    show("rename it back to probe.txt", rename("moved.txt", "probe.txt"));
    close(open("probe.txt", O_WRONLY | O_TRUNC));
    int w = open("probe.txt", O_WRONLY);
    show("write probe.txt again", write(w, "hello mapping\n", 14));
    close(w);
    show("mkdir sub2, rename it into itself", mkdir("sub2", 0755) ? -1 : rename("sub2", "sub2/inner"));
    show("renameat2(RENAME_NOREPLACE) onto a file", syscall(SYS_renameat2, AT_FDCWD, "sub2", AT_FDCWD, "probe.txt", 1));
    show("rename a missing file", rename("missing", "x"));
    show("rmdir sub2", rmdir("sub2"));
    show("utimensat of probe.txt", utimensat(AT_FDCWD, "probe.txt", NULL, 0));
    show("utimensat of a missing file", utimensat(AT_FDCWD, "missing", NULL, 0));

    int keep = open("probe.txt", O_RDONLY);
    show("unlink probe.txt while it is open", unlink("probe.txt"));
    memset(buf, 0, sizeof buf);
    show("read from it afterwards", read(keep, buf, 13));
    printf("  %s\n", buf);
    show("open it by name", open("probe.txt", O_RDONLY));
    close(keep);

    struct timespec ts, t0, t1, nap = { 0, 20 * 1000 * 1000 }, bad = { 0, 1000 * 1000 * 1000 };
    clock_gettime(CLOCK_MONOTONIC, &t0);
    show("nanosleep(20 ms)", nanosleep(&nap, NULL));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("  at least 20 ms later: %d\n", (t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec) >= 20000000L);
    show("nanosleep, tv_nsec 10^9", nanosleep(&bad, NULL));
    time_t tl = 0, tr = time(&tl);
    printf("  time() and *tloc agree: %d\n", tr == tl);
    struct timeval tv;
    show("gettimeofday", gettimeofday(&tv, NULL));
    show("lseek, whence 7", lseek(fd, 0, 7));
    show("fcntl, command 999", fcntl(fd, 999));
    show("clock_gettime, clock 99", clock_gettime(99, &ts));
    show("close(-1)", close(-1));
}

/*
 * A syscall changes rax, rcx and r11 and no other register: nr with arguments a1..a3 (r10, r8,
 * r9 and the callee-saved registers hold marks), then the registers that changed.
 */
static void keeps(const char *what, long nr, long a1, long a2, long a3)
{
    register long rdi __asm__("rdi") = a1, rsi __asm__("rsi") = a2, rdx __asm__("rdx") = a3;
    register long r10 __asm__("r10") = 0x1010, r8 __asm__("r8") = 0x0808, r9 __asm__("r9") = 0x0909;
    register long r12 __asm__("r12") = 0x1212, r13 __asm__("r13") = 0x1313;
    register long r14 __asm__("r14") = 0x1414, r15 __asm__("r15") = 0x1515;
    long rax = nr, rbx = 0xbbbb;
    __asm__ volatile("syscall"
                     : "+a"(rax), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8), "+r"(r9),
                       "+b"(rbx), "+r"(r12), "+r"(r13), "+r"(r14), "+r"(r15)
                     :
                     : "rcx", "r11", "memory");
    printf("%-44s %ld, changed:%s%s%s%s%s%s%s%s%s%s%s\n", what, rax >= 0 ? 0 : rax,
           rdi != a1 ? " rdi" : "", rsi != a2 ? " rsi" : "", rdx != a3 ? " rdx" : "",
           r10 != 0x1010 ? " r10" : "", r8 != 0x0808 ? " r8" : "", r9 != 0x0909 ? " r9" : "",
           rbx != 0xbbbb ? " rbx" : "", r12 != 0x1212 ? " r12" : "", r13 != 0x1313 ? " r13" : "",
           r14 != 0x1414 ? " r14" : "", r15 != 0x1515 ? " r15" : "");
}

static void registers(void)
{
    int fds[2];
    keeps("getpid: registers", SYS_getpid, 0x1111, 0x2222, 0x3333);
    keeps("pipe: registers", SYS_pipe, (long)fds, 0x2222, 0x3333);
    close(fds[0]);
    close(fds[1]);
    long r = syscall(SYS_eventfd, 3);
    keeps("eventfd: registers", SYS_eventfd, 3, 0x2222, 0x3333);
    close((int)r);
    close((int)r + 1);
    keeps("tkill(self, 0): registers", SYS_tkill, syscall(SYS_gettid), 0, 0x3333);
    keeps("close(-1): registers", SYS_close, -1, 0x2222, 0x3333);
}

int main(void)
{
    if (mkdir("probe.d", 0755) || chdir("probe.d")) {
        perror("probe.d");
        return 1;
    }
    int fd = open("probe.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
    if (fd < 0 || write(fd, "hello mapping\n", 14) != 14) {
        perror("probe.txt");
        return 1;
    }
    lseek(fd, 0, SEEK_SET);
    setvbuf(stdout, NULL, _IOLBF, 0);
    polls();
    signals();
    memory(fd);
    files(fd);
    registers();
    close(fd);
    show("chdir .. and rmdir probe.d", chdir("..") ? -1 : rmdir("probe.d"));
    return 0;
}
