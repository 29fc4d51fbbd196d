/*
 * e2ekit viber suite: Viber's end-to-end encryption as the Viber Encryption Overview (2016,
 * Viber 6.0) describes it, with every detail it leaves open defined in docs/protocols/viber.md.
 *
 *   account ID key (primary only) -> secondary devices receive it by QR registration
 *   PreKeys per device (handshake + ratchet pair)  -> sessions between two devices:
 *       RootKey = SHA256(DH(ID_A,HS_B) || DH(HS_A,ID_B) || DH(HS_A,HS_B))
 *       TempKey = HMAC(RootKey, DH(Ratchet_A, Ratchet_B)); RootKey' = HMAC(TempKey, "root");
 *       SessionKey = HMAC(TempKey, "mesg")      (the seed's "msg" variant: see the doc)
 *   messages: one Salsa20 body under a fresh 128-bit key, that key wrapped per device session
 *   groups: a shared secret advanced by HMAC-SHA256 per message, with a window of past keys
 *   files, calls (XEdDSA-signed ephemeral keys, Salsa20 media), the 48-digit string, trust locks
 *
 * Conventions: outputs first; fixed sizes in signatures; E2E_OK or a negative e2e_err; every
 * decrypt / verify / parse takes a `struct e2e_report *why` (may be NULL). A failed decrypt,
 * verify or parse leaves every state object exactly as it was (decrypt-then-commit).
 */
#ifndef E2EKIT_VIBER_H
#define E2EKIT_VIBER_H

#include <e2ekit/core.h>
#include <e2ekit/crypto.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ================================================================== sizes and limits ==== */

#define E2E_VIBER_UDID_LEN        16       /* a device's "Viber UDID" (opaque, public) */
#define E2E_VIBER_KEY_LEN         32       /* X25519 keys, root / chain / group keys */
#define E2E_VIBER_MSG_KEY_LEN     16       /* the per-message ephemeral key (128-bit Salsa20) */
#define E2E_VIBER_MAX_BODY        1048576u /* largest 1:1 or group message body */
#define E2E_VIBER_MAX_DEVICES     255u     /* device entries in one message */
#define E2E_VIBER_MAX_SKIP        1000u    /* how far ahead of a chain a message may be */
#define E2E_VIBER_MAX_SKIPPED     1000u    /* stored keys of skipped messages per session */
#define E2E_VIBER_MAX_STATES      3u       /* per session: current + 2 archived */
#define E2E_VIBER_MAX_PREKEYS     200u     /* private PreKeys one device holds */
#define E2E_VIBER_POOL_MAX        500u     /* public PreKeys the relay keeps per device */
#define E2E_VIBER_GROUP_WINDOW    32u      /* past group chain keys kept for races */
#define E2E_VIBER_GROUP_WRITERS   4u       /* distinct writers remembered per group position */
#define E2E_VIBER_GROUP_MAX_AHEAD 2000u
#define E2E_VIBER_AUTH_DIGITS     48
#define E2E_VIBER_MEDIA_TAG_LEN   10   /* HMAC-SHA256 truncated to 80 bits, stated, as SRTP's _80 */
#define E2E_VIBER_MEDIA_WINDOW    128u /* replay window in packets */

/* Wire sizes. */
#define E2E_VIBER_QR_LEN          50  /* 01 0a || udid || secondary ephemeral public */
#define E2E_VIBER_LINK_MSG_LEN    114 /* 01 03 || udid || primary eph || enc ID key || tag */
#define E2E_VIBER_PREKEY_WIRE_LEN 150 /* 01 09 || udid || id || hs || ratchet || sig */
#define E2E_VIBER_CALL_MSG_LEN    114 /* 01 05|06 || call id || eph || sig */
#define E2E_VIBER_GROUP_KEY_LEN   58  /* 01 07 || group id || epoch || seq || chain key */

/* ========================================================================= formulas ==== */
/*
 * The seed's formulas, one function each, so calculators, tests and readers can follow them
 * step by step. Keys are raw 32-byte X25519 values; DH(own private, peer public).
 */

/* RootKey = SHA256(DH(ID_A, HS_B) || DH(HS_A, ID_B) || DH(HS_A, HS_B)). The initiator (A)
 * passes its own ID and handshake private keys and B's public ones; the responder (B) passes
 * its own and A's, with initiator = 0. dh[3] (may be NULL) receives the three DH values in the
 * formula's order. E2E_ERR_WEAK_KEY for a small-order public key. */
E2E_API int e2e_viber_root_key(uint8_t root_key[32], uint8_t dh[3][32], const uint8_t id_priv[32],
                               const uint8_t hs_priv[32], const uint8_t peer_id[32],
                               const uint8_t peer_hs[32], int initiator) E2E_WARN_UNUSED;

/* TempKey = HMAC(RootKey, DH(own ratchet, peer ratchet)); RootKey' = HMAC(TempKey, "root");
 * SessionKey = HMAC(TempKey, label). label NULL means our choice "mesg"; pass "msg" to follow
 * the seed's other spelling by hand. temp_key may be NULL. */
E2E_API int e2e_viber_ratchet_step(uint8_t new_root[32], uint8_t session_key[32],
                                   uint8_t temp_key[32], const uint8_t root_key[32],
                                   const uint8_t own_ratchet_priv[32],
                                   const uint8_t peer_ratchet_pub[32],
                                   const char *label) E2E_WARN_UNUSED;

/* Within one direction (our definition): MsgKey_n = HMAC(CK_n, "viber msgkey"),
 * CK_n+1 = HMAC(CK_n, "viber chain"), CK_0 = SessionKey. */
E2E_API void e2e_viber_chain_step(uint8_t msg_key[32], uint8_t next_chain[32],
                                  const uint8_t chain_key[32]);
/* WrapKey || MacKey = HKDF-Expand(MsgKey_n, "viber wrap", 64). */
E2E_API void e2e_viber_wrap_keys(uint8_t wrap_key[32], uint8_t mac_key[32],
                                 const uint8_t msg_key[32]);

/* GK_s+1 = HMAC(GK_s, "viber group chain"). */
E2E_API void e2e_viber_group_step(uint8_t next[32], const uint8_t group_key[32]);
/* EncKey || MacKey = HKDF-Expand(GK_s, "viber group msg" || group id || epoch || seq ||
 * sender udid, 64): distinct for each writer at each position. */
E2E_API void e2e_viber_group_msg_keys(uint8_t enc_key[32], uint8_t mac_key[32],
                                      const uint8_t group_key[32], const uint8_t group_id[16],
                                      uint32_t epoch, uint32_t seq, const uint8_t sender_udid[16]);

/* The 48-digit authentication string: SHA256(DH(own ID private, peer ID public)), first 160
 * bits as four 40-bit big-endian integers, each mod 10^12 as 12 digits. out gets 48 digits
 * and a NUL. Both sides compute the same string. */
E2E_API int e2e_viber_auth_string(char out[E2E_VIBER_AUTH_DIGITS + 1],
                                  const uint8_t own_id_priv[32],
                                  const uint8_t peer_id_pub[32]) E2E_WARN_UNUSED;
/* "1234 5678 ..." (12 groups of 4; 59 characters and a NUL). */
E2E_API void e2e_viber_auth_string_groups(char out[60],
                                          const char digits[E2E_VIBER_AUTH_DIGITS + 1]);

/* ========================================================================== devices ==== */

typedef struct e2e_viber_device e2e_viber_device;

enum e2e_viber_role { E2E_VIBER_PRIMARY = 1, E2E_VIBER_SECONDARY = 2 };

/* A primary device generates the account's ID key. */
E2E_API int e2e_viber_device_new_primary(e2e_viber_device **out, const e2e_ctx *ctx,
                                         const uint8_t udid[16]) E2E_WARN_UNUSED;
/* A secondary device has no ID key until QR registration installs it (e2e_viber_link_finish). */
E2E_API int e2e_viber_device_new_secondary(e2e_viber_device **out,
                                           const uint8_t udid[16]) E2E_WARN_UNUSED;
E2E_API void e2e_viber_device_free(e2e_viber_device *d); /* wipes */
E2E_API int e2e_viber_device_role(const e2e_viber_device *d);
E2E_API const uint8_t *e2e_viber_device_udid(const e2e_viber_device *d);
/* The account ID public key; E2E_ERR_STATE on a secondary not yet registered. */
E2E_API int e2e_viber_device_identity(const e2e_viber_device *d,
                                      uint8_t id_pub[32]) E2E_WARN_UNUSED;
/* For calculators and the authentication string: the private ID key (E2E_ERR_STATE before
 * registration). Handle with care. */
E2E_API int e2e_viber_device_identity_private(const e2e_viber_device *d,
                                              uint8_t id_priv[32]) E2E_WARN_UNUSED;
/* The authentication string between this device's account and a peer account. */
E2E_API int e2e_viber_device_auth_string(const e2e_viber_device *d,
                                         char out[E2E_VIBER_AUTH_DIGITS + 1],
                                         const uint8_t peer_id_pub[32]) E2E_WARN_UNUSED;

/* Versioned blob ("VBDV", version 1). With out == NULL or cap too small: E2E_ERR_BUFFER and
 * *len = the size needed. */
E2E_API int e2e_viber_device_serialize(const e2e_viber_device *d, uint8_t *out, size_t cap,
                                       size_t *len) E2E_WARN_UNUSED;
E2E_API int e2e_viber_device_parse(e2e_viber_device **out, const uint8_t *in, size_t len,
                                   struct e2e_report *why) E2E_WARN_UNUSED;

/* ========================================================================== PreKeys ==== */

/* The public half of one PreKey, as the relay stores and hands it out. The signature is our
 * hardening (the published description signs nothing): XEdDSA by the account ID key over
 * "viber prekey" || udid || BE32(id) || handshake || ratchet. */
struct e2e_viber_prekey {
    uint8_t udid[16]; /* the device that holds the private halves */
    uint32_t id;
    uint8_t handshake[32];
    uint8_t ratchet[32];
    uint8_t signature[64];
};

/* Generates `count` PreKeys (private halves kept on the device) and writes the upload message
 * for the relay: 01 04 || udid || u16 count || count x (id, handshake, ratchet, signature).
 * E2E_ERR_STATE without an ID key; E2E_ERR_LIMIT beyond E2E_VIBER_MAX_PREKEYS held. With
 * out == NULL: E2E_ERR_BUFFER and *len = size needed (nothing generated). */
E2E_API int e2e_viber_device_prekeys_generate(e2e_viber_device *d, const e2e_ctx *ctx,
                                              unsigned count, uint8_t *out, size_t cap,
                                              size_t *len) E2E_WARN_UNUSED;
/* Private PreKeys still held (not yet consumed by a session). */
E2E_API unsigned e2e_viber_device_prekeys_held(const e2e_viber_device *d);
/* Size of an upload message for `count` PreKeys. */
E2E_API size_t e2e_viber_prekey_upload_size(unsigned count);

/* E2E_OK or E2E_ERR_AUTH. */
E2E_API int e2e_viber_prekey_verify(const struct e2e_viber_prekey *pk, const uint8_t id_pub[32],
                                    struct e2e_report *why) E2E_WARN_UNUSED;
/* One PreKey on the wire (the relay's answer to a lookup): 01 09 || udid || id || hs ||
 * ratchet || signature, E2E_VIBER_PREKEY_WIRE_LEN bytes. */
E2E_API void e2e_viber_prekey_encode(uint8_t out[E2E_VIBER_PREKEY_WIRE_LEN],
                                     const struct e2e_viber_prekey *pk);
E2E_API int e2e_viber_prekey_parse(struct e2e_viber_prekey *pk, const uint8_t *in, size_t len,
                                   struct e2e_report *why) E2E_WARN_UNUSED;

/*
 * The relay's stock of public PreKeys for one device: upload parsing, counts, the threshold
 * check that triggers a refill request, and take-once hand-out (a PreKey id handed out is
 * consumed and never handed out again).
 */
typedef struct e2e_viber_prekey_pool e2e_viber_prekey_pool;
E2E_API int e2e_viber_prekey_pool_new(e2e_viber_prekey_pool **out,
                                      const uint8_t udid[16]) E2E_WARN_UNUSED;
E2E_API void e2e_viber_prekey_pool_free(e2e_viber_prekey_pool *p);
/* Appends an upload. E2E_ERR_MALFORMED, E2E_ERR_PROTOCOL (upload for another device, or an id
 * already stocked or consumed), E2E_ERR_LIMIT (would exceed E2E_VIBER_POOL_MAX). All or
 * nothing. */
E2E_API int e2e_viber_prekey_pool_add(e2e_viber_prekey_pool *p, const uint8_t *upload, size_t len,
                                      struct e2e_report *why) E2E_WARN_UNUSED;
E2E_API unsigned e2e_viber_prekey_pool_count(const e2e_viber_prekey_pool *p);
/* How many PreKeys to request from the device: 0 while count >= threshold, else
 * target - count. */
E2E_API unsigned e2e_viber_prekey_pool_refill(const e2e_viber_prekey_pool *p, unsigned threshold,
                                              unsigned target);
/* Hands out the oldest PreKey and removes it. E2E_ERR_NOT_FOUND when empty. */
E2E_API int e2e_viber_prekey_pool_take(e2e_viber_prekey_pool *p,
                                       struct e2e_viber_prekey *out) E2E_WARN_UNUSED;
E2E_API int e2e_viber_prekey_pool_serialize(const e2e_viber_prekey_pool *p, uint8_t *out,
                                            size_t cap, size_t *len) E2E_WARN_UNUSED;
E2E_API int e2e_viber_prekey_pool_parse(e2e_viber_prekey_pool **out, const uint8_t *in, size_t len,
                                        struct e2e_report *why) E2E_WARN_UNUSED;

/* ========================================================================= sessions ==== */

/*
 * One session object per pair of devices (this device, one peer device). It holds the current
 * ratchet state and up to two archived ones (a simultaneous start by both sides, or a peer
 * that re-installed), plus the keys of skipped messages.
 */
typedef struct e2e_viber_session e2e_viber_session;

E2E_API int e2e_viber_session_new(e2e_viber_session **out,
                                  const uint8_t peer_udid[16]) E2E_WARN_UNUSED;
E2E_API void e2e_viber_session_free(e2e_viber_session *s); /* wipes */
E2E_API const uint8_t *e2e_viber_session_peer_udid(const e2e_viber_session *s);
/* 1 when the session has a usable current state (it can encrypt). */
E2E_API int e2e_viber_session_ready(const e2e_viber_session *s);
/* The peer account's ID public key of the current state; E2E_ERR_NO_SESSION without one. */
E2E_API int e2e_viber_session_peer_identity(const e2e_viber_session *s,
                                            uint8_t id_pub[32]) E2E_WARN_UNUSED;

/* Offline-first setup by the initiator, from the peer account's ID key and one PreKey of the
 * peer device. Checks the PreKey's signature (E2E_ERR_AUTH) and that it belongs to the
 * session's peer device (E2E_ERR_INVALID); generates the handshake and ratchet pairs; derives
 * RootKey and the first SessionKey. The previous current state, if any, is archived. Until a
 * reply arrives every message carries the session-start fields. */
E2E_API int e2e_viber_session_initiate(e2e_viber_session *s, const e2e_ctx *ctx,
                                       const e2e_viber_device *me, const uint8_t peer_id[32],
                                       const struct e2e_viber_prekey *prekey,
                                       struct e2e_report *why) E2E_WARN_UNUSED;

E2E_API int e2e_viber_session_serialize(const e2e_viber_session *s, uint8_t *out, size_t cap,
                                        size_t *len) E2E_WARN_UNUSED;
E2E_API int e2e_viber_session_parse(e2e_viber_session **out, const uint8_t *in, size_t len,
                                    struct e2e_report *why) E2E_WARN_UNUSED;

/* ================================================================ one-to-one messages ==== */

/*
 * One message for the relay: the body Salsa20-encrypted once under a fresh 128-bit key, then
 * one entry per device (the recipient account's devices and the sender's other devices), each
 * wrapping that key under its session's message key and authenticating body and header with
 * HMAC-SHA256. The relay splits it into one single-entry message per device.
 *
 * Build it with begin / add (once per device session) / finish. Each add commits that
 * session's sending chain and cannot fail for one device because of another; a device whose
 * add fails is simply not covered. The builder is plain data and holds the message key until
 * finish or abort wipes it.
 */
struct e2e_viber_msg_builder {
    uint8_t *out;
    size_t cap, len, count_pos;
    unsigned entries;
    int err;
    uint8_t udid[16];      /* sender */
    uint8_t msg_key[16];   /* the ephemeral body key */
    uint8_t body_hash[32]; /* SHA-256 of the common part */
    uint8_t id_pub[32];    /* sender's account ID key, for session-start entries */
};

/* Bytes needed for a message with a body of pt_len and n device entries (upper bound). */
E2E_API size_t e2e_viber_msg_size(size_t pt_len, unsigned n_devices);
E2E_API int e2e_viber_msg_begin(struct e2e_viber_msg_builder *b, const e2e_ctx *ctx,
                                const e2e_viber_device *me, const uint8_t *pt, size_t pt_len,
                                uint8_t *out, size_t cap) E2E_WARN_UNUSED;
/* Adds the entry for the session's peer device. E2E_ERR_NO_SESSION without a state,
 * E2E_ERR_BUFFER, E2E_ERR_LIMIT (E2E_VIBER_MAX_DEVICES, or a chain at 2^32 - 1),
 * E2E_ERR_PROTOCOL for a second entry for one device. On error nothing changed. */
E2E_API int e2e_viber_msg_add(struct e2e_viber_msg_builder *b, const e2e_ctx *ctx,
                              e2e_viber_session *s) E2E_WARN_UNUSED;
/* E2E_ERR_NO_SESSION when no device was covered (the buffer is wiped then). Wipes the message
 * key either way. */
E2E_API int e2e_viber_msg_finish(struct e2e_viber_msg_builder *b, size_t *len) E2E_WARN_UNUSED;
E2E_API void e2e_viber_msg_abort(struct e2e_viber_msg_builder *b);

/* The same in one call. sessions[i] may be NULL or not ready (no PreKey was available, the
 * device was offline at setup): that device is not covered. result[i] (may be NULL) receives
 * E2E_OK for each covered device or why it was not; *covered counts them. */
E2E_API int e2e_viber_encrypt(const e2e_ctx *ctx, const e2e_viber_device *me,
                              e2e_viber_session *const *sessions, size_t n, int *result,
                              size_t *covered, const uint8_t *pt, size_t pt_len, uint8_t *out,
                              size_t cap, size_t *len) E2E_WARN_UNUSED;

/* What a receiver (or the relay) can read before decrypting. */
struct e2e_viber_msg_info {
    uint8_t sender_udid[16];
    size_t body_len;
    unsigned entries;  /* device entries in the message */
    int has_entry;     /* one of them is for the udid asked about */
    int session_start; /* that entry starts a session */
    uint32_t prekey_id;
    uint8_t sender_id[32]; /* the sender's ID key (session-start entries only) */
};
E2E_API int e2e_viber_msg_peek(struct e2e_viber_msg_info *info, const uint8_t *msg, size_t len,
                               const uint8_t udid[16], struct e2e_report *why) E2E_WARN_UNUSED;
/* The relay's split: the single-entry message for one device. E2E_ERR_NOT_FOUND when the
 * message has no entry for it. */
E2E_API int e2e_viber_msg_split(uint8_t *out, size_t cap, size_t *len, const uint8_t *msg,
                                size_t msg_len, const uint8_t udid[16],
                                struct e2e_report *why) E2E_WARN_UNUSED;
/* The devices a message covers, in order (udids[i] gets 16 bytes each). */
E2E_API int e2e_viber_msg_recipients(uint8_t (*udids)[16], size_t max, size_t *n,
                                     const uint8_t *msg, size_t len,
                                     struct e2e_report *why) E2E_WARN_UNUSED;

/*
 * Decrypts the entry for this device (`me`). A session-start entry creates a state from the
 * PreKey it names (consumed from `me` on success). expected_peer_id (may be NULL) is the peer
 * account's ID key as the directory / trust store knows it: a message from another ID key is
 * refused with E2E_ERR_UNTRUSTED. Errors: E2E_ERR_MALFORMED, E2E_ERR_UNSUPPORTED (version),
 * E2E_ERR_NO_SESSION (no entry for this device, another sender device, unknown PreKey, no
 * state), E2E_ERR_AUTH (MAC), E2E_ERR_DUPLICATE, E2E_ERR_TOO_FAR, E2E_ERR_WEAK_KEY,
 * E2E_ERR_BUFFER. On any error `s` and `me` are unchanged.
 */
E2E_API int e2e_viber_decrypt(e2e_viber_session *s, const e2e_ctx *ctx, e2e_viber_device *me,
                              const uint8_t *expected_peer_id, const uint8_t *msg, size_t len,
                              uint8_t *pt, size_t pt_cap, size_t *pt_len,
                              struct e2e_report *why) E2E_WARN_UNUSED;

/* =========================================================================== groups ==== */

typedef struct e2e_viber_group e2e_viber_group;

/* The creator: random group id and secret, epoch 0, position 0. */
E2E_API int e2e_viber_group_create(e2e_viber_group **out, const e2e_ctx *ctx,
                                   const uint8_t my_udid[16]) E2E_WARN_UNUSED;
/* The key-distribution payload (E2E_VIBER_GROUP_KEY_LEN bytes) to send over a 1:1 session:
 * 01 07 || group id || epoch || seq || GK_seq for the next position, so a member added now
 * reads from here on and nothing earlier. */
E2E_API int e2e_viber_group_export(const e2e_viber_group *g,
                                   uint8_t out[E2E_VIBER_GROUP_KEY_LEN]) E2E_WARN_UNUSED;
/* A member receiving the payload (from the creator, or from the member who added it). */
E2E_API int e2e_viber_group_join(e2e_viber_group **out, const uint8_t my_udid[16],
                                 const uint8_t *payload, size_t len,
                                 struct e2e_report *why) E2E_WARN_UNUSED;
/* A new epoch with a fresh secret (after removing a member); export it to those who stay. */
E2E_API int e2e_viber_group_rekey(e2e_viber_group *g, const e2e_ctx *ctx) E2E_WARN_UNUSED;
/* A member receiving a later epoch's payload for its group. E2E_ERR_PROTOCOL for another
 * group, E2E_ERR_DUPLICATE for the epoch it has, E2E_ERR_STATE for an older one. The previous
 * epoch's window stays readable for late messages. */
E2E_API int e2e_viber_group_update(e2e_viber_group *g, const uint8_t *payload, size_t len,
                                   struct e2e_report *why) E2E_WARN_UNUSED;
E2E_API void e2e_viber_group_free(e2e_viber_group *g); /* wipes */
E2E_API const uint8_t *e2e_viber_group_id(const e2e_viber_group *g);
/* Current epoch and latest position (number of hash steps applied to the epoch's secret). */
E2E_API void e2e_viber_group_position(const e2e_viber_group *g, uint32_t *epoch, uint32_t *seq);

E2E_API size_t e2e_viber_group_msg_size(size_t pt_len);
/* Sends at the latest position + 1. */
E2E_API int e2e_viber_group_encrypt(e2e_viber_group *g, const e2e_ctx *ctx, const uint8_t *pt,
                                    size_t pt_len, uint8_t *out, size_t cap,
                                    size_t *len) E2E_WARN_UNUSED;
/* E2E_ERR_AUTH, E2E_ERR_DUPLICATE (this writer at this position already seen),
 * E2E_ERR_TOO_FAR (ahead of E2E_VIBER_GROUP_MAX_AHEAD, or behind the window: key wiped),
 * E2E_ERR_PROTOCOL (another group), E2E_ERR_STATE (unknown epoch), E2E_ERR_LIMIT (more
 * concurrent writers at one position than remembered), E2E_ERR_MALFORMED, E2E_ERR_BUFFER.
 * sender_udid (may be NULL) receives the writer's udid. */
E2E_API int e2e_viber_group_decrypt(e2e_viber_group *g, const e2e_ctx *ctx, const uint8_t *msg,
                                    size_t len, uint8_t *pt, size_t pt_cap, size_t *pt_len,
                                    uint8_t sender_udid[16],
                                    struct e2e_report *why) E2E_WARN_UNUSED;

E2E_API int e2e_viber_group_serialize(const e2e_viber_group *g, uint8_t *out, size_t cap,
                                      size_t *len) E2E_WARN_UNUSED;
E2E_API int e2e_viber_group_parse(e2e_viber_group **out, const uint8_t *in, size_t len,
                                  struct e2e_report *why) E2E_WARN_UNUSED;

/* ====================================================== secondary-device registration ==== */

/* The secondary's side of a registration, memory only; wiped by finish and by abort. */
struct e2e_viber_link {
    uint8_t udid[16];
    uint8_t eph_priv[32];
    uint8_t eph_pub[32];
    int active;
};
/* Secondary: a fresh ephemeral pair and the QR payload 01 0a || udid || ephemeral public. */
E2E_API int e2e_viber_link_start(struct e2e_viber_link *l, const e2e_ctx *ctx,
                                 const e2e_viber_device *secondary,
                                 uint8_t qr[E2E_VIBER_QR_LEN]) E2E_WARN_UNUSED;
E2E_API int e2e_viber_link_qr_parse(uint8_t udid[16], uint8_t eph_pub[32], const uint8_t *qr,
                                    size_t len, struct e2e_report *why) E2E_WARN_UNUSED;
/* Primary: scans the QR, generates its own ephemeral pair, secret = SHA256(DH), encrypts its
 * private ID key, HMACs it, and writes the message for the relay to deliver to to_udid.
 * E2E_ERR_STATE unless `primary` is a primary device. */
E2E_API int e2e_viber_link_transfer(uint8_t out[E2E_VIBER_LINK_MSG_LEN], uint8_t to_udid[16],
                                    const e2e_ctx *ctx, const e2e_viber_device *primary,
                                    const uint8_t *qr, size_t qr_len,
                                    struct e2e_report *why) E2E_WARN_UNUSED;
/* Secondary: re-derives the secret, checks UDID (E2E_ERR_PROTOCOL) and HMAC (E2E_ERR_AUTH),
 * installs the ID key. expected_id (may be NULL): the account's ID public key as the server
 * published it; a mismatch is E2E_ERR_UNTRUSTED. On success the link is wiped. */
E2E_API int e2e_viber_link_finish(struct e2e_viber_link *l, const e2e_ctx *ctx,
                                  e2e_viber_device *secondary, const uint8_t *expected_id,
                                  const uint8_t *msg, size_t len,
                                  struct e2e_report *why) E2E_WARN_UNUSED;
E2E_API void e2e_viber_link_abort(struct e2e_viber_link *l);

/* ============================================================================ files ==== */

/*
 * Files: Salsa20 (32-byte key) under keys expanded from a fresh file key, HMAC-SHA256 over the
 * encrypted file, MD5 over the encrypted file for the storage server's transfer check.
 * Streaming in pieces of any size with constant memory. The structs are plain data: wipe them
 * (final does).
 */
struct e2e_viber_file_stream {
    uint8_t enc_key[32];
    e2e_hmac_sha256_ctx mac;
    e2e_md5_ctx md5;
    uint64_t offset;
};
/* Draws a fresh file key from ctx and prepares encryption. */
E2E_API int e2e_viber_file_encrypt_init(struct e2e_viber_file_stream *f, const e2e_ctx *ctx,
                                        uint8_t file_key[32]) E2E_WARN_UNUSED;
/* Prepares encryption or decryption with a given key. */
E2E_API void e2e_viber_file_init(struct e2e_viber_file_stream *f, const uint8_t file_key[32]);
/* out may equal in. E2E_ERR_LIMIT past 2^64 - 1 bytes. */
E2E_API int e2e_viber_file_encrypt_update(struct e2e_viber_file_stream *f, uint8_t *out,
                                          const uint8_t *in, size_t n) E2E_WARN_UNUSED;
E2E_API void e2e_viber_file_encrypt_final(struct e2e_viber_file_stream *f, uint8_t hmac[32],
                                          uint8_t md5[16]);
/* Decryption releases plaintext before the tag is known: keep it aside and use it only when
 * final returns E2E_OK (or run a verify-only pass first with out == NULL). */
E2E_API int e2e_viber_file_decrypt_update(struct e2e_viber_file_stream *f, uint8_t *out,
                                          const uint8_t *in, size_t n) E2E_WARN_UNUSED;
/* Checks the HMAC (E2E_ERR_AUTH) and the size (E2E_ERR_MALFORMED). Wipes f. */
E2E_API int e2e_viber_file_decrypt_final(struct e2e_viber_file_stream *f, const uint8_t hmac[32],
                                         uint64_t size, struct e2e_report *why) E2E_WARN_UNUSED;

/* What the E2E message carries about an uploaded file. */
struct e2e_viber_file_ref {
    uint8_t file_id[64]; /* the storage server's id */
    size_t file_id_len;  /* 1..64 */
    uint8_t file_key[32];
    uint64_t size; /* encrypted bytes */
    uint8_t hmac[32];
};
#define E2E_VIBER_FILE_REF_MAX (2 + 1 + 64 + 32 + 8 + 32)
/* 01 08 || u8 id length || id || key || BE64 size || hmac. */
E2E_API int e2e_viber_file_ref_encode(uint8_t *out, size_t cap, size_t *len,
                                      const struct e2e_viber_file_ref *r) E2E_WARN_UNUSED;
E2E_API int e2e_viber_file_ref_parse(struct e2e_viber_file_ref *r, const uint8_t *in, size_t len,
                                     struct e2e_report *why) E2E_WARN_UNUSED;

/* ============================================================================ calls ==== */

enum e2e_viber_call_role { E2E_VIBER_CALLER = 1, E2E_VIBER_CALLEE = 2 };

/* One call's key exchange. Memory only by design: the call key is never serialized. */
struct e2e_viber_call {
    int role;
    int state; /* 0 idle, 1 offered, 2 keyed */
    uint8_t call_id[16];
    uint8_t eph_priv[32];
    uint8_t eph_pub[32];
    uint8_t peer_eph[32];
    uint8_t call_key[32];
};
/* Caller: a fresh ephemeral pair signed with the ID key (XEdDSA) over
 * "viber call offer" || call id || ephemeral public. */
E2E_API int e2e_viber_call_offer(struct e2e_viber_call *c, uint8_t offer[E2E_VIBER_CALL_MSG_LEN],
                                 const e2e_ctx *ctx, const e2e_viber_device *me,
                                 const uint8_t call_id[16]) E2E_WARN_UNUSED;
/* Callee: verifies the offer with the caller's ID key (E2E_ERR_AUTH), answers with its own
 * signed ephemeral key (over "viber call answer" || call id || own eph || caller eph) and
 * derives the call key. */
E2E_API int e2e_viber_call_answer(struct e2e_viber_call *c, uint8_t answer[E2E_VIBER_CALL_MSG_LEN],
                                  const e2e_ctx *ctx, const e2e_viber_device *me,
                                  const uint8_t caller_id[32], const uint8_t *offer, size_t len,
                                  struct e2e_report *why) E2E_WARN_UNUSED;
/* Caller: verifies the answer with the callee's ID key and derives the call key. */
E2E_API int e2e_viber_call_complete(struct e2e_viber_call *c, const e2e_ctx *ctx,
                                    const uint8_t callee_id[32], const uint8_t *answer, size_t len,
                                    struct e2e_report *why) E2E_WARN_UNUSED;
/* CallKey = HKDF-SHA256(salt = call id, DH(own eph, peer eph),
 *                       "viber call" || caller eph || callee eph, 32). */
E2E_API int e2e_viber_call_key(uint8_t call_key[32], const uint8_t call_id[16],
                               const uint8_t own_eph_priv[32], const uint8_t peer_eph_pub[32],
                               const uint8_t caller_eph[32],
                               const uint8_t callee_eph[32]) E2E_WARN_UNUSED;
E2E_API void e2e_viber_call_end(struct e2e_viber_call *c); /* wipes */

/*
 * Media protection for one RTP stream (one SSRC, one direction): "SRTP-like" with Salsa20.
 * Header in clear and authenticated; payload XOR Salsa20 (32-byte key, nonce BE32(SSRC) ||
 * BE32(ROC), block counter SEQ * 2^16); tag = first 10 bytes of HMAC-SHA256(auth key, header ||
 * encrypted payload || BE32(ROC)); 128-packet replay window; RFC 3711 ROC estimation.
 * Keys: EncKey || AuthKey = HKDF-Expand(CallKey, "viber media" || direction, 64), direction
 * 0x01 caller -> callee, 0x02 callee -> caller.
 */
struct e2e_viber_media {
    uint8_t enc_key[32];
    e2e_hmac_sha256_ctx auth;
    uint32_t ssrc;
    int ssrc_set;
    /* packet indexes (ROC << 16 | SEQ) sent or received: the top is the highest, whose ROC
     * and SEQ the RFC 3711 estimate starts from */
    struct e2e_replay_window rw;
};
enum e2e_viber_media_dir { E2E_VIBER_MEDIA_SEND = 1, E2E_VIBER_MEDIA_RECV = 2 };
/* E2E_ERR_STATE unless the call is keyed. */
E2E_API int e2e_viber_media_init(struct e2e_viber_media *m, const e2e_ctx *ctx,
                                 const struct e2e_viber_call *c, int dir) E2E_WARN_UNUSED;
/* Media keys from a raw call key, for calculators: dir_byte 1 (caller -> callee) or 2. */
E2E_API void e2e_viber_media_init_key(struct e2e_viber_media *m, const uint8_t call_key[32],
                                      uint8_t dir_byte);
/* In place: pkt holds an RTP packet of len bytes, cap >= len + E2E_VIBER_MEDIA_TAG_LEN. */
E2E_API int e2e_viber_media_protect(struct e2e_viber_media *m, uint8_t *pkt, size_t len, size_t cap,
                                    size_t *out_len) E2E_WARN_UNUSED;
/* In place. E2E_ERR_MALFORMED (not RTP), E2E_ERR_PROTOCOL (another SSRC), E2E_ERR_AUTH,
 * E2E_ERR_DUPLICATE (replayed or behind the window). */
E2E_API int e2e_viber_media_unprotect(struct e2e_viber_media *m, uint8_t *pkt, size_t len,
                                      size_t *out_len, struct e2e_report *why) E2E_WARN_UNUSED;
E2E_API void e2e_viber_media_wipe(struct e2e_viber_media *m);

/* ============================================================================ trust ==== */

/* The lock shown for a peer account; applies to every device of that account. */
enum e2e_viber_lock {
    E2E_VIBER_LOCK_GREY = 0,  /* unverified */
    E2E_VIBER_LOCK_GREEN = 1, /* trusted: the 48 digits were compared */
    E2E_VIBER_LOCK_RED = 2,   /* breached: a trusted account's ID key changed */
};
#define E2E_VIBER_ACCOUNT_MAX 32 /* account names (phone numbers) up to 32 bytes */

typedef struct e2e_viber_trust e2e_viber_trust;
E2E_API int e2e_viber_trust_new(e2e_viber_trust **out) E2E_WARN_UNUSED;
E2E_API void e2e_viber_trust_free(e2e_viber_trust *t);
/* Records the ID key the directory or a session shows for an account; returns the lock
 * (>= 0) or an error. A trusted account whose key changes turns red; an unverified one stays
 * grey with the new key. */
E2E_API int e2e_viber_trust_observe(e2e_viber_trust *t, const char *account,
                                    const uint8_t id_pub[32]) E2E_WARN_UNUSED;
/* The user compared the 48 digits for this key: green. E2E_ERR_STATE if id_pub is not the
 * account's current key; E2E_ERR_NOT_FOUND for an unknown account. */
E2E_API int e2e_viber_trust_verified(e2e_viber_trust *t, const char *account,
                                     const uint8_t id_pub[32]) E2E_WARN_UNUSED;
/* The user accepts a changed key without verifying it: red -> grey. */
E2E_API int e2e_viber_trust_accept(e2e_viber_trust *t, const char *account) E2E_WARN_UNUSED;
/* The lock (>= 0), or E2E_ERR_NOT_FOUND. */
E2E_API int e2e_viber_trust_lock(const e2e_viber_trust *t, const char *account) E2E_WARN_UNUSED;
/* The account's current ID key. */
E2E_API int e2e_viber_trust_identity(const e2e_viber_trust *t, const char *account,
                                     uint8_t id_pub[32]) E2E_WARN_UNUSED;
E2E_API const char *e2e_viber_lock_name(int lock); /* "grey", "green", "red" */
E2E_API int e2e_viber_trust_serialize(const e2e_viber_trust *t, uint8_t *out, size_t cap,
                                      size_t *len) E2E_WARN_UNUSED;
E2E_API int e2e_viber_trust_parse(e2e_viber_trust **out, const uint8_t *in, size_t len,
                                  struct e2e_report *why) E2E_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif
