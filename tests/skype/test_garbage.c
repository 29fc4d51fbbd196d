/*
 * Bad input of any kind: random bytes and random edits of valid inputs go to every skype
 * parser and checker. Each must answer with a known error code (never crash, never read out of
 * bounds, which the ASan build checks), and an input that carries a signature, tag or CRC must
 * never be accepted once edited.
 */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/skype.h>

#include "skype_fixture.h"
#include "test.h"

static struct test_ctx T;
static e2e_ctx *ctx;
static struct e2e_drbg rnd;
static e2e_skype_authority *au;
static e2e_skype_ca *ca;
static e2e_skype_identity *alice, *bob;

enum { BUF = 4096, ROUNDS = 300 };

static size_t
rand_below(size_t n)
{
    uint8_t b[4];
    if (e2e_drbg_rng(&rnd, b, 4) != 0)
        abort();
    return n ? ((size_t)b[0] << 24 | (size_t)b[1] << 16 | (size_t)b[2] << 8 | b[3]) % n : 0;
}

/* A known code: E2E_OK or one of the list. */
static int
known(int rc)
{
    return rc <= 0 && strcmp(e2e_err_name(rc), "UNKNOWN") != 0;
}

/* 1 to 4 random edits: flip, truncate, extend or overwrite. Returns the new length. */
static size_t
mutate(uint8_t *p, size_t n, size_t cap)
{
    size_t edits = 1 + rand_below(4);
    for (size_t e = 0; e < edits; e++) {
        switch (rand_below(4)) {
        case 0:
            if (n)
                p[rand_below(n)] ^= (uint8_t)(1u << rand_below(8));
            break;
        case 1:
            n = rand_below(n + 1);
            break;
        case 2:
            if (n < cap)
                p[n++] = (uint8_t)rand_below(256);
            break;
        default:
            if (n)
                p[rand_below(n)] = (uint8_t)rand_below(256);
            break;
        }
    }
    return n;
}

static void
setup(void)
{
    ctx = test_ctx_new(&T, 0x6a6b);
    e2e_drbg_seed(&rnd, "garbage", 7);
    skype_fixture_authority(ctx, &au, &ca);
    skype_fixture_enrol(ctx, au, ca, &alice, "alice.smith", 1024);
    skype_fixture_enrol(ctx, au, ca, &bob, "bob.jones", 1024);
}

/* Every blob parser, on random bytes and on edited valid blobs. */
static void
test_blobs(void)
{
    uint8_t valid[5][BUF], p[BUF];
    size_t vn[5];
    e2e_skype_session *s;
    struct e2e_skype_session_params sp;
    memset(&sp, 7, sizeof sp);
    sp.mode = E2E_SKYPE_HARDENED;
    sp.role = E2E_SKYPE_INITIATOR;
    CHECK_OK(e2e_skype_session_new(&s, &sp));
    CHECK_OK(e2e_skype_session_serialize(s, valid[0], BUF, &vn[0]));
    e2e_skype_session_free(s);
    CHECK_OK(e2e_skype_ca_serialize(ca, valid[1], BUF, &vn[1]));
    CHECK_OK(e2e_skype_identity_serialize(alice, valid[2], BUF, &vn[2]));
    CHECK_OK(e2e_skype_authority_serialize(au, valid[3], BUF, &vn[3]));
    e2e_skype_handshake *hs;
    CHECK_OK(e2e_skype_handshake_new(&hs, E2E_SKYPE_INITIATOR, 1, alice, ca, NULL));
    CHECK_OK(e2e_skype_handshake_serialize(hs, valid[4], BUF, &vn[4]));
    e2e_skype_handshake_free(hs);
    for (int round = 0; round < ROUNDS; round++) {
        int which = (int)rand_below(5);
        size_t n = vn[which];
        memcpy(p, valid[which], n);
        if (round % 3 == 0) {
            n = rand_below(600);
            for (size_t i = 0; i < n; i++)
                p[i] = (uint8_t)rand_below(256);
        } else {
            n = mutate(p, n, sizeof p);
        }
        int rc;
        e2e_skype_ca *c2 = NULL;
        e2e_skype_identity *i2 = NULL;
        e2e_skype_authority *a2 = NULL;
        e2e_skype_handshake *h2 = NULL;
        e2e_skype_session *s2 = NULL;
        switch (which) {
        case 0:
            rc = e2e_skype_session_parse(&s2, p, n, NULL);
            break;
        case 1:
            rc = e2e_skype_ca_parse(&c2, p, n, NULL);
            break;
        case 2:
            rc = e2e_skype_identity_parse(&i2, p, n, NULL);
            break;
        case 3:
            rc = e2e_skype_authority_parse(&a2, p, n, NULL);
            break;
        default:
            rc = e2e_skype_handshake_parse(&h2, p, n, alice, ca, NULL);
            break;
        }
        CHECK(known(rc));
        e2e_skype_session_free(s2);
        e2e_skype_ca_free(c2);
        e2e_skype_identity_free(i2);
        e2e_skype_authority_free(a2);
        e2e_skype_handshake_free(h2);
    }
}

/* Signed, tagged or checksummed inputs: edited, they are never accepted. */
static void
test_authenticated_inputs(void)
{
    const uint8_t *cert;
    size_t cn = 0;
    CHECK_OK(e2e_skype_identity_cert(bob, &cert, &cn));
    uint8_t p[BUF], pkt[256], frame[256], back[BUF];
    struct e2e_skype_session_params sp;
    memset(&sp, 9, sizeof sp);
    sp.mode = E2E_SKYPE_HARDENED;
    sp.role = E2E_SKYPE_INITIATOR;
    size_t pn = 0, fn = 0, got = 0;
    static const uint8_t ip1[4] = {1, 2, 3, 4}, ip2[4] = {5, 6, 7, 8};
    CHECK_OK(
        e2e_skype_packet_encrypt(&sp, 2, 9, (const uint8_t *)"payload", 7, pkt, sizeof pkt, &pn));
    CHECK_OK(e2e_skype_udp_obfuscate(frame, sizeof frame, &fn, ip1, ip2, 7, 99,
                                     (const uint8_t *)"payload", 7));
    sp.role = E2E_SKYPE_RESPONDER;
    for (int round = 0; round < ROUNDS; round++) {
        struct e2e_skype_cert_info info;
        size_t n = cn;
        memcpy(p, cert, cn);
        n = mutate(p, n, sizeof p);
        if (n != cn || memcmp(p, cert, cn) != 0) {
            int rc = e2e_skype_cert_verify(&info, ca, ctx, p, n, NULL);
            CHECK(known(rc) && rc != E2E_OK);
        }
        memcpy(p, pkt, pn);
        n = mutate(p, pn, sizeof p);
        if (n != pn || memcmp(p, pkt, pn) != 0) {
            int rc = e2e_skype_packet_decrypt(&sp, p, n, back, sizeof back, &got, NULL);
            CHECK(known(rc) && rc != E2E_OK);
        }
        memcpy(p, frame, fn);
        n = mutate(p, fn, sizeof p);
        /* the frame type's high nibble is not checked (as published dissectors do) */
        if (n != fn || memcmp(p + 3, frame + 3, fn - 3) != 0 || memcmp(p, frame, 2) != 0 ||
            (p[2] & 0x0F) != 0x02) {
            int rc = e2e_skype_udp_deobfuscate(back, sizeof back, &got, NULL, ip1, ip2, p, n, NULL);
            CHECK(known(rc) && rc != E2E_OK);
        }
    }
}

/* The authority takes anything: random requests and edited real ones. */
static void
test_authority_requests(void)
{
    uint8_t req[BUF], p[BUF], resp[BUF];
    size_t rn = 0, sn = 0;
    size_t users = e2e_skype_authority_users(au);
    for (int round = 0; round < ROUNDS / 3; round++) {
        int mode = round & 1;
        CHECK_OK(e2e_skype_login_request(alice, ca, ctx, mode, req, sizeof req, &rn));
        memcpy(p, req, rn);
        size_t n = round % 4 == 0 ? rand_below(400) : mutate(p, rn, sizeof p);
        if (round % 4 == 0)
            for (size_t i = 0; i < n; i++)
                p[i] = (uint8_t)rand_below(256);
        int rc = e2e_skype_authority_handle(au, ctx, p, n, resp, sizeof resp, &sn, NULL);
        CHECK(known(rc));
        CHECK(sn >= 2 && resp[1] == (uint8_t)(rc == E2E_OK ? 0 : -rc));
    }
    CHECK_EQ(e2e_skype_authority_users(au), users); /* logins never add users */
}

/* Handshake flights: random and edited; the state must survive every refusal. */
static void
test_flights(void)
{
    for (int mode = 0; mode < 2; mode++) {
        e2e_skype_handshake *ha, *hb;
        uint8_t f1[BUF], f2[BUF], p[BUF];
        size_t n1 = 0, n2 = 0;
        CHECK_OK(e2e_skype_handshake_new(&ha, E2E_SKYPE_INITIATOR, mode, alice, ca, NULL));
        CHECK_OK(e2e_skype_handshake_new(&hb, E2E_SKYPE_RESPONDER, mode, bob, ca, NULL));
        CHECK_OK(e2e_skype_handshake_write(ha, ctx, f1, BUF, &n1));
        for (int round = 0; round < ROUNDS / 3; round++) {
            memcpy(p, f1, n1);
            size_t n = mutate(p, n1, sizeof p);
            e2e_skype_handshake *probe;
            CHECK_OK(e2e_skype_handshake_new(&probe, E2E_SKYPE_RESPONDER, mode, bob, ca, NULL));
            CHECK(known(e2e_skype_handshake_read(probe, ctx, p, n, NULL)));
            e2e_skype_handshake_free(probe);
        }
        CHECK_OK(e2e_skype_handshake_read(hb, ctx, f1, n1, NULL));
        CHECK_OK(e2e_skype_handshake_write(hb, ctx, f2, BUF, &n2));
        for (int round = 0; round < ROUNDS / 3; round++) {
            memcpy(p, f2, n2);
            size_t n = mutate(p, n2, sizeof p);
            int rc = e2e_skype_handshake_read(ha, ctx, p, n, NULL);
            CHECK(known(rc));
            if (rc == E2E_OK) /* only possible when the edit hit bytes the mode leaves open */
                break;
        }
        CHECK(known(e2e_skype_handshake_read(ha, ctx, NULL, 0, NULL)));
        e2e_skype_handshake_free(ha);
        e2e_skype_handshake_free(hb);
    }
}

int
main(void)
{
    setup();
    RUN(test_blobs);
    RUN(test_authenticated_inputs);
    RUN(test_authority_requests);
    RUN(test_flights);
    e2e_skype_identity_free(alice);
    e2e_skype_identity_free(bob);
    e2e_skype_ca_free(ca);
    e2e_skype_authority_free(au);
    test_ctx_free(&T);
    return test_finish();
}
