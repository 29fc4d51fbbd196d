/*
 * Receiving in a secret chat (reference/telegram.md 2.2, 2.3, 4.1, 5): key selection by key id,
 * MTProto 2.0 with the 1.0 fallback while the peer is below layer 73, the TL checks, seq_no
 * (parity, order, gaps held and asked for once with Resend, duplicates dropped), the peer's
 * layer, and incoming Resend served at once. Checks that a forger or the network can fail drop
 * the message and change nothing; checks only the authenticated peer can fail abort the chat.
 */
#include <string.h>

#include <e2ekit/telegram.h>

#include "core/log.h"
#include "core/util.h"
#include "telegram/chat.h"

static int
x_recv(const e2e_tg_chat *c)
{
    return c->role == E2E_TG_CREATOR ? 8 : 0;
}

static const struct tg_key *
select_key(const e2e_tg_chat *c, const uint8_t *msg)
{
    const struct tg_key *keys[3] = {&c->cur, &c->other, &c->pfs_new};
    for (size_t i = 0; i < 3; i++)
        if (keys[i]->present && memcmp(keys[i]->id, msg, 8) == 0)
            return keys[i];
    return NULL;
}

/* Decrypts into the scratch buffer. *fatal is set for failures of authenticated content. */
static int
decrypt(e2e_tg_chat *c, const e2e_ctx *ctx, const uint8_t *msg, size_t n, size_t *tl_len,
        struct tg_msg_head *h, int *fatal, struct e2e_report *why)
{
    *fatal = 0;
    if (n < 40 || (n - 24) % 16 || n - 24 > e2e_tg_mtp2_padded_size(E2E_TG_MAX_TL))
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "size",
                               "%zu bytes is not a secret-chat message size", n);
    const struct tg_key *k = select_key(c, msg);
    if (!k)
        return e2e_report_fail(why, E2E_ERR_NO_SESSION, "fingerprint",
                               "key id matches none of this chat's keys");
    E2E_TRY(e2e__tg_ensure_scratch(c, n - 24));
    memcpy(h->key_id, k->id, 8);
    h->mtproto = 2;
    int rc = e2e__tg_mtp2_open(ctx, c->scratch, tl_len, k->key, x_recv(c), msg, n, why);
    if (rc == E2E_ERR_AUTH && c->his_layer < E2E_TG_LAYER_MTPROTO2 && !c->seen_mtproto2) {
        E2E_TRACE(ctx, "secret chat: MTProto 2.0 msg_key differs; the peer is below layer 73, "
                       "trying MTProto 1.0");
        struct e2e_report r1;
        e2e_report_clear(&r1);
        if (e2e__tg_mtp1_open(ctx, c->scratch, tl_len, k->key, msg, n, &r1) == E2E_OK) {
            e2e_report_clear(why);
            h->mtproto = 1;
            rc = E2E_OK;
        }
    }
    *fatal = rc == E2E_ERR_MALFORMED; /* length or padding under a good msg_key */
    return rc;
}

/* ---- served Resend ------------------------------------------------------------------------- */

static int
resend_fail(e2e_tg_chat *c, struct e2e_report *why, const struct e2e_tg_action *a, const char *what)
{
    e2e_report_fail(why, E2E_ERR_PROTOCOL, "resend", "Resend(%d, %d): %s", a->start_seq_no,
                    a->end_seq_no, what);
    return e2e__tg_abort(c, why, E2E_ERR_PROTOCOL, "resend", what);
}

static int
serve_resend(e2e_tg_chat *c, const struct e2e_tg_action *a, struct e2e_report *why)
{
    int32_t parity = 1 - c->role; /* our out_seq_no parity */
    if (a->start_seq_no < 0 || a->end_seq_no < a->start_seq_no || a->start_seq_no % 2 != parity ||
        a->end_seq_no % 2 != parity)
        return resend_fail(c, why, a, "not a range of our out_seq_no values");
    uint32_t s = (uint32_t)a->start_seq_no / 2, e = (uint32_t)a->end_seq_no / 2;
    if (e - s >= E2E_TG_MAX_RESEND)
        return resend_fail(c, why, a, "asks for too many messages");
    if (e >= c->my_out)
        return resend_fail(c, why, a, "asks for messages we never sent");
    size_t bytes = 0;
    for (uint32_t raw = s; raw <= e; raw++) {
        size_t i = e2e__tg_queue_find(&c->store, raw);
        if (i == (size_t)-1)
            return resend_fail(c, why, a, "a message in the range is no longer stored");
        bytes += e2e__tg_queue_item(&c->store, i)->len;
    }
    E2E_TRY(e2e__tg_queue_reserve(&c->outbox, e - s + 1, bytes));
    for (uint32_t raw = s; raw <= e; raw++) {
        size_t i = e2e__tg_queue_find(&c->store, raw);
        size_t len = e2e__tg_queue_item(&c->store, i)->len;
        memcpy(e2e__tg_queue_push(&c->outbox, 0, len), e2e__tg_queue_data(&c->store, i), len);
    }
    struct tg_ev_head h;
    memset(&h, 0, sizeof h);
    h.type = E2E_TG_EV_RESENT;
    h.start_seq_no = a->start_seq_no;
    h.end_seq_no = a->end_seq_no;
    return e2e__tg_push_event(c, &h, NULL, 0);
}

/* ---- in-order processing ------------------------------------------------------------------- */

static int
raise_layer(e2e_tg_chat *c, int32_t layer)
{
    if (layer < E2E_TG_LAYER_INITIAL || layer <= c->his_layer)
        return E2E_OK;
    c->his_layer = layer;
    struct tg_ev_head h;
    memset(&h, 0, sizeof h);
    h.type = E2E_TG_EV_LAYER;
    h.msg.layer = layer;
    return e2e__tg_push_event(c, &h, NULL, 0);
}

static int
seq_fail(e2e_tg_chat *c, struct e2e_report *why, const char *check, const char *detail)
{
    e2e_report_fail(why, E2E_ERR_PROTOCOL, check, "%s", detail);
    return e2e__tg_abort(c, why, E2E_ERR_PROTOCOL, check, detail);
}

/* The checks that wait until a message is next in order (tdlib check_seq_no). */
static int
check_in_order(e2e_tg_chat *c, const struct tg_msg_head *h, struct e2e_report *why)
{
    uint32_t his_in = (uint32_t)h->in_seq_no / 2;
    if (his_in < c->his_in)
        return seq_fail(c, why, "in_seq_no", "in_seq_no went back");
    if (his_in > c->my_out)
        return seq_fail(c, why, "in_seq_no", "in_seq_no acknowledges messages we never sent");
    if (h->layer < c->his_msg_layer)
        return seq_fail(c, why, "layer_decrease", "the peer's layer went down");
    return E2E_OK;
}

static void
trim_store(e2e_tg_chat *c)
{
    while (e2e__tg_queue_count(&c->store) && e2e__tg_queue_item(&c->store, 0)->tag < c->his_in)
        e2e__tg_queue_remove(&c->store, 0);
}

static int
apply_action(e2e_tg_chat *c, const e2e_ctx *ctx, const struct tg_msg_head *h,
             const struct e2e_tg_action *a, struct e2e_report *why)
{
    switch (a->type) {
    case E2E_TG_ACTION_NOTIFY_LAYER:
        return raise_layer(c, a->layer);
    case E2E_TG_ACTION_RESEND:
        return h->resend_done ? E2E_OK : serve_resend(c, a, why);
    case E2E_TG_ACTION_REQUEST_KEY:
    case E2E_TG_ACTION_ACCEPT_KEY:
    case E2E_TG_ACTION_COMMIT_KEY:
    case E2E_TG_ACTION_ABORT_KEY:
        return e2e__tg_pfs_on_action(c, ctx, a, why);
    default:
        return E2E_OK;
    }
}

static int
apply(e2e_tg_chat *c, const e2e_ctx *ctx, const struct tg_msg_head *h, const uint8_t *inner,
      size_t len, struct e2e_report *why)
{
    struct e2e_tg_message m;
    struct e2e_tg_action a;
    int64_t rid;
    E2E_TRY(check_in_order(c, h, why));
    E2E_TRY(e2e__tg_decode_inner(h->kind, inner, len, &m, &a, &rid, NULL, 0));
    E2E_TRY(e2e__tg_queue_reserve(&c->events, 2, 2 * sizeof(struct tg_ev_head) + len));
    E2E_TRACE(ctx, "secret chat: in order: out_seq_no %d in_seq_no %d layer %d (MTProto %d)",
              h->out_seq_no, h->in_seq_no, h->layer, h->mtproto);
    c->my_in++;
    c->his_in = (uint32_t)h->in_seq_no / 2;
    trim_store(c);
    c->his_msg_layer = h->layer;
    c->seen_mtproto2 |= h->mtproto == 2;
    c->since_rekey++;
    E2E_TRY(raise_layer(c, h->layer));
    struct tg_ev_head ev;
    memset(&ev, 0, sizeof ev);
    int service = h->kind == E2E_TG_ID_SERVICE || h->kind == E2E_TG_ID_SERVICE8;
    ev.type = service ? E2E_TG_EV_SERVICE : E2E_TG_EV_MESSAGE;
    ev.msg = *h;
    E2E_TRY(e2e__tg_push_event(c, &ev, inner, len));
    return service ? apply_action(c, ctx, h, &a, why) : E2E_OK;
}

/* The previous key goes once a message under the current one is processed with no gap left. */
static void
maybe_drop_other(e2e_tg_chat *c, const uint8_t key_id[8])
{
    if (c->other.present && memcmp(key_id, c->cur.id, 8) == 0 && !e2e__tg_queue_count(&c->early))
        e2e__tg_wipe_key(&c->other);
}

/* ---- gaps ---------------------------------------------------------------------------------- */

static size_t
first_early(const e2e_tg_chat *c)
{
    size_t best = (size_t)-1;
    uint32_t tag = UINT32_MAX;
    for (size_t i = 0; i < e2e__tg_queue_count(&c->early); i++)
        if (e2e__tg_queue_item(&c->early, i)->tag <= tag) {
            tag = e2e__tg_queue_item(&c->early, i)->tag;
            best = i;
        }
    return best;
}

/* One Resend per hole: from our next expected message to the one before the first held. */
static int
ask_resend(e2e_tg_chat *c, const e2e_ctx *ctx)
{
    size_t i = first_early(c);
    if (i == (size_t)-1)
        return E2E_OK;
    uint32_t first = e2e__tg_queue_item(&c->early, i)->tag;
    if (first <= c->my_in || c->resend_asked >= first)
        return E2E_OK;
    struct e2e_tg_action a;
    memset(&a, 0, sizeof a);
    a.type = E2E_TG_ACTION_RESEND;
    a.start_seq_no = (int32_t)(2 * c->my_in) + c->role;
    a.end_seq_no = (int32_t)(2 * (first - 1)) + c->role;
    E2E_TRACE(ctx, "secret chat: gap before out_seq_no %u: asking Resend(%d, %d)", 2 * first,
              a.start_seq_no, a.end_seq_no);
    E2E_TRY(e2e__tg_send_service(c, ctx, &a));
    c->resend_asked = first;
    struct tg_ev_head h;
    memset(&h, 0, sizeof h);
    h.type = E2E_TG_EV_NEED_RESEND;
    h.start_seq_no = a.start_seq_no;
    h.end_seq_no = a.end_seq_no;
    return e2e__tg_push_event(c, &h, NULL, 0);
}

static int
is_resend(const struct tg_msg_head *h, const uint8_t *inner, size_t len, struct e2e_tg_action *a)
{
    struct e2e_tg_message m;
    int64_t rid;
    if (h->kind != E2E_TG_ID_SERVICE && h->kind != E2E_TG_ID_SERVICE8)
        return 0;
    if (e2e__tg_decode_inner(h->kind, inner, len, &m, a, &rid, NULL, 0) != E2E_OK)
        return 0;
    return a->type == E2E_TG_ACTION_RESEND;
}

/* A message from beyond a gap: held (bounded), its Resend served at once (spec "avoiding
 * concurrent gaps"), and the hole asked for. */
static int
hold(e2e_tg_chat *c, const e2e_ctx *ctx, struct tg_msg_head *h, const uint8_t *inner, size_t len,
     uint32_t raw, struct e2e_report *why)
{
    if (e2e__tg_queue_find(&c->early, raw) != (size_t)-1)
        return e2e_report_fail(why, E2E_ERR_DUPLICATE, "seq_old", "out_seq_no %d is already held",
                               h->out_seq_no);
    if (e2e__tg_queue_count(&c->early) >= E2E_TG_MAX_EARLY)
        return e2e_report_fail(why, E2E_ERR_LIMIT, "gap",
                               "%d messages already wait for a gap to fill; dropped",
                               E2E_TG_MAX_EARLY);
    E2E_TRY(e2e__tg_queue_reserve(&c->early, 1, sizeof *h + len));
    struct e2e_tg_action a;
    if (is_resend(h, inner, len, &a)) {
        E2E_TRY(serve_resend(c, &a, why));
        h->resend_done = 1;
    }
    E2E_TRACE(ctx, "secret chat: out_seq_no %d is ahead of %u: held", h->out_seq_no,
              2 * c->my_in + (unsigned)(1 - c->role));
    E2E_TRY(raise_layer(c, h->layer)); /* layer information counts on arrival (spec) */
    uint8_t *dst = e2e__tg_queue_push(&c->early, raw, sizeof *h + len);
    memcpy(dst, h, sizeof *h);
    memcpy(dst + sizeof *h, inner, len);
    return ask_resend(c, ctx);
}

/* Processes held messages that have become next in order. */
static int
drain(e2e_tg_chat *c, const e2e_ctx *ctx, struct e2e_report *why)
{
    size_t i;
    while (c->state == E2E_TG_CHAT_READY &&
           (i = e2e__tg_queue_find(&c->early, c->my_in)) != (size_t)-1) {
        struct tg_msg_head h;
        const uint8_t *d = e2e__tg_queue_data(&c->early, i);
        size_t len = e2e__tg_queue_item(&c->early, i)->len - sizeof h;
        memcpy(&h, d, sizeof h);
        E2E_TRY(apply(c, ctx, &h, d + sizeof h, len, why));
        e2e__tg_queue_remove(&c->early, i);
        maybe_drop_other(c, h.key_id);
    }
    return c->state == E2E_TG_CHAT_READY ? ask_resend(c, ctx) : E2E_OK;
}

static int
route(e2e_tg_chat *c, const e2e_ctx *ctx, struct tg_msg_head *h, const uint8_t *inner, size_t len,
      struct e2e_report *why)
{
    int32_t xr = c->role;
    if (h->in_seq_no < 0 || h->out_seq_no < 0 || h->in_seq_no % 2 != 1 - xr ||
        h->out_seq_no % 2 != xr)
        return seq_fail(c, why, "seq_parity", "in_seq_no / out_seq_no have the wrong parity");
    uint32_t raw = (uint32_t)h->out_seq_no / 2;
    if (raw < c->my_in)
        return e2e_report_fail(why, E2E_ERR_DUPLICATE, "seq_old",
                               "out_seq_no %d was already processed", h->out_seq_no);
    if (raw > c->my_in)
        return hold(c, ctx, h, inner, len, raw, why);
    E2E_TRY(apply(c, ctx, h, inner, len, why));
    maybe_drop_other(c, h->key_id);
    return drain(c, ctx, why);
}

/* The decoded layer message: the layer rules, then seq_no and processing. */
static int
take_layer(e2e_tg_chat *c, const e2e_ctx *ctx, struct tg_msg_head *h, const struct e2e__tg_layer *l,
           struct e2e_report *why)
{
    if (h->mtproto == 1 && l->layer >= E2E_TG_LAYER_MTPROTO2) {
        e2e_report_fail(why, E2E_ERR_PROTOCOL, "mtproto1",
                        "MTProto 1.0 encryption is forbidden for layer %d", l->layer);
        return e2e__tg_abort(c, why, E2E_ERR_PROTOCOL, "mtproto1", "MTProto 1.0 at layer >= 73");
    }
    if (l->layer < 17) { /* decryptedMessageLayer exists from layer 17 */
        e2e_report_fail(why, E2E_ERR_MALFORMED, "tl", "decryptedMessageLayer with layer %d",
                        l->layer);
        return e2e__tg_abort(c, why, E2E_ERR_MALFORMED, "tl", "impossible layer");
    }
    if (l->layer > c->my_layer)
        return e2e_report_fail(why, E2E_ERR_UNSUPPORTED, "layer",
                               "the peer writes layer %d and this client speaks up to %d: update "
                               "needed",
                               l->layer, c->my_layer);
    h->layer = l->layer;
    h->in_seq_no = l->in_seq_no;
    h->out_seq_no = l->out_seq_no;
    h->kind = l->kind;
    return route(c, ctx, h, l->msg, l->msg_len, why);
}

int
e2e_tg_chat_receive(e2e_tg_chat *c, const e2e_ctx *ctx, const uint8_t *msg, size_t n,
                    struct e2e_report *why)
{
    struct tg_msg_head h;
    struct e2e__tg_layer l;
    size_t tl_len = 0;
    int fatal;
    struct e2e_report local;
    if (!why)
        why = &local; /* the abort path reads back which check failed */
    e2e__tg_release_views(c);
    e2e_report_clear(why);
    if (c->state != E2E_TG_CHAT_READY)
        return e2e_report_fail(why, E2E_ERR_STATE, "state", "the chat is not ready");
    memset(&h, 0, sizeof h);
    int rc = decrypt(c, ctx, msg, n, &tl_len, &h, &fatal, why);
    if (rc != E2E_OK) /* the plaintext is already wiped */
        return fatal ? e2e__tg_abort(c, why, rc, why->check,
                                     "authenticated plaintext is "
                                     "ill-framed")
                     : rc;
    rc = e2e__tg_parse_layer(&l, c->scratch + 4, tl_len, why);
    rc = rc == E2E_OK ? take_layer(c, ctx, &h, &l, why)
                      : e2e__tg_abort(c, why, rc, "tl", "malformed TL");
    e2e_wipe(c->scratch, n - 24);
    if (rc == E2E_OK && c->state == E2E_TG_CHAT_READY)
        rc = e2e__tg_pfs_maybe_start(c, ctx);
    return rc;
}
