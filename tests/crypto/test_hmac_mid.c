/* HMAC-SHA256 on midstates against the generic HMAC (RFC 4231 vectors run through both), and
 * the SHA-NI compression against the portable one on random blocks. */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/crypto.h>

#include "crypto/sha256_compress.h"
#include "test.h"

static uint64_t seed = 0x9E3779B97F4A7C15ull;

static uint8_t
rnd8(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return (uint8_t)seed;
}

/* RFC 4231 test case 2 ("Jefe") and 6 (131-byte key). */
static void
test_rfc4231(void)
{
    uint8_t out[32], key[131];
    e2e_hmac_sha256_key k;
    e2e_hmac_sha256_mid_init(&k, (const uint8_t *)"Jefe", 4);
    e2e_hmac_sha256_mid(out, &k, (const uint8_t *)"what do ya want ", 16,
                        (const uint8_t *)"for nothing?", 12, NULL, 0);
    CHECK_HEX(out, 32, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    memset(key, 0xaa, sizeof key);
    static const char msg[] = "Test Using Larger Than Block-Size Key - Hash Key First";
    e2e_hmac_sha256_mid_init(&k, key, sizeof key);
    e2e_hmac_sha256_mid(out, &k, NULL, 0, (const uint8_t *)msg, sizeof msg - 1, NULL, 0);
    CHECK_HEX(out, 32, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

/* Every split of messages around the 55/56/64-byte edges and beyond, any key length. */
static void
test_against_generic(void)
{
    uint8_t key[150], msg[700], a[32], b[32];
    for (int it = 0; it < 5000; it++) {
        size_t kl = rnd8() % sizeof key, n = it < 200 ? (size_t)it : rnd8() * 2u + rnd8() % 3;
        for (size_t i = 0; i < kl; i++)
            key[i] = rnd8();
        for (size_t i = 0; i < n; i++)
            msg[i] = rnd8();
        size_t x = n ? rnd8() % (n + 1) : 0, y = x + (n - x ? rnd8() % (n - x + 1) : 0);
        e2e_hmac_sha256(a, key, kl, msg, n);
        e2e_hmac_sha256_key k;
        e2e_hmac_sha256_mid_init(&k, key, kl);
        e2e_hmac_sha256_mid(b, &k, msg, x, msg + x, y - x, msg + y, n - y);
        CHECK_MEM(b, a, 32);
    }
}

static void
test_compress_backends(void)
{
    uint8_t blocks[64 * 5];
    for (int it = 0; it < 500; it++) {
        uint32_t h1[8], h2[8];
        for (int i = 0; i < 8; i++)
            h1[i] = h2[i] = (uint32_t)rnd8() << 24 | (uint32_t)rnd8() << 8 | rnd8();
        for (size_t i = 0; i < sizeof blocks; i++)
            blocks[i] = rnd8();
        size_t nb = 1 + (size_t)it % 5;
        e2e__sha256_compress(h1, blocks, nb);
        e2e__sha256_compress_portable(h2, blocks, nb);
        CHECK_MEM(h1, h2, sizeof h1);
    }
}

int
main(void)
{
    RUN(test_rfc4231);
    RUN(test_against_generic);
    RUN(test_compress_backends);
    return test_finish();
}
