/*
 * The central authority (Berson 2.1): two signing keys (RSA-2048 for premium users, RSA-1536
 * for the others), a table of unique names with H(H(P)), certificates on registration and on
 * every login. Sans-I/O: request bytes in, response bytes out; the relay hosts it.
 */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/skype.h>

#include "core/log.h"
#include "core/util.h"
#include "skype/skype_internal.h"

#define AU_MAGIC      0x534B4155u /* "SKAU" */
#define AU_VERSION    1
#define REQUEST_MAX   2048
#define RESPONSE_HEAD 4 /* kind, status, certificate length */

struct user {
    char name[E2E_SKYPE_NAME_MAX + 1];
    uint8_t name_len;
    uint8_t premium;
    uint8_t hhp[16]; /* H(H(P)) */
    uint32_t key_id; /* of the last certificate issued */
    uint32_t registered_s;
};

struct e2e_skype_authority {
    e2e_rsa *key_2048, *key_1536;
    uint32_t lifetime_s;
    uint32_t next_key_id;
    uint8_t table_key[32];         /* keys the name hash, so that names cannot be chosen to
                                      collide in the table */
    e2e_hmac_sha256_ctx table_mac; /* table_key, expanded */
    struct user *users;
    size_t nusers, cap;
    uint32_t *slots; /* open addressing: user index + 1, 0 = empty; power-of-two size */
    size_t nslots;
};

/* ---- the user table ------------------------------------------------------------------------- */

static size_t
name_slot(const e2e_skype_authority *a, const char *name, size_t len)
{
    e2e_hmac_sha256_ctx c = a->table_mac;
    uint8_t h[32];
    e2e_hmac_sha256_update(&c, name, len);
    e2e_hmac_sha256_final(&c, h);
    return (size_t)e2e_load64_be(h) & (a->nslots - 1);
}

static struct user *
find_user(const e2e_skype_authority *a, const char *name, size_t len)
{
    if (!a->nslots)
        return NULL;
    for (size_t i = name_slot(a, name, len);; i = (i + 1) & (a->nslots - 1)) {
        uint32_t s = a->slots[i];
        if (!s)
            return NULL;
        struct user *u = &a->users[s - 1];
        if (u->name_len == len && memcmp(u->name, name, len) == 0)
            return u;
    }
}

static void
place(e2e_skype_authority *a, size_t index)
{
    const struct user *u = &a->users[index];
    size_t i = name_slot(a, u->name, u->name_len);
    while (a->slots[i])
        i = (i + 1) & (a->nslots - 1);
    a->slots[i] = (uint32_t)(index + 1);
}

/* Room for one more user: the array and a table at most half full. */
static int
reserve_user(e2e_skype_authority *a)
{
    if (a->nusers >= 0x7FFFFFFFu)
        return E2E_ERR_LIMIT;
    if (a->nusers == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 16;
        struct user *u = realloc(a->users, cap * sizeof *u);
        if (!u)
            return E2E_ERR_NOMEM;
        a->users = u;
        a->cap = cap;
    }
    if (2 * (a->nusers + 1) <= a->nslots)
        return E2E_OK;
    size_t n = a->nslots ? 2 * a->nslots : 32;
    uint32_t *s = calloc(n, sizeof *s);
    if (!s)
        return E2E_ERR_NOMEM;
    free(a->slots);
    a->slots = s;
    a->nslots = n;
    for (size_t i = 0; i < a->nusers; i++)
        place(a, i);
    return E2E_OK;
}

static void
add_user(e2e_skype_authority *a, const struct user *u)
{
    a->users[a->nusers] = *u;
    place(a, a->nusers++);
}

/* ---- life cycle ----------------------------------------------------------------------------- */

static void
set_table_key(e2e_skype_authority *a)
{
    e2e_hmac_sha256_init(&a->table_mac, a->table_key, sizeof a->table_key);
}

static e2e_skype_authority *
alloc_authority(void)
{
    e2e_skype_authority *a = calloc(1, sizeof *a);
    if (a) {
        a->lifetime_s = E2E_SKYPE_CERT_LIFETIME_S;
        a->next_key_id = 1;
    }
    return a;
}

int
e2e_skype_authority_new(e2e_skype_authority **out, const e2e_ctx *ctx)
{
    if (!out)
        return E2E_ERR_INVALID;
    *out = NULL;
    e2e_skype_authority *a = alloc_authority();
    if (!a)
        return E2E_ERR_NOMEM;
    int rc = e2e_random(ctx, a->table_key, sizeof a->table_key);
    if (rc == E2E_OK)
        rc = e2e_rsa_generate(&a->key_2048, 2048, ctx);
    if (rc == E2E_OK)
        rc = e2e_rsa_generate(&a->key_1536, 1536, ctx);
    if (rc != E2E_OK) {
        e2e_skype_authority_free(a);
        return rc;
    }
    set_table_key(a);
    *out = a;
    return E2E_OK;
}

void
e2e_skype_authority_free(e2e_skype_authority *a)
{
    if (!a)
        return;
    e2e_rsa_free(a->key_2048);
    e2e_rsa_free(a->key_1536);
    if (a->users)
        e2e_wipe(a->users, a->cap * sizeof *a->users);
    free(a->users);
    free(a->slots);
    e2e_wipe(a, sizeof *a);
    free(a);
}

void
e2e_skype_authority_set_lifetime(e2e_skype_authority *a, uint32_t seconds)
{
    if (a && seconds)
        a->lifetime_s = seconds;
}

size_t
e2e_skype_authority_users(const e2e_skype_authority *a)
{
    return a ? a->nusers : 0;
}

int
e2e_skype_authority_export_ca(const e2e_skype_authority *a, uint8_t *out, size_t cap, size_t *len)
{
    if (!a || !len)
        return E2E_ERR_INVALID;
    e2e_skype_ca *ca;
    E2E_TRY(e2e_skype_ca_new(&ca, a->key_2048, a->key_1536));
    int rc = e2e_skype_ca_serialize(ca, out, cap, len);
    e2e_skype_ca_free(ca);
    return rc;
}

/* ---- requests ------------------------------------------------------------------------------- */

/* Signs a certificate for the request's name and key into out. */
static int
issue(const e2e_skype_authority *a, const e2e_ctx *ctx, const struct e2e__skype_request *q,
      int premium, uint8_t *out, size_t cap, size_t *len)
{
    struct e2e_skype_cert_info info;
    memset(&info, 0, sizeof info);
    memcpy(info.name, q->name, q->name_len);
    info.key_id = a->next_key_id;
    info.modulus_len = q->modulus_len;
    memcpy(info.modulus, q->modulus, q->modulus_len);
    uint64_t now = e2e_now_ms(ctx) / 1000;
    info.valid_from = (uint32_t)E2E_MIN(now, 0xFFFFFFFFu);
    info.valid_until = (uint32_t)E2E_MIN(now + a->lifetime_s, 0xFFFFFFFFu);
    uint32_t no = premium ? E2E_SKYPE_CA_2048 : E2E_SKYPE_CA_1536;
    E2E_TRACE(ctx, "skype authority: certificate for %s, key id %u, CA key %u", info.name,
              info.key_id, no);
    return e2e_skype_cert_sign(out, cap, len, premium ? a->key_2048 : a->key_1536, no, &info);
}

/* The user's RSA key: a modulus e2ekit accepts, of 1024 to 4096 bits. */
static int
check_key(const struct e2e__skype_request *q, struct e2e_report *why)
{
    static const uint8_t f4[3] = {1, 0, 1};
    e2e_rsa *k = NULL;
    int rc = e2e_rsa_from_public(&k, q->modulus, q->modulus_len, f4, sizeof f4);
    unsigned bits = rc == E2E_OK ? e2e_rsa_bits(k) : 0;
    e2e_rsa_free(k);
    if (bits < 1024 || bits > 4096)
        return e2e_report_fail(why, E2E_ERR_INVALID, "key",
                               "the user key must be an RSA modulus of 1024 to 4096 bits");
    return E2E_OK;
}

static int
do_register(e2e_skype_authority *a, const e2e_ctx *ctx, const struct e2e__skype_request *q,
            uint8_t *cert, size_t cap, size_t *cert_len, size_t resp_cap, struct e2e_report *why)
{
    if (e2e_skype_name_check(q->name, q->name_len) != E2E_OK)
        return e2e_report_fail(why, E2E_ERR_INVALID, "name", "'%s' is not a valid Skype name",
                               q->name);
    if (find_user(a, q->name, q->name_len))
        return e2e_report_fail(why, E2E_ERR_DUPLICATE, "name_taken",
                               "the name %s is already registered", q->name);
    E2E_TRY(check_key(q, why));
    E2E_TRY(reserve_user(a));
    E2E_TRY(issue(a, ctx, q, q->premium, cert, cap, cert_len));
    if (RESPONSE_HEAD + *cert_len > resp_cap)
        return E2E_ERR_BUFFER;
    struct user u;
    memset(&u, 0, sizeof u);
    memcpy(u.name, q->name, q->name_len);
    u.name_len = (uint8_t)q->name_len;
    u.premium = q->premium;
    e2e_skype_password_hash2(u.hhp, q->hp);
    u.key_id = a->next_key_id++;
    u.registered_s = (uint32_t)E2E_MIN(e2e_now_ms(ctx) / 1000, 0xFFFFFFFFu);
    add_user(a, &u);
    return E2E_OK;
}

static int
do_login(e2e_skype_authority *a, const e2e_ctx *ctx, const struct e2e__skype_request *q,
         uint8_t *cert, size_t cap, size_t *cert_len, size_t resp_cap, struct e2e_report *why)
{
    struct user *u = find_user(a, q->name, q->name_len);
    if (!u)
        return e2e_report_fail(why, E2E_ERR_NOT_FOUND, "unknown_name", "no user %s is registered",
                               q->name);
    uint8_t hhp[16];
    e2e_skype_password_hash2(hhp, q->hp);
    int ok = e2e_ct_equal(hhp, u->hhp, 16);
    e2e_wipe(hhp, sizeof hhp);
    if (!ok)
        return e2e_report_fail(why, E2E_ERR_AUTH, "password", "wrong password for %s", q->name);
    E2E_TRY(check_key(q, why));
    E2E_TRY(issue(a, ctx, q, u->premium, cert, cap, cert_len));
    if (RESPONSE_HEAD + *cert_len > resp_cap)
        return E2E_ERR_BUFFER;
    u->key_id = a->next_key_id++;
    return E2E_OK;
}

int
e2e_skype_authority_handle(e2e_skype_authority *a, const e2e_ctx *ctx, const uint8_t *req, size_t n,
                           uint8_t *resp, size_t cap, size_t *resp_len, struct e2e_report *why)
{
    e2e_report_clear(why);
    if (!a || !resp_len || (!req && n) || (!resp && cap))
        return e2e_report_fail(why, E2E_ERR_INVALID, "args", "missing argument");
    uint8_t buf[REQUEST_MAX], cert[4 + E2E_SKYPE_MODULUS_MAX + E2E_SKYPE_CERT_DATA_MAX];
    size_t cert_len = 0;
    struct e2e__skype_request q;
    int st = n <= sizeof buf
                 ? E2E_OK
                 : e2e_report_fail(why, E2E_ERR_MALFORMED, "length", "request of %zu bytes", n);
    if (st == E2E_OK) {
        memcpy(buf, req, n);
        st = e2e__skype_request_open(&q, a->key_1536, buf, n, why);
    }
    uint8_t type =
        n && (req[0] == E2E__SKYPE_REQ_LOGIN) ? E2E__SKYPE_REQ_LOGIN : E2E__SKYPE_REQ_REGISTER;
    if (st == E2E_OK && q.type == E2E__SKYPE_REQ_REGISTER)
        st = do_register(a, ctx, &q, cert, sizeof cert, &cert_len, cap, why);
    else if (st == E2E_OK)
        st = do_login(a, ctx, &q, cert, sizeof cert, &cert_len, cap, why);
    int wire = st;
    if (st != E2E_OK && st != E2E_ERR_DUPLICATE && st != E2E_ERR_NOT_FOUND && st != E2E_ERR_AUTH &&
        st != E2E_ERR_INVALID && st != E2E_ERR_LIMIT)
        wire = E2E_ERR_MALFORMED; /* internal failures: the client learns no more than that */
    int rc = e2e__skype_write_response(resp, cap, resp_len, type, wire, cert, cert_len);
    e2e_wipe(buf, sizeof buf);
    e2e_wipe(&q, sizeof q);
    return rc != E2E_OK ? rc : st;
}

/* ---- persistence ---------------------------------------------------------------------------- */

static size_t
der_size(const e2e_rsa *k)
{
    size_t n = 0;
    int rc = e2e_rsa_to_der(k, 1, NULL, 0, &n);
    return rc == E2E_OK || rc == E2E_ERR_BUFFER ? n : 0;
}

static void
write_key(struct e2e_writer *w, const e2e_rsa *k)
{
    size_t n = der_size(k);
    e2e_write_u16_be(w, (uint16_t)n);
    uint8_t *p = e2e_write_reserve(w, n);
    if (p && (n == 0 || e2e_rsa_to_der(k, 1, p, n, &n) != E2E_OK))
        w->err = E2E_ERR_CRYPTO;
}

static void
write_user(struct e2e_writer *w, const struct user *u)
{
    e2e_write_u8(w, u->name_len);
    e2e_write_bytes(w, (const uint8_t *)u->name, u->name_len);
    e2e_write_u8(w, u->premium);
    e2e_write_bytes(w, u->hhp, 16);
    e2e_write_u32_be(w, u->key_id);
    e2e_write_u32_be(w, u->registered_s);
}

static size_t
serialized_size(const e2e_skype_authority *a)
{
    size_t n = 6 + 4 + 4 + 32 + 2 + der_size(a->key_2048) + 2 + der_size(a->key_1536) + 4;
    for (size_t i = 0; i < a->nusers; i++)
        n += 1 + a->users[i].name_len + 1 + 16 + 4 + 4;
    return n;
}

int
e2e_skype_authority_serialize(const e2e_skype_authority *a, uint8_t *out, size_t cap, size_t *len)
{
    if (!a || !len)
        return E2E_ERR_INVALID;
    *len = serialized_size(a);
    if (cap < *len)
        return E2E_ERR_BUFFER;
    struct e2e_writer w;
    e2e_writer_init(&w, out, cap);
    e2e__blob_head_write(&w, AU_MAGIC, AU_VERSION);
    e2e_write_u32_be(&w, a->lifetime_s);
    e2e_write_u32_be(&w, a->next_key_id);
    e2e_write_bytes(&w, a->table_key, sizeof a->table_key);
    write_key(&w, a->key_2048);
    write_key(&w, a->key_1536);
    e2e_write_u32_be(&w, (uint32_t)a->nusers);
    for (size_t i = 0; i < a->nusers; i++)
        write_user(&w, &a->users[i]);
    return w.err ? w.err : E2E_OK;
}

static int
read_key(struct e2e_reader *r, e2e_rsa **k, unsigned bits)
{
    size_t n = e2e_read_u16_be(r);
    const uint8_t *der = e2e_read_view(r, n);
    if (!der)
        return E2E_ERR_MALFORMED;
    int rc = e2e_rsa_from_der(k, 1, der, n);
    if (rc == E2E_OK && e2e_rsa_bits(*k) != bits)
        rc = E2E_ERR_MALFORMED;
    return rc;
}

static int
read_user(struct e2e_reader *r, e2e_skype_authority *a)
{
    struct user u;
    memset(&u, 0, sizeof u);
    u.name_len = e2e_read_u8(r);
    if (u.name_len > E2E_SKYPE_NAME_MAX)
        return E2E_ERR_MALFORMED;
    e2e_read_bytes(r, (uint8_t *)u.name, u.name_len);
    u.premium = e2e_read_u8(r);
    e2e_read_bytes(r, u.hhp, 16);
    u.key_id = e2e_read_u32_be(r);
    u.registered_s = e2e_read_u32_be(r);
    if (r->err || u.premium > 1 || e2e_skype_name_check(u.name, u.name_len) != E2E_OK ||
        find_user(a, u.name, u.name_len))
        return E2E_ERR_MALFORMED;
    E2E_TRY(reserve_user(a));
    add_user(a, &u);
    return E2E_OK;
}

static int
read_authority(struct e2e_reader *r, e2e_skype_authority *a)
{
    a->lifetime_s = e2e_read_u32_be(r);
    a->next_key_id = e2e_read_u32_be(r);
    e2e_read_bytes(r, a->table_key, sizeof a->table_key);
    set_table_key(a);
    int rc = read_key(r, &a->key_2048, 2048);
    if (rc == E2E_OK)
        rc = read_key(r, &a->key_1536, 1536);
    uint32_t n = e2e_read_u32_be(r);
    if (rc == E2E_OK && (r->err || a->lifetime_s == 0 || n > e2e_reader_left(r) / 30))
        rc = E2E_ERR_MALFORMED;
    for (uint32_t i = 0; i < n && rc == E2E_OK; i++)
        rc = read_user(r, a);
    return rc == E2E_OK ? e2e_reader_done(r) : rc;
}

int
e2e_skype_authority_parse(e2e_skype_authority **out, const uint8_t *p, size_t n,
                          struct e2e_report *why)
{
    struct e2e_reader r;
    if (out)
        *out = NULL;
    E2E_TRY(e2e__skype_blob_begin(&r, out != NULL, p, n, AU_MAGIC, AU_VERSION, "authority", why));
    e2e_skype_authority *a = alloc_authority();
    if (!a)
        return E2E_ERR_NOMEM;
    int rc = read_authority(&r, a);
    if (rc != E2E_OK) {
        e2e_skype_authority_free(a);
        return e2e_report_fail(why, rc, "encoding", "authority blob: bad field, key or length");
    }
    *out = a;
    return E2E_OK;
}
