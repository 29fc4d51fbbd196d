/*
 * X3DH in both roles (reference/signal.md 4.1; libsignal-protocol-c ratchet.c and
 * session_builder.c) and the PreKeySignalMessage path.
 *
 * Alice, from a bundle:  DH1 = DH(IK_A, SPK_B)  DH2 = DH(EK_A, IK_B)  DH3 = DH(EK_A, SPK_B)
 *                        [DH4 = DH(EK_A, OPK_B)]  -> RK, CK (receiving chain on SPK_B); then
 *                        a root step with a fresh ratchet key R_A gives her sending chain.
 * Bob, from the message: the same four values from his side; his sending chain is (SPK_B, CK).
 *
 * Scalar multiplications: Alice 2 key generations + 5 DH (+ 1 signature verification, skipped
 * when the cache holds the bundle's triple); Bob 4 DH + 1 DH for the first receiving chain.
 */
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "signal/internal.h"
#include "signal/wire.h"

static int
untrusted(struct e2e_report *why, const uint8_t *trusted, const uint8_t key[32])
{
    if (trusted && !e2e__key_eq(trusted, key))
        return e2e_report_fail(why, E2E_ERR_UNTRUSTED, "untrusted_identity",
                               "the peer's identity key differs from the one trusted for it");
    return E2E_OK;
}

static int
weak(struct e2e_report *why, int rc, const char *what)
{
    return e2e_report_fail(why, rc, "weak_key", "%s is a small-order point", what);
}

/* ---- Alice ----------------------------------------------------------------------------------- */

struct alice_keys {
    struct e2e_signal_keypair base, ratchet;
    uint8_t dh[5][32], rk[32], ck[32], rk2[32], ck2[32];
};

static int
alice_derive(const e2e_ctx *ctx, struct alice_keys *k, const struct e2e_signal_identity *local,
             const struct e2e_signal_bundle *b, struct e2e_report *why)
{
    int rc = e2e_signal_keypair_generate(&k->base, ctx);
    if (rc == E2E_OK)
        rc = e2e_signal_keypair_generate(&k->ratchet, ctx);
    if (rc != E2E_OK)
        return e2e_report_fail(why, rc, "rng", "no randomness for the base or ratchet key");
    E2E_TRACE(ctx, "signal: X3DH as Alice (initiator)");
    e2e_trace_hex(ctx, "  our base key EK_A", k->base.pub, 32);
    if ((rc = e2e__dh(ctx, "  DH1 = DH(IK_A, SPK_B)", k->dh[0], local->key.priv,
                      b->signed_prekey)) != E2E_OK)
        return weak(why, rc, "the signed prekey");
    if ((rc = e2e__dh(ctx, "  DH2 = DH(EK_A, IK_B)", k->dh[1], k->base.priv, b->identity_key)) !=
        E2E_OK)
        return weak(why, rc, "the identity key");
    (void)e2e__dh(ctx, "  DH3 = DH(EK_A, SPK_B)", k->dh[2], k->base.priv, b->signed_prekey);
    if (b->has_one_time_prekey && (rc = e2e__dh(ctx, "  DH4 = DH(EK_A, OPK_B)", k->dh[3],
                                                k->base.priv, b->one_time_prekey)) != E2E_OK)
        return weak(why, rc, "the one-time prekey");
    e2e__x3dh_derive(ctx, k->rk, k->ck, k->dh[0], k->dh[1], k->dh[2],
                     b->has_one_time_prekey ? k->dh[3] : NULL);
    e2e_trace_hex(ctx, "  our first ratchet key R_A", k->ratchet.pub, 32);
    (void)e2e__dh(ctx, "  DH(R_A, SPK_B)", k->dh[4], k->ratchet.priv, b->signed_prekey);
    e2e__root_step(ctx, k->rk2, k->ck2, k->rk, k->dh[4]);
    return E2E_OK;
}

static void
alice_fill(struct e2e__state *st, const struct alice_keys *k,
           const struct e2e_signal_identity *local, const struct e2e_signal_bundle *b)
{
    struct e2e__skip_list none = {0};
    st->live = 1;
    e2e_signal_pubkey_encode(st->local_identity, local->key.pub);
    e2e_signal_pubkey_encode(st->remote_identity, b->identity_key);
    memcpy(st->root_key, k->rk2, 32);
    e2e__state_add_recv(st, b->signed_prekey, k->ck, 0, &none);
    st->send_ratchet = k->ratchet;
    memcpy(st->send_chain_key, k->ck2, 32);
    st->pending_prekey = 1;
    st->has_prekey_id = (uint8_t)(b->has_one_time_prekey != 0);
    st->prekey_id = b->has_one_time_prekey ? b->one_time_prekey_id : 0;
    st->signed_prekey_id = b->signed_prekey_id;
    memcpy(st->base_key, k->base.pub, 32);
    st->local_registration_id = local->registration_id;
    st->remote_registration_id = b->registration_id;
    memcpy(st->alice_base_key, k->base.pub, 32);
}

int
e2e_signal_session_init_alice(e2e_signal_session *s, const e2e_ctx *ctx,
                              const struct e2e_signal_identity *local,
                              const struct e2e_signal_bundle *bundle,
                              const uint8_t *trusted_identity, struct e2e_signal_sig_cache *cache,
                              struct e2e_report *why)
{
    e2e_report_clear(why);
    if (!s || !local || !bundle)
        return e2e_report_fail(why, E2E_ERR_INVALID, "argument", "missing argument");
    E2E_TRY(untrusted(why, trusted_identity, bundle->identity_key));
    E2E_TRY(e2e_signal_bundle_verify(bundle, cache, why));
    struct alice_keys k;
    struct e2e__state *st = e2e__state_new();
    if (!st)
        return e2e_report_fail(why, E2E_ERR_NOMEM, "memory", "no memory for a session state");
    int rc = alice_derive(ctx, &k, local, bundle, why);
    if (rc == E2E_OK) {
        alice_fill(st, &k, local, bundle);
        e2e__session_push(s, st);
    } else {
        e2e__state_free(st);
    }
    e2e_wipe(&k, sizeof k);
    return rc;
}

/* ---- Bob ------------------------------------------------------------------------------------- */

int
e2e__x3dh_bob(const e2e_ctx *ctx, struct e2e__state *st, const struct e2e_signal_identity *local,
              const struct e2e_signal_keypair *spk, const struct e2e_signal_keypair *opk,
              const struct e2e_signal_prekey_header *h)
{
    uint8_t dh[4][32], rk[32], ck[32];
    int rc;
    E2E_TRACE(ctx, "signal: X3DH as Bob (responder)");
    e2e_trace_hex(ctx, "  their base key EK_A", h->base_key, 32);
    if ((rc = e2e__dh(ctx, "  DH1 = DH(SPK_B, IK_A)", dh[0], spk->priv, h->identity_key)) ==
            E2E_OK &&
        (rc = e2e__dh(ctx, "  DH2 = DH(IK_B, EK_A)", dh[1], local->key.priv, h->base_key)) ==
            E2E_OK) {
        (void)e2e__dh(ctx, "  DH3 = DH(SPK_B, EK_A)", dh[2], spk->priv, h->base_key);
        if (opk)
            (void)e2e__dh(ctx, "  DH4 = DH(OPK_B, EK_A)", dh[3], opk->priv, h->base_key);
        e2e__x3dh_derive(ctx, rk, ck, dh[0], dh[1], dh[2], opk ? dh[3] : NULL);
        st->live = 1;
        e2e_signal_pubkey_encode(st->local_identity, local->key.pub);
        e2e_signal_pubkey_encode(st->remote_identity, h->identity_key);
        memcpy(st->root_key, rk, 32);
        st->send_ratchet = *spk;
        memcpy(st->send_chain_key, ck, 32);
        st->local_registration_id = local->registration_id;
        st->remote_registration_id = h->registration_id;
        memcpy(st->alice_base_key, h->base_key, 32);
    }
    e2e_wipe(dh, sizeof dh);
    e2e_wipe(rk, sizeof rk);
    e2e_wipe(ck, sizeof ck);
    return rc;
}

int
e2e_signal_prekey_message_parse(struct e2e_signal_prekey_header *h, const uint8_t *msg, size_t n,
                                struct e2e_report *why)
{
    struct e2e__parsed_prekey p;
    e2e_report_clear(why);
    if (!h)
        return e2e_report_fail(why, E2E_ERR_INVALID, "argument", "missing argument");
    E2E_TRY(e2e__wire_parse_prekey(&p, msg, n, why));
    *h = p.h;
    return E2E_OK;
}

static int
has_base_key(const e2e_signal_session *s, const uint8_t base_key[32])
{
    for (uint32_t i = 0; i < s->n; i++)
        if (s->st[i]->live && e2e__key_eq(s->st[i]->alice_base_key, base_key))
            return 1;
    return 0;
}

struct bob_keys {
    const struct e2e_signal_keypair *spk, *opk;
};

static int
find_prekeys(struct bob_keys *k, const e2e_signal_prekeys *pk,
             const struct e2e_signal_prekey_header *h, struct e2e_report *why)
{
    k->spk = pk ? e2e__prekeys_signed_key(pk, h->signed_prekey_id) : NULL;
    k->opk = NULL;
    if (!k->spk)
        return e2e_report_fail(why, E2E_ERR_NOT_FOUND, "signed_prekey",
                               "no signed prekey with id %u", h->signed_prekey_id);
    if (h->has_one_time_prekey) {
        k->opk = pk ? e2e__prekeys_one_time_key(pk, h->one_time_prekey_id) : NULL;
        if (!k->opk)
            return e2e_report_fail(why, E2E_ERR_NOT_FOUND, "one_time_prekey",
                                   "no one-time prekey with id %u (already used?)",
                                   h->one_time_prekey_id);
    }
    return E2E_OK;
}

/* X3DH into a new state, kept only if the inner message decrypts with it. */
static int
bob_new_state(e2e_signal_session *s, const e2e_ctx *ctx, const struct e2e_signal_identity *local,
              e2e_signal_prekeys *prekeys, const struct e2e__parsed_prekey *p, uint8_t *pt,
              size_t pt_cap, size_t *pt_len, struct e2e_signal_prekey_result *res,
              struct e2e_report *why)
{
    struct bob_keys k;
    E2E_TRY(find_prekeys(&k, prekeys, &p->h, why));
    struct e2e__state *st = e2e__state_new();
    if (!st)
        return e2e_report_fail(why, E2E_ERR_NOMEM, "memory", "no memory for a session state");
    int rc = e2e__x3dh_bob(ctx, st, local, k.spk, k.opk, &p->h);
    if (rc != E2E_OK)
        rc = weak(why, rc, "the sender's identity or base key");
    else
        rc = e2e__state_decrypt(ctx, st, &s->zero_salt, &p->inner, pt, pt_cap, pt_len, why);
    if (rc != E2E_OK) {
        e2e__state_free(st);
        if (why)
            why->tried = 1;
        return rc;
    }
    e2e__session_push(s, st);
    res->new_state = 1;
    if (k.opk && p->h.one_time_prekey_id != E2E_SIGNAL_PREKEY_MAX_ID) {
        e2e__prekeys_drop(prekeys, p->h.one_time_prekey_id);
        res->one_time_prekey_used = 1;
    }
    if (why) {
        why->state = 0;
        why->tried = 1;
    }
    return E2E_OK;
}

int
e2e_signal_session_decrypt_prekey(e2e_signal_session *s, const e2e_ctx *ctx,
                                  const struct e2e_signal_identity *local,
                                  e2e_signal_prekeys *prekeys, const uint8_t *trusted_identity,
                                  const uint8_t *msg, size_t n, uint8_t *pt, size_t pt_cap,
                                  size_t *pt_len, struct e2e_signal_prekey_result *result,
                                  struct e2e_report *why)
{
    struct e2e__parsed_prekey p;
    struct e2e_signal_prekey_result res;
    e2e_report_clear(why);
    memset(&res, 0, sizeof res);
    if (pt_len)
        *pt_len = 0;
    if (!s || !local || !pt_len || (!pt && pt_cap))
        return e2e_report_fail(why, E2E_ERR_INVALID, "argument", "missing argument");
    E2E_TRY(e2e__wire_parse_prekey(&p, msg, n, why));
    E2E_TRY(untrusted(why, trusted_identity, p.h.identity_key));
    res.header = p.h;
    int rc;
    if (has_base_key(s, p.h.base_key)) {
        /* libsignal: "We've already setup a session for this V3 message, letting bundled
         * message fall through..." */
        E2E_TRACE(ctx, "signal: a state for this base key exists; decrypting the inner message");
        rc = e2e__session_decrypt_parsed(s, ctx, &p.inner, pt, pt_cap, pt_len, why);
    } else {
        rc = bob_new_state(s, ctx, local, prekeys, &p, pt, pt_cap, pt_len, &res, why);
    }
    if (rc == E2E_OK && result)
        *result = res;
    return rc;
}
