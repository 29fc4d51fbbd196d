/*
 * The central authority: registration of unique names, H(H(P)) storage, ISO 9796-2
 * certificates (total and partial recovery), logins with a constant-time password check,
 * sealed requests, and the persistence of authority and identities.
 */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/skype.h>

#include "test.h"

static struct test_ctx T;
static e2e_ctx *ctx;
static e2e_skype_authority *au;
static e2e_skype_ca *ca;

enum { BUF = 4096 };

static void
setup(void)
{
    ctx = test_ctx_new(&T, 0x5C47E);
    if (e2e_skype_authority_new(&au, ctx) != E2E_OK)
        abort();
    uint8_t blob[BUF];
    size_t n = 0;
    if (e2e_skype_authority_export_ca(au, blob, sizeof blob, &n) != E2E_OK ||
        e2e_skype_ca_parse(&ca, blob, n, NULL) != E2E_OK)
        abort();
}

/* The authority's state as bytes, to show that a refused request changed nothing. */
static size_t
au_snapshot(uint8_t **blob)
{
    size_t n = 0;
    CHECK_ERR(e2e_skype_authority_serialize(au, NULL, 0, &n), E2E_ERR_BUFFER);
    *blob = malloc(n);
    CHECK_OK(e2e_skype_authority_serialize(au, *blob, n, &n));
    return n;
}

/* Request -> authority -> response -> identity. Returns the authority's status. */
static int
round_trip(e2e_skype_identity *id, int login, int mode, int premium, struct e2e_report *why)
{
    uint8_t req[BUF], resp[BUF];
    size_t rn = 0, sn = 0;
    if (login)
        CHECK_OK(e2e_skype_login_request(id, ca, ctx, mode, req, sizeof req, &rn));
    else
        CHECK_OK(e2e_skype_register_request(id, ca, ctx, mode, premium, req, sizeof req, &rn));
    int st = e2e_skype_authority_handle(au, ctx, req, rn, resp, sizeof resp, &sn, why);
    int acc = e2e_skype_identity_accept(id, ca, ctx, resp, sn, NULL);
    CHECK_EQ(acc, st); /* the client reads the same verdict the authority gave */
    return st;
}

static void
test_register_login_and_certificates(void)
{
    e2e_skype_identity *alice, *bob;
    CHECK_OK(e2e_skype_identity_new(&alice, ctx, "alice.smith", "alice-pw", 1024));
    CHECK_OK(e2e_skype_identity_new(&bob, ctx, "bob.jones", "bob-pw", 1024));
    const uint8_t *cert;
    size_t cn = 0;
    CHECK_ERR(e2e_skype_identity_cert(alice, &cert, &cn), E2E_ERR_STATE);
    size_t users = e2e_skype_authority_users(au);
    CHECK_OK(round_trip(alice, 0, E2E_SKYPE_FAITHFUL, 0, NULL));
    CHECK_OK(round_trip(bob, 0, E2E_SKYPE_HARDENED, 1, NULL));
    CHECK_EQ(e2e_skype_authority_users(au), users + 2);
    /* alice's certificate: her name, her key, the 1536-bit CA key, 30 days */
    struct e2e_skype_cert_info info;
    CHECK_OK(e2e_skype_identity_cert(alice, &cert, &cn));
    CHECK_OK(e2e_skype_cert_verify(&info, ca, ctx, cert, cn, NULL));
    CHECK(strcmp(info.name, "alice.smith") == 0);
    CHECK_EQ(info.ca_key, E2E_SKYPE_CA_1536);
    CHECK_EQ(cn, 4 + 192); /* total recovery: the whole data inside the signature */
    CHECK_EQ(info.recovered_len, info.signed_len);
    CHECK_EQ(info.valid_from, T.now_ms / 1000);
    CHECK_EQ(info.valid_until - info.valid_from, 30u * 24 * 3600);
    uint8_t mod[512];
    size_t mn = 0;
    CHECK_OK(e2e_rsa_modulus(e2e_skype_identity_key(alice), mod, sizeof mod, &mn));
    CHECK_EQ(info.modulus_len, mn);
    CHECK_MEM(info.modulus, mod, mn);
    uint32_t first_id = info.key_id;
    /* bob is premium: the 2048-bit key */
    CHECK_OK(e2e_skype_identity_cert(bob, &cert, &cn));
    CHECK_OK(e2e_skype_cert_verify(&info, ca, ctx, cert, cn, NULL));
    CHECK_EQ(info.ca_key, E2E_SKYPE_CA_2048);
    CHECK_EQ(cn, 4 + 256);
    /* a login issues a fresh certificate with a new key id */
    CHECK_OK(round_trip(alice, 1, E2E_SKYPE_HARDENED, 0, NULL));
    CHECK_OK(e2e_skype_identity_cert(alice, &cert, &cn));
    CHECK_OK(e2e_skype_cert_verify(&info, ca, ctx, cert, cn, NULL));
    CHECK(info.key_id > first_id);
    /* per-login keys: rotate, log in, and the certificate names the new key */
    CHECK_OK(e2e_skype_identity_rotate_key(alice, ctx, 1024));
    CHECK_ERR(e2e_skype_identity_cert(alice, &cert, &cn), E2E_ERR_STATE);
    CHECK_OK(round_trip(alice, 1, E2E_SKYPE_FAITHFUL, 0, NULL));
    CHECK_OK(e2e_skype_identity_cert(alice, &cert, &cn));
    CHECK_OK(e2e_skype_cert_verify(&info, ca, ctx, cert, cn, NULL));
    CHECK_OK(e2e_rsa_modulus(e2e_skype_identity_key(alice), mod, sizeof mod, &mn));
    CHECK_MEM(info.modulus, mod, mn);
    e2e_skype_identity_free(alice);
    e2e_skype_identity_free(bob);
}

static void
test_duplicate_registration_refused(void)
{
    e2e_skype_identity *first, *second;
    CHECK_OK(e2e_skype_identity_new(&first, ctx, "carol.white", "one", 1024));
    CHECK_OK(e2e_skype_identity_new(&second, ctx, "carol.white", "two", 1024));
    CHECK_OK(round_trip(first, 0, E2E_SKYPE_FAITHFUL, 0, NULL));
    uint8_t *before, *after;
    size_t bn = au_snapshot(&before);
    struct e2e_report why;
    CHECK_ERR(round_trip(second, 0, E2E_SKYPE_HARDENED, 0, &why), E2E_ERR_DUPLICATE);
    CHECK(strcmp(why.check, "name_taken") == 0);
    const uint8_t *cert;
    size_t cn;
    CHECK_ERR(e2e_skype_identity_cert(second, &cert, &cn), E2E_ERR_STATE);
    size_t an = au_snapshot(&after);
    CHECK_EQ(an, bn);
    CHECK_MEM(after, before, bn);
    /* the first owner's password still works, the second's does not */
    CHECK_OK(round_trip(first, 1, E2E_SKYPE_FAITHFUL, 0, NULL));
    CHECK_ERR(round_trip(second, 1, E2E_SKYPE_FAITHFUL, 0, &why), E2E_ERR_AUTH);
    free(before);
    free(after);
    e2e_skype_identity_free(first);
    e2e_skype_identity_free(second);
}

static void
test_wrong_password_and_unknown_name(void)
{
    e2e_skype_identity *real, *guess, *nobody;
    CHECK_OK(e2e_skype_identity_new(&real, ctx, "dave.brown", "right", 1024));
    CHECK_OK(e2e_skype_identity_new(&guess, ctx, "dave.brown", "wrong", 1024));
    CHECK_OK(e2e_skype_identity_new(&nobody, ctx, "nobody.here", "x", 1024));
    CHECK_OK(round_trip(real, 0, E2E_SKYPE_FAITHFUL, 0, NULL));
    uint8_t *before, *after;
    size_t bn = au_snapshot(&before);
    struct e2e_report why;
    CHECK_ERR(round_trip(guess, 1, E2E_SKYPE_HARDENED, 0, &why), E2E_ERR_AUTH);
    CHECK(strcmp(why.check, "password") == 0);
    CHECK_ERR(round_trip(nobody, 1, E2E_SKYPE_HARDENED, 0, &why), E2E_ERR_NOT_FOUND);
    CHECK(strcmp(why.check, "unknown_name") == 0);
    size_t an = au_snapshot(&after);
    CHECK_EQ(an, bn);
    CHECK_MEM(after, before, bn);
    free(before);
    free(after);
    e2e_skype_identity_free(real);
    e2e_skype_identity_free(guess);
    e2e_skype_identity_free(nobody);
}

/*
 * Hardened requests carry a tag: any changed byte is refused and nothing changes. Faithful
 * requests have none (as Skype's login): a changed byte in the sealed modulus still gets a
 * certificate, for a key nobody holds; the client notices that the certificate is not for its
 * key.
 */
static void
test_sealed_requests_tampered(void)
{
    e2e_skype_identity *id;
    CHECK_OK(e2e_skype_identity_new(&id, ctx, "erin.green", "pw", 1024));
    CHECK_OK(round_trip(id, 0, E2E_SKYPE_FAITHFUL, 0, NULL));
    uint8_t req[BUF], bad[BUF], resp[BUF], *before, *after;
    size_t rn = 0, sn = 0, bn = au_snapshot(&before);
    CHECK_OK(e2e_skype_login_request(id, ca, ctx, E2E_SKYPE_HARDENED, req, sizeof req, &rn));
    for (size_t i = 0; i < rn; i++) {
        memcpy(bad, req, rn);
        bad[i] ^= 0x04;
        int st = e2e_skype_authority_handle(au, ctx, bad, rn, resp, sizeof resp, &sn, NULL);
        CHECK(st == E2E_ERR_AUTH || st == E2E_ERR_MALFORMED);
        CHECK_EQ(resp[1], -st); /* the response says the same */
    }
    size_t an = au_snapshot(&after);
    CHECK_EQ(an, bn);
    CHECK_MEM(after, before, bn);
    free(after);
    /* faithful: the modulus sits near the end of the body, before the flags byte */
    CHECK_OK(e2e_skype_login_request(id, ca, ctx, E2E_SKYPE_FAITHFUL, req, sizeof req, &rn));
    memcpy(bad, req, rn);
    bad[rn - 40] ^= 0x04;
    CHECK_OK(e2e_skype_authority_handle(au, ctx, bad, rn, resp, sizeof resp, &sn, NULL));
    struct e2e_report why;
    CHECK_ERR(e2e_skype_identity_accept(id, ca, ctx, resp, sn, &why), E2E_ERR_UNTRUSTED);
    CHECK(strcmp(why.check, "cert_mismatch") == 0);
    /* garbage and truncations get a response too */
    for (size_t n = 0; n < 8; n++) {
        int st = e2e_skype_authority_handle(au, ctx, req, n, resp, sizeof resp, &sn, NULL);
        CHECK_EQ(st, E2E_ERR_MALFORMED);
        CHECK_EQ(sn, 2);
        CHECK_ERR(e2e_skype_identity_accept(id, ca, ctx, resp, sn, NULL), E2E_ERR_MALFORMED);
    }
    CHECK_ERR(e2e_skype_authority_handle(au, ctx, req, rn - 1, resp, sizeof resp, &sn, NULL),
              E2E_ERR_MALFORMED);
    /* a response buffer too small: refused before anything is committed */
    CHECK_ERR(e2e_skype_login_request(id, ca, ctx, E2E_SKYPE_HARDENED, req, sizeof req, &rn),
              E2E_OK);
    CHECK_ERR(e2e_skype_authority_handle(au, ctx, req, rn, resp, 100, &sn, NULL), E2E_ERR_BUFFER);
    /* responses that are not the authority's */
    static const uint8_t junk[][4] = {{0x81, 0}, {0x85, 0}, {0x82, 99}, {0x82, 4, 1}};
    CHECK_ERR(e2e_skype_identity_accept(id, ca, ctx, junk[0], 2, NULL), E2E_ERR_MALFORMED);
    CHECK_ERR(e2e_skype_identity_accept(id, ca, ctx, junk[1], 2, NULL), E2E_ERR_MALFORMED);
    CHECK_ERR(e2e_skype_identity_accept(id, ca, ctx, junk[2], 2, NULL), E2E_ERR_MALFORMED);
    CHECK_ERR(e2e_skype_identity_accept(id, ca, ctx, junk[3], 3, NULL), E2E_ERR_MALFORMED);
    free(before);
    e2e_skype_identity_free(id);
}

/* Every byte of a certificate matters: flipping any one is refused. */
static void
check_every_byte(const uint8_t *cert, size_t n)
{
    uint8_t *bad = malloc(n);
    struct e2e_skype_cert_info info;
    for (size_t i = 0; i < n; i++) {
        memcpy(bad, cert, n);
        bad[i] ^= 0x01;
        int rc = e2e_skype_cert_verify(&info, ca, ctx, bad, n, NULL);
        CHECK(rc == E2E_ERR_AUTH || (i < 4 && rc == E2E_ERR_UNTRUSTED));
    }
    for (size_t k = 0; k < n; k++)
        CHECK(e2e_skype_cert_verify(&info, ca, ctx, cert, k, NULL) != E2E_OK);
    free(bad);
}

static void
test_certificates_total_and_partial_recovery(void)
{
    e2e_skype_identity *shortn, *longn, *prem;
    CHECK_OK(e2e_skype_identity_new(&shortn, ctx, "frank1", "pw", 1024));
    CHECK_OK(e2e_skype_identity_new(&longn, ctx, "a.very.long.skype.name.of.32.chr", "pw", 1024));
    CHECK_OK(e2e_skype_identity_new(&prem, ctx, "grace.2048.user", "pw", 2048));
    CHECK_OK(round_trip(shortn, 0, E2E_SKYPE_FAITHFUL, 0, NULL));
    CHECK_OK(round_trip(longn, 0, E2E_SKYPE_FAITHFUL, 0, NULL));
    CHECK_OK(round_trip(prem, 0, E2E_SKYPE_FAITHFUL, 1, NULL));
    const uint8_t *cert;
    size_t cn = 0;
    struct e2e_skype_cert_info info;
    /* 1536-bit CA, short name: 6 + 1 + 4 + 2 + 128 + 8 = 149 <= 170 bytes, total recovery */
    CHECK_OK(e2e_skype_identity_cert(shortn, &cert, &cn));
    CHECK_OK(e2e_skype_cert_verify(&info, ca, ctx, cert, cn, NULL));
    CHECK_EQ(info.signed_len, 149);
    CHECK_EQ(info.recovered_len, 149);
    check_every_byte(cert, cn);
    /* 32-character name: 175 bytes, 5 of them travel after the signature */
    CHECK_OK(e2e_skype_identity_cert(longn, &cert, &cn));
    CHECK_OK(e2e_skype_cert_verify(&info, ca, ctx, cert, cn, NULL));
    CHECK_EQ(info.signed_len, 175);
    CHECK_EQ(info.recovered_len, 170);
    CHECK_EQ(cn, 4 + 192 + 5);
    CHECK(strcmp(info.name, "a.very.long.skype.name.of.32.chr") == 0);
    check_every_byte(cert, cn);
    /* a 2048-bit user key under the 2048-bit CA key: 280 bytes, partial as well */
    CHECK_OK(e2e_skype_identity_cert(prem, &cert, &cn));
    CHECK_OK(e2e_skype_cert_verify(&info, ca, ctx, cert, cn, NULL));
    CHECK_EQ(info.modulus_len, 256);
    CHECK_EQ(info.signed_len, 15 + 1 + 4 + 2 + 256 + 8);
    CHECK_EQ(info.recovered_len, 234);
    check_every_byte(cert, cn);
    uint8_t fp[20];
    e2e_skype_cert_fingerprint(fp, cert, cn);
    uint8_t h[20];
    e2e_sha1(h, cert, cn);
    CHECK_MEM(fp, h, 20);
    e2e_skype_identity_free(shortn);
    e2e_skype_identity_free(longn);
    e2e_skype_identity_free(prem);
}

static void
test_certificate_validity_and_foreign_ca(void)
{
    e2e_skype_identity *id;
    CHECK_OK(e2e_skype_identity_new(&id, ctx, "henry.ford", "pw", 1024));
    CHECK_OK(round_trip(id, 0, E2E_SKYPE_FAITHFUL, 0, NULL));
    const uint8_t *cert;
    size_t cn = 0;
    struct e2e_skype_cert_info info;
    struct e2e_report why;
    CHECK_OK(e2e_skype_identity_cert(id, &cert, &cn));
    uint64_t now = T.now_ms;
    T.now_ms = now - 1000;
    CHECK_ERR(e2e_skype_cert_verify(&info, ca, ctx, cert, cn, &why), E2E_ERR_UNTRUSTED);
    CHECK(strcmp(why.check, "not_yet_valid") == 0);
    T.now_ms = now + 30ull * 24 * 3600 * 1000 - 1000;
    CHECK_OK(e2e_skype_cert_verify(&info, ca, ctx, cert, cn, NULL));
    T.now_ms = now + 30ull * 24 * 3600 * 1000;
    CHECK_ERR(e2e_skype_cert_verify(&info, ca, ctx, cert, cn, &why), E2E_ERR_UNTRUSTED);
    CHECK(strcmp(why.check, "expired") == 0);
    T.now_ms = now;
    /* a certificate made by someone else's CA with the same key numbers */
    e2e_rsa *mine;
    CHECK_OK(e2e_rsa_generate(&mine, 1536, ctx));
    uint8_t forged[1024];
    size_t fn = 0;
    CHECK_OK(e2e_skype_cert_verify(&info, ca, ctx, cert, cn, NULL));
    CHECK_OK(e2e_skype_cert_sign(forged, sizeof forged, &fn, mine, E2E_SKYPE_CA_1536, &info));
    CHECK_ERR(e2e_skype_cert_verify(&info, ca, ctx, forged, fn, &why), E2E_ERR_AUTH);
    CHECK(strcmp(why.check, "signature") == 0);
    /* a key number the client does not trust */
    CHECK_OK(e2e_skype_cert_sign(forged, sizeof forged, &fn, mine, 7, &info));
    CHECK_ERR(e2e_skype_cert_verify(&info, ca, ctx, forged, fn, &why), E2E_ERR_UNTRUSTED);
    CHECK(strcmp(why.check, "ca_key") == 0);
    /* a genuine signature over data that does not parse is malformed, not accepted */
    e2e_skype_ca *own;
    CHECK_OK(e2e_skype_ca_new(&own, NULL, mine));
    uint8_t sig[192], m[200];
    size_t sl = 0;
    memset(m, 'x', sizeof m);
    CHECK_OK(e2e_iso9796_sign(mine, sig, sizeof sig, &sl, NULL, m, 60));
    memcpy(forged, "\0\0\0\2", 4);
    memcpy(forged + 4, sig, 192);
    CHECK_ERR(e2e_skype_cert_verify(&info, own, ctx, forged, 196, &why), E2E_ERR_MALFORMED);
    /* signing refuses fields that are not valid */
    struct e2e_skype_cert_info bad = info;
    strcpy(bad.name, "Bad Name");
    CHECK_ERR(e2e_skype_cert_sign(forged, sizeof forged, &fn, mine, 2, &bad), E2E_ERR_INVALID);
    bad = info;
    bad.valid_from = bad.valid_until + 1;
    CHECK_ERR(e2e_skype_cert_sign(forged, sizeof forged, &fn, mine, 2, &bad), E2E_ERR_INVALID);
    e2e_skype_ca_free(own);
    e2e_rsa_free(mine);
    e2e_skype_identity_free(id);
}

static void
test_persistence(void)
{
    e2e_skype_identity *id, *id2;
    CHECK_OK(e2e_skype_identity_new(&id, ctx, "ivy.stone", "ivy-pw", 1024));
    CHECK_OK(round_trip(id, 0, E2E_SKYPE_FAITHFUL, 0, NULL));
    /* the authority survives a round trip through its blob */
    uint8_t *blob, *blob2;
    size_t n = au_snapshot(&blob);
    e2e_skype_authority *old = au, *copy, *parsed;
    CHECK_OK(e2e_skype_authority_parse(&parsed, blob, n, NULL));
    au = parsed;
    size_t n2 = au_snapshot(&blob2);
    CHECK_EQ(n2, n);
    CHECK_MEM(blob2, blob, n);
    CHECK_EQ(e2e_skype_authority_users(parsed), e2e_skype_authority_users(old));
    CHECK_OK(round_trip(id, 1, E2E_SKYPE_HARDENED, 0, NULL));
    struct e2e_report why;
    CHECK_ERR(round_trip(id, 0, E2E_SKYPE_HARDENED, 0, &why), E2E_ERR_DUPLICATE);
    for (size_t k = 0; k < n; k += 7)
        CHECK(e2e_skype_authority_parse(&copy, blob, k, NULL) != E2E_OK);
    blob[5] = 9;
    CHECK_ERR(e2e_skype_authority_parse(&copy, blob, n, NULL), E2E_ERR_UNSUPPORTED);
    au = old;
    e2e_skype_authority_free(parsed);
    /* the identity, with its certificate */
    uint8_t ib[BUF], ib2[BUF];
    size_t in = 0, in2 = 0;
    CHECK_OK(e2e_skype_identity_serialize(id, ib, sizeof ib, &in));
    CHECK_HEX(ib, 6, "534b49440001");
    CHECK_OK(e2e_skype_identity_parse(&id2, ib, in, NULL));
    CHECK_OK(e2e_skype_identity_serialize(id2, ib2, sizeof ib2, &in2));
    CHECK_EQ(in2, in);
    CHECK_MEM(ib2, ib, in);
    CHECK(strcmp(e2e_skype_identity_name(id2), "ivy.stone") == 0);
    CHECK_OK(round_trip(id2, 1, E2E_SKYPE_FAITHFUL, 0, NULL)); /* H(P) was kept */
    e2e_skype_identity_free(id2);
    for (size_t k = 0; k < in; k++)
        CHECK(e2e_skype_identity_parse(&id2, ib, k, NULL) != E2E_OK);
    /* the CA blob */
    uint8_t cb[BUF];
    size_t cbn = 0;
    e2e_skype_ca *ca2;
    CHECK_OK(e2e_skype_ca_serialize(ca, cb, sizeof cb, &cbn));
    CHECK_OK(e2e_skype_ca_parse(&ca2, cb, cbn, NULL));
    e2e_skype_ca_free(ca2);
    for (size_t k = 0; k < cbn; k++)
        CHECK(e2e_skype_ca_parse(&ca2, cb, k, NULL) != E2E_OK);
    free(blob);
    free(blob2);
    e2e_skype_identity_free(id);
    e2e_skype_identity_free(id2);
}

static void
test_identity_arguments(void)
{
    e2e_skype_identity *id;
    CHECK_ERR(e2e_skype_identity_new(&id, ctx, "Bad Name", "pw", 1024), E2E_ERR_INVALID);
    CHECK_ERR(e2e_skype_identity_new(&id, ctx, "good.name", "pw", 512), E2E_ERR_INVALID);
    uint8_t req[BUF];
    size_t rn;
    CHECK_OK(e2e_skype_identity_new(&id, ctx, "good.name", "pw", 1024));
    CHECK_ERR(e2e_skype_register_request(id, ca, ctx, 5, 0, req, sizeof req, &rn), E2E_ERR_INVALID);
    CHECK_ERR(e2e_skype_register_request(id, ca, ctx, 0, 0, req, 100, &rn), E2E_ERR_BUFFER);
    e2e_skype_identity_free(id);
}

int
main(void)
{
    setup();
    RUN(test_register_login_and_certificates);
    RUN(test_duplicate_registration_refused);
    RUN(test_wrong_password_and_unknown_name);
    RUN(test_sealed_requests_tampered);
    RUN(test_certificates_total_and_partial_recovery);
    RUN(test_certificate_validity_and_foreign_ca);
    RUN(test_persistence);
    RUN(test_identity_arguments);
    e2e_skype_ca_free(ca);
    e2e_skype_authority_free(au);
    test_ctx_free(&T);
    return test_finish();
}
