/* SPDX-License-Identifier: MIT */
/* tlb.h — TLB shootdown: after an unmap, no CPU keeps a stale translation (arch/tlb.c). */
#pragma once

#include "kernel.h"

void tlb_shootdown(void);                  /* every CPU drops stale translations (and I/O bitmaps) */
void tlb_ack(void);                        /* this CPU: flush and acknowledge */
bool tlb_pending(void);                    /* a shootdown waits for this CPU's acknowledgement */
