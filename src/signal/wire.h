/*
 * The per-message wire formats (reference/signal.md 5, 6): a small bounded protobuf codec for
 * SignalMessage, PreKeySignalMessage and SenderKeyMessage that allocates nothing. It decodes
 * exactly what protobuf-c 1.4 decodes from proto/WhisperTextProtocol.proto (same tag rules,
 * last occurrence wins, unknown fields skipped, a known field with the wrong wire type
 * rejected) and encodes the bytes protobuf-c packs (fields in number order); the agreement is
 * tested against the generated code in tests/signal/test_wire.c.
 */
#ifndef E2E_SIGNAL_WIRE_H
#define E2E_SIGNAL_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include <e2ekit/signal.h>

/* Fields are read and written with the shared protobuf codec, src/codec/pb.h. */

/* ---- SignalMessage --------------------------------------------------------------------------- */

/* A SignalMessage as received: pointers into the caller's bytes. */
struct e2e__parsed_msg {
    const uint8_t *data; /* version || protobuf || MAC: the MAC covers data[0 .. len - 8) */
    size_t len;
    uint8_t version; /* high nibble of the first byte */
    uint8_t ratchet_key[32];
    uint32_t counter, previous_counter;
    const uint8_t *ciphertext;
    size_t ciphertext_len;
};
/* E2E_ERR_MALFORMED (check "malformed") or E2E_ERR_UNSUPPORTED (check "version"). */
int e2e__wire_parse_signal(struct e2e__parsed_msg *m, const uint8_t *msg, size_t n,
                           struct e2e_report *why);
/* Bytes from the start of a SignalMessage to its ciphertext. */
size_t e2e__wire_signal_head_len(uint32_t counter, uint32_t previous_counter, size_t ct_len);
/* Writes version || ratchetKey || counter || previousCounter || ciphertext tag and length;
 * returns e2e__wire_signal_head_len(...). The ciphertext and the MAC follow. */
size_t e2e__wire_signal_head(uint8_t *out, const uint8_t ratchet_pub[32], uint32_t counter,
                             uint32_t previous_counter, size_t ct_len);

/* ---- PreKeySignalMessage --------------------------------------------------------------------- */

struct e2e__parsed_prekey {
    struct e2e_signal_prekey_header h;
    struct e2e__parsed_msg inner;
};
int e2e__wire_parse_prekey(struct e2e__parsed_prekey *p, const uint8_t *msg, size_t n,
                           struct e2e_report *why);
/* The fields around the inner message: head = version, preKeyId, baseKey, identityKey, the
 * message tag and length; tail = registrationId, signedPreKeyId. */
size_t e2e__wire_prekey_head_len(const struct e2e_signal_prekey_header *h, size_t inner_len);
size_t e2e__wire_prekey_head(uint8_t *out, const struct e2e_signal_prekey_header *h,
                             size_t inner_len);
size_t e2e__wire_prekey_tail_len(const struct e2e_signal_prekey_header *h);
size_t e2e__wire_prekey_tail(uint8_t *out, const struct e2e_signal_prekey_header *h);

/* ---- SenderKeyMessage ------------------------------------------------------------------------ */

struct e2e__parsed_skmsg {
    const uint8_t *data; /* version || protobuf || signature: signed over data[0 .. len - 64) */
    size_t len;
    uint32_t key_id, iteration;
    const uint8_t *ciphertext;
    size_t ciphertext_len;
};
int e2e__wire_parse_skmsg(struct e2e__parsed_skmsg *m, const uint8_t *msg, size_t n,
                          struct e2e_report *why);
size_t e2e__wire_skmsg_head_len(uint32_t key_id, uint32_t iteration, size_t ct_len);
size_t e2e__wire_skmsg_head(uint8_t *out, uint32_t key_id, uint32_t iteration, size_t ct_len);

#endif
