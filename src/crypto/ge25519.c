/*
 * Ed25519 verification with a precomputed key (see ge25519.h). The group law is the one of
 * RFC 8032 5.1.4 in the coordinate systems of the ref10 implementation (projective, extended,
 * completed, and affine (y + x, y - x, 2dxy) for table entries). sB - hA is computed by a
 * four-way Straus walk: s = s0 + 2^128 s1 and h = h0 + 2^128 h1 with tables for B, 2^128 B
 * (static, width 7) and for the key and 2^128 times the key (per key, width 5), so the walk
 * takes 128 doublings instead of 253, and the key is decompressed once per key, not per
 * signature.
 */
#include <string.h>

#include <sodium.h>

#include "core/util.h"
#include "crypto/fe25519.h"
#include "crypto/ge25519.h"
#include "crypto/sodium.h"

struct ge_p2 {
    e2e__fe X, Y, Z;
};
struct ge_p3 {
    e2e__fe X, Y, Z, T;
};
struct ge_p1p1 {
    e2e__fe X, Y, Z, T;
};
struct ge_precomp {
    e2e__fe yplusx, yminusx, xy2d;
};
struct ge_cached {
    e2e__fe YplusX, YminusX, Z, T2d;
};

#include "crypto/ge25519_tables.h"

#define KEY_ENTRIES  8   /* odd multiples 1..15 (width 5) */
#define BASE_ENTRIES 32  /* odd multiples 1..63 (width 7) */
#define NAF_LEN      130 /* digits of a 128-bit scalar, with room for the final carry */

static void
p1p1_to_p2(struct ge_p2 *r, const struct ge_p1p1 *p)
{
    e2e__fe_mul(&r->X, &p->X, &p->T);
    e2e__fe_mul(&r->Y, &p->Y, &p->Z);
    e2e__fe_mul(&r->Z, &p->Z, &p->T);
}

static void
p1p1_to_p3(struct ge_p3 *r, const struct ge_p1p1 *p)
{
    struct ge_p2 q;
    p1p1_to_p2(&q, p);
    r->X = q.X;
    r->Y = q.Y;
    r->Z = q.Z;
    e2e__fe_mul(&r->T, &p->X, &p->Y);
}

static void
p3_to_cached(struct ge_cached *r, const struct ge_p3 *p)
{
    e2e__fe_add(&r->YplusX, &p->Y, &p->X);
    e2e__fe_sub(&r->YminusX, &p->Y, &p->X);
    r->Z = p->Z;
    e2e__fe_mul(&r->T2d, &p->T, &ge_d2);
}

/* 2p, for p in projective coordinates */
static void
p2_dbl(struct ge_p1p1 *r, const struct ge_p2 *p)
{
    e2e__fe t0;
    e2e__fe_sq(&r->X, &p->X);
    e2e__fe_sq(&r->Z, &p->Y);
    e2e__fe_sq(&r->T, &p->Z);
    e2e__fe_add(&r->T, &r->T, &r->T);
    e2e__fe_add(&r->Y, &p->X, &p->Y);
    e2e__fe_sq(&t0, &r->Y);
    e2e__fe_add(&r->Y, &r->Z, &r->X);
    e2e__fe_sub(&r->Z, &r->Z, &r->X);
    e2e__fe_sub(&r->X, &t0, &r->Y);
    e2e__fe_sub(&r->T, &r->T, &r->Z);
}

static void
p3_dbl(struct ge_p1p1 *r, const struct ge_p3 *p)
{
    struct ge_p2 q = {p->X, p->Y, p->Z};
    p2_dbl(r, &q);
}

/* p + q (sign > 0) or p - q (sign < 0), q cached */
static void
add_cached(struct ge_p1p1 *r, const struct ge_p3 *p, const struct ge_cached *q)
{
    e2e__fe t0;
    e2e__fe_add(&r->X, &p->Y, &p->X);
    e2e__fe_sub(&r->Y, &p->Y, &p->X);
    e2e__fe_mul(&r->Z, &r->X, &q->YplusX);
    e2e__fe_mul(&r->Y, &r->Y, &q->YminusX);
    e2e__fe_mul(&r->T, &q->T2d, &p->T);
    e2e__fe_mul(&r->X, &p->Z, &q->Z);
    e2e__fe_add(&t0, &r->X, &r->X);
    e2e__fe_sub(&r->X, &r->Z, &r->Y);
    e2e__fe_add(&r->Y, &r->Z, &r->Y);
    e2e__fe_add(&r->Z, &t0, &r->T);
    e2e__fe_sub(&r->T, &t0, &r->T);
}

/* p + q when neg = 0, p - q when neg = 1; q affine */
static void
add_precomp(struct ge_p1p1 *r, const struct ge_p3 *p, const struct ge_precomp *q, int neg)
{
    e2e__fe t0;
    e2e__fe_add(&r->X, &p->Y, &p->X);
    e2e__fe_sub(&r->Y, &p->Y, &p->X);
    e2e__fe_mul(&r->Z, &r->X, neg ? &q->yminusx : &q->yplusx);
    e2e__fe_mul(&r->Y, &r->Y, neg ? &q->yplusx : &q->yminusx);
    e2e__fe_mul(&r->T, &q->xy2d, &p->T);
    e2e__fe_add(&t0, &p->Z, &p->Z);
    e2e__fe_sub(&r->X, &r->Z, &r->Y);
    e2e__fe_add(&r->Y, &r->Z, &r->Y);
    if (neg) {
        e2e__fe_sub(&r->Z, &t0, &r->T);
        e2e__fe_add(&r->T, &t0, &r->T);
    } else {
        e2e__fe_add(&r->Z, &t0, &r->T);
        e2e__fe_sub(&r->T, &t0, &r->T);
    }
}

/* ---------------------------------------------------------------------- key decoding ---- */

/* RFC 8032 5.1.3 with x chosen even; -1 when y^2 - 1 / (d y^2 + 1) has no square root. */
static int
decode_even(struct ge_p3 *h, const uint8_t y[32])
{
    e2e__fe u, v, v3, vxx, chk, one;
    e2e__fe_frombytes(&h->Y, y);
    e2e__fe_one(&one);
    h->Z = one;
    e2e__fe_sq(&u, &h->Y);
    e2e__fe_mul(&v, &u, &ge_d);
    e2e__fe_sub(&u, &u, &one); /* y^2 - 1 */
    e2e__fe_add(&v, &v, &one); /* d y^2 + 1 */
    e2e__fe_sq(&v3, &v);
    e2e__fe_mul(&v3, &v3, &v); /* v^3 */
    e2e__fe_sq(&h->X, &v3);
    e2e__fe_mul(&h->X, &h->X, &v);
    e2e__fe_mul(&h->X, &h->X, &u); /* u v^7 */
    e2e__fe_pow22523(&h->X, &h->X);
    e2e__fe_mul(&h->X, &h->X, &v3);
    e2e__fe_mul(&h->X, &h->X, &u); /* u v^3 (u v^7)^((p-5)/8) */
    e2e__fe_sq(&vxx, &h->X);
    e2e__fe_mul(&vxx, &vxx, &v);
    e2e__fe_sub(&chk, &vxx, &u);
    if (!e2e__fe_iszero(&chk)) {
        e2e__fe_add(&chk, &vxx, &u);
        if (!e2e__fe_iszero(&chk))
            return -1;
        e2e__fe_mul(&h->X, &h->X, &ge_sqrtm1);
    }
    if (e2e__fe_isnegative(&h->X))
        e2e__fe_neg(&h->X, &h->X);
    e2e__fe_mul(&h->T, &h->X, &h->Y);
    return 0;
}

/* libsodium's ge25519_has_small_order: the encodings (sign bit ignored) of points of order
 * 1, 2, 4 and 8, including the non-canonical ones of 0 and 1. */
static int
small_order(const uint8_t s[32])
{
    static const uint8_t list[7][32] = {
        {0},
        {1},
        {0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4,
         0x89, 0xf2, 0xef, 0x98, 0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6,
         0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05},
        {0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b,
         0x76, 0x0d, 0x10, 0x67, 0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39,
         0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a},
        {0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
         0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
         0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
        {0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
         0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
         0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
        {0xee, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
         0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
         0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
    };
    for (size_t i = 0; i < 7; i++) {
        uint8_t c = (uint8_t)((s[31] & 0x7f) ^ list[i][31]);
        for (size_t j = 0; j < 31; j++)
            c |= (uint8_t)(s[j] ^ list[i][j]);
        if (c == 0)
            return 1;
    }
    return 0;
}

/* y < p (bit 255 ignored) */
static int
canonical_y(const uint8_t s[32])
{
    if ((s[31] & 0x7f) != 0x7f || s[0] < 0xed)
        return 1;
    for (size_t i = 1; i < 31; i++)
        if (s[i] != 0xff)
            return 1;
    return 0;
}

/* s < L = 2^252 + 27742317777372353535851937790883648493 */
static int
canonical_scalar(const uint8_t s[32])
{
    static const uint8_t L[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                                  0xa2, 0xde, 0xf9, 0xde, 0x14, 0,    0,    0,    0,    0,    0,
                                  0,    0,    0,    0,    0,    0,    0,    0,    0,    0x10};
    for (int i = 31; i >= 0; i--) {
        if (s[i] != L[i])
            return s[i] < L[i];
    }
    return 0;
}

static void
store_entry(uint64_t *w, const struct ge_precomp *e)
{
    memcpy(w, e, sizeof *e);
}

static void
load_entry(struct ge_precomp *e, const uint64_t *w)
{
    memcpy(e, w, sizeof *e);
}

/* odd multiples P, 3P, ..., 15P of p into out[0..7], projective */
static void
odd_multiples(struct ge_p3 out[KEY_ENTRIES], const struct ge_p3 *p)
{
    struct ge_p1p1 t;
    struct ge_p3 p2;
    struct ge_cached c2;
    p3_dbl(&t, p);
    p1p1_to_p3(&p2, &t);
    p3_to_cached(&c2, &p2);
    out[0] = *p;
    for (size_t i = 1; i < KEY_ENTRIES; i++) {
        add_cached(&t, &out[i - 1], &c2);
        p1p1_to_p3(&out[i], &t);
    }
}

/* affine (y + x, y - x, 2dxy) of n points with one inversion (Montgomery's trick) */
static void
to_affine(uint64_t *table, const struct ge_p3 *pts, size_t n)
{
    e2e__fe acc[2 * KEY_ENTRIES], inv, zi, x, y;
    acc[0] = pts[0].Z;
    for (size_t i = 1; i < n; i++)
        e2e__fe_mul(&acc[i], &acc[i - 1], &pts[i].Z);
    e2e__fe_invert(&inv, &acc[n - 1]);
    for (size_t i = n; i-- > 0;) {
        if (i > 0) {
            e2e__fe_mul(&zi, &inv, &acc[i - 1]);
            e2e__fe_mul(&inv, &inv, &pts[i].Z);
        } else {
            zi = inv;
        }
        struct ge_precomp e;
        e2e__fe_mul(&x, &pts[i].X, &zi);
        e2e__fe_mul(&y, &pts[i].Y, &zi);
        e2e__fe_add(&e.yplusx, &y, &x);
        e2e__fe_sub(&e.yminusx, &y, &x);
        e2e__fe_mul(&e.xy2d, &x, &y);
        e2e__fe_mul(&e.xy2d, &e.xy2d, &ge_d2);
        store_entry(table + 15 * i, &e);
    }
}

int
e2e__ge_key_precompute(uint64_t table[E2E__GE_TABLE_WORDS], const uint8_t y[32])
{
    struct ge_p3 p, pts[2 * KEY_ENTRIES];
    memset(table, 0, E2E__GE_TABLE_WORDS * sizeof table[0]);
    if (!canonical_y(y) || small_order(y) || decode_even(&p, y) != 0)
        return -1;
    odd_multiples(pts, &p);
    for (int i = 0; i < 128; i++) {
        struct ge_p1p1 t;
        p3_dbl(&t, &p);
        p1p1_to_p3(&p, &t);
    }
    odd_multiples(pts + KEY_ENTRIES, &p);
    to_affine(table, pts, 2 * KEY_ENTRIES);
    return 0;
}

/* ------------------------------------------------------------------------ verification ---- */

/* width-w non-adjacent form of a 128-bit little-endian scalar: sum r[i] 2^i, r[i] odd in
 * (-2^(w-1), 2^(w-1)) or 0 */
static void
naf(int8_t r[NAF_LEN], const uint8_t k[16], unsigned w)
{
    uint64_t x[3] = {e2e_load64_le(k), e2e_load64_le(k + 8), 0};
    const uint64_t full = (uint64_t)1 << w, half = full >> 1;
    for (size_t i = 0; i < NAF_LEN; i++) {
        int d = 0;
        if (x[0] & 1) {
            uint64_t low = x[0] & (full - 1);
            if (low < half) {
                d = (int)low;
                x[0] -= low; /* clears the low w bits, no borrow */
            } else {
                d = (int)low - (int)full;
                uint64_t add = full - low;
                x[0] += add;
                if (x[0] < add && ++x[1] == 0)
                    x[2]++;
            }
        }
        r[i] = (int8_t)d;
        x[0] = x[0] >> 1 | x[1] << 63;
        x[1] = x[1] >> 1 | x[2] << 63;
        x[2] >>= 1;
    }
}

/* t = u + digit * table entry, where u = t converted; negate flips the digit's sign */
static void
step(struct ge_p1p1 *t, int d, const struct ge_precomp *tab, const uint64_t *words, int negate)
{
    if (d == 0)
        return;
    struct ge_p3 u;
    struct ge_precomp e;
    int neg = (d < 0) ^ negate;
    size_t idx = (size_t)((d < 0 ? -d : d) / 2);
    if (tab)
        e = tab[idx];
    else
        load_entry(&e, words + 15 * idx);
    p1p1_to_p3(&u, t);
    add_precomp(t, &u, &e, neg);
}

int
e2e__ge_verify(const uint64_t table[E2E__GE_TABLE_WORDS], const uint8_t A[32], const uint8_t *msg,
               size_t n, const uint8_t sig[64])
{
    uint8_t h[64], hr[32], check[32];
    int8_t s0[NAF_LEN], s1[NAF_LEN], h0[NAF_LEN], h1[NAF_LEN];
    if (!canonical_scalar(sig + 32) || small_order(sig))
        return -1;
    e2e__sodium_ready();
    crypto_hash_sha512_state hs;
    crypto_hash_sha512_init(&hs);
    crypto_hash_sha512_update(&hs, sig, 32);
    crypto_hash_sha512_update(&hs, A, 32);
    crypto_hash_sha512_update(&hs, msg, n);
    crypto_hash_sha512_final(&hs, h);
    crypto_core_ed25519_scalar_reduce(hr, h);

    naf(s0, sig + 32, 7);
    naf(s1, sig + 48, 7);
    naf(h0, hr, 5);
    naf(h1, hr + 16, 5);
    /* -hA: the table holds P with x even; A = P, or -P when A's sign bit is set */
    int negate_key = !(A[31] >> 7);

    int top = NAF_LEN - 1;
    while (top >= 0 && !(s0[top] | s1[top] | h0[top] | h1[top]))
        top--;
    struct ge_p2 r;
    memset(&r, 0, sizeof r);
    e2e__fe_one(&r.Y);
    e2e__fe_one(&r.Z);
    for (int i = top; i >= 0; i--) {
        struct ge_p1p1 t;
        p2_dbl(&t, &r);
        step(&t, s0[i], ge_base, NULL, 0);
        step(&t, s1[i], ge_base128, NULL, 0);
        step(&t, h0[i], NULL, table, negate_key);
        step(&t, h1[i], NULL, table + 15 * KEY_ENTRIES, negate_key);
        p1p1_to_p2(&r, &t);
    }
    e2e__fe zi, x, y;
    e2e__fe_invert(&zi, &r.Z);
    e2e__fe_mul(&x, &r.X, &zi);
    e2e__fe_mul(&y, &r.Y, &zi);
    e2e__fe_tobytes(check, &y);
    check[31] ^= (uint8_t)(e2e__fe_isnegative(&x) << 7);
    return e2e_ct_equal(check, sig, 32) ? 0 : -1;
}
