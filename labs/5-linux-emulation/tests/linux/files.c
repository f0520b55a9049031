// SPDX-License-Identifier: MIT
/* files.c — what a shell needs of the file system: symbolic and hard links, modes and owners, truncate, file times, statx. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/*
 * Everything happens in a fresh directory under /tmp, removed at the end. Only facts that
 * hold on any Linux are printed: results and errnos, modes, sizes, link counts, and times
 * relative to each other or set by the program, never inode numbers or today's date. The
 * owners are changed freely: the program runs as root (under Facet every process is).
 */

static const char *yes(int b) { return b ? "yes" : "no"; }

/* A call's result, errno spelled out when it failed. */
static void said(const char *what, long r)
{
    if (r < 0)
        printf("%s: -1 errno %d (%s)\n", what, errno, strerror(errno));
    else
        printf("%s: %ld\n", what, r);
}

static void put_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
        printf("put_file %s: errno %d\n", path, errno);
        exit(1);
    }
    close(fd);
}

/* The file's text (at most 63 bytes), or the errno. */
static const char *text_of(const char *path)
{
    static char buf[64];
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        snprintf(buf, sizeof buf, "<errno %d>", errno);
        return buf;
    }
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = 0;
    return buf;
}

static struct stat st_of(const char *path, int follow)
{
    struct stat st;
    memset(&st, 0, sizeof st);
    if ((follow ? stat(path, &st) : lstat(path, &st)) != 0)
        printf("stat %s: errno %d\n", path, errno);
    return st;
}

/* Times compare as (seconds, nanoseconds). */
static int later(struct timespec a, struct timespec b)
{
    return a.tv_sec > b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec > b.tv_nsec);
}
static int same_time(struct timespec a, struct timespec b) { return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec; }

/* File times come from a clock that may step a few milliseconds at a time: wait past a step. */
static void tick(void)
{
    struct timespec ts = { 0, 30 * 1000 * 1000 };
    nanosleep(&ts, NULL);
}

static void symlinks(void)
{
    printf("-- symbolic links\n");
    said("symlink dangling", symlink("target", "lnk"));
    struct stat st = st_of("lnk", 0);
    printf("lstat: link %s, size %lld, mode %o\n", yes(S_ISLNK(st.st_mode)), (long long)st.st_size, st.st_mode & 07777);
    struct stat s2;
    said("stat of the dangling link", stat("lnk", &s2));
    said("O_CREAT|O_EXCL through it", open("lnk", O_WRONLY | O_CREAT | O_EXCL, 0644));
    said("mkdir over it", mkdir("lnk", 0755));
    int fd = open("lnk", O_WRONLY | O_CREAT, 0644);
    printf("O_CREAT through it made the target: %s\n", yes(fd >= 0 && access("target", F_OK) == 0));
    write(fd, "hello", 5);
    close(fd);
    printf("read through the link: %s\n", text_of("lnk"));
    st = st_of("lnk", 1);
    printf("stat follows: regular %s, size %lld\n", yes(S_ISREG(st.st_mode)), (long long)st.st_size);

    char buf[64];
    memset(buf, 0, sizeof buf);
    long n = readlink("lnk", buf, sizeof buf);
    printf("readlink: %ld '%s'\n", n, buf);
    memset(buf, 0, sizeof buf);
    n = readlink("lnk", buf, 3);
    printf("readlink into 3 bytes: %ld '%s'\n", n, buf);
    said("readlink of a file", readlink("target", buf, sizeof buf));
    said("readlink of nothing", readlink("missing", buf, sizeof buf));
    int dfd = open(".", O_RDONLY | O_DIRECTORY);
    memset(buf, 0, sizeof buf);
    n = readlinkat(dfd, "lnk", buf, sizeof buf);
    printf("readlinkat: %ld '%s'\n", n, buf);
    n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    printf("/proc/self/exe ends in /files: %s\n", yes(n > 6 && !strcmp(buf + n - 6, "/files")));

    char cwd[512], abs[600];
    getcwd(cwd, sizeof cwd);
    snprintf(abs, sizeof abs, "%s/target", cwd);
    said("symlink absolute", symlink(abs, "abs"));
    printf("through the absolute one: %s\n", text_of("abs"));
    mkdir("sub", 0755);
    said("symlinkat relative to its directory", symlinkat("../target", dfd, "sub/up"));
    printf("sub/up: %s\n", text_of("sub/up"));
    symlink("lnk", "lnk2");
    printf("a chain: %s\n", text_of("lnk2"));
    symlink("sub", "sublink");
    printf("a directory's link on the way: %s\n", text_of("sublink/up"));
    said("a file's link on the way", open("lnk/x", O_RDONLY));
    st = st_of("sublink/", 0);
    printf("lstat with a slash follows: directory %s\n", yes(S_ISDIR(st.st_mode)));
    said("O_NOFOLLOW on a link", open("lnk", O_RDONLY | O_NOFOLLOW));
    fd = open("target", O_RDONLY | O_NOFOLLOW);
    printf("O_NOFOLLOW on a file opens: %s\n", yes(fd >= 0));
    close(fd);
    said("symlink over a name", symlink("x", "target"));
    said("symlink to an empty target", symlink("", "empty"));

    symlink("loopb", "loopa");
    symlink("loopa", "loopb");
    said("open of a loop", open("loopa", O_RDONLY));
    said("stat of a loop", stat("loopa", &s2));
    /* c0 -> target, c1 -> c0, ... c40 -> c39: 40 links are followed, the 41st is one too many */
    for (int i = 0; i <= 40; i++) {
        char name[16], to[16];
        snprintf(name, sizeof name, "c%d", i);
        snprintf(to, sizeof to, i ? "c%d" : "target", i - 1);
        symlink(to, name);
    }
    printf("through 40 links: %s\n", text_of("c39"));
    printf("through 41 links: %s\n", text_of("c40"));

    said("rename a link", rename("lnk2", "lnk3"));
    memset(buf, 0, sizeof buf);
    readlink("lnk3", buf, sizeof buf);
    printf("renamed link still says: %s\n", buf);
    said("lchown the link", lchown("sublink", 7, 8));
    st = st_of("sublink", 0);
    s2 = st_of("sub", 1);
    printf("link owner %u:%u, its directory's %u:%u\n", st.st_uid, st.st_gid, s2.st_uid, s2.st_gid);
    said("fchownat NOFOLLOW", fchownat(AT_FDCWD, "lnk3", 9, 10, AT_SYMLINK_NOFOLLOW));
    said("fstatat NOFOLLOW", fstatat(AT_FDCWD, "lnk3", &st, AT_SYMLINK_NOFOLLOW));
    printf("  link %s, owner %u:%u, size %lld\n", yes(S_ISLNK(st.st_mode)), st.st_uid, st.st_gid, (long long)st.st_size);
    said("unlink the link", unlink("lnk"));
    printf("the target stays: %s\n", yes(access("target", F_OK) == 0));
    said("rmdir through a link", rmdir("sublink"));
    said("chdir through a link", chdir("sublink"));
    getcwd(buf, sizeof buf);
    printf("getcwd ends in /sub: %s\n", yes(strlen(buf) > 4 && !strcmp(buf + strlen(buf) - 4, "/sub")));
    chdir("..");
    close(dfd);
}

static void hard_links(void)
{
    printf("-- hard links\n");
    put_file("h1", "shared");
    said("link", link("h1", "h2"));
    struct stat a = st_of("h1", 1), b = st_of("h2", 1);
    printf("nlink %lu and %lu, one inode: %s\n", (unsigned long)a.st_nlink, (unsigned long)b.st_nlink,
           yes(a.st_ino == b.st_ino));
    int fd = open("h2", O_WRONLY | O_APPEND);
    write(fd, "+more", 5);
    close(fd);
    printf("written through h2, read through h1: %s\n", text_of("h1"));
    said("link over a name", link("h1", "target"));
    said("link of nothing", link("missing", "h3"));
    said("link of a directory", link("sub", "sub2"));
    said("rename onto the other name", rename("h1", "h2"));
    printf("both names stay: %s\n", yes(access("h1", F_OK) == 0 && access("h2", F_OK) == 0));
    said("rename a file to \"name/\"", rename("h1", "nn/"));
    said("unlink h1", unlink("h1"));
    b = st_of("h2", 1);
    printf("h2: nlink %lu, '%s'\n", (unsigned long)b.st_nlink, text_of("h2"));
    symlink("h2", "hl");
    said("link of a symbolic link", link("hl", "hl-itself"));
    struct stat s = st_of("hl-itself", 0);
    printf("  is the link: %s\n", yes(S_ISLNK(s.st_mode)));
    said("linkat AT_SYMLINK_FOLLOW", linkat(AT_FDCWD, "hl", AT_FDCWD, "hl-file", AT_SYMLINK_FOLLOW));
    s = st_of("hl-file", 0);
    printf("  is the file: %s, nlink %lu\n", yes(S_ISREG(s.st_mode)), (unsigned long)s.st_nlink);
    mkdir("nd", 0755);
    printf("new directory: nlink %lu\n", (unsigned long)st_of("nd", 1).st_nlink);
    mkdir("nd/a", 0755);
    mkdir("nd/b", 0755);
    put_file("nd/f", "");
    printf("with two subdirectories and a file: nlink %lu\n", (unsigned long)st_of("nd", 1).st_nlink);
}

static void modes_and_owners(void)
{
    printf("-- modes and owners\n");
    said("umask", umask(027));
    int fd = open("m", O_WRONLY | O_CREAT, 0777);
    printf("created 0777 under 027: %o\n", st_of("m", 1).st_mode & 07777);
    mkdir("md", 0777);
    printf("mkdir 0777 under 027: %o\n", st_of("md", 1).st_mode & 07777);
    said("umask back", umask(022));
    said("chmod", chmod("m", 0640));
    printf("  %o\n", st_of("m", 1).st_mode & 07777);
    said("fchmod", fchmod(fd, 0600));
    printf("  %o\n", st_of("m", 1).st_mode & 07777);
    said("fchmodat", fchmodat(AT_FDCWD, "m", 02755, 0));
    printf("  %o\n", st_of("m", 1).st_mode & 07777);
    symlink("m", "ml");
    said("chmod through a link", chmod("ml", 04711));
    printf("  file %o, link %o\n", st_of("m", 1).st_mode & 07777, st_of("ml", 0).st_mode & 07777);
    said("chown", chown("m", 1234, 5678));
    struct stat st = st_of("m", 1);
    printf("  %u:%u, mode %o (set-user-ID goes)\n", st.st_uid, st.st_gid, st.st_mode & 07777);
    said("fchown gid only", fchown(fd, -1, 99));
    st = st_of("m", 1);
    printf("  %u:%u\n", st.st_uid, st.st_gid);
    said("chown through a link", chown("ml", 4, -1));
    printf("  file owner %u, link owner %u\n", st_of("m", 1).st_uid, st_of("ml", 0).st_uid);
    said("chmod of nothing", chmod("missing", 0644));
    said("chown of nothing", chown("missing", 0, 0));
    close(fd);
    chmod("m", 0644);
}

/* A byte sum and the count of non-zero bytes of a file, read in pieces. */
static void sum_file(const char *path, unsigned long *sum, unsigned long *nonzero)
{
    static char buf[65536];
    int fd = open(path, O_RDONLY);
    *sum = *nonzero = 0;
    for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0; )
        for (ssize_t i = 0; i < n; i++) {
            *sum += (unsigned char)buf[i];
            *nonzero += buf[i] != 0;
        }
    close(fd);
}

static void sizes(void)
{
    printf("-- truncate\n");
    put_file("t", "0123456789");
    said("truncate to 4", truncate("t", 4));
    printf("  size %lld, '%s'\n", (long long)st_of("t", 1).st_size, text_of("t"));
    int fd = open("t", O_RDWR);
    said("ftruncate to 8195", ftruncate(fd, 8195));
    unsigned long sum, nz;
    sum_file("t", &sum, &nz);
    printf("  size %lld, byte sum %lu, non-zero bytes %lu\n", (long long)st_of("t", 1).st_size, sum, nz);
    said("ftruncate to 2", ftruncate(fd, 2));
    said("ftruncate to 6", ftruncate(fd, 6));
    char buf[8] = { 0 };
    pread(fd, buf, 6, 0);
    printf("  grown again: %02x %02x %02x %02x %02x %02x\n", buf[0], buf[1], buf[2], buf[3], buf[4], buf[5]);
    said("ftruncate negative", ftruncate(fd, -1));
    close(fd);
    fd = open("t", O_RDONLY);
    said("ftruncate read-only", ftruncate(fd, 0));
    close(fd);
    said("truncate a directory", truncate("sub", 0));
    said("truncate nothing", truncate("missing", 0));

    /* Past the old 2 MiB limit of a file: a hole of 5 MiB, then 3 MiB of data. */
    fd = open("big", O_RDWR | O_CREAT, 0644);
    said("pwrite at 5 MiB", pwrite(fd, "!", 1, 5 << 20));
    sum_file("big", &sum, &nz);
    printf("  size %lld, byte sum %lu, non-zero bytes %lu\n", (long long)st_of("big", 1).st_size, sum, nz);
    static char chunk[65536];
    for (unsigned i = 0; i < sizeof chunk; i++)
        chunk[i] = (char)(i * 7 + 1);
    lseek(fd, 0, SEEK_SET);
    long written = 0;
    for (int i = 0; i < 48; i++)
        written += write(fd, chunk, sizeof chunk);
    printf("  wrote %ld\n", written);
    sum_file("big", &sum, &nz);
    printf("  size %lld, byte sum %lu, non-zero bytes %lu\n", (long long)st_of("big", 1).st_size, sum, nz);
    said("ftruncate to 1 MiB + 1", ftruncate(fd, (1 << 20) + 1));
    sum_file("big", &sum, &nz);
    printf("  byte sum %lu\n", sum);
    close(fd);
    unlink("big");
}

static void times(void)
{
    printf("-- times\n");
    struct timespec before, after;
    clock_gettime(CLOCK_REALTIME, &before);
    put_file("w", "");
    clock_gettime(CLOCK_REALTIME, &after);
    struct stat s0 = st_of("w", 1);
    printf("new file: atime = mtime = ctime: %s\n",
           yes(same_time(s0.st_atim, s0.st_mtim) && same_time(s0.st_mtim, s0.st_ctim)));
    printf("new file: mtime within a second of the clock: %s\n",
           yes(s0.st_mtim.tv_sec >= before.tv_sec - 1 && s0.st_mtim.tv_sec <= after.tv_sec + 1));
    struct stat d0 = st_of(".", 1);

    tick();
    int fd = open("w", O_WRONLY | O_APPEND);
    write(fd, "b", 1);
    struct stat s1 = st_of("w", 1), f1;
    fstat(fd, &f1);
    printf("write: mtime advanced %s, ctime advanced %s, atime kept %s\n", yes(later(s1.st_mtim, s0.st_mtim)),
           yes(later(s1.st_ctim, s0.st_ctim)), yes(same_time(s1.st_atim, s0.st_atim)));
    printf("fstat says what stat says: %s\n", yes(same_time(f1.st_mtim, s1.st_mtim) && same_time(f1.st_ctim, s1.st_ctim)));
    tick();
    write(fd, "", 0);
    struct stat s2 = st_of("w", 1);
    printf("an empty write changes nothing: %s\n", yes(same_time(s2.st_mtim, s1.st_mtim)));
    close(fd);

    tick();
    chmod("w", 0600);
    struct stat s3 = st_of("w", 1);
    printf("chmod: ctime advanced %s, mtime kept %s\n", yes(later(s3.st_ctim, s2.st_ctim)), yes(same_time(s3.st_mtim, s2.st_mtim)));
    tick();
    truncate("w", 0);
    struct stat s4 = st_of("w", 1);
    printf("truncate: mtime advanced %s, ctime advanced %s\n", yes(later(s4.st_mtim, s3.st_mtim)), yes(later(s4.st_ctim, s3.st_ctim)));
    tick();
    link("w", "w2");
    struct stat s5 = st_of("w", 1);
    printf("link: ctime advanced %s, mtime kept %s\n", yes(later(s5.st_ctim, s4.st_ctim)), yes(same_time(s5.st_mtim, s4.st_mtim)));
    struct stat d1 = st_of(".", 1);
    printf("the directory's mtime advanced with new names: %s\n", yes(later(d1.st_mtim, d0.st_mtim)));

    struct timespec set[2] = { { 1000000000, 123456789 }, { 1234567890, 987654321 } };
    tick();
    said("utimensat", utimensat(AT_FDCWD, "w", set, 0));
    struct stat s6 = st_of("w", 1);
    printf("  atime %lld.%09ld mtime %lld.%09ld, ctime advanced %s\n", (long long)s6.st_atim.tv_sec, s6.st_atim.tv_nsec,
           (long long)s6.st_mtim.tv_sec, s6.st_mtim.tv_nsec, yes(later(s6.st_ctim, s5.st_ctim)));
    struct timespec omit_now[2] = { { 5, UTIME_OMIT }, { 5, UTIME_NOW } };
    said("utimensat OMIT, NOW", utimensat(AT_FDCWD, "w", omit_now, 0));
    struct stat s7 = st_of("w", 1);
    clock_gettime(CLOCK_REALTIME, &after);
    printf("  atime kept %s, mtime now %s\n", yes(same_time(s7.st_atim, s6.st_atim)),
           yes(s7.st_mtim.tv_sec >= after.tv_sec - 1 && s7.st_mtim.tv_sec <= after.tv_sec));
    struct timespec omit[2] = { { 0, UTIME_OMIT }, { 0, UTIME_OMIT } };
    tick();
    said("utimensat OMIT, OMIT", utimensat(AT_FDCWD, "w", omit, 0));
    printf("  ctime kept: %s\n", yes(same_time(st_of("w", 1).st_ctim, s7.st_ctim)));
    said("utimensat NULL", utimensat(AT_FDCWD, "w", NULL, 0));
    struct stat s8 = st_of("w", 1);
    printf("  atime = mtime, both now: %s\n", yes(same_time(s8.st_atim, s8.st_mtim) && s8.st_mtim.tv_sec >= after.tv_sec - 1));
    struct timespec bad[2] = { { 0, 1000000000 }, { 0, 0 } };
    said("utimensat bad nsec", utimensat(AT_FDCWD, "w", bad, 0));
    said("utimensat of nothing", utimensat(AT_FDCWD, "missing", set, 0));
    fd = open("w", O_RDONLY);
    set[1].tv_sec = 42;
    said("futimens", futimens(fd, set));
    printf("  mtime %lld\n", (long long)st_of("w", 1).st_mtim.tv_sec);
    close(fd);
    symlink("w", "wl");
    set[1].tv_sec = 77;
    said("utimensat NOFOLLOW on a link", utimensat(AT_FDCWD, "wl", set, AT_SYMLINK_NOFOLLOW));
    printf("  link mtime %lld, file mtime %lld\n", (long long)st_of("wl", 0).st_mtim.tv_sec,
           (long long)st_of("w", 1).st_mtim.tv_sec);
}

/* statx, called directly (musl 1.2.3 has no wrapper): its layout, linux/stat.h's. */
struct statx_ts { int64_t tv_sec; uint32_t tv_nsec; int32_t reserved; };
struct statx_buf {
    uint32_t mask, blksize;
    uint64_t attributes;
    uint32_t nlink, uid, gid;
    uint16_t mode, spare0;
    uint64_t ino, size, blocks, attributes_mask;
    struct statx_ts atime, btime, ctime, mtime;
    uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
    uint64_t spare[14];
};

static void statx_checks(void)
{
    printf("-- statx\n");
    struct statx_buf sx;
    memset(&sx, 0xff, sizeof sx);
    said("statx", syscall(SYS_statx, AT_FDCWD, "h2", 0, 0x7ff, &sx));
    struct stat st = st_of("h2", 1);
    printf("  basic stats given: %s\n", yes((sx.mask & 0x7ff) == 0x7ff));
    printf("  as stat: mode %s, nlink %s, owner %s, size %s, inode %s, mtime %s, ctime %s\n",
           yes(sx.mode == st.st_mode), yes(sx.nlink == st.st_nlink), yes(sx.uid == st.st_uid && sx.gid == st.st_gid),
           yes(sx.size == (uint64_t)st.st_size), yes(sx.ino == st.st_ino),
           yes(sx.mtime.tv_sec == st.st_mtim.tv_sec && sx.mtime.tv_nsec == (uint32_t)st.st_mtim.tv_nsec),
           yes(sx.ctime.tv_sec == st.st_ctim.tv_sec && sx.ctime.tv_nsec == (uint32_t)st.st_ctim.tv_nsec));
    said("statx NOFOLLOW of a link", syscall(SYS_statx, AT_FDCWD, "hl", AT_SYMLINK_NOFOLLOW, 0x7ff, &sx));
    printf("  link %s, size %llu\n", yes(S_ISLNK(sx.mode)), (unsigned long long)sx.size);
    int fd = open("h2", O_RDONLY);
    said("statx AT_EMPTY_PATH", syscall(SYS_statx, fd, "", AT_EMPTY_PATH, 0x7ff, &sx));
    printf("  the descriptor's file: %s\n", yes(sx.ino == st.st_ino));
    close(fd);
    said("statx of nothing", syscall(SYS_statx, AT_FDCWD, "missing", 0, 0x7ff, &sx));
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The directory's names, sorted, with their d_type (eight a line: the console cuts long ones). */
static void listing(void)
{
    printf("-- listing\n");
    DIR *d = opendir(".");
    char *names[128];
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d)) && n < 128; ) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char *s = malloc(strlen(e->d_name) + 4);
        sprintf(s, "%s/%c", e->d_name, e->d_type == DT_LNK ? 'l' : e->d_type == DT_DIR ? 'd' : e->d_type == DT_REG ? 'f' : '?');
        names[n++] = s;
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof names[0], by_name);
    for (int i = 0; i < n; i++)
        printf("%s%s", names[i], i + 1 < n && (i + 1) % 8 ? " " : "\n");
}

/* Everything below dir (descriptor dfd) removed: links as links. */
static void remove_all(int dfd)
{
    DIR *d = fdopendir(dfd);
    for (struct dirent *e; d && (e = readdir(d)); ) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        struct stat st;
        fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW);
        if (S_ISDIR(st.st_mode)) {
            remove_all(openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY));
            unlinkat(dfd, e->d_name, AT_REMOVEDIR);
        } else {
            unlinkat(dfd, e->d_name, 0);
        }
        rewinddir(d);
    }
    closedir(d);
}

int main(void)
{
    umask(022);
    mkdir("/tmp", 01777);
    char dir[] = "/tmp/files.XXXXXX";
    if (!mkdtemp(dir) || chdir(dir)) {
        printf("no directory to work in: errno %d\n", errno);
        return 1;
    }
    symlinks();
    hard_links();
    modes_and_owners();
    sizes();
    times();
    statx_checks();
    listing();
    chdir("/");
    remove_all(open(dir, O_RDONLY | O_DIRECTORY));
    said("all removed", rmdir(dir));
    return 0;
}
