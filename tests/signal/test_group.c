/*
 * Sender keys on our own: a group with several readers, distribution messages at later
 * iterations, the 5-state record, a repeated distribution message (ignored: it cannot rewind a
 * chain), the 2000 limits, encryption without a private key, and the blob round trip.
 */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/signal.h>

#include "pair.h"
#include "test.h"

static size_t
enc(e2e_signal_group *g, const e2e_ctx *ctx, const char *text, uint8_t *out, size_t cap)
{
    size_t n = 0;
    CHECK_OK(e2e_signal_group_encrypt(g, ctx, (const uint8_t *)text, strlen(text), out, cap, &n));
    return n;
}

static int
dec(e2e_signal_group *g, const uint8_t *m, size_t n, const char *want, struct e2e_report *why)
{
    uint8_t pt[256];
    size_t got = 0;
    int rc = e2e_signal_group_decrypt(g, NULL, m, n, pt, sizeof pt, &got, why);
    if (rc == E2E_OK && want) {
        CHECK_EQ(got, strlen(want));
        CHECK_MEM(pt, want, got);
    }
    return rc;
}

static void
test_readers_and_late_joiners(void)
{
    struct test_ctx t;
    test_ctx_new(&t, 1);
    e2e_signal_group *sender, *early, *late;
    uint8_t skdm[E2E_SIGNAL_DISTRIBUTION_MAX], m[10][128];
    size_t sn, n[10];
    struct e2e_report why;
    CHECK_OK(e2e_signal_group_new(&sender));
    CHECK_OK(e2e_signal_group_new(&early));
    CHECK_OK(e2e_signal_group_new(&late));
    CHECK_ERR(e2e_signal_group_encrypt(sender, t.ctx, (const uint8_t *)"x", 1, m[0], 128, &n[0]),
              E2E_ERR_NO_SESSION); /* no key yet */
    CHECK_OK(e2e_signal_group_create_distribution(sender, t.ctx, skdm, sizeof skdm, &sn));
    CHECK(sn <= E2E_SIGNAL_DISTRIBUTION_MAX);
    CHECK_OK(e2e_signal_group_process_distribution(early, skdm, sn, &why));
    for (int i = 0; i < 10; i++)
        n[i] = enc(sender, t.ctx, "hello group", m[i], sizeof m[i]);
    CHECK_OK(e2e_signal_group_create_distribution(sender, t.ctx, skdm, sizeof skdm, &sn));
    CHECK_OK(e2e_signal_group_process_distribution(late, skdm, sn, &why)); /* at iteration 10 */
    for (int i = 9; i >= 0; i--)
        CHECK_OK(dec(early, m[i], n[i], "hello group", &why));
    CHECK_ERR(dec(late, m[9], n[9], NULL, &why), E2E_ERR_DUPLICATE); /* before it joined */
    uint8_t next[128];
    size_t nn = enc(sender, t.ctx, "after", next, sizeof next);
    CHECK_OK(dec(late, next, nn, "after", &why));
    CHECK_OK(dec(early, next, nn, "after", &why));
    /* a reader's record has no private key: it cannot send on this state */
    CHECK_ERR(e2e_signal_group_encrypt(early, t.ctx, (const uint8_t *)"x", 1, next, 128, &nn),
              E2E_ERR_NO_SESSION);
    e2e_signal_group_free(sender);
    e2e_signal_group_free(early);
    e2e_signal_group_free(late);
    test_ctx_free(&t);
}

/* A repeated distribution message leaves the chain where it is: old messages stay refused. */
static void
test_repeated_distribution(void)
{
    struct test_ctx t;
    test_ctx_new(&t, 2);
    e2e_signal_group *s, *r;
    uint8_t skdm[E2E_SIGNAL_DISTRIBUTION_MAX], m[128];
    size_t sn, n;
    struct e2e_report why;
    CHECK_OK(e2e_signal_group_new(&s));
    CHECK_OK(e2e_signal_group_new(&r));
    CHECK_OK(e2e_signal_group_create_distribution(s, t.ctx, skdm, sizeof skdm, &sn));
    CHECK_OK(e2e_signal_group_process_distribution(r, skdm, sn, &why));
    n = enc(s, t.ctx, "once", m, sizeof m);
    CHECK_OK(dec(r, m, n, "once", &why));
    CHECK_OK(e2e_signal_group_process_distribution(r, skdm, sn, &why)); /* replayed */
    CHECK_ERR(dec(r, m, n, NULL, &why), E2E_ERR_DUPLICATE);
    struct snap a, b;
    snap_group(&a, r);
    CHECK_OK(e2e_signal_group_process_distribution(r, skdm, sn, &why));
    snap_group(&b, r);
    CHECK(snap_same(&a, &b));
    snap_free(&a);
    snap_free(&b);
    e2e_signal_group_free(s);
    e2e_signal_group_free(r);
    test_ctx_free(&t);
}

static void
test_five_states(void)
{
    struct test_ctx t;
    test_ctx_new(&t, 3);
    e2e_signal_group *r, *senders[6];
    uint8_t skdm[E2E_SIGNAL_DISTRIBUTION_MAX], m[6][128];
    size_t sn, n[6];
    struct e2e_report why;
    CHECK_OK(e2e_signal_group_new(&r));
    for (int i = 0; i < 6; i++) { /* six keys (e.g. a sender that rotated five times) */
        CHECK_OK(e2e_signal_group_new(&senders[i]));
        CHECK_OK(e2e_signal_group_create_distribution(senders[i], t.ctx, skdm, sizeof skdm, &sn));
        CHECK_OK(e2e_signal_group_process_distribution(r, skdm, sn, &why));
        n[i] = enc(senders[i], t.ctx, "k", m[i], sizeof m[i]);
    }
    CHECK_ERR(dec(r, m[0], n[0], NULL, &why), E2E_ERR_NO_SESSION); /* the oldest went */
    CHECK(strcmp(why.check, "no_session") == 0);
    for (int i = 1; i < 6; i++)
        CHECK_OK(dec(r, m[i], n[i], "k", &why));
    for (int i = 0; i < 6; i++)
        e2e_signal_group_free(senders[i]);
    e2e_signal_group_free(r);
    test_ctx_free(&t);
}

static void
test_limits_and_blob(void)
{
    struct test_ctx t;
    test_ctx_new(&t, 4);
    e2e_signal_group *s, *r;
    uint8_t skdm[E2E_SIGNAL_DISTRIBUTION_MAX];
    static uint8_t m[4200][96];
    size_t sn, n[4200];
    struct e2e_report why;
    CHECK_OK(e2e_signal_group_new(&s));
    CHECK_OK(e2e_signal_group_new(&r));
    CHECK_OK(e2e_signal_group_create_distribution(s, t.ctx, skdm, sizeof skdm, &sn));
    CHECK_OK(e2e_signal_group_process_distribution(r, skdm, sn, &why));
    for (int i = 0; i < 4200; i++)
        n[i] = enc(s, t.ctx, "z", m[i], sizeof m[i]);
    struct snap a, b;
    snap_group(&a, r);
    CHECK_ERR(dec(r, m[2001], n[2001], NULL, &why), E2E_ERR_TOO_FAR);
    snap_group(&b, r);
    CHECK(snap_same(&a, &b));
    snap_free(&a);
    snap_free(&b);
    CHECK_OK(dec(r, m[2000], n[2000], "z", &why));
    CHECK_OK(dec(r, m[4001], n[4001], "z", &why)); /* 4000 skipped: the oldest 2000 go */
    CHECK_ERR(dec(r, m[5], n[5], NULL, &why), E2E_ERR_DUPLICATE);
    /* the blob keeps the skipped keys and the signing key */
    snap_group(&a, r);
    e2e_signal_group *copy;
    CHECK_OK(e2e_signal_group_parse(&copy, a.p, a.n, &why));
    CHECK_OK(dec(copy, m[2001], n[2001], "z", &why));
    CHECK_OK(dec(copy, m[4100], n[4100], "z", &why));
    snap_free(&a);
    snap_group(&a, s);
    e2e_signal_group *s2;
    CHECK_OK(e2e_signal_group_parse(&s2, a.p, a.n, &why));
    uint8_t next[96];
    size_t nn = enc(s2, t.ctx, "from the copy", next, sizeof next);
    CHECK_OK(dec(copy, next, nn, "from the copy", &why));
    snap_free(&a);
    e2e_signal_group_free(copy);
    e2e_signal_group_free(s2);
    e2e_signal_group_free(s);
    e2e_signal_group_free(r);
    test_ctx_free(&t);
}

int
main(void)
{
    RUN(test_readers_and_late_joiners);
    RUN(test_repeated_distribution);
    RUN(test_five_states);
    RUN(test_limits_and_blob);
    return test_finish();
}
