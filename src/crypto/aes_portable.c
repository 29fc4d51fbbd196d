/*
 * The portable AES back end: OpenSSL's software AES (AES_set_encrypt_key /
 * AES_encrypt). It is used only on CPUs without AES-NI (and by the tests, to
 * check both back ends against the same vectors). Note that this is a
 * table-based implementation: it is not guaranteed to be free of cache-timing
 * leaks, which is why the AES-NI path is preferred whenever the CPU has it.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/aes.h>

#include "crypto/aes_impl.h"

_Static_assert(sizeof(AES_KEY) <= sizeof(((e2e_aes_key *)0)->enc), "AES_KEY does not fit");

void
e2e__aessw_setkey(e2e_aes_key *k, const uint8_t *key, size_t key_len, int with_dec)
{
    int bits = (int)key_len * 8;
    k->rounds = key_len == 16 ? 10 : 14;
    AES_set_encrypt_key(key, bits, (AES_KEY *)(void *)k->enc);
    if (with_dec)
        AES_set_decrypt_key(key, bits, (AES_KEY *)(void *)k->dec);
}

void
e2e__aessw_encrypt_block(const e2e_aes_key *k, uint8_t out[16], const uint8_t in[16])
{
    AES_encrypt(in, out, (const AES_KEY *)(const void *)k->enc);
}

void
e2e__aessw_decrypt_block(const e2e_aes_key *k, uint8_t out[16], const uint8_t in[16])
{
    AES_decrypt(in, out, (const AES_KEY *)(const void *)k->dec);
}
