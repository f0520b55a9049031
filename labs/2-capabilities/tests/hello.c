// SPDX-License-Identifier: MIT
/* hello.c — the smallest program: a line on the console, a computed exit status. */
#include <stdio.h>
#include <stdint.h>

int main(uint64_t arg, uint64_t pid);
int main(uint64_t arg, uint64_t pid)
{
    uint64_t sum = 0;
    for (uint64_t i = 1; i <= 100; i++)
        sum += i;
    printf("hello from process %lu: sum 1..100 = %lu, arg %lu\n", pid, sum, arg);
    return (int)(arg * 3 % 128);
}
