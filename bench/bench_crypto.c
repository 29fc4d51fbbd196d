/* Benchmarks of hashes, MACs, KDFs and curve operations, each next to the bare library call. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <sodium.h>

#include <e2ekit/crypto.h>

#include "bench.h"

static uint8_t buf[1024], key[32], out[64];

static void
b_hmac32(void *arg, uint64_t n)
{
    const e2e_hmac_sha256_ctx *keyed = arg;
    while (n--) {
        e2e_hmac_sha256_ctx c = *keyed;
        e2e_hmac_sha256_update(&c, buf, 32);
        e2e_hmac_sha256_final(&c, out);
        bench_consume(out, 1);
    }
}

static void
b_hmac32_oneshot(void *arg, uint64_t n)
{
    (void)arg;
    while (n--) {
        e2e_hmac_sha256(out, key, 32, buf, 32);
        bench_consume(out, 1);
    }
}

struct evp_mac {
    EVP_MAC_CTX *ctx;
};

static void
b_evp_hmac32(void *arg, uint64_t n)
{
    struct evp_mac *m = arg;
    size_t len;
    while (n--) {
        EVP_MAC_init(m->ctx, NULL, 0, NULL); /* re-init with the same key */
        EVP_MAC_update(m->ctx, buf, 32);
        EVP_MAC_final(m->ctx, out, &len, sizeof out);
        bench_consume(out, 1);
    }
}

static void
b_openssl_hmac_oneshot(void *arg, uint64_t n)
{
    (void)arg;
    unsigned len;
    while (n--) {
        HMAC(EVP_sha256(), key, 32, buf, 32, out, &len);
        bench_consume(out, 1);
    }
}

static void
b_sha256_1k(void *arg, uint64_t n)
{
    (void)arg;
    while (n--) {
        e2e_sha256(out, buf, sizeof buf);
        bench_consume(out, 1);
    }
}

static void
b_evp_sha256_1k(void *arg, uint64_t n)
{
    (void)arg;
    unsigned len;
    while (n--) {
        EVP_Digest(buf, sizeof buf, out, &len, EVP_sha256(), NULL);
        bench_consume(out, 1);
    }
}

static void
b_sodium_sha256_1k(void *arg, uint64_t n)
{
    (void)arg;
    while (n--) {
        crypto_hash_sha256(out, buf, sizeof buf);
        bench_consume(out, 1);
    }
}

static void
b_hkdf80(void *arg, uint64_t n)
{
    (void)arg;
    static const uint8_t info[] = "WhisperMessageKeys";
    uint8_t okm[80];
    while (n--) {
        if (e2e_hkdf_sha256(okm, sizeof okm, NULL, 0, key, 32, info, sizeof info - 1))
            return;
        bench_consume(okm, 1);
    }
}

static void
b_evp_hkdf80(void *arg, uint64_t n)
{
    (void)arg;
    static const uint8_t info[] = "WhisperMessageKeys";
    static const uint8_t zeros[32];
    uint8_t okm[80];
    while (n--) {
        EVP_PKEY_CTX *p = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
        EVP_PKEY_derive_init(p);
        EVP_PKEY_CTX_set_hkdf_md(p, EVP_sha256());
        EVP_PKEY_CTX_set1_hkdf_salt(p, zeros, 32);
        EVP_PKEY_CTX_set1_hkdf_key(p, key, 32);
        EVP_PKEY_CTX_add1_hkdf_info(p, info, sizeof info - 1);
        size_t len = sizeof okm;
        EVP_PKEY_derive(p, okm, &len);
        EVP_PKEY_CTX_free(p);
        bench_consume(okm, 1);
    }
}

static void
b_x25519(void *arg, uint64_t n)
{
    (void)arg;
    uint8_t pub[32];
    e2e_x25519_public(pub, key);
    while (n--) {
        if (e2e_x25519_shared(out, key, pub))
            return;
        bench_consume(out, 1);
    }
}

static void
b_evp_x25519(void *arg, uint64_t n)
{
    (void)arg;
    EVP_PKEY *a = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, key, 32);
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(a, NULL);
    EVP_PKEY_derive_init(c);
    EVP_PKEY_derive_set_peer(c, a);
    while (n--) {
        size_t len = 32;
        EVP_PKEY_derive(c, out, &len);
        bench_consume(out, 1);
    }
    EVP_PKEY_CTX_free(c);
    EVP_PKEY_free(a);
}

static void
b_xeddsa_sign(void *arg, uint64_t n)
{
    const struct e2e_xeddsa_signer *s = arg;
    uint8_t z[64] = {1};
    while (n--) {
        e2e_xeddsa_sign(out, s, buf, 64, z);
        bench_consume(out, 1);
    }
}

static void
b_ed25519_sign(void *arg, uint64_t n)
{
    const uint8_t *sk = arg;
    while (n--) {
        e2e_ed25519_sign(out, buf, 64, sk);
        bench_consume(out, 1);
    }
}

struct verify_arg {
    uint8_t pub[32], sig[64];
};

static void
b_xeddsa_verify(void *arg, uint64_t n)
{
    struct verify_arg *v = arg;
    while (n--)
        bench_sink ^= (uint8_t)e2e_xeddsa_verify(v->pub, buf, 64, v->sig);
}

static void
b_ed25519_verify(void *arg, uint64_t n)
{
    struct verify_arg *v = arg;
    while (n--)
        bench_sink ^= (uint8_t)e2e_ed25519_verify(v->sig, buf, 64, v->pub);
}

void
bench_crypto(void)
{
    memset(buf, 0x5a, sizeof buf);
    memset(key, 0x42, sizeof key);
    e2e_x25519_clamp(key);
    bench_section("crypto: hashes, MACs, KDFs");

    e2e_hmac_sha256_ctx keyed;
    e2e_hmac_sha256_init(&keyed, key, 32);
    struct evp_mac m;
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", "SHA256", 0),
                           OSSL_PARAM_construct_end()};
    m.ctx = EVP_MAC_CTX_new(mac);
    EVP_MAC_init(m.ctx, key, 32, params);
    double ours = bench_ns_per_op(b_hmac32, &keyed);
    bench_report("crypto", "HMAC-SHA256 32 B, keyed ctx reused", "ns/op", ours,
                 "EVP_MAC reused ctx", bench_ns_per_op(b_evp_hmac32, &m), BENCH_LOWER_IS_BETTER);
    bench_report("crypto", "HMAC-SHA256 32 B, one-shot", "ns/op",
                 bench_ns_per_op(b_hmac32_oneshot, NULL), "OpenSSL HMAC() one-shot",
                 bench_ns_per_op(b_openssl_hmac_oneshot, NULL), BENCH_LOWER_IS_BETTER);
    EVP_MAC_CTX_free(m.ctx);
    EVP_MAC_free(mac);

    ours = bench_ns_per_op(b_sha256_1k, NULL);
    bench_report("crypto", "SHA-256 1 KiB", "ns/op", ours, "EVP_Digest one-shot",
                 bench_ns_per_op(b_evp_sha256_1k, NULL), BENCH_LOWER_IS_BETTER);
    bench_report("crypto", "SHA-256 1 KiB", "ns/op", ours, "libsodium crypto_hash_sha256",
                 bench_ns_per_op(b_sodium_sha256_1k, NULL), BENCH_LOWER_IS_BETTER);
    bench_report("crypto", "HKDF-SHA256 to 80 bytes", "ns/op", bench_ns_per_op(b_hkdf80, NULL),
                 "EVP_PKEY HKDF", bench_ns_per_op(b_evp_hkdf80, NULL), BENCH_LOWER_IS_BETTER);

    bench_section("crypto: curves");
    bench_report("crypto", "X25519 shared secret", "ns/op", bench_ns_per_op(b_x25519, NULL),
                 "EVP_PKEY_derive, ctx reused", bench_ns_per_op(b_evp_x25519, NULL),
                 BENCH_LOWER_IS_BETTER);
    struct e2e_xeddsa_signer s;
    e2e_xeddsa_signer_init(&s, key);
    uint8_t seed[32] = {7}, epk[32], esk[64];
    e2e_ed25519_seed_keypair(epk, esk, seed);
    bench_report("crypto", "XEdDSA sign (Signal variant), 64 B", "ns/op",
                 bench_ns_per_op(b_xeddsa_sign, &s), "Ed25519 sign (libsodium)",
                 bench_ns_per_op(b_ed25519_sign, esk), BENCH_LOWER_IS_BETTER);
    struct verify_arg xv, ev;
    e2e_x25519_public(xv.pub, key);
    e2e_xeddsa_sign(xv.sig, &s, buf, 64, (const uint8_t[64]){1});
    memcpy(ev.pub, epk, 32);
    e2e_ed25519_sign(ev.sig, buf, 64, esk);
    bench_report("crypto", "XEdDSA verify (Signal variant), 64 B", "ns/op",
                 bench_ns_per_op(b_xeddsa_verify, &xv), "Ed25519 verify (libsodium)",
                 bench_ns_per_op(b_ed25519_verify, &ev), BENCH_LOWER_IS_BETTER);
    e2e_wipe(&s, sizeof s);
}
