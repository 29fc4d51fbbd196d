/* Viber parsers and decrypt paths on random input and on valid objects with several random
 * changes (bytes flipped, inserted, removed): always a specific error, never a crash (the
 * sanitizer build runs this too), never a change of state. */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/viber.h>

#include "test.h"
#include "vbworld.h"

#define ROUNDS 3000
#define CAP    4096

static uint32_t rng_state = 0x2545f491u;

static uint32_t
rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* A copy of a valid object with 1..4 random edits, or pure noise. */
static size_t
mangle(uint8_t *out, const uint8_t *in, size_t n)
{
    if (rnd() % 8 == 0) {
        size_t len = rnd() % (n + 64);
        for (size_t i = 0; i < len; i++)
            out[i] = (uint8_t)rnd();
        if (len >= 2 && rnd() % 2) { /* keep a plausible header */
            out[0] = in[0];
            out[1] = in[1];
        }
        return len;
    }
    memcpy(out, in, n);
    for (int k = 1 + (int)(rnd() % 4); k > 0; k--) {
        size_t at = n ? rnd() % n : 0;
        switch (rnd() % 3) {
        case 0:
            if (n)
                out[at] ^= (uint8_t)(1 + rnd() % 255);
            break;
        case 1: /* insert */
            memmove(out + at + 1, out + at, n - at);
            out[at] = (uint8_t)rnd();
            n++;
            break;
        default: /* remove */
            if (n) {
                memmove(out + at, out + at + 1, n - at - 1);
                n--;
            }
        }
    }
    return n;
}

static int
is_error(int rc)
{
    return rc < 0 && strcmp(e2e_err_name(rc), "UNKNOWN") != 0;
}

static void
test_one_to_one(void)
{
    struct vbw w;
    uint8_t m[CAP], x[CAP + 64], pt[CAP], ida[32];
    size_t len, covered, n, blen, dlen;
    vbw_init(&w, 71);
    int a = vbw_primary(&w, "a", 3), b = vbw_primary(&w, "b", 3);
    CHECK_OK(vbw_connect(&w, a, b));
    CHECK_OK(
        vbw_send(&w, a, &b, 1, (const uint8_t *)"garbage test", 12, m, sizeof m, &len, &covered));
    vbw_id(&w, a, ida);
    uint8_t *before = vbw_blob(&w, b, a, &blen), *dev = vbw_device_blob(&w, b, &dlen);
    int ok = 1;
    for (int i = 0; i < ROUNDS; i++) {
        size_t xn = mangle(x, m, len);
        struct e2e_viber_msg_info info;
        int rc =
            e2e_viber_decrypt(w.sess[b][a], w.ctx, w.dev[b].d, ida, x, xn, pt, sizeof pt, &n, NULL);
        int rc2 = e2e_viber_msg_peek(&info, x, xn, e2e_viber_device_udid(w.dev[b].d), NULL);
        int rc3 =
            e2e_viber_msg_split(pt, sizeof pt, &n, x, xn, e2e_viber_device_udid(w.dev[b].d), NULL);
        if (xn == len && memcmp(x, m, len) == 0)
            continue; /* the mangling happened to change nothing */
        ok &= is_error(rc) && (rc2 == E2E_OK || is_error(rc2)) && (rc3 == E2E_OK || is_error(rc3));
    }
    CHECK(ok);
    size_t l2, d2;
    uint8_t *after = vbw_blob(&w, b, a, &l2), *dev2 = vbw_device_blob(&w, b, &d2);
    CHECK(l2 == blen && memcmp(before, after, blen) == 0);
    CHECK(d2 == dlen && memcmp(dev, dev2, dlen) == 0);
    CHECK_OK(
        e2e_viber_decrypt(w.sess[b][a], w.ctx, w.dev[b].d, ida, m, len, pt, sizeof pt, &n, NULL));
    free(before);
    free(after);
    free(dev);
    free(dev2);
    vbw_free(&w);
}

static void
test_group_link_call_file(void)
{
    struct vbw w;
    uint8_t m[CAP], x[CAP + 64], pt[CAP], payload[E2E_VIBER_GROUP_KEY_LEN];
    uint8_t udid[16] = {7}, other[16] = {8};
    size_t len, n;
    vbw_init(&w, 72);
    e2e_viber_group *g = NULL, *r = NULL;
    CHECK_OK(e2e_viber_group_create(&g, w.ctx, udid));
    CHECK_OK(e2e_viber_group_export(g, payload));
    CHECK_OK(e2e_viber_group_join(&r, other, payload, sizeof payload, NULL));
    CHECK_OK(e2e_viber_group_encrypt(g, w.ctx, (const uint8_t *)"group", 5, m, sizeof m, &len));
    int ok = 1;
    for (int i = 0; i < ROUNDS; i++) {
        size_t xn = mangle(x, m, len);
        int rc = e2e_viber_group_decrypt(r, w.ctx, x, xn, pt, sizeof pt, &n, NULL, NULL);
        e2e_viber_group *j = NULL;
        size_t pn = mangle(x, payload, sizeof payload);
        int rc2 = e2e_viber_group_join(&j, other, x, pn, NULL);
        ok &= is_error(rc) && (rc2 == E2E_OK || is_error(rc2));
        e2e_viber_group_free(j);
    }
    CHECK(ok);
    CHECK_OK(e2e_viber_group_decrypt(r, w.ctx, m, len, pt, sizeof pt, &n, NULL, NULL));

    /* registration, call messages, file references, PreKeys: total parsers */
    int p = vbw_primary(&w, "p", 0);
    e2e_viber_device *sec = NULL;
    struct e2e_viber_link l;
    uint8_t qr[E2E_VIBER_QR_LEN], msg[E2E_VIBER_LINK_MSG_LEN], to[16], id[32];
    CHECK_OK(e2e_viber_device_new_secondary(&sec, udid));
    CHECK_OK(e2e_viber_link_start(&l, w.ctx, sec, qr));
    CHECK_OK(e2e_viber_link_transfer(msg, to, w.ctx, w.dev[p].d, qr, sizeof qr, NULL));
    vbw_id(&w, p, id);
    struct e2e_viber_call c;
    uint8_t offer[E2E_VIBER_CALL_MSG_LEN], ans[E2E_VIBER_CALL_MSG_LEN];
    uint8_t call_id[16] = {1};
    CHECK_OK(e2e_viber_call_offer(&c, offer, w.ctx, w.dev[p].d, call_id));
    for (int i = 0; i < ROUNDS; i++) {
        size_t xn = mangle(x, msg, sizeof msg);
        int rc = (xn == sizeof msg && memcmp(x, msg, xn) == 0)
                     ? -1
                     : e2e_viber_link_finish(&l, w.ctx, sec, id, x, xn, NULL);
        struct e2e_viber_call cb;
        size_t on = mangle(x, offer, sizeof offer);
        int rc2 = (on == sizeof offer && memcmp(x, offer, on) == 0)
                      ? -1
                      : e2e_viber_call_answer(&cb, ans, w.ctx, w.dev[p].d, id, x, on, NULL);
        struct e2e_viber_file_ref fr;
        struct e2e_viber_prekey pk;
        int rc3 = e2e_viber_file_ref_parse(&fr, x, on, NULL);
        int rc4 = e2e_viber_prekey_parse(&pk, x, on, NULL);
        ok &= is_error(rc) && is_error(rc2) && (rc3 == E2E_OK || is_error(rc3)) &&
              (rc4 == E2E_OK || is_error(rc4));
    }
    CHECK(ok);
    CHECK_OK(e2e_viber_link_finish(&l, w.ctx, sec, id, msg, sizeof msg, NULL));
    e2e_viber_call_end(&c);
    e2e_viber_device_free(sec);
    e2e_viber_group_free(g);
    e2e_viber_group_free(r);
    vbw_free(&w);
}

/* Every state blob parser on mangled blobs: an error or a well-formed object, never a crash. */
static void
test_blobs(void)
{
    struct vbw w;
    vbw_init(&w, 73);
    int a = vbw_primary(&w, "a", 3), b = vbw_primary(&w, "b", 3);
    uint8_t m[CAP], pt[CAP];
    size_t len, covered, n, blen, dlen;
    CHECK_OK(vbw_connect(&w, a, b));
    CHECK_OK(vbw_send(&w, a, &b, 1, (const uint8_t *)"x", 1, m, sizeof m, &len, &covered));
    CHECK_OK(vbw_recv(&w, b, a, m, len, pt, sizeof pt, &n, NULL));
    uint8_t *sb = vbw_blob(&w, b, a, &blen), *db = vbw_device_blob(&w, b, &dlen);
    uint8_t *x = malloc(dlen + blen + 64);
    int ok = 1;
    for (int i = 0; i < ROUNDS; i++) {
        e2e_viber_session *s = NULL;
        e2e_viber_device *d = NULL;
        size_t xn = mangle(x, sb, blen);
        int rc = e2e_viber_session_parse(&s, x, xn, NULL);
        ok &= rc == E2E_OK ? s != NULL : (is_error(rc) && s == NULL);
        e2e_viber_session_free(s);
        xn = mangle(x, db, dlen);
        rc = e2e_viber_device_parse(&d, x, xn, NULL);
        ok &= rc == E2E_OK ? d != NULL : (is_error(rc) && d == NULL);
        e2e_viber_device_free(d);
    }
    CHECK(ok);
    free(x);
    free(sb);
    free(db);
    vbw_free(&w);
}

int
main(void)
{
    RUN(test_one_to_one);
    RUN(test_group_link_call_file);
    RUN(test_blobs);
    return test_finish();
}
