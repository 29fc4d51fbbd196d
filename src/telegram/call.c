/*
 * 1:1 calls (spec "video-calls"; tgcalls EncryptedConnection / CryptoHelper; reference/telegram.md
 * 9): the three-message DH with the hash commitment g_a_hash = SHA256(g_a), each update
 * accepted once; packets msg_key || AES-256-CTR(seq || message) with x by direction and channel;
 * per-channel counters from 1 with a 64-entry replay window; the call ends when a counter would
 * reach 2^30.
 */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/crypto.h>
#include <e2ekit/telegram.h>

#include "core/log.h"
#include "core/util.h"
#include "telegram/call.h"
#include "telegram/internal.h"

/* ---- packets ------------------------------------------------------------------------------- */

void
e2e_tg_call_kdf(uint8_t aes_key[32], uint8_t aes_iv[16], const uint8_t key[E2E_TG_KEY_BYTES],
                const uint8_t msg_key[16], int x)
{
    uint8_t iv32[32];
    /* KDF2's hashes; the IV keeps 16 bytes: b[0..4) || a[8..16) || b[24..28) */
    e2e_tg_mtp2_kdf(aes_key, iv32, key, msg_key, x);
    memcpy(aes_iv, iv32, 4);
    memcpy(aes_iv + 4, iv32 + 8, 8);
    memcpy(aes_iv + 12, iv32 + 24, 4);
    e2e_wipe(iv32, sizeof iv32);
}

static void
call_msg_key(uint8_t msg_key[16], const uint8_t key[256], int x, const uint8_t *body, size_t n)
{
    uint8_t large[32];
    e2e_sha256_ctx h;
    e2e_sha256_init(&h);
    e2e_sha256_update(&h, key + 88 + x, 32);
    e2e_sha256_update(&h, body, n);
    e2e_sha256_final(&h, large);
    memcpy(msg_key, large + 8, 16);
    e2e_wipe(large, sizeof large);
}

static void
ctr(const e2e_ctx *ctx, const uint8_t key[256], int x, const uint8_t msg_key[16], const uint8_t *in,
    size_t n, uint8_t *out)
{
    uint8_t aes_key[32], aes_iv[16];
    e2e_aes_key k;
    e2e_tg_call_kdf(aes_key, aes_iv, key, msg_key, x);
    if (e2e_log_enabled(ctx, E2E_LOG_TRACE)) {
        E2E_TRACE(ctx, "call packet, x = %d", x);
        e2e_trace_hex(ctx, "  msg_key = SHA256(key[88+x..120+x) || body)[8..24)", msg_key, 16);
        e2e_trace_hex(ctx, "  aes_key", aes_key, 32);
        e2e_trace_hex(ctx, "  aes_iv = b[0..4) || a[8..16) || b[24..28)", aes_iv, 16);
    }
    if (e2e_aes_setkey_enc(&k, aes_key, 32) == E2E_OK)
        e2e_aes_ctr_xor(&k, aes_iv, 0, in, n, out);
    e2e_wipe(&k, sizeof k);
    e2e_wipe(aes_key, sizeof aes_key);
}

int
e2e_tg_call_encrypt(const e2e_ctx *ctx, uint8_t *out, const uint8_t key[E2E_TG_KEY_BYTES], int x,
                    const uint8_t *body, size_t n)
{
    if (!E2E_TG_CALL_X_VALID(x) || n < E2E_TG_CALL_MIN_PACKET - 16 ||
        n > E2E_TG_CALL_MAX_PACKET - 16)
        return E2E_ERR_INVALID;
    uint8_t mk[16];
    call_msg_key(mk, key, x, body, n);
    ctr(ctx, key, x, mk, body, n, out + 16); /* body may already sit at out + 16 */
    memcpy(out, mk, 16);
    return E2E_OK;
}

int
e2e_tg_call_decrypt(const e2e_ctx *ctx, uint8_t *out, const uint8_t key[E2E_TG_KEY_BYTES], int x,
                    const uint8_t *pkt, size_t n, struct e2e_report *why)
{
    if (!E2E_TG_CALL_X_VALID(x))
        return E2E_ERR_INVALID;
    if (n < E2E_TG_CALL_MIN_PACKET || n > E2E_TG_CALL_MAX_PACKET)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "size",
                               "%zu bytes: call packets are 21 bytes to 128 KiB", n);
    uint8_t mk[16];
    ctr(ctx, key, x, pkt, pkt + 16, n - 16, out);
    call_msg_key(mk, key, x, out, n - 16);
    if (!e2e_ct_equal(mk, pkt, 16)) {
        e2e_wipe(out, n - 16);
        return e2e_report_fail(why, E2E_ERR_AUTH, "msg_key",
                               "msg_key differs from SHA256(key[88+%d..] || body)[8..24)", x);
    }
    return E2E_OK;
}

/* ---- the call object ----------------------------------------------------------------------- */

static e2e_tg_call *
call_new(int outgoing, e2e_dh_cache *cache, const uint8_t *p, size_t p_len, int32_t g,
         struct e2e_report *why, int *rc)
{
    e2e_tg_call *c = calloc(1, sizeof *c);
    *rc = E2E_ERR_NOMEM;
    if (!c)
        return NULL;
    c->outgoing = outgoing;
    *rc = e2e_dh_group_get(cache, &c->grp, p, p_len, g, why);
    if (*rc != E2E_OK) {
        free(c);
        return NULL;
    }
    return c;
}

void
e2e_tg_call_free(e2e_tg_call *c)
{
    if (!c)
        return;
    e2e_wipe(c, sizeof *c);
    free(c);
}

int
e2e_tg_call_request(e2e_tg_call **out, const e2e_ctx *ctx, e2e_dh_cache *cache, const uint8_t *p,
                    size_t p_len, int32_t g, uint8_t g_a_hash[32], struct e2e_report *why)
{
    uint8_t pub[256];
    int rc;
    *out = NULL;
    e2e_tg_call *c = call_new(1, cache, p, p_len, g, why, &rc);
    if (!c)
        return rc;
    if ((rc = e2e_dh_keygen(c->grp, ctx, c->priv, pub)) != E2E_OK) {
        e2e_tg_call_free(c);
        return rc;
    }
    e2e__tg_minimal_copy(c->g_a, &c->g_a_len, pub);
    e2e_sha256(c->g_a_hash, c->g_a, c->g_a_len);
    e2e_trace_hex(ctx, "call (caller): g_a", c->g_a, c->g_a_len);
    e2e_trace_hex(ctx, "  g_a_hash = SHA256(g_a), sent instead of g_a", c->g_a_hash, 32);
    memcpy(g_a_hash, c->g_a_hash, 32);
    c->state = CALL_REQUESTED;
    *out = c;
    return E2E_OK;
}

int
e2e_tg_call_accept(e2e_tg_call **out, const e2e_ctx *ctx, e2e_dh_cache *cache, const uint8_t *p,
                   size_t p_len, int32_t g, const uint8_t g_a_hash[32], uint8_t g_b[256],
                   size_t *g_b_len, struct e2e_report *why)
{
    uint8_t pub[256];
    int rc;
    *out = NULL;
    e2e_tg_call *c = call_new(0, cache, p, p_len, g, why, &rc);
    if (!c)
        return rc;
    if ((rc = e2e_dh_keygen(c->grp, ctx, c->priv, pub)) != E2E_OK) {
        e2e_tg_call_free(c);
        return rc;
    }
    memcpy(c->g_a_hash, g_a_hash, 32);
    e2e__tg_minimal_copy(g_b, g_b_len, pub);
    e2e_trace_hex(ctx, "call (callee): committed g_a_hash kept", g_a_hash, 32);
    e2e_trace_hex(ctx, "  g_b, chosen before g_a is seen", g_b, *g_b_len);
    c->state = CALL_ACCEPTED;
    *out = c;
    return E2E_OK;
}

/* A second copy of an update already processed is refused and changes nothing. */
static int
once(const e2e_tg_call *c, int want, const char *update, struct e2e_report *why)
{
    if (c->state == want)
        return E2E_OK;
    if (c->state == CALL_READY || c->state == CALL_ENDED)
        return e2e_report_fail(why, E2E_ERR_DUPLICATE, "duplicate",
                               "%s was already processed for this exchange", update);
    return e2e_report_fail(why, E2E_ERR_STATE, "state", "%s does not fit this side of the call",
                           update);
}

int
e2e_tg_call_confirm(e2e_tg_call *c, const e2e_ctx *ctx, const uint8_t *g_b, size_t g_b_len,
                    uint8_t g_a[256], size_t *g_a_len, int64_t *key_fingerprint,
                    struct e2e_report *why)
{
    E2E_TRY(once(c, CALL_REQUESTED, "phoneCallAccepted", why));
    uint8_t key[256];
    if (e2e_dh_compute(c->grp, key, c->priv, g_b, g_b_len) != E2E_OK)
        return e2e_report_fail(why, E2E_ERR_WEAK_KEY, "g_b", "g_b is outside 2^1984 .. p - 2^1984");
    memcpy(c->key, key, 256);
    e2e_wipe(key, sizeof key);
    e2e_wipe(c->priv, sizeof c->priv);
    memcpy(g_a, c->g_a, c->g_a_len);
    *g_a_len = c->g_a_len;
    *key_fingerprint = e2e_tg_key_fingerprint(c->key);
    e2e_trace_hex(ctx, "call (caller): key = g_b^a mod p", c->key, 256);
    c->state = CALL_READY;
    return E2E_OK;
}

int
e2e_tg_call_complete(e2e_tg_call *c, const e2e_ctx *ctx, const uint8_t *g_a, size_t g_a_len,
                     int64_t key_fingerprint, struct e2e_report *why)
{
    E2E_TRY(once(c, CALL_ACCEPTED, "phoneCall", why));
    uint8_t h[32], key[256];
    if (g_a_len == 0 || g_a_len > 256)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "g_a", "g_a has %zu bytes", g_a_len);
    e2e_sha256(h, g_a, g_a_len);
    if (!e2e_ct_equal(h, c->g_a_hash, 32))
        return e2e_report_fail(why, E2E_ERR_AUTH, "g_a_hash",
                               "SHA256(g_a) differs from the committed g_a_hash");
    if (e2e_dh_compute(c->grp, key, c->priv, g_a, g_a_len) != E2E_OK)
        return e2e_report_fail(why, E2E_ERR_WEAK_KEY, "g_a", "g_a is outside 2^1984 .. p - 2^1984");
    if (e2e_tg_key_fingerprint(key) != key_fingerprint) {
        e2e_wipe(key, sizeof key);
        return e2e_report_fail(why, E2E_ERR_AUTH, "fingerprint",
                               "the caller's key_fingerprint differs from ours");
    }
    memcpy(c->key, key, 256);
    e2e_wipe(key, sizeof key);
    e2e_wipe(c->priv, sizeof c->priv);
    memcpy(c->g_a, g_a, g_a_len);
    c->g_a_len = g_a_len;
    e2e_trace_hex(ctx, "call (callee): key = g_a^b mod p", c->key, 256);
    c->state = CALL_READY;
    return E2E_OK;
}

int
e2e_tg_call_ready(const e2e_tg_call *c)
{
    return c->state == CALL_READY;
}

int
e2e_tg_call_emoji(const e2e_tg_call *c, uint16_t idx[4])
{
    if (c->state != CALL_READY)
        return E2E_ERR_STATE;
    e2e_tg_emoji_indices(idx, c->key, c->g_a, c->g_a_len);
    return E2E_OK;
}

int
e2e_tg_call_key(const e2e_tg_call *c, uint8_t key[E2E_TG_KEY_BYTES])
{
    if (c->state != CALL_READY)
        return E2E_ERR_STATE;
    memcpy(key, c->key, E2E_TG_KEY_BYTES);
    return E2E_OK;
}

/* ---- packets on the call ------------------------------------------------------------------- */

static int
call_x(const e2e_tg_call *c, int channel, int sending)
{
    int mine = c->outgoing ? 0 : 8;
    return (sending ? mine : 8 - mine) + (channel == E2E_TG_CALL_SIGNALING ? 128 : 0);
}

int
e2e_tg_call_protect(e2e_tg_call *c, const e2e_ctx *ctx, int channel, uint32_t flags,
                    const uint8_t *msg, size_t n, uint8_t *out, size_t cap, size_t *out_len)
{
    if (channel != E2E_TG_CALL_TRANSPORT && channel != E2E_TG_CALL_SIGNALING)
        return E2E_ERR_INVALID;
    if (c->state == CALL_ENDED)
        return E2E_ERR_LIMIT;
    if (c->state != CALL_READY)
        return E2E_ERR_STATE;
    size_t limit =
        channel == E2E_TG_CALL_SIGNALING ? E2E_TG_CALL_MAX_SIGNALING : E2E_TG_CALL_MAX_TRANSPORT;
    if ((flags & ~(E2E_TG_CALL_SEQ_SINGLE | E2E_TG_CALL_SEQ_ACK)) || n == 0 || n > limit - 20)
        return E2E_ERR_INVALID;
    if (cap < n + 20)
        return E2E_ERR_BUFFER;
    struct tg_call_channel *ch = &c->ch[channel];
    if (ch->counter >= E2E_TG_CALL_MAX_COUNTER) {
        c->state = CALL_ENDED; /* tgcalls: "Outgoing packet limit reached"; spec: end the call */
        return E2E_ERR_LIMIT;
    }
    uint32_t seq = (ch->counter + 1) | flags;
    e2e_store32_be(out + 16, seq);
    memmove(out + 20, msg, n);
    E2E_TRY(e2e_tg_call_encrypt(ctx, out, c->key, call_x(c, channel, 1), out + 16, n + 4));
    ch->counter++;
    ch->st.sent++;
    *out_len = n + 20;
    return E2E_OK;
}

int
e2e_tg_call_unprotect(e2e_tg_call *c, const e2e_ctx *ctx, int channel, const uint8_t *pkt, size_t n,
                      uint8_t *out, size_t cap, size_t *out_len, uint32_t *seq,
                      struct e2e_report *why)
{
    if (channel != E2E_TG_CALL_TRANSPORT && channel != E2E_TG_CALL_SIGNALING)
        return E2E_ERR_INVALID;
    if (c->state != CALL_READY)
        return c->state == CALL_ENDED ? E2E_ERR_LIMIT : E2E_ERR_STATE;
    struct tg_call_channel *ch = &c->ch[channel];
    if (n < E2E_TG_CALL_MIN_PACKET || n > E2E_TG_CALL_MAX_PACKET) {
        ch->st.dropped_size++;
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "size",
                               "%zu bytes: call packets are 21 bytes to 128 KiB", n);
    }
    if (cap < n - 16)
        return E2E_ERR_BUFFER;
    int rc = e2e_tg_call_decrypt(ctx, out, c->key, call_x(c, channel, 0), pkt, n, why);
    if (rc != E2E_OK) {
        ch->st.dropped_auth++;
        return rc;
    }
    uint32_t s = e2e_load32_be(out), counter = s & E2E_TG_CALL_MAX_COUNTER;
    /* tgcalls registerIncomingCounter: a window of the 64 counters below the largest */
    int verdict = e2e_replay_check(&ch->rw, counter, E2E_TG_CALL_WINDOW);
    if (verdict != E2E_REPLAY_NEW) {
        const char *bad = verdict == E2E_REPLAY_TOO_OLD ? "old" : "duplicate";
        if (verdict == E2E_REPLAY_TOO_OLD)
            ch->st.dropped_old++;
        else
            ch->st.dropped_duplicate++;
        e2e_wipe(out, n - 16);
        return e2e_report_fail(why, E2E_ERR_DUPLICATE, bad,
                               "counter %u: %s (largest seen %u, window %d)", counter, bad,
                               (uint32_t)ch->rw.top, E2E_TG_CALL_WINDOW);
    }
    e2e_replay_commit(&ch->rw, counter);
    ch->st.received++;
    *seq = s;
    *out_len = n - 16;
    return E2E_OK;
}

void
e2e_tg_call_stats(const e2e_tg_call *c, int channel, struct e2e_tg_call_stats *st)
{
    memset(st, 0, sizeof *st);
    if (channel == E2E_TG_CALL_TRANSPORT || channel == E2E_TG_CALL_SIGNALING)
        *st = c->ch[channel].st;
}
