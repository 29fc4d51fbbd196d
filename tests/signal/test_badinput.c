/*
 * Bad input of every kind: each sample message tampered at every byte position (three
 * different changes per byte), truncated at every length, replayed, delivered to the wrong
 * session, and random bytes; then the same for PreKeySignalMessages, sender-key messages,
 * distribution messages and the blobs. Every failure must carry its specific error and check,
 * and leave every object exactly as it was (serialized before and after, compared); nothing
 * tampered may ever decrypt.
 */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/signal.h>

#include "pair.h"
#include "codec/pb.h"
#include "signal/wire.h"
#include "test.h"

static uint64_t seed = 0x243F6A8885A308D3ull;

static uint32_t
rnd(void)
{
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(seed >> 33);
}

/* The error a failure must carry, per check name. */
static int
consistent(const struct e2e_report *why, int rc)
{
    static const struct {
        const char *check;
        int err;
    } map[] = {
        {"malformed", E2E_ERR_MALFORMED},
        {"version", E2E_ERR_UNSUPPORTED},
        {"mac", E2E_ERR_AUTH},
        {"duplicate", E2E_ERR_DUPLICATE},
        {"too_far", E2E_ERR_TOO_FAR},
        {"weak_key", E2E_ERR_WEAK_KEY},
        {"ratchet_key", E2E_ERR_WEAK_KEY},
        {"no_session", E2E_ERR_NO_SESSION},
        {"signature", E2E_ERR_AUTH},
        {"padding", E2E_ERR_MALFORMED},
        {"untrusted_identity", E2E_ERR_UNTRUSTED},
        {"signed_prekey", E2E_ERR_NOT_FOUND},
        {"one_time_prekey", E2E_ERR_NOT_FOUND},
        {"magic", E2E_ERR_MALFORMED},
    };
    if (!why->check || why->err != rc)
        return 0;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(why->check, map[i].check) == 0)
            return map[i].err == rc;
    return 0;
}

/* Decrypts a bad SignalMessage at b; checks failure, consistency, no change. Returns rc. */
static int
expect_reject(struct us *b, int type, const uint8_t *msg, size_t n, const char *what, size_t at)
{
    struct snap s0, s1, p0, p1;
    struct e2e_report why;
    snap_session(&s0, b->s);
    snap_prekeys(&p0, b->pk);
    int rc = us_decrypt(b, type, msg, n, NULL, 0, &why);
    snap_session(&s1, b->s);
    snap_prekeys(&p1, b->pk);
    test_checks_ += 3;
    if (rc == E2E_OK)
        test_fail_(__FILE__, __LINE__, "%s at %zu decrypted", what, at);
    else if (!consistent(&why, rc))
        test_fail_(__FILE__, __LINE__, "%s at %zu: %s with check %s", what, at, e2e_err_name(rc),
                   why.check ? why.check : "(none)");
    if (!snap_same(&s0, &s1) || !snap_same(&p0, &p1))
        test_fail_(__FILE__, __LINE__, "%s at %zu changed the state", what, at);
    snap_free(&s0);
    snap_free(&s1);
    snap_free(&p0);
    snap_free(&p1);
    return rc;
}

/* Every byte x3 and every length of one message; the error expected by region. */
static void
tamper_all(struct us *b, int type, const uint8_t *msg, size_t n, size_t mac_from, const char *what)
{
    uint8_t *m = malloc(n);
    static const uint8_t flips[] = {0x01, 0x80, 0xFF};
    for (size_t i = 0; i < n; i++) {
        for (size_t f = 0; f < sizeof flips; f++) {
            memcpy(m, msg, n);
            m[i] ^= flips[f];
            int rc = expect_reject(b, type, m, n, what, i);
            if (i == 0 && flips[f] != 0x01)
                CHECK_EQ(rc, E2E_ERR_UNSUPPORTED); /* the version nibble */
            if (i >= mac_from)
                CHECK_EQ(rc, E2E_ERR_AUTH); /* MAC and ciphertext bytes */
        }
    }
    for (size_t len = 0; len < n; len++)
        expect_reject(b, type, msg, len, what, len);
    free(m);
}

static void
test_signal_message(void)
{
    struct us a, b;
    us_init(&a, 1);
    us_init(&b, 2);
    pair_setup(&a, &b, 1, 1);
    uint8_t msg[256];
    int type;
    size_t n = us_encrypt(&a, "tamper me, every byte", 21, msg, sizeof msg, &type);
    struct e2e__parsed_msg pm;
    CHECK_OK(e2e__wire_parse_signal(&pm, msg, n, NULL));
    tamper_all(&b, type, msg, n, (size_t)(pm.ciphertext - msg), "SignalMessage");
    /* the intact message still decrypts after all that, once */
    CHECK_OK(us_decrypt(&b, type, msg, n, "tamper me, every byte", 21, NULL));
    expect_reject(&b, type, msg, n, "replay", 0);
    us_free(&a);
    us_free(&b);
}

/* A message starting a new chain (the DH-ratchet path) tampered the same way. */
static void
test_new_chain_message(void)
{
    struct us a, b;
    us_init(&a, 3);
    us_init(&b, 4);
    pair_setup(&a, &b, 1, 1);
    CHECK_OK(us_send(&b, &a, "turn", 4));
    uint8_t msg[256];
    int type;
    size_t n = us_encrypt(&a, "new ratchet key", 15, msg, sizeof msg, &type);
    struct e2e__parsed_msg pm;
    CHECK_OK(e2e__wire_parse_signal(&pm, msg, n, NULL));
    tamper_all(&b, type, msg, n, (size_t)(pm.ciphertext - msg), "new-chain SignalMessage");
    CHECK_OK(us_decrypt(&b, type, msg, n, "new ratchet key", 15, NULL));
    us_free(&a);
    us_free(&b);
}

/* Puts Bob back as he was (after a malleable PreKeySignalMessage was accepted). */
static void
restore(struct us *b, const struct snap *s, const struct snap *p)
{
    e2e_signal_session_free(b->s);
    e2e_signal_prekeys_free(b->pk);
    CHECK_OK(e2e_signal_session_parse(&b->s, s->p, s->n, NULL));
    CHECK_OK(e2e_signal_prekeys_parse(&b->pk, p->p, p->n, NULL));
}

/*
 * A PreKeySignalMessage is authenticated only through its inner SignalMessage and the keys
 * that X3DH binds. Two parts are not, in libsignal-protocol-c as here: the low nibble of the
 * outer version byte (the sender's highest version, informational) and registrationId. A
 * change there may decrypt, with no effect on keys or plaintext; every other change must fail.
 * (The top bit of the base key, ignored by X25519, would be a third: keys with it set are
 * refused as non-canonical, so a flipped copy cannot pass for a new session.)
 */
static void
test_prekey_message(void)
{
    struct us a, b;
    us_init(&a, 5);
    us_init(&b, 6);
    pair_setup(&a, &b, 1, 0);
    uint8_t msg[512];
    int type;
    size_t n = us_encrypt(&a, "first", 5, msg, sizeof msg, &type);
    CHECK_EQ(type, E2E_SIGNAL_MSG_PREKEY);
    struct e2e__parsed_prekey pp;
    CHECK_OK(e2e__wire_parse_prekey(&pp, msg, n, NULL));
    size_t ct_at = (size_t)(pp.inner.ciphertext - msg);
    size_t reg_at = (size_t)(pp.inner.data - msg) + pp.inner.len; /* registrationId follows */
    size_t reg_end = reg_at + 1 + e2e__pb_varint_len(pp.h.registration_id);
    CHECK_EQ(msg[reg_at], 0x28);
    struct snap s0, p0;
    snap_session(&s0, b.s);
    snap_prekeys(&p0, b.pk);
    uint8_t *m = malloc(n);
    static const uint8_t flips[] = {0x01, 0x10, 0x80, 0xFF};
    unsigned accepted = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t f = 0; f < sizeof flips; f++) {
            memcpy(m, msg, n);
            m[i] ^= flips[f];
            int malleable = (i == 0 && flips[f] == 0x01) || (i >= reg_at && i < reg_end);
            if (malleable) {
                int rc = us_decrypt(&b, type, m, n, "first", 5, NULL);
                if (rc == E2E_OK) {
                    accepted++;
                    restore(&b, &s0, &p0);
                }
                continue;
            }
            int rc = expect_reject(&b, type, m, n, "PreKeySignalMessage", i);
            if (i >= ct_at && i < reg_at)
                CHECK_EQ(rc, E2E_ERR_AUTH);
        }
    }
    CHECK(accepted >= 2); /* the version nibble and the registration id value at least */
    for (size_t len = 0; len < n; len++)
        expect_reject(&b, type, msg, len, "PreKeySignalMessage", len);
    free(m);
    snap_free(&s0);
    snap_free(&p0);
    CHECK_OK(us_decrypt(&b, type, msg, n, "first", 5, NULL));
    us_free(&a);
    us_free(&b);
}

static void
test_wrong_session_and_random(void)
{
    struct us a, b, c, d;
    us_init(&a, 7);
    us_init(&b, 8);
    us_init(&c, 9);
    us_init(&d, 10);
    pair_setup(&a, &b, 1, 1);
    pair_setup(&c, &d, 1, 1);
    for (int i = 0; i < 5; i++) { /* archived states at b, to be tried and refused too */
        struct e2e_signal_bundle bundle;
        struct e2e_report why;
        us_bundle(&a, (size_t)i + 1, &bundle);
        CHECK_OK(e2e_signal_session_init_alice(b.s, b.t.ctx, &b.id, &bundle, NULL, NULL, &why));
    }
    uint8_t msg[256];
    int type;
    size_t n = us_encrypt(&c, "for d", 5, msg, sizeof msg, &type);
    struct e2e_report why;
    CHECK_EQ(expect_reject(&b, type, msg, n, "wrong session", 0), E2E_ERR_AUTH);
    CHECK_ERR(us_decrypt(&b, type, msg, n, NULL, 0, &why), E2E_ERR_AUTH);
    CHECK_EQ(why.tried, 6); /* the current state and 5 archived ones */
    uint8_t junk[300];
    for (int k = 0; k < 3000; k++) {
        size_t len = rnd() % sizeof junk;
        for (size_t i = 0; i < len; i++)
            junk[i] = (uint8_t)rnd();
        if (k % 2 && len)
            junk[0] = 0x33; /* past the version check */
        expect_reject(&b, k % 3 ? E2E_SIGNAL_MSG_WHISPER : E2E_SIGNAL_MSG_PREKEY, junk, len,
                      "random", (size_t)k);
    }
    us_free(&a);
    us_free(&b);
    us_free(&c);
    us_free(&d);
}

/* ---- sender keys --------------------------------------------------------------------------------
 */

static int
group_reject(e2e_signal_group *g, const uint8_t *m, size_t n, const char *what, size_t at)
{
    struct snap s0, s1;
    struct e2e_report why;
    uint8_t pt[512];
    size_t got;
    snap_group(&s0, g);
    int rc = e2e_signal_group_decrypt(g, NULL, m, n, pt, sizeof pt, &got, &why);
    snap_group(&s1, g);
    test_checks_ += 3;
    if (rc == E2E_OK)
        test_fail_(__FILE__, __LINE__, "%s at %zu decrypted", what, at);
    else if (!consistent(&why, rc))
        test_fail_(__FILE__, __LINE__, "%s at %zu: %s check %s", what, at, e2e_err_name(rc),
                   why.check ? why.check : "(none)");
    if (!snap_same(&s0, &s1))
        test_fail_(__FILE__, __LINE__, "%s at %zu changed the state", what, at);
    snap_free(&s0);
    snap_free(&s1);
    return rc;
}

static void
test_group_messages(void)
{
    struct test_ctx t;
    test_ctx_new(&t, 11);
    e2e_signal_group *mine, *theirs, *other;
    uint8_t skdm[E2E_SIGNAL_DISTRIBUTION_MAX], msg[256], pt[256];
    size_t sn, n, got;
    struct e2e_report why;
    CHECK_OK(e2e_signal_group_new(&mine));
    CHECK_OK(e2e_signal_group_new(&theirs));
    CHECK_OK(e2e_signal_group_new(&other));
    CHECK_OK(e2e_signal_group_create_distribution(mine, t.ctx, skdm, sizeof skdm, &sn));
    CHECK_OK(e2e_signal_group_process_distribution(theirs, skdm, sn, &why));
    CHECK_OK(
        e2e_signal_group_encrypt(mine, t.ctx, (const uint8_t *)"to all", 6, msg, sizeof msg, &n));
    uint8_t *m = malloc(n);
    for (size_t i = 0; i < n; i++) {
        static const uint8_t flips[] = {0x01, 0x80, 0xFF};
        for (size_t f = 0; f < sizeof flips; f++) {
            memcpy(m, msg, n);
            m[i] ^= flips[f];
            int rc = group_reject(theirs, m, n, "SenderKeyMessage", i);
            if (i >= n - 64)
                CHECK_EQ(rc, E2E_ERR_AUTH); /* the signature */
        }
    }
    for (size_t len = 0; len < n; len++)
        group_reject(theirs, msg, len, "SenderKeyMessage", len);
    free(m);
    CHECK_ERR(group_reject(other, msg, n, "no state", 0), E2E_ERR_NO_SESSION);
    CHECK_OK(e2e_signal_group_decrypt(theirs, t.ctx, msg, n, pt, sizeof pt, &got, &why));
    CHECK_EQ(group_reject(theirs, msg, n, "replay", 0), E2E_ERR_DUPLICATE);
    /* distribution messages: tampered, truncated, every byte; the record never changes */
    struct snap s0, s1;
    snap_group(&s0, other);
    for (size_t i = 0; i < sn; i++) {
        uint8_t bad[E2E_SIGNAL_DISTRIBUTION_MAX];
        memcpy(bad, skdm, sn);
        bad[i] ^= 0x80;
        int rc = e2e_signal_group_process_distribution(other, bad, sn, &why);
        if (rc != E2E_OK) {
            CHECK(consistent(&why, rc));
        } else { /* a flipped key or chain byte parses: it is a different, valid key */
            e2e_signal_group_free(other);
            CHECK_OK(e2e_signal_group_new(&other));
        }
        CHECK(e2e_signal_group_process_distribution(other, skdm, i, &why) != E2E_OK);
        snap_group(&s1, other);
        CHECK(snap_same(&s0, &s1));
        snap_free(&s1);
    }
    snap_free(&s0);
    e2e_signal_group_free(mine);
    e2e_signal_group_free(theirs);
    e2e_signal_group_free(other);
    test_ctx_free(&t);
}

/* ---- blobs --------------------------------------------------------------------------------------
 */

static void
test_blobs(void)
{
    struct us a, b;
    us_init(&a, 12);
    us_init(&b, 13);
    pair_setup(&a, &b, 1, 1);
    uint8_t m[128];
    int type;
    for (int i = 0; i < 3; i++)
        us_encrypt(&a, "s", 1, m, sizeof m, &type);
    CHECK_OK(us_send(&a, &b, "gap", 3)); /* 3 skipped keys in the blob */
    struct snap s;
    snap_session(&s, b.s);
    uint8_t *bad = malloc(s.n);
    struct e2e_report why;
    e2e_signal_session *x;
    for (size_t i = 0; i < s.n; i++) {
        memcpy(bad, s.p, s.n);
        bad[i] ^= 0xFF;
        int rc = e2e_signal_session_parse(&x, bad, s.n, &why);
        if (rc == E2E_OK)
            e2e_signal_session_free(x); /* a key byte: still a well-formed blob */
        else
            CHECK(why.check != NULL && why.err == rc);
    }
    for (size_t len = 0; len < s.n; len++) {
        x = NULL;
        CHECK(e2e_signal_session_parse(&x, s.p, len, &why) != E2E_OK);
        CHECK(x == NULL);
    }
    free(bad);
    snap_free(&s);
    snap_prekeys(&s, b.pk);
    e2e_signal_prekeys *pk;
    for (size_t len = 0; len < s.n; len++)
        CHECK(e2e_signal_prekeys_parse(&pk, s.p, len, &why) != E2E_OK);
    CHECK_OK(e2e_signal_prekeys_parse(&pk, s.p, s.n, &why));
    e2e_signal_prekeys_free(pk);
    snap_free(&s);
    us_free(&a);
    us_free(&b);
}

int
main(void)
{
    RUN(test_signal_message);
    RUN(test_new_chain_message);
    RUN(test_prekey_message);
    RUN(test_wrong_session_and_random);
    RUN(test_group_messages);
    RUN(test_blobs);
    return test_finish();
}
