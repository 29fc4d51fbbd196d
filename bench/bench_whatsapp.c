/*
 * Benchmarks of the whatsapp suite, each next to its baseline in the same run: media
 * encryption and verify+decrypt (1 MiB one-shot, 64 MiB streamed) next to bare OpenSSL EVP
 * AES-256-CBC + HMAC-SHA256; the RFC 3711 key derivation and packet protection next to
 * libsrtp2; the companion check next to its two bare XEdDSA verifications.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#ifdef E2E_HAVE_SRTP2
#include <srtp2/srtp.h>
#endif

#include <e2ekit/crypto.h>
#include <e2ekit/whatsapp.h>

#include "bench.h"

#define MIB           (1024 * 1024)
#define CHUNK         65536
#define STREAM_CHUNKS 1024 /* 64 MiB */

static uint8_t media_key[32];

struct media_arg {
    size_t n;
    uint8_t *pt, *blob, *out;
    size_t blob_len;
    uint8_t fsha[32], fesha[32];
    EVP_CIPHER_CTX *evp;
    EVP_MAC_CTX *mac;
    uint8_t ck[32], mk[32], iv[16];
};

/* ---- ours --------------------------------------------------------------------------------- */

static void
b_media_enc(void *arg, uint64_t iters)
{
    struct media_arg *a = arg;
    size_t len;
    while (iters--) {
        if (e2e_wa_media_encrypt(a->blob, a->n + 32, &len, a->fsha, a->fesha, a->pt, a->n,
                                 media_key, E2E_WA_MEDIA_VIDEO, NULL))
            return;
        bench_consume(a->blob + len - 10, 10);
    }
}

static void
b_media_dec(void *arg, uint64_t iters)
{
    struct media_arg *a = arg;
    size_t len;
    while (iters--) {
        if (e2e_wa_media_decrypt(a->out, a->n + 32, &len, a->blob, a->blob_len, a->fesha, a->fsha,
                                 media_key, E2E_WA_MEDIA_VIDEO, NULL, NULL))
            return;
        bench_consume(a->out, 1);
    }
}

/* 64 MiB in 64 KiB pieces: the plaintext chunk is the same buffer each time. */
static void
b_media_enc_stream(void *arg, uint64_t iters)
{
    struct media_arg *a = arg;
    while (iters--) {
        struct e2e_wa_media_enc s;
        size_t got;
        if (e2e_wa_media_enc_init(&s, media_key, E2E_WA_MEDIA_VIDEO, NULL))
            return;
        for (int i = 0; i < STREAM_CHUNKS; i++)
            if (e2e_wa_media_enc_update(&s, a->blob, CHUNK + 32, &got, a->pt, CHUNK))
                return;
        if (e2e_wa_media_enc_final(&s, a->blob, 64, &got, a->fsha, a->fesha))
            return;
        bench_consume(a->fesha, 32);
    }
}

/* The streamed blob's two passes over a ciphertext stream of 64 KiB pieces (the MAC and
 * hash cannot match a repeated chunk, so pass 1's verdict is ignored and pass 2 is given a
 * ticket made by a real verification of a small blob: the work per byte is what counts). */
static void
b_media_dec_stream(void *arg, uint64_t iters)
{
    struct media_arg *a = arg;
    struct e2e_wa_media_verified ticket;
    struct e2e_wa_media_verifier v;
    if (e2e_wa_media_verifier_init(&v, media_key, E2E_WA_MEDIA_VIDEO, NULL))
        return;
    e2e_wa_media_verifier_update(&v, a->blob, a->blob_len);
    if (e2e_wa_media_verifier_final(&v, &ticket, a->fesha, NULL))
        return;
    while (iters--) {
        size_t got;
        struct e2e_wa_media_dec d;
        if (e2e_wa_media_verifier_init(&v, media_key, E2E_WA_MEDIA_VIDEO, NULL) ||
            e2e_wa_media_dec_init(&d, media_key, E2E_WA_MEDIA_VIDEO, &ticket, NULL))
            return;
        for (int i = 0; i < STREAM_CHUNKS; i++)
            e2e_wa_media_verifier_update(&v, a->blob, CHUNK);
        for (int i = 0; i < STREAM_CHUNKS; i++)
            if (e2e_wa_media_dec_update(&d, a->out, CHUNK + 48, &got, a->blob, CHUNK))
                return;
        e2e_wa_media_dec_abort(&d);
        bench_consume(a->out, 1);
        struct e2e_wa_media_verified t2;
        (void)!e2e_wa_media_verifier_final(&v, &t2, a->fesha, NULL);
    }
}

/* ---- baseline: bare EVP AES-256-CBC + HMAC-SHA256 (EVP_MAC, reused) ------------------------ */

static void
evp_enc_mac(struct media_arg *a, const uint8_t *in, size_t n, uint8_t *out, int first)
{
    int len;
    if (first) {
        EVP_EncryptInit_ex(a->evp, NULL, NULL, NULL, a->iv);
        EVP_MAC_init(a->mac, NULL, 0, NULL);
        EVP_MAC_update(a->mac, a->iv, 16);
    }
    EVP_EncryptUpdate(a->evp, out, &len, in, (int)n);
    EVP_MAC_update(a->mac, out, (size_t)len);
}

static void
evp_final(struct media_arg *a, uint8_t *out)
{
    int len;
    size_t ml;
    uint8_t tag[32];
    EVP_EncryptFinal_ex(a->evp, out, &len);
    EVP_MAC_update(a->mac, out, (size_t)len);
    EVP_MAC_final(a->mac, tag, &ml, sizeof tag);
    bench_consume(tag, 10);
}

static void
b_evp_enc(void *arg, uint64_t iters)
{
    struct media_arg *a = arg;
    while (iters--) {
        evp_enc_mac(a, a->pt, a->n, a->blob, 1);
        evp_final(a, a->blob + a->n);
    }
}

/* the same work as ours: also SHA-256 of the plaintext and of the blob */
static void
b_evp_enc_hashes(void *arg, uint64_t iters)
{
    struct media_arg *a = arg;
    uint8_t d[32];
    while (iters--) {
        evp_enc_mac(a, a->pt, a->n, a->blob, 1);
        evp_final(a, a->blob + a->n);
        SHA256(a->pt, a->n, d);
        SHA256(a->blob, a->n + 26, d);
        bench_consume(d, 1);
    }
}

static void
b_evp_enc_stream(void *arg, uint64_t iters)
{
    struct media_arg *a = arg;
    while (iters--) {
        for (int i = 0; i < STREAM_CHUNKS; i++)
            evp_enc_mac(a, a->pt, CHUNK, a->blob, i == 0);
        evp_final(a, a->blob + CHUNK);
    }
}

/* decrypt + verify: HMAC over the ciphertext, then CBC decryption (no hashes) */
static void
evp_dec_chunk(struct media_arg *a, const uint8_t *in, size_t n, uint8_t *out, int first)
{
    int len;
    if (first) {
        EVP_DecryptInit_ex(a->evp, NULL, NULL, NULL, a->iv);
        EVP_MAC_init(a->mac, NULL, 0, NULL);
        EVP_MAC_update(a->mac, a->iv, 16);
    }
    EVP_MAC_update(a->mac, in, n);
    EVP_DecryptUpdate(a->evp, out, &len, in, (int)n);
}

static void
b_evp_dec(void *arg, uint64_t iters)
{
    struct media_arg *a = arg;
    uint8_t tag[32];
    size_t ml;
    while (iters--) {
        evp_dec_chunk(a, a->blob, a->blob_len - 10, a->out, 1);
        EVP_MAC_final(a->mac, tag, &ml, sizeof tag);
        bench_consume(tag, 10);
    }
}

static void
b_evp_dec_hashes(void *arg, uint64_t iters)
{
    struct media_arg *a = arg;
    uint8_t tag[32], d[32];
    size_t ml;
    while (iters--) {
        SHA256(a->blob, a->blob_len, d);
        evp_dec_chunk(a, a->blob, a->blob_len - 10, a->out, 1);
        EVP_MAC_final(a->mac, tag, &ml, sizeof tag);
        SHA256(a->out, a->n, d);
        bench_consume(d, 1);
    }
}

static void
b_evp_dec_stream(void *arg, uint64_t iters)
{
    struct media_arg *a = arg;
    uint8_t tag[32];
    size_t ml;
    while (iters--) {
        for (int i = 0; i < STREAM_CHUNKS; i++)
            evp_dec_chunk(a, a->blob, CHUNK, a->out, i == 0);
        EVP_MAC_final(a->mac, tag, &ml, sizeof tag);
        bench_consume(tag, 10);
    }
}

static void
media_setup(struct media_arg *a, size_t n, EVP_MAC *hmac)
{
    struct e2e_wa_media_keys k;
    memset(a, 0, sizeof *a);
    a->n = n;
    a->pt = malloc(n + CHUNK);
    a->blob = malloc(n + CHUNK + 64);
    a->out = malloc(n + CHUNK + 64);
    for (size_t i = 0; i < n + CHUNK; i++)
        a->pt[i] = (uint8_t)(i * 31 + 7);
    (void)!e2e_wa_media_derive(&k, media_key, E2E_WA_MEDIA_VIDEO, NULL);
    memcpy(a->ck, k.cipher_key, 32);
    memcpy(a->mk, k.mac_key, 32);
    memcpy(a->iv, k.iv, 16);
    a->evp = EVP_CIPHER_CTX_new();
    EVP_EncryptInit_ex(a->evp, EVP_aes_256_cbc(), NULL, a->ck, a->iv);
    a->mac = EVP_MAC_CTX_new(hmac);
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA256", 0),
                           OSSL_PARAM_construct_end()};
    EVP_MAC_init(a->mac, a->mk, 32, params);
    (void)!e2e_wa_media_encrypt(a->blob, n + CHUNK + 64, &a->blob_len, a->fsha, a->fesha, a->pt, n,
                                media_key, E2E_WA_MEDIA_VIDEO, NULL);
}

static void
media_free(struct media_arg *a)
{
    EVP_CIPHER_CTX_free(a->evp);
    EVP_MAC_CTX_free(a->mac);
    free(a->pt), free(a->blob), free(a->out);
}

static void
bench_media(void)
{
    struct media_arg a;
    EVP_MAC *hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    bench_section("whatsapp media (AES-256-CBC + HMAC-SHA256[0:10] + two SHA-256)");
    media_setup(&a, MIB, hmac);
    double mb = (double)MIB / 1e6;
    double ours = bench_ns_per_op(b_media_enc, &a), base = bench_ns_per_op(b_evp_enc, &a);
    bench_report("whatsapp", "media encrypt 1 MiB (incl. fileSHA256, fileEncSHA256)", "MB/s",
                 mb / ours * 1e9, "EVP AES-256-CBC + HMAC-SHA256", mb / base * 1e9,
                 BENCH_HIGHER_IS_BETTER);
    base = bench_ns_per_op(b_evp_enc_hashes, &a);
    bench_report("whatsapp", "media encrypt 1 MiB", "MB/s", mb / ours * 1e9,
                 "same work on OpenSSL (EVP + HMAC + 2x SHA256)", mb / base * 1e9,
                 BENCH_HIGHER_IS_BETTER);
    ours = bench_ns_per_op(b_media_dec, &a);
    base = bench_ns_per_op(b_evp_dec, &a);
    bench_report("whatsapp", "media verify+decrypt 1 MiB (hash, MAC, decrypt, fileSHA256)", "MB/s",
                 mb / ours * 1e9, "EVP HMAC-SHA256 + AES-256-CBC decrypt", mb / base * 1e9,
                 BENCH_HIGHER_IS_BETTER);
    base = bench_ns_per_op(b_evp_dec_hashes, &a);
    bench_report("whatsapp", "media verify+decrypt 1 MiB", "MB/s", mb / ours * 1e9,
                 "same work on OpenSSL (2x SHA256 + HMAC + EVP)", mb / base * 1e9,
                 BENCH_HIGHER_IS_BETTER);
    media_free(&a);
    media_setup(&a, CHUNK, hmac);
    mb = (double)CHUNK * STREAM_CHUNKS / 1e6;
    ours = bench_ns_per_op(b_media_enc_stream, &a);
    base = bench_ns_per_op(b_evp_enc_stream, &a);
    bench_report("whatsapp", "media encrypt 64 MiB streamed (64 KiB pieces)", "MB/s",
                 mb / ours * 1e9, "EVP AES-256-CBC + HMAC-SHA256, same pieces", mb / base * 1e9,
                 BENCH_HIGHER_IS_BETTER);
    media_free(&a);
    media_setup(&a, CHUNK, hmac); /* a fresh small blob: the ticket pass 2 needs */
    ours = bench_ns_per_op(b_media_dec_stream, &a);
    base = bench_ns_per_op(b_evp_dec_stream, &a);
    bench_report("whatsapp", "media verify+decrypt 64 MiB streamed (two passes)", "MB/s",
                 mb / ours * 1e9, "EVP HMAC-SHA256 + AES-256-CBC decrypt, one pass",
                 mb / base * 1e9, BENCH_HIGHER_IS_BETTER);
    media_free(&a);
    EVP_MAC_free(hmac);
}

/* ---- SRTP --------------------------------------------------------------------------------- */

struct srtp_arg {
    uint8_t key[30];
    uint8_t pkt[1300];
    size_t n;
    struct e2e_srtp_stream s;
#ifdef E2E_HAVE_SRTP2
    srtp_t lib;
#endif
};

static void
b_srtp_keys(void *arg, uint64_t iters)
{
    struct srtp_arg *a = arg;
    struct e2e_srtp_keys k;
    while (iters--) {
        if (e2e_srtp_session_keys(&k, E2E_SRTP_AES_CM_128_HMAC_SHA1_80, a->key, 16, a->key + 16, 14,
                                  NULL))
            return;
        bench_consume(k.rtcp_salt, 1);
    }
}

static void
b_srtp_protect(void *arg, uint64_t iters)
{
    struct srtp_arg *a = arg;
    while (iters--) {
        size_t n = a->n;
        if (e2e_srtp_protect(&a->s, a->pkt, sizeof a->pkt, &n, 0))
            return;
        bench_consume(a->pkt + n - 1, 1);
    }
}

#ifdef E2E_HAVE_SRTP2
static srtp_t
lib_session(uint8_t *key)
{
    srtp_policy_t p;
    srtp_t s = NULL;
    memset(&p, 0, sizeof p);
    srtp_crypto_policy_set_rtp_default(&p.rtp);
    srtp_crypto_policy_set_rtcp_default(&p.rtcp);
    p.ssrc.type = ssrc_any_outbound;
    p.key = key;
    p.allow_repeat_tx = 1;
    return srtp_create(&s, &p) == srtp_err_status_ok ? s : NULL;
}

/* libsrtp2 derives the six session keys inside srtp_create (plus its allocations). */
static void
b_lib_keys(void *arg, uint64_t iters)
{
    struct srtp_arg *a = arg;
    while (iters--) {
        srtp_t s = lib_session(a->key);
        if (!s)
            return;
        srtp_dealloc(s);
    }
}

static void
b_lib_protect(void *arg, uint64_t iters)
{
    struct srtp_arg *a = arg;
    while (iters--) {
        int n = (int)a->n;
        if (srtp_protect(a->lib, a->pkt, &n) != srtp_err_status_ok)
            return;
        bench_consume(a->pkt + n - 1, 1);
    }
}
#endif

static void
bench_srtp(void)
{
    struct srtp_arg a;
    struct e2e_srtp_keys k;
    memset(&a, 0, sizeof a);
    for (int i = 0; i < 30; i++)
        a.key[i] = (uint8_t)(i * 3 + 1);
    if (e2e_srtp_session_keys(&k, E2E_SRTP_AES_CM_128_HMAC_SHA1_80, a.key, 16, a.key + 16, 14,
                              NULL) ||
        e2e_srtp_stream_init(&a.s, &k))
        return;
    bench_section("whatsapp calls: SRTP AES_CM_128_HMAC_SHA1_80 (RFC 3711)");
#ifdef E2E_HAVE_SRTP2
    if (srtp_init() != srtp_err_status_ok || !(a.lib = lib_session(a.key)))
        return;
    double ours = bench_ns_per_op(b_srtp_keys, &a), base = bench_ns_per_op(b_lib_keys, &a);
    bench_report("whatsapp", "SRTP session keys (6 labels)", "us", ours / 1e3,
                 "libsrtp2 srtp_create+dealloc", base / 1e3, BENCH_LOWER_IS_BETTER);
    static const size_t sizes[] = {172, 1212};
    for (int i = 0; i < 2; i++) {
        a.n = sizes[i];
        a.pkt[0] = 0x80, a.pkt[1] = 0x60;
        a.pkt[8] = 0xca, a.pkt[9] = 0xfe;
        ours = bench_ns_per_op(b_srtp_protect, &a);
        base = bench_ns_per_op(b_lib_protect, &a);
        bench_report("whatsapp", i ? "SRTP protect 1212 B" : "SRTP protect 172 B", "pkt/s",
                     bench_ops(ours), "libsrtp2 srtp_protect (NSS)", bench_ops(base),
                     BENCH_HIGHER_IS_BETTER);
    }
    srtp_dealloc(a.lib);
    srtp_shutdown();
#else
    bench_report_single("whatsapp", "SRTP session keys (6 labels), no libsrtp2", "us",
                        bench_ns_per_op(b_srtp_keys, &a) / 1e3);
#endif
    e2e_wipe(&a, sizeof a);
}

/* ---- companion check ---------------------------------------------------------------------- */

struct check_arg {
    uint8_t signed_id[E2E_WA_ADV_MAX];
    size_t n;
    struct e2e_wa_identity primary, companion;
    struct e2e_wa_devlist list;
    uint8_t details[64];
    size_t dn;
    uint8_t acc_msg[128], dev_msg[160], acc_sig[64], dev_sig[64];
    size_t acc_n, dev_n;
};

static void
b_companion_check(void *arg, uint64_t iters)
{
    struct check_arg *a = arg;
    while (iters--)
        if (e2e_wa_companion_check(NULL, a->signed_id, a->n, a->primary.pub, a->companion.pub,
                                   &a->list, NULL))
            return;
}

static void
b_two_verifies(void *arg, uint64_t iters)
{
    struct check_arg *a = arg;
    while (iters--)
        if (e2e_xeddsa_verify(a->primary.pub, a->acc_msg, a->acc_n, a->acc_sig) ||
            e2e_xeddsa_verify(a->companion.pub, a->dev_msg, a->dev_n, a->dev_sig))
            return;
}

static void
bench_companion(void)
{
    struct check_arg a;
    struct e2e_drbg drbg;
    e2e_ctx *ctx;
    struct e2e_ctx_config cfg = {0};
    e2e_drbg_seed(&drbg, "bench", 5);
    cfg.rng = e2e_drbg_rng;
    cfg.user = &drbg;
    if (e2e_ctx_new(&ctx, &cfg))
        return;
    memset(&a, 0, sizeof a);
    struct e2e_wa_qr qr = {0};
    struct e2e_wa_device_identity meta = {0};
    struct e2e_wa_link_result res;
    uint8_t link[E2E_WA_ADV_MAX];
    size_t ln;
    strcpy(qr.ref, "ref");
    if (e2e_wa_identity_generate(&a.primary, ctx) || e2e_wa_identity_generate(&a.companion, ctx))
        goto out;
    memcpy(qr.identity_pub, a.companion.pub, 32);
    e2e_wa_devlist_init(&a.list, 9, ctx);
    if (e2e_wa_devlist_add(&a.list, ctx, &meta.key_index))
        goto out;
    meta.raw_id = 9;
    if (e2e_wa_link_primary(link, sizeof link, &ln, ctx, &a.primary, &qr, &meta) ||
        e2e_wa_link_companion(&res, ctx, &a.companion, qr.adv_secret, NULL, link, ln, NULL))
        goto out;
    memcpy(a.signed_id, res.signed_identity, res.signed_identity_len);
    a.n = res.signed_identity_len;
    /* the same two signatures, made directly, for the baseline */
    if (e2e_wa_device_identity_encode(a.details, sizeof a.details, &a.dn, &meta))
        goto out;
    a.acc_msg[0] = 6, a.acc_msg[1] = 0;
    memcpy(a.acc_msg + 2, a.details, a.dn);
    memcpy(a.acc_msg + 2 + a.dn, a.companion.pub, 32);
    a.acc_n = 34 + a.dn;
    a.dev_msg[0] = 6, a.dev_msg[1] = 1;
    memcpy(a.dev_msg + 2, a.details, a.dn);
    memcpy(a.dev_msg + 2 + a.dn, a.companion.pub, 32);
    memcpy(a.dev_msg + 34 + a.dn, a.primary.pub, 32);
    a.dev_n = 66 + a.dn;
    if (e2e_xeddsa_sign_ctx(a.acc_sig, a.primary.priv, a.acc_msg, a.acc_n, ctx) ||
        e2e_xeddsa_sign_ctx(a.dev_sig, a.companion.priv, a.dev_msg, a.dev_n, ctx))
        goto out;
    bench_section("whatsapp companion check (before a session with a companion device)");
    double ours = bench_ns_per_op(b_companion_check, &a),
           base = bench_ns_per_op(b_two_verifies, &a);
    bench_report("whatsapp", "companion check (parse, 2 XEdDSA verifies, device list)", "ops/s",
                 bench_ops(ours), "2 bare e2e_xeddsa_verify", bench_ops(base),
                 BENCH_HIGHER_IS_BETTER);
out:
    e2e_wipe(&a, sizeof a);
    e2e_ctx_free(ctx);
}

void
bench_whatsapp(void)
{
    for (int i = 0; i < 32; i++)
        media_key[i] = (uint8_t)(0x40 + i);
    bench_media();
    bench_srtp();
    bench_companion();
}
