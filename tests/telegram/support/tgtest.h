/*
 * Helpers for the telegram tests: two secret chats set up with the real DH over the Telegram
 * prime, a simulated server (outboxes captured and delivered in any order), snapshots for
 * "state unchanged" checks, and forging messages as an authenticated peer would write them
 * (the tests reach the chat's key through src/telegram/chat.h, so that they can send what an
 * honest implementation never would).
 */
#ifndef E2E_TGTEST_H
#define E2E_TGTEST_H

#include <stddef.h>
#include <stdint.h>

#include <e2ekit/telegram.h>

#include "test.h"

struct tg_pair {
    struct test_ctx t;
    e2e_dh_cache *cache;
    e2e_tg_chat *a; /* creator */
    e2e_tg_chat *b; /* acceptor */
};

/* Both sides over the Telegram prime (g = 3); the DH runs, NotifyLayer goes both ways, events
 * are drained. */
void tg_pair_new(struct tg_pair *p, uint64_t seed);
void tg_pair_free(struct tg_pair *p);

#define TG_BLOBS_MAX 2048
struct tg_blobs {
    uint8_t *p[TG_BLOBS_MAX];
    size_t n[TG_BLOBS_MAX];
    size_t count;
};
/* Appends copies of everything in c's outbox. */
size_t tg_take(e2e_tg_chat *c, struct tg_blobs *b);
void tg_blobs_free(struct tg_blobs *b);
/* Delivers every pending output of `from` to `to`, each expected to return E2E_OK. */
size_t tg_deliver(e2e_tg_chat *from, e2e_tg_chat *to, const e2e_ctx *ctx);
/* Ping-pong until both outboxes are empty. */
void tg_settle(struct tg_pair *p);
/* Drains c's events; returns how many had `type` (0: all). The last one of that type is copied
 * to *last when given (its views are gone after the next call). */
size_t tg_events(e2e_tg_chat *c, int type, struct e2e_tg_event *last);
int tg_send_text(e2e_tg_chat *c, const e2e_ctx *ctx, const char *text);

/* State snapshots. */
size_t tg_snapshot(const e2e_tg_chat *c, uint8_t **blob);
int tg_same_state(const e2e_tg_chat *c, const uint8_t *blob, size_t n);

/* Forging. The seq numbers `from` would write next. */
void tg_next_seq(const e2e_tg_chat *from, int32_t *in_seq_no, int32_t *out_seq_no);
/* decryptedMessageLayer with 31 random bytes 0x5a, around an inner message. */
size_t tg_layer_tl(uint8_t *out, size_t cap, int32_t layer, int32_t in_seq_no, int32_t out_seq_no,
                   const uint8_t *inner, size_t inner_len);
/* Inner messages. */
size_t tg_inner_text(uint8_t *out, size_t cap, int64_t random_id, const char *text);
size_t tg_inner_action(uint8_t *out, size_t cap, const struct e2e_tg_action *a);
/* Encrypts tl (padded with tdlib's buckets, or 0..15 bytes for MTProto 1.0) under from's current
 * key in from's direction. Returns the blob length. */
size_t tg_forge(const e2e_tg_chat *from, const uint8_t *tl, size_t tl_len, int mtproto,
                uint8_t *out);
/* Same with an explicit plaintext (length || TL || padding) for framing tests. */
size_t tg_forge_plain(const e2e_tg_chat *from, const uint8_t *plain, size_t n, uint8_t *out);
/* The next in-order text message from `from`, forged at `layer`. */
size_t tg_forge_text(const e2e_tg_chat *from, int32_t layer, const char *text, uint8_t *out);

#endif
