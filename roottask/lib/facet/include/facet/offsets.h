/* SPDX-License-Identifier: MIT */
/* facet/offsets.h — the runtime's stack layout as plain #defines for start.S; facet/thread.h asserts them. */
#pragma once

#define FC_STACK_SIZE   16384          /* every runtime stack: aligned to its size */
#define FC_THREAD_SIZE  80             /* sizeof(struct fc_thread), at the top of each stack */
#define FC_THREAD_UTCB  0              /* offsetof(struct fc_thread, utcb) */
