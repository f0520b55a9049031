// SPDX-License-Identifier: MIT
/* segv.c — touches an unmapped address: Linux kills it with SIGSEGV; so must Facet, and go on. */
#include <stdint.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    (void)argv;
    printf("about to touch 0x10\n");
    fflush(stdout);
    volatile int *p = (volatile int *)(uintptr_t)(argc * 16);   /* 0x10, unknown to the compiler */
    return *p;
}
