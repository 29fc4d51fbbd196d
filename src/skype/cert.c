/*
 * Identity certificates: {name, public key, key id, validity} signed by the authority with
 * ISO/IEC 9796-2 scheme 1 and SHA-1 (Vanilla Skype part 2, "credentials"), total recovery when
 * the data fits in the representative, partial recovery otherwise.
 */
#include <string.h>

#include <e2ekit/skype.h>

#include "core/log.h"
#include "core/util.h"
#include "skype/skype_internal.h"

static const uint8_t f4[3] = {0x01, 0x00, 0x01};

/* The signed data M (layout in skype.h). */
static int
encode_data(uint8_t *m, size_t cap, size_t *len, const struct e2e_skype_cert_info *info)
{
    size_t name_len = strnlen(info->name, sizeof info->name);
    if (e2e_skype_name_check(info->name, name_len) != E2E_OK || info->modulus_len < 128 ||
        info->modulus_len > E2E_SKYPE_MODULUS_MAX || info->modulus[0] == 0 ||
        info->valid_from > info->valid_until)
        return E2E_ERR_INVALID;
    struct e2e_writer w;
    e2e_writer_init(&w, m, cap);
    e2e_write_bytes(&w, (const uint8_t *)info->name, name_len);
    e2e_write_u8(&w, 0);
    e2e_write_u32_be(&w, info->key_id);
    e2e_write_u16_be(&w, (uint16_t)info->modulus_len);
    e2e_write_bytes(&w, info->modulus, info->modulus_len);
    e2e_write_u32_be(&w, info->valid_from);
    e2e_write_u32_be(&w, info->valid_until);
    *len = w.len;
    return w.err;
}

int
e2e_skype_cert_sign(uint8_t *out, size_t out_cap, size_t *out_len, const e2e_rsa *ca_priv,
                    uint32_t ca_key, const struct e2e_skype_cert_info *info)
{
    if (!out_len || !ca_priv || !info || (!out && out_cap))
        return E2E_ERR_INVALID;
    uint8_t m[E2E_SKYPE_CERT_DATA_MAX];
    size_t m_len = 0, L = e2e_rsa_bytes(ca_priv), sig_len = 0, inside = 0;
    E2E_TRY(encode_data(m, sizeof m, &m_len, info));
    /* what does not fit into the signature travels after it */
    size_t rec_cap = e2e_rsa_bits(ca_priv) / 8 - 22;
    size_t total = 4 + L + (m_len > rec_cap ? m_len - rec_cap : 0);
    *out_len = total;
    if (out_cap < total)
        return E2E_ERR_BUFFER;
    e2e_store32_be(out, ca_key);
    E2E_TRY(e2e_iso9796_sign(ca_priv, out + 4, L, &sig_len, &inside, m, m_len));
    memcpy(out + 4 + L, m + inside, m_len - inside);
    return E2E_OK;
}

/* Parses M strictly into info. */
static int
parse_data(struct e2e_skype_cert_info *info, const uint8_t *m, size_t n)
{
    const uint8_t *nul = memchr(m, 0, E2E_MIN(n, (size_t)E2E_SKYPE_NAME_MAX + 1));
    if (!nul)
        return E2E_ERR_MALFORMED;
    size_t name_len = (size_t)(nul - m);
    if (e2e_skype_name_check((const char *)m, name_len) != E2E_OK)
        return E2E_ERR_MALFORMED;
    memcpy(info->name, m, name_len);
    info->name[name_len] = 0;
    struct e2e_reader r;
    e2e_reader_init(&r, nul + 1, n - name_len - 1);
    info->key_id = e2e_read_u32_be(&r);
    info->modulus_len = e2e_read_u16_be(&r);
    if (info->modulus_len < 128 || info->modulus_len > E2E_SKYPE_MODULUS_MAX)
        e2e_reader_fail(&r, E2E_ERR_MALFORMED);
    e2e_read_bytes(&r, info->modulus, r.err ? 0 : info->modulus_len);
    info->valid_from = e2e_read_u32_be(&r);
    info->valid_until = e2e_read_u32_be(&r);
    if (info->modulus[0] == 0 || info->valid_from > info->valid_until)
        e2e_reader_fail(&r, E2E_ERR_MALFORMED);
    return e2e_reader_done(&r);
}

static int
check_validity(const struct e2e_skype_cert_info *info, const e2e_ctx *ctx, struct e2e_report *why)
{
    uint64_t now = e2e_now_ms(ctx) / 1000;
    if (now < info->valid_from)
        return e2e_report_fail(why, E2E_ERR_UNTRUSTED, "not_yet_valid",
                               "certificate of %s is valid from %u, now is %llu", info->name,
                               info->valid_from, (unsigned long long)now);
    if (now >= info->valid_until)
        return e2e_report_fail(why, E2E_ERR_UNTRUSTED, "expired",
                               "certificate of %s expired at %u, now is %llu", info->name,
                               info->valid_until, (unsigned long long)now);
    return E2E_OK;
}

/* Signature and encoding, without the validity window. */
static int
open_cert(struct e2e_skype_cert_info *info, const e2e_skype_ca *ca, const uint8_t *cert, size_t n,
          struct e2e_report *why)
{
    if (n < 4)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "length", "certificate of %zu bytes", n);
    uint32_t no = e2e_load32_be(cert);
    const e2e_rsa *k = e2e__skype_ca_key(ca, no);
    if (!k)
        return e2e_report_fail(why, E2E_ERR_UNTRUSTED, "ca_key",
                               "certificate signed with CA key %u, which is not trusted", no);
    size_t L = e2e_rsa_bytes(k), m1_len = 0;
    if (n - 4 < L || n - 4 - L > E2E_SKYPE_CERT_DATA_MAX)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "length",
                               "certificate of %zu bytes for a %zu-byte CA key", n, L);
    uint8_t m[E2E_SKYPE_CERT_DATA_MAX + E2E_SKYPE_MODULUS_MAX];
    int rc = e2e_iso9796_verify(k, m, sizeof m, &m1_len, cert + 4, L, cert + 4 + L, n - 4 - L);
    if (rc != E2E_OK)
        return e2e_report_fail(why, E2E_ERR_AUTH, "signature",
                               "ISO 9796-2 signature of CA key %u does not verify", no);
    size_t m2_len = n - 4 - L;
    if (m1_len + m2_len > E2E_SKYPE_CERT_DATA_MAX)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "encoding", "certificate data too long");
    memcpy(m + m1_len, cert + 4 + L, m2_len);
    memset(info, 0, sizeof *info);
    if (parse_data(info, m, m1_len + m2_len) != E2E_OK)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "encoding",
                               "signed certificate data is not well formed");
    info->ca_key = no;
    info->recovered_len = m1_len;
    info->signed_len = m1_len + m2_len;
    return E2E_OK;
}

int
e2e_skype_cert_verify(struct e2e_skype_cert_info *info, const e2e_skype_ca *ca, const e2e_ctx *ctx,
                      const uint8_t *cert, size_t n, struct e2e_report *why)
{
    e2e_report_clear(why);
    if (!info || !ca || (!cert && n))
        return e2e_report_fail(why, E2E_ERR_INVALID, "args", "missing argument");
    struct e2e_skype_cert_info tmp;
    E2E_TRY(open_cert(&tmp, ca, cert, n, why));
    E2E_TRY(check_validity(&tmp, ctx, why));
    *info = tmp;
    E2E_TRACE(ctx, "skype certificate: %s, key id %u, CA key %u, %zu of %zu signed bytes recovered",
              info->name, info->key_id, info->ca_key, info->recovered_len, info->signed_len);
    return E2E_OK;
}

int
e2e_skype_cert_key(e2e_rsa **out, const struct e2e_skype_cert_info *info)
{
    if (!out || !info || info->modulus_len > E2E_SKYPE_MODULUS_MAX)
        return E2E_ERR_INVALID;
    return e2e_rsa_from_public(out, info->modulus, info->modulus_len, f4, sizeof f4);
}

void
e2e_skype_cert_fingerprint(uint8_t fp[20], const uint8_t *cert, size_t n)
{
    e2e_sha1(fp, cert, n);
}
