/*
 * AES with the AES-NI instructions: key schedules for 128- and 256-bit keys
 * and the modes e2ekit needs. Functions carry a target attribute so that the
 * rest of the library builds for baseline x86-64; aes.c calls them only after
 * checking the CPU (e2e_aes_has_aesni).
 *
 * CBC decryption, CTR and ICM run eight blocks at a time to fill the AES
 * pipeline; CBC encryption and IGE are serial by construction.
 */
#include "crypto/aes_impl.h"

#if defined(__x86_64__) || defined(__i386__)

#include <string.h>

#include <emmintrin.h>
#include <smmintrin.h>
#include <wmmintrin.h>

#define AESNI __attribute__((target("aes,sse4.1")))

static inline __m128i
load(const uint8_t *p)
{
    return _mm_loadu_si128((const __m128i *)(const void *)p);
}

static inline void
store(uint8_t *p, __m128i v)
{
    _mm_storeu_si128((__m128i *)(void *)p, v);
}

static inline const __m128i *
enc_keys(const e2e_aes_key *k)
{
    return (const __m128i *)(const void *)k->enc;
}

static inline const __m128i *
dec_keys(const e2e_aes_key *k)
{
    return (const __m128i *)(const void *)k->dec;
}

/* w[i..i+4) from w[i-4..i) (prev) and the assisted word broadcast in t */
AESNI static inline __m128i
expand_step(__m128i prev, __m128i t)
{
    prev = _mm_xor_si128(prev, _mm_slli_si128(prev, 4));
    prev = _mm_xor_si128(prev, _mm_slli_si128(prev, 4));
    prev = _mm_xor_si128(prev, _mm_slli_si128(prev, 4));
    return _mm_xor_si128(prev, t);
}

#define STEP128(rk, i, rcon)                                                                       \
    rk[i] = expand_step(rk[i - 1], _mm_shuffle_epi32(_mm_aeskeygenassist_si128(rk[i - 1], rcon),   \
                                                     0xff))
#define STEP256A(rk, i, rcon)                                                                      \
    rk[i] = expand_step(rk[i - 2], _mm_shuffle_epi32(_mm_aeskeygenassist_si128(rk[i - 1], rcon),   \
                                                     0xff))
#define STEP256B(rk, i)                                                                            \
    rk[i] =                                                                                        \
        expand_step(rk[i - 2], _mm_shuffle_epi32(_mm_aeskeygenassist_si128(rk[i - 1], 0), 0xaa))

AESNI void
e2e__aesni_setkey(e2e_aes_key *k, const uint8_t *key, size_t key_len, int with_dec)
{
    __m128i rk[15], dk[15];
    if (key_len == 16) {
        k->rounds = 10;
        rk[0] = load(key);
        STEP128(rk, 1, 0x01);
        STEP128(rk, 2, 0x02);
        STEP128(rk, 3, 0x04);
        STEP128(rk, 4, 0x08);
        STEP128(rk, 5, 0x10);
        STEP128(rk, 6, 0x20);
        STEP128(rk, 7, 0x40);
        STEP128(rk, 8, 0x80);
        STEP128(rk, 9, 0x1b);
        STEP128(rk, 10, 0x36);
    } else {
        k->rounds = 14;
        rk[0] = load(key);
        rk[1] = load(key + 16);
        STEP256A(rk, 2, 0x01);
        STEP256B(rk, 3);
        STEP256A(rk, 4, 0x02);
        STEP256B(rk, 5);
        STEP256A(rk, 6, 0x04);
        STEP256B(rk, 7);
        STEP256A(rk, 8, 0x08);
        STEP256B(rk, 9);
        STEP256A(rk, 10, 0x10);
        STEP256B(rk, 11);
        STEP256A(rk, 12, 0x20);
        STEP256B(rk, 13);
        STEP256A(rk, 14, 0x40);
    }
    unsigned nr = k->rounds;
    memcpy(k->enc, rk, 16 * (nr + 1));
    e2e_wipe(rk, 16 * (nr + 1));
    if (!with_dec)
        return;
    /* the equivalent inverse cipher's keys */
    const __m128i *ek = enc_keys(k);
    dk[0] = ek[nr];
    for (unsigned i = 1; i < nr; i++)
        dk[i] = _mm_aesimc_si128(ek[nr - i]);
    dk[nr] = ek[0];
    memcpy(k->dec, dk, 16 * (nr + 1));
    e2e_wipe(dk, 16 * (nr + 1));
}

AESNI static inline __m128i
enc1(const __m128i *rk, unsigned nr, __m128i x)
{
    x = _mm_xor_si128(x, rk[0]);
    for (unsigned i = 1; i < nr; i++)
        x = _mm_aesenc_si128(x, rk[i]);
    return _mm_aesenclast_si128(x, rk[nr]);
}

AESNI static inline __m128i
dec1(const __m128i *dk, unsigned nr, __m128i x)
{
    x = _mm_xor_si128(x, dk[0]);
    for (unsigned i = 1; i < nr; i++)
        x = _mm_aesdec_si128(x, dk[i]);
    return _mm_aesdeclast_si128(x, dk[nr]);
}

/* Eight independent blocks through the rounds together: two AES units with a latency of about
 * four cycles need eight blocks in flight to stay busy. */
#define WAYS 8

AESNI static inline void
encN(const __m128i *rk, unsigned nr, __m128i x[WAYS])
{
    for (int j = 0; j < WAYS; j++)
        x[j] = _mm_xor_si128(x[j], rk[0]);
    for (unsigned i = 1; i < nr; i++) {
        __m128i k = rk[i];
        for (int j = 0; j < WAYS; j++)
            x[j] = _mm_aesenc_si128(x[j], k);
    }
    for (int j = 0; j < WAYS; j++)
        x[j] = _mm_aesenclast_si128(x[j], rk[nr]);
}

AESNI static inline void
decN(const __m128i *dk, unsigned nr, __m128i x[WAYS])
{
    for (int j = 0; j < WAYS; j++)
        x[j] = _mm_xor_si128(x[j], dk[0]);
    for (unsigned i = 1; i < nr; i++) {
        __m128i k = dk[i];
        for (int j = 0; j < WAYS; j++)
            x[j] = _mm_aesdec_si128(x[j], k);
    }
    for (int j = 0; j < WAYS; j++)
        x[j] = _mm_aesdeclast_si128(x[j], dk[nr]);
}

AESNI void
e2e__aesni_encrypt_block(const e2e_aes_key *k, uint8_t out[16], const uint8_t in[16])
{
    store(out, enc1(enc_keys(k), k->rounds, load(in)));
}

AESNI void
e2e__aesni_decrypt_block(const e2e_aes_key *k, uint8_t out[16], const uint8_t in[16])
{
    store(out, dec1(dec_keys(k), k->rounds, load(in)));
}

AESNI void
e2e__aesni_cbc_encrypt(const e2e_aes_key *k, uint8_t iv[16], const uint8_t *in, size_t nblocks,
                       uint8_t *out)
{
    const __m128i *rk = enc_keys(k);
    __m128i c = load(iv);
    for (size_t i = 0; i < nblocks; i++) {
        c = enc1(rk, k->rounds, _mm_xor_si128(load(in + 16 * i), c));
        store(out + 16 * i, c);
    }
    store(iv, c);
}

AESNI void
e2e__aesni_cbc_decrypt(const e2e_aes_key *k, uint8_t iv[16], const uint8_t *in, size_t nblocks,
                       uint8_t *out)
{
    const __m128i *dk = dec_keys(k);
    unsigned nr = k->rounds;
    __m128i prev = load(iv);
    size_t i = 0;
    for (; i + WAYS <= nblocks; i += WAYS) {
        __m128i c[WAYS], p[WAYS];
        for (int j = 0; j < WAYS; j++)
            p[j] = c[j] = load(in + 16 * (i + (size_t)j));
        decN(dk, nr, p);
        store(out + 16 * i, _mm_xor_si128(p[0], prev));
        for (int j = 1; j < WAYS; j++)
            store(out + 16 * (i + (size_t)j), _mm_xor_si128(p[j], c[j - 1]));
        prev = c[WAYS - 1];
    }
    for (; i < nblocks; i++) {
        __m128i c = load(in + 16 * i);
        store(out + 16 * i, _mm_xor_si128(dec1(dk, nr, c), prev));
        prev = c;
    }
    store(iv, prev);
}

/* Counter block from a 128-bit big-endian counter held as (hi, lo). */
AESNI static inline __m128i
ctr_block(uint64_t hi, uint64_t lo)
{
    return _mm_set_epi64x((long long)__builtin_bswap64(lo), (long long)__builtin_bswap64(hi));
}

AESNI void
e2e__aesni_ctr(const e2e_aes_key *k, uint64_t hi, uint64_t lo, size_t skip, const uint8_t *in,
               size_t n, uint8_t *out)
{
    const __m128i *rk = enc_keys(k);
    unsigned nr = k->rounds;
    if (skip) {
        uint8_t ks[16];
        store(ks, enc1(rk, nr, ctr_block(hi, lo)));
        size_t m = 16 - skip < n ? 16 - skip : n;
        for (size_t j = 0; j < m; j++)
            out[j] = (uint8_t)(in[j] ^ ks[skip + j]);
        e2e_wipe(ks, sizeof ks);
        in += m;
        out += m;
        n -= m;
        hi += ++lo == 0;
    }
    while (n >= 16 * WAYS) {
        __m128i x[WAYS];
        for (int j = 0; j < WAYS; j++) {
            x[j] = ctr_block(hi, lo);
            hi += ++lo == 0;
        }
        encN(rk, nr, x);
        for (int j = 0; j < WAYS; j++)
            store(out + 16 * j, _mm_xor_si128(x[j], load(in + 16 * j)));
        in += 16 * WAYS;
        out += 16 * WAYS;
        n -= 16 * WAYS;
    }
    while (n) {
        uint8_t ks[16];
        store(ks, enc1(rk, nr, ctr_block(hi, lo)));
        hi += ++lo == 0;
        size_t m = n < 16 ? n : 16;
        for (size_t j = 0; j < m; j++)
            out[j] = (uint8_t)(in[j] ^ ks[j]);
        e2e_wipe(ks, sizeof ks);
        in += m;
        out += m;
        n -= m;
    }
}

/*
 * IGE is serial: each block waits for the previous one. The chaining XORs are folded into
 * the first and last round keys (aesenclast ends with an XOR of its key), so that the
 * critical path is one XOR and the rounds: c_i = E'(c_{i-1} ^ (p_i ^ k0)) with the last key
 * k_last ^ p_{i-1}; both folded values are computed off the critical path.
 */
AESNI void
e2e__aesni_ige_encrypt(const e2e_aes_key *k, uint8_t iv[32], const uint8_t *in, size_t nblocks,
                       uint8_t *out)
{
    const __m128i *rk = enc_keys(k);
    unsigned nr = k->rounds;
    __m128i c_prev = load(iv), p_prev = load(iv + 16);
    for (size_t i = 0; i < nblocks; i++) {
        __m128i p = load(in + 16 * i);
        __m128i last = _mm_xor_si128(rk[nr], p_prev);
        __m128i x = _mm_xor_si128(c_prev, _mm_xor_si128(p, rk[0]));
        for (unsigned r = 1; r < nr; r++)
            x = _mm_aesenc_si128(x, rk[r]);
        c_prev = _mm_aesenclast_si128(x, last);
        store(out + 16 * i, c_prev);
        p_prev = p;
    }
    store(iv, c_prev);
    store(iv + 16, p_prev);
}

AESNI void
e2e__aesni_ige_decrypt(const e2e_aes_key *k, uint8_t iv[32], const uint8_t *in, size_t nblocks,
                       uint8_t *out)
{
    const __m128i *dk = dec_keys(k);
    unsigned nr = k->rounds;
    __m128i c_prev = load(iv), p_prev = load(iv + 16);
    for (size_t i = 0; i < nblocks; i++) {
        /* p_i = D(c_i ^ p_{i-1}) ^ c_{i-1}, the XORs folded as in encryption */
        __m128i c = load(in + 16 * i);
        __m128i last = _mm_xor_si128(dk[nr], c_prev);
        __m128i x = _mm_xor_si128(p_prev, _mm_xor_si128(c, dk[0]));
        for (unsigned r = 1; r < nr; r++)
            x = _mm_aesdec_si128(x, dk[r]);
        p_prev = _mm_aesdeclast_si128(x, last);
        store(out + 16 * i, p_prev);
        c_prev = c;
    }
    store(iv, c_prev);
    store(iv + 16, p_prev);
}

int
e2e__aesni_available(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("aes") && __builtin_cpu_supports("sse4.1");
}

#else /* not x86 */

int
e2e__aesni_available(void)
{
    return 0;
}

#endif
