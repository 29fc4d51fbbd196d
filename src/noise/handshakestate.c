/*
 * HandshakeState (Noise spec 5.3): the pattern engine, with the fallback switch of Noise Pipes
 * (spec 10.2, 10.4; noise-c noise_handshakestate_fallback_to). Every token is traced at
 * E2E_LOG_TRACE together with h and ck.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "noise/internal.h"

#define SUITE_SUFFIX "_25519_AESGCM_SHA256"

struct e2e_noise_handshake {
    const e2e_ctx *ctx;
    const struct e2e__noise_pattern *pat;
    int role;
    int action;
    unsigned msg; /* index of the next message in the pattern */
    int split_done;
    struct e2e__noise_symmetric ss;
    struct e2e_noise_keypair s, e;
    uint8_t fixed_e[32];
    uint8_t rs[32], re[32];
    int has_s, has_e, has_fixed_e, has_rs, rs_given, has_re;
    /* DH(s, re) computed by a responder whose IK read then failed: XXfallback's `se` on Bob's
     * side is the same value (reference noise.md 1), so the fallback costs one DH less. */
    uint8_t dh_s_re[32];
    int has_dh_s_re;
    uint8_t prologue[E2E_NOISE_MAX_PROLOGUE];
    size_t prologue_len;
    uint8_t hash[32];
    int has_hash;
    char name[64];
};

/* ---- setup ---------------------------------------------------------------------------------- */

static int
parse_name(const char *name, const struct e2e__noise_pattern **pat)
{
    size_t n = strlen(name), pre = strlen("Noise_"), suf = strlen(SUITE_SUFFIX);
    if (n <= pre + suf || n >= 64 || memcmp(name, "Noise_", pre) != 0 ||
        strcmp(name + n - suf, SUITE_SUFFIX) != 0)
        return E2E_ERR_UNSUPPORTED;
    *pat = e2e__noise_pattern_find(name + pre, n - pre - suf);
    return *pat ? E2E_OK : E2E_ERR_UNSUPPORTED;
}

int
e2e_noise_handshake_new(e2e_noise_handshake **out, const char *protocol_name, int role,
                        const e2e_ctx *ctx)
{
    const struct e2e__noise_pattern *pat = NULL;
    if (!out || !protocol_name || (role != E2E_NOISE_INITIATOR && role != E2E_NOISE_RESPONDER))
        return E2E_ERR_INVALID;
    *out = NULL;
    E2E_TRY(parse_name(protocol_name, &pat));
    e2e_noise_handshake *hs = calloc(1, sizeof *hs);
    if (!hs)
        return E2E_ERR_NOMEM;
    int rc = e2e__noise_cipher_init(&hs->ss.cs);
    if (rc != E2E_OK) {
        free(hs);
        return rc;
    }
    hs->ctx = ctx;
    hs->pat = pat;
    hs->role = role;
    snprintf(hs->name, sizeof hs->name, "%s", protocol_name);
    *out = hs;
    return E2E_OK;
}

void
e2e_noise_handshake_free(e2e_noise_handshake *hs)
{
    if (!hs)
        return;
    e2e__noise_cipher_clear(&hs->ss.cs);
    e2e_wipe(hs, sizeof *hs);
    free(hs);
}

static int
before_start(const e2e_noise_handshake *hs)
{
    return hs && hs->action == E2E_NOISE_ACTION_NONE && !hs->split_done;
}

int
e2e_noise_handshake_set_prologue(e2e_noise_handshake *hs, const uint8_t *prologue, size_t n)
{
    if (!before_start(hs) || n > E2E_NOISE_MAX_PROLOGUE || (!prologue && n))
        return hs && n <= E2E_NOISE_MAX_PROLOGUE ? E2E_ERR_STATE : E2E_ERR_INVALID;
    if (n)
        memcpy(hs->prologue, prologue, n);
    hs->prologue_len = n;
    return E2E_OK;
}

int
e2e_noise_handshake_set_local_static(e2e_noise_handshake *hs, const uint8_t priv[32])
{
    if (!hs || !priv)
        return E2E_ERR_INVALID;
    if (!before_start(hs))
        return E2E_ERR_STATE;
    e2e_noise_keypair_from_private(&hs->s, priv);
    hs->has_s = 1;
    return E2E_OK;
}

int
e2e_noise_handshake_set_local_keypair(e2e_noise_handshake *hs, const struct e2e_noise_keypair *kp)
{
    if (!hs || !kp)
        return E2E_ERR_INVALID;
    if (!before_start(hs))
        return E2E_ERR_STATE;
    hs->s = *kp;
    hs->has_s = 1;
    return E2E_OK;
}

int
e2e_noise_handshake_set_remote_static(e2e_noise_handshake *hs, const uint8_t pub[32])
{
    if (!hs || !pub)
        return E2E_ERR_INVALID;
    if (!before_start(hs))
        return E2E_ERR_STATE;
    memcpy(hs->rs, pub, 32);
    hs->has_rs = hs->rs_given = 1;
    return E2E_OK;
}

int
e2e_noise_handshake_set_fixed_ephemeral(e2e_noise_handshake *hs, const uint8_t priv[32])
{
    if (!hs || !priv)
        return E2E_ERR_INVALID;
    if (hs->split_done || hs->action == E2E_NOISE_ACTION_FAILED)
        return E2E_ERR_STATE;
    memcpy(hs->fixed_e, priv, 32);
    hs->has_fixed_e = 1;
    return E2E_OK;
}

/* 1 if `tok` occurs in a message sent by `initiator_side` (or in any message when < 0). */
static int
pattern_has(const struct e2e__noise_pattern *p, int tok, int initiator_side)
{
    for (unsigned m = 0; m < p->nmsgs; m++) {
        if (initiator_side >= 0 && (int)(m % 2 == 0) != initiator_side)
            continue;
        for (const uint8_t *t = p->msgs[m]; *t; t++)
            if (*t == tok)
                return 1;
    }
    return 0;
}

static int
pre_has(const uint8_t *pre, int tok)
{
    return pre[0] == tok || pre[1] == tok;
}

/* Which keys the pattern needs before the first message, for our role. */
static int
check_keys(const e2e_noise_handshake *hs)
{
    const struct e2e__noise_pattern *p = hs->pat;
    int init = hs->role == E2E_NOISE_INITIATOR;
    const uint8_t *mine = init ? p->pre_init : p->pre_resp;
    const uint8_t *theirs = init ? p->pre_resp : p->pre_init;
    int need_s = pre_has(mine, E2E__TOK_S) || pattern_has(p, E2E__TOK_S, init) ||
                 pattern_has(p, init ? E2E__TOK_SE : E2E__TOK_ES, -1) ||
                 pattern_has(p, E2E__TOK_SS, -1);
    if (need_s && !hs->has_s)
        return E2E_ERR_STATE;
    if (pre_has(theirs, E2E__TOK_S) != hs->rs_given)
        return E2E_ERR_STATE; /* missing, or given but the pattern sends it */
    if (pre_has(mine, E2E__TOK_E) && !hs->has_e)
        return E2E_ERR_STATE;
    if (pre_has(theirs, E2E__TOK_E) && !hs->has_re)
        return E2E_ERR_STATE;
    return E2E_OK;
}

static void
mix_pre_messages(e2e_noise_handshake *hs, const uint8_t *pre, int ours)
{
    for (; *pre; pre++) {
        const uint8_t *key;
        if (*pre == E2E__TOK_S)
            key = ours ? hs->s.pub : hs->rs;
        else
            key = ours ? hs->e.pub : hs->re;
        e2e__noise_mix_hash(&hs->ss, key, 32);
        E2E_TRACE(hs->ctx, "noise: pre-message %s%s", ours ? "" : "r", e2e__noise_token_name(*pre));
    }
}

int
e2e_noise_handshake_start(e2e_noise_handshake *hs)
{
    if (!hs)
        return E2E_ERR_INVALID;
    if (!before_start(hs))
        return E2E_ERR_STATE;
    E2E_TRY(check_keys(hs));
    int init = hs->role == E2E_NOISE_INITIATOR;
    e2e__noise_initialize_symmetric(&hs->ss, hs->name, hs->ctx);
    e2e__noise_mix_hash(&hs->ss, hs->prologue, hs->prologue_len);
    mix_pre_messages(hs, hs->pat->pre_init, init);
    mix_pre_messages(hs, hs->pat->pre_resp, !init);
    e2e_trace_hex(hs->ctx, "noise: h after prologue and pre-messages", hs->ss.h, 32);
    hs->msg = 0;
    hs->action = init ? E2E_NOISE_ACTION_WRITE : E2E_NOISE_ACTION_READ;
    return E2E_OK;
}

int
e2e_noise_handshake_action(const e2e_noise_handshake *hs)
{
    if (!hs || hs->split_done)
        return E2E_NOISE_ACTION_NONE;
    return hs->action;
}

const char *
e2e_noise_handshake_protocol(const e2e_noise_handshake *hs)
{
    return hs ? hs->name : "";
}

int
e2e_noise_handshake_role(const e2e_noise_handshake *hs)
{
    return hs ? hs->role : 0;
}

/* ---- processing ----------------------------------------------------------------------------- */

/* Aborts: wipes the symmetric state and any DH output; the static and ephemeral keys stay until
 * _free or _fallback (which needs them), and an unauthenticated rs is forgotten. */
static int
fail(e2e_noise_handshake *hs, int rc)
{
    e2e__noise_symmetric_wipe(&hs->ss);
    if (!hs->rs_given) {
        e2e_wipe(hs->rs, sizeof hs->rs);
        hs->has_rs = 0;
    }
    hs->action = E2E_NOISE_ACTION_FAILED;
    E2E_TRACE(hs->ctx, "noise: handshake aborted (%s)", e2e_err_name(rc));
    return rc;
}

/* Bytes of message `m` before its payload, and the payload's tag length. */
static size_t
message_overhead(const e2e_noise_handshake *hs, unsigned m, size_t *payload_tag)
{
    int has_key = hs->ss.cs.has_key;
    size_t len = 0;
    for (const uint8_t *t = hs->pat->msgs[m]; *t; t++) {
        if (*t == E2E__TOK_E)
            len += 32;
        else if (*t == E2E__TOK_S)
            len += 32 + (has_key ? E2E_NOISE_TAGLEN : 0);
        else
            has_key = 1;
    }
    *payload_tag = has_key ? E2E_NOISE_TAGLEN : 0;
    return len;
}

/* DH for a token, with our role deciding which keys (spec 5.3). */
static int
token_dh(e2e_noise_handshake *hs, int tok, uint8_t out[32])
{
    int init = hs->role == E2E_NOISE_INITIATOR;
    int mine_s =
        tok == E2E__TOK_SS || (tok == E2E__TOK_ES && !init) || (tok == E2E__TOK_SE && init);
    int theirs_s =
        tok == E2E__TOK_SS || (tok == E2E__TOK_ES && init) || (tok == E2E__TOK_SE && !init);
    if ((mine_s ? !hs->has_s : !hs->has_e) || (theirs_s ? !hs->has_rs : !hs->has_re))
        return E2E_ERR_STATE;
    const uint8_t *priv = mine_s ? hs->s.priv : hs->e.priv;
    const uint8_t *pub = theirs_s ? hs->rs : hs->re;
    int s_re = mine_s && !theirs_s;
    if (s_re && hs->has_dh_s_re) {
        memcpy(out, hs->dh_s_re, 32);
        E2E_TRACE(hs->ctx, "noise: DH(s, re) reused from the failed IK message");
        return E2E_OK;
    }
    int rc = e2e_x25519_shared(out, priv, pub);
    if (rc == E2E_OK && s_re && hs->role == E2E_NOISE_RESPONDER && hs->msg == 0) {
        memcpy(hs->dh_s_re, out, 32);
        hs->has_dh_s_re = 1;
    }
    return rc;
}

static int
mix_dh(e2e_noise_handshake *hs, int tok)
{
    uint8_t dh[32];
    int rc = token_dh(hs, tok, dh);
    if (rc == E2E_OK) {
        e2e_trace_hex(hs->ctx, "noise: DH", dh, 32);
        rc = e2e__noise_mix_key(&hs->ss, dh, 32, hs->ctx);
    }
    e2e_wipe(dh, sizeof dh);
    return rc;
}

static int
new_ephemeral(e2e_noise_handshake *hs)
{
    if (hs->has_fixed_e) {
        e2e_noise_keypair_from_private(&hs->e, hs->fixed_e);
    } else {
        int rc = e2e_noise_keypair_generate(&hs->e, hs->ctx);
        if (rc != E2E_OK)
            return rc;
    }
    hs->has_e = 1;
    return E2E_OK;
}

static int
write_token(e2e_noise_handshake *hs, int tok, uint8_t *out, size_t *pos)
{
    int rc = E2E_OK;
    if (tok == E2E__TOK_E) {
        if ((rc = new_ephemeral(hs)) != E2E_OK)
            return rc;
        memcpy(out + *pos, hs->e.pub, 32);
        e2e__noise_mix_hash(&hs->ss, hs->e.pub, 32);
        *pos += 32;
    } else if (tok == E2E__TOK_S) {
        if (!hs->has_s)
            return E2E_ERR_STATE;
        int keyed = hs->ss.cs.has_key;
        rc = e2e__noise_encrypt_and_hash(&hs->ss, out + *pos, hs->s.pub, 32);
        *pos += 32 + (keyed ? E2E_NOISE_TAGLEN : 0);
    } else {
        rc = mix_dh(hs, tok);
    }
    E2E_TRACE(hs->ctx, "noise: -> %s", e2e__noise_token_name(tok));
    e2e_trace_hex(hs->ctx, "noise: h", hs->ss.h, 32);
    return rc;
}

/* After a message: the next one, or the end of the handshake. */
static void
advance(e2e_noise_handshake *hs)
{
    hs->msg++;
    if (hs->msg >= hs->pat->nmsgs) {
        memcpy(hs->hash, hs->ss.h, 32);
        hs->has_hash = 1;
        hs->action = E2E_NOISE_ACTION_SPLIT;
        e2e_trace_hex(hs->ctx, "noise: handshake hash", hs->hash, 32);
        return;
    }
    int init_turn = hs->msg % 2 == 0;
    int init = hs->role == E2E_NOISE_INITIATOR;
    hs->action = init_turn == init ? E2E_NOISE_ACTION_WRITE : E2E_NOISE_ACTION_READ;
}

int
e2e_noise_handshake_write(e2e_noise_handshake *hs, const uint8_t *payload, size_t n, uint8_t *out,
                          size_t cap, size_t *out_len)
{
    size_t tag, pos = 0;
    if (!hs || !out || !out_len || (!payload && n))
        return E2E_ERR_INVALID;
    if (hs->action != E2E_NOISE_ACTION_WRITE || hs->split_done)
        return E2E_ERR_STATE;
    size_t fixed = message_overhead(hs, hs->msg, &tag);
    if (n > E2E_NOISE_MAX_MSG || fixed + n + tag > E2E_NOISE_MAX_MSG)
        return E2E_ERR_LIMIT;
    if (cap < fixed + n + tag)
        return E2E_ERR_BUFFER;
    E2E_TRACE(hs->ctx, "noise: %s writes message %u", hs->name, hs->msg + 1);
    for (const uint8_t *t = hs->pat->msgs[hs->msg]; *t; t++) {
        int rc = write_token(hs, *t, out, &pos);
        if (rc != E2E_OK)
            return fail(hs, rc);
    }
    int rc = e2e__noise_encrypt_and_hash(&hs->ss, out + pos, payload, n);
    if (rc != E2E_OK)
        return fail(hs, rc);
    e2e_trace_hex(hs->ctx, "noise: h after payload", hs->ss.h, 32);
    *out_len = pos + n + tag;
    advance(hs);
    return E2E_OK;
}

static int
read_token(e2e_noise_handshake *hs, int tok, const uint8_t *msg, size_t *pos,
           struct e2e_report *why)
{
    int rc = E2E_OK;
    if (tok == E2E__TOK_E) {
        memcpy(hs->re, msg + *pos, 32);
        hs->has_re = 1;
        e2e__noise_mix_hash(&hs->ss, hs->re, 32);
        *pos += 32;
    } else if (tok == E2E__TOK_S) {
        size_t len = 32 + (hs->ss.cs.has_key ? E2E_NOISE_TAGLEN : 0);
        rc = e2e__noise_decrypt_and_hash(&hs->ss, hs->rs, msg + *pos, len);
        if (rc != E2E_OK)
            return e2e_report_fail(why, rc, "s", "the peer's static key did not decrypt (%s)",
                                   e2e_err_name(rc));
        hs->has_rs = 1;
        *pos += len;
    } else {
        rc = mix_dh(hs, tok);
        if (rc != E2E_OK)
            return e2e_report_fail(why, rc, "dh", "DH for token %s failed (%s)%s",
                                   e2e__noise_token_name(tok), e2e_err_name(rc),
                                   rc == E2E_ERR_WEAK_KEY ? ": low-order peer key" : "");
    }
    E2E_TRACE(hs->ctx, "noise: <- %s", e2e__noise_token_name(tok));
    e2e_trace_hex(hs->ctx, "noise: h", hs->ss.h, 32);
    return rc;
}

int
e2e_noise_handshake_read(e2e_noise_handshake *hs, const uint8_t *msg, size_t n, uint8_t *payload,
                         size_t cap, size_t *payload_len, struct e2e_report *why)
{
    size_t tag, pos = 0;
    e2e_report_clear(why);
    if (!hs || (!msg && n) || !payload_len || (!payload && cap))
        return E2E_ERR_INVALID;
    if (hs->action != E2E_NOISE_ACTION_READ || hs->split_done)
        return e2e_report_fail(why, E2E_ERR_STATE, "state", "the handshake expects no message");
    size_t fixed = message_overhead(hs, hs->msg, &tag);
    if (n > E2E_NOISE_MAX_MSG || n < fixed + tag)
        return fail(hs, e2e_report_fail(why, E2E_ERR_MALFORMED, "size",
                                        "message %u: %zu bytes, expected %zu..65535", hs->msg + 1,
                                        n, fixed + tag));
    size_t plen = n - fixed - tag;
    if (cap < plen)
        return e2e_report_fail(why, E2E_ERR_BUFFER, "buffer", "payload of %zu bytes", plen);
    E2E_TRACE(hs->ctx, "noise: %s reads message %u", hs->name, hs->msg + 1);
    for (const uint8_t *t = hs->pat->msgs[hs->msg]; *t; t++) {
        int rc = read_token(hs, *t, msg, &pos, why);
        if (rc != E2E_OK)
            return fail(hs, rc);
    }
    int rc = e2e__noise_decrypt_and_hash(&hs->ss, payload, msg + pos, n - pos);
    if (rc != E2E_OK)
        return fail(hs, e2e_report_fail(why, rc, "payload", "message %u: payload %s", hs->msg + 1,
                                        rc == E2E_ERR_AUTH ? "AEAD failed" : "bad"));
    *payload_len = plen;
    advance(hs);
    return E2E_OK;
}

/* ---- fallback, results ---------------------------------------------------------------------- */

int
e2e_noise_handshake_fallback(e2e_noise_handshake *hs, const uint8_t *prologue, size_t n)
{
    if (!hs || n > E2E_NOISE_MAX_PROLOGUE || (!prologue && n))
        return E2E_ERR_INVALID;
    if (hs->split_done || hs->pat->msgs[0][0] != E2E__TOK_E || hs->has_hash)
        return E2E_ERR_STATE;
    if (hs->role == E2E_NOISE_INITIATOR) {
        /* Alice sent `e` in her first message; the relay could not read it. */
        if (hs->msg < 1 || !hs->has_e)
            return E2E_ERR_STATE;
        e2e_wipe(hs->re, sizeof hs->re);
        hs->has_re = 0;
    } else {
        /* Bob failed to read Alice's first message after its `e`. */
        if (hs->action != E2E_NOISE_ACTION_FAILED || hs->msg != 0 || !hs->has_re)
            return E2E_ERR_STATE;
        e2e_wipe(&hs->e, sizeof hs->e);
        hs->has_e = 0;
    }
    e2e_wipe(hs->rs, sizeof hs->rs);
    hs->has_rs = hs->rs_given = 0;
    e2e__noise_symmetric_wipe(&hs->ss);
    hs->role = hs->role == E2E_NOISE_INITIATOR ? E2E_NOISE_RESPONDER : E2E_NOISE_INITIATOR;
    hs->pat = e2e__noise_pattern_find("XXfallback", 10);
    snprintf(hs->name, sizeof hs->name, "Noise_XXfallback%s", SUITE_SUFFIX);
    if (prologue) {
        if (n)
            memcpy(hs->prologue, prologue, n);
        hs->prologue_len = n;
    }
    hs->action = E2E_NOISE_ACTION_NONE;
    hs->msg = 0;
    E2E_TRACE(hs->ctx, "noise: fallback to %s as %s", hs->name,
              hs->role == E2E_NOISE_INITIATOR ? "initiator" : "responder");
    int rc = e2e_noise_handshake_start(hs);
    return rc == E2E_OK ? rc : fail(hs, rc);
}

int
e2e_noise_handshake_remote_static(const e2e_noise_handshake *hs, uint8_t rs[32])
{
    if (!hs || !rs)
        return E2E_ERR_INVALID;
    if (!hs->has_rs || hs->action == E2E_NOISE_ACTION_FAILED)
        return E2E_ERR_STATE;
    memcpy(rs, hs->rs, 32);
    return E2E_OK;
}

int
e2e_noise_handshake_hash(const e2e_noise_handshake *hs, uint8_t h[32])
{
    if (!hs || !h)
        return E2E_ERR_INVALID;
    if (!hs->has_hash)
        return E2E_ERR_STATE;
    memcpy(h, hs->hash, 32);
    return E2E_OK;
}

int
e2e_noise_handshake_split(e2e_noise_handshake *hs, e2e_noise_transport **out)
{
    uint8_t k1[32], k2[32];
    if (!hs || !out)
        return E2E_ERR_INVALID;
    *out = NULL;
    if (hs->action != E2E_NOISE_ACTION_SPLIT || hs->split_done)
        return E2E_ERR_STATE;
    e2e__noise_split_keys(&hs->ss, k1, k2);
    e2e_trace_hex(hs->ctx, "noise: Split k1 (initiator -> responder)", k1, 32);
    e2e_trace_hex(hs->ctx, "noise: Split k2 (responder -> initiator)", k2, 32);
    int init = hs->role == E2E_NOISE_INITIATOR;
    int rc = e2e__noise_transport_new(out, init ? k1 : k2, init ? k2 : k1, hs->hash);
    e2e_wipe(k1, sizeof k1);
    e2e_wipe(k2, sizeof k2);
    if (rc != E2E_OK)
        return rc;
    e2e__noise_symmetric_wipe(&hs->ss);
    e2e_wipe(&hs->e, sizeof hs->e);
    e2e_wipe(hs->dh_s_re, sizeof hs->dh_s_re);
    hs->has_e = hs->has_dh_s_re = 0;
    hs->split_done = 1;
    return E2E_OK;
}
