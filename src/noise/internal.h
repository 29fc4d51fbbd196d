/*
 * Noise internals shared by the files of src/noise: CipherState and SymmetricState (spec 5.1,
 * 5.2) and the pattern table (spec 7). One file per spec object, as in noise-c.
 */
#ifndef E2E_NOISE_INTERNAL_H
#define E2E_NOISE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <e2ekit/crypto.h>
#include <e2ekit/noise.h>

/* ---- CipherState ---------------------------------------------------------------------------- */

/* k, n and one AES-GCM back-end context created once, so encrypting allocates nothing. */
struct e2e__noise_cipher {
    uint8_t k[32];
    uint64_t n;
    int has_key;
    e2e_aes_gcm *gcm;
};

/* Allocates the AES-GCM context (with no key yet). */
int e2e__noise_cipher_init(struct e2e__noise_cipher *c);
/* Wipes the key and frees the context. */
void e2e__noise_cipher_clear(struct e2e__noise_cipher *c);
/* InitializeKey(k): n = 0. */
int e2e__noise_cipher_set_key(struct e2e__noise_cipher *c, const uint8_t k[32]);
/* Forget the key (InitializeKey(empty)). */
void e2e__noise_cipher_drop_key(struct e2e__noise_cipher *c);
/* EncryptWithAd: out gets n (no key) or n + 16 bytes; out may equal in. E2E_ERR_LIMIT at the
 * reserved nonce. */
int e2e__noise_cipher_encrypt(struct e2e__noise_cipher *c, uint8_t *out, const uint8_t *ad,
                              size_t ad_len, const uint8_t *in, size_t n);
/* DecryptWithAd: n includes the tag when a key is set. n is advanced only on success. */
int e2e__noise_cipher_decrypt(struct e2e__noise_cipher *c, uint8_t *out, const uint8_t *ad,
                              size_t ad_len, const uint8_t *in, size_t n);
/* Rekey(): k = REKEY(k). */
int e2e__noise_cipher_rekey(struct e2e__noise_cipher *c);

/* ---- SymmetricState ------------------------------------------------------------------------- */

struct e2e__noise_symmetric {
    uint8_t ck[32];
    uint8_t h[32];
    struct e2e__noise_cipher cs;
};

void e2e__noise_initialize_symmetric(struct e2e__noise_symmetric *ss, const char *name,
                                     const e2e_ctx *ctx);
void e2e__noise_mix_hash(struct e2e__noise_symmetric *ss, const uint8_t *data, size_t n);
int e2e__noise_mix_key(struct e2e__noise_symmetric *ss, const uint8_t *ikm, size_t n,
                       const e2e_ctx *ctx);
/* out gets n (+16 once a key exists) bytes; out may equal in. */
int e2e__noise_encrypt_and_hash(struct e2e__noise_symmetric *ss, uint8_t *out, const uint8_t *in,
                                size_t n);
/* out gets n (-16 once a key exists) bytes. */
int e2e__noise_decrypt_and_hash(struct e2e__noise_symmetric *ss, uint8_t *out, const uint8_t *in,
                                size_t n);
/* Split(): k1, k2 = HKDF(ck, empty, 2). */
void e2e__noise_split_keys(const struct e2e__noise_symmetric *ss, uint8_t k1[32], uint8_t k2[32]);
/* Wipes ck, h and the key (the AES-GCM context stays allocated). */
void e2e__noise_symmetric_wipe(struct e2e__noise_symmetric *ss);

/* ---- patterns ------------------------------------------------------------------------------- */

enum e2e__noise_token {
    E2E__TOK_END = 0,
    E2E__TOK_E,
    E2E__TOK_S,
    E2E__TOK_EE,
    E2E__TOK_ES,
    E2E__TOK_SE,
    E2E__TOK_SS,
};

#define E2E__NOISE_MAX_MSGS   4
#define E2E__NOISE_MAX_TOKENS 6

/* A pattern in canonical form: message i is sent by the initiator when i is even. */
struct e2e__noise_pattern {
    const char *name;
    uint8_t pre_init[3]; /* initiator's pre-message tokens, 0-terminated */
    uint8_t pre_resp[3];
    uint8_t nmsgs;
    uint8_t one_way; /* only the initiator sends, also after the handshake */
    uint8_t msgs[E2E__NOISE_MAX_MSGS][E2E__NOISE_MAX_TOKENS + 1];
};

/* The pattern named `name` ("XX", "IK", "XXfallback", ...), or NULL. */
const struct e2e__noise_pattern *e2e__noise_pattern_find(const char *name, size_t len);
const char *e2e__noise_token_name(int token);

/* ---- transport ------------------------------------------------------------------------------ */

/* A transport sending with send_k and receiving with recv_k (both n = 0). */
int e2e__noise_transport_new(e2e_noise_transport **out, const uint8_t send_k[32],
                             const uint8_t recv_k[32], const uint8_t h[32]);

#endif
