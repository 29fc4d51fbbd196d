/*
 * The viber key formulas: the seed's root key and ratchet step, and our definitions for the
 * chain inside one direction, the per-device wrapping keys and the group hash chain. Shared
 * wire helpers live here too.
 */
#include <stdlib.h>

#include "viber/viber_internal.h"

static void
hmac_label(uint8_t out[32], const uint8_t key[32], const char *label)
{
    e2e_hmac_sha256(out, key, 32, label, strlen(label));
}

int
e2e_viber_root_key(uint8_t root_key[32], uint8_t dh[3][32], const uint8_t id_priv[32],
                   const uint8_t hs_priv[32], const uint8_t peer_id[32], const uint8_t peer_hs[32],
                   int initiator)
{
    uint8_t d[3][32];
    int rc;
    if (initiator) {
        /* DH(ID_A, HS_B), DH(HS_A, ID_B), DH(HS_A, HS_B) with A = us */
        rc = e2e_x25519_shared(d[0], id_priv, peer_hs);
        if (rc == E2E_OK)
            rc = e2e_x25519_shared(d[1], hs_priv, peer_id);
    } else {
        /* the same three values seen from B: DH(HS_B, ID_A), DH(ID_B, HS_A), DH(HS_B, HS_A) */
        rc = e2e_x25519_shared(d[0], hs_priv, peer_id);
        if (rc == E2E_OK)
            rc = e2e_x25519_shared(d[1], id_priv, peer_hs);
    }
    if (rc == E2E_OK)
        rc = e2e_x25519_shared(d[2], hs_priv, peer_hs);
    if (rc == E2E_OK) {
        e2e_sha256(root_key, d, sizeof d);
        if (dh)
            memcpy(dh, d, sizeof d);
    }
    e2e_wipe(d, sizeof d);
    return rc;
}

int
e2e_viber_ratchet_step(uint8_t new_root[32], uint8_t session_key[32], uint8_t temp_key[32],
                       const uint8_t root_key[32], const uint8_t own_ratchet_priv[32],
                       const uint8_t peer_ratchet_pub[32], const char *label)
{
    uint8_t shared[32], temp[32];
    int rc = e2e_x25519_shared(shared, own_ratchet_priv, peer_ratchet_pub);
    if (rc != E2E_OK)
        return rc;
    e2e_hmac_sha256(temp, root_key, 32, shared, 32);
    hmac_label(new_root, temp, VB_L_ROOT);
    hmac_label(session_key, temp, label ? label : VB_L_MESG);
    if (temp_key)
        memcpy(temp_key, temp, 32);
    e2e_wipe(shared, sizeof shared);
    e2e_wipe(temp, sizeof temp);
    return E2E_OK;
}

void
e2e_viber_chain_step(uint8_t msg_key[32], uint8_t next_chain[32], const uint8_t chain_key[32])
{
    /* One key schedule for both labels: the keyed HMAC state is copied. */
    e2e_hmac_sha256_ctx base, c;
    uint8_t ck[32];
    memcpy(ck, chain_key, 32); /* next_chain may alias chain_key */
    e2e_hmac_sha256_init(&base, ck, 32);
    c = base;
    e2e_hmac_sha256_update(&c, VB_L_MSGKEY, sizeof VB_L_MSGKEY - 1);
    e2e_hmac_sha256_final(&c, msg_key);
    e2e_hmac_sha256_update(&base, VB_L_CHAIN, sizeof VB_L_CHAIN - 1);
    e2e_hmac_sha256_final(&base, next_chain);
    e2e_wipe(ck, sizeof ck);
}

void
e2e__vb_expand64(uint8_t a[32], uint8_t b[32], const uint8_t prk[32], const uint8_t *info,
                 size_t info_len)
{
    /* HKDF-Expand (RFC 5869): T1 = HMAC(prk, info || 01), T2 = HMAC(prk, T1 || info || 02) */
    e2e_hmac_sha256_ctx base, c;
    uint8_t t1[32], t2[32], one = 1, two = 2;
    e2e_hmac_sha256_init(&base, prk, 32);
    c = base;
    e2e_hmac_sha256_update(&c, info, info_len);
    e2e_hmac_sha256_update(&c, &one, 1);
    e2e_hmac_sha256_final(&c, t1);
    e2e_hmac_sha256_update(&base, t1, 32);
    e2e_hmac_sha256_update(&base, info, info_len);
    e2e_hmac_sha256_update(&base, &two, 1);
    e2e_hmac_sha256_final(&base, t2);
    memcpy(a, t1, 32);
    memcpy(b, t2, 32);
    e2e_wipe(t1, sizeof t1);
    e2e_wipe(t2, sizeof t2);
}

void
e2e_viber_wrap_keys(uint8_t wrap_key[32], uint8_t mac_key[32], const uint8_t msg_key[32])
{
    e2e__vb_expand64(wrap_key, mac_key, msg_key, (const uint8_t *)VB_L_WRAP, sizeof VB_L_WRAP - 1);
}

void
e2e_viber_group_step(uint8_t next[32], const uint8_t group_key[32])
{
    uint8_t gk[32];
    memcpy(gk, group_key, 32);
    hmac_label(next, gk, VB_L_GROUP_CHAIN);
    e2e_wipe(gk, sizeof gk);
}

void
e2e_viber_group_msg_keys(uint8_t enc_key[32], uint8_t mac_key[32], const uint8_t group_key[32],
                         const uint8_t group_id[16], uint32_t epoch, uint32_t seq,
                         const uint8_t sender_udid[16])
{
    uint8_t info[sizeof VB_L_GROUP_MSG - 1 + 16 + 4 + 4 + 16];
    size_t p = sizeof VB_L_GROUP_MSG - 1;
    memcpy(info, VB_L_GROUP_MSG, p);
    memcpy(info + p, group_id, 16);
    e2e_store32_be(info + p + 16, epoch);
    e2e_store32_be(info + p + 20, seq);
    memcpy(info + p + 24, sender_udid, 16);
    e2e__vb_expand64(enc_key, mac_key, group_key, info, sizeof info);
}

void
e2e__vb_salsa_once(uint8_t *out, const uint8_t *in, size_t n, const uint8_t *key, size_t key_len)
{
    static const uint8_t zero_nonce[8];
    /* Fails only for a key length other than 16 or 32, which callers never pass; then leave
     * nothing readable behind. */
    if (e2e_salsa20_xor(out, in, n, zero_nonce, 0, key, key_len) != E2E_OK)
        e2e_wipe(out, n);
}

/* ---- wire helpers ------------------------------------------------------------------------- */

int
e2e__vb_read_header(struct e2e_reader *r, uint8_t type, const char *what, struct e2e_report *why)
{
    uint8_t v = e2e_read_u8(r), t = e2e_read_u8(r);
    if (r->err)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "length", "%s: shorter than its header",
                               what);
    if (v != VB_VERSION)
        return e2e_report_fail(why, E2E_ERR_UNSUPPORTED, "version",
                               "%s: version %u, this library speaks version %u", what, v,
                               VB_VERSION);
    if (t != type)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "type", "%s: type 0x%02x, expected 0x%02x",
                               what, t, type);
    return E2E_OK;
}

int
e2e__vb_serialize_begin(struct e2e_writer *w, uint8_t *out, size_t cap, size_t need, size_t *len)
{
    if (len)
        *len = need;
    if (!out || cap < need)
        return E2E_ERR_BUFFER;
    e2e_writer_init(w, out, need);
    return E2E_OK;
}

void *
e2e__vb_parse(int *rc, size_t size, e2e__vb_read_fn read, void (*destroy)(void *),
              const uint8_t *in, size_t len, struct e2e_report *why)
{
    struct e2e_reader r;
    e2e_report_clear(why);
    *rc = E2E_ERR_INVALID;
    if (!in && len)
        return NULL;
    void *obj = calloc(1, size);
    *rc = E2E_ERR_NOMEM;
    if (!obj)
        return NULL;
    e2e_reader_init(&r, in, len);
    *rc = read(&r, obj, why);
    if (*rc != E2E_OK) {
        destroy(obj);
        obj = NULL;
    }
    return obj;
}

size_t
e2e__vb_prekey_signed(uint8_t out[12 + 16 + 4 + 64], const struct e2e_viber_prekey *pk)
{
    size_t p = sizeof VB_L_PREKEY - 1;
    memcpy(out, VB_L_PREKEY, p);
    memcpy(out + p, pk->udid, 16);
    e2e_store32_be(out + p + 16, pk->id);
    memcpy(out + p + 20, pk->handshake, 32);
    memcpy(out + p + 52, pk->ratchet, 32);
    return p + 84;
}
