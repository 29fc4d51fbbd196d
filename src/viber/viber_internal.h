/* Internal to src/viber: wire type codes, labels, the layouts of the state objects. */
#ifndef E2E_VIBER_INTERNAL_H
#define E2E_VIBER_INTERNAL_H

#include <stdint.h>
#include <string.h>

#include <e2ekit/viber.h>

#include "core/blob.h"
#include "core/bytes.h"
#include "core/log.h"
#include "core/util.h"

/* Every viber wire object starts with version || type. */
#define VB_VERSION 1
enum vb_type {
    VB_T_MSG = 0x01,
    VB_T_GROUP = 0x02,
    VB_T_LINK = 0x03,
    VB_T_UPLOAD = 0x04,
    VB_T_OFFER = 0x05,
    VB_T_ANSWER = 0x06,
    VB_T_GROUP_KEY = 0x07,
    VB_T_FILE_REF = 0x08,
    VB_T_PREKEY = 0x09,
    VB_T_QR = 0x0a,
};

/* Labels, ASCII without terminator (docs/protocols/viber.md, "Labels"). */
#define VB_L_ROOT        "root"
#define VB_L_MESG        "mesg"
#define VB_L_MSGKEY      "viber msgkey"
#define VB_L_CHAIN       "viber chain"
#define VB_L_WRAP        "viber wrap"
#define VB_L_PREKEY      "viber prekey"
#define VB_L_GROUP_CHAIN "viber group chain"
#define VB_L_GROUP_MSG   "viber group msg"
#define VB_L_LINK        "viber link"
#define VB_L_FILE        "viber file"
#define VB_L_CALL        "viber call"
#define VB_L_OFFER       "viber call offer"
#define VB_L_ANSWER      "viber call answer"
#define VB_L_MEDIA       "viber media"

/* Serialized state: magic, u16 version. */
#define VB_STATE_VERSION 1

/* Reads and checks version || type. E2E_ERR_UNSUPPORTED for another version, MALFORMED for
 * another type; fills the report. */
int e2e__vb_read_header(struct e2e_reader *r, uint8_t type, const char *what,
                        struct e2e_report *why);
/* Starts a serialization of `need` bytes: *len = need; E2E_ERR_BUFFER unless out holds them. */
int e2e__vb_serialize_begin(struct e2e_writer *w, uint8_t *out, size_t cap, size_t need,
                            size_t *len);
/* Allocates a zeroed object of `size`, reads it from in with `read` and returns it; on failure
 * destroys it, returns NULL and sets *rc. */
typedef int (*e2e__vb_read_fn)(struct e2e_reader *r, void *obj, struct e2e_report *why);
void *e2e__vb_parse(int *rc, size_t size, e2e__vb_read_fn read, void (*destroy)(void *),
                    const uint8_t *in, size_t len, struct e2e_report *why);
/* HKDF-Expand(prk, info, 64) split into two 32-byte keys. */
void e2e__vb_expand64(uint8_t a[32], uint8_t b[32], const uint8_t prk[32], const uint8_t *info,
                      size_t info_len);
/* Salsa20 with nonce 0 and counter 0 under a single-use key (16 or 32 bytes). */
void e2e__vb_salsa_once(uint8_t *out, const uint8_t *in, size_t n, const uint8_t *key,
                        size_t key_len);
/* The message XEdDSA signs for a PreKey. */
size_t e2e__vb_prekey_signed(uint8_t out[12 + 16 + 4 + 64], const struct e2e_viber_prekey *pk);

/* ---- devices ------------------------------------------------------------------------------ */

struct vb_prekey_priv {
    uint32_t id;
    uint8_t hs_priv[32], hs_pub[32];
    uint8_t rk_priv[32], rk_pub[32];
};

struct e2e_viber_device {
    uint8_t udid[16];
    int role;
    int has_id;
    uint8_t id_priv[32], id_pub[32];
    uint32_t next_prekey_id;
    unsigned nprekeys;
    struct vb_prekey_priv prekeys[E2E_VIBER_MAX_PREKEYS];
};

/* Index of the held PreKey with this id, or -1. */
int e2e__vb_device_find_prekey(const e2e_viber_device *d, uint32_t id);
/* Wipes and removes the PreKey at index i (a session consumed it). */
void e2e__vb_device_consume_prekey(e2e_viber_device *d, int i);
/* XEdDSA by the device's ID key (random from ctx). */
int e2e__vb_device_sign(const e2e_viber_device *d, const e2e_ctx *ctx, uint8_t sig[64],
                        const uint8_t *msg, size_t n);

/* ---- sessions ----------------------------------------------------------------------------- */

/* One ratchet state between two devices. */
struct vb_state {
    uint8_t used;
    uint8_t initiator;     /* we sent the session start */
    uint8_t pending_start; /* initiator: carry the start fields until the peer answers */
    uint8_t need_ratchet;  /* our turn: the next send generates a new ratchet pair */
    uint8_t has_send, has_recv, has_prev_peer;
    uint32_t prekey_id;  /* the base: the responder's PreKey used */
    uint8_t base_id[32]; /* the base: the initiator's ID key */
    uint8_t base_hs[32]; /* the base: the initiator's handshake key */
    uint8_t peer_id[32]; /* the peer account's ID key */
    uint8_t root[32];
    uint8_t own_priv[32], own_pub[32]; /* our current ratchet pair */
    uint8_t peer_ratchet[32];
    uint8_t prev_peer_ratchet[32];
    uint8_t send_ck[32];
    uint32_t send_n, prev_send_n;
    uint8_t recv_ck[32];
    uint32_t recv_n;
};

struct vb_skipped {
    uint8_t ratchet[32]; /* the peer ratchet key of the chain */
    uint32_t n;
    uint8_t mk[32];
};

struct e2e_viber_session {
    uint8_t peer_udid[16];
    struct vb_state st[E2E_VIBER_MAX_STATES]; /* st[0] is current */
    struct vb_skipped *skipped;               /* oldest first */
    unsigned nskipped, cap_skipped;
};

/* Makes room for `more` skipped keys (evicting the oldest beyond E2E_VIBER_MAX_SKIPPED happens
 * in push). E2E_ERR_NOMEM; the session's logical state is unchanged either way. */
int e2e__vb_skipped_reserve(e2e_viber_session *s, unsigned more);
void e2e__vb_skipped_push(e2e_viber_session *s, const uint8_t ratchet[32], uint32_t n,
                          const uint8_t mk[32]);
int e2e__vb_skipped_find(const e2e_viber_session *s, const uint8_t ratchet[32], uint32_t n);
void e2e__vb_skipped_remove(e2e_viber_session *s, int i);
/* Moves state i to the front (current), shifting the others back. */
void e2e__vb_session_promote(e2e_viber_session *s, unsigned i);
/* Puts a new state in front, archiving the others (the oldest beyond the limit is wiped). */
void e2e__vb_session_push(e2e_viber_session *s, const struct vb_state *st);

/* A responder's new state from a session-start entry and its own PreKey at index pk. */
int e2e__vb_state_accept(struct vb_state *st, const e2e_ctx *ctx, const e2e_viber_device *me,
                         int pk, const uint8_t id[32], const uint8_t hs[32],
                         const uint8_t ratchet[32]);
/* Our turn: a fresh ratchet pair and a ratchet step for the sending chain. */
int e2e__vb_state_send_ratchet(struct vb_state *st, const e2e_ctx *ctx);
/* A new peer ratchet key: a ratchet step for the receiving chain. */
int e2e__vb_state_recv_ratchet(struct vb_state *st, const e2e_ctx *ctx, const uint8_t peer[32]);

/* ---- one-to-one message wire format ------------------------------------------------------- */

#define VB_F_START         0x01
#define VB_ENTRY_LEN       105u /* udid, flags, ratchet, PN, n, wrapped key, tag */
#define VB_ENTRY_START_LEN 173u /* plus ID key, PreKey id, handshake key */
#define VB_COMMON_FIXED    22u  /* version, type, sender udid, body length */

struct vb_entry {
    const uint8_t *p; /* the entry's first byte (its udid) */
    size_t mac_len;   /* bytes the tag covers: udid .. wrapped key */
    size_t len;       /* the whole entry */
    uint8_t flags;
    const uint8_t *id, *hs; /* session-start entries */
    uint32_t prekey_id;
    const uint8_t *ratchet;
    uint32_t pn, n;
    const uint8_t *wrapped, *tag;
};

struct vb_msg {
    const uint8_t *sender;
    const uint8_t *body;
    size_t body_len;
    size_t common_len; /* version .. end of body */
    unsigned nentries;
    const uint8_t *entries; /* after the count */
    size_t entries_len;
};

/* Parses and checks the whole message (every entry, no udid twice). */
int e2e__vb_msg_parse(struct vb_msg *m, const uint8_t *msg, size_t len, struct e2e_report *why);
/* The entry for udid: 1 found, 0 not. */
int e2e__vb_msg_find(const struct vb_msg *m, const uint8_t udid[16], struct vb_entry *e);

/* Advances a chain key from position `from` to `to` (to >= from). With s != NULL the message
 * keys of positions from..to-1 are stored as skipped keys of `ratchet` (reserve first). */
void e2e__vb_chain_skip(e2e_viber_session *s, uint8_t ck[32], uint32_t from, uint32_t to,
                        const uint8_t ratchet[32]);

#endif
