/* SPDX-License-Identifier: MIT */
/* tests/ar.h — ustar archives built in memory, for the tests of the tar reader and the file system. */
#pragma once
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Archives are built in memory the way GNU tar --format=ustar writes them:
 *
 *   header (512)   name[100] @0  mode[8] @100  uid[8] @108  gid[8] @116
 *                  size[12] @124  mtime[12] @136  chksum[8] @148  type @156
 *                  magic "ustar\0" @257  version "00" @263  prefix[155] @345
 *   data           size bytes, zero-padded to a multiple of 512
 *   ...
 *   two zero blocks
 *
 * The checksum is the byte sum of the header with chksum read as 8 spaces,
 * written as 6 octal digits, NUL, space.
 */
#define AR_MAX (64 * 1024)

struct ar {
    uint8_t b[AR_MAX];
    size_t len;
};

/* An octal field of n bytes: n-1 zero-padded digits and a NUL. */
static void put_octal(uint8_t *f, unsigned n, uint64_t v)
{
    char t[32];
    snprintf(t, sizeof t, "%0*llo", (int)(n - 1), (unsigned long long)v);
    memcpy(f, t, n - 1);
    f[n - 1] = 0;
}

/* Recompute a header's checksum (after a test changed a field). */
static void hdr_sum(uint8_t *h)
{
    unsigned sum = 0;
    memset(h + 148, ' ', 8);
    for (unsigned i = 0; i < 512; i++)
        sum += h[i];
    char t[8];
    snprintf(t, sizeof t, "%06o", sum);
    memcpy(h + 148, t, 6);
    h[154] = 0;
    h[155] = ' ';
}

/* Copy at most n bytes of s: a full-length field has no NUL, as ustar allows. */
static void put_field(uint8_t *f, unsigned n, const char *s)
{
    size_t l = strlen(s);
    if (l > n)
        abort();
    memcpy(f, s, l);
}

/* A correct header at h (512 bytes, overwritten). */
static void hdr_fill(uint8_t *h, const char *prefix, const char *name, char type, uint64_t size)
{
    memset(h, 0, 512);
    put_field(h, 100, name);
    put_octal(h + 100, 8, type == '5' ? 0755 : 0644);
    put_octal(h + 108, 8, 0);
    put_octal(h + 116, 8, 0);
    put_octal(h + 124, 12, size);
    put_octal(h + 136, 12, 0);
    h[156] = (uint8_t)type;
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    put_field(h + 345, 155, prefix);
    hdr_sum(h);
}

static void ar_init(struct ar *a)
{
    memset(a, 0, sizeof *a);
}

/* Append an entry; data may be NULL (then the bytes are i & 0xff). Returns the header offset. */
static size_t ar_add(struct ar *a, const char *prefix, const char *name, char type,
                     const void *data, uint64_t size)
{
    size_t at = a->len, padded = (size + 511) / 512 * 512;
    if (at + 512 + padded > AR_MAX)
        abort();
    hdr_fill(a->b + at, prefix, name, type, size);
    uint8_t *d = a->b + at + 512;
    for (uint64_t i = 0; i < size; i++)
        d[i] = data ? ((const uint8_t *)data)[i] : (uint8_t)i;
    memset(d + size, 0, padded - size);
    a->len = at + 512 + padded;
    return at;
}

static size_t ar_file(struct ar *a, const char *name, const char *text)
{
    return ar_add(a, "", name, '0', text, strlen(text));
}

/* The end-of-archive marker: two zero blocks. */
static void ar_end(struct ar *a)
{
    if (a->len + 1024 > AR_MAX)
        abort();
    memset(a->b + a->len, 0, 1024);
    a->len += 1024;
}

/* A hard ('1') or symbolic ('2') link entry naming target. */
static size_t ar_link(struct ar *a, const char *name, char type, const char *target)
{
    size_t at = ar_add(a, "", name, type, NULL, 0);
    put_field(a->b + at + 157, 100, target);
    hdr_sum(a->b + at);
    return at;
}
