/*
 * The pieces the handshake's flights are made of: ISO 9796-2 signed blocks with message
 * recovery, certificates inside flights, and the transcript hashes of the hardened mode.
 */
#include <string.h>

#include <e2ekit/skype.h>

#include "core/log.h"
#include "core/util.h"
#include "skype/skype_internal.h"

/* signed block = signature length (2) | signature | M2 length (2) | M2 */
int
e2e__skype_write_signed(struct e2e_writer *w, const e2e_rsa *key, const uint8_t *m, size_t n)
{
    size_t L = e2e_rsa_bytes(key), sig_len = 0, inside = 0;
    e2e_write_u16_be(w, (uint16_t)L);
    uint8_t *sig = e2e_write_reserve(w, L);
    if (!sig)
        return E2E_ERR_BUFFER;
    E2E_TRY(e2e_iso9796_sign(key, sig, L, &sig_len, &inside, m, n));
    e2e_write_u16_be(w, (uint16_t)(n - inside));
    e2e_write_bytes(w, m + inside, n - inside);
    return w->err;
}

int
e2e__skype_read_signed(struct e2e_reader *r, const e2e_rsa *key, uint8_t *m, size_t cap, size_t *n)
{
    size_t sig_len = e2e_read_u16_be(r);
    const uint8_t *sig = e2e_read_view(r, sig_len);
    size_t m2_len = e2e_read_u16_be(r);
    const uint8_t *m2 = e2e_read_view(r, m2_len);
    if (r->err)
        return E2E_ERR_MALFORMED;
    size_t m1_len = 0;
    int rc = e2e_iso9796_verify(key, m, cap, &m1_len, sig, sig_len, m2, m2_len);
    if (rc != E2E_OK)
        return rc == E2E_ERR_BUFFER ? E2E_ERR_MALFORMED : E2E_ERR_AUTH;
    if (m2_len > cap - m1_len)
        return E2E_ERR_MALFORMED;
    if (m2_len)
        memcpy(m + m1_len, m2, m2_len);
    *n = m1_len + m2_len;
    return E2E_OK;
}

void
e2e__skype_write_cert(struct e2e_writer *w, const e2e_skype_identity *me)
{
    const uint8_t *cert = NULL;
    size_t len = 0;
    if (e2e_skype_identity_cert(me, &cert, &len) != E2E_OK) {
        w->err = E2E_ERR_STATE;
        return;
    }
    e2e_write_u16_be(w, (uint16_t)len);
    e2e_write_bytes(w, cert, len);
}

int
e2e__skype_read_cert(struct e2e_reader *r, const e2e_skype_ca *ca, const e2e_ctx *ctx,
                     const char *expected, struct e2e_skype_cert_info *info, e2e_rsa **key,
                     struct e2e_report *why)
{
    size_t len = e2e_read_u16_be(r);
    const uint8_t *cert = e2e_read_view(r, len);
    if (!cert)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "encoding", "truncated certificate");
    E2E_TRY(e2e_skype_cert_verify(info, ca, ctx, cert, len, why));
    if (expected && expected[0] && strcmp(expected, info->name) != 0)
        return e2e_report_fail(why, E2E_ERR_UNTRUSTED, "peer_name",
                               "the peer is certified as %s, not %s", info->name, expected);
    int rc = e2e_skype_cert_key(key, info);
    if (rc != E2E_OK)
        return e2e_report_fail(why, E2E_ERR_UNTRUSTED, "peer_key",
                               "the certified key of %s is not usable (%s)", info->name,
                               e2e_err_name(rc));
    return E2E_OK;
}

/* ---- the hardened transcript ---------------------------------------------------------------- */

static const char transcript_label[] = "e2ekit skype hardened v1 transcript";
static const char answer_label[] = "e2ekit skype hardened v1 answer";

void
e2e__skype_transcript_start(uint8_t t[32], const uint8_t *flight1, size_t n)
{
    e2e_sha256_ctx c;
    e2e_sha256_init(&c);
    e2e_sha256_update(&c, transcript_label, sizeof transcript_label - 1);
    e2e_sha256_update(&c, flight1, n);
    e2e_sha256_final(&c, t);
}

void
e2e__skype_transcript_next(uint8_t out[32], const uint8_t t[32], const uint8_t *p, size_t n)
{
    e2e_sha256_ctx c;
    e2e_sha256_init(&c);
    e2e_sha256_update(&c, t, 32);
    e2e_sha256_update(&c, p, n);
    e2e_sha256_final(&c, out);
}

size_t
e2e__skype_answer_message(uint8_t *m, char role, const uint8_t peer_challenge[8],
                          const uint8_t s[32])
{
    size_t k = sizeof answer_label - 1;
    memcpy(m, answer_label, k);
    m[k] = (uint8_t)role;
    e2e_skype_challenge_transform(m + k + 1, peer_challenge);
    memcpy(m + k + 9, s, 32);
    return k + 9 + 32;
}
