/* SPDX-License-Identifier: MIT */
/* lib/format.h — printf-style formatting into a character sink, without floating point. */
#pragma once

#include <stdarg.h>
#include <stddef.h>

/*
 * Conversions: %d %i %u %x %X %o %c %s %p %%, length modifiers hh h l ll z j t,
 * flags - 0 + space #, width and precision (also as *), all with C99 meaning.
 * Departures from the C library, by design:
 *   %s with NULL prints "(null)"; %p prints 0x-prefixed hex (also "0x0" for NULL);
 *   floating-point conversions (%f %F %e %E %g %G %a %A) print "?" and consume
 *   no argument; %n takes its pointer but writes and prints nothing; %lc and %ls
 *   take their argument and print "?";
 *   any other conversion is echoed as written ("%y" prints "%y").
 */
typedef void (*fmt_putc_fn)(void *ctx, char c);

/* Formats into a sink; returns the number of characters produced (-1 past INT_MAX). */
int fmt_vformat(fmt_putc_fn putc, void *ctx, const char *fmt, va_list ap);

/* C99 snprintf: writes at most size-1 characters plus a NUL (if size > 0) and
 * returns the length the whole output would have had. buf may be NULL if size is 0. */
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));
