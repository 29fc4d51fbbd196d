/*
 * Salsa20/20 with 256-bit keys (libsodium's stream) and 128-bit keys
 * (libsodium's core function with the "expand 16-byte k" constant and the
 * 16-byte key in both key positions, one 64-byte block per call).
 */
#include <string.h>

#include <sodium.h>

#include <e2ekit/crypto.h>

#include "core/util.h"
#include "crypto/sodium.h"

static const uint8_t tau[16] = "expand 16-byte k";

static int
salsa20_128_xor(uint8_t *out, const uint8_t *in, size_t n, const uint8_t nonce[8], uint64_t block,
                const uint8_t key[16])
{
    uint8_t k[32], inp[16], ks[64];
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
