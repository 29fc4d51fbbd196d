/*
 * Benchmarks of the skype suite, each next to a baseline measured in the same run:
 *   - session setup (three flights, both sides, certificates verified) next to the same count
 *     of bare OpenSSL RSA operations, which bound it from below;
 *   - authority logins next to the two RSA-1536 private operations they need;
 *   - packet protection (1 KiB and 1200 bytes, faithful and hardened) next to bare
 *     AES-256-CTR over the same bytes, with allocations per packet;
 *   - the RC4 obfuscation of a 1200-byte UDP frame next to AES-256-CTR.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <e2ekit/skype.h>

#include "bench.h"

enum { BUF = 4096 };

struct world {
    e2e_ctx *ctx;
    struct e2e_drbg drbg;
    e2e_skype_authority *au;
    e2e_skype_ca *ca;
    e2e_skype_identity *alice, *bob;
};

static int
enrol(struct world *w, e2e_skype_identity **id, const char *name)
{
    uint8_t req[BUF], resp[BUF];
    size_t rn = 0, sn = 0;
    return e2e_skype_identity_new(id, w->ctx, name, "pw", 1024) ||
           e2e_skype_register_request(*id, w->ca, w->ctx, E2E_SKYPE_HARDENED, 0, req, sizeof req,
                                      &rn) ||
           e2e_skype_authority_handle(w->au, w->ctx, req, rn, resp, sizeof resp, &sn, NULL) ||
           e2e_skype_identity_accept(*id, w->ca, w->ctx, resp, sn, NULL);
}

static int
world_new(struct world *w)
{
    uint8_t blob[BUF];
    size_t n = 0;
    memset(w, 0, sizeof *w);
    e2e_drbg_seed(&w->drbg, "bench skype", 11);
    struct e2e_ctx_config cfg = {.rng = e2e_drbg_rng, .user = &w->drbg};
    if (e2e_ctx_new(&w->ctx, &cfg) || e2e_skype_authority_new(&w->au, w->ctx) ||
        e2e_skype_authority_export_ca(w->au, blob, sizeof blob, &n) ||
        e2e_skype_ca_parse(&w->ca, blob, n, NULL))
        return -1;
    return enrol(w, &w->alice, "alice.smith") || enrol(w, &w->bob, "bob.jones") ? -1 : 0;
}

static void
world_free(struct world *w)
{
    e2e_skype_identity_free(w->alice);
    e2e_skype_identity_free(w->bob);
    e2e_skype_ca_free(w->ca);
    e2e_skype_authority_free(w->au);
    e2e_ctx_free(w->ctx);
}

/* ---- session setup -------------------------------------------------------------------------- */

struct setup_arg {
    struct world *w;
    int mode;
};

static int
one_handshake(struct world *w, int mode)
{
    e2e_skype_handshake *ha = NULL, *hb = NULL;
    e2e_skype_session *sa = NULL, *sb = NULL;
    uint8_t f[BUF];
    size_t n = 0;
    int rc = e2e_skype_handshake_new(&ha, E2E_SKYPE_INITIATOR, mode, w->alice, w->ca, NULL);
    if (!rc)
        rc = e2e_skype_handshake_new(&hb, E2E_SKYPE_RESPONDER, mode, w->bob, w->ca, NULL);
    if (!rc)
        rc = e2e_skype_handshake_write(ha, w->ctx, f, sizeof f, &n);
    if (!rc)
        rc = e2e_skype_handshake_read(hb, w->ctx, f, n, NULL);
    if (!rc)
        rc = e2e_skype_handshake_write(hb, w->ctx, f, sizeof f, &n);
    if (!rc)
        rc = e2e_skype_handshake_read(ha, w->ctx, f, n, NULL);
    if (!rc)
        rc = e2e_skype_handshake_write(ha, w->ctx, f, sizeof f, &n);
    if (!rc)
        rc = e2e_skype_handshake_read(hb, w->ctx, f, n, NULL);
    if (!rc)
        rc = e2e_skype_handshake_split(ha, w->ctx, &sa);
    if (!rc)
        rc = e2e_skype_handshake_split(hb, w->ctx, &sb);
    e2e_skype_session_free(sa);
    e2e_skype_session_free(sb);
    e2e_skype_handshake_free(ha);
    e2e_skype_handshake_free(hb);
    return rc;
}

static void
b_setup(void *arg, uint64_t iters)
{
    struct setup_arg *s = arg;
    while (iters--)
        if (one_handshake(s->w, s->mode) != E2E_OK)
            return;
}

/* Bare OpenSSL raw RSA (no padding) on the same keys: the floor under a handshake. */
struct evp_rsa {
    EVP_PKEY *pkey;
    EVP_PKEY_CTX *priv, *pub;
    size_t n;
    uint8_t in[512];
};

static int
evp_rsa_new(struct evp_rsa *e, const e2e_rsa *k)
{
    uint8_t der[2500];
    size_t len = 0;
    memset(e, 0, sizeof *e);
    if (e2e_rsa_to_der(k, 1, der, sizeof der, &len))
        return -1;
    const unsigned char *p = der;
    e->pkey = d2i_PrivateKey(EVP_PKEY_RSA, NULL, &p, (long)len);
    e->n = e2e_rsa_bytes(k);
    memset(e->in, 0x3c, e->n);
    e->in[0] = 0;
    return !e->pkey || !(e->priv = EVP_PKEY_CTX_new(e->pkey, NULL)) ||
                   !(e->pub = EVP_PKEY_CTX_new(e->pkey, NULL)) ||
                   EVP_PKEY_decrypt_init(e->priv) != 1 || EVP_PKEY_encrypt_init(e->pub) != 1 ||
                   EVP_PKEY_CTX_set_rsa_padding(e->priv, RSA_NO_PADDING) != 1 ||
                   EVP_PKEY_CTX_set_rsa_padding(e->pub, RSA_NO_PADDING) != 1
               ? -1
               : 0;
}

static void
evp_rsa_free(struct evp_rsa *e)
{
    EVP_PKEY_CTX_free(e->priv);
    EVP_PKEY_CTX_free(e->pub);
    EVP_PKEY_free(e->pkey);
}

static void
evp_ops(struct evp_rsa *e, int private_op, int count)
{
    uint8_t out[512];
    for (int i = 0; i < count; i++) {
        size_t len = sizeof out;
        int ok = private_op ? EVP_PKEY_decrypt(e->priv, out, &len, e->in, e->n)
                            : EVP_PKEY_encrypt(e->pub, out, &len, e->in, e->n);
        if (ok != 1)
            return;
        bench_consume(out, 1);
    }
}

struct floor_arg {
    struct evp_rsa user, ca;
    int priv_ops, pub_ops, ca_ops;
};

static void
b_floor(void *arg, uint64_t iters)
{
    struct floor_arg *f = arg;
    while (iters--) {
        evp_ops(&f->user, 1, f->priv_ops);
        evp_ops(&f->user, 0, f->pub_ops);
        evp_ops(&f->ca, 0, f->ca_ops);
    }
}

/* A key of the CA's size for the bare baselines (the CA object holds public keys only). */
static const e2e_rsa *
ca_1536(struct world *w, e2e_rsa **owned)
{
    *owned = NULL;
    return e2e_rsa_generate(owned, 1536, w->ctx) == E2E_OK ? *owned : NULL;
}

static void
setup_rows(struct world *w)
{
    struct floor_arg f;
    e2e_rsa *k1536;
    if (evp_rsa_new(&f.user, e2e_skype_identity_key(w->alice)) || !ca_1536(w, &k1536) ||
        evp_rsa_new(&f.ca, k1536))
        return;
    /* per handshake, both sides: faithful 2 + 1 private per side (two answers' and key
     * signatures, one raw decryption), 3 public per side; hardened 2 private, 2 public per
     * side; each side verifies the other's certificate under the 1536-bit CA key */
    static const struct {
        int mode, priv, pub;
        const char *name;
    } rows[2] = {
        {E2E_SKYPE_FAITHFUL, 6, 6, "session setup, faithful (3 flights, RSA-1024 users)"},
        {E2E_SKYPE_HARDENED, 4, 4, "session setup, hardened (OAEP, signed transcript)"},
    };
    for (int i = 0; i < 2; i++) {
        struct setup_arg s = {w, rows[i].mode};
        f.priv_ops = rows[i].priv;
        f.pub_ops = rows[i].pub;
        f.ca_ops = 2;
        char base[96];
        snprintf(base, sizeof base, "its RSA ops on bare EVP (%d private, %d public)", rows[i].priv,
                 rows[i].pub + 2);
        double ours, floor;
        bench_ns_pair(&ours, b_setup, &s, &floor, b_floor, &f);
        ours = bench_ops(ours);
        floor = bench_ops(floor);
        bench_report("skype", rows[i].name, "setups/s", ours, base, floor, BENCH_HIGHER_IS_BETTER);
    }
    evp_rsa_free(&f.user);
    evp_rsa_free(&f.ca);
    e2e_rsa_free(k1536);
}

/* ---- the authority -------------------------------------------------------------------------- */

struct login_arg {
    struct world *w;
    uint8_t req[BUF];
    size_t n;
};

static void
b_login(void *arg, uint64_t iters)
{
    struct login_arg *l = arg;
    uint8_t resp[BUF];
    size_t sn = 0;
    while (iters--) {
        if (e2e_skype_authority_handle(l->w->au, l->w->ctx, l->req, l->n, resp, sizeof resp, &sn,
                                       NULL) != E2E_OK)
            return;
        bench_consume(resp, 1);
    }
}

static void
authority_rows(struct world *w)
{
    struct login_arg l = {.w = w};
    struct floor_arg f;
    e2e_rsa *k1536;
    if (!ca_1536(w, &k1536) || evp_rsa_new(&f.ca, k1536) || evp_rsa_new(&f.user, k1536))
        return;
    f.priv_ops = 2; /* open the sealed seed, sign the certificate */
    f.pub_ops = 0;
    f.ca_ops = 0;
    for (int mode = 0; mode < 2; mode++) {
        if (e2e_skype_login_request(w->alice, w->ca, w->ctx, mode, l.req, sizeof l.req, &l.n))
            break;
        double ours, floor;
        bench_ns_pair(&ours, b_login, &l, &floor, b_floor, &f);
        ours = bench_ops(ours);
        floor = bench_ops(floor);
        bench_report("skype",
                     mode ? "authority login, hardened request (RSA-1536 CA)"
                          : "authority login, faithful request (RSA-1536 CA)",
                     "logins/s", ours, "2 RSA-1536 private ops on bare EVP", floor,
                     BENCH_HIGHER_IS_BETTER);
    }
    evp_rsa_free(&f.ca);
    evp_rsa_free(&f.user);
    e2e_rsa_free(k1536);
}

/* ---- packets -------------------------------------------------------------------------------- */

#define RING 1024

struct pkt_arg {
    e2e_skype_session *tx, *rx;
    uint8_t *rx_blob;
    size_t rx_blob_len;
    size_t n;
    uint8_t pt[1200], out[1300];
    uint8_t *ring; /* RING packets for the receiver */
    size_t pkt_len, cursor;
    EVP_CIPHER_CTX *evp;
    EVP_MAC_CTX *hmac;
    uint8_t key[32], iv[16];
};

static void
b_protect(void *arg, uint64_t iters)
{
    struct pkt_arg *p = arg;
    size_t len;
    while (iters--) {
        if (e2e_skype_session_encrypt(p->tx, NULL, 1, p->pt, p->n, p->out, sizeof p->out, &len))
            return;
        bench_consume(p->out, 1);
    }
}

/* The receiver takes a ring of fresh packets; when the ring is used up it is reloaded from
 * its blob so that the packets are new to it again (one parse per RING packets). */
static int
ring_reset(struct pkt_arg *p)
{
    e2e_skype_session_free(p->rx);
    p->cursor = 0;
    return e2e_skype_session_parse(&p->rx, p->rx_blob, p->rx_blob_len, NULL);
}

static void
b_unprotect(void *arg, uint64_t iters)
{
    struct pkt_arg *p = arg;
    size_t len;
    while (iters--) {
        if (p->cursor == RING && ring_reset(p) != E2E_OK)
            return;
        const uint8_t *pkt = p->ring + p->cursor++ * p->pkt_len;
        if (e2e_skype_session_decrypt(p->rx, NULL, pkt, p->pkt_len, p->out, sizeof p->out, &len,
                                      NULL, NULL))
            return;
        bench_consume(p->out, 1);
    }
}

static void
b_evp_ctr(void *arg, uint64_t iters)
{
    struct pkt_arg *p = arg;
    int len;
    while (iters--) {
        EVP_EncryptInit_ex(p->evp, NULL, NULL, NULL, p->iv);
        EVP_EncryptUpdate(p->evp, p->out, &len, p->pt, (int)p->n);
        bench_consume(p->out, 1);
    }
}

/* The same primitives as one packet, called bare: CTR, then CRC-32 or a reused HMAC. */
static void
b_evp_ctr_crc(void *arg, uint64_t iters)
{
    struct pkt_arg *p = arg;
    int len;
    while (iters--) {
        EVP_EncryptInit_ex(p->evp, NULL, NULL, NULL, p->iv);
        EVP_EncryptUpdate(p->evp, p->out, &len, p->pt, (int)p->n);
        bench_sink ^= (uint8_t)e2e_crc32(0, p->out, p->n);
    }
}

static void
b_evp_ctr_hmac(void *arg, uint64_t iters)
{
    struct pkt_arg *p = arg;
    int len;
    uint8_t tag[32];
    size_t tl;
    while (iters--) {
        EVP_EncryptInit_ex(p->evp, NULL, NULL, NULL, p->iv);
        EVP_EncryptUpdate(p->evp, p->out, &len, p->pt, (int)p->n);
        if (EVP_MAC_init(p->hmac, NULL, 0, NULL) != 1 ||
            EVP_MAC_update(p->hmac, p->out, p->n + 6) != 1 ||
            EVP_MAC_final(p->hmac, tag, &tl, sizeof tag) != 1)
            return;
        bench_consume(tag, 1);
    }
}

static EVP_MAC_CTX *
hmac_new(const uint8_t key[32])
{
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *c = mac ? EVP_MAC_CTX_new(mac) : NULL;
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
                           OSSL_PARAM_construct_end()};
    EVP_MAC_free(mac);
    if (c && EVP_MAC_init(c, key, 32, params) != 1) {
        EVP_MAC_CTX_free(c);
        c = NULL;
    }
    return c;
}

static int
pkt_setup(struct pkt_arg *p, int mode, size_t n)
{
    struct e2e_skype_session_params sp;
    memset(p, 0, sizeof *p);
    memset(&sp, 0x5c, sizeof sp);
    sp.mode = mode;
    sp.role = E2E_SKYPE_INITIATOR;
    p->n = n;
    p->pkt_len = 0;
    memset(p->pt, 0xa5, sizeof p->pt);
    memset(p->key, 0x31, sizeof p->key);
    if (e2e_skype_session_new(&p->tx, &sp))
        return -1;
    sp.role = E2E_SKYPE_RESPONDER;
    if (e2e_skype_session_new(&p->rx, &sp))
        return -1;
    p->rx_blob = malloc(BUF);
    p->ring = malloc(RING * (n + 32));
    if (!p->rx_blob || !p->ring ||
        e2e_skype_session_serialize(p->rx, p->rx_blob, BUF, &p->rx_blob_len))
        return -1;
    for (size_t i = 0; i < RING; i++)
        if (e2e_skype_session_encrypt(p->tx, NULL, 2, p->pt, n, p->ring + i * (n + 32), n + 32,
                                      &p->pkt_len) ||
            p->pkt_len > n + 32)
            return -1;
    for (size_t i = 1; i < RING; i++) /* pack the ring */
        memmove(p->ring + i * p->pkt_len, p->ring + i * (n + 32), p->pkt_len);
    p->evp = EVP_CIPHER_CTX_new();
    p->hmac = hmac_new(p->key);
    return p->evp && p->hmac &&
                   EVP_EncryptInit_ex(p->evp, EVP_aes_256_ctr(), NULL, p->key, p->iv) == 1
               ? 0
               : -1;
}

static void
pkt_free(struct pkt_arg *p)
{
    e2e_skype_session_free(p->tx);
    e2e_skype_session_free(p->rx);
    free(p->rx_blob);
    free(p->ring);
    EVP_CIPHER_CTX_free(p->evp);
    EVP_MAC_CTX_free(p->hmac);
}

/* Heap allocations per packet, protect and unprotect (the receiver reloaded beforehand). */
static double
allocs_per_packet(struct pkt_arg *p)
{
    if (ring_reset(p) != E2E_OK)
        return -1;
    uint64_t before = bench_allocs();
    b_protect(p, RING / 2);
    b_unprotect(p, RING / 2);
    return (double)(bench_allocs() - before) / (RING / 2);
}

static void
packet_rows(int mode, size_t n, const char *label)
{
    struct pkt_arg p;
    char name[112];
    if (pkt_setup(&p, mode, n) == 0) {
        double ours, ctr, prims;
        const char *mn = e2e_skype_mode_name(mode);
        int faithful = mode == E2E_SKYPE_FAITHFUL;
        bench_ns_pair(&ours, b_protect, &p, &ctr, b_evp_ctr, &p);
        ours = bench_ops(ours);
        ctr = bench_ops(ctr);
        snprintf(name, sizeof name, "packet protect, %s, %s", mn, label);
        bench_report("skype", name, "pkts/s", ours, "bare EVP AES-256-CTR, same bytes", ctr,
                     BENCH_HIGHER_IS_BETTER);
        bench_ns_pair(&ours, b_protect, &p, &prims, faithful ? b_evp_ctr_crc : b_evp_ctr_hmac, &p);
        ours = bench_ops(ours);
        prims = bench_ops(prims);
        bench_report("skype", name, "pkts/s", ours,
                     faithful ? "bare EVP CTR + CRC-32, same bytes"
                              : "bare EVP CTR + EVP_MAC HMAC-SHA256",
                     prims, BENCH_HIGHER_IS_BETTER);
        bench_ns_pair(&ours, b_unprotect, &p, &ctr, b_evp_ctr, &p);
        ours = bench_ops(ours);
        ctr = bench_ops(ctr);
        snprintf(name, sizeof name, "packet unprotect (check, replay window), %s, %s", mn, label);
        bench_report("skype", name, "pkts/s", ours, "bare EVP AES-256-CTR, same bytes", ctr,
                     BENCH_HIGHER_IS_BETTER);
        snprintf(name, sizeof name, "allocations per protect + unprotect, %s, %s", mn, label);
        bench_report_single("skype", name, "allocs", allocs_per_packet(&p));
    }
    pkt_free(&p);
}

/* ---- obfuscation ---------------------------------------------------------------------------- */

static void
b_udp(void *arg, uint64_t iters)
{
    struct pkt_arg *p = arg;
    static const uint8_t src[4] = {10, 0, 0, 1}, dst[4] = {192, 0, 2, 7};
    size_t len;
    while (iters--) {
        if (e2e_skype_udp_obfuscate(p->out, sizeof p->out, &len, src, dst, 0x1234, (uint32_t)iters,
                                    p->pt, p->n))
            return;
        bench_consume(p->out, 1);
    }
}

static void
obfs_rows(void)
{
    struct pkt_arg p;
    double ours, ctr;
    if (pkt_setup(&p, E2E_SKYPE_FAITHFUL, 1200) == 0) {
        bench_ns_pair(&ours, b_udp, &p, &ctr, b_evp_ctr, &p);
        ours = bench_ops(ours);
        ctr = bench_ops(ctr);
        bench_report("skype", "UDP obfuscation frame, 1200 B (RC4 keyed per frame)", "pkts/s", ours,
                     "bare EVP AES-256-CTR, same bytes", ctr, BENCH_HIGHER_IS_BETTER);
    }
    pkt_free(&p);
}

void
bench_skype(void)
{
    bench_section("skype: packets (AES-256 ICM, CRC or HMAC trailer)");
    packet_rows(E2E_SKYPE_FAITHFUL, 1024, "1 KiB");
    packet_rows(E2E_SKYPE_HARDENED, 1024, "1 KiB");
    packet_rows(E2E_SKYPE_FAITHFUL, 1200, "1200 B");
    packet_rows(E2E_SKYPE_HARDENED, 1200, "1200 B");
    obfs_rows();
    struct world w;
    if (world_new(&w) == 0) {
        bench_section("skype: session setup and the authority");
        setup_rows(&w);
        authority_rows(&w);
    }
    world_free(&w);
}
