/* Internal to src/telegram: shared by the message crypto, the chat and the call. */
#ifndef E2E_TELEGRAM_INTERNAL_H
#define E2E_TELEGRAM_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <e2ekit/telegram.h>

#include "core/bytes.h"

/* ---- mtproto.c ------------------------------------------------------------------------------ */

/* MTProto 2.0 encrypt with the key id already known (the chat keeps it); plain framing is the
 * caller's (checked by the public wrapper). */
void e2e__tg_mtp2_seal(const e2e_ctx *ctx, uint8_t *out, const uint8_t key[256],
                       const uint8_t key_id[8], int x, const uint8_t *plain, size_t n);
/* MTProto 2.0 decrypt after the caller matched the key id: size and msg_key only (tools). */
int e2e__tg_mtp2_unseal(const e2e_ctx *ctx, uint8_t *out, const uint8_t key[256], int x,
                        const uint8_t *msg, size_t n, struct e2e_report *why);
/* MTProto 2.0 decrypt after the caller matched the key id: size, msg_key, length, padding. */
int e2e__tg_mtp2_open(const e2e_ctx *ctx, uint8_t *out, size_t *tl_len, const uint8_t key[256],
                      int x, const uint8_t *msg, size_t n, struct e2e_report *why);
int e2e__tg_mtp1_open(const e2e_ctx *ctx, uint8_t *out, size_t *tl_len, const uint8_t key[256],
                      const uint8_t *msg, size_t n, struct e2e_report *why);
/* 1 when the framing of a padded plaintext is one a peer accepts (MTProto 2.0). */
int e2e__tg_mtp2_framing_ok(const uint8_t *plain, size_t n);

/* ---- secret_chat.c: DH values on the wire ---------------------------------------------------- */

/* Leading zero bytes of a 256-byte big-endian value (at most 255). */
size_t e2e__tg_minimal(const uint8_t v[256]);
/* The minimal big-endian form (as tdlib's BN_bn2bin sends g_a, g_b) into out. */
void e2e__tg_minimal_copy(uint8_t out[256], size_t *len, const uint8_t v[256]);

/* ---- secret_tl.c: the secret-chat schema ------------------------------------------------------
 */

/* The decoded decryptedMessageLayer. The inner message stays a view (msg, msg_len) so that it
 * can be kept and re-read later; kind says which constructor it is. */
struct e2e__tg_layer {
    const uint8_t *random_bytes;
    size_t random_len;
    int32_t layer;
    int32_t in_seq_no;
    int32_t out_seq_no;
    uint32_t kind; /* E2E_TG_ID_MESSAGE, _MESSAGE46, _SERVICE or _SERVICE8 */
    const uint8_t *msg;
    size_t msg_len;
};

/* Parses a whole decryptedMessageLayer (top-level constructor, exact consumption, random_bytes
 * >= 15, inner message fully checked). E2E_ERR_MALFORMED "tl". */
int e2e__tg_parse_layer(struct e2e__tg_layer *l, const uint8_t *tl, size_t n,
                        struct e2e_report *why);
/* Decodes a checked inner message into the event's message or action (views into msg).
 * random_ids are written to ids (capacity cap_ids, which must hold n_random_ids). */
int e2e__tg_decode_inner(uint32_t kind, const uint8_t *msg, size_t msg_len,
                         struct e2e_tg_message *m, struct e2e_tg_action *a, int64_t *random_id,
                         int64_t *ids, size_t cap_ids);
/* Number of random ids in an action's vector (for sizing the decode buffer). */
size_t e2e__tg_inner_random_ids(uint32_t kind, const uint8_t *msg, size_t msg_len);

/* Writes decryptedMessageLayer(random_bytes, layer, in, out, message) with a decryptedMessage
 * or a decryptedMessageService. The media form follows `layer`. */
void e2e__tg_write_layer_message(struct e2e_writer *w, const uint8_t random_bytes[31],
                                 int32_t layer, int32_t in_seq_no, int32_t out_seq_no,
                                 const struct e2e_tg_message *m);
void e2e__tg_write_layer_service(struct e2e_writer *w, const uint8_t random_bytes[31],
                                 int32_t layer, int32_t in_seq_no, int32_t out_seq_no,
                                 int64_t random_id, const struct e2e_tg_action *a);
/* Upper bound of the TL size of a message / service (for buffer sizing). */
size_t e2e__tg_message_tl_bound(const struct e2e_tg_message *m);
size_t e2e__tg_action_tl_bound(const struct e2e_tg_action *a);

#endif
