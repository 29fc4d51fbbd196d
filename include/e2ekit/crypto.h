/*
 * e2ekit primitives. This header is the whole crypto seam: the files in
 * src/crypto/ are the only ones that include libsodium or OpenSSL, and
 * protocol code reaches those libraries only through the functions here.
 *
 * Conventions: outputs first, then inputs, then keys; fixed sizes are in the
 * signatures; functions that cannot fail return void, checks return an
 * e2e_err code and are warn_unused_result. Context structs declared here are
 * plain data: an initialised one may be copied by assignment (that is how a
 * keyed HMAC is reused without re-hashing the key) and must be wiped with
 * e2e_wipe when it held a secret.
 */
#ifndef E2EKIT_CRYPTO_H
#define E2EKIT_CRYPTO_H

#include <e2ekit/core.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ================================================================================ X25519 ==== */

/* Generate a clamped private key and its public key (randomness from ctx). */
E2E_API int e2e_x25519_keygen(const e2e_ctx *ctx, uint8_t priv[32], uint8_t pub[32])
    E2E_WARN_UNUSED;
/* k[0] &= 248; k[31] &= 127; k[31] |= 64 */
E2E_API void e2e_x25519_clamp(uint8_t k[32]);
E2E_API void e2e_x25519_public(uint8_t pub[32], const uint8_t priv[32]);
/* RFC 7748 X25519. E2E_ERR_WEAK_KEY (out zeroed) when the result is all-zero, i.e. the peer
 * sent a small-order point. */
E2E_API int e2e_x25519_shared(uint8_t out[32], const uint8_t priv[32], const uint8_t pub[32])
    E2E_WARN_UNUSED;

/* ========================================================== XEdDSA, Signal's deployed variant == */
/*
 * The variant libsignal-protocol-c and WhatsApp use (reference/signal.md 10.2):
 * A = kB keeps its sign bit, k is not negated, the sign bit travels in the top
 * bit of the signature's last byte. Public keys here are 32-byte X25519 u values.
 */
struct e2e_xeddsa_signer {
    uint8_t k[32]; /* the X25519 private key, as given */
    uint8_t A[32]; /* Ed25519 encoding of kB, with its sign bit */
};
/* Precompute A once per key: signing then costs one base-point multiplication. */
E2E_API void e2e_xeddsa_signer_init(struct e2e_xeddsa_signer *s, const uint8_t priv[32]);
/* Deterministic given `random` (64 bytes; must be fresh random in real use). */
E2E_API void e2e_xeddsa_sign(uint8_t sig[64], const struct e2e_xeddsa_signer *s,
                             const uint8_t *msg, size_t n, const uint8_t random[64]);
/* Draws the 64 random bytes from ctx. */
E2E_API int e2e_xeddsa_sign_ctx(uint8_t sig[64], const uint8_t priv[32], const uint8_t *msg,
                                size_t n, const e2e_ctx *ctx) E2E_WARN_UNUSED;
/* E2E_OK or E2E_ERR_AUTH. */
E2E_API int e2e_xeddsa_verify(const uint8_t pub[32], const uint8_t *msg, size_t n,
                              const uint8_t sig[64]) E2E_WARN_UNUSED;
/* The same verification (same answers) with the key prepared once, for a key that verifies
 * many messages: its Edwards y = (u - 1)/(u + 1), decompressed, and tables of its multiples
 * (init costs about two verifications; each verification then about half of one). Plain data,
 * about 2 KB. */
struct e2e_xeddsa_verifier {
    uint8_t y[32];
    int valid;           /* 0: no signature verifies (small order, or u not on the curve) */
    uint64_t table[240]; /* internal layout (src/crypto/ge25519.h) */
};
E2E_API void e2e_xeddsa_verifier_init(struct e2e_xeddsa_verifier *v, const uint8_t pub[32]);
E2E_API int e2e_xeddsa_verify_with(const struct e2e_xeddsa_verifier *v, const uint8_t *msg,
                                   size_t n, const uint8_t sig[64]) E2E_WARN_UNUSED;

/* =============================================================================== Ed25519 ==== */

E2E_API void e2e_ed25519_seed_keypair(uint8_t pub[32], uint8_t sk[64], const uint8_t seed[32]);
E2E_API void e2e_ed25519_sign(uint8_t sig[64], const uint8_t *msg, size_t n,
                              const uint8_t sk[64]);
/* E2E_OK or E2E_ERR_AUTH. */
E2E_API int e2e_ed25519_verify(const uint8_t sig[64], const uint8_t *msg, size_t n,
                               const uint8_t pub[32]) E2E_WARN_UNUSED;

/* ================================================================================ hashes ==== */

/* Opaque, copyable storage for the back end's hash states. */
typedef struct {
    _Alignas(16) uint64_t opaque_[18];
} e2e_sha256_ctx;
typedef struct {
    _Alignas(16) uint64_t opaque_[28];
} e2e_sha512_ctx;
typedef struct {
    _Alignas(16) uint64_t opaque_[12];
} e2e_sha1_ctx;
typedef struct {
    _Alignas(16) uint64_t opaque_[12];
} e2e_md5_ctx;

E2E_API void e2e_sha256_init(e2e_sha256_ctx *c);
E2E_API void e2e_sha256_update(e2e_sha256_ctx *c, const void *p, size_t n);
E2E_API void e2e_sha256_final(e2e_sha256_ctx *c, uint8_t out[32]); /* wipes c */
E2E_API void e2e_sha256(uint8_t out[32], const void *p, size_t n);

E2E_API void e2e_sha512_init(e2e_sha512_ctx *c);
E2E_API void e2e_sha512_update(e2e_sha512_ctx *c, const void *p, size_t n);
E2E_API void e2e_sha512_final(e2e_sha512_ctx *c, uint8_t out[64]);
E2E_API void e2e_sha512(uint8_t out[64], const void *p, size_t n);

E2E_API void e2e_sha1_init(e2e_sha1_ctx *c);
E2E_API void e2e_sha1_update(e2e_sha1_ctx *c, const void *p, size_t n);
E2E_API void e2e_sha1_final(e2e_sha1_ctx *c, uint8_t out[20]);
E2E_API void e2e_sha1(uint8_t out[20], const void *p, size_t n);

E2E_API void e2e_md5_init(e2e_md5_ctx *c);
E2E_API void e2e_md5_update(e2e_md5_ctx *c, const void *p, size_t n);
E2E_API void e2e_md5_final(e2e_md5_ctx *c, uint8_t out[16]);
E2E_API void e2e_md5(uint8_t out[16], const void *p, size_t n);

/* ============================================================================ HMAC, HKDF ==== */

/*
 * HMAC-SHA256 with the key's inner and outer pad states precomputed by
 * _init. To MAC many messages under one key, init once and copy the struct
 * for each message: no key hashing, no allocation (about 4 compression calls
 * for a 32-byte message).
 */
typedef struct {
    e2e_sha256_ctx inner;
    e2e_sha256_ctx outer;
} e2e_hmac_sha256_ctx;

E2E_API void e2e_hmac_sha256_init(e2e_hmac_sha256_ctx *c, const uint8_t *key, size_t key_len);
E2E_API void e2e_hmac_sha256_update(e2e_hmac_sha256_ctx *c, const void *p, size_t n);
E2E_API void e2e_hmac_sha256_final(e2e_hmac_sha256_ctx *c, uint8_t out[32]); /* wipes c */
E2E_API void e2e_hmac_sha256(uint8_t out[32], const uint8_t *key, size_t key_len, const void *msg,
                             size_t n);

/*
 * HMAC-SHA256 on midstates, for many short HMACs under ever-changing keys (KDF chains, per-
 * message MACs): the key's inner and outer pad states are two 32-byte SHA-256 chaining values,
 * and the compression function runs straight on the caller's bytes (SHA-NI when the CPU has
 * it, else OpenSSL's block function) with none of the generic contexts' per-call overhead.
 * Results equal e2e_hmac_sha256's. Plain data; wipe after use.
 */
typedef struct {
    uint32_t inner[8];
    uint32_t outer[8];
} e2e_hmac_sha256_key;

E2E_API void e2e_hmac_sha256_mid_init(e2e_hmac_sha256_key *k, const uint8_t *key, size_t key_len);
/* HMAC of a || b || c (each may be NULL with length 0). */
E2E_API void e2e_hmac_sha256_mid(uint8_t out[32], const e2e_hmac_sha256_key *k, const uint8_t *a,
                                 size_t an, const uint8_t *b, size_t bn, const uint8_t *c,
                                 size_t cn);

/* RFC 5869. salt may be NULL / 0 (= 32 zero bytes). */
E2E_API void e2e_hkdf_sha256_extract(uint8_t prk[32], const uint8_t *salt, size_t salt_len,
                                     const uint8_t *ikm, size_t ikm_len);
/* E2E_ERR_INVALID when out_len > 255 * 32. */
E2E_API int e2e_hkdf_sha256_expand(uint8_t *out, size_t out_len, const uint8_t prk[32],
                                   const uint8_t *info, size_t info_len) E2E_WARN_UNUSED;
E2E_API int e2e_hkdf_sha256(uint8_t *out, size_t out_len, const uint8_t *salt, size_t salt_len,
                            const uint8_t *ikm, size_t ikm_len, const uint8_t *info,
                            size_t info_len) E2E_WARN_UNUSED;

/* ================================================================================ CRC-32 ==== */

/* zlib's crc32(): reflected polynomial 0xEDB88320, init and final XOR 0xFFFFFFFF. Start with
 * crc = 0; pass the previous result to continue over more data. */
E2E_API uint32_t e2e_crc32(uint32_t crc, const void *p, size_t n);

/* =================================================================================== AES ==== */

enum e2e_aes_impl {
    E2E_AES_AUTO = 0,     /* AES-NI when the CPU has it, else portable */
    E2E_AES_AESNI = 1,    /* AES-NI intrinsics (E2E_ERR_UNSUPPORTED without the instructions) */
    E2E_AES_PORTABLE = 2, /* OpenSSL's software AES, for CPUs without AES-NI and for tests */
};

/* Expanded AES-128 or AES-256 key, both directions. Plain data; wipe after use. */
typedef struct {
    _Alignas(16) uint8_t enc[256];
    _Alignas(16) uint8_t dec[256];
    uint32_t rounds;   /* 10 or 14 */
    uint32_t impl;     /* enum e2e_aes_impl actually used (never AUTO) */
    uint32_t enc_only; /* set by e2e_aes_setkey_enc: no decryption schedule */
} e2e_aes_key;

/* 1 when this CPU runs the AES-NI path. */
E2E_API int e2e_aes_has_aesni(void);
/* key_len 16 or 32. E2E_ERR_INVALID for other lengths. */
E2E_API int e2e_aes_setkey(e2e_aes_key *k, const uint8_t *key, size_t key_len) E2E_WARN_UNUSED;
E2E_API int e2e_aes_setkey_impl(e2e_aes_key *k, const uint8_t *key, size_t key_len, int impl)
    E2E_WARN_UNUSED;
/* The encryption schedule only, for keys that only ever encrypt (CTR, ICM, IGE and CBC
 * encryption with a fresh key per message): about half the set-up cost. The decryption
 * functions refuse such a key with E2E_ERR_STATE (e2e_aes_decrypt_block writes zeros). */
E2E_API int e2e_aes_setkey_enc(e2e_aes_key *k, const uint8_t *key, size_t key_len)
    E2E_WARN_UNUSED;
E2E_API void e2e_aes_encrypt_block(const e2e_aes_key *k, uint8_t out[16], const uint8_t in[16]);
E2E_API void e2e_aes_decrypt_block(const e2e_aes_key *k, uint8_t out[16], const uint8_t in[16]);

/* CBC without padding; n must be a multiple of 16 (else E2E_ERR_INVALID). iv is updated to the
 * last ciphertext block, so calls chain for streaming. out may equal in. */
E2E_API int e2e_aes_cbc_encrypt(const e2e_aes_key *k, uint8_t iv[16], const uint8_t *in,
                                size_t n, uint8_t *out) E2E_WARN_UNUSED;
E2E_API int e2e_aes_cbc_decrypt(const e2e_aes_key *k, uint8_t iv[16], const uint8_t *in,
                                size_t n, uint8_t *out) E2E_WARN_UNUSED;
/* CBC with PKCS#7: output of n bytes is (n / 16 + 1) * 16 bytes. */
static inline size_t
e2e_pkcs7_padded_len(size_t n)
{
    return (n / 16 + 1) * 16;
}
E2E_API int e2e_aes_cbc_pkcs7_encrypt(const e2e_aes_key *k, const uint8_t iv[16],
                                      const uint8_t *in, size_t n, uint8_t *out, size_t out_cap,
                                      size_t *out_len) E2E_WARN_UNUSED;
/* E2E_ERR_MALFORMED for a bad length or bad padding. Only call after the MAC was checked. */
E2E_API int e2e_aes_cbc_pkcs7_decrypt(const e2e_aes_key *k, const uint8_t iv[16],
                                      const uint8_t *in, size_t n, uint8_t *out, size_t out_cap,
                                      size_t *out_len) E2E_WARN_UNUSED;

/* CTR with the whole 16-byte block as a big-endian counter (OpenSSL's aes-256-ctr). `offset`
 * is the byte position in the stream, so a stream can be processed in pieces. */
E2E_API void e2e_aes_ctr_xor(const e2e_aes_key *k, const uint8_t iv[16], uint64_t offset,
                             const uint8_t *in, size_t n, uint8_t *out);

/* Integer counter mode (RFC 3711 AES-CM, Skype ICM): only the last two bytes of the block
 * count; block0 holds the starting value. E2E_ERR_LIMIT when the 16-bit counter would wrap
 * (more than 65536 blocks from block0). */
E2E_API int e2e_aes_icm_xor(const e2e_aes_key *k, const uint8_t block0[16], const uint8_t *in,
                            size_t n, uint8_t *out) E2E_WARN_UNUSED;

/* IGE (MTProto). iv[0..16) is the previous ciphertext block, iv[16..32) the previous plaintext
 * block (OpenSSL's convention); iv is updated in place so file parts chain. n must be a
 * multiple of 16 (else E2E_ERR_INVALID). out may equal in. */
E2E_API int e2e_aes_ige_encrypt(const e2e_aes_key *k, uint8_t iv[32], const uint8_t *in,
                                size_t n, uint8_t *out) E2E_WARN_UNUSED;
E2E_API int e2e_aes_ige_decrypt(const e2e_aes_key *k, uint8_t iv[32], const uint8_t *in,
                                size_t n, uint8_t *out) E2E_WARN_UNUSED;

/*
 * AES-256-CBC-PKCS#7 and HMAC-SHA256 in one pass, for encrypt-then-MAC constructions whose MAC
 * covers a header and then the ciphertext (Signal's message MAC): the MAC is computed over
 * head->a || head->b || head->c || ciphertext [|| trailer]. With AES-NI and SHA-NI the SHA-256
 * rounds run between the AES rounds (the CBC chain leaves the AES unit idle most of the time),
 * so the MAC costs little beyond the cipher; otherwise the plain sequence gives the same bytes.
 * A NULL piece has length 0.
 */
struct e2e_mac_pieces {
    const uint8_t *a, *b, *c;
    size_t an, bn, cn;
};
/* Writes e2e_pkcs7_padded_len(n) bytes to out and the full 32-byte HMAC to tag. */
E2E_API int e2e_aes_cbc_pkcs7_encrypt_mac(const e2e_aes_key *k, const uint8_t iv[16],
                                          const uint8_t *in, size_t n, uint8_t *out, size_t out_cap,
                                          size_t *out_len, const e2e_hmac_sha256_key *mac,
                                          const struct e2e_mac_pieces *head,
                                          uint8_t tag[32]) E2E_WARN_UNUSED;
/* Checks the first tag_len (1..32) bytes of the HMAC over head || in || trailer in constant
 * time, and decrypts: E2E_ERR_AUTH when the tag differs (nothing usable in out: it is wiped),
 * then E2E_ERR_MALFORMED for a bad length or padding, E2E_ERR_BUFFER when out is too small.
 * out_cap >= n lets the two run together. */
E2E_API int e2e_aes_cbc_pkcs7_decrypt_verify(const e2e_aes_key *k, const uint8_t iv[16],
                                             const uint8_t *in, size_t n, uint8_t *out,
                                             size_t out_cap, size_t *out_len,
                                             const e2e_hmac_sha256_key *mac,
                                             const struct e2e_mac_pieces *head,
                                             const uint8_t *trailer, size_t trailer_len,
                                             const uint8_t *tag, size_t tag_len) E2E_WARN_UNUSED;

/* Several independent IGE encryptions at once (up to four chains interleaved with AES-NI),
 * for callers with several messages to send: one IGE chain waits on the AES latency, several
 * fill the units. Each job is as e2e_aes_ige_encrypt (its iv updated in place); the results
 * are the same. E2E_ERR_INVALID (nothing done) when a length is not whole blocks. */
struct e2e_aes_ige_job {
    const e2e_aes_key *key;
    uint8_t *iv; /* 32 bytes */
    const uint8_t *in;
    uint8_t *out;
    size_t n;
};
E2E_API int e2e_aes_ige_encrypt_many(const struct e2e_aes_ige_job *jobs, size_t count)
    E2E_WARN_UNUSED;

/* AES-GCM with a 12-byte nonce and a 16-byte tag appended to the ciphertext. The object keeps
 * one back-end context, created once, so each message costs no allocation. */
typedef struct e2e_aes_gcm e2e_aes_gcm;
E2E_API int e2e_aes_gcm_new(e2e_aes_gcm **out, const uint8_t *key, size_t key_len)
    E2E_WARN_UNUSED;
E2E_API int e2e_aes_gcm_rekey(e2e_aes_gcm *g, const uint8_t *key, size_t key_len) E2E_WARN_UNUSED;
E2E_API void e2e_aes_gcm_free(e2e_aes_gcm *g);
/* out receives n + 16 bytes. */
E2E_API int e2e_aes_gcm_encrypt(e2e_aes_gcm *g, uint8_t *out, const uint8_t nonce[12],
                                const uint8_t *ad, size_t ad_len, const uint8_t *in, size_t n)
    E2E_WARN_UNUSED;
/* n includes the tag (n >= 16); out receives n - 16 bytes. E2E_ERR_AUTH on a bad tag, and
 * then out is zeroed. */
E2E_API int e2e_aes_gcm_decrypt(e2e_aes_gcm *g, uint8_t *out, const uint8_t nonce[12],
                                const uint8_t *ad, size_t ad_len, const uint8_t *in, size_t n)
    E2E_WARN_UNUSED;

/* =============================================================================== Salsa20 ==== */

/* Salsa20/20 with a 16-byte ("expand 16-byte k") or 32-byte ("expand 32-byte k") key, an
 * 8-byte nonce and a 64-bit block counter starting at `block`. E2E_ERR_INVALID for other key
 * lengths. out may equal in. */
E2E_API int e2e_salsa20_xor(uint8_t *out, const uint8_t *in, size_t n, const uint8_t nonce[8],
                            uint64_t block, const uint8_t *key, size_t key_len) E2E_WARN_UNUSED;

/* =================================================================================== RC4 ==== */

/* Own implementation of the public RC4 description (KSA + PRGA), checked against RFC 6229.
 * Only for Skype's obfuscation layer, which is not a security mechanism. */
struct e2e_rc4 {
    uint8_t S[256];
    uint8_t i, j;
};
/* key_len 1..256 (else E2E_ERR_INVALID). */
E2E_API int e2e_rc4_init(struct e2e_rc4 *r, const uint8_t *key, size_t key_len) E2E_WARN_UNUSED;
E2E_API void e2e_rc4_xor(struct e2e_rc4 *r, uint8_t *out, const uint8_t *in, size_t n);

/* =================================================================================== RSA ==== */

typedef struct e2e_rsa e2e_rsa;

/* bits: 1024, 1536, 2048 or 4096 (else E2E_ERR_INVALID); e = 65537. Primes come from ctx's rng
 * (so a seeded ctx gives a reproducible key); primality testing uses the back end. A key may be
 * used from several threads at once. */
E2E_API int e2e_rsa_generate(e2e_rsa **out, unsigned bits, const e2e_ctx *ctx) E2E_WARN_UNUSED;
E2E_API void e2e_rsa_free(e2e_rsa *k);
E2E_API unsigned e2e_rsa_bits(const e2e_rsa *k);
E2E_API size_t e2e_rsa_bytes(const e2e_rsa *k);
E2E_API int e2e_rsa_has_private(const e2e_rsa *k);
/* Public key from a big-endian modulus and exponent (leading zero bytes allowed). Moduli of
 * 512..8192 bits: E2E_ERR_WEAK_KEY for a smaller or even modulus, or e even, 1, or >= n;
 * E2E_ERR_UNSUPPORTED above 8192 bits. */
E2E_API int e2e_rsa_from_public(e2e_rsa **out, const uint8_t *n, size_t n_len, const uint8_t *e,
                                size_t e_len) E2E_WARN_UNUSED;
/* Big-endian modulus, exactly e2e_rsa_bytes() long (E2E_ERR_BUFFER if out_cap is smaller). */
E2E_API int e2e_rsa_modulus(const e2e_rsa *k, uint8_t *out, size_t out_cap, size_t *out_len)
    E2E_WARN_UNUSED;
/* PKCS#1 DER (RSAPublicKey / two-prime RSAPrivateKey). to_der: E2E_ERR_BUFFER with *out_len
 * set to the size needed; E2E_ERR_INVALID for the private part of a public key. from_der:
 * strict DER (E2E_ERR_MALFORMED for BER forms, trailing bytes, or a private key whose values do
 * not belong together), E2E_ERR_UNSUPPORTED for a multi-prime key, and the size rules of
 * e2e_rsa_from_public. */
E2E_API int e2e_rsa_to_der(const e2e_rsa *k, int private_part, uint8_t *out, size_t out_cap,
                           size_t *out_len) E2E_WARN_UNUSED;
E2E_API int e2e_rsa_from_der(e2e_rsa **out, int private_part, const uint8_t *der, size_t len)
    E2E_WARN_UNUSED;
/* Raw m^e mod n and c^d mod n (blinded, CRT, result checked). in and out are e2e_rsa_bytes()
 * long, big-endian; E2E_ERR_MALFORMED when the input has another length or is not below the
 * modulus; private_raw on a public key is E2E_ERR_INVALID. */
E2E_API int e2e_rsa_public_raw(const e2e_rsa *k, uint8_t *out, const uint8_t *in, size_t n)
    E2E_WARN_UNUSED;
E2E_API int e2e_rsa_private_raw(const e2e_rsa *k, uint8_t *out, const uint8_t *in, size_t n)
    E2E_WARN_UNUSED;

/*
 * ISO/IEC 9796-2 digital signature scheme 1 with SHA-1 and trailer 0xBC, as Skype's identity
 * certificates use (reference/skype.md). The representative is B = floor(bits / 8) bytes (the
 * whole modulus when its length is a multiple of 8). Total recovery when the message fits,
 * n <= B - 22 (representative 0x4B 0xBB..0xBA || M || SHA1(M) || 0xBC, or 0x4A || M || ... when
 * there is no room for padding); partial recovery otherwise (0x6A || M1 || SHA1(M) || 0xBC,
 * where M1 is the first B - 22 bytes and the rest, M2, travels beside the signature).
 * *recoverable_len (may be NULL) tells how many leading bytes of msg are inside. The signature
 * is e2e_rsa_bytes() long (E2E_ERR_BUFFER, with *sig_len set, when sig_cap is smaller).
 */
E2E_API int e2e_iso9796_sign(const e2e_rsa *k, uint8_t *sig, size_t sig_cap, size_t *sig_len,
                             size_t *recoverable_len, const uint8_t *msg, size_t n)
    E2E_WARN_UNUSED;
/* Recovers M1 into m1 and checks SHA1(M1 || m2). E2E_ERR_AUTH on any failure: wrong length or
 * value of the signature, header, padding, trailer, hash, or m2 given for a total-recovery
 * signature / missing for a partial one. E2E_ERR_BUFFER (nothing copied) when the signature is
 * valid but m1_cap is too small; e2e_rsa_bytes() - 22 always suffices. */
E2E_API int e2e_iso9796_verify(const e2e_rsa *k, uint8_t *m1, size_t m1_cap, size_t *m1_len,
                               const uint8_t *sig, size_t sig_len, const uint8_t *m2,
                               size_t m2_len) E2E_WARN_UNUSED;

/* RSAES-OAEP with SHA-256 and MGF1-SHA-256, empty label; seed from ctx. At most
 * e2e_rsa_bytes() - 66 bytes of plaintext (else E2E_ERR_INVALID). Decryption failures are
 * E2E_ERR_AUTH, all alike; decryption needs out_cap >= e2e_rsa_bytes() - 66 whatever the
 * plaintext's length (E2E_ERR_BUFFER before decrypting), so that no error depends on it. */
E2E_API int e2e_rsa_oaep_encrypt(const e2e_rsa *k, const e2e_ctx *ctx, uint8_t *out,
                                 size_t out_cap, size_t *out_len, const uint8_t *in, size_t n)
    E2E_WARN_UNUSED;
E2E_API int e2e_rsa_oaep_decrypt(const e2e_rsa *k, uint8_t *out, size_t out_cap, size_t *out_len,
                                 const uint8_t *in, size_t n) E2E_WARN_UNUSED;

/* ================================================================ 2048-bit DH for MTProto ==== */
/*
 * Parameter and range checks of reference/telegram.md 1.2. Verdicts on (p, g) are kept in a
 * caller-owned cache (no global state); the well-known Telegram prime is recognised and its
 * primality test skipped, as tdlib and the Android client do. Exponentiation is constant-time.
 */
#define E2E_DH_BYTES 256

typedef struct e2e_dh_cache e2e_dh_cache;
typedef struct e2e_dh_group e2e_dh_group;

/* The 256-byte big-endian Telegram prime (g = 3). */
E2E_API const uint8_t *e2e_dh_telegram_prime(void);

E2E_API int e2e_dh_cache_new(e2e_dh_cache **out) E2E_WARN_UNUSED;
E2E_API void e2e_dh_cache_free(e2e_dh_cache *c);
/* Number of full (uncached) parameter checks this cache has run. */
E2E_API unsigned e2e_dh_cache_full_checks(const e2e_dh_cache *c);

/* Full uncached check: 2^2047 < p < 2^2048, p and (p-1)/2 prime, g in 2..7 generating the
 * subgroup of order (p-1)/2. E2E_ERR_WEAK_KEY with the failed condition in `why` (check =
 * "p_range", "g_range", "g_residue", "p_prime" or "q_prime"; cheap checks first). p may carry
 * leading zero bytes. */
E2E_API int e2e_dh_check_params(const uint8_t *p, size_t p_len, int32_t g, struct e2e_report *why)
    E2E_WARN_UNUSED;
/* Validated group for (p, g), checked once per cache; refusals are cached with their reason
 * too. The group lives as long as the cache. A cache is not locked: one per thread, or lock
 * around it (groups themselves are read-only and may be shared). E2E_ERR_LIMIT (check
 * "cache_full") once 32 groups are accepted in one cache. */
E2E_API int e2e_dh_group_get(e2e_dh_cache *c, const e2e_dh_group **out, const uint8_t *p,
                             size_t p_len, int32_t g, struct e2e_report *why) E2E_WARN_UNUSED;
E2E_API int32_t e2e_dh_group_g(const e2e_dh_group *grp);
E2E_API const uint8_t *e2e_dh_group_p(const e2e_dh_group *grp); /* 256 bytes */
/* 1 < g_x < p - 1 and 2^(2048-64) <= g_x <= p - 2^(2048-64); g_x big-endian, any length up to
 * 256. E2E_OK or E2E_ERR_WEAK_KEY. */
E2E_API int e2e_dh_check_public(const e2e_dh_group *grp, const uint8_t *gx, size_t n)
    E2E_WARN_UNUSED;
/* priv: 2048 random bits from ctx (redrawn until g^priv passes the range check); pub = g^priv
 * mod p, 256 bytes big-endian. E2E_ERR_RNG if 64 draws in a row fail (a broken generator). */
E2E_API int e2e_dh_keygen(const e2e_dh_group *grp, const e2e_ctx *ctx, uint8_t priv[256],
                          uint8_t pub[256]) E2E_WARN_UNUSED;
/* pub = g^priv mod p for a given priv (known-answer tests, calculators). pub is written even
 * when it fails the range check, which is then reported as E2E_ERR_WEAK_KEY. */
E2E_API int e2e_dh_public(const e2e_dh_group *grp, uint8_t pub[256], const uint8_t priv[256])
    E2E_WARN_UNUSED;
/* key = peer^priv mod p, 256 bytes big-endian left-padded with zeros, after checking peer. */
E2E_API int e2e_dh_compute(const e2e_dh_group *grp, uint8_t key[256], const uint8_t priv[256],
                           const uint8_t *peer, size_t peer_len) E2E_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif
