/* SPDX-License-Identifier: MIT */
/* tests/test_hmac.c — host tests of the witness's SHA-256 and HMAC-SHA-256 against published vectors
 * (FIPS 180-4's examples, RFC 4231's test cases) and against the host's own HMAC: the grader
 * checks the witness's signatures with Python's hmac module, so both must agree. */
#define _POSIX_C_SOURCE 200809L        /* popen */
#include "grade/witness/hmac.c"
#include "unit.h"

static void hex(const uint8_t *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
}

static void sha_of(const void *msg, size_t n, char out[65])
{
    struct sha256 s;
    uint8_t d[32];
    sha256_init(&s);
    sha256_add(&s, msg, n);
    sha256_done(&s, d);
    hex(d, 32, out);
}

TEST(sha256_published_vectors)
{
    char out[65];
    sha_of("abc", 3, out);
    CHECK_STR(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    sha_of("", 0, out);
    CHECK_STR(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";   /* 56 bytes: padding spills */
    sha_of(m, strlen(m), out);
    CHECK_STR(out, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(sha256_in_pieces_equals_at_once)
{
    static uint8_t buf[1000];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 7 + 3);
    char whole[65], parts[65];
    sha_of(buf, sizeof buf, whole);
    struct sha256 s;
    uint8_t d[32];
    sha256_init(&s);
    for (size_t at = 0, step = 1; at < sizeof buf; at += step, step = step * 3 % 97 + 1)
        sha256_add(&s, buf + at, at + step <= sizeof buf ? step : sizeof buf - at);
    sha256_done(&s, d);
    hex(d, 32, parts);
    CHECK_STR(parts, whole);
}

TEST(hmac_rfc4231)
{
    uint8_t key[131], mac[32];
    char out[65];
    memset(key, 0x0b, 20);                                         /* test case 1 */
    hmac_sha256(key, 20, "Hi There", 8, mac);
    hex(mac, 32, out);
    CHECK_STR(out, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    hmac_sha256((const uint8_t *)"Jefe", 4, "what do ya want for nothing?", 28, mac);   /* case 2 */
    hex(mac, 32, out);
    CHECK_STR(out, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    memset(key, 0xaa, 131);                                        /* case 6: a key longer than a block */
    const char *m = "Test Using Larger Than Block-Size Key - Hash Key First";
    hmac_sha256(key, 131, m, strlen(m), mac);
    hex(mac, 32, out);
    CHECK_STR(out, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

/* What the grader computes for a witness line (grade/lib/witness.py), by Python itself. */
TEST(hmac_agrees_with_python)
{
    const char *key_hex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    const char *msg = "0123456789abcdef 3 ipc-8: ok";
    uint8_t key[32], mac[32];
    for (unsigned i = 0; i < 32; i++)
        sscanf(key_hex + 2 * i, "%2hhx", &key[i]);
    hmac_sha256(key, 32, msg, strlen(msg), mac);
    char out[65], cmd[512], want[80] = "";
    hex(mac, 32, out);
    snprintf(cmd, sizeof cmd, "python3 -c 'import hmac,hashlib; print(hmac.new(bytes.fromhex(\"%s\"), b\"%s\", "
             "hashlib.sha256).hexdigest())'", key_hex, msg);
    FILE *p = popen(cmd, "r");
    CHECK(p != NULL);
    CHECK(fgets(want, sizeof want, p) != NULL);
    pclose(p);
    want[strcspn(want, "\n")] = 0;
    CHECK_STR(out, want);
}

int main(void) { return unit_run(); }
