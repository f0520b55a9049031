/* SPDX-License-Identifier: MIT */
/* grade/witness/hmac.h — SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104): how the witness signs. */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct sha256 {
    uint32_t h[8];
    uint64_t bytes;          /* message length so far */
    uint8_t  block[64];      /* the partial block */
};

void sha256_init(struct sha256 *s);
void sha256_add(struct sha256 *s, const void *data, size_t n);
void sha256_done(struct sha256 *s, uint8_t out[32]);

/* out = HMAC-SHA-256(key, msg); keys longer than a block are hashed first. */
void hmac_sha256(const uint8_t *key, size_t key_len, const void *msg, size_t n, uint8_t out[32]);
