/*
 * AES modes: dispatch between the AES-NI back end (aes_ni.c) and the
 * portable one (aes_portable.c), chosen per key at e2e_aes_setkey time.
 */
#include <string.h>

#include "core/util.h"
#include "crypto/aes_impl.h"

int
e2e_aes_has_aesni(void)
{
    return e2e__aesni_available();
}

static int
setkey(e2e_aes_key *k, const uint8_t *key, size_t key_len, int impl, int with_dec)
{
    if (!k || !key || (key_len != 16 && key_len != 32))
        return E2E_ERR_INVALID;
    if (impl == E2E_AES_AUTO)
        impl = e2e__aesni_available() ? E2E_AES_AESNI : E2E_AES_PORTABLE;
    if (impl == E2E_AES_AESNI) {
        if (!e2e__aesni_available())
            return E2E_ERR_UNSUPPORTED;
        e2e__aesni_setkey(k, key, key_len, with_dec);
    } else if (impl == E2E_AES_PORTABLE) {
        e2e__aessw_setkey(k, key, key_len, with_dec);
    } else {
        return E2E_ERR_INVALID;
    }
    k->impl = (uint32_t)impl;
    k->enc_only = (uint32_t)!with_dec;
    return E2E_OK;
}

int
e2e_aes_setkey_impl(e2e_aes_key *k, const uint8_t *key, size_t key_len, int impl)
{
    return setkey(k, key, key_len, impl, 1);
}

int
e2e_aes_setkey(e2e_aes_key *k, const uint8_t *key, size_t key_len)
{
    return setkey(k, key, key_len, E2E_AES_AUTO, 1);
}

int
e2e_aes_setkey_enc(e2e_aes_key *k, const uint8_t *key, size_t key_len)
{
    return setkey(k, key, key_len, E2E_AES_AUTO, 0);
}

static inline int
ni(const e2e_aes_key *k)
{
    return k->impl == E2E_AES_AESNI;
}

void
e2e_aes_encrypt_block(const e2e_aes_key *k, uint8_t out[16], const uint8_t in[16])
{
    if (ni(k))
        e2e__aesni_encrypt_block(k, out, in);
    else
        e2e__aessw_encrypt_block(k, out, in);
}

void
e2e_aes_decrypt_block(const e2e_aes_key *k, uint8_t out[16], const uint8_t in[16])
{
    if (k->enc_only)
        memset(out, 0, 16);
    else if (ni(k))
        e2e__aesni_decrypt_block(k, out, in);
    else
        e2e__aessw_decrypt_block(k, out, in);
}

static void
xor16(uint8_t *out, const uint8_t *a, const uint8_t *b)
{
    for (int i = 0; i < 16; i++)
        out[i] = (uint8_t)(a[i] ^ b[i]);
}

/* ---- CBC ------------------------------------------------------------------------------------ */

int
e2e_aes_cbc_encrypt(const e2e_aes_key *k, uint8_t iv[16], const uint8_t *in, size_t n,
                    uint8_t *out)
{
    if (n % 16)
        return E2E_ERR_INVALID;
    if (ni(k)) {
        e2e__aesni_cbc_encrypt(k, iv, in, n / 16, out);
        return E2E_OK;
    }
    for (size_t i = 0; i < n; i += 16) {
        uint8_t x[16];
        xor16(x, in + i, iv);
        e2e__aessw_encrypt_block(k, out + i, x);
        memcpy(iv, out + i, 16);
    }
    return E2E_OK;
}

int
e2e_aes_cbc_decrypt(const e2e_aes_key *k, uint8_t iv[16], const uint8_t *in, size_t n,
                    uint8_t *out)
{
    if (k->enc_only)
        return E2E_ERR_STATE;
    if (n % 16)
        return E2E_ERR_INVALID;
    if (ni(k)) {
        e2e__aesni_cbc_decrypt(k, iv, in, n / 16, out);
        return E2E_OK;
    }
    for (size_t i = 0; i < n; i += 16) {
        uint8_t c[16], x[16];
        memcpy(c, in + i, 16); /* in may equal out */
        e2e__aessw_decrypt_block(k, x, c);
        xor16(out + i, x, iv);
        memcpy(iv, c, 16);
        e2e_wipe(x, sizeof x);
    }
    return E2E_OK;
}

int
e2e_aes_cbc_pkcs7_encrypt(const e2e_aes_key *k, const uint8_t iv[16], const uint8_t *in,
                          size_t n, uint8_t *out, size_t out_cap, size_t *out_len)
{
    size_t full = n / 16 * 16;
    size_t total = e2e_pkcs7_padded_len(n);
    if (out_len)
        *out_len = 0;
    if (out_cap < total)
        return E2E_ERR_BUFFER;
    uint8_t chain[16], last[16];
    uint8_t pad = (uint8_t)(total - n);
    /* build the last block before any output is written, so that out may equal in */
    memcpy(last, in + full, n - full);
    memset(last + (n - full), pad, pad);
    memcpy(chain, iv, 16);
    int rc = e2e_aes_cbc_encrypt(k, chain, in, full, out);
    if (rc == E2E_OK)
        rc = e2e_aes_cbc_encrypt(k, chain, last, 16, out + full);
    e2e_wipe(last, sizeof last);
    if (rc == E2E_OK && out_len)
        *out_len = total;
    return rc;
}

int
e2e_aes_cbc_pkcs7_decrypt(const e2e_aes_key *k, const uint8_t iv[16], const uint8_t *in,
                          size_t n, uint8_t *out, size_t out_cap, size_t *out_len)
{
    if (out_len)
        *out_len = 0;
    if (k->enc_only)
        return E2E_ERR_STATE;
    if (n == 0 || n % 16)
        return E2E_ERR_MALFORMED;
    uint8_t chain[16], last[16];
    /* the last block first: its padding says how much output there is */
    memcpy(chain, n > 16 ? in + n - 32 : iv, 16);
    int rc = e2e_aes_cbc_decrypt(k, chain, in + n - 16, 16, last);
    if (rc)
        return rc;
    unsigned pad = last[15];
    unsigned bad = (unsigned)(pad == 0) | (unsigned)(pad > 16);
    for (unsigned i = 0; i < 16; i++) {
        unsigned in_pad = (unsigned)(i >= 16 - pad);
        bad |= in_pad & (unsigned)(last[i] != pad);
    }
    if (bad) {
        e2e_wipe(last, sizeof last);
        return E2E_ERR_MALFORMED;
    }
    size_t len = n - pad;
    if (out_cap < len) {
        e2e_wipe(last, sizeof last);
        return E2E_ERR_BUFFER;
    }
    memcpy(chain, iv, 16);
    rc = e2e_aes_cbc_decrypt(k, chain, in, n - 16, out);
    if (rc == E2E_OK) {
        memcpy(out + n - 16, last, 16 - pad);
        if (out_len)
            *out_len = len;
    }
    e2e_wipe(last, sizeof last);
    return rc;
}

/* ---- CTR and ICM ---------------------------------------------------------------------------- */

void
e2e_aes_ctr_xor(const e2e_aes_key *k, const uint8_t iv[16], uint64_t offset, const uint8_t *in,
                size_t n, uint8_t *out)
{
    uint64_t hi = e2e_load64_be(iv), lo = e2e_load64_be(iv + 8);
    uint64_t add = offset / 16;
    size_t skip = (size_t)(offset % 16);
    hi += (lo + add) < lo;
    lo += add;
    if (ni(k)) {
        e2e__aesni_ctr(k, hi, lo, skip, in, n, out);
        return;
    }
    uint8_t block[16], ks[16];
    while (n) {
        e2e_store64_be(block, hi);
        e2e_store64_be(block + 8, lo);
        e2e__aessw_encrypt_block(k, ks, block);
        size_t m = E2E_MIN(16 - skip, n);
        for (size_t j = 0; j < m; j++)
            out[j] = (uint8_t)(in[j] ^ ks[skip + j]);
        in += m;
        out += m;
        n -= m;
        skip = 0;
        hi += ++lo == 0;
    }
    e2e_wipe(ks, sizeof ks);
}

int
e2e_aes_icm_xor(const e2e_aes_key *k, const uint8_t block0[16], const uint8_t *in, size_t n,
                uint8_t *out)
{
    /* Only the low 16 bits count. When they cannot wrap, a full-width big-endian counter
     * increments the same way, so ICM is CTR with this check. */
    uint64_t start = e2e_load16_be(block0 + 14);
    uint64_t blocks = n / 16 + (n % 16 != 0);
    if (start + blocks > 65536)
        return E2E_ERR_LIMIT;
    e2e_aes_ctr_xor(k, block0, 0, in, n, out);
    return E2E_OK;
}

/* ---- IGE ------------------------------------------------------------------------------------ */

int
e2e_aes_ige_encrypt(const e2e_aes_key *k, uint8_t iv[32], const uint8_t *in, size_t n,
                    uint8_t *out)
{
    if (n % 16)
        return E2E_ERR_INVALID;
    if (ni(k)) {
        e2e__aesni_ige_encrypt(k, iv, in, n / 16, out);
        return E2E_OK;
    }
    uint8_t p[16], x[16];
    for (size_t i = 0; i < n; i += 16) {
        memcpy(p, in + i, 16);
        xor16(x, p, iv);
        e2e__aessw_encrypt_block(k, x, x);
        xor16(out + i, x, iv + 16);
        memcpy(iv, out + i, 16);
        memcpy(iv + 16, p, 16);
    }
    e2e_wipe(p, sizeof p);
    e2e_wipe(x, sizeof x);
    return E2E_OK;
}

int
e2e_aes_ige_decrypt(const e2e_aes_key *k, uint8_t iv[32], const uint8_t *in, size_t n,
                    uint8_t *out)
{
    if (k->enc_only)
        return E2E_ERR_STATE;
    if (n % 16)
        return E2E_ERR_INVALID;
    if (ni(k)) {
        e2e__aesni_ige_decrypt(k, iv, in, n / 16, out);
        return E2E_OK;
    }
    uint8_t c[16], x[16];
    for (size_t i = 0; i < n; i += 16) {
        memcpy(c, in + i, 16);
        xor16(x, c, iv + 16);
        e2e__aessw_decrypt_block(k, x, x);
        xor16(out + i, x, iv);
        memcpy(iv, c, 16);
        memcpy(iv + 16, out + i, 16);
    }
    e2e_wipe(x, sizeof x);
    return E2E_OK;
}
