/* Ed25519 (RFC 8032) on libsodium. */
#include <sodium.h>

#include <e2ekit/crypto.h>

#include "crypto/sodium.h"

void
e2e_ed25519_seed_keypair(uint8_t pub[32], uint8_t sk[64], const uint8_t seed[32])
{
    e2e__sodium_ready();
    (void)crypto_sign_ed25519_seed_keypair(pub, sk, seed);
}

void
e2e_ed25519_sign(uint8_t sig[64], const uint8_t *msg, size_t n, const uint8_t sk[64])
{
    e2e__sodium_ready();
    (void)crypto_sign_ed25519_detached(sig, NULL, msg, n, sk);
}

int
e2e_ed25519_verify(const uint8_t sig[64], const uint8_t *msg, size_t n, const uint8_t pub[32])
{
    e2e__sodium_ready();
    return crypto_sign_ed25519_verify_detached(sig, msg, n, pub) == 0 ? E2E_OK : E2E_ERR_AUTH;
}
