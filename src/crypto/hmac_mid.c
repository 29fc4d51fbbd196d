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
#include "crypto/sha256_ni.h"

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

#if E2E_HAVE_SHANI_CODE
int
e2e__shani_available(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("sha") && __builtin_cpu_supports("sse4.1");
}

E2E_SHANI static void
compress_shani(uint32_t h[8], const uint8_t *p, size_t blocks)
{
    struct e2e__sha_lane l;
    e2e__sha_lane_load(&l, h);
    for (; blocks--; p += 64) {
        __m128i save_abef = l.abef, save_cdgh = l.cdgh;
        for (int i = 0; i < 16; i++)
            e2e__sha_lane_rounds(&l, p, i);
        l.abef = _mm_add_epi32(l.abef, save_abef);
        l.cdgh = _mm_add_epi32(l.cdgh, save_cdgh);
    }
    e2e__sha_lane_store(&l, h);
}

static void
compress(uint32_t h[8], const uint8_t *p, size_t blocks)
{
    if (e2e__shani_available())
        compress_shani(h, p, blocks);
    else
        e2e__sha256_compress_portable(h, p, blocks);
}
#else
int
e2e__shani_available(void)
{
    return 0;
}

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

void
e2e__sha_stream_init(struct e2e__sha_stream *s)
{
    memcpy(s->h, IV256, 32);
    s->used = 0;
    s->total = 0;
}

void
e2e__sha_stream_start(struct e2e__sha_stream *s, const uint32_t mid[8])
{
    memcpy(s->h, mid, 32);
    s->used = 0;
    s->total = 64; /* the pad block already in the midstate */
}

void
e2e__sha_stream_feed(struct e2e__sha_stream *s, const uint8_t *p, size_t n)
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

void
e2e__sha_stream_finish(struct e2e__sha_stream *s, uint8_t out[32])
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
e2e__hmac_mid_outer(uint8_t out[32], const e2e_hmac_sha256_key *k, struct e2e__sha_stream *s)
{
    e2e__sha_stream_finish(s, s->ih);
    e2e__sha_stream_start(s, k->outer);
    e2e__sha_stream_feed(s, s->ih, 32);
    e2e__sha_stream_finish(s, out);
    e2e_wipe(s, sizeof *s);
}

void
e2e_hmac_sha256_mid(uint8_t out[32], const e2e_hmac_sha256_key *k, const uint8_t *a, size_t an,
                    const uint8_t *b, size_t bn, const uint8_t *c, size_t cn)
{
    struct e2e__sha_stream s;
    e2e__sha_stream_start(&s, k->inner);
    e2e__sha_stream_feed(&s, a, an);
    e2e__sha_stream_feed(&s, b, bn);
    e2e__sha_stream_feed(&s, c, cn);
    e2e__hmac_mid_outer(out, k, &s);
}
