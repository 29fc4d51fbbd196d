/*
 * Salsa20/20 with 256-bit keys (libsodium's stream) and 128-bit keys. For
 * 128-bit keys ("expand 16-byte k", the 16-byte key in both key positions)
 * libsodium has only its one-block core function; four blocks at a time with
 * SSE2 run about four times faster, and the core does the last partial group.
 */
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <sodium.h>

#include <e2ekit/crypto.h>

#include "core/util.h"
#include "crypto/sodium.h"

static const uint8_t tau[16] = "expand 16-byte k";

#if defined(__SSE2__)
static inline __m128i
rotl(__m128i x, int c)
{
    return _mm_or_si128(_mm_slli_epi32(x, c), _mm_srli_epi32(x, 32 - c));
}

#define QR(a, b, c, d)                                                                             \
    do {                                                                                           \
        b = _mm_xor_si128(b, rotl(_mm_add_epi32(a, d), 7));                                       \
        c = _mm_xor_si128(c, rotl(_mm_add_epi32(b, a), 9));                                       \
        d = _mm_xor_si128(d, rotl(_mm_add_epi32(c, b), 13));                                      \
        a = _mm_xor_si128(a, rotl(_mm_add_epi32(d, c), 18));                                      \
    } while (0)

/* Four consecutive blocks from `block`, XORed into out from in: vector i holds word i of each
 * of the four. x and y are the caller's, so that it wipes them once. */
static void
salsa20_4blocks(uint8_t *out, const uint8_t *in, const uint32_t st[16], uint64_t block,
                __m128i x[16], __m128i y[16])
{
    for (int i = 0; i < 16; i++)
        x[i] = _mm_set1_epi32((int)st[i]);
    x[8] = _mm_set_epi32((int)(uint32_t)(block + 3), (int)(uint32_t)(block + 2),
                         (int)(uint32_t)(block + 1), (int)(uint32_t)block);
    x[9] = _mm_set_epi32((int)(uint32_t)((block + 3) >> 32), (int)(uint32_t)((block + 2) >> 32),
                         (int)(uint32_t)((block + 1) >> 32), (int)(uint32_t)(block >> 32));
    for (int i = 0; i < 16; i++)
        y[i] = x[i];
    for (int r = 0; r < 10; r++) {
        QR(y[0], y[4], y[8], y[12]);
        QR(y[5], y[9], y[13], y[1]);
        QR(y[10], y[14], y[2], y[6]);
        QR(y[15], y[3], y[7], y[11]);
        QR(y[0], y[1], y[2], y[3]);
        QR(y[5], y[6], y[7], y[4]);
        QR(y[10], y[11], y[8], y[9]);
        QR(y[15], y[12], y[13], y[14]);
    }
    for (int q = 0; q < 4; q++) {
        /* words 4q..4q+3 of the four blocks, transposed to block order */
        __m128i a = _mm_add_epi32(y[4 * q], x[4 * q]);
        __m128i b = _mm_add_epi32(y[4 * q + 1], x[4 * q + 1]);
        __m128i c = _mm_add_epi32(y[4 * q + 2], x[4 * q + 2]);
        __m128i d = _mm_add_epi32(y[4 * q + 3], x[4 * q + 3]);
        __m128i ab0 = _mm_unpacklo_epi32(a, b), ab1 = _mm_unpackhi_epi32(a, b);
        __m128i cd0 = _mm_unpacklo_epi32(c, d), cd1 = _mm_unpackhi_epi32(c, d);
        __m128i blk[4] = {_mm_unpacklo_epi64(ab0, cd0), _mm_unpackhi_epi64(ab0, cd0),
                          _mm_unpacklo_epi64(ab1, cd1), _mm_unpackhi_epi64(ab1, cd1)};
        for (int j = 0; j < 4; j++) {
            size_t o = 64 * (size_t)j + 16 * (size_t)q;
            __m128i m = _mm_loadu_si128((const __m128i *)(const void *)(in + o));
            _mm_storeu_si128((__m128i *)(void *)(out + o), _mm_xor_si128(m, blk[j]));
        }
    }
}

/* Whole groups of four blocks; returns how many bytes it did. */
static size_t
salsa20_128_simd(uint8_t *out, const uint8_t *in, size_t n, const uint8_t nonce[8],
                 uint64_t block, const uint8_t key[16])
{
    uint32_t st[16];
    __m128i x[16], y[16];
    size_t done = 0;
    for (int i = 0; i < 4; i++) {
        st[5 * i] = e2e_load32_le(tau + 4 * i); /* words 0, 5, 10, 15 */
        st[1 + i] = st[11 + i] = e2e_load32_le(key + 4 * i);
    }
    st[6] = e2e_load32_le(nonce);
    st[7] = e2e_load32_le(nonce + 4);
    st[8] = st[9] = 0;
    for (; n - done >= 256; done += 256, block += 4)
        salsa20_4blocks(out + done, in + done, st, block, x, y);
    e2e_wipe(st, sizeof st);
    e2e_wipe(x, sizeof x);
    e2e_wipe(y, sizeof y);
    return done;
}
#endif

static int
salsa20_128_xor(uint8_t *out, const uint8_t *in, size_t n, const uint8_t nonce[8], uint64_t block,
                const uint8_t key[16])
{
    uint8_t k[32], inp[16], ks[64];
#if defined(__SSE2__)
    size_t done = salsa20_128_simd(out, in, n, nonce, block, key);
    out += done;
    in += done;
    n -= done;
    block += done / 64;
#endif
    memcpy(k, key, 16);
    memcpy(k + 16, key, 16);
    memcpy(inp, nonce, 8);
    while (n) {
        e2e_store64_le(inp + 8, block++);
        crypto_core_salsa20(ks, inp, k, tau);
        size_t m = E2E_MIN(n, sizeof ks);
        for (size_t i = 0; i < m; i++)
            out[i] = (uint8_t)(in[i] ^ ks[i]);
        in += m;
        out += m;
        n -= m;
    }
    e2e_wipe(k, sizeof k);
    e2e_wipe(ks, sizeof ks);
    return E2E_OK;
}

int
e2e_salsa20_xor(uint8_t *out, const uint8_t *in, size_t n, const uint8_t nonce[8], uint64_t block,
                const uint8_t *key, size_t key_len)
{
    if (!key || !nonce || ((!in || !out) && n))
        return E2E_ERR_INVALID;
    e2e__sodium_ready();
    if (key_len == 16)
        return salsa20_128_xor(out, in, n, nonce, block, key);
    if (key_len != 32)
        return E2E_ERR_INVALID;
    if (n && crypto_stream_salsa20_xor_ic(out, in, n, nonce, block, key) != 0)
        return E2E_ERR_CRYPTO;
    return E2E_OK;
}
