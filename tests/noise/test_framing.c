/* Stream framing: 2-byte big-endian lengths, a decoder fed in arbitrary pieces. */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/noise.h>

#include "test.h"

static uint8_t buf[E2E_NOISE_MAX_MSG];

/* A stream of `count` frames with bodies of lengths 1, 2, ... filled with their index. */
static size_t
make_stream(uint8_t *out, size_t cap, size_t count, size_t *lens)
{
    size_t pos = 0;
    uint8_t body[600];
    for (size_t i = 0; i < count; i++) {
        size_t n = 1 + (i * 37) % 599, w;
        memset(body, (int)(i & 0xff), n);
        CHECK_OK(e2e_noise_frame_write(out + pos, cap - pos, &w, body, n));
        CHECK_EQ(w, n + 2);
        lens[i] = n;
        pos += w;
    }
    return pos;
}

/* Feeds the stream in pieces from `piece(i)`; checks every frame. */
static void
feed(const uint8_t *s, size_t len, size_t count, const size_t *lens, size_t (*piece)(size_t))
{
    struct e2e_noise_deframer d;
    size_t got = 0, pos = 0, step = 0;
    CHECK_OK(e2e_noise_deframer_init(&d, buf, 600));
    while (pos < len) {
        size_t k = piece(step++);
        if (k > len - pos)
            k = len - pos;
        const uint8_t *p = s + pos;
        pos += k;
        while (k) {
            const uint8_t *f;
            size_t fl, used;
            int rc = e2e_noise_deframer_push(&d, p, k, &used, &f, &fl);
            CHECK(rc == 0 || rc == 1);
            if (rc < 0)
                return;
            p += used;
            k -= used;
            if (rc == 1) {
                CHECK(got < count);
                CHECK_EQ(fl, lens[got]);
                int same = 1;
                for (size_t i = 0; i < fl; i++)
                    same &= f[i] == (uint8_t)(got & 0xff);
                CHECK(same);
                got++;
            }
        }
    }
    CHECK_EQ(got, count);
    CHECK_EQ(d.hdr_have, 0);
}

static size_t
one_byte(size_t i)
{
    (void)i;
    return 1;
}
static size_t
everything(size_t i)
{
    (void)i;
    return (size_t)-1;
}
static size_t
odd_pieces(size_t i)
{
    return 1 + (i * 7919) % 1500;
}

static void
test_pieces(void)
{
    enum { COUNT = 300 };
    size_t lens[COUNT];
    uint8_t *s = malloc(COUNT * 602);
    size_t len = make_stream(s, COUNT * 602, COUNT, lens);
    feed(s, len, COUNT, lens, one_byte);
    feed(s, len, COUNT, lens, everything);
    feed(s, len, COUNT, lens, odd_pieces);
    free(s);
}

static void
test_refused_lengths(void)
{
    static const size_t bad[] = {0, 601, 65535};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct e2e_noise_deframer d;
        uint8_t in[4] = {(uint8_t)(bad[i] >> 8), (uint8_t)bad[i], 0xAB, 0xCD};
        const uint8_t *f;
        size_t fl, used;
        memset(buf, 0x5A, 16);
        CHECK_OK(e2e_noise_deframer_init(&d, buf, 600));
        /* the header alone, one byte at a time: refused once the second byte arrives */
        CHECK_EQ(e2e_noise_deframer_push(&d, in, 1, &used, &f, &fl), 0);
        CHECK_ERR(e2e_noise_deframer_push(&d, in + 1, 3, &used, &f, &fl), E2E_ERR_MALFORMED);
        CHECK_EQ(used, 1); /* no body byte taken */
        CHECK_EQ(buf[0], 0x5A);
        /* sticky */
        CHECK_ERR(e2e_noise_deframer_push(&d, in + 2, 2, &used, &f, &fl), E2E_ERR_MALFORMED);
        CHECK_EQ(used, 0);
    }
    /* the maximum is accepted with a full-size buffer */
    struct e2e_noise_deframer d;
    uint8_t *s = calloc(1, 65537);
    const uint8_t *f;
    size_t fl, used;
    s[0] = 0xFF;
    s[1] = 0xFF;
    CHECK_OK(e2e_noise_deframer_init(&d, buf, E2E_NOISE_MAX_MSG));
    CHECK_EQ(e2e_noise_deframer_push(&d, s, 30000, &used, &f, &fl), 0);
    CHECK_EQ(e2e_noise_deframer_push(&d, s + 30000, 65537 - 30000, &used, &f, &fl), 1);
    CHECK_EQ(fl, 65535);
    CHECK(f == buf);
    free(s);
    CHECK_ERR(e2e_noise_deframer_init(&d, buf, 65536), E2E_ERR_INVALID);
    CHECK_ERR(e2e_noise_deframer_init(&d, buf, 0), E2E_ERR_INVALID);
}

static void
test_frame_write(void)
{
    uint8_t out[8], body[4] = {1, 2, 3, 4};
    size_t n;
    CHECK_OK(e2e_noise_frame_write(out, sizeof out, &n, body, 4));
    CHECK_HEX(out, n, "000401020304");
    CHECK_ERR(e2e_noise_frame_write(out, 5, &n, body, 4), E2E_ERR_BUFFER);
    CHECK_ERR(e2e_noise_frame_write(out, sizeof out, &n, body, 0), E2E_ERR_LIMIT);
    uint8_t *big = calloc(1, 65540);
    CHECK_ERR(e2e_noise_frame_write(big, 65540, &n, big, 65536), E2E_ERR_LIMIT);
    CHECK_OK(e2e_noise_frame_write(big, 65540, &n, big + 2, 65535)); /* in place */
    CHECK_EQ(n, 65537);
    CHECK_HEX(big, 2, "ffff");
    free(big);
}

/* A whole frame inside one piece is handed out in place, without copying. */
static void
test_zero_copy(void)
{
    struct e2e_noise_deframer d;
    uint8_t s[] = {0, 3, 'a', 'b', 'c', 0, 1, 'z'};
    const uint8_t *f;
    size_t fl, used;
    CHECK_OK(e2e_noise_deframer_init(&d, buf, 600));
    CHECK_EQ(e2e_noise_deframer_push(&d, s, sizeof s, &used, &f, &fl), 1);
    CHECK(f == s + 2);
    CHECK_EQ(used, 5);
    CHECK_EQ(e2e_noise_deframer_push(&d, s + 5, 3, &used, &f, &fl), 1);
    CHECK(f == s + 7);
    CHECK_EQ(fl, 1);
}

int
main(void)
{
    RUN(test_pieces);
    RUN(test_refused_lengths);
    RUN(test_frame_write);
    RUN(test_zero_copy);
    return test_finish();
}
