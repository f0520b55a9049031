// SPDX-License-Identifier: MIT
/* quiet.c — prints nothing, exits with (arg * 7) % 128: for create/destroy loops. */
#include <stdint.h>

int main(uint64_t arg, uint64_t pid);
int main(uint64_t arg, uint64_t pid)
{
    (void)pid;
    return (int)(arg * 7 % 128);
}
