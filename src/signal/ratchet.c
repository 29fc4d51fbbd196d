/*
 * The double ratchet on session states (reference/signal.md 4.2, 5, 7), decrypt-then-commit:
 * a state is tried on scratch values (the chain key being advanced, a reserved tail of the
 * skipped-key list, the new root key) and only a message whose MAC verifies and whose padding
 * is sound changes anything.
 *
 * Choices where libsignal-protocol-c's behaviour is kept:
 *   - previousCounter written = index of the last message of the previous sending chain (0 if
 *     none); it is not used on receipt (the old chain stays among the 5 receiving chains);
 *   - a counter below the chain's index with no stored key is a duplicate, and stops the trial
 *     over archived states, as does any error other than "this state cannot decrypt it";
 *   - up to 2000 messages ahead may be skipped (counter - index <= 2000).
 * Lazy DH ratchet: on receiving a new ratchet key only the receiving half of the DH ratchet
 * runs; the new sending key pair and chain are made at the next encrypt. The bytes on the wire
 * are the same as the eager order; a state waiting for that step cannot have a second new
 * ratchet key from an honest peer (the peer has not seen our next key), so such a message is
 * rejected as unauthentic without the two scalar multiplications that would prove it.
 */
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "signal/internal.h"
#include "signal/wire.h"

/* ---- one state ------------------------------------------------------------------------------- */

/* MAC over the received bytes, then the plaintext. */
static int
verify_and_open(const struct e2e__state *st, const struct e2e__parsed_msg *m,
                const struct e2e_signal_message_keys *mk, uint8_t *pt, size_t pt_cap,
                size_t *pt_len, struct e2e_report *why)
{
    /* MAC over sender IK || receiver IK || the received bytes before the MAC: the part before
     * the ciphertext, the ciphertext, and whatever follows it inside the protobuf */
    size_t pre = (size_t)(m->ciphertext - m->data);
    size_t post = m->len - E2E_SIGNAL_MAC_LEN - pre - m->ciphertext_len;
    struct e2e_mac_pieces head = {st->remote_identity, st->local_identity, m->data, 33, 33, pre};
    e2e_hmac_sha256_key mac;
    e2e_aes_key k;
    e2e_hmac_sha256_mid_init(&mac, mk->mac_key, 32);
    int rc = e2e_aes_setkey(&k, mk->cipher_key, 32);
    if (rc == E2E_OK)
        rc = e2e_aes_cbc_pkcs7_decrypt_verify(
            &k, mk->iv, m->ciphertext, m->ciphertext_len, pt, pt_cap, pt_len, &mac, &head,
            m->ciphertext + m->ciphertext_len, post, m->data + m->len - E2E_SIGNAL_MAC_LEN,
            E2E_SIGNAL_MAC_LEN);
    e2e_wipe(&mac, sizeof mac);
    e2e_wipe(&k, sizeof k);
    return e2e__open_report(why, rc, m->counter, pt_cap);
}

/* Walks ck from `from` to `to`, writing the skipped seeds after the list's end (room reserved
 * by the caller); ck ends as the chain key of message `to`. */
static void
skip_ahead(struct e2e__skip_list *l, uint8_t ck[32], uint32_t from, uint32_t to)
{
    struct e2e__skipped *w = l->v + l->n;
    for (uint32_t i = from; i < to; i++, w++) {
        w->counter = i;
        e2e__chain_seed(w->seed, ck, ck);
    }
}

static void
wipe_reserved(struct e2e__skip_list *l, uint32_t count)
{
    if (count && l->v)
        e2e_wipe(l->v + l->n, count * sizeof *l->v);
}

static int
too_far(struct e2e_report *why, uint32_t counter, uint32_t index)
{
    return e2e_report_fail(why, E2E_ERR_TOO_FAR, "too_far",
                           "message %u is %u ahead of the chain (limit %u)", counter,
                           counter - index, E2E_SIGNAL_MAX_SKIP);
}

/* A message key stored when it was skipped. */
static int
decrypt_skipped(const e2e_ctx *ctx, struct e2e__state *st, struct e2e__recv_chain *c,
                const e2e_hmac_sha256_key *zs, const struct e2e__parsed_msg *m, uint8_t *pt,
                size_t pt_cap, size_t *pt_len, struct e2e_report *why)
{
    long k = e2e__skip_find(&c->skipped, m->counter);
    if (k < 0)
        return e2e_report_fail(why, E2E_ERR_DUPLICATE, "duplicate",
                               "message %u of this chain was already received (chain at %u)",
                               m->counter, c->index);
    struct e2e_signal_message_keys mk;
    E2E_TRACE(ctx, "signal: message %u from its stored skipped key", m->counter);
    e2e__message_keys(ctx, &mk, c->skipped.v[k].seed, zs);
    int rc = verify_and_open(st, m, &mk, pt, pt_cap, pt_len, why);
    e2e_wipe(&mk, sizeof mk);
    if (rc == E2E_OK) {
        e2e__skip_remove(&c->skipped, (uint32_t)k);
        st->pending_prekey = 0;
    }
    return rc;
}

/* A message on a receiving chain we have, at or after its index. */
static int
decrypt_on_chain(const e2e_ctx *ctx, struct e2e__state *st, struct e2e__recv_chain *c,
                 const e2e_hmac_sha256_key *zs, const struct e2e__parsed_msg *m, uint8_t *pt,
                 size_t pt_cap, size_t *pt_len, struct e2e_report *why)
{
    uint32_t gap = m->counter - c->index;
    if (gap > E2E_SIGNAL_MAX_SKIP)
        return too_far(why, m->counter, c->index);
    if (gap && e2e__skip_reserve(&c->skipped, gap) != E2E_OK)
        return e2e_report_fail(why, E2E_ERR_NOMEM, "memory", "no room for %u skipped keys", gap);
    uint8_t ck[32], next[32];
    struct e2e_signal_message_keys mk;
    memcpy(ck, c->chain_key, 32);
    skip_ahead(&c->skipped, ck, c->index, m->counter);
    e2e__chain_step(ctx, &mk, next, ck, m->counter, zs);
    int rc = verify_and_open(st, m, &mk, pt, pt_cap, pt_len, why);
    if (rc == E2E_OK) {
        memcpy(c->chain_key, next, 32);
        c->index = m->counter + 1;
        e2e__skip_commit(&c->skipped, gap);
        st->pending_prekey = 0;
    } else {
        wipe_reserved(&c->skipped, gap);
    }
    e2e_wipe(ck, sizeof ck);
    e2e_wipe(next, sizeof next);
    e2e_wipe(&mk, sizeof mk);
    return rc;
}

/* The receiving half of a DH ratchet step, committed with the new chain. */
struct recv_step {
    uint8_t root_key[32], chain_key[32], next[32];
    struct e2e__skip_list skipped;
};

static int
decrypt_new_chain(const e2e_ctx *ctx, struct e2e__state *st, const e2e_hmac_sha256_key *zs,
                  const struct e2e__parsed_msg *m, uint8_t *pt, size_t pt_cap, size_t *pt_len,
                  struct e2e_report *why)
{
    if (st->send_pending)
        return e2e_report_fail(why, E2E_ERR_AUTH, "mac",
                               "second new ratchet key before we answered the first: the peer "
                               "cannot have derived its chain");
    if (m->counter > E2E_SIGNAL_MAX_SKIP)
        return too_far(why, m->counter, 0);
    struct recv_step t;
    struct e2e_signal_message_keys mk;
    uint8_t dh[32];
    memset(&t, 0, sizeof t);
    E2E_TRACE(ctx, "signal: DH ratchet on a new ratchet key (receiving chain)");
    int rc = e2e__dh(ctx, "  DH(our ratchet key, their new ratchet key)", dh, st->send_ratchet.priv,
                     m->ratchet_key);
    if (rc != E2E_OK)
        return e2e_report_fail(why, rc, "ratchet_key", "their ratchet key has small order");
    e2e__root_step(ctx, t.root_key, t.chain_key, st->root_key, dh);
    e2e_wipe(dh, sizeof dh);
    if (m->counter && e2e__skip_reserve(&t.skipped, m->counter) != E2E_OK) {
        e2e_wipe(&t, sizeof t);
        return e2e_report_fail(why, E2E_ERR_NOMEM, "memory", "no room for skipped keys");
    }
    skip_ahead(&t.skipped, t.chain_key, 0, m->counter);
    e2e__chain_step(ctx, &mk, t.next, t.chain_key, m->counter, zs);
    rc = verify_and_open(st, m, &mk, pt, pt_cap, pt_len, why);
    if (rc == E2E_OK) {
        memcpy(st->root_key, t.root_key, 32);
        st->previous_counter = st->send_index > 0 ? st->send_index - 1 : 0;
        st->send_pending = 1;
        st->pending_prekey = 0;
        e2e__skip_commit(&t.skipped, m->counter);
        e2e__state_add_recv(st, m->ratchet_key, t.next, m->counter + 1, &t.skipped);
    }
    e2e__skip_free(&t.skipped);
    e2e_wipe(&t, sizeof t);
    e2e_wipe(&mk, sizeof mk);
    return rc;
}

int
e2e__state_decrypt(const e2e_ctx *ctx, struct e2e__state *st, const e2e_hmac_sha256_key *zs,
                   const struct e2e__parsed_msg *m, uint8_t *pt, size_t pt_cap, size_t *pt_len,
                   struct e2e_report *why)
{
    long ci = e2e__state_find_recv(st, m->ratchet_key);
    if (ci < 0)
        return decrypt_new_chain(ctx, st, zs, m, pt, pt_cap, pt_len, why);
    struct e2e__recv_chain *c = &st->recv[ci];
    if (m->counter < c->index)
        return decrypt_skipped(ctx, st, c, zs, m, pt, pt_cap, pt_len, why);
    return decrypt_on_chain(ctx, st, c, zs, m, pt, pt_cap, pt_len, why);
}

/* ---- trial over the record ------------------------------------------------------------------- */

/* Errors that end the trial: a verdict on the message itself, not on one state. */
static int
final_error(int rc)
{
    return rc == E2E_ERR_DUPLICATE || rc == E2E_ERR_NOMEM || rc == E2E_ERR_BUFFER ||
           rc == E2E_ERR_MALFORMED;
}

int
e2e__session_decrypt_parsed(e2e_signal_session *s, const e2e_ctx *ctx,
                            const struct e2e__parsed_msg *m, uint8_t *pt, size_t pt_cap,
                            size_t *pt_len, struct e2e_report *why)
{
    struct e2e_report first, r;
    int first_rc = 0, first_state = -1;
    unsigned tried = 0;
    for (uint32_t i = 0; i < s->n; i++) {
        if (!s->st[i]->live)
            continue;
        tried++;
        e2e_report_clear(&r);
        int rc = e2e__state_decrypt(ctx, s->st[i], &s->zero_salt, m, pt, pt_cap, pt_len, &r);
        if (rc == E2E_OK) {
            if (i > 0) {
                E2E_TRACE(ctx, "signal: archived state %u decrypted; promoted to current", i);
                e2e__session_promote(s, i);
            }
            if (why) {
                why->state = (int)i;
                why->tried = tried;
            }
            return E2E_OK;
        }
        if (first_state < 0 || final_error(rc)) {
            first = r;
            first_rc = rc;
            first_state = (int)i;
        }
        if (final_error(rc))
            break;
    }
    if (tried == 0)
        return e2e_report_fail(why, E2E_ERR_NO_SESSION, "no_session",
                               "no initialised session state for this peer");
    if (why) {
        *why = first;
        why->state = first_state;
        why->tried = tried;
    }
    return first_rc;
}

int
e2e_signal_session_decrypt(e2e_signal_session *s, const e2e_ctx *ctx, const uint8_t *msg, size_t n,
                           uint8_t *pt, size_t pt_cap, size_t *pt_len, struct e2e_report *why)
{
    struct e2e__parsed_msg m;
    e2e_report_clear(why);
    if (pt_len)
        *pt_len = 0;
    if (!s || !pt_len || (!pt && pt_cap))
        return e2e_report_fail(why, E2E_ERR_INVALID, "argument", "missing argument");
    E2E_TRY(e2e__wire_parse_signal(&m, msg, n, why));
    return e2e__session_decrypt_parsed(s, ctx, &m, pt, pt_cap, pt_len, why);
}

/* ---- encrypt --------------------------------------------------------------------------------- */

/* The sending half of a DH ratchet step that decrypt left for later. */
static int
materialize_sending_chain(const e2e_ctx *ctx, struct e2e__state *st)
{
    struct e2e_signal_keypair kp;
    uint8_t dh[32], rk[32], ck[32];
    int rc = e2e_signal_keypair_generate(&kp, ctx);
    if (rc != E2E_OK)
        return rc;
    E2E_TRACE(ctx, "signal: DH ratchet, sending half: new ratchet key pair");
    e2e_trace_hex(ctx, "  our new ratchet key", kp.pub, 32);
    rc = e2e__dh(ctx, "  DH(our new ratchet key, their ratchet key)", dh, kp.priv,
                 st->recv[st->n_recv - 1].ratchet_key);
    if (rc == E2E_OK) {
        e2e__root_step(ctx, rk, ck, st->root_key, dh);
        st->send_ratchet = kp;
        memcpy(st->root_key, rk, 32);
        memcpy(st->send_chain_key, ck, 32);
        st->send_index = 0;
        st->send_pending = 0;
    }
    e2e_wipe(&kp, sizeof kp);
    e2e_wipe(dh, sizeof dh);
    e2e_wipe(rk, sizeof rk);
    e2e_wipe(ck, sizeof ck);
    return rc;
}

static void
prekey_header_of(struct e2e_signal_prekey_header *h, const struct e2e__state *st)
{
    memset(h, 0, sizeof *h);
    h->registration_id = st->local_registration_id;
    h->signed_prekey_id = st->signed_prekey_id;
    h->has_one_time_prekey = st->has_prekey_id;
    h->one_time_prekey_id = st->prekey_id;
    memcpy(h->base_key, st->base_key, 32);
    memcpy(h->identity_key, st->local_identity + 1, 32);
}

/* SignalMessage at out: head, ciphertext, MAC; *len receives its length. */
static int
write_signal(uint8_t *out, size_t *len, const struct e2e__state *st,
             const struct e2e_signal_message_keys *mk, const uint8_t *pt, size_t n)
{
    size_t ct_len = e2e_pkcs7_padded_len(n), got;
    size_t h = e2e__wire_signal_head(out, st->send_ratchet.pub, st->send_index,
                                     st->previous_counter, ct_len);
    /* encrypt-then-MAC in one pass: HMAC(sender IK || receiver IK || head || ciphertext) */
    struct e2e_mac_pieces head = {st->local_identity, st->remote_identity, out, 33, 33, h};
    uint8_t tag[32];
    e2e_hmac_sha256_key mac;
    e2e_aes_key k;
    e2e_hmac_sha256_mid_init(&mac, mk->mac_key, 32);
    int rc = e2e_aes_setkey_enc(&k, mk->cipher_key, 32);
    if (rc == E2E_OK)
        rc = e2e_aes_cbc_pkcs7_encrypt_mac(&k, mk->iv, pt, n, out + h, ct_len, &got, &mac, &head,
                                           tag);
    memcpy(out + h + ct_len, tag, E2E_SIGNAL_MAC_LEN);
    e2e_wipe(tag, sizeof tag);
    e2e_wipe(&mac, sizeof mac);
    e2e_wipe(&k, sizeof k);
    *len = h + ct_len + E2E_SIGNAL_MAC_LEN;
    return rc;
}

static size_t
message_len(const struct e2e__state *st, size_t n, size_t *inner_len)
{
    size_t ct_len = e2e_pkcs7_padded_len(n);
    *inner_len = e2e__wire_signal_head_len(st->send_pending ? 0 : st->send_index,
                                           st->previous_counter, ct_len) +
                 ct_len + E2E_SIGNAL_MAC_LEN;
    if (!st->pending_prekey)
        return *inner_len;
    struct e2e_signal_prekey_header h;
    prekey_header_of(&h, st);
    return e2e__wire_prekey_head_len(&h, *inner_len) + *inner_len + e2e__wire_prekey_tail_len(&h);
}

int
e2e_signal_session_encrypt(e2e_signal_session *s, const e2e_ctx *ctx, const uint8_t *pt, size_t n,
                           uint8_t *out, size_t out_cap, size_t *out_len, int *type)
{
    if (!s || (!pt && n) || !out || !out_len || n > (size_t)1 << 30)
        return E2E_ERR_INVALID;
    *out_len = 0;
    if (!e2e_signal_session_has_current(s))
        return E2E_ERR_NO_SESSION;
    struct e2e__state *st = s->st[0];
    size_t inner_len, total = message_len(st, n, &inner_len);
    if (out_cap < total)
        return E2E_ERR_BUFFER;
    if (st->send_pending)
        E2E_TRY(materialize_sending_chain(ctx, st));
    struct e2e_signal_message_keys mk;
    uint8_t next[32];
    e2e__chain_step(ctx, &mk, next, st->send_chain_key, st->send_index, &s->zero_salt);
    size_t k = 0, sig_len = 0;
    struct e2e_signal_prekey_header h;
    if (st->pending_prekey) {
        prekey_header_of(&h, st);
        k = e2e__wire_prekey_head(out, &h, inner_len);
    }
    int rc = write_signal(out + k, &sig_len, st, &mk, pt, n);
    k += sig_len;
    if (st->pending_prekey)
        k += e2e__wire_prekey_tail(out + k, &h);
    if (rc == E2E_OK) {
        memcpy(st->send_chain_key, next, 32);
        st->send_index++;
        *out_len = k;
        if (type)
            *type = st->pending_prekey ? E2E_SIGNAL_MSG_PREKEY : E2E_SIGNAL_MSG_WHISPER;
    }
    e2e_wipe(&mk, sizeof mk);
    e2e_wipe(next, sizeof next);
    return rc;
}
