/*
 * Fingerprints against libsignal-protocol-c 2.3.3's fingerprint_generator: the reference
 * identities of signal.md 12.4 and random key lists (unsorted, 1 to 6 devices), numeric and
 * scannable (versions 0 and 1); the properties of 12.4; the scannable comparison with its
 * version / identity errors, checked also by libsignal-protocol-c's own comparison.
 */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/signal.h>
#include <signal/fingerprint.h>

#include "signalc_peer.h"
#include "test.h"

#define ALICE_KEY "0506863bc66d02b40d27b8d49ca7c09e9239236f9d7d25d6fcca5ce13c7064d868"
#define BOB_KEY   "05f781b6fb32fed9ba1cf2de978d4d5da28dc34046ae814402b5c0dbd96fda907b"

static struct sc_party *peer;

static void
party(struct e2e_signal_fp_party *p, const uint8_t (*keys)[32], size_t n, const char *id)
{
    p->keys = keys;
    p->n_keys = n;
    p->stable_id = id;
    p->stable_id_len = strlen(id);
}

/* Ours and libsignal-protocol-c's, for one pair of parties and scannable version 0 or 1. */
static void
compare_with_peer(const uint8_t (*lk)[32], size_t ln, const char *lid, const uint8_t (*rk)[32],
                  size_t rn, const char *rid, int version, int print)
{
    struct e2e_signal_fp_party l, r;
    party(&l, lk, ln, lid);
    party(&r, rk, rn, rid);
    char ours[61], theirs[61];
    uint8_t code[4096], *their_code = NULL;
    size_t len = 0, their_len = 0;
    CHECK_OK(e2e_signal_fingerprint(ours, code, sizeof code, &len, (unsigned)version,
                                    E2E_SIGNAL_FP_ITERATIONS, &l, &r));
    CHECK_EQ(sc_fingerprint(peer, E2E_SIGNAL_FP_ITERATIONS, version, lid, lk, ln, rid, rk, rn,
                            theirs, &their_code, &their_len),
             0);
    CHECK_EQ(strlen(ours), 60);
    CHECK(strcmp(ours, theirs) == 0);
    CHECK_EQ(len, their_len);
    CHECK_MEM(code, their_code, len);
    if (print) {
        test_note("libsignal-protocol-c, %zu+%zu keys, scannable v%d: %s", ln, rn, version, theirs);
        test_print_hex("  scannable", their_code, their_len);
    }
    free(their_code);
}

static void
test_reference_identities(void)
{
    uint8_t a[1][32], b[1][32], k[33];
    unhex(k, sizeof k, ALICE_KEY);
    memcpy(a[0], k + 1, 32);
    unhex(k, sizeof k, BOB_KEY);
    memcpy(b[0], k + 1, 32);
    for (int v = 0; v <= 1; v++) {
        compare_with_peer((const uint8_t(*)[32])a, 1, "+14152222222", (const uint8_t(*)[32])b, 1,
                          "+14153333333", v, 1);
        compare_with_peer((const uint8_t(*)[32])b, 1, "+14153333333", (const uint8_t(*)[32])a, 1,
                          "+14152222222", v, 0);
    }
    /* signal.md 12.4: both ends show the same 60 digits; the codes are mirror images */
    struct e2e_signal_fp_party pa, pb;
    party(&pa, (const uint8_t(*)[32])a, 1, "+14152222222");
    party(&pb, (const uint8_t(*)[32])b, 1, "+14153333333");
    char da[61], db[61];
    uint8_t ca[200], cb[200], c2[200];
    size_t na, nb, n2;
    CHECK_OK(e2e_signal_fingerprint(da, ca, sizeof ca, &na, 1, E2E_SIGNAL_FP_ITERATIONS, &pa, &pb));
    CHECK_OK(e2e_signal_fingerprint(db, cb, sizeof cb, &nb, 1, E2E_SIGNAL_FP_ITERATIONS, &pb, &pa));
    CHECK(strcmp(da, db) == 0);
    CHECK_EQ(na, nb);
    CHECK(memcmp(ca, cb, na) != 0);
    struct e2e_report why;
    CHECK_OK(e2e_signal_fingerprint_compare(ca, na, cb, nb, &why));
    /* v2 differs from v1 only in the version field (the byte after the 08 tag) */
    CHECK_OK(e2e_signal_fingerprint(da, c2, sizeof c2, &n2, 2, E2E_SIGNAL_FP_ITERATIONS, &pa, &pb));
    CHECK_EQ(n2, na);
    CHECK_EQ(c2[1], 2);
    CHECK_EQ(ca[1], 1);
    CHECK_MEM(c2 + 2, ca + 2, na - 2);
}

/* A key list built from the reference's public keys (12.2-12.4), for the .vec file. */
static void
test_list_vector(void)
{
    static const char *local_hex[] = {
        ALICE_KEY, "05653614993d2b15ee9e5fd3d86ce719ef4ec1daae1886a87b3f5fa9565a27a22f",
        "05ab7e717d4a163b7d9a1d8071dfe9dcf8cdcd1cea3339b6356be84d887e322c64"};
    static const char *remote_hex[] = {
        BOB_KEY, "05edce9d9c415ca78cb7252e72c2c4a554d3eb29485a0e1d503118d1a82d99fb4a"};
    uint8_t l[3][32], r[2][32], k[33];
    for (int i = 0; i < 3; i++) {
        unhex(k, sizeof k, local_hex[i]);
        memcpy(l[i], k + 1, 32);
    }
    for (int i = 0; i < 2; i++) {
        unhex(k, sizeof k, remote_hex[i]);
        memcpy(r[i], k + 1, 32);
    }
    for (int v = 0; v <= 1; v++)
        compare_with_peer((const uint8_t(*)[32])l, 3, "+14152222222", (const uint8_t(*)[32])r, 2,
                          "+14153333333", v, 1);
}

static void
test_key_lists(void)
{
    struct test_ctx t;
    test_ctx_new(&t, 77);
    uint8_t l[6][32], r[6][32];
    for (int round = 0; round < 12; round++) {
        size_t ln = 1 + (size_t)round % 6, rn = 1 + (size_t)(round * 5) % 6;
        for (size_t i = 0; i < 6; i++) {
            struct e2e_signal_keypair kp;
            CHECK_OK(e2e_signal_keypair_generate(&kp, t.ctx));
            memcpy(l[i], kp.pub, 32);
            CHECK_OK(e2e_signal_keypair_generate(&kp, t.ctx));
            memcpy(r[i], kp.pub, 32);
        }
        compare_with_peer((const uint8_t(*)[32])l, ln, "alice@example", (const uint8_t(*)[32])r, rn,
                          "bob@example", round % 2, 0);
    }
    /* the order keys are given in does not matter */
    struct e2e_signal_fp_party p1, p2, q;
    uint8_t rev[3][32];
    for (int i = 0; i < 3; i++)
        memcpy(rev[i], l[2 - i], 32);
    party(&p1, (const uint8_t(*)[32])l, 3, "x");
    party(&p2, (const uint8_t(*)[32])rev, 3, "x");
    party(&q, (const uint8_t(*)[32])r, 2, "y");
    char d1[61], d2[61];
    uint8_t s1[400], s2[400];
    size_t n1, n2;
    CHECK_OK(e2e_signal_fingerprint(d1, s1, sizeof s1, &n1, 0, 5200, &p1, &q));
    CHECK_OK(e2e_signal_fingerprint(d2, s2, sizeof s2, &n2, 0, 5200, &p2, &q));
    CHECK(strcmp(d1, d2) == 0);
    CHECK_EQ(n1, n2);
    CHECK_MEM(s1, s2, n1);
    test_ctx_free(&t);
}

static void
test_compare_errors(void)
{
    uint8_t a[1][32], b[1][32], c[1][32];
    memset(a, 0x11, sizeof a);
    memset(b, 0x22, sizeof b);
    memset(c, 0x33, sizeof c);
    struct e2e_signal_fp_party pa, pb, pc, pb2;
    party(&pa, (const uint8_t(*)[32])a, 1, "alice");
    party(&pb, (const uint8_t(*)[32])b, 1, "bob");
    party(&pc, (const uint8_t(*)[32])c, 1, "bob");
    party(&pb2, (const uint8_t(*)[32])b, 1, "mallory");
    char d[61];
    uint8_t ab0[300], ba0[300], ab1[300], ca1[300], ba0x[300];
    size_t n_ab0, n_ba0, n_ab1, n_ca1, n_ba0x;
    CHECK_OK(e2e_signal_fingerprint(d, ab0, sizeof ab0, &n_ab0, 0, 10, &pa, &pb));
    CHECK_OK(e2e_signal_fingerprint(d, ba0, sizeof ba0, &n_ba0, 0, 10, &pb, &pa));
    CHECK_OK(e2e_signal_fingerprint(d, ab1, sizeof ab1, &n_ab1, 1, 10, &pa, &pb));
    CHECK_OK(e2e_signal_fingerprint(d, ca1, sizeof ca1, &n_ca1, 1, 10, &pc, &pa));
    CHECK_OK(e2e_signal_fingerprint(d, ba0x, sizeof ba0x, &n_ba0x, 0, 10, &pb2, &pa));
    struct e2e_report why;
    CHECK_OK(e2e_signal_fingerprint_compare(ab0, n_ab0, ba0, n_ba0, &why));
    CHECK_ERR(e2e_signal_fingerprint_compare(ab1, n_ab1, ba0, n_ba0, &why), E2E_ERR_UNSUPPORTED);
    CHECK(strcmp(why.check, "version") == 0);
    CHECK_ERR(e2e_signal_fingerprint_compare(ab1, n_ab1, ca1, n_ca1, &why), E2E_ERR_VERIFY);
    CHECK(strcmp(why.check, "fingerprint") == 0);
    CHECK_ERR(e2e_signal_fingerprint_compare(ab0, n_ab0, ba0x, n_ba0x, &why), E2E_ERR_VERIFY);
    CHECK(strcmp(why.check, "identifier") == 0);
    static const uint8_t junk[] = {0xFF, 0xFF, 0x01};
    CHECK_ERR(e2e_signal_fingerprint_compare(ab0, n_ab0, junk, sizeof junk, &why),
              E2E_ERR_MALFORMED);
    /* libsignal-protocol-c reaches the same verdicts on the same bytes */
    scannable_fingerprint *x = NULL, *y = NULL, *z = NULL;
    CHECK_EQ(scannable_fingerprint_deserialize(&x, ab1, n_ab1, peer->ctx), 0);
    CHECK_EQ(scannable_fingerprint_deserialize(&y, ca1, n_ca1, peer->ctx), 0);
    CHECK_EQ(scannable_fingerprint_deserialize(&z, ba0, n_ba0, peer->ctx), 0);
    CHECK_EQ(scannable_fingerprint_compare(x, y), 0);
    CHECK_EQ(scannable_fingerprint_compare(x, z), SG_ERR_FP_VERSION_MISMATCH);
    SIGNAL_UNREF(x);
    SIGNAL_UNREF(y);
    SIGNAL_UNREF(z);
}

static void
test_arguments(void)
{
    uint8_t a[1][32] = {{1}};
    struct e2e_signal_fp_party p, bad;
    party(&p, (const uint8_t(*)[32])a, 1, "id");
    char d[61];
    uint8_t s[8];
    size_t n;
    bad = p;
    bad.n_keys = 0;
    CHECK_ERR(e2e_signal_fingerprint(d, NULL, 0, NULL, 1, 5200, &bad, &p), E2E_ERR_INVALID);
    bad.n_keys = E2E_SIGNAL_FP_MAX_KEYS + 1;
    CHECK_ERR(e2e_signal_fingerprint(d, NULL, 0, NULL, 1, 5200, &p, &bad), E2E_ERR_INVALID);
    CHECK_ERR(e2e_signal_fingerprint(d, NULL, 0, NULL, 3, 5200, &p, &p), E2E_ERR_INVALID);
    CHECK_ERR(e2e_signal_fingerprint(d, NULL, 0, NULL, 1, 0, &p, &p), E2E_ERR_INVALID);
    CHECK_ERR(e2e_signal_fingerprint(d, s, sizeof s, &n, 1, 10, &p, &p), E2E_ERR_BUFFER);
    CHECK_OK(e2e_signal_fingerprint(d, NULL, 0, NULL, 1, 10, &p, &p));
}

int
main(void)
{
    peer = sc_party_new(1);
    RUN(test_reference_identities);
    RUN(test_list_vector);
    RUN(test_key_lists);
    RUN(test_compare_errors);
    RUN(test_arguments);
    sc_party_free(peer);
    return test_finish();
}
