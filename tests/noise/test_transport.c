/* Transport: sizes, nonce exhaustion, failed decryption leaves n unchanged, replay / reorder,
 * rekey in step and out of step. */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/noise.h>

#include "noise_helpers.h"
#include "test.h"

static struct test_ctx tc;
static const e2e_ctx *ctx;
static struct e2e_noise_keypair client, server;

static void
connected(struct pair *p)
{
    pair_new(p, XX, ctx, client.priv, server.priv, NULL);
    CHECK_OK(pair_run(p, NULL, 0));
}

static void
test_sizes(void)
{
    struct pair p;
    connected(&p);
    uint8_t *pt = calloc(1, 65536), *ct = calloc(1, 65536 + 16);
    size_t n;
    CHECK_OK(transport_roundtrip(p.ti, p.tr, pt, E2E_NOISE_MAX_PLAINTEXT));
    CHECK_OK(transport_roundtrip(p.ti, p.tr, pt, 0));
    CHECK_ERR(
        e2e_noise_transport_encrypt(p.ti, ct, 65536 + 16, &n, pt, E2E_NOISE_MAX_PLAINTEXT + 1),
        E2E_ERR_LIMIT);
    CHECK_ERR(e2e_noise_transport_encrypt(p.ti, ct, 20, &n, pt, 5), E2E_ERR_BUFFER);
    CHECK_EQ(e2e_noise_transport_nonce(p.ti, E2E_NOISE_SEND), 2);
    struct e2e_report why;
    CHECK_ERR(e2e_noise_transport_decrypt(p.tr, pt, 65536, &n, ct, 65536, &why), E2E_ERR_MALFORMED);
    CHECK(strcmp(why.check, "size") == 0);
    CHECK_ERR(e2e_noise_transport_decrypt(p.tr, pt, 65536, &n, ct, 15, NULL), E2E_ERR_MALFORMED);
    CHECK_OK(e2e_noise_transport_encrypt(p.ti, ct, 64, &n, pt, 10));
    CHECK_ERR(e2e_noise_transport_decrypt(p.tr, pt, 9, &n, ct, 26, NULL), E2E_ERR_BUFFER);
    CHECK_EQ(e2e_noise_transport_nonce(p.tr, E2E_NOISE_RECV), 2);
    CHECK_OK(e2e_noise_transport_decrypt(p.tr, pt, 10, &n, ct, 26, NULL));
    free(pt);
    free(ct);
    pair_free(&p);
}

/* n = 2^64-1 is reserved: the last usable nonce is 2^64-2. */
static void
test_nonce_exhaustion(void)
{
    struct pair p;
    uint8_t ct[64], out[64];
    size_t n;
    connected(&p);
    e2e_noise_transport_set_nonce(p.ti, E2E_NOISE_SEND, UINT64_MAX - 1);
    e2e_noise_transport_set_nonce(p.tr, E2E_NOISE_RECV, UINT64_MAX - 1);
    CHECK_OK(transport_roundtrip(p.ti, p.tr, (const uint8_t *)"last", 4));
    CHECK(e2e_noise_transport_nonce(p.ti, E2E_NOISE_SEND) == UINT64_MAX);
    CHECK_ERR(e2e_noise_transport_encrypt(p.ti, ct, sizeof ct, &n, (const uint8_t *)"x", 1),
              E2E_ERR_LIMIT);
    CHECK(e2e_noise_transport_nonce(p.ti, E2E_NOISE_SEND) == UINT64_MAX);
    struct e2e_report why;
    memset(ct, 0x55, sizeof ct);
    CHECK_ERR(e2e_noise_transport_decrypt(p.tr, out, sizeof out, &n, ct, 32, &why), E2E_ERR_LIMIT);
    CHECK(strcmp(why.check, "nonce") == 0);
    CHECK(e2e_noise_transport_nonce(p.tr, E2E_NOISE_RECV) == UINT64_MAX);
    /* the other direction is unaffected */
    CHECK_OK(transport_roundtrip(p.tr, p.ti, (const uint8_t *)"still fine", 10));
    pair_free(&p);
}

static void
test_failed_decrypt_keeps_n(void)
{
    struct pair p;
    uint8_t ct[2][64], out[64];
    size_t n[2], on;
    connected(&p);
    CHECK_OK(e2e_noise_transport_encrypt(p.ti, ct[0], 64, &n[0], (const uint8_t *)"first", 5));
    CHECK_OK(e2e_noise_transport_encrypt(p.ti, ct[1], 64, &n[1], (const uint8_t *)"second", 6));
    /* reordered: the second first */
    struct e2e_report why;
    CHECK_ERR(e2e_noise_transport_decrypt(p.tr, out, sizeof out, &on, ct[1], n[1], &why),
              E2E_ERR_AUTH);
    CHECK(strcmp(why.check, "mac") == 0);
    for (size_t i = 0; i < 6; i++)
        CHECK_EQ(out[i], 0); /* nothing of a failed decryption is left */
    CHECK_EQ(e2e_noise_transport_nonce(p.tr, E2E_NOISE_RECV), 0);
    CHECK_OK(e2e_noise_transport_decrypt(p.tr, out, sizeof out, &on, ct[0], n[0], NULL));
    CHECK_MEM(out, "first", 5);
    /* replayed */
    CHECK_ERR(e2e_noise_transport_decrypt(p.tr, out, sizeof out, &on, ct[0], n[0], NULL),
              E2E_ERR_AUTH);
    CHECK_EQ(e2e_noise_transport_nonce(p.tr, E2E_NOISE_RECV), 1);
    CHECK_OK(e2e_noise_transport_decrypt(p.tr, out, sizeof out, &on, ct[1], n[1], NULL));
    CHECK_MEM(out, "second", 6);
    /* a message for the other direction does not decrypt here */
    CHECK_OK(e2e_noise_transport_encrypt(p.tr, ct[0], 64, &n[0], (const uint8_t *)"back", 4));
    CHECK_ERR(e2e_noise_transport_decrypt(p.tr, out, sizeof out, &on, ct[0], n[0], NULL),
              E2E_ERR_AUTH);
    CHECK_OK(e2e_noise_transport_decrypt(p.ti, out, sizeof out, &on, ct[0], n[0], NULL));
    pair_free(&p);
}

static void
test_rekey(void)
{
    struct pair p;
    connected(&p);
    CHECK_OK(transport_roundtrip(p.ti, p.tr, (const uint8_t *)"before", 6));
    CHECK_OK(e2e_noise_transport_rekey(p.ti, E2E_NOISE_SEND));
    CHECK_OK(e2e_noise_transport_rekey(p.tr, E2E_NOISE_RECV));
    /* Rekey() keeps n (spec 11.3) */
    CHECK_EQ(e2e_noise_transport_nonce(p.ti, E2E_NOISE_SEND), 1);
    CHECK_OK(transport_roundtrip(p.ti, p.tr, (const uint8_t *)"after", 5));
    /* one side alone: the keys no longer match, and the failure changes nothing */
    CHECK_OK(e2e_noise_transport_rekey(p.tr, E2E_NOISE_SEND));
    CHECK_ERR(transport_roundtrip(p.tr, p.ti, (const uint8_t *)"x", 1), E2E_ERR_AUTH);
    CHECK_EQ(e2e_noise_transport_nonce(p.ti, E2E_NOISE_RECV), 0);
    CHECK_OK(e2e_noise_transport_rekey(p.ti, E2E_NOISE_RECV));
    /* the sender's n advanced with the lost message: resynchronise as an explicit-nonce
     * transport would (SetNonce) */
    e2e_noise_transport_set_nonce(p.ti, E2E_NOISE_RECV, 1);
    CHECK_OK(transport_roundtrip(p.tr, p.ti, (const uint8_t *)"y", 1));
    CHECK_ERR(e2e_noise_transport_rekey(p.ti, 5), E2E_ERR_INVALID);
    pair_free(&p);
}

int
main(void)
{
    ctx = test_ctx_new(&tc, 11);
    keypair(ctx, &client);
    keypair(ctx, &server);
    RUN(test_sizes);
    RUN(test_nonce_exhaustion);
    RUN(test_failed_decrypt_keeps_n);
    RUN(test_rekey);
    test_ctx_free(&tc);
    return test_finish();
}
