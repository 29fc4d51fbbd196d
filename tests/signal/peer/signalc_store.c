/* In-memory stores for libsignal-protocol-c (see signalc_store.h). */
#include "signalc_store.h"

#include <stdlib.h>
#include <string.h>

/* ---- map ------------------------------------------------------------------------------------- */

static long
map_find(const struct sc_map *m, const void *key, size_t klen)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->e[i].klen == klen && memcmp(m->e[i].key, key, klen) == 0)
            return (long)i;
    return -1;
}

const uint8_t *
sc_map_get(const struct sc_map *m, const void *key, size_t klen, size_t *vlen)
{
    long i = map_find(m, key, klen);
    if (i < 0)
        return NULL;
    *vlen = m->e[i].vlen;
    return m->e[i].val;
}

int
sc_map_put(struct sc_map *m, const void *key, size_t klen, const uint8_t *val, size_t vlen)
{
    uint8_t *v = malloc(vlen ? vlen : 1);
    if (!v)
        return SG_ERR_NOMEM;
    if (vlen)
        memcpy(v, val, vlen);
    long i = map_find(m, key, klen);
    if (i >= 0) {
        free(m->e[i].val);
        m->e[i].val = v;
        m->e[i].vlen = vlen;
        return 0;
    }
    if (m->n == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 8;
        struct sc_map_entry *e = realloc(m->e, cap * sizeof *e);
        if (!e) {
            free(v);
            return SG_ERR_NOMEM;
        }
        m->e = e;
        m->cap = cap;
    }
    uint8_t *k = malloc(klen ? klen : 1);
    if (!k) {
        free(v);
        return SG_ERR_NOMEM;
    }
    memcpy(k, key, klen);
    m->e[m->n++] = (struct sc_map_entry){k, v, klen, vlen};
    return 0;
}

void
sc_map_del(struct sc_map *m, const void *key, size_t klen)
{
    long i = map_find(m, key, klen);
    if (i < 0)
        return;
    free(m->e[i].key);
    free(m->e[i].val);
    m->e[i] = m->e[--m->n];
}

static void
map_clear(struct sc_map *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->e[i].key);
        free(m->e[i].val);
    }
    free(m->e);
    memset(m, 0, sizeof *m);
}

static int
map_load(signal_buffer **out, const struct sc_map *m, const void *key, size_t klen)
{
    size_t vlen;
    const uint8_t *v = sc_map_get(m, key, klen, &vlen);
    if (!v)
        return 0;
    *out = signal_buffer_create(v, vlen);
    return *out ? 1 : SG_ERR_NOMEM;
}

/* Address key: name bytes then the 4-byte device id. */
static size_t
addr_key(uint8_t *k, size_t cap, const signal_protocol_address *a)
{
    size_t n = a->name_len < cap - 4 ? a->name_len : cap - 4;
    memcpy(k, a->name, n);
    memcpy(k + n, &a->device_id, 4);
    return n + 4;
}

/* ---- sessions -------------------------------------------------------------------------------- */

static int
load_session(signal_buffer **record, signal_buffer **user, const signal_protocol_address *a,
             void *ud)
{
    struct sc_store *st = ud;
    uint8_t k[256];
    (void)user;
    st->loads++;
    return map_load(record, &st->sessions, k, addr_key(k, sizeof k, a));
}

static int
sub_devices(signal_int_list **sessions, const char *name, size_t name_len, void *ud)
{
    struct sc_store *st = ud;
    signal_int_list *l = signal_int_list_alloc();
    if (!l)
        return SG_ERR_NOMEM;
    for (size_t i = 0; i < st->sessions.n; i++) {
        const struct sc_map_entry *e = &st->sessions.e[i];
        int32_t dev;
        if (e->klen == name_len + 4 && memcmp(e->key, name, name_len) == 0) {
            memcpy(&dev, e->key + name_len, 4);
            signal_int_list_push_back(l, dev);
        }
    }
    *sessions = l;
    return (int)signal_int_list_size(l);
}

static int
store_session(const signal_protocol_address *a, uint8_t *rec, size_t len, uint8_t *user,
              size_t ulen, void *ud)
{
    struct sc_store *st = ud;
    uint8_t k[256];
    (void)user;
    (void)ulen;
    st->stores++;
    return sc_map_put(&st->sessions, k, addr_key(k, sizeof k, a), rec, len);
}

static int
contains_session(const signal_protocol_address *a, void *ud)
{
    struct sc_store *st = ud;
    uint8_t k[256];
    size_t vlen;
    return sc_map_get(&st->sessions, k, addr_key(k, sizeof k, a), &vlen) != NULL;
}

static int
delete_session(const signal_protocol_address *a, void *ud)
{
    struct sc_store *st = ud;
    uint8_t k[256];
    sc_map_del(&st->sessions, k, addr_key(k, sizeof k, a));
    return 1;
}

static int
delete_all(const char *name, size_t name_len, void *ud)
{
    struct sc_store *st = ud;
    int n = 0;
    for (size_t i = 0; i < st->sessions.n;) {
        if (st->sessions.e[i].klen == name_len + 4 &&
            memcmp(st->sessions.e[i].key, name, name_len) == 0) {
            sc_map_del(&st->sessions, st->sessions.e[i].key, st->sessions.e[i].klen);
            n++;
        } else {
            i++;
        }
    }
    return n;
}

/* ---- prekeys --------------------------------------------------------------------------------- */

static int
load_prekey(signal_buffer **rec, uint32_t id, void *ud)
{
    struct sc_store *st = ud;
    int r = map_load(rec, &st->prekeys, &id, sizeof id);
    return r == 1 ? SG_SUCCESS : r == 0 ? SG_ERR_INVALID_KEY_ID : r;
}

static int
store_prekey(uint32_t id, uint8_t *rec, size_t len, void *ud)
{
    return sc_map_put(&((struct sc_store *)ud)->prekeys, &id, sizeof id, rec, len);
}

static int
contains_prekey(uint32_t id, void *ud)
{
    size_t vlen;
    return sc_map_get(&((struct sc_store *)ud)->prekeys, &id, sizeof id, &vlen) != NULL;
}

static int
remove_prekey(uint32_t id, void *ud)
{
    sc_map_del(&((struct sc_store *)ud)->prekeys, &id, sizeof id);
    return 0;
}

static int
load_signed(signal_buffer **rec, uint32_t id, void *ud)
{
    struct sc_store *st = ud;
    int r = map_load(rec, &st->signed_prekeys, &id, sizeof id);
    return r == 1 ? SG_SUCCESS : r == 0 ? SG_ERR_INVALID_KEY_ID : r;
}

static int
store_signed(uint32_t id, uint8_t *rec, size_t len, void *ud)
{
    return sc_map_put(&((struct sc_store *)ud)->signed_prekeys, &id, sizeof id, rec, len);
}

static int
contains_signed(uint32_t id, void *ud)
{
    size_t vlen;
    return sc_map_get(&((struct sc_store *)ud)->signed_prekeys, &id, sizeof id, &vlen) != NULL;
}

static int
remove_signed(uint32_t id, void *ud)
{
    sc_map_del(&((struct sc_store *)ud)->signed_prekeys, &id, sizeof id);
    return 0;
}

/* ---- identities ------------------------------------------------------------------------------ */

static int
get_identity(signal_buffer **pub, signal_buffer **priv, void *ud)
{
    struct sc_store *st = ud;
    *pub = signal_buffer_copy(st->identity_pub);
    *priv = signal_buffer_copy(st->identity_priv);
    return *pub && *priv ? 0 : SG_ERR_NOMEM;
}

static int
get_registration_id(void *ud, uint32_t *id)
{
    *id = ((struct sc_store *)ud)->registration_id;
    return 0;
}

static int
save_identity(const signal_protocol_address *a, uint8_t *key, size_t len, void *ud)
{
    struct sc_store *st = ud;
    uint8_t k[256];
    size_t kl = addr_key(k, sizeof k, a);
    if (!key) {
        sc_map_del(&st->identities, k, kl);
        return 0;
    }
    return sc_map_put(&st->identities, k, kl, key, len);
}

static int
is_trusted(const signal_protocol_address *a, uint8_t *key, size_t len, void *ud)
{
    struct sc_store *st = ud;
    uint8_t k[256];
    size_t vlen;
    const uint8_t *v = sc_map_get(&st->identities, k, addr_key(k, sizeof k, a), &vlen);
    return !v || (vlen == len && memcmp(v, key, len) == 0);
}

/* ---- sender keys ----------------------------------------------------------------------------- */

static size_t
sender_key_key(uint8_t *k, size_t cap, const signal_protocol_sender_key_name *n)
{
    size_t g = n->group_id_len < cap / 2 ? n->group_id_len : cap / 2;
    memcpy(k, n->group_id, g);
    k[g] = 0;
    return g + 1 + addr_key(k + g + 1, cap - g - 1, &n->sender);
}

static int
store_sender_key(const signal_protocol_sender_key_name *n, uint8_t *rec, size_t len, uint8_t *user,
                 size_t ulen, void *ud)
{
    struct sc_store *st = ud;
    uint8_t k[512];
    (void)user;
    (void)ulen;
    return sc_map_put(&st->sender_keys, k, sender_key_key(k, sizeof k, n), rec, len);
}

static int
load_sender_key(signal_buffer **rec, signal_buffer **user, const signal_protocol_sender_key_name *n,
                void *ud)
{
    struct sc_store *st = ud;
    uint8_t k[512];
    (void)user;
    return map_load(rec, &st->sender_keys, k, sender_key_key(k, sizeof k, n));
}

/* ---- wiring ---------------------------------------------------------------------------------- */

int
sc_store_context(signal_protocol_store_context **out, signal_context *ctx, struct sc_store *st)
{
    signal_protocol_session_store ss = {
        load_session,   sub_devices, store_session, contains_session,
        delete_session, delete_all,  NULL,          st};
    signal_protocol_pre_key_store ps = {load_prekey,   store_prekey, contains_prekey,
                                        remove_prekey, NULL,         st};
    signal_protocol_signed_pre_key_store sps = {load_signed,   store_signed, contains_signed,
                                                remove_signed, NULL,         st};
    signal_protocol_identity_key_store is = {
        get_identity, get_registration_id, save_identity, is_trusted, NULL, st};
    signal_protocol_sender_key_store sks = {store_sender_key, load_sender_key, NULL, st};
    int rc = signal_protocol_store_context_create(out, ctx);
    if (rc == 0)
        rc = signal_protocol_store_context_set_session_store(*out, &ss);
    if (rc == 0)
        rc = signal_protocol_store_context_set_pre_key_store(*out, &ps);
    if (rc == 0)
        rc = signal_protocol_store_context_set_signed_pre_key_store(*out, &sps);
    if (rc == 0)
        rc = signal_protocol_store_context_set_identity_key_store(*out, &is);
    if (rc == 0)
        rc = signal_protocol_store_context_set_sender_key_store(*out, &sks);
    return rc;
}

void
sc_store_clear(struct sc_store *st)
{
    map_clear(&st->sessions);
    map_clear(&st->prekeys);
    map_clear(&st->signed_prekeys);
    map_clear(&st->identities);
    map_clear(&st->sender_keys);
    signal_buffer_bzero_free(st->identity_pub);
    signal_buffer_bzero_free(st->identity_priv);
    memset(st, 0, sizeof *st);
}
