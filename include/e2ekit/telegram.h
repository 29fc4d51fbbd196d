/*
 * e2ekit telegram suite: MTProto 2.0 secret chats and 1:1 calls, byte for byte as Telegram's
 * clients speak them (reference/telegram.md; docs/protocols/telegram.md).
 *
 *   keys       key_fingerprint, key id, key visualisation
 *   mtproto    MTProto 2.0 message encryption (and the 1.0 receive-only fallback)
 *   chat       the secret chat: DH with the checks, TL schema of layers 46..144, seq_no with gap
 *              filling, layers, perfect forward secrecy; a sans-I/O state object
 *   files      per-file key and IV, AES-256-IGE as one stream, the MD5-based fingerprint
 *   call       hash-committed DH, AES-256-CTR packets, the replay window, the emoji fingerprint
 *
 * Everything is sans-I/O: bytes in, bytes and events out; randomness and time come from the
 * e2e_ctx. The DH group checks and the modular exponentiation are the crypto layer's
 * (e2e_dh_* in crypto.h); a caller-owned e2e_dh_cache keeps the verdicts on (p, g).
 */
#ifndef E2EKIT_TELEGRAM_H
#define E2EKIT_TELEGRAM_H

#include <e2ekit/core.h>
#include <e2ekit/crypto.h>

#ifdef __cplusplus
extern "C" {
#endif

#define E2E_TG_KEY_BYTES 256
/* Layers (tdlib SecretChatLayer): the peer's layer starts at 46; MTProto 2.0 from 73; the
 * 64-bit document size from 143; ours is 144. */
#define E2E_TG_LAYER_INITIAL   46
#define E2E_TG_LAYER_MTPROTO2  73
#define E2E_TG_LAYER_BIG_FILES 143
#define E2E_TG_LAYER           144
/* Bounds this implementation enforces on peer data (docs/protocols/telegram.md). */
#define E2E_TG_MAX_TL      131072 /* a decryptedMessageLayer, in bytes */
#define E2E_TG_MAX_EARLY   64     /* messages held while waiting for a gap to fill */
#define E2E_TG_MAX_UNACKED 4096   /* our messages kept for Resend until the peer acknowledges */
#define E2E_TG_MAX_RESEND  1000   /* messages one Resend may ask for (tdlib MAX_RESEND_COUNT) */
/* Re-key triggers (spec "pfs"): more than this many messages, or this much time. */
#define E2E_TG_REKEY_MESSAGES 100
#define E2E_TG_REKEY_MS       (7ull * 24 * 3600 * 1000)

/* ============================================================================ keys ==== */

/* key_fingerprint: SHA1(key)[12..20) read as a little-endian int64. */
E2E_API int64_t e2e_tg_key_fingerprint(const uint8_t key[E2E_TG_KEY_BYTES]);
/* The same 8 bytes as they lead every encrypted message (the key id). */
E2E_API void e2e_tg_key_id(uint8_t id[8], const uint8_t key[E2E_TG_KEY_BYTES]);
/* Key visualisation: SHA1(initial_key)[0..16) || SHA256(layer46_key)[0..20), where layer46_key
 * is the key in use when the chat reached layer 46 (for chats that start at 46, as ours do, the
 * initial key: pass it twice). */
E2E_API void e2e_tg_key_visualization(uint8_t out[36], const uint8_t initial_key[E2E_TG_KEY_BYTES],
                                      const uint8_t layer46_key[E2E_TG_KEY_BYTES]);

/* ======================================================================== MTProto ==== */

/* KDF2: msg_key + key[x..] -> aes_key, 32-byte aes_iv. x is 0 (creator sends) or 8. */
E2E_API void e2e_tg_mtp2_kdf(uint8_t aes_key[32], uint8_t aes_iv[32],
                             const uint8_t key[E2E_TG_KEY_BYTES], const uint8_t msg_key[16], int x);
/* MTProto 1.0 KDF (SHA-1 based), for the receive-only fallback. */
E2E_API void e2e_tg_mtp1_kdf(uint8_t aes_key[32], uint8_t aes_iv[32],
                             const uint8_t key[E2E_TG_KEY_BYTES], const uint8_t msg_key[16], int x);
/* Size of the padded plaintext (4-byte length + TL + padding) for a TL payload of tl_len bytes,
 * with tdlib's buckets: (4 + len + 12 + 15) & ~15, then up to the first of 64, 128, 192, 256,
 * 384, 512, 768, 1024, 1280, above that 1280 + 448k. Padding is always 12..1024 bytes. */
E2E_API size_t e2e_tg_mtp2_padded_size(size_t tl_len);
/*
 * MTProto 2.0: plain = LE32 length || TL || 12..1024 padding bytes (n a multiple of 16); out
 * receives key id (8) || msg_key (16) || AES-256-IGE ciphertext, n + 24 bytes. x = 0 or 8.
 * The framing is checked (E2E_ERR_INVALID), so this only encrypts what a peer would accept.
 */
E2E_API int e2e_tg_mtp2_encrypt(const e2e_ctx *ctx, uint8_t *out,
                                const uint8_t key[E2E_TG_KEY_BYTES], int x, const uint8_t *plain,
                                size_t n) E2E_WARN_UNUSED;
/*
 * Several MTProto 2.0 encryptions at once, for a client with several messages to send (an
 * outbox, a bot or bridge writing to many chats): the IGE chains of up to four messages run
 * interleaved, which one message at a time leaves waiting on the AES latency. Each job is exactly e2e_tg_mtp2_encrypt's (out receives
 * n + 24 bytes); key_id is e2e_tg_key_id(key), computed once per chat. E2E_ERR_INVALID, with
 * nothing written, when any job has a bad x or a plaintext the peer would refuse.
 */
struct e2e_tg_mtp2_job {
    const uint8_t *key;    /* E2E_TG_KEY_BYTES */
    const uint8_t *key_id; /* 8 bytes */
    int x;                 /* 0 creator, 8 acceptor */
    const uint8_t *plain;
    size_t n;
    uint8_t *out;
};
E2E_API int e2e_tg_mtp2_encrypt_many(const e2e_ctx *ctx, const struct e2e_tg_mtp2_job *jobs,
                                     size_t count) E2E_WARN_UNUSED;
/*
 * Decrypts and checks in this order: size (>= 40, whole blocks after the 24-byte header;
 * E2E_ERR_MALFORMED "size"), key id (E2E_ERR_NO_SESSION "fingerprint"), msg_key over the whole
 * decrypted buffer in constant time (E2E_ERR_AUTH "msg_key"), then the authenticated framing:
 * length % 4 == 0 and length <= size - 4 (E2E_ERR_MALFORMED "length"), padding 12..1024
 * (E2E_ERR_MALFORMED "padding"). out receives n - 24 bytes (wiped on failure); the TL payload
 * is out[4 .. 4 + *tl_len).
 */
E2E_API int e2e_tg_mtp2_decrypt(const e2e_ctx *ctx, uint8_t *out, size_t *tl_len,
                                const uint8_t key[E2E_TG_KEY_BYTES], int x, const uint8_t *msg,
                                size_t n, struct e2e_report *why) E2E_WARN_UNUSED;
/* MTProto 1.0 (x = 0 both ways; 0..15 padding; msg_key = SHA1(length || TL)[4..20)). Encrypt
 * exists for tests and tools: the chat never sends 1.0. */
E2E_API int e2e_tg_mtp1_encrypt(const e2e_ctx *ctx, uint8_t *out,
                                const uint8_t key[E2E_TG_KEY_BYTES], const uint8_t *plain,
                                size_t n) E2E_WARN_UNUSED;
E2E_API int e2e_tg_mtp1_decrypt(const e2e_ctx *ctx, uint8_t *out, size_t *tl_len,
                                const uint8_t key[E2E_TG_KEY_BYTES], const uint8_t *msg, size_t n,
                                struct e2e_report *why) E2E_WARN_UNUSED;

/* ================================================================ secret-chat schema ==== */

/* Constructor ids (tdlib secret_api.tl) name message, media and action kinds. */
#define E2E_TG_ID_MESSAGE_LAYER 0x1be31789u
#define E2E_TG_ID_MESSAGE       0x91cc4674u /* decryptedMessage, layer 73+ */
#define E2E_TG_ID_MESSAGE46     0x36b091deu /* decryptedMessage46 */
#define E2E_TG_ID_SERVICE       0x73164160u /* decryptedMessageService */
#define E2E_TG_ID_SERVICE8      0xaa48327du /* decryptedMessageService8 (obsolete, received only) */

#define E2E_TG_ACTION_SET_TTL      0xa1733aecu
#define E2E_TG_ACTION_READ         0x0c4f40beu
#define E2E_TG_ACTION_DELETE       0x65614304u
#define E2E_TG_ACTION_SCREENSHOT   0x8ac1f475u
#define E2E_TG_ACTION_FLUSH        0x6719e45cu
#define E2E_TG_ACTION_RESEND       0x511110b0u
#define E2E_TG_ACTION_NOTIFY_LAYER 0xf3048883u
#define E2E_TG_ACTION_TYPING       0xccb27641u
#define E2E_TG_ACTION_REQUEST_KEY  0xf3c9611bu
#define E2E_TG_ACTION_ACCEPT_KEY   0x6fe1735bu
#define E2E_TG_ACTION_ABORT_KEY    0xdd05ec6bu
#define E2E_TG_ACTION_COMMIT_KEY   0xec2e0b9bu
#define E2E_TG_ACTION_NOOP         0xa82fdd63u

#define E2E_TG_TYPING        0x16bf744eu /* sendMessageTypingAction */
#define E2E_TG_TYPING_CANCEL 0xfd5ec8f5u

#define E2E_TG_MEDIA_EMPTY      0x089f5c4au
#define E2E_TG_MEDIA_DOCUMENT   0x6abd9782u /* layer 143+: size:long */
#define E2E_TG_MEDIA_DOCUMENT46 0x7afe8ae2u /* layer 46: size:int */
#define E2E_TG_MEDIA_PHOTO      0xf1fa8d78u
#define E2E_TG_MEDIA_VIDEO      0x970c8c0eu
#define E2E_TG_MEDIA_GEO        0x35480a59u
#define E2E_TG_MEDIA_CONTACT    0x588a0a97u
#define E2E_TG_MEDIA_VENUE      0x8a0df56fu
#define E2E_TG_MEDIA_WEBPAGE    0xe50511d8u
#define E2E_TG_MEDIA_EXTERNAL   0xfa95b0ddu

/* A file's own key and IV (never the chat key), as they travel inside the message media. */
struct e2e_tg_file_key {
    uint8_t key[32];
    uint8_t iv[32];
};

/* Media that carries a file key: document, photo or video. Strings are views (UTF-8, not
 * NUL-terminated). On receive they point into the chat's storage. */
struct e2e_tg_document {
    const uint8_t *thumb;
    size_t thumb_len;
    int32_t thumb_w, thumb_h;
    const char *mime_type;
    size_t mime_type_len;
    int64_t size; /* the file's true size; the stored file is padded to 16 bytes */
    struct e2e_tg_file_key file;
    const char *file_name; /* documentAttributeFilename, or NULL */
    size_t file_name_len;
    int32_t w, h, duration; /* photo / video */
    const char *caption;
    size_t caption_len;
};

struct e2e_tg_message {
    int64_t random_id;
    int32_t ttl;
    int silent;
    const char *text;
    size_t text_len;
    int has_reply_to;
    int64_t reply_to_random_id;
    int has_grouped_id;
    int64_t grouped_id;
    const char *via_bot_name; /* or NULL */
    size_t via_bot_name_len;
    size_t n_entities; /* message entities are checked and counted, not interpreted */
    /* 0 (no media) or an E2E_TG_MEDIA_* id; `document` is filled for DOCUMENT, DOCUMENT46,
     * PHOTO and VIDEO. When sending, 0 or E2E_TG_MEDIA_DOCUMENT (the layer picks the form). */
    uint32_t media;
    struct e2e_tg_document document;
};

struct e2e_tg_action {
    uint32_t type;             /* E2E_TG_ACTION_* */
    int64_t random_id;         /* the service message's random_id (drawn when sending) */
    int32_t ttl_seconds;       /* SET_TTL */
    const int64_t *random_ids; /* READ, DELETE, SCREENSHOT */
    size_t n_random_ids;
    int32_t start_seq_no, end_seq_no; /* RESEND */
    int32_t layer;                    /* NOTIFY_LAYER */
    uint32_t typing;                  /* TYPING: an E2E_TG_TYPING* (sendMessage*Action) id */
    int64_t exchange_id;              /* the PFS actions */
    const uint8_t *g;                 /* REQUEST_KEY g_a, ACCEPT_KEY g_b */
    size_t g_len;
    int64_t key_fingerprint; /* ACCEPT_KEY, COMMIT_KEY */
};

/* ==================================================================== secret chats ==== */

typedef struct e2e_tg_chat e2e_tg_chat;

enum e2e_tg_role { E2E_TG_CREATOR = 0, E2E_TG_ACCEPTOR = 1 };
enum e2e_tg_chat_state {
    E2E_TG_CHAT_WAITING = 0, /* creator: requestEncryption sent, waiting for g_b */
    E2E_TG_CHAT_READY = 1,
    E2E_TG_CHAT_ABORTED = 2, /* a fatal violation: keys wiped; call discardEncryption */
};

enum e2e_tg_event_type {
    E2E_TG_EV_READY = 1,       /* the key exchange finished; key_fingerprint */
    E2E_TG_EV_MESSAGE = 2,     /* a decryptedMessage, in order: message */
    E2E_TG_EV_SERVICE = 3,     /* a decryptedMessageService, in order: action */
    E2E_TG_EV_LAYER = 4,       /* the peer's layer rose: layer */
    E2E_TG_EV_NEED_RESEND = 5, /* a gap: we asked the peer to resend start..end_seq_no */
    E2E_TG_EV_RESENT = 6,      /* the peer asked: our stored messages start..end went out again */
    E2E_TG_EV_REKEYED = 7,     /* a new key is in use: key_fingerprint */
    E2E_TG_EV_ABORTED = 8,     /* the chat is over: err, reason */
};

struct e2e_tg_event {
    int type;             /* enum e2e_tg_event_type */
    int32_t layer;        /* MESSAGE / SERVICE: the decryptedMessageLayer's layer; LAYER: new */
    int32_t in_seq_no;    /* MESSAGE / SERVICE: as on the wire */
    int32_t out_seq_no;   /* MESSAGE / SERVICE */
    int mtproto;          /* MESSAGE / SERVICE: 2, or 1 for the legacy fallback */
    int32_t start_seq_no; /* NEED_RESEND, RESENT (wire numbering) */
    int32_t end_seq_no;
    int64_t key_fingerprint; /* READY, REKEYED */
    int err;                 /* ABORTED */
    const char *reason;      /* ABORTED: static text naming the check */
    struct e2e_tg_message message;
    struct e2e_tg_action action;
};

/*
 * Creator: checks (p, g) through the cache (a full check once per cache), draws a and returns
 * g_a (minimal big-endian, as tdlib sends it) for messages.requestEncryption. The group stays
 * valid as long as the cache: free the chat first.
 */
E2E_API int e2e_tg_chat_request(e2e_tg_chat **out, const e2e_ctx *ctx, e2e_dh_cache *cache,
                                const uint8_t *p, size_t p_len, int32_t g, uint8_t g_a[256],
                                size_t *g_a_len, struct e2e_report *why) E2E_WARN_UNUSED;
/*
 * Acceptor, on encryptedChatRequested: checks (p, g) and g_a, draws b, computes the key and
 * returns g_b and key_fingerprint for messages.acceptEncryption. The chat is ready and has a
 * NotifyLayer queued in its outbox.
 */
E2E_API int e2e_tg_chat_accept(e2e_tg_chat **out, const e2e_ctx *ctx, e2e_dh_cache *cache,
                               const uint8_t *p, size_t p_len, int32_t g, const uint8_t *g_a,
                               size_t g_a_len, uint8_t g_b[256], size_t *g_b_len,
                               int64_t *key_fingerprint, struct e2e_report *why) E2E_WARN_UNUSED;
/*
 * Creator, on encryptedChat: checks g_b, computes the key and compares key_fingerprint
 * (E2E_ERR_AUTH "fingerprint" on a mismatch: the chat is aborted and must be discarded). On
 * success the chat is ready with NotifyLayer queued.
 */
E2E_API int e2e_tg_chat_confirm(e2e_tg_chat *c, const e2e_ctx *ctx, const uint8_t *g_b,
                                size_t g_b_len, int64_t key_fingerprint,
                                struct e2e_report *why) E2E_WARN_UNUSED;
/* Wipes every key and stored message. NULL is fine. */
E2E_API void e2e_tg_chat_free(e2e_tg_chat *c);

E2E_API int e2e_tg_chat_state(const e2e_tg_chat *c);
E2E_API int e2e_tg_chat_role(const e2e_tg_chat *c);
/* The fingerprint of the key in use (changes with each re-key). */
E2E_API int64_t e2e_tg_chat_key_fingerprint(const e2e_tg_chat *c);
/* The 36-byte visualisation fixed at the key exchange (E2E_ERR_STATE before it). */
E2E_API int e2e_tg_chat_visualization(const e2e_tg_chat *c, uint8_t out[36]) E2E_WARN_UNUSED;
/* 1 while the previous key is still kept after a re-key (messages in flight may use it); it is
 * wiped once a message under the new key is processed with no gap left. */
E2E_API int e2e_tg_chat_previous_key_held(const e2e_tg_chat *c);
E2E_API int32_t e2e_tg_chat_my_layer(const e2e_tg_chat *c);
E2E_API int32_t e2e_tg_chat_his_layer(const e2e_tg_chat *c);
/* Raw counters: messages sent, peer messages processed in order, messages since the last key
 * change (both directions). */
E2E_API void e2e_tg_chat_counters(const e2e_tg_chat *c, uint32_t *my_out, uint32_t *my_in,
                                  uint32_t *since_rekey);

/*
 * Local actions. Each encrypts one decryptedMessageLayer under the current key with the next
 * out_seq_no, keeps the ciphertext for Resend, and queues it in the outbox (drain it with
 * e2e_tg_chat_next_output). The layer written is max(73, min(ours, the peer's)). A re-key may be
 * queued behind it when the triggers are met.
 */
E2E_API int e2e_tg_chat_send_message(e2e_tg_chat *c, const e2e_ctx *ctx,
                                     const struct e2e_tg_message *m) E2E_WARN_UNUSED;
/* Service actions: SET_TTL, READ, DELETE, SCREENSHOT, FLUSH, TYPING, NOOP. (RESEND, NOTIFY_LAYER
 * and the PFS actions are the chat's own: see set_layer and rekey.) random_id is drawn. */
E2E_API int e2e_tg_chat_send_action(e2e_tg_chat *c, const e2e_ctx *ctx,
                                    const struct e2e_tg_action *a) E2E_WARN_UNUSED;
/* Local client upgrade (or a test of one): our layer becomes `layer` (73..144) and NotifyLayer
 * goes to the peer. */
E2E_API int e2e_tg_chat_set_layer(e2e_tg_chat *c, const e2e_ctx *ctx,
                                  int32_t layer) E2E_WARN_UNUSED;
/* Start a re-key now (RequestKey), whatever the triggers say. E2E_ERR_STATE while one runs. */
E2E_API int e2e_tg_chat_rekey(e2e_tg_chat *c, const e2e_ctx *ctx) E2E_WARN_UNUSED;

/*
 * A received encrypted message (encryptedMessage.bytes). Decrypt-then-commit:
 *   E2E_OK                processed (events queued), or held until a gap fills (a Resend is
 *                         queued and E2E_TG_EV_NEED_RESEND reported, once per hole);
 *   dropped quietly, state unchanged:
 *     E2E_ERR_MALFORMED   "size"; E2E_ERR_NO_SESSION "fingerprint" (unknown key id);
 *     E2E_ERR_AUTH        "msg_key" (2.0, and 1.0 while the peer is below layer 73);
 *     E2E_ERR_DUPLICATE   "seq_old" (already processed);
 *     E2E_ERR_LIMIT       "gap" (the queue of early messages is full: asked again later);
 *     E2E_ERR_UNSUPPORTED "layer" (the peer writes a layer newer than ours: update needed);
 *   chat aborted (keys wiped, E2E_TG_EV_ABORTED queued, later calls E2E_ERR_STATE):
 *     E2E_ERR_MALFORMED   "length", "padding", "tl" (authenticated but ill-formed);
 *     E2E_ERR_PROTOCOL    "mtproto1" (1.0 for layer >= 73), "seq_parity", "in_seq_no",
 *                         "layer_decrease", "resend", "pfs";
 *     E2E_ERR_WEAK_KEY / E2E_ERR_AUTH in re-key checks ("g_b", "fingerprint").
 */
E2E_API int e2e_tg_chat_receive(e2e_tg_chat *c, const e2e_ctx *ctx, const uint8_t *msg, size_t n,
                                struct e2e_report *why) E2E_WARN_UNUSED;

/* Next blob to send, oldest first; the view stays valid until the next call on the chat.
 * E2E_ERR_NOT_FOUND when the outbox is empty. */
E2E_API int e2e_tg_chat_next_output(e2e_tg_chat *c, const uint8_t **p, size_t *n) E2E_WARN_UNUSED;
/* Next event, oldest first; views stay valid until the next call on the chat. E2E_ERR_NOT_FOUND
 * when there is none. */
E2E_API int e2e_tg_chat_next_event(e2e_tg_chat *c, struct e2e_tg_event *ev) E2E_WARN_UNUSED;

/* Versioned blob ("TGCH", format 1). It holds the keys: seal it at rest. The outbox and
 * undelivered events are not part of it (drain them first). */
E2E_API int e2e_tg_chat_serialize(const e2e_tg_chat *c, uint8_t *out, size_t cap,
                                  size_t *len) E2E_WARN_UNUSED;
/* Size serialize needs now. */
E2E_API size_t e2e_tg_chat_serialized_size(const e2e_tg_chat *c);
/* The cache re-validates (p, g) (once per cache). E2E_ERR_MALFORMED / E2E_ERR_UNSUPPORTED. */
E2E_API int e2e_tg_chat_parse(e2e_tg_chat **out, e2e_dh_cache *cache, const uint8_t *blob, size_t n,
                              struct e2e_report *why) E2E_WARN_UNUSED;

/* ========================================================================== files ==== */

/* A fresh random key and IV (32 bytes each) from ctx. */
E2E_API int e2e_tg_file_key_new(struct e2e_tg_file_key *k, const e2e_ctx *ctx) E2E_WARN_UNUSED;
/* key_fingerprint:int = LE32(d[0..4)) XOR LE32(d[4..8)), d = MD5(key || iv). */
E2E_API int32_t e2e_tg_file_fingerprint(const struct e2e_tg_file_key *k);

/* One file as one AES-256-IGE stream across parts, in constant memory. Plain data: wipe with
 * e2e_tg_file_stream_wipe. */
struct e2e_tg_file_stream {
    e2e_aes_key aes;
    uint8_t iv[32];
    uint64_t done;
    int decrypt;
    int finished;
};
E2E_API int e2e_tg_file_stream_init(struct e2e_tg_file_stream *s, const struct e2e_tg_file_key *k,
                                    int decrypt) E2E_WARN_UNUSED;
/* A part of whole 16-byte blocks (Telegram parts are 512 KiB); out may equal in. */
E2E_API int e2e_tg_file_stream_update(struct e2e_tg_file_stream *s, uint8_t *out, const uint8_t *in,
                                      size_t n) E2E_WARN_UNUSED;
/* Encryption only: the last part, any length; padded to 16 bytes with random bytes from ctx.
 * out needs n rounded up to 16. */
E2E_API int e2e_tg_file_stream_final(struct e2e_tg_file_stream *s, const e2e_ctx *ctx, uint8_t *out,
                                     size_t cap, size_t *out_len, const uint8_t *in,
                                     size_t n) E2E_WARN_UNUSED;
E2E_API void e2e_tg_file_stream_wipe(struct e2e_tg_file_stream *s);

/* ========================================================================== calls ==== */

/* x by direction and channel: caller->callee 0, callee->caller 8, plus 128 on signaling. */
#define E2E_TG_CALL_X_VALID(x)    ((x) == 0 || (x) == 8 || (x) == 128 || (x) == 136)
#define E2E_TG_CALL_MIN_PACKET    21
#define E2E_TG_CALL_MAX_PACKET    (128 * 1024)
#define E2E_TG_CALL_MAX_TRANSPORT 1452 /* outgoing packet limits (tgcalls) */
#define E2E_TG_CALL_MAX_SIGNALING 16384
#define E2E_TG_CALL_MAX_COUNTER   ((1u << 30) - 1) /* the call ends when seq would reach 2^30 */
#define E2E_TG_CALL_SEQ_SINGLE    (1u << 31)       /* single-message packet */
#define E2E_TG_CALL_SEQ_ACK       (1u << 30)       /* message requires an ack */
#define E2E_TG_CALL_WINDOW        64

/* aes_key and the 16-byte aes_iv for a call packet. */
E2E_API void e2e_tg_call_kdf(uint8_t aes_key[32], uint8_t aes_iv[16],
                             const uint8_t key[E2E_TG_KEY_BYTES], const uint8_t msg_key[16], int x);
/* packet = msg_key(16) || AES-256-CTR(body): out receives n + 16 bytes. E2E_ERR_INVALID for a
 * bad x or a body outside 5 .. 128 KiB - 16. */
E2E_API int e2e_tg_call_encrypt(const e2e_ctx *ctx, uint8_t *out,
                                const uint8_t key[E2E_TG_KEY_BYTES], int x, const uint8_t *body,
                                size_t n) E2E_WARN_UNUSED;
/* Checks the size (21 .. 128 KiB: E2E_ERR_MALFORMED "size") and msg_key in constant time
 * (E2E_ERR_AUTH "msg_key"; out wiped); out receives n - 16 bytes. */
E2E_API int e2e_tg_call_decrypt(const e2e_ctx *ctx, uint8_t *out,
                                const uint8_t key[E2E_TG_KEY_BYTES], int x, const uint8_t *pkt,
                                size_t n, struct e2e_report *why) E2E_WARN_UNUSED;

typedef struct e2e_tg_call e2e_tg_call;
enum e2e_tg_call_channel { E2E_TG_CALL_TRANSPORT = 0, E2E_TG_CALL_SIGNALING = 1 };

/* Caller: checks (p, g), draws a, returns g_a_hash = SHA256(g_a) for phone.requestCall. */
E2E_API int e2e_tg_call_request(e2e_tg_call **out, const e2e_ctx *ctx, e2e_dh_cache *cache,
                                const uint8_t *p, size_t p_len, int32_t g, uint8_t g_a_hash[32],
                                struct e2e_report *why) E2E_WARN_UNUSED;
/* Callee, on phoneCallRequested: keeps g_a_hash, draws b, returns g_b for phone.acceptCall. */
E2E_API int e2e_tg_call_accept(e2e_tg_call **out, const e2e_ctx *ctx, e2e_dh_cache *cache,
                               const uint8_t *p, size_t p_len, int32_t g,
                               const uint8_t g_a_hash[32], uint8_t g_b[256], size_t *g_b_len,
                               struct e2e_report *why) E2E_WARN_UNUSED;
/* Caller, on phoneCallAccepted: checks g_b, computes the key, reveals g_a and key_fingerprint
 * for phone.confirmCall. Once: a second phoneCallAccepted is E2E_ERR_DUPLICATE. */
E2E_API int e2e_tg_call_confirm(e2e_tg_call *c, const e2e_ctx *ctx, const uint8_t *g_b,
                                size_t g_b_len, uint8_t g_a[256], size_t *g_a_len,
                                int64_t *key_fingerprint, struct e2e_report *why) E2E_WARN_UNUSED;
/* Callee, on phoneCall: SHA256(g_a) must equal the committed hash (E2E_ERR_AUTH "g_a_hash"),
 * g_a passes the range check, the fingerprint matches (E2E_ERR_AUTH "fingerprint"). Once. */
E2E_API int e2e_tg_call_complete(e2e_tg_call *c, const e2e_ctx *ctx, const uint8_t *g_a,
                                 size_t g_a_len, int64_t key_fingerprint,
                                 struct e2e_report *why) E2E_WARN_UNUSED;
E2E_API void e2e_tg_call_free(e2e_tg_call *c);
/* 1 once the key is agreed. */
E2E_API int e2e_tg_call_ready(const e2e_tg_call *c);
/* The four emoji indices (0..332), both sides alike. E2E_ERR_STATE before the key. */
E2E_API int e2e_tg_call_emoji(const e2e_tg_call *c, uint16_t idx[4]) E2E_WARN_UNUSED;
/* The shared key, for tools and tests (E2E_ERR_STATE before it). */
E2E_API int e2e_tg_call_key(const e2e_tg_call *c, uint8_t key[E2E_TG_KEY_BYTES]) E2E_WARN_UNUSED;

/*
 * One message -> one packet on a channel: seq = next counter | flags (E2E_TG_CALL_SEQ_SINGLE,
 * E2E_TG_CALL_SEQ_ACK), body = seq (BE32) || message. E2E_ERR_LIMIT once the counter is spent
 * (the call must end), E2E_ERR_INVALID when the packet would exceed the channel's limit.
 */
E2E_API int e2e_tg_call_protect(e2e_tg_call *c, const e2e_ctx *ctx, int channel, uint32_t flags,
                                const uint8_t *msg, size_t n, uint8_t *out, size_t cap,
                                size_t *out_len) E2E_WARN_UNUSED;
/*
 * A received packet: checks size and msg_key, then the first seq's counter against the
 * channel's 64-entry window (E2E_ERR_DUPLICATE "duplicate", E2E_ERR_DUPLICATE "old"). Failures
 * are dropped and counted, nothing else changes. out (not overlapping pkt) receives the whole
 * decrypted body, n - 16 bytes: the first seq (also in *seq), the first message and any further
 * seq || message pairs, as tgcalls frames them.
 */
E2E_API int e2e_tg_call_unprotect(e2e_tg_call *c, const e2e_ctx *ctx, int channel,
                                  const uint8_t *pkt, size_t n, uint8_t *out, size_t cap,
                                  size_t *out_len, uint32_t *seq,
                                  struct e2e_report *why) E2E_WARN_UNUSED;

struct e2e_tg_call_stats {
    uint64_t sent, received;
    uint64_t dropped_size, dropped_auth, dropped_duplicate, dropped_old;
};
E2E_API void e2e_tg_call_stats(const e2e_tg_call *c, int channel, struct e2e_tg_call_stats *st);

/* ========================================================================== emoji ==== */

#define E2E_TG_EMOJI_COUNT    333
#define E2E_TG_EMOJI_MAX_CP   8 /* code points per entry, at most */
#define E2E_TG_EMOJI_MAX_UTF8 (4 * E2E_TG_EMOJI_MAX_CP)

/* h = SHA256(key || g_a) (g_a: the caller's value, exact bytes); idx[i] = (BE64(h[8i..8i+8)) &
 * 0x7FFFFFFFFFFFFFFF) mod 333. */
E2E_API void e2e_tg_emoji_indices(uint16_t idx[4], const uint8_t key[E2E_TG_KEY_BYTES],
                                  const uint8_t *g_a, size_t g_a_len);

/* A 333-entry display table: UTF-8, NUL-terminated entries. */
struct e2e_tg_emoji_table {
    char entry[E2E_TG_EMOJI_COUNT][E2E_TG_EMOJI_MAX_UTF8 + 1];
};
/* e2ekit's own table (docs/protocols/telegram.md): NOT Telegram's, so the pictures differ from
 * Telegram's apps while the indices agree. Load Telegram's with e2e_tg_emoji_table_parse. */
E2E_API void e2e_tg_emoji_table_default(struct e2e_tg_emoji_table *t);
/* The text of a table file (the format of reference/telegram-emoji.txt): '#' comments, then
 * 333 lines "INDEX U+XXXX [U+XXXX ...]" with indices 0..332 in order, 1..8 code points each,
 * no surrogates. Bounded and total; E2E_ERR_MALFORMED with the line in `why`. */
E2E_API int e2e_tg_emoji_table_parse(struct e2e_tg_emoji_table *t, const char *text, size_t n,
                                     struct e2e_report *why) E2E_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif
