/* Core: errors, codecs, bounded reader and writer, constant-time helpers, context, DRBG. */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/core.h>

#include "core/blob.h"
#include "core/bytes.h"
#include "core/log.h"
#include "test.h"

static void
test_errors(void)
{
    static const int codes[] = {
#define CODE_(name, code, text) code,
        E2E_ERRNO_MAP(CODE_)
#undef CODE_
    };
    size_t n = sizeof codes / sizeof codes[0];
    CHECK(n >= 12);
    for (size_t i = 0; i < n; i++) {
        CHECK(codes[i] < 0);
        CHECK(strcmp(e2e_err_name(codes[i]), "UNKNOWN") != 0);
        CHECK(strcmp(e2e_strerror(codes[i]), "unknown error") != 0);
        for (size_t j = i + 1; j < n; j++) {
            CHECK(codes[i] != codes[j]);
            CHECK(strcmp(e2e_err_name(codes[i]), e2e_err_name(codes[j])) != 0);
        }
    }
    /* the codes the foundation promises, each distinct */
    CHECK(strcmp(e2e_err_name(E2E_ERR_AUTH), "AUTH") == 0);
    CHECK(strcmp(e2e_err_name(E2E_ERR_DUPLICATE), "DUPLICATE") == 0);
    CHECK(strcmp(e2e_err_name(E2E_ERR_TOO_FAR), "TOO_FAR") == 0);
    CHECK(strcmp(e2e_err_name(E2E_ERR_UNTRUSTED), "UNTRUSTED") == 0);
    CHECK(strcmp(e2e_err_name(E2E_OK), "OK") == 0);
    CHECK(strcmp(e2e_err_name(-9999), "UNKNOWN") == 0);
    CHECK(strcmp(e2e_strerror(E2E_ERR_AUTH), "authentication failed (MAC or signature)") == 0);
}

static void
test_hex(void)
{
    uint8_t all[256], back[256];
    char hex[513];
    size_t n;
    for (int i = 0; i < 256; i++)
        all[i] = (uint8_t)i;
    CHECK_OK(e2e_hex_encode(hex, sizeof hex, all, 256));
    CHECK(strncmp(hex, "000102030405060708090a0b0c0d0e0f10", 34) == 0);
    CHECK(strcmp(hex + 500, "fafbfcfdfeff") == 0);
    CHECK_OK(e2e_hex_decode(back, sizeof back, &n, hex, 512));
    CHECK_EQ(n, 256);
    CHECK_MEM(back, all, 256);
    CHECK_OK(e2e_hex_decode(back, sizeof back, &n, "ABcdEF", 6));
    CHECK_HEX(back, 3, "abcdef");
    /* every non-hex byte value is refused */
    for (int c = 0; c < 256; c++) {
        int ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        char s[2] = {'0', (char)c};
        CHECK_ERR(e2e_hex_decode(back, sizeof back, &n, s, 2), ok ? E2E_OK : E2E_ERR_MALFORMED);
    }
    CHECK_ERR(e2e_hex_decode(back, sizeof back, &n, "abc", 3), E2E_ERR_MALFORMED);
    CHECK_ERR(e2e_hex_decode(back, 1, &n, "abcd", 4), E2E_ERR_BUFFER);
    CHECK_ERR(e2e_hex_encode(hex, 4, all, 2), E2E_ERR_BUFFER);
    CHECK_OK(e2e_hex_encode(hex, 5, all, 2));
    CHECK_OK(e2e_hex_decode(back, 0, &n, "", 0));
    CHECK_EQ(n, 0);
}

static void
test_base64(void)
{
    /* RFC 4648 section 10 */
    static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const std[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=",
                                      "Zm9vYmFy"};
    static const char *const url[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
    char enc[32];
    uint8_t dec[32];
    size_t n;
    for (int i = 0; i < 7; i++) {
        size_t pl = strlen(plain[i]);
        CHECK_OK(e2e_base64_encode(enc, sizeof enc, (const uint8_t *)plain[i], pl, E2E_BASE64));
        CHECK(strcmp(enc, std[i]) == 0);
        CHECK_EQ(e2e_base64_encoded_len(pl, E2E_BASE64), strlen(std[i]));
        CHECK_OK(e2e_base64_decode(dec, sizeof dec, &n, std[i], strlen(std[i]), E2E_BASE64));
        CHECK_EQ(n, pl);
        CHECK_MEM(dec, plain[i], pl);
        CHECK_OK(
            e2e_base64_encode(enc, sizeof enc, (const uint8_t *)plain[i], pl, E2E_BASE64_URL));
        CHECK(strcmp(enc, url[i]) == 0);
        CHECK_OK(e2e_base64_decode(dec, sizeof dec, &n, url[i], strlen(url[i]), E2E_BASE64_URL));
        CHECK_EQ(n, pl);
    }
    /* the two alphabets differ in 62 and 63 */
    static const uint8_t hi[] = {0xfb, 0xff};
    CHECK_OK(e2e_base64_encode(enc, sizeof enc, hi, 2, E2E_BASE64));
    CHECK(strcmp(enc, "+/8=") == 0);
    CHECK_OK(e2e_base64_encode(enc, sizeof enc, hi, 2, E2E_BASE64_URL));
    CHECK(strcmp(enc, "-_8") == 0);
    /* strictness */
    static const char *const bad_std[] = {"Zg=", "Zh==", "Zm9=", "Z===", "Zm 9", "Zm9v=", "-_8=",
                                          "Zg==Zg=="};
    for (size_t i = 0; i < sizeof bad_std / sizeof bad_std[0]; i++)
        CHECK_ERR(e2e_base64_decode(dec, sizeof dec, &n, bad_std[i], strlen(bad_std[i]),
                                    E2E_BASE64),
                  E2E_ERR_MALFORMED);
    CHECK_ERR(e2e_base64_decode(dec, sizeof dec, &n, "Z", 1, E2E_BASE64_URL), E2E_ERR_MALFORMED);
    CHECK_ERR(e2e_base64_decode(dec, sizeof dec, &n, "+/8", 3, E2E_BASE64_URL),
              E2E_ERR_MALFORMED);
    CHECK_ERR(e2e_base64_decode(dec, 5, &n, "Zm9vYmFy", 8, E2E_BASE64), E2E_ERR_BUFFER);
    CHECK_ERR(e2e_base64_encode(enc, 8, (const uint8_t *)"foobar", 6, E2E_BASE64), E2E_ERR_BUFFER);
    CHECK_ERR(e2e_base64_encode(enc, sizeof enc, (const uint8_t *)"x", 1, 9), E2E_ERR_INVALID);
    /* round trip of every byte value */
    uint8_t all[256], back[256];
    char big[400];
    for (int i = 0; i < 256; i++)
        all[i] = (uint8_t)(255 - i);
    for (int v = 0; v < 2; v++) {
        CHECK_OK(e2e_base64_encode(big, sizeof big, all, 256, v));
        CHECK_OK(e2e_base64_decode(back, sizeof back, &n, big, strlen(big), v));
        CHECK_EQ(n, 256);
        CHECK_MEM(back, all, 256);
    }
}

static void
test_reader(void)
{
    static const uint8_t buf[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    struct e2e_reader r;
    e2e_reader_init(&r, buf, sizeof buf);
    CHECK_EQ(e2e_read_u8(&r), 1);
    CHECK_EQ(e2e_read_u16_be(&r), 0x0203);
    CHECK_EQ(e2e_read_u32_le(&r), 0x07060504u);
    CHECK_EQ(e2e_read_u64_be(&r), 0x08090a0b0c0d0e0full);
    CHECK_EQ(e2e_reader_left(&r), 0);
    CHECK_OK(e2e_reader_done(&r));
    /* a short read fails, yields zeros, and every later read fails too */
    e2e_reader_init(&r, buf, 3);
    CHECK_EQ(e2e_read_u32_be(&r), 0);
    CHECK_ERR(r.err, E2E_ERR_MALFORMED);
    CHECK_EQ(e2e_read_u8(&r), 0);
    CHECK(e2e_read_view(&r, 0) == NULL);
    CHECK_ERR(e2e_reader_done(&r), E2E_ERR_MALFORMED);
    /* a view past the end, or a huge length, never reads out of bounds */
    e2e_reader_init(&r, buf, sizeof buf);
    e2e_read_skip(&r, 10);
    CHECK(e2e_read_view(&r, SIZE_MAX) == NULL);
    CHECK_EQ(e2e_reader_left(&r), 0);
    uint8_t out[4] = {9, 9, 9, 9};
    e2e_reader_init(&r, buf, 2);
    e2e_read_bytes(&r, out, 4);
    CHECK(e2e_ct_is_zero(out, 4));
    /* leftovers are an error when the whole input must be consumed */
    e2e_reader_init(&r, buf, 2);
    e2e_read_u8(&r);
    CHECK_ERR(e2e_reader_done(&r), E2E_ERR_MALFORMED);
    e2e_reader_init(&r, NULL, 10);
    CHECK_EQ(e2e_reader_left(&r), 0);
    e2e_reader_init(&r, buf, 4);
    e2e_reader_fail(&r, E2E_ERR_PROTOCOL);
    CHECK_ERR(e2e_reader_done(&r), E2E_ERR_PROTOCOL);
}

static void
test_writer(void)
{
    uint8_t buf[16];
    struct e2e_writer w;
    e2e_writer_init(&w, buf, sizeof buf);
    e2e_write_u8(&w, 0xaa);
    e2e_write_u16_be(&w, 0x0102);
    e2e_write_u32_le(&w, 0x06050403u);
    e2e_write_u64_be(&w, 0x0708090a0b0c0d0eull);
    CHECK_EQ(w.len, 15);
    CHECK_OK(w.err);
    CHECK_HEX(buf, 15, "aa0102030405060708090a0b0c0d0e");
    e2e_write_u16_be(&w, 1); /* one byte left: overflow */
    CHECK_ERR(w.err, E2E_ERR_BUFFER);
    CHECK_EQ(w.len, 15);
    e2e_write_u8(&w, 1); /* sticky even though it would fit */
    CHECK_EQ(w.len, 15);
    CHECK(e2e_write_reserve(&w, 0) == NULL);
    e2e_writer_init(&w, buf, 4);
    CHECK(e2e_write_reserve(&w, SIZE_MAX) == NULL);
    CHECK_ERR(w.err, E2E_ERR_BUFFER);
}

static void
test_ct(void)
{
    uint8_t a[64], b[64];
    memset(a, 7, sizeof a);
    memcpy(b, a, sizeof b);
    CHECK(e2e_ct_equal(a, b, 64));
    CHECK(e2e_ct_equal(a, b, 0));
    for (int i = 0; i < 64 * 8; i++) {
        b[i / 8] ^= (uint8_t)(1u << (i % 8));
        CHECK(!e2e_ct_equal(a, b, 64));
        b[i / 8] ^= (uint8_t)(1u << (i % 8));
    }
    memset(a, 0, sizeof a);
    CHECK(e2e_ct_is_zero(a, 64));
    a[63] = 0x80;
    CHECK(!e2e_ct_is_zero(a, 64));
    e2e_wipe(a, sizeof a);
    CHECK(e2e_ct_is_zero(a, 64));
    e2e_wipe(NULL, 10);
}

static int failing_rng(void *u, uint8_t *out, size_t n)
{
    (void)u;
    memset(out, 0x5a, n);
    return -1;
}

static void
collect_log(void *user, int level, const char *msg)
{
    char *buf = user;
    (void)level;
    strncat(buf, msg, 255 - strlen(buf));
}

static void
test_ctx(void)
{
    e2e_ctx *ctx = NULL;
    uint8_t a[32], b[32];
    CHECK_OK(e2e_ctx_new(&ctx, NULL));
    CHECK_OK(e2e_random(ctx, a, sizeof a));
    CHECK_OK(e2e_random(ctx, b, sizeof b));
    CHECK(!e2e_ct_equal(a, b, 32));
    CHECK(e2e_now_ms(ctx) > 1700000000000ull); /* the real clock: after 2023 */
    CHECK(!e2e_log_enabled(ctx, E2E_LOG_ERROR));
    e2e_ctx_free(ctx);
    CHECK_OK(e2e_random(NULL, a, sizeof a)); /* NULL ctx: defaults */
    CHECK_ERR(e2e_random(NULL, NULL, 4), E2E_ERR_INVALID);
    CHECK_ERR(e2e_ctx_new(NULL, NULL), E2E_ERR_INVALID);

    /* a failing rng: E2E_ERR_RNG and nothing of what it wrote is left */
    struct e2e_ctx_config cfg = {0};
    cfg.rng = failing_rng;
    CHECK_OK(e2e_ctx_new(&ctx, &cfg));
    memset(a, 1, sizeof a);
    CHECK_ERR(e2e_random(ctx, a, sizeof a), E2E_ERR_RNG);
    CHECK(e2e_ct_is_zero(a, sizeof a));
    e2e_ctx_free(ctx);

    /* logging and its level */
    char log[256] = "";
    struct e2e_ctx_config lc = {0};
    lc.log = collect_log;
    lc.user = log;
    lc.log_level = E2E_LOG_INFO;
    CHECK_OK(e2e_ctx_new(&ctx, &lc));
    e2e_log(ctx, E2E_LOG_INFO, "n=%d", 42);
    e2e_log(ctx, E2E_LOG_TRACE, "hidden");
    e2e_trace_hex(ctx, "k", a, 4);
    CHECK(strcmp(log, "n=42") == 0);
    e2e_ctx_free(ctx);
    lc.log_level = E2E_LOG_TRACE;
    log[0] = 0;
    CHECK_OK(e2e_ctx_new(&ctx, &lc));
    static const uint8_t k[] = {0xde, 0xad};
    e2e_trace_hex(ctx, "key", k, 2);
    CHECK(strcmp(log, "key = dead") == 0);
    e2e_ctx_free(ctx);
}

static void
test_report(void)
{
    struct e2e_report r;
    e2e_report_clear(&r);
    CHECK_EQ(r.err, 0);
    CHECK_EQ(r.state, -1);
    CHECK(r.check == NULL);
    CHECK_ERR(e2e_report_fail(&r, E2E_ERR_AUTH, "mac", "state %d", 3), E2E_ERR_AUTH);
    CHECK_EQ(r.err, E2E_ERR_AUTH);
    CHECK(strcmp(r.check, "mac") == 0);
    CHECK(strcmp(r.detail, "state 3") == 0);
    CHECK_ERR(e2e_report_fail(NULL, E2E_ERR_MALFORMED, "x", "y"), E2E_ERR_MALFORMED);
}

static void
test_drbg(void)
{
    struct e2e_drbg d1, d2, d3;
    uint8_t a[100], b[100], c[100];
    e2e_drbg_seed(&d1, "seed", 4);
    e2e_drbg_seed(&d2, "seed", 4);
    e2e_drbg_seed(&d3, "seeD", 4);
    CHECK_EQ(e2e_drbg_rng(&d1, a, sizeof a), 0);
    /* the same stream whatever the request sizes */
    CHECK_EQ(e2e_drbg_rng(&d2, b, 1), 0);
    CHECK_EQ(e2e_drbg_rng(&d2, b + 1, 63), 0);
    CHECK_EQ(e2e_drbg_rng(&d2, b + 64, 36), 0);
    CHECK_MEM(a, b, sizeof a);
    CHECK_EQ(e2e_drbg_rng(&d3, c, sizeof c), 0);
    CHECK(!e2e_ct_equal(a, c, sizeof a));
    /* and it moves on */
    CHECK_EQ(e2e_drbg_rng(&d1, c, sizeof c), 0);
    CHECK(!e2e_ct_equal(a, c, sizeof a));
    /* Known answers, computed independently with python3-cryptography's ChaCha20 (its 16-byte
     * nonce is DJB's 64-bit block counter then the 64-bit nonce): the key is
     * SHA-256("e2ekit drbg v1" || seed), the nonce is the little-endian block number. */
    e2e_drbg_seed(&d1, "", 0);
    CHECK_EQ(e2e_drbg_rng(&d1, a, 8), 0);
    CHECK_HEX(a, 8, "ba93027bab875a2b");
    e2e_drbg_seed(&d1, "seed", 4);
    CHECK_EQ(e2e_drbg_rng(&d1, a, 72), 0); /* block 0, then the first 8 bytes of block 1 */
    CHECK_HEX(a + 64, 8, "2bb6ace5a50afa1c");
}

static void
test_blob_head(void)
{
    uint8_t buf[8];
    struct e2e_writer w;
    struct e2e_reader r;
    struct e2e_report why;
    e2e_writer_init(&w, buf, sizeof buf);
    e2e__blob_head_write(&w, E2E__MAGIC('T', 'E', 'S', 'T'), 3);
    CHECK_HEX(buf, 6, "544553540003"); /* the magic's letters, then the version */
    e2e_reader_init(&r, buf, 6);
    CHECK_OK(e2e__blob_head_read(&r, E2E__MAGIC('T', 'E', 'S', 'T'), 3, "test", &why));
    CHECK_OK(e2e_reader_done(&r));
    e2e_reader_init(&r, buf, 6);
    CHECK_ERR(e2e__blob_head_read(&r, E2E__MAGIC('T', 'E', 'S', 'U'), 3, "test", &why),
              E2E_ERR_MALFORMED);
    CHECK(strcmp(why.check, "magic") == 0);
    CHECK_ERR(r.err, E2E_ERR_MALFORMED); /* the reader is failed too */
    e2e_reader_init(&r, buf, 6);
    CHECK_ERR(e2e__blob_head_read(&r, E2E__MAGIC('T', 'E', 'S', 'T'), 4, "test", &why),
              E2E_ERR_UNSUPPORTED);
    CHECK(strcmp(why.check, "version") == 0);
    CHECK_ERR(r.err, E2E_ERR_UNSUPPORTED);
    e2e_reader_init(&r, buf, 5); /* cut short */
    CHECK_ERR(e2e__blob_head_read(&r, E2E__MAGIC('T', 'E', 'S', 'T'), 3, "test", NULL),
              E2E_ERR_MALFORMED);
}

int
main(void)
{
    RUN(test_errors);
    RUN(test_hex);
    RUN(test_base64);
    RUN(test_reader);
    RUN(test_writer);
    RUN(test_ct);
    RUN(test_ctx);
    RUN(test_report);
    RUN(test_drbg);
    RUN(test_blob_head);
    return test_finish();
}
