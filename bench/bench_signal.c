/*
 * Signal Protocol core next to libsignal-protocol-c 2.3.3 and libolm 3.2.13, in one run, with
 * the method of reference/limits.md 4: both parties in one process; libsignal-protocol-c with a
 * crypto provider on OpenSSL 3 and in-memory stores holding serialized records (as its API
 * requires); 1 KiB random payloads; receivers parse the wire bytes; one-time prekeys made
 * outside the timed region, the signed prekey reused.
 *
 *   (a) session setup: bundle -> first message -> the responder decrypts it
 *   (b) one direction, symmetric ratchet only: encrypt + decrypt
 *   (c) ping-pong, a DH ratchet step on every message: encrypt + decrypt, alternating
 *   (d) sender-key group message: encrypt (sign) + decrypt (verify)
 *   (e) after 1,500 skipped messages, an in-order message
 *   heap allocations per message in steady state (b), counted by the harness
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <e2ekit/signal.h>
#include <sodium.h>

#include "bench.h"

#define PAYLOAD 1024
#define POOL    64 /* one-time prekeys made before timing, recycled */
#define SKIP    1500

static const char *suite = "signal";

/* ================================================================================= ours ==== */

struct ours {
    e2e_ctx *ctx;
    struct e2e_signal_identity a_id, b_id;
    e2e_signal_prekeys *b_pk;
    struct e2e_signal_signed_prekey spk;
    struct e2e_signal_prekey pool[POOL];
    struct e2e_signal_sig_cache cache;
    int use_cache;
    e2e_signal_session *a, *b;
    e2e_signal_group *ga, *gb;
    uint64_t turn;
    uint8_t pt[PAYLOAD], msg[PAYLOAD + 256], back[PAYLOAD + 256];
};

static void
ours_bundle(const struct ours *o, size_t i, struct e2e_signal_bundle *b)
{
    memset(b, 0, sizeof *b);
    b->registration_id = o->b_id.registration_id;
    b->device_id = 1;
    memcpy(b->identity_key, o->b_id.key.pub, 32);
    b->signed_prekey_id = o->spk.id;
    memcpy(b->signed_prekey, o->spk.key.pub, 32);
    memcpy(b->signed_prekey_signature, o->spk.signature, 64);
    b->has_one_time_prekey = 1;
    b->one_time_prekey_id = o->pool[i].id;
    memcpy(b->one_time_prekey, o->pool[i].key.pub, 32);
}

/* One setup; leaves the pair in *a / *b (freed by the caller or the next setup). */
static int
ours_setup_once(struct ours *o, size_t i)
{
    struct e2e_signal_bundle bundle;
    size_t n, m;
    int type;
    ours_bundle(o, i % POOL, &bundle);
    e2e_signal_session_free(o->a);
    e2e_signal_session_free(o->b);
    o->a = o->b = NULL;
    if (e2e_signal_session_new(&o->a) || e2e_signal_session_new(&o->b) ||
        e2e_signal_session_init_alice(o->a, o->ctx, &o->a_id, &bundle, NULL,
                                      o->use_cache ? &o->cache : NULL, NULL) ||
        e2e_signal_session_encrypt(o->a, o->ctx, o->pt, PAYLOAD, o->msg, sizeof o->msg, &n,
                                   &type) ||
        e2e_signal_session_decrypt_prekey(o->b, o->ctx, &o->b_id, o->b_pk, NULL, o->msg, n, o->back,
                                          sizeof o->back, &m, NULL, NULL) ||
        e2e_signal_prekeys_add(o->b_pk, &o->pool[i % POOL]))
        return -1;
    bench_consume(o->back, 1);
    return 0;
}

static void
b_ours_setup(void *arg, uint64_t iters)
{
    struct ours *o = arg;
    while (iters--)
        if (ours_setup_once(o, o->turn++))
            abort();
}

static int
ours_send(struct ours *o, e2e_signal_session *from, e2e_signal_session *to)
{
    size_t n, m;
    int type;
    if (e2e_signal_session_encrypt(from, o->ctx, o->pt, PAYLOAD, o->msg, sizeof o->msg, &n, &type))
        return -1;
    int rc =
        type == E2E_SIGNAL_MSG_PREKEY
            ? e2e_signal_session_decrypt_prekey(to, o->ctx, &o->b_id, o->b_pk, NULL, o->msg, n,
                                                o->back, sizeof o->back, &m, NULL, NULL)
            : e2e_signal_session_decrypt(to, o->ctx, o->msg, n, o->back, sizeof o->back, &m, NULL);
    bench_consume(o->back, 1);
    return rc;
}

static void
b_ours_one_way(void *arg, uint64_t iters)
{
    struct ours *o = arg;
    while (iters--)
        if (ours_send(o, o->a, o->b))
            abort();
}

static void
b_ours_ping_pong(void *arg, uint64_t iters)
{
    struct ours *o = arg;
    while (iters--) {
        int rc = o->turn++ & 1 ? ours_send(o, o->b, o->a) : ours_send(o, o->a, o->b);
        if (rc)
            abort();
    }
}

static void
b_ours_group(void *arg, uint64_t iters)
{
    struct ours *o = arg;
    size_t n, m;
    while (iters--) {
        if (e2e_signal_group_encrypt(o->ga, o->ctx, o->pt, PAYLOAD, o->msg, sizeof o->msg, &n) ||
            e2e_signal_group_decrypt(o->gb, o->ctx, o->msg, n, o->back, sizeof o->back, &m, NULL))
            abort();
        bench_consume(o->back, 1);
    }
}

static int
ours_init(struct ours *o)
{
    memset(o, 0, sizeof *o);
    randombytes_buf(o->pt, sizeof o->pt);
    if (e2e_ctx_new(&o->ctx, NULL) || e2e_signal_identity_generate(&o->a_id, o->ctx) ||
        e2e_signal_identity_generate(&o->b_id, o->ctx) || e2e_signal_prekeys_new(&o->b_pk) ||
        e2e_signal_prekeys_rotate_signed(o->b_pk, &o->b_id, o->ctx, NULL) ||
        e2e_signal_prekeys_signed_current(o->b_pk, &o->spk) ||
        e2e_signal_prekeys_generate(o->b_pk, o->ctx, POOL, NULL))
        return -1;
    uint32_t ids[POOL];
    e2e_signal_prekeys_ids(o->b_pk, ids, POOL);
    for (size_t i = 0; i < POOL; i++)
        if (e2e_signal_prekeys_get(o->b_pk, ids[i], &o->pool[i]))
            return -1;
    o->use_cache = 1;
    return 0;
}

/* A conversation in steady state: set up, then one message each way (prekey phase over). */
static int
ours_conversation(struct ours *o)
{
    if (ours_setup_once(o, 0) || ours_send(o, o->b, o->a) || ours_send(o, o->a, o->b))
        return -1;
    return 0;
}

static int
ours_groups(struct ours *o)
{
    uint8_t skdm[E2E_SIGNAL_DISTRIBUTION_MAX];
    size_t n;
    if (e2e_signal_group_new(&o->ga) || e2e_signal_group_new(&o->gb) ||
        e2e_signal_group_create_distribution(o->ga, o->ctx, skdm, sizeof skdm, &n) ||
        e2e_signal_group_process_distribution(o->gb, skdm, n, NULL))
        return -1;
    return 0;
}

static void
ours_free(struct ours *o)
{
    e2e_signal_session_free(o->a);
    e2e_signal_session_free(o->b);
    e2e_signal_group_free(o->ga);
    e2e_signal_group_free(o->gb);
    e2e_signal_prekeys_free(o->b_pk);
    e2e_ctx_free(o->ctx);
    e2e_wipe(o, sizeof *o);
}

/* Encrypts SKIP messages and delivers only the next one: the receiver stores SKIP keys. */
static int
ours_skip(struct ours *o)
{
    size_t n;
    int type;
    for (int i = 0; i < SKIP; i++)
        if (e2e_signal_session_encrypt(o->a, o->ctx, o->pt, 16, o->msg, sizeof o->msg, &n, &type))
            return -1;
    return ours_send(o, o->a, o->b);
}

/* ====================================================================== libsignal-protocol-c ====
 */

#ifdef E2E_HAVE_SIGNALC
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <signal/curve.h>
#include <signal/group_cipher.h>
#include <signal/group_session_builder.h>
#include <signal/key_helper.h>
#include <signal/protocol.h>
#include <signal/session_builder.h>
#include <signal/session_cipher.h>
#include <signal/session_pre_key.h>

/* The in-memory stores of the interop tests, compiled into the bench as they are (one
 * implementation, two users). */
#include "../tests/signal/peer/signalc_store.c"

/* ---- crypto provider on OpenSSL 3, as libsignal-protocol-c's own test provider does ---------- */

static int
o_random(uint8_t *p, size_t n, void *u)
{
    (void)u;
    return RAND_bytes(p, (int)n) == 1 ? 0 : SG_ERR_UNKNOWN;
}

static int
o_hmac_init(void **c, const uint8_t *key, size_t key_len, void *u)
{
    (void)u;
    HMAC_CTX *h = HMAC_CTX_new();
    if (!h || HMAC_Init_ex(h, key, (int)key_len, EVP_sha256(), NULL) != 1) {
        HMAC_CTX_free(h);
        return SG_ERR_UNKNOWN;
    }
    *c = h;
    return 0;
}

static int
o_hmac_update(void *c, const uint8_t *p, size_t n, void *u)
{
    (void)u;
    return HMAC_Update(c, p, n) == 1 ? 0 : SG_ERR_UNKNOWN;
}

static int
o_hmac_final(void *c, signal_buffer **out, void *u)
{
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    (void)u;
    if (HMAC_Final(c, md, &len) != 1)
        return SG_ERR_UNKNOWN;
    *out = signal_buffer_create(md, len);
    return *out ? 0 : SG_ERR_NOMEM;
}

static void
o_hmac_cleanup(void *c, void *u)
{
    (void)u;
    HMAC_CTX_free(c);
}

static int
o_sha512_init(void **c, void *u)
{
    (void)u;
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    if (!m || EVP_DigestInit_ex(m, EVP_sha512(), NULL) != 1) {
        EVP_MD_CTX_free(m);
        return SG_ERR_UNKNOWN;
    }
    *c = m;
    return 0;
}

static int
o_sha512_update(void *c, const uint8_t *p, size_t n, void *u)
{
    (void)u;
    return EVP_DigestUpdate(c, p, n) == 1 ? 0 : SG_ERR_UNKNOWN;
}

static int
o_sha512_final(void *c, signal_buffer **out, void *u)
{
    uint8_t md[64];
    unsigned len = 0;
    (void)u;
    if (EVP_DigestFinal_ex(c, md, &len) != 1 || EVP_DigestInit_ex(c, EVP_sha512(), NULL) != 1)
        return SG_ERR_UNKNOWN;
    *out = signal_buffer_create(md, len);
    return *out ? 0 : SG_ERR_NOMEM;
}

static void
o_sha512_cleanup(void *c, void *u)
{
    (void)u;
    EVP_MD_CTX_free(c);
}

static const EVP_CIPHER *
o_cipher_of(int cipher, size_t key_len)
{
    if (cipher == SG_CIPHER_AES_CBC_PKCS5)
        return key_len == 16 ? EVP_aes_128_cbc() : key_len == 32 ? EVP_aes_256_cbc() : NULL;
    if (cipher == SG_CIPHER_AES_CTR_NOPADDING)
        return key_len == 16 ? EVP_aes_128_ctr() : key_len == 32 ? EVP_aes_256_ctr() : NULL;
    return NULL;
}

static int
o_crypt(signal_buffer **out, int cipher, const uint8_t *key, size_t key_len, const uint8_t *iv,
        const uint8_t *in, size_t n, int enc)
{
    const EVP_CIPHER *evp = o_cipher_of(cipher, key_len);
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    uint8_t *buf = malloc(n + 16);
    int l1 = 0, l2 = 0,
        ok = evp && c && buf && EVP_CipherInit_ex(c, evp, NULL, key, iv, enc) == 1 &&
             EVP_CipherUpdate(c, buf, &l1, in, (int)n) == 1 &&
             EVP_CipherFinal_ex(c, buf + l1, &l2) == 1;
    if (ok)
        *out = signal_buffer_create(buf, (size_t)(l1 + l2));
    EVP_CIPHER_CTX_free(c);
    free(buf);
    return ok && *out ? 0 : SG_ERR_UNKNOWN;
}

static int
o_encrypt(signal_buffer **out, int cipher, const uint8_t *key, size_t key_len, const uint8_t *iv,
          size_t iv_len, const uint8_t *in, size_t n, void *u)
{
    (void)u;
    (void)iv_len;
    return o_crypt(out, cipher, key, key_len, iv, in, n, 1);
}

static int
o_decrypt(signal_buffer **out, int cipher, const uint8_t *key, size_t key_len, const uint8_t *iv,
          size_t iv_len, const uint8_t *in, size_t n, void *u)
{
    (void)u;
    (void)iv_len;
    return o_crypt(out, cipher, key, key_len, iv, in, n, 0);
}

static const signal_crypto_provider openssl_provider = {
    o_random,        o_hmac_init,    o_hmac_update,    o_hmac_final, o_hmac_cleanup, o_sha512_init,
    o_sha512_update, o_sha512_final, o_sha512_cleanup, o_encrypt,    o_decrypt,      NULL,
};

/* ---- a party --------------------------------------------------------------------------------- */

struct cparty {
    signal_context *ctx;
    signal_protocol_store_context *store_ctx;
    struct sc_store store;
    signal_protocol_address peer;
    session_builder *builder;
    session_cipher *cipher;
};

static int
cparty_init(struct cparty *p, const char *peer)
{
    ratchet_identity_key_pair *kp = NULL;
    memset(p, 0, sizeof *p);
    p->peer = (signal_protocol_address){peer, strlen(peer), 1};
    int rc = signal_context_create(&p->ctx, p);
    if (rc == 0)
        rc = signal_context_set_crypto_provider(p->ctx, &openssl_provider);
    if (rc == 0)
        rc = sc_store_context(&p->store_ctx, p->ctx, &p->store);
    if (rc == 0)
        rc = signal_protocol_key_helper_generate_identity_key_pair(&kp, p->ctx);
    if (rc == 0)
        rc = signal_protocol_key_helper_generate_registration_id(&p->store.registration_id, 0,
                                                                 p->ctx);
    if (rc == 0)
        rc = ec_public_key_serialize(&p->store.identity_pub,
                                     ratchet_identity_key_pair_get_public(kp));
    if (rc == 0)
        rc = ec_private_key_serialize(&p->store.identity_priv,
                                      ratchet_identity_key_pair_get_private(kp));
    if (rc == 0)
        rc = session_builder_create(&p->builder, p->store_ctx, &p->peer, p->ctx);
    if (rc == 0)
        rc = session_cipher_create(&p->cipher, p->store_ctx, &p->peer, p->ctx);
    SIGNAL_UNREF(kp);
    return rc;
}

static void
cparty_free(struct cparty *p)
{
    session_cipher_free(p->cipher);
    session_builder_free(p->builder);
    if (p->store_ctx)
        signal_protocol_store_context_destroy(p->store_ctx);
    if (p->ctx)
        signal_context_destroy(p->ctx);
    sc_store_clear(&p->store);
}

struct cbench {
    struct cparty a, b;
    session_pre_key_bundle *bundle[POOL];
    signal_buffer *opk_record[POOL];
    uint32_t opk_id[POOL];
    group_cipher *ga, *gb;
    signal_protocol_sender_key_name gname;
    uint64_t turn;
    uint8_t pt[PAYLOAD];
};

/* Bob's signed prekey 1 and POOL one-time prekeys, with a bundle for each. */
static int
cbench_keys(struct cbench *c)
{
    ratchet_identity_key_pair *id = NULL;
    session_signed_pre_key *spk = NULL;
    signal_protocol_key_helper_pre_key_list_node *head = NULL;
    int rc = signal_protocol_identity_get_key_pair(c->b.store_ctx, &id);
    if (rc == 0)
        rc = signal_protocol_key_helper_generate_signed_pre_key(&spk, id, 1, 1, c->b.ctx);
    if (rc == 0)
        rc = signal_protocol_signed_pre_key_store_key(c->b.store_ctx, spk);
    if (rc == 0)
        rc = signal_protocol_key_helper_generate_pre_keys(&head, 1, POOL, c->b.ctx);
    size_t i = 0;
    for (signal_protocol_key_helper_pre_key_list_node *n = head; rc == 0 && n;
         n = signal_protocol_key_helper_key_list_next(n), i++) {
        session_pre_key *k = signal_protocol_key_helper_key_list_element(n);
        ec_key_pair *skp = session_signed_pre_key_get_key_pair(spk);
        c->opk_id[i] = session_pre_key_get_id(k);
        rc = session_pre_key_serialize(&c->opk_record[i], k);
        if (rc == 0)
            rc = signal_protocol_pre_key_store_key(c->b.store_ctx, k);
        if (rc == 0)
            rc = session_pre_key_bundle_create(
                &c->bundle[i], c->b.store.registration_id, 1, c->opk_id[i],
                ec_key_pair_get_public(session_pre_key_get_key_pair(k)), 1,
                ec_key_pair_get_public(skp), session_signed_pre_key_get_signature(spk),
                session_signed_pre_key_get_signature_len(spk),
                ratchet_identity_key_pair_get_public(id));
    }
    signal_protocol_key_helper_key_list_free(head);
    SIGNAL_UNREF(spk);
    SIGNAL_UNREF(id);
    return rc;
}

static int
c_deliver(struct cparty *to, ciphertext_message *m)
{
    signal_buffer *wire = ciphertext_message_get_serialized(m), *plain = NULL;
    int rc;
    if (ciphertext_message_get_type(m) == CIPHERTEXT_PREKEY_TYPE) {
        pre_key_signal_message *pm = NULL;
        rc = pre_key_signal_message_deserialize(&pm, signal_buffer_data(wire),
                                                signal_buffer_len(wire), to->ctx);
        if (rc == 0)
            rc = session_cipher_decrypt_pre_key_signal_message(to->cipher, pm, NULL, &plain);
        SIGNAL_UNREF(pm);
    } else {
        signal_message *sm = NULL;
        rc = signal_message_deserialize(&sm, signal_buffer_data(wire), signal_buffer_len(wire),
                                        to->ctx);
        if (rc == 0)
            rc = session_cipher_decrypt_signal_message(to->cipher, sm, NULL, &plain);
        SIGNAL_UNREF(sm);
    }
    if (plain)
        bench_consume(signal_buffer_data(plain), 1);
    signal_buffer_free(plain);
    return rc;
}

static int
c_send(struct cbench *c, struct cparty *from, struct cparty *to, size_t n)
{
    ciphertext_message *m = NULL;
    int rc = session_cipher_encrypt(from->cipher, c->pt, n, &m);
    if (rc == 0)
        rc = c_deliver(to, m);
    SIGNAL_UNREF(m);
    return rc;
}

static int
c_setup_once(struct cbench *c, size_t i)
{
    i %= POOL;
    signal_protocol_session_delete_session(c->a.store_ctx, &c->a.peer);
    signal_protocol_session_delete_session(c->b.store_ctx, &c->b.peer);
    int rc = session_builder_process_pre_key_bundle(c->a.builder, c->bundle[i]);
    if (rc == 0)
        rc = c_send(c, &c->a, &c->b, PAYLOAD);
    if (rc == 0) /* put the consumed one-time prekey back, outside the protocol's own work */
        rc = sc_map_put(&c->b.store.prekeys, &c->opk_id[i], sizeof c->opk_id[i],
                        signal_buffer_data(c->opk_record[i]), signal_buffer_len(c->opk_record[i]));
    return rc;
}

static void
b_c_setup(void *arg, uint64_t iters)
{
    struct cbench *c = arg;
    while (iters--)
        if (c_setup_once(c, c->turn++))
            abort();
}

static void
b_c_one_way(void *arg, uint64_t iters)
{
    struct cbench *c = arg;
    while (iters--)
        if (c_send(c, &c->a, &c->b, PAYLOAD))
            abort();
}

static void
b_c_ping_pong(void *arg, uint64_t iters)
{
    struct cbench *c = arg;
    while (iters--) {
        int rc =
            c->turn++ & 1 ? c_send(c, &c->b, &c->a, PAYLOAD) : c_send(c, &c->a, &c->b, PAYLOAD);
        if (rc)
            abort();
    }
}

static void
b_c_group(void *arg, uint64_t iters)
{
    struct cbench *c = arg;
    while (iters--) {
        ciphertext_message *m = NULL;
        sender_key_message *skm = NULL;
        signal_buffer *plain = NULL;
        int rc = group_cipher_encrypt(c->ga, c->pt, PAYLOAD, &m);
        if (rc == 0) {
            signal_buffer *w = ciphertext_message_get_serialized(m);
            rc = sender_key_message_deserialize(&skm, signal_buffer_data(w), signal_buffer_len(w),
                                                c->b.ctx);
        }
        if (rc == 0)
            rc = group_cipher_decrypt(c->gb, skm, NULL, &plain);
        if (rc)
            abort();
        bench_consume(signal_buffer_data(plain), 1);
        signal_buffer_free(plain);
        SIGNAL_UNREF(skm);
        SIGNAL_UNREF(m);
    }
}

static int
cbench_groups(struct cbench *c)
{
    group_session_builder *ba = NULL, *bb = NULL;
    sender_key_distribution_message *skdm = NULL, *copy = NULL;
    c->gname = (signal_protocol_sender_key_name){"group", 5, {"alice", 5, 1}};
    int rc = group_session_builder_create(&ba, c->a.store_ctx, c->a.ctx);
    if (rc == 0)
        rc = group_session_builder_create(&bb, c->b.store_ctx, c->b.ctx);
    if (rc == 0)
        rc = group_session_builder_create_session(ba, &skdm, &c->gname);
    if (rc == 0) {
        signal_buffer *w = ciphertext_message_get_serialized((ciphertext_message *)skdm);
        rc = sender_key_distribution_message_deserialize(&copy, signal_buffer_data(w),
                                                         signal_buffer_len(w), c->b.ctx);
    }
    if (rc == 0)
        rc = group_session_builder_process_session(bb, &c->gname, copy);
    if (rc == 0)
        rc = group_cipher_create(&c->ga, c->a.store_ctx, &c->gname, c->a.ctx);
    if (rc == 0)
        rc = group_cipher_create(&c->gb, c->b.store_ctx, &c->gname, c->b.ctx);
    SIGNAL_UNREF(skdm);
    SIGNAL_UNREF(copy);
    group_session_builder_free(ba);
    group_session_builder_free(bb);
    return rc;
}

static int
cbench_init(struct cbench *c)
{
    memset(c, 0, sizeof *c);
    randombytes_buf(c->pt, sizeof c->pt);
    if (cparty_init(&c->a, "bob") || cparty_init(&c->b, "alice") || cbench_keys(c) ||
        cbench_groups(c))
        return -1;
    return 0;
}

static void
cbench_free(struct cbench *c)
{
    group_cipher_free(c->ga);
    group_cipher_free(c->gb);
    for (size_t i = 0; i < POOL; i++) {
        SIGNAL_UNREF(c->bundle[i]);
        signal_buffer_free(c->opk_record[i]);
    }
    cparty_free(&c->a);
    cparty_free(&c->b);
}

static int
c_conversation(struct cbench *c)
{
    return c_setup_once(c, 0) || c_send(c, &c->b, &c->a, PAYLOAD) ||
           c_send(c, &c->a, &c->b, PAYLOAD);
}

static int
c_skip(struct cbench *c)
{
    for (int i = 0; i < SKIP; i++) {
        ciphertext_message *m = NULL;
        if (session_cipher_encrypt(c->a.cipher, c->pt, 16, &m))
            return -1;
        SIGNAL_UNREF(m);
    }
    return c_send(c, &c->a, &c->b, PAYLOAD);
}
#endif

/* ================================================================================= libolm ==== */

#ifdef E2E_HAVE_OLM
#include <olm/inbound_group_session.h>
#include <olm/olm.h>
#include <olm/outbound_group_session.h>

struct obench {
    OlmAccount *acc_a, *acc_b;
    OlmSession *a, *b;
    OlmOutboundGroupSession *go;
    OlmInboundGroupSession *gi;
    char b_identity[64], otk[POOL][64];
    size_t n_otk, next_otk;
    uint64_t turn;
    uint8_t pt[PAYLOAD], rnd[256], msg[4096], scratch[4096], back[4096];
};

static void *
olm_mem(size_t n)
{
    void *p = malloc(n);
    if (!p)
        abort();
    return p;
}

/* Copies the next "quoted" string after p into out; returns the position after it, or NULL. */
static const char *
quoted_after(const char *p, char *out, size_t cap)
{
    const char *q = p ? strchr(p, '"') : NULL;
    const char *e = q ? strchr(q + 1, '"') : NULL;
    if (!e || (size_t)(e - q - 1) >= cap)
        return NULL;
    memcpy(out, q + 1, (size_t)(e - q - 1));
    out[e - q - 1] = 0;
    return e + 1;
}

static OlmAccount *
olm_new_account(struct obench *o)
{
    OlmAccount *a = olm_account(olm_mem(olm_account_size()));
    size_t r = olm_create_account_random_length(a);
    randombytes_buf(o->rnd, r);
    return olm_create_account(a, o->rnd, r) == olm_error() ? NULL : a;
}

static int
obench_keys(struct obench *o)
{
    char buf[8192];
    size_t r = olm_account_generate_one_time_keys_random_length(o->acc_b, POOL);
    uint8_t *rnd = olm_mem(r);
    randombytes_buf(rnd, r);
    size_t e = olm_account_generate_one_time_keys(o->acc_b, POOL, rnd, r);
    free(rnd);
    if (e == olm_error() || olm_account_identity_keys(o->acc_b, buf, sizeof buf) == olm_error())
        return -1;
    buf[olm_account_identity_keys_length(o->acc_b)] = 0;
    const char *p = strstr(buf, "\"curve25519\":");
    if (!p || !quoted_after(p + 13, o->b_identity, sizeof o->b_identity))
        return -1;
    size_t n = olm_account_one_time_keys(o->acc_b, buf, sizeof buf - 1);
    if (n == olm_error())
        return -1;
    buf[n] = 0;
    /* {"curve25519":{"AAAAAQ":"key",...}}: each entry has one ':' before its value */
    p = strstr(buf, "\"curve25519\":{");
    p = p ? p + 14 : NULL;
    for (o->n_otk = 0; p && o->n_otk < POOL; o->n_otk++) {
        p = strchr(p, ':');
        if (!p || !(p = quoted_after(p, o->otk[o->n_otk], sizeof o->otk[0])))
            break;
    }
    o->next_otk = 0;
    return o->n_otk ? 0 : -1;
}

static int
olm_send(struct obench *o, OlmSession *from, OlmSession *to, OlmAccount *to_acc)
{
    size_t type = olm_encrypt_message_type(from), r = olm_encrypt_random_length(from);
    size_t mlen = olm_encrypt_message_length(from, PAYLOAD);
    randombytes_buf(o->rnd, r);
    if (mlen > sizeof o->msg ||
        olm_encrypt(from, o->pt, PAYLOAD, o->rnd, r, o->msg, mlen) == olm_error())
        return -1;
    if (type == OLM_MESSAGE_TYPE_PRE_KEY && to_acc) {
        memcpy(o->scratch, o->msg, mlen); /* olm decodes its input in place */
        if (olm_create_inbound_session(to, to_acc, o->scratch, mlen) == olm_error() ||
            olm_remove_one_time_keys(to_acc, to) == olm_error())
            return -1;
    }
    memcpy(o->scratch, o->msg, mlen);
    size_t max = olm_decrypt_max_plaintext_length(to, type, o->scratch, mlen);
    memcpy(o->scratch, o->msg, mlen);
    if (max == olm_error() || max > sizeof o->back ||
        olm_decrypt(to, type, o->scratch, mlen, o->back, max) == olm_error())
        return -1;
    bench_consume(o->back, 1);
    return 0;
}

static int
olm_setup_once(struct obench *o)
{
    if (o->next_otk == o->n_otk && obench_keys(o))
        return -1;
    const char *otk = o->otk[o->next_otk++];
    olm_clear_session(o->a);
    olm_clear_session(o->b);
    size_t r = olm_create_outbound_session_random_length(o->a);
    randombytes_buf(o->rnd, r);
    if (olm_create_outbound_session(o->a, o->acc_a, o->b_identity, strlen(o->b_identity), otk,
                                    strlen(otk), o->rnd, r) == olm_error())
        return -1;
    return olm_send(o, o->a, o->b, o->acc_b);
}

static void
b_olm_setup(void *arg, uint64_t iters)
{
    struct obench *o = arg;
    while (iters--)
        if (olm_setup_once(o))
            abort();
}

static void
b_olm_one_way(void *arg, uint64_t iters)
{
    struct obench *o = arg;
    while (iters--)
        if (olm_send(o, o->a, o->b, NULL))
            abort();
}

static void
b_olm_ping_pong(void *arg, uint64_t iters)
{
    struct obench *o = arg;
    while (iters--) {
        int rc = o->turn++ & 1 ? olm_send(o, o->b, o->a, NULL) : olm_send(o, o->a, o->b, NULL);
        if (rc)
            abort();
    }
}

static void
b_olm_group(void *arg, uint64_t iters)
{
    struct obench *o = arg;
    while (iters--) {
        size_t mlen = olm_group_encrypt_message_length(o->go, PAYLOAD);
        uint32_t index;
        if (mlen > sizeof o->msg ||
            olm_group_encrypt(o->go, o->pt, PAYLOAD, o->msg, mlen) == olm_error())
            abort();
        memcpy(o->scratch, o->msg, mlen);
        size_t max = olm_group_decrypt_max_plaintext_length(o->gi, o->scratch, mlen);
        memcpy(o->scratch, o->msg, mlen);
        if (max == olm_error() ||
            olm_group_decrypt(o->gi, o->scratch, mlen, o->back, max, &index) == olm_error())
            abort();
        bench_consume(o->back, 1);
    }
}

static int
obench_init(struct obench *o)
{
    memset(o, 0, sizeof *o);
    randombytes_buf(o->pt, sizeof o->pt);
    o->acc_a = olm_new_account(o);
    o->acc_b = olm_new_account(o);
    o->a = olm_session(olm_mem(olm_session_size()));
    o->b = olm_session(olm_mem(olm_session_size()));
    o->go = olm_outbound_group_session(olm_mem(olm_outbound_group_session_size()));
    o->gi = olm_inbound_group_session(olm_mem(olm_inbound_group_session_size()));
    uint8_t key[512];
    size_t r = olm_init_outbound_group_session_random_length(o->go);
    randombytes_buf(o->rnd, r);
    if (!o->acc_a || !o->acc_b || obench_keys(o) ||
        olm_init_outbound_group_session(o->go, o->rnd, r) == olm_error())
        return -1;
    size_t kn = olm_outbound_group_session_key(o->go, key, sizeof key);
    if (kn == olm_error() || olm_init_inbound_group_session(o->gi, key, kn) == olm_error())
        return -1;
    return 0;
}

static void
obench_free(struct obench *o)
{
    free(o->acc_a);
    free(o->acc_b);
    free(o->a);
    free(o->b);
    free(o->go);
    free(o->gi);
}
#endif

/* ================================================================================ driver ==== */

/* Heap allocations per call of fn over n calls. */
static double
allocs_per_op(bench_fn fn, void *arg, uint64_t n)
{
    uint64_t before = bench_allocs();
    fn(arg, n);
    return (double)(bench_allocs() - before) / (double)n;
}

struct figures {
    double setup, setup_nocache, one_way, ping_pong, group, skip, allocs;
};

#ifdef E2E_HAVE_SIGNALC
#define WITH_SIGNALC(x) x
#else
#define WITH_SIGNALC(x)
#endif
#ifdef E2E_HAVE_OLM
#define WITH_OLM(x) x
#else
#define WITH_OLM(x)
#endif

/* All three implementations, each test run on one right after the other (a shared machine's
 * load drifts; ratios taken from neighbouring measurements drift least). */
struct all {
    struct ours o;
    struct figures u, c, l;
    int have_c, have_l;
    WITH_SIGNALC(struct cbench cb;)
    WITH_OLM(struct obench ob;)
};

#ifdef E2E_HAVE_SIGNALC
#define C_FN(f) f
#else
#define C_FN(f) NULL
#endif
#ifdef E2E_HAVE_OLM
#define OLM_FN(f) f
#else
#define OLM_FN(f) NULL
#endif

/* One test on the three implementations: fastest of three rounds, each round ours then the
 * baselines right after (bench_ns_pair's method, for three). A NULL fn or a baseline that is
 * not available is skipped. `field` is the figure's offset in struct figures. */
static void
measure3(struct all *x, size_t field, bench_fn fo, bench_fn fc, bench_fn fl)
{
    struct figures *fig[3] = {&x->u, &x->c, &x->l};
    bench_fn fn[3] = {fo, x->have_c ? fc : NULL, x->have_l ? fl : NULL};
    void *arg[3] = {&x->o, NULL, NULL};
    WITH_SIGNALC(arg[1] = &x->cb;)
    WITH_OLM(arg[2] = &x->ob;)
    for (int round = 0; round < 3; round++) {
        for (int k = 0; k < 3; k++) {
            if (!fn[k])
                continue;
            double ns = bench_ns_per_op(fn[k], arg[k]);
            double *slot = (double *)(void *)((char *)fig[k] + field);
            if (round == 0 || ns < *slot)
                *slot = ns;
        }
    }
}

#define FIELD(f) offsetof(struct figures, f)

static int
measure_setup(struct all *x)
{
    measure3(x, FIELD(setup), b_ours_setup, C_FN(b_c_setup), OLM_FN(b_olm_setup));
    x->o.use_cache = 0;
    measure3(x, FIELD(setup_nocache), b_ours_setup, NULL, NULL);
    /* from here on, conversations past their prekey phase */
    if (ours_conversation(&x->o) || ours_groups(&x->o))
        return -1;
    WITH_SIGNALC(if (x->have_c && c_conversation(&x->cb)) x->have_c = 0;)
    WITH_OLM(if (x->have_l && (olm_setup_once(&x->ob) || olm_send(&x->ob, x->ob.b, x->ob.a, NULL)))
                 x->have_l = 0;)
    return 0;
}

static void
measure_messages(struct all *x)
{
    b_ours_one_way(&x->o, 100); /* warm: lists and buffers at their steady size */
    x->u.allocs = allocs_per_op(b_ours_one_way, &x->o, 1000);
    WITH_SIGNALC(if (x->have_c) {
        b_c_one_way(&x->cb, 100);
        x->c.allocs = allocs_per_op(b_c_one_way, &x->cb, 1000);
    })
    measure3(x, FIELD(one_way), b_ours_one_way, C_FN(b_c_one_way), OLM_FN(b_olm_one_way));
    x->o.turn = 0;
    measure3(x, FIELD(ping_pong), b_ours_ping_pong, C_FN(b_c_ping_pong), OLM_FN(b_olm_ping_pong));
    measure3(x, FIELD(group), b_ours_group, C_FN(b_c_group), OLM_FN(b_olm_group));
}

static int
measure_skip(struct all *x)
{
    if (ours_conversation(&x->o) || ours_skip(&x->o))
        return -1;
    WITH_SIGNALC(if (x->have_c && (c_conversation(&x->cb) || c_skip(&x->cb))) x->have_c = 0;)
    measure3(x, FIELD(skip), b_ours_one_way, C_FN(b_c_one_way), NULL);
    return 0;
}

static void
report_pair(const char *name, double ours_ns, const char *base, double base_ns)
{
    bench_report(suite, name, "ops/s", bench_ops(ours_ns), base, bench_ops(base_ns),
                 BENCH_HIGHER_IS_BETTER);
}

static void
report(const struct all *x)
{
    const struct figures *u = &x->u;
    bench_report_single(suite, "(a) session setup, signature cache off", "ops/s",
                        bench_ops(u->setup_nocache));
    bench_report_single(suite, "(e) in-order msg after 1,500 skipped / normal", "x",
                        u->skip / u->one_way);
    bench_report_single(suite, "(b) heap allocations per message", "allocs", u->allocs);
    if (x->have_c) {
        const char *sc = "libsignal-protocol-c 2.3.3";
        report_pair("(a) session setup (bundle -> msg -> decrypt)", u->setup, sc, x->c.setup);
        report_pair("(b) one direction, encrypt + decrypt", u->one_way, sc, x->c.one_way);
        report_pair("(c) ping-pong, DH ratchet every message", u->ping_pong, sc, x->c.ping_pong);
        report_pair("(d) sender-key group encrypt + decrypt", u->group, sc, x->c.group);
        report_pair("(e) in-order message after 1,500 skipped", u->skip, sc, x->c.skip);
        bench_report(suite, "(b) heap allocations per message", "allocs", u->allocs, sc,
                     x->c.allocs, BENCH_LOWER_IS_BETTER);
        bench_report_single(suite, "(e) libsignal-protocol-c: after skip / normal", "x",
                            x->c.skip / x->c.one_way);
    }
    if (x->have_l) {
        const char *ol = "libolm 3.2.13 (olm/megolm)";
        report_pair("(a) session setup (bundle -> msg -> decrypt)", u->setup, ol, x->l.setup);
        report_pair("(b) one direction, encrypt + decrypt", u->one_way, ol, x->l.one_way);
        report_pair("(c) ping-pong, DH ratchet every message", u->ping_pong, ol, x->l.ping_pong);
        report_pair("(d) sender-key group encrypt + decrypt", u->group, ol, x->l.group);
    }
}

void
bench_signal(void)
{
    static struct all x;
    memset(&x, 0, sizeof x);
    bench_section("signal: Signal Protocol core, 1 KiB messages");
    if (ours_init(&x.o)) {
        fprintf(stderr, "bench_signal: our side failed to start\n");
        ours_free(&x.o);
        return;
    }
    WITH_SIGNALC(x.have_c = cbench_init(&x.cb) == 0;)
    WITH_OLM(x.have_l = obench_init(&x.ob) == 0;)
    if (measure_setup(&x) == 0) {
        measure_messages(&x);
        if (measure_skip(&x) == 0)
            report(&x);
    } else {
        fprintf(stderr, "bench_signal: our session failed\n");
    }
    if (!x.have_c || !x.have_l)
        fprintf(stderr,
                "bench_signal: a baseline is missing or failed (libsignal-protocol-c %d, "
                "libolm %d)\n",
                x.have_c, x.have_l);
    ours_free(&x.o);
    WITH_SIGNALC(cbench_free(&x.cb);)
    WITH_OLM(obench_free(&x.ob);)
}
