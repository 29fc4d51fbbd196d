/* Viber calls: signed ephemeral keys, the call key, and the Salsa20 media transform (replay
 * window, ROC roll-over, tampering, decrypt-then-commit). */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/viber.h>

#include "test.h"
#include "vbworld.h"

struct call {
    struct vbw w;
    int a, b;
    uint8_t ida[32], idb[32], call_id[16];
    struct e2e_viber_call ca, cb;
    uint8_t offer[E2E_VIBER_CALL_MSG_LEN], answer[E2E_VIBER_CALL_MSG_LEN];
};

static void
call_init(struct call *c, uint64_t seed)
{
    vbw_init(&c->w, seed);
    c->a = vbw_primary(&c->w, "alice-phone", 0);
    c->b = vbw_primary(&c->w, "bob-phone", 0);
    vbw_id(&c->w, c->a, c->ida);
    vbw_id(&c->w, c->b, c->idb);
    memset(c->call_id, 0x5a, 16);
    CHECK_OK(e2e_viber_call_offer(&c->ca, c->offer, c->w.ctx, c->w.dev[c->a].d, c->call_id));
}

static void
call_connect(struct call *c)
{
    CHECK_OK(e2e_viber_call_answer(&c->cb, c->answer, c->w.ctx, c->w.dev[c->b].d, c->ida, c->offer,
                                   sizeof c->offer, NULL));
    CHECK_OK(e2e_viber_call_complete(&c->ca, c->w.ctx, c->idb, c->answer, sizeof c->answer, NULL));
}

static void
test_key_exchange(void)
{
    struct call c;
    call_init(&c, 51);
    call_connect(&c);
    CHECK_EQ(c.ca.state, 2);
    CHECK_EQ(c.cb.state, 2);
    CHECK_MEM(c.ca.call_key, c.cb.call_key, 32);
    CHECK(!e2e_ct_is_zero(c.ca.call_key, 32));
    CHECK(e2e_ct_is_zero(c.ca.eph_priv, 32)); /* ephemeral private keys gone once keyed */
    CHECK(e2e_ct_is_zero(c.cb.eph_priv, 32));
    /* the formula, recomputed from the public values and one side's private key */
    uint8_t k[32];
    struct call c2;
    call_init(&c2, 52);
    uint8_t priv[32];
    memcpy(priv, c2.ca.eph_priv, 32);
    call_connect(&c2);
    CHECK_OK(e2e_viber_call_key(k, c2.call_id, priv, c2.cb.eph_pub, c2.ca.eph_pub, c2.cb.eph_pub));
    CHECK_MEM(k, c2.ca.call_key, 32);
    e2e_viber_call_end(&c.ca);
    CHECK(e2e_ct_is_zero(&c.ca, sizeof c.ca)); /* memory only, wiped at the end */
    vbw_free(&c.w);
    vbw_free(&c2.w);
}

static int
offer_expected(size_t off)
{
    if (off == 0)
        return E2E_ERR_UNSUPPORTED;
    return off == 1 ? E2E_ERR_MALFORMED : E2E_ERR_AUTH; /* call id, key, signature */
}

static void
test_signatures(void)
{
    struct call c;
    struct e2e_report why;
    call_init(&c, 53);
    /* an offer checked against the wrong ID key (a man in the middle's) */
    CHECK_ERR(e2e_viber_call_answer(&c.cb, c.answer, c.w.ctx, c.w.dev[c.b].d, c.idb, c.offer,
                                    sizeof c.offer, &why),
              E2E_ERR_AUTH);
    CHECK(why.check && strcmp(why.check, "signature") == 0);
    for (size_t off = 0; off < sizeof c.offer; off++) {
        c.offer[off] ^= 1;
        int got = e2e_viber_call_answer(&c.cb, c.answer, c.w.ctx, c.w.dev[c.b].d, c.ida, c.offer,
                                        sizeof c.offer, NULL);
        c.offer[off] ^= 1;
        if (got != offer_expected(off))
            test_fail_(__FILE__, __LINE__, "offer byte %zu: %s", off, e2e_err_name(got));
        test_checks_++;
    }
    CHECK_ERR(e2e_viber_call_answer(&c.cb, c.answer, c.w.ctx, c.w.dev[c.b].d, c.ida, c.offer,
                                    sizeof c.offer - 1, NULL),
              E2E_ERR_MALFORMED);
    CHECK_OK(e2e_viber_call_answer(&c.cb, c.answer, c.w.ctx, c.w.dev[c.b].d, c.ida, c.offer,
                                   sizeof c.offer, NULL));
    /* the answer: tampering, the wrong key, and nothing changes until it verifies */
    struct e2e_viber_call keep = c.ca;
    for (size_t off = 0; off < sizeof c.answer; off++) {
        c.answer[off] ^= 1;
        int got = e2e_viber_call_complete(&c.ca, c.w.ctx, c.idb, c.answer, sizeof c.answer, NULL);
        c.answer[off] ^= 1;
        if (got != offer_expected(off))
            test_fail_(__FILE__, __LINE__, "answer byte %zu: %s", off, e2e_err_name(got));
        test_checks_++;
    }
    CHECK_ERR(e2e_viber_call_complete(&c.ca, c.w.ctx, c.ida, c.answer, sizeof c.answer, NULL),
              E2E_ERR_AUTH);
    CHECK(memcmp(&keep, &c.ca, sizeof keep) == 0);
    CHECK_OK(e2e_viber_call_complete(&c.ca, c.w.ctx, c.idb, c.answer, sizeof c.answer, NULL));
    CHECK_ERR(e2e_viber_call_complete(&c.ca, c.w.ctx, c.idb, c.answer, sizeof c.answer, NULL),
              E2E_ERR_STATE); /* already keyed */
    vbw_free(&c.w);
}

/* An answer that verifies but belongs to another call: the caller signed a second offer with
 * the same ephemeral key (forged here with the caller's own ID key). */
static void
test_answer_to_another_call(void)
{
    struct call c;
    call_init(&c, 54);
    uint8_t id_priv[32], m[16 + 16 + 32], other[E2E_VIBER_CALL_MSG_LEN];
    CHECK_OK(e2e_viber_device_identity_private(c.w.dev[c.a].d, id_priv));
    memcpy(other, c.offer, sizeof other);
    other[2] ^= 0xff; /* call id */
    memcpy(m, "viber call offer", 16);
    memcpy(m + 16, other + 2, 16);
    memcpy(m + 32, other + 18, 32);
    CHECK_OK(e2e_xeddsa_sign_ctx(other + 50, id_priv, m, sizeof m, c.w.ctx));
    CHECK_OK(e2e_viber_call_answer(&c.cb, c.answer, c.w.ctx, c.w.dev[c.b].d, c.ida, other,
                                   sizeof other, NULL));
    struct e2e_report why;
    CHECK_ERR(e2e_viber_call_complete(&c.ca, c.w.ctx, c.idb, c.answer, sizeof c.answer, &why),
              E2E_ERR_PROTOCOL);
    CHECK(why.check && strcmp(why.check, "call-id") == 0);
    e2e_wipe(id_priv, sizeof id_priv);
    vbw_free(&c.w);
}

/* ---- media ----------------------------------------------------------------------------------- */

static size_t
rtp(uint8_t *p, uint16_t seq, uint32_t ssrc, size_t payload, uint8_t fillb)
{
    p[0] = 0x80;
    p[1] = 111; /* dynamic payload type (Opus) */
    p[2] = (uint8_t)(seq >> 8);
    p[3] = (uint8_t)seq;
    memset(p + 4, 0, 4);
    p[8] = (uint8_t)(ssrc >> 24);
    p[9] = (uint8_t)(ssrc >> 16);
    p[10] = (uint8_t)(ssrc >> 8);
    p[11] = (uint8_t)ssrc;
    memset(p + 12, fillb, payload);
    return 12 + payload;
}

struct media {
    struct call c;
    struct e2e_viber_media tx, rx, back_tx, back_rx;
};

static void
media_init(struct media *m, uint64_t seed)
{
    call_init(&m->c, seed);
    call_connect(&m->c);
    CHECK_OK(e2e_viber_media_init(&m->tx, NULL, &m->c.ca, E2E_VIBER_MEDIA_SEND));
    CHECK_OK(e2e_viber_media_init(&m->rx, NULL, &m->c.cb, E2E_VIBER_MEDIA_RECV));
    CHECK_OK(e2e_viber_media_init(&m->back_tx, NULL, &m->c.cb, E2E_VIBER_MEDIA_SEND));
    CHECK_OK(e2e_viber_media_init(&m->back_rx, NULL, &m->c.ca, E2E_VIBER_MEDIA_RECV));
}

/* Protects packet seq at tx and unprotects it at rx; returns the unprotect result. */
static int
pass(struct e2e_viber_media *tx, struct e2e_viber_media *rx, uint16_t seq, uint8_t *keep,
     size_t *keep_len)
{
    uint8_t p[256], orig[256];
    size_t n = rtp(p, seq, 0xcafebabe, 160, (uint8_t)seq), out, back;
    memcpy(orig, p, n);
    CHECK_OK(e2e_viber_media_protect(tx, p, n, sizeof p, &out));
    CHECK_EQ(out, n + E2E_VIBER_MEDIA_TAG_LEN);
    CHECK(memcmp(p + 12, orig + 12, 160) != 0);
    CHECK(memcmp(p, orig, 12) == 0); /* the header stays in clear */
    if (keep) {
        memcpy(keep, p, out);
        *keep_len = out;
    }
    int rc = e2e_viber_media_unprotect(rx, p, out, &back, NULL);
    if (rc == E2E_OK)
        CHECK(back == n && memcmp(p, orig, n) == 0);
    return rc;
}

static void
test_media_both_directions_and_rollover(void)
{
    struct media m;
    media_init(&m, 55);
    for (uint32_t i = 0; i < 20; i++) {
        uint16_t seq = (uint16_t)(65525 + i); /* crosses 65535 -> 0: ROC becomes 1 */
        CHECK_OK(pass(&m.tx, &m.rx, seq, NULL, NULL));
        CHECK_OK(pass(&m.back_tx, &m.back_rx, seq, NULL, NULL));
    }
    CHECK_EQ(m.rx.rw.top >> 16, 1); /* the ROC */
    CHECK_EQ(m.tx.rw.top >> 16, 1);
    /* keys per direction differ: a packet protected for a->b does not open as b->a */
    uint8_t p[256];
    size_t n = rtp(p, 100, 0xcafebabe, 40, 1), out, back;
    CHECK_OK(e2e_viber_media_protect(&m.tx, p, n, sizeof p, &out));
    CHECK_ERR(e2e_viber_media_unprotect(&m.back_rx, p, out, &back, NULL), E2E_ERR_AUTH);
    vbw_free(&m.c.w);
}

static void
test_media_replay_and_reorder(void)
{
    struct media m;
    uint8_t saved[8][256];
    size_t len[8], back;
    media_init(&m, 56);
    /* protect 0..7, deliver in the order 3 1 0 2 7 5 6 4 */
    struct e2e_viber_media tx = m.tx;
    for (uint16_t s = 0; s < 8; s++) {
        size_t n = rtp(saved[s], s, 0xcafebabe, 50, (uint8_t)s);
        CHECK_OK(e2e_viber_media_protect(&tx, saved[s], n, 256, &len[s]));
    }
    static const int order[] = {3, 1, 0, 2, 7, 5, 6, 4};
    for (int k = 0; k < 8; k++) {
        uint8_t p[256];
        memcpy(p, saved[order[k]], len[order[k]]);
        CHECK_OK(e2e_viber_media_unprotect(&m.rx, p, len[order[k]], &back, NULL));
    }
    struct e2e_report why;
    uint8_t p[256];
    memcpy(p, saved[5], len[5]);
    CHECK_ERR(e2e_viber_media_unprotect(&m.rx, p, len[5], &back, &why), E2E_ERR_DUPLICATE);
    /* far behind the window */
    for (uint16_t s = 8; s < 8 + E2E_VIBER_MEDIA_WINDOW + 2; s++)
        CHECK_OK(pass(&tx, &m.rx, s, NULL, NULL));
    uint8_t old[256];
    size_t oldlen = rtp(old, 9, 0xcafebabe, 10, 0);
    struct e2e_viber_media tx_old = m.tx;
    CHECK_OK(e2e_viber_media_protect(&tx_old, old, oldlen, sizeof old, &oldlen));
    CHECK_ERR(e2e_viber_media_unprotect(&m.rx, old, oldlen, &back, &why), E2E_ERR_DUPLICATE);
    vbw_free(&m.c.w);
}

static void
test_media_tampering(void)
{
    struct media m;
    uint8_t p[256], keep[256];
    size_t len, back;
    media_init(&m, 57);
    CHECK_OK(pass(&m.tx, &m.rx, 1, NULL, NULL));
    CHECK(pass(&m.tx, &m.rx, 2, keep, &len) == E2E_OK);
    size_t n = rtp(p, 3, 0xcafebabe, 160, 3), out;
    CHECK_OK(e2e_viber_media_protect(&m.tx, p, n, sizeof p, &out));
    struct e2e_viber_media before = m.rx;
    for (size_t off = 0; off < out; off++) {
        uint8_t q[256];
        memcpy(q, p, out);
        q[off] ^= 1;
        int got = e2e_viber_media_unprotect(&m.rx, q, out, &back, NULL);
        /* another SSRC; seq 3 -> 2, already received; anything else (CC 0 -> 1, seq 259,
         * timestamp, payload, tag) fails the tag */
        int want = (off >= 8 && off < 12) ? E2E_ERR_PROTOCOL
                   : off == 3             ? E2E_ERR_DUPLICATE
                                          : E2E_ERR_AUTH;
        if (got != want)
            test_fail_(__FILE__, __LINE__, "byte %zu: %s, want %s", off, e2e_err_name(got),
                       e2e_err_name(want));
        test_checks_++;
    }
    CHECK(memcmp(&before, &m.rx, sizeof before) == 0); /* decrypt-then-commit */
    CHECK_ERR(e2e_viber_media_unprotect(&m.rx, p, 11, &back, NULL), E2E_ERR_MALFORMED);
    CHECK_ERR(e2e_viber_media_unprotect(&m.rx, p, 12 + E2E_VIBER_MEDIA_TAG_LEN - 1, &back, NULL),
              E2E_ERR_MALFORMED);
    CHECK_OK(e2e_viber_media_unprotect(&m.rx, p, out, &back, NULL));
    /* not keyed, wrong buffer, not RTP */
    struct e2e_viber_call idle = {0};
    struct e2e_viber_media x;
    CHECK_ERR(e2e_viber_media_init(&x, NULL, &idle, E2E_VIBER_MEDIA_SEND), E2E_ERR_STATE);
    n = rtp(p, 9, 0xcafebabe, 20, 0);
    CHECK_ERR(e2e_viber_media_protect(&m.tx, p, n, n + 9, &out), E2E_ERR_BUFFER);
    p[0] = 0x40;
    CHECK_ERR(e2e_viber_media_protect(&m.tx, p, n, sizeof p, &out), E2E_ERR_MALFORMED);
    vbw_free(&m.c.w);
}

static void
test_media_header_extension(void)
{
    struct media m;
    uint8_t p[256], orig[256];
    size_t out, back;
    media_init(&m, 58);
    /* CC = 1 and an extension of 1 word: 12 + 4 + 4 + 4 header bytes, all authenticated */
    size_t n = rtp(p, 7, 0xcafebabe, 0, 0);
    p[0] = 0x80 | 0x10 | 0x01;
    memset(p + 12, 0x11, 4);
    p[16] = 0xbe;
    p[17] = 0xde;
    p[18] = 0;
    p[19] = 1;
    memset(p + 20, 0x22, 4);
    memset(p + 24, 0x33, 40);
    n = 64;
    memcpy(orig, p, n);
    CHECK_OK(e2e_viber_media_protect(&m.tx, p, n, sizeof p, &out));
    CHECK(memcmp(p, orig, 24) == 0 && memcmp(p + 24, orig + 24, 40) != 0);
    uint8_t q[256];
    memcpy(q, p, out);
    q[21] ^= 1; /* inside the extension: authenticated */
    CHECK_ERR(e2e_viber_media_unprotect(&m.rx, q, out, &back, NULL), E2E_ERR_AUTH);
    CHECK_OK(e2e_viber_media_unprotect(&m.rx, p, out, &back, NULL));
    CHECK(back == n && memcmp(p, orig, n) == 0);
    p[19] = 200; /* an extension longer than the packet */
    CHECK_ERR(e2e_viber_media_protect(&m.tx, p, n, sizeof p, &out), E2E_ERR_MALFORMED);
    vbw_free(&m.c.w);
}

int
main(void)
{
    RUN(test_key_exchange);
    RUN(test_signatures);
    RUN(test_answer_to_another_call);
    RUN(test_media_both_directions_and_rollover);
    RUN(test_media_replay_and_reorder);
    RUN(test_media_tampering);
    RUN(test_media_header_extension);
    return test_finish();
}
