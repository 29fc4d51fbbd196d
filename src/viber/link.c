/*
 * Secondary-device registration (reference/viber.md 8.1): the secondary shows a QR code with
 * its UDID and an ephemeral public key; the primary answers through the relay with its own
 * ephemeral public key and its private ID key encrypted under SHA256(DH) and authenticated
 * with HMAC-SHA256.
 *
 *   QR:       01 0a || udid (16) || S (32)
 *   transfer: 01 03 || udid (16) || P (32) || Salsa20(EncKey, ID private) (32) || tag (32)
 *   secret = SHA256(DH(p, S)); EncKey || MacKey = HKDF-Expand(secret, "viber link" || udid ||
 *   S || P, 64); tag = HMAC-SHA256(MacKey, every byte before the tag)
 */
#include "viber/viber_internal.h"

static void
link_keys(uint8_t enc[32], uint8_t mac[32], const e2e_ctx *ctx, const uint8_t shared[32],
          const uint8_t udid[16], const uint8_t S[32], const uint8_t P[32])
{
    uint8_t secret[32], info[sizeof VB_L_LINK - 1 + 16 + 64];
    size_t p = sizeof VB_L_LINK - 1;
    e2e_sha256(secret, shared, 32);
    memcpy(info, VB_L_LINK, p);
    memcpy(info + p, udid, 16);
    memcpy(info + p + 16, S, 32);
    memcpy(info + p + 48, P, 32);
    e2e__vb_expand64(enc, mac, secret, info, sizeof info);
    e2e_trace_hex(ctx, "viber link: DH(ephemeral, peer ephemeral)", shared, 32);
    e2e_trace_hex(ctx, "viber link: secret = SHA256(DH)", secret, 32);
    e2e_trace_hex(ctx, "viber link: EncKey", enc, 32);
    e2e_trace_hex(ctx, "viber link: MacKey", mac, 32);
    e2e_wipe(secret, sizeof secret);
}

static void
link_tag(uint8_t tag[32], const uint8_t mac_key[32], const uint8_t *msg)
{
    e2e_hmac_sha256(tag, mac_key, 32, msg, E2E_VIBER_LINK_MSG_LEN - 32);
}

int
e2e_viber_link_start(struct e2e_viber_link *l, const e2e_ctx *ctx,
                     const e2e_viber_device *secondary, uint8_t qr[E2E_VIBER_QR_LEN])
{
    if (!l || !secondary || !qr)
        return E2E_ERR_INVALID;
    memset(l, 0, sizeof *l);
    if (secondary->role != E2E_VIBER_SECONDARY || secondary->has_id)
        return E2E_ERR_STATE;
    E2E_TRY(e2e_x25519_keygen(ctx, l->eph_priv, l->eph_pub));
    memcpy(l->udid, secondary->udid, 16);
    l->active = 1;
    qr[0] = VB_VERSION;
    qr[1] = VB_T_QR;
    memcpy(qr + 2, l->udid, 16);
    memcpy(qr + 18, l->eph_pub, 32);
    e2e_trace_hex(ctx, "viber link: secondary's QR payload", qr, E2E_VIBER_QR_LEN);
    return E2E_OK;
}

int
e2e_viber_link_qr_parse(uint8_t udid[16], uint8_t eph_pub[32], const uint8_t *qr, size_t len,
                        struct e2e_report *why)
{
    struct e2e_reader r;
    e2e_report_clear(why);
    if (!udid || !eph_pub || (!qr && len))
        return E2E_ERR_INVALID;
    e2e_reader_init(&r, qr, len);
    E2E_TRY(e2e__vb_read_header(&r, VB_T_QR, "QR payload", why));
    e2e_read_bytes(&r, udid, 16);
    e2e_read_bytes(&r, eph_pub, 32);
    if (e2e_reader_done(&r) != E2E_OK)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "length", "QR payload: %zu bytes, not %d",
                               len, E2E_VIBER_QR_LEN);
    return E2E_OK;
}

int
e2e_viber_link_transfer(uint8_t out[E2E_VIBER_LINK_MSG_LEN], uint8_t to_udid[16],
                        const e2e_ctx *ctx, const e2e_viber_device *primary, const uint8_t *qr,
                        size_t qr_len, struct e2e_report *why)
{
    uint8_t S[32], p[32], shared[32], enc[32], mac[32];
    if (!out || !to_udid || !primary)
        return E2E_ERR_INVALID;
    E2E_TRY(e2e_viber_link_qr_parse(to_udid, S, qr, qr_len, why));
    if (primary->role != E2E_VIBER_PRIMARY || !primary->has_id)
        return e2e_report_fail(why, E2E_ERR_STATE, "role",
                               "only the primary device hands out the ID key");
    out[0] = VB_VERSION;
    out[1] = VB_T_LINK;
    memcpy(out + 2, to_udid, 16);
    int rc = e2e_x25519_keygen(ctx, p, out + 18);
    if (rc == E2E_OK && (rc = e2e_x25519_shared(shared, p, S)) != E2E_OK)
        e2e_report_fail(why, rc, "ephemeral", "the QR's ephemeral key is of small order");
    if (rc == E2E_OK) {
        link_keys(enc, mac, ctx, shared, to_udid, S, out + 18);
        e2e__vb_salsa_once(out + 50, primary->id_priv, 32, enc, 32);
        link_tag(out + 82, mac, out);
    }
    e2e_wipe(p, sizeof p);
    e2e_wipe(shared, sizeof shared);
    e2e_wipe(enc, sizeof enc);
    e2e_wipe(mac, sizeof mac);
    if (rc != E2E_OK)
        e2e_wipe(out, E2E_VIBER_LINK_MSG_LEN);
    return rc;
}

/* Checks and decrypts a transfer for link l; id_priv receives the ID key. */
static int
link_open(uint8_t id_priv[32], const struct e2e_viber_link *l, const e2e_ctx *ctx,
          const uint8_t *msg, size_t len, struct e2e_report *why)
{
    struct e2e_reader r;
    uint8_t shared[32], enc[32], mac[32], tag[32];
    e2e_reader_init(&r, msg, len);
    E2E_TRY(e2e__vb_read_header(&r, VB_T_LINK, "registration", why));
    const uint8_t *udid = e2e_read_view(&r, 16), *P = e2e_read_view(&r, 32);
    const uint8_t *ct = e2e_read_view(&r, 32), *got = e2e_read_view(&r, 32);
    if (e2e_reader_done(&r) != E2E_OK)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "length", "registration: %zu bytes, not %d",
                               len, E2E_VIBER_LINK_MSG_LEN);
    if (memcmp(udid, l->udid, 16) != 0)
        return e2e_report_fail(why, E2E_ERR_PROTOCOL, "udid",
                               "registration addressed to another device's UDID");
    int rc = e2e_x25519_shared(shared, l->eph_priv, P);
    if (rc != E2E_OK)
        return e2e_report_fail(why, rc, "ephemeral", "the primary's ephemeral key is unusable");
    link_keys(enc, mac, ctx, shared, l->udid, l->eph_pub, P);
    link_tag(tag, mac, msg);
    if (!e2e_ct_equal(tag, got, 32))
        rc = e2e_report_fail(why, E2E_ERR_AUTH, "mac", "registration HMAC does not verify");
    else
        e2e__vb_salsa_once(id_priv, ct, 32, enc, 32);
    e2e_wipe(shared, sizeof shared);
    e2e_wipe(enc, sizeof enc);
    e2e_wipe(mac, sizeof mac);
    return rc;
}

int
e2e_viber_link_finish(struct e2e_viber_link *l, const e2e_ctx *ctx, e2e_viber_device *secondary,
                      const uint8_t *expected_id, const uint8_t *msg, size_t len,
                      struct e2e_report *why)
{
    uint8_t id_priv[32], id_pub[32];
    e2e_report_clear(why);
    if (!l || !secondary || (!msg && len))
        return E2E_ERR_INVALID;
    if (!l->active || secondary->has_id || memcmp(l->udid, secondary->udid, 16) != 0)
        return e2e_report_fail(why, E2E_ERR_STATE, "link",
                               "no registration of this device is in progress");
    int rc = link_open(id_priv, l, ctx, msg, len, why);
    if (rc == E2E_OK) {
        e2e_x25519_public(id_pub, id_priv);
        if (expected_id && !e2e_ct_equal(expected_id, id_pub, 32))
            rc = e2e_report_fail(why, E2E_ERR_UNTRUSTED, "identity",
                                 "the received ID key is not the account's published one");
    }
    if (rc == E2E_OK) {
        memcpy(secondary->id_priv, id_priv, 32);
        memcpy(secondary->id_pub, id_pub, 32);
        secondary->has_id = 1;
        e2e_viber_link_abort(l);
    }
    e2e_wipe(id_priv, sizeof id_priv);
    return rc;
}

void
e2e_viber_link_abort(struct e2e_viber_link *l)
{
    if (l)
        e2e_wipe(l, sizeof *l);
}
