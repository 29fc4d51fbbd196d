/*
 * Secret chats (reference/telegram.md 1, 4, 5): the key exchange with the crypto layer's DH
 * checks, the send path (decryptedMessageLayer with seq_no, tdlib's padding buckets, MTProto
 * 2.0), the outbox and the events. Receiving is in secret_recv.c, re-keying in secret_pfs.c,
 * the blob in secret_store.c.
 */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/crypto.h>
#include <e2ekit/telegram.h>

#include "codec/tl.h"
#include "core/log.h"
#include "core/util.h"
#include "telegram/chat.h"

/* ---- small helpers ------------------------------------------------------------------------- */

void
e2e__tg_set_key(struct tg_key *k, const uint8_t key[256])
{
    memcpy(k->key, key, E2E_TG_KEY_BYTES);
    e2e_tg_key_id(k->id, key);
    k->present = 1;
}

void
e2e__tg_wipe_key(struct tg_key *k)
{
    e2e_wipe(k, sizeof *k);
}

size_t
e2e__tg_minimal(const uint8_t v[256])
{
    size_t z = 0;
    while (z < 255 && v[z] == 0)
        z++;
    return z;
}

void
e2e__tg_minimal_copy(uint8_t out[256], size_t *len, const uint8_t v[256])
{
    size_t z = e2e__tg_minimal(v);
    *len = 256 - z;
    memmove(out, v + z, *len);
}

int
e2e__tg_ensure_scratch(e2e_tg_chat *c, size_t n)
{
    if (n <= c->scratch_cap)
        return E2E_OK;
    uint8_t *p = malloc(n);
    if (!p)
        return E2E_ERR_NOMEM;
    if (c->scratch) {
        e2e_wipe(c->scratch, c->scratch_cap);
        free(c->scratch);
    }
    c->scratch = p;
    c->scratch_cap = n;
    return E2E_OK;
}

e2e_tg_chat *
e2e__tg_chat_alloc(int role)
{
    e2e_tg_chat *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->role = role;
    c->state = E2E_TG_CHAT_WAITING;
    c->my_layer = E2E_TG_LAYER;
    c->his_layer = E2E_TG_LAYER_INITIAL;
    return c;
}

void
e2e_tg_chat_free(e2e_tg_chat *c)
{
    if (!c)
        return;
    e2e__tg_queue_free(&c->store);
    e2e__tg_queue_free(&c->outbox);
    e2e__tg_queue_free(&c->early);
    e2e__tg_queue_free(&c->events);
    if (c->scratch) {
        e2e_wipe(c->scratch, c->scratch_cap);
        free(c->scratch);
    }
    if (c->ids) {
        e2e_wipe(c->ids, c->ids_cap * sizeof *c->ids);
        free(c->ids);
    }
    e2e_wipe(c, sizeof *c);
    free(c);
}

/* ---- outbox and events --------------------------------------------------------------------- */

void
e2e__tg_release_views(e2e_tg_chat *c)
{
    if (c->out_taken && e2e__tg_queue_count(&c->outbox))
        e2e__tg_queue_remove(&c->outbox, 0);
    if (c->ev_taken && e2e__tg_queue_count(&c->events))
        e2e__tg_queue_remove(&c->events, 0);
    c->out_taken = c->ev_taken = 0;
}

int
e2e__tg_push_event(e2e_tg_chat *c, const struct tg_ev_head *h, const uint8_t *tl, size_t n)
{
    E2E_TRY(e2e__tg_queue_reserve(&c->events, 1, sizeof *h + n));
    uint8_t *dst = e2e__tg_queue_push(&c->events, (uint32_t)h->type, sizeof *h + n);
    memcpy(dst, h, sizeof *h);
    if (n)
        memcpy(dst + sizeof *h, tl, n);
    return E2E_OK;
}

int
e2e_tg_chat_next_output(e2e_tg_chat *c, const uint8_t **p, size_t *n)
{
    e2e__tg_release_views(c);
    if (!e2e__tg_queue_count(&c->outbox))
        return E2E_ERR_NOT_FOUND;
    *p = e2e__tg_queue_data(&c->outbox, 0);
    *n = e2e__tg_queue_item(&c->outbox, 0)->len;
    c->out_taken = 1;
    return E2E_OK;
}

static int
decode_event_inner(e2e_tg_chat *c, struct e2e_tg_event *ev, const struct tg_msg_head *m,
                   const uint8_t *tl, size_t n)
{
    size_t ids = e2e__tg_inner_random_ids(m->kind, tl, n);
    if (ids > c->ids_cap) {
        int64_t *p = malloc(ids * sizeof *p);
        if (!p)
            return E2E_ERR_NOMEM;
        free(c->ids);
        c->ids = p;
        c->ids_cap = ids;
    }
    int64_t rid;
    return e2e__tg_decode_inner(m->kind, tl, n, &ev->message, &ev->action, &rid, c->ids,
                                c->ids_cap);
}

int
e2e_tg_chat_next_event(e2e_tg_chat *c, struct e2e_tg_event *ev)
{
    struct tg_ev_head h;
    e2e__tg_release_views(c);
    memset(ev, 0, sizeof *ev);
    if (!e2e__tg_queue_count(&c->events))
        return E2E_ERR_NOT_FOUND;
    const uint8_t *d = e2e__tg_queue_data(&c->events, 0);
    size_t n = e2e__tg_queue_item(&c->events, 0)->len - sizeof h;
    memcpy(&h, d, sizeof h);
    ev->type = h.type;
    ev->layer = h.msg.layer;
    ev->in_seq_no = h.msg.in_seq_no;
    ev->out_seq_no = h.msg.out_seq_no;
    ev->mtproto = h.msg.mtproto;
    ev->start_seq_no = h.start_seq_no;
    ev->end_seq_no = h.end_seq_no;
    ev->key_fingerprint = h.key_fingerprint;
    ev->err = h.err;
    ev->reason = h.reason;
    c->ev_taken = 1;
    if (h.type == E2E_TG_EV_MESSAGE || h.type == E2E_TG_EV_SERVICE)
        return decode_event_inner(c, ev, &h.msg, d + sizeof h, n);
    return E2E_OK;
}

/* ---- abort --------------------------------------------------------------------------------- */

int
e2e__tg_abort(e2e_tg_chat *c, struct e2e_report *why, int err, const char *check,
              const char *detail)
{
    struct tg_ev_head h;
    e2e__tg_wipe_key(&c->cur);
    e2e__tg_wipe_key(&c->other);
    e2e__tg_wipe_key(&c->pfs_new);
    e2e_wipe(c->dh_priv, sizeof c->dh_priv);
    e2e_wipe(c->pfs_priv, sizeof c->pfs_priv);
    e2e__tg_queue_clear(&c->store);
    e2e__tg_queue_clear(&c->early);
    e2e__tg_queue_clear(&c->outbox);
    c->out_taken = 0;
    c->pfs = TG_PFS_IDLE;
    c->state = E2E_TG_CHAT_ABORTED;
    memset(&h, 0, sizeof h);
    h.type = E2E_TG_EV_ABORTED;
    h.err = err;
    h.reason = check;
    (void)e2e__tg_push_event(c, &h, NULL, 0); /* best effort: the state says it anyway */
    if (why && why->err == err)
        return err; /* the failing check already wrote its sentence */
    return e2e_report_fail(why, err, check, "%s: chat aborted", detail);
}

/* ---- key exchange -------------------------------------------------------------------------- */

int
e2e__tg_chat_establish(e2e_tg_chat *c, const e2e_ctx *ctx, const uint8_t key[256])
{
    struct tg_ev_head h;
    struct e2e_tg_action a;
    e2e__tg_set_key(&c->cur, key);
    e2e_tg_key_visualization(c->visual, key, key);
    e2e_trace_hex(ctx, "secret chat: key (256 bytes, left-padded)", key, 256);
    e2e_trace_hex(ctx, "  key_fingerprint = SHA1(key)[12..20)", c->cur.id, 8);
    e2e_trace_hex(ctx, "  visualization = SHA1(key)[0..16) || SHA256(key)[0..20)", c->visual, 36);
    c->key_since_ms = e2e_now_ms(ctx);
    c->state = E2E_TG_CHAT_READY;
    memset(&h, 0, sizeof h);
    h.type = E2E_TG_EV_READY;
    h.key_fingerprint = (int64_t)e2e_load64_le(c->cur.id);
    E2E_TRY(e2e__tg_push_event(c, &h, NULL, 0));
    memset(&a, 0, sizeof a);
    a.type = E2E_TG_ACTION_NOTIFY_LAYER;
    a.layer = c->my_layer;
    return e2e__tg_send_service(c, ctx, &a);
}

static int
chat_group(e2e_tg_chat *c, e2e_dh_cache *cache, const uint8_t *p, size_t p_len, int32_t g,
           struct e2e_report *why)
{
    E2E_TRY(e2e_dh_group_get(cache, &c->grp, p, p_len, g, why));
    memcpy(c->p, e2e_dh_group_p(c->grp), E2E_DH_BYTES);
    c->g = g;
    return E2E_OK;
}

int
e2e_tg_chat_request(e2e_tg_chat **out, const e2e_ctx *ctx, e2e_dh_cache *cache, const uint8_t *p,
                    size_t p_len, int32_t g, uint8_t g_a[256], size_t *g_a_len,
                    struct e2e_report *why)
{
    uint8_t pub[256];
    *out = NULL;
    e2e_tg_chat *c = e2e__tg_chat_alloc(E2E_TG_CREATOR);
    if (!c)
        return E2E_ERR_NOMEM;
    int rc = chat_group(c, cache, p, p_len, g, why);
    if (rc == E2E_OK)
        rc = e2e_dh_keygen(c->grp, ctx, c->dh_priv, pub);
    if (rc != E2E_OK) {
        e2e_tg_chat_free(c);
        return rc;
    }
    e2e_trace_hex(ctx, "secret chat (creator): g_a = g^a mod p", pub, 256);
    e2e__tg_minimal_copy(g_a, g_a_len, pub);
    *out = c;
    return E2E_OK;
}

int
e2e_tg_chat_accept(e2e_tg_chat **out, const e2e_ctx *ctx, e2e_dh_cache *cache, const uint8_t *p,
                   size_t p_len, int32_t g, const uint8_t *g_a, size_t g_a_len, uint8_t g_b[256],
                   size_t *g_b_len, int64_t *key_fingerprint, struct e2e_report *why)
{
    uint8_t b[256], pub[256], key[256];
    *out = NULL;
    e2e_tg_chat *c = e2e__tg_chat_alloc(E2E_TG_ACCEPTOR);
    if (!c)
        return E2E_ERR_NOMEM;
    int rc = chat_group(c, cache, p, p_len, g, why);
    if (rc == E2E_OK && (rc = e2e_dh_check_public(c->grp, g_a, g_a_len)) != E2E_OK)
        e2e_report_fail(why, rc, "g_a", "g_a is outside 2^1984 .. p - 2^1984");
    if (rc == E2E_OK)
        rc = e2e_dh_keygen(c->grp, ctx, b, pub);
    if (rc == E2E_OK)
        rc = e2e_dh_compute(c->grp, key, b, g_a, g_a_len);
    if (rc == E2E_OK) {
        e2e_trace_hex(ctx, "secret chat (acceptor): g_b = g^b mod p", pub, 256);
        rc = e2e__tg_chat_establish(c, ctx, key);
    }
    e2e_wipe(b, sizeof b);
    e2e_wipe(key, sizeof key);
    if (rc != E2E_OK) {
        e2e_tg_chat_free(c);
        return rc;
    }
    e2e__tg_minimal_copy(g_b, g_b_len, pub);
    *key_fingerprint = e2e_tg_chat_key_fingerprint(c);
    *out = c;
    return E2E_OK;
}

int
e2e_tg_chat_confirm(e2e_tg_chat *c, const e2e_ctx *ctx, const uint8_t *g_b, size_t g_b_len,
                    int64_t key_fingerprint, struct e2e_report *why)
{
    uint8_t key[256];
    e2e__tg_release_views(c);
    e2e_report_clear(why);
    if (c->role != E2E_TG_CREATOR || c->state != E2E_TG_CHAT_WAITING)
        return e2e_report_fail(why, E2E_ERR_STATE, "state",
                               "only a creator waiting for g_b can confirm");
    int rc = e2e_dh_compute(c->grp, key, c->dh_priv, g_b, g_b_len);
    if (rc != E2E_OK)
        return e2e__tg_abort(c, why, rc, "g_b", "g_b is outside 2^1984 .. p - 2^1984");
    if (e2e_tg_key_fingerprint(key) != key_fingerprint) {
        e2e_wipe(key, sizeof key);
        return e2e__tg_abort(c, why, E2E_ERR_AUTH, "fingerprint",
                             "the acceptor's key_fingerprint differs from ours");
    }
    e2e_wipe(c->dh_priv, sizeof c->dh_priv);
    rc = e2e__tg_chat_establish(c, ctx, key);
    e2e_wipe(key, sizeof key);
    return rc;
}

/* ---- accessors ----------------------------------------------------------------------------- */

int
e2e_tg_chat_state(const e2e_tg_chat *c)
{
    return c->state;
}

int
e2e_tg_chat_role(const e2e_tg_chat *c)
{
    return c->role;
}

int64_t
e2e_tg_chat_key_fingerprint(const e2e_tg_chat *c)
{
    return c->cur.present ? (int64_t)e2e_load64_le(c->cur.id) : 0;
}

int
e2e_tg_chat_visualization(const e2e_tg_chat *c, uint8_t out[36])
{
    if (c->state != E2E_TG_CHAT_READY)
        return E2E_ERR_STATE;
    memcpy(out, c->visual, 36);
    return E2E_OK;
}

int
e2e_tg_chat_previous_key_held(const e2e_tg_chat *c)
{
    return c->other.present;
}

int32_t
e2e_tg_chat_my_layer(const e2e_tg_chat *c)
{
    return c->my_layer;
}

int32_t
e2e_tg_chat_his_layer(const e2e_tg_chat *c)
{
    return c->his_layer;
}

void
e2e_tg_chat_counters(const e2e_tg_chat *c, uint32_t *my_out, uint32_t *my_in, uint32_t *since_rekey)
{
    *my_out = c->my_out;
    *my_in = c->my_in;
    *since_rekey = c->since_rekey;
}

/* ---- sending ------------------------------------------------------------------------------- */

/* max(73, min(ours, his)): what tdlib writes. */
static int32_t
send_layer(const e2e_tg_chat *c)
{
    int32_t l = E2E_MIN(c->my_layer, c->his_layer);
    return E2E_MAX(l, E2E_TG_LAYER_MTPROTO2);
}

/* Serialises one message or service into the scratch buffer after the 4-byte length, pads it
 * with random bytes, encrypts it into the store and queues a copy in the outbox. */
static int
send_layer_tl(e2e_tg_chat *c, const e2e_ctx *ctx, const struct e2e_tg_message *m,
              const struct e2e_tg_action *a, int64_t random_id)
{
    size_t bound = m ? e2e__tg_message_tl_bound(m) : e2e__tg_action_tl_bound(a);
    if (bound > E2E_TG_MAX_TL)
        return E2E_ERR_INVALID;
    size_t cap = e2e_tg_mtp2_padded_size(bound);
    if (e2e__tg_queue_count(&c->store) >= E2E_TG_MAX_UNACKED)
        return E2E_ERR_LIMIT;
    E2E_TRY(e2e__tg_ensure_scratch(c, cap));
    E2E_TRY(e2e__tg_queue_reserve(&c->store, 1, cap + 24));
    E2E_TRY(e2e__tg_queue_reserve(&c->outbox, 1, cap + 24));
    uint8_t rnd[31];
    E2E_TRY(e2e_random(ctx, rnd, sizeof rnd));
    int32_t xr = c->role, layer = send_layer(c);
    int32_t in_seq_no = (int32_t)(2 * c->my_in) + xr;
    int32_t out_seq_no = (int32_t)(2 * (c->my_out + 1)) - 1 - xr;
    struct e2e_writer w;
    e2e_writer_init(&w, c->scratch + 4, cap - 4);
    if (m)
        e2e__tg_write_layer_message(&w, rnd, layer, in_seq_no, out_seq_no, m);
    else
        e2e__tg_write_layer_service(&w, rnd, layer, in_seq_no, out_seq_no, random_id, a);
    if (w.err)
        return w.err;
    size_t padded = e2e_tg_mtp2_padded_size(w.len);
    e2e_store32_le(c->scratch, (uint32_t)w.len);
    int rc = e2e_random(ctx, c->scratch + 4 + w.len, padded - 4 - w.len);
    if (rc != E2E_OK) {
        e2e_wipe(c->scratch, padded);
        return rc;
    }
    E2E_TRACE(ctx,
              "secret chat: send layer %d in_seq_no %d out_seq_no %d, TL %zu bytes + %zu "
              "padding",
              layer, in_seq_no, out_seq_no, w.len, padded - 4 - w.len);
    e2e_trace_hex(ctx, "  plaintext (length || TL || padding)", c->scratch, padded);
    uint8_t *blob = e2e__tg_queue_push(&c->store, c->my_out, padded + 24);
    e2e__tg_mtp2_seal(ctx, blob, c->cur.key, c->cur.id, c->role ? 8 : 0, c->scratch, padded);
    memcpy(e2e__tg_queue_push(&c->outbox, 0, padded + 24), blob, padded + 24);
    e2e_wipe(c->scratch, padded);
    c->my_out++;
    c->since_rekey++;
    c->sent_since_rekey++;
    return E2E_OK;
}

static int
ready(e2e_tg_chat *c)
{
    e2e__tg_release_views(c);
    return c->state == E2E_TG_CHAT_READY ? E2E_OK : E2E_ERR_STATE;
}

int
e2e__tg_send_service(e2e_tg_chat *c, const e2e_ctx *ctx, const struct e2e_tg_action *a)
{
    uint8_t r[8];
    E2E_TRY(e2e_random(ctx, r, sizeof r));
    return send_layer_tl(c, ctx, NULL, a, (int64_t)e2e_load64_le(r));
}

/* A view given with a length needs a pointer. */
static int
view_ok(const void *p, size_t n)
{
    return p != NULL || n == 0;
}

static int
message_ok(const e2e_tg_chat *c, const struct e2e_tg_message *m)
{
    const struct e2e_tg_document *d = &m->document;
    if (!view_ok(m->text, m->text_len) || !view_ok(m->via_bot_name, m->via_bot_name_len))
        return E2E_ERR_INVALID;
    if (!m->media)
        return E2E_OK;
    if (!view_ok(d->thumb, d->thumb_len) || !view_ok(d->mime_type, d->mime_type_len) ||
        !view_ok(d->caption, d->caption_len) || (d->file_name_len && !d->file_name))
        return E2E_ERR_INVALID;
    if (m->media != E2E_TG_MEDIA_DOCUMENT || m->document.size < 0)
        return E2E_ERR_INVALID;
    if (send_layer(c) < E2E_TG_LAYER_BIG_FILES && m->document.size > INT32_MAX)
        return E2E_ERR_UNSUPPORTED; /* the peer's layer has only a 32-bit size */
    return E2E_OK;
}

int
e2e_tg_chat_send_message(e2e_tg_chat *c, const e2e_ctx *ctx, const struct e2e_tg_message *m)
{
    E2E_TRY(ready(c));
    E2E_TRY(message_ok(c, m));
    E2E_TRY(send_layer_tl(c, ctx, m, NULL, 0));
    return e2e__tg_pfs_maybe_start(c, ctx);
}

static int
user_action_ok(const struct e2e_tg_action *a)
{
    switch (a->type) {
    case E2E_TG_ACTION_SET_TTL:
    case E2E_TG_ACTION_FLUSH:
    case E2E_TG_ACTION_NOOP:
        return 1;
    case E2E_TG_ACTION_READ:
    case E2E_TG_ACTION_DELETE:
    case E2E_TG_ACTION_SCREENSHOT:
        return view_ok(a->random_ids, a->n_random_ids);
    case E2E_TG_ACTION_TYPING:
        return a->typing == E2E_TG_TYPING || a->typing == E2E_TG_TYPING_CANCEL;
    default:
        return 0;
    }
}

int
e2e_tg_chat_send_action(e2e_tg_chat *c, const e2e_ctx *ctx, const struct e2e_tg_action *a)
{
    E2E_TRY(ready(c));
    if (!user_action_ok(a))
        return E2E_ERR_INVALID;
    E2E_TRY(e2e__tg_send_service(c, ctx, a));
    return e2e__tg_pfs_maybe_start(c, ctx);
}

int
e2e_tg_chat_set_layer(e2e_tg_chat *c, const e2e_ctx *ctx, int32_t layer)
{
    struct e2e_tg_action a;
    E2E_TRY(ready(c));
    if (layer < E2E_TG_LAYER_MTPROTO2 || layer > E2E_TG_LAYER)
        return E2E_ERR_INVALID;
    int32_t before = c->my_layer;
    c->my_layer = layer;
    memset(&a, 0, sizeof a);
    a.type = E2E_TG_ACTION_NOTIFY_LAYER;
    a.layer = layer;
    int rc = e2e__tg_send_service(c, ctx, &a);
    if (rc != E2E_OK)
        c->my_layer = before;
    return rc;
}
