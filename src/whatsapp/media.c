/*
 * Media (attachment) encryption, reference/whatsapp.md §5 (wm download.go / upload.go):
 * HKDF(mediaKey, info, 112) -> iv, cipherKey, macKey, refKey; blob = AES-256-CBC-PKCS7 ||
 * HMAC-SHA256(macKey, iv || ciphertext)[0:10]; fileEncSHA256 over the blob, fileSHA256
 * over the plaintext. Streaming contexts keep memory constant; receiving is two passes
 * (verify, then decrypt) so that no plaintext leaves before the MAC was checked.
 */
#include <string.h>

#include <e2ekit/crypto.h>
#include <e2ekit/whatsapp.h>

#include "core/log.h"
#include "core/util.h"

#define TICKET_MAGIC 0x57414d56u /* "WAMV" */
#define HOLD_BACK    (16 + E2E_WA_MEDIA_MAC_LEN)

static const char *const media_info[E2E_WA_MEDIA_COUNT_] = {
    "WhatsApp Image Keys",        "WhatsApp Video Keys",
    "WhatsApp Audio Keys",        "WhatsApp Document Keys",
    "WhatsApp History Keys",      "WhatsApp App State Keys",
    "WhatsApp Sticker Pack Keys", "WhatsApp Link Thumbnail Keys",
    "WhatsApp Image Keys", /* stickers use the image keys (wm) */
};
static const char *const media_names[E2E_WA_MEDIA_COUNT_] = {
    "image",     "video",        "audio",          "document", "history",
    "app-state", "sticker-pack", "link-thumbnail", "sticker",
};

const char *
e2e_wa_media_info(int type)
{
    return type >= 0 && type < E2E_WA_MEDIA_COUNT_ ? media_info[type] : NULL;
}

const char *
e2e_wa_media_type_name(int type)
{
    return type >= 0 && type < E2E_WA_MEDIA_COUNT_ ? media_names[type] : NULL;
}

int
e2e_wa_media_type_from_name(const char *name)
{
    for (int i = 0; i < E2E_WA_MEDIA_COUNT_; i++)
        if (strcmp(name, media_names[i]) == 0)
            return i;
    return -1;
}

int
e2e_wa_media_derive(struct e2e_wa_media_keys *k, const uint8_t media_key[32], int type,
                    const e2e_ctx *ctx)
{
    const char *info = e2e_wa_media_info(type);
    uint8_t okm[112];
    if (!info)
        return E2E_ERR_INVALID;
    E2E_TRY(e2e_hkdf_sha256(okm, sizeof okm, NULL, 0, media_key, 32, (const uint8_t *)info,
                            strlen(info)));
    memcpy(k->iv, okm, 16);
    memcpy(k->cipher_key, okm + 16, 32);
    memcpy(k->mac_key, okm + 48, 32);
    memcpy(k->ref_key, okm + 80, 32);
    e2e_wipe(okm, sizeof okm);
    E2E_TRACE(ctx, "whatsapp media: HKDF(mediaKey, \"%s\", 112)", info);
    e2e_trace_hex(ctx, "  iv", k->iv, 16);
    e2e_trace_hex(ctx, "  cipherKey", k->cipher_key, 32);
    e2e_trace_hex(ctx, "  macKey", k->mac_key, 32);
    e2e_trace_hex(ctx, "  refKey", k->ref_key, 32);
    return E2E_OK;
}

/* ---- encrypting --------------------------------------------------------------------------- */

/* Derives the keys; sets the AES key and IV (when aes is given) and starts the MAC with the
 * IV. Only the expanded forms are kept; the derived bytes are wiped. */
static int
media_setup(e2e_aes_key *aes, uint8_t iv[16], e2e_hmac_sha256_ctx *mac, const uint8_t media_key[32],
            int type, const e2e_ctx *ctx)
{
    struct e2e_wa_media_keys k;
    int rc = e2e_wa_media_derive(&k, media_key, type, ctx);
    if (rc == E2E_OK && aes)
        rc = e2e_aes_setkey(aes, k.cipher_key, 32);
    if (rc == E2E_OK) {
        if (iv)
            memcpy(iv, k.iv, 16);
        e2e_hmac_sha256_init(mac, k.mac_key, 32);
        e2e_hmac_sha256_update(mac, k.iv, 16);
    }
    e2e_wipe(&k, sizeof k);
    return rc;
}

int
e2e_wa_media_enc_init(struct e2e_wa_media_enc *s, const uint8_t media_key[32], int type,
                      const e2e_ctx *ctx)
{
    memset(s, 0, sizeof *s);
    int rc = media_setup(&s->aes, s->iv, &s->mac, media_key, type, ctx);
    if (rc != E2E_OK) {
        e2e_wipe(s, sizeof *s);
        return rc;
    }
    e2e_sha256_init(&s->sha_blob);
    e2e_sha256_init(&s->sha_pt);
    return E2E_OK;
}

/* CBC-encrypt whole blocks and account for the ciphertext. */
static int
enc_blocks(struct e2e_wa_media_enc *s, const uint8_t *in, size_t n, uint8_t *out)
{
    if (!n)
        return E2E_OK;
    E2E_TRY(e2e_aes_cbc_encrypt(&s->aes, s->iv, in, n, out));
    e2e_hmac_sha256_update(&s->mac, out, n);
    e2e_sha256_update(&s->sha_blob, out, n);
    return E2E_OK;
}

int
e2e_wa_media_enc_update(struct e2e_wa_media_enc *s, uint8_t *out, size_t cap, size_t *len,
                        const uint8_t *in, size_t n)
{
    size_t produce = (s->buf_len + n) / 16 * 16, done = 0;
    if (cap < produce)
        return E2E_ERR_BUFFER;
    e2e_sha256_update(&s->sha_pt, in, n);
    s->total += n;
    if (s->buf_len && s->buf_len + n >= 16) {
        size_t t = 16 - s->buf_len;
        memcpy(s->buf + s->buf_len, in, t);
        E2E_TRY(enc_blocks(s, s->buf, 16, out));
        in += t;
        n -= t;
        done = 16;
        s->buf_len = 0;
    }
    size_t whole = s->buf_len ? 0 : n / 16 * 16;
    E2E_TRY(enc_blocks(s, in, whole, out + done));
    memcpy(s->buf + s->buf_len, in + whole, n - whole);
    s->buf_len += n - whole;
    *len = done + whole;
    return E2E_OK;
}

int
e2e_wa_media_enc_final(struct e2e_wa_media_enc *s, uint8_t *out, size_t cap, size_t *len,
                       uint8_t file_sha256[32], uint8_t file_enc_sha256[32])
{
    uint8_t mac[32];
    if (cap < 16 + E2E_WA_MEDIA_MAC_LEN)
        return E2E_ERR_BUFFER;
    uint8_t pad = (uint8_t)(16 - s->buf_len);
    memset(s->buf + s->buf_len, pad, pad);
    E2E_TRY(enc_blocks(s, s->buf, 16, out));
    e2e_hmac_sha256_final(&s->mac, mac);
    memcpy(out + 16, mac, E2E_WA_MEDIA_MAC_LEN);
    e2e_sha256_update(&s->sha_blob, mac, E2E_WA_MEDIA_MAC_LEN);
    e2e_sha256_final(&s->sha_blob, file_enc_sha256);
    e2e_sha256_final(&s->sha_pt, file_sha256);
    *len = 16 + E2E_WA_MEDIA_MAC_LEN;
    e2e_wipe(mac, sizeof mac);
    e2e_wipe(s, sizeof *s);
    return E2E_OK;
}

void
e2e_wa_media_enc_abort(struct e2e_wa_media_enc *s)
{
    e2e_wipe(s, sizeof *s);
}

int
e2e_wa_media_encrypt(uint8_t *blob, size_t cap, size_t *len, uint8_t file_sha256[32],
                     uint8_t file_enc_sha256[32], const uint8_t *pt, size_t n,
                     const uint8_t media_key[32], int type, const e2e_ctx *ctx)
{
    struct e2e_wa_media_enc s;
    size_t a, b;
    if (cap < e2e_wa_media_blob_len(n))
        return E2E_ERR_BUFFER;
    E2E_TRY(e2e_wa_media_enc_init(&s, media_key, type, ctx));
    int rc = e2e_wa_media_enc_update(&s, blob, cap, &a, pt, n);
    if (rc == E2E_OK)
        rc = e2e_wa_media_enc_final(&s, blob + a, cap - a, &b, file_sha256, file_enc_sha256);
    if (rc != E2E_OK) {
        e2e_wa_media_enc_abort(&s);
        return rc;
    }
    *len = a + b;
    return E2E_OK;
}

/* ---- pass 1: verifying -------------------------------------------------------------------- */

int
e2e_wa_media_verifier_init(struct e2e_wa_media_verifier *v, const uint8_t media_key[32], int type,
                           const e2e_ctx *ctx)
{
    memset(v, 0, sizeof *v);
    E2E_TRY(media_setup(NULL, NULL, &v->mac, media_key, type, ctx));
    e2e_sha256_init(&v->sha_blob);
    return E2E_OK;
}

void
e2e_wa_media_verifier_update(struct e2e_wa_media_verifier *v, const uint8_t *in, size_t n)
{
    size_t all = v->tail_len + n;
    e2e_sha256_update(&v->sha_blob, in, n);
    v->total += n;
    if (all <= E2E_WA_MEDIA_MAC_LEN) {
        memcpy(v->tail + v->tail_len, in, n);
        v->tail_len = all;
        return;
    }
    /* everything but the last 10 bytes of the stream so far is ciphertext: MAC it */
    size_t emit = all - E2E_WA_MEDIA_MAC_LEN;
    size_t from_tail = E2E_MIN(emit, v->tail_len), from_in = emit - from_tail;
    uint8_t nt[E2E_WA_MEDIA_MAC_LEN];
    e2e_hmac_sha256_update(&v->mac, v->tail, from_tail);
    e2e_hmac_sha256_update(&v->mac, in, from_in);
    size_t keep = v->tail_len - from_tail;
    memcpy(nt, v->tail + from_tail, keep);
    memcpy(nt + keep, in + from_in, n - from_in);
    memcpy(v->tail, nt, E2E_WA_MEDIA_MAC_LEN);
    v->tail_len = E2E_WA_MEDIA_MAC_LEN;
}

int
e2e_wa_media_verifier_final(struct e2e_wa_media_verifier *v, struct e2e_wa_media_verified *ticket,
                            const uint8_t file_enc_sha256[32], struct e2e_report *why)
{
    uint8_t h[32], mac[32];
    int rc = E2E_OK;
    uint64_t total = v->total;
    e2e_sha256_final(&v->sha_blob, h);
    e2e_hmac_sha256_final(&v->mac, mac);
    if (total <= E2E_WA_MEDIA_MAC_LEN)
        rc = e2e_report_fail(why, E2E_ERR_MALFORMED, "length",
                             "a blob of %llu bytes cannot hold ciphertext and a 10-byte MAC",
                             (unsigned long long)total);
    else if (!e2e_ct_equal(h, file_enc_sha256, 32))
        rc = e2e_report_fail(why, E2E_ERR_VERIFY, "file-enc-sha256",
                             "SHA-256 of the blob differs from fileEncSHA256");
    else if (!e2e_ct_equal(mac, v->tail, E2E_WA_MEDIA_MAC_LEN))
        rc = e2e_report_fail(why, E2E_ERR_AUTH, "mac", "the blob's 10-byte MAC does not verify");
    else if ((total - E2E_WA_MEDIA_MAC_LEN) % 16 != 0)
        rc = e2e_report_fail(why, E2E_ERR_MALFORMED, "length",
                             "the ciphertext is not whole AES blocks");
    if (rc == E2E_OK) {
        memcpy(ticket->mac, mac, E2E_WA_MEDIA_MAC_LEN);
        ticket->blob_len = total;
        ticket->magic_ = TICKET_MAGIC;
    }
    e2e_wipe(mac, sizeof mac);
    e2e_wipe(v, sizeof *v);
    return rc;
}

/* ---- pass 2: decrypting ------------------------------------------------------------------- */

int
e2e_wa_media_dec_init(struct e2e_wa_media_dec *s, const uint8_t media_key[32], int type,
                      const struct e2e_wa_media_verified *ticket, const e2e_ctx *ctx)
{
    memset(s, 0, sizeof *s);
    if (!ticket || ticket->magic_ != TICKET_MAGIC)
        return E2E_ERR_STATE;
    int rc = media_setup(&s->aes, s->iv, &s->mac, media_key, type, ctx);
    if (rc != E2E_OK) {
        e2e_wipe(s, sizeof *s);
        return rc;
    }
    e2e_sha256_init(&s->sha_pt);
    s->ticket = *ticket;
    s->remac_ = 1;
    return E2E_OK;
}

static int
dec_blocks(struct e2e_wa_media_dec *s, const uint8_t *in, size_t n, uint8_t *out)
{
    if (!n)
        return E2E_OK;
    if (s->remac_)
        e2e_hmac_sha256_update(&s->mac, in, n); /* before decrypting: out may equal in */
    E2E_TRY(e2e_aes_cbc_decrypt(&s->aes, s->iv, in, n, out));
    e2e_sha256_update(&s->sha_pt, out, n);
    return E2E_OK;
}

int
e2e_wa_media_dec_update(struct e2e_wa_media_dec *s, uint8_t *out, size_t cap, size_t *len,
                        const uint8_t *in, size_t n)
{
    size_t h = s->hold_len, all = h + n;
    size_t r = all >= HOLD_BACK + 16 ? (all - HOLD_BACK) / 16 * 16 : 0;
    if (cap < r)
        return E2E_ERR_BUFFER;
    s->total += n;
    if (r <= h) { /* release from the held bytes only */
        E2E_TRY(dec_blocks(s, s->hold, r, out));
        memmove(s->hold, s->hold + r, h - r);
        memcpy(s->hold + h - r, in, n);
        s->hold_len = h - r + n;
        *len = r;
        return E2E_OK;
    }
    size_t t = (16 - h % 16) % 16; /* top the held bytes up to whole blocks */
    memcpy(s->hold + h, in, t);
    E2E_TRY(dec_blocks(s, s->hold, h + t, out));
    E2E_TRY(dec_blocks(s, in + t, r - h - t, out + h + t));
    s->hold_len = all - r;
    memcpy(s->hold, in + (r - h), s->hold_len);
    *len = r;
    return E2E_OK;
}

static int
dec_last_block(struct e2e_wa_media_dec *s, uint8_t *out, size_t cap, size_t *len,
               struct e2e_report *why)
{
    uint8_t blk[16], mac[32];
    const uint8_t *tag = s->hold + 16;
    e2e_hmac_sha256_update(&s->mac, s->hold, 16);
    e2e_hmac_sha256_final(&s->mac, mac);
    int same = e2e_ct_equal(tag, s->ticket.mac, E2E_WA_MEDIA_MAC_LEN);
    if (s->remac_)
        same &= e2e_ct_equal(mac, s->ticket.mac, E2E_WA_MEDIA_MAC_LEN);
    e2e_wipe(mac, sizeof mac);
    if (!same || s->total != s->ticket.blob_len)
        return e2e_report_fail(why, E2E_ERR_AUTH, "blob-changed",
                               "the blob read for decryption is not the one verified: discard "
                               "the plaintext released");
    E2E_TRY(e2e_aes_cbc_decrypt(&s->aes, s->iv, s->hold, 16, blk));
    unsigned pad = blk[15], diff = 0;
    for (unsigned i = 0; i < 16; i++)
        diff |= (i >= 16 - pad) & (blk[i] != pad);
    if (pad < 1 || pad > 16 || diff) {
        e2e_wipe(blk, sizeof blk);
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "padding", "bad PKCS#7 padding");
    }
    if (cap < 16u - pad) {
        e2e_wipe(blk, sizeof blk);
        return E2E_ERR_BUFFER;
    }
    memcpy(out, blk, 16 - pad);
    e2e_sha256_update(&s->sha_pt, blk, 16 - pad);
    *len = 16 - pad;
    e2e_wipe(blk, sizeof blk);
    return E2E_OK;
}

int
e2e_wa_media_dec_final(struct e2e_wa_media_dec *s, uint8_t *out, size_t cap, size_t *len,
                       const uint8_t *file_sha256, struct e2e_report *why)
{
    uint8_t h[32];
    int rc;
    if (s->hold_len != HOLD_BACK)
        rc = e2e_report_fail(why, E2E_ERR_MALFORMED, "length",
                             "the blob is not whole AES blocks plus a 10-byte MAC");
    else
        rc = dec_last_block(s, out, cap, len, why);
    if (rc == E2E_OK) {
        e2e_sha256_final(&s->sha_pt, h);
        if (file_sha256 && !e2e_ct_equal(h, file_sha256, 32)) {
            e2e_wipe(out, *len);
            rc = e2e_report_fail(why, E2E_ERR_VERIFY, "file-sha256",
                                 "SHA-256 of the plaintext differs from fileSHA256");
        }
    }
    e2e_wipe(s, sizeof *s);
    return rc;
}

void
e2e_wa_media_dec_abort(struct e2e_wa_media_dec *s)
{
    e2e_wipe(s, sizeof *s);
}

int
e2e_wa_media_decrypt(uint8_t *pt, size_t cap, size_t *len, const uint8_t *blob, size_t n,
                     const uint8_t file_enc_sha256[32], const uint8_t *file_sha256,
                     const uint8_t media_key[32], int type, const e2e_ctx *ctx,
                     struct e2e_report *why)
{
    struct e2e_wa_media_verifier v;
    struct e2e_wa_media_verified ticket;
    struct e2e_wa_media_dec d;
    size_t a = 0, b = 0;
    E2E_TRY(e2e_wa_media_verifier_init(&v, media_key, type, ctx));
    e2e_wa_media_verifier_update(&v, blob, n);
    E2E_TRY(e2e_wa_media_verifier_final(&v, &ticket, file_enc_sha256, why));
    if (cap < n - E2E_WA_MEDIA_MAC_LEN - 1)
        return E2E_ERR_BUFFER; /* the plaintext is at most this long */
    E2E_TRY(e2e_wa_media_dec_init(&d, media_key, type, &ticket, ctx));
    /* one buffer, read twice in this call: pass 1's MAC holds for pass 2 (the caller must not
     * change `blob` meanwhile), so the MAC is not computed a second time */
    d.remac_ = 0;
    int rc = e2e_wa_media_dec_update(&d, pt, cap, &a, blob, n);
    if (rc == E2E_OK)
        rc = e2e_wa_media_dec_final(&d, pt + a, cap - a, &b, file_sha256, why);
    else
        e2e_wa_media_dec_abort(&d);
    if (rc != E2E_OK) {
        e2e_wipe(pt, a + b);
        return rc;
    }
    *len = a + b;
    return E2E_OK;
}
