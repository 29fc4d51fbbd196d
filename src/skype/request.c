/*
 * Requests to the authority, sealed as Skype's login was (Silver Needle, Skype 2.x): a fresh
 * 192-bit seed is RSA-encrypted to the authority's 1536-bit key and hashed into an AES-256 key
 * that encrypts the body (the name, H(P) and the user's modulus). Faithful: raw RSA, SHA-1 key
 * derivation, no integrity beyond the password check. Hardened: OAEP, HKDF, an HMAC tag.
 *
 *   request  = type (1) | mode (1) | seed ciphertext length (2) | seed ciphertext | body
 *              ciphertext | hardened: tag (16)
 *   body     = name length (1) | name | H(P) (16) | modulus length (2) | modulus | flags (1)
 *   response = 0x80 | type (1) | status (1, minus the e2e_err) | on success: length (2) | cert
 */
#include <string.h>

#include <e2ekit/skype.h>

#include "core/log.h"
#include "core/util.h"
#include "skype/skype_internal.h"

#define SEED_BYTES   24
#define TAG_BYTES    16
#define FLAG_PREMIUM 0x01

static const char hardened_info[] = "e2ekit skype hardened v1 login";

struct seal_keys {
    e2e_aes_key enc;
    e2e_hmac_sha256_ctx mac;
};

/* Faithful: K = SHA1(seed || 0000_0000) || SHA1(seed || 0000_0001)[0..12] (Silver Needle's
 * "SHA-160 based" hash, exact form defined by e2ekit). Hardened: HKDF-SHA256 -> enc || mac. */
static int
seal_keys(struct seal_keys *k, int mode, const uint8_t seed[SEED_BYTES])
{
    uint8_t okm[64], in[SEED_BYTES + 4];
    int rc = E2E_OK;
    if (mode == E2E_SKYPE_FAITHFUL) {
        memcpy(in, seed, SEED_BYTES);
        for (uint32_t i = 0; i < 2; i++) {
            uint8_t h[20];
            e2e_store32_be(in + SEED_BYTES, i);
            e2e_sha1(h, in, sizeof in);
            memcpy(okm + 20 * i, h, i ? 12 : 20);
        }
    } else {
        rc = e2e_hkdf_sha256(okm, sizeof okm, NULL, 0, seed, SEED_BYTES,
                             (const uint8_t *)hardened_info, sizeof hardened_info - 1);
        if (rc == E2E_OK)
            e2e_hmac_sha256_init(&k->mac, okm + 32, 32);
    }
    if (rc == E2E_OK)
        rc = e2e_aes_setkey(&k->enc, okm, 32);
    e2e_wipe(okm, sizeof okm);
    e2e_wipe(in, sizeof in);
    return rc;
}

static int
body_icm(const struct seal_keys *k, uint8_t *p, size_t n)
{
    static const uint8_t block0[16] = {0}; /* the key serves one request only */
    return e2e_aes_icm_xor(&k->enc, block0, p, n, p);
}

static void
seal_tag(uint8_t out[TAG_BYTES], const struct seal_keys *k, const uint8_t *p, size_t n)
{
    e2e_hmac_sha256_ctx c = k->mac;
    uint8_t full[32];
    e2e_hmac_sha256_update(&c, p, n);
    e2e_hmac_sha256_final(&c, full);
    memcpy(out, full, TAG_BYTES);
}

/* The RSA-encrypted seed, written at w. */
static int
write_seed(struct e2e_writer *w, const e2e_rsa *ca, const e2e_ctx *ctx, int mode,
           const uint8_t seed[SEED_BYTES])
{
    size_t L = e2e_rsa_bytes(ca), len = 0;
    e2e_write_u16_be(w, (uint16_t)L);
    uint8_t *ct = e2e_write_reserve(w, L);
    if (!ct)
        return E2E_ERR_BUFFER;
    if (mode == E2E_SKYPE_HARDENED)
        return e2e_rsa_oaep_encrypt(ca, ctx, ct, L, &len, seed, SEED_BYTES);
    uint8_t m[E2E_SKYPE_MODULUS_MAX] = {0};
    memcpy(m + L - SEED_BYTES, seed, SEED_BYTES); /* textbook RSA of a small number */
    int rc = e2e_rsa_public_raw(ca, ct, m, L);
    e2e_wipe(m, sizeof m);
    return rc;
}

static int
build_request(const e2e_skype_identity *id, const e2e_skype_ca *ca, const e2e_ctx *ctx, int mode,
              uint8_t type, uint8_t flags, uint8_t *out, size_t cap, size_t *len)
{
    const e2e_rsa *cak = ca ? e2e__skype_ca_key(ca, E2E_SKYPE_CA_1536) : NULL;
    if (!id || !cak || !len || (mode != E2E_SKYPE_FAITHFUL && mode != E2E_SKYPE_HARDENED))
        return E2E_ERR_INVALID;
    uint8_t seed[SEED_BYTES];
    struct seal_keys k;
    E2E_TRY(e2e_random(ctx, seed, sizeof seed));
    struct e2e_writer w;
    e2e_writer_init(&w, out, cap);
    e2e_write_u8(&w, type);
    e2e_write_u8(&w, (uint8_t)mode);
    int rc = write_seed(&w, cak, ctx, mode, seed);
    if (rc == E2E_OK)
        rc = seal_keys(&k, mode, seed);
    size_t body = w.len;
    const char *name = e2e_skype_identity_name(id);
    e2e_write_u8(&w, (uint8_t)strlen(name));
    e2e_write_bytes(&w, (const uint8_t *)name, strlen(name));
    e2e_write_bytes(&w, e2e__skype_identity_hp(id), 16);
    e2e__skype_write_modulus(&w, e2e_skype_identity_key(id));
    e2e_write_u8(&w, flags);
    if (rc == E2E_OK && w.err == E2E_OK)
        rc = body_icm(&k, w.p + body, w.len - body);
    uint8_t *tag = mode == E2E_SKYPE_HARDENED ? e2e_write_reserve(&w, TAG_BYTES) : NULL;
    if (rc == E2E_OK && tag)
        seal_tag(tag, &k, w.p, w.len - TAG_BYTES);
    if (rc == E2E_OK)
        rc = w.err;
    e2e_trace_hex(ctx, "skype request: 192-bit seed of the AES-256 login key", seed, sizeof seed);
    e2e_wipe(seed, sizeof seed);
    e2e_wipe(&k, sizeof k);
    *len = w.len;
    return rc;
}

int
e2e_skype_register_request(const e2e_skype_identity *id, const e2e_skype_ca *ca, const e2e_ctx *ctx,
                           int mode, int premium, uint8_t *out, size_t cap, size_t *len)
{
    return build_request(id, ca, ctx, mode, E2E__SKYPE_REQ_REGISTER, premium ? FLAG_PREMIUM : 0,
                         out, cap, len);
}

int
e2e_skype_login_request(const e2e_skype_identity *id, const e2e_skype_ca *ca, const e2e_ctx *ctx,
                        int mode, uint8_t *out, size_t cap, size_t *len)
{
    return build_request(id, ca, ctx, mode, E2E__SKYPE_REQ_LOGIN, 0, out, cap, len);
}

/* ---- the authority's side ------------------------------------------------------------------- */

static int
open_seed(uint8_t seed[SEED_BYTES], const e2e_rsa *ca, int mode, const uint8_t *ct, size_t n)
{
    size_t L = e2e_rsa_bytes(ca), len = 0;
    uint8_t m[E2E_SKYPE_MODULUS_MAX];
    int rc;
    if (n != L)
        return E2E_ERR_MALFORMED;
    if (mode == E2E_SKYPE_HARDENED) {
        rc = e2e_rsa_oaep_decrypt(ca, m, sizeof m, &len, ct, n);
        if (rc == E2E_OK && len != SEED_BYTES)
            rc = E2E_ERR_AUTH;
        if (rc == E2E_OK)
            memcpy(seed, m, SEED_BYTES);
    } else {
        rc = e2e_rsa_private_raw(ca, m, ct, n);
        if (rc == E2E_OK && !e2e_ct_is_zero(m, L - SEED_BYTES))
            rc = E2E_ERR_AUTH;
        if (rc == E2E_OK)
            memcpy(seed, m + L - SEED_BYTES, SEED_BYTES);
    }
    e2e_wipe(m, sizeof m);
    return rc;
}

static int
parse_body(struct e2e__skype_request *q, const uint8_t *p, size_t n)
{
    struct e2e_reader r;
    e2e_reader_init(&r, p, n);
    q->name_len = e2e_read_u8(&r);
    if (q->name_len > E2E_SKYPE_NAME_MAX)
        e2e_reader_fail(&r, E2E_ERR_MALFORMED);
    e2e_read_bytes(&r, (uint8_t *)q->name, r.err ? 0 : q->name_len);
    e2e_read_bytes(&r, q->hp, 16);
    q->modulus_len = e2e_read_u16_be(&r);
    if (q->modulus_len > E2E_SKYPE_MODULUS_MAX)
        e2e_reader_fail(&r, E2E_ERR_MALFORMED);
    e2e_read_bytes(&r, q->modulus, r.err ? 0 : q->modulus_len);
    uint8_t flags = e2e_read_u8(&r);
    if (flags & ~FLAG_PREMIUM)
        e2e_reader_fail(&r, E2E_ERR_MALFORMED);
    q->premium = flags & FLAG_PREMIUM;
    return e2e_reader_done(&r);
}

/* Opens the body in place in buf (a copy of the request). */
static int
open_body(struct e2e__skype_request *q, const struct seal_keys *k, uint8_t *buf, size_t n,
          size_t body, struct e2e_report *why)
{
    size_t end = n;
    if (q->mode == E2E_SKYPE_HARDENED) {
        uint8_t t[TAG_BYTES];
        if (n - body < TAG_BYTES)
            return e2e_report_fail(why, E2E_ERR_MALFORMED, "length", "request without a tag");
        end = n - TAG_BYTES;
        seal_tag(t, k, buf, end);
        if (!e2e_ct_equal(t, buf + end, TAG_BYTES))
            return e2e_report_fail(why, E2E_ERR_AUTH, "mac", "request tag differs");
    }
    if (end - body > E2E_SKYPE_MAX_PAYLOAD || body_icm(k, buf + body, end - body) != E2E_OK ||
        parse_body(q, buf + body, end - body) != E2E_OK)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "body", "request body is not well formed");
    return E2E_OK;
}

int
e2e__skype_request_open(struct e2e__skype_request *q, const e2e_rsa *ca, uint8_t *buf, size_t n,
                        struct e2e_report *why)
{
    memset(q, 0, sizeof *q);
    if (n < 4)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "length", "request of %zu bytes", n);
    q->type = buf[0];
    q->mode = buf[1];
    size_t ct_len = e2e_load16_be(buf + 2);
    if ((q->type != E2E__SKYPE_REQ_REGISTER && q->type != E2E__SKYPE_REQ_LOGIN) ||
        (q->mode != E2E_SKYPE_FAITHFUL && q->mode != E2E_SKYPE_HARDENED))
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "type", "unknown request %u / mode %u",
                               q->type, q->mode);
    if (ct_len > n - 4)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "length", "truncated request");
    uint8_t seed[SEED_BYTES];
    struct seal_keys k;
    int rc = open_seed(seed, ca, q->mode, buf + 4, ct_len);
    if (rc != E2E_OK)
        return e2e_report_fail(why, rc, "seal", "the sealed login key does not open");
    rc = seal_keys(&k, q->mode, seed);
    e2e_wipe(seed, sizeof seed);
    if (rc == E2E_OK)
        rc = open_body(q, &k, buf, n, 4 + ct_len, why);
    e2e_wipe(&k, sizeof k);
    return rc;
}

/* ---- responses ------------------------------------------------------------------------------ */

int
e2e__skype_write_response(uint8_t *out, size_t cap, size_t *len, uint8_t type, int status,
                          const uint8_t *cert, size_t cert_len)
{
    struct e2e_writer w;
    e2e_writer_init(&w, out, cap);
    e2e_write_u8(&w, (uint8_t)(0x80 | type));
    e2e_write_u8(&w, (uint8_t)-status);
    if (status == E2E_OK) {
        e2e_write_u16_be(&w, (uint16_t)cert_len);
        e2e_write_bytes(&w, cert, cert_len);
    }
    *len = w.len;
    return w.err;
}

static int
known_status(int st)
{
    return st == E2E_OK || st == E2E_ERR_DUPLICATE || st == E2E_ERR_NOT_FOUND ||
           st == E2E_ERR_AUTH || st == E2E_ERR_INVALID || st == E2E_ERR_MALFORMED ||
           st == E2E_ERR_LIMIT;
}

int
e2e_skype_identity_accept(e2e_skype_identity *id, const e2e_skype_ca *ca, const e2e_ctx *ctx,
                          const uint8_t *resp, size_t n, struct e2e_report *why)
{
    e2e_report_clear(why);
    if (!id || !ca || (!resp && n))
        return e2e_report_fail(why, E2E_ERR_INVALID, "args", "missing argument");
    struct e2e_reader r;
    e2e_reader_init(&r, resp, n);
    uint8_t kind = e2e_read_u8(&r);
    int status = -(int)e2e_read_u8(&r);
    if (r.err ||
        (kind != (0x80 | E2E__SKYPE_REQ_REGISTER) && kind != (0x80 | E2E__SKYPE_REQ_LOGIN)) ||
        !known_status(status))
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "response", "not an authority response");
    if (status != E2E_OK) {
        if (e2e_reader_done(&r) != E2E_OK)
            return e2e_report_fail(why, E2E_ERR_MALFORMED, "response", "trailing bytes");
        return e2e_report_fail(why, status, "authority", "the authority refused: %s",
                               e2e_strerror(status));
    }
    size_t cert_len = e2e_read_u16_be(&r);
    const uint8_t *cert = e2e_read_view(&r, cert_len);
    if (e2e_reader_done(&r) != E2E_OK)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "response", "truncated certificate");
    struct e2e_skype_cert_info info;
    E2E_TRY(e2e_skype_cert_verify(&info, ca, ctx, cert, cert_len, why));
    uint8_t mod[E2E_SKYPE_MODULUS_MAX];
    size_t mod_len = 0;
    E2E_TRY(e2e_rsa_modulus(e2e_skype_identity_key(id), mod, sizeof mod, &mod_len));
    if (strcmp(info.name, e2e_skype_identity_name(id)) != 0 || info.modulus_len != mod_len ||
        memcmp(info.modulus, mod, mod_len) != 0)
        return e2e_report_fail(why, E2E_ERR_UNTRUSTED, "cert_mismatch",
                               "the certificate names %s and another key", info.name);
    return e2e__skype_identity_set_cert(id, cert, cert_len);
}
