/*
 * The Signal v3 key derivations (reference/signal.md 4.2, 4.3, 5, 8), each step traced at
 * E2E_LOG_TRACE so that a run can be followed by hand:
 *
 *   chain step     seed = HMAC(CK, 0x01)          next CK = HMAC(CK, 0x02)
 *   message keys   HKDF(seed, 0^32, "WhisperMessageKeys", 80) = cipher key | MAC key | IV
 *   root step      HKDF(DH, salt = RK, "WhisperRatchet", 64) = RK' | CK
 *   X3DH           HKDF(0xFF^32 || DH1 || DH2 || DH3 [|| DH4], 0^32, "WhisperText", 64) = RK | CK
 *   MAC            HMAC(MAC key, sender IK || receiver IK || version || protobuf)[0:8]
 *   group key      HKDF(seed, 0^32, "WhisperGroup", 48) = IV | cipher key
 *
 * HMACs run on key midstates (e2e_hmac_sha256_mid): each key is hashed once into its pad
 * states, the zero salt of the message-key HKDF once per session, and nothing is allocated.
 */
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "signal/internal.h"

static const uint8_t label_msg[] = "WhisperMessageKeys";
static const uint8_t label_ratchet[] = "WhisperRatchet";
static const uint8_t label_text[] = "WhisperText";
static const uint8_t label_group[] = "WhisperGroup";

void
e2e__zero_salt_init(e2e_hmac_sha256_key *zs)
{
    static const uint8_t zeros[32];
    e2e_hmac_sha256_mid_init(zs, zeros, sizeof zeros);
}

/* HKDF-Expand (RFC 5869, counter from 1) of a 32-byte PRK into out (n <= 96). */
static void
expand(uint8_t *out, size_t n, const uint8_t prk[32], const uint8_t *info, size_t info_len)
{
    e2e_hmac_sha256_key keyed;
    uint8_t t[32];
    e2e_hmac_sha256_mid_init(&keyed, prk, 32);
    for (uint8_t i = 1; n; i++) {
        e2e_hmac_sha256_mid(t, &keyed, t, i > 1 ? sizeof t : 0, info, info_len, &i, 1);
        size_t k = n < 32 ? n : 32;
        memcpy(out, t, k);
        out += k;
        n -= k;
    }
    e2e_wipe(&keyed, sizeof keyed);
    e2e_wipe(t, sizeof t);
}

/* HKDF with the precomputed zero salt. */
static void
hkdf_zero_salt(uint8_t *out, size_t n, const e2e_hmac_sha256_key *zero_salt, const uint8_t *ikm,
               size_t ikm_len, const uint8_t *info, size_t info_len)
{
    uint8_t prk[32];
    e2e_hmac_sha256_mid(prk, zero_salt, ikm, ikm_len, NULL, 0, NULL, 0);
    expand(out, n, prk, info, info_len);
    e2e_wipe(prk, sizeof prk);
}

void
e2e__chain_seed(uint8_t seed[32], uint8_t next_ck[32], const uint8_t ck[32])
{
    static const uint8_t one = 0x01, two = 0x02;
    e2e_hmac_sha256_key keyed;
    e2e_hmac_sha256_mid_init(&keyed, ck, 32);
    e2e_hmac_sha256_mid(seed, &keyed, &one, 1, NULL, 0, NULL, 0);
    e2e_hmac_sha256_mid(next_ck, &keyed, &two, 1, NULL, 0, NULL, 0);
    e2e_wipe(&keyed, sizeof keyed);
}

void
e2e__message_keys(const e2e_ctx *ctx, struct e2e_signal_message_keys *mk, const uint8_t seed[32],
                  const e2e_hmac_sha256_key *zero_salt)
{
    uint8_t okm[80];
    if (mk->seed != seed)
        memcpy(mk->seed, seed, 32);
    hkdf_zero_salt(okm, sizeof okm, zero_salt, seed, 32, label_msg, sizeof label_msg - 1);
    memcpy(mk->cipher_key, okm, 32);
    memcpy(mk->mac_key, okm + 32, 32);
    memcpy(mk->iv, okm + 64, 16);
    e2e_wipe(okm, sizeof okm);
    if (e2e_log_enabled(ctx, E2E_LOG_TRACE)) {
        e2e_trace_hex(ctx, "  message key seed = HMAC(CK, 01)", mk->seed, 32);
        e2e_trace_hex(ctx, "  cipher key (HKDF WhisperMessageKeys [0:32])", mk->cipher_key, 32);
        e2e_trace_hex(ctx, "  mac key    (HKDF WhisperMessageKeys [32:64])", mk->mac_key, 32);
        e2e_trace_hex(ctx, "  iv         (HKDF WhisperMessageKeys [64:80])", mk->iv, 16);
    }
}

void
e2e__chain_step(const e2e_ctx *ctx, struct e2e_signal_message_keys *mk, uint8_t next_ck[32],
                const uint8_t ck[32], uint32_t index, const e2e_hmac_sha256_key *zero_salt)
{
    if (e2e_log_enabled(ctx, E2E_LOG_TRACE)) {
        E2E_TRACE(ctx, "signal: chain step, message %u", index);
        e2e_trace_hex(ctx, "  chain key", ck, 32);
    }
    e2e__chain_seed(mk->seed, next_ck, ck);
    e2e__message_keys(ctx, mk, mk->seed, zero_salt);
    e2e_trace_hex(ctx, "  next chain key = HMAC(CK, 02)", next_ck, 32);
}

void
e2e__root_step(const e2e_ctx *ctx, uint8_t new_rk[32], uint8_t new_ck[32], const uint8_t rk[32],
               const uint8_t dh[32])
{
    uint8_t prk[32], okm[64];
    e2e_hmac_sha256_key salt;
    e2e_hmac_sha256_mid_init(&salt, rk, 32); /* HKDF-Extract: HMAC(salt = RK, DH) */
    e2e_hmac_sha256_mid(prk, &salt, dh, 32, NULL, 0, NULL, 0);
    e2e_wipe(&salt, sizeof salt);
    expand(okm, sizeof okm, prk, label_ratchet, sizeof label_ratchet - 1);
    memcpy(new_rk, okm, 32);
    memcpy(new_ck, okm + 32, 32);
    e2e_wipe(prk, sizeof prk);
    e2e_wipe(okm, sizeof okm);
    if (e2e_log_enabled(ctx, E2E_LOG_TRACE)) {
        E2E_TRACE(ctx, "signal: root step HKDF(DH, salt = RK, \"WhisperRatchet\", 64)");
        e2e_trace_hex(ctx, "  root key", rk, 32);
        e2e_trace_hex(ctx, "  new root key  [0:32]", new_rk, 32);
        e2e_trace_hex(ctx, "  new chain key [32:64]", new_ck, 32);
    }
}

int
e2e__dh(const e2e_ctx *ctx, const char *label, uint8_t out[32], const uint8_t priv[32],
        const uint8_t pub[32])
{
    int rc = e2e_x25519_shared(out, priv, pub);
    if (rc == E2E_OK && e2e_log_enabled(ctx, E2E_LOG_TRACE))
        e2e_trace_hex(ctx, label, out, 32);
    return rc;
}

void
e2e__mac(uint8_t mac[8], const uint8_t mac_key[32], const uint8_t sender33[33],
         const uint8_t receiver33[33], const uint8_t *data, size_t n)
{
    uint8_t full[32];
    e2e_hmac_sha256_key k;
    e2e_hmac_sha256_mid_init(&k, mac_key, 32);
    e2e_hmac_sha256_mid(full, &k, sender33, 33, receiver33, 33, data, n);
    memcpy(mac, full, 8);
    e2e_wipe(&k, sizeof k);
    e2e_wipe(full, sizeof full);
}

/* ---- the public formula functions ------------------------------------------------------------ */

void
e2e_signal_chain_step(struct e2e_signal_message_keys *mk, uint8_t next_ck[32], const uint8_t ck[32])
{
    e2e_hmac_sha256_key zs;
    e2e__zero_salt_init(&zs);
    e2e__chain_step(NULL, mk, next_ck, ck, 0, &zs);
}

void
e2e_signal_root_step(uint8_t new_rk[32], uint8_t new_ck[32], const uint8_t rk[32],
                     const uint8_t dh[32])
{
    e2e__root_step(NULL, new_rk, new_ck, rk, dh);
}

void
e2e__x3dh_derive(const e2e_ctx *ctx, uint8_t rk[32], uint8_t ck[32], const uint8_t dh1[32],
                 const uint8_t dh2[32], const uint8_t dh3[32], const uint8_t *dh4)
{
    uint8_t secret[5 * 32], okm[64];
    size_t n = dh4 ? 5 * 32 : 4 * 32;
    e2e_hmac_sha256_key zs;
    memset(secret, 0xFF, 32); /* libsignal's "discontinuity bytes" */
    memcpy(secret + 32, dh1, 32);
    memcpy(secret + 64, dh2, 32);
    memcpy(secret + 96, dh3, 32);
    if (dh4)
        memcpy(secret + 128, dh4, 32);
    e2e__zero_salt_init(&zs);
    hkdf_zero_salt(okm, sizeof okm, &zs, secret, n, label_text, sizeof label_text - 1);
    memcpy(rk, okm, 32);
    memcpy(ck, okm + 32, 32);
    e2e_wipe(secret, sizeof secret);
    e2e_wipe(okm, sizeof okm);
    if (e2e_log_enabled(ctx, E2E_LOG_TRACE)) {
        E2E_TRACE(ctx, "signal: X3DH HKDF(FF*32 || DH1 || DH2 || DH3%s, 0^32, \"WhisperText\", 64)",
                  dh4 ? " || DH4" : "");
        e2e_trace_hex(ctx, "  root key  [0:32]", rk, 32);
        e2e_trace_hex(ctx, "  chain key [32:64]", ck, 32);
    }
}

void
e2e_signal_x3dh_derive(uint8_t rk[32], uint8_t ck[32], const uint8_t dh1[32], const uint8_t dh2[32],
                       const uint8_t dh3[32], const uint8_t *dh4)
{
    e2e__x3dh_derive(NULL, rk, ck, dh1, dh2, dh3, dh4);
}

void
e2e_signal_mac(uint8_t mac[8], const uint8_t mac_key[32], const uint8_t sender_identity[32],
               const uint8_t receiver_identity[32], const uint8_t *data, size_t n)
{
    uint8_t s[33], r[33];
    e2e_signal_pubkey_encode(s, sender_identity);
    e2e_signal_pubkey_encode(r, receiver_identity);
    e2e__mac(mac, mac_key, s, r, data, n);
}

void
e2e__group_key(const e2e_ctx *ctx, uint8_t iv[16], uint8_t cipher_key[32], const uint8_t seed[32],
               const e2e_hmac_sha256_key *zero_salt)
{
    uint8_t okm[48];
    hkdf_zero_salt(okm, sizeof okm, zero_salt, seed, 32, label_group, sizeof label_group - 1);
    memcpy(iv, okm, 16);
    memcpy(cipher_key, okm + 16, 32);
    e2e_wipe(okm, sizeof okm);
    if (e2e_log_enabled(ctx, E2E_LOG_TRACE)) {
        e2e_trace_hex(ctx, "  sender-key seed = HMAC(CK, 01)", seed, 32);
        e2e_trace_hex(ctx, "  iv         (HKDF WhisperGroup [0:16])", iv, 16);
        e2e_trace_hex(ctx, "  cipher key (HKDF WhisperGroup [16:48])", cipher_key, 32);
    }
}

void
e2e_signal_group_message_key(uint8_t iv[16], uint8_t cipher_key[32], const uint8_t seed[32])
{
    e2e_hmac_sha256_key zs;
    e2e__zero_salt_init(&zs);
    e2e__group_key(NULL, iv, cipher_key, seed, &zs);
}
