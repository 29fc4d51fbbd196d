/*
 * Receiving a one-to-one message, decrypt-then-commit: find which state and chain the entry
 * belongs to, derive its message key on scratch copies, check the tag, decrypt, and only then
 * write the advanced chain, the skipped keys and the consumed PreKey back.
 */
#include "viber/viber_internal.h"

enum rx_kind { RX_SKIPPED = 1, RX_CHAIN, RX_NEWCHAIN, RX_NEWSTATE };

struct rx {
    struct vb_msg m;
    struct vb_entry e;
    uint8_t body_hash[32];
    uint8_t mk[32];
    uint8_t next_ck[32];               /* the chain key after this entry's position */
    uint8_t wrap_key[32], mac_key[32]; /* from mk, kept from the check for the unwrap */
    int kind;
    int state;   /* index of the state used, or -1 */
    int skipped; /* index in the skipped store (RX_SKIPPED) */
    int prekey;  /* index of the PreKey (RX_NEWSTATE) */
    unsigned tried;
    struct vb_state scratch; /* RX_NEWCHAIN, RX_NEWSTATE: the state as it will be */
};

/* Checks the entry's tag under x->mk, keeping the wrap and MAC keys for the unwrap. */
static int
rx_verify(struct rx *x)
{
    uint8_t tag[32];
    e2e_hmac_sha256_ctx mac;
    e2e_viber_wrap_keys(x->wrap_key, x->mac_key, x->mk);
    e2e_hmac_sha256_init(&mac, x->mac_key, 32);
    e2e_hmac_sha256_update(&mac, x->body_hash, 32);
    e2e_hmac_sha256_update(&mac, x->e.p, x->e.mac_len);
    e2e_hmac_sha256_final(&mac, tag);
    return e2e_ct_equal(tag, x->e.tag, 32);
}

/* Message key of position n of a chain now at position `from`, and the chain key after it. */
static void
chain_mk(struct rx *x, const uint8_t ck[32], uint32_t from, uint32_t n)
{
    memcpy(x->next_ck, ck, 32);
    e2e__vb_chain_skip(NULL, x->next_ck, from, n, NULL);
    e2e_viber_chain_step(x->mk, x->next_ck, x->next_ck);
}

static int
rx_auth_fail(struct e2e_report *why, const struct rx *x)
{
    return e2e_report_fail(why, E2E_ERR_AUTH, "mac",
                           "the entry's HMAC does not verify (chain position %u)", x->e.n);
}

static int
rx_skipped(const e2e_viber_session *s, struct rx *x, int state, struct e2e_report *why)
{
    int k = e2e__vb_skipped_find(s, x->e.ratchet, x->e.n);
    if (k < 0)
        return e2e_report_fail(why, E2E_ERR_DUPLICATE, "duplicate",
                               "chain position %u was already received (or its key expired)",
                               x->e.n);
    memcpy(x->mk, s->skipped[k].mk, 32);
    x->tried++;
    if (!rx_verify(x))
        return rx_auth_fail(why, x);
    x->kind = RX_SKIPPED;
    x->skipped = k;
    x->state = state;
    return E2E_OK;
}

/* The entry continues the current receiving chain of state i. */
static int
rx_chain(const e2e_viber_session *s, struct rx *x, int i, struct e2e_report *why)
{
    const struct vb_state *st = &s->st[i];
    if (x->e.n < st->recv_n)
        return rx_skipped(s, x, i, why);
    if (x->e.n - st->recv_n > E2E_VIBER_MAX_SKIP)
        return e2e_report_fail(why, E2E_ERR_TOO_FAR, "too-far",
                               "chain position %u is %u ahead, at most %u allowed", x->e.n,
                               x->e.n - st->recv_n, E2E_VIBER_MAX_SKIP);
    chain_mk(x, st->recv_ck, st->recv_n, x->e.n);
    x->tried++;
    if (!rx_verify(x))
        return rx_auth_fail(why, x);
    x->kind = RX_CHAIN;
    x->state = i;
    return E2E_OK;
}

/* Work a new peer ratchet key would need in state st, or why it cannot be that state's. */
static int
newchain_fits(const struct vb_state *st, const struct vb_entry *e)
{
    if (st->has_recv && e->pn < st->recv_n)
        return E2E_ERR_AUTH; /* the peer cannot have sent fewer than we received */
    if ((st->has_recv && e->pn - st->recv_n > E2E_VIBER_MAX_SKIP) || e->n > E2E_VIBER_MAX_SKIP)
        return E2E_ERR_TOO_FAR;
    return E2E_OK;
}

/* A ratchet key no state knows: a ratchet step in each state, current first. */
static int
rx_newchain(const e2e_viber_session *s, const e2e_ctx *ctx, struct rx *x, struct e2e_report *why)
{
    int too_far = 0, attempted = 0;
    for (unsigned i = 0; i < E2E_VIBER_MAX_STATES && s->st[i].used; i++) {
        int fit = newchain_fits(&s->st[i], &x->e);
        too_far |= fit == E2E_ERR_TOO_FAR;
        if (fit != E2E_OK)
            continue;
        x->scratch = s->st[i];
        int rc = e2e__vb_state_recv_ratchet(&x->scratch, ctx, x->e.ratchet);
        if (rc != E2E_OK)
            return e2e_report_fail(why, rc, "ratchet-key", "the ratchet public key is unusable");
        chain_mk(x, x->scratch.recv_ck, 0, x->e.n);
        attempted = 1;
        x->tried++;
        if (rx_verify(x)) {
            x->kind = RX_NEWCHAIN;
            x->state = (int)i;
            return E2E_OK;
        }
    }
    if (too_far && !attempted)
        return e2e_report_fail(why, E2E_ERR_TOO_FAR, "too-far",
                               "the new chain would skip more than %u messages",
                               E2E_VIBER_MAX_SKIP);
    return e2e_report_fail(why, E2E_ERR_AUTH, "mac",
                           "a new ratchet key, but no state's ratchet step verifies (%u tried)",
                           x->tried);
}

/* A session start this device has not seen: a new state from the PreKey it names. */
static int
rx_newstate(const e2e_viber_device *me, const e2e_ctx *ctx, struct rx *x, struct e2e_report *why)
{
    int pk = e2e__vb_device_find_prekey(me, x->e.prekey_id);
    if (pk < 0)
        return e2e_report_fail(why, E2E_ERR_NO_SESSION, "prekey",
                               "session start with PreKey %u, which this device does not hold",
                               x->e.prekey_id);
    if (x->e.n > E2E_VIBER_MAX_SKIP)
        return e2e_report_fail(why, E2E_ERR_TOO_FAR, "too-far", "chain position %u", x->e.n);
    int rc = e2e__vb_state_accept(&x->scratch, ctx, me, pk, x->e.id, x->e.hs, x->e.ratchet);
    if (rc != E2E_OK)
        return e2e_report_fail(why, rc, "session-start", "a key of the session start is unusable");
    chain_mk(x, x->scratch.recv_ck, 0, x->e.n);
    x->tried++;
    if (!rx_verify(x))
        return rx_auth_fail(why, x);
    x->kind = RX_NEWSTATE;
    x->prekey = pk;
    return E2E_OK;
}

/* The state a session-start entry was made from, or -1. */
static int
find_base(const e2e_viber_session *s, const struct vb_entry *e)
{
    for (unsigned i = 0; i < E2E_VIBER_MAX_STATES && s->st[i].used; i++) {
        const struct vb_state *st = &s->st[i];
        if (!st->initiator && st->prekey_id == e->prekey_id &&
            memcmp(st->base_id, e->id, 32) == 0 && memcmp(st->base_hs, e->hs, 32) == 0)
            return (int)i;
    }
    return -1;
}

static int
rx_resolve(const e2e_viber_session *s, const e2e_ctx *ctx, const e2e_viber_device *me, struct rx *x,
           struct e2e_report *why)
{
    if ((x->e.flags & VB_F_START) && find_base(s, &x->e) < 0)
        return rx_newstate(me, ctx, x, why);
    for (unsigned i = 0; i < E2E_VIBER_MAX_STATES && s->st[i].used; i++) {
        const struct vb_state *st = &s->st[i];
        if (st->has_recv && memcmp(x->e.ratchet, st->peer_ratchet, 32) == 0)
            return rx_chain(s, x, (int)i, why);
        if (st->has_prev_peer && memcmp(x->e.ratchet, st->prev_peer_ratchet, 32) == 0)
            return rx_skipped(s, x, (int)i, why);
    }
    if (e2e__vb_skipped_find(s, x->e.ratchet, x->e.n) >= 0)
        return rx_skipped(s, x, -1, why);
    if (!s->st[0].used)
        return e2e_report_fail(why, E2E_ERR_NO_SESSION, "state",
                               "no session with this device yet, and the message starts none");
    return rx_newchain(s, ctx, x, why);
}

/* Skipped keys the commit will store. */
static unsigned
rx_skips(const e2e_viber_session *s, const struct rx *x)
{
    const struct vb_state *st = x->state >= 0 ? &s->st[x->state] : NULL;
    switch (x->kind) {
    case RX_CHAIN:
        return x->e.n - st->recv_n;
    case RX_NEWCHAIN:
        return x->e.n + (st->has_recv ? x->e.pn - st->recv_n : 0);
    case RX_NEWSTATE:
        return x->e.n;
    default:
        return 0;
    }
}

/* Stores the keys of the positions the entry skipped and moves the chain past it. */
static void
commit_chain(e2e_viber_session *s, const struct rx *x, struct vb_state *st)
{
    if (x->e.n > st->recv_n)
        e2e__vb_chain_skip(s, st->recv_ck, st->recv_n, x->e.n, st->peer_ratchet);
    memcpy(st->recv_ck, x->next_ck, 32);
    st->recv_n = x->e.n + 1;
}

static void
rx_commit(e2e_viber_session *s, e2e_viber_device *me, struct rx *x)
{
    struct vb_state *st = x->state >= 0 ? &s->st[x->state] : NULL;
    switch (x->kind) {
    case RX_SKIPPED:
        e2e__vb_skipped_remove(s, x->skipped);
        break;
    case RX_CHAIN:
        commit_chain(s, x, st);
        break;
    case RX_NEWCHAIN:
        if (st->has_recv) /* the rest of the peer's previous chain */
            e2e__vb_chain_skip(s, st->recv_ck, st->recv_n, x->e.pn, st->peer_ratchet);
        commit_chain(s, x, &x->scratch);
        *st = x->scratch;
        break;
    default:
        commit_chain(s, x, &x->scratch);
        e2e__vb_session_push(s, &x->scratch);
        e2e__vb_device_consume_prekey(me, x->prekey);
        x->state = 0;
        break;
    }
    /* The peer uses this state: stop sending the start, make it current. A late message
     * from a skipped key proves nothing about which state the peer uses now. */
    if (x->state >= 0 && x->kind != RX_SKIPPED) {
        s->st[x->state].pending_start = 0;
        e2e__vb_session_promote(s, (unsigned)x->state);
    }
}

/* Unwraps the message key and decrypts the body into pt. */
static void
rx_open(const struct rx *x, uint8_t *pt)
{
    uint8_t msg_key[16];
    e2e__vb_salsa_once(msg_key, x->e.wrapped, 16, x->wrap_key, 32);
    if (x->m.body_len)
        e2e__vb_salsa_once(pt, x->m.body, x->m.body_len, msg_key, 16);
    e2e_wipe(msg_key, sizeof msg_key);
}

static int
rx_checks(const e2e_viber_session *s, const e2e_viber_device *me, struct rx *x, size_t pt_cap,
          struct e2e_report *why)
{
    if (!e2e__vb_msg_find(&x->m, me->udid, &x->e))
        return e2e_report_fail(why, E2E_ERR_NO_SESSION, "entry",
                               "the message carries no key for this device: the sender had no "
                               "session with it");
    if (memcmp(x->m.sender, s->peer_udid, 16) != 0)
        return e2e_report_fail(why, E2E_ERR_NO_SESSION, "sender",
                               "the message comes from another device than this session's peer");
    if (!me->has_id)
        return e2e_report_fail(why, E2E_ERR_NO_SESSION, "identity",
                               "this device has no ID key yet (not registered)");
    if (pt_cap < x->m.body_len)
        return e2e_report_fail(why, E2E_ERR_BUFFER, "buffer", "the body needs %zu bytes",
                               x->m.body_len);
    return E2E_OK;
}

static int
rx_identity(const e2e_viber_session *s, const struct rx *x, const uint8_t *expected,
            struct e2e_report *why)
{
    const uint8_t *id = x->kind == RX_NEWSTATE ? x->scratch.peer_id
                        : x->state >= 0        ? s->st[x->state].peer_id
                                               : s->st[0].peer_id;
    if (expected && !e2e_ct_equal(expected, id, 32))
        return e2e_report_fail(why, E2E_ERR_UNTRUSTED, "identity",
                               "the sender's ID key is not the one this account is known by");
    return E2E_OK;
}

static void
rx_trace(const e2e_ctx *ctx, const struct rx *x)
{
    static const char *const kind[] = {"", "a stored skipped key", "the current receiving chain",
                                       "a new chain after a ratchet step",
                                       "a new session from a PreKey"};
    if (!e2e_log_enabled(ctx, E2E_LOG_TRACE))
        return;
    E2E_TRACE(ctx, "viber: read position %u (PN %u) with %s, state %d, %u tried", x->e.n, x->e.pn,
              kind[x->kind], x->state, x->tried);
    e2e_trace_hex(ctx, "viber: body hash = SHA256(header || Salsa20 body)", x->body_hash, 32);
    e2e_trace_hex(ctx, "viber: MsgKey", x->mk, 32);
    e2e_trace_hex(ctx, "viber: WrapKey", x->wrap_key, 32);
    e2e_trace_hex(ctx, "viber: MacKey (the entry's HMAC verified)", x->mac_key, 32);
}

int
e2e_viber_decrypt(e2e_viber_session *s, const e2e_ctx *ctx, e2e_viber_device *me,
                  const uint8_t *expected_peer_id, const uint8_t *msg, size_t len, uint8_t *pt,
                  size_t pt_cap, size_t *pt_len, struct e2e_report *why)
{
    struct rx x;
    e2e_report_clear(why);
    if (!s || !me || !pt_len || (!msg && len) || (!pt && pt_cap))
        return E2E_ERR_INVALID;
    *pt_len = 0;
    memset(&x, 0, sizeof x);
    x.state = -1;
    int rc = e2e__vb_msg_parse(&x.m, msg, len, why);
    if (rc == E2E_OK)
        rc = rx_checks(s, me, &x, pt_cap, why);
    if (rc == E2E_OK) {
        e2e_sha256(x.body_hash, msg, x.m.common_len);
        rc = rx_resolve(s, ctx, me, &x, why);
    }
    if (rc == E2E_OK)
        rc = rx_identity(s, &x, expected_peer_id, why);
    if (rc == E2E_OK && e2e__vb_skipped_reserve(s, rx_skips(s, &x)) != E2E_OK)
        rc = E2E_ERR_NOMEM;
    int used = x.kind == RX_NEWSTATE ? 0 : x.state;
    if (rc == E2E_OK) {
        rx_open(&x, pt);
        rx_commit(s, me, &x);
        *pt_len = x.m.body_len;
        rx_trace(ctx, &x);
    }
    if (why) {
        why->tried = x.tried;
        why->state = used;
    }
    e2e_wipe(&x, sizeof x);
    return rc;
}
