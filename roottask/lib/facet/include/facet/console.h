/* SPDX-License-Identifier: MIT */
/* facet/console.h — the console service's protocol: mr[0] = length, then the bytes. */
#pragma once

#include "facet/hypercall.h"

/* Send s (cut to what a UTCB holds) through the console portal pt: SUCCESS or a status. */
unsigned console_write(sel_t pt, const char *s);
