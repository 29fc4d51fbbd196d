/*
 * Internal to src/signal: the session-state layout, the KDF helpers with tracing, the skipped
 * message-key lists and the wire codec. Nothing here is part of the public API.
 */
#ifndef E2E_SIGNAL_INTERNAL_H
#define E2E_SIGNAL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <e2ekit/crypto.h>
#include <e2ekit/signal.h>

#include "core/blob.h"
#include "core/bytes.h"

#define E2E__VERSION_BYTE ((uint8_t)((E2E_SIGNAL_VERSION << 4) | E2E_SIGNAL_VERSION)) /* 0x33 */
#define E2E__MAX_STATES   (1 + E2E_SIGNAL_MAX_ARCHIVED)

/* ---- KDFs (kdf.c) ---------------------------------------------------------------------------- */

/* HMAC-SHA256 keyed with 32 zero bytes: the HKDF-extract salt of message and group keys.
 * Objects that derive keys per message keep one, so extraction costs no key hashing. */
void e2e__zero_salt_init(e2e_hmac_sha256_key *zs);

/* One symmetric chain step with the message keys of `ck` (trace labels name `index`). */
void e2e__chain_step(const e2e_ctx *ctx, struct e2e_signal_message_keys *mk, uint8_t next_ck[32],
                     const uint8_t ck[32], uint32_t index, const e2e_hmac_sha256_key *zero_salt);
/* seed = HMAC(ck, 0x01) and next = HMAC(ck, 0x02) only (skipping ahead). */
void e2e__chain_seed(uint8_t seed[32], uint8_t next_ck[32], const uint8_t ck[32]);
/* Message keys from a stored seed. */
void e2e__message_keys(const e2e_ctx *ctx, struct e2e_signal_message_keys *mk,
                       const uint8_t seed[32], const e2e_hmac_sha256_key *zero_salt);
/* Root step with a DH output; traced. */
void e2e__root_step(const e2e_ctx *ctx, uint8_t new_rk[32], uint8_t new_ck[32],
                    const uint8_t rk[32], const uint8_t dh[32]);
/* X3DH master secret -> RK, CK; dh4 may be NULL; traced. */
void e2e__x3dh_derive(const e2e_ctx *ctx, uint8_t rk[32], uint8_t ck[32], const uint8_t dh1[32],
                      const uint8_t dh2[32], const uint8_t dh3[32], const uint8_t *dh4);
/* Sender-key message key from a seed; traced. */
void e2e__group_key(const e2e_ctx *ctx, uint8_t iv[16], uint8_t cipher_key[32],
                    const uint8_t seed[32], const e2e_hmac_sha256_key *zero_salt);
/* HMAC over identities and message, truncated to 8 (mac computed with a keyed context). */
void e2e__mac(uint8_t mac[8], const uint8_t mac_key[32], const uint8_t sender33[33],
              const uint8_t receiver33[33], const uint8_t *data, size_t n);
/* DH with a traced label; E2E_ERR_WEAK_KEY on a small-order peer key. */
int e2e__dh(const e2e_ctx *ctx, const char *label, uint8_t out[32], const uint8_t priv[32],
            const uint8_t pub[32]);

/* ---- skipped message keys (skipped.c) -------------------------------------------------------- */

/* Seeds of message keys skipped over in one receiving chain, ascending by counter. Lives on
 * the heap beside the state, so the per-message state stays small. */
struct e2e__skipped {
    uint32_t counter;
    uint8_t seed[32];
};
struct e2e__skip_list {
    struct e2e__skipped *v;
    uint32_t n, cap;
};
/* Makes room for `extra` more entries without changing the list's contents. */
int e2e__skip_reserve(struct e2e__skip_list *l, uint32_t extra);
/* Index of `counter`, or -1. */
long e2e__skip_find(const struct e2e__skip_list *l, uint32_t counter);
/* Removes entry i (wiping it). */
void e2e__skip_remove(struct e2e__skip_list *l, uint32_t i);
/* Commits `added` entries written after the end (inside reserved room), then evicts the oldest
 * beyond E2E_SIGNAL_MAX_SKIPPED. */
void e2e__skip_commit(struct e2e__skip_list *l, uint32_t added);
void e2e__skip_free(struct e2e__skip_list *l);

/* ---- session state (session.c) --------------------------------------------------------------- */

struct e2e__recv_chain {
    uint8_t ratchet_key[32]; /* the sender's ratchet public key naming this chain */
    uint8_t chain_key[32];
    uint32_t index; /* counter of the next message key */
    struct e2e__skip_list skipped;
};

struct e2e__state {
    uint8_t live;               /* 0: an empty state (libsignal's archive placeholder) */
    uint8_t local_identity[33]; /* serialized: they enter the MAC as is */
    uint8_t remote_identity[33];
    uint8_t root_key[32];
    uint32_t previous_counter;
    /* sending chain */
    struct e2e_signal_keypair send_ratchet;
    uint8_t send_chain_key[32];
    uint32_t send_index;
    /* 1: the DH ratchet step that creates our next sending chain is due; it runs lazily at
     * the next encrypt (same bytes on the wire, one key generation and one DH fewer on
     * receipt) */
    uint8_t send_pending;
    /* Alice's unacknowledged PreKeySignalMessage */
    uint8_t pending_prekey, has_prekey_id;
    uint32_t prekey_id, signed_prekey_id;
    uint8_t base_key[32];
    uint32_t local_registration_id, remote_registration_id;
    uint8_t alice_base_key[32]; /* names the X3DH run that created this state */
    uint8_t n_recv;             /* receiving chains, oldest first */
    struct e2e__recv_chain recv[E2E_SIGNAL_MAX_RECV_CHAINS];
};

struct e2e_signal_session {
    uint32_t n;                             /* states, 0 = fresh */
    struct e2e__state *st[E2E__MAX_STATES]; /* st[0] current, then archived, newest first */
    e2e_hmac_sha256_key zero_salt;
};

struct e2e__state *e2e__state_new(void);
void e2e__state_free(struct e2e__state *st);
/* Makes `st` current: a live current state becomes the newest archived one (an empty one is
 * dropped); beyond 40 archived the oldest is freed. Cannot fail. */
void e2e__session_push(e2e_signal_session *s, struct e2e__state *st);
/* Moves archived state i to the front. */
void e2e__session_promote(e2e_signal_session *s, uint32_t i);
/* Appends a receiving chain (dropping the oldest beyond 5); takes over `skipped`. */
void e2e__state_add_recv(struct e2e__state *st, const uint8_t ratchet_key[32],
                         const uint8_t chain_key[32], uint32_t index,
                         struct e2e__skip_list *skipped);
long e2e__state_find_recv(const struct e2e__state *st, const uint8_t ratchet_key[32]);

/* ---- X3DH (x3dh.c) --------------------------------------------------------------------------- */

/* Bob's side of X3DH into a new state. one_time may be NULL. */
int e2e__x3dh_bob(const e2e_ctx *ctx, struct e2e__state *st,
                  const struct e2e_signal_identity *local,
                  const struct e2e_signal_keypair *signed_prekey,
                  const struct e2e_signal_keypair *one_time,
                  const struct e2e_signal_prekey_header *h);

/* ---- the ratchet on one state (ratchet.c) ---------------------------------------------------- */

struct e2e__parsed_msg; /* wire.h */
/* Tries one state: on success writes the plaintext and commits into st; on failure st is
 * untouched and `why` says which check failed. */
int e2e__state_decrypt(const e2e_ctx *ctx, struct e2e__state *st,
                       const e2e_hmac_sha256_key *zero_salt, const struct e2e__parsed_msg *m,
                       uint8_t *pt, size_t pt_cap, size_t *pt_len, struct e2e_report *why);
/* Trial decryption over all states (current first), promotion, reporting. */
int e2e__session_decrypt_parsed(e2e_signal_session *s, const e2e_ctx *ctx,
                                const struct e2e__parsed_msg *m, uint8_t *pt, size_t pt_cap,
                                size_t *pt_len, struct e2e_report *why);

/* ---- prekey store internals (prekeys.c) ------------------------------------------------------ */

/* Pointers into the store (valid until it changes); NULL when absent. */
const struct e2e_signal_keypair *e2e__prekeys_signed_key(const e2e_signal_prekeys *pk, uint32_t id);
const struct e2e_signal_keypair *e2e__prekeys_one_time_key(const e2e_signal_prekeys *pk,
                                                           uint32_t id);

/* Removes a one-time prekey if present. */
void e2e__prekeys_drop(e2e_signal_prekeys *pk, uint32_t id);

/* ---- blobs and shared cipher steps (blob.c) -------------------------------------------------- */

#define E2E__SKIPPED_SIZE (4 + 32)
/* Starts a reader on a blob: E2E_ERR_MALFORMED (check "magic") for another magic,
 * E2E_ERR_UNSUPPORTED (check "version") for another format. */
int e2e__blob_open(struct e2e_reader *r, const uint8_t *in, size_t n, uint32_t magic,
                   uint16_t format, const char *what, struct e2e_report *why);
/* u32 count, then {u32 counter, seed 32} ascending; counters must stay below `below`. */
void e2e__skip_write(struct e2e_writer *w, const struct e2e__skip_list *l);
int e2e__skip_read(struct e2e_reader *r, struct e2e__skip_list *l, uint32_t below);
/* AES-256-CBC-PKCS#7 open after authentication: E2E_ERR_MALFORMED (check "padding"),
 * E2E_ERR_BUFFER (check "buffer"). */
int e2e__cbc_open(const uint8_t key[32], const uint8_t iv[16], const uint8_t *ct, size_t n,
                  uint8_t *pt, size_t pt_cap, size_t *pt_len, uint32_t counter,
                  struct e2e_report *why);
/* The report for a decryption step's result: AUTH "mac", BUFFER "buffer", else MALFORMED
 * "padding". */
int e2e__open_report(struct e2e_report *why, int rc, uint32_t counter, size_t pt_cap);
/* Writes e2e_pkcs7_padded_len(n) bytes. */
int e2e__cbc_seal(const uint8_t key[32], const uint8_t iv[16], const uint8_t *pt, size_t n,
                  uint8_t *out);

/* ---- small helpers --------------------------------------------------------------------------- */

/* 1 when the two 32-byte public values are equal (not secret: plain memcmp is fine). */
int e2e__key_eq(const uint8_t a[32], const uint8_t b[32]);

#endif
