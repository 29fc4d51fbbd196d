/* Internal to src/crypto (and its tests): the SHA-256 compression function behind
 * e2e_hmac_sha256_mid, with the dispatching entry (SHA-NI when present) and the portable one
 * (OpenSSL's block function), so that tests can hold them against each other. */
#ifndef E2E_CRYPTO_SHA256_COMPRESS_H
#define E2E_CRYPTO_SHA256_COMPRESS_H

#include <stddef.h>
#include <stdint.h>

void e2e__sha256_compress(uint32_t h[8], const uint8_t *p, size_t blocks);
void e2e__sha256_compress_portable(uint32_t h[8], const uint8_t *p, size_t blocks);

#endif
