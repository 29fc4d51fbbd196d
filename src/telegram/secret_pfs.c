/*
 * Perfect forward secrecy in secret chats (spec "pfs"; reference/telegram.md 6): after more than
 * 100 messages or a week under one key (and at least one message encrypted with it), a new DH
 * exchange runs inside the chat as service messages RequestKey -> AcceptKey -> CommitKey
 * (AbortKey to give up), on the chat's own (p, g) with every range check. Concurrent requests
 * are settled by comparing exchange_id as signed 64-bit integers. The side that commits
 * switches after sending CommitKey; the other on receiving it. The previous key stays as the
 * "other" key, so messages in flight across the switch still decrypt (the key id selects it),
 * and is wiped once a message under the new key is processed with no gap left.
 */
#include <string.h>

#include <e2ekit/crypto.h>
#include <e2ekit/telegram.h>

#include "core/log.h"
#include "core/util.h"
#include "telegram/chat.h"

static void
pfs_reset(e2e_tg_chat *c)
{
    c->pfs = TG_PFS_IDLE;
    c->exchange_id = 0;
    e2e_wipe(c->pfs_priv, sizeof c->pfs_priv);
    e2e__tg_wipe_key(&c->pfs_new);
}

static int
send_key_action(e2e_tg_chat *c, const e2e_ctx *ctx, uint32_t type, const uint8_t *g, size_t g_len,
                int64_t fingerprint)
{
    struct e2e_tg_action a;
    memset(&a, 0, sizeof a);
    a.type = type;
    a.exchange_id = c->exchange_id;
    a.g = g;
    a.g_len = g_len;
    a.key_fingerprint = fingerprint;
    return e2e__tg_send_service(c, ctx, &a);
}

/* The new key becomes current; the old one stays as "other" for messages in flight. */
static int
switch_key(e2e_tg_chat *c, const e2e_ctx *ctx)
{
    struct tg_ev_head h;
    c->other = c->cur;
    c->cur = c->pfs_new;
    pfs_reset(c);
    c->since_rekey = 0;
    c->sent_since_rekey = 0;
    c->key_since_ms = e2e_now_ms(ctx);
    memset(&h, 0, sizeof h);
    h.type = E2E_TG_EV_REKEYED;
    h.key_fingerprint = (int64_t)e2e_load64_le(c->cur.id);
    e2e_trace_hex(ctx, "secret chat: re-keyed, new key_fingerprint", c->cur.id, 8);
    return e2e__tg_push_event(c, &h, NULL, 0);
}

static int
start(e2e_tg_chat *c, const e2e_ctx *ctx)
{
    uint8_t r[8], pub[256];
    E2E_TRY(e2e_random(ctx, r, sizeof r));
    E2E_TRY(e2e_dh_keygen(c->grp, ctx, c->pfs_priv, pub));
    c->exchange_id = (int64_t)e2e_load64_le(r);
    c->pfs = TG_PFS_WAIT_ACCEPT;
    E2E_TRACE(ctx, "secret chat: re-key: RequestKey exchange_id %lld after %u messages",
              (long long)c->exchange_id, c->since_rekey);
    size_t z = e2e__tg_minimal(pub);
    int rc = send_key_action(c, ctx, E2E_TG_ACTION_REQUEST_KEY, pub + z, 256 - z, 0);
    if (rc != E2E_OK)
        pfs_reset(c);
    return rc;
}

int
e2e__tg_pfs_maybe_start(e2e_tg_chat *c, const e2e_ctx *ctx)
{
    if (c->state != E2E_TG_CHAT_READY || c->pfs != TG_PFS_IDLE || c->other.present ||
        c->sent_since_rekey == 0)
        return E2E_OK;
    uint64_t now = e2e_now_ms(ctx);
    int aged = now > c->key_since_ms && now - c->key_since_ms > E2E_TG_REKEY_MS;
    if (c->since_rekey <= E2E_TG_REKEY_MESSAGES && !aged)
        return E2E_OK;
    return start(c, ctx);
}

int
e2e_tg_chat_rekey(e2e_tg_chat *c, const e2e_ctx *ctx)
{
    e2e__tg_release_views(c);
    if (c->state != E2E_TG_CHAT_READY || c->pfs != TG_PFS_IDLE)
        return E2E_ERR_STATE;
    return start(c, ctx);
}

static int
pfs_fail(e2e_tg_chat *c, struct e2e_report *why, int err, const char *check, const char *detail)
{
    e2e_report_fail(why, err, check, "re-key: %s", detail);
    return e2e__tg_abort(c, why, err, check, detail);
}

/* RequestKey: settle a concurrent request, then accept: new b, new key, AcceptKey. */
static int
on_request(e2e_tg_chat *c, const e2e_ctx *ctx, const struct e2e_tg_action *a,
           struct e2e_report *why)
{
    uint8_t g_a[256], b[256], pub[256], key[256];
    size_t g_a_len = a->g_len;
    memcpy(g_a, a->g, g_a_len); /* a->g may live in the buffer the reply is built in */
    if (c->pfs == TG_PFS_WAIT_ACCEPT) {
        if (c->exchange_id > a->exchange_id)
            return E2E_OK; /* ours wins: the peer will accept ours */
        int equal = c->exchange_id == a->exchange_id;
        pfs_reset(c);
        if (equal)
            return E2E_OK; /* both abandon, no AbortKey */
    }
    pfs_reset(c);
    if (e2e_dh_check_public(c->grp, g_a, g_a_len) != E2E_OK)
        return pfs_fail(c, why, E2E_ERR_WEAK_KEY, "g_a", "RequestKey's g_a is out of range");
    int rc = e2e_dh_keygen(c->grp, ctx, b, pub);
    if (rc == E2E_OK)
        rc = e2e_dh_compute(c->grp, key, b, g_a, g_a_len);
    e2e_wipe(b, sizeof b);
    if (rc != E2E_OK)
        return rc;
    e2e__tg_set_key(&c->pfs_new, key);
    e2e_wipe(key, sizeof key);
    c->exchange_id = a->exchange_id;
    c->pfs = TG_PFS_WAIT_COMMIT;
    size_t z = e2e__tg_minimal(pub);
    return send_key_action(c, ctx, E2E_TG_ACTION_ACCEPT_KEY, pub + z, 256 - z,
                           (int64_t)e2e_load64_le(c->pfs_new.id));
}

/* AcceptKey to our RequestKey: the new key, its fingerprint checked, CommitKey, switch. */
static int
on_accept(e2e_tg_chat *c, const e2e_ctx *ctx, const struct e2e_tg_action *a, struct e2e_report *why)
{
    uint8_t key[256];
    if (c->pfs != TG_PFS_WAIT_ACCEPT || a->exchange_id != c->exchange_id)
        return pfs_fail(c, why, E2E_ERR_PROTOCOL, "pfs", "AcceptKey for no pending RequestKey");
    if (e2e_dh_compute(c->grp, key, c->pfs_priv, a->g, a->g_len) != E2E_OK)
        return pfs_fail(c, why, E2E_ERR_WEAK_KEY, "g_b", "AcceptKey's g_b is out of range");
    int64_t fp = e2e_tg_key_fingerprint(key);
    if (fp != a->key_fingerprint) {
        e2e_wipe(key, sizeof key);
        return pfs_fail(c, why, E2E_ERR_AUTH, "fingerprint",
                        "AcceptKey's key_fingerprint differs from the new key's");
    }
    e2e__tg_set_key(&c->pfs_new, key);
    e2e_wipe(key, sizeof key);
    E2E_TRY(send_key_action(c, ctx, E2E_TG_ACTION_COMMIT_KEY, NULL, 0, fp));
    return switch_key(c, ctx);
}

/* CommitKey to our AcceptKey: switch, and say something under the new key (a Noop) so the
 * peer can let the old one go. */
static int
on_commit(e2e_tg_chat *c, const e2e_ctx *ctx, const struct e2e_tg_action *a, struct e2e_report *why)
{
    if (c->pfs != TG_PFS_WAIT_COMMIT || a->exchange_id != c->exchange_id)
        return pfs_fail(c, why, E2E_ERR_PROTOCOL, "pfs", "CommitKey for no accepted exchange");
    if (a->key_fingerprint != (int64_t)e2e_load64_le(c->pfs_new.id))
        return pfs_fail(c, why, E2E_ERR_AUTH, "fingerprint",
                        "CommitKey's key_fingerprint differs from the new key's");
    E2E_TRY(switch_key(c, ctx));
    struct e2e_tg_action noop;
    memset(&noop, 0, sizeof noop);
    noop.type = E2E_TG_ACTION_NOOP;
    return e2e__tg_send_service(c, ctx, &noop);
}

int
e2e__tg_pfs_on_action(e2e_tg_chat *c, const e2e_ctx *ctx, const struct e2e_tg_action *a,
                      struct e2e_report *why)
{
    switch (a->type) {
    case E2E_TG_ACTION_REQUEST_KEY:
        return on_request(c, ctx, a, why);
    case E2E_TG_ACTION_ACCEPT_KEY:
        return on_accept(c, ctx, a, why);
    case E2E_TG_ACTION_COMMIT_KEY:
        return on_commit(c, ctx, a, why);
    default: /* AbortKey: honoured only while we wait for AcceptKey to that exchange */
        if (c->pfs == TG_PFS_WAIT_ACCEPT && a->exchange_id == c->exchange_id)
            pfs_reset(c);
        return E2E_OK;
    }
}
