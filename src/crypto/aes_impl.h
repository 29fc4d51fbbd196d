/* Internal to src/crypto: the AES back ends behind aes.c. */
#ifndef E2E_CRYPTO_AES_IMPL_H
#define E2E_CRYPTO_AES_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include <e2ekit/crypto.h>

/* AES-NI (aes_ni.c). Only call the others after e2e__aesni_available() said 1. */
int e2e__aesni_available(void);
/* with_dec = 0: the encryption schedule only */
void e2e__aesni_setkey(e2e_aes_key *k, const uint8_t *key, size_t key_len, int with_dec);
void e2e__aesni_encrypt_block(const e2e_aes_key *k, uint8_t out[16], const uint8_t in[16]);
void e2e__aesni_decrypt_block(const e2e_aes_key *k, uint8_t out[16], const uint8_t in[16]);
void e2e__aesni_cbc_encrypt(const e2e_aes_key *k, uint8_t iv[16], const uint8_t *in,
                            size_t nblocks, uint8_t *out);
void e2e__aesni_cbc_decrypt(const e2e_aes_key *k, uint8_t iv[16], const uint8_t *in,
                            size_t nblocks, uint8_t *out);
/* CTR from the 128-bit big-endian counter (hi, lo), skipping `skip` < 16 keystream bytes of
 * the first block. */
void e2e__aesni_ctr(const e2e_aes_key *k, uint64_t hi, uint64_t lo, size_t skip,
                    const uint8_t *in, size_t n, uint8_t *out);
void e2e__aesni_ige_encrypt(const e2e_aes_key *k, uint8_t iv[32], const uint8_t *in,
                            size_t nblocks, uint8_t *out);
void e2e__aesni_ige_decrypt(const e2e_aes_key *k, uint8_t iv[32], const uint8_t *in,
                            size_t nblocks, uint8_t *out);

/* OpenSSL's software AES (aes_portable.c). */
void e2e__aessw_setkey(e2e_aes_key *k, const uint8_t *key, size_t key_len, int with_dec);
void e2e__aessw_encrypt_block(const e2e_aes_key *k, uint8_t out[16], const uint8_t in[16]);
void e2e__aessw_decrypt_block(const e2e_aes_key *k, uint8_t out[16], const uint8_t in[16]);

#endif
