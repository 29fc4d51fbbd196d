/*
 * Framing for stream transports (Noise spec 13): a 16-bit big-endian length before each
 * message, and an incremental decoder that takes the stream in pieces of any size.
 */
#include <string.h>

#include <e2ekit/noise.h>

#include "core/util.h"

int
e2e_noise_frame_write(uint8_t *out, size_t cap, size_t *out_len, const uint8_t *body, size_t n)
{
    if (!out || !out_len || (!body && n))
        return E2E_ERR_INVALID;
    if (n == 0 || n > E2E_NOISE_MAX_MSG)
        return E2E_ERR_LIMIT;
    if (cap < E2E_NOISE_FRAME_HDR + n)
        return E2E_ERR_BUFFER;
    memmove(out + E2E_NOISE_FRAME_HDR, body, n);
    e2e_store16_be(out, (uint16_t)n);
    *out_len = E2E_NOISE_FRAME_HDR + n;
    return E2E_OK;
}

int
e2e_noise_deframer_init(struct e2e_noise_deframer *d, uint8_t *buf, size_t max_len)
{
    if (!d || !buf || max_len == 0 || max_len > E2E_NOISE_MAX_MSG)
        return E2E_ERR_INVALID;
    memset(d, 0, sizeof *d);
    d->buf = buf;
    d->max_len = max_len;
    return E2E_OK;
}

/* Header bytes; once complete, the length is checked before any body byte is taken. */
static int
take_header(struct e2e_noise_deframer *d, const uint8_t *in, size_t n, size_t *pos)
{
    if (d->hdr_have == 2)
        return 1; /* the header came in an earlier piece */
    while (d->hdr_have < 2 && *pos < n)
        d->hdr[d->hdr_have++] = in[(*pos)++];
    if (d->hdr_have < 2)
        return 0;
    d->body_len = e2e_load16_be(d->hdr);
    d->body_have = 0;
    if (d->body_len == 0 || d->body_len > d->max_len) {
        d->err = E2E_ERR_MALFORMED;
        return d->err;
    }
    return 1;
}

static void
frame_done(struct e2e_noise_deframer *d)
{
    d->hdr_have = 0;
    d->body_have = 0;
}

int
e2e_noise_deframer_push(struct e2e_noise_deframer *d, const uint8_t *in, size_t n, size_t *used,
                        const uint8_t **frame, size_t *frame_len)
{
    size_t pos = 0;
    if (!d || !used || !frame || !frame_len || (!in && n))
        return E2E_ERR_INVALID;
    *used = 0;
    if (d->err)
        return d->err;
    int rc = take_header(d, in, n, &pos);
    *used = pos;
    if (rc <= 0)
        return rc;
    size_t want = d->body_len - d->body_have;
    if (d->body_have == 0 && n - pos >= want) {
        /* The whole body is in this piece: hand it out in place. */
        *frame = in + pos;
        *frame_len = d->body_len;
        *used = pos + want;
        frame_done(d);
        return 1;
    }
    size_t k = E2E_MIN(want, n - pos);
    memcpy(d->buf + d->body_have, in + pos, k);
    d->body_have += k;
    *used = pos + k;
    if (d->body_have < d->body_len)
        return 0;
    *frame = d->buf;
    *frame_len = d->body_len;
    frame_done(d);
    return 1;
}
