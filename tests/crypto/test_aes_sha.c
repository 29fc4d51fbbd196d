/* AES-256-CBC + HMAC-SHA256 in one pass against the two steps done one after the other: every
 * plaintext length up to 300 and the usual 1 KiB, header pieces of every length, both AES back
 * ends (the portable one takes the sequential path), tag checks, bad padding under a good MAC. */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/crypto.h>

#include "test.h"

static uint64_t seed = 0x0123456789ABCDEFull;

static uint8_t
rnd8(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return (uint8_t)seed;
}

static void
fill(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = rnd8();
}

/* The reference: CBC-PKCS#7, then HMAC over a || b || c || ciphertext || trailer. */
static void
reference(uint8_t *ct, size_t *ct_len, uint8_t tag[32], const e2e_aes_key *k, const uint8_t iv[16],
          const uint8_t *pt, size_t n, const uint8_t *mk, const struct e2e_mac_pieces *h,
          const uint8_t *trailer, size_t tn)
{
    CHECK_OK(e2e_aes_cbc_pkcs7_encrypt(k, iv, pt, n, ct, n + 16, ct_len));
    e2e_hmac_sha256_ctx c;
    e2e_hmac_sha256_init(&c, mk, 32);
    e2e_hmac_sha256_update(&c, h->a, h->an);
    e2e_hmac_sha256_update(&c, h->b, h->bn);
    e2e_hmac_sha256_update(&c, h->c, h->cn);
    e2e_hmac_sha256_update(&c, ct, *ct_len);
    e2e_hmac_sha256_update(&c, trailer, tn);
    e2e_hmac_sha256_final(&c, tag);
}

static void
one_case(int impl, size_t n)
{
    static uint8_t pt[1200], ct[1300], ct2[1300], back[1300], heads[3][160], trailer[40];
    uint8_t key[32], iv[16], mk[32], tag[32], tag2[32];
    fill(key, 32);
    fill(iv, 16);
    fill(mk, 32);
    fill(pt, n);
    fill(&heads[0][0], sizeof heads);
    fill(trailer, sizeof trailer);
    struct e2e_mac_pieces h = {heads[0],     heads[1],     heads[2],
                               rnd8() % 160, rnd8() % 160, rnd8() % 160};
    size_t tn = rnd8() % 3 ? 0 : rnd8() % sizeof trailer;
    e2e_aes_key k;
    CHECK_OK(e2e_aes_setkey_impl(&k, key, 32, impl));
    e2e_hmac_sha256_key m;
    e2e_hmac_sha256_mid_init(&m, mk, 32);
    size_t len = 0, len2 = 0, got = 0;
    reference(ct, &len, tag, &k, iv, pt, n, mk, &h, trailer, tn);
    if (tn == 0) {
        CHECK_OK(
            e2e_aes_cbc_pkcs7_encrypt_mac(&k, iv, pt, n, ct2, sizeof ct2, &len2, &m, &h, tag2));
        CHECK_EQ(len2, len);
        CHECK_MEM(ct2, ct, len);
        CHECK_MEM(tag2, tag, 32);
    }
    size_t tl = rnd8() % 2 ? 32 : 8;
    CHECK_OK(e2e_aes_cbc_pkcs7_decrypt_verify(&k, iv, ct, len, back, sizeof back, &got, &m, &h,
                                              trailer, tn, tag, tl));
    CHECK_EQ(got, n);
    CHECK_MEM(back, pt, n);
    /* a flipped ciphertext, tag or header byte: refused, output wiped */
    size_t which = rnd8() % 3;
    uint8_t *flip = which == 0 ? &ct[rnd8() % len] : which == 1 ? &tag[rnd8() % tl] : heads[0];
    if (which == 2 && h.an == 0)
        flip = &tag[0];
    *flip ^= 0x20;
    memset(back, 0x5A, sizeof back);
    CHECK_ERR(e2e_aes_cbc_pkcs7_decrypt_verify(&k, iv, ct, len, back, sizeof back, &got, &m, &h,
                                               trailer, tn, tag, tl),
              E2E_ERR_AUTH);
    CHECK_EQ(got, 0);
    uint8_t zeros[1300] = {0};
    if (back[0] != 0x5A) /* the fused path wrote and wiped; the sequential one wrote nothing */
        CHECK_MEM(back, zeros, len);
}

static void
test_lengths_and_backends(void)
{
    int impls[2] = {E2E_AES_PORTABLE, E2E_AES_AESNI};
    for (int im = 0; im < (e2e_aes_has_aesni() ? 2 : 1); im++) {
        for (size_t n = 0; n <= 300; n++)
            one_case(impls[im], n);
        for (int r = 0; r < 50; r++) {
            one_case(impls[im], 1024);
            one_case(impls[im], 1000 + rnd8() % 200);
        }
    }
}

/* Authentic ciphertext whose last block is not PKCS#7: MALFORMED after the MAC passed. */
static void
test_bad_padding_good_mac(void)
{
    uint8_t key[32], iv[16], iv2[16], mk[32], pt[64], ct[64], out[64], tag[32];
    fill(key, 32);
    fill(iv, 16);
    fill(mk, 32);
    fill(pt, 64);
    pt[63] = 0; /* pad byte 0: never valid */
    e2e_aes_key k;
    CHECK_OK(e2e_aes_setkey(&k, key, 32));
    memcpy(iv2, iv, 16);
    CHECK_OK(e2e_aes_cbc_encrypt(&k, iv2, pt, 64, ct));
    e2e_hmac_sha256(tag, mk, 32, ct, 64);
    e2e_hmac_sha256_key m;
    e2e_hmac_sha256_mid_init(&m, mk, 32);
    struct e2e_mac_pieces none = {NULL, NULL, NULL, 0, 0, 0};
    size_t got = 7;
    CHECK_ERR(e2e_aes_cbc_pkcs7_decrypt_verify(&k, iv, ct, 64, out, sizeof out, &got, &m, &none,
                                               NULL, 0, tag, 32),
              E2E_ERR_MALFORMED);
    CHECK_EQ(got, 0);
    CHECK_ERR(e2e_aes_cbc_pkcs7_decrypt_verify(&k, iv, ct, 64, out, sizeof out, &got, &m, &none,
                                               NULL, 0, tag, 33),
              E2E_ERR_INVALID);
}

int
main(void)
{
    RUN(test_lengths_and_backends);
    RUN(test_bad_padding_good_mac);
    return test_finish();
}
