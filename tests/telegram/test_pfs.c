/* Perfect forward secrecy in secret chats: the triggers, the exchange, the tie-break, messages in
 * flight across the switch, the old key wiped, and every bad re-key message with its outcome. */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/telegram.h>

#include "core/util.h"
#include "telegram/chat.h"
#include "test.h"
#include "tgtest.h"

static void
test_rekey_after_100_messages(void)
{
    struct tg_pair p;
    struct e2e_tg_event ev;
    tg_pair_new(&p, 100);
    int64_t fp0 = e2e_tg_chat_key_fingerprint(p.a);
    uint8_t old[256];
    memcpy(old, p.a->cur.key, 256);
    uint32_t out, in, since;
    int sent = 0;
    /* NotifyLayer both ways counts 2; the trigger is "more than 100" */
    while (p.a->pfs != TG_PFS_WAIT_ACCEPT && sent < 200) {
        CHECK_OK(tg_send_text(p.a, p.t.ctx, "counting"));
        CHECK(tg_deliver(p.a, p.b, p.t.ctx) >= 1);
        sent++;
    }
    e2e_tg_chat_counters(p.a, &out, &in, &since);
    CHECK_EQ(sent, 99);
    CHECK_EQ(since, 102); /* 101 messages, then the RequestKey itself */
    tg_settle(&p);
    CHECK_EQ(tg_events(p.a, E2E_TG_EV_REKEYED, &ev), 1);
    int64_t fp1 = ev.key_fingerprint;
    CHECK_EQ(tg_events(p.b, E2E_TG_EV_REKEYED, &ev), 1);
    CHECK_EQ(ev.key_fingerprint, fp1);
    CHECK(fp1 != fp0);
    CHECK_EQ(e2e_tg_chat_key_fingerprint(p.a), fp1);
    CHECK_MEM(p.a->cur.key, p.b->cur.key, 256);
    CHECK(memcmp(p.a->cur.key, old, 256) != 0);
    /* both sides counted past 100 (messages in either direction count), so both may have
     * asked; the tie-break left one exchange. The side that committed keeps the old key until
     * a message under the new one arrives (the other side's Noop), then wipes it; one message
     * each way and neither holds it. */
    CHECK(p.a->other.present != p.b->other.present);
    CHECK_OK(tg_send_text(p.a, p.t.ctx, "after"));
    CHECK_OK(tg_send_text(p.b, p.t.ctx, "after"));
    tg_settle(&p);
    CHECK(!p.a->other.present && e2e_ct_is_zero(p.a->other.key, 256));
    CHECK(!p.b->other.present && e2e_ct_is_zero(p.b->other.key, 256));
    e2e_tg_chat_counters(p.a, &out, &in, &since);
    CHECK(since < 5);
    /* the visualisation stays the one of the initial key (tdlib computes it once) */
    uint8_t va[36], vb[36];
    CHECK_OK(e2e_tg_chat_visualization(p.a, va));
    CHECK_OK(e2e_tg_chat_visualization(p.b, vb));
    CHECK_MEM(va, vb, 36);
    uint8_t h[20];
    e2e_sha1(h, old, 256);
    CHECK_MEM(va, h, 16);
    tg_pair_free(&p);
}

static void
test_rekey_after_a_week(void)
{
    struct tg_pair p;
    tg_pair_new(&p, 101);
    CHECK_OK(tg_send_text(p.a, p.t.ctx, "monday"));
    tg_settle(&p);
    CHECK_EQ(p.a->pfs, TG_PFS_IDLE);
    p.t.now_ms += E2E_TG_REKEY_MS; /* exactly a week: not yet */
    CHECK_OK(tg_send_text(p.a, p.t.ctx, "a week later"));
    CHECK_EQ(p.a->pfs, TG_PFS_IDLE);
    p.t.now_ms += 1;
    CHECK_OK(tg_send_text(p.a, p.t.ctx, "a week and a millisecond"));
    CHECK_EQ(p.a->pfs, TG_PFS_WAIT_ACCEPT);
    tg_settle(&p);
    CHECK_EQ(tg_events(p.a, E2E_TG_EV_REKEYED, NULL), 1);
    CHECK_EQ(tg_events(p.b, E2E_TG_EV_REKEYED, NULL), 1);
    /* and the week restarts with the new key */
    CHECK_OK(tg_send_text(p.a, p.t.ctx, "quiet"));
    CHECK_EQ(p.a->pfs, TG_PFS_IDLE);
    tg_pair_free(&p);
}

/* Messages sent under the old key, delivered after the switch, still decrypt; and messages
 * under the new key that overtake the CommitKey are held, then processed in order. */
static void
test_in_flight_across_the_switch(void)
{
    struct tg_pair p;
    struct tg_blobs *late = calloc(1, sizeof *late), *x = calloc(1, sizeof *x);
    struct e2e_tg_event ev;
    tg_pair_new(&p, 102);
    CHECK_OK(e2e_tg_chat_rekey(p.a, p.t.ctx));
    CHECK_ERR(e2e_tg_chat_rekey(p.a, p.t.ctx), E2E_ERR_STATE);
    CHECK_EQ(tg_deliver(p.a, p.b, p.t.ctx), 1); /* RequestKey */
    CHECK_OK(tg_send_text(p.b, p.t.ctx, "old key, late"));
    CHECK_EQ(tg_take(p.b, x), 2); /* AcceptKey, then the message, both under the old key */
    CHECK_OK(e2e_tg_chat_receive(p.a, p.t.ctx, x->p[0], x->n[0], NULL));
    late->p[0] = x->p[1];
    late->n[0] = x->n[1];
    late->count = 1;
    x->p[1] = NULL;
    /* the creator has switched: CommitKey (old key), then a message under the new key */
    CHECK_EQ(tg_events(p.a, E2E_TG_EV_REKEYED, NULL), 1);
    CHECK_OK(tg_send_text(p.a, p.t.ctx, "new key"));
    struct tg_blobs *y = calloc(1, sizeof *y);
    CHECK_EQ(tg_take(p.a, y), 2);
    CHECK(memcmp(y->p[0], p.b->cur.id, 8) == 0);     /* CommitKey under the old key */
    CHECK(memcmp(y->p[1], p.b->pfs_new.id, 8) == 0); /* the message under the new one */
    /* the new-key message overtakes the CommitKey: decrypted with the pending key and held */
    CHECK_OK(e2e_tg_chat_receive(p.b, p.t.ctx, y->p[1], y->n[1], NULL));
    CHECK_EQ(tg_events(p.b, E2E_TG_EV_MESSAGE, NULL), 0);
    CHECK_OK(e2e_tg_chat_receive(p.b, p.t.ctx, y->p[0], y->n[0], NULL));
    size_t msgs = 0, rekeyed = 0;
    while (e2e_tg_chat_next_event(p.b, &ev) == E2E_OK) {
        msgs += ev.type == E2E_TG_EV_MESSAGE;
        rekeyed += ev.type == E2E_TG_EV_REKEYED;
    }
    CHECK_EQ(msgs, 1);
    CHECK_EQ(rekeyed, 1);
    /* the creator dropped nothing yet: the late old-key message decrypts by its key id */
    CHECK(e2e_tg_chat_previous_key_held(p.a));
    CHECK_OK(e2e_tg_chat_receive(p.a, p.t.ctx, late->p[0], late->n[0], NULL));
    CHECK_OK(e2e_tg_chat_next_event(p.a, &ev));
    CHECK_EQ(ev.type, E2E_TG_EV_MESSAGE);
    CHECK(ev.message.text_len == 13 && memcmp(ev.message.text, "old key, late", 13) == 0);
    tg_events(p.a, 0, NULL);
    /* the acceptor, gap filled and back in order under the new key, has wiped the old key;
     * its Resend (old key, now stale) and Noop (new key) reach the creator, which answers the
     * Resend with the stored CommitKey under the old key: a duplicate the acceptor can no
     * longer even decrypt, dropped quietly */
    CHECK(!p.b->other.present);
    CHECK_EQ(tg_deliver(p.b, p.a, p.t.ctx), 2);
    struct tg_blobs *stale = calloc(1, sizeof *stale);
    CHECK_EQ(tg_take(p.a, stale), 1);
    CHECK(stale->n[0] == y->n[0] && memcmp(stale->p[0], y->p[0], y->n[0]) == 0);
    CHECK_ERR(e2e_tg_chat_receive(p.b, p.t.ctx, stale->p[0], stale->n[0], NULL),
              E2E_ERR_NO_SESSION);
    tg_blobs_free(stale);
    free(stale);
    CHECK(!p.a->other.present);
    CHECK_MEM(p.a->cur.key, p.b->cur.key, 256);
    tg_blobs_free(x);
    tg_blobs_free(y);
    tg_blobs_free(late);
    free(x);
    free(y);
    free(late);
    tg_pair_free(&p);
}

/* Both sides start at once: the larger exchange_id (signed) wins, one new key results. */
static void
test_concurrent_requests(void)
{
    int wins[2] = {0, 0};
    for (uint64_t seed = 200; seed < 208; seed++) {
        struct tg_pair p;
        tg_pair_new(&p, seed);
        CHECK_OK(e2e_tg_chat_rekey(p.a, p.t.ctx));
        CHECK_OK(e2e_tg_chat_rekey(p.b, p.t.ctx));
        int64_t ida = p.a->exchange_id, idb = p.b->exchange_id;
        tg_settle(&p);
        CHECK_EQ(tg_events(p.a, E2E_TG_EV_REKEYED, NULL), 1);
        CHECK_EQ(tg_events(p.b, E2E_TG_EV_REKEYED, NULL), 1);
        CHECK_MEM(p.a->cur.key, p.b->cur.key, 256);
        CHECK_EQ(p.a->pfs, TG_PFS_IDLE);
        CHECK_EQ(p.b->pfs, TG_PFS_IDLE);
        wins[ida > idb]++;
        tg_pair_free(&p);
    }
    CHECK(wins[0] > 0 && wins[1] > 0); /* both orders seen, including negative ids */
}

static size_t
forge_action(struct tg_pair *p, e2e_tg_chat *from, const struct e2e_tg_action *a, uint8_t *blob)
{
    uint8_t inner[1024], tl[2048];
    int32_t in, out;
    (void)p;
    tg_next_seq(from, &in, &out);
    size_t il = tg_inner_action(inner, sizeof inner, a);
    size_t tn = tg_layer_tl(tl, sizeof tl, 144, in, out, inner, il);
    return tg_forge(from, tl, tn, 2, blob);
}

static void
test_equal_exchange_ids_abandon_both(void)
{
    struct tg_pair p;
    uint8_t blob[4096], pub[256], priv[256];
    struct e2e_tg_action a;
    tg_pair_new(&p, 103);
    CHECK_OK(e2e_tg_chat_rekey(p.a, p.t.ctx));
    struct tg_blobs *drop = calloc(1, sizeof *drop);
    tg_take(p.a, drop);
    CHECK_OK(e2e_dh_keygen(p.b->grp, p.t.ctx, priv, pub));
    memset(&a, 0, sizeof a);
    a.type = E2E_TG_ACTION_REQUEST_KEY;
    a.exchange_id = p.a->exchange_id;
    a.g = pub;
    a.g_len = 256;
    size_t n = forge_action(&p, p.b, &a, blob);
    CHECK_OK(e2e_tg_chat_receive(p.a, p.t.ctx, blob, n, NULL));
    CHECK_EQ(p.a->pfs, TG_PFS_IDLE);
    CHECK(e2e_ct_is_zero(p.a->pfs_priv, 256));
    const uint8_t *v;
    size_t vn;
    CHECK_ERR(e2e_tg_chat_next_output(p.a, &v, &vn), E2E_ERR_NOT_FOUND); /* no AbortKey */
    tg_blobs_free(drop);
    free(drop);
    tg_pair_free(&p);
}

/* AbortKey for our pending exchange abandons it; for another, nothing happens. */
static void
test_abort_key(void)
{
    struct tg_pair p;
    uint8_t blob[4096];
    struct e2e_tg_action a;
    tg_pair_new(&p, 104);
    CHECK_OK(e2e_tg_chat_rekey(p.a, p.t.ctx));
    struct tg_blobs *drop = calloc(1, sizeof *drop);
    tg_take(p.a, drop);
    memset(&a, 0, sizeof a);
    a.type = E2E_TG_ACTION_ABORT_KEY;
    a.exchange_id = p.a->exchange_id + 1;
    size_t n = forge_action(&p, p.b, &a, blob);
    CHECK_OK(e2e_tg_chat_receive(p.a, p.t.ctx, blob, n, NULL));
    CHECK_EQ(p.a->pfs, TG_PFS_WAIT_ACCEPT);
    p.b->my_out++; /* the forged message took the acceptor's next seq */
    a.exchange_id = p.a->exchange_id;
    n = forge_action(&p, p.b, &a, blob);
    CHECK_OK(e2e_tg_chat_receive(p.a, p.t.ctx, blob, n, NULL));
    CHECK_EQ(p.a->pfs, TG_PFS_IDLE);
    CHECK_OK(e2e_tg_chat_rekey(p.a, p.t.ctx)); /* free to start again */
    tg_blobs_free(drop);
    free(drop);
    tg_pair_free(&p);
}

/* AcceptKey / CommitKey / RequestKey that break the rules abort the chat. */
static void
test_bad_rekey_messages_abort(void)
{
    uint8_t blob[4096], pub[256], priv[256];
    struct e2e_tg_action a;
    struct e2e_report why;
    for (int c = 0; c < 5; c++) {
        struct tg_pair p;
        tg_pair_new(&p, 110 + (uint64_t)c);
        memset(&a, 0, sizeof a);
        const char *check = "pfs";
        int err = E2E_ERR_PROTOCOL;
        e2e_tg_chat *to = p.a;
        CHECK_OK(e2e_dh_keygen(p.b->grp, p.t.ctx, priv, pub));
        if (c == 0) { /* AcceptKey without a RequestKey */
            a.type = E2E_TG_ACTION_ACCEPT_KEY;
            a.g = pub;
            a.g_len = 256;
        } else if (c == 1 || c == 2) { /* AcceptKey with a wrong fingerprint / bad g_b */
            CHECK_OK(e2e_tg_chat_rekey(p.a, p.t.ctx));
            struct tg_blobs *drop = calloc(1, sizeof *drop);
            tg_take(p.a, drop);
            tg_blobs_free(drop);
            free(drop);
            a.type = E2E_TG_ACTION_ACCEPT_KEY;
            a.exchange_id = p.a->exchange_id;
            a.g = pub;
            a.g_len = 256;
            a.key_fingerprint = 12345;
            if (c == 2) {
                memset(pub, 0, 256);
                pub[255] = 2;
                check = "g_b";
                err = E2E_ERR_WEAK_KEY;
            } else {
                check = "fingerprint";
                err = E2E_ERR_AUTH;
            }
        } else if (c == 3) { /* CommitKey without an accepted exchange */
            a.type = E2E_TG_ACTION_COMMIT_KEY;
            a.exchange_id = 77;
        } else { /* RequestKey with g_a = p - 1 */
            a.type = E2E_TG_ACTION_REQUEST_KEY;
            a.exchange_id = 5;
            memcpy(pub, e2e_dh_telegram_prime(), 256);
            pub[255] -= 1;
            a.g = pub;
            a.g_len = 256;
            check = "g_a";
            err = E2E_ERR_WEAK_KEY;
        }
        size_t n = forge_action(&p, p.b, &a, blob);
        CHECK_ERR(e2e_tg_chat_receive(to, p.t.ctx, blob, n, &why), err);
        if (!why.check || strcmp(why.check, check) != 0)
            test_fail_(__FILE__, __LINE__, "case %d: check %s, want %s", c,
                       why.check ? why.check : "-", check);
        CHECK_EQ(e2e_tg_chat_state(to), E2E_TG_CHAT_ABORTED);
        CHECK(e2e_ct_is_zero(p.a->pfs_priv, 256) && !p.a->pfs_new.present);
        tg_pair_free(&p);
    }
    /* CommitKey with a fingerprint other than the accepted key's */
    struct tg_pair p;
    tg_pair_new(&p, 120);
    CHECK_OK(e2e_tg_chat_rekey(p.a, p.t.ctx));
    CHECK_EQ(tg_deliver(p.a, p.b, p.t.ctx), 1);
    CHECK_EQ(p.b->pfs, TG_PFS_WAIT_COMMIT);
    struct tg_blobs *drop = calloc(1, sizeof *drop);
    tg_take(p.b, drop);
    memset(&a, 0, sizeof a);
    a.type = E2E_TG_ACTION_COMMIT_KEY;
    a.exchange_id = p.b->exchange_id;
    a.key_fingerprint = (int64_t)e2e_load64_le(p.b->pfs_new.id) ^ 1;
    size_t n = forge_action(&p, p.a, &a, blob);
    CHECK_ERR(e2e_tg_chat_receive(p.b, p.t.ctx, blob, n, &why), E2E_ERR_AUTH);
    CHECK(why.check && strcmp(why.check, "fingerprint") == 0);
    CHECK_EQ(e2e_tg_chat_state(p.b), E2E_TG_CHAT_ABORTED);
    tg_blobs_free(drop);
    free(drop);
    tg_pair_free(&p);
}

/* The blob keeps an exchange in progress: both sides restored mid-way finish it. */
static void
test_rekey_survives_serialization(void)
{
    struct tg_pair p;
    tg_pair_new(&p, 130);
    CHECK_OK(e2e_tg_chat_rekey(p.a, p.t.ctx));
    CHECK_EQ(tg_deliver(p.a, p.b, p.t.ctx), 1);
    CHECK_EQ(p.b->pfs, TG_PFS_WAIT_COMMIT);
    struct tg_blobs *keep = calloc(1, sizeof *keep);
    tg_take(p.b, keep); /* the AcceptKey */
    uint8_t *ba, *bb;
    size_t na = tg_snapshot(p.a, &ba), nb = tg_snapshot(p.b, &bb);
    e2e_tg_chat_free(p.a);
    e2e_tg_chat_free(p.b);
    CHECK_OK(e2e_tg_chat_parse(&p.a, p.cache, ba, na, NULL));
    CHECK_OK(e2e_tg_chat_parse(&p.b, p.cache, bb, nb, NULL));
    CHECK_OK(e2e_tg_chat_receive(p.a, p.t.ctx, keep->p[0], keep->n[0], NULL));
    tg_settle(&p);
    CHECK_EQ(tg_events(p.a, E2E_TG_EV_REKEYED, NULL), 1);
    CHECK_EQ(tg_events(p.b, E2E_TG_EV_REKEYED, NULL), 1);
    CHECK_MEM(p.a->cur.key, p.b->cur.key, 256);
    free(ba);
    free(bb);
    tg_blobs_free(keep);
    free(keep);
    tg_pair_free(&p);
}

int
main(void)
{
    RUN(test_rekey_after_100_messages);
    RUN(test_rekey_after_a_week);
    RUN(test_in_flight_across_the_switch);
    RUN(test_concurrent_requests);
    RUN(test_equal_exchange_ids_abandon_both);
    RUN(test_abort_key);
    RUN(test_bad_rekey_messages_abort);
    RUN(test_rekey_survives_serialization);
    return test_finish();
}
