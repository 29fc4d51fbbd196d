/*
 * Peer session setup (Berson 3.3 and 3.4.2; Silver Needle; Vanilla Skype): certificates,
 * 64-bit challenges answered transformed and signed, and each side's 128-bit key half under
 * the other's RSA key. Three flights (defined by e2ekit):
 *
 *   1. A -> B: 0x01 | mode | cert_A | N_A
 *   2. B -> A: 0x02 | cert_B | N_B | tail_B
 *   3. A -> B: 0x03 | tail_A
 *
 *   faithful tail = answer: signed(f(N_peer)) | key: signed(RSA_raw_peer(half x 8) || salt)
 *   hardened tail = OAEP_peer(half || salt) (2-byte length first) | answer:
 *                   signed(label || role || f(N_peer) || SHA256(t || flight up to here))
 *
 * where signed(M) is an ISO 9796-2 block (hs_parts.c), t chains the SHA-256 transcript of
 * every flight, and the hardened session keys come from HKDF over the final t.
 */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/skype.h>

#include "core/log.h"
#include "core/util.h"
#include "skype/skype_internal.h"

enum hs_state {
    S_A_WRITE1 = 1,
    S_A_READ2,
    S_A_WRITE3,
    S_B_READ1,
    S_B_WRITE2,
    S_B_READ3,
    S_DONE,
    S_SPLIT,
};

struct e2e_skype_handshake {
    uint8_t role, mode, state, have_peer;
    const e2e_skype_identity *me;
    const e2e_skype_ca *ca;
    char expected[E2E_SKYPE_NAME_MAX + 1];
    uint8_t n_mine[8], n_peer[8];
    uint8_t half_mine[16], half_peer[16];
    uint8_t salt_mine[4], salt_peer[4];
    uint8_t t[32]; /* transcript so far (computed in both modes; keys use it when hardened) */
    struct e2e_skype_cert_info peer;
    e2e_rsa *peer_key;
};

/* What one flight adds, kept apart until the flight is complete (decrypt-then-commit). */
struct pending {
    uint8_t n[8], half[16], salt[4], t[32];
    struct e2e_skype_cert_info info;
    e2e_rsa *key; /* a new peer key, owned here until committed */
};

#define HALF_TRIES 64

static void
pending_free(struct pending *p)
{
    e2e_rsa_free(p->key);
    e2e_wipe(p, sizeof *p);
}

/* ---- life cycle ----------------------------------------------------------------------------- */

int
e2e_skype_handshake_new(e2e_skype_handshake **out, int role, int mode, const e2e_skype_identity *me,
                        const e2e_skype_ca *ca, const char *expected_peer)
{
    if (!out || !me || !ca || (role != E2E_SKYPE_INITIATOR && role != E2E_SKYPE_RESPONDER) ||
        (mode != E2E_SKYPE_FAITHFUL && mode != E2E_SKYPE_HARDENED) ||
        (expected_peer && strlen(expected_peer) > E2E_SKYPE_NAME_MAX))
        return E2E_ERR_INVALID;
    *out = NULL;
    e2e_skype_handshake *hs = calloc(1, sizeof *hs);
    if (!hs)
        return E2E_ERR_NOMEM;
    hs->role = (uint8_t)role;
    hs->mode = (uint8_t)mode;
    hs->state = role == E2E_SKYPE_INITIATOR ? S_A_WRITE1 : S_B_READ1;
    hs->me = me;
    hs->ca = ca;
    if (expected_peer)
        strcpy(hs->expected, expected_peer);
    *out = hs;
    return E2E_OK;
}

void
e2e_skype_handshake_free(e2e_skype_handshake *hs)
{
    if (!hs)
        return;
    e2e_rsa_free(hs->peer_key);
    e2e_wipe(hs, sizeof *hs);
    free(hs);
}

int
e2e_skype_handshake_next(const e2e_skype_handshake *hs)
{
    switch (hs->state) {
    case S_A_WRITE1:
    case S_A_WRITE3:
    case S_B_WRITE2:
        return E2E_SKYPE_HS_WRITE;
    case S_A_READ2:
    case S_B_READ1:
    case S_B_READ3:
        return E2E_SKYPE_HS_READ;
    case S_DONE:
        return E2E_SKYPE_HS_DONE;
    default:
        return E2E_ERR_STATE;
    }
}

int
e2e_skype_handshake_peer(const e2e_skype_handshake *hs, struct e2e_skype_cert_info *peer)
{
    if (!hs || !peer)
        return E2E_ERR_INVALID;
    if (!hs->have_peer)
        return E2E_ERR_STATE;
    *peer = hs->peer;
    return E2E_OK;
}

/* ---- tails: the answer and the key half ----------------------------------------------------- */

/* Draws a half the peer's key can carry (faithful: the repeated block must be below n). */
static int
write_faithful_key(e2e_skype_handshake *hs, const e2e_ctx *ctx, struct e2e_writer *w,
                   struct pending *p)
{
    uint8_t m[E2E_SKYPE_MODULUS_MAX + 4];
    size_t L = 0;
    int rc = E2E_ERR_MALFORMED;
    for (int i = 0; i < HALF_TRIES && rc == E2E_ERR_MALFORMED; i++) {
        E2E_TRY(e2e_random(ctx, p->half, sizeof p->half));
        rc = e2e_skype_halfkey_encrypt(hs->peer_key, m, sizeof m, &L, p->half);
    }
    if (rc == E2E_OK) {
        uint8_t block[128];
        e2e_skype_halfkey_block(block, p->half);
        e2e_trace_hex(ctx, "my key half x (128 bits)", p->half, 16);
        e2e_trace_hex(ctx, "x repeated 8 times = x * C, the 1024-bit RSA input", block, 128);
        e2e_trace_hex(ctx, "raw RSA ciphertext to the peer (no padding)", m, L);
        e2e_wipe(block, sizeof block);
        memcpy(m + L, p->salt, 4);
        rc = e2e__skype_write_signed(w, e2e_skype_identity_key(hs->me), m, L + 4);
    }
    e2e_wipe(m, sizeof m);
    return rc;
}

static int
write_hardened_key(e2e_skype_handshake *hs, const e2e_ctx *ctx, struct e2e_writer *w,
                   struct pending *p)
{
    uint8_t pt[20];
    size_t L = e2e_rsa_bytes(hs->peer_key), len = 0;
    E2E_TRY(e2e_random(ctx, p->half, sizeof p->half));
    memcpy(pt, p->half, 16);
    memcpy(pt + 16, p->salt, 4);
    e2e_write_u16_be(w, (uint16_t)L);
    uint8_t *ct = e2e_write_reserve(w, L);
    int rc =
        ct ? e2e_rsa_oaep_encrypt(hs->peer_key, ctx, ct, L, &len, pt, sizeof pt) : E2E_ERR_BUFFER;
    e2e_trace_hex(ctx, "my key half || salt, under OAEP to the peer", pt, sizeof pt);
    e2e_wipe(pt, sizeof pt);
    return rc;
}

/* Writes this side's tail of a flight (whose bytes so far are w->p[0..w->len]). */
static int
write_tail(e2e_skype_handshake *hs, const e2e_ctx *ctx, struct e2e_writer *w, struct pending *p)
{
    const e2e_rsa *me = e2e_skype_identity_key(hs->me);
    char role = hs->role == E2E_SKYPE_INITIATOR ? 'A' : 'B';
    E2E_TRY(e2e_random(ctx, p->salt, sizeof p->salt));
    e2e_trace_hex(ctx, "my counter salt", p->salt, 4);
    if (hs->mode == E2E_SKYPE_FAITHFUL) {
        uint8_t f[8];
        e2e_skype_challenge_transform(f, hs->n_peer);
        e2e_trace_hex(ctx, "peer's challenge N", hs->n_peer, 8);
        e2e_trace_hex(ctx, "answer f(N) = N + 1, signed ISO 9796-2 alone", f, 8);
        E2E_TRY(e2e__skype_write_signed(w, me, f, sizeof f));
        return write_faithful_key(hs, ctx, w, p);
    }
    E2E_TRY(write_hardened_key(hs, ctx, w, p));
    if (w->err)
        return w->err;
    uint8_t s[32], m[E2E__SKYPE_ANSWER_MAX];
    e2e__skype_transcript_next(s, hs->t, w->p, w->len);
    e2e_trace_hex(ctx, "transcript so far, s = SHA256(t || flight up to the answer)", s, 32);
    size_t mlen = e2e__skype_answer_message(m, role, hs->n_peer, s);
    e2e_trace_hex(ctx, "answer = label || role || f(N_peer) || s, signed", m, mlen);
    return e2e__skype_write_signed(w, me, m, mlen);
}

static int
read_faithful_tail(e2e_skype_handshake *hs, struct e2e_reader *r, const e2e_rsa *peer,
                   struct pending *p, struct e2e_report *why)
{
    const e2e_rsa *me = e2e_skype_identity_key(hs->me);
    uint8_t m[E2E_SKYPE_MODULUS_MAX + 4], f[8];
    size_t n = 0, L = e2e_rsa_bytes(me);
    int rc = e2e__skype_read_signed(r, peer, m, sizeof m, &n);
    if (rc != E2E_OK)
        return e2e_report_fail(why, rc, "answer_signature", "the answer's signature fails");
    e2e_skype_challenge_transform(f, hs->n_mine);
    if (n != 8 || memcmp(m, f, 8) != 0)
        return e2e_report_fail(why, E2E_ERR_AUTH, "answer",
                               "the signed answer is not f(our challenge): a stale or replayed "
                               "flight");
    rc = e2e__skype_read_signed(r, peer, m, sizeof m, &n);
    if (rc != E2E_OK)
        return e2e_report_fail(why, rc, "key_signature", "the key half's signature fails");
    if (n != L + 4)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "encoding", "key half of %zu bytes", n);
    rc = e2e_skype_halfkey_decrypt(me, p->half, m, L);
    memcpy(p->salt, m + L, 4);
    e2e_wipe(m, sizeof m);
    if (rc != E2E_OK)
        return e2e_report_fail(why, rc == E2E_ERR_MALFORMED ? E2E_ERR_AUTH : rc, "half",
                               "the key half is not 8 copies of one nonce");
    return E2E_OK;
}

static int
read_hardened_tail(e2e_skype_handshake *hs, struct e2e_reader *r, const e2e_rsa *peer,
                   struct pending *p, struct e2e_report *why)
{
    const e2e_rsa *me = e2e_skype_identity_key(hs->me);
    uint8_t pt[E2E_SKYPE_MODULUS_MAX], s[32], want[E2E__SKYPE_ANSWER_MAX], m[256];
    size_t len = 0, n = e2e_read_u16_be(r);
    const uint8_t *ct = e2e_read_view(r, n);
    if (!ct)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "encoding", "truncated key half");
    int rc = e2e_rsa_oaep_decrypt(me, pt, sizeof pt, &len, ct, n);
    if (rc == E2E_OK && len != 20)
        rc = E2E_ERR_AUTH;
    memcpy(p->half, pt, 16);
    memcpy(p->salt, pt + 16, 4);
    e2e_wipe(pt, sizeof pt);
    if (rc != E2E_OK)
        return e2e_report_fail(why, E2E_ERR_AUTH, "half", "the OAEP key half does not open");
    e2e__skype_transcript_next(s, hs->t, r->p, r->pos);
    size_t want_len =
        e2e__skype_answer_message(want, hs->role == E2E_SKYPE_INITIATOR ? 'B' : 'A', hs->n_mine, s);
    rc = e2e__skype_read_signed(r, peer, m, sizeof m, &n);
    if (rc != E2E_OK)
        return e2e_report_fail(why, rc, "answer_signature", "the answer's signature fails");
    if (n != want_len || memcmp(m, want, n) != 0)
        return e2e_report_fail(why, E2E_ERR_AUTH, "answer",
                               "the signed answer does not cover our challenge and this "
                               "transcript: a stale, replayed or spliced flight");
    return E2E_OK;
}

static int
read_tail(e2e_skype_handshake *hs, struct e2e_reader *r, const e2e_rsa *peer, struct pending *p,
          struct e2e_report *why)
{
    if (hs->mode == E2E_SKYPE_FAITHFUL)
        return read_faithful_tail(hs, r, peer, p, why);
    return read_hardened_tail(hs, r, peer, p, why);
}

/* ---- flights -------------------------------------------------------------------------------- */

static int
write_flight1(e2e_skype_handshake *hs, const e2e_ctx *ctx, struct e2e_writer *w, struct pending *p)
{
    E2E_TRY(e2e_random(ctx, p->n, sizeof p->n));
    e2e_trace_hex(ctx, "my 64-bit challenge N_A", p->n, 8);
    e2e_write_u8(w, 1);
    e2e_write_u8(w, hs->mode);
    e2e__skype_write_cert(w, hs->me);
    e2e_write_bytes(w, p->n, 8);
    if (w->err == E2E_OK)
        e2e__skype_transcript_start(p->t, w->p, w->len);
    return w->err;
}

static int
write_flight2(e2e_skype_handshake *hs, const e2e_ctx *ctx, struct e2e_writer *w, struct pending *p)
{
    E2E_TRY(e2e_random(ctx, p->n, sizeof p->n));
    e2e_trace_hex(ctx, "my 64-bit challenge N_B", p->n, 8);
    e2e_write_u8(w, 2);
    e2e__skype_write_cert(w, hs->me);
    e2e_write_bytes(w, p->n, 8);
    return write_tail(hs, ctx, w, p);
}

int
e2e_skype_handshake_write(e2e_skype_handshake *hs, const e2e_ctx *ctx, uint8_t *out, size_t cap,
                          size_t *len)
{
    if (!hs || !len || (!out && cap))
        return E2E_ERR_INVALID;
    const uint8_t *cert;
    size_t cert_len;
    if (e2e_skype_handshake_next(hs) != E2E_SKYPE_HS_WRITE ||
        e2e_skype_identity_cert(hs->me, &cert, &cert_len) != E2E_OK)
        return E2E_ERR_STATE; /* out of turn, or no certificate to show */
    struct pending p;
    struct e2e_writer w;
    memset(&p, 0, sizeof p);
    e2e_writer_init(&w, out, cap);
    int rc;
    if (hs->state == S_A_WRITE1) {
        rc = write_flight1(hs, ctx, &w, &p);
    } else if (hs->state == S_B_WRITE2) {
        rc = write_flight2(hs, ctx, &w, &p);
    } else {
        e2e_write_u8(&w, 3);
        rc = write_tail(hs, ctx, &w, &p);
    }
    if (rc == E2E_OK)
        rc = w.err;
    if (rc != E2E_OK) {
        pending_free(&p);
        return rc;
    }
    if (hs->state != S_A_WRITE3)
        memcpy(hs->n_mine, p.n, 8);
    if (hs->state == S_A_WRITE1) {
        memcpy(hs->t, p.t, 32);
        hs->state = S_A_READ2;
    } else {
        memcpy(hs->half_mine, p.half, 16);
        memcpy(hs->salt_mine, p.salt, 4);
        e2e__skype_transcript_next(hs->t, hs->t, w.p, w.len);
        hs->state = hs->state == S_B_WRITE2 ? S_B_READ3 : S_DONE;
    }
    *len = w.len;
    e2e_trace_hex(ctx, "skype handshake: flight written", w.p, w.len);
    pending_free(&p);
    return E2E_OK;
}

/* Flight 1 at B, flight 2 at A: the peer's certificate and challenge. */
static int
read_head(e2e_skype_handshake *hs, const e2e_ctx *ctx, struct e2e_reader *r, struct pending *p,
          struct e2e_report *why)
{
    E2E_TRY(e2e__skype_read_cert(r, hs->ca, ctx, hs->expected, &p->info, &p->key, why));
    e2e_read_bytes(r, p->n, 8);
    if (r->err)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "encoding", "truncated challenge");
    return E2E_OK;
}

static int
read_flight(e2e_skype_handshake *hs, const e2e_ctx *ctx, const uint8_t *in, size_t n,
            struct pending *p, struct e2e_report *why)
{
    struct e2e_reader r;
    e2e_reader_init(&r, in, n);
    uint8_t want = hs->state == S_B_READ1 ? 1 : hs->state == S_A_READ2 ? 2 : 3;
    uint8_t got = e2e_read_u8(&r);
    if (r.err || got != want)
        return e2e_report_fail(why, r.err ? E2E_ERR_MALFORMED : E2E_ERR_PROTOCOL, "flight",
                               "expected flight %u, got %u", want, got);
    if (want == 1 && e2e_read_u8(&r) != hs->mode)
        return e2e_report_fail(why, r.err ? E2E_ERR_MALFORMED : E2E_ERR_PROTOCOL, "mode",
                               "the caller asks for another mode than %s",
                               e2e_skype_mode_name(hs->mode));
    if (want != 3)
        E2E_TRY(read_head(hs, ctx, &r, p, why));
    if (want == 1)
        e2e__skype_transcript_start(p->t, in, n);
    if (want != 1)
        E2E_TRY(read_tail(hs, &r, p->key ? p->key : hs->peer_key, p, why));
    if (e2e_reader_done(&r) != E2E_OK)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "encoding", "trailing or missing bytes");
    return E2E_OK;
}

static void
commit_read(e2e_skype_handshake *hs, const uint8_t *in, size_t n, struct pending *p)
{
    if (p->key) {
        e2e_rsa_free(hs->peer_key);
        hs->peer_key = p->key;
        p->key = NULL;
        hs->peer = p->info;
        hs->have_peer = 1;
        memcpy(hs->n_peer, p->n, 8);
    }
    if (hs->state == S_B_READ1) {
        memcpy(hs->t, p->t, 32);
        hs->state = S_B_WRITE2;
        return;
    }
    memcpy(hs->half_peer, p->half, 16);
    memcpy(hs->salt_peer, p->salt, 4);
    e2e__skype_transcript_next(hs->t, hs->t, in, n);
    hs->state = hs->state == S_A_READ2 ? S_A_WRITE3 : S_DONE;
}

int
e2e_skype_handshake_read(e2e_skype_handshake *hs, const e2e_ctx *ctx, const uint8_t *in, size_t n,
                         struct e2e_report *why)
{
    e2e_report_clear(why);
    if (!hs || (!in && n))
        return e2e_report_fail(why, E2E_ERR_INVALID, "args", "missing argument");
    if (e2e_skype_handshake_next(hs) != E2E_SKYPE_HS_READ)
        return e2e_report_fail(why, E2E_ERR_STATE, "state", "the handshake expects no flight");
    struct pending p;
    memset(&p, 0, sizeof p);
    int rc = read_flight(hs, ctx, in, n, &p, why);
    if (rc == E2E_OK && hs->state != S_B_READ1) {
        e2e_trace_hex(ctx, "peer's key half, recovered", p.half, 16);
        e2e_trace_hex(ctx, "peer's counter salt", p.salt, 4);
    }
    if (rc == E2E_OK)
        commit_read(hs, in, n, &p);
    pending_free(&p);
    if (rc == E2E_OK)
        E2E_TRACE(ctx, "skype handshake: flight of %zu bytes from %s accepted", n, hs->peer.name);
    return rc;
}

/* Every derived key, for researchers following the derivation (E2E_LOG_TRACE only). */
static void
trace_keys(const e2e_ctx *ctx, const struct e2e_skype_session_params *p)
{
    struct e2e_skype_keys k;
    if (!e2e_log_enabled(ctx, E2E_LOG_TRACE) || e2e_skype_derive_keys(&k, p) != E2E_OK)
        return;
    e2e_trace_hex(ctx, "half_a (caller)", p->half_a, 16);
    e2e_trace_hex(ctx, "half_b (callee)", p->half_b, 16);
    e2e_trace_hex(ctx, "salt_a", p->salt_a, 4);
    e2e_trace_hex(ctx, "salt_b", p->salt_b, 4);
    if (p->mode == E2E_SKYPE_FAITHFUL) {
        e2e_trace_hex(ctx, "session key = half_a || half_b (both directions)", k.enc_ab, 32);
    } else {
        e2e_trace_hex(ctx, "final transcript t3 (HKDF salt)", p->transcript, 32);
        e2e_trace_hex(ctx, "HKDF -> enc_ab", k.enc_ab, 32);
        e2e_trace_hex(ctx, "HKDF -> enc_ba", k.enc_ba, 32);
        e2e_trace_hex(ctx, "HKDF -> mac_ab", k.mac_ab, 32);
        e2e_trace_hex(ctx, "HKDF -> mac_ba", k.mac_ba, 32);
    }
    e2e_wipe(&k, sizeof k);
}

int
e2e_skype_handshake_split(e2e_skype_handshake *hs, const e2e_ctx *ctx, e2e_skype_session **out)
{
    if (!hs || !out)
        return E2E_ERR_INVALID;
    if (hs->state != S_DONE)
        return E2E_ERR_STATE;
    struct e2e_skype_session_params p;
    memset(&p, 0, sizeof p);
    int a = hs->role == E2E_SKYPE_INITIATOR;
    p.mode = hs->mode;
    p.role = hs->role;
    memcpy(p.half_a, a ? hs->half_mine : hs->half_peer, 16);
    memcpy(p.half_b, a ? hs->half_peer : hs->half_mine, 16);
    memcpy(p.salt_a, a ? hs->salt_mine : hs->salt_peer, 4);
    memcpy(p.salt_b, a ? hs->salt_peer : hs->salt_mine, 4);
    if (hs->mode == E2E_SKYPE_HARDENED)
        memcpy(p.transcript, hs->t, 32);
    trace_keys(ctx, &p);
    int rc = e2e_skype_session_new(out, &p);
    e2e_wipe(&p, sizeof p);
    if (rc == E2E_OK) {
        e2e_wipe(hs->half_mine, 16);
        e2e_wipe(hs->half_peer, 16);
        hs->state = S_SPLIT;
    }
    return rc;
}

/* ---- persistence ---------------------------------------------------------------------------- */

#define HS_MAGIC   0x534B4853u /* "SKHS" */
#define HS_VERSION 1

static void
write_peer(struct e2e_writer *w, const struct e2e_skype_cert_info *c)
{
    size_t name_len = strlen(c->name);
    e2e_write_u8(w, (uint8_t)name_len);
    e2e_write_bytes(w, (const uint8_t *)c->name, name_len);
    e2e_write_u32_be(w, c->key_id);
    e2e_write_u32_be(w, c->valid_from);
    e2e_write_u32_be(w, c->valid_until);
    e2e_write_u32_be(w, c->ca_key);
    e2e_write_u16_be(w, (uint16_t)c->modulus_len);
    e2e_write_bytes(w, c->modulus, c->modulus_len);
    e2e_write_u16_be(w, (uint16_t)c->recovered_len);
    e2e_write_u16_be(w, (uint16_t)c->signed_len);
}

int
e2e_skype_handshake_serialize(const e2e_skype_handshake *hs, uint8_t *out, size_t cap, size_t *len)
{
    if (!hs || !len)
        return E2E_ERR_INVALID;
    struct e2e_writer w;
    e2e_writer_init(&w, out, cap);
    e2e__blob_head_write(&w, HS_MAGIC, HS_VERSION);
    e2e_write_u8(&w, hs->role);
    e2e_write_u8(&w, hs->mode);
    e2e_write_u8(&w, hs->state);
    size_t exp_len = strlen(hs->expected);
    e2e_write_u8(&w, (uint8_t)exp_len);
    e2e_write_bytes(&w, (const uint8_t *)hs->expected, exp_len);
    e2e_write_bytes(&w, hs->n_mine, 8);
    e2e_write_bytes(&w, hs->n_peer, 8);
    e2e_write_bytes(&w, hs->half_mine, 16);
    e2e_write_bytes(&w, hs->half_peer, 16);
    e2e_write_bytes(&w, hs->salt_mine, 4);
    e2e_write_bytes(&w, hs->salt_peer, 4);
    e2e_write_bytes(&w, hs->t, 32);
    e2e_write_u8(&w, hs->have_peer);
    if (hs->have_peer)
        write_peer(&w, &hs->peer);
    *len = w.len;
    return w.err ? w.err : E2E_OK;
}

static int
read_peer(struct e2e_reader *r, struct e2e_skype_cert_info *c)
{
    size_t name_len = e2e_read_u8(r);
    if (name_len > E2E_SKYPE_NAME_MAX)
        return E2E_ERR_MALFORMED;
    e2e_read_bytes(r, (uint8_t *)c->name, name_len);
    c->key_id = e2e_read_u32_be(r);
    c->valid_from = e2e_read_u32_be(r);
    c->valid_until = e2e_read_u32_be(r);
    c->ca_key = e2e_read_u32_be(r);
    c->modulus_len = e2e_read_u16_be(r);
    if (c->modulus_len > E2E_SKYPE_MODULUS_MAX)
        return E2E_ERR_MALFORMED;
    e2e_read_bytes(r, c->modulus, c->modulus_len);
    c->recovered_len = e2e_read_u16_be(r);
    c->signed_len = e2e_read_u16_be(r);
    if (r->err || e2e_skype_name_check(c->name, name_len) != E2E_OK)
        return E2E_ERR_MALFORMED;
    return E2E_OK;
}

/* The state must fit the role, and a peer is known exactly after its first flight. */
static int
state_ok(const e2e_skype_handshake *hs)
{
    int a = hs->role == E2E_SKYPE_INITIATOR;
    int known = hs->state == S_A_WRITE3 || hs->state == S_B_WRITE2 || hs->state == S_B_READ3 ||
                hs->state == S_DONE;
    if (hs->role > E2E_SKYPE_RESPONDER || hs->mode > E2E_SKYPE_HARDENED || hs->have_peer > 1)
        return 0;
    if (hs->state == S_DONE || hs->state == S_SPLIT)
        return hs->have_peer;
    return (a ? hs->state <= S_A_WRITE3 : hs->state >= S_B_READ1 && hs->state <= S_B_READ3) &&
           hs->state >= S_A_WRITE1 && known == hs->have_peer;
}

static int
read_handshake(struct e2e_reader *r, e2e_skype_handshake *hs)
{
    hs->role = e2e_read_u8(r);
    hs->mode = e2e_read_u8(r);
    hs->state = e2e_read_u8(r);
    size_t exp_len = e2e_read_u8(r);
    if (exp_len > E2E_SKYPE_NAME_MAX)
        return E2E_ERR_MALFORMED;
    e2e_read_bytes(r, (uint8_t *)hs->expected, exp_len);
    e2e_read_bytes(r, hs->n_mine, 8);
    e2e_read_bytes(r, hs->n_peer, 8);
    e2e_read_bytes(r, hs->half_mine, 16);
    e2e_read_bytes(r, hs->half_peer, 16);
    e2e_read_bytes(r, hs->salt_mine, 4);
    e2e_read_bytes(r, hs->salt_peer, 4);
    e2e_read_bytes(r, hs->t, 32);
    hs->have_peer = e2e_read_u8(r);
    if (r->err || !state_ok(hs) || memchr(hs->expected, 0, exp_len))
        return E2E_ERR_MALFORMED;
    if (hs->have_peer) {
        E2E_TRY(read_peer(r, &hs->peer));
        E2E_TRY(e2e_skype_cert_key(&hs->peer_key, &hs->peer));
    }
    return e2e_reader_done(r);
}

int
e2e_skype_handshake_parse(e2e_skype_handshake **out, const uint8_t *p, size_t n,
                          const e2e_skype_identity *me, const e2e_skype_ca *ca,
                          struct e2e_report *why)
{
    struct e2e_reader r;
    if (out)
        *out = NULL;
    E2E_TRY(e2e__skype_blob_begin(&r, out != NULL && me && ca, p, n, HS_MAGIC, HS_VERSION,
                                  "handshake", why));
    e2e_skype_handshake *hs = calloc(1, sizeof *hs);
    if (!hs)
        return E2E_ERR_NOMEM;
    hs->me = me;
    hs->ca = ca;
    int rc = read_handshake(&r, hs);
    if (rc != E2E_OK) {
        e2e_skype_handshake_free(hs);
        return e2e_report_fail(why, rc, "encoding", "handshake blob: bad field or length");
    }
    *out = hs;
    return E2E_OK;
}
