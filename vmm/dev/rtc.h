/* SPDX-License-Identifier: MIT */
/* vmm/dev/rtc.h — the MC146818 real-time clock and CMOS RAM at ports 0x70/0x71. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct rtc {
    int64_t offset;         /* guest time = the caller's Unix seconds + offset */
    uint8_t index;          /* the register selected through port 0x70 */
    uint8_t ram[128];       /* CMOS bytes; while B.SET the time registers live here too */
};

void rtc_init(struct rtc *r, uint64_t unix_seconds);
bool rtc_io(struct rtc *r, uint64_t unix_seconds_now, uint16_t port, bool in, uint32_t *val);
