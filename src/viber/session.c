/*
 * Sessions between two devices: setup from a PreKey (reference/viber.md 3), the ratchet on
 * every change of direction (4), the chain inside one direction and the skipped-key store
 * (docs/protocols/viber.md), archived states, serialization.
 */
#include <stdlib.h>

#include "viber/viber_internal.h"

static const uint32_t session_magic = E2E__MAGIC('V', 'B', 'S', 'N');

int
e2e_viber_session_new(e2e_viber_session **out, const uint8_t peer_udid[16])
{
    if (!out || !peer_udid)
        return E2E_ERR_INVALID;
    *out = calloc(1, sizeof **out);
    if (!*out)
        return E2E_ERR_NOMEM;
    memcpy((*out)->peer_udid, peer_udid, 16);
    return E2E_OK;
}

static void
skipped_clear(e2e_viber_session *s)
{
    if (s->skipped) {
        e2e_wipe(s->skipped, s->cap_skipped * sizeof s->skipped[0]);
        free(s->skipped);
    }
    s->skipped = NULL;
    s->nskipped = s->cap_skipped = 0;
}

void
e2e_viber_session_free(e2e_viber_session *s)
{
    if (!s)
        return;
    skipped_clear(s);
    e2e_wipe(s, sizeof *s);
    free(s);
}

const uint8_t *
e2e_viber_session_peer_udid(const e2e_viber_session *s)
{
    return s->peer_udid;
}

int
e2e_viber_session_ready(const e2e_viber_session *s)
{
    return s && s->st[0].used;
}

int
e2e_viber_session_peer_identity(const e2e_viber_session *s, uint8_t id_pub[32])
{
    if (!s->st[0].used)
        return E2E_ERR_NO_SESSION;
    memcpy(id_pub, s->st[0].peer_id, 32);
    return E2E_OK;
}

/* ---- archived states ------------------------------------------------------------------------ */

void
e2e__vb_session_promote(e2e_viber_session *s, unsigned i)
{
    struct vb_state tmp;
    if (i == 0)
        return;
    tmp = s->st[i];
    memmove(&s->st[1], &s->st[0], i * sizeof s->st[0]);
    s->st[0] = tmp;
    e2e_wipe(&tmp, sizeof tmp);
}

void
e2e__vb_session_push(e2e_viber_session *s, const struct vb_state *st)
{
    unsigned last = E2E_VIBER_MAX_STATES - 1;
    e2e_wipe(&s->st[last], sizeof s->st[last]);
    memmove(&s->st[1], &s->st[0], last * sizeof s->st[0]);
    s->st[0] = *st;
}

/* ---- skipped message keys ------------------------------------------------------------------- */

int
e2e__vb_skipped_reserve(e2e_viber_session *s, unsigned more)
{
    unsigned want = s->nskipped + more;
    if (want > E2E_VIBER_MAX_SKIPPED)
        want = E2E_VIBER_MAX_SKIPPED;
    if (want <= s->cap_skipped)
        return E2E_OK;
    unsigned cap = s->cap_skipped ? s->cap_skipped : 16;
    while (cap < want)
        cap *= 2;
    if (cap > E2E_VIBER_MAX_SKIPPED)
        cap = E2E_VIBER_MAX_SKIPPED;
    /* a fresh block, so the old one can be wiped (realloc would leave copies behind) */
    struct vb_skipped *n = calloc(cap, sizeof *n);
    if (!n)
        return E2E_ERR_NOMEM;
    if (s->skipped) {
        memcpy(n, s->skipped, s->nskipped * sizeof *n);
        e2e_wipe(s->skipped, s->cap_skipped * sizeof *n);
        free(s->skipped);
    }
    s->skipped = n;
    s->cap_skipped = cap;
    return E2E_OK;
}

void
e2e__vb_skipped_remove(e2e_viber_session *s, int i)
{
    unsigned k = (unsigned)i;
    memmove(&s->skipped[k], &s->skipped[k + 1], (s->nskipped - k - 1) * sizeof s->skipped[0]);
    s->nskipped--;
    e2e_wipe(&s->skipped[s->nskipped], sizeof s->skipped[0]);
}

void
e2e__vb_skipped_push(e2e_viber_session *s, const uint8_t ratchet[32], uint32_t n,
                     const uint8_t mk[32])
{
    if (s->nskipped == s->cap_skipped) /* full at E2E_VIBER_MAX_SKIPPED: forget the oldest */
        e2e__vb_skipped_remove(s, 0);
    struct vb_skipped *e = &s->skipped[s->nskipped++];
    memcpy(e->ratchet, ratchet, 32);
    e->n = n;
    memcpy(e->mk, mk, 32);
}

int
e2e__vb_skipped_find(const e2e_viber_session *s, const uint8_t ratchet[32], uint32_t n)
{
    for (unsigned i = 0; i < s->nskipped; i++)
        if (s->skipped[i].n == n && memcmp(s->skipped[i].ratchet, ratchet, 32) == 0)
            return (int)i;
    return -1;
}

void
e2e__vb_chain_skip(e2e_viber_session *s, uint8_t ck[32], uint32_t from, uint32_t to,
                   const uint8_t ratchet[32])
{
    uint8_t mk[32];
    for (uint32_t i = from; i < to; i++) {
        e2e_viber_chain_step(mk, ck, ck);
        if (s)
            e2e__vb_skipped_push(s, ratchet, i, mk);
    }
    e2e_wipe(mk, sizeof mk);
}

/* ---- setup ---------------------------------------------------------------------------------- */

static void
trace_root(const e2e_ctx *ctx, const uint8_t dh[3][32], const uint8_t root[32])
{
    e2e_trace_hex(ctx, "viber: DH(ID_A, HS_B)", dh[0], 32);
    e2e_trace_hex(ctx, "viber: DH(HS_A, ID_B)", dh[1], 32);
    e2e_trace_hex(ctx, "viber: DH(HS_A, HS_B)", dh[2], 32);
    e2e_trace_hex(ctx, "viber: RootKey = SHA256(DH1 || DH2 || DH3)", root, 32);
}

static void
trace_step(const e2e_ctx *ctx, const uint8_t temp[32], const uint8_t root[32],
           const uint8_t session_key[32])
{
    e2e_trace_hex(ctx, "viber: TempKey = HMAC(RootKey, DH(Ratchet_own, Ratchet_peer))", temp, 32);
    e2e_trace_hex(ctx, "viber: new RootKey = HMAC(TempKey, \"root\")", root, 32);
    e2e_trace_hex(ctx, "viber: SessionKey = HMAC(TempKey, \"mesg\") = chain key 0", session_key,
                  32);
}

int
e2e_viber_session_initiate(e2e_viber_session *s, const e2e_ctx *ctx, const e2e_viber_device *me,
                           const uint8_t peer_id[32], const struct e2e_viber_prekey *prekey,
                           struct e2e_report *why)
{
    struct vb_state st;
    uint8_t hs_priv[32], rk0[32], dh[3][32], temp[32];
    e2e_report_clear(why);
    if (!s || !me || !peer_id || !prekey)
        return E2E_ERR_INVALID;
    if (!me->has_id)
        return e2e_report_fail(why, E2E_ERR_STATE, "identity", "this device has no ID key yet");
    if (memcmp(prekey->udid, s->peer_udid, 16) != 0)
        return e2e_report_fail(why, E2E_ERR_INVALID, "udid",
                               "the PreKey belongs to another device than the session's peer");
    E2E_TRY(e2e_viber_prekey_verify(prekey, peer_id, why));
    memset(&st, 0, sizeof st);
    int rc = e2e_x25519_keygen(ctx, hs_priv, st.base_hs);
    if (rc == E2E_OK)
        rc = e2e_x25519_keygen(ctx, st.own_priv, st.own_pub);
    if (rc == E2E_OK)
        rc = e2e_viber_root_key(rk0, dh, me->id_priv, hs_priv, peer_id, prekey->handshake, 1);
    if (rc == E2E_OK)
        rc = e2e_viber_ratchet_step(st.root, st.send_ck, temp, rk0, st.own_priv, prekey->ratchet,
                                    NULL);
    if (rc == E2E_OK) {
        E2E_TRACE(ctx, "viber: session setup with PreKey %u (initiator)", prekey->id);
        trace_root(ctx, (const uint8_t(*)[32])dh, rk0);
        trace_step(ctx, temp, st.root, st.send_ck);
        st.used = st.initiator = st.pending_start = st.has_send = 1;
        st.prekey_id = prekey->id;
        memcpy(st.base_id, me->id_pub, 32);
        memcpy(st.peer_id, peer_id, 32);
        memcpy(st.peer_ratchet, prekey->ratchet, 32);
        e2e__vb_session_push(s, &st);
    } else {
        e2e_report_fail(why, rc, "dh", "a public key of the PreKey or ID key is unusable");
    }
    e2e_wipe(hs_priv, sizeof hs_priv);
    e2e_wipe(rk0, sizeof rk0);
    e2e_wipe(dh, sizeof dh);
    e2e_wipe(temp, sizeof temp);
    e2e_wipe(&st, sizeof st);
    return rc;
}

int
e2e__vb_state_accept(struct vb_state *st, const e2e_ctx *ctx, const e2e_viber_device *me, int pk,
                     const uint8_t id[32], const uint8_t hs[32], const uint8_t ratchet[32])
{
    const struct vb_prekey_priv *k = &me->prekeys[pk];
    uint8_t rk0[32], dh[3][32], temp[32];
    memset(st, 0, sizeof *st);
    int rc = e2e_viber_root_key(rk0, dh, me->id_priv, k->hs_priv, id, hs, 0);
    if (rc == E2E_OK)
        rc = e2e_viber_ratchet_step(st->root, st->recv_ck, temp, rk0, k->rk_priv, ratchet, NULL);
    if (rc == E2E_OK) {
        E2E_TRACE(ctx, "viber: session setup with own PreKey %u (responder)", k->id);
        trace_root(ctx, (const uint8_t(*)[32])dh, rk0);
        trace_step(ctx, temp, st->root, st->recv_ck);
        st->used = st->need_ratchet = st->has_recv = 1;
        st->prekey_id = k->id;
        memcpy(st->base_id, id, 32);
        memcpy(st->base_hs, hs, 32);
        memcpy(st->peer_id, id, 32);
        memcpy(st->own_priv, k->rk_priv, 32);
        memcpy(st->own_pub, k->rk_pub, 32);
        memcpy(st->peer_ratchet, ratchet, 32);
    }
    e2e_wipe(rk0, sizeof rk0);
    e2e_wipe(dh, sizeof dh);
    e2e_wipe(temp, sizeof temp);
    return rc;
}

/* ---- the ratchet ---------------------------------------------------------------------------- */

int
e2e__vb_state_send_ratchet(struct vb_state *st, const e2e_ctx *ctx)
{
    uint8_t priv[32], pub[32], root[32], ck[32], temp[32];
    int rc = e2e_x25519_keygen(ctx, priv, pub);
    if (rc == E2E_OK)
        rc = e2e_viber_ratchet_step(root, ck, temp, st->root, priv, st->peer_ratchet, NULL);
    if (rc == E2E_OK) {
        E2E_TRACE(ctx, "viber: direction changes: new ratchet pair, ratchet step (sending)");
        e2e_trace_hex(ctx, "viber: new own ratchet public", pub, 32);
        trace_step(ctx, temp, root, ck);
        st->prev_send_n = st->has_send ? st->send_n : 0;
        st->send_n = 0;
        st->has_send = 1;
        st->need_ratchet = 0;
        memcpy(st->own_priv, priv, 32);
        memcpy(st->own_pub, pub, 32);
        memcpy(st->root, root, 32);
        memcpy(st->send_ck, ck, 32);
    }
    e2e_wipe(priv, sizeof priv);
    e2e_wipe(root, sizeof root);
    e2e_wipe(ck, sizeof ck);
    e2e_wipe(temp, sizeof temp);
    return rc;
}

int
e2e__vb_state_recv_ratchet(struct vb_state *st, const e2e_ctx *ctx, const uint8_t peer[32])
{
    uint8_t root[32], ck[32], temp[32];
    int rc = e2e_viber_ratchet_step(root, ck, temp, st->root, st->own_priv, peer, NULL);
    if (rc == E2E_OK) {
        E2E_TRACE(ctx, "viber: new peer ratchet key: ratchet step (receiving)");
        e2e_trace_hex(ctx, "viber: peer ratchet public", peer, 32);
        trace_step(ctx, temp, root, ck);
        memcpy(st->prev_peer_ratchet, st->peer_ratchet, 32);
        st->has_prev_peer = 1;
        memcpy(st->peer_ratchet, peer, 32);
        memcpy(st->root, root, 32);
        memcpy(st->recv_ck, ck, 32);
        st->recv_n = 0;
        st->has_recv = 1;
        st->need_ratchet = 1;
    }
    e2e_wipe(root, sizeof root);
    e2e_wipe(ck, sizeof ck);
    e2e_wipe(temp, sizeof temp);
    return rc;
}

/* ---- serialization -------------------------------------------------------------------------- */

#define STATE_SIZE   (1 + 4 + 32 * 10 + 4 + 4 + 4)
#define SKIPPED_SIZE (32 + 4 + 32)

enum {
    F_INITIATOR = 1,
    F_PENDING = 2,
    F_NEED_RATCHET = 4,
    F_SEND = 8,
    F_RECV = 16,
    F_PREV_PEER = 32,
};

static unsigned
nstates(const e2e_viber_session *s)
{
    unsigned n = 0;
    while (n < E2E_VIBER_MAX_STATES && s->st[n].used)
        n++;
    return n;
}

static void
state_write(struct e2e_writer *w, const struct vb_state *st)
{
    uint8_t f = (uint8_t)((st->initiator ? F_INITIATOR : 0) | (st->pending_start ? F_PENDING : 0) |
                          (st->need_ratchet ? F_NEED_RATCHET : 0) | (st->has_send ? F_SEND : 0) |
                          (st->has_recv ? F_RECV : 0) | (st->has_prev_peer ? F_PREV_PEER : 0));
    e2e_write_u8(w, f);
    e2e_write_u32_be(w, st->prekey_id);
    e2e_write_bytes(w, st->base_id, 32);
    e2e_write_bytes(w, st->base_hs, 32);
    e2e_write_bytes(w, st->peer_id, 32);
    e2e_write_bytes(w, st->root, 32);
    e2e_write_bytes(w, st->own_priv, 32);
    e2e_write_bytes(w, st->own_pub, 32);
    e2e_write_bytes(w, st->peer_ratchet, 32);
    e2e_write_bytes(w, st->prev_peer_ratchet, 32);
    e2e_write_bytes(w, st->send_ck, 32);
    e2e_write_u32_be(w, st->send_n);
    e2e_write_u32_be(w, st->prev_send_n);
    e2e_write_bytes(w, st->recv_ck, 32);
    e2e_write_u32_be(w, st->recv_n);
}

int
e2e_viber_session_serialize(const e2e_viber_session *s, uint8_t *out, size_t cap, size_t *len)
{
    struct e2e_writer w;
    unsigned n = nstates(s);
    size_t need = 4 + 2 + 16 + 1 + n * STATE_SIZE + 2 + (size_t)s->nskipped * SKIPPED_SIZE;
    E2E_TRY(e2e__vb_serialize_begin(&w, out, cap, need, len));
    e2e__blob_head_write(&w, session_magic, VB_STATE_VERSION);
    e2e_write_bytes(&w, s->peer_udid, 16);
    e2e_write_u8(&w, (uint8_t)n);
    for (unsigned i = 0; i < n; i++)
        state_write(&w, &s->st[i]);
    e2e_write_u16_be(&w, (uint16_t)s->nskipped);
    for (unsigned i = 0; i < s->nskipped; i++) {
        e2e_write_bytes(&w, s->skipped[i].ratchet, 32);
        e2e_write_u32_be(&w, s->skipped[i].n);
        e2e_write_bytes(&w, s->skipped[i].mk, 32);
    }
    return E2E_OK;
}

static int
state_read(struct e2e_reader *r, struct vb_state *st, struct e2e_report *why)
{
    uint8_t f = e2e_read_u8(r), check[32];
    st->used = 1;
    st->initiator = (f & F_INITIATOR) != 0;
    st->pending_start = (f & F_PENDING) != 0;
    st->need_ratchet = (f & F_NEED_RATCHET) != 0;
    st->has_send = (f & F_SEND) != 0;
    st->has_recv = (f & F_RECV) != 0;
    st->has_prev_peer = (f & F_PREV_PEER) != 0;
    st->prekey_id = e2e_read_u32_be(r);
    e2e_read_bytes(r, st->base_id, 32);
    e2e_read_bytes(r, st->base_hs, 32);
    e2e_read_bytes(r, st->peer_id, 32);
    e2e_read_bytes(r, st->root, 32);
    e2e_read_bytes(r, st->own_priv, 32);
    e2e_read_bytes(r, st->own_pub, 32);
    e2e_read_bytes(r, st->peer_ratchet, 32);
    e2e_read_bytes(r, st->prev_peer_ratchet, 32);
    e2e_read_bytes(r, st->send_ck, 32);
    st->send_n = e2e_read_u32_be(r);
    st->prev_send_n = e2e_read_u32_be(r);
    e2e_read_bytes(r, st->recv_ck, 32);
    st->recv_n = e2e_read_u32_be(r);
    if (r->err)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "length", "session: truncated state");
    e2e_x25519_public(check, st->own_priv);
    if (f & ~0x3f || (!st->has_send && !st->has_recv) || !e2e_ct_equal(check, st->own_pub, 32))
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "state",
                               "session: inconsistent state (flags or ratchet pair)");
    return E2E_OK;
}

static int
session_read(struct e2e_reader *r, void *obj, struct e2e_report *why)
{
    e2e_viber_session *s = obj;
    E2E_TRY(e2e__blob_head_read(r, session_magic, VB_STATE_VERSION, "viber session", why));
    e2e_read_bytes(r, s->peer_udid, 16);
    unsigned n = e2e_read_u8(r);
    if (n > E2E_VIBER_MAX_STATES)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "states", "session: %u states", n);
    for (unsigned i = 0; i < n; i++)
        E2E_TRY(state_read(r, &s->st[i], why));
    unsigned k = e2e_read_u16_be(r);
    if (k > E2E_VIBER_MAX_SKIPPED || e2e_reader_left(r) != (size_t)k * SKIPPED_SIZE)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "skipped",
                               "session: skipped-key count and length disagree");
    if (k && e2e__vb_skipped_reserve(s, k) != E2E_OK)
        return E2E_ERR_NOMEM;
    for (unsigned i = 0; i < k; i++) {
        struct vb_skipped *e = &s->skipped[i];
        e2e_read_bytes(r, e->ratchet, 32);
        e->n = e2e_read_u32_be(r);
        e2e_read_bytes(r, e->mk, 32);
        s->nskipped = i + 1;
    }
    if (e2e_reader_done(r) != E2E_OK)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "length", "session: truncated or trailing");
    return E2E_OK;
}

static void
session_destroy(void *p)
{
    e2e_viber_session_free(p);
}

int
e2e_viber_session_parse(e2e_viber_session **out, const uint8_t *in, size_t len,
                        struct e2e_report *why)
{
    int rc = E2E_ERR_INVALID;
    if (out)
        *out = e2e__vb_parse(&rc, sizeof **out, session_read, session_destroy, in, len, why);
    return rc;
}
