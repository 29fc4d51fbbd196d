/*
 * RC4, written from the public description of the algorithm (the key
 * scheduling and output loops as in RFC 6229's introduction and the 1994
 * cypherpunks posting), checked against RFC 6229's keystreams. It exists only
 * for Skype's obfuscation layer, which is not a security mechanism.
 */
#include <e2ekit/crypto.h>

int
e2e_rc4_init(struct e2e_rc4 *r, const uint8_t *key, size_t key_len)
{
    if (!r || !key || key_len == 0 || key_len > 256)
        return E2E_ERR_INVALID;
    for (unsigned i = 0; i < 256; i++)
        r->S[i] = (uint8_t)i;
    uint8_t j = 0;
    for (unsigned i = 0; i < 256; i++) {
        j = (uint8_t)(j + r->S[i] + key[i % key_len]);
        uint8_t t = r->S[i];
        r->S[i] = r->S[j];
        r->S[j] = t;
    }
    r->i = r->j = 0;
    return E2E_OK;
}

void
e2e_rc4_xor(struct e2e_rc4 *r, uint8_t *out, const uint8_t *in, size_t n)
{
    uint8_t i = r->i, j = r->j;
    for (size_t k = 0; k < n; k++) {
        i = (uint8_t)(i + 1);
        j = (uint8_t)(j + r->S[i]);
        uint8_t t = r->S[i];
        r->S[i] = r->S[j];
        r->S[j] = t;
        out[k] = (uint8_t)(in[k] ^ r->S[(uint8_t)(r->S[i] + r->S[j])]);
    }
    r->i = i;
    r->j = j;
}
