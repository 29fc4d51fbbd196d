/*
 * Keys (reference/signal.md 2, 4.1): key pairs, the 33-byte 0x05 encoding, XEdDSA signatures
 * of the deployed variant, identities with their signing cache, signed prekeys and bundle
 * verification with a cache of verified signatures.
 */
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "signal/internal.h"

size_t
e2e_signal_encrypt_max(size_t n)
{
    /* SignalMessage: version 1, ratchetKey 35, counter and previousCounter 2 x 6, ciphertext
     * tag and length 1 + 10, MAC 8; PreKeySignalMessage around it: version 1, preKeyId 6,
     * baseKey and identityKey 2 x 35, message tag and length 11, registrationId and
     * signedPreKeyId 2 x 6. */
    return e2e_pkcs7_padded_len(n) + 67 + 100;
}

size_t
e2e_signal_group_encrypt_max(size_t n)
{
    return e2e_pkcs7_padded_len(n) + 1 + 6 + 6 + 11 + E2E_SIGNAL_SIG_LEN;
}

int
e2e__key_eq(const uint8_t a[32], const uint8_t b[32])
{
    return memcmp(a, b, 32) == 0;
}

int
e2e_signal_keypair_generate(struct e2e_signal_keypair *kp, const e2e_ctx *ctx)
{
    if (!kp)
        return E2E_ERR_INVALID;
    return e2e_x25519_keygen(ctx, kp->priv, kp->pub);
}

void
e2e_signal_keypair_from_private(struct e2e_signal_keypair *kp, const uint8_t priv[32])
{
    memcpy(kp->priv, priv, 32);
    e2e_x25519_clamp(kp->priv);
    e2e_x25519_public(kp->pub, kp->priv);
}

void
e2e_signal_pubkey_encode(uint8_t out[33], const uint8_t pub[32])
{
    out[0] = E2E_SIGNAL_KEY_TYPE;
    memcpy(out + 1, pub, 32);
}

/*
 * 1 when u is the canonical encoding of a field element: below p = 2^255 - 19, top bit clear.
 * X25519 and the XEdDSA verifier ignore the top bit, so a key and its copy with bit 255 set
 * are the same key; libsignal-protocol-c compares the bytes (e.g. the base key naming a
 * session), which would let a flipped bit in an unauthenticated field pass as a new key.
 * Honest keys are always canonical, so the others are refused.
 */
static int
canonical_u(const uint8_t u[32])
{
    if (u[31] < 0x7F)
        return 1;
    if (u[31] > 0x7F)
        return 0;
    unsigned all_ff = 1;
    for (int i = 1; i < 31; i++)
        all_ff &= u[i] == 0xFF;
    return !(all_ff && u[0] >= 0xED);
}

int
e2e_signal_pubkey_decode(uint8_t pub[32], const uint8_t *in, size_t n)
{
    if (!in || n != E2E_SIGNAL_PUBKEY_LEN || in[0] != E2E_SIGNAL_KEY_TYPE || !canonical_u(in + 1))
        return E2E_ERR_MALFORMED;
    memcpy(pub, in + 1, 32);
    return E2E_OK;
}

int
e2e_signal_sign(uint8_t sig[64], const struct e2e_signal_keypair *kp, const uint8_t *msg, size_t n,
                const e2e_ctx *ctx)
{
    if (!sig || !kp || (!msg && n))
        return E2E_ERR_INVALID;
    return e2e_xeddsa_sign_ctx(sig, kp->priv, msg, n, ctx);
}

int
e2e_signal_verify(const uint8_t pub[32], const uint8_t *msg, size_t n, const uint8_t sig[64])
{
    if (!pub || !sig || (!msg && n))
        return E2E_ERR_INVALID;
    return e2e_xeddsa_verify(pub, msg, n, sig);
}

/* ---- identities ------------------------------------------------------------------------------ */

void
e2e_signal_identity_from_private(struct e2e_signal_identity *id, const uint8_t priv[32],
                                 uint32_t registration_id)
{
    struct e2e_xeddsa_signer s;
    e2e_signal_keypair_from_private(&id->key, priv);
    e2e_xeddsa_signer_init(&s, id->key.priv);
    memcpy(id->ed_pub, s.A, 32);
    id->registration_id = registration_id;
    e2e_wipe(&s, sizeof s);
}

int
e2e_signal_identity_generate(struct e2e_signal_identity *id, const e2e_ctx *ctx)
{
    uint8_t priv[32], r[2];
    if (!id)
        return E2E_ERR_INVALID;
    int rc = e2e_random(ctx, priv, sizeof priv);
    if (rc == E2E_OK)
        rc = e2e_random(ctx, r, sizeof r);
    if (rc == E2E_OK) /* libsignal: (random % 16380) + 1 */
        e2e_signal_identity_from_private(id, priv, (uint32_t)(e2e_load16_be(r) % 16380u) + 1);
    e2e_wipe(priv, sizeof priv);
    return rc;
}

/* Signs with the identity's cached A: one base-point multiplication. */
static int
identity_sign(uint8_t sig[64], const struct e2e_signal_identity *id, const uint8_t *msg, size_t n,
              const e2e_ctx *ctx)
{
    struct e2e_xeddsa_signer s;
    uint8_t z[64];
    int rc = e2e_random(ctx, z, sizeof z);
    if (rc != E2E_OK)
        return rc;
    memcpy(s.k, id->key.priv, 32);
    memcpy(s.A, id->ed_pub, 32);
    e2e_xeddsa_sign(sig, &s, msg, n, z);
    e2e_wipe(&s, sizeof s);
    e2e_wipe(z, sizeof z);
    return E2E_OK;
}

int
e2e_signal_signed_prekey_generate(struct e2e_signal_signed_prekey *spk,
                                  const struct e2e_signal_identity *id, uint32_t spk_id,
                                  const e2e_ctx *ctx)
{
    uint8_t enc[33];
    if (!spk || !id)
        return E2E_ERR_INVALID;
    memset(spk, 0, sizeof *spk);
    int rc = e2e_signal_keypair_generate(&spk->key, ctx);
    if (rc == E2E_OK) {
        e2e_signal_pubkey_encode(enc, spk->key.pub);
        rc = identity_sign(spk->signature, id, enc, sizeof enc, ctx);
    }
    if (rc != E2E_OK) {
        e2e_wipe(spk, sizeof *spk);
        return rc;
    }
    spk->id = spk_id;
    spk->created_ms = e2e_now_ms(ctx);
    return E2E_OK;
}

/* ---- bundles --------------------------------------------------------------------------------- */

static int
cache_has(const struct e2e_signal_sig_cache *c, const struct e2e_signal_bundle *b)
{
    for (uint32_t i = 0; c && i < c->used && i < E2E_SIGNAL_SIG_CACHE_SLOTS; i++)
        if (e2e__key_eq(c->entry[i].identity_key, b->identity_key) &&
            e2e__key_eq(c->entry[i].signed_prekey, b->signed_prekey) &&
            memcmp(c->entry[i].signature, b->signed_prekey_signature, 64) == 0)
            return 1;
    return 0;
}

static void
cache_put(struct e2e_signal_sig_cache *c, const struct e2e_signal_bundle *b)
{
    uint32_t i = c->next % E2E_SIGNAL_SIG_CACHE_SLOTS;
    memcpy(c->entry[i].identity_key, b->identity_key, 32);
    memcpy(c->entry[i].signed_prekey, b->signed_prekey, 32);
    memcpy(c->entry[i].signature, b->signed_prekey_signature, 64);
    c->next = (i + 1) % E2E_SIGNAL_SIG_CACHE_SLOTS;
    if (c->used < E2E_SIGNAL_SIG_CACHE_SLOTS)
        c->used++;
}

int
e2e_signal_bundle_verify(const struct e2e_signal_bundle *b, struct e2e_signal_sig_cache *cache,
                         struct e2e_report *why)
{
    uint8_t enc[33];
    e2e_report_clear(why);
    if (!b)
        return e2e_report_fail(why, E2E_ERR_INVALID, "argument", "no bundle");
    if (cache_has(cache, b))
        return E2E_OK;
    e2e_signal_pubkey_encode(enc, b->signed_prekey);
    if (e2e_xeddsa_verify(b->identity_key, enc, sizeof enc, b->signed_prekey_signature) != E2E_OK)
        return e2e_report_fail(why, E2E_ERR_AUTH, "signed_prekey_signature",
                               "signed prekey %u is not signed by the bundle's identity key",
                               b->signed_prekey_id);
    if (cache)
        cache_put(cache, b);
    return E2E_OK;
}
