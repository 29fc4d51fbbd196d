/*
 * RSAES-OAEP (RFC 8017 section 7.1) with SHA-256, MGF1-SHA-256 and the empty label, encoded
 * here over the raw RSA operations so that the seed comes from the caller's context (EVP's
 * OAEP draws it from OpenSSL's generator). The tests check both directions against OpenSSL.
 *
 * Decoding follows the RFC's advice: every check runs in constant time and every failure is
 * the same E2E_ERR_AUTH, so a decryption service cannot be turned into Manger's oracle.
 */
#include <string.h>

#include <e2ekit/crypto.h>

#include "core/util.h"
#include "crypto/rsa_internal.h"

#define OAEP_H 32 /* SHA-256 */

/* SHA-256 of the empty label */
static const uint8_t empty_label_hash[OAEP_H] = {
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55};

/* out ^= MGF1-SHA256(seed, len) */
static void
mgf1_xor(uint8_t *out, size_t len, const uint8_t *seed, size_t seed_len)
{
    uint8_t block[OAEP_H], ctr[4];
    for (uint32_t i = 0; len > 0; i++) {
        e2e_sha256_ctx c;
        e2e_store32_be(ctr, i);
        e2e_sha256_init(&c);
        e2e_sha256_update(&c, seed, seed_len);
        e2e_sha256_update(&c, ctr, 4);
        e2e_sha256_final(&c, block);
        size_t n = E2E_MIN(len, sizeof block);
        for (size_t j = 0; j < n; j++)
            out[j] ^= block[j];
        out += n;
        len -= n;
    }
    e2e_wipe(block, sizeof block);
}

/* Largest message for a k-byte modulus; 0 with *ok = 0 when OAEP-SHA256 does not fit. */
static size_t
max_message(size_t k, int *ok)
{
    *ok = k >= 2 * OAEP_H + 2;
    return *ok ? k - 2 * OAEP_H - 2 : 0;
}

int
e2e_rsa_oaep_encrypt(const e2e_rsa *k, const e2e_ctx *ctx, uint8_t *out, size_t out_cap,
                     size_t *out_len, const uint8_t *in, size_t n)
{
    size_t K = e2e_rsa_bytes(k);
    int fits;
    if ((!in && n) || n > max_message(K, &fits) || !fits)
        return E2E_ERR_INVALID;
    *out_len = K;
    if (out_cap < K)
        return E2E_ERR_BUFFER;
    /* EM = 00 | maskedSeed | maskedDB, DB = lHash | 00.. | 01 | M */
    uint8_t em[E2E_RSA_MAX_BITS / 8];
    uint8_t *seed = em + 1, *db = em + 1 + OAEP_H;
    size_t db_len = K - OAEP_H - 1;
    memset(em, 0, K);
    memcpy(db, empty_label_hash, OAEP_H);
    db[db_len - n - 1] = 0x01;
    if (n)
        memcpy(db + db_len - n, in, n);
    int rc = e2e_random(ctx, seed, OAEP_H);
    if (rc == E2E_OK) {
        mgf1_xor(db, db_len, seed, OAEP_H);
        mgf1_xor(seed, OAEP_H, db, db_len);
        rc = e2e_rsa_public_raw(k, out, em, K);
    }
    e2e_wipe(em, K);
    return rc;
}

/* All-ones when a == b, else zero; no data-dependent branch. */
static unsigned
ct_eq_mask(unsigned a, unsigned b)
{
    return 0U - ((((a ^ b) - 1U) >> 8) & 1U);
}

static unsigned
ct_select(unsigned mask, unsigned a, unsigned b)
{
    return (mask & a) | (~mask & b);
}

/* Position of the 01 that ends the zero padding in db[OAEP_H..db_len), in constant time.
 * *good is cleared unless the padding is zeros followed by that 01. */
static size_t
find_separator(const uint8_t *db, size_t db_len, unsigned *good)
{
    unsigned looking = ~0U, index = 0, bad = 0;
    for (size_t i = OAEP_H; i < db_len; i++) {
        unsigned is_one = ct_eq_mask(db[i], 1), is_zero = ct_eq_mask(db[i], 0);
        index = ct_select(looking & is_one, (unsigned)i, index);
        bad |= looking & ~is_one & ~is_zero;
        looking &= ~is_one;
    }
    *good &= ~looking & ~bad;
    return index;
}

static int
oaep_decode(uint8_t *em, size_t K, uint8_t *out, size_t *out_len)
{
    uint8_t *seed = em + 1, *db = em + 1 + OAEP_H;
    size_t db_len = K - OAEP_H - 1;
    mgf1_xor(seed, OAEP_H, db, db_len);
    mgf1_xor(db, db_len, seed, OAEP_H);
    unsigned good = ct_eq_mask(em[0], 0);
    good &= 0U - (unsigned)e2e_ct_equal(db, empty_label_hash, OAEP_H);
    size_t sep = find_separator(db, db_len, &good);
    if (!good) /* the only branch on the padding: the result is public from here on */
        return E2E_ERR_AUTH;
    *out_len = db_len - sep - 1;
    if (*out_len)
        memcpy(out, db + sep + 1, *out_len);
    return E2E_OK;
}

int
e2e_rsa_oaep_decrypt(const e2e_rsa *k, uint8_t *out, size_t out_cap, size_t *out_len,
                     const uint8_t *in, size_t n)
{
    size_t K = e2e_rsa_bytes(k);
    int fits;
    size_t max = max_message(K, &fits);
    *out_len = 0;
    if (!fits || !k->has_private || (!in && n))
        return E2E_ERR_INVALID;
    /* Checked before decrypting: a size error that depended on the plaintext would tell an
     * attacker that the padding was good. */
    if (out_cap < max)
        return E2E_ERR_BUFFER;
    if (n != K)
        return E2E_ERR_AUTH;
    uint8_t em[E2E_RSA_MAX_BITS / 8];
    int rc = e2e_rsa_private_raw(k, em, in, n);
    if (rc == E2E_ERR_MALFORMED)
        rc = E2E_ERR_AUTH;
    if (rc == E2E_OK)
        rc = oaep_decode(em, K, out, out_len);
    e2e_wipe(em, K);
    return rc;
}
