/* TL binary serialisation (see tl.h). */
#include "codec/tl.h"

#include <string.h>

#include "core/util.h"

void
e2e__tl_write_id(struct e2e_writer *w, uint32_t id)
{
    e2e_write_u32_le(w, id);
}

void
e2e__tl_write_int(struct e2e_writer *w, int32_t v)
{
    e2e_write_u32_le(w, (uint32_t)v);
}

void
e2e__tl_write_long(struct e2e_writer *w, int64_t v)
{
    e2e_write_u64_le(w, (uint64_t)v);
}

void
e2e__tl_write_double(struct e2e_writer *w, double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    e2e_write_u64_le(w, u);
}

size_t
e2e__tl_bytes_size(size_t n)
{
    size_t head = n < 254 ? 1 : 4;
    return (head + n + 3) & ~(size_t)3;
}

void
e2e__tl_write_bytes(struct e2e_writer *w, const uint8_t *p, size_t n)
{
    if (n > E2E_TL_BYTES_MAX) {
        if (!w->err)
            w->err = E2E_ERR_INVALID;
        return;
    }
    size_t head = 1;
    if (n < 254) {
        e2e_write_u8(w, (uint8_t)n);
    } else {
        head = 4;
        e2e_write_u8(w, 0xFE);
        e2e_write_u8(w, (uint8_t)n);
        e2e_write_u8(w, (uint8_t)(n >> 8));
        e2e_write_u8(w, (uint8_t)(n >> 16));
    }
    e2e_write_bytes(w, p, n);
    e2e_write_zeros(w, e2e__tl_bytes_size(n) - head - n);
}

void
e2e__tl_write_string(struct e2e_writer *w, const char *s, size_t n)
{
    e2e__tl_write_bytes(w, (const uint8_t *)s, n);
}

void
e2e__tl_write_vector_long(struct e2e_writer *w, const int64_t *v, size_t n)
{
    if (n > INT32_MAX) {
        if (!w->err)
            w->err = E2E_ERR_INVALID;
        return;
    }
    e2e__tl_write_id(w, E2E_TL_VECTOR);
    e2e__tl_write_int(w, (int32_t)n);
    for (size_t i = 0; i < n; i++)
        e2e__tl_write_long(w, v[i]);
}

uint32_t
e2e__tl_read_id(struct e2e_reader *r)
{
    return e2e_read_u32_le(r);
}

int32_t
e2e__tl_read_int(struct e2e_reader *r)
{
    return (int32_t)e2e_read_u32_le(r);
}

int64_t
e2e__tl_read_long(struct e2e_reader *r)
{
    return (int64_t)e2e_read_u64_le(r);
}

double
e2e__tl_read_double(struct e2e_reader *r)
{
    uint64_t u = e2e_read_u64_le(r);
    double v;
    memcpy(&v, &u, sizeof v);
    return v;
}

/* Reads the length header; returns the header size (1, 4 or 8) and the length in *len. */
static size_t
read_bytes_header(struct e2e_reader *r, uint64_t *len)
{
    uint8_t b = e2e_read_u8(r);
    if (b < 254) {
        *len = b;
        return 1;
    }
    size_t extra = b == 254 ? 3 : 7;
    uint64_t v = 0;
    for (size_t i = 0; i < extra; i++)
        v |= (uint64_t)e2e_read_u8(r) << (8 * i);
    *len = v;
    return 1 + extra;
}

const uint8_t *
e2e__tl_read_bytes(struct e2e_reader *r, size_t *n, size_t max)
{
    uint64_t len = 0;
    size_t head = read_bytes_header(r, &len);
    *n = 0;
    if (r->err || len > max || len > e2e_reader_left(r)) {
        e2e_reader_fail(r, E2E_ERR_MALFORMED);
        return NULL;
    }
    const uint8_t *p = e2e_read_view(r, (size_t)len);
    /* pad bytes up to a multiple of 4 of the whole field; their values are not checked */
    e2e_read_skip(r, (4 - (head + (size_t)len) % 4) % 4);
    if (r->err)
        return NULL;
    *n = (size_t)len;
    return p;
}

size_t
e2e__tl_read_vector(struct e2e_reader *r, size_t elem_min, size_t max)
{
    uint32_t id = e2e__tl_read_id(r);
    int32_t count = e2e__tl_read_int(r);
    if (r->err)
        return 0;
    if (id != E2E_TL_VECTOR || count < 0 || (size_t)count > max ||
        (elem_min && (size_t)count > e2e_reader_left(r) / elem_min)) {
        e2e_reader_fail(r, E2E_ERR_MALFORMED);
        return 0;
    }
    return (size_t)count;
}

int
e2e__tl_read_bool(struct e2e_reader *r)
{
    uint32_t id = e2e__tl_read_id(r);
    if (id == E2E_TL_BOOL_TRUE)
        return 1;
    if (id != E2E_TL_BOOL_FALSE)
        e2e_reader_fail(r, E2E_ERR_MALFORMED);
    return 0;
}
