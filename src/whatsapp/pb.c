/* Protobuf wire format: bounded reader, canonical writer. */
#include "whatsapp/pb.h"

#include <string.h>

#include <e2ekit/core.h>

static uint64_t
read_varint(struct e2e_reader *r)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < 10; i++) {
        uint8_t b = e2e_read_u8(r);
        if (r->err)
            return 0;
        if (i == 9 && b > 1)
            break; /* more than 64 bits */
        v |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80))
            return v;
    }
    e2e_reader_fail(r, E2E_ERR_MALFORMED);
    return 0;
}

int
e2e__pb_next(struct e2e_reader *r, struct pb_field *f)
{
    if (r->err)
        return r->err;
    if (e2e_reader_left(r) == 0)
        return 0;
    uint64_t key = read_varint(r);
    memset(f, 0, sizeof *f);
    f->num = (uint32_t)(key >> 3);
    f->wt = (unsigned)(key & 7);
    if (r->err || key >> 3 == 0 || key >> 3 > 0x1fffffff)
        goto bad;
    switch (f->wt) {
    case PB_VARINT:
        f->v = read_varint(r);
        break;
    case PB_I64:
        f->v = e2e_read_u64_le(r);
        break;
    case PB_I32:
        f->v = e2e_read_u32_le(r);
        break;
    case PB_LEN: {
        uint64_t n = read_varint(r);
        if (r->err || n > e2e_reader_left(r))
            goto bad;
        f->n = (size_t)n;
        f->p = e2e_read_view(r, f->n);
        break;
    }
    default:
        goto bad;
    }
    if (r->err)
        goto bad;
    return 1;
bad:
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
e2e__pb_packed_u32(const struct pb_field *f, uint32_t *out, size_t cap, size_t *n)
{
    if (f->wt == PB_VARINT)
        return push_u32(f->v, out, cap, n);
    if (f->wt != PB_LEN)
        return E2E_ERR_MALFORMED;
    struct e2e_reader r;
    e2e_reader_init(&r, f->p, f->n);
    while (e2e_reader_left(&r) > 0) {
        uint64_t v = read_varint(&r);
        if (r.err)
            return E2E_ERR_MALFORMED;
        int rc = push_u32(v, out, cap, n);
        if (rc)
            return rc;
    }
    return E2E_OK;
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
    e2e__pb_tag(w, num, PB_VARINT);
    e2e__pb_varint(w, v);
}

void
e2e__pb_bytes(struct e2e_writer *w, uint32_t num, const void *p, size_t n)
{
    e2e__pb_tag(w, num, PB_LEN);
    e2e__pb_varint(w, n);
    e2e_write_bytes(w, p, n);
}

static size_t
varint_len(uint64_t v)
{
    size_t k = 1;
    while (v >= 0x80) {
        v >>= 7;
        k++;
    }
    return k;
}

void
e2e__pb_packed(struct e2e_writer *w, uint32_t num, const uint32_t *v, size_t n)
{
    if (n == 0)
        return; /* an empty packed field is not written (as protobuf does) */
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += varint_len(v[i]);
    e2e__pb_tag(w, num, PB_LEN);
    e2e__pb_varint(w, total);
    for (size_t i = 0; i < n; i++)
        e2e__pb_varint(w, v[i]);
}

#define PB_LEN_RESERVE 5 /* a length below 2^35 */

size_t
e2e__pb_begin(struct e2e_writer *w, uint32_t num)
{
    e2e__pb_tag(w, num, PB_LEN);
    size_t mark = w->len;
    e2e_write_zeros(w, PB_LEN_RESERVE);
    return mark;
}

void
e2e__pb_end(struct e2e_writer *w, size_t mark)
{
    if (w->err)
        return;
    size_t body = w->len - mark - PB_LEN_RESERVE;
    uint8_t hdr[PB_LEN_RESERVE];
    struct e2e_writer h;
    e2e_writer_init(&h, hdr, sizeof hdr);
    e2e__pb_varint(&h, body);
    memmove(w->p + mark + h.len, w->p + mark + PB_LEN_RESERVE, body);
    memcpy(w->p + mark, hdr, h.len);
    w->len = mark + h.len + body;
}
