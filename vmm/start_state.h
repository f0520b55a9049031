/* SPDX-License-Identifier: MIT */
/* vmm/start_state.h — a vCPU's first state in long mode, for the VMM's guests and the witness's VM. */
#pragma once

#include <stdint.h>
#include "uapi/utcb.h"

#define GUEST_SEL_CODE  0x10             /* the GDT's 64-bit code descriptor */
#define GUEST_SEL_DATA  0x18             /* its data descriptor */
#define GUEST_GDT_CODE  0x00af9b000000ffffUL   /* 64-bit code, DPL 0 */
#define GUEST_GDT_DATA  0x00cf93000000ffffUL   /* data, 4 GiB */

/* Long mode with paging on through the tables at cr3, the GDT at gdt (GUEST_SEL_* in it),
 * interrupts off, every register 0 but rsp and rip. */
void vcpu_long_mode_state(struct utcb_exc *x, uint64_t rip, uint64_t rsp, uint64_t cr3, uint64_t gdt);
