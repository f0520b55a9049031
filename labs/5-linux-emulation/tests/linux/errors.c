// SPDX-License-Identifier: MIT
/* errors.c — what Linux answers to a bad pointer, an unknown syscall and a bad descriptor, and
 * to copies the page rights forbid: a read into a constant, a write from a PROT_NONE page. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>

/* A page of its own in the read-only data: a read into it must not change it. */
static const char constant[4096] __attribute__((aligned(4096))) = "a constant";

int main(void)
{
    long r = write(1, (const void *)8, 10);
    printf("write from a bad pointer: %ld errno %d\n", r, errno);
    r = syscall(9999);
    printf("syscall 9999: %ld errno %d\n", r, errno);
    r = write(42, "x", 1);
    printf("write to fd 42: %ld errno %d\n", r, errno);

    int fds[2];
    if (pipe(fds) != 0)
        return 1;
    r = write(fds[1], "overwritten", 11);
    errno = 0;
    r = read(fds[0], (void *)constant, 11);
    printf("read into a read-only page: %ld errno %d, the constant: %s\n", r, errno,
           *(const volatile char *)constant == 'a' ? "unchanged" : "changed");
    char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED)
        return 1;
    memcpy(page, "secret\n", 7);
    mprotect(page, 4096, PROT_NONE);
    errno = 0;
    r = write(fds[1], page, 7);
    printf("write from a PROT_NONE page: %ld errno %d\n", r, errno);
    mprotect(page, 4096, PROT_READ);
    errno = 0;
    r = write(fds[1], page, 7);
    printf("write from it made readable: %ld errno %d\n", r, errno);
    errno = 0;
    r = read(fds[0], page, 7);
    printf("read into it, read-only: %ld errno %d\n", r, errno);
    return 0;
}
