/*
 * Sender keys (reference/signal.md 8) in libsignal-protocol-c's layout, the one WhatsApp uses:
 *
 *   SenderKeyDistributionMessage = 0x33 || protobuf{id, iteration, chainKey, signingKey}
 *   SenderKeyMessage             = 0x33 || protobuf{id, iteration, ciphertext} || XEdDSA(64)
 *   chain step                   seed = HMAC(CK, 01), CK' = HMAC(CK, 02)
 *   message key                  HKDF(seed, 0^32, "WhisperGroup", 48) = IV (16) | key (32)
 *
 * A record holds up to 5 states, newest first; our own sending state has the signing private
 * key. Decrypt-then-commit as for sessions. One deliberate difference from
 * libsignal-protocol-c, taken from current libsignal: a distribution message for a key id we
 * already hold with the same signing key is ignored instead of adding a second state at its
 * iteration, so replaying an old distribution message cannot rewind a chain and re-open
 * messages already read (a different signing key under that id replaces the old state).
 */
#include <stdlib.h>
#include <string.h>

#include "WhisperTextProtocol.pb-c.h"
#include "core/bytes.h"
#include "core/log.h"
#include "core/util.h"
#include "signal/internal.h"
#include "signal/wire.h"

struct gstate {
    uint32_t key_id;
    uint32_t iteration; /* of chain_key */
    uint8_t chain_key[32];
    uint8_t signing_pub[32];
    uint8_t verifier_ready;              /* prepared at the first message, not stored */
    struct e2e_xeddsa_verifier verifier; /* derived from signing_pub */
    uint8_t has_private;
    struct e2e_xeddsa_signer signer; /* private key and its cached A */
    struct e2e__skip_list skipped;
};

struct e2e_signal_group {
    uint32_t n;
    struct gstate st[E2E_SIGNAL_GROUP_MAX_STATES]; /* newest first */
    e2e_hmac_sha256_key zero_salt;
};

static void
gstate_clear(struct gstate *g)
{
    e2e__skip_free(&g->skipped);
    e2e_wipe(g, sizeof *g);
}

int
e2e_signal_group_new(e2e_signal_group **out)
{
    if (!out)
        return E2E_ERR_INVALID;
    *out = calloc(1, sizeof **out);
    if (!*out)
        return E2E_ERR_NOMEM;
    e2e__zero_salt_init(&(*out)->zero_salt);
    return E2E_OK;
}

void
e2e_signal_group_free(e2e_signal_group *g)
{
    if (!g)
        return;
    for (uint32_t i = 0; i < g->n; i++)
        gstate_clear(&g->st[i]);
    e2e_wipe(g, sizeof *g);
    free(g);
}

/* Puts st in front, dropping the oldest beyond 5 (takes over st's skipped list). */
static void
push_state(e2e_signal_group *g, struct gstate *st)
{
    if (g->n == E2E_SIGNAL_GROUP_MAX_STATES)
        gstate_clear(&g->st[--g->n]);
    memmove(&g->st[1], &g->st[0], g->n * sizeof g->st[0]);
    g->st[0] = *st;
    g->n++;
    memset(st, 0, sizeof *st);
}

static void
remove_state(e2e_signal_group *g, uint32_t i)
{
    gstate_clear(&g->st[i]);
    memmove(&g->st[i], &g->st[i + 1], (g->n - i - 1) * sizeof g->st[0]);
    g->n--;
    memset(&g->st[g->n], 0, sizeof g->st[0]);
}

static long
find_state(const e2e_signal_group *g, uint32_t key_id)
{
    for (uint32_t i = 0; i < g->n; i++)
        if (g->st[i].key_id == key_id)
            return (long)i;
    return -1;
}

/* ---- distribution ---------------------------------------------------------------------------- */

static int
create_own_state(e2e_signal_group *g, const e2e_ctx *ctx)
{
    struct gstate st;
    struct e2e_signal_keypair kp;
    uint8_t id[4];
    memset(&st, 0, sizeof st);
    int rc = e2e_random(ctx, id, sizeof id);
    if (rc == E2E_OK)
        rc = e2e_random(ctx, st.chain_key, 32);
    if (rc == E2E_OK)
        rc = e2e_signal_keypair_generate(&kp, ctx);
    if (rc == E2E_OK) {
        st.key_id = e2e_load32_be(id) & 0x7FFFFFFFu; /* libsignal: a random 31-bit id */
        memcpy(st.signing_pub, kp.pub, 32);
        e2e_xeddsa_signer_init(&st.signer, kp.priv);
        st.has_private = 1;
        /* libsignal's set_sender_key_state: our new key replaces every state */
        while (g->n)
            remove_state(g, g->n - 1);
        push_state(g, &st);
        E2E_TRACE(ctx, "signal: new sender key, id %u", g->st[0].key_id);
    }
    e2e_wipe(&kp, sizeof kp);
    e2e_wipe(&st, sizeof st);
    return rc;
}

int
e2e_signal_group_create_distribution(e2e_signal_group *g, const e2e_ctx *ctx, uint8_t *out,
                                     size_t out_cap, size_t *out_len)
{
    if (!g || !out || !out_len)
        return E2E_ERR_INVALID;
    *out_len = 0;
    if (out_cap < E2E_SIGNAL_DISTRIBUTION_MAX)
        return E2E_ERR_BUFFER;
    if (g->n == 0)
        E2E_TRY(create_own_state(g, ctx));
    const struct gstate *st = &g->st[0];
    uint8_t key33[33];
    e2e_signal_pubkey_encode(key33, st->signing_pub);
    Textsecure__SenderKeyDistributionMessage m = TEXTSECURE__SENDER_KEY_DISTRIBUTION_MESSAGE__INIT;
    m.has_id = m.has_iteration = m.has_chainkey = m.has_signingkey = 1;
    m.id = st->key_id;
    m.iteration = st->iteration;
    m.chainkey.data = (uint8_t *)(uintptr_t)st->chain_key;
    m.chainkey.len = 32;
    m.signingkey.data = key33;
    m.signingkey.len = 33;
    out[0] = E2E__VERSION_BYTE;
    *out_len = 1 + textsecure__sender_key_distribution_message__pack(&m, out + 1);
    return E2E_OK;
}

/* SKDM fields, checked as libsignal-protocol-c does, plus a 32-byte chain key. */
static int
parse_distribution(struct gstate *st, const uint8_t *msg, size_t n, struct e2e_report *why)
{
    if (!msg || n <= 1)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "malformed",
                               "distribution message of %zu bytes is too short", n);
    if (msg[0] >> 4 != E2E_SIGNAL_VERSION)
        return e2e_report_fail(why, E2E_ERR_UNSUPPORTED, "version",
                               "distribution message version %u", msg[0] >> 4);
    Textsecure__SenderKeyDistributionMessage *m =
        textsecure__sender_key_distribution_message__unpack(NULL, n - 1, msg + 1);
    if (!m)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "malformed",
                               "distribution message is not a protobuf");
    int rc = E2E_OK;
    if (!m->has_id || !m->has_iteration || !m->has_chainkey || !m->has_signingkey ||
        m->chainkey.len != 32 ||
        e2e_signal_pubkey_decode(st->signing_pub, m->signingkey.data, m->signingkey.len))
        rc = e2e_report_fail(why, E2E_ERR_MALFORMED, "malformed",
                             "distribution message lacks a field or has a bad key");
    else {
        st->key_id = m->id;
        st->iteration = m->iteration;
        memcpy(st->chain_key, m->chainkey.data, 32);
    }
    if (m->has_chainkey)
        e2e_wipe(m->chainkey.data, m->chainkey.len);
    textsecure__sender_key_distribution_message__free_unpacked(m, NULL);
    return rc;
}

int
e2e_signal_group_process_distribution(e2e_signal_group *g, const uint8_t *msg, size_t n,
                                      struct e2e_report *why)
{
    struct gstate st;
    e2e_report_clear(why);
    if (!g)
        return e2e_report_fail(why, E2E_ERR_INVALID, "argument", "missing argument");
    memset(&st, 0, sizeof st);
    int rc = parse_distribution(&st, msg, n, why);
    if (rc == E2E_OK) {
        long i = find_state(g, st.key_id);
        if (i >= 0 && e2e__key_eq(g->st[i].signing_pub, st.signing_pub)) {
            e2e_wipe(&st, sizeof st);
            return E2E_OK; /* already known: keep our chain where it is */
        }
        if (i >= 0)
            remove_state(g, (uint32_t)i);
        push_state(g, &st);
    }
    e2e_wipe(&st, sizeof st);
    return rc;
}

/* ---- messages -------------------------------------------------------------------------------- */

int
e2e_signal_group_encrypt(e2e_signal_group *g, const e2e_ctx *ctx, const uint8_t *pt, size_t n,
                         uint8_t *out, size_t out_cap, size_t *out_len)
{
    if (!g || (!pt && n) || !out || !out_len || n > (size_t)1 << 30)
        return E2E_ERR_INVALID;
    *out_len = 0;
    if (g->n == 0 || !g->st[0].has_private)
        return E2E_ERR_NO_SESSION;
    struct gstate *st = &g->st[0];
    size_t ct_len = e2e_pkcs7_padded_len(n);
    size_t h = e2e__wire_skmsg_head_len(st->key_id, st->iteration, ct_len);
    if (out_cap < h + ct_len + E2E_SIGNAL_SIG_LEN)
        return E2E_ERR_BUFFER;
    uint8_t z[64], seed[32], next[32], iv[16], key[32];
    E2E_TRY(e2e_random(ctx, z, sizeof z));
    E2E_TRACE(ctx, "signal: sender key %u, iteration %u", st->key_id, st->iteration);
    e2e__chain_seed(seed, next, st->chain_key);
    e2e__group_key(ctx, iv, key, seed, &g->zero_salt);
    e2e__wire_skmsg_head(out, st->key_id, st->iteration, ct_len);
    int rc = e2e__cbc_seal(key, iv, pt, n, out + h);
    if (rc == E2E_OK) {
        e2e_xeddsa_sign(out + h + ct_len, &st->signer, out, h + ct_len, z);
        memcpy(st->chain_key, next, 32);
        st->iteration++;
        *out_len = h + ct_len + E2E_SIGNAL_SIG_LEN;
    }
    e2e_wipe(key, sizeof key);
    e2e_wipe(z, sizeof z);
    e2e_wipe(seed, sizeof seed);
    e2e_wipe(next, sizeof next);
    return rc;
}

static int
open_message(const e2e_ctx *ctx, const uint8_t seed[32], const e2e_hmac_sha256_key *zs,
             const struct e2e__parsed_skmsg *m, uint8_t *pt, size_t pt_cap, size_t *pt_len,
             struct e2e_report *why)
{
    uint8_t iv[16], key[32];
    e2e__group_key(ctx, iv, key, seed, zs);
    int rc = e2e__cbc_open(key, iv, m->ciphertext, m->ciphertext_len, pt, pt_cap, pt_len,
                           m->iteration, why);
    e2e_wipe(key, sizeof key);
    return rc;
}

/* Iteration at or after the chain's: skip ahead on scratch, commit on success. */
static int
decrypt_ahead(const e2e_ctx *ctx, struct gstate *st, const e2e_hmac_sha256_key *zs,
              const struct e2e__parsed_skmsg *m, uint8_t *pt, size_t pt_cap, size_t *pt_len,
              struct e2e_report *why)
{
    uint32_t gap = m->iteration - st->iteration;
    if (gap > E2E_SIGNAL_MAX_SKIP)
        return e2e_report_fail(why, E2E_ERR_TOO_FAR, "too_far",
                               "iteration %u is %u ahead of the chain (limit %u)", m->iteration,
                               gap, E2E_SIGNAL_MAX_SKIP);
    if (gap && e2e__skip_reserve(&st->skipped, gap) != E2E_OK)
        return e2e_report_fail(why, E2E_ERR_NOMEM, "memory", "no room for skipped keys");
    uint8_t ck[32], seed[32];
    memcpy(ck, st->chain_key, 32);
    struct e2e__skipped *w = st->skipped.v + st->skipped.n;
    for (uint32_t i = st->iteration; i < m->iteration; i++, w++) {
        w->counter = i;
        e2e__chain_seed(w->seed, ck, ck);
    }
    e2e__chain_seed(seed, ck, ck);
    int rc = open_message(ctx, seed, zs, m, pt, pt_cap, pt_len, why);
    if (rc == E2E_OK) {
        memcpy(st->chain_key, ck, 32);
        st->iteration = m->iteration + 1;
        e2e__skip_commit(&st->skipped, gap);
    } else if (gap) {
        e2e_wipe(st->skipped.v + st->skipped.n, gap * sizeof *st->skipped.v);
    }
    e2e_wipe(ck, sizeof ck);
    e2e_wipe(seed, sizeof seed);
    return rc;
}

int
e2e_signal_group_decrypt(e2e_signal_group *g, const e2e_ctx *ctx, const uint8_t *msg, size_t n,
                         uint8_t *pt, size_t pt_cap, size_t *pt_len, struct e2e_report *why)
{
    struct e2e__parsed_skmsg m;
    e2e_report_clear(why);
    if (pt_len)
        *pt_len = 0;
    if (!g || !pt_len || (!pt && pt_cap))
        return e2e_report_fail(why, E2E_ERR_INVALID, "argument", "missing argument");
    E2E_TRY(e2e__wire_parse_skmsg(&m, msg, n, why));
    long i = find_state(g, m.key_id);
    if (i < 0)
        return e2e_report_fail(why, E2E_ERR_NO_SESSION, "no_session", "no sender key with id %u",
                               m.key_id);
    struct gstate *st = &g->st[i];
    if (why) {
        why->state = (int)i;
        why->tried = 1;
    }
    if (!st->verifier_ready) { /* derived data: preparing it changes nothing serialised */
        e2e_xeddsa_verifier_init(&st->verifier, st->signing_pub);
        st->verifier_ready = 1;
    }
    if (e2e_xeddsa_verify_with(&st->verifier, m.data, m.len - E2E_SIGNAL_SIG_LEN,
                               m.data + m.len - E2E_SIGNAL_SIG_LEN) != E2E_OK)
        return e2e_report_fail(why, E2E_ERR_AUTH, "signature",
                               "signature of iteration %u does not verify", m.iteration);
    E2E_TRACE(ctx, "signal: sender key %u, iteration %u", m.key_id, m.iteration);
    if (m.iteration >= st->iteration)
        return decrypt_ahead(ctx, st, &g->zero_salt, &m, pt, pt_cap, pt_len, why);
    long k = e2e__skip_find(&st->skipped, m.iteration);
    if (k < 0)
        return e2e_report_fail(why, E2E_ERR_DUPLICATE, "duplicate",
                               "iteration %u was already received (chain at %u)", m.iteration,
                               st->iteration);
    int rc = open_message(ctx, st->skipped.v[k].seed, &g->zero_salt, &m, pt, pt_cap, pt_len, why);
    if (rc == E2E_OK)
        e2e__skip_remove(&st->skipped, (uint32_t)k);
    return rc;
}

/* ---- blob ---------------------------------------------------------------------------------- */
/* "E2SG" format 1: u8 states, each {u32 id, u32 iteration, chain key 32, signing pub 32, u8 has
 * private, [private 32], u32 skipped, each {u32 iteration, seed 32}} */

#define SG_MAGIC  0x45325347u
#define SG_FORMAT 1

size_t
e2e_signal_group_serialized_size(const e2e_signal_group *g)
{
    size_t n = 4 + 2 + 1;
    for (uint32_t i = 0; g && i < g->n; i++)
        n += 4 + 4 + 32 + 32 + 1 + (g->st[i].has_private ? 32 : 0) + 4 +
             (size_t)g->st[i].skipped.n * E2E__SKIPPED_SIZE;
    return n;
}

int
e2e_signal_group_serialize(const e2e_signal_group *g, uint8_t *out, size_t cap, size_t *len)
{
    if (!g || !len || (!out && cap))
        return E2E_ERR_INVALID;
    struct e2e_writer w;
    e2e_writer_init(&w, out, cap);
    e2e__blob_head_write(&w, SG_MAGIC, SG_FORMAT);
    e2e_write_u8(&w, (uint8_t)g->n);
    for (uint32_t i = 0; i < g->n; i++) {
        const struct gstate *st = &g->st[i];
        e2e_write_u32_be(&w, st->key_id);
        e2e_write_u32_be(&w, st->iteration);
        e2e_write_bytes(&w, st->chain_key, 32);
        e2e_write_bytes(&w, st->signing_pub, 32);
        e2e_write_u8(&w, st->has_private);
        if (st->has_private)
            e2e_write_bytes(&w, st->signer.k, 32);
        e2e__skip_write(&w, &st->skipped);
    }
    *len = w.err ? 0 : w.len;
    return w.err;
}

static int
read_gstate(struct e2e_reader *r, struct gstate *st)
{
    uint8_t priv[32];
    st->key_id = e2e_read_u32_be(r);
    st->iteration = e2e_read_u32_be(r);
    e2e_read_bytes(r, st->chain_key, 32);
    e2e_read_bytes(r, st->signing_pub, 32);
    st->has_private = e2e_read_u8(r);
    if (st->has_private > 1)
        return E2E_ERR_MALFORMED;
    if (st->has_private) {
        e2e_read_bytes(r, priv, 32);
        e2e_xeddsa_signer_init(&st->signer, priv);
        e2e_wipe(priv, sizeof priv);
    }
    return e2e__skip_read(r, &st->skipped, st->iteration);
}

int
e2e_signal_group_parse(e2e_signal_group **out, const uint8_t *in, size_t n, struct e2e_report *why)
{
    e2e_report_clear(why);
    if (!out || (!in && n))
        return e2e_report_fail(why, E2E_ERR_INVALID, "argument", "missing argument");
    *out = NULL;
    struct e2e_reader r;
    E2E_TRY(e2e__blob_open(&r, in, n, SG_MAGIC, SG_FORMAT, "sender-key", why));
    uint8_t count = e2e_read_u8(&r);
    if (r.err || count > E2E_SIGNAL_GROUP_MAX_STATES)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "blob", "%u states", count);
    e2e_signal_group *g;
    E2E_TRY(e2e_signal_group_new(&g));
    int rc = E2E_OK;
    for (uint8_t i = 0; i < count && rc == E2E_OK; i++) {
        g->n = i + 1u; /* so that a failure frees what was read */
        rc = read_gstate(&r, &g->st[i]);
    }
    if (rc == E2E_OK)
        rc = e2e_reader_done(&r);
    if (rc != E2E_OK) {
        e2e_signal_group_free(g);
        return e2e_report_fail(why, rc, "blob", "sender-key blob is damaged");
    }
    *out = g;
    return E2E_OK;
}
