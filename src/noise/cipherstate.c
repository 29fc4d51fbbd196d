/*
 * CipherState (Noise spec 5.1) with the AESGCM cipher functions (spec 12.4): 96-bit nonce =
 * 32 zero bits || 64-bit big-endian n; n = 2^64-1 is reserved (spec 5.1: EncryptWithAd and
 * DecryptWithAd fail instead of using it); REKEY(k) = ENCRYPT(k, 2^64-1, empty, 32 zeros)[0..32).
 */
#include <string.h>

#include "core/util.h"
#include "noise/internal.h"

#define NONCE_RESERVED UINT64_MAX

static void
nonce_bytes(uint8_t out[12], uint64_t n)
{
    memset(out, 0, 4);
    e2e_store64_be(out + 4, n);
}

int
e2e__noise_cipher_init(struct e2e__noise_cipher *c)
{
    static const uint8_t zero[32];
    memset(c, 0, sizeof *c);
    return e2e_aes_gcm_new(&c->gcm, zero, sizeof zero);
}

void
e2e__noise_cipher_clear(struct e2e__noise_cipher *c)
{
    e2e_aes_gcm_free(c->gcm); /* the back end cleanses its key schedule */
    e2e_wipe(c, sizeof *c);
}

int
e2e__noise_cipher_set_key(struct e2e__noise_cipher *c, const uint8_t k[32])
{
    int rc = e2e_aes_gcm_rekey(c->gcm, k, 32);
    if (rc != E2E_OK) {
        e2e__noise_cipher_drop_key(c);
        return rc;
    }
    if (c->k != k)
        memcpy(c->k, k, 32);
    c->n = 0;
    c->has_key = 1;
    return E2E_OK;
}

void
e2e__noise_cipher_drop_key(struct e2e__noise_cipher *c)
{
    e2e_wipe(c->k, sizeof c->k);
    c->n = 0;
    c->has_key = 0;
}

/* Without a key EncryptWithAd and DecryptWithAd return their input (spec 5.1). */
static int
pass_through(uint8_t *out, const uint8_t *in, size_t n)
{
    if (out != in && n)
        memmove(out, in, n);
    return E2E_OK;
}

int
e2e__noise_cipher_encrypt(struct e2e__noise_cipher *c, uint8_t *out, const uint8_t *ad,
                          size_t ad_len, const uint8_t *in, size_t n)
{
    uint8_t nonce[12];
    if (!c->has_key)
        return pass_through(out, in, n);
    if (c->n == NONCE_RESERVED)
        return E2E_ERR_LIMIT;
    nonce_bytes(nonce, c->n);
    int rc = e2e_aes_gcm_encrypt(c->gcm, out, nonce, ad, ad_len, in, n);
    if (rc == E2E_OK)
        c->n++;
    return rc;
}

int
e2e__noise_cipher_decrypt(struct e2e__noise_cipher *c, uint8_t *out, const uint8_t *ad,
                          size_t ad_len, const uint8_t *in, size_t n)
{
    uint8_t nonce[12];
    if (!c->has_key)
        return pass_through(out, in, n);
    if (n < E2E_NOISE_TAGLEN)
        return E2E_ERR_MALFORMED;
    if (c->n == NONCE_RESERVED)
        return E2E_ERR_LIMIT;
    nonce_bytes(nonce, c->n);
    int rc = e2e_aes_gcm_decrypt(c->gcm, out, nonce, ad, ad_len, in, n);
    if (rc == E2E_OK)
        c->n++; /* a failed decryption leaves n unchanged (spec 5.1) */
    return rc;
}

int
e2e__noise_cipher_rekey(struct e2e__noise_cipher *c)
{
    uint8_t k[32];
    if (!c->has_key)
        return E2E_ERR_STATE;
    int rc = e2e_noise_rekey_key(k, c->k);
    if (rc == E2E_OK) {
        uint64_t n = c->n; /* Rekey() changes k, not n (spec 11.3) */
        rc = e2e__noise_cipher_set_key(c, k);
        c->n = n;
    }
    e2e_wipe(k, sizeof k);
    return rc;
}

int
e2e_noise_rekey_key(uint8_t out[32], const uint8_t k[32])
{
    static const uint8_t zeros[32];
    uint8_t nonce[12], ct[32 + 16];
    e2e_aes_gcm *g;
    int rc = e2e_aes_gcm_new(&g, k, 32);
    if (rc != E2E_OK)
        return rc;
    nonce_bytes(nonce, NONCE_RESERVED);
    rc = e2e_aes_gcm_encrypt(g, ct, nonce, NULL, 0, zeros, sizeof zeros);
    if (rc == E2E_OK)
        memcpy(out, ct, 32);
    e2e_wipe(ct, sizeof ct);
    e2e_aes_gcm_free(g);
    return rc;
}
