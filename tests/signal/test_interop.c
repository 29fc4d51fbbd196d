/*
 * Interop with libsignal-protocol-c 2.3.3, the real peer (tests/signal/peer):
 *   - session set-up with and without a one-time prekey, each side initiating;
 *   - 1,000 messages each way with seeded random batches, reordering, drops, replays and
 *     direction changes, for both initiators;
 *   - archived-state promotion observed in both directions (simultaneous initiation);
 *   - duplicate detection in both directions;
 *   - sender-key group messages both ways, out of order, with duplicates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <e2ekit/signal.h>
#include <signal/signal_protocol.h>

#include "pair.h"
#include "signalc_peer.h"
#include "test.h"

static void
test_c_alice_to_us(void)
{
    for (int opk = 0; opk < 2; opk++) {
        struct us bob;
        us_init(&bob, 100 + (uint64_t)opk);
        struct sc_party *alice = sc_party_new(200 + (uint64_t)opk);
        CHECK(alice != NULL);
        struct e2e_signal_bundle b;
        us_bundle(&bob, opk ? 4 : 0, &b);
        CHECK_EQ(sc_process_bundle(alice, "bob", &b), 0);
        uint8_t *msg, pt[256];
        size_t n, ptn;
        int type;
        CHECK_EQ(sc_encrypt(alice, "bob", (const uint8_t *)"hello bob", 9, &msg, &n, &type), 0);
        CHECK_EQ(type, E2E_SIGNAL_MSG_PREKEY);
        struct e2e_signal_prekey_result res;
        struct e2e_report why;
        CHECK_OK(e2e_signal_session_decrypt_prekey(bob.s, bob.t.ctx, &bob.id, bob.pk, NULL, msg, n,
                                                   pt, sizeof pt, &ptn, &res, &why));
        CHECK_EQ(ptn, 9);
        CHECK_MEM(pt, "hello bob", 9);
        CHECK_EQ(res.new_state, 1);
        CHECK_EQ(res.one_time_prekey_used, opk);
        CHECK_EQ(res.header.registration_id, alice->registration_id);
        CHECK_MEM(res.header.identity_key, alice->identity_pub, 32);
        CHECK_EQ(e2e_signal_prekeys_count(bob.pk), 10 - (size_t)opk);
        free(msg);
        uint8_t out[512];
        size_t outn;
        CHECK_OK(e2e_signal_session_encrypt(bob.s, bob.t.ctx, (const uint8_t *)"hi alice", 8, out,
                                            sizeof out, &outn, &type));
        CHECK_EQ(type, E2E_SIGNAL_MSG_WHISPER);
        uint8_t *back;
        size_t backn;
        CHECK_EQ(sc_decrypt(alice, "bob", type, out, outn, &back, &backn), 0);
        CHECK_EQ(backn, 8);
        CHECK_MEM(back, "hi alice", 8);
        free(back);
        CHECK_EQ(sc_encrypt(alice, "bob", (const uint8_t *)"again", 5, &msg, &n, &type), 0);
        CHECK_EQ(type, E2E_SIGNAL_MSG_WHISPER); /* our reply acknowledged the prekey message */
        CHECK_OK(e2e_signal_session_decrypt(bob.s, bob.t.ctx, msg, n, pt, sizeof pt, &ptn, &why));
        CHECK_EQ(ptn, 5);
        free(msg);
        sc_party_free(alice);
        us_free(&bob);
    }
}

static void
test_us_alice_to_c(void)
{
    for (int opk = 0; opk < 2; opk++) {
        struct us alice;
        us_init(&alice, 300 + (uint64_t)opk);
        struct sc_party *bob = sc_party_new(400 + (uint64_t)opk);
        struct e2e_signal_bundle b;
        struct e2e_report why;
        CHECK_EQ(sc_party_bundle(bob, 7, opk ? 31 : 0, 1, &b), 0);
        CHECK_OK(
            e2e_signal_session_init_alice(alice.s, alice.t.ctx, &alice.id, &b, NULL, NULL, &why));
        uint8_t out[512];
        size_t outn;
        int type;
        CHECK_OK(e2e_signal_session_encrypt(alice.s, alice.t.ctx, (const uint8_t *)"hello", 5, out,
                                            sizeof out, &outn, &type));
        CHECK_EQ(type, E2E_SIGNAL_MSG_PREKEY);
        uint8_t *back;
        size_t backn;
        CHECK_EQ(sc_decrypt(bob, "alice", type, out, outn, &back, &backn), 0);
        CHECK_EQ(backn, 5);
        CHECK_MEM(back, "hello", 5);
        free(back);
        uint8_t *msg, pt[256];
        size_t n, ptn;
        CHECK_EQ(sc_encrypt(bob, "alice", (const uint8_t *)"reply", 5, &msg, &n, &type), 0);
        CHECK_EQ(type, E2E_SIGNAL_MSG_WHISPER);
        CHECK_OK(
            e2e_signal_session_decrypt(alice.s, alice.t.ctx, msg, n, pt, sizeof pt, &ptn, &why));
        CHECK_EQ(ptn, 5);
        CHECK_MEM(pt, "reply", 5);
        free(msg);
        CHECK_EQ(e2e_signal_session_pending_prekey(alice.s), 0);
        CHECK_OK(e2e_signal_session_encrypt(alice.s, alice.t.ctx, (const uint8_t *)"third", 5, out,
                                            sizeof out, &outn, &type));
        CHECK_EQ(type, E2E_SIGNAL_MSG_WHISPER);
        CHECK_EQ(sc_decrypt(bob, "alice", type, out, outn, &back, &backn), 0);
        free(back);
        sc_party_free(bob);
        us_free(&alice);
    }
}

/* ---- a long randomized conversation -----------------------------------------------------------
 */

struct flight {
    uint8_t *msg;
    size_t n;
    int type;
    char text[48]; /* the plaintext: a sentence and up to 15 NULs after it */
    size_t len;
};

struct conv {
    struct us *u;
    struct sc_party *c;
    struct flight q[2][64]; /* [0]: to C, [1]: to us */
    size_t nq[2];
    unsigned sent[2], delivered[2], dropped[2], replayed[2], held, flips;
    uint64_t rng;
};

static uint32_t
crand(struct conv *cv)
{
    cv->rng = cv->rng * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(cv->rng >> 33);
}

static void
conv_send(struct conv *cv, int dir)
{
    struct flight *f = &cv->q[dir][cv->nq[dir]++];
    memset(f->text, 0, sizeof f->text);
    snprintf(f->text, sizeof f->text, "message %u from %s", cv->sent[dir]++, dir ? "C" : "us");
    size_t len = strlen(f->text) + crand(cv) % 16;
    f->len = len;
    if (dir == 0) {
        f->msg = malloc(e2e_signal_encrypt_max(len));
        f->n = us_encrypt(cv->u, f->text, len, f->msg, e2e_signal_encrypt_max(len), &f->type);
    } else {
        CHECK_EQ(sc_encrypt(cv->c, "them", (const uint8_t *)f->text, len, &f->msg, &f->n, &f->type),
                 0);
    }
}

/* Delivers f; returns 1 if it decrypted to its text. */
static int
conv_deliver(struct conv *cv, int dir, const struct flight *f)
{
    if (dir == 1)
        return us_decrypt(cv->u, f->type, f->msg, f->n, f->text, f->len, NULL) == E2E_OK;
    uint8_t *pt = NULL;
    size_t ptn = 0;
    int rc = sc_decrypt(cv->c, "them", f->type, f->msg, f->n, &pt, &ptn);
    int ok = rc == 0 && ptn == f->len && memcmp(pt, f->text, f->len) == 0;
    free(pt);
    return ok;
}

/* The message just delivered, again: both libraries must call it a duplicate. */
static void
conv_replay(struct conv *cv, int dir, const struct flight *f)
{
    cv->replayed[dir]++;
    if (dir == 1) {
        struct e2e_report why;
        CHECK_ERR(us_decrypt(cv->u, f->type, f->msg, f->n, NULL, 0, &why), E2E_ERR_DUPLICATE);
    } else {
        uint8_t *pt = NULL;
        size_t ptn;
        CHECK_EQ(sc_decrypt(cv->c, "them", f->type, f->msg, f->n, &pt, &ptn),
                 SG_ERR_DUPLICATE_MESSAGE);
        free(pt);
    }
}

/* Delivers the queue in random order, holding some back for later and dropping a few. */
static void
conv_flush(struct conv *cv, int dir, int hold)
{
    size_t keep = 0;
    while (cv->nq[dir]) {
        size_t i = crand(cv) % cv->nq[dir];
        struct flight f = cv->q[dir][i];
        cv->q[dir][i] = cv->q[dir][--cv->nq[dir]];
        uint32_t r = crand(cv) % 100;
        if (hold && r < 15 && keep < 16) { /* later: it waits one round of this direction */
            cv->q[dir][63 - keep++] = f;
            cv->held++;
            continue;
        }
        if (r >= 97 && f.type == E2E_SIGNAL_MSG_WHISPER) {
            cv->dropped[dir]++;
            free(f.msg);
            continue;
        }
        int ok = conv_deliver(cv, dir, &f);
        if (!ok)
            test_fail_(__FILE__, __LINE__, "'%s' did not decrypt", f.text);
        test_checks_++;
        cv->delivered[dir]++;
        if (crand(cv) % 50 == 0)
            conv_replay(cv, dir, &f);
        free(f.msg);
    }
    for (size_t k = 0; k < keep; k++)
        cv->q[dir][cv->nq[dir]++] = cv->q[dir][63 - k];
}

static void
conversation(struct conv *cv, int c_first)
{
    int dir = c_first;
    while (cv->sent[0] < 1000 || cv->sent[1] < 1000) {
        if (cv->sent[dir] < 1000) {
            size_t batch = 1 + crand(cv) % 8;
            for (size_t i = 0; i < batch && cv->sent[dir] < 1000; i++)
                conv_send(cv, dir);
        }
        /* the first batch is never held back: it makes the receiver's session */
        conv_flush(cv, dir, cv->delivered[dir] > 0);
        if (crand(cv) % 100 < 60) { /* a direction change, most of the time */
            dir ^= 1;
            cv->flips++;
        }
    }
    conv_flush(cv, 0, 0);
    conv_flush(cv, 1, 0);
    test_note("us->C delivered %u, dropped %u, replayed %u; C->us delivered %u, dropped %u, "
              "replayed %u",
              cv->delivered[0], cv->dropped[0], cv->replayed[0], cv->delivered[1], cv->dropped[1],
              cv->replayed[1]);
    CHECK_EQ(cv->delivered[0] + cv->dropped[0], 1000);
    CHECK_EQ(cv->delivered[1] + cv->dropped[1], 1000);
    CHECK(cv->dropped[0] > 0 && cv->dropped[1] > 0);
    CHECK(cv->replayed[0] > 0 && cv->replayed[1] > 0);
    test_note("%u direction changes, %u messages held back past later ones", cv->flips, cv->held);
    CHECK(cv->flips > 100 && cv->held > 100);
}

static void
test_thousand_each_way(void)
{
    for (int c_first = 0; c_first < 2; c_first++) {
        static struct conv cv;
        struct us u;
        memset(&cv, 0, sizeof cv);
        cv.rng = 0xC0FFEE + (uint64_t)c_first;
        us_init(&u, 500 + (uint64_t)c_first);
        cv.u = &u;
        cv.c = sc_party_new(600 + (uint64_t)c_first);
        struct e2e_signal_bundle b;
        struct e2e_report why;
        if (c_first) { /* C initiates with our bundle; its messages come first */
            us_bundle(&u, 1, &b);
            CHECK_EQ(sc_process_bundle(cv.c, "them", &b), 0);
        } else {
            CHECK_EQ(sc_party_bundle(cv.c, 5, 77, 1, &b), 0);
            CHECK_OK(e2e_signal_session_init_alice(u.s, u.t.ctx, &u.id, &b, NULL, NULL, &why));
        }
        conversation(&cv, c_first);
        test_note("libsignal-protocol-c record after the conversation: %zu bytes",
                  sc_session_size(cv.c, "them"));
        sc_party_free(cv.c);
        us_free(&u);
    }
}

/* ---- archived states and duplicates against the peer
 * ---------------------------------------------- */

/* Both initiate at once: each ends with a current state matching the other's archived one. */
static void
cross_initiate(struct us *u, struct sc_party *c)
{
    struct e2e_signal_bundle ub, cb;
    struct e2e_report why;
    us_bundle(u, 1, &ub);
    CHECK_EQ(sc_party_bundle(c, 9, 90, 1, &cb), 0);
    CHECK_OK(e2e_signal_session_init_alice(u->s, u->t.ctx, &u->id, &cb, NULL, NULL, &why));
    CHECK_EQ(sc_process_bundle(c, "them", &ub), 0);
    uint8_t um[512], *cm;
    size_t un, cn;
    int ut, ct;
    un = us_encrypt(u, "from us", 7, um, sizeof um, &ut);
    CHECK_EQ(sc_encrypt(c, "them", (const uint8_t *)"from C", 6, &cm, &cn, &ct), 0);
    CHECK_EQ(ut, E2E_SIGNAL_MSG_PREKEY);
    CHECK_EQ(ct, E2E_SIGNAL_MSG_PREKEY);
    uint8_t *pt;
    size_t ptn;
    CHECK_EQ(sc_decrypt(c, "them", ut, um, un, &pt, &ptn), 0);
    free(pt);
    CHECK_OK(us_decrypt(u, ct, cm, cn, "from C", 6, &why));
    free(cm);
    CHECK_EQ(e2e_signal_session_archived(u->s), 1);
    CHECK_EQ(sc_session_archived(c, "them"), 1);
}

static void
test_promotion_observed(void)
{
    struct e2e_report why;
    uint8_t m[512], *cm, *pt;
    size_t n, cn, ptn;
    int t, ct;
    /* (1) libsignal-protocol-c promotes: we send on our current state, which it archived */
    struct us u;
    us_init(&u, 700);
    struct sc_party *c = sc_party_new(701);
    cross_initiate(&u, c);
    n = us_encrypt(&u, "on our current", 14, m, sizeof m, &t);
    CHECK_EQ(sc_decrypt(c, "them", t, m, n, &pt, &ptn), 0);
    free(pt);
    CHECK_EQ(sc_encrypt(c, "them", (const uint8_t *)"on its promoted", 15, &cm, &cn, &ct), 0);
    CHECK_OK(us_decrypt(&u, ct, cm, cn, "on its promoted", 15, &why));
    CHECK_EQ(why.state, 0); /* it answered from the state it promoted: our current one */
    free(cm);
    sc_party_free(c);
    us_free(&u);
    /* (2) we promote: it sends on its current state, which we archived */
    us_init(&u, 702);
    c = sc_party_new(703);
    cross_initiate(&u, c);
    CHECK_EQ(sc_encrypt(c, "them", (const uint8_t *)"on its current", 14, &cm, &cn, &ct), 0);
    CHECK_OK(us_decrypt(&u, ct, cm, cn, "on its current", 14, &why));
    CHECK_EQ(why.state, 1);
    CHECK_EQ(why.tried, 2);
    free(cm);
    n = us_encrypt(&u, "on our promoted", 15, m, sizeof m, &t);
    CHECK_EQ(t, E2E_SIGNAL_MSG_WHISPER);
    CHECK_EQ(sc_decrypt(c, "them", t, m, n, &pt, &ptn), 0);
    CHECK_EQ(ptn, 15);
    free(pt);
    CHECK_EQ(sc_session_archived(c, "them"), 1);
    sc_party_free(c);
    us_free(&u);
}

static void
test_duplicates_observed(void)
{
    struct us u;
    us_init(&u, 710);
    struct sc_party *c = sc_party_new(711);
    struct e2e_signal_bundle b;
    struct e2e_report why;
    CHECK_EQ(sc_party_bundle(c, 1, 2, 1, &b), 0);
    CHECK_OK(e2e_signal_session_init_alice(u.s, u.t.ctx, &u.id, &b, NULL, NULL, &why));
    uint8_t m[512], *cm, *pt;
    size_t n, cn, ptn;
    int t, ct;
    n = us_encrypt(&u, "once", 4, m, sizeof m, &t);
    CHECK_EQ(sc_decrypt(c, "them", t, m, n, &pt, &ptn), 0);
    free(pt);
    /* the same PreKeySignalMessage again: libsignal finds the session, then the used key */
    CHECK_EQ(sc_decrypt(c, "them", t, m, n, &pt, &ptn), SG_ERR_DUPLICATE_MESSAGE);
    CHECK_EQ(sc_encrypt(c, "them", (const uint8_t *)"twice?", 6, &cm, &cn, &ct), 0);
    CHECK_OK(us_decrypt(&u, ct, cm, cn, "twice?", 6, &why));
    CHECK_ERR(us_decrypt(&u, ct, cm, cn, NULL, 0, &why), E2E_ERR_DUPLICATE);
    CHECK(strcmp(why.check, "duplicate") == 0);
    free(cm);
    n = us_encrypt(&u, "whisper", 7, m, sizeof m, &t);
    CHECK_EQ(sc_decrypt(c, "them", t, m, n, &pt, &ptn), 0);
    free(pt);
    CHECK_EQ(sc_decrypt(c, "them", t, m, n, &pt, &ptn), SG_ERR_DUPLICATE_MESSAGE);
    sc_party_free(c);
    us_free(&u);
}

/* ---- sender keys --------------------------------------------------------------------------------
 */

static void
test_groups_both_ways(void)
{
    struct test_ctx t;
    test_ctx_new(&t, 720);
    struct sc_party *c = sc_party_new(721);
    e2e_signal_group *theirs, *mine;
    CHECK_OK(e2e_signal_group_new(&theirs));
    CHECK_OK(e2e_signal_group_new(&mine));
    struct e2e_report why;
    uint8_t *skdm, *msg[40], pt[256];
    size_t sn, mn[40], ptn;
    /* libsignal-protocol-c sends to the group: we read, out of order, with a gap */
    CHECK_EQ(sc_group_create(c, "grp", "carol", &skdm, &sn), 0);
    CHECK_OK(e2e_signal_group_process_distribution(theirs, skdm, sn, &why));
    free(skdm);
    for (int i = 0; i < 40; i++) {
        char text[32];
        snprintf(text, sizeof text, "group message %d", i);
        CHECK_EQ(sc_group_encrypt(c, "grp", "carol", (const uint8_t *)text, strlen(text), &msg[i],
                                  &mn[i]),
                 0);
    }
    static const int order[] = {3, 0, 1, 2, 39, 10, 4, 5, 38, 6, 7, 8, 9, 11};
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        char text[32];
        snprintf(text, sizeof text, "group message %d", order[k]);
        CHECK_OK(e2e_signal_group_decrypt(theirs, t.ctx, msg[order[k]], mn[order[k]], pt, sizeof pt,
                                          &ptn, &why));
        CHECK_EQ(ptn, strlen(text));
        CHECK_MEM(pt, text, ptn);
    }
    CHECK_ERR(e2e_signal_group_decrypt(theirs, t.ctx, msg[3], mn[3], pt, sizeof pt, &ptn, &why),
              E2E_ERR_DUPLICATE);
    for (int i = 0; i < 40; i++)
        free(msg[i]);
    /* we send to the group: libsignal-protocol-c reads, out of order, and refuses a replay */
    uint8_t ours[E2E_SIGNAL_DISTRIBUTION_MAX], out[40][256];
    size_t on[40];
    CHECK_OK(e2e_signal_group_create_distribution(mine, t.ctx, ours, sizeof ours, &sn));
    CHECK_EQ(sc_group_process(c, "grp", "us", ours, sn), 0);
    for (int i = 0; i < 40; i++)
        CHECK_OK(e2e_signal_group_encrypt(mine, t.ctx, (const uint8_t *)"from us", 7, out[i],
                                          sizeof out[i], &on[i]));
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        uint8_t *back;
        size_t bn;
        CHECK_EQ(sc_group_decrypt(c, "grp", "us", out[order[k]], on[order[k]], &back, &bn), 0);
        CHECK_EQ(bn, 7);
        CHECK_MEM(back, "from us", 7);
        free(back);
    }
    uint8_t *back;
    size_t bn;
    CHECK_EQ(sc_group_decrypt(c, "grp", "us", out[0], on[0], &back, &bn), SG_ERR_DUPLICATE_MESSAGE);
    /* a distribution message at a later iteration: its reader starts there */
    CHECK_OK(e2e_signal_group_create_distribution(mine, t.ctx, ours, sizeof ours, &sn));
    e2e_signal_group *late;
    CHECK_OK(e2e_signal_group_new(&late));
    CHECK_OK(e2e_signal_group_process_distribution(late, ours, sn, &why));
    CHECK_ERR(e2e_signal_group_decrypt(late, t.ctx, out[39], on[39], pt, sizeof pt, &ptn, &why),
              E2E_ERR_DUPLICATE);
    e2e_signal_group_free(late);
    e2e_signal_group_free(theirs);
    e2e_signal_group_free(mine);
    sc_party_free(c);
    test_ctx_free(&t);
}

int
main(void)
{
    RUN(test_c_alice_to_us);
    RUN(test_us_alice_to_c);
    RUN(test_thousand_each_way);
    RUN(test_promotion_observed);
    RUN(test_duplicates_observed);
    RUN(test_groups_both_ways);
    return test_finish();
}
