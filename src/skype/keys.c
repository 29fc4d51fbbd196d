/*
 * Session-key agreement pieces that need no RSA: the challenge transform and the combination
 * of the two halves (and, hardened, the salts and the transcript) into keys.
 */
#include <string.h>

#include <e2ekit/skype.h>

#include "core/util.h"
#include "skype/skype_internal.h"

void
e2e_skype_challenge_transform(uint8_t out[8], const uint8_t challenge[8])
{
    e2e_store64_be(out, e2e_load64_be(challenge) + 1u);
}

static const char hardened_info[] = "e2ekit skype hardened v1 keys";

static int
derive_hardened(struct e2e_skype_keys *k, const struct e2e_skype_session_params *p)
{
    uint8_t ikm[2 * E2E_SKYPE_HALF_BYTES + 2 * E2E_SKYPE_SALT_BYTES], okm[128];
    memcpy(ikm, p->half_a, 16);
    memcpy(ikm + 16, p->half_b, 16);
    memcpy(ikm + 32, p->salt_a, 4);
    memcpy(ikm + 36, p->salt_b, 4);
    int rc = e2e_hkdf_sha256(okm, sizeof okm, p->transcript, sizeof p->transcript, ikm, sizeof ikm,
                             (const uint8_t *)hardened_info, sizeof hardened_info - 1);
    if (rc == E2E_OK) {
        memcpy(k->enc_ab, okm, 32);
        memcpy(k->enc_ba, okm + 32, 32);
        memcpy(k->mac_ab, okm + 64, 32);
        memcpy(k->mac_ba, okm + 96, 32);
    }
    e2e_wipe(ikm, sizeof ikm);
    e2e_wipe(okm, sizeof okm);
    return rc;
}

int
e2e_skype_derive_keys(struct e2e_skype_keys *k, const struct e2e_skype_session_params *p)
{
    if (!k || !p)
        return E2E_ERR_INVALID;
    memset(k, 0, sizeof *k);
    if (p->mode == E2E_SKYPE_HARDENED)
        return derive_hardened(k, p);
    if (p->mode != E2E_SKYPE_FAITHFUL)
        return E2E_ERR_INVALID;
    /* Berson: each peer contributes 128 of the 256 bits; e2ekit concatenates, caller first.
     * One key serves both directions (reported). */
    memcpy(k->enc_ab, p->half_a, 16);
    memcpy(k->enc_ab + 16, p->half_b, 16);
    memcpy(k->enc_ba, k->enc_ab, 32);
    return E2E_OK;
}

void
e2e_skype_halfkey_block(uint8_t block[128], const uint8_t half[16])
{
    /* Vanilla Skype: the 128-bit nonce repeated 8 times, i.e. half * sum_{i<8} 2^(128 i). */
    for (size_t i = 0; i < 8; i++)
        memcpy(block + 16 * i, half, 16);
}

int
e2e_skype_halfkey_encrypt(const e2e_rsa *peer, uint8_t *out, size_t out_cap, size_t *out_len,
                          const uint8_t half[16])
{
    if (!peer || !out_len || !half || (!out && out_cap))
        return E2E_ERR_INVALID;
    size_t L = e2e_rsa_bytes(peer);
    if (L < 128 || L > E2E_SKYPE_MODULUS_MAX)
        return E2E_ERR_WEAK_KEY; /* the 1024-bit block does not fit */
    *out_len = L;
    if (out_cap < L)
        return E2E_ERR_BUFFER;
    uint8_t m[E2E_SKYPE_MODULUS_MAX] = {0};
    e2e_skype_halfkey_block(m + L - 128, half);
    int rc = e2e_rsa_public_raw(peer, out, m, L); /* no padding: textbook RSA, as published */
    e2e_wipe(m, sizeof m);
    return rc;
}

int
e2e_skype_halfkey_decrypt(const e2e_rsa *me, uint8_t half[16], const uint8_t *ct, size_t n)
{
    if (!me || !half || !ct)
        return E2E_ERR_INVALID;
    size_t L = e2e_rsa_bytes(me);
    if (L < 128 || L > E2E_SKYPE_MODULUS_MAX || n != L)
        return E2E_ERR_MALFORMED;
    uint8_t m[E2E_SKYPE_MODULUS_MAX];
    int rc = e2e_rsa_private_raw(me, m, ct, n);
    if (rc != E2E_OK)
        return rc;
    /* zeros, then 8 copies of one half: checked without branching on the secret */
    const uint8_t *blk = m + L - 128;
    uint8_t d = (uint8_t)!e2e_ct_is_zero(m, L - 128);
    for (size_t i = 1; i < 8; i++)
        d |= (uint8_t)!e2e_ct_equal(blk, blk + 16 * i, 16);
    memcpy(half, blk, 16);
    e2e_wipe(m, sizeof m);
    if (d) {
        e2e_wipe(half, 16);
        return E2E_ERR_AUTH;
    }
    return E2E_OK;
}
