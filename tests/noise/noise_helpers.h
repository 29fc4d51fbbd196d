/* Shared helpers for the noise tests: key pairs from a seeded context, whole handshakes. */
#ifndef E2E_TEST_NOISE_HELPERS_H
#define E2E_TEST_NOISE_HELPERS_H

#include <stdlib.h>
#include <string.h>

#include <e2ekit/noise.h>

#include "test.h"

#define XX   "Noise_XX_25519_AESGCM_SHA256"
#define IK   "Noise_IK_25519_AESGCM_SHA256"
#define XXFB "Noise_XXfallback_25519_AESGCM_SHA256"

struct pair {
    e2e_noise_handshake *init, *resp;
    e2e_noise_transport *ti, *tr;
};

/* A handshake pair for `proto`: statics given as private keys (NULL: none), the responder's
 * public key pinned on the initiator when `pin` is not NULL. */
static inline void
pair_new(struct pair *p, const char *proto, const e2e_ctx *ctx, const uint8_t *si,
         const uint8_t *sr, const uint8_t *pin)
{
    static const uint8_t prologue[] = "test prologue";
    memset(p, 0, sizeof *p);
    CHECK_OK(e2e_noise_handshake_new(&p->init, proto, E2E_NOISE_INITIATOR, ctx));
    CHECK_OK(e2e_noise_handshake_new(&p->resp, proto, E2E_NOISE_RESPONDER, ctx));
    CHECK_OK(e2e_noise_handshake_set_prologue(p->init, prologue, sizeof prologue));
    CHECK_OK(e2e_noise_handshake_set_prologue(p->resp, prologue, sizeof prologue));
    if (si)
        CHECK_OK(e2e_noise_handshake_set_local_static(p->init, si));
    if (sr)
        CHECK_OK(e2e_noise_handshake_set_local_static(p->resp, sr));
    if (pin)
        CHECK_OK(e2e_noise_handshake_set_remote_static(p->init, pin));
    CHECK_OK(e2e_noise_handshake_start(p->init));
    CHECK_OK(e2e_noise_handshake_start(p->resp));
}

static inline void
pair_free(struct pair *p)
{
    e2e_noise_handshake_free(p->init);
    e2e_noise_handshake_free(p->resp);
    e2e_noise_transport_free(p->ti);
    e2e_noise_transport_free(p->tr);
    memset(p, 0, sizeof *p);
}

/* One message from a to b; returns the read's result, the message length in *len. */
static inline int
pair_step(e2e_noise_handshake *a, e2e_noise_handshake *b, const char *payload, size_t *len)
{
    uint8_t msg[512], back[512];
    size_t n = 0, bn = 0;
    size_t pl = payload ? strlen(payload) : 0;
    int rc = e2e_noise_handshake_write(a, (const uint8_t *)payload, pl, msg, sizeof msg, &n);
    if (rc != E2E_OK)
        return rc;
    if (len)
        *len = n;
    rc = e2e_noise_handshake_read(b, msg, n, back, sizeof back, &bn, NULL);
    if (rc == E2E_OK && (bn != pl || (pl && memcmp(back, payload, pl) != 0)))
        return E2E_ERR_PROTOCOL;
    return rc;
}

/* Runs the handshake to its end with empty payloads, recording message lengths, then splits. */
static inline int
pair_run(struct pair *p, size_t *lens, size_t max)
{
    size_t k = 0;
    while (e2e_noise_handshake_action(p->init) != E2E_NOISE_ACTION_SPLIT) {
        int iw = e2e_noise_handshake_action(p->init) == E2E_NOISE_ACTION_WRITE;
        size_t n = 0;
        int rc = iw ? pair_step(p->init, p->resp, NULL, &n) : pair_step(p->resp, p->init, NULL, &n);
        if (rc != E2E_OK)
            return rc;
        if (lens && k < max)
            lens[k] = n;
        k++;
    }
    CHECK_OK(e2e_noise_handshake_split(p->init, &p->ti));
    CHECK_OK(e2e_noise_handshake_split(p->resp, &p->tr));
    return E2E_OK;
}

static inline void
keypair(const e2e_ctx *ctx, struct e2e_noise_keypair *kp)
{
    CHECK_OK(e2e_noise_keypair_generate(kp, ctx));
}

/* Encrypt on a, decrypt on b, compare. */
static inline int
transport_roundtrip(e2e_noise_transport *a, e2e_noise_transport *b, const uint8_t *pt, size_t n)
{
    uint8_t *ct = malloc(n + 16), *back = malloc(n + 1);
    size_t cn = 0, bn = 0;
    int rc = e2e_noise_transport_encrypt(a, ct, n + 16, &cn, pt, n);
    if (rc == E2E_OK)
        rc = e2e_noise_transport_decrypt(b, back, n + 1, &bn, ct, cn, NULL);
    if (rc == E2E_OK && (bn != n || memcmp(back, pt, n) != 0))
        rc = E2E_ERR_PROTOCOL;
    free(ct);
    free(back);
    return rc;
}

#endif
