/*
 * Signed device lists (ADVKeyIndexList / ADVSignedKeyIndexList, reference §2.2): the
 * primary assigns key indexes to companions, signs the list with 06 02, and everyone who
 * talks to the account keeps the latest verified list and refuses rollbacks.
 */
#include <string.h>

#include <e2ekit/crypto.h>
#include <e2ekit/whatsapp.h>

#include "core/blob.h"
#include "core/bytes.h"
#include "core/log.h"
#include "core/util.h"
#include "whatsapp/adv_internal.h"
#include "codec/pb.h"

#define DEVLIST_MAGIC   E2E__MAGIC('W', 'A', 'D', 'L')
#define DEVLIST_VERSION 1

static uint64_t
next_timestamp(const struct e2e_wa_devlist *l, const e2e_ctx *ctx)
{
    uint64_t now = e2e_now_ms(ctx) / 1000;
    return now > l->timestamp ? now : l->timestamp + 1; /* strictly increasing */
}

void
e2e_wa_devlist_init(struct e2e_wa_devlist *l, uint32_t raw_id, const e2e_ctx *ctx)
{
    memset(l, 0, sizeof *l);
    l->raw_id = raw_id;
    l->timestamp = e2e_now_ms(ctx) / 1000;
    l->n_valid = 1; /* valid[0] = 0: the primary */
}

int
e2e_wa_devlist_contains(const struct e2e_wa_devlist *l, uint32_t key_index)
{
    for (size_t i = 0; i < l->n_valid && i < E2E_WA_MAX_INDEXES; i++)
        if (l->valid[i] == key_index)
            return 1;
    return 0;
}

int
e2e_wa_devlist_has_companions(const struct e2e_wa_devlist *l)
{
    for (size_t i = 0; i < l->n_valid && i < E2E_WA_MAX_INDEXES; i++)
        if (l->valid[i] != 0)
            return 1;
    return 0;
}

int
e2e_wa_devlist_add(struct e2e_wa_devlist *l, const e2e_ctx *ctx, uint32_t *key_index)
{
    if (l->n_valid >= E2E_WA_MAX_INDEXES || l->current_index == UINT32_MAX)
        return E2E_ERR_LIMIT;
    l->current_index++;
    l->valid[l->n_valid++] = l->current_index; /* stays ascending: indexes only grow */
    l->timestamp = next_timestamp(l, ctx);
    *key_index = l->current_index;
    return E2E_OK;
}

int
e2e_wa_devlist_remove(struct e2e_wa_devlist *l, const e2e_ctx *ctx, uint32_t key_index)
{
    if (key_index == 0)
        return E2E_ERR_INVALID;
    for (size_t i = 0; i < l->n_valid; i++) {
        if (l->valid[i] != key_index)
            continue;
        memmove(l->valid + i, l->valid + i + 1, (l->n_valid - i - 1) * sizeof l->valid[0]);
        l->valid[--l->n_valid] = 0;
        l->timestamp = next_timestamp(l, ctx);
        return E2E_OK;
    }
    return E2E_ERR_NOT_FOUND;
}

static int
details_encode(uint8_t *out, size_t cap, size_t *len, const struct e2e_wa_devlist *l)
{
    struct e2e_writer w;
    e2e_writer_init(&w, out, cap);
    e2e__pb_uint(&w, 1, l->raw_id);
    e2e__pb_uint(&w, 2, l->timestamp);
    e2e__pb_uint(&w, 3, l->current_index);
    e2e__pb_packed(&w, 4, l->valid, l->n_valid);
    if (l->account_type)
        e2e__pb_uint(&w, 5, l->account_type);
    if (w.err)
        return w.err;
    *len = w.len;
    return E2E_OK;
}

int
e2e_wa_devlist_sign(uint8_t *out, size_t cap, size_t *len, const e2e_ctx *ctx,
                    const struct e2e_wa_devlist *l, const struct e2e_wa_identity *primary)
{
    uint8_t details[ADV_DETAILS_MAX], sig[64];
    size_t dn = 0;
    if (l->n_valid > E2E_WA_MAX_INDEXES)
        return E2E_ERR_INVALID;
    E2E_TRY(details_encode(details, sizeof details, &dn, l));
    e2e_trace_hex(ctx, "adv: device list (ADVKeyIndexList)", details, dn);
    E2E_TRY(e2e__adv_sign(sig, ctx, primary, ADV_PREFIX_LIST, details, dn, NULL, 0, NULL, 0));
    struct e2e_writer w;
    e2e_writer_init(&w, out, cap);
    e2e__pb_bytes(&w, 1, details, dn);
    e2e__pb_bytes(&w, 2, sig, 64);
    e2e__pb_bytes(&w, 3, primary->pub, 32);
    if (w.err)
        return w.err;
    *len = w.len;
    return E2E_OK;
}

struct signed_list {
    const uint8_t *details, *sig, *key;
    size_t details_len, sig_len, key_len;
};

static int
signed_list_parse(struct signed_list *s, const uint8_t *p, size_t n)
{
    struct e2e_reader r;
    struct e2e__pb_field f;
    int rc, bad = 0;
    memset(s, 0, sizeof *s);
    e2e_reader_init(&r, p, n);
    while ((rc = e2e__pb_next(&r, &f)) == 1) {
        const uint8_t **dst = f.num == 1 ? &s->details : f.num == 2 ? &s->sig : &s->key;
        size_t *dn = f.num == 1 ? &s->details_len : f.num == 2 ? &s->sig_len : &s->key_len;
        if (f.num < 1 || f.num > 3)
            continue;
        bad |= f.wt != E2E__PB_LEN;
        *dst = f.p;
        *dn = f.n;
    }
    if (rc < 0 || bad || !s->details || s->details_len > ADV_DETAILS_MAX || s->sig_len != 64 ||
        (s->key && s->key_len != 32))
        return E2E_ERR_MALFORMED;
    return E2E_OK;
}

static int
indexes_check(struct e2e_wa_devlist *l)
{
    for (size_t i = 0; i < l->n_valid; i++) {
        if (l->valid[i] > l->current_index)
            return E2E_ERR_MALFORMED;
        for (size_t j = i; j > 0 && l->valid[j - 1] >= l->valid[j]; j--) {
            if (l->valid[j - 1] == l->valid[j])
                return E2E_ERR_MALFORMED; /* a duplicate index */
            uint32_t t = l->valid[j];
            l->valid[j] = l->valid[j - 1];
            l->valid[j - 1] = t;
        }
    }
    return E2E_OK;
}

static int
details_decode(struct e2e_wa_devlist *l, const uint8_t *p, size_t n)
{
    struct e2e_reader r;
    struct e2e__pb_field f;
    int rc, bad = 0;
    memset(l, 0, sizeof *l);
    e2e_reader_init(&r, p, n);
    while ((rc = e2e__pb_next(&r, &f)) == 1) {
        int vbad = f.wt != E2E__PB_VARINT;
        if (f.num == 1)
            l->raw_id = (uint32_t)f.v, bad |= vbad || f.v > UINT32_MAX;
        else if (f.num == 2)
            l->timestamp = f.v, bad |= vbad;
        else if (f.num == 3)
            l->current_index = (uint32_t)f.v, bad |= vbad || f.v > UINT32_MAX;
        else if (f.num == 4)
            bad |= e2e__pb_packed_u32(&f, l->valid, E2E_WA_MAX_INDEXES, &l->n_valid) != 0;
        else if (f.num == 5)
            l->account_type = (uint32_t)f.v, bad |= vbad || f.v > E2E_WA_ADV_HOSTED;
    }
    if (rc < 0 || bad)
        return E2E_ERR_MALFORMED;
    return indexes_check(l);
}

int
e2e_wa_devlist_verify(struct e2e_wa_devlist *l, const uint8_t *p, size_t n,
                      const uint8_t primary_pub[32], struct e2e_report *why)
{
    struct signed_list s;
    struct e2e_wa_devlist t;
    if (signed_list_parse(&s, p, n) != E2E_OK)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "signed-list",
                               "ADVSignedKeyIndexList does not parse or has bad field sizes");
    if (s.key && !e2e_ct_equal(s.key, primary_pub, 32))
        return e2e_report_fail(why, E2E_ERR_UNTRUSTED, "account-key",
                               "the device list is signed by another account key");
    if (e2e__adv_verify(primary_pub, s.sig, ADV_PREFIX_LIST, s.details, s.details_len, NULL, 0,
                        NULL, 0) != E2E_OK)
        return e2e_report_fail(why, E2E_ERR_AUTH, "list-signature",
                               "device-list signature (06 02) by the primary fails");
    if (details_decode(&t, s.details, s.details_len) != E2E_OK)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "list-details",
                               "ADVKeyIndexList does not parse, has too many, duplicate or "
                               "out-of-range indexes");
    *l = t;
    return E2E_OK;
}

static int
same_list(const struct e2e_wa_devlist *a, const struct e2e_wa_devlist *b)
{
    return a->raw_id == b->raw_id && a->timestamp == b->timestamp &&
           a->current_index == b->current_index && a->account_type == b->account_type &&
           a->n_valid == b->n_valid &&
           memcmp(a->valid, b->valid, a->n_valid * sizeof a->valid[0]) == 0;
}

int
e2e_wa_devlist_update(struct e2e_wa_devlist *known, const struct e2e_wa_devlist *incoming,
                      struct e2e_report *why)
{
    if (incoming->raw_id != known->raw_id)
        return e2e_report_fail(why, E2E_ERR_UNTRUSTED, "raw-id",
                               "device list of another account (raw id %u, expected %u)",
                               (unsigned)incoming->raw_id, (unsigned)known->raw_id);
    if (same_list(known, incoming))
        return E2E_OK;
    if (incoming->timestamp <= known->timestamp || incoming->current_index < known->current_index)
        return e2e_report_fail(why, E2E_ERR_PROTOCOL, "rollback",
                               "device list of %llu does not replace the known one of %llu",
                               (unsigned long long)incoming->timestamp,
                               (unsigned long long)known->timestamp);
    *known = *incoming;
    return E2E_OK;
}

int
e2e_wa_devlist_serialize(uint8_t *out, size_t cap, size_t *len, const struct e2e_wa_devlist *l)
{
    struct e2e_writer w;
    if (l->n_valid > E2E_WA_MAX_INDEXES)
        return E2E_ERR_INVALID;
    e2e_writer_init(&w, out, cap);
    e2e__blob_head_write(&w, DEVLIST_MAGIC, DEVLIST_VERSION);
    e2e_write_u32_be(&w, l->raw_id);
    e2e_write_u64_be(&w, l->timestamp);
    e2e_write_u32_be(&w, l->current_index);
    e2e_write_u32_be(&w, l->account_type);
    e2e_write_u16_be(&w, (uint16_t)l->n_valid);
    for (size_t i = 0; i < l->n_valid; i++)
        e2e_write_u32_be(&w, l->valid[i]);
    if (w.err)
        return w.err;
    *len = w.len;
    return E2E_OK;
}

int
e2e_wa_devlist_parse(struct e2e_wa_devlist *l, const uint8_t *p, size_t n)
{
    struct e2e_reader r;
    struct e2e_wa_devlist t;
    memset(&t, 0, sizeof t);
    e2e_reader_init(&r, p, n);
    int rc = e2e__blob_head_read(&r, DEVLIST_MAGIC, DEVLIST_VERSION, "device list", NULL);
    if (rc)
        return rc;
    t.raw_id = e2e_read_u32_be(&r);
    t.timestamp = e2e_read_u64_be(&r);
    t.current_index = e2e_read_u32_be(&r);
    t.account_type = e2e_read_u32_be(&r);
    t.n_valid = e2e_read_u16_be(&r);
    if (t.n_valid > E2E_WA_MAX_INDEXES || t.account_type > E2E_WA_ADV_HOSTED)
        return E2E_ERR_MALFORMED;
    for (size_t i = 0; i < t.n_valid; i++)
        t.valid[i] = e2e_read_u32_be(&r);
    if (e2e_reader_done(&r) != E2E_OK || indexes_check(&t) != E2E_OK)
        return E2E_ERR_MALFORMED;
    *l = t;
    return E2E_OK;
}
