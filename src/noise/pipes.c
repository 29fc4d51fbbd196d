/*
 * Noise Pipes (Noise spec 10.4) for the client <-> relay channel: XX at first contact, IK with
 * the relay's pinned static key, XXfallback (roles reversed) when the relay cannot read the IK
 * message because its key changed. The negotiation (spec 10.3) is one type byte before each
 * handshake message, outside the Noise message but inside the prologue of the run it starts.
 */
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "noise/internal.h"

#define PROTO_XX     "Noise_XX_25519_AESGCM_SHA256"
#define PROTO_IK     "Noise_IK_25519_AESGCM_SHA256"
#define PROLOGUE_LEN (sizeof E2E_NOISE_PIPES_PROLOGUE) /* the label + one type byte */

struct e2e_noise_pipe {
    const e2e_ctx *ctx;
    int is_server;
    int state;
    int mode;
    struct e2e_noise_keypair s;
    uint8_t pinned[32];
    int has_pin;
    e2e_noise_handshake *hs;
    e2e_noise_transport *t;
    uint8_t peer[32];
    int has_peer;
    uint8_t h[32];
    int has_h;
};

static void
prologue_for(uint8_t out[PROLOGUE_LEN], uint8_t type)
{
    memcpy(out, E2E_NOISE_PIPES_PROLOGUE, PROLOGUE_LEN - 1);
    out[PROLOGUE_LEN - 1] = type;
}

/* Aborts the pipe: everything secret goes. */
static int
pipe_fail(e2e_noise_pipe *p, int rc)
{
    e2e_noise_handshake_free(p->hs);
    e2e_noise_transport_free(p->t);
    p->hs = NULL;
    p->t = NULL;
    e2e_wipe(&p->s, sizeof p->s);
    p->state = E2E_NOISE_PIPE_FAILED;
    E2E_TRACE(p->ctx, "noise pipe: failed (%s)", e2e_err_name(rc));
    return rc;
}

/* A handshake for `proto` in `role`, prologue bound to `type`, with our static key. */
static int
begin(e2e_noise_pipe *p, const char *proto, int role, uint8_t type)
{
    uint8_t prologue[PROLOGUE_LEN];
    prologue_for(prologue, type);
    int rc = e2e_noise_handshake_new(&p->hs, proto, role, p->ctx);
    if (rc == E2E_OK)
        rc = e2e_noise_handshake_set_prologue(p->hs, prologue, sizeof prologue);
    if (rc == E2E_OK)
        rc = e2e_noise_handshake_set_local_keypair(p->hs, &p->s);
    if (rc == E2E_OK && role == E2E_NOISE_INITIATOR && type == E2E_NOISE_MSG_CLIENT_IK)
        rc = e2e_noise_handshake_set_remote_static(p->hs, p->pinned);
    if (rc == E2E_OK)
        rc = e2e_noise_handshake_start(p->hs);
    return rc;
}

static int
pipe_new(e2e_noise_pipe **out, const e2e_ctx *ctx, const uint8_t static_priv[32], int server)
{
    if (!out || !static_priv)
        return E2E_ERR_INVALID;
    *out = NULL;
    e2e_noise_pipe *p = calloc(1, sizeof *p);
    if (!p)
        return E2E_ERR_NOMEM;
    p->ctx = ctx;
    p->is_server = server;
    e2e_noise_keypair_from_private(&p->s, static_priv); /* once per pipe */
    *out = p;
    return E2E_OK;
}

int
e2e_noise_pipe_client_new(e2e_noise_pipe **out, const e2e_ctx *ctx, const uint8_t static_priv[32],
                          const uint8_t *pinned_server)
{
    E2E_TRY(pipe_new(out, ctx, static_priv, 0));
    e2e_noise_pipe *p = *out;
    if (pinned_server) {
        memcpy(p->pinned, pinned_server, 32);
        p->has_pin = 1;
    }
    p->mode = p->has_pin ? E2E_NOISE_MODE_IK : E2E_NOISE_MODE_XX;
    int rc = begin(p, p->has_pin ? PROTO_IK : PROTO_XX, E2E_NOISE_INITIATOR,
                   p->has_pin ? E2E_NOISE_MSG_CLIENT_IK : E2E_NOISE_MSG_CLIENT_XX);
    if (rc != E2E_OK) {
        e2e_noise_pipe_free(p);
        *out = NULL;
        return rc;
    }
    p->state = E2E_NOISE_PIPE_SEND;
    return E2E_OK;
}

int
e2e_noise_pipe_server_new(e2e_noise_pipe **out, const e2e_ctx *ctx, const uint8_t static_priv[32])
{
    E2E_TRY(pipe_new(out, ctx, static_priv, 1));
    (*out)->state = E2E_NOISE_PIPE_RECV;
    return E2E_OK;
}

void
e2e_noise_pipe_free(e2e_noise_pipe *p)
{
    if (!p)
        return;
    e2e_noise_handshake_free(p->hs);
    e2e_noise_transport_free(p->t);
    e2e_wipe(p, sizeof *p);
    free(p);
}

int
e2e_noise_pipe_state(const e2e_noise_pipe *p)
{
    return p ? p->state : E2E_NOISE_PIPE_FAILED;
}

int
e2e_noise_pipe_mode(const e2e_noise_pipe *p)
{
    return p ? p->mode : 0;
}

/* The handshake is complete: keep its hash, split, forget our static key. */
static int
finish(e2e_noise_pipe *p)
{
    int rc = e2e_noise_handshake_hash(p->hs, p->h);
    if (rc == E2E_OK)
        rc = e2e_noise_handshake_split(p->hs, &p->t);
    if (rc != E2E_OK)
        return pipe_fail(p, rc);
    p->has_h = 1;
    e2e_noise_handshake_free(p->hs);
    p->hs = NULL;
    e2e_wipe(&p->s, sizeof p->s);
    p->state = E2E_NOISE_PIPE_READY;
    E2E_TRACE(p->ctx, "noise pipe: ready");
    return E2E_OK;
}

/* After a read that authenticated the peer's static key: the application decides. */
static int
to_authorize(e2e_noise_pipe *p)
{
    int rc = e2e_noise_handshake_remote_static(p->hs, p->peer);
    if (rc != E2E_OK)
        return pipe_fail(p, rc);
    p->has_peer = 1;
    p->state = E2E_NOISE_PIPE_AUTHORIZE;
    return E2E_OK;
}

/* The type byte of the frame we write next. */
static uint8_t
next_type(const e2e_noise_pipe *p)
{
    if (!p->is_server) {
        if (p->has_peer) /* the relay's key arrived: XX message 3 or XXfallback message 2 */
            return E2E_NOISE_MSG_CLIENT_FINISH;
        return p->mode == E2E_NOISE_MODE_IK ? E2E_NOISE_MSG_CLIENT_IK : E2E_NOISE_MSG_CLIENT_XX;
    }
    return p->mode == E2E_NOISE_MODE_XX   ? E2E_NOISE_MSG_SERVER_XX
           : p->mode == E2E_NOISE_MODE_IK ? E2E_NOISE_MSG_SERVER_IK
                                          : E2E_NOISE_MSG_SERVER_FALLBACK;
}

int
e2e_noise_pipe_write(e2e_noise_pipe *p, const uint8_t *payload, size_t n, uint8_t *out, size_t cap,
                     size_t *out_len)
{
    size_t len;
    if (!p || !out || !out_len || (!payload && n))
        return E2E_ERR_INVALID;
    if (p->state != E2E_NOISE_PIPE_SEND)
        return E2E_ERR_STATE;
    if (cap < 1)
        return E2E_ERR_BUFFER;
    uint8_t type = next_type(p);
    int rc = e2e_noise_handshake_write(p->hs, payload, n, out + 1, cap - 1, &len);
    if (rc == E2E_ERR_BUFFER || rc == E2E_ERR_LIMIT)
        return rc; /* nothing happened; the caller may retry */
    if (rc != E2E_OK)
        return pipe_fail(p, rc);
    out[0] = type;
    *out_len = len + 1;
    E2E_TRACE(p->ctx, "noise pipe: sent type 0x%02x, %zu bytes", type, len);
    if (e2e_noise_handshake_action(p->hs) == E2E_NOISE_ACTION_SPLIT)
        return finish(p);
    p->state = E2E_NOISE_PIPE_RECV;
    return E2E_OK;
}

/* The relay, first frame: XX or IK; an IK message it cannot decrypt starts XXfallback. */
static int
server_hello(e2e_noise_pipe *p, uint8_t type, const uint8_t *msg, size_t n, uint8_t *payload,
             size_t cap, size_t *plen, struct e2e_report *why)
{
    if (type != E2E_NOISE_MSG_CLIENT_XX && type != E2E_NOISE_MSG_CLIENT_IK)
        return pipe_fail(
            p, e2e_report_fail(why, E2E_ERR_PROTOCOL, "type", "first frame has type 0x%02x", type));
    int ik = type == E2E_NOISE_MSG_CLIENT_IK;
    p->mode = ik ? E2E_NOISE_MODE_IK : E2E_NOISE_MODE_XX;
    int rc = begin(p, ik ? PROTO_IK : PROTO_XX, E2E_NOISE_RESPONDER, type);
    if (rc != E2E_OK)
        return pipe_fail(p, rc);
    rc = e2e_noise_handshake_read(p->hs, msg, n, payload, cap, plen, why);
    if (rc == E2E_OK)
        return ik ? to_authorize(p) : (p->state = E2E_NOISE_PIPE_SEND, E2E_OK);
    if (rc == E2E_ERR_BUFFER) {
        e2e_noise_handshake_free(p->hs); /* the caller may retry with a larger buffer */
        p->hs = NULL;
        return rc;
    }
    if (!ik || rc != E2E_ERR_AUTH)
        return pipe_fail(p, rc);
    /* The client pinned a static key we no longer hold (or the message was altered). */
    uint8_t prologue[PROLOGUE_LEN];
    prologue_for(prologue, E2E_NOISE_MSG_SERVER_FALLBACK);
    rc = e2e_noise_handshake_fallback(p->hs, prologue, sizeof prologue);
    if (rc != E2E_OK)
        return pipe_fail(p, rc);
    E2E_TRACE(p->ctx, "noise pipe: IK message unreadable, switching to XXfallback");
    e2e_report_clear(why);
    p->mode = E2E_NOISE_MODE_FALLBACK;
    p->state = E2E_NOISE_PIPE_SEND;
    *plen = 0;
    return E2E_OK;
}

/* The client reads the relay's answer to IK: accepted, or the switch to XXfallback. */
static int
client_ik_answer(e2e_noise_pipe *p, uint8_t type, struct e2e_report *why)
{
    if (type == E2E_NOISE_MSG_SERVER_IK)
        return E2E_OK;
    if (type != E2E_NOISE_MSG_SERVER_FALLBACK)
        return e2e_report_fail(why, E2E_ERR_PROTOCOL, "type", "answer to IK has type 0x%02x", type);
    uint8_t prologue[PROLOGUE_LEN];
    prologue_for(prologue, E2E_NOISE_MSG_SERVER_FALLBACK);
    int rc = e2e_noise_handshake_fallback(p->hs, prologue, sizeof prologue);
    if (rc != E2E_OK)
        return rc;
    p->mode = E2E_NOISE_MODE_FALLBACK;
    E2E_TRACE(p->ctx, "noise pipe: the relay's key changed, XXfallback");
    return E2E_OK;
}

static uint8_t
expected_type(const e2e_noise_pipe *p)
{
    if (p->is_server)
        return E2E_NOISE_MSG_CLIENT_FINISH;
    return p->mode == E2E_NOISE_MODE_XX ? E2E_NOISE_MSG_SERVER_XX : 0;
}

int
e2e_noise_pipe_read(e2e_noise_pipe *p, const uint8_t *body, size_t n, uint8_t *payload, size_t cap,
                    size_t *payload_len, struct e2e_report *why)
{
    e2e_report_clear(why);
    if (!p || (!body && n) || !payload_len)
        return E2E_ERR_INVALID;
    if (p->state != E2E_NOISE_PIPE_RECV)
        return e2e_report_fail(why, E2E_ERR_STATE, "state", "no handshake frame expected");
    if (n < 1)
        return pipe_fail(p, e2e_report_fail(why, E2E_ERR_MALFORMED, "size", "empty frame"));
    uint8_t type = body[0];
    if (p->is_server && !p->hs)
        return server_hello(p, type, body + 1, n - 1, payload, cap, payload_len, why);
    int rc = E2E_OK;
    if (!p->is_server && p->mode == E2E_NOISE_MODE_IK)
        rc = client_ik_answer(p, type, why);
    else if (type != expected_type(p))
        rc = e2e_report_fail(why, E2E_ERR_PROTOCOL, "type", "unexpected frame type 0x%02x", type);
    if (rc != E2E_OK)
        return pipe_fail(p, rc);
    rc = e2e_noise_handshake_read(p->hs, body + 1, n - 1, payload, cap, payload_len, why);
    if (rc == E2E_ERR_BUFFER)
        return rc;
    if (rc != E2E_OK)
        return pipe_fail(p, rc);
    /* Client after IK: done. Otherwise the peer's static key just arrived. */
    if (!p->is_server && p->mode == E2E_NOISE_MODE_IK)
        return finish(p);
    return to_authorize(p);
}

int
e2e_noise_pipe_authorize(e2e_noise_pipe *p, int accept)
{
    if (!p)
        return E2E_ERR_INVALID;
    if (p->state != E2E_NOISE_PIPE_AUTHORIZE)
        return E2E_ERR_STATE;
    if (!accept) {
        pipe_fail(p, E2E_ERR_UNTRUSTED);
        return E2E_OK;
    }
    if (e2e_noise_handshake_action(p->hs) == E2E_NOISE_ACTION_SPLIT)
        return finish(p);
    p->state = E2E_NOISE_PIPE_SEND;
    return E2E_OK;
}

int
e2e_noise_pipe_peer_static(const e2e_noise_pipe *p, uint8_t pub[32])
{
    if (!p || !pub)
        return E2E_ERR_INVALID;
    if (p->state == E2E_NOISE_PIPE_FAILED)
        return E2E_ERR_STATE;
    if (p->has_peer) {
        memcpy(pub, p->peer, 32);
        return E2E_OK;
    }
    if (!p->is_server && p->mode == E2E_NOISE_MODE_IK && p->has_pin) {
        memcpy(pub, p->pinned, 32);
        return E2E_OK;
    }
    return E2E_ERR_STATE;
}

int
e2e_noise_pipe_handshake_hash(const e2e_noise_pipe *p, uint8_t h[32])
{
    if (!p || !h)
        return E2E_ERR_INVALID;
    if (!p->has_h || p->state != E2E_NOISE_PIPE_READY)
        return E2E_ERR_STATE;
    memcpy(h, p->h, 32);
    return E2E_OK;
}

e2e_noise_transport *
e2e_noise_pipe_transport(e2e_noise_pipe *p)
{
    return p && p->state == E2E_NOISE_PIPE_READY ? p->t : NULL;
}

int
e2e_noise_pipe_seal(e2e_noise_pipe *p, uint8_t *out, size_t cap, size_t *out_len, const uint8_t *pt,
                    size_t n)
{
    size_t len;
    if (!p || !out || !out_len || cap < E2E_NOISE_FRAME_HDR)
        return p && out && out_len ? E2E_ERR_BUFFER : E2E_ERR_INVALID;
    if (p->state != E2E_NOISE_PIPE_READY)
        return E2E_ERR_STATE;
    int rc = e2e_noise_transport_encrypt(p->t, out + E2E_NOISE_FRAME_HDR, cap - E2E_NOISE_FRAME_HDR,
                                         &len, pt, n);
    if (rc != E2E_OK)
        return rc;
    out[0] = (uint8_t)(len >> 8);
    out[1] = (uint8_t)len;
    *out_len = len + E2E_NOISE_FRAME_HDR;
    return E2E_OK;
}

int
e2e_noise_pipe_open(e2e_noise_pipe *p, uint8_t *out, size_t cap, size_t *out_len,
                    const uint8_t *body, size_t n, struct e2e_report *why)
{
    if (!p)
        return E2E_ERR_INVALID;
    if (p->state != E2E_NOISE_PIPE_READY)
        return e2e_report_fail(why, E2E_ERR_STATE, "state", "the handshake is not complete");
    return e2e_noise_transport_decrypt(p->t, out, cap, out_len, body, n, why);
}
