/* SPDX-License-Identifier: MIT */
/* string.h — the string functions of the roottask's small libc. */
#pragma once
#include "lib/string.h"
int strcmp(const char *a, const char *b);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
