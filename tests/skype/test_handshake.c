/*
 * Peer session setup: certificates, challenges answered transformed and signed, key halves
 * under RSA, and what goes wrong: replays (fresh challenges), tampering with any byte, wrong
 * peers and modes, expired certificates, and the signing-oracle relay that the faithful mode
 * lets through (its answers sign only f(N)) while the hardened transcript stops it.
 */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/skype.h>

#include "skype_fixture.h"
#include "test.h"

static struct test_ctx T;
static e2e_ctx *ctx;
static e2e_skype_authority *au;
static e2e_skype_ca *ca;
static e2e_skype_identity *alice, *bob, *mallory;

enum { BUF = 4096 };
static const int modes[2] = {E2E_SKYPE_FAITHFUL, E2E_SKYPE_HARDENED};

static void
setup(void)
{
    ctx = test_ctx_new(&T, 0x5C4E);
    skype_fixture_authority(ctx, &au, &ca);
    skype_fixture_enrol(ctx, au, ca, &alice, "alice.smith", 1024);
    skype_fixture_enrol(ctx, au, ca, &bob, "bob.jones", 2048);
    skype_fixture_enrol(ctx, au, ca, &mallory, "mallory.evil", 1024);
}

struct flights {
    uint8_t f[3][BUF];
    size_t n[3];
};

/* A full handshake between a (initiator) and b; records the flights. */
static void
handshake(int mode, e2e_skype_identity *a, e2e_skype_identity *b, struct flights *fl,
          e2e_skype_session **sa, e2e_skype_session **sb)
{
    e2e_skype_handshake *ha, *hb;
    CHECK_OK(
        e2e_skype_handshake_new(&ha, E2E_SKYPE_INITIATOR, mode, a, ca, e2e_skype_identity_name(b)));
    CHECK_OK(e2e_skype_handshake_new(&hb, E2E_SKYPE_RESPONDER, mode, b, ca, NULL));
    CHECK_EQ(e2e_skype_handshake_next(ha), E2E_SKYPE_HS_WRITE);
    CHECK_EQ(e2e_skype_handshake_next(hb), E2E_SKYPE_HS_READ);
    CHECK_OK(e2e_skype_handshake_write(ha, ctx, fl->f[0], BUF, &fl->n[0]));
    CHECK_OK(e2e_skype_handshake_read(hb, ctx, fl->f[0], fl->n[0], NULL));
    CHECK_OK(e2e_skype_handshake_write(hb, ctx, fl->f[1], BUF, &fl->n[1]));
    CHECK_OK(e2e_skype_handshake_read(ha, ctx, fl->f[1], fl->n[1], NULL));
    CHECK_OK(e2e_skype_handshake_write(ha, ctx, fl->f[2], BUF, &fl->n[2]));
    CHECK_OK(e2e_skype_handshake_read(hb, ctx, fl->f[2], fl->n[2], NULL));
    CHECK_EQ(e2e_skype_handshake_next(ha), E2E_SKYPE_HS_DONE);
    CHECK_EQ(e2e_skype_handshake_next(hb), E2E_SKYPE_HS_DONE);
    struct e2e_skype_cert_info pa, pb;
    CHECK_OK(e2e_skype_handshake_peer(ha, &pa));
    CHECK_OK(e2e_skype_handshake_peer(hb, &pb));
    CHECK(strcmp(pa.name, e2e_skype_identity_name(b)) == 0);
    CHECK(strcmp(pb.name, e2e_skype_identity_name(a)) == 0);
    CHECK_OK(e2e_skype_handshake_split(ha, ctx, sa));
    CHECK_OK(e2e_skype_handshake_split(hb, ctx, sb));
    CHECK_ERR(e2e_skype_handshake_split(ha, ctx, sa), E2E_ERR_STATE);
    e2e_skype_handshake_free(ha);
    e2e_skype_handshake_free(hb);
}

/* Both directions, two streams: the two sides agreed on the same keys and salts. */
static void
talk(e2e_skype_session *sa, e2e_skype_session *sb)
{
    static const char *msgs[2] = {"audio frame on stream 0", "chat text on stream 1"};
    for (unsigned st = 0; st < 2; st++) {
        uint8_t pkt[128], back[128];
        size_t len = 0, got = 0;
        size_t n = strlen(msgs[st]);
        CHECK_OK(e2e_skype_session_encrypt(sa, ctx, st, (const uint8_t *)msgs[st], n, pkt,
                                           sizeof pkt, &len));
        CHECK_OK(e2e_skype_session_decrypt(sb, ctx, pkt, len, back, sizeof back, &got, NULL, NULL));
        CHECK_MEM(back, msgs[st], n);
        CHECK_OK(e2e_skype_session_encrypt(sb, ctx, st, (const uint8_t *)msgs[st], n, pkt,
                                           sizeof pkt, &len));
        CHECK_OK(e2e_skype_session_decrypt(sa, ctx, pkt, len, back, sizeof back, &got, NULL, NULL));
        CHECK_MEM(back, msgs[st], n);
    }
}

static void
test_handshake_and_sessions(void)
{
    for (int m = 0; m < 2; m++) {
        struct flights fl;
        e2e_skype_session *sa, *sb;
        handshake(modes[m], alice, bob, &fl, &sa, &sb);
        CHECK_EQ(e2e_skype_session_mode(sa), modes[m]);
        CHECK_EQ(e2e_skype_session_role(sb), E2E_SKYPE_RESPONDER);
        talk(sa, sb);
        e2e_skype_session_free(sa);
        e2e_skype_session_free(sb);
        /* and with the roles the other way round */
        handshake(modes[m], bob, alice, &fl, &sa, &sb);
        talk(sa, sb);
        e2e_skype_session_free(sa);
        e2e_skype_session_free(sb);
    }
}

static size_t
hs_snapshot(const e2e_skype_handshake *hs, uint8_t *buf)
{
    size_t n = 0;
    CHECK_OK(e2e_skype_handshake_serialize(hs, buf, BUF, &n));
    return n;
}

/* A recorded handshake replayed later fails: the new side draws a fresh challenge, and the
 * old answer signs f(old challenge). */
static void
test_replayed_handshake_fails(void)
{
    for (int m = 0; m < 2; m++) {
        struct flights fl, fl2;
        e2e_skype_session *sa, *sb;
        handshake(modes[m], alice, bob, &fl, &sa, &sb);
        e2e_skype_session_free(sa);
        e2e_skype_session_free(sb);
        /* to a new responder: flights 1 and 3 replayed, around a fresh flight 2 */
        e2e_skype_handshake *hb;
        CHECK_OK(e2e_skype_handshake_new(&hb, E2E_SKYPE_RESPONDER, modes[m], bob, ca, NULL));
        CHECK_OK(e2e_skype_handshake_read(hb, ctx, fl.f[0], fl.n[0], NULL));
        CHECK_OK(e2e_skype_handshake_write(hb, ctx, fl2.f[1], BUF, &fl2.n[1]));
        uint8_t before[BUF], after[BUF];
        size_t bn = hs_snapshot(hb, before);
        struct e2e_report why;
        CHECK_ERR(e2e_skype_handshake_read(hb, ctx, fl.f[2], fl.n[2], &why), E2E_ERR_AUTH);
        CHECK(strcmp(why.check, "answer") == 0);
        CHECK_EQ(hs_snapshot(hb, after), bn);
        CHECK_MEM(after, before, bn);
        CHECK_EQ(e2e_skype_handshake_next(hb), E2E_SKYPE_HS_READ);
        e2e_skype_handshake_free(hb);
        /* to a new initiator: an old flight 2 answers another challenge */
        e2e_skype_handshake *ha;
        CHECK_OK(e2e_skype_handshake_new(&ha, E2E_SKYPE_INITIATOR, modes[m], alice, ca, NULL));
        CHECK_OK(e2e_skype_handshake_write(ha, ctx, fl2.f[0], BUF, &fl2.n[0]));
        CHECK_ERR(e2e_skype_handshake_read(ha, ctx, fl.f[1], fl.n[1], &why), E2E_ERR_AUTH);
        CHECK(strcmp(why.check, "answer") == 0);
        e2e_skype_handshake_free(ha);
    }
}

/* Flips every byte of one flight in turn; every flip must be refused with the state kept,
 * except those listed in `skip_from`..`skip_to` (bytes the mode does not authenticate). */
static void
flip_every_byte(e2e_skype_handshake *hs, const uint8_t *f, size_t n, size_t skip_from,
                size_t skip_to)
{
    uint8_t bad[BUF], before[BUF], after[BUF];
    size_t bn = hs_snapshot(hs, before);
    for (size_t i = 0; i < n; i++) {
        if (i >= skip_from && i < skip_to)
            continue;
        memcpy(bad, f, n);
        bad[i] ^= 0x20;
        int rc = e2e_skype_handshake_read(hs, ctx, bad, n, NULL);
        CHECK(rc == E2E_ERR_AUTH || rc == E2E_ERR_MALFORMED || rc == E2E_ERR_UNTRUSTED ||
              rc == E2E_ERR_PROTOCOL);
        if (rc == E2E_OK)
            test_fail_(__FILE__, __LINE__, "flipped byte %zu of %zu accepted", i, n);
    }
    for (size_t k = 0; k < n; k += 3)
        CHECK(e2e_skype_handshake_read(hs, ctx, f, k, NULL) != E2E_OK);
    CHECK_EQ(hs_snapshot(hs, after), bn);
    CHECK_MEM(after, before, bn);
}

static void
test_every_byte_of_every_flight(void)
{
    for (int m = 0; m < 2; m++) {
        e2e_skype_handshake *ha, *hb;
        uint8_t f[3][BUF];
        size_t n[3];
        CHECK_OK(e2e_skype_handshake_new(&ha, E2E_SKYPE_INITIATOR, modes[m], alice, ca, NULL));
        CHECK_OK(e2e_skype_handshake_new(&hb, E2E_SKYPE_RESPONDER, modes[m], bob, ca, NULL));
        CHECK_OK(e2e_skype_handshake_write(ha, ctx, f[0], BUF, &n[0]));
        /* flight 1 carries nothing signed but the certificate: its challenge is checked later,
         * through the answer that comes back */
        flip_every_byte(hb, f[0], n[0], n[0] - 8, n[0]);
        CHECK_OK(e2e_skype_handshake_read(hb, ctx, f[0], n[0], NULL));
        CHECK_OK(e2e_skype_handshake_write(hb, ctx, f[1], BUF, &n[1]));
        /* flight 2: in faithful mode B's own challenge is not signed (it comes back answered,
         * as above); the hardened transcript covers it */
        size_t cert_end = 3 + (size_t)(f[1][1] << 8 | f[1][2]);
        if (modes[m] == E2E_SKYPE_FAITHFUL)
            flip_every_byte(ha, f[1], n[1], cert_end, cert_end + 8);
        else
            flip_every_byte(ha, f[1], n[1], 0, 0);
        CHECK_OK(e2e_skype_handshake_read(ha, ctx, f[1], n[1], NULL));
        CHECK_OK(e2e_skype_handshake_write(ha, ctx, f[2], BUF, &n[2]));
        flip_every_byte(hb, f[2], n[2], 0, 0);
        CHECK_OK(e2e_skype_handshake_read(hb, ctx, f[2], n[2], NULL));
        e2e_skype_session *sa, *sb;
        CHECK_OK(e2e_skype_handshake_split(ha, ctx, &sa));
        CHECK_OK(e2e_skype_handshake_split(hb, ctx, &sb));
        talk(sa, sb);
        e2e_skype_session_free(sa);
        e2e_skype_session_free(sb);
        e2e_skype_handshake_free(ha);
        e2e_skype_handshake_free(hb);
    }
}

/* A changed challenge in flight 1 is not noticed by B, but A refuses B's answer to it. */
static void
test_changed_challenge_is_caught_by_the_answer(void)
{
    for (int m = 0; m < 2; m++) {
        e2e_skype_handshake *ha, *hb;
        uint8_t f[3][BUF];
        size_t n[3];
        CHECK_OK(e2e_skype_handshake_new(&ha, E2E_SKYPE_INITIATOR, modes[m], alice, ca, NULL));
        CHECK_OK(e2e_skype_handshake_new(&hb, E2E_SKYPE_RESPONDER, modes[m], bob, ca, NULL));
        CHECK_OK(e2e_skype_handshake_write(ha, ctx, f[0], BUF, &n[0]));
        f[0][n[0] - 1] ^= 1;
        CHECK_OK(e2e_skype_handshake_read(hb, ctx, f[0], n[0], NULL));
        CHECK_OK(e2e_skype_handshake_write(hb, ctx, f[1], BUF, &n[1]));
        struct e2e_report why;
        CHECK_ERR(e2e_skype_handshake_read(ha, ctx, f[1], n[1], &why), E2E_ERR_AUTH);
        CHECK(strcmp(why.check, "answer") == 0);
        e2e_skype_handshake_free(ha);
        e2e_skype_handshake_free(hb);
    }
}

static void
test_wrong_peer_mode_time_and_order(void)
{
    e2e_skype_handshake *ha, *hb;
    uint8_t f[BUF], g[BUF];
    size_t n = 0, k = 0;
    struct e2e_report why;
    /* alice calls bob, mallory answers */
    CHECK_OK(e2e_skype_handshake_new(&ha, E2E_SKYPE_INITIATOR, 0, alice, ca, "bob.jones"));
    CHECK_OK(e2e_skype_handshake_new(&hb, E2E_SKYPE_RESPONDER, 0, mallory, ca, NULL));
    CHECK_OK(e2e_skype_handshake_write(ha, ctx, f, BUF, &n));
    CHECK_OK(e2e_skype_handshake_read(hb, ctx, f, n, NULL));
    CHECK_OK(e2e_skype_handshake_write(hb, ctx, g, BUF, &k));
    CHECK_ERR(e2e_skype_handshake_read(ha, ctx, g, k, &why), E2E_ERR_UNTRUSTED);
    CHECK(strcmp(why.check, "peer_name") == 0);
    struct e2e_skype_cert_info peer;
    CHECK_ERR(e2e_skype_handshake_peer(ha, &peer), E2E_ERR_STATE);
    e2e_skype_handshake_free(hb);
    /* a hardened responder refuses a faithful caller (no silent downgrade) */
    CHECK_OK(e2e_skype_handshake_new(&hb, E2E_SKYPE_RESPONDER, 1, bob, ca, NULL));
    CHECK_ERR(e2e_skype_handshake_read(hb, ctx, f, n, &why), E2E_ERR_PROTOCOL);
    CHECK(strcmp(why.check, "mode") == 0);
    e2e_skype_handshake_free(hb);
    /* an expired certificate */
    CHECK_OK(e2e_skype_handshake_new(&hb, E2E_SKYPE_RESPONDER, 0, bob, ca, NULL));
    uint64_t now = T.now_ms;
    T.now_ms += 31ull * 24 * 3600 * 1000;
    CHECK_ERR(e2e_skype_handshake_read(hb, ctx, f, n, &why), E2E_ERR_UNTRUSTED);
    CHECK(strcmp(why.check, "expired") == 0);
    T.now_ms = now;
    /* out of order */
    CHECK_ERR(e2e_skype_handshake_write(hb, ctx, g, BUF, &k), E2E_ERR_STATE);
    CHECK_ERR(e2e_skype_handshake_read(ha, ctx, f, n, &why), E2E_ERR_PROTOCOL);
    CHECK(strcmp(why.check, "flight") == 0);
    CHECK_ERR(e2e_skype_handshake_write(ha, ctx, g, BUF, &k), E2E_ERR_STATE);
    e2e_skype_session *s;
    CHECK_ERR(e2e_skype_handshake_split(hb, ctx, &s), E2E_ERR_STATE);
    /* an identity without a certificate cannot start */
    e2e_skype_identity *fresh;
    e2e_skype_handshake *hf;
    CHECK_OK(e2e_skype_identity_new(&fresh, ctx, "no.cert.yet", "pw", 1024));
    CHECK_OK(e2e_skype_handshake_new(&hf, E2E_SKYPE_INITIATOR, 0, fresh, ca, NULL));
    CHECK_ERR(e2e_skype_handshake_write(hf, ctx, g, BUF, &k), E2E_ERR_STATE);
    CHECK_ERR(e2e_skype_handshake_write(ha, ctx, g, 10, &k), E2E_ERR_STATE);
    e2e_skype_handshake_free(hf);
    e2e_skype_identity_free(fresh);
    e2e_skype_handshake_free(ha);
    e2e_skype_handshake_free(hb);
}

/* Bytes of a signed block starting at p: length (2) | signature | length (2) | M2. */
static size_t
block_len(const uint8_t *p)
{
    size_t s = (size_t)(p[0] << 8 | p[1]);
    return 4 + s + (size_t)(p[2 + s] << 8 | p[3 + s]);
}

/*
 * The signing oracle (cypherpunks review of Berson, point 0): a faithful answer signs only
 * f(N), and the key half is signed apart from the session. Mallory, who holds alice's public
 * certificate and a recording of one earlier alice -> bob handshake, makes bob accept a
 * session "with alice": she forwards bob's challenge to alice in a session of her own, takes
 * alice's signed answer, and adds alice's old signed key half. Mallory cannot read the
 * traffic (bob's half goes to alice's key), but bob's peer authentication is broken. The
 * hardened answer covers the transcript, and the same splice fails.
 */
static void
test_signing_oracle_relay(void)
{
    for (int m = 0; m < 2; m++) {
        struct flights old;
        e2e_skype_session *sa, *sb;
        handshake(modes[m], alice, bob, &old, &sa, &sb);
        e2e_skype_session_free(sa);
        e2e_skype_session_free(sb);
        /* Mallory -> bob: flight 1 with alice's certificate */
        const uint8_t *alice_cert;
        size_t acn = 0;
        CHECK_OK(e2e_skype_identity_cert(alice, &alice_cert, &acn));
        uint8_t f1[BUF], f2[BUF], g1[BUF], g2[BUF], f3[BUF];
        size_t n1 = 0, n2 = 0, k1 = 0, k2 = 0, n3 = 0;
        f1[n1++] = 1;
        f1[n1++] = (uint8_t)modes[m];
        f1[n1++] = (uint8_t)(acn >> 8);
        f1[n1++] = (uint8_t)acn;
        memcpy(f1 + n1, alice_cert, acn);
        n1 += acn;
        memset(f1 + n1, 0x42, 8);
        n1 += 8;
        e2e_skype_handshake *hb, *hm, *halice;
        CHECK_OK(e2e_skype_handshake_new(&hb, E2E_SKYPE_RESPONDER, modes[m], bob, ca, NULL));
        CHECK_OK(e2e_skype_handshake_read(hb, ctx, f1, n1, NULL));
        CHECK_OK(e2e_skype_handshake_write(hb, ctx, f2, BUF, &n2));
        size_t cert_end = 3 + (size_t)(f2[1] << 8 | f2[2]);
        const uint8_t *n_bob = f2 + cert_end;
        /* Mallory -> alice, in her own name, with bob's challenge as hers */
        CHECK_OK(e2e_skype_handshake_new(&hm, E2E_SKYPE_INITIATOR, modes[m], mallory, ca, NULL));
        CHECK_OK(e2e_skype_handshake_write(hm, ctx, g1, BUF, &k1));
        memcpy(g1 + k1 - 8, n_bob, 8);
        CHECK_OK(e2e_skype_handshake_new(&halice, E2E_SKYPE_RESPONDER, modes[m], alice, ca, NULL));
        CHECK_OK(e2e_skype_handshake_read(halice, ctx, g1, k1, NULL));
        CHECK_OK(e2e_skype_handshake_write(halice, ctx, g2, BUF, &k2));
        /* alice's answer to "her caller" = f(bob's challenge), signed by alice */
        const uint8_t *tail = g2 + 3 + (size_t)(g2[1] << 8 | g2[2]) + 8;
        const uint8_t *old_tail = old.f[2] + 1;
        f3[n3++] = 3;
        if (modes[m] == E2E_SKYPE_FAITHFUL) {
            size_t ans = block_len(tail), key = block_len(old_tail + block_len(old_tail));
            memcpy(f3 + n3, tail, ans); /* alice's fresh answer */
            n3 += ans;
            memcpy(f3 + n3, old_tail + block_len(old_tail), key); /* alice's old key half */
            n3 += key;
        } else {
            size_t ct = 2 + (size_t)(old_tail[0] << 8 | old_tail[1]);
            size_t my_ct = 2 + (size_t)(tail[0] << 8 | tail[1]);
            memcpy(f3 + n3, old_tail, ct); /* alice's old key half for bob */
            n3 += ct;
            memcpy(f3 + n3, tail + my_ct, block_len(tail + my_ct)); /* alice's fresh answer */
            n3 += block_len(tail + my_ct);
        }
        struct e2e_report why;
        int rc = e2e_skype_handshake_read(hb, ctx, f3, n3, &why);
        if (modes[m] == E2E_SKYPE_FAITHFUL) {
            CHECK_OK(rc); /* the weakness: bob believes alice is there */
            struct e2e_skype_cert_info peer;
            CHECK_OK(e2e_skype_handshake_peer(hb, &peer));
            CHECK(strcmp(peer.name, "alice.smith") == 0);
            CHECK_EQ(e2e_skype_handshake_next(hb), E2E_SKYPE_HS_DONE);
        } else {
            CHECK_ERR(rc, E2E_ERR_AUTH);
            CHECK(strcmp(why.check, "answer") == 0);
        }
        e2e_skype_handshake_free(hb);
        e2e_skype_handshake_free(hm);
        e2e_skype_handshake_free(halice);
    }
}

static void
test_serialize_mid_handshake(void)
{
    for (int m = 0; m < 2; m++) {
        e2e_skype_handshake *ha, *hb, *ha2, *hb2;
        uint8_t f[3][BUF], blob[BUF];
        size_t n[3], bn = 0;
        CHECK_OK(e2e_skype_handshake_new(&ha, 0, modes[m], alice, ca, "bob.jones"));
        CHECK_OK(e2e_skype_handshake_new(&hb, 1, modes[m], bob, ca, NULL));
        CHECK_OK(e2e_skype_handshake_write(ha, ctx, f[0], BUF, &n[0]));
        CHECK_OK(e2e_skype_handshake_serialize(ha, blob, sizeof blob, &bn));
        CHECK_HEX(blob, 6, "534b48530001");
        CHECK_OK(e2e_skype_handshake_parse(&ha2, blob, bn, alice, ca, NULL));
        e2e_skype_handshake_free(ha);
        CHECK_OK(e2e_skype_handshake_read(hb, ctx, f[0], n[0], NULL));
        CHECK_OK(e2e_skype_handshake_write(hb, ctx, f[1], BUF, &n[1]));
        CHECK_OK(e2e_skype_handshake_serialize(hb, blob, sizeof blob, &bn));
        CHECK_OK(e2e_skype_handshake_parse(&hb2, blob, bn, bob, ca, NULL));
        for (size_t k = 0; k < bn; k++)
            CHECK(e2e_skype_handshake_parse(&ha, blob, k, bob, ca, NULL) != E2E_OK);
        e2e_skype_handshake_free(hb);
        CHECK_OK(e2e_skype_handshake_read(ha2, ctx, f[1], n[1], NULL));
        CHECK_OK(e2e_skype_handshake_write(ha2, ctx, f[2], BUF, &n[2]));
        CHECK_OK(e2e_skype_handshake_read(hb2, ctx, f[2], n[2], NULL));
        e2e_skype_session *sa, *sb;
        CHECK_OK(e2e_skype_handshake_split(ha2, ctx, &sa));
        CHECK_OK(e2e_skype_handshake_split(hb2, ctx, &sb));
        talk(sa, sb);
        e2e_skype_session_free(sa);
        e2e_skype_session_free(sb);
        e2e_skype_handshake_free(ha2);
        e2e_skype_handshake_free(hb2);
    }
}

static void
test_halfkey_transport(void)
{
    const e2e_rsa *k1024 = e2e_skype_identity_key(alice), *k2048 = e2e_skype_identity_key(bob);
    uint8_t half[16], back[16], ct[256], m[256];
    size_t n = 0;
    for (int i = 0; i < 16; i++)
        half[i] = (uint8_t)(0x31 * i);
    CHECK_OK(e2e_skype_halfkey_encrypt(k1024, ct, sizeof ct, &n, half));
    CHECK_EQ(n, 128);
    CHECK_OK(e2e_skype_halfkey_decrypt(k1024, back, ct, n));
    CHECK_MEM(back, half, 16);
    /* the ciphertext is raw RSA of the repeated block, deterministic (no padding) */
    uint8_t block[128], again[256];
    e2e_skype_halfkey_block(block, half);
    CHECK_OK(e2e_rsa_public_raw(k1024, again, block, 128));
    CHECK_MEM(again, ct, 128);
    CHECK_OK(e2e_skype_halfkey_encrypt(k2048, ct, sizeof ct, &n, half));
    CHECK_EQ(n, 256);
    CHECK_OK(e2e_skype_halfkey_decrypt(k2048, back, ct, n));
    CHECK_MEM(back, half, 16);
    /* a block that is not eight copies of one half */
    block[127] ^= 1;
    CHECK_OK(e2e_rsa_public_raw(k1024, ct, block, 128));
    CHECK_ERR(e2e_skype_halfkey_decrypt(k1024, back, ct, 128), E2E_ERR_AUTH);
    memset(m, 0, sizeof m);
    memcpy(m + 128, block, 128);
    CHECK_OK(e2e_rsa_public_raw(k2048, ct, m, 256));
    CHECK_ERR(e2e_skype_halfkey_decrypt(k2048, back, ct, 256), E2E_ERR_AUTH);
    /* leading bytes must be zero above 1024 bits */
    e2e_skype_halfkey_block(m + 128, half);
    m[0] = 1;
    CHECK_OK(e2e_rsa_public_raw(k2048, ct, m, 256));
    CHECK_ERR(e2e_skype_halfkey_decrypt(k2048, back, ct, 256), E2E_ERR_AUTH);
    CHECK_ERR(e2e_skype_halfkey_decrypt(k1024, back, ct, 100), E2E_ERR_MALFORMED);
    /* a half whose block is not below a 1024-bit modulus cannot be sent: draw another */
    memset(half, 0xFF, 16);
    CHECK_ERR(e2e_skype_halfkey_encrypt(k1024, ct, sizeof ct, &n, half), E2E_ERR_MALFORMED);
    CHECK_ERR(e2e_skype_halfkey_encrypt(k1024, ct, 100, &n, half), E2E_ERR_BUFFER);
}

/* ---- traces ---------------------------------------------------------------------------------- */

static char trace_buf[1 << 16];
static size_t trace_len;

static void
collect(void *user, int level, const char *msg)
{
    (void)user;
    (void)level;
    size_t n = strlen(msg);
    if (trace_len + n + 2 < sizeof trace_buf) {
        memcpy(trace_buf + trace_len, msg, n);
        trace_len += n;
        trace_buf[trace_len++] = '\n';
        trace_buf[trace_len] = 0;
    }
}

static uint64_t
clock_of_t(void *user)
{
    (void)user;
    return T.now_ms;
}

/* With tracing on, every derivation step is narrated; below it, nothing is. */
static void
test_traces(void)
{
    for (int level = E2E_LOG_TRACE; level >= E2E_LOG_DEBUG; level--) {
        for (int m = 0; m < 2; m++) {
            struct e2e_drbg d;
            e2e_drbg_seed(&d, "traces", 6);
            struct e2e_ctx_config cfg = {.rng = e2e_drbg_rng,
                                         .now_ms = clock_of_t,
                                         .log = collect,
                                         .user = &d,
                                         .log_level = level};
            e2e_ctx *saved = ctx, *tc;
            CHECK_OK(e2e_ctx_new(&tc, &cfg));
            ctx = tc;
            trace_len = 0;
            trace_buf[0] = 0;
            struct flights fl;
            e2e_skype_session *sa, *sb;
            handshake(modes[m], alice, bob, &fl, &sa, &sb);
            talk(sa, sb);
            ctx = saved;
            static const char *const faithful[] = {"challenge N_A",
                                                   "challenge N_B",
                                                   "answer f(N) = N + 1",
                                                   "x repeated 8 times = x * C",
                                                   "raw RSA ciphertext",
                                                   "counter salt",
                                                   "peer's key half, recovered",
                                                   "session key = half_a || half_b",
                                                   "ICM block0",
                                                   "skype certificate: bob.jones"};
            static const char *const hardened[] = {
                "challenge N_A",       "transcript so far", "answer = label || role", "under OAEP",
                "final transcript t3", "HKDF -> enc_ab",    "HKDF -> mac_ba",         "ICM block0"};
            const char *const *want = m ? hardened : faithful;
            size_t nwant =
                m ? sizeof hardened / sizeof *hardened : sizeof faithful / sizeof *faithful;
            for (size_t i = 0; i < nwant; i++) {
                int present = strstr(trace_buf, want[i]) != NULL;
                CHECK_EQ(present, level == E2E_LOG_TRACE);
                if (present != (level == E2E_LOG_TRACE))
                    test_note("trace line '%s' at level %d", want[i], level);
            }
            e2e_skype_session_free(sa);
            e2e_skype_session_free(sb);
            e2e_ctx_free(tc);
        }
    }
}

int
main(void)
{
    setup();
    RUN(test_handshake_and_sessions);
    RUN(test_replayed_handshake_fails);
    RUN(test_every_byte_of_every_flight);
    RUN(test_changed_challenge_is_caught_by_the_answer);
    RUN(test_wrong_peer_mode_time_and_order);
    RUN(test_signing_oracle_relay);
    RUN(test_serialize_mid_handshake);
    RUN(test_halfkey_transport);
    RUN(test_traces);
    e2e_skype_identity_free(alice);
    e2e_skype_identity_free(bob);
    e2e_skype_identity_free(mallory);
    e2e_skype_ca_free(ca);
    e2e_skype_authority_free(au);
    test_ctx_free(&T);
    return test_finish();
}
