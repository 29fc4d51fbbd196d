/*
 * The prekey store: consecutive 24-bit ids with libsignal's wrap, import and removal, signed
 * prekey rotation with ages and expiry (never the current one), bundles that verify, the blob
 * round trip, and the identity and signed-prekey helpers.
 */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/crypto.h>
#include <e2ekit/signal.h>

#include "pair.h"
#include "test.h"

static void
test_one_time_ids(void)
{
    struct test_ctx t;
    test_ctx_new(&t, 1);
    e2e_signal_prekeys *pk;
    CHECK_OK(e2e_signal_prekeys_new(&pk));
    uint32_t first = 0, ids[8];
    CHECK_OK(e2e_signal_prekeys_generate(pk, t.ctx, 5, &first));
    CHECK_EQ(first, 1);
    CHECK_EQ(e2e_signal_prekeys_ids(pk, ids, 8), 5);
    for (uint32_t i = 0; i < 5; i++)
        CHECK_EQ(ids[i], i + 1);
    CHECK_OK(e2e_signal_prekeys_remove(pk, 3));
    CHECK_ERR(e2e_signal_prekeys_remove(pk, 3), E2E_ERR_NOT_FOUND);
    CHECK_EQ(e2e_signal_prekeys_count(pk), 4);
    struct e2e_signal_prekey k;
    CHECK_ERR(e2e_signal_prekeys_get(pk, 3, &k), E2E_ERR_NOT_FOUND);
    CHECK_OK(e2e_signal_prekeys_get(pk, 4, &k));
    uint8_t pub[32];
    e2e_x25519_public(pub, k.key.priv);
    CHECK_MEM(pub, k.key.pub, 32);
    /* near the top of the 24-bit range ids wrap to 1, skipping 0 and 0xFFFFFF */
    struct e2e_signal_prekey high = {0xFFFFFD, {{0}, {0}}};
    CHECK_OK(e2e_signal_keypair_generate(&high.key, t.ctx));
    CHECK_OK(e2e_signal_prekeys_add(pk, &high));
    struct snap s;
    snap_prekeys(&s, pk);
    /* the blob remembers the last id issued (5): set it to 0xFFFFFD by hand-editing the blob */
    s.p[6] = 0x00;
    s.p[7] = 0xFF;
    s.p[8] = 0xFF;
    s.p[9] = 0xFD;
    e2e_signal_prekeys *pk2;
    CHECK_OK(e2e_signal_prekeys_parse(&pk2, s.p, s.n, NULL));
    CHECK_OK(e2e_signal_prekeys_generate(pk2, t.ctx, 3, &first));
    CHECK_EQ(first, 0xFFFFFE);
    size_t n = e2e_signal_prekeys_ids(pk2, ids, 8);
    CHECK_EQ(ids[n - 2], 1);
    CHECK_EQ(ids[n - 1], 2);
    CHECK_ERR(e2e_signal_prekeys_get(pk2, 0xFFFFFF, &k), E2E_ERR_NOT_FOUND);
    struct e2e_signal_prekey bad = {0, {{0}, {0}}};
    CHECK_ERR(e2e_signal_prekeys_add(pk2, &bad), E2E_ERR_INVALID);
    bad.id = 0x1000000;
    CHECK_ERR(e2e_signal_prekeys_add(pk2, &bad), E2E_ERR_INVALID);
    snap_free(&s);
    e2e_signal_prekeys_free(pk);
    e2e_signal_prekeys_free(pk2);
    test_ctx_free(&t);
}

static void
test_signed_rotation(void)
{
    struct test_ctx t;
    test_ctx_new(&t, 2);
    struct e2e_signal_identity id;
    CHECK_OK(e2e_signal_identity_generate(&id, t.ctx));
    CHECK(id.registration_id >= 1 && id.registration_id <= 16380);
    e2e_signal_prekeys *pk;
    CHECK_OK(e2e_signal_prekeys_new(&pk));
    struct e2e_signal_signed_prekey cur;
    CHECK_ERR(e2e_signal_prekeys_signed_current(pk, &cur), E2E_ERR_NOT_FOUND);
    uint32_t spk_id;
    for (int day = 0; day < 4; day++) {
        CHECK_OK(e2e_signal_prekeys_rotate_signed(pk, &id, t.ctx, &spk_id));
        CHECK_EQ(spk_id, (uint32_t)day + 1);
        t.now_ms += 86400000ull; /* a day later */
    }
    CHECK_EQ(e2e_signal_prekeys_signed_count(pk), 4);
    CHECK_OK(e2e_signal_prekeys_signed_current(pk, &cur));
    CHECK_EQ(cur.id, 4);
    CHECK_EQ(t.now_ms - cur.created_ms, 86400000ull); /* its age */
    /* expire what is older than two days: ids 1 and 2 */
    CHECK_EQ(e2e_signal_prekeys_signed_expire(pk, t.now_ms - 2 * 86400000ull), 2);
    CHECK_EQ(e2e_signal_prekeys_signed_count(pk), 2);
    CHECK_ERR(e2e_signal_prekeys_signed_get(pk, 2, &cur), E2E_ERR_NOT_FOUND);
    CHECK_OK(e2e_signal_prekeys_signed_get(pk, 3, &cur));
    /* the current one stays, however old */
    CHECK_EQ(e2e_signal_prekeys_signed_expire(pk, t.now_ms + 1), 1);
    CHECK_OK(e2e_signal_prekeys_signed_current(pk, &cur));
    CHECK_EQ(cur.id, 4);
    /* its bundle verifies; the signature covers the 33-byte serialized key */
    CHECK_OK(e2e_signal_prekeys_generate(pk, t.ctx, 2, NULL));
    struct e2e_signal_bundle b;
    CHECK_OK(e2e_signal_prekeys_bundle(pk, &id, 7, 1, &b));
    CHECK_EQ(b.device_id, 7);
    CHECK_EQ(b.registration_id, id.registration_id);
    CHECK_EQ(b.has_one_time_prekey, 1);
    CHECK_OK(e2e_signal_bundle_verify(&b, NULL, NULL));
    uint8_t enc[33];
    e2e_signal_pubkey_encode(enc, b.signed_prekey);
    CHECK_OK(e2e_signal_verify(id.key.pub, enc, 33, b.signed_prekey_signature));
    CHECK_ERR(e2e_signal_verify(id.key.pub, enc + 1, 32, b.signed_prekey_signature), E2E_ERR_AUTH);
    CHECK_ERR(e2e_signal_prekeys_bundle(pk, &id, 7, 99, &b), E2E_ERR_NOT_FOUND);
    /* round trip */
    struct snap s0, s1;
    snap_prekeys(&s0, pk);
    e2e_signal_prekeys *copy;
    CHECK_OK(e2e_signal_prekeys_parse(&copy, s0.p, s0.n, NULL));
    snap_prekeys(&s1, copy);
    CHECK(snap_same(&s0, &s1));
    snap_free(&s0);
    snap_free(&s1);
    e2e_signal_prekeys_free(copy);
    e2e_signal_prekeys_free(pk);
    test_ctx_free(&t);
}

static void
test_identity_and_keys(void)
{
    struct test_ctx t;
    test_ctx_new(&t, 3);
    struct e2e_signal_identity a, b;
    CHECK_OK(e2e_signal_identity_generate(&a, t.ctx));
    e2e_signal_identity_from_private(&b, a.key.priv, a.registration_id);
    CHECK_MEM(&a, &b, sizeof a); /* rebuilt from what a caller persists */
    uint8_t enc[33], dec[32];
    e2e_signal_pubkey_encode(enc, a.key.pub);
    CHECK_EQ(enc[0], 0x05);
    CHECK_OK(e2e_signal_pubkey_decode(dec, enc, 33));
    CHECK_MEM(dec, a.key.pub, 32);
    CHECK_ERR(e2e_signal_pubkey_decode(dec, enc, 32), E2E_ERR_MALFORMED);
    enc[0] = 0x06;
    CHECK_ERR(e2e_signal_pubkey_decode(dec, enc, 33), E2E_ERR_MALFORMED);
    enc[0] = 0x05;
    enc[32] |= 0x80; /* top bit: not canonical */
    CHECK_ERR(e2e_signal_pubkey_decode(dec, enc, 33), E2E_ERR_MALFORMED);
    memset(enc + 1, 0xFF, 32); /* 2^255 - 1 >= p */
    enc[32] = 0x7F;
    CHECK_ERR(e2e_signal_pubkey_decode(dec, enc, 33), E2E_ERR_MALFORMED);
    enc[1] = 0xEC; /* p - 1: canonical */
    CHECK_OK(e2e_signal_pubkey_decode(dec, enc, 33));
    /* signatures by a key pair verify with its public key */
    uint8_t sig[64];
    CHECK_OK(e2e_signal_sign(sig, &a.key, (const uint8_t *)"msg", 3, t.ctx));
    CHECK_OK(e2e_signal_verify(a.key.pub, (const uint8_t *)"msg", 3, sig));
    sig[10] ^= 1;
    CHECK_ERR(e2e_signal_verify(a.key.pub, (const uint8_t *)"msg", 3, sig), E2E_ERR_AUTH);
    struct e2e_signal_signed_prekey spk;
    CHECK_OK(e2e_signal_signed_prekey_generate(&spk, &a, 42, t.ctx));
    CHECK_EQ(spk.id, 42);
    CHECK_EQ(spk.created_ms, t.now_ms);
    test_ctx_free(&t);
}

static void
test_blob_errors(void)
{
    e2e_signal_prekeys *pk;
    struct e2e_report why;
    static const uint8_t wrong_magic[] = {'X', '2', 'P', 'K', 0, 1};
    static const uint8_t wrong_fmt[] = {'E', '2', 'P', 'K', 0, 9, 0, 0, 0, 0};
    CHECK_ERR(e2e_signal_prekeys_parse(&pk, wrong_magic, sizeof wrong_magic, &why),
              E2E_ERR_MALFORMED);
    CHECK(strcmp(why.check, "magic") == 0);
    CHECK_ERR(e2e_signal_prekeys_parse(&pk, wrong_fmt, sizeof wrong_fmt, &why),
              E2E_ERR_UNSUPPORTED);
    CHECK(strcmp(why.check, "version") == 0);
    /* a count larger than the bytes behind it */
    static const uint8_t big[] = {'E', '2', 'P', 'K', 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9};
    CHECK_ERR(e2e_signal_prekeys_parse(&pk, big, sizeof big, &why), E2E_ERR_MALFORMED);
}

int
main(void)
{
    RUN(test_one_time_ids);
    RUN(test_signed_rotation);
    RUN(test_identity_and_keys);
    RUN(test_blob_errors);
    return test_finish();
}
