/* Internal to src/crypto: arithmetic modulo p = 2^255 - 19, radix 2^51 (XEdDSA's u -> y, and the
 * Edwards group operations of ge25519.c). */
#ifndef E2E_CRYPTO_FE25519_H
#define E2E_CRYPTO_FE25519_H

#include <stdint.h>

typedef struct {
    uint64_t v[5];
} e2e__fe;

/* Loads 32 little-endian bytes, ignoring bit 255 (values >= p are accepted and reduced). */
void e2e__fe_frombytes(e2e__fe *h, const uint8_t s[32]);
/* Canonical (fully reduced) little-endian encoding. */
void e2e__fe_tobytes(uint8_t s[32], const e2e__fe *h);
void e2e__fe_one(e2e__fe *h);
void e2e__fe_add(e2e__fe *h, const e2e__fe *f, const e2e__fe *g);
void e2e__fe_sub(e2e__fe *h, const e2e__fe *f, const e2e__fe *g);
void e2e__fe_mul(e2e__fe *h, const e2e__fe *f, const e2e__fe *g);
void e2e__fe_sq(e2e__fe *h, const e2e__fe *f);
void e2e__fe_neg(e2e__fe *h, const e2e__fe *f);
/* z^((p-5)/8) = z^(2^252 - 3), the exponent of the square root in point decompression. */
void e2e__fe_pow22523(e2e__fe *out, const e2e__fe *z);
/* 1 when the canonical encoding is odd ("negative" in RFC 8032), else 0. */
int e2e__fe_isnegative(const e2e__fe *f);
int e2e__fe_iszero(const e2e__fe *f);
/* z^(p-2): the inverse for z != 0, and 0 for z = 0. Constant time. */
void e2e__fe_invert(e2e__fe *out, const e2e__fe *z);

#endif
