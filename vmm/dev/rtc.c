/* SPDX-License-Identifier: MIT */
/* vmm/dev/rtc.c — an MC146818 RTC and 128 bytes of CMOS RAM at 0x70 (index) / 0x71 (data). */
#include "rtc.h"

/*
 * What a guest needs: Linux reads the wall clock once at boot (registers
 * 0-9 and the century byte 0x32) after waiting for register A's
 * update-in-progress bit to clear, and honours register B's binary (bit 2)
 * and 24-hour (bit 1) format bits. It sets the clock the standard way: set
 * B.SET (bit 7), write the time registers, clear B.SET.
 *
 * The clock is the caller's Unix time plus an offset that only the guest's
 * "set the clock" changes; while B.SET is on, the time registers are plain
 * RAM that the guest edits, and clearing B.SET turns them back into an
 * offset (writes to the time registers without B.SET are dropped: the
 * next update would overwrite them anyway). Registers C and D read as "no interrupt" and "time valid"; the
 * periodic, alarm and update interrupts (IRQ8) are not modelled. The NMI
 * mask (port 0x70 bit 7) is ignored.
 *
 *   0 sec  2 min  4 hour  6 weekday  7 day  8 month  9 year  0x32 century
 *   1, 3, 5 alarms (RAM)  0x0a A  0x0b B  0x0c C  0x0d D  the rest RAM
 */

#define RTC_SEC         0x00
#define RTC_MIN         0x02
#define RTC_HOUR        0x04
#define RTC_WDAY        0x06
#define RTC_MDAY        0x07
#define RTC_MON         0x08
#define RTC_YEAR        0x09
#define RTC_A           0x0a
#define RTC_B           0x0b
#define RTC_C           0x0c
#define RTC_D           0x0d
#define RTC_CENTURY     0x32

#define RTC_A_UIP       0x80
#define RTC_B_SET       0x80
#define RTC_B_BINARY    0x04
#define RTC_B_24H       0x02
#define RTC_D_VRT       0x80
#define RTC_HOUR_PM     0x80

#define RTC_DAY_SECONDS 86400

/* A broken-down UTC time. */
struct rtc_date {
    unsigned year, mon, mday, wday, hour, min, sec;     /* mon 1-12, wday 0 = Sunday */
};

/* Unix seconds to a calendar date (the civil-from-days algorithm on 400-year eras). */
static void rtc_civil(uint64_t t, struct rtc_date *d)
{
    uint64_t days = t / RTC_DAY_SECONDS, secs = t % RTC_DAY_SECONDS;
    uint64_t z = days + 719468;                     /* days since 0000-03-01 */
    uint64_t era = z / 146097, doe = z % 146097;    /* 400-year era, day of era */
    uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);   /* day of a March-based year */
    uint64_t mp = (5 * doy + 2) / 153;              /* month, March = 0 */

    d->mday = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    d->mon = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    d->year = (unsigned)(era * 400 + yoe + (d->mon <= 2));
    d->wday = (unsigned)((days + 4) % 7);           /* 1970-01-01 was a Thursday */
    d->hour = (unsigned)(secs / 3600);
    d->min = (unsigned)(secs / 60 % 60);
    d->sec = (unsigned)(secs % 60);
}

/* A calendar date (year >= 1970) to Unix seconds: the inverse of rtc_civil. */
static uint64_t rtc_unix(const struct rtc_date *d)
{
    uint64_t y = d->year - (d->mon <= 2);           /* March-based year */
    uint64_t era = y / 400, yoe = y % 400;
    uint64_t doy = (153 * (d->mon > 2 ? d->mon - 3 : d->mon + 9) + 2) / 5 + d->mday - 1;
    uint64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    uint64_t days = era * 146097 + doe - 719468;
    return days * RTC_DAY_SECONDS + d->hour * 3600u + d->min * 60u + d->sec;
}

/* A value 0-99 in the format register B selects. */
static uint8_t rtc_encode(const struct rtc *r, unsigned v)
{
    return (uint8_t)(r->ram[RTC_B] & RTC_B_BINARY ? v : (v / 10) << 4 | v % 10);
}

/* A register byte back to 0-99 (bad BCD digits give out-of-range values). */
static unsigned rtc_decode(const struct rtc *r, uint8_t v)
{
    return r->ram[RTC_B] & RTC_B_BINARY ? v : (v >> 4) * 10u + (v & 15);
}

/* The hour register: 0-23, or 1-12 with the PM bit in 12-hour mode. */
static uint8_t rtc_encode_hour(const struct rtc *r, unsigned h)
{
    if (r->ram[RTC_B] & RTC_B_24H)
        return rtc_encode(r, h);
    return rtc_encode(r, h % 12 ? h % 12 : 12) | (h >= 12 ? RTC_HOUR_PM : 0);
}

static unsigned rtc_decode_hour(const struct rtc *r, uint8_t v)
{
    if (r->ram[RTC_B] & RTC_B_24H)
        return rtc_decode(r, v);
    return rtc_decode(r, v & (uint8_t)~RTC_HOUR_PM) % 12 + (v & RTC_HOUR_PM ? 12 : 0);
}

/* The guest's clock, in Unix seconds, at the caller's time now (never before 1970). */
static uint64_t rtc_time(const struct rtc *r, uint64_t now)
{
    int64_t t = (int64_t)now + r->offset;
    return t > 0 ? (uint64_t)t : 0;
}

/* The value of time register index at Unix time t, in the current format. */
static uint8_t rtc_time_reg(const struct rtc *r, uint64_t t, unsigned index)
{
    struct rtc_date d;
    rtc_civil(t, &d);
    switch (index) {
    case RTC_SEC:     return rtc_encode(r, d.sec);
    case RTC_MIN:     return rtc_encode(r, d.min);
    case RTC_HOUR:    return rtc_encode_hour(r, d.hour);
    case RTC_WDAY:    return rtc_encode(r, d.wday + 1);        /* 1 = Sunday */
    case RTC_MDAY:    return rtc_encode(r, d.mday);
    case RTC_MON:     return rtc_encode(r, d.mon);
    case RTC_YEAR:    return rtc_encode(r, d.year % 100);
    default:          return rtc_encode(r, d.year / 100 % 100);
    }
}

static bool rtc_is_time_reg(unsigned index)
{
    return index == RTC_SEC || index == RTC_MIN || index == RTC_HOUR || index == RTC_CENTURY ||
           (index >= RTC_WDAY && index <= RTC_YEAR);
}

/* B.SET turned on: copy the running clock into the time registers for the guest to edit. */
static void rtc_hold(struct rtc *r, uint64_t now)
{
    uint64_t t = rtc_time(r, now);
    for (unsigned i = 0; i < sizeof r->ram; i++)
        if (rtc_is_time_reg(i))
            r->ram[i] = rtc_time_reg(r, t, i);
}

/* B.SET turned off: the edited registers become the clock; an impossible date is ignored. */
static void rtc_release(struct rtc *r, uint64_t now)
{
    struct rtc_date d = {
        .year = rtc_decode(r, r->ram[RTC_CENTURY]) * 100 + rtc_decode(r, r->ram[RTC_YEAR]),
        .mon = rtc_decode(r, r->ram[RTC_MON]),
        .mday = rtc_decode(r, r->ram[RTC_MDAY]),
        .hour = rtc_decode_hour(r, r->ram[RTC_HOUR]),
        .min = rtc_decode(r, r->ram[RTC_MIN]),
        .sec = rtc_decode(r, r->ram[RTC_SEC]),
    };
    if (d.year < 1970 || d.mon < 1 || d.mon > 12 || d.mday < 1 || d.mday > 31 ||
        d.hour > 23 || d.min > 59 || d.sec > 59)
        return;
    r->offset = (int64_t)rtc_unix(&d) - (int64_t)now;
}

/* Reset state: the clock reads unix_seconds now; BCD, 24-hour, 32.768 kHz, time valid. */
void rtc_init(struct rtc *r, uint64_t unix_seconds)
{
    *r = (struct rtc){ .offset = 0 };
    r->ram[RTC_A] = 0x26;
    r->ram[RTC_B] = RTC_B_24H;
    r->ram[RTC_D] = RTC_D_VRT;
    rtc_hold(r, unix_seconds);                      /* the RAM copy starts out sensible */
}

/* Read the selected register. */
static uint8_t rtc_read(const struct rtc *r, uint64_t now)
{
    unsigned i = r->index;
    if (i == RTC_A)
        return r->ram[RTC_A] & (uint8_t)~RTC_A_UIP;    /* never mid-update */
    if (i == RTC_C)
        return 0;                                   /* no interrupt flags */
    if (i == RTC_D)
        return RTC_D_VRT;
    if (rtc_is_time_reg(i) && !(r->ram[RTC_B] & RTC_B_SET))
        return rtc_time_reg(r, rtc_time(r, now), i);
    return r->ram[i];
}

/* Write the selected register. */
static void rtc_write(struct rtc *r, uint64_t now, uint8_t v)
{
    unsigned i = r->index;
    bool was_set = r->ram[RTC_B] & RTC_B_SET;
    if (i == RTC_C || i == RTC_D)
        return;                                     /* read-only */
    if (i == RTC_A) {
        r->ram[RTC_A] = v & (uint8_t)~RTC_A_UIP;
        return;
    }
    r->ram[i] = v;
    if (i != RTC_B)
        return;
    if (!was_set && (v & RTC_B_SET))
        rtc_hold(r, now);
    else if (was_set && !(v & RTC_B_SET))
        rtc_release(r, now);
}

/* Port I/O on 0x70 and 0x71 at the caller's Unix time now; false for any other port. */
bool rtc_io(struct rtc *r, uint64_t unix_seconds_now, uint16_t port, bool in, uint32_t *val)
{
    if (port != 0x70 && port != 0x71)
        return false;
    if (port == 0x70) {
        if (in)
            *val = r->index;
        else
            r->index = *val & 0x7f;                 /* bit 7 is the NMI mask: ignored */
    } else if (in) {
        *val = rtc_read(r, unix_seconds_now);
    } else {
        rtc_write(r, unix_seconds_now, (uint8_t)*val);
    }
    return true;
}
