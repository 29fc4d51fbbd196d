/*
 * Benchmarks of the telegram suite, each next to its baseline in the same run:
 *   - the MTProto 2.0 message formula at 1 KiB against the same formula written here on
 *     OpenSSL's SHA256_* and AES_set_encrypt_key + AES_ige_encrypt (what a C client without
 *     its own IGE gets), and decrypt + verify against our own encrypt;
 *   - the secret chat's whole send and receive paths, and their allocations per message;
 *   - a 1200-byte call packet protected and unprotected, next to AES-256-CTR alone;
 *   - the DH the suite runs (chat creation, re-key, call exchange) and the first-time
 *     parameter check against the cached one.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <stdlib.h>
#include <string.h>

#include <openssl/aes.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <e2ekit/telegram.h>

#include "bench.h"
#include "core/util.h"
#include "telegram/chat.h"
#include "telegram/internal.h"

#define MSG 1024 /* padded plaintext: 4-byte length + TL + padding */

struct msg_arg {
    uint8_t key[256], id[8];
    uint8_t plain[MSG], wire[MSG + 24], out[MSG + 24];
    uint8_t batch_out[4][MSG + 24];
};

/* ---- the baseline: MTProto 2.0 on OpenSSL's own calls -------------------------------------- */

static void
ossl_sha256(uint8_t out[32], const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    SHA256_CTX c;
    SHA256_Init(&c);
    SHA256_Update(&c, a, an);
    SHA256_Update(&c, b, bn);
    SHA256_Final(out, &c);
}

static void
ossl_kdf2(uint8_t aes_key[32], uint8_t aes_iv[32], const uint8_t *key, const uint8_t *mk, int x)
{
    uint8_t a[32], b[32];
    ossl_sha256(a, mk, 16, key + x, 36);
    ossl_sha256(b, key + 40 + x, 36, mk, 16);
    memcpy(aes_key, a, 8);
    memcpy(aes_key + 8, b + 8, 16);
    memcpy(aes_key + 24, a + 24, 8);
    memcpy(aes_iv, b, 8);
    memcpy(aes_iv + 8, a + 8, 16);
    memcpy(aes_iv + 24, b + 24, 8);
}

static void
ossl_encrypt(uint8_t *out, const uint8_t *key, const uint8_t id[8], int x, const uint8_t *plain,
             size_t n)
{
    uint8_t large[32], aes_key[32], aes_iv[32];
    AES_KEY k;
    memcpy(out, id, 8);
    ossl_sha256(large, key + 88 + x, 32, plain, n);
    memcpy(out + 8, large + 8, 16);
    ossl_kdf2(aes_key, aes_iv, key, out + 8, x);
    AES_set_encrypt_key(aes_key, 256, &k);
    AES_ige_encrypt(plain, out + 24, n, &k, aes_iv, AES_ENCRYPT);
}

static int
ossl_decrypt(uint8_t *out, const uint8_t *key, int x, const uint8_t *msg, size_t n)
{
    uint8_t large[32], aes_key[32], aes_iv[32];
    AES_KEY k;
    ossl_kdf2(aes_key, aes_iv, key, msg + 8, x);
    AES_set_decrypt_key(aes_key, 256, &k);
    AES_ige_encrypt(msg + 24, out, n - 24, &k, aes_iv, AES_DECRYPT);
    ossl_sha256(large, key + 88 + x, 32, out, n - 24);
    return CRYPTO_memcmp(large + 8, msg + 8, 16) == 0;
}

static void
b_ours_encrypt(void *arg, uint64_t iters)
{
    struct msg_arg *a = arg;
    while (iters--) {
        e2e__tg_mtp2_seal(NULL, a->out, a->key, a->id, 0, a->plain, MSG);
        bench_consume(a->out + MSG, 8);
    }
}

/* four messages per call (an outbox, or a bot writing to four chats): per-message time is
 * the call's time / 4, so each iteration here is one quarter of a call */
static void
b_ours_encrypt_four(void *arg, uint64_t iters)
{
    struct msg_arg *a = arg;
    struct e2e_tg_mtp2_job jobs[4];
    for (int k = 0; k < 4; k++)
        jobs[k] = (struct e2e_tg_mtp2_job){a->key, a->id, 0, a->plain, MSG, a->batch_out[k]};
    for (uint64_t i = 0; i < iters; i += 4) {
        if (e2e_tg_mtp2_encrypt_many(NULL, jobs, 4) != E2E_OK)
            return;
        bench_consume(a->batch_out[3] + MSG, 8);
    }
}

static void
b_ossl_encrypt(void *arg, uint64_t iters)
{
    struct msg_arg *a = arg;
    while (iters--) {
        ossl_encrypt(a->out, a->key, a->id, 0, a->plain, MSG);
        bench_consume(a->out + MSG, 8);
    }
}

static void
b_ours_decrypt(void *arg, uint64_t iters)
{
    struct msg_arg *a = arg;
    size_t tl;
    while (iters--) {
        if (e2e__tg_mtp2_open(NULL, a->out, &tl, a->key, 0, a->wire, MSG + 24, NULL) != E2E_OK)
            return;
        bench_consume(a->out + MSG - 8, 8);
    }
}

static void
b_ossl_decrypt(void *arg, uint64_t iters)
{
    struct msg_arg *a = arg;
    while (iters--) {
        if (!ossl_decrypt(a->out, a->key, 0, a->wire, MSG + 24))
            return;
        bench_consume(a->out + MSG - 8, 8);
    }
}

static void
bench_formula(void)
{
    struct msg_arg *a = calloc(1, sizeof *a);
    if (!a)
        return;
    for (int i = 0; i < 256; i++)
        a->key[i] = (uint8_t)(i * 29 + 3);
    for (int i = 0; i < MSG; i++)
        a->plain[i] = (uint8_t)i;
    e2e_store32_le(a->plain, 1000); /* 1000-byte TL, 20 padding bytes */
    e2e_tg_key_id(a->id, a->key);
    e2e__tg_mtp2_seal(NULL, a->wire, a->key, a->id, 0, a->plain, MSG);
    ossl_encrypt(a->out, a->key, a->id, 0, a->plain, MSG);
    if (memcmp(a->out, a->wire, MSG + 24) != 0) { /* the baseline must compute the same thing */
        bench_report_single("telegram", "BASELINE DISAGREES: results not comparable", "", 0);
        free(a);
        return;
    }
    double enc, dec, ossl_enc, ossl_dec, four, ossl_enc2;
    bench_ns_pair(&enc, b_ours_encrypt, a, &ossl_enc, b_ossl_encrypt, a);
    bench_ns_pair(&four, b_ours_encrypt_four, a, &ossl_enc2, b_ossl_encrypt, a);
    bench_ns_pair(&dec, b_ours_decrypt, a, &ossl_dec, b_ossl_decrypt, a);
    bench_report("telegram", "MTProto 2.0 encrypt, 1 KiB (msg_key, KDF2, key schedule, IGE)",
                 "msg/s", bench_ops(enc), "same formula on OpenSSL AES_ige_encrypt",
                 bench_ops(ossl_enc), BENCH_HIGHER_IS_BETTER);
    bench_report("telegram", "MTProto 2.0 encrypt, 1 KiB, four at a time (encrypt_many)",
                 "msg/s", bench_ops(four), "same formula on OpenSSL AES_ige_encrypt",
                 bench_ops(ossl_enc2), BENCH_HIGHER_IS_BETTER);
    bench_report("telegram", "MTProto 2.0 decrypt + verify, 1 KiB (msg_key, length, padding)",
                 "msg/s", bench_ops(dec), "our encrypt, 1 KiB (same run)", bench_ops(enc),
                 BENCH_HIGHER_IS_BETTER);
    bench_report("telegram", "MTProto 2.0 decrypt + verify, 1 KiB", "msg/s", bench_ops(dec),
                 "same formula on OpenSSL AES_ige_encrypt", bench_ops(ossl_dec),
                 BENCH_HIGHER_IS_BETTER);
    e2e_wipe(a, sizeof *a);
    free(a);
}

/* ---- the chat's whole paths ---------------------------------------------------------------- */

struct chat_arg {
    e2e_ctx *ctx;
    struct e2e_drbg drbg;
    uint64_t now;
    e2e_dh_cache *cache;
    e2e_tg_chat *a, *b;
    struct e2e_tg_message m;
    char text[936];
    int failed;
};

static int
arg_rng(void *user, uint8_t *out, size_t n)
{
    return e2e_drbg_rng(&((struct chat_arg *)user)->drbg, out, n);
}

static uint64_t
arg_clock(void *user)
{
    return ((struct chat_arg *)user)->now;
}

static void
drain(e2e_tg_chat *c)
{
    struct e2e_tg_event ev;
    while (e2e_tg_chat_next_event(c, &ev) == E2E_OK)
        bench_consume(&ev.type, 1);
}

/* Sends from one chat and delivers to the other; the re-key trigger is held off here (its
 * cost is the DH rows below). */
static void
one_way(struct chat_arg *x, e2e_tg_chat *from, e2e_tg_chat *to)
{
    const uint8_t *p;
    size_t n;
    from->since_rekey = 0;
    to->since_rekey = 0;
    if (e2e_tg_chat_send_message(from, x->ctx, &x->m) != E2E_OK)
        x->failed = 1;
    while (e2e_tg_chat_next_output(from, &p, &n) == E2E_OK)
        if (e2e_tg_chat_receive(to, x->ctx, p, n, NULL) != E2E_OK)
            x->failed = 1;
    drain(to);
}

static void
b_chat_send(void *arg, uint64_t iters)
{
    struct chat_arg *x = arg;
    const uint8_t *p;
    size_t n;
    while (iters-- && !x->failed) {
        x->a->since_rekey = 0;
        x->a->his_in = x->a->my_out; /* as if acknowledged: the store stays small */
        if (e2e_tg_chat_send_message(x->a, x->ctx, &x->m) != E2E_OK ||
            e2e_tg_chat_next_output(x->a, &p, &n) != E2E_OK)
            x->failed = 1;
        else
            bench_consume(p + n - 8, 8);
        while (e2e__tg_queue_count(&x->a->store) > 1)
            e2e__tg_queue_remove(&x->a->store, 0);
    }
}

static void
b_chat_round(void *arg, uint64_t iters)
{
    struct chat_arg *x = arg;
    while (iters-- && !x->failed) {
        one_way(x, x->a, x->b);
        one_way(x, x->b, x->a);
    }
}

static int
chat_pair(struct chat_arg *x)
{
    uint8_t g_a[256], g_b[256];
    size_t la, lb;
    int64_t fp;
    struct e2e_ctx_config cfg = {0};
    const uint8_t *p = e2e_dh_telegram_prime();
    e2e_drbg_seed(&x->drbg, "bench telegram", 14);
    x->now = 1767225600000ull;
    cfg.rng = arg_rng;
    cfg.now_ms = arg_clock;
    cfg.user = x;
    if (e2e_ctx_new(&x->ctx, &cfg) || e2e_dh_cache_new(&x->cache) ||
        e2e_tg_chat_request(&x->a, x->ctx, x->cache, p, 256, 3, g_a, &la, NULL) ||
        e2e_tg_chat_accept(&x->b, x->ctx, x->cache, p, 256, 3, g_a, la, g_b, &lb, &fp, NULL) ||
        e2e_tg_chat_confirm(x->a, x->ctx, g_b, lb, fp, NULL))
        return -1;
    memset(x->text, 'm', sizeof x->text);
    x->m.text = x->text;
    x->m.text_len = sizeof x->text; /* with the layer head: a 1024-byte padded plaintext */
    one_way(x, x->a, x->b);
    one_way(x, x->b, x->a);
    return x->failed ? -1 : 0;
}

static void
chat_free(struct chat_arg *x)
{
    e2e_tg_chat_free(x->a);
    e2e_tg_chat_free(x->b);
    e2e_dh_cache_free(x->cache);
    e2e_ctx_free(x->ctx);
}

static void
bench_chat(void)
{
    struct chat_arg *x = calloc(1, sizeof *x), *y = calloc(1, sizeof *y);
    struct msg_arg *f = calloc(1, sizeof *f);
    if (!x || !y || !f || chat_pair(x) != 0 || chat_pair(y) != 0) {
        bench_report_single("telegram", "secret chat setup FAILED", "", 0);
        goto out;
    }
    for (int i = 0; i < 256; i++)
        f->key[i] = (uint8_t)(i * 29 + 3);
    e2e_tg_key_id(f->id, f->key);
    e2e_store32_le(f->plain, 1000);
    /* one side sending only (its store trimmed as acknowledgements would) */
    double formula = bench_ops(bench_ns_per_op(b_ossl_encrypt, f));
    bench_report("telegram", "chat send_message, 1 KiB (TL, random padding, encrypt, store)",
                 "msg/s", bench_ops(bench_ns_per_op(b_chat_send, x)),
                 "formula alone on OpenSSL AES_ige_encrypt", formula, BENCH_HIGHER_IS_BETTER);
    /* a conversation: every message sent, delivered, checked and acknowledged */
    double round = bench_ns_per_op(b_chat_round, y);
    bench_report("telegram", "chat message sent + received, 1 KiB (every receive check)", "msg/s",
                 2 * bench_ops(round), "formula alone on OpenSSL AES_ige_encrypt", formula,
                 BENCH_HIGHER_IS_BETTER);
    b_chat_round(y, 64); /* warm: queues at their working size */
    uint64_t before = bench_allocs();
    b_chat_round(y, 500);
    bench_report_single("telegram", "chat allocations per message in steady state", "allocs",
                        (double)(bench_allocs() - before) / 1000.0);
    if (x->failed || y->failed)
        bench_report_single("telegram", "secret chat loop FAILED", "", 0);
out:
    if (x && x->ctx)
        chat_free(x);
    if (y && y->ctx)
        chat_free(y);
    free(x);
    free(y);
    free(f);
}

/* ---- calls --------------------------------------------------------------------------------- */

struct call_arg {
    e2e_tg_call *caller, *callee;
    uint8_t msg[1200], pkt[1300], body[1300];
    EVP_CIPHER_CTX *evp;
    uint8_t key[32], iv[16];
    int failed;
};

static void
b_call(void *arg, uint64_t iters)
{
    struct call_arg *c = arg;
    size_t n, bn;
    uint32_t seq;
    while (iters-- && !c->failed) {
        if (e2e_tg_call_protect(c->caller, NULL, E2E_TG_CALL_TRANSPORT, 0, c->msg,
                                sizeof c->msg - 4, c->pkt, sizeof c->pkt, &n) != E2E_OK ||
            e2e_tg_call_unprotect(c->callee, NULL, E2E_TG_CALL_TRANSPORT, c->pkt, n, c->body,
                                  sizeof c->body, &bn, &seq, NULL) != E2E_OK)
            c->failed = 1;
        bench_consume(c->body + bn - 4, 4);
    }
}

static void
b_ctr_only(void *arg, uint64_t iters)
{
    struct call_arg *c = arg;
    int len;
    while (iters--) {
        EVP_EncryptInit_ex(c->evp, NULL, NULL, c->key, c->iv);
        EVP_EncryptUpdate(c->evp, c->pkt, &len, c->msg, (int)sizeof c->msg);
        EVP_EncryptInit_ex(c->evp, NULL, NULL, c->key, c->iv);
        EVP_EncryptUpdate(c->evp, c->body, &len, c->pkt, (int)sizeof c->msg);
        bench_consume(c->body + sizeof c->msg - 4, 4);
    }
}

static int
call_pair(e2e_dh_cache *cache, e2e_ctx *ctx, e2e_tg_call **caller, e2e_tg_call **callee)
{
    uint8_t hash[32], g_a[256], g_b[256];
    size_t la, lb;
    int64_t fp;
    const uint8_t *p = e2e_dh_telegram_prime();
    if (e2e_tg_call_request(caller, ctx, cache, p, 256, 3, hash, NULL) ||
        e2e_tg_call_accept(callee, ctx, cache, p, 256, 3, hash, g_b, &lb, NULL) ||
        e2e_tg_call_confirm(*caller, ctx, g_b, lb, g_a, &la, &fp, NULL) ||
        e2e_tg_call_complete(*callee, ctx, g_a, la, fp, NULL))
        return -1;
    return 0;
}

static void
bench_call(e2e_dh_cache *cache, e2e_ctx *ctx)
{
    struct call_arg *c = calloc(1, sizeof *c);
    if (!c || call_pair(cache, ctx, &c->caller, &c->callee) != 0) {
        bench_report_single("telegram", "call setup FAILED", "", 0);
        free(c);
        return;
    }
    c->evp = EVP_CIPHER_CTX_new();
    EVP_EncryptInit_ex(c->evp, EVP_aes_256_ctr(), NULL, c->key, c->iv);
    bench_report("telegram",
                 "call packet protect + unprotect, 1200 bytes (msg_key, KDF, CTR, "
                 "window)",
                 "pkt/s", bench_ops(bench_ns_per_op(b_call, c)),
                 "EVP AES-256-CTR alone, encrypt + decrypt 1200 bytes",
                 bench_ops(bench_ns_per_op(b_ctr_only, c)), BENCH_HIGHER_IS_BETTER);
    if (c->failed)
        bench_report_single("telegram", "call loop FAILED", "", 0);
    EVP_CIPHER_CTX_free(c->evp);
    e2e_tg_call_free(c->caller);
    e2e_tg_call_free(c->callee);
    free(c);
}

/* ---- DH as the suite uses it ---------------------------------------------------------------- */

struct dh_arg {
    e2e_ctx *ctx;
    e2e_dh_cache *cache;
    const uint8_t *p;
    int32_t g;
    BN_CTX *bn;
    BIGNUM *bp, *bg, *ba, *by;
    const e2e_dh_group *grp;
    uint8_t priv[256], peer[256];
    int failed;
};

static void
b_chat_create(void *arg, uint64_t iters)
{
    struct dh_arg *d = arg;
    while (iters-- && !d->failed) {
        e2e_tg_chat *a = NULL, *b = NULL;
        uint8_t g_a[256], g_b[256];
        size_t la, lb;
        int64_t fp;
        if (e2e_tg_chat_request(&a, d->ctx, d->cache, d->p, 256, d->g, g_a, &la, NULL) ||
            e2e_tg_chat_accept(&b, d->ctx, d->cache, d->p, 256, d->g, g_a, la, g_b, &lb, &fp,
                               NULL) ||
            e2e_tg_chat_confirm(a, d->ctx, g_b, lb, fp, NULL))
            d->failed = 1;
        e2e_tg_chat_free(a);
        e2e_tg_chat_free(b);
    }
}

static void
b_call_create(void *arg, uint64_t iters)
{
    struct dh_arg *d = arg;
    while (iters-- && !d->failed) {
        e2e_tg_call *a = NULL, *b = NULL;
        if (call_pair(d->cache, d->ctx, &a, &b) != 0)
            d->failed = 1;
        e2e_tg_call_free(a);
        e2e_tg_call_free(b);
    }
}

static void
b_keygen(void *arg, uint64_t iters)
{
    struct dh_arg *d = arg;
    uint8_t priv[256], pub[256];
    while (iters-- && !d->failed)
        if (e2e_dh_keygen(d->grp, d->ctx, priv, pub) != E2E_OK)
            d->failed = 1;
    e2e_wipe(priv, sizeof priv);
}

static void
b_compute(void *arg, uint64_t iters)
{
    struct dh_arg *d = arg;
    uint8_t key[256];
    while (iters-- && !d->failed)
        if (e2e_dh_compute(d->grp, key, d->priv, d->peer, 256) != E2E_OK)
            d->failed = 1;
    e2e_wipe(key, sizeof key);
}

static void
b_bn_one(void *arg, uint64_t iters)
{
    struct dh_arg *d = arg;
    while (iters--) {
        BN_mod_exp(d->by, d->bg, d->ba, d->bp, d->bn);
        bench_sink ^= (uint8_t)BN_is_odd(d->by);
    }
}

/* What tdlib does for one side of a chat: two BN_mod_exp (g^a, then g_b^a). */
static void
b_bn_two(void *arg, uint64_t iters)
{
    struct dh_arg *d = arg;
    while (iters--) {
        BN_mod_exp(d->by, d->bg, d->ba, d->bp, d->bn);
        BN_mod_exp(d->by, d->by, d->ba, d->bp, d->bn);
        bench_sink ^= (uint8_t)BN_is_odd(d->by);
    }
}

static void
b_first_check(void *arg, uint64_t iters)
{
    struct dh_arg *d = arg;
    while (iters--) {
        e2e_dh_cache *c;
        const e2e_dh_group *grp;
        if (e2e_dh_cache_new(&c) || e2e_dh_group_get(c, &grp, d->p, 256, d->g, NULL))
            d->failed = 1;
        e2e_dh_cache_free(c);
    }
}

static void
b_cached_check(void *arg, uint64_t iters)
{
    struct dh_arg *d = arg;
    const e2e_dh_group *grp;
    while (iters--)
        if (e2e_dh_group_get(d->cache, &grp, d->p, 256, d->g, NULL))
            d->failed = 1;
}

static void
bench_dh(e2e_ctx *ctx, e2e_dh_cache *cache)
{
    /* RFC 3526 group 14 (2048-bit MODP), g = 2: a safe prime e2ekit does not know by heart */
    static const char rfc3526[] =
        "ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74020bbea63b139b22514a0879"
        "8e3404ddef9519b3cd3a431b302b0a6df25f14374fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b"
        "0bff5cb6f406b7edee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf0598da4836"
        "1c55d39a69163fa8fd24cf5f83655d23dca3ad961c62f356208552bb9ed529077096966d670c354e4abc9804"
        "f1746c08ca18217c32905e462e36ce3be39e772c180e86039b2783a2ec07a28fb5c55df06f4c52c9de2bcbf6"
        "955817183995497cea956ae515d2261898fa051015728e5a8aacaa68ffffffffffffffff";
    uint8_t modp[256], a[256];
    size_t n;
    struct dh_arg d = {.ctx = ctx, .cache = cache, .p = e2e_dh_telegram_prime(), .g = 3};
    if (e2e_hex_decode(modp, sizeof modp, &n, rfc3526, sizeof rfc3526 - 1) != E2E_OK ||
        e2e_random(ctx, a, sizeof a) != E2E_OK)
        return;
    d.bn = BN_CTX_new();
    d.bp = BN_bin2bn(d.p, 256, NULL);
    d.bg = BN_new();
    BN_set_word(d.bg, 3);
    d.ba = BN_bin2bn(a, 256, NULL);
    d.by = BN_new();
    uint8_t pub[256];
    if (e2e_dh_group_get(cache, &d.grp, d.p, 256, 3, NULL) != E2E_OK ||
        e2e_dh_keygen(d.grp, ctx, d.priv, pub) != E2E_OK ||
        e2e_dh_keygen(d.grp, ctx, a, d.peer) != E2E_OK)
        d.failed = 1;
    double modexp = bench_ops(bench_ns_per_op(b_bn_one, &d));
    bench_report("telegram", "DH key generation (2048-bit a, g^a, range check)", "ops/s",
                 bench_ops(bench_ns_per_op(b_keygen, &d)), "BN_mod_exp g^a (tdlib)", modexp,
                 BENCH_HIGHER_IS_BETTER);
    bench_report("telegram", "DH shared key (peer's range check, g_b^a, 256 bytes)", "ops/s",
                 bench_ops(bench_ns_per_op(b_compute, &d)), "BN_mod_exp (tdlib)", modexp,
                 BENCH_HIGHER_IS_BETTER);
    double tdlib_side = bench_ops(bench_ns_per_op(b_bn_two, &d));
    double chat = bench_ops(bench_ns_per_op(b_chat_create, &d));
    bench_report("telegram", "secret chat created (request, accept, confirm: 2 keygen + 2 keys)",
                 "chats/s", chat, "BN_mod_exp x2 per side, x2 sides (tdlib)", tdlib_side / 2,
                 BENCH_HIGHER_IS_BETTER);
    bench_report("telegram", "call key exchange (commitment, 2 keygen + 2 keys)", "calls/s",
                 bench_ops(bench_ns_per_op(b_call_create, &d)),
                 "BN_mod_exp x2 per side, x2 sides (tdlib)", tdlib_side / 2,
                 BENCH_HIGHER_IS_BETTER);
    d.p = modp;
    d.g = 2;
    const e2e_dh_group *grp;
    if (e2e_dh_group_get(cache, &grp, modp, 256, 2, NULL) == E2E_OK) {
        double first = bench_ns_per_op(b_first_check, &d);
        bench_report("telegram", "parameter check (RFC 3526 p, g=2): cached", "us/op",
                     bench_ns_per_op(b_cached_check, &d) / 1e3, "first-time full check",
                     first / 1e3, BENCH_LOWER_IS_BETTER);
    }
    if (d.failed)
        bench_report_single("telegram", "DH loop FAILED", "", 0);
    e2e_wipe(a, sizeof a);
    e2e_wipe(d.priv, sizeof d.priv);
    BN_clear_free(d.ba);
    BN_free(d.bp);
    BN_free(d.bg);
    BN_free(d.by);
    BN_CTX_free(d.bn);
}

void
bench_telegram(void)
{
    e2e_ctx *ctx;
    e2e_dh_cache *cache;
    bench_section("telegram: MTProto 2.0 secret-chat messages");
    bench_formula();
    bench_chat();
    if (e2e_ctx_new(&ctx, NULL) != E2E_OK)
        return;
    if (e2e_dh_cache_new(&cache) == E2E_OK) {
        bench_section("telegram: calls");
        bench_call(cache, ctx);
        bench_section("telegram: DH as the suite runs it");
        bench_dh(ctx, cache);
        e2e_dh_cache_free(cache);
    }
    e2e_ctx_free(ctx);
}
