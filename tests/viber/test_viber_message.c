/* Viber multi-device messages: accounts with several devices, one without a session, the
 * relay's split, builder errors, and secondary-device registration by QR. */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/viber.h>

#include "test.h"
#include "vbworld.h"

#define CAP 8192

/* alice: phone + pc; bob: phone + tablet + pc (the pc has no PreKeys at the relay). */
struct two {
    struct vbw w;
    int a1, a2, b1, b2, b3;
};

static void
two_init(struct two *t, uint64_t seed)
{
    vbw_init(&t->w, seed);
    t->a1 = vbw_primary(&t->w, "alice-phone", 5);
    t->a2 = vbw_secondary(&t->w, "alice-pc", t->a1, 5);
    t->b1 = vbw_primary(&t->w, "bob-phone", 5);
    t->b2 = vbw_secondary(&t->w, "bob-tablet", t->b1, 5);
    t->b3 = vbw_secondary(&t->w, "bob-pc", t->b1, 0); /* offline at setup: no PreKeys */
    CHECK(t->a1 >= 0 && t->a2 >= 0 && t->b1 >= 0 && t->b2 >= 0 && t->b3 >= 0);
}

/* Sessions the way Viber sets them up: between devices of one account at registration, and
 * from each sending device to every device of the peer that has PreKeys. */
static void
two_connect(struct two *t)
{
    CHECK_OK(vbw_connect(&t->w, t->a1, t->a2));
    CHECK_OK(vbw_connect(&t->w, t->b1, t->b2));
    int from[] = {t->a1, t->a2}, to[] = {t->b1, t->b2, t->b3};
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 3; j++) {
            int rc = vbw_connect(&t->w, from[i], to[j]);
            CHECK_ERR(rc, to[j] == t->b3 ? E2E_ERR_NOT_FOUND : E2E_OK);
        }
}

static void
expect_read(struct two *t, int at, int from, const uint8_t *msg, size_t len, const char *text)
{
    uint8_t pt[CAP];
    size_t n = 0;
    struct e2e_report why;
    int rc = vbw_recv(&t->w, at, from, msg, len, pt, sizeof pt, &n, &why);
    CHECK_OK(rc);
    if (rc)
        fprintf(stderr, "  device %s: %s: %s\n", t->w.dev[at].name, why.check, why.detail);
    CHECK(rc == E2E_OK && n == strlen(text) && memcmp(pt, text, n) == 0);
}

static void
test_registration_shares_the_id_key(void)
{
    struct two t;
    two_init(&t, 11);
    uint8_t a1[32], a2[32], b1[32], b2[32];
    vbw_id(&t.w, t.a1, a1);
    vbw_id(&t.w, t.a2, a2);
    vbw_id(&t.w, t.b1, b1);
    vbw_id(&t.w, t.b2, b2);
    CHECK_MEM(a1, a2, 32);
    CHECK_MEM(b1, b2, 32);
    CHECK(memcmp(a1, b1, 32) != 0);
    CHECK_EQ(e2e_viber_device_role(t.w.dev[t.a2].d), E2E_VIBER_SECONDARY);
    /* trust is per account: the authentication string is the same from every device */
    char s1[49], s2[49], s3[49];
    CHECK_OK(e2e_viber_device_auth_string(t.w.dev[t.a1].d, s1, b1));
    CHECK_OK(e2e_viber_device_auth_string(t.w.dev[t.a2].d, s2, b1));
    CHECK_OK(e2e_viber_device_auth_string(t.w.dev[t.b2].d, s3, a1));
    CHECK(strcmp(s1, s2) == 0 && strcmp(s1, s3) == 0 && strlen(s1) == 48);
    vbw_free(&t.w);
}

static void
test_conversation_between_multi_device_accounts(void)
{
    struct two t;
    uint8_t m[CAP];
    size_t len, covered;
    int results[4];
    two_init(&t, 12);
    two_connect(&t);

    /* alice's phone writes to bob: bob's three devices plus alice's pc */
    int to[] = {t.b1, t.b2, t.b3, t.a2};
    e2e_viber_session *s[4];
    for (int k = 0; k < 4; k++)
        s[k] = t.w.sess[t.a1][to[k]];
    const char *text = "hi bob, from my phone";
    CHECK_OK(e2e_viber_encrypt(t.w.ctx, t.w.dev[t.a1].d, s, 4, results, &covered,
                               (const uint8_t *)text, strlen(text), m, sizeof m, &len));
    CHECK_EQ(covered, 3);
    CHECK_OK(results[0]);
    CHECK_OK(results[1]);
    CHECK_ERR(results[2], E2E_ERR_NO_SESSION); /* bob's pc: no session, cannot read */
    CHECK_OK(results[3]);
    CHECK_EQ(len, e2e_viber_msg_size(strlen(text), 3)); /* every entry starts a session */
    uint8_t udids[4][16];
    size_t n;
    CHECK_OK(e2e_viber_msg_recipients(udids, 4, &n, m, len, NULL));
    CHECK_EQ(n, 3);
    expect_read(&t, t.b1, t.a1, m, len, text);
    expect_read(&t, t.b2, t.a1, m, len, text);
    expect_read(&t, t.a2, t.a1, m, len, text);
    uint8_t pt[CAP], one[CAP];
    CHECK_ERR(e2e_viber_msg_split(one, sizeof one, &n, m, len,
                                  e2e_viber_device_udid(t.w.dev[t.b3].d), NULL),
              E2E_ERR_NOT_FOUND);
    uint8_t ida[32];
    vbw_id(&t.w, t.a1, ida);
    struct e2e_report why;
    CHECK_ERR(e2e_viber_decrypt(vbw_sess(&t.w, t.b3, t.a1), t.w.ctx, t.w.dev[t.b3].d, ida, m, len,
                                pt, sizeof pt, &n, &why),
              E2E_ERR_NO_SESSION);
    CHECK(why.check && strcmp(why.check, "entry") == 0);

    /* bob's tablet answers alice's phone and pc, and syncs bob's phone. It has heard from
     * none of the other two yet, so it starts sessions of its own: each of them ends up with
     * two states for the pair, and the archived one still decrypts. */
    CHECK_OK(vbw_connect(&t.w, t.b2, t.a2));
    CHECK_OK(vbw_connect(&t.w, t.b2, t.b1));
    int to2[] = {t.a1, t.a2, t.b1};
    const char *reply = "hello alice (from the tablet)";
    CHECK_OK(vbw_send(&t.w, t.b2, to2, 3, (const uint8_t *)reply, strlen(reply), m, sizeof m, &len,
                      &covered));
    CHECK_EQ(covered, 3);
    expect_read(&t, t.a1, t.b2, m, len, reply);
    expect_read(&t, t.a2, t.b2, m, len, reply);
    expect_read(&t, t.b1, t.b2, m, len, reply);

    /* alice's pc writes with the sessions it started before the tablet started its own */
    int to3[] = {t.b1, t.b2, t.a1};
    const char *third = "from alice's pc";
    CHECK_OK(vbw_send(&t.w, t.a2, to3, 3, (const uint8_t *)third, strlen(third), m, sizeof m, &len,
                      &covered));
    CHECK_EQ(covered, 3); /* a2 -> a1 answers the session a1 started */
    expect_read(&t, t.b1, t.a2, m, len, third);
    expect_read(&t, t.b2, t.a2, m, len, third);
    expect_read(&t, t.a1, t.a2, m, len, third);
    vbw_free(&t.w);
}

/* Every device of both accounts writes, every other device reads, over several rounds. */
static void
test_all_devices_talk(void)
{
    struct two t;
    uint8_t m[CAP];
    size_t len, covered;
    two_init(&t, 13);
    int devs[] = {t.a1, t.a2, t.b1, t.b2};
    vbw_connect_all(&t.w, devs, 4);
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 4; i++) {
            int to[3], k = 0;
            for (int j = 0; j < 4; j++)
                if (j != i)
                    to[k++] = devs[j];
            char text[64];
            snprintf(text, sizeof text, "round %d from %s", round, t.w.dev[devs[i]].name);
            CHECK_OK(vbw_send(&t.w, devs[i], to, 3, (const uint8_t *)text, strlen(text), m,
                              sizeof m, &len, &covered));
            CHECK_EQ(covered, 3);
            for (int j = 0; j < 3; j++)
                expect_read(&t, to[j], devs[i], m, len, text);
        }
    }
    vbw_free(&t.w);
}

static void
test_builder_errors(void)
{
    struct two t;
    uint8_t m[CAP];
    size_t len;
    struct e2e_viber_msg_builder b;
    two_init(&t, 14);
    two_connect(&t);
    e2e_viber_session *s1 = t.w.sess[t.a1][t.b1];
    CHECK_OK(
        e2e_viber_msg_begin(&b, t.w.ctx, t.w.dev[t.a1].d, (const uint8_t *)"x", 1, m, sizeof m));
    CHECK_OK(e2e_viber_msg_add(&b, t.w.ctx, s1));
    CHECK_ERR(e2e_viber_msg_add(&b, t.w.ctx, s1), E2E_ERR_PROTOCOL); /* the same device twice */
    e2e_viber_session *empty = vbw_sess(&t.w, t.a1, t.b3);
    CHECK_ERR(e2e_viber_msg_add(&b, t.w.ctx, empty), E2E_ERR_NO_SESSION);
    CHECK_OK(e2e_viber_msg_finish(&b, &len));
    CHECK(len > 0);
    CHECK_ERR(e2e_viber_msg_add(&b, t.w.ctx, s1), E2E_ERR_STATE); /* finished */

    /* a buffer that holds the body but not the entry: nothing changes in the session */
    size_t blen, blen2;
    uint8_t *before = vbw_blob(&t.w, t.a1, t.b2, &blen);
    CHECK_OK(e2e_viber_msg_begin(&b, t.w.ctx, t.w.dev[t.a1].d, (const uint8_t *)"abc", 3, m,
                                 22 + 3 + 2 + 100));
    CHECK_ERR(e2e_viber_msg_add(&b, t.w.ctx, t.w.sess[t.a1][t.b2]), E2E_ERR_BUFFER);
    CHECK_ERR(e2e_viber_msg_finish(&b, &len), E2E_ERR_NO_SESSION);
    uint8_t *after = vbw_blob(&t.w, t.a1, t.b2, &blen2);
    CHECK(before && after && blen == blen2 && memcmp(before, after, blen) == 0);
    free(before);
    free(after);
    CHECK_ERR(e2e_viber_msg_begin(&b, t.w.ctx, t.w.dev[t.a1].d, (const uint8_t *)"abc", 3, m, 20),
              E2E_ERR_BUFFER);

    /* a secondary without an ID key cannot send */
    e2e_viber_device *lone = NULL;
    uint8_t udid[16] = {9};
    CHECK_OK(e2e_viber_device_new_secondary(&lone, udid));
    CHECK_ERR(e2e_viber_msg_begin(&b, t.w.ctx, lone, (const uint8_t *)"x", 1, m, sizeof m),
              E2E_ERR_STATE);
    e2e_viber_device_free(lone);
    vbw_free(&t.w);
}

/* ---- QR registration ------------------------------------------------------------------------ */

struct reg {
    struct vbw w;
    int primary;
    e2e_viber_device *sec;
    struct e2e_viber_link link;
    uint8_t qr[E2E_VIBER_QR_LEN], msg[E2E_VIBER_LINK_MSG_LEN], id[32];
};

static void
reg_init(struct reg *r, uint64_t seed)
{
    uint8_t udid[16], to[16];
    vbw_init(&r->w, seed);
    r->primary = vbw_primary(&r->w, "carol-phone", 0);
    vbw_udid(udid, "carol-laptop");
    CHECK_OK(e2e_viber_device_new_secondary(&r->sec, udid));
    CHECK_OK(e2e_viber_link_start(&r->link, r->w.ctx, r->sec, r->qr));
    CHECK_OK(e2e_viber_link_transfer(r->msg, to, r->w.ctx, r->w.dev[r->primary].d, r->qr,
                                     sizeof r->qr, NULL));
    CHECK_MEM(to, udid, 16);
    vbw_id(&r->w, r->primary, r->id);
}

static void
reg_free(struct reg *r)
{
    e2e_viber_device_free(r->sec);
    e2e_viber_link_abort(&r->link);
    vbw_free(&r->w);
}

/* What flipping byte `off` of the registration message must give. */
static int
reg_expected(size_t off)
{
    if (off == 0)
        return E2E_ERR_UNSUPPORTED;
    if (off == 1)
        return E2E_ERR_MALFORMED;
    if (off < 18)
        return E2E_ERR_PROTOCOL; /* another UDID */
    return E2E_ERR_AUTH;         /* primary's ephemeral key, encrypted ID key, tag */
}

static void
test_registration_tampered(void)
{
    struct reg r;
    struct e2e_report why;
    reg_init(&r, 21);
    uint8_t id[32];
    for (size_t off = 0; off < sizeof r.msg; off++) {
        r.msg[off] ^= 0x01;
        int got = e2e_viber_link_finish(&r.link, r.w.ctx, r.sec, r.id, r.msg, sizeof r.msg, &why);
        r.msg[off] ^= 0x01;
        if (got != reg_expected(off))
            test_fail_(__FILE__, __LINE__, "byte %zu: %s, want %s", off, e2e_err_name(got),
                       e2e_err_name(reg_expected(off)));
        test_checks_++;
        CHECK_ERR(e2e_viber_device_identity(r.sec, id), E2E_ERR_STATE); /* nothing installed */
    }
    for (size_t cut = 0; cut < sizeof r.msg; cut++)
        CHECK_ERR(e2e_viber_link_finish(&r.link, r.w.ctx, r.sec, r.id, r.msg, cut, NULL),
                  E2E_ERR_MALFORMED);
    /* an attacker's own ID key, well encrypted to the QR's key, is refused by the published
     * one */
    uint8_t other[32];
    memcpy(other, r.id, 32);
    other[0] ^= 1;
    CHECK_ERR(e2e_viber_link_finish(&r.link, r.w.ctx, r.sec, other, r.msg, sizeof r.msg, &why),
              E2E_ERR_UNTRUSTED);
    CHECK_OK(e2e_viber_link_finish(&r.link, r.w.ctx, r.sec, r.id, r.msg, sizeof r.msg, &why));
    CHECK_OK(e2e_viber_device_identity(r.sec, id));
    CHECK_MEM(id, r.id, 32);
    /* the link is used up */
    CHECK_ERR(e2e_viber_link_finish(&r.link, r.w.ctx, r.sec, r.id, r.msg, sizeof r.msg, NULL),
              E2E_ERR_STATE);
    reg_free(&r);
}

static void
test_registration_tampered_qr(void)
{
    struct reg r;
    uint8_t to[16], msg[E2E_VIBER_LINK_MSG_LEN];
    struct e2e_report why;
    reg_init(&r, 22);
    /* a QR whose ephemeral key was swapped (say, by someone filming and re-printing it): the
     * primary encrypts to the wrong key and the real secondary's HMAC check fails */
    uint8_t bad[E2E_VIBER_QR_LEN];
    memcpy(bad, r.qr, sizeof bad);
    bad[30] ^= 0x10;
    CHECK_OK(
        e2e_viber_link_transfer(msg, to, r.w.ctx, r.w.dev[r.primary].d, bad, sizeof bad, NULL));
    CHECK_ERR(e2e_viber_link_finish(&r.link, r.w.ctx, r.sec, r.id, msg, sizeof msg, &why),
              E2E_ERR_AUTH);
    /* a QR with another UDID: the transfer is addressed elsewhere and refused by this device */
    memcpy(bad, r.qr, sizeof bad);
    bad[5] ^= 0x01;
    CHECK_OK(
        e2e_viber_link_transfer(msg, to, r.w.ctx, r.w.dev[r.primary].d, bad, sizeof bad, NULL));
    CHECK(memcmp(to, e2e_viber_device_udid(r.sec), 16) != 0);
    CHECK_ERR(e2e_viber_link_finish(&r.link, r.w.ctx, r.sec, r.id, msg, sizeof msg, &why),
              E2E_ERR_PROTOCOL);
    CHECK(why.check && strcmp(why.check, "udid") == 0);
    /* malformed QR payloads */
    CHECK_ERR(e2e_viber_link_transfer(msg, to, r.w.ctx, r.w.dev[r.primary].d, r.qr, 49, &why),
              E2E_ERR_MALFORMED);
    memcpy(bad, r.qr, sizeof bad);
    bad[0] = 2;
    CHECK_ERR(
        e2e_viber_link_transfer(msg, to, r.w.ctx, r.w.dev[r.primary].d, bad, sizeof bad, &why),
        E2E_ERR_UNSUPPORTED);
    /* only a primary hands out the ID key; a secondary cannot start a link twice */
    CHECK_ERR(e2e_viber_link_transfer(msg, to, r.w.ctx, r.sec, r.qr, sizeof r.qr, &why),
              E2E_ERR_STATE);
    struct e2e_viber_link l2;
    uint8_t qr2[E2E_VIBER_QR_LEN];
    CHECK_ERR(e2e_viber_link_start(&l2, r.w.ctx, r.w.dev[r.primary].d, qr2), E2E_ERR_STATE);
    /* the genuine transfer still works */
    CHECK_OK(e2e_viber_link_finish(&r.link, r.w.ctx, r.sec, r.id, r.msg, sizeof r.msg, &why));
    reg_free(&r);
}

int
main(void)
{
    RUN(test_registration_shares_the_id_key);
    RUN(test_conversation_between_multi_device_accounts);
    RUN(test_all_devices_talk);
    RUN(test_builder_errors);
    RUN(test_registration_tampered);
    RUN(test_registration_tampered_qr);
    return test_finish();
}
