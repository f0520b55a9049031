// SPDX-License-Identifier: MIT
/*
 * fuzz.c — random syscalls with random arguments against the Linux personality: a fixed seed,
 * 100 000 calls, then the count of every errno. The personality (the roottask) must survive
 * it and the system go on; the grader checks that, and that nothing leaked.
 *
 * Only for Facet: on a Linux host (as root above all) random syscalls are dangerous, so it
 * refuses to run unless LINUX_UNDER_FACET is set. It works in a directory of its own,
 * fuzz.d (the paths it passes are single names, without '/', or relative ones, and so are
 * the targets of the symbolic links it makes), and removes everything in it at the end.
 *
 * Arguments are drawn from classes that find the edges: small integers (descriptors 3..63,
 * sizes, flags), all-ones and huge values, negative ones, random 64-bit words, pointers into
 * an 8 KiB scratch mapping (ending at an unmapped guard page, so a huge length runs off it),
 * unmapped and kernel addresses. Syscalls that would end or cripple the fuzzer itself are
 * skipped (exit, munmap/mprotect/madvise of its own memory, the FS base, signals, chdir,
 * process creation); mmap loses MAP_FIXED, and close spares descriptors 0, 1 and 2.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#define CALLS 100000
#define SEED  0x5eed5eed2022ULL
#define MAX_ERRNO 4096

static uint64_t rng = SEED;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static unsigned char *scratch;          /* 2 pages, then (for the personality) a guard page */

/* Numbers that would end the fuzzer, take its memory or thread pointer away, or block. */
static int skipped(long nr)
{
    static const long deny[] = {
        SYS_exit, SYS_exit_group, SYS_munmap, SYS_mprotect, SYS_madvise, SYS_mremap, SYS_brk,
        SYS_arch_prctl, SYS_rt_sigaction, SYS_rt_sigreturn, SYS_rt_sigsuspend, SYS_rt_sigtimedwait,
        SYS_pause, SYS_nanosleep, SYS_clock_nanosleep, SYS_alarm, SYS_poll, SYS_ppoll, SYS_select,
        SYS_pselect6, SYS_epoll_wait, SYS_epoll_pwait, SYS_futex, SYS_wait4, SYS_waitid,
        SYS_clone, SYS_fork, SYS_vfork, SYS_execve, SYS_execveat, SYS_kill, SYS_tkill, SYS_tgkill,
        SYS_ptrace, SYS_reboot, SYS_chdir, SYS_fchdir, SYS_chroot, SYS_rename, SYS_renameat,
        SYS_renameat2, SYS_setrlimit, SYS_prlimit64, SYS_prctl, SYS_seccomp, SYS_set_tid_address,
        SYS_pipe, SYS_pipe2, SYS_socket, SYS_socketpair, SYS_userfaultfd, SYS_dup2, SYS_dup3,
        SYS_close_range, 435 /* clone3 */,
    };
    for (size_t i = 0; i < sizeof deny / sizeof deny[0]; i++)
        if (deny[i] == nr)
            return 1;
    return 0;
}

static uint64_t argument(void)
{
    uint64_t r = next();
    switch (r % 10) {
    case 0: case 1: return 3 + (r >> 8) % 61;                    /* descriptors, small sizes */
    case 2: return (r >> 8) % 4096;                              /* flags, lengths, modes */
    case 3: return (uint64_t)scratch + (r >> 8) % 8192;          /* into the scratch mapping */
    case 4: return (uint64_t)scratch;                            /* its start: a string or a struct */
    case 5: return ~0ULL >> ((r >> 8) % 64);                     /* huge lengths, all ones */
    case 6: return -(uint64_t)(1 + (r >> 8) % 4096);             /* negative: -1, -EBADF-like */
    case 7: return 0xffff800000000000ULL + ((r >> 8) & 0xffffff000ULL);   /* the kernel's half */
    case 8: return (r >> 8) & 0xfffffff000ULL;                   /* unmapped user addresses */
    default: return next();                                      /* anything */
    }
}

/* Remove everything below the directory open as dfd (the fuzzer made it all); until a pass
 * removes nothing more. */
static void clean(int dfd)
{
    char buf[4096];
    long n;
    for (int removed = 1; removed && (n = syscall(SYS_getdents64, dfd, buf, sizeof buf)) > 0; ) {
        removed = 0;
        for (long off = 0; off < n; ) {
            struct { uint64_t ino; int64_t off; unsigned short reclen; unsigned char type; char name[]; } *d = (void *)(buf + off);
            off += d->reclen;
            if (!strcmp(d->name, ".") || !strcmp(d->name, ".."))
                continue;
            if (d->type == DT_DIR) {
                int sub = openat(dfd, d->name, O_RDONLY | O_DIRECTORY);
                if (sub >= 0) {
                    clean(sub);
                    close(sub);
                }
                removed += unlinkat(dfd, d->name, AT_REMOVEDIR) == 0;
            } else {
                removed += unlinkat(dfd, d->name, 0) == 0;
            }
        }
        lseek(dfd, 0, SEEK_SET);                     /* the names moved up: read again */
    }
}

int main(void)
{
    if (!getenv("LINUX_UNDER_FACET")) {
        fprintf(stderr, "fuzz: refusing to run outside Facet (it makes random syscalls)\n");
        return 2;
    }
    scratch = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (scratch == MAP_FAILED || mkdir("fuzz.d", 0755) || chdir("fuzz.d")) {
        perror("fuzz: setting up");
        return 1;
    }
    for (int fd = 3; fd < 64; fd++)
        close(fd);
    for (int i = 0; i < 8192; i++)
        scratch[i] = (unsigned char)next();

    static unsigned long count[MAX_ERRNO + 1];
    unsigned long ok = 0, calls = 0;
    while (calls < CALLS) {
        long nr = (long)(next() % 20 ? next() % 335 : next() % 100000);
        if (skipped(nr))
            continue;
        for (int i = 0; i < 256; i += 8) {           /* fresh random contents: paths, structs */
            uint64_t w = next();
            memcpy(scratch + i, &w, 8);
        }
        for (int i = 0; i < 64; i++)                 /* as a path: one name, inside fuzz.d */
            if (scratch[i] == '/')
                scratch[i] = 'x';
        scratch[next() % 64] = 0;                    /* mostly short strings */
        uint64_t a[6];
        for (int i = 0; i < 6; i++) {
            a[i] = argument();
            if (a[i] - (uint64_t)scratch < 8192 && scratch[a[i] - (uint64_t)scratch] == '/')
                scratch[a[i] - (uint64_t)scratch] = 'x';   /* no absolute path: it would leave fuzz.d */
        }
        if (nr == SYS_symlink || nr == SYS_symlinkat)
            a[0] = (uint64_t)scratch;                /* a link's target is a path too: one name */
        if (nr == SYS_mmap)
            a[3] &= ~(uint64_t)(MAP_FIXED | MAP_FIXED_NOREPLACE);
        if (nr == SYS_close && (uint32_t)a[0] <= 2)
            a[0] += 3;                               /* its own stdin, stdout and stderr stay */
        long r = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
        calls++;
        if (r == -1 && errno > 0 && errno <= MAX_ERRNO)
            count[errno]++;
        else
            ok++;
    }
    printf("fuzz: seed %#llx, %lu calls\n", SEED, calls);
    printf("fuzz: no error: %lu\n", ok);
    for (int e = 1; e <= MAX_ERRNO; e++)
        if (count[e])
            printf("fuzz: errno %d (%s): %lu\n", e, strerror(e), count[e]);

    for (int fd = 3; fd < 64; fd++)                  /* what it opened: cleaning needs descriptors */
        close(fd);
    int here = open(".", O_RDONLY | O_DIRECTORY);
    if (here >= 0) {
        clean(here);
        close(here);
    }
    if (chdir("..") || rmdir("fuzz.d")) {
        perror("fuzz: cleaning up");
        return 1;
    }
    printf("fuzz: done, fuzz.d removed\n");
    return 0;
}
