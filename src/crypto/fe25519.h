/* Internal to src/crypto: arithmetic modulo p = 2^255 - 19, radix 2^51 (for XEdDSA's u -> y). */
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
/* z^(p-2): the inverse for z != 0, and 0 for z = 0. Constant time. */
void e2e__fe_invert(e2e__fe *out, const e2e__fe *z);

#endif
