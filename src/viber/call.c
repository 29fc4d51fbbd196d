/*
 * Encrypted calls (reference/viber.md 5): each side's ephemeral Curve25519 public key is
 * signed with its private ID key and verified with the peer's public ID key; DH of the two
 * ephemeral keys gives a key for this call only, never stored.
 *
 *   offer:  01 05 || call id (16) || caller eph (32) || XEdDSA(ID, "viber call offer" ||
 *           call id || caller eph)
 *   answer: 01 06 || call id (16) || callee eph (32) || XEdDSA(ID, "viber call answer" ||
 *           call id || callee eph || caller eph)
 */
#include "viber/viber_internal.h"

#define SIGNED_MAX (sizeof VB_L_ANSWER - 1 + 16 + 64)

static size_t
signed_msg(uint8_t out[SIGNED_MAX], int answer, const uint8_t call_id[16], const uint8_t eph[32],
           const uint8_t peer_eph[32])
{
    const char *label = answer ? VB_L_ANSWER : VB_L_OFFER;
    size_t p = strlen(label);
    memcpy(out, label, p);
    memcpy(out + p, call_id, 16);
    memcpy(out + p + 16, eph, 32);
    if (!answer)
        return p + 48;
    memcpy(out + p + 48, peer_eph, 32);
    return p + 80;
}

/* Writes an offer or answer for c (its ephemeral key made here). */
static int
call_msg(struct e2e_viber_call *c, uint8_t out[E2E_VIBER_CALL_MSG_LEN], const e2e_ctx *ctx,
         const e2e_viber_device *me, int answer)
{
    uint8_t m[SIGNED_MAX];
    E2E_TRY(e2e_x25519_keygen(ctx, c->eph_priv, c->eph_pub));
    size_t n = signed_msg(m, answer, c->call_id, c->eph_pub, c->peer_eph);
    out[0] = VB_VERSION;
    out[1] = answer ? VB_T_ANSWER : VB_T_OFFER;
    memcpy(out + 2, c->call_id, 16);
    memcpy(out + 18, c->eph_pub, 32);
    e2e_trace_hex(ctx,
                  answer ? "viber call: callee ephemeral public (signed)"
                         : "viber call: caller ephemeral public (signed)",
                  c->eph_pub, 32);
    return e2e__vb_device_sign(me, ctx, out + 50, m, n);
}

/* Parses an offer or answer and checks its signature with the peer's ID key. */
static int
call_read(uint8_t call_id[16], uint8_t eph[32], const uint8_t *in, size_t len, int answer,
          const uint8_t peer_id[32], const uint8_t *own_eph, struct e2e_report *why)
{
    struct e2e_reader r;
    uint8_t m[SIGNED_MAX];
    e2e_reader_init(&r, in, len);
    E2E_TRY(e2e__vb_read_header(&r, answer ? VB_T_ANSWER : VB_T_OFFER, "call", why));
    e2e_read_bytes(&r, call_id, 16);
    e2e_read_bytes(&r, eph, 32);
    const uint8_t *sig = e2e_read_view(&r, 64);
    if (e2e_reader_done(&r) != E2E_OK)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "length", "call message: %zu bytes", len);
    size_t n = signed_msg(m, answer, call_id, eph, own_eph);
    if (e2e_xeddsa_verify(peer_id, m, n, sig) != E2E_OK)
        return e2e_report_fail(why, E2E_ERR_AUTH, "signature",
                               "the call key is not signed by the peer's ID key");
    return E2E_OK;
}

int
e2e_viber_call_key(uint8_t call_key[32], const uint8_t call_id[16], const uint8_t own_eph_priv[32],
                   const uint8_t peer_eph_pub[32], const uint8_t caller_eph[32],
                   const uint8_t callee_eph[32])
{
    uint8_t shared[32], info[sizeof VB_L_CALL - 1 + 64];
    size_t p = sizeof VB_L_CALL - 1;
    E2E_TRY(e2e_x25519_shared(shared, own_eph_priv, peer_eph_pub));
    memcpy(info, VB_L_CALL, p);
    memcpy(info + p, caller_eph, 32);
    memcpy(info + p + 32, callee_eph, 32);
    int rc = e2e_hkdf_sha256(call_key, 32, call_id, 16, shared, 32, info, sizeof info);
    e2e_wipe(shared, sizeof shared);
    return rc;
}

static int
call_derive(struct e2e_viber_call *c, const e2e_ctx *ctx, struct e2e_report *why)
{
    const uint8_t *caller = c->role == E2E_VIBER_CALLER ? c->eph_pub : c->peer_eph;
    const uint8_t *callee = c->role == E2E_VIBER_CALLER ? c->peer_eph : c->eph_pub;
    int rc = e2e_viber_call_key(c->call_key, c->call_id, c->eph_priv, c->peer_eph, caller, callee);
    if (rc != E2E_OK)
        return e2e_report_fail(why, rc, "ephemeral", "the peer's ephemeral key is unusable");
    e2e_wipe(c->eph_priv, sizeof c->eph_priv); /* the call key is all that is needed now */
    c->state = 2;
    e2e_trace_hex(ctx, "viber call: CallKey = HKDF(call id, DH(eph, peer eph), \"viber call\"...)",
                  c->call_key, 32);
    return E2E_OK;
}

int
e2e_viber_call_offer(struct e2e_viber_call *c, uint8_t offer[E2E_VIBER_CALL_MSG_LEN],
                     const e2e_ctx *ctx, const e2e_viber_device *me, const uint8_t call_id[16])
{
    if (!c || !offer || !me || !call_id)
        return E2E_ERR_INVALID;
    memset(c, 0, sizeof *c);
    if (!me->has_id)
        return E2E_ERR_STATE;
    c->role = E2E_VIBER_CALLER;
    memcpy(c->call_id, call_id, 16);
    int rc = call_msg(c, offer, ctx, me, 0);
    if (rc != E2E_OK) {
        e2e_viber_call_end(c);
        return rc;
    }
    c->state = 1;
    return E2E_OK;
}

int
e2e_viber_call_answer(struct e2e_viber_call *c, uint8_t answer[E2E_VIBER_CALL_MSG_LEN],
                      const e2e_ctx *ctx, const e2e_viber_device *me, const uint8_t caller_id[32],
                      const uint8_t *offer, size_t len, struct e2e_report *why)
{
    e2e_report_clear(why);
    if (!c || !answer || !me || !caller_id || (!offer && len))
        return E2E_ERR_INVALID;
    memset(c, 0, sizeof *c);
    if (!me->has_id)
        return E2E_ERR_STATE;
    c->role = E2E_VIBER_CALLEE;
    int rc = call_read(c->call_id, c->peer_eph, offer, len, 0, caller_id, NULL, why);
    if (rc == E2E_OK)
        rc = call_msg(c, answer, ctx, me, 1);
    if (rc == E2E_OK)
        rc = call_derive(c, ctx, why);
    if (rc != E2E_OK)
        e2e_viber_call_end(c);
    return rc;
}

int
e2e_viber_call_complete(struct e2e_viber_call *c, const e2e_ctx *ctx, const uint8_t callee_id[32],
                        const uint8_t *answer, size_t len, struct e2e_report *why)
{
    uint8_t call_id[16], eph[32];
    e2e_report_clear(why);
    if (!c || !callee_id || (!answer && len))
        return E2E_ERR_INVALID;
    if (c->role != E2E_VIBER_CALLER || c->state != 1)
        return e2e_report_fail(why, E2E_ERR_STATE, "state", "no offer of ours awaits an answer");
    E2E_TRY(call_read(call_id, eph, answer, len, 1, callee_id, c->eph_pub, why));
    if (memcmp(call_id, c->call_id, 16) != 0)
        return e2e_report_fail(why, E2E_ERR_PROTOCOL, "call-id", "an answer to another call");
    memcpy(c->peer_eph, eph, 32);
    int rc = call_derive(c, ctx, why);
    if (rc != E2E_OK)
        memset(c->peer_eph, 0, 32); /* still waiting for a usable answer */
    return rc;
}

void
e2e_viber_call_end(struct e2e_viber_call *c)
{
    if (c)
        e2e_wipe(c, sizeof *c);
}
