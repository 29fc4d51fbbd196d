/*
 * A user's client state (Berson 2.1): the name, H(P) (kept instead of the password, as Skype
 * kept it under CryptProtectData), the RSA key pair and the certificate the authority issued.
 */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/skype.h>

#include "core/log.h"
#include "core/util.h"
#include "skype/skype_internal.h"

#define ID_MAGIC   0x534B4944u /* "SKID" */
#define ID_VERSION 1

struct e2e_skype_identity {
    char name[E2E_SKYPE_NAME_MAX + 1];
    uint8_t hp[16];
    e2e_rsa *key;
    uint8_t *cert;
    size_t cert_len;
};

static int
bits_ok(unsigned bits)
{
    return bits == 1024 || bits == 1536 || bits == 2048;
}

int
e2e_skype_identity_new(e2e_skype_identity **out, const e2e_ctx *ctx, const char *name,
                       const char *password, unsigned bits)
{
    if (!out || !name || !password || !bits_ok(bits))
        return E2E_ERR_INVALID;
    *out = NULL;
    size_t name_len = strlen(name);
    E2E_TRY(e2e_skype_name_check(name, name_len));
    e2e_skype_identity *id = calloc(1, sizeof *id);
    if (!id)
        return E2E_ERR_NOMEM;
    memcpy(id->name, name, name_len);
    e2e_skype_password_hash(id->hp, name, name_len, password, strlen(password));
    int rc = e2e_rsa_generate(&id->key, bits, ctx);
    if (rc != E2E_OK) {
        e2e_skype_identity_free(id);
        return rc;
    }
    e2e_trace_hex(ctx, "skype identity: H(P) = MD5(name \\nskyper\\n password)", id->hp, 16);
    *out = id;
    return E2E_OK;
}

static void
drop_cert(e2e_skype_identity *id)
{
    free(id->cert);
    id->cert = NULL;
    id->cert_len = 0;
}

void
e2e_skype_identity_free(e2e_skype_identity *id)
{
    if (!id)
        return;
    drop_cert(id);
    e2e_rsa_free(id->key);
    e2e_wipe(id, sizeof *id);
    free(id);
}

const char *
e2e_skype_identity_name(const e2e_skype_identity *id)
{
    return id->name;
}

const e2e_rsa *
e2e_skype_identity_key(const e2e_skype_identity *id)
{
    return id->key;
}

const uint8_t *
e2e__skype_identity_hp(const e2e_skype_identity *id)
{
    return id->hp;
}

int
e2e_skype_identity_cert(const e2e_skype_identity *id, const uint8_t **cert, size_t *len)
{
    if (!id || !cert || !len)
        return E2E_ERR_INVALID;
    if (!id->cert)
        return E2E_ERR_STATE;
    *cert = id->cert;
    *len = id->cert_len;
    return E2E_OK;
}

int
e2e__skype_identity_set_cert(e2e_skype_identity *id, const uint8_t *cert, size_t len)
{
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        return E2E_ERR_NOMEM;
    memcpy(copy, cert, len);
    drop_cert(id);
    id->cert = copy;
    id->cert_len = len;
    return E2E_OK;
}

int
e2e_skype_identity_rotate_key(e2e_skype_identity *id, const e2e_ctx *ctx, unsigned bits)
{
    if (!id || !bits_ok(bits))
        return E2E_ERR_INVALID;
    e2e_rsa *k;
    E2E_TRY(e2e_rsa_generate(&k, bits, ctx));
    e2e_rsa_free(id->key);
    id->key = k;
    drop_cert(id); /* it certifies the old key */
    return E2E_OK;
}

/* ---- persistence ---------------------------------------------------------------------------- */

int
e2e_skype_identity_serialize(const e2e_skype_identity *id, uint8_t *out, size_t cap, size_t *len)
{
    if (!id || !len)
        return E2E_ERR_INVALID;
    size_t der_len = 0;
    int rc = e2e_rsa_to_der(id->key, 1, NULL, 0, &der_len);
    if (rc != E2E_ERR_BUFFER && rc != E2E_OK)
        return rc;
    struct e2e_writer w;
    e2e_writer_init(&w, out, cap);
    e2e__blob_head_write(&w, ID_MAGIC, ID_VERSION);
    size_t name_len = strlen(id->name);
    e2e_write_u8(&w, (uint8_t)name_len);
    e2e_write_bytes(&w, (const uint8_t *)id->name, name_len);
    e2e_write_bytes(&w, id->hp, 16);
    e2e_write_u16_be(&w, (uint16_t)der_len);
    uint8_t *der = e2e_write_reserve(&w, der_len);
    if (der && e2e_rsa_to_der(id->key, 1, der, der_len, &der_len) != E2E_OK)
        w.err = E2E_ERR_CRYPTO;
    e2e_write_u16_be(&w, (uint16_t)id->cert_len);
    e2e_write_bytes(&w, id->cert, id->cert_len);
    *len = w.len;
    return w.err ? w.err : E2E_OK;
}

static int
read_identity(struct e2e_reader *r, e2e_skype_identity *id)
{
    size_t name_len = e2e_read_u8(r);
    if (name_len > E2E_SKYPE_NAME_MAX)
        return E2E_ERR_MALFORMED;
    e2e_read_bytes(r, (uint8_t *)id->name, name_len);
    e2e_read_bytes(r, id->hp, 16);
    size_t der_len = e2e_read_u16_be(r);
    const uint8_t *der = e2e_read_view(r, der_len);
    size_t cert_len = e2e_read_u16_be(r);
    const uint8_t *cert = e2e_read_view(r, cert_len);
    int rc = e2e_reader_done(r);
    if (rc == E2E_OK && e2e_skype_name_check(id->name, name_len) != E2E_OK)
        rc = E2E_ERR_MALFORMED;
    if (rc == E2E_OK)
        rc = e2e_rsa_from_der(&id->key, 1, der, der_len);
    if (rc == E2E_OK && !bits_ok(e2e_rsa_bits(id->key)))
        rc = E2E_ERR_MALFORMED;
    if (rc == E2E_OK && cert_len)
        rc = e2e__skype_identity_set_cert(id, cert, cert_len);
    return rc;
}

int
e2e_skype_identity_parse(e2e_skype_identity **out, const uint8_t *p, size_t n,
                         struct e2e_report *why)
{
    struct e2e_reader r;
    if (out)
        *out = NULL;
    E2E_TRY(e2e__skype_blob_begin(&r, out != NULL, p, n, ID_MAGIC, ID_VERSION, "identity", why));
    e2e_skype_identity *id = calloc(1, sizeof *id);
    if (!id)
        return E2E_ERR_NOMEM;
    int rc = read_identity(&r, id);
    if (rc != E2E_OK) {
        e2e_skype_identity_free(id);
        return e2e_report_fail(why, rc, "encoding", "identity blob: bad field, key or length");
    }
    *out = id;
    return E2E_OK;
}
