// SPDX-License-Identifier: MIT
/* fileops.c — files through the Linux API: create, write, seek, read back, stat, list, unlink. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(void)
{
    if (mkdir("ftest", 0755) != 0) { printf("mkdir: errno %d\n", errno); return 1; }
    int fd = open("ftest/data.txt", O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd < 0) { printf("open: errno %d\n", errno); return 1; }
    for (int i = 0; i < 200; i++)
        dprintf(fd, "line %03d of the file\n", i);
    close(fd);

    struct stat st;
    stat("ftest/data.txt", &st);
    printf("size %lld, regular %d, directory %d\n", (long long)st.st_size, S_ISREG(st.st_mode), S_ISDIR(st.st_mode));

    fd = open("ftest/data.txt", O_RDWR);
    char buf[64] = { 0 };
    lseek(fd, 21 * 100, SEEK_SET);
    read(fd, buf, 20);
    printf("at 2100: '%s'\n", buf);
    lseek(fd, -21, SEEK_END);
    write(fd, "LAST LINE REPLACED!\n", 20);
    off_t end = lseek(fd, 0, SEEK_END);
    lseek(fd, -21, SEEK_END);
    memset(buf, 0, sizeof buf);
    read(fd, buf, 21);
    printf("end %lld, last line now '%.20s'\n", (long long)end, buf);
    close(fd);

    for (int i = 0; i < 3; i++) {
        char name[32];
        snprintf(name, sizeof name, "ftest/extra%d", i);
        close(open(name, O_CREAT | O_WRONLY, 0600));
    }
    DIR *d = opendir("ftest");
    char *names[16];
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d)) && n < 16; )
        names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, (size_t)n, sizeof names[0], cmp);
    printf("listing:");
    for (int i = 0; i < n; i++)
        printf(" %s", names[i]);
    printf("\n");

    /* one call per statement: errno is read after the call it belongs to */
    int r1 = unlink("ftest/extra1");
    int r2 = unlink("ftest/extra1");
    printf("unlink: %d, again: %d errno %d\n", r1, r2, errno);
    r1 = rmdir("ftest");
    printf("rmdir non-empty: %d errno %d\n", r1, errno);
    r1 = open("ftest/missing", O_RDONLY);
    printf("open missing: %d errno %d\n", r1, errno);
    return 0;
}
