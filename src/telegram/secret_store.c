/*
 * The secret chat as a versioned blob: "TGCH", format 1, then the fields with the bounded
 * writer. It holds every key (current, previous, pending re-key), the counters, the stored
 * ciphertexts kept for Resend and the held early messages. Parsing checks every field's range
 * and re-validates (p, g) through the caller's DH cache.
 */
#include <string.h>

#include <e2ekit/crypto.h>
#include <e2ekit/telegram.h>

#include "core/blob.h"
#include "core/log.h"
#include "core/util.h"
#include "telegram/chat.h"

#define TGCH_MAGIC   E2E__MAGIC('T', 'G', 'C', 'H')
#define TGCH_VERSION 1

static void
write_key(struct e2e_writer *w, const struct tg_key *k)
{
    e2e_write_u8(w, (uint8_t)k->present);
    if (k->present)
        e2e_write_bytes(w, k->key, E2E_TG_KEY_BYTES);
}

static void
write_queue(struct e2e_writer *w, const struct tg_queue *q)
{
    size_t n = e2e__tg_queue_count(q);
    e2e_write_u32_be(w, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        const struct tg_item *t = e2e__tg_queue_item(q, i);
        e2e_write_u32_be(w, t->tag);
        e2e_write_u32_be(w, t->len);
        e2e_write_bytes(w, e2e__tg_queue_data(q, i), t->len);
    }
}

static void
write_chat(struct e2e_writer *w, const e2e_tg_chat *c)
{
    e2e__blob_head_write(w, TGCH_MAGIC, TGCH_VERSION);
    e2e_write_u8(w, (uint8_t)c->role);
    e2e_write_u8(w, (uint8_t)c->state);
    e2e_write_u32_be(w, (uint32_t)c->my_layer);
    e2e_write_u32_be(w, (uint32_t)c->his_layer);
    e2e_write_u32_be(w, (uint32_t)c->his_msg_layer);
    e2e_write_bytes(w, c->p, E2E_DH_BYTES);
    e2e_write_u32_be(w, (uint32_t)c->g);
    e2e_write_bytes(w, c->dh_priv, E2E_DH_BYTES);
    write_key(w, &c->cur);
    write_key(w, &c->other);
    e2e_write_bytes(w, c->visual, sizeof c->visual);
    e2e_write_u32_be(w, c->my_in);
    e2e_write_u32_be(w, c->my_out);
    e2e_write_u32_be(w, c->his_in);
    e2e_write_u32_be(w, c->resend_asked);
    e2e_write_u8(w, (uint8_t)c->seen_mtproto2);
    e2e_write_u8(w, (uint8_t)c->pfs);
    e2e_write_u64_be(w, (uint64_t)c->exchange_id);
    e2e_write_bytes(w, c->pfs_priv, E2E_DH_BYTES);
    write_key(w, &c->pfs_new);
    e2e_write_u32_be(w, c->since_rekey);
    e2e_write_u32_be(w, c->sent_since_rekey);
    e2e_write_u64_be(w, c->key_since_ms);
    write_queue(w, &c->store);
    write_queue(w, &c->early);
}

static size_t
key_size(const struct tg_key *k)
{
    return 1 + (k->present ? E2E_TG_KEY_BYTES : 0);
}

static size_t
queue_size(const struct tg_queue *q)
{
    size_t n = 4;
    for (size_t i = 0; i < e2e__tg_queue_count(q); i++)
        n += 8 + e2e__tg_queue_item(q, i)->len;
    return n;
}

size_t
e2e_tg_chat_serialized_size(const e2e_tg_chat *c)
{
    /* the fixed fields of write_chat, then the variable ones */
    size_t fixed = 4 + 2 + 1 + 1 + 3 * 4 + E2E_DH_BYTES + 4 + E2E_DH_BYTES + 36 + 4 * 4 + 1 + 1 +
                   8 + E2E_DH_BYTES + 4 + 4 + 8;
    return fixed + key_size(&c->cur) + key_size(&c->other) + key_size(&c->pfs_new) +
           queue_size(&c->store) + queue_size(&c->early);
}

int
e2e_tg_chat_serialize(const e2e_tg_chat *c, uint8_t *out, size_t cap, size_t *len)
{
    struct e2e_writer w;
    e2e_writer_init(&w, out, cap);
    write_chat(&w, c);
    if (w.err) {
        e2e_wipe(out, cap);
        return w.err;
    }
    *len = w.len;
    return E2E_OK;
}

/* ---- parsing ------------------------------------------------------------------------------- */

static void
read_key(struct e2e_reader *r, struct tg_key *k)
{
    uint8_t present = e2e_read_u8(r);
    if (present > 1)
        e2e_reader_fail(r, E2E_ERR_MALFORMED);
    if (present == 1) {
        uint8_t key[E2E_TG_KEY_BYTES];
        e2e_read_bytes(r, key, sizeof key);
        e2e__tg_set_key(k, key);
        e2e_wipe(key, sizeof key);
    }
}

static void
read_queue(struct e2e_reader *r, struct tg_queue *q, size_t max_items, size_t max_len)
{
    uint32_t n = e2e_read_u32_be(r);
    if (n > max_items) {
        e2e_reader_fail(r, E2E_ERR_MALFORMED);
        return;
    }
    for (uint32_t i = 0; i < n && !r->err; i++) {
        uint32_t tag = e2e_read_u32_be(r);
        uint32_t len = e2e_read_u32_be(r);
        const uint8_t *p = len <= max_len ? e2e_read_view(r, len) : NULL;
        if (!p) {
            e2e_reader_fail(r, E2E_ERR_MALFORMED);
            return;
        }
        if (e2e__tg_queue_reserve(q, 1, len) != E2E_OK) {
            e2e_reader_fail(r, E2E_ERR_NOMEM);
            return;
        }
        memcpy(e2e__tg_queue_push(q, tag, len), p, len);
    }
}

static int
layer_ok(int32_t l)
{
    return l >= E2E_TG_LAYER_INITIAL && l <= 0xFFFF;
}

static int
layer_ok17(int32_t l)
{
    return l >= 17 && l <= 0xFFFF;
}

static void
read_chat(struct e2e_reader *r, e2e_tg_chat *c)
{
    /* on another magic or version the reader fails, so the reads below do nothing */
    (void)e2e__blob_head_read(r, TGCH_MAGIC, TGCH_VERSION, "secret chat", NULL);
    c->role = e2e_read_u8(r);
    c->state = e2e_read_u8(r);
    c->my_layer = (int32_t)e2e_read_u32_be(r);
    c->his_layer = (int32_t)e2e_read_u32_be(r);
    c->his_msg_layer = (int32_t)e2e_read_u32_be(r);
    e2e_read_bytes(r, c->p, E2E_DH_BYTES);
    c->g = (int32_t)e2e_read_u32_be(r);
    e2e_read_bytes(r, c->dh_priv, E2E_DH_BYTES);
    read_key(r, &c->cur);
    read_key(r, &c->other);
    e2e_read_bytes(r, c->visual, sizeof c->visual);
    c->my_in = e2e_read_u32_be(r);
    c->my_out = e2e_read_u32_be(r);
    c->his_in = e2e_read_u32_be(r);
    c->resend_asked = e2e_read_u32_be(r);
    c->seen_mtproto2 = e2e_read_u8(r);
    c->pfs = e2e_read_u8(r);
    c->exchange_id = (int64_t)e2e_read_u64_be(r);
    e2e_read_bytes(r, c->pfs_priv, E2E_DH_BYTES);
    read_key(r, &c->pfs_new);
    c->since_rekey = e2e_read_u32_be(r);
    c->sent_since_rekey = e2e_read_u32_be(r);
    c->key_since_ms = e2e_read_u64_be(r);
    size_t max_blob = e2e_tg_mtp2_padded_size(E2E_TG_MAX_TL) + 24;
    read_queue(r, &c->store, E2E_TG_MAX_UNACKED, max_blob);
    read_queue(r, &c->early, E2E_TG_MAX_EARLY, sizeof(struct tg_msg_head) + E2E_TG_MAX_TL);
}

/* Ranges and cross-field rules of a decoded chat. */
static int
chat_ok(const e2e_tg_chat *c)
{
    if (c->role > 1 || c->state > E2E_TG_CHAT_ABORTED || c->pfs > TG_PFS_WAIT_COMMIT ||
        c->seen_mtproto2 > 1)
        return 0;
    if (c->my_layer < E2E_TG_LAYER_MTPROTO2 || c->my_layer > E2E_TG_LAYER ||
        !layer_ok(c->his_layer) || (c->his_msg_layer != 0 && !layer_ok17(c->his_msg_layer)))
        return 0;
    if (c->state == E2E_TG_CHAT_READY && !c->cur.present)
        return 0;
    if (c->pfs == TG_PFS_WAIT_COMMIT && !c->pfs_new.present)
        return 0;
    if (c->his_in > c->my_out)
        return 0;
    for (size_t i = 0; i < e2e__tg_queue_count(&c->store); i++)
        if (e2e__tg_queue_item(&c->store, i)->tag >= c->my_out)
            return 0;
    for (size_t i = 0; i < e2e__tg_queue_count(&c->early); i++)
        if (e2e__tg_queue_item(&c->early, i)->tag <= c->my_in ||
            e2e__tg_queue_item(&c->early, i)->len < sizeof(struct tg_msg_head))
            return 0;
    return 1;
}

int
e2e_tg_chat_parse(e2e_tg_chat **out, e2e_dh_cache *cache, const uint8_t *blob, size_t n,
                  struct e2e_report *why)
{
    struct e2e_reader r;
    *out = NULL;
    e2e_tg_chat *c = e2e__tg_chat_alloc(E2E_TG_CREATOR);
    if (!c)
        return E2E_ERR_NOMEM;
    e2e_reader_init(&r, blob, n);
    read_chat(&r, c);
    int rc = e2e_reader_done(&r);
    if (rc == E2E_OK && !chat_ok(c))
        rc = E2E_ERR_MALFORMED;
    if (rc != E2E_OK) {
        e2e_tg_chat_free(c);
        return e2e_report_fail(why, rc, "blob", "not a valid secret-chat blob (format %d)",
                               TGCH_VERSION);
    }
    rc = e2e_dh_group_get(cache, &c->grp, c->p, E2E_DH_BYTES, c->g, why);
    if (rc != E2E_OK) {
        e2e_tg_chat_free(c);
        return rc;
    }
    *out = c;
    return E2E_OK;
}
