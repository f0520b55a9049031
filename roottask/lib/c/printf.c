// SPDX-License-Identifier: MIT
/* lib/c/printf.c — printf formats a whole line, then hands it to the program's console backend. */
#include <stdio.h>
#include <string.h>

int vprintf(const char *fmt, va_list ap)
{
    char buf[512];
    int n = fmt_vsnprintf(buf, sizeof buf, fmt, ap);
    if (n < 0)
        return n;
    console_out(buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
    return n;
}

int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

int puts(const char *s)
{
    console_out(s, strlen(s));
    console_out("\n", 1);
    return 0;
}
