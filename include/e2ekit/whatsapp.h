/*
 * e2ekit whatsapp: what WhatsApp adds on top of the Signal Protocol core
 * (reference/whatsapp.md): companion linking (ADV), signed device lists,
 * device-consistency information and padding inside pairwise plaintexts,
 * media (attachment) encryption, and call keys (SRTP master secrets, the
 * RFC 3711 key derivation, group-call key rotation).
 *
 * Keys are 32-byte raw Curve25519 values everywhere in this header (ADV
 * messages carry them without the 0x05 prefix). Timestamps inside ADV
 * structures are seconds since the Unix epoch; the library takes them from
 * e2e_now_ms(ctx). Every parser and verifier takes a `struct e2e_report *`
 * (may be NULL) naming the check that failed; on failure no output argument
 * and no state object is changed.
 *
 * Error codes used here (see docs/protocols/whatsapp.md for the full table):
 *   E2E_ERR_MALFORMED   bytes that do not parse, bad lengths, bad padding
 *   E2E_ERR_AUTH        a MAC, HMAC or signature that does not verify
 *   E2E_ERR_UNTRUSTED   a well-formed, correctly signed statement about a device that we
 *                       must still refuse: wrong account key, device not (or no longer) in
 *                       the latest signed device list, key from a participant that is not
 *                       the current key distributor
 *   E2E_ERR_VERIFY      a digest that differs from the one the message announced
 *                       (fileEncSHA256, fileSHA256)
 *   E2E_ERR_PROTOCOL    a device list that would roll back to an older one
 *   E2E_ERR_DUPLICATE   a group-call key that is not newer than the current one
 */
#ifndef E2EKIT_WHATSAPP_H
#define E2EKIT_WHATSAPP_H

#include <e2ekit/core.h>
#include <e2ekit/crypto.h>

#ifdef __cplusplus
extern "C" {
#endif

#define E2E_WA_KEY_LEN 32
#define E2E_WA_SIG_LEN 64
/* Key indexes in one signed device list (the primary's index 0 included). */
#define E2E_WA_MAX_INDEXES 64

/* A Curve25519 identity key pair (X25519 private key; the same key signs with XEdDSA). */
struct e2e_wa_identity {
    uint8_t priv[32];
    uint8_t pub[32];
};
/* Fills pub from priv. */
E2E_API void e2e_wa_identity_from_private(struct e2e_wa_identity *id, const uint8_t priv[32]);
E2E_API int e2e_wa_identity_generate(struct e2e_wa_identity *id,
                                     const e2e_ctx *ctx) E2E_WARN_UNUSED;

/* ============================================================ companion linking (ADV) ==== */

/* ADVEncryptionType (wm WAAdv.proto). HOSTED changes the HMAC and account-signature prefix. */
enum e2e_wa_adv_type { E2E_WA_ADV_E2EE = 0, E2E_WA_ADV_HOSTED = 1 };

/* ADVDeviceIdentity, the linking metadata `Lmetadata` (reference §2.2). */
struct e2e_wa_device_identity {
    uint32_t raw_id;    /* account-scoped id, the same as in the device list */
    uint64_t timestamp; /* seconds: when the primary linked the companion */
    uint32_t key_index; /* the companion's index in the signed device list (>= 1) */
    uint32_t account_type;
    uint32_t device_type;
};
E2E_API int e2e_wa_device_identity_encode(uint8_t *out, size_t cap, size_t *len,
                                          const struct e2e_wa_device_identity *id) E2E_WARN_UNUSED;
E2E_API int e2e_wa_device_identity_decode(struct e2e_wa_device_identity *id, const uint8_t *p,
                                          size_t n, struct e2e_report *why) E2E_WARN_UNUSED;

/*
 * The QR code a companion shows (reference §2.2): ref, Noise static public key, identity
 * public key, ADV secret (the linking secret) and client type, as
 * "https://wa.me/settings/linked_devices#ref,noise,identity,adv,clientType" with standard
 * base64 keys. The parser also accepts the older "ref,noise,identity,adv" form.
 */
#define E2E_WA_QR_REF_MAX 128
#define E2E_WA_QR_MAX     512
struct e2e_wa_qr {
    char ref[E2E_WA_QR_REF_MAX + 1]; /* server-issued pairing reference (printable, no ',') */
    uint8_t noise_pub[32];
    uint8_t identity_pub[32];
    uint8_t adv_secret[32];
    char client_type[16]; /* empty in the old form */
};
E2E_API int e2e_wa_qr_encode(char *out, size_t cap, const struct e2e_wa_qr *qr) E2E_WARN_UNUSED;
E2E_API int e2e_wa_qr_parse(struct e2e_wa_qr *qr, const char *text, size_t n,
                            struct e2e_report *why) E2E_WARN_UNUSED;

/* Upper bound of the ADV messages made here (details of at most ~40 bytes + keys + sigs). */
#define E2E_WA_ADV_MAX 512

/*
 * Primary, linking steps 4-6: signs `meta` for the companion of `qr` and returns the
 * ADVSignedDeviceIdentityHMAC for the server to forward:
 *   accountSignature = Sign(I_primary, 06 00 || details || I_companion)   (06 05 if HOSTED)
 *   HMAC = HMAC-SHA256(advSecret, [06 05 if HOSTED] || ADVSignedDeviceIdentity)
 */
E2E_API int e2e_wa_link_primary(uint8_t *out, size_t cap, size_t *len, const e2e_ctx *ctx,
                                const struct e2e_wa_identity *primary, const struct e2e_wa_qr *qr,
                                const struct e2e_wa_device_identity *meta) E2E_WARN_UNUSED;

/* What the companion learns from a verified link. */
struct e2e_wa_link_result {
    struct e2e_wa_device_identity meta;
    uint8_t primary_pub[32]; /* I_primary: the account's identity */
    /* ADVSignedDeviceIdentity with the device signature added and accountSignatureKey
     * cleared: what the companion uploads and sends with each pkmsg (`device-identity`). */
    uint8_t signed_identity[E2E_WA_ADV_MAX];
    size_t signed_identity_len;
};

/*
 * Companion, linking steps 8-9 (wm handlePairSuccess): checks the HMAC with the linking
 * secret ("hmac"), parses ("details"), checks the account signature by the key it carries
 * ("account-signature"), then signs
 *   deviceSignature = Sign(I_companion, 06 01 || details || I_companion || I_primary).
 * `expected_primary` may be NULL; when given, a different account key is E2E_ERR_UNTRUSTED.
 */
E2E_API int e2e_wa_link_companion(struct e2e_wa_link_result *res, const e2e_ctx *ctx,
                                  const struct e2e_wa_identity *companion,
                                  const uint8_t adv_secret[32], const uint8_t expected_primary[32],
                                  const uint8_t *msg, size_t n,
                                  struct e2e_report *why) E2E_WARN_UNUSED;

/* ============================================================================ device lists ==== */

/* ADVKeyIndexList: the primary's signed list of valid key indexes (0 = the primary). */
struct e2e_wa_devlist {
    uint32_t raw_id;
    uint64_t timestamp;     /* seconds; strictly increases with every change */
    uint32_t current_index; /* highest index ever assigned; indexes are never reused */
    uint32_t account_type;
    size_t n_valid;
    uint32_t valid[E2E_WA_MAX_INDEXES]; /* ascending */
};

/* A list with only the primary (index 0), timestamp from ctx. */
E2E_API void e2e_wa_devlist_init(struct e2e_wa_devlist *l, uint32_t raw_id, const e2e_ctx *ctx);
/* Assigns the next key index to a new companion. E2E_ERR_LIMIT when full. */
E2E_API int e2e_wa_devlist_add(struct e2e_wa_devlist *l, const e2e_ctx *ctx,
                               uint32_t *key_index) E2E_WARN_UNUSED;
/* Unlinks a companion. E2E_ERR_NOT_FOUND if absent, E2E_ERR_INVALID for index 0. */
E2E_API int e2e_wa_devlist_remove(struct e2e_wa_devlist *l, const e2e_ctx *ctx,
                                  uint32_t key_index) E2E_WARN_UNUSED;
E2E_API int e2e_wa_devlist_contains(const struct e2e_wa_devlist *l, uint32_t key_index);
/* 1 when any index other than 0 is valid. */
E2E_API int e2e_wa_devlist_has_companions(const struct e2e_wa_devlist *l);
/* ADVSignedKeyIndexList{details, Sign(I_primary, 06 02 || details), I_primary}. */
E2E_API int e2e_wa_devlist_sign(uint8_t *out, size_t cap, size_t *len, const e2e_ctx *ctx,
                                const struct e2e_wa_devlist *l,
                                const struct e2e_wa_identity *primary) E2E_WARN_UNUSED;
/* Verifies a signed list with the account's identity key and decodes it into *l. */
E2E_API int e2e_wa_devlist_verify(struct e2e_wa_devlist *l, const uint8_t *p, size_t n,
                                  const uint8_t primary_pub[32],
                                  struct e2e_report *why) E2E_WARN_UNUSED;
/* Replaces *known with a verified newer list. An older timestamp, or the same timestamp with
 * other contents, is a rollback: E2E_ERR_PROTOCOL, *known unchanged. Another raw_id:
 * E2E_ERR_UNTRUSTED. The same list again: E2E_OK. */
E2E_API int e2e_wa_devlist_update(struct e2e_wa_devlist *known,
                                  const struct e2e_wa_devlist *incoming,
                                  struct e2e_report *why) E2E_WARN_UNUSED;
/* Versioned blob ("WADL", v1) for stores. */
E2E_API int e2e_wa_devlist_serialize(uint8_t *out, size_t cap, size_t *len,
                                     const struct e2e_wa_devlist *l) E2E_WARN_UNUSED;
E2E_API int e2e_wa_devlist_parse(struct e2e_wa_devlist *l, const uint8_t *p,
                                 size_t n) E2E_WARN_UNUSED;

/*
 * The initiator's checks before it builds a session with a companion (reference §2.1):
 * `signed_identity` is the companion's ADVSignedDeviceIdentity from the server,
 * `primary_pub` the account's identity key, `companion_pub` the identity key in the
 * companion's prekey bundle, `latest` the account's latest verified device list.
 *   account signature by I_primary   -> E2E_ERR_AUTH      "account-signature"
 *   device signature by I_companion  -> E2E_ERR_AUTH      "device-signature"
 *   another account key inside       -> E2E_ERR_UNTRUSTED "account-key"
 *   other raw_id / index 0 / index not in the latest list -> E2E_ERR_UNTRUSTED "device-list"
 * Refuse the device (send it nothing) unless this returns E2E_OK.
 */
E2E_API int e2e_wa_companion_check(struct e2e_wa_device_identity *meta,
                                   const uint8_t *signed_identity, size_t n,
                                   const uint8_t primary_pub[32], const uint8_t companion_pub[32],
                                   const struct e2e_wa_devlist *latest,
                                   struct e2e_report *why) E2E_WARN_UNUSED;

/* ======================================================== padding and pairwise plaintext ==== */

/* reference §4: N bytes of value N, N random in 1..15 (low 4 bits of a random byte, 0 -> 15).
 * out may equal in; cap >= n + 15 always suffices. */
E2E_API int e2e_wa_pad(uint8_t *out, size_t cap, size_t *len, const uint8_t *in, size_t n,
                       const e2e_ctx *ctx) E2E_WARN_UNUSED;
/* The same with a given N (1..15), for known answers. */
E2E_API int e2e_wa_pad_n(uint8_t *out, size_t cap, size_t *len, const uint8_t *in, size_t n,
                         unsigned pad) E2E_WARN_UNUSED;
/* Checks that the last N bytes all equal N (1 <= N <= 16) and returns the length without
 * them. E2E_ERR_MALFORMED "padding", or "empty" when nothing is left. */
E2E_API int e2e_wa_unpad(size_t *len, const uint8_t *p, size_t n,
                         struct e2e_report *why) E2E_WARN_UNUSED;

/*
 * Device-consistency information (WP; reference §3): the sender's and the recipient's
 * latest signed device lists, as timestamps plus key indexes (a list "has companions" when
 * an index other than 0 is valid). Encoded as WhatsApp's DeviceListMetadata
 * (senderTimestamp 2, senderKeyIndexes 3, recipientTimestamp 9, recipientKeyIndexes 10)
 * inside MessageContextInfo (35) with deviceListMetadataVersion 2. For the copies sent to
 * the sender's own other devices, build the DCI once with the ORIGINAL recipient's list
 * and reuse it: (3) and (4) keep referring to that recipient.
 */
struct e2e_wa_dci {
    uint64_t sender_timestamp;
    uint64_t recipient_timestamp; /* 0 when the recipient's list is unknown */
    size_t n_sender, n_recipient;
    uint32_t sender_indexes[E2E_WA_MAX_INDEXES];
    uint32_t recipient_indexes[E2E_WA_MAX_INDEXES];
};
/* recipient may be NULL (not known yet). */
E2E_API void e2e_wa_dci_from_lists(struct e2e_wa_dci *dci, const struct e2e_wa_devlist *sender,
                                   const struct e2e_wa_devlist *recipient);
E2E_API int e2e_wa_dci_sender_has_companions(const struct e2e_wa_dci *dci);
E2E_API int e2e_wa_dci_recipient_has_companions(const struct e2e_wa_dci *dci);

/* Media kinds and their HKDF info strings (reference §5). */
enum e2e_wa_media_type {
    E2E_WA_MEDIA_IMAGE = 0,      /* "WhatsApp Image Keys" (also stickers) */
    E2E_WA_MEDIA_VIDEO,          /* "WhatsApp Video Keys" */
    E2E_WA_MEDIA_AUDIO,          /* "WhatsApp Audio Keys" */
    E2E_WA_MEDIA_DOCUMENT,       /* "WhatsApp Document Keys" */
    E2E_WA_MEDIA_HISTORY,        /* "WhatsApp History Keys" */
    E2E_WA_MEDIA_APP_STATE,      /* "WhatsApp App State Keys" */
    E2E_WA_MEDIA_STICKER_PACK,   /* "WhatsApp Sticker Pack Keys" */
    E2E_WA_MEDIA_LINK_THUMBNAIL, /* "WhatsApp Link Thumbnail Keys" */
    E2E_WA_MEDIA_STICKER,        /* stickers share the image keys */
    E2E_WA_MEDIA_COUNT_
};
E2E_API const char *e2e_wa_media_info(int type); /* NULL for an unknown type */
E2E_API const char *e2e_wa_media_type_name(int type);
/* "image", "video", ... -> type, or -1. */
E2E_API int e2e_wa_media_type_from_name(const char *name);

/* The pointer to an attachment that travels in a message. */
struct e2e_wa_media_ref {
    int type; /* enum e2e_wa_media_type */
    uint8_t media_key[32];
    uint8_t file_sha256[32];
    uint8_t file_enc_sha256[32];
    uint64_t file_length;
    const char *mimetype; /* may be NULL */
    size_t mimetype_len;
    const char *direct_path; /* where the blob was uploaded; may be NULL */
    size_t direct_path_len;
};

/* The call key travelling in a call offer (Message.call.callKey, wm WAE2E.proto field 10.1)
 * plus our documented additions (Call fields 1001-1004). */
struct e2e_wa_call_offer {
    uint8_t call_id[16];
    uint8_t master_secret[32];
    uint32_t profile; /* enum e2e_srtp_profile */
    uint32_t epoch;   /* 0 for one-to-one; group-call key generation otherwise */
};

enum e2e_wa_content_kind {
    E2E_WA_CONTENT_TEXT = 1,  /* Message.conversation (1) */
    E2E_WA_CONTENT_MEDIA = 2, /* Message.documentMessage (7) or audioMessage (8) */
    E2E_WA_CONTENT_SKDM = 3,  /* Message.senderKeyDistributionMessage (2) */
    E2E_WA_CONTENT_CALL = 4,  /* Message.call (10) */
};

/* One pairwise plaintext. Pointers refer to the caller's buffers (build) or into the
 * parsed bytes (parse). */
struct e2e_wa_content {
    int kind;
    const uint8_t *text; /* TEXT (UTF-8, not NUL-terminated) */
    size_t text_len;
    struct e2e_wa_media_ref media; /* MEDIA */
    const char *group_id;          /* SKDM */
    size_t group_id_len;
    const uint8_t *skdm; /* SKDM: the serialized SenderKeyDistributionMessage */
    size_t skdm_len;
    struct e2e_wa_call_offer call; /* CALL */
};

/*
 * Builds a pairwise plaintext: Message{content, messageContextInfo{dci}}, wrapped in
 * DeviceSentMessage{destinationJID, message} when `sent_to` is not NULL (the copy for the
 * sender's own other devices, wm send.go), then padded (random N). This is what goes into
 * the Signal session's encrypt.
 */
E2E_API int e2e_wa_plaintext_build(uint8_t *out, size_t cap, size_t *len, const e2e_ctx *ctx,
                                   const struct e2e_wa_content *content,
                                   const struct e2e_wa_dci *dci,
                                   const char *sent_to) E2E_WARN_UNUSED;
/* Same, with a fixed padding length (1..15). */
E2E_API int e2e_wa_plaintext_build_n(uint8_t *out, size_t cap, size_t *len,
                                     const struct e2e_wa_content *content,
                                     const struct e2e_wa_dci *dci, const char *sent_to,
                                     unsigned pad) E2E_WARN_UNUSED;
/* What a receiver gets after the Signal session decrypted a pairwise message. */
struct e2e_wa_plaintext {
    struct e2e_wa_content content;
    struct e2e_wa_dci dci;
    int has_dci;
    const char *sent_to; /* DeviceSentMessage.destinationJID, or NULL */
    size_t sent_to_len;
};
/* Checks and strips the padding, parses the Message (and a DeviceSentMessage wrapper).
 * Views in *pt point into p. Errors: E2E_ERR_MALFORMED ("padding", "empty", "protobuf",
 * "content", "media", "call"), E2E_ERR_UNSUPPORTED ("content": no kind we know). */
E2E_API int e2e_wa_plaintext_parse(struct e2e_wa_plaintext *pt, const uint8_t *p, size_t n,
                                   struct e2e_report *why) E2E_WARN_UNUSED;

/* ================================================================================= media ==== */

#define E2E_WA_MEDIA_MAC_LEN 10
struct e2e_wa_media_keys {
    uint8_t iv[16];
    uint8_t cipher_key[32];
    uint8_t mac_key[32];
    uint8_t ref_key[32];
};
/* HKDF-SHA256(ikm = media_key, no salt, info = type string, 112 bytes). E2E_ERR_INVALID for
 * an unknown type. */
E2E_API int e2e_wa_media_derive(struct e2e_wa_media_keys *k, const uint8_t media_key[32], int type,
                                const e2e_ctx *ctx) E2E_WARN_UNUSED;
/* Blob length for a plaintext of n bytes. */
static inline size_t
e2e_wa_media_blob_len(size_t n)
{
    return (n / 16 + 1) * 16 + E2E_WA_MEDIA_MAC_LEN;
}

/* One-shot: blob = AES-256-CBC-PKCS7(plaintext) || HMAC-SHA256(macKey, iv || ct)[0:10]. */
E2E_API int e2e_wa_media_encrypt(uint8_t *blob, size_t cap, size_t *len, uint8_t file_sha256[32],
                                 uint8_t file_enc_sha256[32], const uint8_t *pt, size_t n,
                                 const uint8_t media_key[32], int type,
                                 const e2e_ctx *ctx) E2E_WARN_UNUSED;
/*
 * One-shot receive in the order of reference §5: blob longer than 10 bytes and whole
 * blocks ("length", MALFORMED); SHA-256(blob) == file_enc_sha256 ("file-enc-sha256",
 * VERIFY); constant-time MAC ("mac", AUTH); decrypt and padding ("padding", MALFORMED);
 * SHA-256(plaintext) == file_sha256 when given ("file-sha256", VERIFY). Nothing is written
 * to `pt` unless everything passes (out is wiped on a late failure).
 */
E2E_API int e2e_wa_media_decrypt(uint8_t *pt, size_t cap, size_t *len, const uint8_t *blob,
                                 size_t n, const uint8_t file_enc_sha256[32],
                                 const uint8_t *file_sha256, const uint8_t media_key[32], int type,
                                 const e2e_ctx *ctx, struct e2e_report *why) E2E_WARN_UNUSED;

/*
 * Streaming with constant memory (plain-data contexts; _final and _abort wipe them).
 *
 * Encrypting: _init, _update any number of times (out receives whole blocks: at most
 * n + 15 bytes per call), _final (the last padded block and the 10-byte MAC: at most
 * 16 + 10 bytes) and the two digests.
 *
 * Receiving takes TWO passes over the blob, so that no plaintext is released before the
 * blob is known to be authentic:
 *   1. e2e_wa_media_verifier: _update over the whole blob, _final checks fileEncSHA256 and
 *      the MAC and yields a `verified` ticket. It outputs nothing.
 *   2. e2e_wa_media_decryptor: initialised from that ticket; _update releases plaintext;
 *      _final checks the padding, that the blob read in pass 2 has the same MAC as in
 *      pass 1 ("blob-changed", AUTH: a blob that changed between the passes, whose
 *      released plaintext the caller must then discard), and fileSHA256.
 * Read the blob from storage only you can write to, and the second pass cannot differ.
 */
struct e2e_wa_media_enc {
    e2e_aes_key aes;
    uint8_t iv[16]; /* the CBC chaining value */
    uint8_t buf[16];
    size_t buf_len;
    uint64_t total;
    e2e_hmac_sha256_ctx mac;
    e2e_sha256_ctx sha_blob; /* SHA-256 of the blob so far */
    e2e_sha256_ctx sha_pt;   /* SHA-256 of the plaintext so far */
};
E2E_API int e2e_wa_media_enc_init(struct e2e_wa_media_enc *s, const uint8_t media_key[32], int type,
                                  const e2e_ctx *ctx) E2E_WARN_UNUSED;
E2E_API int e2e_wa_media_enc_update(struct e2e_wa_media_enc *s, uint8_t *out, size_t cap,
                                    size_t *len, const uint8_t *in, size_t n) E2E_WARN_UNUSED;
E2E_API int e2e_wa_media_enc_final(struct e2e_wa_media_enc *s, uint8_t *out, size_t cap,
                                   size_t *len, uint8_t file_sha256[32],
                                   uint8_t file_enc_sha256[32]) E2E_WARN_UNUSED;
E2E_API void e2e_wa_media_enc_abort(struct e2e_wa_media_enc *s);

struct e2e_wa_media_verified {
    uint8_t mac[E2E_WA_MEDIA_MAC_LEN];
    uint64_t blob_len;
    uint32_t magic_; /* set only by a successful verifier _final */
};
struct e2e_wa_media_verifier {
    e2e_hmac_sha256_ctx mac;
    e2e_sha256_ctx sha_blob;
    uint8_t tail[E2E_WA_MEDIA_MAC_LEN]; /* the last 10 bytes seen: the MAC candidate */
    size_t tail_len;
    uint64_t total;
};
E2E_API int e2e_wa_media_verifier_init(struct e2e_wa_media_verifier *v, const uint8_t media_key[32],
                                       int type, const e2e_ctx *ctx) E2E_WARN_UNUSED;
E2E_API void e2e_wa_media_verifier_update(struct e2e_wa_media_verifier *v, const uint8_t *in,
                                          size_t n);
E2E_API int e2e_wa_media_verifier_final(struct e2e_wa_media_verifier *v,
                                        struct e2e_wa_media_verified *ticket,
                                        const uint8_t file_enc_sha256[32],
                                        struct e2e_report *why) E2E_WARN_UNUSED;

struct e2e_wa_media_dec {
    e2e_aes_key aes;
    uint8_t iv[16];
    uint8_t hold[48]; /* held back: the last block and the MAC, plus one partial block */
    size_t hold_len;
    uint64_t total;
    struct e2e_wa_media_verified ticket;
    e2e_hmac_sha256_ctx mac;
    e2e_sha256_ctx sha_pt;
    int remac_; /* 1: re-check the MAC in pass 2 (0 only inside the one-shot decrypt) */
};
/* E2E_ERR_STATE unless `ticket` came from a successful verifier _final. */
E2E_API int e2e_wa_media_dec_init(struct e2e_wa_media_dec *s, const uint8_t media_key[32], int type,
                                  const struct e2e_wa_media_verified *ticket,
                                  const e2e_ctx *ctx) E2E_WARN_UNUSED;
/* out receives at most n + 16 bytes. */
E2E_API int e2e_wa_media_dec_update(struct e2e_wa_media_dec *s, uint8_t *out, size_t cap,
                                    size_t *len, const uint8_t *in, size_t n) E2E_WARN_UNUSED;
/* out receives at most 15 bytes. file_sha256 may be NULL. */
E2E_API int e2e_wa_media_dec_final(struct e2e_wa_media_dec *s, uint8_t *out, size_t cap,
                                   size_t *len, const uint8_t *file_sha256,
                                   struct e2e_report *why) E2E_WARN_UNUSED;
E2E_API void e2e_wa_media_dec_abort(struct e2e_wa_media_dec *s);

/* ============================================================================ SRTP (RFC 3711) */

enum e2e_srtp_profile {
    E2E_SRTP_AES_CM_128_HMAC_SHA1_80 = 1, /* master key 16 + salt 14 */
    E2E_SRTP_AEAD_AES_256_GCM = 2,        /* master key 32 + salt 12 (RFC 7714) */
};
E2E_API const char *e2e_srtp_profile_name(int profile); /* NULL when unknown */

/* RFC 3711 §4.3 key derivation: AES-CM under the master key with the counter block
 * (master_salt XOR (label || index DIV kdr), right-aligned) || 00 00. master_key 16 or 32
 * bytes; salt 14 bytes (a 12-byte AEAD salt is zero-extended on the right, RFC 7714 §11);
 * label 0..5; kdr 0 or a power of two up to 2^24. */
E2E_API int e2e_srtp_kdf(uint8_t *out, size_t out_len, const uint8_t *master_key,
                         size_t master_key_len, const uint8_t *master_salt, size_t salt_len,
                         unsigned label, uint64_t index, uint64_t kdr) E2E_WARN_UNUSED;

/* Session keys of one direction (RTP and RTCP), derived once (kdr = 0). */
struct e2e_srtp_keys {
    uint32_t profile;
    uint8_t rtp_key[32], rtp_auth[20], rtp_salt[14];
    uint8_t rtcp_key[32], rtcp_auth[20], rtcp_salt[14];
};
E2E_API int e2e_srtp_session_keys(struct e2e_srtp_keys *k, int profile, const uint8_t *master_key,
                                  size_t master_key_len, const uint8_t *master_salt,
                                  size_t salt_len, const e2e_ctx *ctx) E2E_WARN_UNUSED;

/* One SRTP sender or receiver for AES_CM_128_HMAC_SHA1_80 (plain data; wipe when done). */
struct e2e_srtp_stream {
    e2e_aes_key aes;
    e2e_sha1_ctx hmac_inner, hmac_outer; /* HMAC-SHA1 pads, precomputed */
    uint8_t salt[14];
};
E2E_API int e2e_srtp_stream_init(struct e2e_srtp_stream *s,
                                 const struct e2e_srtp_keys *k) E2E_WARN_UNUSED;
/* Protects an RTP packet in place: encrypts the payload, appends the 10-byte tag over
 * header || payload || ROC. cap >= len + 10. `roc` is the rollover counter. */
E2E_API int e2e_srtp_protect(const struct e2e_srtp_stream *s, uint8_t *pkt, size_t cap, size_t *len,
                             uint32_t roc) E2E_WARN_UNUSED;
/* Checks the tag ("tag", AUTH) before decrypting in place; *len loses the tag. */
E2E_API int e2e_srtp_unprotect(const struct e2e_srtp_stream *s, uint8_t *pkt, size_t *len,
                               uint32_t roc, struct e2e_report *why) E2E_WARN_UNUSED;

/* ================================================================================== calls ==== */

/*
 * OUR documented choice (WhatsApp does not publish it, reference §6.1): the SRTP master key
 * and salt of one sender come from the 32-byte call master secret by
 *   HKDF-SHA256(ikm = secret, salt = none,
 *               info = "e2ekit whatsapp call srtp v1" || 0x00 || profile (1 byte) || 0x00
 *                      || sender, L = master key + salt length)
 * (16 + 14 for AES_CM_128_HMAC_SHA1_80, 32 + 12 for AEAD_AES_256_GCM). `sender` names the
 * direction: "caller" / "callee" in a one-to-one call, the sending device's id in a group
 * call, so two senders never share a keystream even if their SSRCs collide.
 */
struct e2e_wa_call_master {
    uint32_t profile;
    uint8_t master_key[32];
    size_t master_key_len;
    uint8_t master_salt[14];
    size_t master_salt_len;
};
E2E_API int e2e_wa_call_master(struct e2e_wa_call_master *m, const uint8_t secret[32], int profile,
                               const char *sender, const e2e_ctx *ctx) E2E_WARN_UNUSED;
/* A fresh offer: 32 random bytes of master secret (per callee device), a call id. */
E2E_API int e2e_wa_call_offer_new(struct e2e_wa_call_offer *o, const e2e_ctx *ctx, int profile,
                                  const uint8_t call_id[16]) E2E_WARN_UNUSED;

/*
 * Group-call key rotation (WP "Group Calling", reference §6.2). Memory only (WP: the secret
 * is never stored), so there is no _serialize. On every join or leave the server picks one
 * active participant as key distributor; the distributor makes a new secret and
 * sends it to the active device of every other participant; receivers accept it only from
 * the distributor of the current membership and only for a newer epoch, and keep the
 * previous key for 5 seconds (time from e2e_ctx), then wipe it.
 */
#define E2E_WA_GROUP_CALL_MAX      32
#define E2E_WA_DEVICE_ID_MAX       64
#define E2E_WA_GROUP_CALL_GRACE_MS 5000
typedef struct e2e_wa_group_call e2e_wa_group_call;

E2E_API int e2e_wa_group_call_new(e2e_wa_group_call **out, const char *self_device,
                                  const uint8_t call_id[16]) E2E_WARN_UNUSED;
E2E_API void e2e_wa_group_call_free(e2e_wa_group_call *gc);
/* The server's choice of distributor: a uniformly random index below n (from ctx). */
E2E_API int e2e_wa_group_call_pick_distributor(size_t *index, size_t n,
                                               const e2e_ctx *ctx) E2E_WARN_UNUSED;
/* A membership change announced by the server: the active devices (self included while we
 * are in the call), the distributor chosen among them, and the server's membership
 * generation, which increases with every change and numbers the key made for it (the key
 * epoch). E2E_ERR_INVALID when the distributor is not a member; E2E_ERR_LIMIT above
 * E2E_WA_GROUP_CALL_MAX; E2E_ERR_PROTOCOL ("generation") for a generation not newer than
 * the last one. A membership without self wipes every key (we left). */
E2E_API int e2e_wa_group_call_membership(e2e_wa_group_call *gc, const char *const *devices,
                                         size_t n, const char *distributor, uint32_t generation,
                                         struct e2e_report *why) E2E_WARN_UNUSED;
/* 1 when this device is the distributor of the current membership. */
E2E_API int e2e_wa_group_call_is_distributor(const e2e_wa_group_call *gc);
/* Distributor: a new secret for the current generation (its epoch), installed as current;
 * the previous one stays for 5 s. *offer is what to send (one copy per recipient device,
 * pairwise-encrypted); recipients lists the other active devices (pointers valid until the
 * next membership change). E2E_ERR_STATE when not the distributor or already rekeyed. */
E2E_API int e2e_wa_group_call_rekey(e2e_wa_group_call *gc, const e2e_ctx *ctx, int profile,
                                    struct e2e_wa_call_offer *offer, const char **recipients,
                                    size_t cap, size_t *n_recipients) E2E_WARN_UNUSED;
/* Receiver: a key from `from`. Not the current distributor -> E2E_ERR_UNTRUSTED
 * ("distributor"); another call -> E2E_ERR_UNTRUSTED ("call-id"); an epoch already keyed or
 * older than the current generation -> E2E_ERR_DUPLICATE ("epoch"); a generation not
 * announced yet -> E2E_ERR_PROTOCOL ("epoch"). State unchanged on failure. */
E2E_API int e2e_wa_group_call_accept(e2e_wa_group_call *gc, const e2e_ctx *ctx, const char *from,
                                     const struct e2e_wa_call_offer *offer,
                                     struct e2e_report *why) E2E_WARN_UNUSED;
/* The secret for an epoch: the current one, or the previous one within 5 s of the change
 * (after that it is wiped and this returns E2E_ERR_NOT_FOUND, "expired"). */
E2E_API int e2e_wa_group_call_key(e2e_wa_group_call *gc, const e2e_ctx *ctx, uint32_t epoch,
                                  uint8_t secret[32], struct e2e_report *why) E2E_WARN_UNUSED;
E2E_API uint32_t e2e_wa_group_call_epoch(const e2e_wa_group_call *gc);
/* Wipes the previous key once its 5 s are over. Returns 1 if a key was wiped. */
E2E_API int e2e_wa_group_call_tick(e2e_wa_group_call *gc, const e2e_ctx *ctx);

#ifdef __cplusplus
}
#endif
#endif
