/* Viber sessions between two devices: setup, ratchet, out-of-order, replay, tampering, state. */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/viber.h>

#include "test.h"
#include "vbworld.h"

#define CAP 4096

struct pair {
    struct vbw w;
    int a, b;
};

static void
pair_init(struct pair *p, uint64_t seed)
{
    vbw_init(&p->w, seed);
    p->a = vbw_primary(&p->w, "alice-phone", 4);
    p->b = vbw_primary(&p->w, "bob-phone", 4);
    CHECK(p->a >= 0 && p->b >= 0);
}

/* a sends text to b; returns the message length in out. */
static size_t
send1(struct pair *p, int from, int to, const char *text, uint8_t *out)
{
    size_t len = 0, covered = 0;
    CHECK_OK(vbw_send(&p->w, from, &to, 1, (const uint8_t *)text, strlen(text), out, CAP, &len,
                      &covered));
    CHECK_EQ(covered, 1);
    return len;
}

static void
expect_text(struct pair *p, int at, int from, const uint8_t *msg, size_t len, const char *text)
{
    uint8_t pt[CAP];
    size_t n = 0;
    struct e2e_report why;
    int rc = vbw_recv(&p->w, at, from, msg, len, pt, sizeof pt, &n, &why);
    CHECK_OK(rc);
    if (rc != E2E_OK)
        fprintf(stderr, "  %s: %s\n", why.check ? why.check : "-", why.detail);
    CHECK_EQ(n, strlen(text));
    CHECK(n == strlen(text) && memcmp(pt, text, n) == 0);
}

static void
test_setup_and_ping_pong(void)
{
    struct pair p;
    uint8_t m[CAP];
    pair_init(&p, 1);
    CHECK_OK(vbw_connect(&p.w, p.a, p.b));
    CHECK_EQ(e2e_viber_prekey_pool_count(p.w.dev[p.b].pool), 3);
    CHECK_EQ(e2e_viber_device_prekeys_held(p.w.dev[p.b].d), 4);

    struct e2e_viber_msg_info info;
    size_t len = send1(&p, p.a, p.b, "hello bob", m);
    CHECK_OK(e2e_viber_msg_peek(&info, m, len, e2e_viber_device_udid(p.w.dev[p.b].d), NULL));
    CHECK(info.has_entry && info.session_start);
    expect_text(&p, p.b, p.a, m, len, "hello bob");
    CHECK_EQ(e2e_viber_device_prekeys_held(p.w.dev[p.b].d), 3); /* consumed on success only */

    /* the initiator keeps sending the start fields until the peer answers */
    len = send1(&p, p.a, p.b, "still there?", m);
    CHECK_OK(e2e_viber_msg_peek(&info, m, len, e2e_viber_device_udid(p.w.dev[p.b].d), NULL));
    CHECK(info.session_start);
    expect_text(&p, p.b, p.a, m, len, "still there?");

    for (int round = 0; round < 6; round++) {
        int from = round % 2 ? p.a : p.b, to = round % 2 ? p.b : p.a;
        for (int k = 0; k <= round; k++) {
            char text[64];
            snprintf(text, sizeof text, "round %d message %d", round, k);
            len = send1(&p, from, to, text, m);
            CHECK_OK(e2e_viber_msg_peek(&info, m, len, e2e_viber_device_udid(p.w.dev[to].d), NULL));
            CHECK(!info.session_start);
            expect_text(&p, to, from, m, len, text);
        }
    }
    uint8_t ida[32], idb[32];
    CHECK_OK(e2e_viber_session_peer_identity(p.w.sess[p.b][p.a], ida));
    CHECK_OK(e2e_viber_session_peer_identity(p.w.sess[p.a][p.b], idb));
    uint8_t wa[32], wb[32];
    vbw_id(&p.w, p.a, wa);
    vbw_id(&p.w, p.b, wb);
    CHECK_MEM(ida, wa, 32);
    CHECK_MEM(idb, wb, 32);
    vbw_free(&p.w);
}

/* Messages delivered out of order within a chain and across ratchet steps. */
static void
test_out_of_order(void)
{
    struct pair p;
    uint8_t m[8][CAP];
    size_t len[8];
    pair_init(&p, 2);
    CHECK_OK(vbw_connect(&p.w, p.a, p.b));
    for (int i = 0; i < 5; i++) {
        char t[16];
        snprintf(t, sizeof t, "a%d", i);
        len[i] = send1(&p, p.a, p.b, t, m[i]);
    }
    static const int order[] = {4, 0, 2, 1, 3};
    for (int k = 0; k < 5; k++) {
        char t[16];
        snprintf(t, sizeof t, "a%d", order[k]);
        expect_text(&p, p.b, p.a, m[order[k]], len[order[k]], t);
    }
    /* across a ratchet step: a5, a6 in one chain; b replies; a7 in the next chain arrives at b
     * before a6 */
    len[5] = send1(&p, p.a, p.b, "a5", m[5]);
    len[6] = send1(&p, p.a, p.b, "a6", m[6]);
    expect_text(&p, p.b, p.a, m[5], len[5], "a5");
    len[0] = send1(&p, p.b, p.a, "b0", m[0]);
    expect_text(&p, p.a, p.b, m[0], len[0], "b0");
    len[7] = send1(&p, p.a, p.b, "a7", m[7]);
    expect_text(&p, p.b, p.a, m[7], len[7], "a7");
    expect_text(&p, p.b, p.a, m[6], len[6], "a6");
    /* and a replay of a6 now: its skipped key is gone */
    uint8_t pt[CAP];
    size_t n;
    struct e2e_report why;
    CHECK_ERR(vbw_recv(&p.w, p.b, p.a, m[6], len[6], pt, sizeof pt, &n, &why), E2E_ERR_DUPLICATE);
    CHECK(why.check && strcmp(why.check, "duplicate") == 0);
    vbw_free(&p.w);
}

static int
blob_same(struct pair *p, int i, int j, const uint8_t *before, size_t blen)
{
    size_t n;
    uint8_t *now = vbw_blob(&p->w, i, j, &n);
    int same = now && n == blen && memcmp(now, before, n) == 0;
    free(now);
    return same;
}

static void
test_replay_and_too_far(void)
{
    struct pair p;
    uint8_t m[CAP], last[CAP], pt[CAP];
    size_t len, last_len = 0, n, blen;
    pair_init(&p, 3);
    CHECK_OK(vbw_connect(&p.w, p.a, p.b));
    len = send1(&p, p.a, p.b, "first", m);
    expect_text(&p, p.b, p.a, m, len, "first");
    uint8_t *before = vbw_blob(&p.w, p.b, p.a, &blen);
    CHECK_ERR(vbw_recv(&p.w, p.b, p.a, m, len, pt, sizeof pt, &n, NULL), E2E_ERR_DUPLICATE);
    CHECK(blob_same(&p, p.b, p.a, before, blen));
    free(before);

    /* 1002 more messages (positions 1..1002); b expects position 1 next: 1001 is exactly
     * E2E_VIBER_MAX_SKIP ahead, 1002 one too far */
    uint8_t *prev = malloc(CAP);
    size_t prev_len = 0;
    for (unsigned i = 1; i <= E2E_VIBER_MAX_SKIP + 2; i++) {
        memcpy(prev, last, last_len);
        prev_len = last_len;
        last_len = send1(&p, p.a, p.b, i == E2E_VIBER_MAX_SKIP + 1 ? "edge" : "x", last);
    }
    before = vbw_blob(&p.w, p.b, p.a, &blen);
    struct e2e_report why;
    CHECK_ERR(vbw_recv(&p.w, p.b, p.a, last, last_len, pt, sizeof pt, &n, &why), E2E_ERR_TOO_FAR);
    CHECK(why.check && strcmp(why.check, "too-far") == 0);
    CHECK(blob_same(&p, p.b, p.a, before, blen));
    free(before);
    expect_text(&p, p.b, p.a, prev, prev_len, "edge"); /* stores 1000 skipped keys */
    expect_text(&p, p.b, p.a, last, last_len, "x");    /* now one ahead */
    expect_text(&p, p.b, p.a, m, send1(&p, p.a, p.b, "and on", m), "and on");
    free(prev);
    vbw_free(&p.w);
}

/* What flipping the low bit of byte `off` of a single-entry message must give. */
struct layout {
    size_t body_len;
    int start;                /* the entry carries the session-start fields */
    int newchain;             /* the entry's ratchet key is new to the receiver */
    uint32_t n, recv_n;       /* the entry's position; the receiver's next expected */
    uint32_t pn, prev_recv_n; /* new chain: PN, and the receiver's position in the old one */
    uint32_t prekey_id, held_lo, held_hi; /* start: the PreKey; the ids the receiver holds */
};

static uint32_t
flip32(uint32_t v, size_t byte)
{
    return v ^ (1u << (8 * (3 - byte)));
}

static int
expected_error(const struct layout *l, size_t off)
{
    size_t e = 22 + l->body_len + 2; /* the entry */
    if (off == 0)
        return E2E_ERR_UNSUPPORTED;
    if (off == 1 || (off >= 18 && off < 22) || off == e - 2 || off == e - 1 || off == e + 16)
        return E2E_ERR_MALFORMED; /* type, body length, count, flags */
    if ((off >= 2 && off < 18) || (off >= e && off < e + 16))
        return E2E_ERR_NO_SESSION; /* another sender; no entry for this device */
    size_t f = e + 17;
    if (l->start) {
        int held = l->prekey_id >= l->held_lo && l->prekey_id <= l->held_hi;
        if (off >= f + 32 && off < f + 36) {
            uint32_t id = flip32(l->prekey_id, off - f - 32);
            return id >= l->held_lo && id <= l->held_hi ? E2E_ERR_AUTH : E2E_ERR_NO_SESSION;
        }
        if (off >= f &&
            off < f + 68) /* another ID or handshake key: a start this device has not seen */
            return held ? E2E_ERR_AUTH : E2E_ERR_NO_SESSION;
        f += 68;
    }
    if (l->newchain && off >= f + 32 && off < f + 36) { /* PN */
        uint32_t pn = flip32(l->pn, off - f - 32);
        return pn >= l->prev_recv_n && pn - l->prev_recv_n > E2E_VIBER_MAX_SKIP ? E2E_ERR_TOO_FAR
                                                                                : E2E_ERR_AUTH;
    }
    if (off >= f + 36 && off < f + 40) { /* n */
        uint32_t n = flip32(l->n, off - f - 36);
        if (n < l->recv_n)
            return E2E_ERR_DUPLICATE;
        return n - l->recv_n > E2E_VIBER_MAX_SKIP ? E2E_ERR_TOO_FAR : E2E_ERR_AUTH;
    }
    return E2E_ERR_AUTH; /* body, ID, handshake, ratchet, PN, wrapped key, tag */
}

/* Device `to` decrypts a message as it arrives (no relay split: the entry may be damaged). */
static int
decrypt_at(struct pair *p, int to, int from, const uint8_t *msg, size_t len, uint8_t *pt)
{
    uint8_t id[32];
    size_t n;
    vbw_id(&p->w, from, id);
    return e2e_viber_decrypt(vbw_sess(&p->w, to, from), p->w.ctx, p->w.dev[to].d, id, msg, len, pt,
                             CAP, &n, NULL);
}

static void
tamper_all(struct pair *p, int to, int from, const uint8_t *msg, size_t len, struct layout *l,
           const char *text)
{
    uint8_t one[CAP], pt[CAP];
    size_t n, blen, dlen;
    CHECK_OK(e2e_viber_msg_split(one, sizeof one, &n, msg, len,
                                 e2e_viber_device_udid(p->w.dev[to].d), NULL));
    uint8_t *before = vbw_blob(&p->w, to, from, &blen);
    uint8_t *dev = vbw_device_blob(&p->w, to, &dlen);
    int wrong = 0;
    for (size_t off = 0; off < n; off++) {
        one[off] ^= 1;
        int want = expected_error(l, off);
        int got = decrypt_at(p, to, from, one, n, pt);
        one[off] ^= 1;
        if (got != want && wrong++ < 5)
            test_fail_(__FILE__, __LINE__, "byte %zu: got %s want %s", off, e2e_err_name(got),
                       e2e_err_name(want));
        test_checks_++;
    }
    for (size_t cut = 0; cut < n; cut++) {
        int got = decrypt_at(p, to, from, one, cut, pt);
        if (got != E2E_ERR_MALFORMED && wrong++ < 5)
            test_fail_(__FILE__, __LINE__, "truncated to %zu: got %s", cut, e2e_err_name(got));
        test_checks_++;
    }
    CHECK(blob_same(p, to, from, before, blen));
    size_t dnow;
    uint8_t *dev2 = vbw_device_blob(&p->w, to, &dnow);
    CHECK(dev2 && dnow == dlen && memcmp(dev, dev2, dlen) == 0);
    free(dev2);
    free(before);
    free(dev);
    expect_text(p, to, from, one, n, text); /* the untouched message still works */
}

static void
test_tamper_every_byte(void)
{
    struct pair p;
    uint8_t m[CAP];
    pair_init(&p, 4);
    CHECK_OK(vbw_connect(&p.w, p.a, p.b));
    size_t len = send1(&p, p.a, p.b, "session start, tampered", m);
    struct layout l = {.body_len = strlen("session start, tampered"),
                       .start = 1,
                       .prekey_id = 1,
                       .held_lo = 1,
                       .held_hi = 4};
    tamper_all(&p, p.b, p.a, m, len, &l, "session start, tampered");

    send1(&p, p.b, p.a, "reply", m); /* not delivered: a stays in its chain */
    for (int i = 0; i < 2; i++)
        expect_text(&p, p.b, p.a, m, send1(&p, p.a, p.b, "fill", m), "fill");
    len = send1(&p, p.a, p.b, "third in the chain", m);
    struct layout l2 = {.body_len = strlen("third in the chain"),
                        .start = 1,
                        .n = 3,
                        .recv_n = 3,
                        .prekey_id = 1,
                        .held_lo = 2,
                        .held_hi = 4};
    tamper_all(&p, p.b, p.a, m, len, &l2, "third in the chain");

    /* a plain entry: after a reply reaches a, a's messages no longer carry the start */
    len = send1(&p, p.b, p.a, "reply 2", m);
    expect_text(&p, p.a, p.b, m, len, "reply 2");
    len = send1(&p, p.a, p.b, "after the reply", m);
    struct layout l3 = {
        .body_len = strlen("after the reply"), .newchain = 1, .pn = 4, .prev_recv_n = 4};
    tamper_all(&p, p.b, p.a, m, len, &l3, "after the reply");
    vbw_free(&p.w);
}

/* Both sides start a session at once: both starts are accepted and the states converge. */
static void
test_simultaneous_start(void)
{
    struct pair p;
    uint8_t ma[CAP], mb[CAP];
    pair_init(&p, 5);
    CHECK_OK(vbw_connect(&p.w, p.a, p.b));
    CHECK_OK(vbw_connect(&p.w, p.b, p.a));
    size_t la = send1(&p, p.a, p.b, "from a", ma);
    size_t lb = send1(&p, p.b, p.a, "from b", mb);
    expect_text(&p, p.b, p.a, ma, la, "from a");
    expect_text(&p, p.a, p.b, mb, lb, "from b");
    for (int i = 0; i < 6; i++) {
        char t[32];
        snprintf(t, sizeof t, "after the race %d", i);
        int from = i % 3 == 0 ? p.a : p.b, to = from == p.a ? p.b : p.a;
        size_t l = send1(&p, from, to, t, ma);
        expect_text(&p, to, from, ma, l, t);
    }
    vbw_free(&p.w);
}

static void
test_state_roundtrip(void)
{
    struct pair p;
    uint8_t m[CAP];
    size_t len, blen, blen2;
    pair_init(&p, 6);
    CHECK_OK(vbw_connect(&p.w, p.a, p.b));
    send1(&p, p.a, p.b, "skipped", m);
    len = send1(&p, p.a, p.b, "one", m);
    expect_text(&p, p.b, p.a, m, len, "one"); /* leaves one skipped key at b */
    uint8_t *blob = vbw_blob(&p.w, p.b, p.a, &blen);
    e2e_viber_session *copy = NULL;
    CHECK_OK(e2e_viber_session_parse(&copy, blob, blen, NULL));
    e2e_viber_session_free(p.w.sess[p.b][p.a]);
    p.w.sess[p.b][p.a] = copy;
    uint8_t *blob2 = vbw_blob(&p.w, p.b, p.a, &blen2);
    CHECK(blob2 && blen == blen2 && memcmp(blob, blob2, blen) == 0);
    len = send1(&p, p.b, p.a, "answer from the parsed state", m);
    expect_text(&p, p.a, p.b, m, len, "answer from the parsed state");

    /* every truncation and trailing garbage are refused */
    for (size_t cut = 0; cut < blen; cut++) {
        e2e_viber_session *x = NULL;
        int rc = e2e_viber_session_parse(&x, blob, cut, NULL);
        if (rc != E2E_ERR_MALFORMED)
            test_fail_(__FILE__, __LINE__, "cut %zu: %s", cut, e2e_err_name(rc));
        test_checks_++;
        e2e_viber_session_free(x);
    }
    uint8_t *longer = malloc(blen + 1);
    memcpy(longer, blob, blen);
    longer[blen] = 0;
    e2e_viber_session *x = NULL;
    CHECK_ERR(e2e_viber_session_parse(&x, longer, blen + 1, NULL), E2E_ERR_MALFORMED);
    blob[5] = 2; /* version 2 */
    CHECK_ERR(e2e_viber_session_parse(&x, blob, blen, NULL), E2E_ERR_UNSUPPORTED);
    free(longer);
    free(blob);
    free(blob2);
    vbw_free(&p.w);
}

static void
test_bad_prekey_signature(void)
{
    struct pair p;
    struct e2e_viber_prekey pk;
    uint8_t id[32];
    struct e2e_report why;
    pair_init(&p, 7);
    CHECK_OK(e2e_viber_prekey_pool_take(p.w.dev[p.b].pool, &pk));
    vbw_id(&p.w, p.b, id);
    pk.handshake[3] ^= 0x40; /* the relay substitutes a key */
    e2e_viber_session *s = vbw_sess(&p.w, p.a, p.b);
    CHECK_ERR(e2e_viber_session_initiate(s, p.w.ctx, p.w.dev[p.a].d, id, &pk, &why), E2E_ERR_AUTH);
    CHECK(!e2e_viber_session_ready(s));
    pk.handshake[3] ^= 0x40;
    uint8_t ida[32];
    vbw_id(&p.w, p.a, ida); /* signed by the right key, but verified with another account's */
    CHECK_ERR(e2e_viber_session_initiate(s, p.w.ctx, p.w.dev[p.a].d, ida, &pk, &why), E2E_ERR_AUTH);
    CHECK_OK(e2e_viber_session_initiate(s, p.w.ctx, p.w.dev[p.a].d, id, &pk, &why));
    vbw_free(&p.w);
}

int
main(void)
{
    RUN(test_setup_and_ping_pong);
    RUN(test_out_of_order);
    RUN(test_replay_and_too_far);
    RUN(test_tamper_every_byte);
    RUN(test_simultaneous_start);
    RUN(test_state_roundtrip);
    RUN(test_bad_prekey_signature);
    return test_finish();
}
