/*
 * Secure groups (reference/viber.md 7): one secret per group, advanced with HMAC-SHA256 for
 * every message; each message carries its position (the number of hash steps). Writers always
 * continue from the latest position they know; a window of past keys absorbs races between
 * concurrent writers, older keys are wiped.
 *
 * Our definitions (docs/protocols/viber.md, "Groups"): positions are counted from 0 in each
 * epoch; the message key is bound to the writer's UDID, so two writers racing for one position
 * never share a key; a member removal starts a new epoch with a fresh secret.
 *
 *   message: 01 02 || group id (16) || BE32 epoch || BE32 seq || sender udid (16) || BE32 L ||
 *            Salsa20(EncKey, body) || HMAC-SHA256(MacKey, every byte before the tag)
 */
#include <stdlib.h>

#include "viber/viber_internal.h"

#define RING        (E2E_VIBER_GROUP_WINDOW + 1) /* the window of past keys plus the next position */
#define GROUP_FIXED (2 + 16 + 4 + 4 + 16 + 4)

static const uint32_t group_magic = E2E__MAGIC('V', 'B', 'G', 'R');

struct vb_slot {
    uint8_t key[32];
    uint8_t nseen;
    uint8_t seen[E2E_VIBER_GROUP_WRITERS][16]; /* writers already read at this position */
};

/* The keys of one epoch: positions lo..next, next being the first position nobody used yet. */
struct vb_epoch {
    int used;
    uint32_t epoch, lo, next;
    struct vb_slot slot[RING];
};

struct e2e_viber_group {
    uint8_t id[16];
    uint8_t me[16];
    struct vb_epoch cur, prev;
};

static struct vb_slot *
slot_at(struct vb_epoch *ep, uint32_t pos)
{
    return &ep->slot[pos % RING];
}

static const struct vb_slot *
slot_at_c(const struct vb_epoch *ep, uint32_t pos)
{
    return &ep->slot[pos % RING];
}

static void
epoch_start(struct vb_epoch *ep, uint32_t epoch, uint32_t pos, const uint8_t key[32])
{
    memset(ep, 0, sizeof *ep);
    ep->used = 1;
    ep->epoch = epoch;
    ep->lo = ep->next = pos;
    memcpy(slot_at(ep, pos)->key, key, 32);
}

/* Moves `next` forward to `to`, stepping the hash chain; keys leaving the window are wiped. */
static void
epoch_advance(struct vb_epoch *ep, uint32_t to)
{
    uint8_t k[32];
    while (ep->next < to) {
        e2e_viber_group_step(k, slot_at(ep, ep->next)->key);
        if (ep->next - ep->lo + 1 == RING) {
            e2e_wipe(slot_at(ep, ep->lo), sizeof(struct vb_slot));
            ep->lo++;
        }
        ep->next++;
        struct vb_slot *s = slot_at(ep, ep->next);
        memset(s, 0, sizeof *s);
        memcpy(s->key, k, 32);
    }
    e2e_wipe(k, sizeof k);
}

int
e2e_viber_group_create(e2e_viber_group **out, const e2e_ctx *ctx, const uint8_t my_udid[16])
{
    uint8_t key[32];
    if (!out || !my_udid)
        return E2E_ERR_INVALID;
    *out = calloc(1, sizeof **out);
    if (!*out)
        return E2E_ERR_NOMEM;
    int rc = e2e_random(ctx, (*out)->id, 16);
    if (rc == E2E_OK)
        rc = e2e_random(ctx, key, 32);
    if (rc != E2E_OK) {
        e2e_viber_group_free(*out);
        *out = NULL;
        return rc;
    }
    memcpy((*out)->me, my_udid, 16);
    epoch_start(&(*out)->cur, 0, 0, key);
    e2e_trace_hex(ctx, "viber group: creator's new group secret GK_0", key, 32);
    e2e_wipe(key, sizeof key);
    return E2E_OK;
}

void
e2e_viber_group_free(e2e_viber_group *g)
{
    if (!g)
        return;
    e2e_wipe(g, sizeof *g);
    free(g);
}

const uint8_t *
e2e_viber_group_id(const e2e_viber_group *g)
{
    return g->id;
}

void
e2e_viber_group_position(const e2e_viber_group *g, uint32_t *epoch, uint32_t *seq)
{
    if (epoch)
        *epoch = g->cur.epoch;
    if (seq)
        *seq = g->cur.next;
}

/* ---- key distribution --------------------------------------------------------------------- */

int
e2e_viber_group_export(const e2e_viber_group *g, uint8_t out[E2E_VIBER_GROUP_KEY_LEN])
{
    struct e2e_writer w;
    const struct vb_epoch *ep = &g->cur;
    e2e_writer_init(&w, out, E2E_VIBER_GROUP_KEY_LEN);
    e2e_write_u8(&w, VB_VERSION);
    e2e_write_u8(&w, VB_T_GROUP_KEY);
    e2e_write_bytes(&w, g->id, 16);
    e2e_write_u32_be(&w, ep->epoch);
    e2e_write_u32_be(&w, ep->next);
    e2e_write_bytes(&w, slot_at_c(ep, ep->next)->key, 32);
    return E2E_OK;
}

struct key_payload {
    uint8_t id[16];
    uint32_t epoch, seq;
    uint8_t key[32];
};

static int
payload_parse(struct key_payload *k, const uint8_t *in, size_t len, struct e2e_report *why)
{
    struct e2e_reader r;
    e2e_reader_init(&r, in, len);
    E2E_TRY(e2e__vb_read_header(&r, VB_T_GROUP_KEY, "group key", why));
    e2e_read_bytes(&r, k->id, 16);
    k->epoch = e2e_read_u32_be(&r);
    k->seq = e2e_read_u32_be(&r);
    e2e_read_bytes(&r, k->key, 32);
    if (e2e_reader_done(&r) != E2E_OK)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "length", "group key: %zu bytes, not %d",
                               len, E2E_VIBER_GROUP_KEY_LEN);
    return E2E_OK;
}

int
e2e_viber_group_join(e2e_viber_group **out, const uint8_t my_udid[16], const uint8_t *payload,
                     size_t len, struct e2e_report *why)
{
    struct key_payload k;
    e2e_report_clear(why);
    if (!out || !my_udid || (!payload && len))
        return E2E_ERR_INVALID;
    *out = NULL;
    int rc = payload_parse(&k, payload, len, why);
    if (rc == E2E_OK && !(*out = calloc(1, sizeof **out)))
        rc = E2E_ERR_NOMEM;
    if (rc == E2E_OK) {
        memcpy((*out)->id, k.id, 16);
        memcpy((*out)->me, my_udid, 16);
        epoch_start(&(*out)->cur, k.epoch, k.seq, k.key);
    }
    e2e_wipe(&k, sizeof k);
    return rc;
}

int
e2e_viber_group_rekey(e2e_viber_group *g, const e2e_ctx *ctx)
{
    uint8_t key[32];
    if (!g)
        return E2E_ERR_INVALID;
    if (g->cur.epoch == UINT32_MAX)
        return E2E_ERR_LIMIT;
    E2E_TRY(e2e_random(ctx, key, 32));
    g->prev = g->cur;
    epoch_start(&g->cur, g->prev.epoch + 1, 0, key);
    E2E_TRACE(ctx, "viber group: new epoch %u", g->cur.epoch);
    e2e_trace_hex(ctx, "viber group: fresh secret GK_0 of the epoch", key, 32);
    e2e_wipe(key, sizeof key);
    return E2E_OK;
}

int
e2e_viber_group_update(e2e_viber_group *g, const uint8_t *payload, size_t len,
                       struct e2e_report *why)
{
    struct key_payload k;
    e2e_report_clear(why);
    if (!g || (!payload && len))
        return E2E_ERR_INVALID;
    int rc = payload_parse(&k, payload, len, why);
    if (rc == E2E_OK && memcmp(k.id, g->id, 16) != 0)
        rc = e2e_report_fail(why, E2E_ERR_PROTOCOL, "group", "a key for another group");
    else if (rc == E2E_OK && k.epoch == g->cur.epoch)
        rc = e2e_report_fail(why, E2E_ERR_DUPLICATE, "epoch", "epoch %u is already known", k.epoch);
    else if (rc == E2E_OK && k.epoch < g->cur.epoch)
        rc = e2e_report_fail(why, E2E_ERR_STATE, "epoch", "epoch %u is older than %u", k.epoch,
                             g->cur.epoch);
    if (rc == E2E_OK) {
        g->prev = g->cur;
        epoch_start(&g->cur, k.epoch, k.seq, k.key);
    }
    e2e_wipe(&k, sizeof k);
    return rc;
}

/* ---- messages ----------------------------------------------------------------------------- */

size_t
e2e_viber_group_msg_size(size_t pt_len)
{
    return GROUP_FIXED + pt_len + 32;
}

static void
group_tag(uint8_t tag[32], const uint8_t mac_key[32], const uint8_t *msg, size_t n)
{
    e2e_hmac_sha256(tag, mac_key, 32, msg, n);
}

int
e2e_viber_group_encrypt(e2e_viber_group *g, const e2e_ctx *ctx, const uint8_t *pt, size_t pt_len,
                        uint8_t *out, size_t cap, size_t *len)
{
    struct e2e_writer w;
    uint8_t enc[32], mac[32];
    if (!g || (!pt && pt_len) || !len)
        return E2E_ERR_INVALID;
    struct vb_epoch *ep = &g->cur;
    if (pt_len > E2E_VIBER_MAX_BODY || ep->next == UINT32_MAX)
        return E2E_ERR_LIMIT;
    E2E_TRY(e2e__vb_serialize_begin(&w, out, cap, e2e_viber_group_msg_size(pt_len), len));
    uint32_t seq = ep->next;
    struct vb_slot *s = slot_at(ep, seq);
    e2e_viber_group_msg_keys(enc, mac, s->key, g->id, ep->epoch, seq, g->me);
    E2E_TRACE(ctx, "viber group: send at epoch %u, position %u", ep->epoch, seq);
    e2e_trace_hex(ctx, "viber group: GK at this position", s->key, 32);
    e2e_trace_hex(ctx, "viber group: EncKey (bound to this writer)", enc, 32);
    e2e_trace_hex(ctx, "viber group: MacKey", mac, 32);
    e2e_write_u8(&w, VB_VERSION);
    e2e_write_u8(&w, VB_T_GROUP);
    e2e_write_bytes(&w, g->id, 16);
    e2e_write_u32_be(&w, ep->epoch);
    e2e_write_u32_be(&w, seq);
    e2e_write_bytes(&w, g->me, 16);
    e2e_write_u32_be(&w, (uint32_t)pt_len);
    uint8_t *body = e2e_write_reserve(&w, pt_len);
    if (pt_len)
        e2e__vb_salsa_once(body, pt, pt_len, enc, 32);
    group_tag(e2e_write_reserve(&w, 32), mac, out, w.len);
    memcpy(s->seen[0], g->me, 16); /* a fresh position: we are its first writer */
    s->nseen = 1;
    epoch_advance(ep, seq + 1);
    e2e_wipe(enc, sizeof enc);
    e2e_wipe(mac, sizeof mac);
    return E2E_OK;
}

struct group_msg {
    const uint8_t *id, *sender, *body, *tag;
    uint32_t epoch, seq;
    size_t body_len, mac_len;
};

static int
group_parse(struct group_msg *m, const uint8_t *msg, size_t len, struct e2e_report *why)
{
    struct e2e_reader r;
    e2e_reader_init(&r, msg, len);
    E2E_TRY(e2e__vb_read_header(&r, VB_T_GROUP, "group message", why));
    m->id = e2e_read_view(&r, 16);
    m->epoch = e2e_read_u32_be(&r);
    m->seq = e2e_read_u32_be(&r);
    m->sender = e2e_read_view(&r, 16);
    uint32_t n = e2e_read_u32_be(&r);
    if (!r.err && n > E2E_VIBER_MAX_BODY)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "length", "group message: body of %u", n);
    m->body_len = n;
    m->body = e2e_read_view(&r, m->body_len);
    m->mac_len = r.pos;
    m->tag = e2e_read_view(&r, 32);
    if (e2e_reader_done(&r) != E2E_OK)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "length",
                               "group message: truncated or trailing bytes");
    return E2E_OK;
}

static int
seen_by(const struct vb_slot *s, const uint8_t sender[16])
{
    for (unsigned i = 0; i < s->nseen; i++)
        if (memcmp(s->seen[i], sender, 16) == 0)
            return 1;
    return 0;
}

/* The chain key of position seq (window or ahead), or why there is none. */
static int
position_key(uint8_t key[32], struct vb_epoch *ep, const struct group_msg *m,
             struct e2e_report *why)
{
    if (m->seq == UINT32_MAX)
        return e2e_report_fail(why, E2E_ERR_LIMIT, "position", "position 2^32 - 1 is not used");
    if (m->seq > ep->next && m->seq - ep->next > E2E_VIBER_GROUP_MAX_AHEAD)
        return e2e_report_fail(why, E2E_ERR_TOO_FAR, "too-far",
                               "position %u is %u ahead of %u, at most %u allowed", m->seq,
                               m->seq - ep->next, ep->next, E2E_VIBER_GROUP_MAX_AHEAD);
    if (m->seq < ep->lo)
        return e2e_report_fail(why, E2E_ERR_TOO_FAR, "too-old",
                               "position %u is behind the window (%u..%u): its key is wiped",
                               m->seq, ep->lo, ep->next);
    if (m->seq <= ep->next) {
        const struct vb_slot *s = slot_at_c(ep, m->seq);
        if (seen_by(s, m->sender))
            return e2e_report_fail(why, E2E_ERR_DUPLICATE, "duplicate",
                                   "this writer's message at position %u was already read", m->seq);
        if (s->nseen == E2E_VIBER_GROUP_WRITERS)
            return e2e_report_fail(why, E2E_ERR_LIMIT, "writers",
                                   "more than %u writers at position %u", E2E_VIBER_GROUP_WRITERS,
                                   m->seq);
        memcpy(key, s->key, 32);
        return E2E_OK;
    }
    memcpy(key, slot_at(ep, ep->next)->key, 32);
    for (uint32_t p = ep->next; p < m->seq; p++)
        e2e_viber_group_step(key, key);
    return E2E_OK;
}

static int
find_epoch(struct vb_epoch **ep, e2e_viber_group *g, const struct group_msg *m,
           struct e2e_report *why)
{
    *ep = NULL;
    if (memcmp(m->id, g->id, 16) != 0)
        return e2e_report_fail(why, E2E_ERR_PROTOCOL, "group", "a message of another group");
    if (g->cur.epoch == m->epoch)
        *ep = &g->cur;
    else if (g->prev.used && g->prev.epoch == m->epoch)
        *ep = &g->prev;
    else
        return e2e_report_fail(why, E2E_ERR_STATE, "epoch",
                               "epoch %u: this member has no key for it", m->epoch);
    return E2E_OK;
}

int
e2e_viber_group_decrypt(e2e_viber_group *g, const e2e_ctx *ctx, const uint8_t *msg, size_t len,
                        uint8_t *pt, size_t pt_cap, size_t *pt_len, uint8_t sender_udid[16],
                        struct e2e_report *why)
{
    struct group_msg m = {0};
    uint8_t key[32], enc[32], mac[32], tag[32];
    e2e_report_clear(why);
    if (!g || !pt_len || (!msg && len) || (!pt && pt_cap))
        return E2E_ERR_INVALID;
    *pt_len = 0;
    E2E_TRY(group_parse(&m, msg, len, why));
    struct vb_epoch *ep;
    E2E_TRY(find_epoch(&ep, g, &m, why));
    if (pt_cap < m.body_len)
        return e2e_report_fail(why, E2E_ERR_BUFFER, "buffer", "the body needs %zu bytes",
                               m.body_len);
    E2E_TRY(position_key(key, ep, &m, why));
    e2e_viber_group_msg_keys(enc, mac, key, m.id, m.epoch, m.seq, m.sender);
    E2E_TRACE(ctx, "viber group: read at epoch %u, position %u (next known: %u)", m.epoch, m.seq,
              ep->next);
    e2e_trace_hex(ctx, "viber group: GK at this position", key, 32);
    e2e_trace_hex(ctx, "viber group: writer's UDID", m.sender, 16);
    e2e_trace_hex(ctx, "viber group: EncKey", enc, 32);
    e2e_trace_hex(ctx, "viber group: MacKey", mac, 32);
    group_tag(tag, mac, msg, m.mac_len);
    int rc = e2e_ct_equal(tag, m.tag, 32)
                 ? E2E_OK
                 : e2e_report_fail(why, E2E_ERR_AUTH, "mac", "group message HMAC does not verify");
    if (rc == E2E_OK) {
        if (m.body_len)
            e2e__vb_salsa_once(pt, m.body, m.body_len, enc, 32);
        *pt_len = m.body_len;
        epoch_advance(ep, m.seq); /* continue from the latest position known */
        struct vb_slot *s = slot_at(ep, m.seq);
        memcpy(s->seen[s->nseen++], m.sender, 16);
        if (ep->next == m.seq)
            epoch_advance(ep, m.seq + 1);
        if (sender_udid)
            memcpy(sender_udid, m.sender, 16);
    }
    e2e_wipe(key, sizeof key);
    e2e_wipe(enc, sizeof enc);
    e2e_wipe(mac, sizeof mac);
    return rc;
}

/* ---- serialization ------------------------------------------------------------------------ */

static size_t
epoch_size(const struct vb_epoch *ep)
{
    size_t n = 12;
    for (uint32_t k = 0; ep->used && k <= ep->next - ep->lo; k++)
        n += 32 + 1 + 16 * (size_t)slot_at_c(ep, ep->lo + k)->nseen;
    return n;
}

static void
epoch_write(struct e2e_writer *w, const struct vb_epoch *ep)
{
    e2e_write_u32_be(w, ep->epoch);
    e2e_write_u32_be(w, ep->lo);
    e2e_write_u32_be(w, ep->next);
    for (uint32_t k = 0; k <= ep->next - ep->lo; k++) {
        const struct vb_slot *s = slot_at_c(ep, ep->lo + k);
        e2e_write_bytes(w, s->key, 32);
        e2e_write_u8(w, s->nseen);
        e2e_write_bytes(w, &s->seen[0][0], 16 * (size_t)s->nseen);
    }
}

int
e2e_viber_group_serialize(const e2e_viber_group *g, uint8_t *out, size_t cap, size_t *len)
{
    struct e2e_writer w;
    size_t need = 4 + 2 + 32 + 1 + epoch_size(&g->cur) + (g->prev.used ? epoch_size(&g->prev) : 0);
    E2E_TRY(e2e__vb_serialize_begin(&w, out, cap, need, len));
    e2e__blob_head_write(&w, group_magic, VB_STATE_VERSION);
    e2e_write_bytes(&w, g->id, 16);
    e2e_write_bytes(&w, g->me, 16);
    e2e_write_u8(&w, g->prev.used ? 2 : 1);
    epoch_write(&w, &g->cur);
    if (g->prev.used)
        epoch_write(&w, &g->prev);
    return E2E_OK;
}

static int
epoch_read(struct e2e_reader *r, struct vb_epoch *ep, struct e2e_report *why)
{
    ep->used = 1;
    ep->epoch = e2e_read_u32_be(r);
    ep->lo = e2e_read_u32_be(r);
    ep->next = e2e_read_u32_be(r);
    if (r->err || ep->lo > ep->next || ep->next - ep->lo >= RING)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "window", "group: bad key window");
    for (uint32_t k = 0; k <= ep->next - ep->lo && !r->err; k++) {
        struct vb_slot *s = slot_at(ep, ep->lo + k);
        e2e_read_bytes(r, s->key, 32);
        s->nseen = e2e_read_u8(r);
        if (s->nseen > E2E_VIBER_GROUP_WRITERS)
            return e2e_report_fail(why, E2E_ERR_MALFORMED, "writers", "group: %u writers",
                                   s->nseen);
        e2e_read_bytes(r, &s->seen[0][0], 16 * (size_t)s->nseen);
    }
    return E2E_OK;
}

static int
group_read(struct e2e_reader *r, void *obj, struct e2e_report *why)
{
    e2e_viber_group *g = obj;
    E2E_TRY(e2e__blob_head_read(r, group_magic, VB_STATE_VERSION, "viber group", why));
    e2e_read_bytes(r, g->id, 16);
    e2e_read_bytes(r, g->me, 16);
    unsigned n = e2e_read_u8(r);
    if (n < 1 || n > 2)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "epochs", "group: %u epochs", n);
    E2E_TRY(epoch_read(r, &g->cur, why));
    if (n == 2) {
        E2E_TRY(epoch_read(r, &g->prev, why));
        if (g->prev.epoch >= g->cur.epoch)
            return e2e_report_fail(why, E2E_ERR_MALFORMED, "epochs", "group: epochs out of order");
    }
    if (e2e_reader_done(r) != E2E_OK)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "length", "group: truncated or trailing");
    return E2E_OK;
}

static void
group_destroy(void *p)
{
    e2e_viber_group_free(p);
}

int
e2e_viber_group_parse(e2e_viber_group **out, const uint8_t *in, size_t len, struct e2e_report *why)
{
    int rc = E2E_ERR_INVALID;
    if (out)
        *out = e2e__vb_parse(&rc, sizeof **out, group_read, group_destroy, in, len, why);
    return rc;
}
