/*
 * The session blob "E2SS", format 1 (docs/protocols/signal.md): magic, u16 format, u8 number of
 * states, then each state (current first):
 *
 *   u8 live; when live:
 *     local identity 33, remote identity 33, root key 32, u32 previous counter,
 *     sending ratchet priv 32 / pub 32, sending chain key 32, u32 sending index, u8 pending,
 *     u8 unacknowledged prekey, u8 has one-time id, u32 one-time id, u32 signed id, base key 32,
 *     u32 local / remote registration id, Alice's base key 32,
 *     u8 receiving chains, each: ratchet key 32, chain key 32, u32 index,
 *        u32 skipped, each: u32 counter, seed 32 (ascending, below index)
 *
 * Integers big-endian. The parser checks every count and invariant and rejects trailing bytes;
 * it never trusts the blob more than a message.
 */
#include <string.h>

#include "core/bytes.h"
#include "core/log.h"
#include "core/util.h"
#include "signal/internal.h"

#define SS_MAGIC  0x45325353u /* "E2SS" */
#define SS_FORMAT 1
#define STATE_FIXED                                                                                \
    (1 + 33 + 33 + 32 + 4 + 32 + 32 + 32 + 4 + 1 + 1 + 1 + 4 + 4 + 32 + 4 + 4 + 32 + 1)
#define CHAIN_FIXED (32 + 32 + 4 + 4)

static size_t
state_size(const struct e2e__state *st)
{
    if (!st->live)
        return 1;
    size_t n = STATE_FIXED;
    for (uint32_t i = 0; i < st->n_recv; i++)
        n += CHAIN_FIXED + (size_t)st->recv[i].skipped.n * E2E__SKIPPED_SIZE;
    return n;
}

size_t
e2e_signal_session_serialized_size(const e2e_signal_session *s)
{
    size_t n = 4 + 2 + 1;
    for (uint32_t i = 0; s && i < s->n; i++)
        n += state_size(s->st[i]);
    return n;
}

static void
write_state(struct e2e_writer *w, const struct e2e__state *st)
{
    e2e_write_u8(w, st->live);
    if (!st->live)
        return;
    e2e_write_bytes(w, st->local_identity, 33);
    e2e_write_bytes(w, st->remote_identity, 33);
    e2e_write_bytes(w, st->root_key, 32);
    e2e_write_u32_be(w, st->previous_counter);
    e2e_write_bytes(w, st->send_ratchet.priv, 32);
    e2e_write_bytes(w, st->send_ratchet.pub, 32);
    e2e_write_bytes(w, st->send_chain_key, 32);
    e2e_write_u32_be(w, st->send_index);
    e2e_write_u8(w, st->send_pending);
    e2e_write_u8(w, st->pending_prekey);
    e2e_write_u8(w, st->has_prekey_id);
    e2e_write_u32_be(w, st->prekey_id);
    e2e_write_u32_be(w, st->signed_prekey_id);
    e2e_write_bytes(w, st->base_key, 32);
    e2e_write_u32_be(w, st->local_registration_id);
    e2e_write_u32_be(w, st->remote_registration_id);
    e2e_write_bytes(w, st->alice_base_key, 32);
    e2e_write_u8(w, st->n_recv);
    for (uint32_t i = 0; i < st->n_recv; i++) {
        const struct e2e__recv_chain *c = &st->recv[i];
        e2e_write_bytes(w, c->ratchet_key, 32);
        e2e_write_bytes(w, c->chain_key, 32);
        e2e_write_u32_be(w, c->index);
        e2e__skip_write(w, &c->skipped);
    }
}

int
e2e_signal_session_serialize(const e2e_signal_session *s, uint8_t *out, size_t cap, size_t *len)
{
    if (!s || !len || (!out && cap))
        return E2E_ERR_INVALID;
    struct e2e_writer w;
    e2e_writer_init(&w, out, cap);
    e2e__blob_head_write(&w, SS_MAGIC, SS_FORMAT);
    e2e_write_u8(&w, (uint8_t)s->n);
    for (uint32_t i = 0; i < s->n; i++)
        write_state(&w, s->st[i]);
    *len = w.err ? 0 : w.len;
    return w.err;
}

/* ---- parse ----------------------------------------------------------------------------------- */

static int
read_flag(struct e2e_reader *r, uint8_t *out)
{
    *out = e2e_read_u8(r);
    return *out <= 1 ? E2E_OK : E2E_ERR_MALFORMED;
}

static int
read_identity(struct e2e_reader *r, uint8_t out[33])
{
    e2e_read_bytes(r, out, 33);
    return out[0] == E2E_SIGNAL_KEY_TYPE || r->err ? E2E_OK : E2E_ERR_MALFORMED;
}

static int
read_chain(struct e2e_reader *r, struct e2e__recv_chain *c)
{
    e2e_read_bytes(r, c->ratchet_key, 32);
    e2e_read_bytes(r, c->chain_key, 32);
    c->index = e2e_read_u32_be(r);
    return e2e__skip_read(r, &c->skipped, c->index);
}

static int
read_state_body(struct e2e_reader *r, struct e2e__state *st)
{
    E2E_TRY(read_identity(r, st->local_identity));
    E2E_TRY(read_identity(r, st->remote_identity));
    e2e_read_bytes(r, st->root_key, 32);
    st->previous_counter = e2e_read_u32_be(r);
    e2e_read_bytes(r, st->send_ratchet.priv, 32);
    e2e_read_bytes(r, st->send_ratchet.pub, 32);
    e2e_read_bytes(r, st->send_chain_key, 32);
    st->send_index = e2e_read_u32_be(r);
    E2E_TRY(read_flag(r, &st->send_pending));
    E2E_TRY(read_flag(r, &st->pending_prekey));
    E2E_TRY(read_flag(r, &st->has_prekey_id));
    st->prekey_id = e2e_read_u32_be(r);
    st->signed_prekey_id = e2e_read_u32_be(r);
    e2e_read_bytes(r, st->base_key, 32);
    st->local_registration_id = e2e_read_u32_be(r);
    st->remote_registration_id = e2e_read_u32_be(r);
    e2e_read_bytes(r, st->alice_base_key, 32);
    uint8_t n = e2e_read_u8(r);
    if (r->err || n > E2E_SIGNAL_MAX_RECV_CHAINS || (st->send_pending && n == 0))
        return E2E_ERR_MALFORMED;
    for (uint8_t i = 0; i < n; i++) {
        st->n_recv = (uint8_t)(i + 1); /* so that a failure frees what was read */
        E2E_TRY(read_chain(r, &st->recv[i]));
    }
    return r->err;
}

static int
read_state(struct e2e_reader *r, struct e2e__state **out)
{
    struct e2e__state *st = e2e__state_new();
    if (!st)
        return E2E_ERR_NOMEM;
    int rc = read_flag(r, &st->live);
    if (rc == E2E_OK && st->live)
        rc = read_state_body(r, st);
    if (rc == E2E_OK && r->err)
        rc = E2E_ERR_MALFORMED;
    if (rc != E2E_OK) {
        e2e__state_free(st);
        return rc;
    }
    *out = st;
    return E2E_OK;
}

int
e2e_signal_session_parse(e2e_signal_session **out, const uint8_t *in, size_t n,
                         struct e2e_report *why)
{
    e2e_report_clear(why);
    if (!out || (!in && n))
        return e2e_report_fail(why, E2E_ERR_INVALID, "argument", "missing argument");
    *out = NULL;
    struct e2e_reader r;
    E2E_TRY(e2e__blob_open(&r, in, n, SS_MAGIC, SS_FORMAT, "session", why));
    uint8_t count = e2e_read_u8(&r);
    if (r.err || count > E2E__MAX_STATES)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "blob", "%u states (at most %u)", count,
                               E2E__MAX_STATES);
    e2e_signal_session *s;
    E2E_TRY(e2e_signal_session_new(&s));
    int rc = E2E_OK;
    for (uint8_t i = 0; i < count && rc == E2E_OK; i++) {
        rc = read_state(&r, &s->st[i]);
        if (rc == E2E_OK)
            s->n = i + 1u;
    }
    if (rc == E2E_OK)
        rc = e2e_reader_done(&r);
    if (rc != E2E_OK) {
        e2e_signal_session_free(s);
        return e2e_report_fail(why, rc, "blob", "session blob is damaged");
    }
    *out = s;
    return E2E_OK;
}
