/* Bounded byte reader and writer (see bytes.h). */
#include "core/bytes.h"

#include <string.h>

#include "core/util.h"

void
e2e_reader_init(struct e2e_reader *r, const uint8_t *p, size_t len)
{
    r->p = p;
    r->len = p ? len : 0;
    r->pos = 0;
    r->err = 0;
}

size_t
e2e_reader_left(const struct e2e_reader *r)
{
    return r->err ? 0 : r->len - r->pos;
}

int
e2e_reader_done(const struct e2e_reader *r)
{
    if (r->err)
        return r->err;
    return r->pos == r->len ? E2E_OK : E2E_ERR_MALFORMED;
}

void
e2e_reader_fail(struct e2e_reader *r, int err)
{
    if (!r->err)
        r->err = err < 0 ? err : E2E_ERR_MALFORMED;
}

const uint8_t *
e2e_read_view(struct e2e_reader *r, size_t n)
{
    if (r->err || n > r->len - r->pos) {
        e2e_reader_fail(r, E2E_ERR_MALFORMED);
        return NULL;
    }
    const uint8_t *v = r->p + r->pos;
    r->pos += n;
    return v;
}

void
e2e_read_bytes(struct e2e_reader *r, uint8_t *out, size_t n)
{
    const uint8_t *v = e2e_read_view(r, n);
    if (v)
        memcpy(out, v, n);
    else if (n)
        memset(out, 0, n);
}

void
e2e_read_skip(struct e2e_reader *r, size_t n)
{
    (void)e2e_read_view(r, n);
}

uint8_t
e2e_read_u8(struct e2e_reader *r)
{
    const uint8_t *v = e2e_read_view(r, 1);
    return v ? v[0] : 0;
}

uint16_t
e2e_read_u16_be(struct e2e_reader *r)
{
    const uint8_t *v = e2e_read_view(r, 2);
    return v ? e2e_load16_be(v) : 0;
}

uint32_t
e2e_read_u32_be(struct e2e_reader *r)
{
    const uint8_t *v = e2e_read_view(r, 4);
    return v ? e2e_load32_be(v) : 0;
}

uint32_t
e2e_read_u32_le(struct e2e_reader *r)
{
    const uint8_t *v = e2e_read_view(r, 4);
    return v ? e2e_load32_le(v) : 0;
}

uint64_t
e2e_read_u64_be(struct e2e_reader *r)
{
    const uint8_t *v = e2e_read_view(r, 8);
    return v ? e2e_load64_be(v) : 0;
}

uint64_t
e2e_read_u64_le(struct e2e_reader *r)
{
    const uint8_t *v = e2e_read_view(r, 8);
    return v ? e2e_load64_le(v) : 0;
}

void
e2e_writer_init(struct e2e_writer *w, uint8_t *p, size_t cap)
{
    w->p = p;
    w->cap = p ? cap : 0;
    w->len = 0;
    w->err = 0;
}

uint8_t *
e2e_write_reserve(struct e2e_writer *w, size_t n)
{
    if (w->err || n > w->cap - w->len) {
        w->err = E2E_ERR_BUFFER;
        return NULL;
    }
    uint8_t *v = w->p + w->len;
    w->len += n;
    return v;
}

void
e2e_write_bytes(struct e2e_writer *w, const uint8_t *p, size_t n)
{
    uint8_t *v = e2e_write_reserve(w, n);
    if (v && n)
        memmove(v, p, n);
}

void
e2e_write_zeros(struct e2e_writer *w, size_t n)
{
    uint8_t *v = e2e_write_reserve(w, n);
    if (v && n)
        memset(v, 0, n);
}

void
e2e_write_u8(struct e2e_writer *w, uint8_t x)
{
    uint8_t *v = e2e_write_reserve(w, 1);
    if (v)
        v[0] = x;
}

void
e2e_write_u16_be(struct e2e_writer *w, uint16_t x)
{
    uint8_t *v = e2e_write_reserve(w, 2);
    if (v)
        e2e_store16_be(v, x);
}

void
e2e_write_u32_be(struct e2e_writer *w, uint32_t x)
{
    uint8_t *v = e2e_write_reserve(w, 4);
    if (v)
        e2e_store32_be(v, x);
}

void
e2e_write_u32_le(struct e2e_writer *w, uint32_t x)
{
    uint8_t *v = e2e_write_reserve(w, 4);
    if (v)
        e2e_store32_le(v, x);
}

void
e2e_write_u64_be(struct e2e_writer *w, uint64_t x)
{
    uint8_t *v = e2e_write_reserve(w, 8);
    if (v)
        e2e_store64_be(v, x);
}

void
e2e_write_u64_le(struct e2e_writer *w, uint64_t x)
{
    uint8_t *v = e2e_write_reserve(w, 8);
    if (v)
        e2e_store64_le(v, x);
}
