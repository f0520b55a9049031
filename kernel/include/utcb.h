/* SPDX-License-Identifier: MIT */
/* utcb.h — moving messages between UTCBs and saved register state (pure, host-testable). */
#pragma once

#include <stdint.h>
#include <stdbool.h>
#include "cpu.h"
#include "uapi/utcb.h"

/* What a message may carry besides the registers: the EC's extra state. */
struct exc_extra {
    uint64_t fault_addr;            /* cr2 of the last #PF */
    uint64_t fs_base, gs_base;
};

/* Copy the n untyped words (n <= UTCB_WORDS, checked by the caller) and set the count. */
void utcb_copy_words(struct utcb *dst, const struct utcb *src, unsigned n);
/* Fill u->exc with the groups `mtd` selects from the saved state of an EC hit by `event`. */
void utcb_save_state(struct utcb *u, uint64_t mtd, unsigned event,
                     const struct cpu_regs *s, const struct exc_extra *x);
/* Write the groups `mtd` selects back from a reply; rflags is sanitized, bad fs/gs ignored. */
void utcb_load_state(const struct utcb *u, uint64_t mtd, struct cpu_regs *s, struct exc_extra *x);
