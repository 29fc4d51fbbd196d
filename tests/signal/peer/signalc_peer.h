/*
 * libsignal-protocol-c 2.3.3 as a peer for the interop tests: one `sc_party` is one device with
 * its own signal_context, the crypto provider below and in-memory stores. The crypto provider
 * is built on e2ekit's own crypto.h (HMAC-SHA256, SHA-512, AES-CBC/CTR, a seeded DRBG), so every
 * interop run also exercises our primitives under libsignal-protocol-c's use of them.
 *
 * Keys cross the boundary as 32-byte u-coordinates (e2ekit's form) and are converted to and
 * from libsignal's 33-byte encoding here.
 */
#ifndef E2E_SIGNALC_PEER_H
#define E2E_SIGNALC_PEER_H

#include <stddef.h>
#include <stdint.h>

#include <e2ekit/core.h>
#include <e2ekit/signal.h>
#include <signal/signal_protocol.h>

#include "signalc_store.h"

/* The e2ekit-backed crypto provider; `drbg` is its randomness (a seeded e2e_drbg). */
void sc_provider_e2e(signal_crypto_provider *p, struct e2e_drbg *drbg);

struct sc_party {
    signal_context *ctx;
    signal_protocol_store_context *store_ctx;
    struct sc_store store;
    struct e2e_drbg drbg;
    uint8_t identity_pub[32];
    uint32_t registration_id;
};

/* A device with a fresh identity and registration id drawn from `seed`. NULL on failure. */
struct sc_party *sc_party_new(uint64_t seed);
void sc_party_free(struct sc_party *p);

/* Generates and stores signed prekey `spk_id` and, when opk_id != 0, one-time prekey opk_id;
 * fills the bundle others fetch. */
int sc_party_bundle(struct sc_party *p, uint32_t spk_id, uint32_t opk_id, uint32_t device_id,
                    struct e2e_signal_bundle *out);
/* session_builder_process_pre_key_bundle for peer `name` (device 1). */
int sc_process_bundle(struct sc_party *p, const char *name, const struct e2e_signal_bundle *b);

/* session_cipher_encrypt to `name`: *out is malloc'ed; *type 2 or 3. */
int sc_encrypt(struct sc_party *p, const char *name, const uint8_t *pt, size_t n, uint8_t **out,
               size_t *out_len, int *type);
/* session_cipher_decrypt_{pre_key_,}signal_message from `name`: *pt is malloc'ed. Returns
 * libsignal's code (SG_ERR_*). */
int sc_decrypt(struct sc_party *p, const char *name, int type, const uint8_t *msg, size_t n,
               uint8_t **pt, size_t *pt_len);
/* 1 when a session record for `name` exists; its serialized size. */
size_t sc_session_size(struct sc_party *p, const char *name);
/* Number of previous (archived) states in the record for `name`, -1 without one. */
int sc_session_archived(struct sc_party *p, const char *name);

/* Sender keys: group `group`, sender `name` (device 1). */
int sc_group_create(struct sc_party *p, const char *group, const char *self, uint8_t **skdm,
                    size_t *len);
int sc_group_process(struct sc_party *p, const char *group, const char *sender, const uint8_t *skdm,
                     size_t len);
int sc_group_encrypt(struct sc_party *p, const char *group, const char *self, const uint8_t *pt,
                     size_t n, uint8_t **out, size_t *out_len);
int sc_group_decrypt(struct sc_party *p, const char *group, const char *sender, const uint8_t *msg,
                     size_t n, uint8_t **pt, size_t *pt_len);

/* fingerprint_generator (iterations, scannable version 0 or 1) for key lists; display is the
 * 60 digits (NUL-terminated), scannable malloc'ed. */
int sc_fingerprint(struct sc_party *p, int iterations, int version, const char *local_id,
                   const uint8_t (*local_keys)[32], size_t n_local, const char *remote_id,
                   const uint8_t (*remote_keys)[32], size_t n_remote, char display[61],
                   uint8_t **scannable, size_t *scannable_len);

#endif
