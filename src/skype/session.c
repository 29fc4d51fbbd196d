/*
 * Skype sessions: AES-256 ICM packets on several streams (Berson 3.2.1), with the faithful CRC
 * trailer or the hardened HMAC tag, a replay window per stream, and the session lifetime.
 */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/skype.h>

#include "core/log.h"
#include "core/util.h"
#include "skype/skype_internal.h"

_Static_assert(E2E_SKYPE_REPLAY_WINDOW <= E2E_REPLAY_WINDOW_MAX, "window too large");

struct stream {
    uint64_t next_seq;           /* to send; 2^32 when spent */
    struct e2e_replay_window rw; /* sequence numbers accepted (32-bit) */
};

struct e2e_skype_session {
    struct e2e_skype_session_params p; /* kept for _serialize; keys are re-derived on _parse */
    e2e_aes_key enc_send, enc_recv;
    e2e_hmac_sha256_ctx mac_send, mac_recv;
    const uint8_t *salt_mine, *salt_peer; /* point into p */
    struct stream streams[E2E_SKYPE_MAX_STREAMS];
    uint64_t closed_at_ms; /* 0 while the call runs */
    uint8_t expired;
};

static void
wipe_keys(e2e_skype_session *s)
{
    e2e_wipe(&s->enc_send, sizeof s->enc_send);
    e2e_wipe(&s->enc_recv, sizeof s->enc_recv);
    e2e_wipe(&s->mac_send, sizeof s->mac_send);
    e2e_wipe(&s->mac_recv, sizeof s->mac_recv);
    e2e_wipe(s->p.half_a, sizeof s->p.half_a);
    e2e_wipe(s->p.half_b, sizeof s->p.half_b);
    e2e_wipe(s->p.transcript, sizeof s->p.transcript);
}

/* Expands the keys of s->p for this side. */
static int
setup_keys(e2e_skype_session *s)
{
    struct e2e_skype_keys k;
    int rc = e2e_skype_derive_keys(&k, &s->p);
    int a = s->p.role == E2E_SKYPE_INITIATOR;
    if (rc == E2E_OK)
        rc = e2e_aes_setkey_enc(&s->enc_send, a ? k.enc_ab : k.enc_ba, 32);
    if (rc == E2E_OK)
        rc = e2e_aes_setkey_enc(&s->enc_recv, a ? k.enc_ba : k.enc_ab, 32);
    if (rc == E2E_OK && s->p.mode == E2E_SKYPE_HARDENED) {
        e2e_hmac_sha256_init(&s->mac_send, a ? k.mac_ab : k.mac_ba, 32);
        e2e_hmac_sha256_init(&s->mac_recv, a ? k.mac_ba : k.mac_ab, 32);
    }
    s->salt_mine = a ? s->p.salt_a : s->p.salt_b;
    s->salt_peer = a ? s->p.salt_b : s->p.salt_a;
    e2e_wipe(&k, sizeof k);
    return rc;
}

int
e2e_skype_session_new(e2e_skype_session **out, const struct e2e_skype_session_params *p)
{
    if (!out || !p || (p->role != E2E_SKYPE_INITIATOR && p->role != E2E_SKYPE_RESPONDER))
        return E2E_ERR_INVALID;
    *out = NULL;
    e2e_skype_session *s = calloc(1, sizeof *s);
    if (!s)
        return E2E_ERR_NOMEM;
    s->p = *p;
    int rc = setup_keys(s);
    if (rc != E2E_OK) {
        e2e_skype_session_free(s);
        return rc;
    }
    *out = s;
    return E2E_OK;
}

void
e2e_skype_session_free(e2e_skype_session *s)
{
    if (!s)
        return;
    e2e_wipe(s, sizeof *s);
    free(s);
}

int
e2e_skype_session_mode(const e2e_skype_session *s)
{
    return s->p.mode;
}

int
e2e_skype_session_role(const e2e_skype_session *s)
{
    return s->p.role;
}

static size_t
trailer_len(const e2e_skype_session *s)
{
    return s->p.mode == E2E_SKYPE_HARDENED ? E2E_SKYPE_TAG_BYTES : E2E_SKYPE_CRC_BYTES;
}

size_t
e2e_skype_session_overhead(const e2e_skype_session *s)
{
    return E2E_SKYPE_HEADER_BYTES + trailer_len(s);
}

uint32_t
e2e_skype_session_next_seq(const e2e_skype_session *s, unsigned stream)
{
    if (stream >= E2E_SKYPE_MAX_STREAMS)
        return 0;
    return (uint32_t)s->streams[stream].next_seq;
}

/* ---- lifetime ------------------------------------------------------------------------------- */

void
e2e_skype_session_close(e2e_skype_session *s, const e2e_ctx *ctx)
{
    if (s && !s->closed_at_ms)
        s->closed_at_ms = E2E_MAX(e2e_now_ms(ctx), 1);
}

/* E2E_ERR_STATE once the linger time after _close has passed; the keys are wiped then. */
static int
check_alive(e2e_skype_session *s, const e2e_ctx *ctx)
{
    if (s->expired)
        return E2E_ERR_STATE;
    if (!s->closed_at_ms || e2e_now_ms(ctx) < s->closed_at_ms + E2E_SKYPE_SESSION_LINGER_MS)
        return E2E_OK;
    wipe_keys(s);
    s->expired = 1;
    E2E_TRACE(ctx, "skype session: linger time over, keys wiped");
    return E2E_ERR_STATE;
}

/* ---- the trailer ---------------------------------------------------------------------------- */

static void
tag(uint8_t out[E2E_SKYPE_TAG_BYTES], const e2e_hmac_sha256_ctx *key, const uint8_t *p, size_t n)
{
    e2e_hmac_sha256_ctx c = *key;
    uint8_t full[32];
    e2e_hmac_sha256_update(&c, p, n);
    e2e_hmac_sha256_final(&c, full);
    memcpy(out, full, E2E_SKYPE_TAG_BYTES);
    e2e_wipe(full, sizeof full);
}

/* Writes the trailer after header || ciphertext (len bytes at pkt). */
static void
write_trailer(const e2e_skype_session *s, uint8_t *pkt, size_t len, uint64_t pi)
{
    if (s->p.mode == E2E_SKYPE_HARDENED)
        tag(pkt + len, &s->mac_send, pkt, len);
    else
        e2e_store16_be(pkt + len, e2e_skype_crc_trailer(pkt + E2E_SKYPE_HEADER_BYTES,
                                                        len - E2E_SKYPE_HEADER_BYTES, pi));
}

static int
check_trailer(const e2e_skype_session *s, const uint8_t *pkt, size_t len, uint64_t pi,
              struct e2e_report *why)
{
    if (s->p.mode == E2E_SKYPE_HARDENED) {
        uint8_t t[E2E_SKYPE_TAG_BYTES];
        tag(t, &s->mac_recv, pkt, len);
        if (!e2e_ct_equal(t, pkt + len, sizeof t))
            return e2e_report_fail(why, E2E_ERR_AUTH, "mac",
                                   "HMAC-SHA256 tag of packet %llu differs",
                                   (unsigned long long)(pi & 0xFFFFFFFFu));
        return E2E_OK;
    }
    uint16_t want =
        e2e_skype_crc_trailer(pkt + E2E_SKYPE_HEADER_BYTES, len - E2E_SKYPE_HEADER_BYTES, pi);
    if (e2e_load16_be(pkt + len) != want)
        return e2e_report_fail(why, E2E_ERR_AUTH, "crc",
                               "CRC trailer of packet %llu differs (damaged, or not this session)",
                               (unsigned long long)(pi & 0xFFFFFFFFu));
    return E2E_OK;
}

/* ---- encrypt -------------------------------------------------------------------------------- */

int
e2e_skype_session_encrypt(e2e_skype_session *s, const e2e_ctx *ctx, unsigned stream,
                          const uint8_t *pt, size_t n, uint8_t *out, size_t out_cap,
                          size_t *out_len)
{
    if (!s || !out || !out_len || (!pt && n) || stream >= E2E_SKYPE_MAX_STREAMS ||
        n > E2E_SKYPE_MAX_PAYLOAD)
        return E2E_ERR_INVALID;
    E2E_TRY(check_alive(s, ctx));
    size_t total = n + e2e_skype_session_overhead(s);
    if (out_cap < total)
        return E2E_ERR_BUFFER;
    struct stream *st = &s->streams[stream];
    if (st->next_seq > 0xFFFFFFFFu)
        return E2E_ERR_LIMIT;
    uint64_t pi = e2e_skype_packet_index(stream, (uint32_t)st->next_seq);
    uint8_t block0[16];
    e2e_skype_icm_block0(block0, s->salt_mine, s->salt_peer, pi);
    E2E_TRY(e2e_aes_icm_xor(&s->enc_send, block0, pt, n, out + E2E_SKYPE_HEADER_BYTES));
    e2e_store16_be(out, (uint16_t)(pi >> 32));
    e2e_store32_be(out + 2, (uint32_t)pi);
    write_trailer(s, out, E2E_SKYPE_HEADER_BYTES + n, pi);
    st->next_seq++;
    *out_len = total;
    if (e2e_log_enabled(ctx, E2E_LOG_TRACE)) {
        E2E_TRACE(ctx, "skype %s encrypt: stream %u seq %llu, %zu bytes",
                  e2e_skype_mode_name(s->p.mode), stream, (unsigned long long)(st->next_seq - 1),
                  n);
        e2e_trace_hex(ctx, "ICM block0 = salt_send:salt_recv:packet_index:0", block0, 16);
        e2e_trace_hex(ctx, "trailer", out + E2E_SKYPE_HEADER_BYTES + n, trailer_len(s));
    }
    return E2E_OK;
}

/* ---- replay window -------------------------------------------------------------------------- */

/* Whether seq may be accepted; nothing changes. On top of the shared window, Skype's policy:
 * 128 packets back, at most E2E_SKYPE_MAX_JUMP ahead. */
static int
replay_check(const struct stream *st, uint32_t seq, struct e2e_report *why)
{
    if (st->rw.have && seq > st->rw.top && seq - st->rw.top > E2E_SKYPE_MAX_JUMP)
        return e2e_report_fail(why, E2E_ERR_TOO_FAR, "too_far",
                               "sequence %u is more than %u ahead of %u", seq, E2E_SKYPE_MAX_JUMP,
                               (uint32_t)st->rw.top);
    switch (e2e_replay_check(&st->rw, seq, E2E_SKYPE_REPLAY_WINDOW)) {
    case E2E_REPLAY_TOO_OLD:
        return e2e_report_fail(why, E2E_ERR_DUPLICATE, "replay_window",
                               "sequence %u is older than the %u-packet window below %u", seq,
                               E2E_SKYPE_REPLAY_WINDOW, (uint32_t)st->rw.top);
    case E2E_REPLAY_SEEN:
        return e2e_report_fail(why, E2E_ERR_DUPLICATE, "duplicate",
                               "sequence %u was already received", seq);
    default:
        return E2E_OK;
    }
}

/* ---- decrypt -------------------------------------------------------------------------------- */

int
e2e_skype_session_decrypt(e2e_skype_session *s, const e2e_ctx *ctx, const uint8_t *pkt, size_t n,
                          uint8_t *pt, size_t pt_cap, size_t *pt_len, unsigned *stream_out,
                          struct e2e_report *why)
{
    e2e_report_clear(why);
    if (!s || !pkt || !pt_len || (!pt && pt_cap))
        return e2e_report_fail(why, E2E_ERR_INVALID, "args", "missing argument");
    int rc = check_alive(s, ctx);
    if (rc != E2E_OK)
        return e2e_report_fail(why, rc, "expired", "the session ended and its keys are wiped");
    size_t over = e2e_skype_session_overhead(s);
    if (n < over || n - over > E2E_SKYPE_MAX_PAYLOAD)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "length", "packet of %zu bytes", n);
    size_t len = n - over;
    uint64_t pi = (uint64_t)e2e_load16_be(pkt) << 32 | e2e_load32_be(pkt + 2);
    unsigned stream = (unsigned)(pi >> 32);
    uint32_t seq = (uint32_t)pi;
    if (stream >= E2E_SKYPE_MAX_STREAMS)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "stream", "unknown stream %u", stream);
    if (pt_cap < len)
        return e2e_report_fail(why, E2E_ERR_BUFFER, "buffer", "need %zu bytes", len);
    struct stream *st = &s->streams[stream];
    E2E_TRY(replay_check(st, seq, why));
    E2E_TRY(check_trailer(s, pkt, E2E_SKYPE_HEADER_BYTES + len, pi, why));
    uint8_t block0[16];
    e2e_skype_icm_block0(block0, s->salt_peer, s->salt_mine, pi);
    rc = e2e_aes_icm_xor(&s->enc_recv, block0, pkt + E2E_SKYPE_HEADER_BYTES, len, pt);
    if (rc != E2E_OK)
        return e2e_report_fail(why, rc, "length", "payload too long for ICM");
    e2e_replay_commit(&st->rw, seq);
    *pt_len = len;
    if (stream_out)
        *stream_out = stream;
    if (e2e_log_enabled(ctx, E2E_LOG_TRACE)) {
        E2E_TRACE(ctx, "skype %s decrypt: stream %u seq %u, %zu bytes, trailer ok",
                  e2e_skype_mode_name(s->p.mode), stream, seq, len);
        e2e_trace_hex(ctx, "ICM block0 = salt_send:salt_recv:packet_index:0", block0, 16);
    }
    return E2E_OK;
}

/* ---- one packet, no session state ------------------------------------------------------------ */

int
e2e_skype_packet_encrypt(const struct e2e_skype_session_params *p, unsigned stream, uint32_t seq,
                         const uint8_t *pt, size_t n, uint8_t *out, size_t out_cap, size_t *out_len)
{
    if (stream >= E2E_SKYPE_MAX_STREAMS)
        return E2E_ERR_INVALID;
    e2e_skype_session *s;
    E2E_TRY(e2e_skype_session_new(&s, p));
    s->streams[stream].next_seq = seq;
    int rc = e2e_skype_session_encrypt(s, NULL, stream, pt, n, out, out_cap, out_len);
    e2e_skype_session_free(s);
    return rc;
}

int
e2e_skype_packet_decrypt(const struct e2e_skype_session_params *p, const uint8_t *pkt, size_t n,
                         uint8_t *pt, size_t pt_cap, size_t *pt_len, struct e2e_report *why)
{
    e2e_skype_session *s;
    int rc = e2e_skype_session_new(&s, p);
    if (rc != E2E_OK)
        return e2e_report_fail(why, rc, "args", "bad session parameters");
    rc = e2e_skype_session_decrypt(s, NULL, pkt, n, pt, pt_cap, pt_len, NULL, why);
    e2e_skype_session_free(s);
    return rc;
}

/* ---- persistence ---------------------------------------------------------------------------- */

#define SESSION_MAGIC   0x534B5353u /* "SKSS" */
#define SESSION_VERSION 1

int
e2e_skype_session_serialize(const e2e_skype_session *s, uint8_t *out, size_t cap, size_t *len)
{
    if (!s || !len)
        return E2E_ERR_INVALID;
    struct e2e_writer w;
    e2e_writer_init(&w, out, cap);
    e2e__blob_head_write(&w, SESSION_MAGIC, SESSION_VERSION);
    e2e_write_u8(&w, (uint8_t)s->p.mode);
    e2e_write_u8(&w, (uint8_t)s->p.role);
    e2e_write_bytes(&w, s->p.half_a, 16);
    e2e_write_bytes(&w, s->p.half_b, 16);
    e2e_write_bytes(&w, s->p.salt_a, 4);
    e2e_write_bytes(&w, s->p.salt_b, 4);
    e2e_write_bytes(&w, s->p.transcript, 32);
    e2e_write_u64_be(&w, s->closed_at_ms);
    e2e_write_u8(&w, s->expired);
    for (size_t i = 0; i < E2E_SKYPE_MAX_STREAMS; i++) {
        const struct stream *st = &s->streams[i];
        e2e_write_u64_be(&w, st->next_seq);
        e2e_write_u8(&w, (uint8_t)st->rw.have);
        e2e_write_u32_be(&w, (uint32_t)st->rw.top);
        for (size_t j = 0; j < 2; j++)
            e2e_write_u64_be(&w, st->rw.bits[j]);
    }
    *len = w.len;
    return w.err ? w.err : E2E_OK;
}

static void
read_stream(struct e2e_reader *r, struct stream *st)
{
    st->next_seq = e2e_read_u64_be(r);
    st->rw.have = e2e_read_u8(r);
    st->rw.top = e2e_read_u32_be(r);
    int any = 0;
    for (size_t j = 0; j < 2; j++) {
        st->rw.bits[j] = e2e_read_u64_be(r);
        any |= st->rw.bits[j] != 0;
    }
    /* canonical: a fresh stream has no window; the top is always in its own window */
    if (st->next_seq > 0x100000000u || st->rw.have > 1 || (!st->rw.have && (st->rw.top || any)) ||
        (st->rw.have && !(st->rw.bits[0] & 1)))
        e2e_reader_fail(r, E2E_ERR_MALFORMED);
}

static void
read_session(struct e2e_reader *r, e2e_skype_session *s)
{
    s->p.mode = e2e_read_u8(r);
    s->p.role = e2e_read_u8(r);
    e2e_read_bytes(r, s->p.half_a, 16);
    e2e_read_bytes(r, s->p.half_b, 16);
    e2e_read_bytes(r, s->p.salt_a, 4);
    e2e_read_bytes(r, s->p.salt_b, 4);
    e2e_read_bytes(r, s->p.transcript, 32);
    s->closed_at_ms = e2e_read_u64_be(r);
    s->expired = e2e_read_u8(r);
    for (size_t i = 0; i < E2E_SKYPE_MAX_STREAMS; i++)
        read_stream(r, &s->streams[i]);
    if ((s->p.mode != E2E_SKYPE_FAITHFUL && s->p.mode != E2E_SKYPE_HARDENED) ||
        (s->p.role != E2E_SKYPE_INITIATOR && s->p.role != E2E_SKYPE_RESPONDER) || s->expired > 1)
        e2e_reader_fail(r, E2E_ERR_MALFORMED);
}

int
e2e_skype_session_parse(e2e_skype_session **out, const uint8_t *p, size_t n, struct e2e_report *why)
{
    struct e2e_reader r;
    if (out)
        *out = NULL;
    E2E_TRY(e2e__skype_blob_begin(&r, out != NULL, p, n, SESSION_MAGIC, SESSION_VERSION, "session",
                                  why));
    e2e_skype_session *s = calloc(1, sizeof *s);
    if (!s)
        return E2E_ERR_NOMEM;
    read_session(&r, s);
    int rc = e2e_reader_done(&r);
    if (rc != E2E_OK) {
        e2e_skype_session_free(s);
        return e2e_report_fail(why, rc, "encoding", "session blob: bad field or length");
    }
    rc = setup_keys(s);
    if (rc == E2E_OK && s->expired)
        wipe_keys(s);
    if (rc != E2E_OK) {
        e2e_skype_session_free(s);
        return e2e_report_fail(why, rc, "keys", "session keys could not be set up");
    }
    *out = s;
    return E2E_OK;
}
