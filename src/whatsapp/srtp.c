/*
 * SRTP (RFC 3711): the §4.3 key derivation with labels 0..5 on AES-CM, session keys for
 * AES_CM_128_HMAC_SHA1_80 and AEAD_AES_256_GCM, and packet protection for
 * AES_CM_128_HMAC_SHA1_80 (checked against libsrtp2 in tests/whatsapp/test_srtp_oracle.c).
 */
#include <stdio.h>
#include <string.h>

#include <e2ekit/crypto.h>
#include <e2ekit/whatsapp.h>

#include "codec/rtp.h"
#include "core/log.h"
#include "core/util.h"

#define SRTP_TAG_LEN 10

const char *
e2e_srtp_profile_name(int profile)
{
    switch (profile) {
    case E2E_SRTP_AES_CM_128_HMAC_SHA1_80:
        return "AES_CM_128_HMAC_SHA1_80";
    case E2E_SRTP_AEAD_AES_256_GCM:
        return "AEAD_AES_256_GCM";
    default:
        return NULL;
    }
}

int
e2e_srtp_kdf(uint8_t *out, size_t out_len, const uint8_t *master_key, size_t master_key_len,
             const uint8_t *master_salt, size_t salt_len, unsigned label, uint64_t index,
             uint64_t kdr)
{
    e2e_aes_key k;
    uint8_t block0[16] = {0};
    if ((master_key_len != 16 && master_key_len != 32) || (salt_len != 14 && salt_len != 12) ||
        label > 5 || index >> 48 || (kdr && ((kdr & (kdr - 1)) || kdr > (1u << 24))) ||
        out_len > 65536 * 16)
        return E2E_ERR_INVALID;
    uint64_t r = kdr ? index / kdr : 0;
    memcpy(block0, master_salt, salt_len); /* a 12-byte salt is zero-extended on the right */
    block0[7] ^= (uint8_t)label;
    for (int i = 0; i < 6; i++)
        block0[8 + i] ^= (uint8_t)(r >> (40 - 8 * i));
    E2E_TRY(e2e_aes_setkey_enc(&k, master_key, master_key_len));
    memset(out, 0, out_len);
    int rc = e2e_aes_icm_xor(&k, block0, out, out_len, out);
    e2e_wipe(&k, sizeof k);
    return rc;
}

static int
derive(uint8_t *out, size_t n, const uint8_t *mk, size_t mkl, const uint8_t *ms, size_t msl,
       unsigned label, const e2e_ctx *ctx)
{
    E2E_TRY(e2e_srtp_kdf(out, n, mk, mkl, ms, msl, label, 0, 0));
    static const char *const names[6] = {"rtp cipher key",  "rtp auth key",  "rtp salt",
                                         "rtcp cipher key", "rtcp auth key", "rtcp salt"};
    if (e2e_log_enabled(ctx, E2E_LOG_TRACE)) {
        char what[48];
        snprintf(what, sizeof what, "srtp: label %u (%s)", label, names[label]);
        e2e_trace_hex(ctx, what, out, n);
    }
    return E2E_OK;
}

int
e2e_srtp_session_keys(struct e2e_srtp_keys *k, int profile, const uint8_t *master_key,
                      size_t master_key_len, const uint8_t *master_salt, size_t salt_len,
                      const e2e_ctx *ctx)
{
    size_t kl, sl, al;
    if (profile == E2E_SRTP_AES_CM_128_HMAC_SHA1_80 && master_key_len == 16 && salt_len == 14)
        kl = 16, sl = 14, al = 20;
    else if (profile == E2E_SRTP_AEAD_AES_256_GCM && master_key_len == 32 && salt_len == 12)
        kl = 32, sl = 12, al = 0;
    else
        return E2E_ERR_INVALID;
    struct e2e_srtp_keys t;
    memset(&t, 0, sizeof t);
    t.profile = (uint32_t)profile;
    const uint8_t *mk = master_key, *ms = master_salt;
    int rc = derive(t.rtp_key, kl, mk, kl, ms, sl, 0, ctx);
    if (rc == E2E_OK && al)
        rc = derive(t.rtp_auth, al, mk, kl, ms, sl, 1, ctx);
    if (rc == E2E_OK)
        rc = derive(t.rtp_salt, sl, mk, kl, ms, sl, 2, ctx);
    if (rc == E2E_OK)
        rc = derive(t.rtcp_key, kl, mk, kl, ms, sl, 3, ctx);
    if (rc == E2E_OK && al)
        rc = derive(t.rtcp_auth, al, mk, kl, ms, sl, 4, ctx);
    if (rc == E2E_OK)
        rc = derive(t.rtcp_salt, sl, mk, kl, ms, sl, 5, ctx);
    if (rc == E2E_OK)
        *k = t;
    e2e_wipe(&t, sizeof t);
    return rc;
}

/* ---- AES_CM_128_HMAC_SHA1_80 packets ------------------------------------------------------ */

int
e2e_srtp_stream_init(struct e2e_srtp_stream *s, const struct e2e_srtp_keys *k)
{
    uint8_t pad[64];
    if (k->profile != E2E_SRTP_AES_CM_128_HMAC_SHA1_80)
        return E2E_ERR_UNSUPPORTED;
    memset(s, 0, sizeof *s);
    E2E_TRY(e2e_aes_setkey_enc(&s->aes, k->rtp_key, 16));
    memcpy(s->salt, k->rtp_salt, 14);
    /* HMAC-SHA1 (RFC 2104) with the 20-byte key: the pad states are computed once */
    memset(pad, 0x36, sizeof pad);
    for (int i = 0; i < 20; i++)
        pad[i] ^= k->rtp_auth[i];
    e2e_sha1_init(&s->hmac_inner);
    e2e_sha1_update(&s->hmac_inner, pad, 64);
    for (int i = 0; i < 64; i++)
        pad[i] ^= 0x36 ^ 0x5c;
    e2e_sha1_init(&s->hmac_outer);
    e2e_sha1_update(&s->hmac_outer, pad, 64);
    e2e_wipe(pad, sizeof pad);
    return E2E_OK;
}

static void
srtp_tag(const struct e2e_srtp_stream *s, uint8_t tag[SRTP_TAG_LEN], const uint8_t *p, size_t n,
         uint32_t roc)
{
    e2e_sha1_ctx c = s->hmac_inner;
    uint8_t r[4], d[20];
    e2e_store32_be(r, roc);
    e2e_sha1_update(&c, p, n);
    e2e_sha1_update(&c, r, 4);
    e2e_sha1_final(&c, d);
    c = s->hmac_outer;
    e2e_sha1_update(&c, d, 20);
    e2e_sha1_final(&c, d);
    memcpy(tag, d, SRTP_TAG_LEN);
}

static int
srtp_crypt(const struct e2e_srtp_stream *s, uint8_t *p, size_t h, size_t n, uint32_t roc)
{
    uint8_t b0[16] = {0};
    uint64_t i = (uint64_t)roc << 16 | e2e_load16_be(p + 2);
    memcpy(b0, s->salt, 14);
    for (int k = 0; k < 4; k++)
        b0[4 + k] ^= p[8 + k]; /* SSRC */
    for (int k = 0; k < 6; k++)
        b0[8 + k] ^= (uint8_t)(i >> (40 - 8 * k));
    return e2e_aes_icm_xor(&s->aes, b0, p + h, n - h, p + h);
}

int
e2e_srtp_protect(const struct e2e_srtp_stream *s, uint8_t *pkt, size_t cap, size_t *len,
                 uint32_t roc)
{
    size_t n = *len, h = e2e__rtp_header_len(pkt, n);
    if (!h)
        return E2E_ERR_MALFORMED;
    if (cap < n + SRTP_TAG_LEN)
        return E2E_ERR_BUFFER;
    E2E_TRY(srtp_crypt(s, pkt, h, n, roc));
    srtp_tag(s, pkt + n, pkt, n, roc);
    *len = n + SRTP_TAG_LEN;
    return E2E_OK;
}

int
e2e_srtp_unprotect(const struct e2e_srtp_stream *s, uint8_t *pkt, size_t *len, uint32_t roc,
                   struct e2e_report *why)
{
    uint8_t tag[SRTP_TAG_LEN];
    size_t n = *len;
    size_t h = n > SRTP_TAG_LEN ? e2e__rtp_header_len(pkt, n - SRTP_TAG_LEN) : 0;
    if (!h)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "rtp-header",
                               "not an SRTP packet (RTP header, tag)");
    n -= SRTP_TAG_LEN;
    srtp_tag(s, tag, pkt, n, roc);
    if (!e2e_ct_equal(tag, pkt + n, SRTP_TAG_LEN))
        return e2e_report_fail(why, E2E_ERR_AUTH, "tag", "SRTP authentication tag differs");
    E2E_TRY(srtp_crypt(s, pkt, h, n, roc));
    *len = n;
    return E2E_OK;
}
