/*
 * Authentication (reference/viber.md 8.2): the 48-digit string both users read to each other,
 * and the trust state per account (grey unverified, green trusted, red breached), which
 * applies to every device of the account because they share its ID key.
 */
#include <stdio.h>
#include <stdlib.h>

#include "viber/viber_internal.h"

int
e2e_viber_auth_string(char out[E2E_VIBER_AUTH_DIGITS + 1], const uint8_t own_id_priv[32],
                      const uint8_t peer_id_pub[32])
{
    uint8_t shared[32], h[32];
    int rc = e2e_x25519_shared(shared, own_id_priv, peer_id_pub);
    if (rc != E2E_OK) {
        out[0] = 0;
        return rc;
    }
    e2e_sha256(h, shared, 32);
    /* the first 160 bits as four 40-bit big-endian numbers, each mod 10^12 -> 12 digits */
    for (int i = 0; i < 4; i++) {
        uint64_t v = 0;
        for (int k = 0; k < 5; k++)
            v = v << 8 | h[5 * i + k];
        snprintf(out + 12 * i, 13, "%012llu", (unsigned long long)(v % 1000000000000ull));
    }
    e2e_wipe(shared, sizeof shared);
    e2e_wipe(h, sizeof h);
    return E2E_OK;
}

void
e2e_viber_auth_string_groups(char out[60], const char digits[E2E_VIBER_AUTH_DIGITS + 1])
{
    size_t p = 0;
    for (int i = 0; i < E2E_VIBER_AUTH_DIGITS; i++) {
        if (i && i % 4 == 0)
            out[p++] = ' ';
        out[p++] = digits[i];
    }
    out[p] = 0;
}

/* ---- trust -------------------------------------------------------------------------------- */

#define TRUST_MAX 10000u /* accounts remembered; lookups are linear */

static const uint32_t trust_magic = E2E__MAGIC('V', 'B', 'T', 'R');

struct trust_entry {
    char account[E2E_VIBER_ACCOUNT_MAX + 1];
    uint8_t id[32];
    int lock;
};

struct e2e_viber_trust {
    struct trust_entry *e;
    unsigned n, cap;
};

int
e2e_viber_trust_new(e2e_viber_trust **out)
{
    if (!out)
        return E2E_ERR_INVALID;
    *out = calloc(1, sizeof **out);
    return *out ? E2E_OK : E2E_ERR_NOMEM;
}

void
e2e_viber_trust_free(e2e_viber_trust *t)
{
    if (!t)
        return;
    if (t->e) {
        e2e_wipe(t->e, t->cap * sizeof t->e[0]);
        free(t->e);
    }
    free(t);
}

const char *
e2e_viber_lock_name(int lock)
{
    switch (lock) {
    case E2E_VIBER_LOCK_GREY:
        return "grey";
    case E2E_VIBER_LOCK_GREEN:
        return "green";
    case E2E_VIBER_LOCK_RED:
        return "red";
    default:
        return "unknown";
    }
}

static int
account_ok(const char *account)
{
    return account && account[0] && strlen(account) <= E2E_VIBER_ACCOUNT_MAX;
}

static struct trust_entry *
find(const e2e_viber_trust *t, const char *account)
{
    for (unsigned i = 0; i < t->n; i++)
        if (strcmp(t->e[i].account, account) == 0)
            return &t->e[i];
    return NULL;
}

static int
grow(e2e_viber_trust *t)
{
    if (t->n < t->cap)
        return E2E_OK;
    if (t->cap >= TRUST_MAX)
        return E2E_ERR_LIMIT;
    unsigned cap = t->cap ? 2 * t->cap : 8;
    struct trust_entry *e = realloc(t->e, cap * sizeof *e); /* public keys only: no secret */
    if (!e)
        return E2E_ERR_NOMEM;
    t->e = e;
    t->cap = cap;
    return E2E_OK;
}

int
e2e_viber_trust_observe(e2e_viber_trust *t, const char *account, const uint8_t id_pub[32])
{
    if (!t || !account_ok(account) || !id_pub)
        return E2E_ERR_INVALID;
    struct trust_entry *e = find(t, account);
    if (!e) {
        E2E_TRY(grow(t));
        e = &t->e[t->n++];
        memset(e, 0, sizeof *e);
        memcpy(e->account, account, strlen(account));
        memcpy(e->id, id_pub, 32);
        return e->lock = E2E_VIBER_LOCK_GREY;
    }
    if (memcmp(e->id, id_pub, 32) != 0) {
        /* a key change: a breach of trust if it was trusted (or already breached) */
        if (e->lock != E2E_VIBER_LOCK_GREY)
            e->lock = E2E_VIBER_LOCK_RED;
        memcpy(e->id, id_pub, 32);
    }
    return e->lock;
}

int
e2e_viber_trust_verified(e2e_viber_trust *t, const char *account, const uint8_t id_pub[32])
{
    if (!t || !account_ok(account) || !id_pub)
        return E2E_ERR_INVALID;
    struct trust_entry *e = find(t, account);
    if (!e)
        return E2E_ERR_NOT_FOUND;
    if (memcmp(e->id, id_pub, 32) != 0)
        return E2E_ERR_STATE;
    e->lock = E2E_VIBER_LOCK_GREEN;
    return E2E_OK;
}

int
e2e_viber_trust_accept(e2e_viber_trust *t, const char *account)
{
    if (!t || !account_ok(account))
        return E2E_ERR_INVALID;
    struct trust_entry *e = find(t, account);
    if (!e)
        return E2E_ERR_NOT_FOUND;
    if (e->lock != E2E_VIBER_LOCK_RED)
        return E2E_ERR_STATE;
    e->lock = E2E_VIBER_LOCK_GREY;
    return E2E_OK;
}

int
e2e_viber_trust_lock(const e2e_viber_trust *t, const char *account)
{
    if (!t || !account_ok(account))
        return E2E_ERR_INVALID;
    const struct trust_entry *e = find(t, account);
    return e ? e->lock : E2E_ERR_NOT_FOUND;
}

int
e2e_viber_trust_identity(const e2e_viber_trust *t, const char *account, uint8_t id_pub[32])
{
    if (!t || !account_ok(account) || !id_pub)
        return E2E_ERR_INVALID;
    const struct trust_entry *e = find(t, account);
    if (!e)
        return E2E_ERR_NOT_FOUND;
    memcpy(id_pub, e->id, 32);
    return E2E_OK;
}

int
e2e_viber_trust_serialize(const e2e_viber_trust *t, uint8_t *out, size_t cap, size_t *len)
{
    struct e2e_writer w;
    size_t need = 4 + 2 + 4;
    for (unsigned i = 0; i < t->n; i++)
        need += 1 + strlen(t->e[i].account) + 32 + 1;
    E2E_TRY(e2e__vb_serialize_begin(&w, out, cap, need, len));
    e2e__blob_head_write(&w, trust_magic, VB_STATE_VERSION);
    e2e_write_u32_be(&w, t->n);
    for (unsigned i = 0; i < t->n; i++) {
        size_t n = strlen(t->e[i].account);
        e2e_write_u8(&w, (uint8_t)n);
        e2e_write_bytes(&w, (const uint8_t *)t->e[i].account, n);
        e2e_write_bytes(&w, t->e[i].id, 32);
        e2e_write_u8(&w, (uint8_t)t->e[i].lock);
    }
    return E2E_OK;
}

static int
trust_read_entry(struct e2e_reader *r, e2e_viber_trust *t, struct e2e_report *why)
{
    char account[E2E_VIBER_ACCOUNT_MAX + 1] = {0};
    uint8_t id[32];
    size_t n = e2e_read_u8(r);
    if (n == 0 || n > E2E_VIBER_ACCOUNT_MAX)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "account", "trust: account name length");
    e2e_read_bytes(r, (uint8_t *)account, n);
    e2e_read_bytes(r, id, 32);
    int lock = e2e_read_u8(r);
    if (r->err || memchr(account, 0, n) || lock > E2E_VIBER_LOCK_RED || find(t, account))
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "entry", "trust: bad or repeated entry");
    E2E_TRY(grow(t));
    struct trust_entry *e = &t->e[t->n++];
    memset(e, 0, sizeof *e);
    memcpy(e->account, account, n);
    memcpy(e->id, id, 32);
    e->lock = lock;
    return E2E_OK;
}

static int
trust_read(struct e2e_reader *r, void *obj, struct e2e_report *why)
{
    e2e_viber_trust *t = obj;
    E2E_TRY(e2e__blob_head_read(r, trust_magic, VB_STATE_VERSION, "viber trust store", why));
    uint32_t n = e2e_read_u32_be(r);
    if (r->err || n > TRUST_MAX || n > e2e_reader_left(r) / 35)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "count", "trust: %u entries", n);
    for (uint32_t i = 0; i < n; i++)
        E2E_TRY(trust_read_entry(r, t, why));
    if (e2e_reader_done(r) != E2E_OK)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "length", "trust: trailing bytes");
    return E2E_OK;
}

static void
trust_destroy(void *p)
{
    e2e_viber_trust_free(p);
}

int
e2e_viber_trust_parse(e2e_viber_trust **out, const uint8_t *in, size_t len, struct e2e_report *why)
{
    int rc = E2E_ERR_INVALID;
    if (out)
        *out = e2e__vb_parse(&rc, sizeof **out, trust_read, trust_destroy, in, len, why);
    return rc;
}
