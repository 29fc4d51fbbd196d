/* e2e_aes_ige_encrypt_many equals e2e_aes_ige_encrypt, job by job. */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/crypto.h>

#include "test.h"

static uint8_t data[2048];

static size_t
pick(struct test_ctx *t, size_t max)
{
    uint8_t r[2];
    if (e2e_random(t->ctx, r, 2))
        abort();
    return ((size_t)r[0] << 8 | r[1]) % (max + 1);
}

static void
test_ige_many(void)
{
    struct test_ctx t;
    test_ctx_new(&t, 12);
    static uint8_t out_many[9][512], out_one[512];
    for (int round = 0; round < 200; round++) {
        struct e2e_aes_ige_job jobs[9];
        e2e_aes_key keys[9];
        uint8_t ivs[9][32], ivs0[9][32], keybytes[32];
        size_t count = (size_t)round % 10;
        for (size_t k = 0; k < count; k++) {
            /* mixed key sizes and back ends exercise the grouping */
            size_t kl = pick(&t, 3) ? 32 : 16;
            int impl = pick(&t, 4) || !e2e_aes_has_aesni() ? E2E_AES_AUTO : E2E_AES_PORTABLE;
            CHECK_OK(e2e_random(t.ctx, keybytes, sizeof keybytes));
            CHECK_OK(e2e_aes_setkey_impl(&keys[k], keybytes, kl, impl));
            CHECK_OK(e2e_random(t.ctx, ivs[k], 32));
            memcpy(ivs0[k], ivs[k], 32);
            jobs[k].key = &keys[k];
            jobs[k].iv = ivs[k];
            jobs[k].in = data + 16 * pick(&t, 32);
            jobs[k].out = out_many[k];
            jobs[k].n = 16 * pick(&t, 32);
        }
        CHECK_OK(e2e_aes_ige_encrypt_many(jobs, count));
        for (size_t k = 0; k < count; k++) {
            uint8_t iv[32];
            memcpy(iv, ivs0[k], 32);
            CHECK_OK(e2e_aes_ige_encrypt(&keys[k], iv, jobs[k].in, jobs[k].n, out_one));
            CHECK_MEM(out_many[k], out_one, jobs[k].n);
            CHECK_MEM(ivs[k], iv, 32); /* the chaining state is carried out the same way */
        }
    }
    /* a job that is not whole blocks: E2E_ERR_INVALID and nothing written */
    e2e_aes_key k;
    uint8_t key[32] = {1}, iv[2][32] = {{0}}, out[2][32];
    CHECK_OK(e2e_aes_setkey(&k, key, 32));
    memset(out, 0x5a, sizeof out);
    struct e2e_aes_ige_job bad[2] = {{&k, iv[0], data, out[0], 32}, {&k, iv[1], data, out[1], 17}};
    CHECK_ERR(e2e_aes_ige_encrypt_many(bad, 2), E2E_ERR_INVALID);
    CHECK_EQ(out[0][0], 0x5a);
    CHECK(e2e_ct_is_zero(iv, sizeof iv));
    test_ctx_free(&t);
}

int
main(void)
{
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 29 + 3);
    RUN(test_ige_many);
    return test_finish();
}
