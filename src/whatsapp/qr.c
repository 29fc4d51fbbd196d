/* The companion's QR code (reference/whatsapp.md §2.2). */
#include <string.h>

#include <e2ekit/whatsapp.h>

#include "core/log.h"

static const char qr_prefix[] = "https://wa.me/settings/linked_devices#";

static int
put(char *out, size_t cap, size_t *pos, const char *s, size_t n)
{
    if (*pos + n + 1 > cap)
        return E2E_ERR_BUFFER;
    memcpy(out + *pos, s, n);
    *pos += n;
    out[*pos] = 0;
    return E2E_OK;
}

static int
put_key(char *out, size_t cap, size_t *pos, const uint8_t key[32])
{
    char b64[48];
    int rc = e2e_base64_encode(b64, sizeof b64, key, 32, E2E_BASE64);
    if (rc == E2E_OK)
        rc = put(out, cap, pos, ",", 1);
    if (rc == E2E_OK)
        rc = put(out, cap, pos, b64, strlen(b64));
    e2e_wipe(b64, sizeof b64);
    return rc;
}

static int
valid_token(const char *s, size_t n, size_t max)
{
    if (n == 0 || n > max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] <= 0x20 || s[i] >= 0x7f || s[i] == ',')
            return 0;
    return 1;
}

int
e2e_wa_qr_encode(char *out, size_t cap, const struct e2e_wa_qr *qr)
{
    size_t pos = 0, rn = strnlen(qr->ref, sizeof qr->ref);
    size_t cn = strnlen(qr->client_type, sizeof qr->client_type);
    if (!valid_token(qr->ref, rn, E2E_WA_QR_REF_MAX) ||
        (cn && !valid_token(qr->client_type, cn, sizeof qr->client_type - 1)))
        return E2E_ERR_INVALID;
    if (cap)
        out[0] = 0;
    int rc = cn ? put(out, cap, &pos, qr_prefix, sizeof qr_prefix - 1) : E2E_OK;
    if (rc == E2E_OK)
        rc = put(out, cap, &pos, qr->ref, rn);
    if (rc == E2E_OK)
        rc = put_key(out, cap, &pos, qr->noise_pub);
    if (rc == E2E_OK)
        rc = put_key(out, cap, &pos, qr->identity_pub);
    if (rc == E2E_OK)
        rc = put_key(out, cap, &pos, qr->adv_secret);
    if (rc == E2E_OK && cn)
        rc = put(out, cap, &pos, ",", 1);
    if (rc == E2E_OK && cn)
        rc = put(out, cap, &pos, qr->client_type, cn);
    if (rc != E2E_OK && cap)
        e2e_wipe(out, cap);
    return rc;
}

static int
key_field(uint8_t key[32], const char *s, size_t n)
{
    size_t got = 0;
    uint8_t tmp[33];
    int rc = e2e_base64_decode(tmp, sizeof tmp, &got, s, n, E2E_BASE64);
    if (rc == E2E_OK && got == 32)
        memcpy(key, tmp, 32);
    e2e_wipe(tmp, sizeof tmp);
    return rc == E2E_OK && got == 32 ? E2E_OK : E2E_ERR_MALFORMED;
}

int
e2e_wa_qr_parse(struct e2e_wa_qr *qr, const char *text, size_t n, struct e2e_report *why)
{
    const char *f[6];
    size_t fl[6], nf = 0;
    struct e2e_wa_qr t;
    if (n > E2E_WA_QR_MAX)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "qr", "QR text longer than %d bytes",
                               E2E_WA_QR_MAX);
    int url = n >= sizeof qr_prefix - 1 && memcmp(text, qr_prefix, sizeof qr_prefix - 1) == 0;
    size_t pos = url ? sizeof qr_prefix - 1 : 0, start = pos;
    for (; pos <= n && nf < 6; pos++) {
        if (pos == n || text[pos] == ',') {
            f[nf] = text + start;
            fl[nf++] = pos - start;
            start = pos + 1;
        }
    }
    memset(&t, 0, sizeof t);
    if (pos <= n || nf != (url ? 5u : 4u) || !valid_token(f[0], fl[0], E2E_WA_QR_REF_MAX) ||
        (url && !valid_token(f[4], fl[4], sizeof t.client_type - 1)))
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "qr",
                               "expected ref,noise,identity,adv[,clientType]");
    if (key_field(t.noise_pub, f[1], fl[1]) || key_field(t.identity_pub, f[2], fl[2]) ||
        key_field(t.adv_secret, f[3], fl[3])) {
        e2e_wipe(&t, sizeof t);
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "qr",
                               "a key field is not base64 of 32 bytes");
    }
    memcpy(t.ref, f[0], fl[0]);
    if (url)
        memcpy(t.client_type, f[4], fl[4]);
    *qr = t;
    e2e_wipe(&t, sizeof t);
    return E2E_OK;
}
