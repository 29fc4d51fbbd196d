/*
 * Bad input at every byte: each handshake message of XX, IK and IK -> XXfallback is delivered
 * bit-flipped at every position, truncated to every length, extended and oversized; each
 * transport message likewise. A handshake must notice (at that message, or at the next one
 * when the altered message carried no AEAD yet) and the side that notices must be unusable
 * afterwards; a transport must refuse the message and stay exactly as it was.
 */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/noise.h>

#include "noise_helpers.h"
#include "test.h"

enum { SC_XX, SC_IK, SC_FALLBACK };
static const char *const sc_names[] = {"XX", "IK", "IK->XXfallback"};
static const unsigned sc_msgs[] = {3, 2, 3};

typedef void (*mut_fn)(uint8_t *m, size_t *n, size_t arg);

static struct e2e_noise_keypair client, server, server2;

static void
flip_low(uint8_t *m, size_t *n, size_t arg)
{
    (void)n;
    m[arg] ^= 0x01;
}
static void
flip_high(uint8_t *m, size_t *n, size_t arg)
{
    (void)n;
    m[arg] ^= 0x80;
}
static void
truncate_to(uint8_t *m, size_t *n, size_t arg)
{
    (void)m;
    *n = arg;
}
static void
extend(uint8_t *m, size_t *n, size_t arg)
{
    (void)arg;
    m[(*n)++] = 0;
}
static void
oversize(uint8_t *m, size_t *n, size_t arg)
{
    (void)m;
    (void)arg;
    *n = E2E_NOISE_MAX_MSG + 1;
}

struct run {
    struct test_ctx tc; /* lives as long as the handshakes that use it */
    struct pair p;
    e2e_noise_handshake *failed; /* the side that noticed */
    int err;
    unsigned m;     /* messages so far */
    size_t lens[3]; /* their lengths before any alteration */
};

static uint8_t msgbuf[E2E_NOISE_MAX_MSG + 2];

static int
deliver(struct run *r, e2e_noise_handshake *from, e2e_noise_handshake *to, int mutate, mut_fn f,
        size_t arg)
{
    uint8_t out[256];
    size_t n, on;
    int rc = e2e_noise_handshake_write(from, (const uint8_t *)"payload", 7, msgbuf, 512, &n);
    if (rc != E2E_OK) {
        r->failed = from;
        return rc;
    }
    if (r->m < 3)
        r->lens[r->m] = n;
    r->m++;
    if (mutate)
        f(msgbuf, &n, arg);
    rc = e2e_noise_handshake_read(to, msgbuf, n, out, sizeof out, &on, NULL);
    if (rc != E2E_OK)
        r->failed = to;
    return rc;
}

/* Length of message `target` of a scenario (an undisturbed run). */
static size_t sample_len[3][3];

static int
run_scenario(struct run *r, int sc, unsigned target, mut_fn f, size_t arg)
{
    memset(r, 0, sizeof *r);
    e2e_ctx *ctx = test_ctx_new(&r->tc, 1234); /* the same ephemerals on every run */
    if (sc == SC_XX)
        pair_new(&r->p, XX, ctx, client.priv, server.priv, NULL);
    else
        pair_new(&r->p, IK, ctx, client.priv, sc == SC_IK ? server.priv : server2.priv, server.pub);
    e2e_noise_handshake *a = r->p.init, *b = r->p.resp;
    int rc = E2E_OK;
    for (unsigned m = 0; m < sc_msgs[sc] && rc == E2E_OK; m++) {
        int mut = f && m == target;
        if (sc == SC_FALLBACK && m == 0) {
            rc = deliver(r, a, b, mut, f, arg);
            if (rc != E2E_ERR_AUTH && rc != E2E_ERR_MALFORMED)
                test_fail_(__FILE__, __LINE__, "IK to a changed key: %s", e2e_err_name(rc));
            /* Without the peer's e (message shorter than 32 bytes) there is no fallback. */
            if (e2e_noise_handshake_fallback(b, NULL, 0) != E2E_OK)
                break;
            r->failed = NULL;
            CHECK_OK(e2e_noise_handshake_fallback(a, NULL, 0));
            rc = E2E_OK;
            e2e_noise_handshake *t = a; /* Bob writes next */
            a = b;
            b = t;
            continue;
        }
        rc = deliver(r, a, b, mut, f, arg);
        e2e_noise_handshake *t = a;
        a = b;
        b = t;
    }
    r->err = rc;
    return rc;
}

static void
run_free(struct run *r)
{
    pair_free(&r->p);
    test_ctx_free(&r->tc);
}

/* After a detected alteration the side that noticed refuses everything. */
static void
check_unusable(struct run *r)
{
    uint8_t buf[128], h[32];
    size_t n;
    e2e_noise_transport *t;
    CHECK(r->failed != NULL);
    if (!r->failed)
        return;
    CHECK_EQ(e2e_noise_handshake_action(r->failed), E2E_NOISE_ACTION_FAILED);
    CHECK_ERR(e2e_noise_handshake_write(r->failed, NULL, 0, buf, sizeof buf, &n), E2E_ERR_STATE);
    CHECK_ERR(e2e_noise_handshake_read(r->failed, buf, 64, buf, sizeof buf, &n, NULL),
              E2E_ERR_STATE);
    CHECK_ERR(e2e_noise_handshake_split(r->failed, &t), E2E_ERR_STATE);
    CHECK_ERR(e2e_noise_handshake_hash(r->failed, h), E2E_ERR_STATE);
    CHECK_ERR(e2e_noise_handshake_remote_static(r->failed, h), E2E_ERR_STATE);
}

static int
detected(int err)
{
    return err == E2E_ERR_AUTH || err == E2E_ERR_MALFORMED || err == E2E_ERR_WEAK_KEY;
}

/* Runs one mutation; returns 1 if the handshake noticed it. */
static int
try_mutation(int sc, unsigned m, mut_fn f, size_t arg, const char *what)
{
    struct run r;
    int rc = run_scenario(&r, sc, m, f, arg);
    int ok = detected(rc);
    /* In the fallback scenario only the `e` of the IK message survives into XXfallback: the
     * rest of that message is discarded, so altering it must change nothing; a message below
     * IK's 96-byte minimum is refused before its e is taken, and then there is no fallback. */
    int ignorable = sc == SC_FALLBACK && m == 0 && f != oversize &&
                    ((f == flip_low || f == flip_high) ? arg >= 32 : arg >= 96 || f == extend);
    if (ignorable) {
        if (rc != E2E_OK)
            test_fail_(__FILE__, __LINE__, "%s msg %u %s %zu: %s", sc_names[sc], m, what, arg,
                       e2e_err_name(rc));
        else {
            CHECK_OK(e2e_noise_handshake_split(r.p.init, &r.p.ti));
            CHECK_OK(e2e_noise_handshake_split(r.p.resp, &r.p.tr));
            CHECK_OK(transport_roundtrip(r.p.ti, r.p.tr, (const uint8_t *)"ok", 2));
        }
        test_checks_++;
        run_free(&r);
        return 1;
    }
    if (!ok)
        test_fail_(__FILE__, __LINE__, "%s message %u, %s %zu: not noticed (%s)", sc_names[sc], m,
                   what, arg, e2e_err_name(rc));
    test_checks_++;
    check_unusable(&r);
    run_free(&r);
    return ok;
}

static void
test_samples(void)
{
    /* 7-byte payloads: XX 32+7, 32+48+23, 48+23; IK 32+48+23, 32+23; fallback IK 103, then
     * XXfallback 32+48+23, 48+23 */
    static const size_t want[3][3] = {{39, 103, 71}, {103, 55, 0}, {103, 103, 71}};
    for (int sc = 0; sc < 3; sc++) {
        struct run r;
        CHECK_OK(run_scenario(&r, sc, 99, NULL, 0));
        for (unsigned m = 0; m < sc_msgs[sc]; m++) {
            sample_len[sc][m] = r.lens[m];
            CHECK_EQ(r.lens[m], want[sc][m]);
        }
        run_free(&r);
    }
}

static void
test_bit_flips(void)
{
    long cases = 0;
    for (int sc = 0; sc < 3; sc++)
        for (unsigned m = 0; m < sc_msgs[sc]; m++)
            for (size_t i = 0; i < sample_len[sc][m]; i++) {
                try_mutation(sc, m, flip_low, i, "flip bit 0 of byte");
                try_mutation(sc, m, flip_high, i, "flip bit 7 of byte");
                cases += 2;
            }
    test_note("%ld bit-flipped handshake messages", cases);
}

static void
test_truncations(void)
{
    long cases = 0;
    for (int sc = 0; sc < 3; sc++)
        for (unsigned m = 0; m < sc_msgs[sc]; m++) {
            for (size_t len = 0; len < sample_len[sc][m]; len++, cases++)
                try_mutation(sc, m, truncate_to, len, "truncated to");
            try_mutation(sc, m, extend, 0, "extended by one byte");
            try_mutation(sc, m, oversize, 0, "oversized to 65536");
        }
    test_note("%ld truncated / extended / oversized handshake messages", cases);
}

/* Handshake messages out of order: a message from another run, or the same one twice. */
static void
test_replay_and_reorder(void)
{
    struct test_ctx tc;
    e2e_ctx *ctx = test_ctx_new(&tc, 5);
    struct pair a, b;
    uint8_t m1[128], m2[256], out[256];
    size_t n1, n2, on;
    pair_new(&a, XX, ctx, client.priv, server.priv, NULL);
    pair_new(&b, XX, ctx, client.priv, server.priv, NULL);
    CHECK_OK(e2e_noise_handshake_write(a.init, NULL, 0, m1, sizeof m1, &n1));
    CHECK_OK(e2e_noise_handshake_read(a.resp, m1, n1, out, sizeof out, &on, NULL));
    /* the same message twice: the responder now writes, it does not read */
    CHECK_ERR(e2e_noise_handshake_read(a.resp, m1, n1, out, sizeof out, &on, NULL), E2E_ERR_STATE);
    CHECK_OK(e2e_noise_handshake_write(a.resp, NULL, 0, m2, sizeof m2, &n2));
    /* message 2 of run a given to the initiator of run b (a replay into another session) */
    CHECK_OK(e2e_noise_handshake_write(b.init, NULL, 0, m1, sizeof m1, &n1));
    CHECK_ERR(e2e_noise_handshake_read(b.init, m2, n2, out, sizeof out, &on, NULL), E2E_ERR_AUTH);
    CHECK_EQ(e2e_noise_handshake_action(b.init), E2E_NOISE_ACTION_FAILED);
    /* message 3 before message 2 */
    CHECK_OK(e2e_noise_handshake_read(a.init, m2, n2, out, sizeof out, &on, NULL));
    CHECK_OK(e2e_noise_handshake_write(a.init, NULL, 0, m1, sizeof m1, &n1));
    struct pair c;
    pair_new(&c, XX, ctx, client.priv, server.priv, NULL);
    CHECK_OK(e2e_noise_handshake_write(c.init, NULL, 0, m2, sizeof m2, &n2));
    CHECK_ERR(e2e_noise_handshake_read(c.init, m1, n1, out, sizeof out, &on, NULL),
              E2E_ERR_MALFORMED); /* 64 bytes where 96 are the least */
    pair_free(&a);
    pair_free(&b);
    pair_free(&c);
    test_ctx_free(&tc);
}

/* Every byte of a transport message, every truncation: refused, nothing changes. */
static void
test_transport_bytes(void)
{
    struct test_ctx tc;
    e2e_ctx *ctx = test_ctx_new(&tc, 6);
    struct pair p;
    uint8_t pt[64], ct[80], bad[81], out[80];
    size_t n, on;
    for (size_t i = 0; i < sizeof pt; i++)
        pt[i] = (uint8_t)i;
    pair_new(&p, XX, ctx, client.priv, server.priv, NULL);
    CHECK_OK(pair_run(&p, NULL, 0));
    CHECK_OK(e2e_noise_transport_encrypt(p.ti, ct, sizeof ct, &n, pt, sizeof pt));
    long refused = 0;
    for (size_t i = 0; i < n; i++)
        for (int bit = 0; bit < 8; bit++) {
            memcpy(bad, ct, n);
            bad[i] ^= (uint8_t)(1u << bit);
            refused += e2e_noise_transport_decrypt(p.tr, out, sizeof out, &on, bad, n, NULL) ==
                       E2E_ERR_AUTH;
        }
    CHECK_EQ(refused, (long)n * 8);
    for (size_t len = 0; len < n; len++) {
        int rc = e2e_noise_transport_decrypt(p.tr, out, sizeof out, &on, ct, len, NULL);
        CHECK_ERR(rc, len < 16 ? E2E_ERR_MALFORMED : E2E_ERR_AUTH);
    }
    memcpy(bad, ct, n);
    bad[n] = 0;
    CHECK_ERR(e2e_noise_transport_decrypt(p.tr, out, sizeof out, &on, bad, n + 1, NULL),
              E2E_ERR_AUTH);
    CHECK_EQ(e2e_noise_transport_nonce(p.tr, E2E_NOISE_RECV), 0);
    CHECK_OK(e2e_noise_transport_decrypt(p.tr, out, sizeof out, &on, ct, n, NULL));
    CHECK_MEM(out, pt, sizeof pt);
    test_note("%ld altered transport messages refused", refused);
    pair_free(&p);
    test_ctx_free(&tc);
}

int
main(void)
{
    struct test_ctx tc;
    e2e_ctx *ctx = test_ctx_new(&tc, 3);
    keypair(ctx, &client);
    keypair(ctx, &server);
    keypair(ctx, &server2);
    RUN(test_samples);
    RUN(test_bit_flips);
    RUN(test_truncations);
    RUN(test_replay_and_reorder);
    RUN(test_transport_bytes);
    test_ctx_free(&tc);
    return test_finish();
}
