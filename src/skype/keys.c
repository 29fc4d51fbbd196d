/*
 * Session-key agreement pieces that need no RSA: the challenge transform and the combination
 * of the two halves (and, hardened, the salts and the transcript) into keys.
 */
#include <string.h>

#include <e2ekit/skype.h>

#include "core/util.h"

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
