/* Helpers for tests of our own Signal sessions (see pair.h). */
#include "pair.h"

#include <stdlib.h>
#include <string.h>

void
us_init(struct us *u, uint64_t seed)
{
    memset(u, 0, sizeof *u);
    test_ctx_new(&u->t, seed);
    CHECK_OK(e2e_signal_identity_generate(&u->id, u->t.ctx));
    CHECK_OK(e2e_signal_prekeys_new(&u->pk));
    CHECK_OK(e2e_signal_prekeys_rotate_signed(u->pk, &u->id, u->t.ctx, NULL));
    CHECK_OK(e2e_signal_prekeys_generate(u->pk, u->t.ctx, 10, NULL));
    CHECK_OK(e2e_signal_session_new(&u->s));
}

void
us_free(struct us *u)
{
    e2e_signal_session_free(u->s);
    e2e_signal_prekeys_free(u->pk);
    test_ctx_free(&u->t);
}

void
us_bundle(const struct us *u, size_t opk, struct e2e_signal_bundle *b)
{
    uint32_t ids[64];
    size_t n = e2e_signal_prekeys_ids(u->pk, ids, 64);
    CHECK(opk <= n);
    CHECK_OK(e2e_signal_prekeys_bundle(u->pk, &u->id, 1, opk && opk <= n ? ids[opk - 1] : 0, b));
}

size_t
us_encrypt(struct us *from, const void *pt, size_t n, uint8_t *out, size_t cap, int *type)
{
    size_t len = 0;
    int rc = e2e_signal_session_encrypt(from->s, from->t.ctx, pt, n, out, cap, &len, type);
    CHECK_OK(rc);
    return rc == E2E_OK ? len : 0;
}

int
us_decrypt(struct us *to, int type, const uint8_t *msg, size_t n, const void *want, size_t want_len,
           struct e2e_report *why)
{
    uint8_t *pt = malloc(n + 1);
    size_t got = 0;
    int rc = type == E2E_SIGNAL_MSG_PREKEY
                 ? e2e_signal_session_decrypt_prekey(to->s, to->t.ctx, &to->id, to->pk, NULL, msg,
                                                     n, pt, n, &got, NULL, why)
                 : e2e_signal_session_decrypt(to->s, to->t.ctx, msg, n, pt, n, &got, why);
    if (rc == E2E_OK && want) {
        CHECK_EQ(got, want_len);
        CHECK_MEM(pt, want, want_len);
    }
    free(pt);
    return rc;
}

int
us_send(struct us *from, struct us *to, const void *pt, size_t n)
{
    size_t cap = e2e_signal_encrypt_max(n);
    uint8_t *m = malloc(cap);
    int type = 0;
    size_t len = us_encrypt(from, pt, n, m, cap, &type);
    int rc = len ? us_decrypt(to, type, m, len, pt, n, NULL) : E2E_ERR_INVALID;
    free(m);
    return rc;
}

void
pair_setup(struct us *alice, struct us *bob, int opk, int ack)
{
    struct e2e_signal_bundle b;
    struct e2e_report why;
    us_bundle(bob, opk ? 1 : 0, &b);
    CHECK_OK(
        e2e_signal_session_init_alice(alice->s, alice->t.ctx, &alice->id, &b, NULL, NULL, &why));
    if (ack) {
        CHECK_OK(us_send(alice, bob, "hello", 5));
        CHECK_OK(us_send(bob, alice, "hi", 2));
        CHECK_EQ(e2e_signal_session_pending_prekey(alice->s), 0);
    }
}

static void
snap_alloc(struct snap *s, size_t n)
{
    s->p = malloc(n ? n : 1);
    s->n = n;
}

void
snap_session(struct snap *s, const e2e_signal_session *x)
{
    size_t len = 0;
    snap_alloc(s, e2e_signal_session_serialized_size(x));
    CHECK_OK(e2e_signal_session_serialize(x, s->p, s->n, &len));
    CHECK_EQ(len, s->n);
}

void
snap_group(struct snap *s, const e2e_signal_group *x)
{
    size_t len = 0;
    snap_alloc(s, e2e_signal_group_serialized_size(x));
    CHECK_OK(e2e_signal_group_serialize(x, s->p, s->n, &len));
    CHECK_EQ(len, s->n);
}

void
snap_prekeys(struct snap *s, const e2e_signal_prekeys *x)
{
    size_t len = 0;
    snap_alloc(s, e2e_signal_prekeys_serialized_size(x));
    CHECK_OK(e2e_signal_prekeys_serialize(x, s->p, s->n, &len));
    CHECK_EQ(len, s->n);
}

int
snap_same(const struct snap *a, const struct snap *b)
{
    return a->n == b->n && memcmp(a->p, b->p, a->n) == 0;
}

void
snap_free(struct snap *s)
{
    free(s->p);
    s->p = NULL;
    s->n = 0;
}
