/*
 * Call media (reference/viber.md 5: "the RTP stream is converted to SRTP and encrypted with
 * Salsa20 using the session key"). libsrtp has no Salsa20 profile, so we define an RFC 3711
 * shaped transform (docs/protocols/viber.md, "Call media"):
 *
 *   EncKey || AuthKey = HKDF-Expand(CallKey, "viber media" || direction, 64)
 *   index = ROC * 2^16 + SEQ (RFC 3711 3.3.1, ROC estimated as in appendix A)
 *   payload ^= Salsa20(EncKey, nonce = BE32(SSRC) || BE32(ROC), block = SEQ * 2^16)
 *   tag = HMAC-SHA256(AuthKey, header || encrypted payload || BE32(ROC))[0..10)
 *
 * A payload needs fewer than 2^16 blocks, so (SSRC, ROC, SEQ, block) never repeats under one
 * key. Replay window of 128 packets; the receiver commits ROC and window only after the tag.
 */
#include "codec/rtp.h"
#include "viber/viber_internal.h"

#define RTP_MAX 65535u /* an RTP packet rides in one UDP datagram */

void
e2e_viber_media_init_key(struct e2e_viber_media *m, const uint8_t call_key[32], uint8_t dir_byte)
{
    uint8_t info[sizeof VB_L_MEDIA], auth_key[32];
    memset(m, 0, sizeof *m);
    memcpy(info, VB_L_MEDIA, sizeof VB_L_MEDIA - 1);
    info[sizeof VB_L_MEDIA - 1] = dir_byte;
    e2e__vb_expand64(m->enc_key, auth_key, call_key, info, sizeof info);
    e2e_hmac_sha256_init(&m->auth, auth_key, 32);
    e2e_wipe(auth_key, sizeof auth_key);
}

int
e2e_viber_media_init(struct e2e_viber_media *m, const e2e_ctx *ctx, const struct e2e_viber_call *c,
                     int dir)
{
    if (!m || !c || (dir != E2E_VIBER_MEDIA_SEND && dir != E2E_VIBER_MEDIA_RECV))
        return E2E_ERR_INVALID;
    if (c->state != 2)
        return E2E_ERR_STATE;
    /* the caller sends on direction 1 and receives on 2; the callee the other way round */
    int caller_to_callee = (c->role == E2E_VIBER_CALLER) == (dir == E2E_VIBER_MEDIA_SEND);
    e2e_viber_media_init_key(m, c->call_key, caller_to_callee ? 1 : 2);
    E2E_TRACE(ctx, "viber media: %s keys, direction %d (1 caller -> callee, 2 callee -> caller)",
              dir == E2E_VIBER_MEDIA_SEND ? "send" : "receive", caller_to_callee ? 1 : 2);
    e2e_trace_hex(ctx, "viber media: EncKey = HKDF-Expand(CallKey, \"viber media\" || d)[0..32)",
                  m->enc_key, 32);
    return E2E_OK;
}

void
e2e_viber_media_wipe(struct e2e_viber_media *m)
{
    if (m)
        e2e_wipe(m, sizeof *m);
}

static void
media_tag(uint8_t tag[E2E_VIBER_MEDIA_TAG_LEN], const struct e2e_viber_media *m, const uint8_t *pkt,
          size_t n, uint32_t roc)
{
    e2e_hmac_sha256_ctx c = m->auth;
    uint8_t r[4], full[32];
    e2e_store32_be(r, roc);
    e2e_hmac_sha256_update(&c, pkt, n);
    e2e_hmac_sha256_update(&c, r, 4);
    e2e_hmac_sha256_final(&c, full);
    memcpy(tag, full, E2E_VIBER_MEDIA_TAG_LEN);
    e2e_wipe(full, sizeof full);
}

static void
media_xor(const struct e2e_viber_media *m, uint8_t *p, size_t n, uint32_t ssrc, uint32_t roc,
          uint16_t seq)
{
    uint8_t nonce[8];
    e2e_store32_be(nonce, ssrc);
    e2e_store32_be(nonce + 4, roc);
    if (n && e2e_salsa20_xor(p, p, n, nonce, (uint64_t)seq << 16, m->enc_key, 32) != E2E_OK)
        memset(p, 0, n);
}

/* RFC 3711 appendix A: the ROC the sender most likely used for seq. */
static int64_t
guess_roc(const struct e2e_viber_media *m, uint16_t seq)
{
    if (!m->rw.have)
        return 0;
    int64_t roc = (int64_t)(m->rw.top >> 16);
    uint16_t s_l = (uint16_t)m->rw.top;
    if (s_l < 32768)
        return seq - s_l > 32768 ? roc - 1 : roc;
    return s_l - 32768 > seq ? roc + 1 : roc;
}

int
e2e_viber_media_protect(struct e2e_viber_media *m, uint8_t *pkt, size_t len, size_t cap,
                        size_t *out_len)
{
    if (!m || !pkt || !out_len)
        return E2E_ERR_INVALID;
    size_t h = e2e__rtp_header_len(pkt, len);
    if (!h || len > RTP_MAX - E2E_VIBER_MEDIA_TAG_LEN)
        return E2E_ERR_MALFORMED;
    if (cap < len + E2E_VIBER_MEDIA_TAG_LEN)
        return E2E_ERR_BUFFER;
    uint32_t ssrc = e2e_load32_be(pkt + 8);
    uint16_t seq = e2e_load16_be(pkt + 2);
    if (m->ssrc_set && ssrc != m->ssrc)
        return E2E_ERR_PROTOCOL;
    int64_t roc = guess_roc(m, seq);
    if (roc < 0 || roc > UINT32_MAX)
        return E2E_ERR_LIMIT;
    media_xor(m, pkt + h, len - h, ssrc, (uint32_t)roc, seq);
    media_tag(pkt + len, m, pkt, len, (uint32_t)roc);
    m->ssrc = ssrc;
    m->ssrc_set = 1;
    e2e_replay_commit(&m->rw, (uint64_t)roc << 16 | seq);
    *out_len = len + E2E_VIBER_MEDIA_TAG_LEN;
    return E2E_OK;
}

int
e2e_viber_media_unprotect(struct e2e_viber_media *m, uint8_t *pkt, size_t len, size_t *out_len,
                          struct e2e_report *why)
{
    uint8_t tag[E2E_VIBER_MEDIA_TAG_LEN];
    e2e_report_clear(why);
    if (!m || !pkt || !out_len)
        return E2E_ERR_INVALID;
    size_t h =
        len >= E2E_VIBER_MEDIA_TAG_LEN ? e2e__rtp_header_len(pkt, len - E2E_VIBER_MEDIA_TAG_LEN) : 0;
    if (!h || len > RTP_MAX)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "rtp", "not a protected RTP packet");
    size_t n = len - E2E_VIBER_MEDIA_TAG_LEN;
    uint32_t ssrc = e2e_load32_be(pkt + 8);
    uint16_t seq = e2e_load16_be(pkt + 2);
    if (m->ssrc_set && ssrc != m->ssrc)
        return e2e_report_fail(why, E2E_ERR_PROTOCOL, "ssrc", "packet of SSRC %08x, stream is %08x",
                               ssrc, m->ssrc);
    int64_t roc = guess_roc(m, seq);
    uint64_t index = roc < 0 ? 0 : (uint64_t)roc << 16 | seq;
    if (roc < 0 || roc > UINT32_MAX ||
        e2e_replay_check(&m->rw, index, E2E_VIBER_MEDIA_WINDOW) != E2E_REPLAY_NEW)
        return e2e_report_fail(why, E2E_ERR_DUPLICATE, "replay",
                               "packet %u replayed or behind the %u-packet window", seq,
                               E2E_VIBER_MEDIA_WINDOW);
    media_tag(tag, m, pkt, n, (uint32_t)roc);
    if (!e2e_ct_equal(tag, pkt + n, E2E_VIBER_MEDIA_TAG_LEN))
        return e2e_report_fail(why, E2E_ERR_AUTH, "tag", "media tag of packet %u differs", seq);
    media_xor(m, pkt + h, n - h, ssrc, (uint32_t)roc, seq);
    m->ssrc = ssrc;
    m->ssrc_set = 1;
    e2e_replay_commit(&m->rw, index);
    *out_len = n;
    return E2E_OK;
}
