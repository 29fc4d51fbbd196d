/* Media encryption (reference §5): one-shot, streaming, receiver order, distinct errors. */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/crypto.h>
#include <e2ekit/whatsapp.h>

#include "test.h"

#define MIN_(a, b) ((a) < (b) ? (a) : (b))

static uint8_t media_key[32];

static void
fill(uint8_t *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (uint8_t)(seed >> 16);
    }
}

/* Independent composition from the primitives: HKDF, AES-CBC-PKCS7, HMAC, SHA-256. */
static void
reference_blob(uint8_t *blob, size_t *len, const uint8_t *pt, size_t n, int type)
{
    uint8_t okm[112], mac[32];
    const char *info = e2e_wa_media_info(type);
    CHECK_OK(
        e2e_hkdf_sha256(okm, 112, NULL, 0, media_key, 32, (const uint8_t *)info, strlen(info)));
    e2e_aes_key k;
    size_t cn;
    CHECK_OK(e2e_aes_setkey(&k, okm + 16, 32));
    CHECK_OK(e2e_aes_cbc_pkcs7_encrypt(&k, okm, pt, n, blob, n + 16, &cn));
    e2e_hmac_sha256_ctx h;
    e2e_hmac_sha256_init(&h, okm + 48, 32);
    e2e_hmac_sha256_update(&h, okm, 16);
    e2e_hmac_sha256_update(&h, blob, cn);
    e2e_hmac_sha256_final(&h, mac);
    memcpy(blob + cn, mac, 10);
    *len = cn + 10;
}

static void
test_keys_and_oneshot(void)
{
    struct test_ctx t;
    test_ctx_new(&t, 21);
    struct e2e_wa_media_keys k;
    CHECK_OK(e2e_wa_media_derive(&k, media_key, E2E_WA_MEDIA_IMAGE, t.ctx));
    uint8_t okm[112];
    CHECK_OK(e2e_hkdf_sha256(okm, 112, NULL, 0, media_key, 32,
                             (const uint8_t *)"WhatsApp Image Keys", 19));
    CHECK_MEM(k.iv, okm, 16);
    CHECK_MEM(k.cipher_key, okm + 16, 32);
    CHECK_MEM(k.mac_key, okm + 48, 32);
    CHECK_MEM(k.ref_key, okm + 80, 32);
    CHECK_ERR(e2e_wa_media_derive(&k, media_key, 99, t.ctx), E2E_ERR_INVALID);
    CHECK(strcmp(e2e_wa_media_info(E2E_WA_MEDIA_STICKER), "WhatsApp Image Keys") == 0);
    CHECK_EQ(e2e_wa_media_type_from_name("link-thumbnail"), E2E_WA_MEDIA_LINK_THUMBNAIL);
    static const size_t sizes[] = {0, 1, 15, 16, 17, 31, 32, 33, 100, 4096, 70000};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];
        uint8_t *pt = malloc(n + 1), *blob = malloc(n + 32), *ref = malloc(n + 32),
                *back = malloc(n + 32);
        fill(pt, n, (uint32_t)n);
        uint8_t fsha[32], fesha[32], h[32];
        size_t bn, rn, pn;
        CHECK_OK(e2e_wa_media_encrypt(blob, n + 32, &bn, fsha, fesha, pt, n, media_key,
                                      E2E_WA_MEDIA_DOCUMENT, t.ctx));
        CHECK_EQ(bn, e2e_wa_media_blob_len(n));
        reference_blob(ref, &rn, pt, n, E2E_WA_MEDIA_DOCUMENT);
        CHECK_EQ(rn, bn);
        CHECK_MEM(blob, ref, bn);
        e2e_sha256(h, blob, bn);
        CHECK_MEM(fesha, h, 32);
        e2e_sha256(h, pt, n);
        CHECK_MEM(fsha, h, 32);
        CHECK_OK(e2e_wa_media_decrypt(back, n + 32, &pn, blob, bn, fesha, fsha, media_key,
                                      E2E_WA_MEDIA_DOCUMENT, t.ctx, NULL));
        CHECK_EQ(pn, n);
        CHECK_MEM(back, pt, n);
        free(pt), free(blob), free(ref), free(back);
    }
    test_ctx_free(&t);
}

/* The receiver's order and its distinct errors: hash (VERIFY), MAC (AUTH), padding
 * (MALFORMED); every byte flipped; nothing released on failure. */
static void
test_receiver_errors(void)
{
    struct test_ctx t;
    test_ctx_new(&t, 22);
    uint8_t pt[50], blob[128], bad[128], out[128], zero[128] = {0};
    uint8_t fsha[32], fesha[32], h[32];
    size_t bn, pn;
    struct e2e_report why;
    fill(pt, sizeof pt, 5);
    CHECK_OK(e2e_wa_media_encrypt(blob, sizeof blob, &bn, fsha, fesha, pt, sizeof pt, media_key,
                                  E2E_WA_MEDIA_VIDEO, t.ctx));
    for (size_t i = 0; i < bn; i++) {
        memcpy(bad, blob, bn);
        bad[i] ^= 0x01;
        memset(out, 0, sizeof out);
        /* with the announced hash: the hash check catches every flip first */
        CHECK_ERR(e2e_wa_media_decrypt(out, sizeof out, &pn, bad, bn, fesha, fsha, media_key,
                                       E2E_WA_MEDIA_VIDEO, t.ctx, &why),
                  E2E_ERR_VERIFY);
        CHECK(strcmp(why.check, "file-enc-sha256") == 0);
        /* a sender who announced the hash of the tampered blob: the MAC catches it */
        e2e_sha256(h, bad, bn);
        CHECK_ERR(e2e_wa_media_decrypt(out, sizeof out, &pn, bad, bn, h, fsha, media_key,
                                       E2E_WA_MEDIA_VIDEO, t.ctx, &why),
                  E2E_ERR_AUTH);
        CHECK(strcmp(why.check, "mac") == 0);
        CHECK_MEM(out, zero, sizeof out);
    }
    for (size_t n = 0; n < bn; n++) {
        e2e_sha256(h, blob, n);
        int rc = e2e_wa_media_decrypt(out, sizeof out, &pn, blob, n, h, NULL, media_key,
                                      E2E_WA_MEDIA_VIDEO, t.ctx, &why);
        CHECK(rc == E2E_ERR_MALFORMED || rc == E2E_ERR_AUTH);
        CHECK(n > 10 || strcmp(why.check, "length") == 0);
    }
    /* wrong media key, wrong type: MAC */
    uint8_t other[32];
    memcpy(other, media_key, 32);
    other[31] ^= 0x40;
    CHECK_ERR(e2e_wa_media_decrypt(out, sizeof out, &pn, blob, bn, fesha, NULL, other,
                                   E2E_WA_MEDIA_VIDEO, t.ctx, &why),
              E2E_ERR_AUTH);
    CHECK_ERR(e2e_wa_media_decrypt(out, sizeof out, &pn, blob, bn, fesha, NULL, media_key,
                                   E2E_WA_MEDIA_AUDIO, t.ctx, &why),
              E2E_ERR_AUTH);
    /* an authentic blob with bad PKCS#7 padding: made with the keys, last block ends in 0 */
    struct e2e_wa_media_keys k;
    CHECK_OK(e2e_wa_media_derive(&k, media_key, E2E_WA_MEDIA_VIDEO, t.ctx));
    uint8_t raw[32], iv[16], mac[32];
    memset(raw, 0x20, sizeof raw);
    raw[31] = 0;
    memcpy(iv, k.iv, 16);
    e2e_aes_key ak;
    CHECK_OK(e2e_aes_setkey(&ak, k.cipher_key, 32));
    CHECK_OK(e2e_aes_cbc_encrypt(&ak, iv, raw, 32, bad));
    e2e_hmac_sha256_ctx hm;
    e2e_hmac_sha256_init(&hm, k.mac_key, 32);
    e2e_hmac_sha256_update(&hm, k.iv, 16);
    e2e_hmac_sha256_update(&hm, bad, 32);
    e2e_hmac_sha256_final(&hm, mac);
    memcpy(bad + 32, mac, 10);
    e2e_sha256(h, bad, 42);
    memset(out, 0, sizeof out);
    CHECK_ERR(e2e_wa_media_decrypt(out, sizeof out, &pn, bad, 42, h, NULL, media_key,
                                   E2E_WA_MEDIA_VIDEO, t.ctx, &why),
              E2E_ERR_MALFORMED);
    CHECK(strcmp(why.check, "padding") == 0);
    CHECK_MEM(out, zero, sizeof out);
    /* the plaintext hash announced wrongly: VERIFY on fileSHA256, output wiped */
    uint8_t wrong[32];
    memcpy(wrong, fsha, 32);
    wrong[0] ^= 1;
    CHECK_ERR(e2e_wa_media_decrypt(out, sizeof out, &pn, blob, bn, fesha, wrong, media_key,
                                   E2E_WA_MEDIA_VIDEO, t.ctx, &why),
              E2E_ERR_VERIFY);
    CHECK(strcmp(why.check, "file-sha256") == 0);
    CHECK_MEM(out, zero, sizeof out);
    test_ctx_free(&t);
}

/* Streaming in pieces of every size gives the one-shot blob; memory is the context only. */
static void
test_streaming(void)
{
    struct test_ctx t;
    test_ctx_new(&t, 23);
    enum { N = 5000 };
    static uint8_t pt[N], blob[N + 32], sblob[N + 32], back[N + 32];
    uint8_t fsha[32], fesha[32], s1[32], s2[32];
    size_t bn;
    fill(pt, N, 77);
    CHECK_OK(e2e_wa_media_encrypt(blob, sizeof blob, &bn, fsha, fesha, pt, N, media_key,
                                  E2E_WA_MEDIA_AUDIO, t.ctx));
    static const size_t steps[] = {1, 7, 10, 15, 16, 17, 26, 27, 42, 43, 64, 1000, N + 26};
    for (size_t si = 0; si < sizeof steps / sizeof steps[0]; si++) {
        size_t step = steps[si], pos = 0, out = 0, got;
        struct e2e_wa_media_enc e;
        CHECK_OK(e2e_wa_media_enc_init(&e, media_key, E2E_WA_MEDIA_AUDIO, t.ctx));
        while (pos < N) {
            size_t take = MIN_(step, N - pos);
            CHECK_OK(e2e_wa_media_enc_update(&e, sblob + out, take + 15, &got, pt + pos, take));
            CHECK(got <= take + 15);
            pos += take, out += got;
        }
        CHECK_OK(e2e_wa_media_enc_final(&e, sblob + out, 26, &got, s1, s2));
        out += got;
        CHECK_EQ(out, bn);
        CHECK_MEM(sblob, blob, bn);
        CHECK_MEM(s1, fsha, 32);
        CHECK_MEM(s2, fesha, 32);
        /* pass 1 */
        struct e2e_wa_media_verifier v;
        struct e2e_wa_media_verified ticket;
        CHECK_OK(e2e_wa_media_verifier_init(&v, media_key, E2E_WA_MEDIA_AUDIO, t.ctx));
        for (pos = 0; pos < bn; pos += step)
            e2e_wa_media_verifier_update(&v, blob + pos, MIN_(step, bn - pos));
        CHECK_OK(e2e_wa_media_verifier_final(&v, &ticket, fesha, NULL));
        /* pass 2 */
        struct e2e_wa_media_dec d;
        CHECK_OK(e2e_wa_media_dec_init(&d, media_key, E2E_WA_MEDIA_AUDIO, &ticket, t.ctx));
        out = 0;
        for (pos = 0; pos < bn; pos += step) {
            size_t take = MIN_(step, bn - pos);
            CHECK_OK(e2e_wa_media_dec_update(&d, back + out, take + 16, &got, blob + pos, take));
            out += got;
        }
        CHECK_OK(e2e_wa_media_dec_final(&d, back + out, 15, &got, fsha, NULL));
        out += got;
        CHECK_EQ(out, N);
        CHECK_MEM(back, pt, N);
    }
    test_ctx_free(&t);
}

/* The two-pass contract: no ticket, no plaintext; a blob that changes between the passes is
 * caught at _final. */
static void
test_two_pass_contract(void)
{
    struct test_ctx t;
    test_ctx_new(&t, 24);
    uint8_t pt[100], blob[160], out[160];
    uint8_t fsha[32], fesha[32];
    size_t bn, got, got2;
    struct e2e_report why;
    fill(pt, sizeof pt, 9);
    CHECK_OK(e2e_wa_media_encrypt(blob, sizeof blob, &bn, fsha, fesha, pt, sizeof pt, media_key,
                                  E2E_WA_MEDIA_DOCUMENT, t.ctx));
    struct e2e_wa_media_dec d;
    struct e2e_wa_media_verified forged;
    memset(&forged, 0, sizeof forged);
    CHECK_ERR(e2e_wa_media_dec_init(&d, media_key, E2E_WA_MEDIA_DOCUMENT, &forged, t.ctx),
              E2E_ERR_STATE);
    CHECK_ERR(e2e_wa_media_dec_init(&d, media_key, E2E_WA_MEDIA_DOCUMENT, NULL, t.ctx),
              E2E_ERR_STATE);
    /* a failed verification yields no ticket */
    struct e2e_wa_media_verifier v;
    struct e2e_wa_media_verified ticket;
    memset(&ticket, 0, sizeof ticket);
    uint8_t wrong[32] = {0};
    CHECK_OK(e2e_wa_media_verifier_init(&v, media_key, E2E_WA_MEDIA_DOCUMENT, t.ctx));
    e2e_wa_media_verifier_update(&v, blob, bn);
    CHECK_ERR(e2e_wa_media_verifier_final(&v, &ticket, wrong, &why), E2E_ERR_VERIFY);
    CHECK_ERR(e2e_wa_media_dec_init(&d, media_key, E2E_WA_MEDIA_DOCUMENT, &ticket, t.ctx),
              E2E_ERR_STATE);
    /* verified, then the blob changes under us before pass 2 */
    CHECK_OK(e2e_wa_media_verifier_init(&v, media_key, E2E_WA_MEDIA_DOCUMENT, t.ctx));
    e2e_wa_media_verifier_update(&v, blob, bn);
    CHECK_OK(e2e_wa_media_verifier_final(&v, &ticket, fesha, NULL));
    blob[40] ^= 0x10;
    CHECK_OK(e2e_wa_media_dec_init(&d, media_key, E2E_WA_MEDIA_DOCUMENT, &ticket, t.ctx));
    CHECK_OK(e2e_wa_media_dec_update(&d, out, sizeof out, &got, blob, bn));
    CHECK_ERR(e2e_wa_media_dec_final(&d, out + got, 15, &got2, NULL, &why), E2E_ERR_AUTH);
    CHECK(strcmp(why.check, "blob-changed") == 0);
    /* a truncated second pass */
    blob[40] ^= 0x10;
    CHECK_OK(e2e_wa_media_dec_init(&d, media_key, E2E_WA_MEDIA_DOCUMENT, &ticket, t.ctx));
    CHECK_OK(e2e_wa_media_dec_update(&d, out, sizeof out, &got, blob, bn - 16));
    CHECK(e2e_wa_media_dec_final(&d, out + got, 15, &got2, NULL, &why) != E2E_OK);
    test_ctx_free(&t);
}

/* 64 MiB streamed in 64 KiB pieces: the contexts are the only state (no allocation). */
static void
test_large_stream(void)
{
    struct test_ctx t;
    test_ctx_new(&t, 25);
    enum { CHUNK = 65536, COUNT = 1024 };
    uint8_t *chunk = malloc(CHUNK), *enc = malloc(CHUNK + 64);
    fill(chunk, CHUNK, 3);
    struct e2e_wa_media_enc e;
    struct e2e_wa_media_verifier v;
    uint8_t fsha[32], fesha[32];
    size_t got;
    e2e_sha256_ctx plain;
    e2e_sha256_init(&plain);
    CHECK_OK(e2e_wa_media_enc_init(&e, media_key, E2E_WA_MEDIA_VIDEO, t.ctx));
    CHECK_OK(e2e_wa_media_verifier_init(&v, media_key, E2E_WA_MEDIA_VIDEO, t.ctx));
    for (int i = 0; i < COUNT; i++) {
        chunk[0] = (uint8_t)i;
        e2e_sha256_update(&plain, chunk, CHUNK);
        CHECK_OK(e2e_wa_media_enc_update(&e, enc, CHUNK + 64, &got, chunk, CHUNK));
        e2e_wa_media_verifier_update(&v, enc, got);
    }
    CHECK_OK(e2e_wa_media_enc_final(&e, enc, 64, &got, fsha, fesha));
    e2e_wa_media_verifier_update(&v, enc, got);
    struct e2e_wa_media_verified ticket;
    CHECK_OK(e2e_wa_media_verifier_final(&v, &ticket, fesha, NULL));
    CHECK_EQ(ticket.blob_len, (uint64_t)CHUNK * COUNT + 16 + 10);
    uint8_t h[32];
    e2e_sha256_final(&plain, h);
    CHECK_MEM(h, fsha, 32);
    free(chunk), free(enc);
    test_ctx_free(&t);
}

int
main(void)
{
    for (int i = 0; i < 32; i++)
        media_key[i] = (uint8_t)(0xa0 + i);
    RUN(test_keys_and_oneshot);
    RUN(test_receiver_errors);
    RUN(test_streaming);
    RUN(test_two_pass_contract);
    RUN(test_large_stream);
    return test_finish();
}
