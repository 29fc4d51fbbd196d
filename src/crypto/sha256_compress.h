/* Internal to src/crypto (and its tests): the SHA-256 compression function behind
 * e2e_hmac_sha256_mid, with the dispatching entry (SHA-NI when present) and the portable one
 * (OpenSSL's block function), so that tests can hold them against each other; and the
 * streaming pieces the fused AES + HMAC kernels (aes_sha.c) build on. */
#ifndef E2E_CRYPTO_SHA256_COMPRESS_H
#define E2E_CRYPTO_SHA256_COMPRESS_H

#include <stddef.h>
#include <stdint.h>

#include <e2ekit/crypto.h>

void e2e__sha256_compress(uint32_t h[8], const uint8_t *p, size_t blocks);
void e2e__sha256_compress_portable(uint32_t h[8], const uint8_t *p, size_t blocks);
/* 1 when this CPU runs the SHA-NI path. */
int e2e__shani_available(void);

/* SHA-256 streaming from a chaining value (an HMAC pad state): whole blocks are compressed
 * straight from the input, the rest waits in buf. */
struct e2e__sha_stream {
    uint32_t h[8];
    uint8_t buf[64];
    uint8_t ih[32]; /* the inner hash of an HMAC, here so that one wipe covers everything */
    size_t used;
    uint64_t total;
};
/* Plain SHA-256 from the standard initial value (what e2e_sha256_init does). */
void e2e__sha_stream_init(struct e2e__sha_stream *s);
/* Starts after the 64-byte pad block that `mid` already holds. */
void e2e__sha_stream_start(struct e2e__sha_stream *s, const uint32_t mid[8]);
void e2e__sha_stream_feed(struct e2e__sha_stream *s, const uint8_t *p, size_t n);
void e2e__sha_stream_finish(struct e2e__sha_stream *s, uint8_t out[32]);
/* Finishes an HMAC's inner stream, runs the outer hash into out and wipes s. */
void e2e__hmac_mid_outer(uint8_t out[32], const e2e_hmac_sha256_key *k, struct e2e__sha_stream *s);

#endif
