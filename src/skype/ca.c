/*
 * The authority's public keys as a client holds them (Skype's binary embeds its CA moduli;
 * Berson 2.1: a 1536-bit key, and a 2048-bit one for premium users).
 */
#include <stdlib.h>

#include <e2ekit/skype.h>

#include "core/log.h"
#include "core/util.h"
#include "skype/skype_internal.h"

#define CA_MAGIC   0x534B4341u /* "SKCA" */
#define CA_VERSION 1

struct e2e_skype_ca {
    e2e_rsa *key_2048, *key_1536; /* public */
};

static const uint8_t f4[3] = {0x01, 0x00, 0x01};

/* A public copy of k (which may hold a private part). */
int
e2e__skype_rsa_public_copy(e2e_rsa **out, const e2e_rsa *k)
{
    uint8_t n[E2E_SKYPE_MODULUS_MAX];
    size_t len = 0;
    E2E_TRY(e2e_rsa_modulus(k, n, sizeof n, &len));
    return e2e_rsa_from_public(out, n, len, f4, sizeof f4);
}

int
e2e_skype_ca_new(e2e_skype_ca **out, const e2e_rsa *key_2048, const e2e_rsa *key_1536)
{
    if (!out || (key_2048 && e2e_rsa_bits(key_2048) != 2048) ||
        (key_1536 && e2e_rsa_bits(key_1536) != 1536))
        return E2E_ERR_INVALID;
    *out = NULL;
    e2e_skype_ca *ca = calloc(1, sizeof *ca);
    if (!ca)
        return E2E_ERR_NOMEM;
    int rc = E2E_OK;
    if (key_2048)
        rc = e2e__skype_rsa_public_copy(&ca->key_2048, key_2048);
    if (rc == E2E_OK && key_1536)
        rc = e2e__skype_rsa_public_copy(&ca->key_1536, key_1536);
    if (rc != E2E_OK) {
        e2e_skype_ca_free(ca);
        return rc;
    }
    *out = ca;
    return E2E_OK;
}

void
e2e_skype_ca_free(e2e_skype_ca *ca)
{
    if (!ca)
        return;
    e2e_rsa_free(ca->key_2048);
    e2e_rsa_free(ca->key_1536);
    free(ca);
}

const e2e_rsa *
e2e__skype_ca_key(const e2e_skype_ca *ca, uint32_t number)
{
    if (number == E2E_SKYPE_CA_2048)
        return ca->key_2048;
    if (number == E2E_SKYPE_CA_1536)
        return ca->key_1536;
    return NULL;
}

void
e2e__skype_write_modulus(struct e2e_writer *w, const e2e_rsa *k)
{
    uint8_t n[E2E_SKYPE_MODULUS_MAX];
    size_t len = 0;
    if (e2e_rsa_modulus(k, n, sizeof n, &len) != E2E_OK) {
        w->err = E2E_ERR_INVALID;
        return;
    }
    e2e_write_u16_be(w, (uint16_t)len);
    e2e_write_bytes(w, n, len);
}

int
e2e_skype_ca_serialize(const e2e_skype_ca *ca, uint8_t *out, size_t cap, size_t *len)
{
    if (!ca || !len)
        return E2E_ERR_INVALID;
    struct e2e_writer w;
    e2e_writer_init(&w, out, cap);
    e2e__blob_head_write(&w, CA_MAGIC, CA_VERSION);
    e2e_write_u8(&w, (uint8_t)((ca->key_2048 != NULL) + (ca->key_1536 != NULL)));
    for (uint32_t no = E2E_SKYPE_CA_2048; no <= E2E_SKYPE_CA_1536; no++) {
        const e2e_rsa *k = e2e__skype_ca_key(ca, no);
        if (!k)
            continue;
        e2e_write_u32_be(&w, no);
        e2e__skype_write_modulus(&w, k);
    }
    *len = w.len;
    return w.err ? w.err : E2E_OK;
}

/* One numbered key of the blob into the right slot. */
static int
read_key(struct e2e_reader *r, e2e_skype_ca *ca)
{
    uint32_t no = e2e_read_u32_be(r);
    size_t n = e2e_read_u16_be(r);
    const uint8_t *mod = e2e_read_view(r, n);
    unsigned want = no == E2E_SKYPE_CA_2048 ? 2048 : no == E2E_SKYPE_CA_1536 ? 1536 : 0;
    e2e_rsa **slot = no == E2E_SKYPE_CA_2048 ? &ca->key_2048 : &ca->key_1536;
    if (!mod || !want || *slot)
        return E2E_ERR_MALFORMED;
    int rc = e2e_rsa_from_public(slot, mod, n, f4, sizeof f4);
    if (rc == E2E_OK && e2e_rsa_bits(*slot) != want)
        rc = E2E_ERR_MALFORMED;
    return rc;
}

int
e2e_skype_ca_parse(e2e_skype_ca **out, const uint8_t *p, size_t n, struct e2e_report *why)
{
    struct e2e_reader r;
    if (out)
        *out = NULL;
    E2E_TRY(e2e__skype_blob_begin(&r, out != NULL, p, n, CA_MAGIC, CA_VERSION, "CA keys", why));
    e2e_skype_ca *ca = calloc(1, sizeof *ca);
    if (!ca)
        return E2E_ERR_NOMEM;
    unsigned count = e2e_read_u8(&r);
    int rc = count >= 1 && count <= 2 ? E2E_OK : E2E_ERR_MALFORMED;
    for (unsigned i = 0; i < count && rc == E2E_OK; i++)
        rc = read_key(&r, ca);
    if (rc == E2E_OK)
        rc = e2e_reader_done(&r);
    if (rc != E2E_OK) {
        e2e_skype_ca_free(ca);
        return e2e_report_fail(why, rc, "encoding", "CA key blob: bad key or length");
    }
    *out = ca;
    return E2E_OK;
}
