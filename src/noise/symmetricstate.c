/*
 * SymmetricState (Noise spec 5.2) with SHA-256 and the spec's HKDF (section 4.3): HMAC-SHA256
 * with ck as the key, empty info, two or three 32-byte outputs.
 */
#include <string.h>

#include "core/log.h"
#include "noise/internal.h"

void
e2e_noise_hkdf(uint8_t o1[32], uint8_t o2[32], uint8_t *o3, const uint8_t ck[32],
               const uint8_t *ikm, size_t n)
{
    static const uint8_t one = 1, two = 2, three = 3;
    uint8_t temp[32];
    e2e_hmac_sha256_ctx keyed, c;
    e2e_hmac_sha256(temp, ck, 32, ikm, n);
    e2e_hmac_sha256_init(&keyed, temp, sizeof temp);
    c = keyed;
    e2e_hmac_sha256_update(&c, &one, 1);
    e2e_hmac_sha256_final(&c, o1);
    c = keyed;
    e2e_hmac_sha256_update(&c, o1, 32);
    e2e_hmac_sha256_update(&c, &two, 1);
    e2e_hmac_sha256_final(&c, o2);
    if (o3) {
        c = keyed;
        e2e_hmac_sha256_update(&c, o2, 32);
        e2e_hmac_sha256_update(&c, &three, 1);
        e2e_hmac_sha256_final(&c, o3);
    }
    e2e_wipe(&keyed, sizeof keyed);
    e2e_wipe(temp, sizeof temp);
}

void
e2e__noise_initialize_symmetric(struct e2e__noise_symmetric *ss, const char *name,
                                const e2e_ctx *ctx)
{
    size_t n = strlen(name);
    if (n <= E2E_NOISE_HASHLEN) {
        memset(ss->h, 0, sizeof ss->h);
        memcpy(ss->h, name, n);
    } else {
        e2e_sha256(ss->h, name, n);
    }
    memcpy(ss->ck, ss->h, sizeof ss->ck);
    e2e__noise_cipher_drop_key(&ss->cs);
    E2E_TRACE(ctx, "noise: InitializeSymmetric(\"%s\")", name);
    e2e_trace_hex(ctx, "noise: h", ss->h, 32);
}

void
e2e__noise_mix_hash(struct e2e__noise_symmetric *ss, const uint8_t *data, size_t n)
{
    e2e_sha256_ctx c;
    e2e_sha256_init(&c);
    e2e_sha256_update(&c, ss->h, sizeof ss->h);
    e2e_sha256_update(&c, data, n);
    e2e_sha256_final(&c, ss->h);
}

int
e2e__noise_mix_key(struct e2e__noise_symmetric *ss, const uint8_t *ikm, size_t n,
                   const e2e_ctx *ctx)
{
    uint8_t temp_k[32];
    e2e_noise_hkdf(ss->ck, temp_k, NULL, ss->ck, ikm, n);
    int rc = e2e__noise_cipher_set_key(&ss->cs, temp_k);
    e2e_trace_hex(ctx, "noise: ck", ss->ck, 32);
    e2e_trace_hex(ctx, "noise: k", temp_k, 32);
    e2e_wipe(temp_k, sizeof temp_k);
    return rc;
}

int
e2e__noise_encrypt_and_hash(struct e2e__noise_symmetric *ss, uint8_t *out, const uint8_t *in,
                            size_t n)
{
    int rc = e2e__noise_cipher_encrypt(&ss->cs, out, ss->h, sizeof ss->h, in, n);
    if (rc == E2E_OK)
        e2e__noise_mix_hash(ss, out, n + (ss->cs.has_key ? E2E_NOISE_TAGLEN : 0));
    return rc;
}

int
e2e__noise_decrypt_and_hash(struct e2e__noise_symmetric *ss, uint8_t *out, const uint8_t *in,
                            size_t n)
{
    uint8_t h_next[32];
    e2e_sha256_ctx c;
    /* The hash of the ciphertext must be taken before decrypting in place overwrites it. */
    e2e_sha256_init(&c);
    e2e_sha256_update(&c, ss->h, sizeof ss->h);
    e2e_sha256_update(&c, in, n);
    e2e_sha256_final(&c, h_next);
    int rc = e2e__noise_cipher_decrypt(&ss->cs, out, ss->h, sizeof ss->h, in, n);
    if (rc == E2E_OK)
        memcpy(ss->h, h_next, sizeof ss->h);
    return rc;
}

void
e2e__noise_split_keys(const struct e2e__noise_symmetric *ss, uint8_t k1[32], uint8_t k2[32])
{
    e2e_noise_hkdf(k1, k2, NULL, ss->ck, NULL, 0);
}

void
e2e__noise_symmetric_wipe(struct e2e__noise_symmetric *ss)
{
    e2e_wipe(ss->ck, sizeof ss->ck);
    e2e_wipe(ss->h, sizeof ss->h);
    e2e__noise_cipher_drop_key(&ss->cs);
}
