/*
 * The relay's stock of public PreKeys for one device (reference/viber.md 2: "the server keeps
 * several PreKeys per device and asks for more when the stock falls below a configurable
 * threshold"). PreKey ids grow monotonically per device, so remembering the highest id ever
 * stocked is enough to refuse a re-upload of a consumed PreKey.
 */
#include <stdlib.h>

#include "viber/viber_internal.h"

static const uint32_t pool_magic = E2E__MAGIC('V', 'B', 'P', 'P');

struct e2e_viber_prekey_pool {
    uint8_t udid[16];
    uint32_t max_id; /* highest id ever stocked */
    unsigned count;
    struct e2e_viber_prekey keys[E2E_VIBER_POOL_MAX]; /* oldest first */
};

int
e2e_viber_prekey_pool_new(e2e_viber_prekey_pool **out, const uint8_t udid[16])
{
    if (!out || !udid)
        return E2E_ERR_INVALID;
    *out = calloc(1, sizeof **out);
    if (!*out)
        return E2E_ERR_NOMEM;
    memcpy((*out)->udid, udid, 16);
    return E2E_OK;
}

void
e2e_viber_prekey_pool_free(e2e_viber_prekey_pool *p)
{
    if (!p)
        return;
    e2e_wipe(p, sizeof *p);
    free(p);
}

static void
read_entry(struct e2e_reader *r, struct e2e_viber_prekey *pk, const uint8_t udid[16])
{
    memcpy(pk->udid, udid, 16);
    pk->id = e2e_read_u32_be(r);
    e2e_read_bytes(r, pk->handshake, 32);
    e2e_read_bytes(r, pk->ratchet, 32);
    e2e_read_bytes(r, pk->signature, 64);
}

/* Parses an upload into the free slots after p->count without committing it. */
static int
pool_stage(e2e_viber_prekey_pool *p, const uint8_t *upload, size_t len, unsigned *n,
           struct e2e_report *why)
{
    struct e2e_reader r;
    uint8_t udid[16];
    e2e_reader_init(&r, upload, len);
    E2E_TRY(e2e__vb_read_header(&r, VB_T_UPLOAD, "PreKey upload", why));
    e2e_read_bytes(&r, udid, 16);
    *n = e2e_read_u16_be(&r);
    if (r.err || *n == 0 || e2e_reader_left(&r) != (size_t)*n * (4 + 32 + 32 + 64))
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "length",
                               "PreKey upload: count and length disagree");
    if (memcmp(udid, p->udid, 16) != 0)
        return e2e_report_fail(why, E2E_ERR_PROTOCOL, "udid", "PreKey upload for another device");
    if (*n > E2E_VIBER_POOL_MAX - p->count)
        return e2e_report_fail(why, E2E_ERR_LIMIT, "pool",
                               "PreKey upload of %u would exceed %u stocked", *n,
                               E2E_VIBER_POOL_MAX);
    uint32_t last = p->max_id;
    for (unsigned i = 0; i < *n; i++) {
        struct e2e_viber_prekey *pk = &p->keys[p->count + i];
        read_entry(&r, pk, udid);
        if (pk->id <= last)
            return e2e_report_fail(why, E2E_ERR_PROTOCOL, "prekey-id",
                                   "PreKey id %u already stocked or consumed", pk->id);
        last = pk->id;
    }
    return E2E_OK;
}

int
e2e_viber_prekey_pool_add(e2e_viber_prekey_pool *p, const uint8_t *upload, size_t len,
                          struct e2e_report *why)
{
    unsigned n = 0;
    e2e_report_clear(why);
    if (!p || (!upload && len))
        return E2E_ERR_INVALID;
    int rc = pool_stage(p, upload, len, &n, why);
    if (rc != E2E_OK) {
        e2e_wipe(&p->keys[p->count], (E2E_VIBER_POOL_MAX - p->count) * sizeof p->keys[0]);
        return rc;
    }
    p->max_id = p->keys[p->count + n - 1].id;
    p->count += n;
    return E2E_OK;
}

unsigned
e2e_viber_prekey_pool_count(const e2e_viber_prekey_pool *p)
{
    return p->count;
}

unsigned
e2e_viber_prekey_pool_refill(const e2e_viber_prekey_pool *p, unsigned threshold, unsigned target)
{
    if (p->count >= threshold || target <= p->count)
        return 0;
    return target - p->count;
}

int
e2e_viber_prekey_pool_take(e2e_viber_prekey_pool *p, struct e2e_viber_prekey *out)
{
    if (p->count == 0)
        return E2E_ERR_NOT_FOUND;
    *out = p->keys[0];
    memmove(&p->keys[0], &p->keys[1], (p->count - 1) * sizeof p->keys[0]);
    p->count--;
    e2e_wipe(&p->keys[p->count], sizeof p->keys[0]);
    return E2E_OK;
}

int
e2e_viber_prekey_pool_serialize(const e2e_viber_prekey_pool *p, uint8_t *out, size_t cap,
                                size_t *len)
{
    struct e2e_writer w;
    size_t need = 4 + 2 + 16 + 4 + 2 + (size_t)p->count * (4 + 32 + 32 + 64);
    E2E_TRY(e2e__vb_serialize_begin(&w, out, cap, need, len));
    e2e__blob_head_write(&w, pool_magic, VB_STATE_VERSION);
    e2e_write_bytes(&w, p->udid, 16);
    e2e_write_u32_be(&w, p->max_id);
    e2e_write_u16_be(&w, (uint16_t)p->count);
    for (unsigned i = 0; i < p->count; i++) {
        e2e_write_u32_be(&w, p->keys[i].id);
        e2e_write_bytes(&w, p->keys[i].handshake, 32);
        e2e_write_bytes(&w, p->keys[i].ratchet, 32);
        e2e_write_bytes(&w, p->keys[i].signature, 64);
    }
    return E2E_OK;
}

static int
pool_read(struct e2e_reader *r, void *obj, struct e2e_report *why)
{
    e2e_viber_prekey_pool *p = obj;
    E2E_TRY(e2e__blob_head_read(r, pool_magic, VB_STATE_VERSION, "viber PreKey pool", why));
    e2e_read_bytes(r, p->udid, 16);
    p->max_id = e2e_read_u32_be(r);
    unsigned n = e2e_read_u16_be(r);
    if (n > E2E_VIBER_POOL_MAX)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "count", "PreKey pool: %u entries", n);
    uint32_t last = 0;
    for (unsigned i = 0; i < n && !r->err; i++) {
        read_entry(r, &p->keys[i], p->udid);
        if (p->keys[i].id <= last || p->keys[i].id > p->max_id)
            return e2e_report_fail(why, E2E_ERR_MALFORMED, "prekey-id",
                                   "PreKey pool: ids out of order");
        last = p->keys[i].id;
    }
    p->count = n;
    if (e2e_reader_done(r) != E2E_OK)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "length",
                               "PreKey pool: truncated or trailing");
    return E2E_OK;
}

static void
pool_destroy(void *p)
{
    e2e_viber_prekey_pool_free(p);
}

int
e2e_viber_prekey_pool_parse(e2e_viber_prekey_pool **out, const uint8_t *in, size_t len,
                            struct e2e_report *why)
{
    int rc = E2E_ERR_INVALID;
    if (out)
        *out = e2e__vb_parse(&rc, sizeof **out, pool_read, pool_destroy, in, len, why);
    return rc;
}
