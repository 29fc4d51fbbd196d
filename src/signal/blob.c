/*
 * Shared pieces of the versioned blobs (sessions "E2SS", sender keys "E2SG", prekeys "E2PK"):
 * opening a blob on its head (core/blob.h) and the skipped-key lists, and the AES-CBC open/seal
 * steps that sessions and sender keys share.
 */
#include "core/log.h"
#include "core/util.h"
#include "signal/internal.h"

int
e2e__blob_open(struct e2e_reader *r, const uint8_t *in, size_t n, uint32_t magic, uint16_t format,
               const char *what, struct e2e_report *why)
{
    e2e_reader_init(r, in, n);
    return e2e__blob_head_read(r, magic, format, what, why);
}

void
e2e__skip_write(struct e2e_writer *w, const struct e2e__skip_list *l)
{
    e2e_write_u32_be(w, l->n);
    for (uint32_t k = 0; k < l->n; k++) {
        e2e_write_u32_be(w, l->v[k].counter);
        e2e_write_bytes(w, l->v[k].seed, 32);
    }
}

int
e2e__skip_read(struct e2e_reader *r, struct e2e__skip_list *l, uint32_t below)
{
    uint32_t n = e2e_read_u32_be(r);
    if (r->err || n > E2E_SIGNAL_MAX_SKIPPED || e2e_reader_left(r) / E2E__SKIPPED_SIZE < n)
        return E2E_ERR_MALFORMED;
    if (n && e2e__skip_reserve(l, n) != E2E_OK)
        return E2E_ERR_NOMEM;
    for (uint32_t k = 0; k < n; k++) {
        struct e2e__skipped *e = &l->v[k];
        e->counter = e2e_read_u32_be(r);
        e2e_read_bytes(r, e->seed, 32);
        l->n = k + 1; /* what was read is freed with the list on failure */
        if (e->counter >= below || (k && e->counter <= l->v[k - 1].counter))
            return E2E_ERR_MALFORMED;
    }
    return r->err;
}

int
e2e__open_report(struct e2e_report *why, int rc, uint32_t counter, size_t pt_cap)
{
    if (rc == E2E_OK)
        return E2E_OK;
    if (rc == E2E_ERR_AUTH)
        return e2e_report_fail(why, rc, "mac", "MAC of message %u differs", counter);
    if (rc == E2E_ERR_BUFFER)
        return e2e_report_fail(why, rc, "buffer", "plaintext buffer of %zu bytes is too small",
                               pt_cap);
    return e2e_report_fail(why, E2E_ERR_MALFORMED, "padding",
                           "authentic message %u has a bad ciphertext length or padding", counter);
}

int
e2e__cbc_open(const uint8_t key[32], const uint8_t iv[16], const uint8_t *ct, size_t n, uint8_t *pt,
              size_t pt_cap, size_t *pt_len, uint32_t counter, struct e2e_report *why)
{
    e2e_aes_key k;
    int rc = e2e_aes_setkey(&k, key, 32);
    if (rc == E2E_OK)
        rc = e2e_aes_cbc_pkcs7_decrypt(&k, iv, ct, n, pt, pt_cap, pt_len);
    e2e_wipe(&k, sizeof k);
    return e2e__open_report(why, rc, counter, pt_cap);
}

int
e2e__cbc_seal(const uint8_t key[32], const uint8_t iv[16], const uint8_t *pt, size_t n,
              uint8_t *out)
{
    e2e_aes_key k;
    size_t got;
    int rc = e2e_aes_setkey(&k, key, 32);
    if (rc == E2E_OK)
        rc = e2e_aes_cbc_pkcs7_encrypt(&k, iv, pt, n, out, e2e_pkcs7_padded_len(n), &got);
    e2e_wipe(&k, sizeof k);
    return rc;
}
