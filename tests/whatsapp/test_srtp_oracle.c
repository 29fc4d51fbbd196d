/*
 * libsrtp2 as an oracle: the same master key and salt given to libsrtp2 and to our RFC 3711
 * key derivation must protect packets to the same bytes (AES_CM_128_HMAC_SHA1_80), and give
 * the session key and salt libsrtp2 uses for AEAD_AES_256_GCM (packets re-built here with
 * AES-GCM from our derived keys). Master keys come from our WhatsApp call derivation.
 */
#include <stdlib.h>
#include <string.h>

#include <srtp2/srtp.h>

#include <e2ekit/crypto.h>
#include <e2ekit/whatsapp.h>

#include "test.h"

static srtp_t
libsrtp_session(int gcm, uint8_t *key, uint32_t ssrc)
{
    srtp_policy_t p;
    srtp_t s = NULL;
    memset(&p, 0, sizeof p);
    if (gcm) {
        srtp_crypto_policy_set_aes_gcm_256_16_auth(&p.rtp);
        srtp_crypto_policy_set_aes_gcm_256_16_auth(&p.rtcp);
    } else {
        srtp_crypto_policy_set_rtp_default(&p.rtp);
        srtp_crypto_policy_set_rtcp_default(&p.rtcp);
    }
    p.ssrc.type = ssrc_specific;
    p.ssrc.value = ssrc;
    p.key = key;
    p.window_size = 1024;
    p.allow_repeat_tx = 1;
    CHECK_EQ(srtp_create(&s, &p), srtp_err_status_ok);
    return s;
}

static size_t
rtp_packet(uint8_t *p, uint16_t seq, uint32_t ssrc, size_t payload, uint8_t fill, int csrc)
{
    size_t h = 12 + 4 * (size_t)csrc;
    p[0] = (uint8_t)(0x80 | csrc);
    p[1] = 0x6f;
    p[2] = (uint8_t)(seq >> 8), p[3] = (uint8_t)seq;
    memset(p + 4, 0x11, 4); /* timestamp */
    p[8] = (uint8_t)(ssrc >> 24), p[9] = (uint8_t)(ssrc >> 16);
    p[10] = (uint8_t)(ssrc >> 8), p[11] = (uint8_t)ssrc;
    memset(p + 12, 0x22, 4 * (size_t)csrc);
    for (size_t i = 0; i < payload; i++)
        p[h + i] = (uint8_t)(fill + i);
    return h + payload;
}

static void
test_aes_cm_against_libsrtp(void)
{
    struct test_ctx t;
    test_ctx_new(&t, 41);
    for (int round = 0; round < 8; round++) {
        uint8_t secret[32], key[30];
        CHECK_OK(e2e_random(t.ctx, secret, 32));
        struct e2e_wa_call_master m;
        CHECK_OK(e2e_wa_call_master(&m, secret, E2E_SRTP_AES_CM_128_HMAC_SHA1_80,
                                    round & 1 ? "callee" : "caller", t.ctx));
        memcpy(key, m.master_key, 16);
        memcpy(key + 16, m.master_salt, 14);
        uint32_t ssrc = 0x1000u * (uint32_t)round + 0xabc;
        srtp_t s = libsrtp_session(0, key, ssrc), r = libsrtp_session(0, key, ssrc);
        struct e2e_srtp_keys k;
        struct e2e_srtp_stream ours;
        CHECK_OK(e2e_srtp_session_keys(&k, E2E_SRTP_AES_CM_128_HMAC_SHA1_80, m.master_key, 16,
                                       m.master_salt, 14, NULL));
        CHECK_OK(e2e_srtp_stream_init(&ours, &k));
        static const size_t payloads[] = {0, 1, 16, 160, 1200};
        for (size_t pi = 0; pi < 5; pi++) {
            uint8_t a[1400], b[1400];
            uint16_t seq = (uint16_t)(1000 + round * 7 + pi);
            size_t n = rtp_packet(a, seq, ssrc, payloads[pi], (uint8_t)round, (int)pi % 3);
            memcpy(b, a, n);
            int ln = (int)n;
            CHECK_EQ(srtp_protect(s, a, &ln), srtp_err_status_ok);
            size_t bn = n;
            CHECK_OK(e2e_srtp_protect(&ours, b, sizeof b, &bn, 0));
            CHECK_EQ(bn, (size_t)ln);
            CHECK_MEM(b, a, bn);
            /* and a libsrtp2 receiver takes our packet back */
            int un = (int)bn;
            CHECK_EQ(srtp_unprotect(r, b, &un), srtp_err_status_ok);
            CHECK_EQ(un, (int)n);
        }
        srtp_dealloc(s);
        srtp_dealloc(r);
    }
    test_ctx_free(&t);
}

/* The same end-to-end vector as cisco/libsrtp test/srtp_driver.c srtp_validate. */
static void
test_libsrtp_validate_vector(void)
{
    uint8_t key[30], pkt[64];
    unhex(key, 30, "e1f97a0d3e018be0d64fa32c06de41390ec675ad498afeebb6960b3aabe6");
    srtp_t s = libsrtp_session(0, key, 0xcafebabe);
    size_t n = unhex(pkt, sizeof pkt, "800f1234decafbadcafebabeabababababababababababababababab");
    int ln = (int)n;
    CHECK_EQ(srtp_protect(s, pkt, &ln), srtp_err_status_ok);
    CHECK_HEX(pkt, (size_t)ln,
              "800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402b78d6acc"
              "99ea179b8dbb");
    srtp_dealloc(s);
}

static void
test_gcm_keys_against_libsrtp(void)
{
    struct test_ctx t;
    test_ctx_new(&t, 42);
    for (int round = 0; round < 4; round++) {
        uint8_t secret[32], key[44];
        CHECK_OK(e2e_random(t.ctx, secret, 32));
        struct e2e_wa_call_master m;
        CHECK_OK(e2e_wa_call_master(&m, secret, E2E_SRTP_AEAD_AES_256_GCM, "alice.0", t.ctx));
        memcpy(key, m.master_key, 32);
        memcpy(key + 32, m.master_salt, 12);
        uint32_t ssrc = 0x5555u + (uint32_t)round;
        srtp_t s = libsrtp_session(1, key, ssrc);
        struct e2e_srtp_keys k;
        CHECK_OK(e2e_srtp_session_keys(&k, E2E_SRTP_AEAD_AES_256_GCM, m.master_key, 32,
                                       m.master_salt, 12, NULL));
        e2e_aes_gcm *g;
        CHECK_OK(e2e_aes_gcm_new(&g, k.rtp_key, 32));
        uint8_t a[300], b[300], iv[12] = {0};
        uint16_t seq = (uint16_t)(77 + round);
        size_t n = rtp_packet(a, seq, ssrc, 160, 3, 0);
        int ln = (int)n;
        CHECK_EQ(srtp_protect(s, a, &ln), srtp_err_status_ok);
        /* RFC 7714 §8.1: IV = (00 00 || SSRC || ROC || SEQ) XOR salt; AAD = the header */
        memcpy(iv + 2, a + 8, 4);
        iv[10] = (uint8_t)(seq >> 8), iv[11] = (uint8_t)seq;
        for (int i = 0; i < 12; i++)
            iv[i] ^= k.rtp_salt[i];
        memcpy(b, a, 12);
        rtp_packet(b, seq, ssrc, 160, 3, 0);
        CHECK_OK(e2e_aes_gcm_encrypt(g, b + 12, iv, b, 12, b + 12, 160));
        CHECK_EQ(ln, 12 + 160 + 16);
        CHECK_MEM(b, a, (size_t)ln);
        e2e_aes_gcm_free(g);
        srtp_dealloc(s);
    }
    test_ctx_free(&t);
}

int
main(void)
{
    if (srtp_init() != srtp_err_status_ok)
        test_skip("libsrtp2 does not initialise");
    RUN(test_libsrtp_validate_vector);
    RUN(test_aes_cm_against_libsrtp);
    RUN(test_gcm_keys_against_libsrtp);
    srtp_shutdown();
    return test_finish();
}
