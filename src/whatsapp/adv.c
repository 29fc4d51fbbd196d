/*
 * Companion linking (reference/whatsapp.md §2): ADVDeviceIdentity, the account and device
 * signatures, the HMAC keyed by the linking secret, and the initiator's checks.
 */
#include <string.h>

#include <e2ekit/crypto.h>
#include <e2ekit/whatsapp.h>

#include "core/bytes.h"
#include "core/log.h"
#include "core/util.h"
#include "whatsapp/adv_internal.h"
#include "codec/pb.h"

void
e2e_wa_identity_from_private(struct e2e_wa_identity *id, const uint8_t priv[32])
{
    memmove(id->priv, priv, 32);
    e2e_x25519_public(id->pub, id->priv);
}

int
e2e_wa_identity_generate(struct e2e_wa_identity *id, const e2e_ctx *ctx)
{
    return e2e_x25519_keygen(ctx, id->priv, id->pub);
}

/* ---- ADVDeviceIdentity -------------------------------------------------------------------- */

int
e2e_wa_device_identity_encode(uint8_t *out, size_t cap, size_t *len,
                              const struct e2e_wa_device_identity *id)
{
    struct e2e_writer w;
    e2e_writer_init(&w, out, cap);
    e2e__pb_uint(&w, 1, id->raw_id);
    e2e__pb_uint(&w, 2, id->timestamp);
    e2e__pb_uint(&w, 3, id->key_index);
    /* E2EE (0) is the default of these proto2 enums and is left out, as clients do */
    if (id->account_type)
        e2e__pb_uint(&w, 4, id->account_type);
    if (id->device_type)
        e2e__pb_uint(&w, 5, id->device_type);
    if (w.err)
        return w.err;
    *len = w.len;
    return E2E_OK;
}

static int
varint_field(const struct e2e__pb_field *f, uint64_t max, uint64_t *out)
{
    if (f->wt != E2E__PB_VARINT || f->v > max)
        return E2E_ERR_MALFORMED;
    *out = f->v;
    return E2E_OK;
}

int
e2e_wa_device_identity_decode(struct e2e_wa_device_identity *id, const uint8_t *p, size_t n,
                              struct e2e_report *why)
{
    struct e2e_wa_device_identity t = {0};
    struct e2e_reader r;
    struct e2e__pb_field f;
    int rc, bad = 0;
    uint64_t v = 0;
    e2e_reader_init(&r, p, n);
    while ((rc = e2e__pb_next(&r, &f)) == 1) {
        if (f.num < 1 || f.num > 5)
            continue; /* unknown fields are skipped, as protobuf does */
        uint64_t max = f.num == 2 ? UINT64_MAX : f.num >= 4 ? E2E_WA_ADV_HOSTED : 0xffffffffu;
        bad |= varint_field(&f, max, &v) != E2E_OK;
        if (f.num == 1)
            t.raw_id = (uint32_t)v;
        else if (f.num == 2)
            t.timestamp = v;
        else if (f.num == 3)
            t.key_index = (uint32_t)v;
        else if (f.num == 4)
            t.account_type = (uint32_t)v;
        else
            t.device_type = (uint32_t)v;
    }
    if (rc < 0 || bad)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "details",
                               "ADVDeviceIdentity does not parse");
    *id = t;
    return E2E_OK;
}

/* ---- ADVSignedDeviceIdentity -------------------------------------------------------------- */

static int
take_bytes(const struct e2e__pb_field *f, const uint8_t **p, size_t *n)
{
    if (f->wt != E2E__PB_LEN)
        return E2E_ERR_MALFORMED;
    *p = f->p;
    *n = f->n;
    return E2E_OK;
}

int
e2e__adv_signed_identity_parse(struct adv_signed_identity *s, const uint8_t *p, size_t n)
{
    struct e2e_reader r;
    struct e2e__pb_field f;
    int rc, bad = 0;
    memset(s, 0, sizeof *s);
    e2e_reader_init(&r, p, n);
    while ((rc = e2e__pb_next(&r, &f)) == 1) {
        if (f.num == 1)
            bad |= take_bytes(&f, &s->details, &s->details_len);
        else if (f.num == 2)
            bad |= take_bytes(&f, &s->account_key, &s->account_key_len);
        else if (f.num == 3)
            bad |= take_bytes(&f, &s->account_sig, &s->account_sig_len);
        else if (f.num == 4)
            bad |= take_bytes(&f, &s->device_sig, &s->device_sig_len);
    }
    if (rc < 0 || bad || !s->details || s->details_len > ADV_DETAILS_MAX)
        return E2E_ERR_MALFORMED;
    return E2E_OK;
}

static int
signed_identity_encode(uint8_t *out, size_t cap, size_t *len, const uint8_t *details, size_t dn,
                       const uint8_t *account_key, const uint8_t *account_sig,
                       const uint8_t *device_sig)
{
    struct e2e_writer w;
    e2e_writer_init(&w, out, cap);
    e2e__pb_bytes(&w, 1, details, dn);
    if (account_key)
        e2e__pb_bytes(&w, 2, account_key, 32);
    e2e__pb_bytes(&w, 3, account_sig, 64);
    if (device_sig)
        e2e__pb_bytes(&w, 4, device_sig, 64);
    if (w.err)
        return w.err;
    *len = w.len;
    return E2E_OK;
}

/* ---- signatures --------------------------------------------------------------------------- */

/* 06 <prefix> || a || b || c into buf; returns the length, 0 when it does not fit. */
static size_t
adv_message(uint8_t *buf, size_t cap, uint8_t prefix, const uint8_t *a, size_t an, const uint8_t *b,
            size_t bn, const uint8_t *c, size_t cn)
{
    if (an > cap || 2 + an + bn + cn > cap)
        return 0;
    buf[0] = 0x06;
    buf[1] = prefix;
    memcpy(buf + 2, a, an);
    if (bn)
        memcpy(buf + 2 + an, b, bn);
    if (cn)
        memcpy(buf + 2 + an + bn, c, cn);
    return 2 + an + bn + cn;
}

int
e2e__adv_sign(uint8_t sig[64], const e2e_ctx *ctx, const struct e2e_wa_identity *id, uint8_t prefix,
              const uint8_t *a, size_t an, const uint8_t *b, size_t bn, const uint8_t *c, size_t cn)
{
    uint8_t m[2 + ADV_DETAILS_MAX + 64];
    size_t mn = adv_message(m, sizeof m, prefix, a, an, b, bn, c, cn);
    if (!mn)
        return E2E_ERR_INVALID;
    e2e_trace_hex(ctx, "adv: signed message", m, mn);
    int rc = e2e_xeddsa_sign_ctx(sig, id->priv, m, mn, ctx);
    e2e_trace_hex(ctx, "adv: signature", sig, 64);
    return rc;
}

int
e2e__adv_verify(const uint8_t pub[32], const uint8_t sig[64], uint8_t prefix, const uint8_t *a,
                size_t an, const uint8_t *b, size_t bn, const uint8_t *c, size_t cn)
{
    uint8_t m[2 + ADV_DETAILS_MAX + 64];
    size_t mn = adv_message(m, sizeof m, prefix, a, an, b, bn, c, cn);
    if (!mn)
        return E2E_ERR_MALFORMED;
    return e2e_xeddsa_verify(pub, m, mn, sig);
}

static uint8_t
account_prefix(const struct e2e_wa_device_identity *meta)
{
    return meta->device_type == E2E_WA_ADV_HOSTED ? ADV_PREFIX_HOSTED : ADV_PREFIX_ACCOUNT;
}

/* HMAC-SHA256(secret, [06 05 if hosted] || details) */
static void
adv_hmac(uint8_t out[32], const uint8_t secret[32], int hosted, const uint8_t *p, size_t n)
{
    static const uint8_t hosted_prefix[2] = {0x06, ADV_PREFIX_HOSTED};
    e2e_hmac_sha256_ctx h;
    e2e_hmac_sha256_init(&h, secret, 32);
    if (hosted)
        e2e_hmac_sha256_update(&h, hosted_prefix, 2);
    e2e_hmac_sha256_update(&h, p, n);
    e2e_hmac_sha256_final(&h, out);
}

/* ---- primary: steps 4-6 ------------------------------------------------------------------- */

int
e2e_wa_link_primary(uint8_t *out, size_t cap, size_t *len, const e2e_ctx *ctx,
                    const struct e2e_wa_identity *primary, const struct e2e_wa_qr *qr,
                    const struct e2e_wa_device_identity *meta)
{
    uint8_t details[64], sig[64], signed_id[E2E_WA_ADV_MAX], mac[32];
    size_t dn = 0, sn = 0;
    int hosted = meta->account_type == E2E_WA_ADV_HOSTED;
    E2E_TRY(e2e_wa_device_identity_encode(details, sizeof details, &dn, meta));
    e2e_trace_hex(ctx, "adv: Lmetadata (ADVDeviceIdentity)", details, dn);
    E2E_TRY(e2e__adv_sign(sig, ctx, primary, account_prefix(meta), details, dn, qr->identity_pub,
                          32, NULL, 0));
    E2E_TRY(signed_identity_encode(signed_id, sizeof signed_id, &sn, details, dn, primary->pub, sig,
                                   NULL));
    adv_hmac(mac, qr->adv_secret, hosted, signed_id, sn);
    e2e_trace_hex(ctx, "adv: P_HMAC", mac, 32);
    struct e2e_writer w;
    e2e_writer_init(&w, out, cap);
    e2e__pb_bytes(&w, 1, signed_id, sn);
    e2e__pb_bytes(&w, 2, mac, 32);
    if (hosted)
        e2e__pb_uint(&w, 3, E2E_WA_ADV_HOSTED);
    if (w.err)
        return w.err;
    *len = w.len;
    return E2E_OK;
}

/* ---- companion: steps 8-9 ----------------------------------------------------------------- */

struct adv_hmac_msg {
    const uint8_t *details, *hmac;
    size_t details_len, hmac_len;
    uint64_t account_type;
};

static int
hmac_msg_parse(struct adv_hmac_msg *m, const uint8_t *p, size_t n)
{
    struct e2e_reader r;
    struct e2e__pb_field f;
    int rc, bad = 0;
    memset(m, 0, sizeof *m);
    e2e_reader_init(&r, p, n);
    while ((rc = e2e__pb_next(&r, &f)) == 1) {
        if (f.num == 1)
            bad |= take_bytes(&f, &m->details, &m->details_len);
        else if (f.num == 2)
            bad |= take_bytes(&f, &m->hmac, &m->hmac_len);
        else if (f.num == 3)
            bad |= varint_field(&f, E2E_WA_ADV_HOSTED, &m->account_type);
    }
    if (rc < 0 || bad || !m->details || m->hmac_len != 32)
        return E2E_ERR_MALFORMED;
    return E2E_OK;
}

/* Parses the signed identity and its details; requires the account signature. */
static int
parse_identity(struct adv_signed_identity *s, struct e2e_wa_device_identity *meta, const uint8_t *p,
               size_t n, struct e2e_report *why)
{
    if (e2e__adv_signed_identity_parse(s, p, n) != E2E_OK || s->account_sig_len != 64 ||
        (s->account_key && s->account_key_len != 32) || (s->device_sig && s->device_sig_len != 64))
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "signed-identity",
                               "ADVSignedDeviceIdentity does not parse or has bad field sizes");
    return e2e_wa_device_identity_decode(meta, s->details, s->details_len, why);
}

int
e2e_wa_link_companion(struct e2e_wa_link_result *res, const e2e_ctx *ctx,
                      const struct e2e_wa_identity *companion, const uint8_t adv_secret[32],
                      const uint8_t expected_primary[32], const uint8_t *msg, size_t n,
                      struct e2e_report *why)
{
    struct adv_hmac_msg hm;
    struct adv_signed_identity s;
    struct e2e_wa_link_result t;
    uint8_t mac[32], dsig[64];
    if (hmac_msg_parse(&hm, msg, n) != E2E_OK)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "hmac-container",
                               "ADVSignedDeviceIdentityHMAC does not parse");
    adv_hmac(mac, adv_secret, hm.account_type == E2E_WA_ADV_HOSTED, hm.details, hm.details_len);
    int ok = e2e_ct_equal(mac, hm.hmac, 32);
    e2e_wipe(mac, sizeof mac);
    if (!ok)
        return e2e_report_fail(why, E2E_ERR_AUTH, "hmac",
                               "HMAC of the linking data does not match the linking secret");
    memset(&t, 0, sizeof t);
    E2E_TRY(parse_identity(&s, &t.meta, hm.details, hm.details_len, why));
    if (!s.account_key)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "account-key",
                               "the linking data lacks the account signature key");
    if (expected_primary && !e2e_ct_equal(expected_primary, s.account_key, 32))
        return e2e_report_fail(why, E2E_ERR_UNTRUSTED, "account-key",
                               "the linking data names another account");
    if (e2e__adv_verify(s.account_key, s.account_sig, account_prefix(&t.meta), s.details,
                        s.details_len, companion->pub, 32, NULL, 0) != E2E_OK)
        return e2e_report_fail(why, E2E_ERR_AUTH, "account-signature",
                               "account signature (06 00) by the primary does not verify");
    memcpy(t.primary_pub, s.account_key, 32);
    E2E_TRY(e2e__adv_sign(dsig, ctx, companion, ADV_PREFIX_DEVICE, s.details, s.details_len,
                          companion->pub, 32, t.primary_pub, 32));
    E2E_TRY(signed_identity_encode(t.signed_identity, sizeof t.signed_identity,
                                   &t.signed_identity_len, s.details, s.details_len, NULL,
                                   s.account_sig, dsig));
    *res = t;
    return E2E_OK;
}

/* ---- the initiator's checks --------------------------------------------------------------- */

int
e2e_wa_companion_check(struct e2e_wa_device_identity *meta, const uint8_t *signed_identity,
                       size_t n, const uint8_t primary_pub[32], const uint8_t companion_pub[32],
                       const struct e2e_wa_devlist *latest, struct e2e_report *why)
{
    struct adv_signed_identity s;
    struct e2e_wa_device_identity m;
    E2E_TRY(parse_identity(&s, &m, signed_identity, n, why));
    if (!s.device_sig)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "device-signature",
                               "the device identity carries no device signature");
    if (s.account_key && !e2e_ct_equal(s.account_key, primary_pub, 32))
        return e2e_report_fail(why, E2E_ERR_UNTRUSTED, "account-key",
                               "the device identity names another account key");
    if (e2e__adv_verify(primary_pub, s.account_sig, account_prefix(&m), s.details, s.details_len,
                        companion_pub, 32, NULL, 0) != E2E_OK)
        return e2e_report_fail(why, E2E_ERR_AUTH, "account-signature",
                               "account signature (06 00) by the primary's identity fails");
    if (e2e__adv_verify(companion_pub, s.device_sig, ADV_PREFIX_DEVICE, s.details, s.details_len,
                        companion_pub, 32, primary_pub, 32) != E2E_OK)
        return e2e_report_fail(why, E2E_ERR_AUTH, "device-signature",
                               "device signature (06 01) by the companion's identity fails");
    if (m.raw_id != latest->raw_id || m.key_index == 0 ||
        !e2e_wa_devlist_contains(latest, m.key_index))
        return e2e_report_fail(why, E2E_ERR_UNTRUSTED, "device-list",
                               "key index %u is not a companion in the latest signed device "
                               "list (raw id %u, timestamp %llu)",
                               (unsigned)m.key_index, (unsigned)latest->raw_id,
                               (unsigned long long)latest->timestamp);
    if (meta)
        *meta = m;
    return E2E_OK;
}
