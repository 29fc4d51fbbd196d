/* Internal to the secret chat: the state object and the functions its files share. */
#ifndef E2E_TELEGRAM_CHAT_H
#define E2E_TELEGRAM_CHAT_H

#include <stddef.h>
#include <stdint.h>

#include <e2ekit/telegram.h>

#include "telegram/internal.h"
#include "telegram/queue.h"

struct tg_key {
    uint8_t key[E2E_TG_KEY_BYTES];
    uint8_t id[8];
    int present;
};

enum tg_pfs_state {
    TG_PFS_IDLE = 0,
    TG_PFS_WAIT_ACCEPT = 1, /* we sent RequestKey */
    TG_PFS_WAIT_COMMIT = 2, /* we sent AcceptKey */
};

/* Kept before the inner TL of an early message and of a MESSAGE / SERVICE event. */
struct tg_msg_head {
    int32_t layer, in_seq_no, out_seq_no;
    int32_t mtproto;
    uint32_t kind;
    int32_t resend_done; /* its Resend was served when it arrived out of order */
    uint8_t key_id[8];   /* the key that decrypted it */
};

/* Kept for every event. */
struct tg_ev_head {
    int32_t type;
    int32_t start_seq_no, end_seq_no;
    int32_t err;
    int64_t key_fingerprint;
    const char *reason; /* static */
    struct tg_msg_head msg;
};

struct e2e_tg_chat {
    int role;  /* enum e2e_tg_role: x = 0 creator, 1 acceptor in the seq_no formulas */
    int state; /* enum e2e_tg_chat_state */
    int32_t my_layer, his_layer;
    int32_t his_msg_layer; /* the layer of the last in-order message: must not decrease */
    const e2e_dh_group *grp;
    uint8_t p[E2E_DH_BYTES];
    int32_t g;
    uint8_t dh_priv[E2E_DH_BYTES]; /* creator's a until the key exists */

    struct tg_key cur, other; /* other: the previous key, kept while messages may still use it */
    uint8_t visual[36];

    uint32_t my_in, my_out, his_in; /* raw counters (wire value = 2 * raw + parity) */
    uint32_t resend_asked;          /* raw seq up to which (exclusive) we asked for a Resend */
    int seen_mtproto2;

    int pfs;
    int64_t exchange_id;
    uint8_t pfs_priv[E2E_DH_BYTES];
    struct tg_key pfs_new;
    uint32_t since_rekey, sent_since_rekey;
    uint64_t key_since_ms;

    struct tg_queue store;   /* our ciphertexts by raw out seq, until the peer acknowledges */
    struct tg_queue outbox;  /* blobs to send */
    struct tg_queue early;   /* out-of-order messages: tg_msg_head || inner TL, tag = raw seq */
    struct tg_queue events;  /* tg_ev_head || inner TL */
    int out_taken, ev_taken; /* the front item was handed out: remove it on the next call */

    uint8_t *scratch; /* plaintext buffer, reused */
    size_t scratch_cap;
    int64_t *ids; /* decoded random ids of the event handed out */
    size_t ids_cap;
};

/* secret_chat.c */
e2e_tg_chat *e2e__tg_chat_alloc(int role);
int e2e__tg_chat_establish(e2e_tg_chat *c, const e2e_ctx *ctx, const uint8_t key[256]);
int e2e__tg_send_service(e2e_tg_chat *c, const e2e_ctx *ctx, const struct e2e_tg_action *a);
int e2e__tg_abort(e2e_tg_chat *c, struct e2e_report *why, int err, const char *check,
                  const char *detail);
int e2e__tg_push_event(e2e_tg_chat *c, const struct tg_ev_head *h, const uint8_t *tl, size_t n);
void e2e__tg_release_views(e2e_tg_chat *c);
int e2e__tg_ensure_scratch(e2e_tg_chat *c, size_t n);
void e2e__tg_set_key(struct tg_key *k, const uint8_t key[256]);
void e2e__tg_wipe_key(struct tg_key *k);

/* secret_pfs.c */
int e2e__tg_pfs_maybe_start(e2e_tg_chat *c, const e2e_ctx *ctx);
int e2e__tg_pfs_on_action(e2e_tg_chat *c, const e2e_ctx *ctx, const struct e2e_tg_action *a,
                          struct e2e_report *why);

#endif
