/*
 * RSA on OpenSSL's BIGNUM: the key object, key generation from the context's randomness, and
 * the raw public and private operations.
 *
 * The private operation is written here rather than taken from EVP_PKEY_decrypt(NO_PADDING)
 * because OpenSSL's RSA blinding draws from OpenSSL's own generator, and e2ekit takes every
 * random byte through e2e_random. It is the textbook hardened form: base blinding with a fresh
 * factor per call, CRT with constant-time exponentiation over cached Montgomery contexts, and
 * a check of the result with the public exponent (a faulty CRT half would otherwise leak a
 * prime factor, Boneh-DeMillo-Lipton).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>

#include <e2ekit/crypto.h>

#include "core/util.h"
#include "crypto/rsa_internal.h"

/* ---- the key object ------------------------------------------------------------------------ */

void
e2e__rsa_parts_free(struct e2e_rsa_parts *parts)
{
    BN_free(parts->n);
    BN_free(parts->e);
    BN_clear_free(parts->d);
    BN_clear_free(parts->p);
    BN_clear_free(parts->q);
    BN_clear_free(parts->dp);
    BN_clear_free(parts->dq);
    BN_clear_free(parts->qinv);
    memset(parts, 0, sizeof *parts);
}

void
e2e_rsa_free(e2e_rsa *k)
{
    if (!k)
        return;
    BN_free(k->n);
    BN_free(k->e);
    BN_MONT_CTX_free(k->mont_n);
    BN_clear_free(k->d);
    BN_clear_free(k->p);
    BN_clear_free(k->q);
    BN_clear_free(k->dp);
    BN_clear_free(k->dq);
    BN_clear_free(k->qinv);
    BN_MONT_CTX_free(k->mont_p);
    BN_MONT_CTX_free(k->mont_q);
    BN_clear_free(k->blind_A);
    BN_clear_free(k->blind_Ai);
    if (k->blind_lock_ready)
        pthread_mutex_destroy(&k->blind_lock);
    e2e_wipe(k, sizeof *k);
    free(k);
}

unsigned
e2e_rsa_bits(const e2e_rsa *k)
{
    return k->bits;
}

size_t
e2e_rsa_bytes(const e2e_rsa *k)
{
    return k->bytes;
}

int
e2e_rsa_has_private(const e2e_rsa *k)
{
    return k->has_private;
}

/* n odd and of an accepted size; e odd with 3 <= e < n. */
static int
check_public(const BIGNUM *n, const BIGNUM *e)
{
    int bits = BN_num_bits(n);
    if (bits > E2E_RSA_MAX_BITS)
        return E2E_ERR_UNSUPPORTED;
    if (bits < E2E_RSA_MIN_BITS || !BN_is_odd(n) || !BN_is_odd(e) || BN_is_one(e) ||
        BN_cmp(e, n) >= 0)
        return E2E_ERR_WEAK_KEY;
    return E2E_OK;
}

/* x == y mod m */
static int
congruent(const BIGNUM *x, const BIGNUM *y, const BIGNUM *m, BN_CTX *bn)
{
    BIGNUM *a = BN_CTX_get(bn), *b = BN_CTX_get(bn);
    return b && BN_nnmod(a, x, m, bn) && BN_nnmod(b, y, m, bn) && BN_cmp(a, b) == 0;
}

/* The CRT values belong together: n = pq, dp = d mod (p-1), dq = d mod (q-1), qinv q = 1 mod
 * p, and e dp = 1 mod (p-1), e dq = 1 mod (q-1) (so that the private operation inverts the
 * public one). Primality is not re-tested: the check after every private operation catches a
 * key that does not invert. */
static int
check_private(const struct e2e_rsa_parts *k, BN_CTX *bn)
{
    BN_CTX_start(bn);
    BIGNUM *t = BN_CTX_get(bn), *p1 = BN_CTX_get(bn), *q1 = BN_CTX_get(bn);
    BIGNUM *one = BN_CTX_get(bn);
    int ok = one && BN_one(one) && BN_cmp(k->p, one) > 0 && BN_cmp(k->q, one) > 0 &&
             BN_mul(t, k->p, k->q, bn) && BN_cmp(t, k->n) == 0 && BN_sub(p1, k->p, one) &&
             BN_sub(q1, k->q, one) && congruent(k->dp, k->d, p1, bn) &&
             congruent(k->dq, k->d, q1, bn) && BN_cmp(k->dp, p1) < 0 && BN_cmp(k->dq, q1) < 0 &&
             BN_cmp(k->qinv, k->p) < 0 && BN_mod_mul(t, k->qinv, k->q, k->p, bn) && BN_is_one(t) &&
             BN_mul(t, k->e, k->dp, bn) && congruent(t, one, p1, bn) &&
             BN_mul(t, k->e, k->dq, bn) && congruent(t, one, q1, bn);
    BN_CTX_end(bn);
    return ok ? E2E_OK : E2E_ERR_MALFORMED;
}

static int
attach_private(e2e_rsa *k, struct e2e_rsa_parts *parts, BN_CTX *bn)
{
    k->d = parts->d;
    k->p = parts->p;
    k->q = parts->q;
    k->dp = parts->dp;
    k->dq = parts->dq;
    k->qinv = parts->qinv;
    parts->d = parts->p = parts->q = parts->dp = parts->dq = parts->qinv = NULL;
    BIGNUM *secret[] = {k->d, k->p, k->q, k->dp, k->dq, k->qinv};
    for (size_t i = 0; i < E2E_ARRAY_LEN(secret); i++)
        BN_set_flags(secret[i], BN_FLG_CONSTTIME);
    k->mont_p = BN_MONT_CTX_new();
    k->mont_q = BN_MONT_CTX_new();
    k->blind_A = BN_secure_new();
    k->blind_Ai = BN_secure_new();
    if (!k->mont_p || !k->mont_q || !k->blind_A || !k->blind_Ai ||
        !BN_MONT_CTX_set(k->mont_p, k->p, bn) || !BN_MONT_CTX_set(k->mont_q, k->q, bn) ||
        pthread_mutex_init(&k->blind_lock, NULL) != 0)
        return E2E_ERR_NOMEM;
    k->blind_lock_ready = 1;
    k->blind_uses = E2E_RSA_BLINDING_USES; /* the first operation draws a pair */
    k->has_private = 1;
    return E2E_OK;
}

int
e2e__rsa_from_parts(e2e_rsa **out, struct e2e_rsa_parts *parts)
{
    *out = NULL;
    int rc = check_public(parts->n, parts->e);
    BN_CTX *bn = BN_CTX_secure_new();
    e2e_rsa *k = NULL;
    if (rc == E2E_OK && !bn)
        rc = E2E_ERR_NOMEM;
    if (rc == E2E_OK && parts->d)
        rc = check_private(parts, bn);
    if (rc == E2E_OK && !(k = calloc(1, sizeof *k)))
        rc = E2E_ERR_NOMEM;
    if (rc == E2E_OK) {
        k->n = parts->n;
        k->e = parts->e;
        parts->n = parts->e = NULL;
        k->bits = (unsigned)BN_num_bits(k->n);
        k->bytes = (size_t)BN_num_bytes(k->n);
        k->mont_n = BN_MONT_CTX_new();
        if (!k->mont_n || !BN_MONT_CTX_set(k->mont_n, k->n, bn))
            rc = E2E_ERR_NOMEM;
    }
    if (rc == E2E_OK && parts->d)
        rc = attach_private(k, parts, bn);
    BN_CTX_free(bn);
    e2e__rsa_parts_free(parts);
    if (rc != E2E_OK) {
        e2e_rsa_free(k);
        return rc;
    }
    *out = k;
    return E2E_OK;
}

int
e2e_rsa_from_public(e2e_rsa **out, const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len)
{
    *out = NULL;
    if ((!n && n_len) || (!e && e_len) || n_len > INT32_MAX || e_len > INT32_MAX)
        return E2E_ERR_INVALID;
    struct e2e_rsa_parts parts = {0};
    parts.n = BN_bin2bn(n, (int)n_len, NULL);
    parts.e = BN_bin2bn(e, (int)e_len, NULL);
    if (!parts.n || !parts.e) {
        e2e__rsa_parts_free(&parts);
        return E2E_ERR_NOMEM;
    }
    return e2e__rsa_from_parts(out, &parts);
}

int
e2e_rsa_modulus(const e2e_rsa *k, uint8_t *out, size_t out_cap, size_t *out_len)
{
    *out_len = k->bytes;
    if (out_cap < k->bytes)
        return E2E_ERR_BUFFER;
    return BN_bn2binpad(k->n, out, (int)k->bytes) < 0 ? E2E_ERR_CRYPTO : E2E_OK;
}

int
e2e_rsa_to_der(const e2e_rsa *k, int private_part, uint8_t *out, size_t out_cap, size_t *out_len)
{
    if (private_part && !k->has_private)
        return E2E_ERR_INVALID;
    return e2e__rsa_der_encode(k, private_part, out, out_cap, out_len);
}

int
e2e_rsa_from_der(e2e_rsa **out, int private_part, const uint8_t *der, size_t len)
{
    *out = NULL;
    if (!der && len)
        return E2E_ERR_INVALID;
    struct e2e_rsa_parts parts = {0};
    int rc = e2e__rsa_der_decode(&parts, private_part, der, len);
    if (rc != E2E_OK) {
        e2e__rsa_parts_free(&parts);
        return rc;
    }
    return e2e__rsa_from_parts(out, &parts);
}

/* ---- raw operations ------------------------------------------------------------------------ */

/* in: exactly k->bytes, below n. */
static int
load_input(const e2e_rsa *k, BIGNUM *x, const uint8_t *in, size_t n)
{
    if (n != k->bytes)
        return E2E_ERR_MALFORMED;
    if (!BN_bin2bn(in, (int)n, x))
        return E2E_ERR_NOMEM;
    return BN_cmp(x, k->n) < 0 ? E2E_OK : E2E_ERR_MALFORMED;
}

int
e2e_rsa_public_raw(const e2e_rsa *k, uint8_t *out, const uint8_t *in, size_t n)
{
    BN_CTX *bn = BN_CTX_new();
    if (!bn)
        return E2E_ERR_NOMEM;
    BN_CTX_start(bn);
    BIGNUM *x = BN_CTX_get(bn), *y = BN_CTX_get(bn);
    int rc = y ? load_input(k, x, in, n) : E2E_ERR_NOMEM;
    if (rc == E2E_OK && (!BN_mod_exp_mont(y, x, k->e, k->n, bn, k->mont_n) ||
                         BN_bn2binpad(y, out, (int)k->bytes) < 0))
        rc = E2E_ERR_CRYPTO;
    BN_CTX_end(bn);
    BN_CTX_free(bn);
    return rc;
}

/* Uniform in [0, n): 64 bits more than n from e2e_random, reduced. */
static int
random_below_n(const e2e_rsa *k, BIGNUM *out, BN_CTX *bn)
{
    uint8_t buf[E2E_RSA_MAX_BITS / 8 + 8];
    size_t len = k->bytes + 8;
    int rc = e2e_random(NULL, buf, len);
    if (rc == E2E_OK && (!BN_bin2bn(buf, (int)len, out) || !BN_nnmod(out, out, k->n, bn)))
        rc = E2E_ERR_CRYPTO;
    e2e_wipe(buf, len);
    return rc;
}

/*
 * A fresh blinding pair: r uniform in [1, n), A = r^e, Ai = r^-1 (mod n). r is used once and
 * only through operations whose sequence does not depend on it (the exponent e is public).
 *
 * The inverse is itself blinded rather than computed in constant time (OpenSSL's
 * constant-time inverse costs about as much as the CRT exponentiations): with a second random
 * t, u = r t is uniform and independent of r, so the fast variable-time inverse of u reveals
 * nothing about r, and r^-1 = t u^-1. Retries the negligible case of a factor shared with n.
 */
static int
fresh_blinding_pair(const e2e_rsa *k, BIGNUM *A, BIGNUM *Ai, BN_CTX *bn)
{
    BIGNUM *r = BN_CTX_get(bn), *t = BN_CTX_get(bn), *u = BN_CTX_get(bn);
    if (!u)
        return E2E_ERR_NOMEM;
    for (int tries = 0; tries < 16; tries++) {
        int rc = random_below_n(k, r, bn);
        if (rc == E2E_OK)
            rc = random_below_n(k, t, bn);
        if (rc != E2E_OK)
            return rc;
        if (!BN_mod_mul(u, r, t, k->n, bn))
            return E2E_ERR_CRYPTO;
        if (BN_is_zero(u) || !BN_mod_inverse(u, u, k->n, bn)) /* u: no CONSTTIME flag */
            continue;
        return BN_mod_mul(Ai, u, t, k->n, bn) && BN_mod_exp_mont(A, r, k->e, k->n, bn, k->mont_n)
                   ? E2E_OK
                   : E2E_ERR_CRYPTO;
    }
    return E2E_ERR_CRYPTO;
}

/* y = x^d mod n by CRT: m1 = x^dp mod p, m2 = x^dq mod q, y = m2 + q ((m1 - m2) qinv mod p). */
static int
crt_exp(const e2e_rsa *k, BIGNUM *y, const BIGNUM *x, BN_CTX *bn)
{
    BIGNUM *xr = BN_CTX_get(bn), *m1 = BN_CTX_get(bn), *m2 = BN_CTX_get(bn);
    BIGNUM *h = BN_CTX_get(bn);
    if (!h)
        return 0;
    BN_set_flags(xr, BN_FLG_CONSTTIME);
    BN_set_flags(m1, BN_FLG_CONSTTIME);
    BN_set_flags(m2, BN_FLG_CONSTTIME);
    BN_set_flags(h, BN_FLG_CONSTTIME);
    return BN_nnmod(xr, x, k->p, bn) &&
           BN_mod_exp_mont_consttime(m1, xr, k->dp, k->p, bn, k->mont_p) &&
           BN_nnmod(xr, x, k->q, bn) &&
           BN_mod_exp_mont_consttime(m2, xr, k->dq, k->q, bn, k->mont_q) &&
           BN_mod_sub(h, m1, m2, k->p, bn) && BN_mod_mul(h, h, k->qinv, k->p, bn) &&
           BN_mul(h, h, k->q, bn) && BN_add(y, h, m2);
}

/* The pair for this operation: a fresh one every E2E_RSA_BLINDING_USES calls, else the squares
 * of the previous one ((r^2)^e = A^2, (r^2)^-1 = Ai^2). The key is const to callers; its
 * blinding state is the one thing that changes, under the key's lock. */
static int
next_blinding(const e2e_rsa *k, BIGNUM *A, BIGNUM *Ai, BN_CTX *bn)
{
    e2e_rsa *mk = (e2e_rsa *)(uintptr_t)k;
    int rc = E2E_OK;
    if (pthread_mutex_lock(&mk->blind_lock) != 0)
        return E2E_ERR_CRYPTO;
    if (mk->blind_uses >= E2E_RSA_BLINDING_USES) {
        rc = fresh_blinding_pair(k, mk->blind_A, mk->blind_Ai, bn);
        mk->blind_uses = rc == E2E_OK ? 0 : E2E_RSA_BLINDING_USES;
    } else if (!BN_mod_mul(mk->blind_A, mk->blind_A, mk->blind_A, k->n, bn) ||
               !BN_mod_mul(mk->blind_Ai, mk->blind_Ai, mk->blind_Ai, k->n, bn)) {
        rc = E2E_ERR_CRYPTO;
        mk->blind_uses = E2E_RSA_BLINDING_USES;
    }
    if (rc == E2E_OK) {
        mk->blind_uses++;
        if (!BN_copy(A, mk->blind_A) || !BN_copy(Ai, mk->blind_Ai))
            rc = E2E_ERR_NOMEM;
    }
    pthread_mutex_unlock(&mk->blind_lock);
    return rc;
}

/*
 * y = x^d mod n, blinded: y' = (x A)^d = x^d r by CRT, checked as y'^e = x A, then y = y' Ai.
 * The check runs on blinded values, so its variable-time exponentiation (public exponent) sees
 * nothing secret; so does the r^e of the blinding pair.
 */
static int
private_op(const e2e_rsa *k, BIGNUM *y, const BIGNUM *x, BN_CTX *bn)
{
    BIGNUM *A = BN_CTX_get(bn), *Ai = BN_CTX_get(bn), *xb = BN_CTX_get(bn);
    BIGNUM *yb = BN_CTX_get(bn), *check = BN_CTX_get(bn);
    if (!check)
        return E2E_ERR_NOMEM;
    int rc = next_blinding(k, A, Ai, bn);
    if (rc != E2E_OK)
        return rc;
    if (!BN_mod_mul(xb, x, A, k->n, bn) || !crt_exp(k, yb, xb, bn) ||
        !BN_mod_exp_mont(check, yb, k->e, k->n, bn, k->mont_n))
        return E2E_ERR_CRYPTO;
    if (BN_cmp(check, xb) != 0)
        return E2E_ERR_CRYPTO; /* a fault in one CRT half: never release it */
    return BN_mod_mul(y, yb, Ai, k->n, bn) ? E2E_OK : E2E_ERR_CRYPTO;
}

int
e2e_rsa_private_raw(const e2e_rsa *k, uint8_t *out, const uint8_t *in, size_t n)
{
    if (!k->has_private)
        return E2E_ERR_INVALID;
    BN_CTX *bn = BN_CTX_secure_new();
    if (!bn)
        return E2E_ERR_NOMEM;
    BN_CTX_start(bn);
    BIGNUM *x = BN_CTX_get(bn), *y = BN_CTX_get(bn);
    int rc = y ? load_input(k, x, in, n) : E2E_ERR_NOMEM;
    if (rc == E2E_OK) {
        BN_set_flags(y, BN_FLG_CONSTTIME);
        rc = private_op(k, y, x, bn);
    }
    if (rc == E2E_OK && BN_bn2binpad(y, out, (int)k->bytes) < 0)
        rc = E2E_ERR_CRYPTO;
    BN_CTX_end(bn); /* BN_CTX_secure_new: its numbers are cleared when released */
    BN_CTX_free(bn);
    return rc;
}

/* ---- key generation ------------------------------------------------------------------------ */

/*
 * A prime of `bits` bits with its two top bits set (so that the product of two has exactly
 * twice as many bits) and gcd(p - 1, e) = 1. Every candidate is drawn whole from ctx, so a
 * seeded ctx gives the same prime; BN_check_prime (trial division, then Miller-Rabin with the
 * rounds FIPS 186-5 asks for) is the only place OpenSSL's own generator is used.
 */
static int
random_prime(BIGNUM *p, unsigned bits, const BIGNUM *e, const e2e_ctx *ctx, BN_CTX *bn)
{
    uint8_t buf[E2E_RSA_MAX_BITS / 2 / 8];
    size_t len = bits / 8;
    BN_CTX_start(bn);
    BIGNUM *t = BN_CTX_get(bn);
    int rc = t ? E2E_OK : E2E_ERR_NOMEM;
    while (rc == E2E_OK) {
        if ((rc = e2e_random(ctx, buf, len)) != E2E_OK)
            break;
        buf[0] |= 0xC0;
        buf[len - 1] |= 1;
        if (!BN_bin2bn(buf, (int)len, p) || !BN_sub(t, p, BN_value_one()) || !BN_gcd(t, t, e, bn)) {
            rc = E2E_ERR_CRYPTO;
            break;
        }
        if (!BN_is_one(t))
            continue;
        int prime = BN_check_prime(p, bn, NULL);
        if (prime < 0)
            rc = E2E_ERR_CRYPTO;
        else if (prime == 1)
            break;
    }
    e2e_wipe(buf, sizeof buf);
    BN_CTX_end(bn);
    return rc;
}

/* d = e^-1 mod lcm(p-1, q-1), and the CRT values. */
static int
derive_private(struct e2e_rsa_parts *k, BN_CTX *bn)
{
    BN_CTX_start(bn);
    BIGNUM *p1 = BN_CTX_get(bn), *q1 = BN_CTX_get(bn), *g = BN_CTX_get(bn);
    BIGNUM *lcm = BN_CTX_get(bn);
    int ok = lcm && (k->d = BN_secure_new()) && (k->dp = BN_secure_new()) &&
             (k->dq = BN_secure_new()) && (k->qinv = BN_secure_new()) && (k->n = BN_new());
    if (ok) {
        BIGNUM *secret[] = {p1, q1, g, lcm, k->d, k->dp, k->dq, k->qinv};
        for (size_t i = 0; i < E2E_ARRAY_LEN(secret); i++)
            BN_set_flags(secret[i], BN_FLG_CONSTTIME);
    }
    ok = ok && BN_mul(k->n, k->p, k->q, bn) && BN_sub(p1, k->p, BN_value_one()) &&
         BN_sub(q1, k->q, BN_value_one()) && BN_gcd(g, p1, q1, bn) && BN_mul(lcm, p1, q1, bn) &&
         BN_div(lcm, NULL, lcm, g, bn) && BN_mod_inverse(k->d, k->e, lcm, bn) &&
         BN_mod(k->dp, k->d, p1, bn) && BN_mod(k->dq, k->d, q1, bn) &&
         BN_mod_inverse(k->qinv, k->q, k->p, bn);
    BN_CTX_end(bn);
    return ok ? E2E_OK : E2E_ERR_CRYPTO;
}

/* FIPS 186-5 A.1.3: |p - q| > 2^(nlen/2 - 100), so that n cannot be factored by Fermat's
 * method; d > 2^(nlen/2). With random primes neither fails in practice. */
static int
primes_acceptable(const struct e2e_rsa_parts *k, unsigned bits, BN_CTX *bn)
{
    BN_CTX_start(bn);
    BIGNUM *t = BN_CTX_get(bn);
    int ok = t && BN_sub(t, k->p, k->q) && BN_num_bits(t) > (int)(bits / 2 - 100);
    BN_CTX_end(bn);
    return ok;
}

static int
generate_parts(struct e2e_rsa_parts *k, unsigned bits, const e2e_ctx *ctx, BN_CTX *bn)
{
    if (!(k->e = BN_new()) || !BN_set_word(k->e, 65537) || !(k->p = BN_secure_new()) ||
        !(k->q = BN_secure_new()))
        return E2E_ERR_NOMEM;
    BN_set_flags(k->p, BN_FLG_CONSTTIME);
    BN_set_flags(k->q, BN_FLG_CONSTTIME);
    int rc = random_prime(k->p, bits / 2, k->e, ctx, bn);
    do {
        if (rc == E2E_OK)
            rc = random_prime(k->q, bits / 2, k->e, ctx, bn);
    } while (rc == E2E_OK && !primes_acceptable(k, bits, bn));
    if (rc == E2E_OK)
        rc = derive_private(k, bn);
    if (rc == E2E_OK && BN_num_bits(k->d) <= (int)(bits / 2))
        rc = E2E_ERR_CRYPTO; /* never seen; would need a weak key to happen */
    return rc;
}

int
e2e_rsa_generate(e2e_rsa **out, unsigned bits, const e2e_ctx *ctx)
{
    *out = NULL;
    if (bits != 1024 && bits != 1536 && bits != 2048 && bits != 4096)
        return E2E_ERR_INVALID;
    BN_CTX *bn = BN_CTX_secure_new();
    if (!bn)
        return E2E_ERR_NOMEM;
    struct e2e_rsa_parts parts = {0};
    int rc = generate_parts(&parts, bits, ctx, bn);
    BN_CTX_free(bn);
    if (rc != E2E_OK) {
        e2e__rsa_parts_free(&parts);
        return rc;
    }
    return e2e__rsa_from_parts(out, &parts);
}
