/* Internal to src/crypto: SHA-256 rounds on the SHA-NI instructions, as inline pieces that
 * other kernels can interleave with their own work (aes_sha.c runs them between AES rounds). */
#ifndef E2E_CRYPTO_SHA256_NI_H
#define E2E_CRYPTO_SHA256_NI_H

#include <stdint.h>

#if defined(__x86_64__) || defined(__i386__)
#define E2E_HAVE_SHANI_CODE 1
#include <immintrin.h>

#define E2E_SHANI __attribute__((target("sha,sse4.1")))

/* FIPS 180-4 section 4.2.2 */
static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* One SHA-256 computation in registers: the state as ABEF / CDGH (the layout SHA256RNDS2
 * works on) and the four most recent groups of schedule words. */
struct e2e__sha_lane {
    __m128i abef, cdgh, w[4];
};

E2E_SHANI static inline void
e2e__sha_lane_load(struct e2e__sha_lane *l, const uint32_t h[8])
{
    __m128i lo = _mm_loadu_si128((const __m128i *)(const void *)h);       /* a b c d */
    __m128i hi = _mm_loadu_si128((const __m128i *)(const void *)(h + 4)); /* e f g h */
    lo = _mm_shuffle_epi32(lo, 0xB1);                                     /* b a d c */
    hi = _mm_shuffle_epi32(hi, 0x1B);                                     /* h g f e */
    l->abef = _mm_alignr_epi8(lo, hi, 8);                                 /* f e b a */
    l->cdgh = _mm_blend_epi16(hi, lo, 0xF0);                              /* h g d c */
}

E2E_SHANI static inline void
e2e__sha_lane_store(const struct e2e__sha_lane *l, uint32_t h[8])
{
    __m128i t = _mm_shuffle_epi32(l->abef, 0x1B); /* a b e f */
    __m128i u = _mm_shuffle_epi32(l->cdgh, 0xB1); /* g h c d */
    _mm_storeu_si128((__m128i *)(void *)h, _mm_blend_epi16(t, u, 0xF0));
    _mm_storeu_si128((__m128i *)(void *)(h + 4), _mm_alignr_epi8(u, t, 8));
}

/* Rounds 4i .. 4i + 3 of the 64-byte block p (FIPS 180-4 6.2.2): the schedule words loaded
 * (i < 4) or extended (W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16], four at a time),
 * then two SHA256RNDS2 of two rounds each. The caller adds the saved state after i = 15. */
E2E_SHANI static inline void
e2e__sha_lane_rounds(struct e2e__sha_lane *l, const uint8_t *p, int i)
{
    /* big-endian words: reverse the bytes inside each 32-bit lane */
    const __m128i bswap = _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);
    __m128i *m = &l->w[i & 3];
    if (i < 4) {
        *m = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i)), bswap);
    } else {
        __m128i t = _mm_sha256msg1_epu32(*m, l->w[(i + 1) & 3]);
        t = _mm_add_epi32(t, _mm_alignr_epi8(l->w[(i + 3) & 3], l->w[(i + 2) & 3], 4));
        *m = _mm_sha256msg2_epu32(t, l->w[(i + 3) & 3]);
    }
    __m128i k = _mm_add_epi32(*m, _mm_loadu_si128((const __m128i *)(const void *)&K256[4 * i]));
    l->cdgh = _mm_sha256rnds2_epu32(l->cdgh, l->abef, k);
    l->abef = _mm_sha256rnds2_epu32(l->abef, l->cdgh, _mm_shuffle_epi32(k, 0x0E));
}
#else
#define E2E_HAVE_SHANI_CODE 0
#endif

#endif
