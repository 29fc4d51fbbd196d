/* libsignal-protocol-c as an interop peer (see signalc_peer.h). */
#include "signalc_peer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <e2ekit/crypto.h>
#include <signal/curve.h>
#include <signal/fingerprint.h>
#include <signal/group_cipher.h>
#include <signal/group_session_builder.h>
#include <signal/key_helper.h>
#include <signal/protocol.h>
#include <signal/ratchet.h>
#include <signal/session_builder.h>
#include <signal/session_cipher.h>
#include <signal/session_pre_key.h>
#include <signal/session_record.h>

/* ---- crypto provider on e2ekit --------------------------------------------------------------- */

static int
p_random(uint8_t *data, size_t len, void *user)
{
    return e2e_drbg_rng(user, data, len) == 0 ? 0 : SG_ERR_UNKNOWN;
}

static int
p_hmac_init(void **c, const uint8_t *key, size_t key_len, void *user)
{
    (void)user;
    e2e_hmac_sha256_ctx *h = malloc(sizeof *h);
    if (!h)
        return SG_ERR_NOMEM;
    e2e_hmac_sha256_init(h, key, key_len);
    *c = h;
    return 0;
}

static int
p_hmac_update(void *c, const uint8_t *data, size_t n, void *user)
{
    (void)user;
    e2e_hmac_sha256_update(c, data, n);
    return 0;
}

static int
p_hmac_final(void *c, signal_buffer **out, void *user)
{
    uint8_t mac[32];
    (void)user;
    e2e_hmac_sha256_final(c, mac);
    *out = signal_buffer_create(mac, sizeof mac);
    return *out ? 0 : SG_ERR_NOMEM;
}

static void
p_hmac_cleanup(void *c, void *user)
{
    (void)user;
    if (c) {
        e2e_wipe(c, sizeof(e2e_hmac_sha256_ctx));
        free(c);
    }
}

static int
p_sha512_init(void **c, void *user)
{
    (void)user;
    e2e_sha512_ctx *h = malloc(sizeof *h);
    if (!h)
        return SG_ERR_NOMEM;
    e2e_sha512_init(h);
    *c = h;
    return 0;
}

static int
p_sha512_update(void *c, const uint8_t *data, size_t n, void *user)
{
    (void)user;
    e2e_sha512_update(c, data, n);
    return 0;
}

static int
p_sha512_final(void *c, signal_buffer **out, void *user)
{
    uint8_t d[64];
    (void)user;
    e2e_sha512_final(c, d);
    e2e_sha512_init(c); /* "prepare the context for reuse" */
    *out = signal_buffer_create(d, sizeof d);
    return *out ? 0 : SG_ERR_NOMEM;
}

static void
p_sha512_cleanup(void *c, void *user)
{
    (void)user;
    free(c);
}

static int
p_cipher(signal_buffer **out, int cipher, const uint8_t *key, size_t key_len, const uint8_t *iv,
         size_t iv_len, const uint8_t *in, size_t n, int decrypt)
{
    e2e_aes_key k;
    if (iv_len != 16 || e2e_aes_setkey(&k, key, key_len) != E2E_OK)
        return SG_ERR_UNKNOWN;
    signal_buffer *b = signal_buffer_alloc(n + 16);
    if (!b)
        return SG_ERR_NOMEM;
    size_t len = n;
    int rc = E2E_OK;
    if (cipher == SG_CIPHER_AES_CTR_NOPADDING)
        e2e_aes_ctr_xor(&k, iv, 0, in, n, signal_buffer_data(b));
    else if (cipher == SG_CIPHER_AES_CBC_PKCS5 && decrypt)
        rc = e2e_aes_cbc_pkcs7_decrypt(&k, iv, in, n, signal_buffer_data(b), n + 16, &len);
    else if (cipher == SG_CIPHER_AES_CBC_PKCS5)
        rc = e2e_aes_cbc_pkcs7_encrypt(&k, iv, in, n, signal_buffer_data(b), n + 16, &len);
    else
        rc = E2E_ERR_UNSUPPORTED;
    e2e_wipe(&k, sizeof k);
    if (rc != E2E_OK) {
        signal_buffer_bzero_free(b);
        return SG_ERR_UNKNOWN;
    }
    *out = signal_buffer_create(signal_buffer_data(b), len);
    signal_buffer_bzero_free(b);
    return *out ? 0 : SG_ERR_NOMEM;
}

static int
p_encrypt(signal_buffer **out, int cipher, const uint8_t *key, size_t key_len, const uint8_t *iv,
          size_t iv_len, const uint8_t *in, size_t n, void *user)
{
    (void)user;
    return p_cipher(out, cipher, key, key_len, iv, iv_len, in, n, 0);
}

static int
p_decrypt(signal_buffer **out, int cipher, const uint8_t *key, size_t key_len, const uint8_t *iv,
          size_t iv_len, const uint8_t *in, size_t n, void *user)
{
    (void)user;
    return p_cipher(out, cipher, key, key_len, iv, iv_len, in, n, 1);
}

void
sc_provider_e2e(signal_crypto_provider *p, struct e2e_drbg *drbg)
{
    memset(p, 0, sizeof *p);
    p->random_func = p_random;
    p->hmac_sha256_init_func = p_hmac_init;
    p->hmac_sha256_update_func = p_hmac_update;
    p->hmac_sha256_final_func = p_hmac_final;
    p->hmac_sha256_cleanup_func = p_hmac_cleanup;
    p->sha512_digest_init_func = p_sha512_init;
    p->sha512_digest_update_func = p_sha512_update;
    p->sha512_digest_final_func = p_sha512_final;
    p->sha512_digest_cleanup_func = p_sha512_cleanup;
    p->encrypt_func = p_encrypt;
    p->decrypt_func = p_decrypt;
    p->user_data = drbg;
}

/* ---- keys across the boundary ---------------------------------------------------------------- */

static ec_public_key *
to_pub(signal_context *ctx, const uint8_t key[32])
{
    uint8_t enc[33];
    ec_public_key *k = NULL;
    e2e_signal_pubkey_encode(enc, key);
    return curve_decode_point(&k, enc, sizeof enc, ctx) == 0 ? k : NULL;
}

static void
from_pub(uint8_t out[32], const ec_public_key *k)
{
    signal_buffer *b = NULL;
    memset(out, 0, 32);
    if (ec_public_key_serialize(&b, k) == 0 && signal_buffer_len(b) == 33)
        memcpy(out, signal_buffer_data(b) + 1, 32);
    signal_buffer_free(b);
}

/* ---- party ----------------------------------------------------------------------------------- */

static int
party_identity(struct sc_party *p)
{
    ratchet_identity_key_pair *kp = NULL;
    int rc = signal_protocol_key_helper_generate_identity_key_pair(&kp, p->ctx);
    if (rc == 0)
        rc = signal_protocol_key_helper_generate_registration_id(&p->registration_id, 0, p->ctx);
    if (rc == 0)
        rc = ec_public_key_serialize(&p->store.identity_pub,
                                     ratchet_identity_key_pair_get_public(kp));
    if (rc == 0)
        rc = ec_private_key_serialize(&p->store.identity_priv,
                                      ratchet_identity_key_pair_get_private(kp));
    if (rc == 0) {
        from_pub(p->identity_pub, ratchet_identity_key_pair_get_public(kp));
        p->store.registration_id = p->registration_id;
    }
    SIGNAL_UNREF(kp);
    return rc;
}

struct sc_party *
sc_party_new(uint64_t seed)
{
    struct sc_party *p = calloc(1, sizeof *p);
    signal_crypto_provider prov;
    if (!p)
        return NULL;
    e2e_drbg_seed(&p->drbg, &seed, sizeof seed);
    sc_provider_e2e(&prov, &p->drbg);
    if (signal_context_create(&p->ctx, p) != 0 ||
        signal_context_set_crypto_provider(p->ctx, &prov) != 0 ||
        sc_store_context(&p->store_ctx, p->ctx, &p->store) != 0 || party_identity(p) != 0) {
        sc_party_free(p);
        return NULL;
    }
    return p;
}

void
sc_party_free(struct sc_party *p)
{
    if (!p)
        return;
    if (p->store_ctx)
        signal_protocol_store_context_destroy(p->store_ctx);
    if (p->ctx)
        signal_context_destroy(p->ctx);
    sc_store_clear(&p->store);
    e2e_wipe(p, sizeof *p);
    free(p);
}

static signal_protocol_address
addr(const char *name)
{
    signal_protocol_address a = {name, strlen(name), 1};
    return a;
}

static int
store_signed_prekey(struct sc_party *p, uint32_t spk_id, struct e2e_signal_bundle *out)
{
    ratchet_identity_key_pair *id = NULL;
    session_signed_pre_key *spk = NULL;
    signal_buffer *ser = NULL;
    int rc = signal_protocol_identity_get_key_pair(p->store_ctx, &id);
    if (rc == 0)
        rc = signal_protocol_key_helper_generate_signed_pre_key(&spk, id, spk_id, 1, p->ctx);
    if (rc == 0)
        rc = signal_protocol_signed_pre_key_store_key(p->store_ctx, spk);
    if (rc == 0) {
        out->signed_prekey_id = spk_id;
        from_pub(out->signed_prekey,
                 ec_key_pair_get_public(session_signed_pre_key_get_key_pair(spk)));
        memcpy(out->signed_prekey_signature, session_signed_pre_key_get_signature(spk), 64);
    }
    signal_buffer_free(ser);
    SIGNAL_UNREF(spk);
    SIGNAL_UNREF(id);
    return rc;
}

static int
store_one_time_prekey(struct sc_party *p, uint32_t opk_id, struct e2e_signal_bundle *out)
{
    signal_protocol_key_helper_pre_key_list_node *head = NULL;
    int rc = signal_protocol_key_helper_generate_pre_keys(&head, opk_id, 1, p->ctx);
    if (rc == 0) {
        session_pre_key *k = signal_protocol_key_helper_key_list_element(head);
        rc = signal_protocol_pre_key_store_key(p->store_ctx, k);
        out->has_one_time_prekey = 1;
        out->one_time_prekey_id = session_pre_key_get_id(k);
        from_pub(out->one_time_prekey, ec_key_pair_get_public(session_pre_key_get_key_pair(k)));
    }
    signal_protocol_key_helper_key_list_free(head);
    return rc;
}

int
sc_party_bundle(struct sc_party *p, uint32_t spk_id, uint32_t opk_id, uint32_t device_id,
                struct e2e_signal_bundle *out)
{
    memset(out, 0, sizeof *out);
    out->registration_id = p->registration_id;
    out->device_id = device_id;
    memcpy(out->identity_key, p->identity_pub, 32);
    int rc = store_signed_prekey(p, spk_id, out);
    if (rc == 0 && opk_id)
        rc = store_one_time_prekey(p, opk_id, out);
    return rc;
}

int
sc_process_bundle(struct sc_party *p, const char *name, const struct e2e_signal_bundle *b)
{
    signal_protocol_address a = addr(name);
    session_builder *sb = NULL;
    session_pre_key_bundle *bundle = NULL;
    ec_public_key *ik = to_pub(p->ctx, b->identity_key), *spk = to_pub(p->ctx, b->signed_prekey);
    ec_public_key *opk = b->has_one_time_prekey ? to_pub(p->ctx, b->one_time_prekey) : NULL;
    int rc = ik && spk ? 0 : SG_ERR_INVALID_KEY;
    if (rc == 0)
        rc = session_pre_key_bundle_create(&bundle, b->registration_id, (int)b->device_id,
                                           b->has_one_time_prekey ? b->one_time_prekey_id : 0, opk,
                                           b->signed_prekey_id, spk, b->signed_prekey_signature, 64,
                                           ik);
    if (rc == 0)
        rc = session_builder_create(&sb, p->store_ctx, &a, p->ctx);
    if (rc == 0)
        rc = session_builder_process_pre_key_bundle(sb, bundle);
    session_builder_free(sb);
    SIGNAL_UNREF(bundle);
    SIGNAL_UNREF(ik);
    SIGNAL_UNREF(spk);
    SIGNAL_UNREF(opk);
    return rc;
}

static int
copy_out(uint8_t **out, size_t *out_len, signal_buffer *b)
{
    *out_len = signal_buffer_len(b);
    *out = malloc(*out_len ? *out_len : 1);
    if (!*out)
        return SG_ERR_NOMEM;
    memcpy(*out, signal_buffer_const_data(b), *out_len);
    return 0;
}

int
sc_encrypt(struct sc_party *p, const char *name, const uint8_t *pt, size_t n, uint8_t **out,
           size_t *out_len, int *type)
{
    signal_protocol_address a = addr(name);
    session_cipher *c = NULL;
    ciphertext_message *m = NULL;
    int rc = session_cipher_create(&c, p->store_ctx, &a, p->ctx);
    if (rc == 0)
        rc = session_cipher_encrypt(c, pt, n, &m);
    if (rc == 0) {
        *type = ciphertext_message_get_type(m);
        rc = copy_out(out, out_len, ciphertext_message_get_serialized(m));
    }
    SIGNAL_UNREF(m);
    session_cipher_free(c);
    return rc;
}

int
sc_decrypt(struct sc_party *p, const char *name, int type, const uint8_t *msg, size_t n,
           uint8_t **pt, size_t *pt_len)
{
    signal_protocol_address a = addr(name);
    session_cipher *c = NULL;
    signal_buffer *plain = NULL;
    int rc = session_cipher_create(&c, p->store_ctx, &a, p->ctx);
    if (rc == 0 && type == CIPHERTEXT_PREKEY_TYPE) {
        pre_key_signal_message *m = NULL;
        rc = pre_key_signal_message_deserialize(&m, msg, n, p->ctx);
        if (rc == 0)
            rc = session_cipher_decrypt_pre_key_signal_message(c, m, NULL, &plain);
        SIGNAL_UNREF(m);
    } else if (rc == 0) {
        signal_message *m = NULL;
        rc = signal_message_deserialize(&m, msg, n, p->ctx);
        if (rc == 0)
            rc = session_cipher_decrypt_signal_message(c, m, NULL, &plain);
        SIGNAL_UNREF(m);
    }
    if (rc == 0)
        rc = copy_out(pt, pt_len, plain);
    signal_buffer_bzero_free(plain);
    session_cipher_free(c);
    return rc;
}

size_t
sc_session_size(struct sc_party *p, const char *name)
{
    signal_protocol_address a = addr(name);
    uint8_t k[256];
    size_t kl = a.name_len, vlen = 0;
    memcpy(k, name, kl);
    memcpy(k + kl, &a.device_id, 4);
    return sc_map_get(&p->store.sessions, k, kl + 4, &vlen) ? vlen : 0;
}

int
sc_session_archived(struct sc_party *p, const char *name)
{
    signal_protocol_address a = addr(name);
    session_record *r = NULL;
    if (signal_protocol_session_load_session(p->store_ctx, &r, &a) != 0)
        return -1;
    int n = 0;
    for (session_record_state_node *s = session_record_get_previous_states_head(r); s;
         s = session_record_get_previous_states_next(s))
        n++;
    SIGNAL_UNREF(r);
    return n;
}

/* ---- groups ---------------------------------------------------------------------------------- */

static signal_protocol_sender_key_name
skname(const char *group, const char *sender)
{
    signal_protocol_sender_key_name n = {group, strlen(group), addr(sender)};
    return n;
}

int
sc_group_create(struct sc_party *p, const char *group, const char *self, uint8_t **skdm,
                size_t *len)
{
    signal_protocol_sender_key_name n = skname(group, self);
    group_session_builder *b = NULL;
    sender_key_distribution_message *m = NULL;
    int rc = group_session_builder_create(&b, p->store_ctx, p->ctx);
    if (rc == 0)
        rc = group_session_builder_create_session(b, &m, &n);
    if (rc == 0)
        rc = copy_out(skdm, len, ciphertext_message_get_serialized((ciphertext_message *)m));
    SIGNAL_UNREF(m);
    group_session_builder_free(b);
    return rc;
}

int
sc_group_process(struct sc_party *p, const char *group, const char *sender, const uint8_t *skdm,
                 size_t len)
{
    signal_protocol_sender_key_name n = skname(group, sender);
    group_session_builder *b = NULL;
    sender_key_distribution_message *m = NULL;
    int rc = sender_key_distribution_message_deserialize(&m, skdm, len, p->ctx);
    if (rc == 0)
        rc = group_session_builder_create(&b, p->store_ctx, p->ctx);
    if (rc == 0)
        rc = group_session_builder_process_session(b, &n, m);
    SIGNAL_UNREF(m);
    group_session_builder_free(b);
    return rc;
}

int
sc_group_encrypt(struct sc_party *p, const char *group, const char *self, const uint8_t *pt,
                 size_t n, uint8_t **out, size_t *out_len)
{
    signal_protocol_sender_key_name name = skname(group, self);
    group_cipher *c = NULL;
    ciphertext_message *m = NULL;
    int rc = group_cipher_create(&c, p->store_ctx, &name, p->ctx);
    if (rc == 0)
        rc = group_cipher_encrypt(c, pt, n, &m);
    if (rc == 0)
        rc = copy_out(out, out_len, ciphertext_message_get_serialized(m));
    SIGNAL_UNREF(m);
    group_cipher_free(c);
    return rc;
}

int
sc_group_decrypt(struct sc_party *p, const char *group, const char *sender, const uint8_t *msg,
                 size_t n, uint8_t **pt, size_t *pt_len)
{
    signal_protocol_sender_key_name name = skname(group, sender);
    group_cipher *c = NULL;
    sender_key_message *m = NULL;
    signal_buffer *plain = NULL;
    int rc = sender_key_message_deserialize(&m, msg, n, p->ctx);
    if (rc == 0)
        rc = group_cipher_create(&c, p->store_ctx, &name, p->ctx);
    if (rc == 0)
        rc = group_cipher_decrypt(c, m, NULL, &plain);
    if (rc == 0)
        rc = copy_out(pt, pt_len, plain);
    signal_buffer_bzero_free(plain);
    SIGNAL_UNREF(m);
    group_cipher_free(c);
    return rc;
}

/* ---- fingerprints ---------------------------------------------------------------------------- */

static ec_public_key_list *
key_list(signal_context *ctx, const uint8_t (*keys)[32], size_t n)
{
    ec_public_key_list *l = ec_public_key_list_alloc();
    for (size_t i = 0; l && i < n; i++) {
        ec_public_key *k = to_pub(ctx, keys[i]);
        if (!k || ec_public_key_list_push_back(l, k) != 0) {
            SIGNAL_UNREF(k);
            ec_public_key_list_free(l);
            return NULL;
        }
        SIGNAL_UNREF(k);
    }
    return l;
}

int
sc_fingerprint(struct sc_party *p, int iterations, int version, const char *local_id,
               const uint8_t (*local_keys)[32], size_t n_local, const char *remote_id,
               const uint8_t (*remote_keys)[32], size_t n_remote, char display[61],
               uint8_t **scannable, size_t *scannable_len)
{
    fingerprint_generator *g = NULL;
    fingerprint *fp = NULL;
    signal_buffer *sc = NULL;
    ec_public_key_list *l = key_list(p->ctx, local_keys, n_local);
    ec_public_key_list *r = key_list(p->ctx, remote_keys, n_remote);
    int rc = l && r ? fingerprint_generator_create(&g, iterations, version, p->ctx) : SG_ERR_NOMEM;
    if (rc == 0)
        rc = fingerprint_generator_create_for_list(g, local_id, l, remote_id, r, &fp);
    if (rc == 0) {
        const char *t = displayable_fingerprint_text(fingerprint_get_displayable(fp));
        snprintf(display, 61, "%s", t);
        rc = scannable_fingerprint_serialize(&sc, fingerprint_get_scannable(fp));
    }
    if (rc == 0)
        rc = copy_out(scannable, scannable_len, sc);
    signal_buffer_free(sc);
    SIGNAL_UNREF(fp);
    fingerprint_generator_free(g);
    ec_public_key_list_free(l);
    ec_public_key_list_free(r);
    return rc;
}
