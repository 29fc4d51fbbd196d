/* Secret chats: creation with the DH checks, messages both ways, seq_no, gaps and Resend, the
 * layers, MTProto 1.0, bad input with its specific outcome, and the blob. */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/telegram.h>

#include "core/util.h"
#include "telegram/chat.h"
#include "test.h"
#include "tgtest.h"

static void
test_creation_and_dh_checks(void)
{
    struct test_ctx t;
    e2e_dh_cache *cache;
    e2e_tg_chat *a, *b, *b2;
    uint8_t g_a[256], g_b[256], va[36], vb[36];
    size_t g_a_len, g_b_len;
    int64_t fp;
    struct e2e_report why;
    test_ctx_new(&t, 1);
    CHECK_OK(e2e_dh_cache_new(&cache));
    const uint8_t *p = e2e_dh_telegram_prime();
    CHECK_OK(e2e_tg_chat_request(&a, t.ctx, cache, p, 256, 3, g_a, &g_a_len, NULL));
    CHECK_EQ(e2e_tg_chat_state(a), E2E_TG_CHAT_WAITING);
    CHECK(g_a_len >= 248 && g_a_len <= 256 && g_a[0] != 0);
    CHECK_ERR(e2e_tg_chat_visualization(a, va), E2E_ERR_STATE);
    /* (p, g) with a generator that does not generate the subgroup: refused by the crypto layer */
    CHECK_ERR(e2e_tg_chat_request(&b2, t.ctx, cache, p, 256, 2, g_b, &g_b_len, &why),
              E2E_ERR_WEAK_KEY);
    CHECK(b2 == NULL);
    /* g_a out of range: 1, p - 1, a value below 2^(2048-64) */
    uint8_t bad[256];
    memset(bad, 0, 256);
    bad[255] = 1;
    CHECK_ERR(e2e_tg_chat_accept(&b2, t.ctx, cache, p, 256, 3, bad, 256, g_b, &g_b_len, &fp, &why),
              E2E_ERR_WEAK_KEY);
    CHECK(why.check && strcmp(why.check, "g_a") == 0);
    memcpy(bad, p, 256);
    bad[255] -= 1;
    CHECK_ERR(e2e_tg_chat_accept(&b2, t.ctx, cache, p, 256, 3, bad, 256, g_b, &g_b_len, &fp, NULL),
              E2E_ERR_WEAK_KEY);
    memset(bad, 0xff, 7);
    CHECK_ERR(e2e_tg_chat_accept(&b2, t.ctx, cache, p, 256, 3, bad, 7, g_b, &g_b_len, &fp, NULL),
              E2E_ERR_WEAK_KEY);
    CHECK(b2 == NULL);

    CHECK_OK(
        e2e_tg_chat_accept(&b, t.ctx, cache, p, 256, 3, g_a, g_a_len, g_b, &g_b_len, &fp, NULL));
    CHECK_EQ(e2e_tg_chat_state(b), E2E_TG_CHAT_READY);
    CHECK_EQ(e2e_tg_chat_key_fingerprint(b), fp);
    /* the well-known prime is recognised: no primality test ran */
    CHECK_EQ(e2e_dh_cache_full_checks(cache), 0);
    /* a wrong fingerprint aborts the creator's chat (it must discardEncryption) */
    e2e_tg_chat *a2;
    uint8_t g_a2[256];
    size_t g_a2_len;
    CHECK_OK(e2e_tg_chat_request(&a2, t.ctx, cache, p, 256, 3, g_a2, &g_a2_len, NULL));
    CHECK_ERR(e2e_tg_chat_confirm(a2, t.ctx, g_b, g_b_len, fp, &why), E2E_ERR_AUTH);
    CHECK(why.check && strcmp(why.check, "fingerprint") == 0);
    CHECK_EQ(e2e_tg_chat_state(a2), E2E_TG_CHAT_ABORTED);
    e2e_tg_chat_free(a2);
    /* g_b out of range: aborted as well */
    CHECK_OK(e2e_tg_chat_request(&a2, t.ctx, cache, p, 256, 3, g_a2, &g_a2_len, NULL));
    memset(bad, 0, 256);
    bad[255] = 2;
    CHECK_ERR(e2e_tg_chat_confirm(a2, t.ctx, bad, 256, fp, &why), E2E_ERR_WEAK_KEY);
    CHECK_EQ(e2e_tg_chat_state(a2), E2E_TG_CHAT_ABORTED);
    e2e_tg_chat_free(a2);

    CHECK_OK(e2e_tg_chat_confirm(a, t.ctx, g_b, g_b_len, fp, NULL));
    CHECK_EQ(e2e_tg_chat_key_fingerprint(a), fp);
    CHECK_ERR(e2e_tg_chat_confirm(a, t.ctx, g_b, g_b_len, fp, NULL), E2E_ERR_STATE);
    CHECK_OK(e2e_tg_chat_visualization(a, va));
    CHECK_OK(e2e_tg_chat_visualization(b, vb));
    CHECK_MEM(va, vb, 36);
    /* visualisation = SHA1(key)[0..16) || SHA256(key)[0..20), the key left-padded to 256 */
    uint8_t h1[20], h2[32];
    e2e_sha1(h1, a->cur.key, 256);
    e2e_sha256(h2, a->cur.key, 256);
    CHECK_MEM(va, h1, 16);
    CHECK_MEM(va + 16, h2, 20);
    CHECK_MEM(a->cur.key, b->cur.key, 256);
    /* key_fingerprint = SHA1(key)[12..20) as a little-endian int64 */
    CHECK_EQ(fp, (int64_t)e2e_load64_le(h1 + 12));
    /* both sides announce their layer right away */
    struct e2e_tg_event ev;
    CHECK_EQ(tg_events(a, E2E_TG_EV_READY, &ev), 1);
    CHECK_EQ(ev.key_fingerprint, fp);
    const uint8_t *blob;
    size_t n;
    CHECK_OK(e2e_tg_chat_next_output(a, &blob, &n));
    CHECK_EQ(tg_events(b, E2E_TG_EV_READY, NULL), 1);
    CHECK_OK(e2e_tg_chat_receive(b, t.ctx, blob, n, NULL));
    /* written at layer 73 (max(73, min(144, 46))), announcing 144 */
    CHECK_OK(e2e_tg_chat_next_event(b, &ev));
    CHECK_EQ(ev.type, E2E_TG_EV_LAYER);
    CHECK_EQ(ev.layer, E2E_TG_LAYER_MTPROTO2);
    CHECK_OK(e2e_tg_chat_next_event(b, &ev));
    CHECK_EQ(ev.type, E2E_TG_EV_SERVICE);
    CHECK_EQ(ev.layer, E2E_TG_LAYER_MTPROTO2);
    CHECK_EQ(ev.action.type, E2E_TG_ACTION_NOTIFY_LAYER);
    CHECK_EQ(ev.action.layer, E2E_TG_LAYER);
    CHECK_OK(e2e_tg_chat_next_event(b, &ev));
    CHECK_EQ(ev.type, E2E_TG_EV_LAYER);
    CHECK_EQ(ev.layer, E2E_TG_LAYER);
    CHECK_ERR(e2e_tg_chat_next_event(b, &ev), E2E_ERR_NOT_FOUND);
    CHECK_EQ(e2e_tg_chat_his_layer(b), E2E_TG_LAYER);
    e2e_tg_chat_free(a);
    e2e_tg_chat_free(b);
    e2e_dh_cache_free(cache);
    test_ctx_free(&t);
}

static void
test_messages_both_ways(void)
{
    struct tg_pair p;
    struct e2e_tg_event ev;
    tg_pair_new(&p, 2);
    CHECK_EQ(e2e_tg_chat_his_layer(p.a), E2E_TG_LAYER);
    CHECK_EQ(e2e_tg_chat_his_layer(p.b), E2E_TG_LAYER);
    for (int i = 0; i < 5; i++) {
        CHECK_OK(tg_send_text(p.a, p.t.ctx, "from the creator"));
        CHECK_OK(tg_send_text(p.b, p.t.ctx, "from the acceptor, a little longer"));
    }
    CHECK_EQ(tg_deliver(p.a, p.b, p.t.ctx), 5);
    CHECK_EQ(tg_deliver(p.b, p.a, p.t.ctx), 5);
    /* the events carry the texts and the seq numbers with the creator / acceptor parity */
    size_t k = 0;
    while (e2e_tg_chat_next_event(p.b, &ev) == E2E_OK) {
        CHECK_EQ(ev.type, E2E_TG_EV_MESSAGE);
        CHECK_EQ(ev.out_seq_no, 2 * (1 + (int32_t)k) + 1); /* creator: odd, after NotifyLayer */
        CHECK_EQ(ev.in_seq_no % 2, 0);
        CHECK_EQ(ev.layer, E2E_TG_LAYER);
        CHECK_EQ(ev.mtproto, 2);
        CHECK(ev.message.text_len == 16 && memcmp(ev.message.text, "from the creator", 16) == 0);
        k++;
    }
    CHECK_EQ(k, 5);
    CHECK_EQ(tg_events(p.a, E2E_TG_EV_MESSAGE, &ev), 5);
    CHECK_EQ(ev.out_seq_no, 2 * 5); /* acceptor: even */
    CHECK_EQ(ev.out_seq_no % 2, 0);
    uint32_t out, in, since;
    e2e_tg_chat_counters(p.a, &out, &in, &since);
    CHECK_EQ(out, 6);
    CHECK_EQ(in, 6);
    /* each side's five were sent before it saw the other's: only NotifyLayer is acknowledged,
     * five ciphertexts stay stored for Resend; one more message each clears them */
    CHECK_EQ(e2e__tg_queue_count(&p.a->store), 5);
    CHECK_EQ(e2e__tg_queue_count(&p.b->store), 5);
    CHECK_OK(tg_send_text(p.a, p.t.ctx, "ack"));
    CHECK_EQ(tg_deliver(p.a, p.b, p.t.ctx), 1);
    CHECK_EQ(e2e__tg_queue_count(&p.b->store), 0);
    CHECK_EQ(e2e__tg_queue_count(&p.a->store), 6);
    CHECK_OK(tg_send_text(p.b, p.t.ctx, "ack"));
    CHECK_EQ(tg_deliver(p.b, p.a, p.t.ctx), 1);
    CHECK_EQ(e2e__tg_queue_count(&p.a->store), 0);
    tg_pair_free(&p);
}

static void
test_gap_resend_and_duplicates(void)
{
    struct tg_pair p;
    struct tg_blobs *b = calloc(1, sizeof *b);
    struct e2e_tg_event ev;
    struct e2e_report why;
    tg_pair_new(&p, 3);
    for (int i = 0; i < 6; i++)
        CHECK_OK(tg_send_text(p.a, p.t.ctx, i % 2 ? "odd" : "even"));
    CHECK_EQ(tg_take(p.a, b), 6);
    /* messages 0 and 1 arrive; 2 and 3 are lost; 4 and 5 arrive early */
    CHECK_OK(e2e_tg_chat_receive(p.b, p.t.ctx, b->p[0], b->n[0], NULL));
    CHECK_OK(e2e_tg_chat_receive(p.b, p.t.ctx, b->p[1], b->n[1], NULL));
    CHECK_OK(e2e_tg_chat_receive(p.b, p.t.ctx, b->p[4], b->n[4], NULL));
    CHECK_EQ(tg_events(p.b, E2E_TG_EV_NEED_RESEND, &ev), 1);
    /* in the creator's out_seq_no numbering: messages 2 and 3 of this batch */
    CHECK_EQ(ev.start_seq_no, 2 * (1 + 2) + 1);
    CHECK_EQ(ev.end_seq_no, 2 * (1 + 3) + 1);
    CHECK_OK(e2e_tg_chat_receive(p.b, p.t.ctx, b->p[5], b->n[5], NULL));
    CHECK_EQ(tg_events(p.b, E2E_TG_EV_NEED_RESEND, NULL), 0); /* each hole asked for once */
    /* a duplicate of a held message and of a processed one: dropped quietly, state unchanged */
    uint8_t *snap;
    size_t sn = tg_snapshot(p.b, &snap);
    CHECK_ERR(e2e_tg_chat_receive(p.b, p.t.ctx, b->p[5], b->n[5], &why), E2E_ERR_DUPLICATE);
    CHECK_ERR(e2e_tg_chat_receive(p.b, p.t.ctx, b->p[0], b->n[0], &why), E2E_ERR_DUPLICATE);
    CHECK(why.check && strcmp(why.check, "seq_old") == 0);
    CHECK(tg_same_state(p.b, snap, sn));
    free(snap);
    /* the Resend goes to the creator, which re-sends the stored ciphertexts */
    CHECK_EQ(tg_deliver(p.b, p.a, p.t.ctx), 1);
    CHECK_EQ(tg_events(p.a, E2E_TG_EV_RESENT, &ev), 1);
    struct tg_blobs *r = calloc(1, sizeof *r);
    CHECK_EQ(tg_take(p.a, r), 2);
    CHECK(r->n[0] == b->n[2] && memcmp(r->p[0], b->p[2], b->n[2]) == 0);
    CHECK(r->n[1] == b->n[3] && memcmp(r->p[1], b->p[3], b->n[3]) == 0);
    CHECK_OK(e2e_tg_chat_receive(p.b, p.t.ctx, r->p[1], r->n[1], NULL)); /* still early */
    CHECK_OK(e2e_tg_chat_receive(p.b, p.t.ctx, r->p[0], r->n[0], NULL)); /* fills the gap */
    /* everything in order, once */
    const char *want[] = {"even", "odd", "even", "odd", "even", "odd"};
    size_t k = 0;
    while (e2e_tg_chat_next_event(p.b, &ev) == E2E_OK) {
        if (ev.type != E2E_TG_EV_MESSAGE)
            continue;
        CHECK(k < 6 && ev.message.text_len == strlen(want[k]) &&
              memcmp(ev.message.text, want[k], ev.message.text_len) == 0);
        k++;
    }
    CHECK_EQ(k, 4);
    CHECK_EQ(e2e__tg_queue_count(&p.b->early), 0);
    uint32_t out, in, since;
    e2e_tg_chat_counters(p.b, &out, &in, &since);
    CHECK_EQ(in, 7);
    tg_blobs_free(b);
    tg_blobs_free(r);
    free(b);
    free(r);
    tg_pair_free(&p);
}

/* Resend asking for something never sent or no longer stored aborts the chat. */
static void
test_resend_unknown_is_fatal(void)
{
    struct tg_pair p;
    struct e2e_report why;
    uint8_t inner[256], tl[512], blob[2048];
    struct e2e_tg_action a;
    tg_pair_new(&p, 4);
    memset(&a, 0, sizeof a);
    a.type = E2E_TG_ACTION_RESEND;
    a.start_seq_no = 2 * 5 + 1; /* the creator's out_seq_no 11: never sent */
    a.end_seq_no = 2 * 5 + 1;
    int32_t in, out;
    tg_next_seq(p.b, &in, &out);
    size_t il = tg_inner_action(inner, sizeof inner, &a);
    size_t tn = tg_layer_tl(tl, sizeof tl, 144, in, out, inner, il);
    size_t bn = tg_forge(p.b, tl, tn, 2, blob);
    CHECK_ERR(e2e_tg_chat_receive(p.a, p.t.ctx, blob, bn, &why), E2E_ERR_PROTOCOL);
    CHECK(why.check && strcmp(why.check, "resend") == 0);
    CHECK_EQ(e2e_tg_chat_state(p.a), E2E_TG_CHAT_ABORTED);
    struct e2e_tg_event ev;
    CHECK_EQ(tg_events(p.a, E2E_TG_EV_ABORTED, &ev), 1);
    CHECK_EQ(ev.err, E2E_ERR_PROTOCOL);
    CHECK(ev.reason && strcmp(ev.reason, "resend") == 0);
    CHECK_ERR(e2e_tg_chat_receive(p.a, p.t.ctx, blob, bn, NULL), E2E_ERR_STATE);
    CHECK_ERR(tg_send_text(p.a, p.t.ctx, "x"), E2E_ERR_STATE);
    CHECK(!p.a->cur.present); /* keys wiped */
    tg_pair_free(&p);
}

/* A Resend that arrives out of order is served at once (spec "avoiding concurrent gaps"). */
static void
test_resend_out_of_order_served_at_once(void)
{
    struct tg_pair p;
    struct tg_blobs *b = calloc(1, sizeof *b);
    tg_pair_new(&p, 5);
    CHECK_OK(tg_send_text(p.a, p.t.ctx, "first"));
    CHECK_OK(tg_send_text(p.a, p.t.ctx, "second"));
    CHECK_EQ(tg_take(p.a, b), 2);
    /* the acceptor sees a gap and asks; the creator loses the acceptor's message before it */
    CHECK_OK(tg_send_text(p.b, p.t.ctx, "lost"));
    CHECK_OK(e2e_tg_chat_receive(p.b, p.t.ctx, b->p[1], b->n[1], NULL));
    struct tg_blobs *fromb = calloc(1, sizeof *fromb);
    CHECK_EQ(tg_take(p.b, fromb), 2); /* "lost", then Resend */
    CHECK_OK(e2e_tg_chat_receive(p.a, p.t.ctx, fromb->p[1], fromb->n[1], NULL));
    /* the creator holds the Resend (it comes after "lost") yet has already re-sent, and asks
     * for "lost" itself */
    struct e2e_tg_event ev;
    size_t resent = 0, asked = 0, service = 0;
    while (e2e_tg_chat_next_event(p.a, &ev) == E2E_OK) {
        resent += ev.type == E2E_TG_EV_RESENT;
        asked += ev.type == E2E_TG_EV_NEED_RESEND;
    }
    CHECK_EQ(resent, 1);
    CHECK_EQ(asked, 1);
    /* when "lost" arrives, the held Resend is reported but not served a second time */
    CHECK_OK(e2e_tg_chat_receive(p.a, p.t.ctx, fromb->p[0], fromb->n[0], NULL));
    resent = 0;
    while (e2e_tg_chat_next_event(p.a, &ev) == E2E_OK) {
        resent += ev.type == E2E_TG_EV_RESENT;
        service += ev.type == E2E_TG_EV_SERVICE && ev.action.type == E2E_TG_ACTION_RESEND;
    }
    CHECK_EQ(resent, 0);
    CHECK_EQ(service, 1);
    /* the creator's re-sent "first" fills the acceptor's gap; its stale Resend makes the
     * acceptor send "lost" again, which the creator drops quietly as a duplicate */
    CHECK_EQ(tg_deliver(p.a, p.b, p.t.ctx), 2);
    struct tg_blobs *again = calloc(1, sizeof *again);
    CHECK_EQ(tg_take(p.b, again), 1);
    CHECK(again->n[0] == fromb->n[0] && memcmp(again->p[0], fromb->p[0], fromb->n[0]) == 0);
    CHECK_ERR(e2e_tg_chat_receive(p.a, p.t.ctx, again->p[0], again->n[0], NULL), E2E_ERR_DUPLICATE);
    tg_blobs_free(again);
    free(again);
    tg_settle(&p);
    uint32_t ao, ai, bo, bi, since;
    e2e_tg_chat_counters(p.a, &ao, &ai, &since);
    e2e_tg_chat_counters(p.b, &bo, &bi, &since);
    CHECK_EQ(ai, bo);
    CHECK_EQ(bi, ao);
    CHECK_EQ(tg_events(p.b, E2E_TG_EV_MESSAGE, NULL), 2);
    tg_blobs_free(b);
    tg_blobs_free(fromb);
    free(b);
    free(fromb);
    tg_pair_free(&p);
}

static void
test_gap_queue_is_bounded(void)
{
    struct tg_pair p;
    struct tg_blobs *b = calloc(1, sizeof *b);
    struct e2e_report why;
    tg_pair_new(&p, 6);
    for (int i = 0; i < E2E_TG_MAX_EARLY + 2; i++)
        CHECK_OK(tg_send_text(p.a, p.t.ctx, "m"));
    CHECK_EQ(tg_take(p.a, b), E2E_TG_MAX_EARLY + 2);
    for (int i = 1; i <= E2E_TG_MAX_EARLY; i++)
        CHECK_OK(e2e_tg_chat_receive(p.b, p.t.ctx, b->p[i], b->n[i], NULL));
    uint8_t *snap;
    size_t sn = tg_snapshot(p.b, &snap);
    CHECK_ERR(e2e_tg_chat_receive(p.b, p.t.ctx, b->p[E2E_TG_MAX_EARLY + 1],
                                  b->n[E2E_TG_MAX_EARLY + 1], &why),
              E2E_ERR_LIMIT);
    CHECK(why.check && strcmp(why.check, "gap") == 0);
    CHECK(tg_same_state(p.b, snap, sn));
    free(snap);
    /* the first fills the gap, all held ones follow; the dropped one is a new hole */
    CHECK_OK(e2e_tg_chat_receive(p.b, p.t.ctx, b->p[0], b->n[0], NULL));
    CHECK_EQ(tg_events(p.b, E2E_TG_EV_MESSAGE, NULL), E2E_TG_MAX_EARLY + 1);
    CHECK_OK(e2e_tg_chat_receive(p.b, p.t.ctx, b->p[E2E_TG_MAX_EARLY + 1],
                                 b->n[E2E_TG_MAX_EARLY + 1], NULL));
    CHECK_EQ(tg_events(p.b, E2E_TG_EV_MESSAGE, NULL), 1);
    tg_blobs_free(b);
    free(b);
    tg_pair_free(&p);
}

int
main(void)
{
    RUN(test_creation_and_dh_checks);
    RUN(test_messages_both_ways);
    RUN(test_gap_resend_and_duplicates);
    RUN(test_resend_unknown_is_fatal);
    RUN(test_resend_out_of_order_served_at_once);
    RUN(test_gap_queue_is_bounded);
    return test_finish();
}
