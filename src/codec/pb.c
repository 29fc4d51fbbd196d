/* Protobuf wire format, shared by the signal and whatsapp suites (see pb.h). */
#include "codec/pb.h"

#include <string.h>

#include <e2ekit/core.h>

#include "core/util.h"

/* ---- reading ------------------------------------------------------------------------------- */

/* protobuf-c's tag rule: at most 5 bytes, and the first byte's field bits may not be zero. */
static int
read_tag(const uint8_t *p, size_t len, uint32_t *num, unsigned *wt, size_t *used)
{
    size_t max = len > 5 ? 5 : len;
    if ((p[0] & 0xF8) == 0)
        return E2E_ERR_MALFORMED;
    uint32_t tag = (uint32_t)(p[0] & 0x7F) >> 3;
    unsigned shift = 4;
    *wt = p[0] & 7u;
    if (!(p[0] & 0x80)) {
        *num = tag;
        *used = 1;
        return E2E_OK;
    }
    for (size_t i = 1; i < max; i++) {
        tag |= (uint32_t)(p[i] & 0x7F) << shift;
        if (!(p[i] & 0x80)) {
            *num = tag;
            *used = i + 1;
            return E2E_OK;
        }
        shift += 7;
    }
    return E2E_ERR_MALFORMED;
}

/* A varint of at most `max` bytes (bits past 64 dropped, as protobuf-c does); 0 when
 * unterminated within them. */
static size_t
read_varint(const uint8_t *p, size_t len, size_t max, uint64_t *v)
{
    size_t lim = len < max ? len : max;
    uint64_t x = 0;
    for (size_t i = 0; i < lim; i++) {
        if (i < 10)
            x |= (uint64_t)(p[i] & 0x7F) << (7 * i);
        if (!(p[i] & 0x80)) {
            *v = x;
            return i + 1;
        }
    }
    return 0;
}

int
e2e__pb_next(struct e2e_reader *r, struct e2e__pb_field *f)
{
    if (r->err)
        return r->err;
    size_t left = e2e_reader_left(r), used = 0, k = 0;
    if (left == 0)
        return 0;
    const uint8_t *p = r->p + r->pos;
    memset(f, 0, sizeof *f);
    if (read_tag(p, left, &f->num, &f->wt, &used) != E2E_OK)
        goto bad;
    p += used;
    left -= used;
    switch (f->wt) {
    case E2E__PB_VARINT:
        if ((k = read_varint(p, left, 10, &f->v)) == 0)
            goto bad;
        break;
    case E2E__PB_I64:
    case E2E__PB_I32:
        k = f->wt == E2E__PB_I64 ? 8 : 4;
        if (left < k)
            goto bad;
        f->v = k == 8 ? e2e_load64_le(p) : e2e_load32_le(p);
        break;
    case E2E__PB_LEN: {
        uint64_t n = 0;
        size_t h = read_varint(p, left, 5, &n);
        if (h == 0 || n > 0x7FFFFFFF || n > left - h)
            goto bad;
        f->p = p + h;
        f->n = (size_t)n;
        k = h + (size_t)n;
        break;
    }
    default: /* groups (3, 4) and the reserved 6, 7 */
        goto bad;
    }
    e2e_read_skip(r, used + k);
    return 1;
bad:
    memset(f, 0, sizeof *f);
    e2e_reader_fail(r, E2E_ERR_MALFORMED);
    return E2E_ERR_MALFORMED;
}

static int
push_u32(uint64_t v, uint32_t *out, size_t cap, size_t *n)
{
    if (v > 0xffffffffu)
        return E2E_ERR_MALFORMED;
    if (*n >= cap)
        return E2E_ERR_LIMIT;
    out[(*n)++] = (uint32_t)v;
    return E2E_OK;
}

int
e2e__pb_packed_u32(const struct e2e__pb_field *f, uint32_t *out, size_t cap, size_t *n)
{
    if (f->wt == E2E__PB_VARINT)
        return push_u32(f->v, out, cap, n);
    if (f->wt != E2E__PB_LEN)
        return E2E_ERR_MALFORMED;
    for (size_t pos = 0; pos < f->n;) {
        uint64_t v = 0;
        size_t k = read_varint(f->p + pos, f->n - pos, 10, &v);
        if (k == 0)
            return E2E_ERR_MALFORMED;
        pos += k;
        int rc = push_u32(v, out, cap, n);
        if (rc)
            return rc;
    }
    return E2E_OK;
}

/* ---- writing ------------------------------------------------------------------------------- */

size_t
e2e__pb_varint_len(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

size_t
e2e__pb_put_varint(uint8_t *p, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (uint8_t)v;
    return n;
}

void
e2e__pb_varint(struct e2e_writer *w, uint64_t v)
{
    while (v >= 0x80) {
        e2e_write_u8(w, (uint8_t)(v | 0x80));
        v >>= 7;
    }
    e2e_write_u8(w, (uint8_t)v);
}

void
e2e__pb_tag(struct e2e_writer *w, uint32_t num, unsigned wt)
{
    e2e__pb_varint(w, (uint64_t)num << 3 | wt);
}

void
e2e__pb_uint(struct e2e_writer *w, uint32_t num, uint64_t v)
{
    e2e__pb_tag(w, num, E2E__PB_VARINT);
    e2e__pb_varint(w, v);
}

void
e2e__pb_bytes(struct e2e_writer *w, uint32_t num, const void *p, size_t n)
{
    e2e__pb_tag(w, num, E2E__PB_LEN);
    e2e__pb_varint(w, n);
    e2e_write_bytes(w, p, n);
}

void
e2e__pb_packed(struct e2e_writer *w, uint32_t num, const uint32_t *v, size_t n)
{
    if (n == 0)
        return; /* an empty packed field is not written (as protobuf does) */
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += e2e__pb_varint_len(v[i]);
    e2e__pb_tag(w, num, E2E__PB_LEN);
    e2e__pb_varint(w, total);
    for (size_t i = 0; i < n; i++)
        e2e__pb_varint(w, v[i]);
}

#define E2E__PB_LEN_RESERVE 5 /* a length below 2^35 */

size_t
e2e__pb_begin(struct e2e_writer *w, uint32_t num)
{
    e2e__pb_tag(w, num, E2E__PB_LEN);
    size_t mark = w->len;
    e2e_write_zeros(w, E2E__PB_LEN_RESERVE);
    return mark;
}

void
e2e__pb_end(struct e2e_writer *w, size_t mark)
{
    if (w->err)
        return;
    size_t body = w->len - mark - E2E__PB_LEN_RESERVE;
    uint8_t hdr[E2E__PB_LEN_RESERVE];
    struct e2e_writer h;
    e2e_writer_init(&h, hdr, sizeof hdr);
    e2e__pb_varint(&h, body);
    memmove(w->p + mark + h.len, w->p + mark + E2E__PB_LEN_RESERVE, body);
    memcpy(w->p + mark, hdr, h.len);
    w->len = mark + h.len + body;
}
