/* Companion linking (ADV), device lists and the initiator's checks (reference §2). */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/crypto.h>
#include <e2ekit/whatsapp.h>

#include "WAAdv.pb-c.h"
#include "test.h"

struct world {
    struct test_ctx t;
    struct e2e_wa_identity primary, companion;
    struct e2e_wa_qr qr;
    struct e2e_wa_devlist list; /* the primary's */
    struct e2e_wa_device_identity meta;
    uint8_t link[E2E_WA_ADV_MAX];
    size_t link_len;
    uint8_t signed_list[E2E_WA_ADV_MAX];
    size_t signed_list_len;
    struct e2e_wa_link_result res;
};

/* The primary links one companion: steps 1-7 of reference §2.1. */
static void
world_link(struct world *w, uint64_t seed)
{
    memset(w, 0, sizeof *w);
    test_ctx_new(&w->t, seed);
    CHECK_OK(e2e_wa_identity_generate(&w->primary, w->t.ctx));
    CHECK_OK(e2e_wa_identity_generate(&w->companion, w->t.ctx));
    strcpy(w->qr.ref, "2@ref-from-server");
    memcpy(w->qr.identity_pub, w->companion.pub, 32);
    CHECK_OK(e2e_random(w->t.ctx, w->qr.noise_pub, 32));
    CHECK_OK(e2e_random(w->t.ctx, w->qr.adv_secret, 32));
    strcpy(w->qr.client_type, "1");
    e2e_wa_devlist_init(&w->list, 0x1234567, w->t.ctx);
    w->t.now_ms += 60000;
    CHECK_OK(e2e_wa_devlist_add(&w->list, w->t.ctx, &w->meta.key_index));
    w->meta.raw_id = w->list.raw_id;
    w->meta.timestamp = w->list.timestamp;
    CHECK_OK(e2e_wa_link_primary(w->link, sizeof w->link, &w->link_len, w->t.ctx, &w->primary,
                                 &w->qr, &w->meta));
    CHECK_OK(e2e_wa_devlist_sign(w->signed_list, sizeof w->signed_list, &w->signed_list_len,
                                 w->t.ctx, &w->list, &w->primary));
    struct e2e_report why;
    CHECK_OK(e2e_wa_link_companion(&w->res, w->t.ctx, &w->companion, w->qr.adv_secret,
                                   w->primary.pub, w->link, w->link_len, &why));
}

static void
test_link_roundtrip(void)
{
    struct world w;
    world_link(&w, 1);
    CHECK_MEM(w.res.primary_pub, w.primary.pub, 32);
    CHECK_EQ(w.res.meta.key_index, 1);
    CHECK_EQ(w.res.meta.raw_id, 0x1234567);
    CHECK_EQ(w.res.meta.timestamp, w.list.timestamp);
    /* a peer verifies the list and the companion before building a session */
    struct e2e_wa_devlist seen;
    struct e2e_wa_device_identity got;
    CHECK_OK(e2e_wa_devlist_verify(&seen, w.signed_list, w.signed_list_len, w.primary.pub, NULL));
    CHECK_EQ(seen.n_valid, 2);
    CHECK_EQ(seen.valid[0], 0);
    CHECK_EQ(seen.valid[1], 1);
    CHECK_OK(e2e_wa_companion_check(&got, w.res.signed_identity, w.res.signed_identity_len,
                                    w.primary.pub, w.companion.pub, &seen, NULL));
    CHECK_EQ(got.key_index, 1);
    test_ctx_free(&w.t);
}

/* protobuf-c, an independent implementation, reads what we wrote (and the fields are where
 * WAAdv.proto puts them). */
static void
test_adv_oracle(void)
{
    struct world w;
    world_link(&w, 2);
    WAAdv__ADVSignedDeviceIdentityHMAC *h =
        waadv__advsigned_device_identity_hmac__unpack(NULL, w.link_len, w.link);
    CHECK(h != NULL);
    if (!h)
        return;
    CHECK(h->has_hmac && h->hmac.len == 32);
    uint8_t mac[32];
    e2e_hmac_sha256(mac, w.qr.adv_secret, 32, h->details.data, h->details.len);
    CHECK_MEM(mac, h->hmac.data, 32);
    WAAdv__ADVSignedDeviceIdentity *s =
        waadv__advsigned_device_identity__unpack(NULL, h->details.len, h->details.data);
    CHECK(s && s->has_accountsignaturekey && s->accountsignaturekey.len == 32);
    CHECK(s && !s->has_devicesignature);
    if (s) {
        CHECK_MEM(s->accountsignaturekey.data, w.primary.pub, 32);
        WAAdv__ADVDeviceIdentity *d =
            waadv__advdevice_identity__unpack(NULL, s->details.len, s->details.data);
        CHECK(d && d->rawid == 0x1234567 && d->keyindex == 1 && d->timestamp == w.list.timestamp);
        if (d)
            waadv__advdevice_identity__free_unpacked(d, NULL);
        waadv__advsigned_device_identity__free_unpacked(s, NULL);
    }
    waadv__advsigned_device_identity_hmac__free_unpacked(h, NULL);
    /* the companion's upload: accountSignatureKey cleared, device signature added */
    s = waadv__advsigned_device_identity__unpack(NULL, w.res.signed_identity_len,
                                                 w.res.signed_identity);
    CHECK(s && !s->has_accountsignaturekey && s->has_devicesignature &&
          s->devicesignature.len == 64);
    if (s)
        waadv__advsigned_device_identity__free_unpacked(s, NULL);
    /* and a list written by protobuf-c is read by us (signature over its bytes) */
    WAAdv__ADVKeyIndexList kl = WAADV__ADVKEY_INDEX_LIST__INIT;
    uint32_t idx[3] = {0, 5, 3};
    kl.has_rawid = kl.has_timestamp = kl.has_currentindex = 1;
    kl.rawid = 77;
    kl.timestamp = 1767225600;
    kl.currentindex = 5;
    kl.n_validindexes = 3;
    kl.validindexes = idx;
    uint8_t det[64], m[66], sig[64], out[256];
    size_t dn = waadv__advkey_index_list__pack(&kl, det);
    m[0] = 6, m[1] = 2;
    memcpy(m + 2, det, dn);
    CHECK_OK(e2e_xeddsa_sign_ctx(sig, w.primary.priv, m, dn + 2, w.t.ctx));
    WAAdv__ADVSignedKeyIndexList sl = WAADV__ADVSIGNED_KEY_INDEX_LIST__INIT;
    sl.has_details = sl.has_accountsignature = 1;
    sl.details.data = det;
    sl.details.len = dn;
    sl.accountsignature.data = sig;
    sl.accountsignature.len = 64;
    size_t on = waadv__advsigned_key_index_list__pack(&sl, out);
    struct e2e_wa_devlist got;
    CHECK_OK(e2e_wa_devlist_verify(&got, out, on, w.primary.pub, NULL));
    CHECK_EQ(got.raw_id, 77);
    CHECK_EQ(got.n_valid, 3);
    CHECK(got.valid[0] == 0 && got.valid[1] == 3 && got.valid[2] == 5); /* sorted */
    test_ctx_free(&w.t);
}

static void
test_link_refusals(void)
{
    struct world w;
    world_link(&w, 3);
    struct e2e_wa_link_result res;
    struct e2e_report why;
    memset(&res, 0x5a, sizeof res);
    struct e2e_wa_link_result before = res;
    uint8_t wrong[32];
    memcpy(wrong, w.qr.adv_secret, 32);
    wrong[0] ^= 1;
    /* wrong linking secret */
    CHECK_ERR(
        e2e_wa_link_companion(&res, w.t.ctx, &w.companion, wrong, NULL, w.link, w.link_len, &why),
        E2E_ERR_AUTH);
    CHECK(strcmp(why.check, "hmac") == 0);
    /* another account than the one expected */
    CHECK_ERR(e2e_wa_link_companion(&res, w.t.ctx, &w.companion, w.qr.adv_secret, w.companion.pub,
                                    w.link, w.link_len, &why),
              E2E_ERR_UNTRUSTED);
    /* linking data made for another companion: the account signature covers I_companion */
    CHECK_ERR(e2e_wa_link_companion(&res, w.t.ctx, &w.primary, w.qr.adv_secret, NULL, w.link,
                                    w.link_len, &why),
              E2E_ERR_AUTH);
    CHECK(strcmp(why.check, "account-signature") == 0);
    /* every byte tampered, every truncation */
    uint8_t bad[E2E_WA_ADV_MAX];
    int ok_count = 0;
    for (size_t i = 0; i < w.link_len; i++) {
        memcpy(bad, w.link, w.link_len);
        bad[i] ^= 0x01;
        int rc = e2e_wa_link_companion(&res, w.t.ctx, &w.companion, w.qr.adv_secret, NULL, bad,
                                       w.link_len, &why);
        ok_count += rc == E2E_OK;
        CHECK(rc == E2E_ERR_AUTH || rc == E2E_ERR_MALFORMED);
    }
    for (size_t n = 0; n < w.link_len; n++) {
        int rc = e2e_wa_link_companion(&res, w.t.ctx, &w.companion, w.qr.adv_secret, NULL, w.link,
                                       n, &why);
        ok_count += rc == E2E_OK;
        CHECK(rc == E2E_ERR_AUTH || rc == E2E_ERR_MALFORMED);
    }
    CHECK_EQ(ok_count, 0);
    CHECK_MEM(&res, &before, sizeof res); /* nothing written on any failure */
    test_ctx_free(&w.t);
}

/* A HOSTED account: 06 05 before the HMAC'd bytes and the account signature prefix. */
static void
test_link_hosted(void)
{
    struct world w;
    world_link(&w, 4);
    struct e2e_wa_device_identity meta = w.meta;
    meta.account_type = meta.device_type = E2E_WA_ADV_HOSTED;
    CHECK_OK(
        e2e_wa_link_primary(w.link, sizeof w.link, &w.link_len, w.t.ctx, &w.primary, &w.qr, &meta));
    WAAdv__ADVSignedDeviceIdentityHMAC *h =
        waadv__advsigned_device_identity_hmac__unpack(NULL, w.link_len, w.link);
    CHECK(h && h->has_accounttype && h->accounttype == WAADV__ADVENCRYPTION_TYPE__HOSTED);
    if (h) {
        uint8_t buf[E2E_WA_ADV_MAX + 2], mac[32];
        buf[0] = 6, buf[1] = 5;
        memcpy(buf + 2, h->details.data, h->details.len);
        e2e_hmac_sha256(mac, w.qr.adv_secret, 32, buf, h->details.len + 2);
        CHECK_MEM(mac, h->hmac.data, 32);
        waadv__advsigned_device_identity_hmac__free_unpacked(h, NULL);
    }
    struct e2e_wa_link_result res;
    CHECK_OK(e2e_wa_link_companion(&res, w.t.ctx, &w.companion, w.qr.adv_secret, NULL, w.link,
                                   w.link_len, NULL));
    CHECK_EQ(res.meta.device_type, E2E_WA_ADV_HOSTED);
    test_ctx_free(&w.t);
}

static void
test_companion_check_refusals(void)
{
    struct world w;
    world_link(&w, 5);
    struct e2e_wa_devlist seen;
    struct e2e_wa_device_identity meta = {.raw_id = 99}, before = meta;
    struct e2e_report why;
    const uint8_t *si = w.res.signed_identity;
    size_t sn = w.res.signed_identity_len;
    CHECK_OK(e2e_wa_devlist_verify(&seen, w.signed_list, w.signed_list_len, w.primary.pub, NULL));
    /* account signature checked with another "primary" */
    CHECK_ERR(e2e_wa_companion_check(&meta, si, sn, w.companion.pub, w.companion.pub, &seen, &why),
              E2E_ERR_AUTH);
    CHECK(strcmp(why.check, "account-signature") == 0);
    /* device signature checked with another companion key (the bundle's key is not the one
     * that signed) */
    CHECK_ERR(e2e_wa_companion_check(&meta, si, sn, w.primary.pub, w.primary.pub, &seen, &why),
              E2E_ERR_AUTH);
    CHECK(strcmp(why.check, "account-signature") == 0 ||
          strcmp(why.check, "device-signature") == 0);
    /* the device was removed: the latest list no longer has index 1 */
    struct test_ctx *t = &w.t;
    t->now_ms += 3600 * 1000;
    CHECK_OK(e2e_wa_devlist_remove(&w.list, t->ctx, 1));
    uint8_t sl2[E2E_WA_ADV_MAX];
    size_t sl2n;
    CHECK_OK(e2e_wa_devlist_sign(sl2, sizeof sl2, &sl2n, t->ctx, &w.list, &w.primary));
    struct e2e_wa_devlist newer;
    CHECK_OK(e2e_wa_devlist_verify(&newer, sl2, sl2n, w.primary.pub, NULL));
    CHECK_OK(e2e_wa_devlist_update(&seen, &newer, NULL));
    CHECK_ERR(e2e_wa_companion_check(&meta, si, sn, w.primary.pub, w.companion.pub, &seen, &why),
              E2E_ERR_UNTRUSTED);
    CHECK(strcmp(why.check, "device-list") == 0);
    /* a rollback to the old list (a server replaying it) is refused, state unchanged */
    struct e2e_wa_devlist old, keep = seen;
    CHECK_OK(e2e_wa_devlist_verify(&old, w.signed_list, w.signed_list_len, w.primary.pub, NULL));
    CHECK_ERR(e2e_wa_devlist_update(&seen, &old, &why), E2E_ERR_PROTOCOL);
    CHECK(strcmp(why.check, "rollback") == 0);
    CHECK_MEM(&seen, &keep, sizeof seen);
    /* every byte of the companion's identity tampered, every truncation */
    struct e2e_wa_devlist first;
    CHECK_OK(e2e_wa_devlist_verify(&first, w.signed_list, w.signed_list_len, w.primary.pub, NULL));
    uint8_t bad[E2E_WA_ADV_MAX];
    int ok_count = 0;
    for (size_t i = 0; i < sn; i++) {
        memcpy(bad, si, sn);
        bad[i] ^= 0x80;
        int rc =
            e2e_wa_companion_check(&meta, bad, sn, w.primary.pub, w.companion.pub, &first, NULL);
        ok_count += rc == E2E_OK;
        CHECK(rc == E2E_ERR_AUTH || rc == E2E_ERR_MALFORMED || rc == E2E_ERR_UNTRUSTED);
    }
    for (size_t n = 0; n < sn; n++)
        ok_count += e2e_wa_companion_check(&meta, si, n, w.primary.pub, w.companion.pub, &first,
                                           NULL) == E2E_OK;
    CHECK_EQ(ok_count, 0);
    CHECK_MEM(&meta, &before, sizeof meta);
    test_ctx_free(&w.t);
}

static void
test_devlist_refusals(void)
{
    struct world w;
    world_link(&w, 6);
    struct e2e_wa_devlist got, before;
    memset(&got, 0x33, sizeof got);
    before = got;
    struct e2e_report why;
    CHECK_ERR(e2e_wa_devlist_verify(&got, w.signed_list, w.signed_list_len, w.companion.pub, &why),
              E2E_ERR_UNTRUSTED); /* it names its key, and it is not this one */
    uint8_t bad[E2E_WA_ADV_MAX];
    int ok_count = 0;
    for (size_t i = 0; i < w.signed_list_len; i++) {
        memcpy(bad, w.signed_list, w.signed_list_len);
        bad[i] ^= 0x01;
        int rc = e2e_wa_devlist_verify(&got, bad, w.signed_list_len, w.primary.pub, NULL);
        ok_count += rc == E2E_OK;
        CHECK(rc == E2E_ERR_AUTH || rc == E2E_ERR_MALFORMED || rc == E2E_ERR_UNTRUSTED);
    }
    CHECK_EQ(ok_count, 0);
    CHECK_MEM(&got, &before, sizeof got);
    /* truncations fail, except the one that drops the optional accountSignatureKey (the
     * last 34 bytes): the signature still covers the details, checked with the key we know */
    struct e2e_wa_devlist full;
    CHECK_OK(e2e_wa_devlist_verify(&full, w.signed_list, w.signed_list_len, w.primary.pub, NULL));
    for (size_t n = 0; n < w.signed_list_len; n++) {
        int rc = e2e_wa_devlist_verify(&got, w.signed_list, n, w.primary.pub, NULL);
        if (n == w.signed_list_len - 34) {
            CHECK_OK(rc);
            CHECK_MEM(&got, &full, sizeof got);
            got = before;
        } else {
            CHECK(rc == E2E_ERR_AUTH || rc == E2E_ERR_MALFORMED);
        }
    }
    CHECK_MEM(&got, &before, sizeof got);
    /* another account's list, and the same list again */
    struct e2e_wa_devlist a, b;
    CHECK_OK(e2e_wa_devlist_verify(&a, w.signed_list, w.signed_list_len, w.primary.pub, NULL));
    b = a;
    CHECK_OK(e2e_wa_devlist_update(&a, &b, NULL));
    b.raw_id++;
    CHECK_ERR(e2e_wa_devlist_update(&a, &b, &why), E2E_ERR_UNTRUSTED);
    /* same timestamp, other contents */
    b = a;
    b.n_valid = 1;
    CHECK_ERR(e2e_wa_devlist_update(&a, &b, &why), E2E_ERR_PROTOCOL);
    test_ctx_free(&w.t);
}

static void
test_devlist_rules_and_blob(void)
{
    struct test_ctx t;
    test_ctx_new(&t, 7);
    struct e2e_wa_devlist l, p;
    e2e_wa_devlist_init(&l, 5, t.ctx);
    CHECK(!e2e_wa_devlist_has_companions(&l));
    uint32_t a, b, c;
    uint64_t ts0 = l.timestamp;
    CHECK_OK(e2e_wa_devlist_add(&l, t.ctx, &a));
    CHECK(l.timestamp > ts0); /* strictly increasing even without a clock tick */
    CHECK_OK(e2e_wa_devlist_add(&l, t.ctx, &b));
    CHECK_OK(e2e_wa_devlist_remove(&l, t.ctx, a));
    CHECK_OK(e2e_wa_devlist_add(&l, t.ctx, &c));
    CHECK(a == 1 && b == 2 && c == 3); /* indexes are never reused */
    CHECK(e2e_wa_devlist_has_companions(&l));
    CHECK(!e2e_wa_devlist_contains(&l, a) && e2e_wa_devlist_contains(&l, c));
    CHECK_ERR(e2e_wa_devlist_remove(&l, t.ctx, a), E2E_ERR_NOT_FOUND);
    CHECK_ERR(e2e_wa_devlist_remove(&l, t.ctx, 0), E2E_ERR_INVALID);
    uint8_t blob[512];
    size_t n;
    CHECK_OK(e2e_wa_devlist_serialize(blob, sizeof blob, &n, &l));
    CHECK_OK(e2e_wa_devlist_parse(&p, blob, n));
    CHECK_MEM(&p, &l, sizeof p);
    for (size_t k = 0; k < n; k++)
        CHECK(e2e_wa_devlist_parse(&p, blob, k) != E2E_OK);
    blob[5] = 9; /* a version we do not know */
    CHECK_ERR(e2e_wa_devlist_parse(&p, blob, n), E2E_ERR_UNSUPPORTED);
    struct e2e_wa_devlist full;
    e2e_wa_devlist_init(&full, 1, t.ctx);
    int rc = E2E_OK;
    for (int i = 0; i < E2E_WA_MAX_INDEXES && rc == E2E_OK; i++)
        rc = e2e_wa_devlist_add(&full, t.ctx, &a);
    CHECK_EQ(rc, E2E_ERR_LIMIT);
    test_ctx_free(&t);
}

static void
test_qr(void)
{
    struct test_ctx t;
    test_ctx_new(&t, 8);
    struct e2e_wa_qr q, r;
    memset(&q, 0, sizeof q);
    strcpy(q.ref, "2@AbCdEf==");
    CHECK_OK(e2e_random(t.ctx, q.noise_pub, 32));
    CHECK_OK(e2e_random(t.ctx, q.identity_pub, 32));
    CHECK_OK(e2e_random(t.ctx, q.adv_secret, 32));
    strcpy(q.client_type, "1");
    char text[E2E_WA_QR_MAX + 1];
    CHECK_OK(e2e_wa_qr_encode(text, sizeof text, &q));
    CHECK(strncmp(text, "https://wa.me/settings/linked_devices#2@AbCdEf==,", 49) == 0);
    CHECK_OK(e2e_wa_qr_parse(&r, text, strlen(text), NULL));
    CHECK_MEM(&r, &q, sizeof q);
    /* the old form, without URL and client type */
    q.client_type[0] = 0;
    CHECK_OK(e2e_wa_qr_encode(text, sizeof text, &q));
    CHECK(strncmp(text, "2@AbCdEf==,", 11) == 0);
    CHECK_OK(e2e_wa_qr_parse(&r, text, strlen(text), NULL));
    CHECK_MEM(&r, &q, sizeof q);
    /* refusals: every truncation, a key of 31 bytes, too many fields, a bad character */
    size_t n = strlen(text);
    for (size_t k = 0; k < n; k++)
        CHECK_ERR(e2e_wa_qr_parse(&r, text, k, NULL), E2E_ERR_MALFORMED);
    char bad[600];
    snprintf(bad, sizeof bad, "%s,extra", text);
    CHECK_ERR(e2e_wa_qr_parse(&r, bad, strlen(bad), NULL), E2E_ERR_MALFORMED);
    snprintf(bad, sizeof bad, "ref,%s,%s,%s", "AAAA", "AAAA", "AAAA");
    CHECK_ERR(e2e_wa_qr_parse(&r, bad, strlen(bad), NULL), E2E_ERR_MALFORMED);
    CHECK_ERR(e2e_wa_qr_encode(text, 20, &q), E2E_ERR_BUFFER);
    test_ctx_free(&t);
}

int
main(void)
{
    RUN(test_link_roundtrip);
    RUN(test_adv_oracle);
    RUN(test_link_refusals);
    RUN(test_link_hosted);
    RUN(test_companion_check_refusals);
    RUN(test_devlist_refusals);
    RUN(test_devlist_rules_and_blob);
    RUN(test_qr);
    return test_finish();
}
