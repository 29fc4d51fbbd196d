/*
 * Our sessions against themselves: set-up in both shapes, out-of-order delivery, the limits
 * (2000 ahead, 2000 stored per chain, 5 receiving chains, 40 archived states), archived-state
 * promotion, prekey-message duplicates and trust, the last-resort prekey, the blob round trip
 * in the middle of a conversation, and the derivation trace.
 */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/signal.h>

#include "pair.h"
#include "test.h"

#define CAP 4096

static void
test_setup_shapes(void)
{
    for (int opk = 0; opk < 2; opk++) {
        struct us a, b;
        us_init(&a, 1);
        us_init(&b, 2);
        pair_setup(&a, &b, opk, 1);
        CHECK_EQ(e2e_signal_prekeys_count(b.pk), 10 - (size_t)opk);
        uint8_t big[65536];
        for (size_t i = 0; i < sizeof big; i++)
            big[i] = (uint8_t)(i * 7);
        static const size_t sizes[] = {0, 1, 15, 16, 17, 1024, 65536};
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            CHECK_OK(us_send(&a, &b, big, sizes[i]));
            CHECK_OK(us_send(&b, &a, big, sizes[i]));
        }
        uint8_t id[32];
        CHECK_OK(e2e_signal_session_remote_identity(a.s, id));
        CHECK_MEM(id, b.id.key.pub, 32);
        uint32_t reg;
        CHECK_OK(e2e_signal_session_remote_registration_id(b.s, &reg));
        CHECK_EQ(reg, a.id.registration_id);
        us_free(&a);
        us_free(&b);
    }
}

/* Alice keeps wrapping in PreKeySignalMessages until Bob's first reply arrives. */
static void
test_prekey_until_reply(void)
{
    struct us a, b;
    us_init(&a, 3);
    us_init(&b, 4);
    pair_setup(&a, &b, 1, 0);
    uint8_t m[CAP];
    int type;
    for (int i = 0; i < 3; i++) {
        size_t n = us_encrypt(&a, "x", 1, m, sizeof m, &type);
        CHECK_EQ(type, E2E_SIGNAL_MSG_PREKEY);
        CHECK_OK(us_decrypt(&b, type, m, n, "x", 1, NULL));
    }
    CHECK_EQ(e2e_signal_session_states(b.s), 1); /* the later ones found Bob's state */
    CHECK_OK(us_send(&b, &a, "ack", 3));
    size_t n = us_encrypt(&a, "y", 1, m, sizeof m, &type);
    CHECK_EQ(type, E2E_SIGNAL_MSG_WHISPER);
    CHECK_OK(us_decrypt(&b, type, m, n, "y", 1, NULL));
    us_free(&a);
    us_free(&b);
}

static void
test_out_of_order(void)
{
    struct us a, b;
    us_init(&a, 5);
    us_init(&b, 6);
    pair_setup(&a, &b, 1, 1);
    enum { N = 20 };
    uint8_t m[N][128];
    size_t len[N];
    int type;
    for (int i = 0; i < N; i++) {
        uint8_t pt = (uint8_t)i;
        len[i] = us_encrypt(&a, &pt, 1, m[i], sizeof m[i], &type);
    }
    static const int order[N] = {5, 0,  19, 3,  4,  1,  2,  18, 6,  7,
                                 8, 17, 9,  10, 16, 11, 12, 15, 13, 14};
    struct e2e_report why;
    for (int k = 0; k < N; k++) {
        uint8_t pt = (uint8_t)order[k];
        CHECK_OK(us_decrypt(&b, type, m[order[k]], len[order[k]], &pt, 1, &why));
    }
    for (int k = 0; k < N; k += 7) { /* every one, again: duplicate */
        CHECK_ERR(us_decrypt(&b, type, m[k], len[k], NULL, 0, &why), E2E_ERR_DUPLICATE);
        CHECK(strcmp(why.check, "duplicate") == 0);
    }
    us_free(&a);
    us_free(&b);
}

static void
test_skip_limits(void)
{
    struct us a, b;
    us_init(&a, 7);
    us_init(&b, 8);
    pair_setup(&a, &b, 1, 1);
    static uint8_t m[4200][80];
    size_t len[4200];
    int type;
    for (int i = 0; i < 4200; i++)
        len[i] = us_encrypt(&a, "z", 1, m[i], sizeof m[i], &type);
    struct e2e_report why;
    struct snap before, after;
    /* 2001 ahead of the chain: refused, nothing stored */
    snap_session(&before, b.s);
    CHECK_ERR(us_decrypt(&b, type, m[2001], len[2001], NULL, 0, &why), E2E_ERR_TOO_FAR);
    CHECK(strcmp(why.check, "too_far") == 0);
    snap_session(&after, b.s);
    CHECK(snap_same(&before, &after));
    snap_free(&before);
    snap_free(&after);
    /* exactly 2000 ahead: accepted, 2000 keys stored */
    CHECK_OK(us_decrypt(&b, type, m[2000], len[2000], "z", 1, &why));
    CHECK_OK(us_decrypt(&b, type, m[7], len[7], "z", 1, &why));
    /* another 2000 ahead: 4000 stored would exceed 2000, the oldest go */
    CHECK_OK(us_decrypt(&b, type, m[4001], len[4001], "z", 1, &why));
    CHECK_ERR(us_decrypt(&b, type, m[8], len[8], NULL, 0, &why), E2E_ERR_DUPLICATE);
    CHECK_ERR(us_decrypt(&b, type, m[1999], len[1999], NULL, 0, &why), E2E_ERR_DUPLICATE);
    CHECK_OK(us_decrypt(&b, type, m[2001], len[2001], "z", 1, &why));
    CHECK_OK(us_decrypt(&b, type, m[4000], len[4000], "z", 1, &why));
    CHECK_OK(us_decrypt(&b, type, m[4002], len[4002], "z", 1, &why));
    us_free(&a);
    us_free(&b);
}

/* A message of a receiving chain older than the 5 kept no longer decrypts. */
static void
test_five_receiving_chains(void)
{
    for (int rounds = 4; rounds <= 5; rounds++) {
        struct us a, b;
        us_init(&a, 9);
        us_init(&b, 10);
        pair_setup(&a, &b, 1, 1);
        uint8_t late[128];
        int type;
        size_t n = us_encrypt(&a, "late", 4, late, sizeof late, &type);
        CHECK_OK(us_send(&a, &b, "now", 3));
        for (int i = 0; i < rounds; i++) { /* each reply and answer adds one chain at Bob */
            CHECK_OK(us_send(&b, &a, "b", 1));
            CHECK_OK(us_send(&a, &b, "a", 1));
        }
        struct e2e_report why;
        int rc = us_decrypt(&b, type, late, n, "late", 4, &why);
        if (rounds == 4)
            CHECK_OK(rc);
        else
            CHECK_ERR(rc, E2E_ERR_AUTH);
        us_free(&a);
        us_free(&b);
    }
}

static void
test_archive_limit(void)
{
    struct us a, b;
    us_init(&a, 11);
    us_init(&b, 12);
    CHECK_OK(e2e_signal_prekeys_generate(b.pk, b.t.ctx, 40, NULL));
    for (int i = 0; i < 45; i++) {
        struct e2e_signal_bundle bundle;
        struct e2e_report why;
        us_bundle(&b, (size_t)(i % 50) + 1, &bundle);
        CHECK_OK(e2e_signal_session_init_alice(a.s, a.t.ctx, &a.id, &bundle, NULL, NULL, &why));
        CHECK_EQ(e2e_signal_session_archived(a.s), i < 40 ? (unsigned)i : 40u);
    }
    us_free(&a);
    us_free(&b);
}

/* Two sessions in flight: Bob answers on the older one; Alice finds it archived and promotes it. */
static void
test_promotion(void)
{
    struct us a, b;
    us_init(&a, 13);
    us_init(&b, 14);
    struct e2e_signal_bundle b1, b2;
    struct e2e_report why;
    uint8_t m1[256], m2[256];
    int t1, t2;
    us_bundle(&b, 1, &b1);
    us_bundle(&b, 2, &b2);
    CHECK_OK(e2e_signal_session_init_alice(a.s, a.t.ctx, &a.id, &b1, NULL, NULL, &why));
    size_t n1 = us_encrypt(&a, "one", 3, m1, sizeof m1, &t1);
    CHECK_OK(e2e_signal_session_init_alice(a.s, a.t.ctx, &a.id, &b2, NULL, NULL, &why));
    size_t n2 = us_encrypt(&a, "two", 3, m2, sizeof m2, &t2);
    CHECK_EQ(e2e_signal_session_archived(a.s), 1);
    /* Bob gets them in the other order: the first session ends up current at Bob */
    CHECK_OK(us_decrypt(&b, t2, m2, n2, "two", 3, &why));
    CHECK_OK(us_decrypt(&b, t1, m1, n1, "one", 3, &why));
    CHECK_EQ(e2e_signal_session_archived(b.s), 1);
    uint8_t r[256];
    int tr;
    size_t nr = us_encrypt(&b, "reply", 5, r, sizeof r, &tr);
    CHECK_OK(us_decrypt(&a, tr, r, nr, "reply", 5, &why));
    CHECK_EQ(why.state, 1); /* archived state 1 ... */
    CHECK_EQ(why.tried, 2); /* ... after the current one failed */
    CHECK_EQ(e2e_signal_session_archived(a.s), 1);
    /* now current at both ends: the next message goes straight through, no prekey wrapper */
    size_t n = us_encrypt(&a, "three", 5, m1, sizeof m1, &t1);
    CHECK_EQ(t1, E2E_SIGNAL_MSG_WHISPER);
    CHECK_OK(us_decrypt(&b, t1, m1, n, "three", 5, &why));
    CHECK_EQ(why.state, 0);
    us_free(&a);
    us_free(&b);
}

static void
test_prekey_duplicate_and_trust(void)
{
    struct us a, b, c;
    us_init(&a, 15);
    us_init(&b, 16);
    us_init(&c, 17);
    pair_setup(&a, &b, 1, 0);
    uint8_t m[256], pt[256];
    int type;
    size_t n = us_encrypt(&a, "hello", 5, m, sizeof m, &type), got;
    struct e2e_report why;
    struct snap s0, s1, p0, p1;
    /* a trusted identity that is not Alice's: untrusted, nothing consumed */
    snap_session(&s0, b.s);
    snap_prekeys(&p0, b.pk);
    CHECK_ERR(e2e_signal_session_decrypt_prekey(b.s, b.t.ctx, &b.id, b.pk, c.id.key.pub, m, n, pt,
                                                sizeof pt, &got, NULL, &why),
              E2E_ERR_UNTRUSTED);
    CHECK(strcmp(why.check, "untrusted_identity") == 0);
    snap_session(&s1, b.s);
    snap_prekeys(&p1, b.pk);
    CHECK(snap_same(&s0, &s1) && snap_same(&p0, &p1));
    snap_free(&s1);
    snap_free(&p1);
    /* trusted = Alice's: accepted */
    struct e2e_signal_prekey_result res;
    CHECK_OK(e2e_signal_session_decrypt_prekey(b.s, b.t.ctx, &b.id, b.pk, a.id.key.pub, m, n, pt,
                                               sizeof pt, &got, &res, &why));
    CHECK_EQ(res.new_state, 1);
    CHECK_EQ(res.one_time_prekey_used, 1);
    CHECK_MEM(res.header.identity_key, a.id.key.pub, 32);
    /* the same message again: the state for its base key exists, the key is used: duplicate */
    snap_session(&s1, b.s);
    CHECK_ERR(e2e_signal_session_decrypt_prekey(b.s, b.t.ctx, &b.id, b.pk, NULL, m, n, pt,
                                                sizeof pt, &got, &res, &why),
              E2E_ERR_DUPLICATE);
    snap_free(&s0);
    snap_session(&s0, b.s);
    CHECK(snap_same(&s0, &s1));
    snap_free(&s0);
    snap_free(&s1);
    snap_free(&p0);
    us_free(&a);
    us_free(&b);
    us_free(&c);
}

static void
test_missing_prekeys(void)
{
    struct us a, b;
    us_init(&a, 18);
    us_init(&b, 19);
    struct e2e_signal_bundle bundle;
    struct e2e_report why;
    us_bundle(&b, 2, &bundle);
    CHECK_OK(e2e_signal_session_init_alice(a.s, a.t.ctx, &a.id, &bundle, NULL, NULL, &why));
    uint8_t m[256], pt[256];
    int type;
    size_t n = us_encrypt(&a, "x", 1, m, sizeof m, &type), got;
    CHECK_OK(e2e_signal_prekeys_remove(b.pk, bundle.one_time_prekey_id));
    CHECK_ERR(e2e_signal_session_decrypt_prekey(b.s, b.t.ctx, &b.id, b.pk, NULL, m, n, pt,
                                                sizeof pt, &got, NULL, &why),
              E2E_ERR_NOT_FOUND);
    CHECK(strcmp(why.check, "one_time_prekey") == 0);
    e2e_signal_prekeys *empty;
    CHECK_OK(e2e_signal_prekeys_new(&empty));
    CHECK_ERR(e2e_signal_session_decrypt_prekey(b.s, b.t.ctx, &b.id, empty, NULL, m, n, pt,
                                                sizeof pt, &got, NULL, &why),
              E2E_ERR_NOT_FOUND);
    CHECK(strcmp(why.check, "signed_prekey") == 0);
    CHECK_EQ(e2e_signal_session_states(b.s), 0);
    e2e_signal_prekeys_free(empty);
    us_free(&a);
    us_free(&b);
}

static void
test_last_resort_prekey(void)
{
    struct us a, b;
    us_init(&a, 20);
    us_init(&b, 21);
    struct e2e_signal_prekey lr = {E2E_SIGNAL_PREKEY_MAX_ID, {{0}, {0}}};
    CHECK_OK(e2e_signal_keypair_generate(&lr.key, b.t.ctx));
    CHECK_OK(e2e_signal_prekeys_add(b.pk, &lr));
    struct e2e_signal_bundle bundle;
    struct e2e_report why;
    CHECK_OK(e2e_signal_prekeys_bundle(b.pk, &b.id, 1, lr.id, &bundle));
    CHECK_OK(e2e_signal_session_init_alice(a.s, a.t.ctx, &a.id, &bundle, NULL, NULL, &why));
    CHECK_OK(us_send(&a, &b, "x", 1));
    struct e2e_signal_prekey still;
    CHECK_OK(e2e_signal_prekeys_get(b.pk, lr.id, &still)); /* never deleted */
    us_free(&a);
    us_free(&b);
}

static void
test_bundle_signature(void)
{
    struct us a, b;
    us_init(&a, 22);
    us_init(&b, 23);
    struct e2e_signal_bundle bundle;
    struct e2e_signal_sig_cache cache;
    struct e2e_report why;
    memset(&cache, 0, sizeof cache);
    us_bundle(&b, 1, &bundle);
    bundle.signed_prekey_signature[5] ^= 1;
    CHECK_ERR(e2e_signal_session_init_alice(a.s, a.t.ctx, &a.id, &bundle, NULL, &cache, &why),
              E2E_ERR_AUTH);
    CHECK(strcmp(why.check, "signed_prekey_signature") == 0);
    CHECK_EQ(cache.used, 0); /* failures are not remembered */
    CHECK_EQ(e2e_signal_session_states(a.s), 0);
    bundle.signed_prekey_signature[5] ^= 1;
    CHECK_OK(e2e_signal_bundle_verify(&bundle, &cache, &why));
    CHECK_EQ(cache.used, 1);
    CHECK_OK(e2e_signal_bundle_verify(&bundle, &cache, &why)); /* from the cache */
    CHECK_EQ(cache.used, 1);
    bundle.signed_prekey[0] ^= 1; /* another key under the same signature: verified, fails */
    CHECK_ERR(e2e_signal_bundle_verify(&bundle, &cache, &why), E2E_ERR_AUTH);
    us_free(&a);
    us_free(&b);
}

static void
test_blob_mid_conversation(void)
{
    struct us a, b;
    us_init(&a, 24);
    us_init(&b, 25);
    pair_setup(&a, &b, 1, 1);
    uint8_t m[10][128];
    size_t len[10];
    int type;
    for (int i = 0; i < 10; i++)
        len[i] = us_encrypt(&a, "q", 1, m[i], sizeof m[i], &type);
    CHECK_OK(us_decrypt(&b, type, m[9], len[9], "q", 1, NULL)); /* 9 skipped keys stored */
    CHECK_OK(us_send(&b, &a, "pending", 7)); /* and a lazy step waiting at Alice */
    struct snap s0, s1;
    snap_session(&s0, b.s);
    e2e_signal_session *copy;
    struct e2e_report why;
    CHECK_OK(e2e_signal_session_parse(&copy, s0.p, s0.n, &why));
    snap_session(&s1, copy);
    CHECK(snap_same(&s0, &s1));
    e2e_signal_session_free(b.s);
    b.s = copy;
    for (int i = 0; i < 9; i++)
        CHECK_OK(us_decrypt(&b, type, m[i], len[i], "q", 1, NULL));
    CHECK_OK(us_send(&a, &b, "after", 5));
    CHECK_OK(us_send(&b, &a, "after", 5));
    snap_free(&s0);
    snap_free(&s1);
    us_free(&a);
    us_free(&b);
}

static void
test_encrypt_errors(void)
{
    struct us a, b;
    us_init(&a, 26);
    us_init(&b, 27);
    uint8_t m[64];
    size_t n;
    int type;
    CHECK_ERR(
        e2e_signal_session_encrypt(a.s, a.t.ctx, (const uint8_t *)"x", 1, m, sizeof m, &n, &type),
        E2E_ERR_NO_SESSION);
    pair_setup(&a, &b, 1, 1);
    struct snap s0, s1;
    snap_session(&s0, a.s);
    CHECK_ERR(e2e_signal_session_encrypt(a.s, a.t.ctx, (const uint8_t *)"x", 1, m, 20, &n, &type),
              E2E_ERR_BUFFER);
    snap_session(&s1, a.s);
    CHECK(snap_same(&s0, &s1));
    /* archive: no current state until a new session, old messages still decrypt */
    uint8_t late[128];
    size_t ln = us_encrypt(&b, "late", 4, late, sizeof late, &type);
    CHECK_OK(e2e_signal_session_archive_current(a.s));
    CHECK_EQ(e2e_signal_session_has_current(a.s), 0);
    CHECK_ERR(
        e2e_signal_session_encrypt(a.s, a.t.ctx, (const uint8_t *)"x", 1, m, sizeof m, &n, &type),
        E2E_ERR_NO_SESSION);
    struct e2e_report why;
    CHECK_OK(us_decrypt(&a, type, late, ln, "late", 4, &why));
    CHECK_EQ(why.state, 1);
    CHECK_EQ(e2e_signal_session_has_current(a.s), 1); /* promoted back */
    snap_free(&s0);
    snap_free(&s1);
    us_free(&a);
    us_free(&b);
}

/* ---- trace -------------------------------------------------------------------------------------
 */

struct trace {
    char text[65536];
    size_t n;
};

static void
collect(void *user, int level, const char *msg)
{
    struct trace *t = user;
    (void)level;
    int k = snprintf(t->text + t->n, sizeof t->text - t->n, "%s\n", msg);
    if (k > 0 && t->n + (size_t)k < sizeof t->text)
        t->n += (size_t)k;
}

static void
test_trace(void)
{
    static struct trace tr;
    struct us a, b;
    us_init(&a, 28);
    us_init(&b, 29);
    e2e_ctx *traced;
    struct e2e_ctx_config cfg = {0};
    cfg.log = collect;
    cfg.user = &tr;
    cfg.log_level = E2E_LOG_TRACE;
    CHECK_OK(e2e_ctx_new(&traced, &cfg));
    e2e_ctx *plain = b.t.ctx;
    b.t.ctx = traced; /* Bob narrates */
    pair_setup(&a, &b, 1, 1);
    b.t.ctx = plain;
    static const char *labels[] = {"X3DH as Bob",
                                   "DH1 = DH(SPK_B, IK_A)",
                                   "DH4 = DH(OPK_B, EK_A)",
                                   "root key  [0:32]",
                                   "chain step, message 0",
                                   "cipher key",
                                   "mac key",
                                   "iv",
                                   "next chain key",
                                   "DH ratchet",
                                   "new root key",
                                   "our new ratchet key"};
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        if (!strstr(tr.text, labels[i]))
            test_fail_(__FILE__, __LINE__, "trace lacks '%s'", labels[i]);
        test_checks_++;
    }
    e2e_ctx_free(traced);
    us_free(&a);
    us_free(&b);
}

int
main(void)
{
    RUN(test_setup_shapes);
    RUN(test_prekey_until_reply);
    RUN(test_out_of_order);
    RUN(test_skip_limits);
    RUN(test_five_receiving_chains);
    RUN(test_archive_limit);
    RUN(test_promotion);
    RUN(test_prekey_duplicate_and_trust);
    RUN(test_missing_prekeys);
    RUN(test_last_resort_prekey);
    RUN(test_bundle_signature);
    RUN(test_blob_mid_conversation);
    RUN(test_encrypt_errors);
    RUN(test_trace);
    return test_finish();
}
