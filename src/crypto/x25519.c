/* X25519 (RFC 7748) on libsodium. */
#include <string.h>

#include <sodium.h>

#include <e2ekit/crypto.h>

#include "crypto/sodium.h"

void
e2e_x25519_clamp(uint8_t k[32])
{
    k[0] &= 248;
    k[31] &= 127;
    k[31] |= 64;
}

void
e2e_x25519_public(uint8_t pub[32], const uint8_t priv[32])
{
    e2e__sodium_ready();
    /* Fails only for a zero result, which a clamped key cannot give: ignore. */
    (void)crypto_scalarmult_curve25519_base(pub, priv);
}

int
e2e_x25519_keygen(const e2e_ctx *ctx, uint8_t priv[32], uint8_t pub[32])
{
    int rc = e2e_random(ctx, priv, 32);
    if (rc != E2E_OK)
        return rc;
    e2e_x25519_clamp(priv);
    e2e_x25519_public(pub, priv);
    return E2E_OK;
}

int
e2e_x25519_shared(uint8_t out[32], const uint8_t priv[32], const uint8_t pub[32])
{
    e2e__sodium_ready();
    /* libsodium returns -1 for an all-zero result (a small-order peer key); whether the buffer
     * then holds the zeros depends on its back end, so write them ourselves. */
    if (crypto_scalarmult_curve25519(out, priv, pub) != 0 || e2e_ct_is_zero(out, 32)) {
        memset(out, 0, 32);
        return E2E_ERR_WEAK_KEY;
    }
    return E2E_OK;
}
