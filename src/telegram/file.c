/*
 * Encrypted files (spec "end-to-end", files; reference/telegram.md 7): a random 32-byte key and
 * 32-byte IV per file, unrelated to the chat key; the whole file is one AES-256-IGE stream whose
 * IV state carries from part to part; the last part is padded to 16 bytes with random bytes
 * (the true size travels in the message media); key_fingerprint = LE32(d[0..4)) XOR
 * LE32(d[4..8)) with d = MD5(key || iv). Key and IV travel inside the end-to-end message, so a
 * stored file is forwarded to another chat by sending them again, without re-encrypting.
 */
#include <string.h>

#include <e2ekit/crypto.h>
#include <e2ekit/telegram.h>

#include "core/util.h"

int
e2e_tg_file_key_new(struct e2e_tg_file_key *k, const e2e_ctx *ctx)
{
    int rc = e2e_random(ctx, k->key, sizeof k->key);
    if (rc == E2E_OK)
        rc = e2e_random(ctx, k->iv, sizeof k->iv);
    if (rc != E2E_OK)
        e2e_wipe(k, sizeof *k);
    return rc;
}

int32_t
e2e_tg_file_fingerprint(const struct e2e_tg_file_key *k)
{
    uint8_t d[16];
    e2e_md5_ctx h;
    e2e_md5_init(&h);
    e2e_md5_update(&h, k->key, sizeof k->key);
    e2e_md5_update(&h, k->iv, sizeof k->iv);
    e2e_md5_final(&h, d);
    e2e_wipe(&h, sizeof h);
    return (int32_t)(e2e_load32_le(d) ^ e2e_load32_le(d + 4));
}

int
e2e_tg_file_stream_init(struct e2e_tg_file_stream *s, const struct e2e_tg_file_key *k, int decrypt)
{
    memset(s, 0, sizeof *s);
    E2E_TRY(e2e_aes_setkey(&s->aes, k->key, sizeof k->key));
    memcpy(s->iv, k->iv, sizeof s->iv);
    s->decrypt = decrypt != 0;
    return E2E_OK;
}

int
e2e_tg_file_stream_update(struct e2e_tg_file_stream *s, uint8_t *out, const uint8_t *in, size_t n)
{
    if (s->finished || n % 16)
        return E2E_ERR_INVALID;
    E2E_TRY(s->decrypt ? e2e_aes_ige_decrypt(&s->aes, s->iv, in, n, out)
                       : e2e_aes_ige_encrypt(&s->aes, s->iv, in, n, out));
    s->done += n;
    return E2E_OK;
}

int
e2e_tg_file_stream_final(struct e2e_tg_file_stream *s, const e2e_ctx *ctx, uint8_t *out, size_t cap,
                         size_t *out_len, const uint8_t *in, size_t n)
{
    if (s->finished || s->decrypt)
        return E2E_ERR_INVALID;
    size_t whole = n & ~(size_t)15, padded = (n + 15) & ~(size_t)15;
    if (cap < padded)
        return E2E_ERR_BUFFER;
    uint8_t last[16];
    memset(last, 0, sizeof last);
    memcpy(last, in + whole, n - whole); /* before out is written: out may equal in */
    E2E_TRY(e2e_random(ctx, last + (n - whole), (padded - n) ? 16 - (n - whole) : 0));
    E2E_TRY(e2e_tg_file_stream_update(s, out, in, whole));
    if (padded > whole)
        E2E_TRY(e2e_tg_file_stream_update(s, out + whole, last, 16));
    e2e_wipe(last, sizeof last);
    s->finished = 1;
    *out_len = padded;
    return E2E_OK;
}

void
e2e_tg_file_stream_wipe(struct e2e_tg_file_stream *s)
{
    e2e_wipe(s, sizeof *s);
}
