/* SPDX-License-Identifier: MIT */
/* kernel.h — types, macros and the console/panic interface every kernel file uses. */
#pragma once

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdarg.h>

typedef uint64_t mword_t;
typedef uint64_t sel_t;
typedef uint64_t paddr_t;

#define ARRAY_SIZE(a)     (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a)    (((x) + (a) - 1) & ~((uint64_t)(a) - 1))
#define ALIGN_DOWN(x, a)  ((x) & ~((uint64_t)(a) - 1))
#define MIN(a, b)         ((a) < (b) ? (a) : (b))
#define MAX(a, b)         ((a) > (b) ? (a) : (b))
#define likely(x)         __builtin_expect(!!(x), 1)
#define unlikely(x)       __builtin_expect(!!(x), 0)
#define NORETURN          __attribute__((noreturn))
#define ALWAYS_INLINE     inline __attribute__((always_inline))   /* on the hypercall path: no call */
#define PRINTF(f, a)      __attribute__((format(printf, f, a)))
#define container_of(p, type, member) \
    ((type *)((char *)(p) - offsetof(type, member)))

/* Console: every line starts with a subsystem tag, e.g. kprintf("[mm] ..."). */
void kprintf(const char *fmt, ...) PRINTF(1, 2);
void kvprintf(const char *fmt, va_list ap);
NORETURN void panic(const char *fmt, ...) PRINTF(1, 2);
/* The return addresses from the frame at rbp up, on one "[panic] backtrace (whose):" line. */
void panic_backtrace(const char *whose, uint64_t rbp);

#include "lib/string.h"
