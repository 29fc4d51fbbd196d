/* The shared protobuf codec (src/codec/pb.c): every rejection, fixed-width values, packed
 * fields and the nested-message writer, on hand-made bytes. */
#include <string.h>

#include "codec/pb.h"
#include "core/util.h"
#include "test.h"

/* Reads the first field of hex; returns e2e__pb_next's result. */
static int
first(const char *hex, struct e2e__pb_field *f, struct e2e_reader *r, uint8_t *buf)
{
    size_t n = unhex(buf, 64, hex);
    e2e_reader_init(r, buf, n);
    return e2e__pb_next(r, f);
}

static void
test_reads(void)
{
    uint8_t buf[64];
    struct e2e_reader r;
    struct e2e__pb_field f;
    CHECK_EQ(first("08ac02", &f, &r, buf), 1); /* field 1, varint 300 */
    CHECK_EQ(f.num, 1);
    CHECK_EQ(f.wt, E2E__PB_VARINT);
    CHECK_EQ(f.v, 300);
    CHECK_EQ(e2e__pb_next(&r, &f), 0);             /* clean end */
    CHECK_EQ(first("1203616263", &f, &r, buf), 1); /* field 2, "abc", a view into the input */
    CHECK(f.p == buf + 2 && f.n == 3);
    CHECK_EQ(first("1d01020304", &f, &r, buf), 1); /* fixed32, little-endian */
    CHECK_EQ(f.v, 0x04030201u);
    CHECK_EQ(first("190102030405060708", &f, &r, buf), 1); /* fixed64 */
    CHECK_EQ(f.v, 0x0807060504030201ull);
    CHECK_EQ(first("f8ffffff0f01", &f, &r, buf), 1); /* field 2^29 - 1 in a 5-byte tag */
    CHECK_EQ(f.num, 0x1fffffff);
    CHECK_EQ(first("08ffffffffffffffffff01", &f, &r, buf), 1); /* a 10-byte varint */
    CHECK_EQ(f.v, UINT64_MAX);
}

static void
test_rejects(void)
{
    /* protobuf-c's rules, each refused with the reader failed in place */
    static const char *const bad[] = {
        "0001",                     /* field number 0 */
        "8080808010",               /* a 5-byte tag with field bits 0 in its first byte */
        "f8ffffffff01",             /* a tag longer than 5 bytes */
        "08ffffffffffffffffffff01", /* an 11-byte varint */
        "0880",                     /* a varint cut short */
        "1b",                       /* start group */
        "1c",                       /* end group */
        "1e",
        "1f",               /* reserved wire types */
        "1204616263",       /* a length past the end */
        "12ffffffff0f",     /* a length over 2^31 - 1 */
        "1280808080800100", /* a length in 6 bytes */
        "1d010203",         /* fixed32 cut short */
        "1901020304050607", /* fixed64 cut short */
    };
    uint8_t buf[64];
    struct e2e_reader r;
    struct e2e__pb_field f;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&f, 0x5a, sizeof f);
        CHECK_ERR(first(bad[i], &f, &r, buf), E2E_ERR_MALFORMED);
        CHECK_EQ(r.pos, 0);
        CHECK_EQ(f.num, 0);
        CHECK_ERR(e2e__pb_next(&r, &f), E2E_ERR_MALFORMED); /* sticky */
    }
    /* a good field, then a bad one: the position names the bad field */
    CHECK_EQ(first("0801"
                   "0880",
                   &f, &r, buf),
             1);
    CHECK_ERR(e2e__pb_next(&r, &f), E2E_ERR_MALFORMED);
    CHECK_EQ(r.pos, 2);
}

static void
test_packed(void)
{
    uint8_t buf[64];
    struct e2e_reader r;
    struct e2e__pb_field f;
    uint32_t v[4];
    size_t n = 0;
    CHECK_EQ(first("2205010203ac02", &f, &r, buf), 1);
    CHECK_OK(e2e__pb_packed_u32(&f, v, 4, &n));
    CHECK_EQ(n, 4);
    CHECK(v[0] == 1 && v[1] == 2 && v[2] == 3 && v[3] == 300);
    n = 0;
    CHECK_ERR(e2e__pb_packed_u32(&f, v, 3, &n), E2E_ERR_LIMIT);
    n = 0;
    CHECK_EQ(first("2206ffffffff1f00", &f, &r, buf), 1); /* 2^33 - 1 does not fit 32 bits */
    CHECK_ERR(e2e__pb_packed_u32(&f, v, 4, &n), E2E_ERR_MALFORMED);
    n = 0;
    CHECK_EQ(first("220201ff", &f, &r, buf), 1); /* a varint cut short inside the packing */
    CHECK_ERR(e2e__pb_packed_u32(&f, v, 4, &n), E2E_ERR_MALFORMED);
    n = 0;
    CHECK_EQ(first("2007", &f, &r, buf), 1); /* a single unpacked value */
    CHECK_OK(e2e__pb_packed_u32(&f, v, 4, &n));
    CHECK(n == 1 && v[0] == 7);
}

static void
test_writes(void)
{
    uint8_t out[400], raw[10];
    struct e2e_writer w;
    e2e_writer_init(&w, out, sizeof out);
    e2e__pb_uint(&w, 1, 300);
    size_t mark = e2e__pb_begin(&w, 5);
    uint8_t body[200];
    memset(body, 0x61, sizeof body);
    e2e__pb_bytes(&w, 1, body, sizeof body); /* the nested length needs 2 bytes */
    e2e__pb_end(&w, mark);
    static const uint32_t packed[] = {1, 300};
    e2e__pb_packed(&w, 4, packed, 2);
    e2e__pb_packed(&w, 6, packed, 0); /* empty: nothing written */
    CHECK_OK(w.err);
    /* read it back */
    struct e2e_reader r;
    struct e2e__pb_field f, g;
    e2e_reader_init(&r, out, w.len);
    CHECK_EQ(e2e__pb_next(&r, &f), 1);
    CHECK(f.num == 1 && f.v == 300);
    CHECK_EQ(e2e__pb_next(&r, &f), 1);
    CHECK(f.num == 5 && f.wt == E2E__PB_LEN && f.n == 3 + sizeof body);
    CHECK_HEX(f.p, 3, "0ac801"); /* field 1, length 200 */
    struct e2e_reader in;
    e2e_reader_init(&in, f.p, f.n);
    CHECK_EQ(e2e__pb_next(&in, &g), 1);
    CHECK(g.n == sizeof body && memcmp(g.p, body, sizeof body) == 0);
    CHECK_EQ(e2e__pb_next(&r, &f), 1);
    CHECK_HEX(f.p, f.n, "01ac02");
    CHECK_EQ(e2e__pb_next(&r, &f), 0);
    /* raw writers agree with their lengths */
    static const uint64_t vals[] = {0, 127, 128, 16383, 16384, UINT64_MAX};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
        CHECK_EQ(e2e__pb_put_varint(raw, vals[i]), e2e__pb_varint_len(vals[i]));
    CHECK_EQ(e2e__pb_varint_len(UINT64_MAX), 10);
    /* overflow is sticky in the writer */
    e2e_writer_init(&w, out, 4);
    e2e__pb_bytes(&w, 1, body, 10);
    CHECK_ERR(w.err, E2E_ERR_BUFFER);
}

int
main(void)
{
    RUN(test_reads);
    RUN(test_rejects);
    RUN(test_packed);
    RUN(test_writes);
    return test_finish();
}
