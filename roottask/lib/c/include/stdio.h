/* SPDX-License-Identifier: MIT */
/* stdio.h — console output of the roottask's small libc (whole lines, one writer at a time). */
#pragma once
#include <stddef.h>
#include <stdarg.h>
#include "lib/format.h"

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
int puts(const char *s);
/* The backend: the roottask writes COM1, native programs call the console portal. */
void console_out(const char *s, size_t n);
#define snprintf  fmt_snprintf
#define vsnprintf fmt_vsnprintf
