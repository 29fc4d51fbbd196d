/*
 * HMAC-SHA256 on midstates (see crypto.h): the key's inner and outer pad states are kept as
 * two SHA-256 chaining values and the compression function runs straight on the caller's
 * bytes. The compression is the SHA-NI instruction sequence when the CPU has the SHA
 * extensions (FIPS 180-4 section 6.2.2 rounds, two per SHA256RNDS2, the message schedule by
 * SHA256MSG1 / SHA256MSG2), otherwise OpenSSL's own block function.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <string.h>

#include <openssl/sha.h>

#include <e2ekit/crypto.h>

#include "core/util.h"
#include "crypto/sha256_compress.h"

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

/* FIPS 180-4 section 5.3.3 */
static const uint32_t IV256[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

/* ---- the compression function ------------------------------------------------------------ */

void
e2e__sha256_compress_portable(uint32_t h[8], const uint8_t *p, size_t blocks)
{
    SHA256_CTX c;
    memcpy(c.h, h, 32);
    while (blocks--) {
        SHA256_Transform(&c, p);
        p += 64;
    }
    memcpy(h, c.h, 32);
    e2e_wipe(&c, sizeof c);
}

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define SHANI __attribute__((target("sha,sse4.1")))

static int
shani_available(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("sha") && __builtin_cpu_supports("sse4.1");
}

/* Four rounds with the schedule words w (already byte-swapped): ABEF and CDGH advance. */
SHANI static inline void
rounds4(__m128i *abef, __m128i *cdgh, __m128i w, int i)
{
    __m128i k = _mm_add_epi32(w, _mm_loadu_si128((const __m128i *)(const void *)&K256[4 * i]));
    *cdgh = _mm_sha256rnds2_epu32(*cdgh, *abef, k);
    *abef = _mm_sha256rnds2_epu32(*abef, *cdgh, _mm_shuffle_epi32(k, 0x0E));
}

SHANI static void
compress_shani(uint32_t h[8], const uint8_t *p, size_t blocks)
{
    /* big-endian words: reverse the bytes inside each 32-bit lane */
    const __m128i bswap = _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);
    __m128i lo = _mm_loadu_si128((const __m128i *)(const void *)h);       /* a b c d */
    __m128i hi = _mm_loadu_si128((const __m128i *)(const void *)(h + 4)); /* e f g h */
    lo = _mm_shuffle_epi32(lo, 0xB1);                                     /* b a d c */
    hi = _mm_shuffle_epi32(hi, 0x1B);                                     /* h g f e */
    __m128i abef = _mm_alignr_epi8(lo, hi, 8);                            /* f e b a */
    __m128i cdgh = _mm_blend_epi16(hi, lo, 0xF0);                         /* h g d c */
    while (blocks--) {
        __m128i save_abef = abef, save_cdgh = cdgh, w[4];
        for (int i = 0; i < 16; i++) {
            __m128i *m = &w[i & 3];
            if (i < 4) {
                *m = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i)),
                                      bswap);
            } else {
                /* W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16], four at a time */
                __m128i t = _mm_sha256msg1_epu32(*m, w[(i + 1) & 3]);
                t = _mm_add_epi32(t, _mm_alignr_epi8(w[(i + 3) & 3], w[(i + 2) & 3], 4));
                *m = _mm_sha256msg2_epu32(t, w[(i + 3) & 3]);
            }
            rounds4(&abef, &cdgh, *m, i);
        }
        abef = _mm_add_epi32(abef, save_abef);
        cdgh = _mm_add_epi32(cdgh, save_cdgh);
        p += 64;
    }
    __m128i t = _mm_shuffle_epi32(abef, 0x1B); /* a b e f */
    cdgh = _mm_shuffle_epi32(cdgh, 0xB1);      /* g h c d */
    _mm_storeu_si128((__m128i *)(void *)h, _mm_blend_epi16(t, cdgh, 0xF0));
    _mm_storeu_si128((__m128i *)(void *)(h + 4), _mm_alignr_epi8(cdgh, t, 8));
}

static void
compress(uint32_t h[8], const uint8_t *p, size_t blocks)
{
    if (shani_available())
        compress_shani(h, p, blocks);
    else
        e2e__sha256_compress_portable(h, p, blocks);
}
#else
static void
compress(uint32_t h[8], const uint8_t *p, size_t blocks)
{
    e2e__sha256_compress_portable(h, p, blocks);
}
#endif

void
e2e__sha256_compress(uint32_t h[8], const uint8_t *p, size_t blocks)
{
    compress(h, p, blocks);
}

/* ---- HMAC -------------------------------------------------------------------------------------
 */

static void
pad_state(uint32_t h[8], const uint8_t key[64], uint8_t x)
{
    uint8_t block[64];
    for (int i = 0; i < 64; i++)
        block[i] = (uint8_t)(key[i] ^ x);
    memcpy(h, IV256, sizeof IV256);
    compress(h, block, 1);
    e2e_wipe(block, sizeof block);
}

void
e2e_hmac_sha256_mid_init(e2e_hmac_sha256_key *k, const uint8_t *key, size_t key_len)
{
    uint8_t kb[64];
    memset(kb, 0, sizeof kb);
    if (key_len > 64)
        e2e_sha256(kb, key, key_len);
    else if (key_len)
        memcpy(kb, key, key_len);
    pad_state(k->inner, kb, 0x36);
    pad_state(k->outer, kb, 0x5C);
    e2e_wipe(kb, sizeof kb);
}

/* Streams pieces through 64-byte blocks: whole blocks straight from the input. */
struct stream {
    uint32_t h[8];
    uint8_t buf[64];
    uint8_t ih[32]; /* the inner hash, kept here so that one wipe covers everything */
    size_t used;
    uint64_t total;
};

static void
feed(struct stream *s, const uint8_t *p, size_t n)
{
    if (n == 0)
        return;
    s->total += n;
    if (s->used) {
        size_t k = 64 - s->used < n ? 64 - s->used : n;
        memcpy(s->buf + s->used, p, k);
        s->used += k;
        p += k;
        n -= k;
        if (s->used < 64)
            return;
        compress(s->h, s->buf, 1);
        s->used = 0;
    }
    if (n >= 64) {
        compress(s->h, p, n / 64);
        p += n / 64 * 64;
        n %= 64;
    }
    memcpy(s->buf, p, n);
    s->used = n;
}

static void
finish(struct stream *s, uint8_t out[32])
{
    uint64_t bits = s->total * 8;
    s->buf[s->used++] = 0x80;
    if (s->used > 56) {
        memset(s->buf + s->used, 0, 64 - s->used);
        compress(s->h, s->buf, 1);
        s->used = 0;
    }
    memset(s->buf + s->used, 0, 56 - s->used);
    e2e_store64_be(s->buf + 56, bits);
    compress(s->h, s->buf, 1);
    for (int i = 0; i < 8; i++)
        e2e_store32_be(out + 4 * i, s->h[i]);
}

void
e2e_hmac_sha256_mid(uint8_t out[32], const e2e_hmac_sha256_key *k, const uint8_t *a, size_t an,
                    const uint8_t *b, size_t bn, const uint8_t *c, size_t cn)
{
    struct stream s;
    memcpy(s.h, k->inner, 32);
    s.used = 0;
    s.total = 64;
    feed(&s, a, an);
    feed(&s, b, bn);
    feed(&s, c, cn);
    finish(&s, s.ih);
    memcpy(s.h, k->outer, 32);
    s.used = 0;
    s.total = 64;
    feed(&s, s.ih, 32);
    finish(&s, out);
    e2e_wipe(&s, sizeof s);
}
