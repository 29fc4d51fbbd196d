/*
 * Photos, videos and files (reference/viber.md 6): a fresh Salsa20 key encrypts the file, an
 * HMAC-SHA256 "signature" covers the encrypted file, and an MD5 of the encrypted data lets the
 * storage server check the transfer. The file id and key travel in an E2E message.
 *
 * Ours: EncKey || MacKey = HKDF-Expand(file key, "viber file", 64); Salsa20 with the 32-byte
 * EncKey, nonce 0, the block counter following the byte offset; HMAC and MD5 over exactly the
 * ciphertext bytes, in order.
 */
#include "viber/viber_internal.h"

void
e2e_viber_file_init(struct e2e_viber_file_stream *f, const uint8_t file_key[32])
{
    uint8_t mac_key[32];
    memset(f, 0, sizeof *f);
    e2e__vb_expand64(f->enc_key, mac_key, file_key, (const uint8_t *)VB_L_FILE,
                     sizeof VB_L_FILE - 1);
    e2e_hmac_sha256_init(&f->mac, mac_key, 32);
    e2e_md5_init(&f->md5);
    e2e_wipe(mac_key, sizeof mac_key);
}

int
e2e_viber_file_encrypt_init(struct e2e_viber_file_stream *f, const e2e_ctx *ctx,
                            uint8_t file_key[32])
{
    if (!f || !file_key)
        return E2E_ERR_INVALID;
    E2E_TRY(e2e_random(ctx, file_key, 32));
    e2e_viber_file_init(f, file_key);
    e2e_trace_hex(ctx, "viber file: fresh file key", file_key, 32);
    e2e_trace_hex(ctx, "viber file: EncKey = HKDF-Expand(file key, \"viber file\")[0..32)",
                  f->enc_key, 32);
    return E2E_OK;
}

/* XOR n bytes at the stream's offset: a partial first block, then whole blocks. */
static void
file_xor(const struct e2e_viber_file_stream *f, uint8_t *out, const uint8_t *in, size_t n)
{
    static const uint8_t nonce[8];
    uint64_t block = f->offset / 64;
    size_t skip = (size_t)(f->offset % 64);
    if (skip) {
        uint8_t ks[64] = {0};
        if (e2e_salsa20_xor(ks, ks, 64, nonce, block, f->enc_key, 32) != E2E_OK)
            memset(ks, 0, sizeof ks); /* cannot happen: the key is 32 bytes */
        size_t m = E2E_MIN(n, 64 - skip);
        for (size_t i = 0; i < m; i++)
            out[i] = (uint8_t)(in[i] ^ ks[skip + i]);
        e2e_wipe(ks, sizeof ks);
        out += m;
        in += m;
        n -= m;
        block++;
    }
    if (n && e2e_salsa20_xor(out, in, n, nonce, block, f->enc_key, 32) != E2E_OK)
        memset(out, 0, n);
}

int
e2e_viber_file_encrypt_update(struct e2e_viber_file_stream *f, uint8_t *out, const uint8_t *in,
                              size_t n)
{
    if (!f || (n && (!in || !out)))
        return E2E_ERR_INVALID;
    if (n > UINT64_MAX - f->offset)
        return E2E_ERR_LIMIT;
    file_xor(f, out, in, n);
    e2e_hmac_sha256_update(&f->mac, out, n);
    e2e_md5_update(&f->md5, out, n);
    f->offset += n;
    return E2E_OK;
}

void
e2e_viber_file_encrypt_final(struct e2e_viber_file_stream *f, uint8_t hmac[32], uint8_t md5[16])
{
    e2e_hmac_sha256_final(&f->mac, hmac);
    e2e_md5_final(&f->md5, md5);
    e2e_wipe(f, sizeof *f);
}

int
e2e_viber_file_decrypt_update(struct e2e_viber_file_stream *f, uint8_t *out, const uint8_t *in,
                              size_t n)
{
    if (!f || (n && !in))
        return E2E_ERR_INVALID;
    if (n > UINT64_MAX - f->offset)
        return E2E_ERR_LIMIT;
    e2e_hmac_sha256_update(&f->mac, in, n); /* before decrypting: out may be in */
    if (out)
        file_xor(f, out, in, n);
    f->offset += n;
    return E2E_OK;
}

int
e2e_viber_file_decrypt_final(struct e2e_viber_file_stream *f, const uint8_t hmac[32], uint64_t size,
                             struct e2e_report *why)
{
    uint8_t tag[32];
    e2e_report_clear(why);
    if (!f || !hmac)
        return E2E_ERR_INVALID;
    e2e_hmac_sha256_final(&f->mac, tag);
    uint64_t got = f->offset;
    int ok = e2e_ct_equal(tag, hmac, 32);
    e2e_wipe(f, sizeof *f);
    e2e_wipe(tag, sizeof tag);
    if (got != size)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "size",
                               "the file has %llu encrypted bytes, the message says %llu",
                               (unsigned long long)got, (unsigned long long)size);
    if (!ok)
        return e2e_report_fail(why, E2E_ERR_AUTH, "mac", "the file's HMAC does not verify");
    return E2E_OK;
}

/* ---- the file reference carried in a message ------------------------------------------------ */

int
e2e_viber_file_ref_encode(uint8_t *out, size_t cap, size_t *len, const struct e2e_viber_file_ref *r)
{
    struct e2e_writer w;
    if (!r || r->file_id_len == 0 || r->file_id_len > sizeof r->file_id)
        return E2E_ERR_INVALID;
    E2E_TRY(e2e__vb_serialize_begin(&w, out, cap, 2 + 1 + r->file_id_len + 32 + 8 + 32, len));
    e2e_write_u8(&w, VB_VERSION);
    e2e_write_u8(&w, VB_T_FILE_REF);
    e2e_write_u8(&w, (uint8_t)r->file_id_len);
    e2e_write_bytes(&w, r->file_id, r->file_id_len);
    e2e_write_bytes(&w, r->file_key, 32);
    e2e_write_u64_be(&w, r->size);
    e2e_write_bytes(&w, r->hmac, 32);
    return E2E_OK;
}

int
e2e_viber_file_ref_parse(struct e2e_viber_file_ref *r, const uint8_t *in, size_t len,
                         struct e2e_report *why)
{
    struct e2e_reader rd;
    e2e_report_clear(why);
    if (!r || (!in && len))
        return E2E_ERR_INVALID;
    memset(r, 0, sizeof *r);
    e2e_reader_init(&rd, in, len);
    E2E_TRY(e2e__vb_read_header(&rd, VB_T_FILE_REF, "file reference", why));
    r->file_id_len = e2e_read_u8(&rd);
    if (r->file_id_len == 0 || r->file_id_len > sizeof r->file_id)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "file-id", "file id of %zu bytes",
                               r->file_id_len);
    e2e_read_bytes(&rd, r->file_id, r->file_id_len);
    e2e_read_bytes(&rd, r->file_key, 32);
    r->size = e2e_read_u64_be(&rd);
    e2e_read_bytes(&rd, r->hmac, 32);
    if (e2e_reader_done(&rd) != E2E_OK) {
        e2e_wipe(r, sizeof *r);
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "length",
                               "file reference: truncated or trailing bytes");
    }
    return E2E_OK;
}
