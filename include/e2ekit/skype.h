/*
 * e2ekit skype suite: Skype's published peer-to-peer cryptography (2005-2006), reproduced so
 * that it can be studied and attacked, next to a hardened variant.
 *
 *   - the central authority (CA): RSA-1536 and RSA-2048 signing keys, registration of a unique
 *     name with H(P) = MD5(name "\nskyper\n" password), storage of H(H(P)), ISO/IEC 9796-2
 *     scheme-1 identity certificates with SHA-1, login with a constant-time password check;
 *   - peer session setup: certificates, 64-bit challenges answered transformed and signed, two
 *     128-bit key halves under the peer's RSA key, a 256-bit AES session key;
 *   - session crypto: AES-256 in integer counter mode with the counter block
 *     salt (32) : salt (32) : packet_index (48) : block (16), several streams, a CRC trailer;
 *   - the RC4 obfuscation layer of UDP and TCP.
 *
 * Every function takes an explicit mode. E2E_SKYPE_FAITHFUL is byte-faithful to the published
 * layouts and keeps Skype's weaknesses (raw RSA of a repeated nonce, a CRC instead of a MAC,
 * one key for both directions, challenge responses that sign only the transformed nonce).
 * E2E_SKYPE_HARDENED keeps the structure and closes them (OAEP, HMAC-SHA256 tags, per-direction
 * keys from HKDF over a signed transcript). docs/protocols/skype.md says, element by element,
 * what is published and what e2ekit defines.
 */
#ifndef E2EKIT_SKYPE_H
#define E2EKIT_SKYPE_H

#include <e2ekit/core.h>
#include <e2ekit/crypto.h>

#ifdef __cplusplus
extern "C" {
#endif

enum e2e_skype_mode {
    E2E_SKYPE_FAITHFUL = 0, /* Skype as published, weaknesses included */
    E2E_SKYPE_HARDENED = 1, /* same structure, weaknesses closed */
};
/* "faithful" / "hardened"; "?" for anything else. */
E2E_API const char *e2e_skype_mode_name(int mode);

/* A is the caller (initiator), B the callee (responder). */
enum e2e_skype_role {
    E2E_SKYPE_INITIATOR = 0,
    E2E_SKYPE_RESPONDER = 1,
};

#define E2E_SKYPE_NAME_MIN          6
#define E2E_SKYPE_NAME_MAX          32
#define E2E_SKYPE_HASH_BYTES        16 /* MD5 */
#define E2E_SKYPE_HALF_BYTES        16 /* each peer's half of the session key */
#define E2E_SKYPE_KEY_BYTES         32 /* AES-256 */
#define E2E_SKYPE_SALT_BYTES        4  /* each peer's counter salt */
#define E2E_SKYPE_CHALLENGE_BYTES   8
#define E2E_SKYPE_MAX_STREAMS       16
#define E2E_SKYPE_HEADER_BYTES      6  /* packet_index, 48-bit big-endian: stream (16) : seq (32) */
#define E2E_SKYPE_CRC_BYTES         2  /* faithful trailer */
#define E2E_SKYPE_TAG_BYTES         16 /* hardened trailer: HMAC-SHA256 truncated */
#define E2E_SKYPE_MAX_PAYLOAD       (65536u * 16u) /* the 16-bit block counter must not wrap */
#define E2E_SKYPE_REPLAY_WINDOW     128            /* per stream, packets */
#define E2E_SKYPE_MAX_JUMP          (1u << 16)     /* how far ahead a packet may be */
#define E2E_SKYPE_CERT_LIFETIME_S   (30u * 24u * 3600u)
#define E2E_SKYPE_SESSION_LINGER_MS (60u * 1000u)

/* ---- names and passwords -------------------------------------------------------------------- */

/* E2E_OK when name is a valid Skype name: 6 to 32 characters, a lower-case letter first, then
 * lower-case letters, digits and . , - _ ; E2E_ERR_INVALID otherwise. */
E2E_API int e2e_skype_name_check(const char *name, size_t len) E2E_WARN_UNUSED;
/* H(P) = MD5(name || "\nskyper\n" || password) (Silver Needle, Vanilla Skype). */
E2E_API void e2e_skype_password_hash(uint8_t hp[16], const char *name, size_t name_len,
                                     const char *password, size_t password_len);
/* H(H(P)) = MD5(H(P)), what the authority stores (Berson 2.1). */
E2E_API void e2e_skype_password_hash2(uint8_t hhp[16], const uint8_t hp[16]);

/* ---- challenges ----------------------------------------------------------------------------- */

/* The "standard modification" of a returned 64-bit challenge (defined by e2ekit):
 * f(N) = N + 1 mod 2^64, N read and written big-endian. */
E2E_API void e2e_skype_challenge_transform(uint8_t out[8], const uint8_t challenge[8]);

/* ---- session keys --------------------------------------------------------------------------- */

/* Everything a session is made of: what the handshake agreed, or chosen by a test. */
struct e2e_skype_session_params {
    int mode;               /* enum e2e_skype_mode */
    int role;               /* enum e2e_skype_role: which side this session object is */
    uint8_t half_a[16];     /* the initiator's half */
    uint8_t half_b[16];     /* the responder's half */
    uint8_t salt_a[4];      /* the initiator's counter salt */
    uint8_t salt_b[4];      /* the responder's counter salt */
    uint8_t transcript[32]; /* hardened: hash of the signed handshake transcript */
};

/* The keys derived from the parameters. Faithful: enc_ab = enc_ba = half_a || half_b and no MAC
 * keys (zeros). Hardened: HKDF-SHA256 (salt = transcript, ikm = half_a || half_b || salt_a ||
 * salt_b, info = "e2ekit skype hardened v1 keys") gives enc_ab, enc_ba, mac_ab, mac_ba. */
struct e2e_skype_keys {
    uint8_t enc_ab[32], enc_ba[32]; /* AES-256 keys, A->B and B->A */
    uint8_t mac_ab[32], mac_ba[32]; /* HMAC-SHA256 keys (hardened only) */
};
E2E_API int e2e_skype_derive_keys(struct e2e_skype_keys *k,
                                  const struct e2e_skype_session_params *p) E2E_WARN_UNUSED;

/* ---- packets -------------------------------------------------------------------------------- */

/* packet_index = stream << 32 | seq (48 bits). */
static inline uint64_t
e2e_skype_packet_index(unsigned stream, uint32_t seq)
{
    return (uint64_t)(stream & 0xFFFFu) << 32 | seq;
}
/* The ICM counter block for block 0 of a packet (Berson 3.2.1):
 * salt_send (32) : salt_recv (32) : packet_index (48) : 0 (16). The sender's salt comes first
 * (defined by e2ekit), which is all that keeps the two directions apart in faithful mode. */
E2E_API void e2e_skype_icm_block0(uint8_t block[16], const uint8_t salt_send[4],
                                  const uint8_t salt_recv[4], uint64_t packet_index);
/* Skype's CRC-32: the reflected CRC-32 polynomial with the register initialised to `seed`
 * (Skype uses 0xFFFFFFFF) and no final XOR, i.e. zlib crc32(p, seed ^ ~0) ^ ~0. Chains:
 * e2e_skype_crc32(e2e_skype_crc32(s, a), b) is the CRC of a || b. */
#define E2E_SKYPE_CRC_SEED 0xFFFFFFFFu
E2E_API uint32_t e2e_skype_crc32(uint32_t seed, const void *p, size_t n);
/* The faithful trailer (Berson 3.2.1): CRC of the encrypted bytes XOR the low 2 bytes of the
 * packet_index; e2ekit keeps the CRC's low 16 bits and stores the trailer big-endian. */
E2E_API uint16_t e2e_skype_crc_trailer(const uint8_t *ct, size_t n, uint64_t packet_index);

/* ---- sessions ------------------------------------------------------------------------------- */

/*
 * A session: the keys (expanded once), and per stream a send counter and a receive window.
 * Wire form of a packet (defined by e2ekit around Berson's buffer):
 *
 *   packet_index (6, big-endian) | AES-256-ICM(payload) | trailer
 *
 * where trailer is the 2-byte CRC trailer (faithful) or the first 16 bytes of
 * HMAC-SHA256(mac_key_of_direction, packet_index || ciphertext) (hardened).
 */
typedef struct e2e_skype_session e2e_skype_session;

E2E_API int e2e_skype_session_new(e2e_skype_session **out,
                                  const struct e2e_skype_session_params *p) E2E_WARN_UNUSED;
E2E_API void e2e_skype_session_free(e2e_skype_session *s);
E2E_API int e2e_skype_session_mode(const e2e_skype_session *s);
E2E_API int e2e_skype_session_role(const e2e_skype_session *s);
/* Bytes a packet adds to its payload: 8 (faithful) or 22 (hardened). */
E2E_API size_t e2e_skype_session_overhead(const e2e_skype_session *s);
/* Next sequence number the stream will send. */
E2E_API uint32_t e2e_skype_session_next_seq(const e2e_skype_session *s, unsigned stream);

/* Protect n bytes (at most E2E_SKYPE_MAX_PAYLOAD) on `stream` (< E2E_SKYPE_MAX_STREAMS). Needs
 * out_cap >= n + overhead; pt may equal out + E2E_SKYPE_HEADER_BYTES, nothing else may overlap.
 * E2E_ERR_LIMIT when the stream's 2^32 sequence numbers are spent; E2E_ERR_STATE once the
 * session expired (see _close). No allocation. */
E2E_API int e2e_skype_session_encrypt(e2e_skype_session *s, const e2e_ctx *ctx, unsigned stream,
                                      const uint8_t *pt, size_t n, uint8_t *out, size_t out_cap,
                                      size_t *out_len) E2E_WARN_UNUSED;
/* Decrypt-then-commit. E2E_ERR_MALFORMED (short, unknown stream), E2E_ERR_AUTH (CRC or tag),
 * E2E_ERR_DUPLICATE (seen, or older than the window), E2E_ERR_TOO_FAR (more than
 * E2E_SKYPE_MAX_JUMP ahead), E2E_ERR_STATE (expired). pt_cap >= n - overhead; pt may equal
 * pkt + E2E_SKYPE_HEADER_BYTES. *stream (may be NULL) receives the stream number. */
E2E_API int e2e_skype_session_decrypt(e2e_skype_session *s, const e2e_ctx *ctx, const uint8_t *pkt,
                                      size_t n, uint8_t *pt, size_t pt_cap, size_t *pt_len,
                                      unsigned *stream, struct e2e_report *why) E2E_WARN_UNUSED;
/* One packet without a session object (calculators, known-answer data): p->role is the side
 * that sends (_encrypt) or receives (_decrypt); there is no replay state. */
E2E_API int e2e_skype_packet_encrypt(const struct e2e_skype_session_params *p, unsigned stream,
                                     uint32_t seq, const uint8_t *pt, size_t n, uint8_t *out,
                                     size_t out_cap, size_t *out_len) E2E_WARN_UNUSED;
E2E_API int e2e_skype_packet_decrypt(const struct e2e_skype_session_params *p, const uint8_t *pkt,
                                     size_t n, uint8_t *pt, size_t pt_cap, size_t *pt_len,
                                     struct e2e_report *why) E2E_WARN_UNUSED;
/* The call ended: the keys stay usable for E2E_SKYPE_SESSION_LINGER_MS (late packets), then
 * every operation is E2E_ERR_STATE and the keys are wiped. */
E2E_API void e2e_skype_session_close(e2e_skype_session *s, const e2e_ctx *ctx);
/* Versioned blob ("SKSS", version 1). _parse: E2E_ERR_MALFORMED / E2E_ERR_UNSUPPORTED. */
E2E_API int e2e_skype_session_serialize(const e2e_skype_session *s, uint8_t *out, size_t cap,
                                        size_t *len) E2E_WARN_UNUSED;
E2E_API int e2e_skype_session_parse(e2e_skype_session **out, const uint8_t *p, size_t n,
                                    struct e2e_report *why) E2E_WARN_UNUSED;

/* ---- RC4 obfuscation layer (not a security mechanism) --------------------------------------- */

/* UDP seed (Silver Needle; Schlatterbeck's FluxCapacitor): the Skype CRC-32, from 0xFFFFFFFF,
 * over the source IP, the destination IP and the 16-bit object id, each as a little-endian
 * 32-bit word. The packet's IV is XORed in afterwards. IPs are given in network order. */
E2E_API uint32_t e2e_skype_udp_seed(const uint8_t src_ip[4], const uint8_t dst_ip[4],
                                    uint16_t object_id);
/* e2ekit's stand-in for the proprietary seed -> 80-byte RC4 key engine (defined by e2ekit):
 * key = SHA1(LE32(seed) || 0) || SHA1(LE32(seed) || 1) || SHA1(.. 2) || SHA1(.. 3). Like the
 * original it has at most 2^32 keys. */
E2E_API void e2e_skype_rc4_key(uint8_t key[80], uint32_t seed);

/* UDP frame (Silver Needle, OpenSkype): object id (2, BE) | func (1, 0x02) | IV (4, BE) |
 * CRC-32 of the plaintext (4, BE, Skype's variant) | RC4(payload). */
#define E2E_SKYPE_UDP_HEADER       11
#define E2E_SKYPE_UDP_FUNC_PAYLOAD 0x02
E2E_API int e2e_skype_udp_obfuscate(uint8_t *out, size_t out_cap, size_t *out_len,
                                    const uint8_t src_ip[4], const uint8_t dst_ip[4],
                                    uint16_t object_id, uint32_t iv, const uint8_t *payload,
                                    size_t n) E2E_WARN_UNUSED;
/* E2E_ERR_MALFORMED (short, not a payload frame), E2E_ERR_AUTH (CRC differs: wrong addresses
 * or damaged). out may equal pkt + E2E_SKYPE_UDP_HEADER. */
E2E_API int e2e_skype_udp_deobfuscate(uint8_t *out, size_t out_cap, size_t *out_len,
                                      uint16_t *object_id, const uint8_t src_ip[4],
                                      const uint8_t dst_ip[4], const uint8_t *pkt, size_t n,
                                      struct e2e_report *why) E2E_WARN_UNUSED;

/*
 * TCP (Silver Needle): the stream starts with a 4-byte seed (BE), then 10 bytes that decrypt to
 * 00 01 00 00 00 01 00 00 00 01 (or ..03 last); then RC4 is re-initialised from the same seed
 * and the rest of the stream is encrypted from keystream byte 0 again: the first 10 keystream
 * bytes are used twice (reproduced as published). One struct per direction; plain data.
 */
#define E2E_SKYPE_TCP_START 14
struct e2e_skype_tcp {
    struct e2e_rc4 rc4;
    uint32_t seed;
};
/* last: 0x01 or 0x03, the marker's last byte. */
E2E_API void e2e_skype_tcp_start(struct e2e_skype_tcp *t, uint8_t out[14], uint32_t seed,
                                 uint8_t last);
/* E2E_ERR_MALFORMED when the 10 bytes are not the marker (not a Skype stream). */
E2E_API int e2e_skype_tcp_accept(struct e2e_skype_tcp *t, uint8_t *last, const uint8_t in[14],
                                 struct e2e_report *why) E2E_WARN_UNUSED;
E2E_API void e2e_skype_tcp_xor(struct e2e_skype_tcp *t, uint8_t *out, const uint8_t *in, size_t n);

/* ---- the faithful key-half transport -------------------------------------------------------- */

/* The 1024-bit block: the 128-bit half repeated 8 times (Vanilla Skype). As an integer it is
 * half * C with C = sum_{i<8} 2^(128 i): the structure behind the 2^64 meet-in-the-middle. */
E2E_API void e2e_skype_halfkey_block(uint8_t block[128], const uint8_t half[16]);
/* Raw RSA of the block (left-padded with zeros for moduli above 1024 bits). E2E_ERR_MALFORMED
 * when the block is not below the modulus (draw another half). */
E2E_API int e2e_skype_halfkey_encrypt(const e2e_rsa *peer, uint8_t *out, size_t out_cap,
                                      size_t *out_len, const uint8_t half[16]) E2E_WARN_UNUSED;
/* E2E_ERR_AUTH unless the decrypted block is 8 equal copies of a half behind zeros. */
E2E_API int e2e_skype_halfkey_decrypt(const e2e_rsa *me, uint8_t half[16], const uint8_t *ct,
                                      size_t n) E2E_WARN_UNUSED;

/* ---- certificates --------------------------------------------------------------------------- */

/* CA key numbers (the reported sample certificate starts 00 00 00 01 and carries a 2048-bit
 * block; e2ekit numbers its 2048-bit key 1 and its 1536-bit key 2). */
enum e2e_skype_ca_key {
    E2E_SKYPE_CA_2048 = 1, /* premium users (Berson 2.1) */
    E2E_SKYPE_CA_1536 = 2, /* everyone else */
};

struct e2e_skype_cert_info {
    char name[E2E_SKYPE_NAME_MAX + 1];
    uint32_t key_id;      /* the authority's identifier of this user key */
    uint32_t valid_from;  /* Unix seconds */
    uint32_t valid_until; /* Unix seconds */
    uint32_t ca_key;      /* enum e2e_skype_ca_key */
    size_t modulus_len;   /* 128 .. 512 */
    uint8_t modulus[512]; /* the user's RSA modulus, big-endian; e = 65537 */
    size_t recovered_len; /* bytes of the signed data recovered from the signature */
    size_t signed_len;    /* bytes of the signed data (> recovered_len: partial recovery) */
};

/* Certificate = key number (4, BE) | ISO 9796-2 signature (modulus size) | M2, where the signed
 * data M = name | 0x00 | key_id (4) | modulus_len (2) | modulus | valid_from (4) |
 * valid_until (4), all big-endian, and M2 is the part of M that did not fit (empty with total
 * recovery). */
E2E_API int e2e_skype_cert_sign(uint8_t *out, size_t out_cap, size_t *out_len,
                                const e2e_rsa *ca_priv, uint32_t ca_key,
                                const struct e2e_skype_cert_info *info) E2E_WARN_UNUSED;

/* The authority's public keys, as a client embeds them. */
typedef struct e2e_skype_ca e2e_skype_ca;
/* Blob "SKCA" v1: for each key its number (4) and modulus (2-byte length + bytes). */
E2E_API int e2e_skype_ca_parse(e2e_skype_ca **out, const uint8_t *p, size_t n,
                               struct e2e_report *why) E2E_WARN_UNUSED;
/* Public keys given directly (either may be NULL). */
E2E_API int e2e_skype_ca_new(e2e_skype_ca **out, const e2e_rsa *key_2048,
                             const e2e_rsa *key_1536) E2E_WARN_UNUSED;
E2E_API void e2e_skype_ca_free(e2e_skype_ca *ca);
E2E_API int e2e_skype_ca_serialize(const e2e_skype_ca *ca, uint8_t *out, size_t cap,
                                   size_t *len) E2E_WARN_UNUSED;

/* Verifies the signature with the numbered CA key, parses the fields and checks the validity
 * window against e2e_now_ms(ctx). E2E_ERR_AUTH (signature), E2E_ERR_UNTRUSTED (unknown CA key,
 * expired, not yet valid), E2E_ERR_MALFORMED (encoding). */
E2E_API int e2e_skype_cert_verify(struct e2e_skype_cert_info *info, const e2e_skype_ca *ca,
                                  const e2e_ctx *ctx, const uint8_t *cert, size_t n,
                                  struct e2e_report *why) E2E_WARN_UNUSED;
/* The user's public key named by a verified certificate. */
E2E_API int e2e_skype_cert_key(e2e_rsa **out,
                               const struct e2e_skype_cert_info *info) E2E_WARN_UNUSED;
/* SHA-1 of the certificate bytes, what users compare out of band. */
E2E_API void e2e_skype_cert_fingerprint(uint8_t fp[20], const uint8_t *cert, size_t n);

/* ---- identities (a user's client state) ----------------------------------------------------- */

typedef struct e2e_skype_identity e2e_skype_identity;

/* Checks the name, computes H(P) (the password itself is not kept, as Skype kept H(P)) and
 * generates the user's RSA key (bits 1024 as Skype, or 1536 / 2048). */
E2E_API int e2e_skype_identity_new(e2e_skype_identity **out, const e2e_ctx *ctx, const char *name,
                                   const char *password, unsigned bits) E2E_WARN_UNUSED;
E2E_API void e2e_skype_identity_free(e2e_skype_identity *id);
E2E_API const char *e2e_skype_identity_name(const e2e_skype_identity *id);
/* The private key (owned by the identity). */
E2E_API const e2e_rsa *e2e_skype_identity_key(const e2e_skype_identity *id);
/* The current certificate; E2E_ERR_STATE before the authority issued one. */
E2E_API int e2e_skype_identity_cert(const e2e_skype_identity *id, const uint8_t **cert,
                                    size_t *len) E2E_WARN_UNUSED;
/* Per-login keys (Skype 2.x): a fresh RSA key; the certificate is dropped until the next login. */
E2E_API int e2e_skype_identity_rotate_key(e2e_skype_identity *id, const e2e_ctx *ctx,
                                          unsigned bits) E2E_WARN_UNUSED;
/* Blob "SKID" v1 (holds the private key and H(P): store it sealed). */
E2E_API int e2e_skype_identity_serialize(const e2e_skype_identity *id, uint8_t *out, size_t cap,
                                         size_t *len) E2E_WARN_UNUSED;
E2E_API int e2e_skype_identity_parse(e2e_skype_identity **out, const uint8_t *p, size_t n,
                                     struct e2e_report *why) E2E_WARN_UNUSED;

/* ---- the authority (sans-I/O; the relay hosts it) ------------------------------------------- */

typedef struct e2e_skype_authority e2e_skype_authority;

/* Generates the RSA-2048 and RSA-1536 signing keys from ctx. */
E2E_API int e2e_skype_authority_new(e2e_skype_authority **out, const e2e_ctx *ctx) E2E_WARN_UNUSED;
E2E_API void e2e_skype_authority_free(e2e_skype_authority *a);
/* Certificate lifetime in seconds (default E2E_SKYPE_CERT_LIFETIME_S). */
E2E_API void e2e_skype_authority_set_lifetime(e2e_skype_authority *a, uint32_t seconds);
E2E_API size_t e2e_skype_authority_users(const e2e_skype_authority *a);
/* The public keys for clients ("SKCA" blob, see e2e_skype_ca_parse). */
E2E_API int e2e_skype_authority_export_ca(const e2e_skype_authority *a, uint8_t *out, size_t cap,
                                          size_t *len) E2E_WARN_UNUSED;
/* Blob "SKAU" v1: the signing keys and the user table. E2E_ERR_BUFFER (with *len set to the
 * size needed) when cap is too small. */
E2E_API int e2e_skype_authority_serialize(const e2e_skype_authority *a, uint8_t *out, size_t cap,
                                          size_t *len) E2E_WARN_UNUSED;
E2E_API int e2e_skype_authority_parse(e2e_skype_authority **out, const uint8_t *p, size_t n,
                                      struct e2e_report *why) E2E_WARN_UNUSED;

/*
 * Requests travel sealed as Skype's login did (Silver Needle): a fresh 192-bit seed,
 * raw-RSA-encrypted to the authority's 1536-bit key (faithful) or with OAEP (hardened), gives
 * the AES-256 key K = SHA1(seed || 0) || SHA1(seed || 1)[0..12] that encrypts the body in ICM.
 * The body carries the name, H(P) and the user's public modulus.
 */
E2E_API int e2e_skype_register_request(const e2e_skype_identity *id, const e2e_skype_ca *ca,
                                       const e2e_ctx *ctx, int mode, int premium, uint8_t *out,
                                       size_t cap, size_t *len) E2E_WARN_UNUSED;
E2E_API int e2e_skype_login_request(const e2e_skype_identity *id, const e2e_skype_ca *ca,
                                    const e2e_ctx *ctx, int mode, uint8_t *out, size_t cap,
                                    size_t *len) E2E_WARN_UNUSED;
/*
 * The authority's whole job for one request: open it, register or log in, and write the
 * response (a status byte, then the certificate on success). Returns the status it wrote:
 * E2E_OK; E2E_ERR_DUPLICATE (registration of a taken name); E2E_ERR_NOT_FOUND (login of an
 * unknown name); E2E_ERR_AUTH (wrong password); E2E_ERR_INVALID (bad name or key);
 * E2E_ERR_MALFORMED (garbage). A request it cannot open gets a response too. Internal failures
 * (E2E_ERR_NOMEM, ...) are returned as they are and answered as E2E_ERR_MALFORMED. The user
 * table changes only on success, and only when the response fits in cap.
 */
E2E_API int e2e_skype_authority_handle(e2e_skype_authority *a, const e2e_ctx *ctx,
                                       const uint8_t *req, size_t n, uint8_t *resp, size_t cap,
                                       size_t *resp_len, struct e2e_report *why) E2E_WARN_UNUSED;
/* Client side: reads the response; on success verifies that the certificate names this
 * identity and its current key, and stores it. Returns the authority's status otherwise. */
E2E_API int e2e_skype_identity_accept(e2e_skype_identity *id, const e2e_skype_ca *ca,
                                      const e2e_ctx *ctx, const uint8_t *resp, size_t n,
                                      struct e2e_report *why) E2E_WARN_UNUSED;

/* ---- peer session setup --------------------------------------------------------------------- */

/*
 * Three flights (defined by e2ekit, in the order of Berson 3.3 / 3.4.2):
 *   1. A -> B: mode, cert_A, N_A
 *   2. B -> A: cert_B, N_B, B's answer to N_A, B's key half (+ salt) for A
 *   3. A -> B: A's answer to N_B, A's key half (+ salt) for B
 * Faithful: an answer is ISO 9796-2 over f(N) alone; a half is the raw RSA of the repeated
 * nonce, signed with its salt. Hardened: halves and salts under OAEP; each side signs the
 * SHA-256 transcript of every flight so far; keys from HKDF over the final transcript.
 * The handshake borrows `me` and `ca`, which must outlive it.
 */
typedef struct e2e_skype_handshake e2e_skype_handshake;

enum e2e_skype_hs_next {
    E2E_SKYPE_HS_WRITE = 1, /* call _write and send the flight */
    E2E_SKYPE_HS_READ = 2,  /* wait for the peer's flight and call _read */
    E2E_SKYPE_HS_DONE = 3,  /* call _split */
};

/* expected_peer: the name the initiator calls (a different certified name is
 * E2E_ERR_UNTRUSTED); NULL to accept any certified peer (the responder, usually). */
E2E_API int e2e_skype_handshake_new(e2e_skype_handshake **out, int role, int mode,
                                    const e2e_skype_identity *me, const e2e_skype_ca *ca,
                                    const char *expected_peer) E2E_WARN_UNUSED;
E2E_API void e2e_skype_handshake_free(e2e_skype_handshake *hs);
E2E_API int e2e_skype_handshake_next(const e2e_skype_handshake *hs);
E2E_API int e2e_skype_handshake_write(e2e_skype_handshake *hs, const e2e_ctx *ctx, uint8_t *out,
                                      size_t cap, size_t *len) E2E_WARN_UNUSED;
/* Decrypt-then-commit: a flight that fails leaves the handshake as it was. E2E_ERR_AUTH
 * (signature, stale or wrong answer, bad half), E2E_ERR_UNTRUSTED (certificate),
 * E2E_ERR_PROTOCOL (mode or flight out of order), E2E_ERR_MALFORMED. */
E2E_API int e2e_skype_handshake_read(e2e_skype_handshake *hs, const e2e_ctx *ctx, const uint8_t *in,
                                     size_t n, struct e2e_report *why) E2E_WARN_UNUSED;
/* The verified peer certificate (after the peer's first flight). */
E2E_API int e2e_skype_handshake_peer(const e2e_skype_handshake *hs,
                                     struct e2e_skype_cert_info *peer) E2E_WARN_UNUSED;
/* When done: the session (the handshake's secrets are wiped). ctx only traces the keys. */
E2E_API int e2e_skype_handshake_split(e2e_skype_handshake *hs, const e2e_ctx *ctx,
                                      e2e_skype_session **out) E2E_WARN_UNUSED;
/* Blob "SKHS" v1; _parse takes the same `me` and `ca` again. */
E2E_API int e2e_skype_handshake_serialize(const e2e_skype_handshake *hs, uint8_t *out, size_t cap,
                                          size_t *len) E2E_WARN_UNUSED;
E2E_API int e2e_skype_handshake_parse(e2e_skype_handshake **out, const uint8_t *p, size_t n,
                                      const e2e_skype_identity *me, const e2e_skype_ca *ca,
                                      struct e2e_report *why) E2E_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif
