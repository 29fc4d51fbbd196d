/*
 * SHA-1, SHA-512 and MD5 on OpenSSL's low-level functions: they run the
 * SHA-NI / AVX2 assembly without EVP's per-call fetch and allocation, which
 * dominates the cost of short inputs (reference/limits.md: 112 ns vs 480 ns
 * for 32 bytes). SHA-256 runs on our own streaming core over the SHA-NI
 * compression function (hmac_mid.c; OpenSSL's block function without SHA-NI),
 * which saves another 20-30 ns per hash: it is the hash of MTProto's msg_key
 * and KDF, of HKDF and of the Signal chains.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/md5.h>
#include <openssl/sha.h>

#include <e2ekit/crypto.h>

#include "crypto/sha256_compress.h"

_Static_assert(sizeof(struct e2e__sha_stream) <= sizeof(e2e_sha256_ctx), "e2e_sha256_ctx too small");
_Static_assert(sizeof(SHA512_CTX) <= sizeof(e2e_sha512_ctx), "e2e_sha512_ctx too small");
_Static_assert(sizeof(SHA_CTX) <= sizeof(e2e_sha1_ctx), "e2e_sha1_ctx too small");
_Static_assert(sizeof(MD5_CTX) <= sizeof(e2e_md5_ctx), "e2e_md5_ctx too small");

#define E2E_HASH_FUNCS(name, CTX, Init, Update, Final, outlen)                                     \
    void e2e_##name##_init(e2e_##name##_ctx *c)                                                    \
    {                                                                                              \
        Init((CTX *)(void *)c);                                                                    \
    }                                                                                              \
    void e2e_##name##_update(e2e_##name##_ctx *c, const void *p, size_t n)                         \
    {                                                                                              \
        if (n)                                                                                     \
            Update((CTX *)(void *)c, p, n);                                                        \
    }                                                                                              \
    void e2e_##name##_final(e2e_##name##_ctx *c, uint8_t out[outlen])                              \
    {                                                                                              \
        Final(out, (CTX *)(void *)c);                                                              \
        e2e_wipe(c, sizeof *c);                                                                    \
    }                                                                                              \
    void e2e_##name(uint8_t out[outlen], const void *p, size_t n)                                  \
    {                                                                                              \
        e2e_##name##_ctx c;                                                                        \
        e2e_##name##_init(&c);                                                                     \
        e2e_##name##_update(&c, p, n);                                                             \
        e2e_##name##_final(&c, out);                                                               \
    }

E2E_HASH_FUNCS(sha512, SHA512_CTX, SHA512_Init, SHA512_Update, SHA512_Final, 64)
E2E_HASH_FUNCS(sha1, SHA_CTX, SHA1_Init, SHA1_Update, SHA1_Final, 20)
E2E_HASH_FUNCS(md5, MD5_CTX, MD5_Init, MD5_Update, MD5_Final, 16)

void
e2e_sha256_init(e2e_sha256_ctx *c)
{
    e2e__sha_stream_init((struct e2e__sha_stream *)(void *)c);
}

void
e2e_sha256_update(e2e_sha256_ctx *c, const void *p, size_t n)
{
    e2e__sha_stream_feed((struct e2e__sha_stream *)(void *)c, p, n);
}

void
e2e_sha256_final(e2e_sha256_ctx *c, uint8_t out[32])
{
    e2e__sha_stream_finish((struct e2e__sha_stream *)(void *)c, out);
    e2e_wipe(c, sizeof *c);
}

void
e2e_sha256(uint8_t out[32], const void *p, size_t n)
{
    e2e_sha256_ctx c;
    e2e_sha256_init(&c);
    e2e_sha256_update(&c, p, n);
    e2e_sha256_final(&c, out);
}
