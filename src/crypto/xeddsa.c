/*
 * XEdDSA as deployed by Signal and WhatsApp (reference/signal.md 10.2), built
 * on libsodium's Ed25519 group operations. The variant keeps the sign bit of
 * A = kB (k is never negated) and carries it in the top bit of the
 * signature's last byte; the verifier rebuilds the Edwards key from the
 * Montgomery u with that bit and runs a standard Ed25519 verification
 * (libsodium's, or for a prepared key the one of ge25519.c, which gives the same answers).
 */
#include <string.h>

#include <sodium.h>

#include <e2ekit/crypto.h>

#include "crypto/fe25519.h"
#include "crypto/ge25519.h"
#include "crypto/sodium.h"

void
e2e_xeddsa_signer_init(struct e2e_xeddsa_signer *s, const uint8_t priv[32])
{
    e2e__sodium_ready();
    memcpy(s->k, priv, 32);
    /* Fails only for k = 0 mod q, impossible for a clamped key. */
    (void)crypto_scalarmult_ed25519_base_noclamp(s->A, s->k);
}

static void
reduce32(uint8_t out[32], const uint8_t in[32])
{
    uint8_t wide[64];
    memcpy(wide, in, 32);
    memset(wide + 32, 0, 32);
    crypto_core_ed25519_scalar_reduce(out, wide);
    e2e_wipe(wide, sizeof wide);
}

void
e2e_xeddsa_sign(uint8_t sig[64], const struct e2e_xeddsa_signer *s, const uint8_t *msg, size_t n,
                const uint8_t random[64])
{
    static const uint8_t prefix[32] = {
        0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    };
    uint8_t h64[64], r[32], h[32], k[32], hk[32];
    e2e_sha512_ctx c;
    e2e__sodium_ready();

    /* r = SHA-512(0xFE || 0xFF x 31 || k || M || Z) mod q; R = rB */
    e2e_sha512_init(&c);
    e2e_sha512_update(&c, prefix, sizeof prefix);
    e2e_sha512_update(&c, s->k, 32);
    e2e_sha512_update(&c, msg, n);
    e2e_sha512_update(&c, random, 64);
    e2e_sha512_final(&c, h64);
    crypto_core_ed25519_scalar_reduce(r, h64);
    (void)crypto_scalarmult_ed25519_base_noclamp(sig, r);

    /* h = SHA-512(R || A || M) mod q, A with its sign bit */
    e2e_sha512_init(&c);
    e2e_sha512_update(&c, sig, 32);
    e2e_sha512_update(&c, s->A, 32);
    e2e_sha512_update(&c, msg, n);
    e2e_sha512_final(&c, h64);
    crypto_core_ed25519_scalar_reduce(h, h64);

    /* s = r + h k mod q; the top bit of the last byte carries A's sign bit */
    reduce32(k, s->k);
    crypto_core_ed25519_scalar_mul(hk, h, k);
    crypto_core_ed25519_scalar_add(sig + 32, hk, r);
    sig[63] = (uint8_t)((sig[63] & 0x7F) | (s->A[31] & 0x80));

    e2e_wipe(h64, sizeof h64);
    e2e_wipe(r, sizeof r);
    e2e_wipe(k, sizeof k);
    e2e_wipe(hk, sizeof hk);
}

int
e2e_xeddsa_sign_ctx(uint8_t sig[64], const uint8_t priv[32], const uint8_t *msg, size_t n,
                    const e2e_ctx *ctx)
{
    uint8_t z[64];
    struct e2e_xeddsa_signer s;
    int rc = e2e_random(ctx, z, sizeof z);
    if (rc != E2E_OK)
        return rc;
    e2e_xeddsa_signer_init(&s, priv);
    e2e_xeddsa_sign(sig, &s, msg, n, z);
    e2e_wipe(&s, sizeof s);
    e2e_wipe(z, sizeof z);
    return E2E_OK;
}

_Static_assert(sizeof(((struct e2e_xeddsa_verifier *)0)->table) ==
                   E2E__GE_TABLE_WORDS * sizeof(uint64_t),
               "verifier table size");

/* y = (u - 1) / (u + 1); the top bit of u is ignored, as the reference verifier does */
static void
edwards_y(uint8_t y_out[32], const uint8_t pub[32])
{
    e2e__fe u, one, num, den, y;
    e2e__fe_frombytes(&u, pub);
    e2e__fe_one(&one);
    e2e__fe_sub(&num, &u, &one);
    e2e__fe_add(&den, &u, &one);
    e2e__fe_invert(&den, &den);
    e2e__fe_mul(&y, &num, &den);
    e2e__fe_tobytes(y_out, &y);
}

/* A with the signature's sign bit, and R || s with that bit cleared; -1 when s >= 2^253 */
static int
split_signature(uint8_t A[32], uint8_t rs[64], const uint8_t y[32], const uint8_t sig[64])
{
    memcpy(A, y, 32);
    A[31] |= sig[63] & 0x80;
    memcpy(rs, sig, 64);
    rs[63] &= 0x7F;
    return (rs[63] & 0xE0) ? -1 : 0;
}

void
e2e_xeddsa_verifier_init(struct e2e_xeddsa_verifier *v, const uint8_t pub[32])
{
    edwards_y(v->y, pub);
    v->valid = e2e__ge_key_precompute(v->table, v->y) == 0;
}

int
e2e_xeddsa_verify_with(const struct e2e_xeddsa_verifier *v, const uint8_t *msg, size_t n,
                       const uint8_t sig[64])
{
    uint8_t A[32], rs[64];
    /* the checks of libsodium's verification: s < q, R and A not of small order, A canonical
     * and on the curve (reference/limits.md 5); honest signatures pass them all */
    if (split_signature(A, rs, v->y, sig) != 0 || !v->valid ||
        e2e__ge_verify(v->table, A, msg, n, rs) != 0)
        return E2E_ERR_AUTH;
    return E2E_OK;
}

int
e2e_xeddsa_verify(const uint8_t pub[32], const uint8_t *msg, size_t n, const uint8_t sig[64])
{
    uint8_t y[32], A[32], rs[64];
    e2e__sodium_ready();
    edwards_y(y, pub);
    if (split_signature(A, rs, y, sig) != 0 ||
        crypto_sign_ed25519_verify_detached(rs, msg, n, A) != 0)
        return E2E_ERR_AUTH;
    return E2E_OK;
}
