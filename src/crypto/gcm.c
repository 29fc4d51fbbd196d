/* AES-GCM on one reused EVP context per object: no allocation per message. */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include <e2ekit/crypto.h>

struct e2e_aes_gcm {
    EVP_CIPHER_CTX *enc;
    EVP_CIPHER_CTX *dec;
    size_t key_len; /* 0 until the cipher is set */
};

static const EVP_CIPHER *
cipher_for(size_t key_len)
{
    return key_len == 16 ? EVP_aes_128_gcm() : key_len == 32 ? EVP_aes_256_gcm() : NULL;
}

int
e2e_aes_gcm_rekey(e2e_aes_gcm *g, const uint8_t *key, size_t key_len)
{
    const EVP_CIPHER *c = cipher_for(key_len);
    if (!g || !key || !c)
        return E2E_ERR_INVALID;
    /* With the same key size the contexts keep their cipher: only the key schedule changes,
     * which keeps a Noise rekey or handshake step from looking the cipher up again. */
    if (g->key_len != key_len) {
        if (EVP_EncryptInit_ex(g->enc, c, NULL, NULL, NULL) != 1 ||
            EVP_DecryptInit_ex(g->dec, c, NULL, NULL, NULL) != 1)
            return E2E_ERR_CRYPTO;
        g->key_len = key_len;
    }
    if (EVP_EncryptInit_ex(g->enc, NULL, NULL, key, NULL) != 1 ||
        EVP_DecryptInit_ex(g->dec, NULL, NULL, key, NULL) != 1)
        return E2E_ERR_CRYPTO;
    return E2E_OK;
}

int
e2e_aes_gcm_new(e2e_aes_gcm **out, const uint8_t *key, size_t key_len)
{
    if (!out)
        return E2E_ERR_INVALID;
    *out = NULL;
    e2e_aes_gcm *g = calloc(1, sizeof *g);
    if (!g)
        return E2E_ERR_NOMEM;
    g->enc = EVP_CIPHER_CTX_new();
    g->dec = EVP_CIPHER_CTX_new();
    int rc = g->enc && g->dec ? e2e_aes_gcm_rekey(g, key, key_len) : E2E_ERR_NOMEM;
    if (rc != E2E_OK) {
        e2e_aes_gcm_free(g);
        return rc;
    }
    *out = g;
    return E2E_OK;
}

void
e2e_aes_gcm_free(e2e_aes_gcm *g)
{
    if (!g)
        return;
    EVP_CIPHER_CTX_free(g->enc); /* frees and cleanses the key schedule */
    EVP_CIPHER_CTX_free(g->dec);
    free(g);
}

int
e2e_aes_gcm_encrypt(e2e_aes_gcm *g, uint8_t *out, const uint8_t nonce[12], const uint8_t *ad,
                    size_t ad_len, const uint8_t *in, size_t n)
{
    int len;
    if (!g || n > INT32_MAX - 16 || ad_len > INT32_MAX)
        return E2E_ERR_INVALID;
    if (EVP_EncryptInit_ex(g->enc, NULL, NULL, NULL, nonce) != 1 ||
        (ad_len && EVP_EncryptUpdate(g->enc, NULL, &len, ad, (int)ad_len) != 1) ||
        (n && EVP_EncryptUpdate(g->enc, out, &len, in, (int)n) != 1) ||
        EVP_EncryptFinal_ex(g->enc, out + n, &len) != 1 ||
        EVP_CIPHER_CTX_ctrl(g->enc, EVP_CTRL_GCM_GET_TAG, 16, out + n) != 1)
        return E2E_ERR_CRYPTO;
    return E2E_OK;
}

int
e2e_aes_gcm_decrypt(e2e_aes_gcm *g, uint8_t *out, const uint8_t nonce[12], const uint8_t *ad,
                    size_t ad_len, const uint8_t *in, size_t n)
{
    int len;
    uint8_t tag[16];
    if (!g || n > INT32_MAX || ad_len > INT32_MAX)
        return E2E_ERR_INVALID;
    if (n < 16)
        return E2E_ERR_MALFORMED;
    size_t m = n - 16;
    memcpy(tag, in + m, 16);
    if (EVP_DecryptInit_ex(g->dec, NULL, NULL, NULL, nonce) != 1 ||
        (ad_len && EVP_DecryptUpdate(g->dec, NULL, &len, ad, (int)ad_len) != 1) ||
        (m && EVP_DecryptUpdate(g->dec, out, &len, in, (int)m) != 1) ||
        EVP_CIPHER_CTX_ctrl(g->dec, EVP_CTRL_GCM_SET_TAG, 16, tag) != 1)
        return E2E_ERR_CRYPTO;
    if (EVP_DecryptFinal_ex(g->dec, out + m, &len) != 1) {
        e2e_wipe(out, m);
        return E2E_ERR_AUTH;
    }
    return E2E_OK;
}
