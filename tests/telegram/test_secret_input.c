/*
 * Secret chats under bad input: each failure with its specific outcome. Dropped quietly (the
 * state blob byte-identical afterwards) for what a forger or the network can cause; the chat
 * aborted (keys wiped, ABORTED event) for what only the authenticated peer can send. Also the
 * layer rules, the MTProto 1.0 fallback, and the blob under corruption.
 */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/telegram.h>

#include "codec/tl.h"
#include "core/util.h"
#include "telegram/chat.h"
#include "test.h"
#include "tgtest.h"

/* Expects `blob` to be dropped with err/check and the receiver's state unchanged. */
static void
expect_dropped(struct tg_pair *p, e2e_tg_chat *to, const uint8_t *blob, size_t n, int err,
               const char *check)
{
    uint8_t *snap;
    size_t sn = tg_snapshot(to, &snap);
    struct e2e_report why;
    CHECK_ERR(e2e_tg_chat_receive(to, p->t.ctx, blob, n, &why), err);
    if (!why.check || strcmp(why.check, check) != 0)
        test_fail_(__FILE__, __LINE__, "check %s, want %s (%s)", why.check ? why.check : "-", check,
                   why.detail);
    CHECK(tg_same_state(to, snap, sn));
    CHECK_EQ(e2e_tg_chat_state(to), E2E_TG_CHAT_READY);
    CHECK_EQ(tg_events(to, 0, NULL), 0);
    free(snap);
}

/* Expects `blob` to abort the receiver's chat with err/check. */
static void
expect_aborted(struct tg_pair *p, e2e_tg_chat *to, const uint8_t *blob, size_t n, int err,
               const char *check)
{
    struct e2e_report why;
    struct e2e_tg_event ev;
    CHECK_ERR(e2e_tg_chat_receive(to, p->t.ctx, blob, n, &why), err);
    if (!why.check || strcmp(why.check, check) != 0)
        test_fail_(__FILE__, __LINE__, "check %s, want %s (%s)", why.check ? why.check : "-", check,
                   why.detail);
    CHECK_EQ(e2e_tg_chat_state(to), E2E_TG_CHAT_ABORTED);
    CHECK(!to->cur.present && !to->other.present);
    CHECK(e2e_ct_is_zero(to->cur.key, 256));
    CHECK_EQ(tg_events(to, E2E_TG_EV_ABORTED, &ev), 1);
    CHECK_EQ(ev.err, err);
}

static void
test_dropped_quietly(void)
{
    struct tg_pair p;
    uint8_t blob[4096];
    tg_pair_new(&p, 10);
    CHECK_OK(tg_send_text(p.a, p.t.ctx, "a good message"));
    const uint8_t *v;
    size_t n;
    CHECK_OK(e2e_tg_chat_next_output(p.a, &v, &n));
    memcpy(blob, v, n);
    /* too short, not whole blocks, too long */
    expect_dropped(&p, p.b, blob, 39, E2E_ERR_MALFORMED, "size");
    expect_dropped(&p, p.b, blob, n - 1, E2E_ERR_MALFORMED, "size");
    uint8_t *huge = calloc(1, 200000);
    memcpy(huge, blob, 8);
    expect_dropped(&p, p.b, huge, 24 + 16 * 10000, E2E_ERR_MALFORMED, "size");
    free(huge);
    /* unknown key id (wrong fingerprint) */
    blob[3] ^= 0x40;
    expect_dropped(&p, p.b, blob, n, E2E_ERR_NO_SESSION, "fingerprint");
    blob[3] ^= 0x40;
    /* msg_key, ciphertext, last byte: msg_key differs */
    size_t spots[] = {8, 23, 24, 40, n - 1};
    for (size_t i = 0; i < sizeof spots / sizeof spots[0]; i++) {
        blob[spots[i]] ^= 1;
        expect_dropped(&p, p.b, blob, n, E2E_ERR_AUTH, "msg_key");
        blob[spots[i]] ^= 1;
    }
    /* the creator's own message reflected back at it: wrong direction (x) for that key */
    expect_dropped(&p, p.a, blob, n, E2E_ERR_AUTH, "msg_key");
    /* intact, it is accepted; a second copy is old */
    CHECK_OK(e2e_tg_chat_receive(p.b, p.t.ctx, blob, n, NULL));
    CHECK_EQ(tg_events(p.b, E2E_TG_EV_MESSAGE, NULL), 1);
    expect_dropped(&p, p.b, blob, n, E2E_ERR_DUPLICATE, "seq_old");
    tg_pair_free(&p);
}

static void
test_layer_too_new_is_update_needed(void)
{
    struct tg_pair p;
    uint8_t blob[4096];
    struct e2e_report why;
    tg_pair_new(&p, 11);
    size_t n = tg_forge_text(p.a, E2E_TG_LAYER + 1, "from the future", blob);
    expect_dropped(&p, p.b, blob, n, E2E_ERR_UNSUPPORTED, "layer");
    CHECK_ERR(e2e_tg_chat_receive(p.b, p.t.ctx, blob, n, &why), E2E_ERR_UNSUPPORTED);
    CHECK(strstr(why.detail, "update needed") != NULL);
    /* the chat goes on: the same message at our layer is fine */
    n = tg_forge_text(p.a, E2E_TG_LAYER, "from now", blob);
    CHECK_OK(e2e_tg_chat_receive(p.b, p.t.ctx, blob, n, NULL));
    CHECK_EQ(tg_events(p.b, E2E_TG_EV_MESSAGE, NULL), 1);
    tg_pair_free(&p);
}

/* Plaintext framing under a good msg_key: only the peer could have sent it. */
static void
test_framing_aborts(void)
{
    uint8_t plain[256], blob[512];
    struct {
        uint32_t len;
        size_t total;
        const char *check;
    } cases[] = {
        {62, 80, "length"},  /* not a multiple of 4 */
        {80, 80, "length"},  /* longer than the plaintext */
        {68, 80, "padding"}, /* 8 padding bytes */
        {0, 1056, "padding"} /* 1052 padding bytes */,
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tg_pair p;
        uint8_t *big = calloc(1, 2048);
        tg_pair_new(&p, 20 + i);
        memset(plain, 0x33, sizeof plain);
        e2e_store32_le(big, cases[i].len);
        memcpy(big + 4, plain, cases[i].total > 256 ? 64 : cases[i].total - 4);
        uint8_t *out = cases[i].total > 256 ? malloc(cases[i].total + 24) : blob;
        size_t n = tg_forge_plain(p.a, big, cases[i].total, out);
        expect_aborted(&p, p.b, out, n, E2E_ERR_MALFORMED, cases[i].check);
        if (out != blob)
            free(out);
        free(big);
        tg_pair_free(&p);
    }
}

/* Malformed TL under a good msg_key. */
static void
test_malformed_tl_aborts(void)
{
    uint8_t inner[512], tl[1024], blob[4096];
    int32_t in, out;
    for (int c = 0; c < 7; c++) {
        struct tg_pair p;
        tg_pair_new(&p, 30 + (uint64_t)c);
        tg_next_seq(p.a, &in, &out);
        size_t il = tg_inner_text(inner, sizeof inner, 7, "hello");
        size_t tn = tg_layer_tl(tl, sizeof tl, 144, in, out, inner, il);
        switch (c) {
        case 0: /* trailing bytes after the message */
            memset(tl + tn, 0, 4);
            tn += 4;
            break;
        case 1: /* truncated inside the string */
            tn -= 4;
            break;
        case 2: /* wrong top-level constructor (a bare decryptedMessage) */
            memmove(tl, inner, il);
            tn = il;
            break;
        case 3: /* unknown inner constructor */
            tl[4 + 32 + 12] ^= 0x10;
            break;
        case 4: /* random_bytes of 14 bytes (the spec requires 15) */
        {
            struct e2e_writer w;
            uint8_t rnd[14] = {0};
            e2e_writer_init(&w, tl, sizeof tl);
            e2e__tl_write_id(&w, E2E_TG_ID_MESSAGE_LAYER);
            e2e__tl_write_bytes(&w, rnd, sizeof rnd);
            e2e__tl_write_int(&w, 144);
            e2e__tl_write_int(&w, in);
            e2e__tl_write_int(&w, out);
            e2e_write_bytes(&w, inner, il);
            tn = w.len;
            break;
        }
        case 5: /* a string length beyond the message */
            tl[4 + 32 + 12 + 4 + 4 + 8 + 4] = 200;
            break;
        default: /* layer 16: decryptedMessageLayer exists from 17 */
            tn = tg_layer_tl(tl, sizeof tl, 16, in, out, inner, il);
            break;
        }
        size_t n = tg_forge(p.a, tl, tn, 2, blob);
        expect_aborted(&p, p.b, blob, n, E2E_ERR_MALFORMED, "tl");
        tg_pair_free(&p);
    }
}

static void
forge_seq(struct tg_pair *p, int32_t layer, int32_t in, int32_t out, uint8_t *blob, size_t *n)
{
    uint8_t inner[512], tl[1024];
    size_t il = tg_inner_text(inner, sizeof inner, 9, "seq");
    size_t tn = tg_layer_tl(tl, sizeof tl, layer, in, out, inner, il);
    *n = tg_forge(p->a, tl, tn, 2, blob);
}

static void
test_seq_violations_abort(void)
{
    uint8_t blob[4096];
    size_t n;
    int32_t in, out;
    struct tg_pair p;
    /* wrong parity of out_seq_no, then of in_seq_no */
    for (int c = 0; c < 2; c++) {
        tg_pair_new(&p, 40 + (uint64_t)c);
        tg_next_seq(p.a, &in, &out);
        forge_seq(&p, 144, in + c, out + 1 - c, blob, &n);
        expect_aborted(&p, p.b, blob, n, E2E_ERR_PROTOCOL, "seq_parity");
        tg_pair_free(&p);
    }
    /* negative seq */
    tg_pair_new(&p, 42);
    tg_next_seq(p.a, &in, &out);
    forge_seq(&p, 144, -2, out, blob, &n);
    expect_aborted(&p, p.b, blob, n, E2E_ERR_PROTOCOL, "seq_parity");
    tg_pair_free(&p);
    /* in_seq_no acknowledging a message the acceptor never sent */
    tg_pair_new(&p, 43);
    tg_next_seq(p.a, &in, &out);
    forge_seq(&p, 144, in + 2, out, blob, &n);
    expect_aborted(&p, p.b, blob, n, E2E_ERR_PROTOCOL, "in_seq_no");
    tg_pair_free(&p);
    /* in_seq_no going back */
    tg_pair_new(&p, 44);
    CHECK_OK(tg_send_text(p.b, p.t.ctx, "one"));
    tg_settle(&p);
    CHECK_OK(tg_send_text(p.a, p.t.ctx, "acknowledges one"));
    tg_settle(&p);
    tg_events(p.b, 0, NULL);
    tg_next_seq(p.a, &in, &out);
    forge_seq(&p, 144, in - 2, out, blob, &n);
    expect_aborted(&p, p.b, blob, n, E2E_ERR_PROTOCOL, "in_seq_no");
    tg_pair_free(&p);
    /* the peer's layer going down (144 -> 100) */
    tg_pair_new(&p, 45);
    CHECK_OK(tg_send_text(p.a, p.t.ctx, "at 144"));
    tg_settle(&p);
    tg_events(p.b, 0, NULL);
    tg_next_seq(p.a, &in, &out);
    forge_seq(&p, 100, in, out, blob, &n);
    expect_aborted(&p, p.b, blob, n, E2E_ERR_PROTOCOL, "layer_decrease");
    tg_pair_free(&p);
}

/* Fresh chats, before either NotifyLayer arrives: the peer is at 46, 1.0 is still tried. */
static void
fresh_pair(struct tg_pair *p, uint64_t seed)
{
    uint8_t g_a[256], g_b[256];
    size_t la, lb;
    int64_t fp;
    memset(p, 0, sizeof *p);
    test_ctx_new(&p->t, seed);
    CHECK_OK(e2e_dh_cache_new(&p->cache));
    const uint8_t *prime = e2e_dh_telegram_prime();
    CHECK_OK(e2e_tg_chat_request(&p->a, p->t.ctx, p->cache, prime, 256, 3, g_a, &la, NULL));
    CHECK_OK(
        e2e_tg_chat_accept(&p->b, p->t.ctx, p->cache, prime, 256, 3, g_a, la, g_b, &lb, &fp, NULL));
    CHECK_OK(e2e_tg_chat_confirm(p->a, p->t.ctx, g_b, lb, fp, NULL));
    struct tg_blobs *drop = calloc(1, sizeof *drop);
    tg_take(p->a, drop); /* the NotifyLayers are not delivered */
    tg_take(p->b, drop);
    tg_blobs_free(drop);
    free(drop);
    tg_events(p->a, 0, NULL);
    tg_events(p->b, 0, NULL);
}

static void
test_mtproto1_fallback(void)
{
    struct tg_pair p;
    uint8_t inner[512], tl[1024], blob[4096];
    struct e2e_tg_event ev;
    int32_t in, out;
    /* layer 46 over MTProto 1.0 while the peer is below 73: accepted */
    fresh_pair(&p, 50);
    CHECK_EQ(e2e_tg_chat_his_layer(p.b), E2E_TG_LAYER_INITIAL);
    p.a->my_out = 0; /* the forged message takes the place of the undelivered NotifyLayer */
    tg_next_seq(p.a, &in, &out);
    size_t il = tg_inner_text(inner, sizeof inner, 5, "legacy");
    size_t tn = tg_layer_tl(tl, sizeof tl, 46, in, out, inner, il);
    size_t n = tg_forge(p.a, tl, tn, 1, blob);
    CHECK_OK(e2e_tg_chat_receive(p.b, p.t.ctx, blob, n, NULL));
    CHECK_EQ(tg_events(p.b, E2E_TG_EV_MESSAGE, &ev), 1);
    CHECK_EQ(ev.mtproto, 1);
    CHECK_EQ(ev.layer, 46);
    /* a first MTProto 2.0 message ends the 1.0 fallback, even with the layer still low */
    p.a->my_out = 1;
    tg_next_seq(p.a, &in, &out);
    tn = tg_layer_tl(tl, sizeof tl, 46, in, out, inner, il);
    n = tg_forge(p.a, tl, tn, 2, blob);
    CHECK_OK(e2e_tg_chat_receive(p.b, p.t.ctx, blob, n, NULL));
    CHECK_EQ(tg_events(p.b, E2E_TG_EV_MESSAGE, &ev), 1);
    CHECK_EQ(ev.mtproto, 2);
    p.a->my_out = 2;
    tg_next_seq(p.a, &in, &out);
    tn = tg_layer_tl(tl, sizeof tl, 46, in, out, inner, il);
    n = tg_forge(p.a, tl, tn, 1, blob);
    expect_dropped(&p, p.b, blob, n, E2E_ERR_AUTH, "msg_key");
    tg_pair_free(&p);

    /* MTProto 1.0 carrying layer >= 73: refused, the chat aborted */
    fresh_pair(&p, 51);
    tg_next_seq(p.a, &in, &out);
    tn = tg_layer_tl(tl, sizeof tl, 73, in, out, inner, il);
    n = tg_forge(p.a, tl, tn, 1, blob);
    expect_aborted(&p, p.b, blob, n, E2E_ERR_PROTOCOL, "mtproto1");
    tg_pair_free(&p);

    /* once the peer is known at layer >= 73, 1.0 is not even tried */
    tg_pair_new(&p, 52);
    tg_next_seq(p.a, &in, &out);
    tn = tg_layer_tl(tl, sizeof tl, 46, in, out, inner, il);
    n = tg_forge(p.a, tl, tn, 1, blob);
    expect_dropped(&p, p.b, blob, n, E2E_ERR_AUTH, "msg_key");
    tg_pair_free(&p);
}

static void
test_layers(void)
{
    struct tg_pair p;
    struct e2e_tg_event ev;
    uint8_t blob[4096];
    tg_pair_new(&p, 60);
    /* an "older client" on the creator's side: set to 101, the acceptor then writes 101 */
    CHECK_ERR(e2e_tg_chat_set_layer(p.a, p.t.ctx, 72), E2E_ERR_INVALID);
    CHECK_ERR(e2e_tg_chat_set_layer(p.a, p.t.ctx, 145), E2E_ERR_INVALID);
    CHECK_OK(e2e_tg_chat_set_layer(p.a, p.t.ctx, 101));
    CHECK_EQ(e2e_tg_chat_my_layer(p.a), 101);
    CHECK_EQ(tg_deliver(p.a, p.b, p.t.ctx), 1);
    CHECK_EQ(tg_events(p.b, E2E_TG_EV_SERVICE, &ev), 1);
    CHECK_EQ(ev.action.type, E2E_TG_ACTION_NOTIFY_LAYER);
    CHECK_EQ(ev.action.layer, 101);
    CHECK_EQ(ev.layer, 101); /* written at min(ours, the peer's) */
    /* his_layer is the highest the peer is known to speak: it does not fall */
    CHECK_EQ(e2e_tg_chat_his_layer(p.b), E2E_TG_LAYER);
    CHECK_OK(tg_send_text(p.a, p.t.ctx, "at 101"));
    CHECK_EQ(tg_deliver(p.a, p.b, p.t.ctx), 1);
    CHECK_EQ(tg_events(p.b, E2E_TG_EV_MESSAGE, &ev), 1);
    CHECK_EQ(ev.layer, 101);
    /* the upgrade back to 144 is announced too, and later messages are written at 144 */
    CHECK_OK(e2e_tg_chat_set_layer(p.a, p.t.ctx, E2E_TG_LAYER));
    CHECK_OK(tg_send_text(p.a, p.t.ctx, "upgraded"));
    CHECK_EQ(tg_deliver(p.a, p.b, p.t.ctx), 2);
    CHECK_EQ(tg_events(p.b, E2E_TG_EV_MESSAGE, &ev), 1);
    CHECK_EQ(ev.layer, E2E_TG_LAYER);
    /* a message forged at the layer just below the last one is a decrease, hence fatal */
    size_t n = tg_forge_text(p.a, E2E_TG_LAYER - 1, "downgrade", blob);
    expect_aborted(&p, p.b, blob, n, E2E_ERR_PROTOCOL, "layer_decrease");
    tg_pair_free(&p);
}

/* Every truncation and a flip in every byte of the header: refused, never a crash. */
static void
test_blob_round_trip_and_corruption(void)
{
    struct tg_pair p;
    struct tg_blobs *b = calloc(1, sizeof *b);
    tg_pair_new(&p, 70);
    for (int i = 0; i < 4; i++)
        CHECK_OK(tg_send_text(p.a, p.t.ctx, "stored"));
    CHECK_EQ(tg_take(p.a, b), 4);
    CHECK_OK(e2e_tg_chat_receive(p.b, p.t.ctx, b->p[2], b->n[2], NULL)); /* held */
    tg_deliver(p.b, p.a, p.t.ctx);                                       /* the Resend */
    tg_events(p.a, 0, NULL);
    tg_events(p.b, 0, NULL);
    uint8_t *blob;
    size_t n = tg_snapshot(p.b, &blob);
    e2e_tg_chat *c = NULL;
    CHECK_OK(e2e_tg_chat_parse(&c, p.cache, blob, n, NULL));
    CHECK(tg_same_state(c, blob, n));
    /* the parsed chat carries on exactly like the original */
    CHECK_OK(e2e_tg_chat_receive(c, p.t.ctx, b->p[0], b->n[0], NULL));
    CHECK_OK(e2e_tg_chat_receive(c, p.t.ctx, b->p[1], b->n[1], NULL));
    CHECK_EQ(tg_events(c, E2E_TG_EV_MESSAGE, NULL), 3);
    e2e_tg_chat_free(c);
    for (size_t cut = 0; cut < n; cut += (cut < 700 ? 1 : 97)) {
        c = NULL;
        CHECK(e2e_tg_chat_parse(&c, p.cache, blob, cut, NULL) != E2E_OK);
        CHECK(c == NULL);
    }
    uint8_t *bad = malloc(n + 1);
    memcpy(bad, blob, n);
    bad[n] = 0;
    CHECK_ERR(e2e_tg_chat_parse(&c, p.cache, bad, n + 1, NULL), E2E_ERR_MALFORMED);
    bad[4] = 9; /* format version */
    CHECK_ERR(e2e_tg_chat_parse(&c, p.cache, bad, n, NULL), E2E_ERR_UNSUPPORTED);
    bad[0] = 'X'; /* not a chat at all */
    CHECK_ERR(e2e_tg_chat_parse(&c, p.cache, bad, n, NULL), E2E_ERR_MALFORMED);
    memcpy(bad, blob, n);
    bad[6] = 2; /* role */
    CHECK_ERR(e2e_tg_chat_parse(&c, p.cache, bad, n, NULL), E2E_ERR_MALFORMED);
    memcpy(bad, blob, n);
    bad[7] = 7; /* state */
    CHECK_ERR(e2e_tg_chat_parse(&c, p.cache, bad, n, NULL), E2E_ERR_MALFORMED);
    memcpy(bad, blob, n);
    bad[8 + 4 + 4 + 4 + 256 + 3] = 2; /* g = 2 does not generate the subgroup */
    CHECK_ERR(e2e_tg_chat_parse(&c, p.cache, bad, n, NULL), E2E_ERR_WEAK_KEY);
    free(bad);
    free(blob);
    /* serialize into a short buffer: E2E_ERR_BUFFER */
    uint8_t small[64];
    size_t len;
    CHECK_ERR(e2e_tg_chat_serialize(p.a, small, sizeof small, &len), E2E_ERR_BUFFER);
    tg_blobs_free(b);
    free(b);
    tg_pair_free(&p);
}

int
main(void)
{
    RUN(test_dropped_quietly);
    RUN(test_layer_too_new_is_update_needed);
    RUN(test_framing_aborts);
    RUN(test_malformed_tl_aborts);
    RUN(test_seq_violations_abort);
    RUN(test_mtproto1_fallback);
    RUN(test_layers);
    RUN(test_blob_round_trip_and_corruption);
    return test_finish();
}
