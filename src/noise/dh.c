/*
 * The 25519 DH functions (Noise spec 12.1). GENERATE_KEYPAIR draws from the context's rng.
 * DH with a low-order peer key: the spec's X25519 returns 32 zero bytes and allows signalling an
 * error instead; we signal E2E_ERR_WEAK_KEY (e2e_x25519_shared) and the handshake aborts, so no
 * key is ever derived from a DH output the peer could force.
 */
#include <string.h>

#include <e2ekit/crypto.h>
#include <e2ekit/noise.h>

int
e2e_noise_keypair_generate(struct e2e_noise_keypair *kp, const e2e_ctx *ctx)
{
    if (!kp)
        return E2E_ERR_INVALID;
    int rc = e2e_x25519_keygen(ctx, kp->priv, kp->pub);
    if (rc != E2E_OK)
        e2e_wipe(kp, sizeof *kp);
    return rc;
}

void
e2e_noise_keypair_from_private(struct e2e_noise_keypair *kp, const uint8_t priv[32])
{
    if (kp->priv != priv)
        memcpy(kp->priv, priv, 32);
    e2e_x25519_public(kp->pub, kp->priv);
}
