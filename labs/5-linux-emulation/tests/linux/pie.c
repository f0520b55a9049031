// SPDX-License-Identifier: MIT
/*
 * pie.c — a static-pie executable (built with glibc: gcc -static-pie). It is loaded at an
 * address it was not linked for and relocates itself before main: the pointers in its data
 * (a table of strings, a table of functions) only work if that happened.
 */
#include <stdio.h>
#include <string.h>

static const char *const words[] = { "relocated", "pointers", "in", "data", NULL };

static int twice(int x) { return 2 * x; }
static int square(int x) { return x * x; }
static int (*const ops[])(int) = { twice, square };

int main(int argc, char **argv)
{
    printf("static-pie, argc %d:", argc);
    for (int i = 1; i < argc; i++)
        printf(" %s", argv[i]);
    printf("\n");
    for (const char *const *w = words; *w; w++)
        printf("%s%s", *w, w[1] ? " " : "\n");
    printf("ops: %d %d\n", ops[0](21), ops[1](12));
    char buf[64];
    snprintf(buf, sizeof buf, "%s/%zu", words[0], strlen(words[1]));
    puts(buf);
    return 3;
}
