/*
 * Helpers for tests of our own Signal sessions: a device (identity, prekeys, one session to
 * its peer), set-up pairs, sending with checks, and snapshots of serialized state so that
 * "a failure changed nothing" is tested by bytes.
 */
#ifndef E2E_SIGNAL_TEST_PAIR_H
#define E2E_SIGNAL_TEST_PAIR_H

#include <stddef.h>
#include <stdint.h>

#include <e2ekit/signal.h>

#include "test.h"

struct us {
    struct test_ctx t;
    struct e2e_signal_identity id;
    e2e_signal_prekeys *pk;
    e2e_signal_session *s;
};

void us_init(struct us *u, uint64_t seed);
void us_free(struct us *u);
/* A bundle of u's with one-time prekey number `opk` (1-based index into its list; 0: none). */
void us_bundle(const struct us *u, size_t opk, struct e2e_signal_bundle *b);
/* Alice initiates to Bob; when `ack`, one message each way so that the prekey phase is over. */
void pair_setup(struct us *alice, struct us *bob, int opk, int ack);

/* Encrypts pt from `from`; returns the message length (0 on failure). */
size_t us_encrypt(struct us *from, const void *pt, size_t n, uint8_t *out, size_t cap, int *type);
/* Decrypts either type at `to` and checks the plaintext; returns the e2e_err. */
int us_decrypt(struct us *to, int type, const uint8_t *msg, size_t n, const void *want,
               size_t want_len, struct e2e_report *why);
/* Both of the above; 0 on success. */
int us_send(struct us *from, struct us *to, const void *pt, size_t n);

/* Serialized snapshots (malloc'ed) and comparison with the current state. */
struct snap {
    uint8_t *p;
    size_t n;
};
void snap_session(struct snap *s, const e2e_signal_session *x);
void snap_group(struct snap *s, const e2e_signal_group *x);
void snap_prekeys(struct snap *s, const e2e_signal_prekeys *x);
int snap_same(const struct snap *a, const struct snap *b);
void snap_free(struct snap *s);

#endif
