// SPDX-License-Identifier: MIT
/* matmul.c [SEED] — matrices in malloc'ed memory (brk/mmap), multiplied in doubles (SSE): a
 * checksum. SEED (hex, default 0) varies the matrices: the grader gives each boot its own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

static double *matrix(int n, int seed)
{
    double *m = malloc(sizeof *m * (size_t)n * (size_t)n);
    if (!m)
        return NULL;
    for (int i = 0; i < n * n; i++)
        m[i] = (double)((i * 37 + seed * 11) % 97) / 7.0;
    return m;
}

int main(int argc, char **argv)
{
    int sizes[] = { 8, 64, 160 };
    int s = argc > 1 ? (int)(strtoul(argv[1], NULL, 16) % 1000) : 0;
    for (unsigned k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        int n = sizes[k];
        double *a = matrix(n, 1 + s), *b = matrix(n, 2 + s), *c = calloc((size_t)n * (size_t)n, sizeof *c);
        if (!a || !b || !c) {
            printf("out of memory at n=%d\n", n);
            return 1;
        }
        for (int i = 0; i < n; i++)
            for (int l = 0; l < n; l++)
                for (int j = 0; j < n; j++)
                    c[i * n + j] += a[i * n + l] * b[l * n + j];
        double sum = 0;
        for (int i = 0; i < n * n; i++)
            sum += c[i] * (double)(i % 13 + 1);
        printf("n=%d checksum=%.6f\n", n, sum);
        free(a);
        free(b);
        free(c);
    }
    struct utsname u;
    if (uname(&u) == 0)
        printf("uname: sysname=%s machine=%s\n", u.sysname, u.machine);
    return 0;
}
