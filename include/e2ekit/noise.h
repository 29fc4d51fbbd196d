/*
 * e2ekit noise: the Noise Protocol Framework (revision 34) with 25519, AESGCM and SHA256, and
 * Noise Pipes on top of it for the client <-> relay channel (docs/protocols/noise.md).
 *
 * Three layers, all sans-I/O (bytes in, bytes out; randomness from the e2e_ctx):
 *
 *   handshake   a general pattern engine (spec sections 5.1-5.3, 7, 10.2): XX, IK, XXfallback and
 *               the other fundamental patterns, byte for byte as the spec and the cacophony
 *               vectors; e2e_noise_handshake_fallback() turns a failed IK into XXfallback with the
 *               roles reversed, as noise-c's noise_handshakestate_fallback_to() does.
 *   transport   the two CipherStates after Split(): messages up to 65535 bytes, Rekey() (spec
 *               11.3 default REKEY), nonce 2^64-1 reserved; allocation-free.
 *   pipe        Noise Pipes as the relay runs them: XX at first contact, IK when the client has
 *               pinned the relay's static key, XXfallback when that key changed. One type byte
 *               before each handshake message says which (spec 10.3); the relay sees the client's
 *               static public key at the moment it is authenticated and accepts or rejects it.
 *
 * Framing for stream sockets (2-byte big-endian length, spec section 13) is e2e_noise_frame_* and
 * the incremental e2e_noise_deframer.
 */
#ifndef E2EKIT_NOISE_H
#define E2EKIT_NOISE_H

#include <e2ekit/core.h>

#ifdef __cplusplus
extern "C" {
#endif

#define E2E_NOISE_DHLEN         32    /* X25519 public key and shared secret */
#define E2E_NOISE_HASHLEN       32    /* SHA-256 */
#define E2E_NOISE_KEYLEN        32    /* AES-256-GCM key */
#define E2E_NOISE_TAGLEN        16    /* AES-GCM tag */
#define E2E_NOISE_MAX_MSG       65535 /* every Noise message, handshake or transport (spec 3) */
#define E2E_NOISE_MAX_PLAINTEXT 65519 /* transport payload: E2E_NOISE_MAX_MSG - tag */
#define E2E_NOISE_MAX_PROLOGUE  1024  /* our bound; the spec sets none */
#define E2E_NOISE_FRAME_HDR     2     /* big-endian length before each frame */

/* ---- keys ----------------------------------------------------------------------------------- */

/* A Curve25519 key pair in caller-owned memory; wipe it when done. */
struct e2e_noise_keypair {
    uint8_t priv[32];
    uint8_t pub[32];
};
E2E_API int e2e_noise_keypair_generate(struct e2e_noise_keypair *kp,
                                       const e2e_ctx *ctx) E2E_WARN_UNUSED;
/* pub from priv (priv is used as RFC 7748 clamps it). */
E2E_API void e2e_noise_keypair_from_private(struct e2e_noise_keypair *kp, const uint8_t priv[32]);

/* ---- handshake state (spec section 5.3) ----------------------------------------------------- */

enum e2e_noise_role { E2E_NOISE_INITIATOR = 1, E2E_NOISE_RESPONDER = 2 };

/* What the handshake wants next (noise-c's noise_handshakestate_get_action). */
enum e2e_noise_action {
    E2E_NOISE_ACTION_NONE = 0,   /* not started */
    E2E_NOISE_ACTION_WRITE = 1,  /* call e2e_noise_handshake_write */
    E2E_NOISE_ACTION_READ = 2,   /* call e2e_noise_handshake_read */
    E2E_NOISE_ACTION_SPLIT = 3,  /* complete: call e2e_noise_handshake_split */
    E2E_NOISE_ACTION_FAILED = 4, /* aborted: only _fallback (where allowed) or _free */
};

typedef struct e2e_noise_handshake e2e_noise_handshake;
typedef struct e2e_noise_transport e2e_noise_transport;

/*
 * A handshake for a full protocol name, "Noise_<pattern>_25519_AESGCM_SHA256". Patterns: the
 * one-way N, K, X, the interactive NN, NK, NX, XN, XK, XX, KN, KK, KX, IN, IK, IX, and
 * XXfallback. Other names (PSK modifiers, other primitives) give E2E_ERR_UNSUPPORTED.
 */
E2E_API int e2e_noise_handshake_new(e2e_noise_handshake **out, const char *protocol_name, int role,
                                    const e2e_ctx *ctx) E2E_WARN_UNUSED;
E2E_API void e2e_noise_handshake_free(e2e_noise_handshake *hs);
/* Before _start. At most E2E_NOISE_MAX_PROLOGUE bytes. */
E2E_API int e2e_noise_handshake_set_prologue(e2e_noise_handshake *hs, const uint8_t *prologue,
                                             size_t n) E2E_WARN_UNUSED;
/* Our static key (s), before _start. */
E2E_API int e2e_noise_handshake_set_local_static(e2e_noise_handshake *hs,
                                                 const uint8_t priv[32]) E2E_WARN_UNUSED;
/* The same with the public key already computed (a relay doing many handshakes with one key
 * saves a scalar multiplication per handshake). kp->pub must belong to kp->priv. */
E2E_API int
e2e_noise_handshake_set_local_keypair(e2e_noise_handshake *hs,
                                      const struct e2e_noise_keypair *kp) E2E_WARN_UNUSED;
/* The peer's static key known beforehand (rs: the relay's pinned key for IK), before _start. */
E2E_API int e2e_noise_handshake_set_remote_static(e2e_noise_handshake *hs,
                                                  const uint8_t pub[32]) E2E_WARN_UNUSED;
/* Known-answer tests only: use this ephemeral private key instead of drawing one from ctx. */
E2E_API int e2e_noise_handshake_set_fixed_ephemeral(e2e_noise_handshake *hs,
                                                    const uint8_t priv[32]) E2E_WARN_UNUSED;
/* InitializeSymmetric(name), MixHash(prologue), pre-message keys. E2E_ERR_STATE when a key the
 * pattern needs was not set. */
E2E_API int e2e_noise_handshake_start(e2e_noise_handshake *hs) E2E_WARN_UNUSED;
E2E_API int e2e_noise_handshake_action(const e2e_noise_handshake *hs);
/* The protocol name now in use (changes after a fallback). */
E2E_API const char *e2e_noise_handshake_protocol(const e2e_noise_handshake *hs);
/* Current role (reversed by a fallback). */
E2E_API int e2e_noise_handshake_role(const e2e_noise_handshake *hs);

/*
 * WriteMessage. E2E_ERR_BUFFER / E2E_ERR_LIMIT (message above 65535 bytes) / E2E_ERR_STATE
 * leave the state unchanged; any other failure (randomness, weak key) aborts the handshake.
 */
E2E_API int e2e_noise_handshake_write(e2e_noise_handshake *hs, const uint8_t *payload, size_t n,
                                      uint8_t *out, size_t cap, size_t *out_len) E2E_WARN_UNUSED;
/*
 * ReadMessage. E2E_ERR_BUFFER (payload buffer too small) and E2E_ERR_STATE leave the state
 * unchanged. Every failure of the message itself aborts the handshake (action FAILED, secrets
 * wiped): E2E_ERR_MALFORMED (size), E2E_ERR_AUTH (AEAD of s or payload), E2E_ERR_WEAK_KEY (a DH
 * with a low-order peer key: we signal the all-zero output as an error, spec 12.1).
 */
E2E_API int e2e_noise_handshake_read(e2e_noise_handshake *hs, const uint8_t *msg, size_t n,
                                     uint8_t *payload, size_t cap, size_t *payload_len,
                                     struct e2e_report *why) E2E_WARN_UNUSED;
/*
 * Noise Pipes' switch (spec 10.2, 10.4): re-initialise as Noise_XXfallback_25519_AESGCM_SHA256
 * with the roles reversed and start it. Allowed for the initiator after it sent a first message
 * that began with `e` (it keeps that ephemeral as the pre-message), and for the responder whose
 * read of such a message failed after the `e` (it keeps the peer's ephemeral). prologue may be
 * NULL to keep the previous one. E2E_ERR_STATE otherwise.
 */
E2E_API int e2e_noise_handshake_fallback(e2e_noise_handshake *hs, const uint8_t *prologue,
                                         size_t n) E2E_WARN_UNUSED;
/* The peer's static public key: known beforehand, or received in a message whose AEAD checks
 * all passed. E2E_ERR_STATE when there is none (yet). */
E2E_API int e2e_noise_handshake_remote_static(const e2e_noise_handshake *hs,
                                              uint8_t rs[32]) E2E_WARN_UNUSED;
/* GetHandshakeHash(): the final h, once the handshake is complete (E2E_ERR_STATE before). */
E2E_API int e2e_noise_handshake_hash(const e2e_noise_handshake *hs, uint8_t h[32]) E2E_WARN_UNUSED;
/* Split(): the transport. The initiator sends with c1 and receives with c2, the responder the
 * reverse (after a fallback the roles are the reversed ones, as in the spec and noise-c). The
 * handshake's keys are wiped; only the handshake hash stays readable. */
E2E_API int e2e_noise_handshake_split(e2e_noise_handshake *hs,
                                      e2e_noise_transport **out) E2E_WARN_UNUSED;

/* ---- transport (spec 5.1 CipherState, 11.3 rekey) ------------------------------------------- */

enum e2e_noise_direction { E2E_NOISE_SEND = 0, E2E_NOISE_RECV = 1 };

E2E_API void e2e_noise_transport_free(e2e_noise_transport *t);
/* out receives n + 16 bytes; n <= E2E_NOISE_MAX_PLAINTEXT. E2E_ERR_LIMIT when the nonce
 * reached 2^64-1 (reserved). No allocation. */
E2E_API int e2e_noise_transport_encrypt(e2e_noise_transport *t, uint8_t *out, size_t cap,
                                        size_t *out_len, const uint8_t *pt,
                                        size_t n) E2E_WARN_UNUSED;
/* E2E_ERR_MALFORMED (n < 16 or > 65535), E2E_ERR_AUTH (tag: replayed, reordered, altered),
 * E2E_ERR_LIMIT; on any failure the nonce and keys are unchanged and out is zeroed. */
E2E_API int e2e_noise_transport_decrypt(e2e_noise_transport *t, uint8_t *out, size_t cap,
                                        size_t *out_len, const uint8_t *msg, size_t n,
                                        struct e2e_report *why) E2E_WARN_UNUSED;
/* Rekey() of one direction: k = REKEY(k), n unchanged. Both peers must do it at the same
 * message (when is the application's choice, spec 11.3). */
E2E_API int e2e_noise_transport_rekey(e2e_noise_transport *t, int direction) E2E_WARN_UNUSED;
E2E_API uint64_t e2e_noise_transport_nonce(const e2e_noise_transport *t, int direction);
/* SetNonce() (spec 5.1), for transports that carry explicit nonces and for tests. */
E2E_API void e2e_noise_transport_set_nonce(e2e_noise_transport *t, int direction, uint64_t n);
/* The handshake hash the transport came from (channel binding). */
E2E_API void e2e_noise_transport_handshake_hash(const e2e_noise_transport *t, uint8_t h[32]);

/* REKEY(k) for AESGCM (first 32 bytes of ENCRYPT(k, 2^64-1, empty, 32 zeros)); calculators. */
E2E_API int e2e_noise_rekey_key(uint8_t out[32], const uint8_t k[32]) E2E_WARN_UNUSED;
/* HKDF(ck, ikm, 2 or 3) of spec 4.3 (outputs of 32 bytes each); calculators. */
E2E_API void e2e_noise_hkdf(uint8_t o1[32], uint8_t o2[32], uint8_t *o3, const uint8_t ck[32],
                            const uint8_t *ikm, size_t n);

/* ---- framing (spec 13: 16-bit big-endian length before each message) ------------------------ */

/* len16(n) || body; n in 1..65535. */
E2E_API int e2e_noise_frame_write(uint8_t *out, size_t cap, size_t *out_len, const uint8_t *body,
                                  size_t n) E2E_WARN_UNUSED;

/*
 * Incremental frame decoder for a byte stream that arrives in arbitrary pieces. The caller lends
 * the buffer for one partial frame (at most max_len bytes); a frame that arrives whole inside
 * one piece is returned without copying. A length of 0 or above max_len is refused as soon as
 * its 2-byte header is complete, before any body byte is buffered; the error is sticky.
 */
struct e2e_noise_deframer {
    uint8_t *buf;
    size_t max_len;
    uint8_t hdr[2];
    size_t hdr_have;
    size_t body_len, body_have;
    int err;
};
/* max_len in 1..65535; buf holds at least max_len bytes. */
E2E_API int e2e_noise_deframer_init(struct e2e_noise_deframer *d, uint8_t *buf,
                                    size_t max_len) E2E_WARN_UNUSED;
/*
 * Consumes bytes of `in` until a frame is complete or the input is used up; *used says how
 * many. Returns 1 with *frame / *frame_len set (valid until the next call) when a frame is
 * complete, 0 when more input is needed, E2E_ERR_MALFORMED for a refused length.
 */
E2E_API int e2e_noise_deframer_push(struct e2e_noise_deframer *d, const uint8_t *in, size_t n,
                                    size_t *used, const uint8_t **frame,
                                    size_t *frame_len) E2E_WARN_UNUSED;

/* ---- Noise Pipes: the client <-> relay channel ---------------------------------------------- */

/*
 * Each handshake frame body is one type byte followed by the Noise message; after the handshake
 * every frame body is a transport message. The prologue of each Noise protocol run is
 * E2E_NOISE_PIPES_PROLOGUE followed by the type byte of its first message, so the choice of
 * pattern is authenticated too.
 */
#define E2E_NOISE_PIPES_PROLOGUE "e2ekit/noise-pipes/1"
enum e2e_noise_pipe_msg {
    E2E_NOISE_MSG_CLIENT_XX = 0x01,       /* XX message 1: client has no pinned relay key */
    E2E_NOISE_MSG_CLIENT_IK = 0x02,       /* IK message 1: client pinned the relay's key */
    E2E_NOISE_MSG_SERVER_XX = 0x11,       /* XX message 2 */
    E2E_NOISE_MSG_SERVER_IK = 0x12,       /* IK message 2: IK accepted */
    E2E_NOISE_MSG_SERVER_FALLBACK = 0x13, /* XXfallback message 1: IK could not be read */
    E2E_NOISE_MSG_CLIENT_FINISH = 0x21,   /* XX message 3 or XXfallback message 2 */
};
enum e2e_noise_pipe_mode {
    E2E_NOISE_MODE_XX = 1,
    E2E_NOISE_MODE_IK = 2,
    E2E_NOISE_MODE_FALLBACK = 3
};
enum e2e_noise_pipe_state {
    E2E_NOISE_PIPE_SEND = 1,      /* call e2e_noise_pipe_write for the next handshake frame */
    E2E_NOISE_PIPE_RECV = 2,      /* feed the peer's next handshake frame to e2e_noise_pipe_read */
    E2E_NOISE_PIPE_AUTHORIZE = 3, /* the peer's static key is authenticated: look at
                                     e2e_noise_pipe_peer_static, then e2e_noise_pipe_authorize */
    E2E_NOISE_PIPE_READY = 4,     /* transport: e2e_noise_pipe_seal / e2e_noise_pipe_open */
    E2E_NOISE_PIPE_FAILED = 5,    /* aborted, secrets wiped: close the connection */
};

typedef struct e2e_noise_pipe e2e_noise_pipe;

/* A client with its device key (the login credential). pinned_server may be NULL (first
 * contact: XX) or the relay's static public key remembered from an earlier session (IK). */
E2E_API int e2e_noise_pipe_client_new(e2e_noise_pipe **out, const e2e_ctx *ctx,
                                      const uint8_t static_priv[32],
                                      const uint8_t *pinned_server) E2E_WARN_UNUSED;
/* The relay's side with the relay's static key. */
E2E_API int e2e_noise_pipe_server_new(e2e_noise_pipe **out, const e2e_ctx *ctx,
                                      const uint8_t static_priv[32]) E2E_WARN_UNUSED;
E2E_API void e2e_noise_pipe_free(e2e_noise_pipe *p);
E2E_API int e2e_noise_pipe_state(const e2e_noise_pipe *p);
E2E_API int e2e_noise_pipe_mode(const e2e_noise_pipe *p);
/* Next handshake frame body (type byte + Noise message) carrying payload. */
E2E_API int e2e_noise_pipe_write(e2e_noise_pipe *p, const uint8_t *payload, size_t n, uint8_t *out,
                                 size_t cap, size_t *out_len) E2E_WARN_UNUSED;
/* One handshake frame body from the peer; its payload goes to payload. On the relay an IK
 * message it cannot decrypt switches the pipe to XXfallback (state SEND, E2E_OK, no payload);
 * every other failure leaves the pipe FAILED. */
E2E_API int e2e_noise_pipe_read(e2e_noise_pipe *p, const uint8_t *body, size_t n, uint8_t *payload,
                                size_t cap, size_t *payload_len,
                                struct e2e_report *why) E2E_WARN_UNUSED;
/*
 * The peer's authenticated static public key. On the relay: the client's device key, in state
 * AUTHORIZE after IK message 1, XX message 3 or XXfallback message 2 (all AEAD checks passed),
 * and in READY. On the client: the relay's key (the pin in IK; the received one after XX or
 * XXfallback message from the relay, for the client to check against what it trusts).
 */
E2E_API int e2e_noise_pipe_peer_static(const e2e_noise_pipe *p, uint8_t pub[32]) E2E_WARN_UNUSED;
/* In state AUTHORIZE: accept (continue) or reject (the pipe fails and is wiped). */
E2E_API int e2e_noise_pipe_authorize(e2e_noise_pipe *p, int accept) E2E_WARN_UNUSED;
E2E_API int e2e_noise_pipe_handshake_hash(const e2e_noise_pipe *p, uint8_t h[32]) E2E_WARN_UNUSED;
/* The transport (owned by the pipe) once READY, else NULL. */
E2E_API e2e_noise_transport *e2e_noise_pipe_transport(e2e_noise_pipe *p);
/* READY: a whole frame (length prefix + transport message) for n bytes of plaintext. */
E2E_API int e2e_noise_pipe_seal(e2e_noise_pipe *p, uint8_t *out, size_t cap, size_t *out_len,
                                const uint8_t *pt, size_t n) E2E_WARN_UNUSED;
/* READY: a frame body (from the deframer) to plaintext; see e2e_noise_transport_decrypt. */
E2E_API int e2e_noise_pipe_open(e2e_noise_pipe *p, uint8_t *out, size_t cap, size_t *out_len,
                                const uint8_t *body, size_t n,
                                struct e2e_report *why) E2E_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif
