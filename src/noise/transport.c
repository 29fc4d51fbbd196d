/*
 * The transport phase: the two CipherStates returned by Split() (Noise spec 5.2, 5.3), one per
 * direction, each with its own AES-GCM context so that a message costs no allocation.
 */
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "noise/internal.h"

struct e2e_noise_transport {
    struct e2e__noise_cipher dir[2]; /* E2E_NOISE_SEND, E2E_NOISE_RECV */
    uint8_t h[32];
};

int
e2e__noise_transport_new(e2e_noise_transport **out, const uint8_t send_k[32],
                         const uint8_t recv_k[32], const uint8_t h[32])
{
    e2e_noise_transport *t = calloc(1, sizeof *t);
    if (!t)
        return E2E_ERR_NOMEM;
    int rc = e2e__noise_cipher_init(&t->dir[E2E_NOISE_SEND]);
    if (rc == E2E_OK)
        rc = e2e__noise_cipher_init(&t->dir[E2E_NOISE_RECV]);
    if (rc == E2E_OK)
        rc = e2e__noise_cipher_set_key(&t->dir[E2E_NOISE_SEND], send_k);
    if (rc == E2E_OK)
        rc = e2e__noise_cipher_set_key(&t->dir[E2E_NOISE_RECV], recv_k);
    if (rc != E2E_OK) {
        e2e_noise_transport_free(t);
        return rc;
    }
    memcpy(t->h, h, 32);
    *out = t;
    return E2E_OK;
}

void
e2e_noise_transport_free(e2e_noise_transport *t)
{
    if (!t)
        return;
    e2e__noise_cipher_clear(&t->dir[0]);
    e2e__noise_cipher_clear(&t->dir[1]);
    e2e_wipe(t, sizeof *t);
    free(t);
}

int
e2e_noise_transport_encrypt(e2e_noise_transport *t, uint8_t *out, size_t cap, size_t *out_len,
                            const uint8_t *pt, size_t n)
{
    if (!t || !out || !out_len || (!pt && n))
        return E2E_ERR_INVALID;
    if (n > E2E_NOISE_MAX_PLAINTEXT)
        return E2E_ERR_LIMIT;
    if (cap < n + E2E_NOISE_TAGLEN)
        return E2E_ERR_BUFFER;
    int rc = e2e__noise_cipher_encrypt(&t->dir[E2E_NOISE_SEND], out, NULL, 0, pt, n);
    if (rc == E2E_OK)
        *out_len = n + E2E_NOISE_TAGLEN;
    return rc;
}

int
e2e_noise_transport_decrypt(e2e_noise_transport *t, uint8_t *out, size_t cap, size_t *out_len,
                            const uint8_t *msg, size_t n, struct e2e_report *why)
{
    e2e_report_clear(why);
    if (!t || !out_len || (!msg && n) || (!out && cap))
        return E2E_ERR_INVALID;
    if (n < E2E_NOISE_TAGLEN || n > E2E_NOISE_MAX_MSG)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "size",
                               "transport message of %zu bytes (16..65535)", n);
    if (cap < n - E2E_NOISE_TAGLEN)
        return e2e_report_fail(why, E2E_ERR_BUFFER, "buffer", "plaintext of %zu bytes",
                               n - E2E_NOISE_TAGLEN);
    struct e2e__noise_cipher *c = &t->dir[E2E_NOISE_RECV];
    int rc = e2e__noise_cipher_decrypt(c, out, NULL, 0, msg, n);
    if (rc == E2E_ERR_AUTH)
        return e2e_report_fail(why, rc, "mac",
                               "no valid tag for nonce %llu: altered, replayed or reordered",
                               (unsigned long long)c->n);
    if (rc == E2E_ERR_LIMIT)
        return e2e_report_fail(why, rc, "nonce", "receive nonce exhausted (2^64-1 is reserved)");
    if (rc != E2E_OK)
        return e2e_report_fail(why, rc, "cipher", "decryption failed");
    *out_len = n - E2E_NOISE_TAGLEN;
    return E2E_OK;
}

int
e2e_noise_transport_rekey(e2e_noise_transport *t, int direction)
{
    if (!t || (direction != E2E_NOISE_SEND && direction != E2E_NOISE_RECV))
        return E2E_ERR_INVALID;
    return e2e__noise_cipher_rekey(&t->dir[direction]);
}

uint64_t
e2e_noise_transport_nonce(const e2e_noise_transport *t, int direction)
{
    if (!t || (direction != E2E_NOISE_SEND && direction != E2E_NOISE_RECV))
        return 0;
    return t->dir[direction].n;
}

void
e2e_noise_transport_set_nonce(e2e_noise_transport *t, int direction, uint64_t n)
{
    if (t && (direction == E2E_NOISE_SEND || direction == E2E_NOISE_RECV))
        t->dir[direction].n = n;
}

void
e2e_noise_transport_handshake_hash(const e2e_noise_transport *t, uint8_t h[32])
{
    if (t && h)
        memcpy(h, t->h, 32);
}
