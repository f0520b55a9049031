// SPDX-License-Identifier: MIT
/* hello.c — an ordinary Linux program (musl, static): its output is compared with a run on Linux. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    printf("hello from a static Linux binary, argc=%d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d]=%s\n", i, argv[i]);
    const char *facet = getenv("LINUX_UNDER_FACET");
    printf("LINUX_UNDER_FACET=%s\n", facet ? facet : "(unset)");
    fprintf(stderr, "this line goes to stderr\n");
    return 7;
}
