/*
 * e2ekit Signal Protocol core: message version 3 as libsignal-protocol-c 2.3.3 and WhatsApp
 * speak it (reference/signal.md). Keys, prekeys and bundles; X3DH in both roles; the double
 * ratchet with skipped message keys, archived session states and duplicate detection; sender
 * keys (groups) in the libsignal-protocol-c layout; numeric and scannable fingerprints.
 *
 * Shape of the API
 *   - Sans-I/O: bytes in, bytes out. Randomness and time come from the e2e_ctx; nothing here
 *     opens a file, reads a clock or calls a global RNG. `ctx` may be NULL (system RNG).
 *   - Keys, identities and bundles are caller-owned plain structs. Sessions, groups and the
 *     prekey store are opaque heap objects with _new / _free (wipes) / _serialize / _parse;
 *     their serialized form is a versioned blob (docs/protocols/signal.md).
 *   - Decrypt-then-commit: every decrypt, process or parse that fails leaves every object it
 *     was given exactly as it was, and fills `why` (may be NULL) with the failed check
 *     ("mac", "duplicate", "too_far", "untrusted_identity", "malformed", ...), which session
 *     state it was in and how many states were tried.
 *   - Per-message encrypt / decrypt allocate nothing and never re-serialize a record.
 *   - Public keys are 32-byte X25519 u-coordinates in these structs; on the wire and in
 *     fingerprints they are the 33-byte 0x05-prefixed encoding (e2e_signal_pubkey_encode).
 *
 * Identity trust: creating a session (from a bundle, or when decrypting a
 * PreKeySignalMessage) takes `trusted_identity`: the 32-byte identity key the caller has
 * recorded for that peer, or NULL when it has none yet (trust on first use). A different key
 * gives E2E_ERR_UNTRUSTED and changes nothing; after a success the caller records
 * e2e_signal_session_remote_identity().
 */
#ifndef E2EKIT_SIGNAL_H
#define E2EKIT_SIGNAL_H

#include <e2ekit/core.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- constants ------------------------------------------------------------------------------ */

#define E2E_SIGNAL_VERSION          3    /* message version; the version byte written is 0x33 */
#define E2E_SIGNAL_KEY_TYPE         0x05 /* DJB_TYPE: first byte of a serialized public key */
#define E2E_SIGNAL_PUBKEY_LEN       33   /* serialized public key */
#define E2E_SIGNAL_MAC_LEN          8    /* truncated HMAC-SHA256 after a SignalMessage */
#define E2E_SIGNAL_SIG_LEN          64   /* XEdDSA signature */
#define E2E_SIGNAL_MAX_SKIP         2000 /* forward jump limit within one chain */
#define E2E_SIGNAL_MAX_SKIPPED      2000 /* stored skipped message keys per chain (oldest evicted) */
#define E2E_SIGNAL_MAX_RECV_CHAINS  5    /* receiving chains kept per session state */
#define E2E_SIGNAL_MAX_ARCHIVED     40   /* archived (previous) session states */
#define E2E_SIGNAL_GROUP_MAX_STATES 5    /* sender-key states per group record */
#define E2E_SIGNAL_PREKEY_MAX_ID                                                                   \
    0xFFFFFFu                         /* 24-bit one-time prekey ids; this one is the               \
                                       * "last resort" key, never deleted after use */
#define E2E_SIGNAL_FP_ITERATIONS 5200 /* SHA-512 iterations of the numeric fingerprint */
#define E2E_SIGNAL_FP_MAX_KEYS   64   /* device keys per party in a fingerprint */
#define E2E_SIGNAL_FP_MAX_ID     255  /* bytes of a stable identifier */

/* Library-level message types (libsignal-protocol-c's CIPHERTEXT_*_TYPE; not on the wire). */
enum e2e_signal_msg_type {
    E2E_SIGNAL_MSG_WHISPER = 2,      /* SignalMessage ("msg") */
    E2E_SIGNAL_MSG_PREKEY = 3,       /* PreKeySignalMessage ("pkmsg") */
    E2E_SIGNAL_MSG_SENDERKEY = 4,    /* SenderKeyMessage ("skmsg") */
    E2E_SIGNAL_MSG_DISTRIBUTION = 5, /* SenderKeyDistributionMessage */
};

/* Output sizes: a buffer of e2e_signal_encrypt_max(n) bytes always holds the encryption of n
 * plaintext bytes (PreKeySignalMessage included); a plaintext never exceeds the message. */
E2E_API size_t e2e_signal_encrypt_max(size_t plaintext_len);
E2E_API size_t e2e_signal_group_encrypt_max(size_t plaintext_len);
#define E2E_SIGNAL_DISTRIBUTION_MAX 96 /* bytes of a SenderKeyDistributionMessage */

/* ---- keys ------------------------------------------------------------------------------------ */

struct e2e_signal_keypair {
    uint8_t pub[32];  /* X25519 u-coordinate */
    uint8_t priv[32]; /* clamped scalar */
};

/* Fresh clamped key pair from ctx. */
E2E_API int e2e_signal_keypair_generate(struct e2e_signal_keypair *kp,
                                        const e2e_ctx *ctx) E2E_WARN_UNUSED;
/* Key pair from a private key (clamped as libsignal does before use). */
E2E_API void e2e_signal_keypair_from_private(struct e2e_signal_keypair *kp, const uint8_t priv[32]);

/* 0x05 || pub. */
E2E_API void e2e_signal_pubkey_encode(uint8_t out[33], const uint8_t pub[32]);
/* Exactly 33 bytes starting with 0x05 and a canonical u (below 2^255 - 19), else
 * E2E_ERR_MALFORMED. */
E2E_API int e2e_signal_pubkey_decode(uint8_t pub[32], const uint8_t *in, size_t n) E2E_WARN_UNUSED;

/* XEdDSA (Signal variant) over msg with a key pair, and its verification with a public key.
 * Verify returns E2E_OK or E2E_ERR_AUTH. */
E2E_API int e2e_signal_sign(uint8_t sig[64], const struct e2e_signal_keypair *kp,
                            const uint8_t *msg, size_t n, const e2e_ctx *ctx) E2E_WARN_UNUSED;
E2E_API int e2e_signal_verify(const uint8_t pub[32], const uint8_t *msg, size_t n,
                              const uint8_t sig[64]) E2E_WARN_UNUSED;

/*
 * A device's long-term identity: the identity key pair, its XEdDSA signing cache (the
 * Ed25519 encoding of the key, so signing costs one base-point multiplication) and the
 * registration id. Plain data: persist `key.priv` and `registration_id`, rebuild with
 * e2e_signal_identity_from_private.
 */
struct e2e_signal_identity {
    struct e2e_signal_keypair key;
    uint8_t ed_pub[32]; /* A = kB, Ed25519 encoding with its sign bit */
    uint32_t registration_id;
};
/* New key pair and a registration id in 1..16380 (libsignal's normal range). */
E2E_API int e2e_signal_identity_generate(struct e2e_signal_identity *id,
                                         const e2e_ctx *ctx) E2E_WARN_UNUSED;
E2E_API void e2e_signal_identity_from_private(struct e2e_signal_identity *id,
                                              const uint8_t priv[32], uint32_t registration_id);

/* ---- prekeys and bundles ----------------------------------------------------------------------
 */

/* A signed prekey: XEdDSA signature by the identity key over the 33-byte serialized public key. */
struct e2e_signal_signed_prekey {
    uint32_t id;
    struct e2e_signal_keypair key;
    uint8_t signature[64];
    uint64_t created_ms; /* e2e_now_ms(ctx) when generated: the caller's rotation clock */
};
E2E_API int e2e_signal_signed_prekey_generate(struct e2e_signal_signed_prekey *spk,
                                              const struct e2e_signal_identity *id, uint32_t spk_id,
                                              const e2e_ctx *ctx) E2E_WARN_UNUSED;

struct e2e_signal_prekey {
    uint32_t id; /* 1 .. E2E_SIGNAL_PREKEY_MAX_ID */
    struct e2e_signal_keypair key;
};

/* What a device publishes and what an initiator fetches. */
struct e2e_signal_bundle {
    uint32_t registration_id;
    uint32_t device_id;
    uint8_t identity_key[32];
    uint32_t signed_prekey_id;
    uint8_t signed_prekey[32];
    uint8_t signed_prekey_signature[64];
    int has_one_time_prekey;
    uint32_t one_time_prekey_id;
    uint8_t one_time_prekey[32];
};

/*
 * Verified signed-prekey signatures, so that fetching a bundle whose (identity key, signed
 * prekey, signature) was already verified costs no second verification (XEdDSA verification
 * is deterministic: the same triple always gives the same verdict). Caller-owned, zero it to
 * start; only successful verifications are remembered.
 */
#define E2E_SIGNAL_SIG_CACHE_SLOTS 8
struct e2e_signal_sig_cache {
    struct {
        uint8_t identity_key[32], signed_prekey[32], signature[64];
    } entry[E2E_SIGNAL_SIG_CACHE_SLOTS];
    uint32_t used, next;
};

/* E2E_ERR_AUTH (check "signed_prekey_signature") when the signature does not verify. cache
 * may be NULL. */
E2E_API int e2e_signal_bundle_verify(const struct e2e_signal_bundle *b,
                                     struct e2e_signal_sig_cache *cache,
                                     struct e2e_report *why) E2E_WARN_UNUSED;

/*
 * A device's own prekeys: signed prekeys (the current one and older ones kept for messages
 * still in flight) and one-time prekeys. Rotation and replenishment are the caller's
 * decisions; this object reports what they need (counts, ids, ages) and does the work.
 */
typedef struct e2e_signal_prekeys e2e_signal_prekeys;
E2E_API int e2e_signal_prekeys_new(e2e_signal_prekeys **out) E2E_WARN_UNUSED;
E2E_API void e2e_signal_prekeys_free(e2e_signal_prekeys *pk);
/* Generates `count` one-time prekeys with consecutive ids after the last one issued
 * (wrapping inside 1..0xFFFFFE); *first_id receives the first. */
E2E_API int e2e_signal_prekeys_generate(e2e_signal_prekeys *pk, const e2e_ctx *ctx, size_t count,
                                        uint32_t *first_id) E2E_WARN_UNUSED;
/* Adds an existing one-time prekey (import, or the last-resort key E2E_SIGNAL_PREKEY_MAX_ID). */
E2E_API int e2e_signal_prekeys_add(e2e_signal_prekeys *pk,
                                   const struct e2e_signal_prekey *k) E2E_WARN_UNUSED;
E2E_API size_t e2e_signal_prekeys_count(const e2e_signal_prekeys *pk);
/* Up to cap ids of unused one-time prekeys in issue order; returns how many were written. */
E2E_API size_t e2e_signal_prekeys_ids(const e2e_signal_prekeys *pk, uint32_t *ids, size_t cap);
/* E2E_ERR_NOT_FOUND when absent. */
E2E_API int e2e_signal_prekeys_get(const e2e_signal_prekeys *pk, uint32_t id,
                                   struct e2e_signal_prekey *out) E2E_WARN_UNUSED;
E2E_API int e2e_signal_prekeys_remove(e2e_signal_prekeys *pk, uint32_t id) E2E_WARN_UNUSED;

/* New signed prekey (id = last + 1), signed by `id`, becomes current; older ones are kept until
 * removed. */
E2E_API int e2e_signal_prekeys_rotate_signed(e2e_signal_prekeys *pk,
                                             const struct e2e_signal_identity *id,
                                             const e2e_ctx *ctx, uint32_t *spk_id) E2E_WARN_UNUSED;
E2E_API int
e2e_signal_prekeys_add_signed(e2e_signal_prekeys *pk,
                              const struct e2e_signal_signed_prekey *spk) E2E_WARN_UNUSED;
/* The current (newest) signed prekey; E2E_ERR_NOT_FOUND when there is none. */
E2E_API int e2e_signal_prekeys_signed_current(const e2e_signal_prekeys *pk,
                                              struct e2e_signal_signed_prekey *out) E2E_WARN_UNUSED;
E2E_API int e2e_signal_prekeys_signed_get(const e2e_signal_prekeys *pk, uint32_t spk_id,
                                          struct e2e_signal_signed_prekey *out) E2E_WARN_UNUSED;
E2E_API size_t e2e_signal_prekeys_signed_count(const e2e_signal_prekeys *pk);
/* Removes signed prekeys created before cutoff_ms, never the current one; returns how many. */
E2E_API size_t e2e_signal_prekeys_signed_expire(e2e_signal_prekeys *pk, uint64_t cutoff_ms);

/* A bundle to publish: the current signed prekey and, when one_time_id != 0, that one-time
 * prekey (E2E_ERR_NOT_FOUND if absent). */
E2E_API int e2e_signal_prekeys_bundle(const e2e_signal_prekeys *pk,
                                      const struct e2e_signal_identity *id, uint32_t device_id,
                                      uint32_t one_time_id,
                                      struct e2e_signal_bundle *out) E2E_WARN_UNUSED;

E2E_API size_t e2e_signal_prekeys_serialized_size(const e2e_signal_prekeys *pk);
E2E_API int e2e_signal_prekeys_serialize(const e2e_signal_prekeys *pk, uint8_t *out, size_t cap,
                                         size_t *len) E2E_WARN_UNUSED;
E2E_API int e2e_signal_prekeys_parse(e2e_signal_prekeys **out, const uint8_t *in, size_t n,
                                     struct e2e_report *why) E2E_WARN_UNUSED;

/* ---- sessions (one peer device: the current state and up to 40 archived ones) ---------------- */

typedef struct e2e_signal_session e2e_signal_session;

E2E_API int e2e_signal_session_new(e2e_signal_session **out) E2E_WARN_UNUSED;
E2E_API void e2e_signal_session_free(e2e_signal_session *s);

/*
 * Alice: X3DH from a bundle. Verifies the signed prekey (through `cache`, may be NULL), checks
 * the bundle's identity against trusted_identity (NULL: none recorded), archives the current
 * state if any and makes the new one current. Until a message from the peer is decrypted,
 * e2e_signal_session_encrypt produces PreKeySignalMessages.
 */
E2E_API int e2e_signal_session_init_alice(e2e_signal_session *s, const e2e_ctx *ctx,
                                          const struct e2e_signal_identity *local,
                                          const struct e2e_signal_bundle *bundle,
                                          const uint8_t *trusted_identity,
                                          struct e2e_signal_sig_cache *cache,
                                          struct e2e_report *why) E2E_WARN_UNUSED;

/* 1 when the session has a current state (something to encrypt with). */
E2E_API int e2e_signal_session_has_current(const e2e_signal_session *s);
/* Current state's peer identity key / registration ids; E2E_ERR_NO_SESSION without one. */
E2E_API int e2e_signal_session_remote_identity(const e2e_signal_session *s,
                                               uint8_t out[32]) E2E_WARN_UNUSED;
E2E_API int e2e_signal_session_remote_registration_id(const e2e_signal_session *s,
                                                      uint32_t *out) E2E_WARN_UNUSED;
/* 1 while the current state still wraps messages in PreKeySignalMessages. */
E2E_API int e2e_signal_session_pending_prekey(const e2e_signal_session *s);
/* Number of archived states (the current one not counted), and of all states. */
E2E_API unsigned e2e_signal_session_archived(const e2e_signal_session *s);
E2E_API unsigned e2e_signal_session_states(const e2e_signal_session *s);
/* Archives the current state (as libsignal does, an empty state becomes current, so that the
 * next message to send needs a new session); nothing to do without one. */
E2E_API int e2e_signal_session_archive_current(e2e_signal_session *s) E2E_WARN_UNUSED;

/*
 * Encrypts one message with the current state. *type receives E2E_SIGNAL_MSG_WHISPER or
 * E2E_SIGNAL_MSG_PREKEY. out_cap >= e2e_signal_encrypt_max(n). E2E_ERR_NO_SESSION without a
 * current state; on any error the session is unchanged.
 */
E2E_API int e2e_signal_session_encrypt(e2e_signal_session *s, const e2e_ctx *ctx, const uint8_t *pt,
                                       size_t n, uint8_t *out, size_t out_cap, size_t *out_len,
                                       int *type) E2E_WARN_UNUSED;

/*
 * Decrypts a SignalMessage: the current state first, then each archived state; an archived
 * state that works is promoted to current. Errors: E2E_ERR_NO_SESSION (no state),
 * E2E_ERR_MALFORMED (parse), E2E_ERR_UNSUPPORTED (version), E2E_ERR_DUPLICATE (key already
 * used), E2E_ERR_TOO_FAR (more than 2000 ahead), E2E_ERR_AUTH (MAC in every state tried).
 * pt_cap >= n always suffices.
 */
E2E_API int e2e_signal_session_decrypt(e2e_signal_session *s, const e2e_ctx *ctx,
                                       const uint8_t *msg, size_t n, uint8_t *pt, size_t pt_cap,
                                       size_t *pt_len, struct e2e_report *why) E2E_WARN_UNUSED;

/* The clear header of a PreKeySignalMessage. */
struct e2e_signal_prekey_header {
    uint32_t registration_id;
    uint32_t signed_prekey_id;
    int has_one_time_prekey;
    uint32_t one_time_prekey_id;
    uint8_t base_key[32];
    uint8_t identity_key[32];
};
E2E_API int e2e_signal_prekey_message_parse(struct e2e_signal_prekey_header *h, const uint8_t *msg,
                                            size_t n, struct e2e_report *why) E2E_WARN_UNUSED;

/* What decrypting a PreKeySignalMessage did. */
struct e2e_signal_prekey_result {
    struct e2e_signal_prekey_header header;
    int new_state;            /* 1: the message created a new current state (X3DH as Bob) */
    int one_time_prekey_used; /* 1: header.one_time_prekey_id was consumed (and removed) */
};

/*
 * Bob: decrypts a PreKeySignalMessage. Checks the sender's identity against trusted_identity
 * (NULL: none recorded) -> E2E_ERR_UNTRUSTED. If a state already exists for the message's
 * base key the inner message is decrypted like any SignalMessage; otherwise X3DH runs with
 * `local` and the prekeys named in the header (E2E_ERR_NOT_FOUND, check "signed_prekey" or
 * "one_time_prekey", when missing), and only if the inner message decrypts is the new state
 * made current (the old one archived) and the one-time prekey removed from `prekeys` (never
 * the last-resort id 0xFFFFFF). result may be NULL.
 */
E2E_API int e2e_signal_session_decrypt_prekey(e2e_signal_session *s, const e2e_ctx *ctx,
                                              const struct e2e_signal_identity *local,
                                              e2e_signal_prekeys *prekeys,
                                              const uint8_t *trusted_identity, const uint8_t *msg,
                                              size_t n, uint8_t *pt, size_t pt_cap, size_t *pt_len,
                                              struct e2e_signal_prekey_result *result,
                                              struct e2e_report *why) E2E_WARN_UNUSED;

/* Versioned blob ("E2SS", see docs/protocols/signal.md): every state with its skipped keys. */
E2E_API size_t e2e_signal_session_serialized_size(const e2e_signal_session *s);
E2E_API int e2e_signal_session_serialize(const e2e_signal_session *s, uint8_t *out, size_t cap,
                                         size_t *len) E2E_WARN_UNUSED;
E2E_API int e2e_signal_session_parse(e2e_signal_session **out, const uint8_t *in, size_t n,
                                     struct e2e_report *why) E2E_WARN_UNUSED;

/* ---- sender keys (groups), libsignal-protocol-c / WhatsApp layout ------------------------------
 */

/* The sender-key record of one (group, sender device): up to 5 states, newest first. */
typedef struct e2e_signal_group e2e_signal_group;
E2E_API int e2e_signal_group_new(e2e_signal_group **out) E2E_WARN_UNUSED;
E2E_API void e2e_signal_group_free(e2e_signal_group *g);

/* Our own sending key: on the first call creates a state (random 31-bit key id, chain key and
 * signing key pair); then writes a SenderKeyDistributionMessage for the current iteration.
 * out_cap >= E2E_SIGNAL_DISTRIBUTION_MAX. */
E2E_API int e2e_signal_group_create_distribution(e2e_signal_group *g, const e2e_ctx *ctx,
                                                 uint8_t *out, size_t out_cap,
                                                 size_t *out_len) E2E_WARN_UNUSED;
/* A member's distribution message: adds its state (the oldest beyond 5 is dropped). */
E2E_API int e2e_signal_group_process_distribution(e2e_signal_group *g, const uint8_t *msg, size_t n,
                                                  struct e2e_report *why) E2E_WARN_UNUSED;
/* E2E_ERR_NO_SESSION when this record holds no signing private key (not our own). */
E2E_API int e2e_signal_group_encrypt(e2e_signal_group *g, const e2e_ctx *ctx, const uint8_t *pt,
                                     size_t n, uint8_t *out, size_t out_cap,
                                     size_t *out_len) E2E_WARN_UNUSED;
/* E2E_ERR_NO_SESSION (no state for the key id), E2E_ERR_AUTH (signature), E2E_ERR_DUPLICATE,
 * E2E_ERR_TOO_FAR, E2E_ERR_MALFORMED. pt_cap >= n suffices. */
E2E_API int e2e_signal_group_decrypt(e2e_signal_group *g, const e2e_ctx *ctx, const uint8_t *msg,
                                     size_t n, uint8_t *pt, size_t pt_cap, size_t *pt_len,
                                     struct e2e_report *why) E2E_WARN_UNUSED;
E2E_API size_t e2e_signal_group_serialized_size(const e2e_signal_group *g);
E2E_API int e2e_signal_group_serialize(const e2e_signal_group *g, uint8_t *out, size_t cap,
                                       size_t *len) E2E_WARN_UNUSED;
E2E_API int e2e_signal_group_parse(e2e_signal_group **out, const uint8_t *in, size_t n,
                                   struct e2e_report *why) E2E_WARN_UNUSED;

/* ---- fingerprints (safety numbers) ----------------------------------------------------------- */

/* One party: one identity key, or the keys of all of an account's devices (sorted inside). */
struct e2e_signal_fp_party {
    const uint8_t (*keys)[32];
    size_t n_keys;         /* 1 .. E2E_SIGNAL_FP_MAX_KEYS */
    const char *stable_id; /* e.g. "+14152222222"; raw bytes, at most 255 */
    size_t stable_id_len;
};

/*
 * The 60-digit displayable fingerprint (with NUL) and, when `scannable` is not NULL, the
 * CombinedFingerprints protobuf of `version` 0 (keys and identifiers), 1 or 2 (the first 32
 * bytes of each party's hash). iterations: E2E_SIGNAL_FP_ITERATIONS (1..1000000).
 */
E2E_API int e2e_signal_fingerprint(char display[61], uint8_t *scannable, size_t cap,
                                   size_t *scannable_len, unsigned version, unsigned iterations,
                                   const struct e2e_signal_fp_party *local,
                                   const struct e2e_signal_fp_party *remote) E2E_WARN_UNUSED;
/* Largest scannable form for the given parties and version. */
E2E_API size_t e2e_signal_fingerprint_scannable_max(const struct e2e_signal_fp_party *local,
                                                    const struct e2e_signal_fp_party *remote);
/*
 * Compares our scannable code with one scanned from the peer: E2E_OK when they match (their
 * local is our remote and vice versa, in constant time); E2E_ERR_UNSUPPORTED (check "version")
 * when the versions differ; E2E_ERR_VERIFY (check "identifier" or "fingerprint") when an
 * identity differs; E2E_ERR_MALFORMED when either is not a CombinedFingerprints.
 */
E2E_API int e2e_signal_fingerprint_compare(const uint8_t *ours, size_t ours_len,
                                           const uint8_t *scanned, size_t scanned_len,
                                           struct e2e_report *why) E2E_WARN_UNUSED;

/* ---- the formulas, for calculators, tests and study ---------------------------------------------
 */

/* Message keys of one chain step: seed = HMAC(CK, 0x01), next CK = HMAC(CK, 0x02),
 * HKDF(seed, 0^32, "WhisperMessageKeys", 80) = cipher key | MAC key | IV. */
struct e2e_signal_message_keys {
    uint8_t seed[32];
    uint8_t cipher_key[32];
    uint8_t mac_key[32];
    uint8_t iv[16];
};
E2E_API void e2e_signal_chain_step(struct e2e_signal_message_keys *mk, uint8_t next_ck[32],
                                   const uint8_t ck[32]);
/* Root step: HKDF(DH, salt = RK, "WhisperRatchet", 64) -> new RK | new CK. */
E2E_API void e2e_signal_root_step(uint8_t new_rk[32], uint8_t new_ck[32], const uint8_t rk[32],
                                  const uint8_t dh[32]);
/* X3DH: HKDF(0xFF x 32 || dh1 || dh2 || dh3 [|| dh4], 0^32, "WhisperText", 64) -> RK | CK.
 * dh4 may be NULL (no one-time prekey). */
E2E_API void e2e_signal_x3dh_derive(uint8_t rk[32], uint8_t ck[32], const uint8_t dh1[32],
                                    const uint8_t dh2[32], const uint8_t dh3[32],
                                    const uint8_t *dh4);
/* First 8 bytes of HMAC(mac_key, sender_identity(33) || receiver_identity(33) || data), where
 * data is version byte || protobuf. */
E2E_API void e2e_signal_mac(uint8_t mac[8], const uint8_t mac_key[32],
                            const uint8_t sender_identity[32], const uint8_t receiver_identity[32],
                            const uint8_t *data, size_t n);
/* Sender-key message key: HKDF(seed, 0^32, "WhisperGroup", 48) -> IV (16) | cipher key (32). */
E2E_API void e2e_signal_group_message_key(uint8_t iv[16], uint8_t cipher_key[32],
                                          const uint8_t seed[32]);

#ifdef __cplusplus
}
#endif
#endif
