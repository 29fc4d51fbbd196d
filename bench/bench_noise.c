/*
 * Benchmarks of the noise suite: whole handshakes (both sides in one process) next to the
 * X25519 work they contain, measured in the same run; transport messages next to bare AES-256-GCM
 * (our e2e_aes_gcm and OpenSSL EVP); allocations on the transport path. Each pair is measured
 * alternately, fastest of three, because the build machine is shared.
 */
#include <string.h>

#include <openssl/evp.h>

#include <e2ekit/crypto.h>
#include <e2ekit/noise.h>

#include "bench.h"

#define XX "Noise_XX_25519_AESGCM_SHA256"
#define IK "Noise_IK_25519_AESGCM_SHA256"

static struct e2e_noise_keypair client, server, server_new;
static uint8_t frame[1024], sealed[1024 + 16 + 2], opened[1024];

/* ---- handshakes ----------------------------------------------------------------------------- */

static e2e_noise_handshake *
side(const char *proto, int role, const struct e2e_noise_keypair *s, const uint8_t *rs)
{
    e2e_noise_handshake *hs = NULL;
    if (e2e_noise_handshake_new(&hs, proto, role, NULL) ||
        e2e_noise_handshake_set_prologue(hs, (const uint8_t *)"bench", 5) ||
        e2e_noise_handshake_set_local_keypair(hs, s) ||
        (rs && e2e_noise_handshake_set_remote_static(hs, rs)) || e2e_noise_handshake_start(hs)) {
        e2e_noise_handshake_free(hs);
        return NULL;
    }
    return hs;
}

static int
step(e2e_noise_handshake *a, e2e_noise_handshake *b)
{
    uint8_t msg[256], pl[64];
    size_t n, pn;
    if (e2e_noise_handshake_write(a, NULL, 0, msg, sizeof msg, &n))
        return -1;
    return e2e_noise_handshake_read(b, msg, n, pl, sizeof pl, &pn, NULL);
}

static int
finish(e2e_noise_handshake *a, e2e_noise_handshake *b)
{
    e2e_noise_transport *ta = NULL, *tb = NULL;
    int rc = e2e_noise_handshake_split(a, &ta) | e2e_noise_handshake_split(b, &tb);
    e2e_noise_transport_free(ta);
    e2e_noise_transport_free(tb);
    e2e_noise_handshake_free(a);
    e2e_noise_handshake_free(b);
    return rc;
}

static void
b_xx(void *arg, uint64_t n)
{
    (void)arg;
    while (n--) {
        e2e_noise_handshake *i = side(XX, E2E_NOISE_INITIATOR, &client, NULL);
        e2e_noise_handshake *r = side(XX, E2E_NOISE_RESPONDER, &server, NULL);
        if (step(i, r) || step(r, i) || step(i, r) || finish(i, r))
            return;
    }
}

static void
b_ik(void *arg, uint64_t n)
{
    (void)arg;
    while (n--) {
        e2e_noise_handshake *i = side(IK, E2E_NOISE_INITIATOR, &client, server.pub);
        e2e_noise_handshake *r = side(IK, E2E_NOISE_RESPONDER, &server, NULL);
        if (step(i, r) || step(r, i) || finish(i, r))
            return;
    }
}

/* IK to a relay whose key changed, then XXfallback. */
static void
b_fallback(void *arg, uint64_t n)
{
    (void)arg;
    while (n--) {
        e2e_noise_handshake *i = side(IK, E2E_NOISE_INITIATOR, &client, server.pub);
        e2e_noise_handshake *r = side(IK, E2E_NOISE_RESPONDER, &server_new, NULL);
        if (step(i, r) != E2E_ERR_AUTH || e2e_noise_handshake_fallback(r, NULL, 0) ||
            e2e_noise_handshake_fallback(i, NULL, 0) || step(r, i) || step(i, r) || finish(i, r))
            return;
    }
}

/* The X25519 work alone: `keygens` base-point multiplications and `dhs` shared secrets. */
struct dh_work {
    int keygens, dhs;
};

static void
b_dh_work(void *arg, uint64_t n)
{
    const struct dh_work *w = arg;
    uint8_t priv[32], pub[32], out[32];
    memcpy(priv, &client, 32);
    while (n--) {
        for (int k = 0; k < w->keygens; k++) {
            priv[0] ^= 1;
            e2e_x25519_public(pub, priv);
        }
        for (int k = 0; k < w->dhs; k++)
            if (e2e_x25519_shared(out, priv, server.pub))
                return;
        bench_consume(out, 1);
    }
}

static void
report_handshake(const char *name, bench_fn fn, int keygens, int dhs)
{
    struct dh_work w = {keygens, dhs};
    char base[96];
    double ours, x;
    snprintf(base, sizeof base, "X25519 work alone (%d keygen + %d DH)", keygens, dhs);
    bench_ns_pair(&ours, fn, NULL, &x, b_dh_work, &w);
    bench_report("noise", name, "handshakes/s", bench_ops(ours), base, bench_ops(x),
                 BENCH_HIGHER_IS_BETTER);
}

/* ---- transport ------------------------------------------------------------------------------ */

struct link {
    e2e_noise_transport *a, *b;
};

static void
b_transport(void *arg, uint64_t n)
{
    struct link *l = arg;
    size_t cn, pn;
    while (n--) {
        if (e2e_noise_transport_encrypt(l->a, sealed, sizeof sealed, &cn, frame, sizeof frame) ||
            e2e_noise_transport_decrypt(l->b, opened, sizeof opened, &pn, sealed, cn, NULL))
            return;
        bench_consume(opened, 1);
    }
}

struct gcm_pair {
    e2e_aes_gcm *enc, *dec;
    uint64_t n;
};

static void
b_gcm(void *arg, uint64_t n)
{
    struct gcm_pair *g = arg;
    uint8_t nonce[12] = {0};
    while (n--) {
        nonce[11] = (uint8_t)g->n;
        nonce[10] = (uint8_t)(g->n++ >> 8);
        if (e2e_aes_gcm_encrypt(g->enc, sealed, nonce, NULL, 0, frame, sizeof frame) ||
            e2e_aes_gcm_decrypt(g->dec, opened, nonce, NULL, 0, sealed, sizeof frame + 16))
            return;
        bench_consume(opened, 1);
    }
}

struct evp_pair {
    EVP_CIPHER_CTX *enc, *dec;
};

static void
b_evp(void *arg, uint64_t n)
{
    struct evp_pair *e = arg;
    uint8_t nonce[12] = {0}, tag[16];
    int len;
    while (n--) {
        nonce[11]++;
        EVP_EncryptInit_ex(e->enc, NULL, NULL, NULL, nonce);
        EVP_EncryptUpdate(e->enc, sealed, &len, frame, sizeof frame);
        EVP_EncryptFinal_ex(e->enc, sealed + len, &len);
        EVP_CIPHER_CTX_ctrl(e->enc, EVP_CTRL_GCM_GET_TAG, 16, tag);
        EVP_DecryptInit_ex(e->dec, NULL, NULL, NULL, nonce);
        EVP_DecryptUpdate(e->dec, opened, &len, sealed, sizeof frame);
        EVP_CIPHER_CTX_ctrl(e->dec, EVP_CTRL_GCM_SET_TAG, 16, tag);
        if (EVP_DecryptFinal_ex(e->dec, opened + len, &len) != 1)
            return;
        bench_consume(opened, 1);
    }
}

static int
connect_link(struct link *l)
{
    e2e_noise_handshake *i = side(XX, E2E_NOISE_INITIATOR, &client, NULL);
    e2e_noise_handshake *r = side(XX, E2E_NOISE_RESPONDER, &server, NULL);
    int rc = !i || !r || step(i, r) || step(r, i) || step(i, r) ||
             e2e_noise_handshake_split(i, &l->a) || e2e_noise_handshake_split(r, &l->b);
    e2e_noise_handshake_free(i);
    e2e_noise_handshake_free(r);
    return rc;
}

static void
bench_transport(void)
{
    struct link l = {NULL, NULL};
    if (connect_link(&l))
        return;
    double ours, base;
    static const uint8_t key[32] = {1};
    struct gcm_pair g = {NULL, NULL, 0};
    if (e2e_aes_gcm_new(&g.enc, key, 32) == E2E_OK && e2e_aes_gcm_new(&g.dec, key, 32) == E2E_OK) {
        bench_ns_pair(&ours, b_transport, &l, &base, b_gcm, &g);
        bench_report("noise", "transport encrypt+decrypt 1 KiB", "ns/op", ours,
                     "e2e_aes_gcm encrypt+decrypt 1 KiB", base, BENCH_LOWER_IS_BETTER);
    }
    e2e_aes_gcm_free(g.enc);
    e2e_aes_gcm_free(g.dec);
    struct evp_pair e = {EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_new()};
    EVP_EncryptInit_ex(e.enc, EVP_aes_256_gcm(), NULL, key, NULL);
    EVP_DecryptInit_ex(e.dec, EVP_aes_256_gcm(), NULL, key, NULL);
    bench_ns_pair(&ours, b_transport, &l, &base, b_evp, &e);
    bench_report("noise", "transport encrypt+decrypt 1 KiB", "ns/op", ours,
                 "OpenSSL EVP AES-256-GCM, ctx reused", base, BENCH_LOWER_IS_BETTER);
    EVP_CIPHER_CTX_free(e.enc);
    EVP_CIPHER_CTX_free(e.dec);
    /* the hot path allocates nothing */
    uint64_t before = bench_allocs();
    b_transport(&l, 10000);
    bench_report_single("noise", "heap allocations per 1 KiB encrypt+decrypt", "allocs",
                        (double)(bench_allocs() - before) / 10000.0);
    e2e_noise_transport_free(l.a);
    e2e_noise_transport_free(l.b);
}

void
bench_noise(void)
{
    if (e2e_noise_keypair_generate(&client, NULL) || e2e_noise_keypair_generate(&server, NULL) ||
        e2e_noise_keypair_generate(&server_new, NULL))
        return;
    memset(frame, 0x5a, sizeof frame);
    bench_section("noise: handshakes (both sides, one process) vs their X25519 work");
    report_handshake("XX handshake, both sides", b_xx, 2, 6);
    report_handshake("IK handshake, both sides", b_ik, 2, 8);
    /* Alice: keygen, es, ss, ee, se, es = 5 DH; Bob: es (reused as se), ee, es = 3 DH */
    report_handshake("IK -> XXfallback, both sides", b_fallback, 2, 8);
    bench_section("noise: transport");
    bench_transport();
}
