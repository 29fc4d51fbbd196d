/*
 * MTProto end-to-end message encryption (reference/telegram.md 1.3, 2): key fingerprint and
 * visualisation, MTProto 2.0 (SHA-256 msg_key over the padded plaintext, KDF2, AES-256-IGE) and
 * the receive-only MTProto 1.0 fallback (SHA-1 msg_key without padding, the SHA-1 KDF).
 */
#include <string.h>

#include <e2ekit/crypto.h>
#include <e2ekit/telegram.h>

#include "core/log.h"
#include "core/util.h"
#include "telegram/internal.h"

/* ---- keys ---------------------------------------------------------------------------------- */

void
e2e_tg_key_id(uint8_t id[8], const uint8_t key[E2E_TG_KEY_BYTES])
{
    uint8_t h[20];
    e2e_sha1(h, key, E2E_TG_KEY_BYTES);
    memcpy(id, h + 12, 8);
}

int64_t
e2e_tg_key_fingerprint(const uint8_t key[E2E_TG_KEY_BYTES])
{
    uint8_t id[8];
    e2e_tg_key_id(id, key);
    return (int64_t)e2e_load64_le(id);
}

void
e2e_tg_key_visualization(uint8_t out[36], const uint8_t initial_key[E2E_TG_KEY_BYTES],
                         const uint8_t layer46_key[E2E_TG_KEY_BYTES])
{
    uint8_t h1[20], h2[32];
    e2e_sha1(h1, initial_key, E2E_TG_KEY_BYTES);
    e2e_sha256(h2, layer46_key, E2E_TG_KEY_BYTES);
    memcpy(out, h1, 16);
    memcpy(out + 16, h2, 20);
}

/* ---- KDFs ---------------------------------------------------------------------------------- */

void
e2e_tg_mtp2_kdf(uint8_t aes_key[32], uint8_t aes_iv[32], const uint8_t key[E2E_TG_KEY_BYTES],
                const uint8_t msg_key[16], int x)
{
    uint8_t a[32], b[32];
    e2e_sha256_ctx h;
    e2e_sha256_init(&h);
    e2e_sha256_update(&h, msg_key, 16);
    e2e_sha256_update(&h, key + x, 36);
    e2e_sha256_final(&h, a);
    e2e_sha256_init(&h);
    e2e_sha256_update(&h, key + 40 + x, 36);
    e2e_sha256_update(&h, msg_key, 16);
    e2e_sha256_final(&h, b);
    memcpy(aes_key, a, 8);
    memcpy(aes_key + 8, b + 8, 16);
    memcpy(aes_key + 24, a + 24, 8);
    memcpy(aes_iv, b, 8);
    memcpy(aes_iv + 8, a + 8, 16);
    memcpy(aes_iv + 24, b + 24, 8);
    e2e_wipe(a, sizeof a);
    e2e_wipe(b, sizeof b);
}

static void
sha1_parts(uint8_t out[20], const uint8_t *p1, size_t n1, const uint8_t *p2, size_t n2,
           const uint8_t *p3, size_t n3)
{
    e2e_sha1_ctx h;
    e2e_sha1_init(&h);
    e2e_sha1_update(&h, p1, n1);
    e2e_sha1_update(&h, p2, n2);
    e2e_sha1_update(&h, p3, n3);
    e2e_sha1_final(&h, out);
    e2e_wipe(&h, sizeof h);
}

void
e2e_tg_mtp1_kdf(uint8_t aes_key[32], uint8_t aes_iv[32], const uint8_t key[E2E_TG_KEY_BYTES],
                const uint8_t msg_key[16], int x)
{
    uint8_t a[20], b[20], c[20], d[20];
    sha1_parts(a, msg_key, 16, key + x, 32, NULL, 0);
    sha1_parts(b, key + 32 + x, 16, msg_key, 16, key + 48 + x, 16);
    sha1_parts(c, key + 64 + x, 32, msg_key, 16, NULL, 0);
    sha1_parts(d, msg_key, 16, key + 96 + x, 32, NULL, 0);
    memcpy(aes_key, a, 8);
    memcpy(aes_key + 8, b + 8, 12);
    memcpy(aes_key + 20, c + 4, 12);
    memcpy(aes_iv, a + 8, 12);
    memcpy(aes_iv + 12, b, 8);
    memcpy(aes_iv + 20, c + 16, 4);
    memcpy(aes_iv + 24, d, 8);
    e2e_wipe(a, sizeof a);
    e2e_wipe(b, sizeof b);
    e2e_wipe(c, sizeof c);
    e2e_wipe(d, sizeof d);
}

/* ---- MTProto 2.0 --------------------------------------------------------------------------- */

size_t
e2e_tg_mtp2_padded_size(size_t tl_len)
{
    static const size_t buckets[] = {64, 128, 192, 256, 384, 512, 768, 1024, 1280};
    size_t s = (4 + tl_len + 12 + 15) & ~(size_t)15;
    for (size_t i = 0; i < E2E_ARRAY_LEN(buckets); i++)
        if (s <= buckets[i])
            return buckets[i];
    return 1280 + (s - 1280 + 447) / 448 * 448;
}

int
e2e__tg_mtp2_framing_ok(const uint8_t *plain, size_t n)
{
    if (n < 16 || n % 16)
        return 0;
    uint32_t len = e2e_load32_le(plain);
    if (len % 4 || len > n - 4)
        return 0;
    size_t pad = n - 4 - len;
    return pad >= 12 && pad <= 1024;
}

static void
msg_key_v2(uint8_t msg_key[16], const uint8_t key[256], int x, const uint8_t *plain, size_t n)
{
    uint8_t large[32];
    e2e_sha256_ctx h;
    e2e_sha256_init(&h);
    e2e_sha256_update(&h, key + 88 + x, 32);
    e2e_sha256_update(&h, plain, n);
    e2e_sha256_final(&h, large);
    memcpy(msg_key, large + 8, 16);
    e2e_wipe(large, sizeof large);
}

static void
trace_keys(const e2e_ctx *ctx, const char *what, const uint8_t msg_key[16],
           const uint8_t aes_key[32], const uint8_t aes_iv[32])
{
    if (!e2e_log_enabled(ctx, E2E_LOG_TRACE))
        return;
    E2E_TRACE(ctx, "%s", what);
    e2e_trace_hex(ctx, "  msg_key", msg_key, 16);
    e2e_trace_hex(ctx, "  aes_key", aes_key, 32);
    e2e_trace_hex(ctx, "  aes_iv", aes_iv, 32);
}

void
e2e__tg_mtp2_seal(const e2e_ctx *ctx, uint8_t *out, const uint8_t key[256], const uint8_t key_id[8],
                  int x, const uint8_t *plain, size_t n)
{
    uint8_t aes_key[32], aes_iv[32];
    e2e_aes_key k;
    memcpy(out, key_id, 8);
    msg_key_v2(out + 8, key, x, plain, n);
    e2e_tg_mtp2_kdf(aes_key, aes_iv, key, out + 8, x);
    trace_keys(ctx, "mtproto2 encrypt: msg_key = SHA256(key[88+x..] || plaintext)[8..24)", out + 8,
               aes_key, aes_iv);
    /* setkey and IGE cannot fail for a 32-byte key and whole blocks (checked by callers) */
    if (e2e_aes_setkey_enc(&k, aes_key, 32) != E2E_OK ||
        e2e_aes_ige_encrypt(&k, aes_iv, plain, n, out + 24) != E2E_OK)
        memset(out, 0, n + 24);
    e2e_wipe(&k, sizeof k);
    e2e_wipe(aes_key, sizeof aes_key);
    e2e_wipe(aes_iv, sizeof aes_iv);
}

int
e2e_tg_mtp2_encrypt(const e2e_ctx *ctx, uint8_t *out, const uint8_t key[E2E_TG_KEY_BYTES], int x,
                    const uint8_t *plain, size_t n)
{
    if ((x != 0 && x != 8) || !e2e__tg_mtp2_framing_ok(plain, n))
        return E2E_ERR_INVALID;
    uint8_t id[8];
    e2e_tg_key_id(id, key);
    e2e__tg_mtp2_seal(ctx, out, key, id, x, plain, n);
    return E2E_OK;
}

/* Up to four jobs: the hashes message by message, then the IGE chains interleaved. */
#define MANY_GROUP 4
static void
seal_group(const e2e_ctx *ctx, const struct e2e_tg_mtp2_job *j, size_t m)
{
    struct e2e_aes_ige_job ige[MANY_GROUP];
    uint8_t aes_key[32], aes_iv[MANY_GROUP][32];
    e2e_aes_key k[MANY_GROUP];
    for (size_t i = 0; i < m; i++) {
        uint8_t *msg_key = j[i].out + 8;
        memcpy(j[i].out, j[i].key_id, 8);
        msg_key_v2(msg_key, j[i].key, j[i].x, j[i].plain, j[i].n);
        e2e_tg_mtp2_kdf(aes_key, aes_iv[i], j[i].key, msg_key, j[i].x);
        trace_keys(ctx, "mtproto2 encrypt (batched): msg_key = SHA256(key[88+x..] || plaintext)",
                   msg_key, aes_key, aes_iv[i]);
        /* cannot fail: a 32-byte key */
        if (e2e_aes_setkey_enc(&k[i], aes_key, 32) != E2E_OK)
            memset(&k[i], 0, sizeof k[i]);
        ige[i] = (struct e2e_aes_ige_job){&k[i], aes_iv[i], j[i].plain, j[i].out + 24, j[i].n};
    }
    /* cannot fail: whole blocks, checked by the caller */
    if (e2e_aes_ige_encrypt_many(ige, m) != E2E_OK)
        for (size_t i = 0; i < m; i++)
            memset(j[i].out, 0, j[i].n + 24);
    e2e_wipe(aes_key, sizeof aes_key);
    e2e_wipe(aes_iv, sizeof aes_iv);
    e2e_wipe(k, sizeof k);
}

int
e2e_tg_mtp2_encrypt_many(const e2e_ctx *ctx, const struct e2e_tg_mtp2_job *jobs, size_t count)
{
    if (count && !jobs)
        return E2E_ERR_INVALID;
    for (size_t i = 0; i < count; i++)
        if (!jobs[i].key || !jobs[i].key_id || !jobs[i].out ||
            (jobs[i].x != 0 && jobs[i].x != 8) ||
            !e2e__tg_mtp2_framing_ok(jobs[i].plain, jobs[i].n))
            return E2E_ERR_INVALID;
    for (size_t i = 0; i < count; i += MANY_GROUP)
        seal_group(ctx, jobs + i, E2E_MIN((size_t)MANY_GROUP, count - i));
    return E2E_OK;
}

static int
check_size(const uint8_t *msg, size_t n, size_t min, struct e2e_report *why)
{
    (void)msg;
    if (n < min || (n - 24) % 16)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "size",
                               "%zu bytes: needs at least %zu, and whole 16-byte blocks after the "
                               "24-byte header",
                               n, min);
    return E2E_OK;
}

/* The authenticated framing of a decrypted 2.0 plaintext. */
static int
check_framing(const uint8_t *plain, size_t n, size_t *tl_len, struct e2e_report *why)
{
    uint32_t len = e2e_load32_le(plain);
    if (len % 4 || len > n - 4)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "length",
                               "length prefix %u does not fit %zu bytes of plaintext in whole "
                               "words",
                               len, n);
    size_t pad = n - 4 - len;
    if (pad < 12 || pad > 1024)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "padding",
                               "%zu padding bytes, outside 12..1024", pad);
    *tl_len = len;
    return E2E_OK;
}

int
e2e__tg_mtp2_unseal(const e2e_ctx *ctx, uint8_t *out, const uint8_t key[256], int x,
                    const uint8_t *msg, size_t n, struct e2e_report *why)
{
    E2E_TRY(check_size(msg, n, 40, why));
    uint8_t aes_key[32], aes_iv[32], mk[16];
    e2e_aes_key k;
    size_t pn = n - 24;
    e2e_tg_mtp2_kdf(aes_key, aes_iv, key, msg + 8, x);
    trace_keys(ctx, "mtproto2 decrypt: KDF2 from the received msg_key", msg + 8, aes_key, aes_iv);
    int rc = e2e_aes_setkey(&k, aes_key, 32);
    if (rc == E2E_OK)
        rc = e2e_aes_ige_decrypt(&k, aes_iv, msg + 24, pn, out);
    e2e_wipe(&k, sizeof k);
    e2e_wipe(aes_key, sizeof aes_key);
    e2e_wipe(aes_iv, sizeof aes_iv);
    if (rc != E2E_OK)
        return rc;
    msg_key_v2(mk, key, x, out, pn);
    e2e_trace_hex(ctx, "  msg_key recomputed", mk, 16);
    if (!e2e_ct_equal(mk, msg + 8, 16)) {
        e2e_wipe(out, pn);
        return e2e_report_fail(why, E2E_ERR_AUTH, "msg_key",
                               "msg_key differs from SHA256(key[88+%d..] || plaintext)[8..24)", x);
    }
    return E2E_OK;
}

int
e2e__tg_mtp2_open(const e2e_ctx *ctx, uint8_t *out, size_t *tl_len, const uint8_t key[256], int x,
                  const uint8_t *msg, size_t n, struct e2e_report *why)
{
    E2E_TRY(e2e__tg_mtp2_unseal(ctx, out, key, x, msg, n, why));
    int rc = check_framing(out, n - 24, tl_len, why);
    if (rc != E2E_OK)
        e2e_wipe(out, n - 24);
    return rc;
}

static int
check_key_id(const uint8_t key[256], const uint8_t *msg, struct e2e_report *why)
{
    uint8_t id[8];
    e2e_tg_key_id(id, key);
    if (memcmp(id, msg, 8) != 0)
        return e2e_report_fail(why, E2E_ERR_NO_SESSION, "fingerprint",
                               "the message's key id is not this key's fingerprint");
    return E2E_OK;
}

int
e2e_tg_mtp2_decrypt(const e2e_ctx *ctx, uint8_t *out, size_t *tl_len,
                    const uint8_t key[E2E_TG_KEY_BYTES], int x, const uint8_t *msg, size_t n,
                    struct e2e_report *why)
{
    if (x != 0 && x != 8)
        return E2E_ERR_INVALID;
    E2E_TRY(check_size(msg, n, 40, why));
    E2E_TRY(check_key_id(key, msg, why));
    return e2e__tg_mtp2_open(ctx, out, tl_len, key, x, msg, n, why);
}

/* ---- MTProto 1.0 --------------------------------------------------------------------------- */

static void
msg_key_v1(uint8_t msg_key[16], const uint8_t *plain, size_t len)
{
    uint8_t h[20];
    e2e_sha1(h, plain, 4 + len);
    memcpy(msg_key, h + 4, 16);
    e2e_wipe(h, sizeof h);
}

int
e2e_tg_mtp1_encrypt(const e2e_ctx *ctx, uint8_t *out, const uint8_t key[E2E_TG_KEY_BYTES],
                    const uint8_t *plain, size_t n)
{
    if (n < 16 || n % 16)
        return E2E_ERR_INVALID;
    uint32_t len = e2e_load32_le(plain);
    if (len % 4 || len > n - 4 || n - 4 - len > 15)
        return E2E_ERR_INVALID;
    uint8_t aes_key[32], aes_iv[32];
    e2e_aes_key k;
    e2e_tg_key_id(out, key);
    msg_key_v1(out + 8, plain, len);
    e2e_tg_mtp1_kdf(aes_key, aes_iv, key, out + 8, 0);
    trace_keys(ctx, "mtproto1 encrypt: msg_key = SHA1(length || TL)[4..20)", out + 8, aes_key,
               aes_iv);
    int rc = e2e_aes_setkey(&k, aes_key, 32);
    if (rc == E2E_OK)
        rc = e2e_aes_ige_encrypt(&k, aes_iv, plain, n, out + 24);
    e2e_wipe(&k, sizeof k);
    e2e_wipe(aes_key, sizeof aes_key);
    e2e_wipe(aes_iv, sizeof aes_iv);
    return rc;
}

int
e2e__tg_mtp1_open(const e2e_ctx *ctx, uint8_t *out, size_t *tl_len, const uint8_t key[256],
                  const uint8_t *msg, size_t n, struct e2e_report *why)
{
    E2E_TRY(check_size(msg, n, 40, why));
    uint8_t aes_key[32], aes_iv[32], mk[16];
    e2e_aes_key k;
    size_t pn = n - 24;
    e2e_tg_mtp1_kdf(aes_key, aes_iv, key, msg + 8, 0);
    trace_keys(ctx, "mtproto1 decrypt: SHA-1 KDF from the received msg_key", msg + 8, aes_key,
               aes_iv);
    int rc = e2e_aes_setkey(&k, aes_key, 32);
    if (rc == E2E_OK)
        rc = e2e_aes_ige_decrypt(&k, aes_iv, msg + 24, pn, out);
    e2e_wipe(&k, sizeof k);
    e2e_wipe(aes_key, sizeof aes_key);
    e2e_wipe(aes_iv, sizeof aes_iv);
    if (rc != E2E_OK)
        return rc;
    /* msg_key covers only length || TL, so the length must be plausible before it can be
     * checked; an implausible one cannot be authentic. */
    uint32_t len = e2e_load32_le(out);
    int ok = len % 4 == 0 && len <= pn - 4 && pn - 4 - len <= 15;
    if (ok) {
        msg_key_v1(mk, out, len);
        ok = e2e_ct_equal(mk, msg + 8, 16);
    }
    if (!ok) {
        e2e_wipe(out, pn);
        return e2e_report_fail(why, E2E_ERR_AUTH, "msg_key",
                               "MTProto 1.0: msg_key differs from SHA1(length || TL)[4..20)");
    }
    *tl_len = len;
    return E2E_OK;
}

int
e2e_tg_mtp1_decrypt(const e2e_ctx *ctx, uint8_t *out, size_t *tl_len,
                    const uint8_t key[E2E_TG_KEY_BYTES], const uint8_t *msg, size_t n,
                    struct e2e_report *why)
{
    E2E_TRY(check_size(msg, n, 40, why));
    E2E_TRY(check_key_id(key, msg, why));
    return e2e__tg_mtp1_open(ctx, out, tl_len, key, msg, n, why);
}
