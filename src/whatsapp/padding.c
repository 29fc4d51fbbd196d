/* Plaintext padding before Signal encryption (reference/whatsapp.md §4, wm padMessage). */
#include <string.h>

#include <e2ekit/whatsapp.h>

#include "core/log.h"

/* Receivers accept N up to 16: wm pads with 1..15, the Web client's helper is named for a
 * maximum of 16; anything else is not padding we know. */
#define PAD_ACCEPT_MAX 16

int
e2e_wa_pad_n(uint8_t *out, size_t cap, size_t *len, const uint8_t *in, size_t n, unsigned pad)
{
    if (pad < 1 || pad > 15)
        return E2E_ERR_INVALID;
    if (n > cap || cap - n < pad)
        return E2E_ERR_BUFFER;
    memmove(out, in, n);
    memset(out + n, (int)pad, pad);
    *len = n + pad;
    return E2E_OK;
}

int
e2e_wa_pad(uint8_t *out, size_t cap, size_t *len, const uint8_t *in, size_t n, const e2e_ctx *ctx)
{
    uint8_t r;
    int rc = e2e_random(ctx, &r, 1);
    if (rc)
        return rc;
    unsigned pad = r & 0x0f;
    return e2e_wa_pad_n(out, cap, len, in, n, pad ? pad : 15);
}

int
e2e_wa_unpad(size_t *len, const uint8_t *p, size_t n, struct e2e_report *why)
{
    if (n == 0)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "padding", "empty plaintext");
    unsigned pad = p[n - 1];
    if (pad < 1 || pad > PAD_ACCEPT_MAX || pad > n)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "padding",
                               "last byte %u is not a padding length", pad);
    unsigned diff = 0;
    for (size_t i = n - pad; i < n; i++)
        diff |= p[i] ^ pad;
    if (diff)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "padding",
                               "the last %u bytes are not all %u", pad, pad);
    if (n == pad)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "empty",
                               "nothing is left after removing the padding");
    *len = n - pad;
    return E2E_OK;
}
