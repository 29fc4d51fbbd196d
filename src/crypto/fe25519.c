/* Field arithmetic modulo 2^255 - 19 with five 51-bit limbs (see fe25519.h). */
#include "crypto/fe25519.h"

#include "core/util.h"

__extension__ typedef unsigned __int128 u128;

#define MASK51 ((UINT64_C(1) << 51) - 1)

void
e2e__fe_frombytes(e2e__fe *h, const uint8_t s[32])
{
    h->v[0] = e2e_load64_le(s) & MASK51;
    h->v[1] = (e2e_load64_le(s + 6) >> 3) & MASK51;
    h->v[2] = (e2e_load64_le(s + 12) >> 6) & MASK51;
    h->v[3] = (e2e_load64_le(s + 19) >> 1) & MASK51;
    h->v[4] = (e2e_load64_le(s + 24) >> 12) & MASK51;
}

static void
carry(e2e__fe *h)
{
    uint64_t c;
    for (int i = 0; i < 4; i++) {
        c = h->v[i] >> 51;
        h->v[i] &= MASK51;
        h->v[i + 1] += c;
    }
    c = h->v[4] >> 51;
    h->v[4] &= MASK51;
    h->v[0] += 19 * c;
}

void
e2e__fe_tobytes(uint8_t s[32], const e2e__fe *f)
{
    e2e__fe h = *f;
    carry(&h);
    carry(&h);
    /* now h < 2^255 + small; q = 1 exactly when h >= p */
    uint64_t q = (h.v[0] + 19) >> 51;
    q = (h.v[1] + q) >> 51;
    q = (h.v[2] + q) >> 51;
    q = (h.v[3] + q) >> 51;
    q = (h.v[4] + q) >> 51;
    h.v[0] += 19 * q;
    for (int i = 0; i < 4; i++) {
        h.v[i + 1] += h.v[i] >> 51;
        h.v[i] &= MASK51;
    }
    h.v[4] &= MASK51;
    uint64_t w0 = h.v[0] | h.v[1] << 51;
    uint64_t w1 = h.v[1] >> 13 | h.v[2] << 38;
    uint64_t w2 = h.v[2] >> 26 | h.v[3] << 25;
    uint64_t w3 = h.v[3] >> 39 | h.v[4] << 12;
    e2e_store64_le(s, w0);
    e2e_store64_le(s + 8, w1);
    e2e_store64_le(s + 16, w2);
    e2e_store64_le(s + 24, w3);
}

void
e2e__fe_one(e2e__fe *h)
{
    h->v[0] = 1;
    h->v[1] = h->v[2] = h->v[3] = h->v[4] = 0;
}

void
e2e__fe_add(e2e__fe *h, const e2e__fe *f, const e2e__fe *g)
{
    for (int i = 0; i < 5; i++)
        h->v[i] = f->v[i] + g->v[i];
    carry(h);
}

void
e2e__fe_sub(e2e__fe *h, const e2e__fe *f, const e2e__fe *g)
{
    /* add 2p so that no limb goes negative */
    h->v[0] = f->v[0] + UINT64_C(0xFFFFFFFFFFFDA) - g->v[0];
    for (int i = 1; i < 5; i++)
        h->v[i] = f->v[i] + UINT64_C(0xFFFFFFFFFFFFE) - g->v[i];
    carry(h);
}

/* the five 128-bit column sums of a product, back to 51-bit limbs */
static void
reduce_wide(e2e__fe *h, u128 r0, u128 r1, u128 r2, u128 r3, u128 r4)
{
    r1 += (uint64_t)(r0 >> 51);
    r2 += (uint64_t)(r1 >> 51);
    r3 += (uint64_t)(r2 >> 51);
    r4 += (uint64_t)(r3 >> 51);
    uint64_t c = (uint64_t)(r4 >> 51);
    h->v[0] = ((uint64_t)r0 & MASK51) + 19 * c;
    h->v[1] = (uint64_t)r1 & MASK51;
    h->v[2] = (uint64_t)r2 & MASK51;
    h->v[3] = (uint64_t)r3 & MASK51;
    h->v[4] = (uint64_t)r4 & MASK51;
    carry(h);
}

void
e2e__fe_mul(e2e__fe *h, const e2e__fe *f, const e2e__fe *g)
{
    const uint64_t *a = f->v, *b = g->v;
    uint64_t b1 = 19 * b[1], b2 = 19 * b[2], b3 = 19 * b[3], b4 = 19 * b[4];
    u128 r0 = (u128)a[0] * b[0] + (u128)a[1] * b4 + (u128)a[2] * b3 + (u128)a[3] * b2 +
              (u128)a[4] * b1;
    u128 r1 = (u128)a[0] * b[1] + (u128)a[1] * b[0] + (u128)a[2] * b4 + (u128)a[3] * b3 +
              (u128)a[4] * b2;
    u128 r2 = (u128)a[0] * b[2] + (u128)a[1] * b[1] + (u128)a[2] * b[0] + (u128)a[3] * b4 +
              (u128)a[4] * b3;
    u128 r3 = (u128)a[0] * b[3] + (u128)a[1] * b[2] + (u128)a[2] * b[1] + (u128)a[3] * b[0] +
              (u128)a[4] * b4;
    u128 r4 = (u128)a[0] * b[4] + (u128)a[1] * b[3] + (u128)a[2] * b[2] + (u128)a[3] * b[1] +
              (u128)a[4] * b[0];
    reduce_wide(h, r0, r1, r2, r3, r4);
}

void
e2e__fe_sq(e2e__fe *h, const e2e__fe *f)
{
    const uint64_t *a = f->v;
    uint64_t d0 = 2 * a[0], d1 = 2 * a[1], a3_19 = 19 * a[3], a4_19 = 19 * a[4];
    u128 r0 = (u128)a[0] * a[0] + (u128)d1 * a4_19 + (u128)(2 * a[2]) * a3_19;
    u128 r1 = (u128)d0 * a[1] + (u128)(2 * a[2]) * a4_19 + (u128)a[3] * a3_19;
    u128 r2 = (u128)d0 * a[2] + (u128)a[1] * a[1] + (u128)(2 * a[3]) * a4_19;
    u128 r3 = (u128)d0 * a[3] + (u128)d1 * a[2] + (u128)a[4] * a4_19;
    u128 r4 = (u128)d0 * a[4] + (u128)d1 * a[3] + (u128)a[2] * a[2];
    reduce_wide(h, r0, r1, r2, r3, r4);
}

void
e2e__fe_neg(e2e__fe *h, const e2e__fe *f)
{
    e2e__fe zero = {{0, 0, 0, 0, 0}};
    e2e__fe_sub(h, &zero, f);
}

int
e2e__fe_isnegative(const e2e__fe *f)
{
    uint8_t s[32];
    e2e__fe_tobytes(s, f);
    return s[0] & 1;
}

int
e2e__fe_iszero(const e2e__fe *f)
{
    uint8_t s[32], acc = 0;
    e2e__fe_tobytes(s, f);
    for (int i = 0; i < 32; i++)
        acc |= s[i];
    return acc == 0;
}

static void
sq_times(e2e__fe *h, const e2e__fe *f, int n)
{
    *h = *f;
    while (n--)
        e2e__fe_sq(h, h);
}

/* z^(2^250 - 1) and z^11, the common part of both exponentiations (the usual addition chain) */
static void
pow_2_250_1(e2e__fe *z250, e2e__fe *z11, const e2e__fe *z)
{
    e2e__fe z2, z9, z5_0, z10_0, z20_0, z50_0, z100_0, t;
    sq_times(&z2, z, 1);
    sq_times(&t, &z2, 2);
    e2e__fe_mul(&z9, &t, z);
    e2e__fe_mul(z11, &z9, &z2);
    sq_times(&t, z11, 1);
    e2e__fe_mul(&z5_0, &t, &z9);
    sq_times(&t, &z5_0, 5);
    e2e__fe_mul(&z10_0, &t, &z5_0);
    sq_times(&t, &z10_0, 10);
    e2e__fe_mul(&z20_0, &t, &z10_0);
    sq_times(&t, &z20_0, 20);
    e2e__fe_mul(&t, &t, &z20_0);
    sq_times(&t, &t, 10);
    e2e__fe_mul(&z50_0, &t, &z10_0);
    sq_times(&t, &z50_0, 50);
    e2e__fe_mul(&z100_0, &t, &z50_0);
    sq_times(&t, &z100_0, 100);
    e2e__fe_mul(&t, &t, &z100_0);
    sq_times(&t, &t, 50);
    e2e__fe_mul(z250, &t, &z50_0);
}

void
e2e__fe_invert(e2e__fe *out, const e2e__fe *z)
{
    /* z^(p - 2) = z^(2^255 - 21) = z^((2^250 - 1) * 2^5 + 11) */
    e2e__fe t, z11;
    pow_2_250_1(&t, &z11, z);
    sq_times(&t, &t, 5);
    e2e__fe_mul(out, &t, &z11);
}

void
e2e__fe_pow22523(e2e__fe *out, const e2e__fe *z)
{
    /* 2^252 - 3 = (2^250 - 1) * 4 + 1 */
    e2e__fe t, z11;
    pow_2_250_1(&t, &z11, z);
    sq_times(&t, &t, 2);
    e2e__fe_mul(out, &t, z);
}
