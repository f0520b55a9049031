/* SPDX-License-Identifier: MIT */
/* lib/string.h — the string functions kernel/lib/string.c gives the kernel and the roottask. */
#pragma once

#include <stddef.h>

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int   memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
int   strncmp(const char *a, const char *b, size_t n);
