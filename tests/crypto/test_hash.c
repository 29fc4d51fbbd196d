/* Hashes, HMAC and HKDF: streaming equals one-shot, context reuse, limits, MAC checks. */
#include <string.h>

#include <e2ekit/crypto.h>

#include "test.h"

static uint8_t data[1000];

static void
test_streaming_equals_oneshot(void)
{
    static const size_t cuts[] = {0, 1, 55, 56, 63, 64, 65, 111, 112, 127, 128, 129, 999, 1000};
    uint8_t one[64], two[64];
    for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
        size_t x = cuts[c];
        e2e_sha256_ctx s2;
        e2e_sha256(one, data, sizeof data);
        e2e_sha256_init(&s2);
        e2e_sha256_update(&s2, data, x);
        e2e_sha256_update(&s2, data + x, sizeof data - x);
        e2e_sha256_final(&s2, two);
        CHECK_MEM(one, two, 32);
        CHECK(e2e_ct_is_zero(&s2, sizeof s2)); /* final wipes the state */

        e2e_sha512_ctx s5;
        e2e_sha512(one, data, sizeof data);
        e2e_sha512_init(&s5);
        e2e_sha512_update(&s5, data, x);
        e2e_sha512_update(&s5, data + x, sizeof data - x);
        e2e_sha512_final(&s5, two);
        CHECK_MEM(one, two, 64);

        e2e_sha1_ctx s1;
        e2e_sha1(one, data, sizeof data);
        e2e_sha1_init(&s1);
        e2e_sha1_update(&s1, data, x);
        e2e_sha1_update(&s1, data + x, sizeof data - x);
        e2e_sha1_final(&s1, two);
        CHECK_MEM(one, two, 20);

        e2e_md5_ctx m;
        e2e_md5(one, data, sizeof data);
        e2e_md5_init(&m);
        e2e_md5_update(&m, data, x);
        e2e_md5_update(&m, data + x, sizeof data - x);
        e2e_md5_final(&m, two);
        CHECK_MEM(one, two, 16);
    }
}

static void
test_hmac_reuse(void)
{
    uint8_t key[100], one[32], two[32];
    memset(key, 0x42, sizeof key);
    /* keys up to and beyond the block size */
    static const size_t klens[] = {0, 1, 32, 64, 65, 100};
    for (size_t k = 0; k < sizeof klens / sizeof klens[0]; k++) {
        e2e_hmac_sha256_ctx keyed, c;
        e2e_hmac_sha256_init(&keyed, key, klens[k]);
        for (size_t n = 0; n < 300; n += 37) {
            e2e_hmac_sha256(one, key, klens[k], data, n);
            c = keyed; /* the keyed state is reused by copying */
            e2e_hmac_sha256_update(&c, data, n / 2);
            e2e_hmac_sha256_update(&c, data + n / 2, n - n / 2);
            e2e_hmac_sha256_final(&c, two);
            CHECK_MEM(one, two, 32);
        }
    }
    /* a flipped bit of the message or the key changes the MAC */
    e2e_hmac_sha256(one, key, 32, data, 64);
    data[10] ^= 4;
    e2e_hmac_sha256(two, key, 32, data, 64);
    data[10] ^= 4;
    CHECK(!e2e_ct_equal(one, two, 32));
    key[31] ^= 1;
    e2e_hmac_sha256(two, key, 32, data, 64);
    CHECK(!e2e_ct_equal(one, two, 32));
}

static void
test_hkdf_limits(void)
{
    static uint8_t out[255 * 32 + 1];
    uint8_t prk[32], prk0[32], zeros[32] = {0};
    CHECK_OK(e2e_hkdf_sha256(out, 255 * 32, NULL, 0, data, 32, NULL, 0));
    CHECK_ERR(e2e_hkdf_sha256(out, 255 * 32 + 1, NULL, 0, data, 32, NULL, 0), E2E_ERR_INVALID);
    CHECK_OK(e2e_hkdf_sha256(out, 0, NULL, 0, data, 32, NULL, 0));
    /* no salt means 32 zero bytes */
    e2e_hkdf_sha256_extract(prk, NULL, 0, data, 40);
    e2e_hkdf_sha256_extract(prk0, zeros, 32, data, 40);
    CHECK_MEM(prk, prk0, 32);
    /* expand is a prefix family: shorter outputs are prefixes of longer ones */
    uint8_t a[80], b[42];
    CHECK_OK(e2e_hkdf_sha256_expand(a, sizeof a, prk, (const uint8_t *)"x", 1));
    CHECK_OK(e2e_hkdf_sha256_expand(b, sizeof b, prk, (const uint8_t *)"x", 1));
    CHECK_MEM(a, b, sizeof b);
}

static void
test_crc32_pieces(void)
{
    uint32_t whole = e2e_crc32(0, data, sizeof data);
    for (size_t x = 0; x <= sizeof data; x += 7)
        CHECK_EQ(e2e_crc32(e2e_crc32(0, data, x), data + x, sizeof data - x), whole);
}

int
main(void)
{
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 13 + 5);
    RUN(test_streaming_equals_oneshot);
    RUN(test_hmac_reuse);
    RUN(test_hkdf_limits);
    RUN(test_crc32_pieces);
    return test_finish();
}
