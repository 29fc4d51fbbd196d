/* MTProto 2.0 / 1.0 message crypto: tdlib's padding buckets, round trips over every padding
 * length and both directions, each decrypt check with its error, the wiped output, and the
 * step-by-step trace. */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/telegram.h>

#include "core/util.h"
#include "telegram/internal.h"
#include "test.h"

static uint8_t key[256];

static void
setup(void)
{
    for (int i = 0; i < 256; i++)
        key[i] = (uint8_t)(i * 37 + 11);
}

static void
test_padding_buckets(void)
{
    static const size_t buckets[] = {64, 128, 192, 256, 384, 512, 768, 1024, 1280};
    for (size_t len = 0; len <= 20000; len += 4) {
        size_t s = e2e_tg_mtp2_padded_size(len);
        size_t pad = s - 4 - len;
        CHECK(s % 16 == 0 && pad >= 12 && pad <= 1024);
        size_t min = (4 + len + 12 + 15) & ~(size_t)15;
        int bucket = 0;
        for (size_t i = 0; i < 9; i++)
            bucket |= s == buckets[i];
        if (min <= 1280) {
            CHECK(bucket);
            /* the first bucket that fits, not a later one */
            for (size_t i = 0; i < 9 && buckets[i] < s; i++)
                CHECK(buckets[i] < min);
        } else {
            CHECK((s - 1280) % 448 == 0 && s >= min && s - min < 448);
        }
    }
    CHECK_EQ(e2e_tg_mtp2_padded_size(0), 64);
    CHECK_EQ(e2e_tg_mtp2_padded_size(88), 128); /* the derived vector */
    CHECK_EQ(e2e_tg_mtp2_padded_size(1252), 1280);
    CHECK_EQ(e2e_tg_mtp2_padded_size(1264), 1280); /* 12 padding bytes */
    CHECK_EQ(e2e_tg_mtp2_padded_size(1268), 1728);
}

/* Every padding length 12..1024 with both x: encrypt, decrypt, the other x refused. */
static void
test_round_trips(void)
{
    uint8_t plain[1200], msg[1300], out[1300];
    size_t tested = 0;
    for (size_t pad = 12; pad <= 1024; pad++) {
        /* the shortest payload of whole words making 4 + len + pad whole blocks, if any */
        size_t len = 0;
        while (len < 64 && (4 + len + pad) % 16)
            len += 4;
        size_t n = 4 + len + pad;
        if (n % 16)
            continue; /* pad % 4 != 0 cannot be reached with whole words */
        tested++;
        for (size_t i = 0; i < n; i++)
            plain[i] = (uint8_t)(i ^ pad);
        e2e_store32_le(plain, (uint32_t)len);
        for (int x = 0; x <= 8; x += 8) {
            size_t tl = 0;
            CHECK_OK(e2e_tg_mtp2_encrypt(NULL, msg, key, x, plain, n));
            CHECK_OK(e2e_tg_mtp2_decrypt(NULL, out, &tl, key, x, msg, n + 24, NULL));
            CHECK_EQ(tl, len);
            CHECK_MEM(out, plain, n);
            CHECK_ERR(e2e_tg_mtp2_decrypt(NULL, out, &tl, key, 8 - x, msg, n + 24, NULL),
                      E2E_ERR_AUTH);
            CHECK(e2e_ct_is_zero(out, n)); /* wiped on failure */
        }
    }
    CHECK_EQ(tested, (1024 - 12) / 4 + 1);
}

static void
test_encrypt_refuses_bad_framing(void)
{
    uint8_t plain[2048], msg[2100];
    memset(plain, 0, sizeof plain);
    e2e_store32_le(plain, 20);
    CHECK_OK(e2e_tg_mtp2_encrypt(NULL, msg, key, 0, plain, 48)); /* 24 padding bytes */
    CHECK_ERR(e2e_tg_mtp2_encrypt(NULL, msg, key, 4, plain, 48), E2E_ERR_INVALID);
    CHECK_ERR(e2e_tg_mtp2_encrypt(NULL, msg, key, 0, plain, 47), E2E_ERR_INVALID);
    e2e_store32_le(plain, 22); /* not whole words */
    CHECK_ERR(e2e_tg_mtp2_encrypt(NULL, msg, key, 0, plain, 48), E2E_ERR_INVALID);
    e2e_store32_le(plain, 36); /* 8 padding bytes */
    CHECK_ERR(e2e_tg_mtp2_encrypt(NULL, msg, key, 0, plain, 48), E2E_ERR_INVALID);
    e2e_store32_le(plain, 0); /* 2044 padding bytes */
    CHECK_ERR(e2e_tg_mtp2_encrypt(NULL, msg, key, 0, plain, 2048), E2E_ERR_INVALID);
}

/* Framing errors under a valid msg_key (what only a key holder can produce). */
static void
test_decrypt_framing_checks(void)
{
    uint8_t plain[1100], msg[1200], out[1200], id[8];
    struct e2e_report why;
    size_t tl;
    e2e_tg_key_id(id, key);
    static const struct {
        uint32_t len;
        size_t n;
        const char *check;
    } cases[] = {{21, 48, "length"},
                 {45, 48, "length"},
                 {48, 48, "length"},
                 {40, 48, "padding"},
                 {0, 1056, "padding"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memset(plain, 0x5c, sizeof plain);
        e2e_store32_le(plain, cases[i].len);
        e2e__tg_mtp2_seal(NULL, msg, key, id, 0, plain, cases[i].n);
        e2e_report_clear(&why);
        CHECK_ERR(e2e_tg_mtp2_decrypt(NULL, out, &tl, key, 0, msg, cases[i].n + 24, &why),
                  E2E_ERR_MALFORMED);
        CHECK(why.check && strcmp(why.check, cases[i].check) == 0);
        CHECK(e2e_ct_is_zero(out, cases[i].n));
    }
    /* size and key id come first */
    CHECK_ERR(e2e_tg_mtp2_decrypt(NULL, out, &tl, key, 0, msg, 39, &why), E2E_ERR_MALFORMED);
    CHECK(why.check && strcmp(why.check, "size") == 0);
    msg[7] ^= 1;
    CHECK_ERR(e2e_tg_mtp2_decrypt(NULL, out, &tl, key, 0, msg, 72, &why), E2E_ERR_NO_SESSION);
    CHECK(why.check && strcmp(why.check, "fingerprint") == 0);
}

static void
test_mtproto1(void)
{
    uint8_t plain[64], msg[100], out[100];
    struct e2e_report why;
    size_t tl = 0;
    memset(plain, 0x21, sizeof plain);
    e2e_store32_le(plain, 48); /* 12 padding bytes: fine for 1.0 (0..15) */
    CHECK_OK(e2e_tg_mtp1_encrypt(NULL, msg, key, plain, 64));
    CHECK_OK(e2e_tg_mtp1_decrypt(NULL, out, &tl, key, msg, 88, &why));
    CHECK_EQ(tl, 48);
    CHECK_MEM(out, plain, 64);
    /* the msg_key covers length || TL, not the padding: a padding byte change is not seen, but
     * IGE spreads it into the next block, which there is none of: change the last block */
    msg[87] ^= 1;
    CHECK_ERR(e2e_tg_mtp1_decrypt(NULL, out, &tl, key, msg, 88, &why), E2E_ERR_AUTH);
    CHECK(why.check && strcmp(why.check, "msg_key") == 0);
    msg[87] ^= 1;
    msg[30] ^= 1;
    CHECK_ERR(e2e_tg_mtp1_decrypt(NULL, out, &tl, key, msg, 88, &why), E2E_ERR_AUTH);
    /* 1.0 is not 2.0: neither opens the other's message */
    msg[30] ^= 1;
    CHECK_ERR(e2e_tg_mtp2_decrypt(NULL, out, &tl, key, 0, msg, 88, &why), E2E_ERR_AUTH);
    /* 1.0 framing: 16+ padding bytes are refused on encrypt */
    e2e_store32_le(plain, 44);
    CHECK_ERR(e2e_tg_mtp1_encrypt(NULL, msg, key, plain, 64), E2E_ERR_INVALID);
    /* KDF: x selects other key bytes */
    uint8_t k0[32], i0[32], k8[32], i8[32], mk[16] = {1};
    e2e_tg_mtp1_kdf(k0, i0, key, mk, 0);
    e2e_tg_mtp1_kdf(k8, i8, key, mk, 8);
    CHECK(memcmp(k0, k8, 32) != 0 && memcmp(i0, i8, 32) != 0);
}

struct trace_log {
    char text[16384];
    size_t len;
};

static void
trace_cb(void *user, int level, const char *msg)
{
    struct trace_log *t = user;
    (void)level;
    size_t n = strlen(msg);
    if (t->len + n + 2 < sizeof t->text) {
        memcpy(t->text + t->len, msg, n);
        t->len += n;
        t->text[t->len++] = '\n';
        t->text[t->len] = 0;
    }
}

static void
test_trace(void)
{
    struct trace_log *log = calloc(1, sizeof *log);
    struct e2e_ctx_config cfg = {0};
    e2e_ctx *ctx;
    cfg.log = trace_cb;
    cfg.user = log;
    cfg.log_level = E2E_LOG_TRACE;
    CHECK_OK(e2e_ctx_new(&ctx, &cfg));
    uint8_t plain[64], msg[100], out[100];
    size_t tl;
    memset(plain, 0, sizeof plain);
    e2e_store32_le(plain, 4);
    CHECK_OK(e2e_tg_mtp2_encrypt(ctx, msg, key, 0, plain, 64));
    CHECK_OK(e2e_tg_mtp2_decrypt(ctx, out, &tl, key, 0, msg, 88, NULL));
    /* each derivation step is there, with its value */
    char mk[33];
    CHECK_OK(e2e_hex_encode(mk, sizeof mk, msg + 8, 16));
    CHECK(strstr(log->text, "mtproto2 encrypt") != NULL);
    CHECK(strstr(log->text, "aes_key = ") != NULL);
    CHECK(strstr(log->text, "aes_iv = ") != NULL);
    CHECK(strstr(log->text, "msg_key recomputed") != NULL);
    CHECK(strstr(log->text, mk) != NULL);
    /* and nothing when tracing is off */
    e2e_ctx_free(ctx);
    cfg.log_level = E2E_LOG_DEBUG;
    log->len = 0;
    log->text[0] = 0;
    CHECK_OK(e2e_ctx_new(&ctx, &cfg));
    CHECK_OK(e2e_tg_mtp2_encrypt(ctx, msg, key, 0, plain, 64));
    CHECK_EQ(log->len, 0);
    e2e_ctx_free(ctx);
    free(log);
}

int
main(void)
{
    setup();
    RUN(test_padding_buckets);
    RUN(test_round_trips);
    RUN(test_encrypt_refuses_bad_framing);
    RUN(test_decrypt_framing_checks);
    RUN(test_mtproto1);
    RUN(test_trace);
    return test_finish();
}
