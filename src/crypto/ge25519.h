/*
 * Internal to src/crypto: Ed25519 verification with a precomputed public key (variable time;
 * every input is public). Same checks and same answers as libsodium 1.0.18's
 * crypto_sign_ed25519_verify_detached, tested against it in tests/crypto/test_ge25519.c.
 */
#ifndef E2E_CRYPTO_GE25519_H
#define E2E_CRYPTO_GE25519_H

#include <stddef.h>
#include <stdint.h>

/* uint64_t words of e2e__ge_key_precompute's table: odd multiples 1P..15P of the key P and of
 * 2^128 P, affine, (y + x, y - x, 2dxy) in radix 2^51. */
#define E2E__GE_TABLE_WORDS (2 * 8 * 15)

/*
 * Decodes the Edwards y (32 bytes, bit 255 ignored; the point with even x is taken) and fills
 * `table`. Returns 0, or -1 when y is not canonical, is of small order (libsodium's list) or
 * is not on the curve.
 */
int e2e__ge_key_precompute(uint64_t table[E2E__GE_TABLE_WORDS], const uint8_t y[32]);

/*
 * Ed25519 verification of sig = R || s against the key A = (the precomputed point, negated
 * when A[31] has bit 7 set); A is the 32-byte encoding hashed into the challenge. 0 or -1.
 */
int e2e__ge_verify(const uint64_t table[E2E__GE_TABLE_WORDS], const uint8_t A[32],
                   const uint8_t *msg, size_t n, const uint8_t sig[64]);

#endif
