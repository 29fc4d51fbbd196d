/*
 * AES-256-CBC with PKCS#7 and HMAC-SHA256 over the ciphertext in one pass (see crypto.h).
 *
 * CBC encryption is a chain of dependent AES rounds: the AES unit waits on latency most of the
 * time. The SHA-256 rounds of the MAC run on other units, so the kernel below issues one SHA
 * block's rounds between the AES rounds of every 64 bytes of ciphertext: the SHA block hashed
 * while chunk j is encrypted is the one that ended inside chunk j - 1. Decryption has the whole
 * ciphertext from the start and pairs SHA block k with AES chunk k. Without AES-NI and SHA-NI,
 * or for a key on the portable AES back end, the same results come from the plain sequence.
 */
#include <string.h>

#include <e2ekit/crypto.h>

#include "crypto/sha256_compress.h"
#include "crypto/sha256_ni.h"

/* The three MAC pieces before the ciphertext. */
static void
feed_heads(struct e2e__sha_stream *s, const struct e2e_mac_pieces *h)
{
    e2e__sha_stream_feed(s, h->a, h->an);
    e2e__sha_stream_feed(s, h->b, h->bn);
    e2e__sha_stream_feed(s, h->c, h->cn);
}

/* Checks the PKCS#7 padding of the last plaintext block without branching on its bytes. */
static int
unpad(const uint8_t last[16], size_t n, size_t *len)
{
    unsigned pad = last[15];
    unsigned bad = (unsigned)(pad == 0) | (unsigned)(pad > 16);
    for (unsigned i = 0; i < 16; i++)
        bad |= (unsigned)(i >= 16 - pad) & (unsigned)(last[i] != pad);
    if (bad)
        return E2E_ERR_MALFORMED;
    *len = n - pad;
    return E2E_OK;
}

#if E2E_HAVE_SHANI_CODE

#define E2E_AES_SHA __attribute__((target("aes,sha,sse4.1")))

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

#define ENC(x, r) x = _mm_aesenc_si128(x, rk[r])

/* One AES-256 block (14 rounds) with SHA round groups 4q .. 4q + 3 of block sb in between. */
E2E_AES_SHA static inline __m128i
enc_block_sha(const __m128i *rk, __m128i x, struct e2e__sha_lane *l, const uint8_t *sb, int q)
{
    x = _mm_xor_si128(x, rk[0]);
    ENC(x, 1), ENC(x, 2), ENC(x, 3);
    e2e__sha_lane_rounds(l, sb, 4 * q);
    ENC(x, 4), ENC(x, 5), ENC(x, 6);
    e2e__sha_lane_rounds(l, sb, 4 * q + 1);
    ENC(x, 7), ENC(x, 8), ENC(x, 9);
    e2e__sha_lane_rounds(l, sb, 4 * q + 2);
    ENC(x, 10), ENC(x, 11), ENC(x, 12), ENC(x, 13);
    e2e__sha_lane_rounds(l, sb, 4 * q + 3);
    return _mm_aesenclast_si128(x, rk[14]);
}

E2E_AES_SHA static inline __m128i
enc_block(const __m128i *rk, __m128i x)
{
    x = _mm_xor_si128(x, rk[0]);
    for (int r = 1; r < 14; r++)
        x = _mm_aesenc_si128(x, rk[r]);
    return _mm_aesenclast_si128(x, rk[14]);
}

/* Encrypts four blocks (64 bytes), hashing the SHA block sb (if any) alongside. */
E2E_AES_SHA static void
enc_chunk(const __m128i *rk, __m128i *chain, const uint8_t *in, uint8_t *out,
          struct e2e__sha_lane *l, const uint8_t *sb)
{
    __m128i c = *chain;
    if (!sb) {
        for (int q = 0; q < 4; q++) {
            c = enc_block(rk, _mm_xor_si128(load(in + 16 * q), c));
            store(out + 16 * q, c);
        }
        *chain = c;
        return;
    }
    __m128i save_abef = l->abef, save_cdgh = l->cdgh;
    c = enc_block_sha(rk, _mm_xor_si128(load(in), c), l, sb, 0);
    store(out, c);
    c = enc_block_sha(rk, _mm_xor_si128(load(in + 16), c), l, sb, 1);
    store(out + 16, c);
    c = enc_block_sha(rk, _mm_xor_si128(load(in + 32), c), l, sb, 2);
    store(out + 32, c);
    c = enc_block_sha(rk, _mm_xor_si128(load(in + 48), c), l, sb, 3);
    store(out + 48, c);
    l->abef = _mm_add_epi32(l->abef, save_abef);
    l->cdgh = _mm_add_epi32(l->cdgh, save_cdgh);
    *chain = c;
}

/*
 * The SHA block that ends `k` blocks into the ciphertext stream: the first one completes the
 * stream's buffered bytes (copied into tmp), the others lie in the ciphertext itself.
 */
static const uint8_t *
sha_block(struct e2e__sha_stream *s, const uint8_t *ct, size_t k, uint8_t tmp[64])
{
    if (s->used == 0)
        return ct + 64 * k;
    if (k > 0)
        return ct + 64 * k - s->used;
    memcpy(tmp, s->buf, s->used);
    memcpy(tmp + s->used, ct, 64 - s->used);
    return tmp;
}

/* After `blocks` SHA blocks of ciphertext went through the lane: the stream takes the rest. */
static void
resume_stream(struct e2e__sha_stream *s, const uint8_t *ct, size_t ct_len, size_t blocks)
{
    if (blocks == 0) {
        e2e__sha_stream_feed(s, ct, ct_len);
        return;
    }
    size_t from = 64 * blocks - s->used; /* ciphertext bytes already hashed */
    s->total += from;
    s->used = 0;
    e2e__sha_stream_feed(s, ct + from, ct_len - from);
}

E2E_AES_SHA static void
encrypt_fused(const e2e_aes_key *k, const uint8_t iv[16], const uint8_t *in, size_t n, uint8_t *out,
              struct e2e__sha_stream *s)
{
    const __m128i *rk = (const __m128i *)(const void *)k->enc;
    size_t full = n / 16, total = full + 1, chunks = total / 4, hashed = 0;
    uint8_t last[16], tmp[64];
    struct e2e__sha_lane l;
    __m128i chain = load(iv);
    /* the padded final block, built first so that out may equal in */
    memcpy(last, in + 16 * full, n - 16 * full);
    memset(last + (n - 16 * full), (int)(16 - (n - 16 * full)), 16 - (n - 16 * full));
    e2e__sha_lane_load(&l, s->h);
    for (size_t j = 0; j < chunks; j++) {
        const uint8_t *src = in + 64 * j;
        uint8_t staged[64];
        if (j == chunks - 1 && total % 4 == 0) { /* the padded block is in this chunk */
            memcpy(staged, src, 48);
            memcpy(staged + 48, last, 16);
            src = staged;
        }
        /* SHA block j - 1 ends at 64 j - used <= 64 j: already written */
        const uint8_t *sb = j > 0 ? sha_block(s, out, j - 1, tmp) : NULL;
        enc_chunk(rk, &chain, src, out + 64 * j, &l, sb);
        hashed += sb != NULL;
    }
    for (size_t b = 4 * chunks; b < total; b++) { /* 0..3 blocks after the last chunk */
        __m128i x = _mm_xor_si128(load(b == full ? last : in + 16 * b), chain);
        chain = enc_block(rk, x);
        store(out + 16 * b, chain);
    }
    e2e__sha_lane_store(&l, s->h);
    resume_stream(s, out, 16 * total, hashed);
    e2e_wipe(last, sizeof last);
    e2e_wipe(tmp, sizeof tmp);
}

#define DEC4(r)                                                                                    \
    do {                                                                                           \
        __m128i k_ = dk[r];                                                                        \
        x0 = _mm_aesdec_si128(x0, k_);                                                             \
        x1 = _mm_aesdec_si128(x1, k_);                                                             \
        x2 = _mm_aesdec_si128(x2, k_);                                                             \
        x3 = _mm_aesdec_si128(x3, k_);                                                             \
    } while (0)

/* Decrypts four blocks (a four-block AES pipeline) with the 16 round groups of SHA block sb
 * spread over the AES rounds. */
E2E_AES_SHA static void
dec_chunk(const __m128i *dk, __m128i *prev, const uint8_t *in, uint8_t *out,
          struct e2e__sha_lane *l, const uint8_t *sb)
{
    __m128i c0 = load(in), c1 = load(in + 16), c2 = load(in + 32), c3 = load(in + 48);
    __m128i x0 = _mm_xor_si128(c0, dk[0]), x1 = _mm_xor_si128(c1, dk[0]);
    __m128i x2 = _mm_xor_si128(c2, dk[0]), x3 = _mm_xor_si128(c3, dk[0]);
    __m128i save_abef = l->abef, save_cdgh = l->cdgh;
    for (int r = 1; r < 14; r++) {
        DEC4(r);
        if (r <= 8) { /* two round groups after each of the first eight AES rounds */
            e2e__sha_lane_rounds(l, sb, 2 * (r - 1));
            e2e__sha_lane_rounds(l, sb, 2 * (r - 1) + 1);
        }
    }
    store(out, _mm_xor_si128(_mm_aesdeclast_si128(x0, dk[14]), *prev));
    store(out + 16, _mm_xor_si128(_mm_aesdeclast_si128(x1, dk[14]), c0));
    store(out + 32, _mm_xor_si128(_mm_aesdeclast_si128(x2, dk[14]), c1));
    store(out + 48, _mm_xor_si128(_mm_aesdeclast_si128(x3, dk[14]), c2));
    l->abef = _mm_add_epi32(l->abef, save_abef);
    l->cdgh = _mm_add_epi32(l->cdgh, save_cdgh);
    *prev = c3;
}

/* The same without a SHA block. */
E2E_AES_SHA static void
dec_chunk_plain(const __m128i *dk, __m128i *prev, const uint8_t *in, uint8_t *out)
{
    __m128i c0 = load(in), c1 = load(in + 16), c2 = load(in + 32), c3 = load(in + 48);
    __m128i x0 = _mm_xor_si128(c0, dk[0]), x1 = _mm_xor_si128(c1, dk[0]);
    __m128i x2 = _mm_xor_si128(c2, dk[0]), x3 = _mm_xor_si128(c3, dk[0]);
    for (int r = 1; r < 14; r++)
        DEC4(r);
    store(out, _mm_xor_si128(_mm_aesdeclast_si128(x0, dk[14]), *prev));
    store(out + 16, _mm_xor_si128(_mm_aesdeclast_si128(x1, dk[14]), c0));
    store(out + 32, _mm_xor_si128(_mm_aesdeclast_si128(x2, dk[14]), c1));
    store(out + 48, _mm_xor_si128(_mm_aesdeclast_si128(x3, dk[14]), c2));
    *prev = c3;
}

E2E_AES_SHA static void
decrypt_fused(const e2e_aes_key *k, const uint8_t iv[16], const uint8_t *in, size_t n, uint8_t *out,
              struct e2e__sha_stream *s)
{
    const __m128i *dk = (const __m128i *)(const void *)k->dec;
    size_t chunks = n / 64, sha_blocks = (n + s->used) / 64, hashed = 0;
    uint8_t tmp[64];
    struct e2e__sha_lane l;
    __m128i prev = load(iv);
    e2e__sha_lane_load(&l, s->h);
    for (size_t j = 0; j < chunks; j++) {
        if (j < sha_blocks) {
            dec_chunk(dk, &prev, in + 64 * j, out + 64 * j, &l, sha_block(s, in, j, tmp));
            hashed++;
        } else {
            dec_chunk_plain(dk, &prev, in + 64 * j, out + 64 * j);
        }
    }
    for (size_t off = 64 * chunks; off < n; off += 16) {
        __m128i c = load(in + off), x = _mm_xor_si128(c, dk[0]);
        for (int r = 1; r < 14; r++)
            x = _mm_aesdec_si128(x, dk[r]);
        store(out + off, _mm_xor_si128(_mm_aesdeclast_si128(x, dk[14]), prev));
        prev = c;
    }
    e2e__sha_lane_store(&l, s->h);
    resume_stream(s, in, n, hashed);
    e2e_wipe(tmp, sizeof tmp);
}

static int
fused_ok(const e2e_aes_key *k)
{
    return k->impl == E2E_AES_AESNI && k->rounds == 14 && e2e__shani_available();
}
#else
static int
fused_ok(const e2e_aes_key *k)
{
    (void)k;
    return 0;
}
#endif

int
e2e_aes_cbc_pkcs7_encrypt_mac(const e2e_aes_key *k, const uint8_t iv[16], const uint8_t *in,
                              size_t n, uint8_t *out, size_t out_cap, size_t *out_len,
                              const e2e_hmac_sha256_key *mac, const struct e2e_mac_pieces *head,
                              uint8_t tag[32])
{
    size_t total = e2e_pkcs7_padded_len(n);
    struct e2e__sha_stream s;
    if (out_len)
        *out_len = 0;
    if (out_cap < total)
        return E2E_ERR_BUFFER;
    e2e__sha_stream_start(&s, mac->inner);
    feed_heads(&s, head);
#if E2E_HAVE_SHANI_CODE
    if (fused_ok(k)) {
        encrypt_fused(k, iv, in, n, out, &s);
    } else
#endif
    {
        size_t got;
        int rc = e2e_aes_cbc_pkcs7_encrypt(k, iv, in, n, out, out_cap, &got);
        if (rc != E2E_OK) {
            e2e_wipe(&s, sizeof s);
            return rc;
        }
        e2e__sha_stream_feed(&s, out, total);
    }
    e2e__hmac_mid_outer(tag, mac, &s);
    if (out_len)
        *out_len = total;
    return E2E_OK;
}

int
e2e_aes_cbc_pkcs7_decrypt_verify(const e2e_aes_key *k, const uint8_t iv[16], const uint8_t *in,
                                 size_t n, uint8_t *out, size_t out_cap, size_t *out_len,
                                 const e2e_hmac_sha256_key *mac, const struct e2e_mac_pieces *head,
                                 const uint8_t *trailer, size_t trailer_len, const uint8_t *tag,
                                 size_t tag_len)
{
    struct e2e__sha_stream s;
    uint8_t want[32];
    if (out_len)
        *out_len = 0;
    if (tag_len == 0 || tag_len > 32)
        return E2E_ERR_INVALID;
    if (k->enc_only)
        return E2E_ERR_STATE;
    int fused = fused_ok(k) && n % 16 == 0 && n > 0 && out_cap >= n;
    e2e__sha_stream_start(&s, mac->inner);
    feed_heads(&s, head);
#if E2E_HAVE_SHANI_CODE
    if (fused)
        decrypt_fused(k, iv, in, n, out, &s);
    else
#endif
        e2e__sha_stream_feed(&s, in, n);
    e2e__sha_stream_feed(&s, trailer, trailer_len);
    e2e__hmac_mid_outer(want, mac, &s);
    int ok = e2e_ct_equal(want, tag, tag_len);
    e2e_wipe(want, sizeof want);
    if (!ok) {
        if (fused)
            e2e_wipe(out, n);
        return E2E_ERR_AUTH;
    }
    if (!fused)
        return e2e_aes_cbc_pkcs7_decrypt(k, iv, in, n, out, out_cap, out_len);
    int rc = unpad(out + n - 16, n, out_len);
    if (rc != E2E_OK)
        e2e_wipe(out, n);
    return rc;
}
