/*
 * RSA: deterministic key generation, raw operations, PKCS#1 DER, ISO/IEC 9796-2 scheme 1 and
 * OAEP. Published known answers live in tests/vectors/pubkey/ and run through the
 * calculators; this file checks the properties: round trips, every rejection, every bit.
 */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/crypto.h>

#include "test.h"

static e2e_rsa *key1024, *other1024;

static e2e_rsa *
generate(unsigned bits, uint64_t seed)
{
    struct test_ctx t;
    e2e_ctx *ctx = test_ctx_new(&t, seed);
    e2e_rsa *k = NULL;
    CHECK_OK(e2e_rsa_generate(&k, bits, ctx));
    test_ctx_free(&t);
    return k;
}

static void
modulus_of(const e2e_rsa *k, uint8_t *out, size_t *len)
{
    CHECK_OK(e2e_rsa_modulus(k, out, 512, len));
}

/* A value below the modulus: random bytes with the top byte cleared. */
static void
below_modulus(const e2e_rsa *k, uint8_t *out, uint64_t seed)
{
    struct test_ctx t;
    e2e_ctx *ctx = test_ctx_new(&t, seed);
    CHECK_OK(e2e_random(ctx, out, e2e_rsa_bytes(k)));
    out[0] = 0;
    test_ctx_free(&t);
}

/* ---- key generation -------------------------------------------------------------------------- */

static void
test_generate_deterministic(void)
{
    key1024 = generate(1024, 1);
    other1024 = generate(1024, 2);
    e2e_rsa *again = generate(1024, 1);
    CHECK(key1024 && other1024 && again);
    if (!key1024 || !other1024 || !again)
        return;
    CHECK_EQ(e2e_rsa_bits(key1024), 1024);
    CHECK_EQ(e2e_rsa_bytes(key1024), 128);
    CHECK(e2e_rsa_has_private(key1024));
    uint8_t a[512], b[512];
    size_t an, bn;
    modulus_of(key1024, a, &an);
    modulus_of(again, b, &bn);
    CHECK_EQ(an, bn);
    CHECK_MEM(a, b, an);
    modulus_of(other1024, b, &bn);
    CHECK(memcmp(a, b, an) != 0);
    e2e_rsa_free(again);

    e2e_rsa *bad = (e2e_rsa *)1;
    struct test_ctx t;
    e2e_ctx *ctx = test_ctx_new(&t, 1);
    CHECK_ERR(e2e_rsa_generate(&bad, 1000, ctx), E2E_ERR_INVALID);
    CHECK(bad == NULL);
    CHECK_ERR(e2e_rsa_generate(&bad, 512, ctx), E2E_ERR_INVALID);
    test_ctx_free(&t);
}

static void
roundtrip_raw(const e2e_rsa *k)
{
    uint8_t m[512], c[512], back[512];
    size_t n = e2e_rsa_bytes(k);
    below_modulus(k, m, 77);
    CHECK_OK(e2e_rsa_public_raw(k, c, m, n));
    CHECK_OK(e2e_rsa_private_raw(k, back, c, n));
    CHECK_MEM(back, m, n);
    CHECK_OK(e2e_rsa_private_raw(k, c, m, n)); /* sign direction */
    CHECK_OK(e2e_rsa_public_raw(k, back, c, n));
    CHECK_MEM(back, m, n);
}

static void
test_generate_sizes(void)
{
    static const unsigned sizes[] = {1536, 2048, 4096};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        e2e_rsa *k = generate(sizes[i], 10 + i);
        if (!k)
            continue;
        CHECK_EQ(e2e_rsa_bits(k), sizes[i]);
        CHECK_EQ(e2e_rsa_bytes(k), sizes[i] / 8);
        roundtrip_raw(k);
        e2e_rsa_free(k);
    }
}

/* ---- raw operations -------------------------------------------------------------------------- */

static void
test_raw(void)
{
    const e2e_rsa *k = key1024;
    uint8_t m[128], out[128];
    roundtrip_raw(k);
    /* the input must be exactly the modulus length and below the modulus */
    CHECK_OK(e2e_rsa_modulus(k, m, sizeof m, &(size_t){0}));
    CHECK_ERR(e2e_rsa_public_raw(k, out, m, 128), E2E_ERR_MALFORMED);
    CHECK_ERR(e2e_rsa_private_raw(k, out, m, 128), E2E_ERR_MALFORMED);
    memset(m, 0xff, sizeof m);
    CHECK_ERR(e2e_rsa_public_raw(k, out, m, 128), E2E_ERR_MALFORMED);
    m[0] = 0;
    CHECK_ERR(e2e_rsa_public_raw(k, out, m, 127), E2E_ERR_MALFORMED);
    CHECK_ERR(e2e_rsa_private_raw(k, out, m, 129), E2E_ERR_MALFORMED);
    /* 0 and 1 are their own images */
    memset(m, 0, sizeof m);
    CHECK_OK(e2e_rsa_private_raw(k, out, m, 128));
    CHECK_MEM(out, m, 128);
    m[127] = 1;
    CHECK_OK(e2e_rsa_private_raw(k, out, m, 128));
    CHECK_MEM(out, m, 128);
}

static void
test_from_public(void)
{
    uint8_t n[512], out1[128], out2[128], m[128];
    size_t nn;
    static const uint8_t e[] = {0x01, 0x00, 0x01};
    modulus_of(key1024, n, &nn);
    e2e_rsa *pub;
    CHECK_OK(e2e_rsa_from_public(&pub, n, nn, e, sizeof e));
    CHECK(!e2e_rsa_has_private(pub));
    below_modulus(key1024, m, 5);
    CHECK_OK(e2e_rsa_public_raw(pub, out1, m, 128));
    CHECK_OK(e2e_rsa_public_raw(key1024, out2, m, 128));
    CHECK_MEM(out1, out2, 128);
    CHECK_ERR(e2e_rsa_private_raw(pub, out1, m, 128), E2E_ERR_INVALID);
    e2e_rsa_free(pub);

    /* leading zero bytes are accepted; weak or odd parameters are not */
    uint8_t padded[513] = {0};
    memcpy(padded + 1, n, nn);
    CHECK_OK(e2e_rsa_from_public(&pub, padded, nn + 1, e, sizeof e));
    CHECK_EQ(e2e_rsa_bytes(pub), 128);
    e2e_rsa_free(pub);
    static const uint8_t one[] = {1}, even[] = {0x01, 0x00, 0x00};
    CHECK_ERR(e2e_rsa_from_public(&pub, n, nn, one, 1), E2E_ERR_WEAK_KEY);
    CHECK_ERR(e2e_rsa_from_public(&pub, n, nn, even, 3), E2E_ERR_WEAK_KEY);
    CHECK_ERR(e2e_rsa_from_public(&pub, n, nn, n, nn), E2E_ERR_WEAK_KEY); /* e = n */
    CHECK_ERR(e2e_rsa_from_public(&pub, n, 63, e, 3), E2E_ERR_WEAK_KEY);  /* 504 bits */
    CHECK_ERR(e2e_rsa_from_public(&pub, n, 0, e, 3), E2E_ERR_WEAK_KEY);
    n[nn - 1] ^= 1; /* even modulus */
    CHECK_ERR(e2e_rsa_from_public(&pub, n, nn, e, 3), E2E_ERR_WEAK_KEY);
    CHECK(pub == NULL);
}

/* ---- DER ------------------------------------------------------------------------------------- */

static void
test_der_roundtrip(void)
{
    uint8_t der[2048], der2[2048];
    size_t len, len2;
    CHECK_ERR(e2e_rsa_to_der(key1024, 1, der, 10, &len), E2E_ERR_BUFFER);
    size_t need = len;
    CHECK_OK(e2e_rsa_to_der(key1024, 1, der, sizeof der, &len));
    CHECK_EQ(len, need);
    CHECK(der[0] == 0x30 && der[1] == 0x82);
    e2e_rsa *k;
    CHECK_OK(e2e_rsa_from_der(&k, 1, der, len));
    CHECK(e2e_rsa_has_private(k));
    CHECK_OK(e2e_rsa_to_der(k, 1, der2, sizeof der2, &len2));
    CHECK_EQ(len2, len);
    CHECK_MEM(der2, der, len);
    roundtrip_raw(k);
    e2e_rsa_free(k);

    CHECK_OK(e2e_rsa_to_der(key1024, 0, der, sizeof der, &len));
    CHECK_EQ(len, 140); /* SEQUENCE { INTEGER (129 bytes), INTEGER 65537 } */
    CHECK_OK(e2e_rsa_from_der(&k, 0, der, len));
    CHECK(!e2e_rsa_has_private(k));
    CHECK_ERR(e2e_rsa_to_der(k, 1, der2, sizeof der2, &len2), E2E_ERR_INVALID);
    CHECK_OK(e2e_rsa_to_der(k, 0, der2, sizeof der2, &len2));
    CHECK_MEM(der2, der, len);
    e2e_rsa_free(k);
}

/* Every prefix, an extra byte, and every single-bit change of a private key DER: the decoder
 * never crashes, and what it accepts is still a consistent key. */
static void
test_der_rejects(void)
{
    uint8_t der[2048];
    size_t len;
    e2e_rsa *k = (e2e_rsa *)1;
    CHECK_OK(e2e_rsa_to_der(key1024, 1, der, sizeof der, &len));
    for (size_t n = 0; n < len; n++)
        CHECK_ERR(e2e_rsa_from_der(&k, 1, der, n), E2E_ERR_MALFORMED);
    CHECK(k == NULL);
    der[len] = 0;
    CHECK_ERR(e2e_rsa_from_der(&k, 1, der, len + 1), E2E_ERR_MALFORMED);
    CHECK_ERR(e2e_rsa_from_der(&k, 0, der, len), E2E_ERR_MALFORMED); /* private as public */
    int accepted = 0;
    for (size_t bit = 0; bit < 8 * len; bit++) {
        der[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        int rc = e2e_rsa_from_der(&k, 1, der, len);
        der[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        CHECK(rc == E2E_OK || rc == E2E_ERR_MALFORMED || rc == E2E_ERR_WEAK_KEY ||
              rc == E2E_ERR_UNSUPPORTED);
        if (rc == E2E_OK) {
            accepted++;
            roundtrip_raw(k);
            e2e_rsa_free(k);
        }
    }
    /* every integer is tied to the others (n = pq, d against dp and dq, qinv q = 1 mod p), so
     * no single-bit change survives */
    CHECK_EQ(accepted, 0);

    CHECK_OK(e2e_rsa_to_der(key1024, 0, der, sizeof der, &len));
    for (size_t n = 0; n < len; n++)
        CHECK_ERR(e2e_rsa_from_der(&k, 0, der, n), E2E_ERR_MALFORMED);
    /* non-minimal encodings of the same key: long-form length, INTEGER with an extra 00 */
    static const uint8_t nonmin_len[] = {0x30, 0x81, 0x06, 0x02, 0x01, 0x03, 0x02, 0x01, 0x03};
    static const uint8_t nonmin_int[] = {0x30, 0x07, 0x02, 0x02, 0x00, 0x03, 0x02, 0x01, 0x03};
    static const uint8_t negative[] = {0x30, 0x06, 0x02, 0x01, 0x83, 0x02, 0x01, 0x03};
    static const uint8_t indefinite[] = {0x30, 0x80, 0x02, 0x01, 0x03, 0x02, 0x01, 0x03, 0, 0};
    CHECK_ERR(e2e_rsa_from_der(&k, 0, nonmin_len, sizeof nonmin_len), E2E_ERR_MALFORMED);
    CHECK_ERR(e2e_rsa_from_der(&k, 0, nonmin_int, sizeof nonmin_int), E2E_ERR_MALFORMED);
    CHECK_ERR(e2e_rsa_from_der(&k, 0, negative, sizeof negative), E2E_ERR_MALFORMED);
    CHECK_ERR(e2e_rsa_from_der(&k, 0, indefinite, sizeof indefinite), E2E_ERR_MALFORMED);
    CHECK_ERR(e2e_rsa_from_der(&k, 0, NULL, 0), E2E_ERR_MALFORMED);
    /* well-formed but a toy modulus */
    static const uint8_t tiny[] = {0x30, 0x06, 0x02, 0x01, 0x21, 0x02, 0x01, 0x03};
    CHECK_ERR(e2e_rsa_from_der(&k, 0, tiny, sizeof tiny), E2E_ERR_WEAK_KEY);
    /* a multi-prime private key (version 1) */
    static const uint8_t multi[] = {0x30, 0x03, 0x02, 0x01, 0x01};
    CHECK_ERR(e2e_rsa_from_der(&k, 1, multi, sizeof multi), E2E_ERR_UNSUPPORTED);
}

/* ---- ISO/IEC 9796-2 scheme 1 ----------------------------------------------------------------- */

static void
pattern(uint8_t *m, size_t n, unsigned salt)
{
    for (size_t i = 0; i < n; i++)
        m[i] = (uint8_t)(i * 31 + salt);
}

/* The representative the signature opens to, for a 1024-bit key (B = 128). */
static void
check_layout(const uint8_t *sig, const uint8_t *msg, size_t n)
{
    uint8_t f[128], h[20];
    CHECK_OK(e2e_rsa_public_raw(key1024, f, sig, 128));
    e2e_sha1(h, msg, n);
    CHECK_EQ(f[127], 0xBC);
    CHECK_MEM(f + 107, h, 20);
    if (n > 106) {
        CHECK_EQ(f[0], 0x6A);
        CHECK_MEM(f + 1, msg, 106);
        return;
    }
    size_t pad = 107 - n;
    CHECK_EQ(f[0], pad == 1 ? 0x4A : 0x4B);
    for (size_t i = 1; i + 1 < pad; i++)
        CHECK_EQ(f[i], 0xBB);
    if (pad > 1)
        CHECK_EQ(f[pad - 1], 0xBA);
    CHECK_MEM(f + pad, msg, n);
}

static void
test_iso9796_roundtrip(void)
{
    uint8_t msg[300], sig[128], m1[128];
    size_t sig_len, rec, m1_len;
    static const size_t lens[] = {0, 1, 8, 64, 104, 105, 106, 107, 108, 200, 300};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        size_t n = lens[i];
        pattern(msg, n, (unsigned)n);
        CHECK_OK(e2e_iso9796_sign(key1024, sig, sizeof sig, &sig_len, &rec, msg, n));
        CHECK_EQ(sig_len, 128);
        CHECK_EQ(rec, n <= 106 ? n : 106);
        check_layout(sig, msg, n);
        CHECK_OK(
            e2e_iso9796_verify(key1024, m1, sizeof m1, &m1_len, sig, sig_len, msg + rec, n - rec));
        CHECK_EQ(m1_len, rec);
        CHECK_MEM(m1, msg, rec);
    }
    /* deterministic: the same message gives the same signature */
    uint8_t sig2[128];
    CHECK_OK(e2e_iso9796_sign(key1024, sig2, sizeof sig2, &sig_len, &rec, msg, 300));
    CHECK_OK(e2e_iso9796_sign(key1024, sig, sizeof sig, &sig_len, NULL, msg, 300));
    CHECK_MEM(sig, sig2, 128);
    CHECK_ERR(e2e_iso9796_sign(key1024, sig, 127, &sig_len, &rec, msg, 1), E2E_ERR_BUFFER);
    CHECK_EQ(sig_len, 128);
}

static void
test_iso9796_rejects(void)
{
    uint8_t msg[40], sig[130], m1[128];
    size_t sig_len, rec, m1_len;
    pattern(msg, sizeof msg, 9);
    CHECK_OK(e2e_iso9796_sign(key1024, sig, sizeof sig, &sig_len, &rec, msg, sizeof msg));
    CHECK_OK(e2e_iso9796_verify(key1024, m1, sizeof m1, &m1_len, sig, 128, NULL, 0));
    /* every bit of the signature matters */
    for (size_t bit = 0; bit < 8 * 128; bit++) {
        sig[bit / 8] ^= (uint8_t)(0x80u >> (bit % 8));
        CHECK_ERR(e2e_iso9796_verify(key1024, m1, sizeof m1, &m1_len, sig, 128, NULL, 0),
                  E2E_ERR_AUTH);
        sig[bit / 8] ^= (uint8_t)(0x80u >> (bit % 8));
    }
    CHECK_ERR(e2e_iso9796_verify(other1024, m1, sizeof m1, &m1_len, sig, 128, NULL, 0),
              E2E_ERR_AUTH);
    CHECK_ERR(e2e_iso9796_verify(key1024, m1, sizeof m1, &m1_len, sig, 127, NULL, 0), E2E_ERR_AUTH);
    CHECK_ERR(e2e_iso9796_verify(key1024, m1, sizeof m1, &m1_len, sig + 1, 127, NULL, 0),
              E2E_ERR_AUTH);
    sig[128] = 0;
    CHECK_ERR(e2e_iso9796_verify(key1024, m1, sizeof m1, &m1_len, sig, 129, NULL, 0), E2E_ERR_AUTH);
    /* a total-recovery signature with a non-recoverable part added */
    CHECK_ERR(e2e_iso9796_verify(key1024, m1, sizeof m1, &m1_len, sig, 128, msg, 1), E2E_ERR_AUTH);
    /* a valid signature but too little room for M1 */
    CHECK_ERR(e2e_iso9796_verify(key1024, m1, 39, &m1_len, sig, 128, NULL, 0), E2E_ERR_BUFFER);

    /* partial recovery: M2 must be exactly the rest of the message */
    uint8_t big[150];
    pattern(big, sizeof big, 3);
    CHECK_OK(e2e_iso9796_sign(key1024, sig, sizeof sig, &sig_len, &rec, big, sizeof big));
    CHECK_EQ(rec, 106);
    CHECK_OK(e2e_iso9796_verify(key1024, m1, sizeof m1, &m1_len, sig, 128, big + 106, 44));
    CHECK_ERR(e2e_iso9796_verify(key1024, m1, sizeof m1, &m1_len, sig, 128, big + 106, 43),
              E2E_ERR_AUTH);
    CHECK_ERR(e2e_iso9796_verify(key1024, m1, sizeof m1, &m1_len, sig, 128, NULL, 0), E2E_ERR_AUTH);
    big[149] ^= 1;
    CHECK_ERR(e2e_iso9796_verify(key1024, m1, sizeof m1, &m1_len, sig, 128, big + 106, 44),
              E2E_ERR_AUTH);
    CHECK_EQ(m1_len, 0);
}

/* Representatives that are almost right: each is signed with the raw private operation and
 * must be refused. */
static void
test_iso9796_forged_layouts(void)
{
    uint8_t f[128], sig[128], m1[128], h[20];
    size_t m1_len;
    static const uint8_t msg[] = "skype";
    e2e_sha1(h, msg, 5);
    for (int variant = 0; variant < 7; variant++) {
        memset(f, 0xBB, sizeof f);
        f[0] = 0x4B;
        f[101] = 0xBA;
        memcpy(f + 102, msg, 5);
        memcpy(f + 107, h, 20);
        f[127] = 0xBC;
        switch (variant) {
        case 0: /* the correct form: accepted */
            break;
        case 1:
            f[127] = 0xCC; /* trailer */
            break;
        case 2:
            f[0] = 0x5B; /* header nibble */
            break;
        case 3:
            f[50] = 0xAB; /* a padding nibble */
            break;
        case 4:
            f[101] = 0xBB; /* no closing BA: the message would start inside the padding */
            f[102] = 0xBA;
            break;
        case 5:
            f[0] = 0x6B; /* partial recovery with padding */
            break;
        case 6:
            f[110] ^= 1; /* hash */
            break;
        }
        CHECK_OK(e2e_rsa_private_raw(key1024, sig, f, 128));
        int rc = e2e_iso9796_verify(key1024, m1, sizeof m1, &m1_len, sig, 128, NULL, 0);
        CHECK_ERR(rc, variant == 0 ? E2E_OK : E2E_ERR_AUTH);
        if (variant == 0)
            CHECK(m1_len == 5 && memcmp(m1, msg, 5) == 0);
    }
}

/* ---- OAEP ------------------------------------------------------------------------------------ */

static void
test_oaep_roundtrip(void)
{
    struct test_ctx t;
    e2e_ctx *ctx = test_ctx_new(&t, 3);
    uint8_t msg[62], ct[128], ct2[128], pt[128];
    size_t ct_len, pt_len;
    for (size_t n = 0; n <= 62; n += (n < 4 || n > 58) ? 1 : 9) {
        pattern(msg, n, 1);
        CHECK_OK(e2e_rsa_oaep_encrypt(key1024, ctx, ct, sizeof ct, &ct_len, msg, n));
        CHECK_EQ(ct_len, 128);
        CHECK_OK(e2e_rsa_oaep_decrypt(key1024, pt, sizeof pt, &pt_len, ct, ct_len));
        CHECK_EQ(pt_len, n);
        CHECK_MEM(pt, msg, n);
    }
    CHECK_ERR(e2e_rsa_oaep_encrypt(key1024, ctx, ct, sizeof ct, &ct_len, msg, 63), E2E_ERR_INVALID);
    CHECK_ERR(e2e_rsa_oaep_encrypt(key1024, ctx, ct, 127, &ct_len, msg, 1), E2E_ERR_BUFFER);
    /* fresh seeds: two encryptions differ; the same seed repeats */
    CHECK_OK(e2e_rsa_oaep_encrypt(key1024, ctx, ct, sizeof ct, &ct_len, msg, 10));
    CHECK_OK(e2e_rsa_oaep_encrypt(key1024, ctx, ct2, sizeof ct2, &ct_len, msg, 10));
    CHECK(memcmp(ct, ct2, 128) != 0);
    struct test_ctx t2;
    e2e_ctx *c2 = test_ctx_new(&t2, 3);
    CHECK_OK(e2e_rsa_oaep_encrypt(key1024, c2, ct2, sizeof ct2, &ct_len, msg, 0));
    test_ctx_free(&t2);
    c2 = test_ctx_new(&t2, 3);
    CHECK_OK(e2e_rsa_oaep_encrypt(key1024, c2, ct, sizeof ct, &ct_len, msg, 0));
    CHECK_MEM(ct, ct2, 128);
    test_ctx_free(&t2);
    test_ctx_free(&t);
}

static void
test_oaep_rejects(void)
{
    struct test_ctx t;
    e2e_ctx *ctx = test_ctx_new(&t, 4);
    uint8_t msg[16] = "attack at dawn!", ct[130], pt[128];
    size_t ct_len, pt_len;
    CHECK_OK(e2e_rsa_oaep_encrypt(key1024, ctx, ct, sizeof ct, &ct_len, msg, sizeof msg));
    for (size_t bit = 0; bit < 8 * 128; bit++) {
        ct[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        CHECK_ERR(e2e_rsa_oaep_decrypt(key1024, pt, sizeof pt, &pt_len, ct, 128), E2E_ERR_AUTH);
        ct[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    CHECK_ERR(e2e_rsa_oaep_decrypt(other1024, pt, sizeof pt, &pt_len, ct, 128), E2E_ERR_AUTH);
    CHECK_ERR(e2e_rsa_oaep_decrypt(key1024, pt, sizeof pt, &pt_len, ct, 127), E2E_ERR_AUTH);
    ct[128] = 0;
    CHECK_ERR(e2e_rsa_oaep_decrypt(key1024, pt, sizeof pt, &pt_len, ct, 129), E2E_ERR_AUTH);
    /* the output room is checked before decrypting, whatever the plaintext's length */
    CHECK_ERR(e2e_rsa_oaep_decrypt(key1024, pt, 61, &pt_len, ct, 128), E2E_ERR_BUFFER);
    CHECK_OK(e2e_rsa_oaep_decrypt(key1024, pt, 62, &pt_len, ct, 128));
    CHECK_MEM(pt, msg, sizeof msg);
    /* raw RSA of a value that is not an OAEP encoding */
    uint8_t em[128] = {0};
    em[127] = 42;
    CHECK_OK(e2e_rsa_public_raw(key1024, ct, em, 128));
    CHECK_ERR(e2e_rsa_oaep_decrypt(key1024, pt, sizeof pt, &pt_len, ct, 128), E2E_ERR_AUTH);
    test_ctx_free(&t);
}

int
main(void)
{
    RUN(test_generate_deterministic);
    if (!key1024 || !other1024)
        return test_finish();
    RUN(test_generate_sizes);
    RUN(test_raw);
    RUN(test_from_public);
    RUN(test_der_roundtrip);
    RUN(test_der_rejects);
    RUN(test_iso9796_roundtrip);
    RUN(test_iso9796_rejects);
    RUN(test_iso9796_forged_layouts);
    RUN(test_oaep_roundtrip);
    RUN(test_oaep_rejects);
    e2e_rsa_free(key1024);
    e2e_rsa_free(other1024);
    return test_finish();
}
