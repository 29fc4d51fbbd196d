/* Internal helpers shared by the files of the skype suite. */
#ifndef E2E_SKYPE_INTERNAL_H
#define E2E_SKYPE_INTERNAL_H

#include <e2ekit/skype.h>

#include "core/blob.h"
#include "core/bytes.h"

/* The start of every _parse: clears why, checks the arguments (args_ok), starts r on p and
 * reads the header. */
int e2e__skype_blob_begin(struct e2e_reader *r, int args_ok, const uint8_t *p, size_t n,
                          uint32_t magic, uint16_t version, const char *what,
                          struct e2e_report *why);

/* Largest RSA modulus the suite handles (4096 bits). */
#define E2E_SKYPE_MODULUS_MAX 512
/* Largest signed certificate data: name, NUL, key id, length, modulus, two times. */
#define E2E_SKYPE_CERT_DATA_MAX (E2E_SKYPE_NAME_MAX + 1 + 4 + 2 + E2E_SKYPE_MODULUS_MAX + 8)

/* A public-only copy of k (e = 65537). */
int e2e__skype_rsa_public_copy(e2e_rsa **out, const e2e_rsa *k);
/* The CA's key with that number, or NULL. */
const e2e_rsa *e2e__skype_ca_key(const e2e_skype_ca *ca, uint32_t number);
/* 2-byte length + big-endian modulus (sets w->err on failure). */
void e2e__skype_write_modulus(struct e2e_writer *w, const e2e_rsa *k);

/* ---- identities and requests (identity.c, request.c) ---- */

const uint8_t *e2e__skype_identity_hp(const e2e_skype_identity *id);
int e2e__skype_identity_set_cert(e2e_skype_identity *id, const uint8_t *cert, size_t len);

enum { E2E__SKYPE_REQ_REGISTER = 1, E2E__SKYPE_REQ_LOGIN = 2 };

/* An opened request. */
struct e2e__skype_request {
    uint8_t type, mode, premium;
    char name[E2E_SKYPE_NAME_MAX + 1];
    size_t name_len;
    uint8_t hp[16];
    uint8_t modulus[E2E_SKYPE_MODULUS_MAX];
    size_t modulus_len;
};
/* Opens a sealed request with the authority's 1536-bit key; buf is decrypted in place. */
int e2e__skype_request_open(struct e2e__skype_request *q, const e2e_rsa *ca, uint8_t *buf, size_t n,
                            struct e2e_report *why);
int e2e__skype_write_response(uint8_t *out, size_t cap, size_t *len, uint8_t type, int status,
                              const uint8_t *cert, size_t cert_len);

/* ---- handshake parts (hs_parts.c) ---- */

/* Signed block: signature length (2) | ISO 9796-2 signature | M2 length (2) | M2. */
int e2e__skype_write_signed(struct e2e_writer *w, const e2e_rsa *key, const uint8_t *m, size_t n);
/* Recovers M = M1 || M2 into m: E2E_ERR_AUTH (signature), E2E_ERR_MALFORMED (encoding). */
int e2e__skype_read_signed(struct e2e_reader *r, const e2e_rsa *key, uint8_t *m, size_t cap,
                           size_t *n);
/* Certificate length (2) | certificate; w->err = E2E_ERR_STATE without a certificate. */
void e2e__skype_write_cert(struct e2e_writer *w, const e2e_skype_identity *me);
/* Reads and verifies a certificate; checks the expected name; builds the peer key. */
int e2e__skype_read_cert(struct e2e_reader *r, const e2e_skype_ca *ca, const e2e_ctx *ctx,
                         const char *expected, struct e2e_skype_cert_info *info, e2e_rsa **key,
                         struct e2e_report *why);
/* t1 = SHA256(label || flight 1); t(k+1) = SHA256(t(k) || bytes). */
void e2e__skype_transcript_start(uint8_t t[32], const uint8_t *flight1, size_t n);
void e2e__skype_transcript_next(uint8_t out[32], const uint8_t t[32], const uint8_t *p, size_t n);
/* The hardened answer: label || role || f(peer's challenge) || s; returns its length. */
#define E2E__SKYPE_ANSWER_MAX 80
size_t e2e__skype_answer_message(uint8_t *m, char role, const uint8_t peer_challenge[8],
                                 const uint8_t s[32]);

#endif
