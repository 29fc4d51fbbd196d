/*
 * 2048-bit finite-field Diffie-Hellman with MTProto's checks (reference/telegram.md 1.2-1.4).
 *
 * A parameter check costs about 0.33 s (two 2048-bit primality tests), so verdicts live in a
 * caller-owned cache: accepted groups with their Montgomery context, refused (p, g) pairs with
 * the reason, so that a peer repeating bad parameters costs nothing the second time. Like
 * tdlib and the Android client, the well-known Telegram prime skips the primality tests; its
 * generator condition is still checked. Exponentiation with a secret exponent is
 * BN_mod_exp_mont_consttime (tdlib uses the variable-time BN_mod_exp; limits.md measures the
 * difference at about 8 %).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>

#include <e2ekit/crypto.h>

#include "core/log.h"
#include "core/util.h"

/* Entries a cache keeps; refused ones are evicted first, accepted ones live as long as it. */
#define DH_CACHE_MAX 32
/* Redraws of a private exponent before keygen gives up (each fails with probability 2^-63). */
#define DH_KEYGEN_TRIES 64

static const uint8_t telegram_prime[E2E_DH_BYTES] = {
    0xc7, 0x1c, 0xae, 0xb9, 0xc6, 0xb1, 0xc9, 0x04, 0x8e, 0x6c, 0x52, 0x2f, 0x70, 0xf1, 0x3f, 0x73,
    0x98, 0x0d, 0x40, 0x23, 0x8e, 0x3e, 0x21, 0xc1, 0x49, 0x34, 0xd0, 0x37, 0x56, 0x3d, 0x93, 0x0f,
    0x48, 0x19, 0x8a, 0x0a, 0xa7, 0xc1, 0x40, 0x58, 0x22, 0x94, 0x93, 0xd2, 0x25, 0x30, 0xf4, 0xdb,
    0xfa, 0x33, 0x6f, 0x6e, 0x0a, 0xc9, 0x25, 0x13, 0x95, 0x43, 0xae, 0xd4, 0x4c, 0xce, 0x7c, 0x37,
    0x20, 0xfd, 0x51, 0xf6, 0x94, 0x58, 0x70, 0x5a, 0xc6, 0x8c, 0xd4, 0xfe, 0x6b, 0x6b, 0x13, 0xab,
    0xdc, 0x97, 0x46, 0x51, 0x29, 0x69, 0x32, 0x84, 0x54, 0xf1, 0x8f, 0xaf, 0x8c, 0x59, 0x5f, 0x64,
    0x24, 0x77, 0xfe, 0x96, 0xbb, 0x2a, 0x94, 0x1d, 0x5b, 0xcd, 0x1d, 0x4a, 0xc8, 0xcc, 0x49, 0x88,
    0x07, 0x08, 0xfa, 0x9b, 0x37, 0x8e, 0x3c, 0x4f, 0x3a, 0x90, 0x60, 0xbe, 0xe6, 0x7c, 0xf9, 0xa4,
    0xa4, 0xa6, 0x95, 0x81, 0x10, 0x51, 0x90, 0x7e, 0x16, 0x27, 0x53, 0xb5, 0x6b, 0x0f, 0x6b, 0x41,
    0x0d, 0xba, 0x74, 0xd8, 0xa8, 0x4b, 0x2a, 0x14, 0xb3, 0x14, 0x4e, 0x0e, 0xf1, 0x28, 0x47, 0x54,
    0xfd, 0x17, 0xed, 0x95, 0x0d, 0x59, 0x65, 0xb4, 0xb9, 0xdd, 0x46, 0x58, 0x2d, 0xb1, 0x17, 0x8d,
    0x16, 0x9c, 0x6b, 0xc4, 0x65, 0xb0, 0xd6, 0xff, 0x9c, 0xa3, 0x92, 0x8f, 0xef, 0x5b, 0x9a, 0xe4,
    0xe4, 0x18, 0xfc, 0x15, 0xe8, 0x3e, 0xbe, 0xa0, 0xf8, 0x7f, 0xa9, 0xff, 0x5e, 0xed, 0x70, 0x05,
    0x0d, 0xed, 0x28, 0x49, 0xf4, 0x7b, 0xf9, 0x59, 0xd9, 0x56, 0x85, 0x0c, 0xe9, 0x29, 0x85, 0x1f,
    0x0d, 0x81, 0x15, 0xf6, 0x35, 0xb1, 0x05, 0xee, 0x2e, 0x4e, 0x15, 0xd0, 0x4b, 0x24, 0x54, 0xbf,
    0x6f, 0x4f, 0xad, 0xf0, 0x34, 0xb1, 0x04, 0x03, 0x11, 0x9c, 0xd8, 0xe3, 0xb9, 0x2f, 0xcc, 0x5b};

struct e2e_dh_group {
    uint8_t p[E2E_DH_BYTES];
    int32_t g;
    int accepted;
    /* refused: why */
    const char *check;
    char detail[sizeof((struct e2e_report *)0)->detail];
    /* accepted: the numbers */
    BIGNUM *p_bn, *g_bn;
    BIGNUM *lo, *hi; /* 2^(2048-64) and p - 2^(2048-64) */
    BN_MONT_CTX *mont;
    struct e2e_dh_group *next;
};

struct e2e_dh_cache {
    struct e2e_dh_group *head; /* newest first */
    unsigned count;
    unsigned full_checks;
};

const uint8_t *
e2e_dh_telegram_prime(void)
{
    return telegram_prime;
}

/* ---- parameter checks ---------------------------------------------------------------------- */

/* g generates the subgroup of order (p - 1) / 2 exactly when it is a quadratic residue mod p;
 * for g in 2..7 and a safe prime p that is a condition on p modulo a small number. */
static int
g_is_residue(const BIGNUM *p, int32_t g)
{
    switch (g) {
    case 2:
        return BN_mod_word(p, 8) == 7;
    case 3:
        return BN_mod_word(p, 3) == 2;
    case 4:
        return 1; /* a square */
    case 5: {
        BN_ULONG r = BN_mod_word(p, 5);
        return r == 1 || r == 4;
    }
    case 6: {
        BN_ULONG r = BN_mod_word(p, 24);
        return r == 19 || r == 23;
    }
    case 7: {
        BN_ULONG r = BN_mod_word(p, 7);
        return r == 3 || r == 5 || r == 6;
    }
    default:
        return 0;
    }
}

/* The checks that cost nothing: the size of p and the generator. */
static int
check_cheap(const uint8_t pbytes[E2E_DH_BYTES], const BIGNUM *p, int32_t g, struct e2e_report *why)
{
    int bits = BN_num_bits(p);
    int is_2_2047 = pbytes[0] == 0x80 && e2e_ct_is_zero(pbytes + 1, E2E_DH_BYTES - 1);
    /* 2^2047 < p < 2^2048: 2048 bits, and not 2^2047 itself (the lowest 2048-bit number) */
    if (bits != 2048 || is_2_2047)
        return e2e_report_fail(why, E2E_ERR_WEAK_KEY, "p_range",
                               "p has %d bits; MTProto needs 2^2047 < p < 2^2048", bits);
    if (g < 2 || g > 7)
        return e2e_report_fail(why, E2E_ERR_WEAK_KEY, "g_range", "g = %d; MTProto allows 2..7",
                               (int)g);
    if (!g_is_residue(p, g))
        return e2e_report_fail(why, E2E_ERR_WEAK_KEY, "g_residue",
                               "g = %d does not generate the subgroup of order (p-1)/2 for this p",
                               (int)g);
    return E2E_OK;
}

static int
check_primes(const BIGNUM *p, struct e2e_report *why)
{
    BN_CTX *bn = BN_CTX_new();
    BIGNUM *q = BN_new();
    int rc = E2E_OK, prime = -1;
    if (!bn || !q)
        rc = E2E_ERR_NOMEM;
    if (rc == E2E_OK && (prime = BN_check_prime(p, bn, NULL)) != 1)
        rc = prime < 0 ? E2E_ERR_CRYPTO
                       : e2e_report_fail(why, E2E_ERR_WEAK_KEY, "p_prime", "p is not prime");
    if (rc == E2E_OK && (!BN_rshift1(q, p) || (prime = BN_check_prime(q, bn, NULL)) < 0))
        rc = E2E_ERR_CRYPTO;
    if (rc == E2E_OK && prime != 1)
        rc = e2e_report_fail(why, E2E_ERR_WEAK_KEY, "q_prime",
                             "(p-1)/2 is not prime: p is not a safe prime");
    BN_free(q);
    BN_CTX_free(bn);
    return rc;
}

/* p as 256 big-endian bytes, or p_range when it cannot be a 2048-bit number. */
static int
canonical_p(uint8_t out[E2E_DH_BYTES], const uint8_t *p, size_t p_len, struct e2e_report *why)
{
    while (p_len > 0 && p[0] == 0) {
        p++;
        p_len--;
    }
    if (p_len > E2E_DH_BYTES)
        return e2e_report_fail(why, E2E_ERR_WEAK_KEY, "p_range",
                               "p is %zu bytes long; MTProto needs 2^2047 < p < 2^2048", p_len);
    memset(out, 0, E2E_DH_BYTES - p_len);
    if (p_len)
        memcpy(out + E2E_DH_BYTES - p_len, p, p_len);
    return E2E_OK;
}

static int
check_full(const uint8_t p[E2E_DH_BYTES], int32_t g, int skip_primality, struct e2e_report *why)
{
    BIGNUM *pb = BN_bin2bn(p, E2E_DH_BYTES, NULL);
    if (!pb)
        return E2E_ERR_NOMEM;
    int rc = check_cheap(p, pb, g, why);
    if (rc == E2E_OK && !skip_primality)
        rc = check_primes(pb, why);
    BN_free(pb);
    return rc;
}

int
e2e_dh_check_params(const uint8_t *p, size_t p_len, int32_t g, struct e2e_report *why)
{
    uint8_t pc[E2E_DH_BYTES];
    e2e_report_clear(why);
    if (!p && p_len)
        return E2E_ERR_INVALID;
    int rc = canonical_p(pc, p, p_len, why);
    return rc != E2E_OK ? rc : check_full(pc, g, 0, why);
}

/* ---- the cache ----------------------------------------------------------------------------- */

static void
group_free(struct e2e_dh_group *grp)
{
    BN_free(grp->p_bn);
    BN_free(grp->g_bn);
    BN_free(grp->lo);
    BN_free(grp->hi);
    BN_MONT_CTX_free(grp->mont);
    free(grp);
}

int
e2e_dh_cache_new(e2e_dh_cache **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? E2E_OK : E2E_ERR_NOMEM;
}

void
e2e_dh_cache_free(e2e_dh_cache *c)
{
    if (!c)
        return;
    while (c->head) {
        struct e2e_dh_group *next = c->head->next;
        group_free(c->head);
        c->head = next;
    }
    free(c);
}

unsigned
e2e_dh_cache_full_checks(const e2e_dh_cache *c)
{
    return c->full_checks;
}

int32_t
e2e_dh_group_g(const e2e_dh_group *grp)
{
    return grp->g;
}

const uint8_t *
e2e_dh_group_p(const e2e_dh_group *grp)
{
    return grp->p;
}

/* The numbers an accepted group keeps: p, g, the range bounds and the Montgomery context. */
static int
group_numbers(struct e2e_dh_group *grp)
{
    BN_CTX *bn = BN_CTX_new();
    int ok = bn && (grp->p_bn = BN_bin2bn(grp->p, E2E_DH_BYTES, NULL)) && (grp->g_bn = BN_new()) &&
             BN_set_word(grp->g_bn, (BN_ULONG)grp->g) && (grp->lo = BN_new()) &&
             BN_set_bit(grp->lo, 2048 - 64) && (grp->hi = BN_new()) &&
             BN_sub(grp->hi, grp->p_bn, grp->lo) && (grp->mont = BN_MONT_CTX_new()) &&
             BN_MONT_CTX_set(grp->mont, grp->p_bn, bn);
    BN_CTX_free(bn);
    return ok ? E2E_OK : E2E_ERR_NOMEM;
}

static struct e2e_dh_group *
cache_find(const e2e_dh_cache *c, const uint8_t p[E2E_DH_BYTES], int32_t g)
{
    for (struct e2e_dh_group *grp = c->head; grp; grp = grp->next)
        if (grp->g == g && memcmp(grp->p, p, E2E_DH_BYTES) == 0)
            return grp;
    return NULL;
}

/* Room for one more entry: drop the oldest refused verdict when full. E2E_ERR_LIMIT when the
 * cache holds nothing but accepted groups (which callers may still be using). */
static int
cache_make_room(e2e_dh_cache *c)
{
    if (c->count < DH_CACHE_MAX)
        return E2E_OK;
    struct e2e_dh_group **victim = NULL;
    for (struct e2e_dh_group **pp = &c->head; *pp; pp = &(*pp)->next)
        if (!(*pp)->accepted)
            victim = pp; /* the last one seen is the oldest */
    if (!victim)
        return E2E_ERR_LIMIT;
    struct e2e_dh_group *dead = *victim;
    *victim = dead->next;
    group_free(dead);
    c->count--;
    return E2E_OK;
}

static int
refuse_again(const struct e2e_dh_group *grp, struct e2e_report *why)
{
    return e2e_report_fail(why, E2E_ERR_WEAK_KEY, grp->check, "%s", grp->detail);
}

/* Runs the check for a pair not in the cache and records the verdict. */
static int
cache_add(e2e_dh_cache *c, struct e2e_dh_group **out, const uint8_t p[E2E_DH_BYTES], int32_t g,
          struct e2e_report *why)
{
    int rc = cache_make_room(c);
    if (rc != E2E_OK)
        return e2e_report_fail(why, rc, "cache_full", "%d accepted DH groups are cached",
                               DH_CACHE_MAX);
    int known = memcmp(p, telegram_prime, E2E_DH_BYTES) == 0;
    struct e2e_report local;
    e2e_report_clear(&local);
    rc = check_full(p, g, known, &local);
    if (!known && (rc == E2E_OK || rc == E2E_ERR_WEAK_KEY))
        c->full_checks++;
    if (rc != E2E_OK && rc != E2E_ERR_WEAK_KEY)
        return rc; /* no verdict: out of memory or a back-end failure */
    struct e2e_dh_group *grp = calloc(1, sizeof *grp);
    if (!grp)
        return E2E_ERR_NOMEM;
    memcpy(grp->p, p, E2E_DH_BYTES);
    grp->g = g;
    grp->accepted = rc == E2E_OK;
    grp->check = local.check;
    memcpy(grp->detail, local.detail, sizeof grp->detail);
    if (grp->accepted && group_numbers(grp) != E2E_OK) {
        group_free(grp);
        return E2E_ERR_NOMEM;
    }
    grp->next = c->head;
    c->head = grp;
    c->count++;
    *out = grp;
    return E2E_OK;
}

int
e2e_dh_group_get(e2e_dh_cache *c, const e2e_dh_group **out, const uint8_t *p, size_t p_len,
                 int32_t g, struct e2e_report *why)
{
    uint8_t pc[E2E_DH_BYTES];
    *out = NULL;
    e2e_report_clear(why);
    if (!p && p_len)
        return E2E_ERR_INVALID;
    int rc = canonical_p(pc, p, p_len, why);
    if (rc != E2E_OK)
        return rc;
    struct e2e_dh_group *grp = cache_find(c, pc, g);
    if (!grp && (rc = cache_add(c, &grp, pc, g, why)) != E2E_OK)
        return rc;
    if (!grp->accepted)
        return refuse_again(grp, why);
    *out = grp;
    return E2E_OK;
}

/* ---- public values and exponentiation ------------------------------------------------------ */

static int
in_range(const e2e_dh_group *grp, const BIGNUM *x)
{
    /* 1 < x < p - 1 is implied by 2^1984 <= x <= p - 2^1984; both are written out as the
     * spec and tdlib state them */
    return BN_cmp(x, BN_value_one()) > 0 && BN_cmp(x, grp->hi) <= 0 && BN_cmp(x, grp->lo) >= 0 &&
           BN_cmp(x, grp->p_bn) < 0;
}

int
e2e_dh_check_public(const e2e_dh_group *grp, const uint8_t *gx, size_t n)
{
    if (n > E2E_DH_BYTES || (!gx && n))
        return E2E_ERR_WEAK_KEY;
    BIGNUM *x = BN_bin2bn(gx, (int)n, NULL);
    if (!x)
        return E2E_ERR_NOMEM;
    int ok = in_range(grp, x);
    BN_free(x);
    return ok ? E2E_OK : E2E_ERR_WEAK_KEY;
}

/* out = base^priv mod p, constant-time in priv. */
static int
dh_exp(const e2e_dh_group *grp, uint8_t out[E2E_DH_BYTES], const BIGNUM *base,
       const uint8_t priv[E2E_DH_BYTES])
{
    BN_CTX *bn = BN_CTX_secure_new();
    if (!bn)
        return E2E_ERR_NOMEM;
    BN_CTX_start(bn);
    BIGNUM *a = BN_CTX_get(bn), *r = BN_CTX_get(bn);
    int rc = E2E_ERR_NOMEM;
    if (r) {
        BN_set_flags(a, BN_FLG_CONSTTIME);
        rc = BN_bin2bn(priv, E2E_DH_BYTES, a) &&
                     BN_mod_exp_mont_consttime(r, base, a, grp->p_bn, bn, grp->mont) &&
                     BN_bn2binpad(r, out, E2E_DH_BYTES) == E2E_DH_BYTES
                 ? E2E_OK
                 : E2E_ERR_CRYPTO;
    }
    BN_CTX_end(bn); /* clears a and r: the context is a secure one */
    BN_CTX_free(bn);
    return rc;
}

int
e2e_dh_public(const e2e_dh_group *grp, uint8_t pub[E2E_DH_BYTES], const uint8_t priv[E2E_DH_BYTES])
{
    int rc = dh_exp(grp, pub, grp->g_bn, priv);
    return rc != E2E_OK ? rc : e2e_dh_check_public(grp, pub, E2E_DH_BYTES);
}

int
e2e_dh_keygen(const e2e_dh_group *grp, const e2e_ctx *ctx, uint8_t priv[E2E_DH_BYTES],
              uint8_t pub[E2E_DH_BYTES])
{
    for (int i = 0; i < DH_KEYGEN_TRIES; i++) {
        int rc = e2e_random(ctx, priv, E2E_DH_BYTES);
        if (rc == E2E_OK)
            rc = e2e_dh_public(grp, pub, priv);
        if (rc != E2E_ERR_WEAK_KEY) {
            if (rc != E2E_OK)
                e2e_wipe(priv, E2E_DH_BYTES);
            return rc;
        }
    }
    e2e_wipe(priv, E2E_DH_BYTES);
    return E2E_ERR_RNG; /* 64 out-of-range values in a row: the generator is broken */
}

int
e2e_dh_compute(const e2e_dh_group *grp, uint8_t key[E2E_DH_BYTES], const uint8_t priv[E2E_DH_BYTES],
               const uint8_t *peer, size_t peer_len)
{
    int rc = e2e_dh_check_public(grp, peer, peer_len);
    if (rc != E2E_OK)
        return rc;
    BIGNUM *y = BN_bin2bn(peer, (int)peer_len, NULL);
    if (!y)
        return E2E_ERR_NOMEM;
    rc = dh_exp(grp, key, y, priv);
    BN_free(y);
    if (rc != E2E_OK)
        e2e_wipe(key, E2E_DH_BYTES);
    return rc;
}
