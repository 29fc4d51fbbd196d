/* e2e_tg_mtp2_encrypt_many: the same bytes as e2e_tg_mtp2_encrypt, message by message. */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/telegram.h>

#include "test.h"

/* reference/telegram.md 10.2: the creator's first message at layer 144, key = bytes 00..ff */
static void
test_reference_message_in_a_batch(void)
{
    uint8_t key[256], id[8], plain[128], out[4][152];
    for (int i = 0; i < 256; i++)
        key[i] = (uint8_t)i;
    e2e_tg_key_id(id, key);
    memset(plain, 0xee, sizeof plain);
    unhex(plain, 92,
          "580000008917e31b1fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbe9000"
          "000000000000010000007446cc9100000000efcdab8967452301000000001348656c6c6f2c2073656372"
          "6574206368617421");
    struct e2e_tg_mtp2_job jobs[4];
    for (int k = 0; k < 4; k++)
        jobs[k] = (struct e2e_tg_mtp2_job){key, id, 0, plain, sizeof plain, out[k]};
    CHECK_OK(e2e_tg_mtp2_encrypt_many(NULL, jobs, 4));
    for (int k = 0; k < 4; k++)
        CHECK_HEX(
            out[k], 152,
            "32d1586ea457dfc8d62fa3e120a6c26d991c6f52b740f7c1a9bd5082f00b51c1c161099154a63f4204b1"
            "c6afff0669c332420573b55205497099ba9812e6759f4d60d8a4105af2f4769f945f2bea3c76b0675a40"
            "8d1516852381645d776c58fb3d7589de40c80e7d3e572dccb810c9e5dcd4a8ee4b8d505e309528002403"
            "60b5411cead2fd1d4d36c2613ca60fbfa73800ad2e6e95609b82");
}

static void
test_equals_single(void)
{
    struct test_ctx t;
    test_ctx_new(&t, 21);
    static const size_t sizes[] = {64, 128, 192, 256, 384, 512, 768, 1024, 1280, 1728};
    static uint8_t keys[3][256], plains[9][1728], many[9][1752], one[1752];
    uint8_t ids[3][8];
    for (int c = 0; c < 3; c++) {
        CHECK_OK(e2e_random(t.ctx, keys[c], 256));
        e2e_tg_key_id(ids[c], keys[c]);
    }
    for (int round = 0; round < 60; round++) {
        struct e2e_tg_mtp2_job jobs[9];
        size_t count = (size_t)round % 10;
        for (size_t k = 0; k < count; k++) {
            uint8_t r[3];
            CHECK_OK(e2e_random(t.ctx, r, 3));
            size_t n = sizes[r[0] % 10];
            size_t tl = (n - 12 - 4 - 4 * (r[1] % 3)) & ~(size_t)3; /* 12..20 bytes of padding */
            CHECK_OK(e2e_random(t.ctx, plains[k], n));
            plains[k][0] = (uint8_t)tl;
            plains[k][1] = (uint8_t)(tl >> 8);
            plains[k][2] = plains[k][3] = 0;
            int c = r[2] % 3;
            jobs[k] = (struct e2e_tg_mtp2_job){keys[c],   ids[c], (r[2] & 4) ? 8 : 0,
                                               plains[k], n,      many[k]};
        }
        CHECK_OK(e2e_tg_mtp2_encrypt_many(NULL, jobs, count));
        for (size_t k = 0; k < count; k++) {
            CHECK_OK(
                e2e_tg_mtp2_encrypt(NULL, one, jobs[k].key, jobs[k].x, jobs[k].plain, jobs[k].n));
            CHECK_MEM(many[k], one, jobs[k].n + 24);
        }
    }
    test_ctx_free(&t);
}

static void
test_refused_jobs(void)
{
    uint8_t key[256] = {3}, id[8], plain[64], out[2][88];
    e2e_tg_key_id(id, key);
    memset(plain, 0, sizeof plain);
    plain[0] = 40; /* 40-byte TL, 20 bytes of padding */
    struct e2e_tg_mtp2_job jobs[2] = {{key, id, 0, plain, 64, out[0]},
                                      {key, id, 4, plain, 64, out[1]}}; /* x = 4: refused */
    memset(out, 0x77, sizeof out);
    CHECK_ERR(e2e_tg_mtp2_encrypt_many(NULL, jobs, 2), E2E_ERR_INVALID);
    CHECK_EQ(out[0][0], 0x77); /* nothing written, not even for the good job */
    jobs[1].x = 8;
    plain[0] = 44;  /* 16 bytes of padding would be fine... */
    jobs[1].n = 48; /* ...but this plaintext leaves 0 */
    CHECK_ERR(e2e_tg_mtp2_encrypt_many(NULL, jobs, 2), E2E_ERR_INVALID);
    CHECK_EQ(out[0][0], 0x77);
    CHECK_ERR(e2e_tg_mtp2_encrypt_many(NULL, NULL, 1), E2E_ERR_INVALID);
    CHECK_OK(e2e_tg_mtp2_encrypt_many(NULL, NULL, 0));
}

int
main(void)
{
    RUN(test_reference_message_in_a_batch);
    RUN(test_equals_single);
    RUN(test_refused_jobs);
    return test_finish();
}
