/* Calls: the hash-committed DH, each update once, packets by direction and channel, the replay
 * window, the counter limit, and the emoji on both sides. */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/telegram.h>

#include "core/util.h"
#include "telegram/call.h"
#include "test.h"

struct call_pair {
    struct test_ctx t;
    e2e_dh_cache *cache;
    e2e_tg_call *caller, *callee;
    uint8_t g_a[256], g_b[256], g_a_hash[32];
    size_t g_a_len, g_b_len;
    int64_t fp;
};

static void
call_start(struct call_pair *p, uint64_t seed)
{
    memset(p, 0, sizeof *p);
    test_ctx_new(&p->t, seed);
    CHECK_OK(e2e_dh_cache_new(&p->cache));
    const uint8_t *prime = e2e_dh_telegram_prime();
    CHECK_OK(e2e_tg_call_request(&p->caller, p->t.ctx, p->cache, prime, 256, 3, p->g_a_hash, NULL));
    CHECK_OK(e2e_tg_call_accept(&p->callee, p->t.ctx, p->cache, prime, 256, 3, p->g_a_hash, p->g_b,
                                &p->g_b_len, NULL));
}

static void
call_finish(struct call_pair *p)
{
    CHECK_OK(e2e_tg_call_confirm(p->caller, p->t.ctx, p->g_b, p->g_b_len, p->g_a, &p->g_a_len,
                                 &p->fp, NULL));
    CHECK_OK(e2e_tg_call_complete(p->callee, p->t.ctx, p->g_a, p->g_a_len, p->fp, NULL));
}

static void
call_free(struct call_pair *p)
{
    e2e_tg_call_free(p->caller);
    e2e_tg_call_free(p->callee);
    e2e_dh_cache_free(p->cache);
    test_ctx_free(&p->t);
}

static void
test_exchange_and_emoji(void)
{
    struct call_pair p;
    struct e2e_report why;
    uint8_t k1[256], k2[256], h[32];
    uint16_t e1[4], e2[4];
    call_start(&p, 1);
    CHECK(!e2e_tg_call_ready(p.caller) && !e2e_tg_call_ready(p.callee));
    CHECK_ERR(e2e_tg_call_emoji(p.callee, e1), E2E_ERR_STATE);
    CHECK_ERR(e2e_tg_call_key(p.caller, k1), E2E_ERR_STATE);
    /* wrong side: the callee cannot take phoneCallAccepted, the caller not phoneCall */
    CHECK_ERR(
        e2e_tg_call_confirm(p.callee, p.t.ctx, p.g_b, p.g_b_len, p.g_a, &p.g_a_len, &p.fp, &why),
        E2E_ERR_STATE);
    /* a g_b out of range is refused and changes nothing */
    uint8_t bad[256];
    memset(bad, 0, sizeof bad);
    bad[255] = 1;
    CHECK_ERR(e2e_tg_call_confirm(p.caller, p.t.ctx, bad, 256, p.g_a, &p.g_a_len, &p.fp, &why),
              E2E_ERR_WEAK_KEY);
    CHECK(why.check && strcmp(why.check, "g_b") == 0);
    CHECK_OK(
        e2e_tg_call_confirm(p.caller, p.t.ctx, p.g_b, p.g_b_len, p.g_a, &p.g_a_len, &p.fp, NULL));
    /* the commitment: the hash sent first is SHA256 of the g_a revealed now */
    e2e_sha256(h, p.g_a, p.g_a_len);
    CHECK_MEM(h, p.g_a_hash, 32);
    CHECK(p.g_a[0] != 0); /* minimal encoding, as tdlib sends it */
    /* the caller's update is accepted once */
    uint8_t ga2[256];
    size_t ga2_len;
    int64_t fp2;
    CHECK_ERR(e2e_tg_call_confirm(p.caller, p.t.ctx, p.g_b, p.g_b_len, ga2, &ga2_len, &fp2, &why),
              E2E_ERR_DUPLICATE);
    /* a g_a that does not match its hash: rejected, the callee still waits for the real one */
    uint8_t ga_bad[256];
    memcpy(ga_bad, p.g_a, p.g_a_len);
    ga_bad[p.g_a_len - 1] ^= 2;
    CHECK_ERR(e2e_tg_call_complete(p.callee, p.t.ctx, ga_bad, p.g_a_len, p.fp, &why), E2E_ERR_AUTH);
    CHECK(why.check && strcmp(why.check, "g_a_hash") == 0);
    /* the same number with a leading zero byte is other bytes: the hash is of the exact bytes */
    uint8_t ga_pad[257];
    ga_pad[0] = 0;
    memcpy(ga_pad + 1, p.g_a, p.g_a_len);
    CHECK_ERR(e2e_tg_call_complete(p.callee, p.t.ctx, ga_pad, p.g_a_len + 1, p.fp, &why),
              p.g_a_len + 1 > 256 ? E2E_ERR_MALFORMED : E2E_ERR_AUTH);
    /* a wrong fingerprint */
    CHECK_ERR(e2e_tg_call_complete(p.callee, p.t.ctx, p.g_a, p.g_a_len, p.fp ^ 1, &why),
              E2E_ERR_AUTH);
    CHECK(why.check && strcmp(why.check, "fingerprint") == 0);
    CHECK(!e2e_tg_call_ready(p.callee));
    CHECK_OK(e2e_tg_call_complete(p.callee, p.t.ctx, p.g_a, p.g_a_len, p.fp, NULL));
    CHECK_ERR(e2e_tg_call_complete(p.callee, p.t.ctx, p.g_a, p.g_a_len, p.fp, &why),
              E2E_ERR_DUPLICATE);
    CHECK_OK(e2e_tg_call_key(p.caller, k1));
    CHECK_OK(e2e_tg_call_key(p.callee, k2));
    CHECK_MEM(k1, k2, 256);
    CHECK_EQ(e2e_tg_key_fingerprint(k1), p.fp);
    /* the same four emoji on both sides, from SHA256(key || g_a): BE64 words, top bit cleared */
    CHECK_OK(e2e_tg_call_emoji(p.caller, e1));
    CHECK_OK(e2e_tg_call_emoji(p.callee, e2));
    CHECK_MEM(e1, e2, sizeof e1);
    e2e_sha256_ctx c;
    e2e_sha256_init(&c);
    e2e_sha256_update(&c, k1, 256);
    e2e_sha256_update(&c, p.g_a, p.g_a_len);
    e2e_sha256_final(&c, h);
    for (int i = 0; i < 4; i++) {
        uint64_t v = 0;
        for (int j = 0; j < 8; j++)
            v = v << 8 | h[8 * i + j];
        CHECK_EQ(e1[i], (v & 0x7FFFFFFFFFFFFFFFull) % 333);
    }
    call_free(&p);
}

/* Known answer computed with Debian's python3 (hashlib): key = bytes 00..ff, g_a = 01..ff. */
static void
test_emoji_known_answer(void)
{
    uint8_t key[256], g_a[255];
    uint16_t idx[4];
    for (int i = 0; i < 256; i++)
        key[i] = (uint8_t)i;
    for (int i = 0; i < 255; i++)
        g_a[i] = (uint8_t)(i + 1);
    e2e_tg_emoji_indices(idx, key, g_a, sizeof g_a);
    CHECK_EQ(idx[0], 91);
    CHECK_EQ(idx[1], 241);
    CHECK_EQ(idx[2], 313);
    CHECK_EQ(idx[3], 46);
}

static size_t
send(e2e_tg_call *c, struct call_pair *p, int ch, uint32_t flags, const char *msg, uint8_t *out)
{
    size_t n = 0;
    CHECK_OK(e2e_tg_call_protect(c, p->t.ctx, ch, flags, (const uint8_t *)msg, strlen(msg), out,
                                 2048, &n));
    return n;
}

static void
test_packets_directions_and_channels(void)
{
    struct call_pair p;
    uint8_t pkt[2048], body[2048], key[256];
    size_t n, bn;
    uint32_t seq;
    call_start(&p, 2);
    call_finish(&p);
    CHECK_OK(e2e_tg_call_key(p.caller, key));
    static const int x_caller[2] = {0, 128}, x_callee[2] = {8, 136};
    for (int ch = 0; ch < 2; ch++) {
        /* caller -> callee: x = 0 (transport) / 128 (signaling), counters from 1 */
        n = send(p.caller, &p, ch, E2E_TG_CALL_SEQ_SINGLE, "\x01hello", pkt);
        CHECK_EQ(n, 16 + 4 + 6);
        CHECK_OK(e2e_tg_call_decrypt(NULL, body, key, x_caller[ch], pkt, n, NULL));
        CHECK_EQ(e2e_load32_be(body), E2E_TG_CALL_SEQ_SINGLE | 1);
        CHECK_ERR(e2e_tg_call_decrypt(NULL, body, key, x_callee[ch], pkt, n, NULL), E2E_ERR_AUTH);
        CHECK_OK(e2e_tg_call_unprotect(p.callee, p.t.ctx, ch, pkt, n, body, sizeof body, &bn, &seq,
                                       NULL));
        CHECK_EQ(bn, 4 + 6);
        CHECK_EQ(seq, E2E_TG_CALL_SEQ_SINGLE | 1);
        CHECK(memcmp(body + 4, "\x01hello", 6) == 0);
        /* the other channel's keys do not open it: dropped and counted */
        CHECK_ERR(e2e_tg_call_unprotect(p.callee, p.t.ctx, 1 - ch, pkt, n, body, sizeof body, &bn,
                                        &seq, NULL),
                  E2E_ERR_AUTH);
        /* callee -> caller: x = 8 / 136 */
        n = send(p.callee, &p, ch, E2E_TG_CALL_SEQ_ACK, "\x02reply", pkt);
        CHECK_OK(e2e_tg_call_decrypt(NULL, body, key, x_callee[ch], pkt, n, NULL));
        CHECK_OK(e2e_tg_call_unprotect(p.caller, p.t.ctx, ch, pkt, n, body, sizeof body, &bn, &seq,
                                       NULL));
        CHECK_EQ(seq, E2E_TG_CALL_SEQ_ACK | 1);
    }
    struct e2e_tg_call_stats st;
    e2e_tg_call_stats(p.callee, E2E_TG_CALL_TRANSPORT, &st);
    CHECK_EQ(st.sent, 1);
    CHECK_EQ(st.received, 1);
    CHECK_EQ(st.dropped_auth, 1);
    /* limits: transport packets up to 1452 bytes, signaling up to 16 KiB */
    uint8_t *big = calloc(1, 20000), *bigout = malloc(20000);
    CHECK_ERR(e2e_tg_call_protect(p.caller, p.t.ctx, E2E_TG_CALL_TRANSPORT, 0, big, 1433, bigout,
                                  20000, &n),
              E2E_ERR_INVALID);
    CHECK_OK(e2e_tg_call_protect(p.caller, p.t.ctx, E2E_TG_CALL_TRANSPORT, 0, big, 1432, bigout,
                                 20000, &n));
    CHECK_EQ(n, 1452);
    CHECK_OK(e2e_tg_call_protect(p.caller, p.t.ctx, E2E_TG_CALL_SIGNALING, 0, big, 16364, bigout,
                                 20000, &n));
    CHECK_ERR(e2e_tg_call_protect(p.caller, p.t.ctx, E2E_TG_CALL_SIGNALING, 0, big, 16365, bigout,
                                  20000, &n),
              E2E_ERR_INVALID);
    CHECK_ERR(e2e_tg_call_protect(p.caller, p.t.ctx, 2, 0, big, 10, bigout, 20000, &n),
              E2E_ERR_INVALID);
    CHECK_ERR(e2e_tg_call_protect(p.caller, p.t.ctx, 0, 1, big, 10, bigout, 20000, &n),
              E2E_ERR_INVALID);
    CHECK_ERR(e2e_tg_call_protect(p.caller, p.t.ctx, 0, 0, big, 10, bigout, 29, &n),
              E2E_ERR_BUFFER);
    /* received sizes outside 21 .. 128 KiB */
    CHECK_ERR(
        e2e_tg_call_unprotect(p.callee, p.t.ctx, 0, pkt, 20, body, sizeof body, &bn, &seq, NULL),
        E2E_ERR_MALFORMED);
    e2e_tg_call_stats(p.callee, E2E_TG_CALL_TRANSPORT, &st);
    CHECK_EQ(st.dropped_size, 1);
    free(big);
    free(bigout);
    call_free(&p);
}

static void
test_replay_window(void)
{
    struct call_pair p;
    uint8_t pkts[200][64], body[128];
    size_t n[200], bn;
    uint32_t seq;
    struct e2e_report why;
    call_start(&p, 3);
    call_finish(&p);
    for (int i = 0; i < 200; i++)
        n[i] = send(p.caller, &p, 0, 0, "\x05voice", pkts[i]);
    /* in order, then each again: duplicates */
    for (int i = 0; i < 10; i++)
        CHECK_OK(e2e_tg_call_unprotect(p.callee, p.t.ctx, 0, pkts[i], n[i], body, sizeof body, &bn,
                                       &seq, NULL));
    CHECK_EQ(seq, 10);
    CHECK_ERR(e2e_tg_call_unprotect(p.callee, p.t.ctx, 0, pkts[3], n[3], body, sizeof body, &bn,
                                    &seq, &why),
              E2E_ERR_DUPLICATE);
    CHECK(why.check && strcmp(why.check, "duplicate") == 0);
    /* jump ahead to counter 100 (index 99); 37..99 are inside the 64-entry window, 36 is not */
    CHECK_OK(e2e_tg_call_unprotect(p.callee, p.t.ctx, 0, pkts[99], n[99], body, sizeof body, &bn,
                                   &seq, NULL));
    CHECK_OK(e2e_tg_call_unprotect(p.callee, p.t.ctx, 0, pkts[36], n[36], body, sizeof body, &bn,
                                   &seq, NULL)); /* counter 37 = 100 - 63 */
    CHECK_ERR(e2e_tg_call_unprotect(p.callee, p.t.ctx, 0, pkts[35], n[35], body, sizeof body, &bn,
                                    &seq, &why),
              E2E_ERR_DUPLICATE); /* counter 36 = 100 - 64: too old */
    CHECK(why.check && strcmp(why.check, "old") == 0);
    CHECK_ERR(e2e_tg_call_unprotect(p.callee, p.t.ctx, 0, pkts[36], n[36], body, sizeof body, &bn,
                                    &seq, &why),
              E2E_ERR_DUPLICATE);
    CHECK(why.check && strcmp(why.check, "duplicate") == 0);
    /* out of order inside the window is fine, once */
    for (int i = 98; i >= 40; i--)
        CHECK_OK(e2e_tg_call_unprotect(p.callee, p.t.ctx, 0, pkts[i], n[i], body, sizeof body, &bn,
                                       &seq, NULL));
    /* a jump of more than 64 forgets the whole window */
    CHECK_OK(e2e_tg_call_unprotect(p.callee, p.t.ctx, 0, pkts[199], n[199], body, sizeof body, &bn,
                                   &seq, NULL));
    CHECK_ERR(e2e_tg_call_unprotect(p.callee, p.t.ctx, 0, pkts[135], n[135], body, sizeof body, &bn,
                                    &seq, NULL),
              E2E_ERR_DUPLICATE);
    CHECK_OK(e2e_tg_call_unprotect(p.callee, p.t.ctx, 0, pkts[136], n[136], body, sizeof body, &bn,
                                   &seq, NULL));
    struct e2e_tg_call_stats st;
    e2e_tg_call_stats(p.callee, 0, &st);
    CHECK_EQ(st.received, 10 + 2 + 59 + 2);
    CHECK_EQ(st.dropped_duplicate, 2);
    CHECK_EQ(st.dropped_old, 2);
    /* a tampered packet: dropped, the window untouched (the genuine one still goes through) */
    uint8_t t[64];
    memcpy(t, pkts[150], n[150]);
    t[n[150] - 1] ^= 1;
    CHECK_ERR(
        e2e_tg_call_unprotect(p.callee, p.t.ctx, 0, t, n[150], body, sizeof body, &bn, &seq, NULL),
        E2E_ERR_AUTH);
    CHECK_OK(e2e_tg_call_unprotect(p.callee, p.t.ctx, 0, pkts[150], n[150], body, sizeof body, &bn,
                                   &seq, NULL));
    call_free(&p);
}

/* The counter may reach 2^30 - 1; the next packet ends the call (spec: abort at 2^30). */
static void
test_counter_limit(void)
{
    struct call_pair p;
    uint8_t pkt[64], body[64];
    size_t n, bn;
    uint32_t seq;
    call_start(&p, 4);
    call_finish(&p);
    p.caller->ch[0].counter = E2E_TG_CALL_MAX_COUNTER - 1;
    n = send(p.caller, &p, 0, 0, "\x01last", pkt);
    CHECK_OK(
        e2e_tg_call_unprotect(p.callee, p.t.ctx, 0, pkt, n, body, sizeof body, &bn, &seq, NULL));
    CHECK_EQ(seq, E2E_TG_CALL_MAX_COUNTER);
    CHECK_ERR(
        e2e_tg_call_protect(p.caller, p.t.ctx, 0, 0, (const uint8_t *)"x", 1, pkt, sizeof pkt, &n),
        E2E_ERR_LIMIT);
    CHECK_ERR(
        e2e_tg_call_protect(p.caller, p.t.ctx, 1, 0, (const uint8_t *)"x", 1, pkt, sizeof pkt, &n),
        E2E_ERR_LIMIT);
    CHECK_ERR(
        e2e_tg_call_unprotect(p.caller, p.t.ctx, 0, pkt, 30, body, sizeof body, &bn, &seq, NULL),
        E2E_ERR_LIMIT);
    CHECK(!e2e_tg_call_ready(p.caller));
    call_free(&p);
}

int
main(void)
{
    RUN(test_exchange_and_emoji);
    RUN(test_emoji_known_answer);
    RUN(test_packets_directions_and_channels);
    RUN(test_replay_window);
    RUN(test_counter_limit);
    return test_finish();
}
