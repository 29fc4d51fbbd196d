/* Viber authentication string and trust locks; the state objects' blobs (device, PreKey pool,
 * trust store); the relay's PreKey stock. */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/viber.h>

#include "test.h"
#include "vbworld.h"

static void
test_auth_string(void)
{
    struct vbw w;
    vbw_init(&w, 61);
    int a = vbw_primary(&w, "alice-phone", 0), b = vbw_primary(&w, "bob-phone", 0);
    int a2 = vbw_secondary(&w, "alice-pc", a, 0);
    uint8_t ida[32], idb[32], priv[32];
    vbw_id(&w, a, ida);
    vbw_id(&w, b, idb);
    char sa[49], sb[49], sa2[49], grouped[60];
    CHECK_OK(e2e_viber_device_auth_string(w.dev[a].d, sa, idb));
    CHECK_OK(e2e_viber_device_auth_string(w.dev[b].d, sb, ida));
    CHECK_OK(e2e_viber_device_auth_string(w.dev[a2].d, sa2, idb));
    CHECK(strcmp(sa, sb) == 0 && strcmp(sa, sa2) == 0);
    CHECK_EQ(strlen(sa), 48);
    CHECK_EQ(strspn(sa, "0123456789"), 48);
    /* the formula, by hand: SHA256(DH), four 40-bit numbers mod 10^12 */
    uint8_t dh[32], h[32];
    CHECK_OK(e2e_viber_device_identity_private(w.dev[a].d, priv));
    CHECK_OK(e2e_x25519_shared(dh, priv, idb));
    e2e_sha256(h, dh, 32);
    char want[49];
    for (int i = 0; i < 4; i++) {
        unsigned long long v = 0;
        for (int k = 0; k < 5; k++)
            v = v * 256 + h[5 * i + k];
        snprintf(want + 12 * i, 13, "%012llu", v % 1000000000000ull);
    }
    CHECK(strcmp(want, sa) == 0);
    e2e_viber_auth_string_groups(grouped, sa);
    CHECK_EQ(strlen(grouped), 59);
    CHECK(grouped[4] == ' ' && grouped[54] == ' ' && memcmp(grouped, sa, 4) == 0);
    /* a man in the middle with his own key gives each side a different string */
    uint8_t mitm[32] = {9};
    char s_mitm[49];
    CHECK_OK(e2e_viber_auth_string(s_mitm, priv, mitm));
    CHECK(strcmp(s_mitm, sa) != 0);
    /* a small-order peer key is refused */
    uint8_t zero[32] = {0};
    CHECK_ERR(e2e_viber_auth_string(s_mitm, priv, zero), E2E_ERR_WEAK_KEY);
    e2e_wipe(priv, sizeof priv);
    vbw_free(&w);
}

static void
test_trust_locks(void)
{
    e2e_viber_trust *t = NULL;
    uint8_t k1[32], k2[32], got[32];
    memset(k1, 1, 32);
    memset(k2, 2, 32);
    CHECK_OK(e2e_viber_trust_new(&t));
    CHECK_ERR(e2e_viber_trust_lock(t, "+4915100000001"), E2E_ERR_NOT_FOUND);
    CHECK_EQ(e2e_viber_trust_observe(t, "+4915100000001", k1), E2E_VIBER_LOCK_GREY);
    CHECK_ERR(e2e_viber_trust_verified(t, "+4915100000001", k2), E2E_ERR_STATE);
    CHECK_OK(e2e_viber_trust_verified(t, "+4915100000001", k1));
    CHECK_EQ(e2e_viber_trust_lock(t, "+4915100000001"), E2E_VIBER_LOCK_GREEN);
    /* the same key seen again (from another device of the account): still green */
    CHECK_EQ(e2e_viber_trust_observe(t, "+4915100000001", k1), E2E_VIBER_LOCK_GREEN);
    /* the key changes: red, for every device of the account */
    CHECK_EQ(e2e_viber_trust_observe(t, "+4915100000001", k2), E2E_VIBER_LOCK_RED);
    CHECK_OK(e2e_viber_trust_identity(t, "+4915100000001", got));
    CHECK_MEM(got, k2, 32);
    CHECK_EQ(e2e_viber_trust_observe(t, "+4915100000001", k1), E2E_VIBER_LOCK_RED);
    CHECK_OK(e2e_viber_trust_accept(t, "+4915100000001"));
    CHECK_EQ(e2e_viber_trust_lock(t, "+4915100000001"), E2E_VIBER_LOCK_GREY);
    CHECK_ERR(e2e_viber_trust_accept(t, "+4915100000001"), E2E_ERR_STATE);
    /* an unverified account changing key stays grey */
    CHECK_EQ(e2e_viber_trust_observe(t, "+4915100000002", k1), E2E_VIBER_LOCK_GREY);
    CHECK_EQ(e2e_viber_trust_observe(t, "+4915100000002", k2), E2E_VIBER_LOCK_GREY);
    CHECK_ERR(e2e_viber_trust_observe(t, "", k1), E2E_ERR_INVALID);
    CHECK_ERR(e2e_viber_trust_observe(t, "012345678901234567890123456789012", k1), E2E_ERR_INVALID);
    CHECK(strcmp(e2e_viber_lock_name(E2E_VIBER_LOCK_RED), "red") == 0);

    size_t len, len2;
    CHECK_ERR(e2e_viber_trust_serialize(t, NULL, 0, &len), E2E_ERR_BUFFER);
    uint8_t *blob = malloc(len), *blob2 = malloc(len);
    CHECK_OK(e2e_viber_trust_serialize(t, blob, len, &len));
    e2e_viber_trust *u = NULL;
    CHECK_OK(e2e_viber_trust_parse(&u, blob, len, NULL));
    CHECK_OK(e2e_viber_trust_serialize(u, blob2, len, &len2));
    CHECK(len == len2 && memcmp(blob, blob2, len) == 0);
    CHECK_EQ(e2e_viber_trust_lock(u, "+4915100000001"), E2E_VIBER_LOCK_GREY);
    for (size_t cut = 0; cut < len; cut++) {
        e2e_viber_trust *x = NULL;
        CHECK_ERR(e2e_viber_trust_parse(&x, blob, cut, NULL), E2E_ERR_MALFORMED);
        CHECK(x == NULL);
    }
    blob[len - 1] = 3; /* no such lock */
    e2e_viber_trust *bad = NULL;
    CHECK_ERR(e2e_viber_trust_parse(&bad, blob, len, NULL), E2E_ERR_MALFORMED);
    free(blob);
    free(blob2);
    e2e_viber_trust_free(u);
    e2e_viber_trust_free(t);
}

/* The lock follows the ID key a session start shows: bob re-installs, his new key turns the
 * trusted account red, and a message from the old-key session is refused as untrusted. */
static void
test_key_change_turns_red(void)
{
    struct vbw w;
    uint8_t m[2048], pt[2048], idb[32], idb2[32];
    size_t len, covered, n;
    vbw_init(&w, 62);
    int a = vbw_primary(&w, "alice-phone", 4), b = vbw_primary(&w, "bob-phone", 4);
    e2e_viber_trust *t = NULL;
    CHECK_OK(e2e_viber_trust_new(&t));
    vbw_id(&w, b, idb);
    CHECK_EQ(e2e_viber_trust_observe(t, "bob", idb), E2E_VIBER_LOCK_GREY);
    CHECK_OK(e2e_viber_trust_verified(t, "bob", idb)); /* the 48 digits matched */
    CHECK_OK(vbw_connect(&w, b, a));
    CHECK_OK(vbw_send(&w, b, &a, 1, (const uint8_t *)"hi", 2, m, sizeof m, &len, &covered));
    CHECK_OK(vbw_recv(&w, a, b, m, len, pt, sizeof pt, &n, NULL));
    /* bob re-installs: a new primary device, a new ID key */
    uint8_t udid[16];
    vbw_udid(udid, "bob-phone");
    e2e_viber_device_free(w.dev[b].d);
    CHECK_OK(e2e_viber_device_new_primary(&w.dev[b].d, w.ctx, udid));
    vbw_id(&w, b, idb2);
    CHECK_EQ(e2e_viber_trust_observe(t, "bob", idb2), E2E_VIBER_LOCK_RED);
    /* alice's device still expects bob's old key: a new session start from the new key is
     * refused until the app has looked at the change */
    e2e_viber_session_free(w.sess[b][a]);
    w.sess[b][a] = NULL;
    CHECK_OK(vbw_connect(&w, b, a));
    CHECK_OK(vbw_send(&w, b, &a, 1, (const uint8_t *)"it's me", 7, m, sizeof m, &len, &covered));
    struct e2e_report why;
    size_t blen, blen2;
    uint8_t *before = vbw_blob(&w, a, b, &blen);
    CHECK_ERR(
        e2e_viber_decrypt(w.sess[a][b], w.ctx, w.dev[a].d, idb, m, len, pt, sizeof pt, &n, &why),
        E2E_ERR_UNTRUSTED);
    uint8_t *after = vbw_blob(&w, a, b, &blen2);
    CHECK(before && after && blen == blen2 && memcmp(before, after, blen) == 0);
    /* with the new key accepted, it reads */
    CHECK_OK(e2e_viber_trust_accept(t, "bob"));
    CHECK_OK(
        e2e_viber_decrypt(w.sess[a][b], w.ctx, w.dev[a].d, idb2, m, len, pt, sizeof pt, &n, &why));
    CHECK(n == 7 && memcmp(pt, "it's me", 7) == 0);
    free(before);
    free(after);
    e2e_viber_trust_free(t);
    vbw_free(&w);
}

static void
test_prekey_pool(void)
{
    struct test_ctx tc;
    e2e_ctx *ctx = test_ctx_new(&tc, 63);
    uint8_t udid[16] = {1}, other[16] = {2}, up[4096], up2[4096];
    size_t len, len2;
    e2e_viber_device *d = NULL;
    e2e_viber_prekey_pool *p = NULL;
    CHECK_OK(e2e_viber_device_new_primary(&d, ctx, udid));
    CHECK_OK(e2e_viber_prekey_pool_new(&p, udid));
    CHECK_ERR(e2e_viber_device_prekeys_generate(d, ctx, 5, NULL, 0, &len), E2E_ERR_BUFFER);
    CHECK_EQ(len, e2e_viber_prekey_upload_size(5));
    CHECK_EQ(e2e_viber_device_prekeys_held(d), 0); /* nothing generated without room */
    CHECK_OK(e2e_viber_device_prekeys_generate(d, ctx, 5, up, sizeof up, &len));
    CHECK_OK(e2e_viber_prekey_pool_add(p, up, len, NULL));
    CHECK_EQ(e2e_viber_prekey_pool_count(p), 5);
    CHECK_EQ(e2e_viber_prekey_pool_refill(p, 3, 10), 0);
    struct e2e_viber_prekey pk;
    uint8_t id[32];
    CHECK_OK(e2e_viber_device_identity(d, id));
    for (uint32_t i = 1; i <= 3; i++) {
        CHECK_OK(e2e_viber_prekey_pool_take(p, &pk));
        CHECK_EQ(pk.id, i); /* oldest first, each id handed out once */
        CHECK_OK(e2e_viber_prekey_verify(&pk, id, NULL));
    }
    CHECK_EQ(e2e_viber_prekey_pool_refill(p, 3, 10), 8); /* below the threshold: ask for more */
    /* a re-upload of consumed ids, an upload for another device, garbage */
    CHECK_ERR(e2e_viber_prekey_pool_add(p, up, len, NULL), E2E_ERR_PROTOCOL);
    e2e_viber_prekey_pool *q = NULL;
    CHECK_OK(e2e_viber_prekey_pool_new(&q, other));
    CHECK_ERR(e2e_viber_prekey_pool_add(q, up, len, NULL), E2E_ERR_PROTOCOL);
    for (size_t cut = 0; cut < len; cut++)
        CHECK_ERR(e2e_viber_prekey_pool_add(q, up, cut, NULL), E2E_ERR_MALFORMED);
    CHECK_EQ(e2e_viber_prekey_pool_count(q), 0);
    CHECK_OK(e2e_viber_device_prekeys_generate(d, ctx, 8, up2, sizeof up2, &len2));
    CHECK_OK(e2e_viber_prekey_pool_add(p, up2, len2, NULL));
    CHECK_EQ(e2e_viber_prekey_pool_count(p), 10);
    /* the single-PreKey wire form */
    uint8_t wire[E2E_VIBER_PREKEY_WIRE_LEN];
    struct e2e_viber_prekey back;
    e2e_viber_prekey_encode(wire, &pk);
    CHECK_OK(e2e_viber_prekey_parse(&back, wire, sizeof wire, NULL));
    CHECK(memcmp(&back, &pk, sizeof pk) == 0);
    CHECK_ERR(e2e_viber_prekey_parse(&back, wire, sizeof wire - 1, NULL), E2E_ERR_MALFORMED);
    wire[40] ^= 1;
    CHECK_OK(e2e_viber_prekey_parse(&back, wire, sizeof wire, NULL));
    CHECK_ERR(e2e_viber_prekey_verify(&back, id, NULL), E2E_ERR_AUTH);
    /* the pool's blob */
    size_t bl;
    uint8_t *blob = NULL;
    CHECK_ERR(e2e_viber_prekey_pool_serialize(p, NULL, 0, &bl), E2E_ERR_BUFFER);
    blob = malloc(bl);
    CHECK_OK(e2e_viber_prekey_pool_serialize(p, blob, bl, &bl));
    e2e_viber_prekey_pool *r = NULL;
    CHECK_OK(e2e_viber_prekey_pool_parse(&r, blob, bl, NULL));
    CHECK_EQ(e2e_viber_prekey_pool_count(r), 10);
    CHECK_ERR(e2e_viber_prekey_pool_add(r, up, len, NULL), E2E_ERR_PROTOCOL); /* remembers */
    for (size_t cut = 0; cut < bl; cut += 7) {
        e2e_viber_prekey_pool *x = NULL;
        CHECK_ERR(e2e_viber_prekey_pool_parse(&x, blob, cut, NULL), E2E_ERR_MALFORMED);
    }
    /* limits: a device holds at most E2E_VIBER_MAX_PREKEYS private PreKeys */
    uint8_t *big = malloc(e2e_viber_prekey_upload_size(E2E_VIBER_MAX_PREKEYS));
    CHECK_ERR(e2e_viber_device_prekeys_generate(d, ctx, E2E_VIBER_MAX_PREKEYS, big,
                                                e2e_viber_prekey_upload_size(E2E_VIBER_MAX_PREKEYS),
                                                &len),
              E2E_ERR_LIMIT);
    free(big);
    free(blob);
    e2e_viber_prekey_pool_free(r);
    e2e_viber_prekey_pool_free(q);
    e2e_viber_prekey_pool_free(p);
    e2e_viber_device_free(d);
    test_ctx_free(&tc);
}

static void
test_device_blob(void)
{
    struct vbw w;
    vbw_init(&w, 64);
    int a = vbw_primary(&w, "alice-phone", 3), a2 = vbw_secondary(&w, "alice-pc", a, 2);
    size_t len, len2;
    uint8_t *blob = vbw_device_blob(&w, a2, &len);
    e2e_viber_device *d = NULL;
    CHECK_OK(e2e_viber_device_parse(&d, blob, len, NULL));
    CHECK_EQ(e2e_viber_device_role(d), E2E_VIBER_SECONDARY);
    CHECK_EQ(e2e_viber_device_prekeys_held(d), 2);
    e2e_viber_device_free(w.dev[a2].d);
    w.dev[a2].d = d;
    uint8_t *blob2 = vbw_device_blob(&w, a2, &len2);
    CHECK(blob2 && len == len2 && memcmp(blob, blob2, len) == 0);
    /* sessions still work from the parsed device */
    uint8_t m[1024], pt[1024];
    size_t ml, covered, n;
    CHECK_OK(vbw_connect(&w, a, a2));
    CHECK_OK(vbw_send(&w, a, &a2, 1, (const uint8_t *)"sync", 4, m, sizeof m, &ml, &covered));
    CHECK_OK(vbw_recv(&w, a2, a, m, ml, pt, sizeof pt, &n, NULL));
    for (size_t cut = 0; cut < len; cut++) {
        e2e_viber_device *x = NULL;
        int rc = e2e_viber_device_parse(&x, blob, cut, NULL);
        if (rc != E2E_ERR_MALFORMED)
            test_fail_(__FILE__, __LINE__, "cut %zu: %s", cut, e2e_err_name(rc));
        test_checks_++;
    }
    blob[6 + 16 + 2 + 40] ^= 1; /* the ID public key no longer matches the private key */
    CHECK_ERR(e2e_viber_device_parse(&d, blob, len, NULL), E2E_ERR_MALFORMED);
    blob[6 + 16 + 2 + 40] ^= 1;
    blob[6 + 16] = 3; /* no such role */
    CHECK_ERR(e2e_viber_device_parse(&d, blob, len, NULL), E2E_ERR_MALFORMED);
    free(blob);
    free(blob2);
    vbw_free(&w);
}

int
main(void)
{
    RUN(test_auth_string);
    RUN(test_trust_locks);
    RUN(test_key_change_turns_red);
    RUN(test_prekey_pool);
    RUN(test_device_blob);
    return test_finish();
}
