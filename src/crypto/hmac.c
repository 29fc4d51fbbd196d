/* HMAC-SHA256 with precomputed pad states (RFC 2104) and HKDF-SHA256 (RFC 5869). */
#include <string.h>

#include <e2ekit/crypto.h>

void
e2e_hmac_sha256_init(e2e_hmac_sha256_ctx *c, const uint8_t *key, size_t key_len)
{
    uint8_t k[64], pad[64];
    memset(k, 0, sizeof k);
    if (key_len > sizeof k)
        e2e_sha256(k, key, key_len);
    else if (key_len)
        memcpy(k, key, key_len);
    for (size_t i = 0; i < 64; i++)
        pad[i] = (uint8_t)(k[i] ^ 0x36);
    e2e_sha256_init(&c->inner);
    e2e_sha256_update(&c->inner, pad, 64);
    for (size_t i = 0; i < 64; i++)
        pad[i] = (uint8_t)(k[i] ^ 0x5c);
    e2e_sha256_init(&c->outer);
    e2e_sha256_update(&c->outer, pad, 64);
    e2e_wipe(k, sizeof k);
    e2e_wipe(pad, sizeof pad);
}

void
e2e_hmac_sha256_update(e2e_hmac_sha256_ctx *c, const void *p, size_t n)
{
    e2e_sha256_update(&c->inner, p, n);
}

void
e2e_hmac_sha256_final(e2e_hmac_sha256_ctx *c, uint8_t out[32])
{
    uint8_t ih[32];
    e2e_sha256_final(&c->inner, ih);
    e2e_sha256_update(&c->outer, ih, sizeof ih);
    e2e_sha256_final(&c->outer, out);
    e2e_wipe(ih, sizeof ih);
}

void
e2e_hmac_sha256(uint8_t out[32], const uint8_t *key, size_t key_len, const void *msg, size_t n)
{
    e2e_hmac_sha256_ctx c;
    e2e_hmac_sha256_init(&c, key, key_len);
    e2e_hmac_sha256_update(&c, msg, n);
    e2e_hmac_sha256_final(&c, out);
}

void
e2e_hkdf_sha256_extract(uint8_t prk[32], const uint8_t *salt, size_t salt_len, const uint8_t *ikm,
                        size_t ikm_len)
{
    static const uint8_t zeros[32];
    if (!salt || !salt_len) {
        salt = zeros;
        salt_len = sizeof zeros;
    }
    e2e_hmac_sha256(prk, salt, salt_len, ikm, ikm_len);
}

int
e2e_hkdf_sha256_expand(uint8_t *out, size_t out_len, const uint8_t prk[32], const uint8_t *info,
                       size_t info_len)
{
    if (out_len > 255 * 32 || (!out && out_len))
        return E2E_ERR_INVALID;
    e2e_hmac_sha256_ctx keyed, c;
    uint8_t t[32];
    size_t t_len = 0;
    e2e_hmac_sha256_init(&keyed, prk, 32);
    for (uint8_t i = 1; out_len; i++) {
        c = keyed;
        e2e_hmac_sha256_update(&c, t, t_len);
        e2e_hmac_sha256_update(&c, info, info_len);
        e2e_hmac_sha256_update(&c, &i, 1);
        e2e_hmac_sha256_final(&c, t);
        t_len = sizeof t;
        size_t k = out_len < 32 ? out_len : 32;
        memcpy(out, t, k);
        out += k;
        out_len -= k;
    }
    e2e_wipe(&keyed, sizeof keyed);
    e2e_wipe(t, sizeof t);
    return E2E_OK;
}

int
e2e_hkdf_sha256(uint8_t *out, size_t out_len, const uint8_t *salt, size_t salt_len,
                const uint8_t *ikm, size_t ikm_len, const uint8_t *info, size_t info_len)
{
    uint8_t prk[32];
    e2e_hkdf_sha256_extract(prk, salt, salt_len, ikm, ikm_len);
    int rc = e2e_hkdf_sha256_expand(out, out_len, prk, info, info_len);
    e2e_wipe(prk, sizeof prk);
    return rc;
}
