/* SPDX-License-Identifier: MIT */
/* vmm/dev/kbc.h — the 8042 keyboard controller's minimum: status, self test, reset line. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct kbc {
    uint8_t ctr;            /* controller command byte (commands 0x20 / 0x60) */
    uint8_t outport;        /* output port (0xd0 / 0xd1): bit 0 reset line, bit 1 A20 */
    uint8_t out;            /* output buffer, valid while out_full */
    uint8_t expect;         /* the command waiting for its data byte on port 0x60, or 0 */
    bool    out_full;
    bool    reset_requested;
};

void kbc_init(struct kbc *k);
bool kbc_io(struct kbc *k, uint16_t port, bool in, uint32_t *val);
bool kbc_reset_requested(const struct kbc *k);
