// SPDX-License-Identifier: MIT
/* src/fs/tar.c — a strict ustar reader: every field is checked before it is used. */
#include "fs/tar.h"

#define BLOCK 512

/* An octal field of `n` bytes: digits, then spaces or NULs. -1 if malformed. */
static int64_t octal(const uint8_t *f, unsigned n)
{
    uint64_t v = 0;
    unsigned i = 0;
    while (i < n && f[i] == ' ')
        i++;
    unsigned digits = 0;
    for (; i < n && f[i] >= '0' && f[i] <= '7'; i++, digits++) {
        if (v >> 60)
            return -1;
        v = v * 8 + (uint64_t)(f[i] - '0');
    }
    for (; i < n; i++)
        if (f[i] != ' ' && f[i] != 0)
            return -1;
    return digits ? (int64_t)v : -1;
}

static bool all_zero(const uint8_t *b)
{
    for (unsigned i = 0; i < BLOCK; i++)
        if (b[i])
            return false;
    return true;
}

static unsigned field_len(const uint8_t *f, unsigned n)
{
    unsigned i = 0;
    while (i < n && f[i])
        i++;
    return i;
}

/* The entry at *pos, every header field checked, and *pos past its data; 0 at the end, -1 with why. */
int tar_next(const uint8_t *tar, size_t len, size_t *pos, struct tar_entry *e, const char **why)
{
    if (*pos == len)
        return 0;
    if (*pos > len || len - *pos < BLOCK) {
        *why = "truncated: header beyond the end of the archive";
        return -1;
    }
    const uint8_t *h = tar + *pos;
    if (all_zero(h))
        return 0;                                    /* end-of-archive marker */
    /* Checksum: the header's bytes with the checksum field read as spaces. */
    uint64_t sum = 0;
    for (unsigned i = 0; i < BLOCK; i++)
        sum += (i >= 148 && i < 156) ? ' ' : h[i];
    int64_t want = octal(h + 148, 8);
    if (want < 0 || (uint64_t)want != sum) {
        *why = "bad header checksum";
        return -1;
    }
    if (h[257] != 'u' || h[258] != 's' || h[259] != 't' || h[260] != 'a' || h[261] != 'r') {
        *why = "not a ustar header";
        return -1;
    }
    int64_t size = octal(h + 124, 12), mode = octal(h + 100, 8), uid = octal(h + 108, 8), gid = octal(h + 116, 8);
    int64_t mtime = octal(h + 136, 12);
    if (size < 0) {
        *why = "size field is not an octal number";
        return -1;
    }
    if (mode < 0 || uid < 0 || gid < 0 || mtime < 0 || uid > UINT32_MAX || gid > UINT32_MAX) {
        *why = "mode, uid, gid or mtime field is not an octal number";
        return -1;
    }
    uint64_t blocks = ((uint64_t)size + BLOCK - 1) / BLOCK;
    if ((uint64_t)size > len || blocks > (len - *pos - BLOCK) / BLOCK) {
        *why = "truncated: file data beyond the end of the archive";
        return -1;
    }
    unsigned plen = field_len(h + 345, 155), nlen = field_len(h, 100);
    if (nlen == 0) {
        *why = "empty file name";
        return -1;
    }
    unsigned o = 0;
    for (unsigned i = 0; i < plen; i++)
        e->name[o++] = (char)h[345 + i];
    if (plen)
        e->name[o++] = '/';
    for (unsigned i = 0; i < nlen; i++)
        e->name[o++] = (char)h[i];
    e->name[o] = 0;
    /* GNU tar may put "./" in front of the prefix or the name: strip it from the joined path. */
    unsigned skip = (o >= 2 && e->name[0] == '.' && e->name[1] == '/') ? 2 : 0;
    for (unsigned i = 0; i + skip <= o; i++)
        e->name[i] = e->name[i + skip];
    e->type = h[156] ? (char)h[156] : '0';
    e->data = h + BLOCK;
    e->size = (uint64_t)size;
    e->mode = (uint32_t)mode;
    e->uid = (uint32_t)uid;
    e->gid = (uint32_t)gid;
    e->mtime = mtime;
    e->link = (const char *)h + 157;
    e->link_len = field_len(h + 157, 100);
    if (e->link_len >= 2 && e->link[0] == '.' && e->link[1] == '/' && e->type == '1') {
        e->link += 2;                                /* GNU tar's "./" again */
        e->link_len -= 2;
    }
    if ((e->type == '1' || e->type == '2') && !e->link_len) {
        *why = "a link without a target";
        return -1;
    }
    *pos += BLOCK + blocks * BLOCK;
    return 1;
}

static bool same(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

int tar_find(const uint8_t *tar, size_t len, const char *name, struct tar_entry *e, const char **why)
{
    size_t pos = 0;
    int r;
    while ((r = tar_next(tar, len, &pos, e, why)) == 1)
        if (e->type == '0' && same(e->name, name))
            return 1;
    return r;
}
