/* Calls: RFC 3711 key derivation and packets, our master-secret expansion, group-call keys. */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/crypto.h>
#include <e2ekit/whatsapp.h>

#include "test.h"

static const char *b3_key = "e1f97a0d3e018be0d64fa32c06de4139";
static const char *b3_salt = "0ec675ad498afeebb6960b3aabe6";

/* RFC 3711 appendix B.3 (reference/srtp.md 4). */
static void
test_rfc3711_b3(void)
{
    uint8_t mk[16], ms[14], out[20];
    unhex(mk, 16, b3_key);
    unhex(ms, 14, b3_salt);
    CHECK_OK(e2e_srtp_kdf(out, 16, mk, 16, ms, 14, 0, 0, 0));
    CHECK_HEX(out, 16, "c61e7a93744f39ee10734afe3ff7a087");
    CHECK_OK(e2e_srtp_kdf(out, 14, mk, 16, ms, 14, 2, 0, 0));
    CHECK_HEX(out, 14, "30cbbc08863d8c85d49db34a9ae1");
    CHECK_OK(e2e_srtp_kdf(out, 20, mk, 16, ms, 14, 1, 0, 0));
    CHECK_HEX(out, 20, "cebe321f6ff7716b6fd4ab49af256a156d38baa4");
    struct e2e_srtp_keys k;
    CHECK_OK(e2e_srtp_session_keys(&k, E2E_SRTP_AES_CM_128_HMAC_SHA1_80, mk, 16, ms, 14, NULL));
    CHECK_HEX(k.rtp_key, 16, "c61e7a93744f39ee10734afe3ff7a087");
    CHECK_HEX(k.rtp_salt, 14, "30cbbc08863d8c85d49db34a9ae1");
    CHECK_HEX(k.rtp_auth, 20, "cebe321f6ff7716b6fd4ab49af256a156d38baa4");
    /* kdr: index DIV kdr enters the low 48 bits; with kdr = 0 the index is ignored */
    uint8_t a[16], b[16];
    CHECK_OK(e2e_srtp_kdf(a, 16, mk, 16, ms, 14, 0, 0x123456, 0));
    CHECK_HEX(a, 16, "c61e7a93744f39ee10734afe3ff7a087");
    CHECK_OK(e2e_srtp_kdf(a, 16, mk, 16, ms, 14, 0, 0x10000, 0x10000));
    CHECK_OK(e2e_srtp_kdf(b, 16, mk, 16, ms, 14, 0, 0x1ffff, 0x10000));
    CHECK_MEM(a, b, 16); /* the same key until the next multiple of kdr */
    CHECK(memcmp(a, "\xc6\x1e\x7a\x93", 4) != 0);
    /* bad arguments */
    CHECK_ERR(e2e_srtp_kdf(a, 16, mk, 15, ms, 14, 0, 0, 0), E2E_ERR_INVALID);
    CHECK_ERR(e2e_srtp_kdf(a, 16, mk, 16, ms, 13, 0, 0, 0), E2E_ERR_INVALID);
    CHECK_ERR(e2e_srtp_kdf(a, 16, mk, 16, ms, 14, 6, 0, 0), E2E_ERR_INVALID);
    CHECK_ERR(e2e_srtp_kdf(a, 16, mk, 16, ms, 14, 0, 0, 3), E2E_ERR_INVALID);
    CHECK_ERR(e2e_srtp_kdf(a, 16, mk, 16, ms, 14, 0, 1ull << 48, 0), E2E_ERR_INVALID);
}

/* cisco/libsrtp test/srtp_driver.c srtp_validate (reference/srtp.md 4): our packet
 * protection from the B.3 session keys gives libsrtp's protected packet. */
static void
test_libsrtp_vector(void)
{
    uint8_t mk[16], ms[14], pkt[64];
    unhex(mk, 16, b3_key);
    unhex(ms, 14, b3_salt);
    struct e2e_srtp_keys k;
    struct e2e_srtp_stream s;
    CHECK_OK(e2e_srtp_session_keys(&k, E2E_SRTP_AES_CM_128_HMAC_SHA1_80, mk, 16, ms, 14, NULL));
    CHECK_OK(e2e_srtp_stream_init(&s, &k));
    size_t n = unhex(pkt, sizeof pkt,
                     "800f1234decafbadcafebabe"
                     "abababababababababababababababab");
    CHECK_OK(e2e_srtp_protect(&s, pkt, sizeof pkt, &n, 0));
    CHECK_EQ(n, 38);
    CHECK_HEX(pkt, n,
              "800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402b78d6acc99ea179b"
              "8dbb");
    uint8_t copy[64];
    memcpy(copy, pkt, n);
    size_t m = n;
    CHECK_OK(e2e_srtp_unprotect(&s, copy, &m, 0, NULL));
    CHECK_EQ(m, 28);
    CHECK_HEX(copy + 12, 16, "abababababababababababababababab");
    /* every byte flipped: the tag check refuses it (a flip of the version bits earlier) */
    struct e2e_report why;
    for (size_t i = 0; i < n; i++) {
        memcpy(copy, pkt, n);
        copy[i] ^= 0x01;
        m = n;
        int rc = e2e_srtp_unprotect(&s, copy, &m, 0, &why);
        CHECK(rc == E2E_ERR_AUTH);
        CHECK_EQ(m, n);
    }
    m = n; /* the wrong rollover counter */
    memcpy(copy, pkt, n);
    CHECK_ERR(e2e_srtp_unprotect(&s, copy, &m, 1, &why), E2E_ERR_AUTH);
    for (size_t len = 0; len < 23; len++) {
        m = len;
        memcpy(copy, pkt, n);
        CHECK(e2e_srtp_unprotect(&s, copy, &m, 0, &why) != E2E_OK);
    }
    copy[0] = 0x40; /* RTP version 1 */
    m = n;
    CHECK_ERR(e2e_srtp_unprotect(&s, copy, &m, 0, &why), E2E_ERR_MALFORMED);
    uint8_t small[30];
    memcpy(small, pkt, 28);
    m = 28;
    CHECK_ERR(e2e_srtp_protect(&s, small, 30, &m, 0), E2E_ERR_BUFFER);
}

/* Our documented derivation, re-computed from HKDF directly (and by tests/py). */
static void
test_call_master(void)
{
    uint8_t secret[32];
    for (int i = 0; i < 32; i++)
        secret[i] = (uint8_t)i;
    struct e2e_wa_call_master a, b, c;
    CHECK_OK(e2e_wa_call_master(&a, secret, E2E_SRTP_AES_CM_128_HMAC_SHA1_80, "caller", NULL));
    CHECK_OK(e2e_wa_call_master(&b, secret, E2E_SRTP_AES_CM_128_HMAC_SHA1_80, "callee", NULL));
    CHECK_OK(e2e_wa_call_master(&c, secret, E2E_SRTP_AEAD_AES_256_GCM, "caller", NULL));
    CHECK(a.master_key_len == 16 && a.master_salt_len == 14);
    CHECK(c.master_key_len == 32 && c.master_salt_len == 12);
    CHECK(memcmp(a.master_key, b.master_key, 16) != 0); /* directions never share keys */
    uint8_t okm[44];
    static const char info[] = "e2ekit whatsapp call srtp v1\0\x01\0caller";
    CHECK_OK(e2e_hkdf_sha256(okm, 30, NULL, 0, secret, 32, (const uint8_t *)info, sizeof info - 1));
    CHECK_MEM(a.master_key, okm, 16);
    CHECK_MEM(a.master_salt, okm + 16, 14);
    CHECK_ERR(e2e_wa_call_master(&a, secret, 3, "caller", NULL), E2E_ERR_INVALID);
    CHECK_ERR(e2e_wa_call_master(&a, secret, 1, "", NULL), E2E_ERR_INVALID);
    /* and the GCM profile's session keys come out of the same RFC 3711 KDF */
    struct e2e_srtp_keys k;
    CHECK_OK(e2e_srtp_session_keys(&k, E2E_SRTP_AEAD_AES_256_GCM, c.master_key, 32, c.master_salt,
                                   12, NULL));
    uint8_t ms14[14] = {0}, key[32];
    memcpy(ms14, c.master_salt, 12);
    CHECK_OK(e2e_srtp_kdf(key, 32, c.master_key, 32, ms14, 14, 0, 0, 0));
    CHECK_MEM(k.rtp_key, key, 32);
    struct e2e_srtp_stream s;
    CHECK_ERR(e2e_srtp_stream_init(&s, &k), E2E_ERR_UNSUPPORTED);
}

/* Group call: distributor choice, rotation on join/leave, 5-second grace, refusals. */
static void
test_group_call(void)
{
    struct test_ctx t;
    test_ctx_new(&t, 31);
    uint8_t call_id[16];
    memset(call_id, 0xc1, 16);
    e2e_wa_group_call *alice, *bob, *carol;
    CHECK_OK(e2e_wa_group_call_new(&alice, "alice.0", call_id));
    CHECK_OK(e2e_wa_group_call_new(&bob, "bob.1", call_id));
    CHECK_OK(e2e_wa_group_call_new(&carol, "carol.0", call_id));
    const char *m1[] = {"alice.0", "bob.1"};
    size_t idx;
    CHECK_OK(e2e_wa_group_call_pick_distributor(&idx, 2, t.ctx));
    CHECK(idx < 2);
    const char *dist = m1[idx];
    e2e_wa_group_call *dgc = idx == 0 ? alice : bob, *other = idx == 0 ? bob : alice;
    struct e2e_report why;
    CHECK_OK(e2e_wa_group_call_membership(alice, m1, 2, dist, 1, NULL));
    CHECK_OK(e2e_wa_group_call_membership(bob, m1, 2, dist, 1, NULL));
    CHECK(e2e_wa_group_call_is_distributor(dgc) && !e2e_wa_group_call_is_distributor(other));
    struct e2e_wa_call_offer o1, o2;
    const char *to[8];
    size_t nto;
    CHECK_ERR(e2e_wa_group_call_rekey(other, t.ctx, 1, &o1, to, 8, &nto), E2E_ERR_STATE);
    CHECK_OK(e2e_wa_group_call_rekey(dgc, t.ctx, 1, &o1, to, 8, &nto));
    CHECK_EQ(nto, 1);
    CHECK_EQ(o1.epoch, 1);
    CHECK_ERR(e2e_wa_group_call_rekey(dgc, t.ctx, 1, &o2, to, 8, &nto), E2E_ERR_STATE);
    CHECK_OK(e2e_wa_group_call_accept(other, t.ctx, dist, &o1, &why));
    uint8_t k1[32], k[32];
    CHECK_OK(e2e_wa_group_call_key(other, t.ctx, 1, k1, NULL));
    CHECK_MEM(k1, o1.master_secret, 32);
    /* carol joins: the server picks a distributor again; a new key for everyone */
    const char *m2[] = {"alice.0", "bob.1", "carol.0"};
    CHECK_OK(e2e_wa_group_call_pick_distributor(&idx, 3, t.ctx));
    const char *dist2 = m2[idx];
    e2e_wa_group_call *all[3] = {alice, bob, carol};
    for (int i = 0; i < 3; i++)
        CHECK_OK(e2e_wa_group_call_membership(all[i], m2, 3, dist2, 2, NULL));
    /* a stale membership announcement is refused */
    CHECK_ERR(e2e_wa_group_call_membership(alice, m1, 2, dist, 1, &why), E2E_ERR_PROTOCOL);
    CHECK_OK(e2e_wa_group_call_rekey(all[idx], t.ctx, 1, &o2, to, 8, &nto));
    CHECK_EQ(nto, 2);
    CHECK_EQ(o2.epoch, e2e_wa_group_call_epoch(all[idx]));
    for (int i = 0; i < 3; i++) {
        if ((size_t)i == idx)
            continue;
        /* a member who is not the distributor cannot push a key */
        struct e2e_wa_call_offer forged = o2;
        forged.epoch = 99;
        const char *notdist = m2[(idx + 1) % 3];
        if (strcmp(notdist, m2[i]) == 0)
            notdist = m2[(idx + 2) % 3];
        CHECK_ERR(e2e_wa_group_call_accept(all[i], t.ctx, notdist, &forged, &why),
                  E2E_ERR_UNTRUSTED);
        /* nor can the distributor push a key for a generation not announced yet */
        CHECK_ERR(e2e_wa_group_call_accept(all[i], t.ctx, dist2, &forged, &why), E2E_ERR_PROTOCOL);
        CHECK_OK(e2e_wa_group_call_accept(all[i], t.ctx, dist2, &o2, &why));
        /* a replay of the same (or an older) key is refused */
        CHECK_ERR(e2e_wa_group_call_accept(all[i], t.ctx, dist2, &o2, &why), E2E_ERR_DUPLICATE);
        /* a key of another call */
        struct e2e_wa_call_offer other_call = o2;
        other_call.epoch = 50;
        other_call.call_id[0] ^= 1;
        CHECK_ERR(e2e_wa_group_call_accept(all[i], t.ctx, dist2, &other_call, &why),
                  E2E_ERR_UNTRUSTED);
        CHECK(strcmp(why.check, "call-id") == 0);
    }
    /* the old key (epoch 1) still works for 5 seconds at alice and bob, then is wiped */
    t.now_ms += 4999;
    CHECK_OK(e2e_wa_group_call_key(other, t.ctx, 1, k, NULL));
    CHECK_MEM(k, k1, 32);
    t.now_ms += 1;
    CHECK_ERR(e2e_wa_group_call_key(other, t.ctx, 1, k, &why), E2E_ERR_NOT_FOUND);
    CHECK(strcmp(why.check, "expired") == 0);
    CHECK_OK(e2e_wa_group_call_key(other, t.ctx, o2.epoch, k, NULL));
    CHECK_MEM(k, o2.master_secret, 32);
    CHECK_ERR(e2e_wa_group_call_key(carol, t.ctx, 1, k, &why), E2E_ERR_NOT_FOUND);
    /* carol leaves: she forgets every key */
    const char *m3[] = {"alice.0", "bob.1"};
    CHECK_OK(e2e_wa_group_call_membership(carol, m3, 2, "alice.0", 3, NULL));
    CHECK_ERR(e2e_wa_group_call_key(carol, t.ctx, o2.epoch, k, NULL), E2E_ERR_NOT_FOUND);
    CHECK_ERR(e2e_wa_group_call_membership(carol, m3, 2, "mallory.0", 4, NULL), E2E_ERR_INVALID);
    e2e_wa_group_call_free(alice);
    e2e_wa_group_call_free(bob);
    e2e_wa_group_call_free(carol);
    /* the distributor choice is uniform-looking over many draws */
    unsigned hist[5] = {0};
    for (int i = 0; i < 5000; i++) {
        CHECK_OK(e2e_wa_group_call_pick_distributor(&idx, 5, t.ctx));
        hist[idx]++;
    }
    for (int i = 0; i < 5; i++)
        CHECK(hist[i] > 850 && hist[i] < 1150);
    CHECK_ERR(e2e_wa_group_call_pick_distributor(&idx, 0, t.ctx), E2E_ERR_INVALID);
    test_ctx_free(&t);
}

int
main(void)
{
    RUN(test_rfc3711_b3);
    RUN(test_libsrtp_vector);
    RUN(test_call_master);
    RUN(test_group_call);
    return test_finish();
}
