/*
 * A device's own prekeys. One-time prekey ids are 24-bit and issued consecutively, wrapping
 * inside 1 .. 0xFFFFFE as libsignal-protocol-c's key helper does ((start + i - 1) % 0xFFFFFE
 * + 1); 0xFFFFFF is left for a "last resort" key, which decryption never deletes.
 *
 * Blob "E2PK" v1: u32 last one-time id, u32 last signed id, u32 #signed, each {u32 id, u64
 * created_ms, priv 32, pub 32, signature 64}, u32 #one-time, each {u32 id, priv 32, pub 32}.
 */
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/log.h"
#include "core/util.h"
#include "signal/internal.h"

#define PK_MAGIC     0x4532504Bu /* "E2PK" */
#define PK_FORMAT    1
#define MAX_ONE_TIME 0x10000u
#define MAX_SIGNED   256u

struct e2e_signal_prekeys {
    struct e2e_signal_prekey *otk; /* issue order */
    uint32_t n_otk, cap_otk;
    struct e2e_signal_signed_prekey *spk; /* oldest first; the last one is current */
    uint32_t n_spk, cap_spk;
    uint32_t last_otk_id, last_spk_id;
};

int
e2e_signal_prekeys_new(e2e_signal_prekeys **out)
{
    if (!out)
        return E2E_ERR_INVALID;
    *out = calloc(1, sizeof **out);
    return *out ? E2E_OK : E2E_ERR_NOMEM;
}

void
e2e_signal_prekeys_free(e2e_signal_prekeys *pk)
{
    if (!pk)
        return;
    if (pk->otk) {
        e2e_wipe(pk->otk, pk->cap_otk * sizeof *pk->otk);
        free(pk->otk);
    }
    if (pk->spk) {
        e2e_wipe(pk->spk, pk->cap_spk * sizeof *pk->spk);
        free(pk->spk);
    }
    e2e_wipe(pk, sizeof *pk);
    free(pk);
}

/* Grows an array of `size`-byte elements to hold `need`, wiping the old block. */
static int
grow(void **v, uint32_t *cap, uint32_t need, size_t size)
{
    if (need <= *cap)
        return E2E_OK;
    uint32_t c = *cap ? *cap : 16;
    while (c < need)
        c *= 2;
    uint8_t *p = calloc(c, size);
    if (!p)
        return E2E_ERR_NOMEM;
    if (*v) {
        memcpy(p, *v, *cap * size);
        e2e_wipe(*v, *cap * size);
        free(*v);
    }
    *v = p;
    *cap = c;
    return E2E_OK;
}

static long
otk_index(const e2e_signal_prekeys *pk, uint32_t id)
{
    for (uint32_t i = 0; i < pk->n_otk; i++)
        if (pk->otk[i].id == id)
            return (long)i;
    return -1;
}

static long
spk_index(const e2e_signal_prekeys *pk, uint32_t id)
{
    for (uint32_t i = 0; i < pk->n_spk; i++)
        if (pk->spk[i].id == id)
            return (long)i;
    return -1;
}

const struct e2e_signal_keypair *
e2e__prekeys_signed_key(const e2e_signal_prekeys *pk, uint32_t id)
{
    long i = spk_index(pk, id);
    return i < 0 ? NULL : &pk->spk[i].key;
}

const struct e2e_signal_keypair *
e2e__prekeys_one_time_key(const e2e_signal_prekeys *pk, uint32_t id)
{
    long i = otk_index(pk, id);
    return i < 0 ? NULL : &pk->otk[i].key;
}

/* ---- one-time prekeys ------------------------------------------------------------------------ */

void
e2e__prekeys_drop(e2e_signal_prekeys *pk, uint32_t id)
{
    long i = pk ? otk_index(pk, id) : -1;
    if (i < 0)
        return;
    memmove(&pk->otk[i], &pk->otk[i + 1], (pk->n_otk - (uint32_t)i - 1) * sizeof *pk->otk);
    pk->n_otk--;
    e2e_wipe(&pk->otk[pk->n_otk], sizeof *pk->otk);
}

int
e2e_signal_prekeys_remove(e2e_signal_prekeys *pk, uint32_t id)
{
    if (!pk || otk_index(pk, id) < 0)
        return E2E_ERR_NOT_FOUND;
    e2e__prekeys_drop(pk, id);
    return E2E_OK;
}

int
e2e_signal_prekeys_add(e2e_signal_prekeys *pk, const struct e2e_signal_prekey *k)
{
    if (!pk || !k || k->id == 0 || k->id > E2E_SIGNAL_PREKEY_MAX_ID)
        return E2E_ERR_INVALID;
    e2e__prekeys_drop(pk, k->id); /* an id issued again replaces the old key */
    if (pk->n_otk >= MAX_ONE_TIME)
        return E2E_ERR_LIMIT;
    E2E_TRY(grow((void **)&pk->otk, &pk->cap_otk, pk->n_otk + 1, sizeof *pk->otk));
    pk->otk[pk->n_otk++] = *k;
    return E2E_OK;
}

int
e2e_signal_prekeys_generate(e2e_signal_prekeys *pk, const e2e_ctx *ctx, size_t count,
                            uint32_t *first_id)
{
    if (!pk || count == 0 || count > MAX_ONE_TIME)
        return E2E_ERR_INVALID;
    struct e2e_signal_prekey k;
    for (size_t i = 0; i < count; i++) {
        k.id = pk->last_otk_id % (E2E_SIGNAL_PREKEY_MAX_ID - 1) + 1;
        int rc = e2e_signal_keypair_generate(&k.key, ctx);
        if (rc == E2E_OK)
            rc = e2e_signal_prekeys_add(pk, &k);
        if (rc != E2E_OK) {
            e2e_wipe(&k, sizeof k);
            return rc;
        }
        if (i == 0 && first_id)
            *first_id = k.id;
        pk->last_otk_id = k.id;
    }
    e2e_wipe(&k, sizeof k);
    return E2E_OK;
}

size_t
e2e_signal_prekeys_count(const e2e_signal_prekeys *pk)
{
    return pk ? pk->n_otk : 0;
}

size_t
e2e_signal_prekeys_ids(const e2e_signal_prekeys *pk, uint32_t *ids, size_t cap)
{
    size_t n = 0;
    for (; pk && ids && n < cap && n < pk->n_otk; n++)
        ids[n] = pk->otk[n].id;
    return n;
}

int
e2e_signal_prekeys_get(const e2e_signal_prekeys *pk, uint32_t id, struct e2e_signal_prekey *out)
{
    long i = pk && out ? otk_index(pk, id) : -1;
    if (i < 0)
        return E2E_ERR_NOT_FOUND;
    *out = pk->otk[i];
    return E2E_OK;
}

/* ---- signed prekeys -------------------------------------------------------------------------- */

int
e2e_signal_prekeys_add_signed(e2e_signal_prekeys *pk, const struct e2e_signal_signed_prekey *spk)
{
    if (!pk || !spk || spk_index(pk, spk->id) >= 0)
        return E2E_ERR_INVALID;
    if (pk->n_spk >= MAX_SIGNED)
        return E2E_ERR_LIMIT;
    E2E_TRY(grow((void **)&pk->spk, &pk->cap_spk, pk->n_spk + 1, sizeof *pk->spk));
    pk->spk[pk->n_spk++] = *spk;
    if (spk->id > pk->last_spk_id)
        pk->last_spk_id = spk->id;
    return E2E_OK;
}

int
e2e_signal_prekeys_rotate_signed(e2e_signal_prekeys *pk, const struct e2e_signal_identity *id,
                                 const e2e_ctx *ctx, uint32_t *spk_id)
{
    if (!pk || !id)
        return E2E_ERR_INVALID;
    struct e2e_signal_signed_prekey spk;
    uint32_t next = pk->last_spk_id % (E2E_SIGNAL_PREKEY_MAX_ID - 1) + 1;
    int rc = e2e_signal_signed_prekey_generate(&spk, id, next, ctx);
    if (rc == E2E_OK)
        rc = e2e_signal_prekeys_add_signed(pk, &spk);
    if (rc == E2E_OK) {
        pk->last_spk_id = next;
        if (spk_id)
            *spk_id = next;
    }
    e2e_wipe(&spk, sizeof spk);
    return rc;
}

int
e2e_signal_prekeys_signed_current(const e2e_signal_prekeys *pk,
                                  struct e2e_signal_signed_prekey *out)
{
    if (!pk || !out || pk->n_spk == 0)
        return E2E_ERR_NOT_FOUND;
    *out = pk->spk[pk->n_spk - 1];
    return E2E_OK;
}

int
e2e_signal_prekeys_signed_get(const e2e_signal_prekeys *pk, uint32_t spk_id,
                              struct e2e_signal_signed_prekey *out)
{
    long i = pk && out ? spk_index(pk, spk_id) : -1;
    if (i < 0)
        return E2E_ERR_NOT_FOUND;
    *out = pk->spk[i];
    return E2E_OK;
}

size_t
e2e_signal_prekeys_signed_count(const e2e_signal_prekeys *pk)
{
    return pk ? pk->n_spk : 0;
}

size_t
e2e_signal_prekeys_signed_expire(e2e_signal_prekeys *pk, uint64_t cutoff_ms)
{
    size_t removed = 0;
    for (uint32_t i = 0; pk && pk->n_spk > 1 && i + 1 < pk->n_spk;) {
        if (pk->spk[i].created_ms >= cutoff_ms) {
            i++;
            continue;
        }
        memmove(&pk->spk[i], &pk->spk[i + 1], (pk->n_spk - i - 1) * sizeof *pk->spk);
        pk->n_spk--;
        e2e_wipe(&pk->spk[pk->n_spk], sizeof *pk->spk);
        removed++;
    }
    return removed;
}

int
e2e_signal_prekeys_bundle(const e2e_signal_prekeys *pk, const struct e2e_signal_identity *id,
                          uint32_t device_id, uint32_t one_time_id, struct e2e_signal_bundle *out)
{
    if (!pk || !id || !out)
        return E2E_ERR_INVALID;
    if (pk->n_spk == 0)
        return E2E_ERR_NOT_FOUND;
    const struct e2e_signal_signed_prekey *spk = &pk->spk[pk->n_spk - 1];
    memset(out, 0, sizeof *out);
    out->registration_id = id->registration_id;
    out->device_id = device_id;
    memcpy(out->identity_key, id->key.pub, 32);
    out->signed_prekey_id = spk->id;
    memcpy(out->signed_prekey, spk->key.pub, 32);
    memcpy(out->signed_prekey_signature, spk->signature, 64);
    if (one_time_id) {
        long i = otk_index(pk, one_time_id);
        if (i < 0)
            return E2E_ERR_NOT_FOUND;
        out->has_one_time_prekey = 1;
        out->one_time_prekey_id = one_time_id;
        memcpy(out->one_time_prekey, pk->otk[i].key.pub, 32);
    }
    return E2E_OK;
}

/* ---- blob ------------------------------------------------------------------------------------ */

size_t
e2e_signal_prekeys_serialized_size(const e2e_signal_prekeys *pk)
{
    return pk ? 4 + 2 + 4 + 4 + 4 + (size_t)pk->n_spk * (4 + 8 + 32 + 32 + 64) + 4 +
                    (size_t)pk->n_otk * (4 + 32 + 32)
              : 0;
}

int
e2e_signal_prekeys_serialize(const e2e_signal_prekeys *pk, uint8_t *out, size_t cap, size_t *len)
{
    if (!pk || !len)
        return E2E_ERR_INVALID;
    struct e2e_writer w;
    e2e_writer_init(&w, out, cap);
    e2e__blob_head_write(&w, PK_MAGIC, PK_FORMAT);
    e2e_write_u32_be(&w, pk->last_otk_id);
    e2e_write_u32_be(&w, pk->last_spk_id);
    e2e_write_u32_be(&w, pk->n_spk);
    for (uint32_t i = 0; i < pk->n_spk; i++) {
        e2e_write_u32_be(&w, pk->spk[i].id);
        e2e_write_u64_be(&w, pk->spk[i].created_ms);
        e2e_write_bytes(&w, pk->spk[i].key.priv, 32);
        e2e_write_bytes(&w, pk->spk[i].key.pub, 32);
        e2e_write_bytes(&w, pk->spk[i].signature, 64);
    }
    e2e_write_u32_be(&w, pk->n_otk);
    for (uint32_t i = 0; i < pk->n_otk; i++) {
        e2e_write_u32_be(&w, pk->otk[i].id);
        e2e_write_bytes(&w, pk->otk[i].key.priv, 32);
        e2e_write_bytes(&w, pk->otk[i].key.pub, 32);
    }
    *len = w.err ? 0 : w.len;
    return w.err;
}

static int
parse_keys(e2e_signal_prekeys *pk, struct e2e_reader *r)
{
    uint32_t n = e2e_read_u32_be(r);
    if (r->err || n > MAX_SIGNED || e2e_reader_left(r) / (4 + 8 + 32 + 32 + 64) < n)
        return E2E_ERR_MALFORMED;
    struct e2e_signal_signed_prekey spk;
    for (uint32_t i = 0; i < n; i++) {
        spk.id = e2e_read_u32_be(r);
        spk.created_ms = e2e_read_u64_be(r);
        e2e_read_bytes(r, spk.key.priv, 32);
        e2e_read_bytes(r, spk.key.pub, 32);
        e2e_read_bytes(r, spk.signature, 64);
        int rc = e2e_signal_prekeys_add_signed(pk, &spk);
        e2e_wipe(&spk, sizeof spk);
        if (rc != E2E_OK)
            return rc == E2E_ERR_NOMEM ? rc : E2E_ERR_MALFORMED;
    }
    n = e2e_read_u32_be(r);
    if (r->err || n > MAX_ONE_TIME || e2e_reader_left(r) / (4 + 32 + 32) < n)
        return E2E_ERR_MALFORMED;
    struct e2e_signal_prekey k;
    for (uint32_t i = 0; i < n; i++) {
        k.id = e2e_read_u32_be(r);
        e2e_read_bytes(r, k.key.priv, 32);
        e2e_read_bytes(r, k.key.pub, 32);
        int rc = otk_index(pk, k.id) >= 0 ? E2E_ERR_MALFORMED : e2e_signal_prekeys_add(pk, &k);
        e2e_wipe(&k, sizeof k);
        if (rc != E2E_OK)
            return rc == E2E_ERR_NOMEM ? rc : E2E_ERR_MALFORMED;
    }
    return e2e_reader_done(r);
}

int
e2e_signal_prekeys_parse(e2e_signal_prekeys **out, const uint8_t *in, size_t n,
                         struct e2e_report *why)
{
    e2e_report_clear(why);
    if (!out || (!in && n))
        return e2e_report_fail(why, E2E_ERR_INVALID, "argument", "missing argument");
    *out = NULL;
    struct e2e_reader r;
    E2E_TRY(e2e__blob_open(&r, in, n, PK_MAGIC, PK_FORMAT, "prekey store", why));
    e2e_signal_prekeys *pk;
    E2E_TRY(e2e_signal_prekeys_new(&pk));
    uint32_t last_otk = e2e_read_u32_be(&r), last_spk = e2e_read_u32_be(&r);
    int rc = parse_keys(pk, &r);
    if (rc != E2E_OK) {
        e2e_signal_prekeys_free(pk);
        return e2e_report_fail(why, rc, "blob", "prekey store blob is damaged");
    }
    pk->last_otk_id = last_otk;
    pk->last_spk_id = last_spk;
    *out = pk;
    return E2E_OK;
}
