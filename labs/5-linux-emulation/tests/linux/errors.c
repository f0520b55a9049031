// SPDX-License-Identifier: MIT
/* errors.c — what Linux answers to a bad pointer, an unknown syscall and a bad descriptor. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/syscall.h>

int main(void)
{
    long r = write(1, (const void *)8, 10);
    printf("write from a bad pointer: %ld errno %d\n", r, errno);
    r = syscall(9999);
    printf("syscall 9999: %ld errno %d\n", r, errno);
    r = write(42, "x", 1);
    printf("write to fd 42: %ld errno %d\n", r, errno);
    return 0;
}
