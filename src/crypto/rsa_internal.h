/* Internal to src/crypto: the RSA key object and its PKCS#1 DER codec. */
#ifndef E2E_CRYPTO_RSA_INTERNAL_H
#define E2E_CRYPTO_RSA_INTERNAL_H

#include <pthread.h>

#include <openssl/bn.h>

#include <e2ekit/crypto.h>

/* Modulus sizes accepted from outside (generation offers 1024..4096). Below 512 bits ISO 9796-2
 * has no room for its 22 bytes of structure; above 8192 bits a public operation is no longer
 * cheap enough to run on untrusted input. */
#define E2E_RSA_MIN_BITS 512
#define E2E_RSA_MAX_BITS 8192

struct e2e_rsa {
    unsigned bits;
    size_t bytes;
    BIGNUM *n, *e;
    BN_MONT_CTX *mont_n;
    int has_private;
    /* CRT form; every one of these carries BN_FLG_CONSTTIME */
    BIGNUM *d, *p, *q, *dp, *dq, *qinv;
    BN_MONT_CTX *mont_p, *mont_q;
    /* The blinding pair (A = r^e, Ai = r^-1 mod n), renewed from e2e_random every
     * E2E_RSA_BLINDING_USES operations and squared in between, as OpenSSL does: a fresh pair
     * needs a modular inverse that costs as much as the private operation itself. The only
     * mutable part of a key, behind its own lock, so a key may be shared between threads. */
    pthread_mutex_t blind_lock;
    int blind_lock_ready;
    BIGNUM *blind_A, *blind_Ai;
    unsigned blind_uses;
};
#define E2E_RSA_BLINDING_USES 32

/* The nine PKCS#1 integers (two-prime RSAPrivateKey); a public key fills n and e only. */
struct e2e_rsa_parts {
    BIGNUM *n, *e, *d, *p, *q, *dp, *dq, *qinv;
};

/* Takes ownership of the parts (also on failure). Checks sizes, e, and for a private key the
 * consistency of all CRT values; builds the Montgomery contexts. */
int e2e__rsa_from_parts(e2e_rsa **out, struct e2e_rsa_parts *parts);
void e2e__rsa_parts_free(struct e2e_rsa_parts *parts);

/* PKCS#1 DER (strict DER: definite minimal lengths, minimal non-negative INTEGERs, nothing
 * after the SEQUENCE). E2E_ERR_MALFORMED for anything else; E2E_ERR_UNSUPPORTED for a
 * multi-prime (version 1) private key. */
int e2e__rsa_der_decode(struct e2e_rsa_parts *parts, int private_part, const uint8_t *der,
                        size_t len);
/* E2E_ERR_BUFFER (with *out_len = the size needed) when out_cap is too small. */
int e2e__rsa_der_encode(const e2e_rsa *k, int private_part, uint8_t *out, size_t out_cap,
                        size_t *out_len);

#endif
