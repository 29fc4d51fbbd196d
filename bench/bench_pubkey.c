/*
 * Benchmarks of the pubkey primitives, each next to the OpenSSL call a reference client uses:
 * MTProto DH next to plain BN_mod_exp (tdlib), the parameter check first-time vs cached, RSA
 * raw operations and ISO/IEC 9796-2 next to EVP_PKEY_sign / verify on the same key.
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <e2ekit/crypto.h>

#include "bench.h"

/* RFC 3526 section 3, the 2048-bit MODP group: a safe prime other than Telegram's, so the
 * first-time check really runs the two primality tests. */
static const char rfc3526_p14[] =
    "ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74020bbea63b139b22514a08798e3404"
    "ddef9519b3cd3a431b302b0a6df25f14374fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406"
    "b7edee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf0598da48361c55d39a69163fa8fd"
    "24cf5f83655d23dca3ad961c62f356208552bb9ed529077096966d670c354e4abc9804f1746c08ca18217c32905e46"
    "2e36ce3be39e772c180e86039b2783a2ec07a28fb5c55df06f4c52c9de2bcbf6955817183995497cea956ae515d226"
    "1898fa051015728e5a8aacaa68ffffffffffffffff";

static void
unhex_bench(uint8_t *out, const char *hex, size_t n)
{
    size_t len;
    if (e2e_hex_decode(out, n, &len, hex, strlen(hex)) != E2E_OK || len != n)
        memset(out, 0, n);
}

/* ---- DH ------------------------------------------------------------------------------------ */

struct dh_arg {
    const e2e_dh_group *grp;
    e2e_ctx *ctx;
    uint8_t priv[256], peer[256];
    BIGNUM *p, *g, *a, *y;
    BN_CTX *bn;
    e2e_dh_cache *cache;
    uint8_t prime[256];
};

static void
b_dh_keygen(void *arg, uint64_t n)
{
    struct dh_arg *d = arg;
    uint8_t priv[256], pub[256];
    while (n--) {
        if (e2e_dh_keygen(d->grp, d->ctx, priv, pub))
            return;
        bench_consume(pub, 1);
    }
}

static void
b_dh_compute(void *arg, uint64_t n)
{
    struct dh_arg *d = arg;
    uint8_t key[256];
    while (n--) {
        if (e2e_dh_compute(d->grp, key, d->priv, d->peer, 256))
            return;
        bench_consume(key, 1);
    }
}

static void
b_bn_mod_exp_g(void *arg, uint64_t n)
{
    struct dh_arg *d = arg;
    while (n--) {
        BN_mod_exp(d->y, d->g, d->a, d->p, d->bn);
        bench_sink ^= (uint8_t)BN_is_odd(d->y);
    }
}

static void
b_bn_mod_exp_peer(void *arg, uint64_t n)
{
    struct dh_arg *d = arg;
    BIGNUM *peer = BN_bin2bn(d->peer, 256, NULL);
    while (n--) {
        BN_mod_exp(d->y, peer, d->a, d->p, d->bn);
        bench_sink ^= (uint8_t)BN_is_odd(d->y);
    }
    BN_free(peer);
}

/* The first time a (p, g) is seen: a fresh cache, so the full check runs. */
static void
b_dh_first_check(void *arg, uint64_t n)
{
    struct dh_arg *d = arg;
    while (n--) {
        e2e_dh_cache *c;
        const e2e_dh_group *grp;
        if (e2e_dh_cache_new(&c) || e2e_dh_group_get(c, &grp, d->prime, 256, 2, NULL))
            return;
        bench_sink ^= (uint8_t)e2e_dh_cache_full_checks(c);
        e2e_dh_cache_free(c);
    }
}

static void
b_dh_cached(void *arg, uint64_t n)
{
    struct dh_arg *d = arg;
    const e2e_dh_group *grp;
    while (n--) {
        if (e2e_dh_group_get(d->cache, &grp, d->prime, 256, 2, NULL))
            return;
        bench_sink ^= (uint8_t)e2e_dh_group_g(grp);
    }
}

static void
b_dh_telegram_fresh(void *arg, uint64_t n)
{
    (void)arg;
    while (n--) {
        e2e_dh_cache *c;
        const e2e_dh_group *grp;
        if (e2e_dh_cache_new(&c) ||
            e2e_dh_group_get(c, &grp, e2e_dh_telegram_prime(), 256, 3, NULL))
            return;
        bench_sink ^= (uint8_t)e2e_dh_group_g(grp);
        e2e_dh_cache_free(c);
    }
}

static void
bench_dh(e2e_ctx *ctx)
{
    bench_section("pubkey: MTProto 2048-bit DH");
    struct dh_arg d = {.ctx = ctx};
    uint8_t pub[256], peer_priv[256];
    if (e2e_dh_cache_new(&d.cache) ||
        e2e_dh_group_get(d.cache, &d.grp, e2e_dh_telegram_prime(), 256, 3, NULL) ||
        e2e_dh_keygen(d.grp, ctx, d.priv, pub) || e2e_dh_keygen(d.grp, ctx, peer_priv, d.peer))
        return;
    e2e_wipe(peer_priv, sizeof peer_priv);
    d.bn = BN_CTX_new();
    d.p = BN_bin2bn(e2e_dh_telegram_prime(), 256, NULL);
    d.g = BN_new();
    BN_set_word(d.g, 3);
    d.a = BN_bin2bn(d.priv, 256, NULL); /* the same 2048-bit exponent, as tdlib draws it */
    d.y = BN_new();

    bench_report("pubkey", "DH keygen (2048-bit exponent, constant-time, range check)", "ops/s",
                 bench_ops(bench_ns_per_op(b_dh_keygen, &d)), "BN_mod_exp g^a (tdlib)",
                 bench_ops(bench_ns_per_op(b_bn_mod_exp_g, &d)), BENCH_HIGHER_IS_BETTER);
    bench_report("pubkey", "DH shared key (peer check + constant-time modexp)", "ops/s",
                 bench_ops(bench_ns_per_op(b_dh_compute, &d)), "BN_mod_exp peer^a (tdlib)",
                 bench_ops(bench_ns_per_op(b_bn_mod_exp_peer, &d)), BENCH_HIGHER_IS_BETTER);

    unhex_bench(d.prime, rfc3526_p14, 256);
    const e2e_dh_group *grp;
    if (e2e_dh_group_get(d.cache, &grp, d.prime, 256, 2, NULL) == E2E_OK) {
        double first = bench_ns_per_op(b_dh_first_check, &d);
        bench_report("pubkey", "DH params (RFC 3526 p, g=2): cached verdict", "us/op",
                     bench_ns_per_op(b_dh_cached, &d) / 1e3, "first-time full check", first / 1e3,
                     BENCH_LOWER_IS_BETTER);
        bench_report("pubkey", "DH params: Telegram prime, fresh cache (no primality test)",
                     "us/op", bench_ns_per_op(b_dh_telegram_fresh, &d) / 1e3,
                     "first-time full check", first / 1e3, BENCH_LOWER_IS_BETTER);
    }
    e2e_wipe(d.priv, sizeof d.priv);
    BN_clear_free(d.a);
    BN_free(d.p);
    BN_free(d.g);
    BN_free(d.y);
    BN_CTX_free(d.bn);
    e2e_dh_cache_free(d.cache);
}

/* ---- RSA ----------------------------------------------------------------------------------- */

struct rsa_arg {
    e2e_rsa *k;
    EVP_PKEY *pkey;
    EVP_PKEY_CTX *sign, *verify;
    size_t n;
    uint8_t in[512], sig[512], digest[32], pkcs1_sig[512], msg[64];
    size_t pkcs1_len;
};

static void
b_rsa_private(void *arg, uint64_t n)
{
    struct rsa_arg *r = arg;
    uint8_t out[512];
    while (n--) {
        if (e2e_rsa_private_raw(r->k, out, r->in, r->n))
            return;
        bench_consume(out, 1);
    }
}

static void
b_rsa_public(void *arg, uint64_t n)
{
    struct rsa_arg *r = arg;
    uint8_t out[512];
    while (n--) {
        if (e2e_rsa_public_raw(r->k, out, r->sig, r->n))
            return;
        bench_consume(out, 1);
    }
}

static void
b_evp_sign(void *arg, uint64_t n)
{
    struct rsa_arg *r = arg;
    uint8_t out[512];
    while (n--) {
        size_t len = sizeof out;
        if (EVP_PKEY_sign(r->sign, out, &len, r->digest, 32) != 1)
            return;
        bench_consume(out, 1);
    }
}

static void
b_evp_verify(void *arg, uint64_t n)
{
    struct rsa_arg *r = arg;
    while (n--)
        bench_sink ^=
            (uint8_t)EVP_PKEY_verify(r->verify, r->pkcs1_sig, r->pkcs1_len, r->digest, 32);
}

static void
b_iso_sign(void *arg, uint64_t n)
{
    struct rsa_arg *r = arg;
    uint8_t sig[512];
    size_t len, rec;
    while (n--) {
        if (e2e_iso9796_sign(r->k, sig, sizeof sig, &len, &rec, r->msg, sizeof r->msg))
            return;
        bench_consume(sig, 1);
    }
}

static void
b_iso_verify(void *arg, uint64_t n)
{
    struct rsa_arg *r = arg;
    uint8_t m1[512];
    size_t len;
    while (n--)
        bench_sink ^= (uint8_t)e2e_iso9796_verify(r->k, m1, sizeof m1, &len, r->sig, r->n, NULL, 0);
}

/* The same key in OpenSSL, with PKCS#1 v1.5 SHA-256 contexts set up once. */
static int
evp_setup(struct rsa_arg *r)
{
    uint8_t der[2500];
    size_t len;
    if (e2e_rsa_to_der(r->k, 1, der, sizeof der, &len))
        return -1;
    const unsigned char *p = der;
    r->pkey = d2i_PrivateKey(EVP_PKEY_RSA, NULL, &p, (long)len);
    e2e_wipe(der, sizeof der);
    if (!r->pkey || !(r->sign = EVP_PKEY_CTX_new(r->pkey, NULL)) ||
        !(r->verify = EVP_PKEY_CTX_new(r->pkey, NULL)) || EVP_PKEY_sign_init(r->sign) != 1 ||
        EVP_PKEY_verify_init(r->verify) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(r->sign, RSA_PKCS1_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(r->verify, RSA_PKCS1_PADDING) != 1 ||
        EVP_PKEY_CTX_set_signature_md(r->sign, EVP_sha256()) != 1 ||
        EVP_PKEY_CTX_set_signature_md(r->verify, EVP_sha256()) != 1)
        return -1;
    r->pkcs1_len = sizeof r->pkcs1_sig;
    return EVP_PKEY_sign(r->sign, r->pkcs1_sig, &r->pkcs1_len, r->digest, 32) == 1 ? 0 : -1;
}

static void
bench_rsa_size(unsigned bits, e2e_ctx *ctx)
{
    struct rsa_arg r = {0};
    char name[96];
    size_t len, rec;
    memset(r.msg, 0x5a, sizeof r.msg);
    if (e2e_rsa_generate(&r.k, bits, ctx) != E2E_OK)
        return;
    r.n = e2e_rsa_bytes(r.k);
    memset(r.in, 0x33, r.n);
    r.in[0] = 0;
    e2e_sha256(r.digest, r.msg, sizeof r.msg);
    if (evp_setup(&r) == 0 &&
        e2e_iso9796_sign(r.k, r.sig, sizeof r.sig, &len, &rec, r.msg, sizeof r.msg) == E2E_OK) {
        snprintf(name, sizeof name, "RSA-%u private op (CRT, blinded, checked)", bits);
        bench_report("pubkey", name, "ops/s", bench_ops(bench_ns_per_op(b_rsa_private, &r)),
                     "EVP_PKEY_sign PKCS#1 v1.5", bench_ops(bench_ns_per_op(b_evp_sign, &r)),
                     BENCH_HIGHER_IS_BETTER);
        snprintf(name, sizeof name, "RSA-%u public op", bits);
        bench_report("pubkey", name, "ops/s", bench_ops(bench_ns_per_op(b_rsa_public, &r)),
                     "EVP_PKEY_verify PKCS#1 v1.5", bench_ops(bench_ns_per_op(b_evp_verify, &r)),
                     BENCH_HIGHER_IS_BETTER);
        snprintf(name, sizeof name, "RSA-%u ISO 9796-2 sign, 64 B", bits);
        bench_report("pubkey", name, "ops/s", bench_ops(bench_ns_per_op(b_iso_sign, &r)),
                     "EVP_PKEY_sign PKCS#1 v1.5", bench_ops(bench_ns_per_op(b_evp_sign, &r)),
                     BENCH_HIGHER_IS_BETTER);
        snprintf(name, sizeof name, "RSA-%u ISO 9796-2 verify + recover, 64 B", bits);
        bench_report("pubkey", name, "ops/s", bench_ops(bench_ns_per_op(b_iso_verify, &r)),
                     "EVP_PKEY_verify PKCS#1 v1.5", bench_ops(bench_ns_per_op(b_evp_verify, &r)),
                     BENCH_HIGHER_IS_BETTER);
    }
    EVP_PKEY_CTX_free(r.sign);
    EVP_PKEY_CTX_free(r.verify);
    EVP_PKEY_free(r.pkey);
    e2e_rsa_free(r.k);
}

void
bench_pubkey(void)
{
    struct e2e_drbg drbg;
    e2e_drbg_seed(&drbg, "bench pubkey", 12);
    struct e2e_ctx_config cfg = {.rng = e2e_drbg_rng, .user = &drbg};
    e2e_ctx *ctx;
    if (e2e_ctx_new(&ctx, &cfg) != E2E_OK)
        return;
    bench_dh(ctx);
    bench_section("pubkey: RSA");
    bench_rsa_size(1536, ctx);
    bench_rsa_size(2048, ctx);
    e2e_ctx_free(ctx);
}
