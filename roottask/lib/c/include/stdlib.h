/* SPDX-License-Identifier: MIT */
/* stdlib.h — number parsing of the roottask's small libc. */
#pragma once
#include <stdint.h>
unsigned long strtoul(const char *s, char **end, int base);
