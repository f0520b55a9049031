// SPDX-License-Identifier: MIT
/* labs/5-linux-emulation/tests/native/fsuser.c — files and directories through the roottask's file service: one line per check. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include "facet/app.h"
#include "facet/fs.h"
#include "facet/thread.h"

#define BIG   10000                  /* more than one UTCB holds: the library splits it */
#define TAIL  "0123456789ABCDEF"
#define NATIVE_LINE "written by fsuser, a native Facet program, through the file service"

static uint8_t big[BIG], back[BIG];
static unsigned checks, wrong;

/* One check: "fsuser: <what> = <got>"; counted wrong (and said so) unless got is want. */
static int64_t check(const char *what, int64_t got, int64_t want)
{
    checks++;
    if (got == want) {
        printf("fsuser: %s = %ld\n", what, got);
    } else {
        wrong++;
        printf("fsuser: %s = %ld (WRONG: expected %ld)\n", what, got, want);
    }
    return got;
}

/* A hand-made request of n words (mr[] already filled): what a broken client could send. */
static int64_t raw(unsigned n)
{
    struct utcb *u = fc_utcb();
    u->head.items = UTCB_ITEMS(n, 0);
    unsigned s = fc_call(APP_SEL_FS);
    return s == SUCCESS ? (int64_t)u->mr[0] : -FILE_EIO;
}

/* A file of the archive: open, fstat, read it all, compare the sizes. */
static void archive_file(void)
{
    struct file_stat st = { 0 };
    static char text[8192];
    int64_t fd = check("open README", file_open("README", FILE_O_RDONLY), 0);
    check("fstat README", file_fstat(fd, &st), 0);
    printf("fsuser: fstat README size = %lu\n", st.size);
    check("fstat README type", st.type, FILE_TYPE_FILE);
    int64_t n = check("read README", file_read(fd, text, sizeof text), (int64_t)st.size);
    uint64_t sum = 0;
    for (int64_t i = 0; i < n; i++)
        sum += (uint8_t)text[i];
    printf("fsuser: README byte sum = %lu\n", sum);
    check("read README at its end", file_read(fd, text, sizeof text), 0);
    check("write README opened read-only", file_write(fd, "x", 1), -FILE_EBADF);
    check("close README", file_close(fd), 0);
    check("close README again", file_close(fd), -FILE_EBADF);
}

/* A directory with two files: write across several calls, seek, read back, list it. */
static void directory(void)
{
    struct file_stat st = { 0 };
    char tail[64] = { 0 };
    check("mkdir fsdir", file_mkdir("fsdir", 0755), 0);
    check("mkdir fsdir again", file_mkdir("fsdir", 0755), -FILE_EEXIST);
    int64_t fd = check("create fsdir/data", file_open("fsdir/data", FILE_O_CREAT | FILE_O_RDWR), 0);
    for (unsigned i = 0; i < BIG; i++)
        big[i] = (uint8_t)(i * 7 + 3);
    check("write fsdir/data", file_write(fd, big, BIG), BIG);
    file_fstat(fd, &st);
    check("fstat fsdir/data size", (int64_t)st.size, BIG);
    check("lseek fsdir/data cur", file_lseek(fd, 0, FILE_SEEK_CUR), BIG);
    check("lseek fsdir/data set 0", file_lseek(fd, 0, FILE_SEEK_SET), 0);
    check("read back fsdir/data", file_read(fd, back, BIG), BIG);
    unsigned bad = 0;
    for (unsigned i = 0; i < BIG; i++)
        bad += back[i] != big[i];
    check("read back wrong bytes", bad, 0);
    check("lseek fsdir/data end -10", file_lseek(fd, -10, FILE_SEEK_END), BIG - 10);
    check("write the tail", file_write(fd, TAIL, strlen(TAIL)), (int64_t)strlen(TAIL));
    file_fstat(fd, &st);
    check("fstat size after the tail", (int64_t)st.size, BIG - 10 + (int64_t)strlen(TAIL));
    check("lseek fsdir/data set", file_lseek(fd, BIG - 10, FILE_SEEK_SET), BIG - 10);
    check("read the tail", file_read(fd, tail, sizeof tail - 1), (int64_t)strlen(TAIL));
    printf("fsuser: the tail reads %s\n", tail);
    check("lseek before the start", file_lseek(fd, -1, FILE_SEEK_SET), -FILE_EINVAL);
    check("lseek whence 3", file_lseek(fd, 0, 3), -FILE_EINVAL);
    check("close fsdir/data", file_close(fd), 0);

    int64_t fd2 = check("create fsdir/empty", file_open("fsdir/empty", FILE_O_CREAT | FILE_O_EXCL | FILE_O_WRONLY), 0);
    check("create fsdir/empty exclusively again", file_open("fsdir/empty", FILE_O_CREAT | FILE_O_EXCL | FILE_O_WRONLY), -FILE_EEXIST);
    check("read a write-only descriptor", file_read(fd2, tail, 1), -FILE_EBADF);
    check("close fsdir/empty", file_close(fd2), 0);

    int64_t dfd = check("open fsdir", file_open("fsdir", FILE_O_RDONLY | FILE_O_DIRECTORY), 0);
    struct file_dirent d;
    int64_t entries = 0;
    while (file_getdents(dfd, &d) == 1) {
        printf("fsuser: entry %s %s\n", d.name, d.type == FILE_TYPE_DIR ? "dir" : "file");
        entries++;
    }
    check("entries in fsdir", entries, 4);
    check("read a directory", file_read(dfd, tail, 1), -FILE_EISDIR);
    check("close fsdir", file_close(dfd), 0);
}

/* What must fail, fails with Linux's errno. */
static void errors(void)
{
    struct utcb *u = fc_utcb();
    static char longpath[300];
    char name[71];
    check("open a missing file", file_open("no-such-file", FILE_O_RDONLY), -FILE_ENOENT);
    check("create in a missing directory", file_open("no-such-dir/x", FILE_O_CREAT | FILE_O_WRONLY), -FILE_ENOENT);
    check("read descriptor 99", file_read(99, name, 1), -FILE_EBADF);
    check("read descriptor -1", file_read(-1, name, 1), -FILE_EBADF);
    check("rmdir a directory with files", file_rmdir("fsdir"), -FILE_ENOTEMPTY);
    check("unlink a directory", file_unlink("fsdir"), -FILE_EISDIR);
    check("rmdir a file", file_rmdir("fsdir/data"), -FILE_ENOTDIR);
    check("open a directory for writing", file_open("fsdir", FILE_O_WRONLY), -FILE_EISDIR);
    check("open a file as a directory", file_open("fsdir/data", FILE_O_DIRECTORY), -FILE_ENOTDIR);
    check("open with an unknown flag", file_open("README", 0x80000), -FILE_EINVAL);
    memset(longpath, 'a', sizeof longpath - 1);
    check("open a 299-byte path", file_open(longpath, FILE_O_RDONLY), -FILE_ENAMETOOLONG);
    memset(name, 'n', sizeof name - 1);
    name[sizeof name - 1] = 0;
    check("mkdir a 70-byte name", file_mkdir(name, 0755), -FILE_ENAMETOOLONG);

    /* Messages the library would never send. */
    u->mr[0] = FILE_OP_OPEN;
    u->mr[1] = FILE_O_RDONLY;
    memcpy(&u->mr[2], "READMExxREADMExx", 16);   /* two words, no NUL */
    check("a path without its NUL", raw(4), -FILE_EINVAL);
    u->mr[0] = 99;
    check("operation 99", raw(1), -FILE_ENOSYS);
    u->mr[0] = FILE_OP_READ;
    u->mr[1] = 0;
    check("a read of one word", raw(1), -FILE_EINVAL);
    int64_t fd = file_open("fsdir/data", FILE_O_RDWR);
    u->mr[0] = FILE_OP_WRITE;
    u->mr[1] = (uint64_t)fd;
    u->mr[2] = 100;                              /* 100 bytes, but two words sent */
    check("a write longer than its message", raw(5), -FILE_EINVAL);
    file_close(fd);
}

/* Unlink and rmdir: an open file stays readable until it is closed, as on Linux. */
static void cleanup(void)
{
    char five[8] = { 0 };
    int64_t fd = file_open("fsdir/data", FILE_O_RDONLY);
    check("unlink fsdir/data", file_unlink("fsdir/data"), 0);
    check("read fsdir/data after the unlink", file_read(fd, five, 5), 5);
    check("close it", file_close(fd), 0);
    check("open fsdir/data after the unlink", file_open("fsdir/data", FILE_O_RDONLY), -FILE_ENOENT);
    check("unlink fsdir/empty", file_unlink("fsdir/empty"), 0);
    check("rmdir fsdir", file_rmdir("fsdir"), 0);
    check("open fsdir after the rmdir", file_open("fsdir", FILE_O_RDONLY), -FILE_ENOENT);
}

/* A file for the Linux side: busybox cat native.txt runs next. */
static void leave_a_file(void)
{
    const char *line = NATIVE_LINE "\n";
    int64_t fd = file_open("native.txt", FILE_O_CREAT | FILE_O_WRONLY | FILE_O_TRUNC);
    check("write native.txt", file_write(fd, line, strlen(line)), (int64_t)strlen(line));
    check("close native.txt", file_close(fd), 0);
}

int main(uint64_t arg, uint64_t pid);
int main(uint64_t arg, uint64_t pid)
{
    (void)arg, (void)pid;
    int64_t probe = file_open("/", FILE_O_RDONLY);
    if (probe == -FILE_ENODEV) {
        printf("fsuser: no file system in this boot (-ENODEV)\n");
        return 1;
    }
    file_close(probe);
    archive_file();
    directory();
    errors();
    cleanup();
    leave_a_file();
    printf("fsuser: %u checks, %u wrong\n", checks, wrong);
    return (int)wrong;
}
