/* The handshake engine: XX, IK, XXfallback and the other patterns, message sizes, states, low-order
 * keys, traces. Known answers are in test_vectors.c (cacophony, noise-c) and py/test_noise_oracle.
 */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/crypto.h>
#include <e2ekit/noise.h>

#include "noise_helpers.h"
#include "test.h"

static struct test_ctx tc;
static const e2e_ctx *ctx;
static struct e2e_noise_keypair client, server, server2;

static void
test_xx_sizes_and_keys(void)
{
    struct pair p;
    size_t lens[3];
    uint8_t hi[32], hr[32], rs[32];
    pair_new(&p, XX, ctx, client.priv, server.priv, NULL);
    CHECK_ERR(e2e_noise_handshake_remote_static(p.resp, rs), E2E_ERR_STATE);
    CHECK_OK(pair_run(&p, lens, 3));
    CHECK_EQ(lens[0], 32); /* e */
    CHECK_EQ(lens[1], 96); /* e, ee, s (32 + 16), es, tag */
    CHECK_EQ(lens[2], 64); /* s (48), se, tag */
    CHECK_OK(e2e_noise_handshake_hash(p.init, hi));
    CHECK_OK(e2e_noise_handshake_hash(p.resp, hr));
    CHECK_MEM(hi, hr, 32);
    CHECK_OK(e2e_noise_handshake_remote_static(p.resp, rs));
    CHECK_MEM(rs, client.pub, 32);
    CHECK_OK(e2e_noise_handshake_remote_static(p.init, rs));
    CHECK_MEM(rs, server.pub, 32);
    uint8_t th[32];
    e2e_noise_transport_handshake_hash(p.ti, th);
    CHECK_MEM(th, hi, 32);
    CHECK_OK(transport_roundtrip(p.ti, p.tr, (const uint8_t *)"to the relay", 12));
    CHECK_OK(transport_roundtrip(p.tr, p.ti, (const uint8_t *)"to the client", 13));
    /* after Split the handshake is spent; its hash stays readable */
    CHECK_EQ(e2e_noise_handshake_action(p.init), E2E_NOISE_ACTION_NONE);
    e2e_noise_transport *t2;
    CHECK_ERR(e2e_noise_handshake_split(p.init, &t2), E2E_ERR_STATE);
    CHECK_OK(e2e_noise_handshake_hash(p.init, hi));
    CHECK_MEM(hi, hr, 32);
    pair_free(&p);
}

static void
test_ik_sizes(void)
{
    struct pair p;
    size_t lens[2];
    uint8_t rs[32];
    pair_new(&p, IK, ctx, client.priv, server.priv, server.pub);
    CHECK_OK(pair_run(&p, lens, 2));
    CHECK_EQ(lens[0], 96); /* e, es, s (48), ss, tag */
    CHECK_EQ(lens[1], 48); /* e, ee, se, tag */
    CHECK_OK(e2e_noise_handshake_remote_static(p.resp, rs));
    CHECK_MEM(rs, client.pub, 32);
    CHECK_OK(transport_roundtrip(p.ti, p.tr, (const uint8_t *)"0-RTT", 5));
    pair_free(&p);
}

/* The client pins server.pub but the relay now holds server2: IK fails, XXfallback succeeds. */
static void
test_fallback(void)
{
    struct pair p;
    uint8_t msg[256], buf[256], rs[32], hi[32], hr[32];
    size_t n, bn;
    struct e2e_report why;
    pair_new(&p, IK, ctx, client.priv, server2.priv, server.pub);
    CHECK_OK(e2e_noise_handshake_write(p.init, (const uint8_t *)"hi", 2, msg, sizeof msg, &n));
    CHECK_ERR(e2e_noise_handshake_read(p.resp, msg, n, buf, sizeof buf, &bn, &why), E2E_ERR_AUTH);
    CHECK(why.check && strcmp(why.check, "s") == 0);
    CHECK_EQ(e2e_noise_handshake_action(p.resp), E2E_NOISE_ACTION_FAILED);
    CHECK_ERR(e2e_noise_handshake_remote_static(p.resp, rs), E2E_ERR_STATE);
    CHECK_OK(e2e_noise_handshake_fallback(p.resp, NULL, 0));
    CHECK_OK(e2e_noise_handshake_fallback(p.init, NULL, 0));
    /* roles reversed: the relay (Bob) is now the initiator */
    CHECK_EQ(e2e_noise_handshake_role(p.resp), E2E_NOISE_INITIATOR);
    CHECK_EQ(e2e_noise_handshake_role(p.init), E2E_NOISE_RESPONDER);
    CHECK(strcmp(e2e_noise_handshake_protocol(p.init), XXFB) == 0);
    CHECK_EQ(e2e_noise_handshake_action(p.resp), E2E_NOISE_ACTION_WRITE);
    CHECK_ERR(e2e_noise_handshake_fallback(p.init, NULL, 0), E2E_ERR_STATE);
    size_t len1 = 0, len2 = 0;
    CHECK_OK(pair_step(p.resp, p.init, NULL, &len1));
    CHECK_OK(e2e_noise_handshake_remote_static(p.init, rs));
    CHECK_MEM(rs, server2.pub, 32);
    CHECK_OK(pair_step(p.init, p.resp, "login", &len2));
    CHECK_EQ(len1, 96);     /* e, ee, s (48), se, tag */
    CHECK_EQ(len2, 64 + 5); /* s (48), es, payload + tag */
    CHECK_OK(e2e_noise_handshake_remote_static(p.resp, rs));
    CHECK_MEM(rs, client.pub, 32);
    CHECK_OK(e2e_noise_handshake_hash(p.init, hi));
    CHECK_OK(e2e_noise_handshake_hash(p.resp, hr));
    CHECK_MEM(hi, hr, 32);
    CHECK_OK(e2e_noise_handshake_split(p.init, &p.ti));
    CHECK_OK(e2e_noise_handshake_split(p.resp, &p.tr));
    CHECK_OK(transport_roundtrip(p.tr, p.ti, (const uint8_t *)"server first", 12));
    CHECK_OK(transport_roundtrip(p.ti, p.tr, (const uint8_t *)"client", 6));
    pair_free(&p);
}

static void
test_fallback_not_allowed(void)
{
    struct pair p;
    pair_new(&p, IK, ctx, client.priv, server.priv, server.pub);
    /* nothing sent yet / nothing failed yet */
    CHECK_ERR(e2e_noise_handshake_fallback(p.init, NULL, 0), E2E_ERR_STATE);
    CHECK_ERR(e2e_noise_handshake_fallback(p.resp, NULL, 0), E2E_ERR_STATE);
    CHECK_OK(pair_run(&p, NULL, 0));
    CHECK_ERR(e2e_noise_handshake_fallback(p.init, NULL, 0), E2E_ERR_STATE);
    pair_free(&p);
    /* a pattern whose first message has no e in clear */
    e2e_noise_handshake *hs;
    CHECK_OK(
        e2e_noise_handshake_new(&hs, "Noise_NN_25519_AESGCM_SHA256", E2E_NOISE_RESPONDER, ctx));
    CHECK_OK(e2e_noise_handshake_start(hs));
    uint8_t junk[8] = {0}, out[8];
    size_t n;
    CHECK_ERR(e2e_noise_handshake_read(hs, junk, sizeof junk, out, sizeof out, &n, NULL),
              E2E_ERR_MALFORMED);
    CHECK_ERR(e2e_noise_handshake_fallback(hs, NULL, 0), E2E_ERR_STATE);
    e2e_noise_handshake_free(hs);
}

static void
test_names(void)
{
    static const char *const bad[] = {
        "Noise_XXpsk3_25519_AESGCM_SHA256",
        "Noise_XX_25519_ChaChaPoly_SHA256",
        "Noise_XX_448_AESGCM_SHA256",
        "Noise_XX_25519_AESGCM_SHA512",
        "Noise_IK_25519_AESGCM_SHA256x",
        "Noise__25519_AESGCM_SHA256",
        "NoisePSK_XX_25519_AESGCM_SHA256",
        "Noise_XX1_25519_AESGCM_SHA256",
        "",
    };
    e2e_noise_handshake *hs = (e2e_noise_handshake *)1;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_ERR(e2e_noise_handshake_new(&hs, bad[i], E2E_NOISE_INITIATOR, ctx),
                  E2E_ERR_UNSUPPORTED);
        CHECK(hs == NULL);
    }
    CHECK_ERR(e2e_noise_handshake_new(&hs, XX, 7, ctx), E2E_ERR_INVALID);
}

static void
test_states_and_missing_keys(void)
{
    e2e_noise_handshake *hs;
    uint8_t out[256], h[32];
    size_t n;
    /* XX needs our static key */
    CHECK_OK(e2e_noise_handshake_new(&hs, XX, E2E_NOISE_INITIATOR, ctx));
    CHECK_ERR(e2e_noise_handshake_write(hs, NULL, 0, out, sizeof out, &n), E2E_ERR_STATE);
    CHECK_ERR(e2e_noise_handshake_start(hs), E2E_ERR_STATE);
    CHECK_OK(e2e_noise_handshake_set_local_static(hs, client.priv));
    /* XX sends rs itself: giving it beforehand is a mistake */
    CHECK_OK(e2e_noise_handshake_set_remote_static(hs, server.pub));
    CHECK_ERR(e2e_noise_handshake_start(hs), E2E_ERR_STATE);
    e2e_noise_handshake_free(hs);
    /* IK initiator needs rs */
    CHECK_OK(e2e_noise_handshake_new(&hs, IK, E2E_NOISE_INITIATOR, ctx));
    CHECK_OK(e2e_noise_handshake_set_local_static(hs, client.priv));
    CHECK_ERR(e2e_noise_handshake_start(hs), E2E_ERR_STATE);
    CHECK_OK(e2e_noise_handshake_set_remote_static(hs, server.pub));
    CHECK_OK(e2e_noise_handshake_start(hs));
    CHECK_ERR(e2e_noise_handshake_start(hs), E2E_ERR_STATE);
    CHECK_ERR(e2e_noise_handshake_set_prologue(hs, out, 4), E2E_ERR_STATE);
    CHECK_ERR(e2e_noise_handshake_read(hs, out, 96, out, sizeof out, &n, NULL), E2E_ERR_STATE);
    CHECK_ERR(e2e_noise_handshake_hash(hs, h), E2E_ERR_STATE);
    e2e_noise_transport *t;
    CHECK_ERR(e2e_noise_handshake_split(hs, &t), E2E_ERR_STATE);
    /* too small a buffer or too large a payload: nothing changes */
    CHECK_ERR(e2e_noise_handshake_write(hs, NULL, 0, out, 95, &n), E2E_ERR_BUFFER);
    uint8_t *big = calloc(1, 65536);
    CHECK_ERR(e2e_noise_handshake_write(hs, big, 65535 - 96 + 1, big, 65536, &n), E2E_ERR_LIMIT);
    CHECK_OK(e2e_noise_handshake_write(hs, big, 65535 - 96, big, 65536, &n));
    CHECK_EQ(n, 65535);
    free(big);
    CHECK_ERR(e2e_noise_handshake_set_prologue(NULL, out, 1), E2E_ERR_INVALID);
    e2e_noise_handshake_free(hs);
    CHECK_OK(e2e_noise_handshake_new(&hs, XX, E2E_NOISE_INITIATOR, ctx));
    CHECK_ERR(e2e_noise_handshake_set_prologue(hs, out, E2E_NOISE_MAX_PROLOGUE + 1),
              E2E_ERR_INVALID);
    e2e_noise_handshake_free(hs);
}

/* A too-small payload buffer on read changes nothing: the same message then reads. */
static void
test_read_buffer_retry(void)
{
    struct pair p;
    uint8_t msg[256], back[256];
    size_t n, bn;
    pair_new(&p, XX, ctx, client.priv, server.priv, NULL);
    CHECK_OK(e2e_noise_handshake_write(p.init, (const uint8_t *)"hello", 5, msg, sizeof msg, &n));
    CHECK_ERR(e2e_noise_handshake_read(p.resp, msg, n, back, 4, &bn, NULL), E2E_ERR_BUFFER);
    CHECK_EQ(e2e_noise_handshake_action(p.resp), E2E_NOISE_ACTION_READ);
    CHECK_OK(e2e_noise_handshake_read(p.resp, msg, n, back, 5, &bn, NULL));
    CHECK_EQ(bn, 5);
    CHECK_OK(pair_run(&p, NULL, 0));
    pair_free(&p);
}

/* Every pattern of the engine, both statics known to whoever needs them beforehand. */
static void
test_all_patterns(void)
{
    static const char *const pats[] = {"N",  "K",  "X",  "NN", "NK", "NX", "XN", "XK",
                                       "XX", "KN", "KK", "KX", "IN", "IK", "IX"};
    for (size_t i = 0; i < sizeof pats / sizeof pats[0]; i++) {
        const char *pn = pats[i];
        char name[64];
        snprintf(name, sizeof name, "Noise_%s_25519_AESGCM_SHA256", pn);
        struct pair p;
        memset(&p, 0, sizeof p);
        CHECK_OK(e2e_noise_handshake_new(&p.init, name, E2E_NOISE_INITIATOR, ctx));
        CHECK_OK(e2e_noise_handshake_new(&p.resp, name, E2E_NOISE_RESPONDER, ctx));
        CHECK_OK(e2e_noise_handshake_set_local_static(p.init, client.priv));
        CHECK_OK(e2e_noise_handshake_set_local_static(p.resp, server.priv));
        int resp_pre_s = strlen(pn) == 1 || pn[1] == 'K';
        int init_pre_s = pn[0] == 'K';
        if (resp_pre_s)
            CHECK_OK(e2e_noise_handshake_set_remote_static(p.init, server.pub));
        if (init_pre_s)
            CHECK_OK(e2e_noise_handshake_set_remote_static(p.resp, client.pub));
        CHECK_OK(e2e_noise_handshake_start(p.init));
        CHECK_OK(e2e_noise_handshake_start(p.resp));
        int rc = pair_run(&p, NULL, 0);
        if (rc != E2E_OK)
            test_fail_(__FILE__, __LINE__, "pattern %s: %s", pn, e2e_err_name(rc));
        CHECK_OK(transport_roundtrip(p.ti, p.tr, (const uint8_t *)"x", 1));
        pair_free(&p);
    }
}

/* Spec 12.1: X25519 with a low-order peer key gives zeros; we abort with E2E_ERR_WEAK_KEY. */
static const char *const low_order[] = {
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0100000000000000000000000000000000000000000000000000000000000000",
    "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
    "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
};

static void
test_low_order_keys(void)
{
    for (size_t i = 0; i < sizeof low_order / sizeof low_order[0]; i++) {
        uint8_t bad[32], msg[256], out[256];
        size_t n, on;
        struct e2e_report why;
        unhex(bad, sizeof bad, low_order[i]);
        /* the client pinned a low-order "relay key": its first DH (es) aborts */
        struct pair p;
        pair_new(&p, IK, ctx, client.priv, server.priv, bad);
        CHECK_ERR(e2e_noise_handshake_write(p.init, NULL, 0, msg, sizeof msg, &n),
                  E2E_ERR_WEAK_KEY);
        CHECK_EQ(e2e_noise_handshake_action(p.init), E2E_NOISE_ACTION_FAILED);
        CHECK_ERR(e2e_noise_handshake_write(p.init, NULL, 0, msg, sizeof msg, &n), E2E_ERR_STATE);
        pair_free(&p);
        /* a relay receiving an IK message whose e is low order */
        pair_new(&p, IK, ctx, client.priv, server.priv, server.pub);
        CHECK_OK(e2e_noise_handshake_write(p.init, NULL, 0, msg, sizeof msg, &n));
        memcpy(msg, bad, 32);
        CHECK_ERR(e2e_noise_handshake_read(p.resp, msg, n, out, sizeof out, &on, &why),
                  E2E_ERR_WEAK_KEY);
        CHECK(why.check && strcmp(why.check, "dh") == 0);
        CHECK_EQ(e2e_noise_handshake_action(p.resp), E2E_NOISE_ACTION_FAILED);
        pair_free(&p);
        /* XX: message 1 carries no DH, so the responder notices at its ee */
        pair_new(&p, XX, ctx, client.priv, server.priv, NULL);
        CHECK_OK(e2e_noise_handshake_write(p.init, NULL, 0, msg, sizeof msg, &n));
        memcpy(msg, bad, 32);
        CHECK_OK(e2e_noise_handshake_read(p.resp, msg, n, out, sizeof out, &on, NULL));
        CHECK_ERR(e2e_noise_handshake_write(p.resp, NULL, 0, msg, sizeof msg, &n),
                  E2E_ERR_WEAK_KEY);
        CHECK_EQ(e2e_noise_handshake_action(p.resp), E2E_NOISE_ACTION_FAILED);
        pair_free(&p);
        /* and the initiator reading a low-order e in message 2 */
        pair_new(&p, XX, ctx, client.priv, server.priv, NULL);
        CHECK_OK(pair_step(p.init, p.resp, NULL, NULL));
        CHECK_OK(e2e_noise_handshake_write(p.resp, NULL, 0, msg, sizeof msg, &n));
        memcpy(msg, bad, 32);
        CHECK_ERR(e2e_noise_handshake_read(p.init, msg, n, out, sizeof out, &on, NULL),
                  E2E_ERR_WEAK_KEY);
        pair_free(&p);
    }
}

/* Randomness comes only from the context: the same seed gives the same bytes. */
static void
test_deterministic(void)
{
    uint8_t m[2][128];
    size_t n[2];
    for (int r = 0; r < 2; r++) {
        struct test_ctx t;
        e2e_ctx *c = test_ctx_new(&t, 99);
        e2e_noise_handshake *hs;
        CHECK_OK(e2e_noise_handshake_new(&hs, IK, E2E_NOISE_INITIATOR, c));
        CHECK_OK(e2e_noise_handshake_set_local_static(hs, client.priv));
        CHECK_OK(e2e_noise_handshake_set_remote_static(hs, server.pub));
        CHECK_OK(e2e_noise_handshake_start(hs));
        CHECK_OK(e2e_noise_handshake_write(hs, NULL, 0, m[r], sizeof m[r], &n[r]));
        e2e_noise_handshake_free(hs);
        test_ctx_free(&t);
    }
    CHECK_EQ(n[0], n[1]);
    CHECK_MEM(m[0], m[1], n[0]);
}

struct trace_log {
    char text[1 << 16];
    size_t len;
};

static void
trace_cb(void *user, int level, const char *msg)
{
    struct trace_log *t = user;
    (void)level;
    int k = snprintf(t->text + t->len, sizeof t->text - t->len, "%s\n", msg);
    if (k > 0 && t->len + (size_t)k < sizeof t->text)
        t->len += (size_t)k;
}

static void
test_trace(void)
{
    static struct trace_log log;
    struct e2e_ctx_config cfg = {0};
    cfg.log = trace_cb;
    cfg.user = &log;
    cfg.log_level = E2E_LOG_TRACE;
    e2e_ctx *c;
    CHECK_OK(e2e_ctx_new(&c, &cfg));
    struct pair p;
    pair_new(&p, XX, c, client.priv, server.priv, NULL);
    CHECK_OK(pair_run(&p, NULL, 0));
    static const char *const want[] = {
        "noise: InitializeSymmetric(\"Noise_XX_25519_AESGCM_SHA256\")",
        "noise: -> e",
        "noise: <- e",
        "noise: -> ee",
        "noise: <- s",
        "noise: -> se",
        "noise: ck = ",
        "noise: h = ",
        "noise: handshake hash = ",
        "noise: Split k1"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(log.text, want[i]))
            test_fail_(__FILE__, __LINE__, "trace lacks '%s'", want[i]);
    test_checks_++;
    pair_free(&p);
    /* a relay falling back reuses DH(s, re) from the failed IK message */
    log.len = 0;
    log.text[0] = 0;
    uint8_t msg[256], buf[256];
    size_t n, bn;
    pair_new(&p, IK, c, client.priv, server2.priv, server.pub);
    CHECK_OK(e2e_noise_handshake_write(p.init, NULL, 0, msg, sizeof msg, &n));
    CHECK_ERR(e2e_noise_handshake_read(p.resp, msg, n, buf, sizeof buf, &bn, NULL), E2E_ERR_AUTH);
    CHECK_OK(e2e_noise_handshake_fallback(p.resp, NULL, 0));
    CHECK_OK(e2e_noise_handshake_fallback(p.init, NULL, 0));
    CHECK_OK(pair_run(&p, NULL, 0));
    CHECK(strstr(log.text, "DH(s, re) reused") != NULL);
    CHECK(strstr(log.text, "fallback to Noise_XXfallback_25519_AESGCM_SHA256 as initiator"));
    pair_free(&p);
    e2e_ctx_free(c);
}

int
main(void)
{
    ctx = test_ctx_new(&tc, 7);
    keypair(ctx, &client);
    keypair(ctx, &server);
    keypair(ctx, &server2);
    RUN(test_xx_sizes_and_keys);
    RUN(test_ik_sizes);
    RUN(test_fallback);
    RUN(test_fallback_not_allowed);
    RUN(test_names);
    RUN(test_states_and_missing_keys);
    RUN(test_read_buffer_retry);
    RUN(test_all_patterns);
    RUN(test_low_order_keys);
    RUN(test_deterministic);
    RUN(test_trace);
    test_ctx_free(&tc);
    return test_finish();
}
