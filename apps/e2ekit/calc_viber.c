/*
 * Calculators of the viber suite (docs/protocols/viber.md): the seed's formulas one by one,
 * and our defined constructions end to end. Every random input is explicit hex: the
 * end-to-end calculators run the real library objects under a "scripted" randomness source
 * that hands out the given values in the order the library draws them, so a vector checks
 * the library's own code path, not a re-implementation.
 */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/viber.h>

#include "cli.h"

#define MAX_TEXT 4096

/* ---- scripted randomness -------------------------------------------------------------------- */

struct script {
    uint8_t buf[1024];
    size_t n, pos;
};

static int
script_rng(void *user, uint8_t *out, size_t n)
{
    struct script *s = user;
    if (n > s->n - s->pos)
        return -1;
    memcpy(out, s->buf + s->pos, n);
    s->pos += n;
    return 0;
}

static void
script_add(struct script *s, const uint8_t *p, size_t n)
{
    if (n <= sizeof s->buf - s->n) {
        memcpy(s->buf + s->n, p, n);
        s->n += n;
    }
}

static int
script_ctx(struct cli *c, e2e_ctx **ctx, struct script *s)
{
    struct e2e_ctx_config cfg = {0};
    cfg.rng = script_rng;
    cfg.user = s;
    if (e2e_ctx_new(ctx, &cfg) != E2E_OK) {
        cli_error(c, NULL, "out of memory");
        return CLI_EXIT_UNEXPECTED;
    }
    return 0;
}

/* Reads the named hex options, each of the given exact size, into the script in order. */
static int
script_opts(struct cli *c, const struct cli_args *a, struct script *s, const char *const *names,
            const size_t *sizes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t v[64];
        size_t len;
        int rc = cli_hex(c, a, names[i], v, sizeof v, &len, sizes[i]);
        if (rc)
            return rc;
        script_add(s, v, len);
        e2e_wipe(v, sizeof v);
    }
    return 0;
}

static int
fail(struct cli *c, int err, const char *what)
{
    return cli_fail(c, err, NULL, "%s", what);
}

/* ---- formulas ------------------------------------------------------------------------------- */

static const struct cli_opt auth_opts[] = {
    {"own-private", OPT_HEX, 1, "HEX", "own account ID private key (32 bytes)"},
    {"peer-public", OPT_HEX, 1, "HEX", "peer account ID public key (32 bytes)"},
};

static int
run_auth(struct cli *c, const struct cli_args *a)
{
    uint8_t priv[32], pub[32];
    size_t n;
    char digits[E2E_VIBER_AUTH_DIGITS + 1], grouped[60];
    int rc = cli_hex(c, a, "own-private", priv, 32, &n, 32);
    if (!rc)
        rc = cli_hex(c, a, "peer-public", pub, 32, &n, 32);
    if (!rc) {
        int e = e2e_viber_auth_string(digits, priv, pub);
        if (e)
            rc = cli_fail(c, e, "the peer's key is of small order", "authentication string");
    }
    if (!rc) {
        e2e_viber_auth_string_groups(grouped, digits);
        cli_result_str(c, "digits", digits);
        cli_result_str(c, "grouped", grouped);
    }
    e2e_wipe(priv, sizeof priv);
    return rc;
}

static const struct cli_opt root_opts[] = {
    {"id-private", OPT_HEX, 1, "HEX", "own ID private key"},
    {"hs-private", OPT_HEX, 1, "HEX", "own handshake private key"},
    {"peer-id-public", OPT_HEX, 1, "HEX", "peer's ID public key"},
    {"peer-hs-public", OPT_HEX, 1, "HEX", "peer's handshake public key (of its PreKey)"},
    {"responder", OPT_FLAG, 0, NULL, "compute as B, the PreKey's owner (default: A)"},
};

static int
run_root(struct cli *c, const struct cli_args *a)
{
    uint8_t id[32], hs[32], pid[32], phs[32], root[32], dh[3][32];
    size_t n;
    int rc = cli_hex(c, a, "id-private", id, 32, &n, 32);
    if (!rc)
        rc = cli_hex(c, a, "hs-private", hs, 32, &n, 32);
    if (!rc)
        rc = cli_hex(c, a, "peer-id-public", pid, 32, &n, 32);
    if (!rc)
        rc = cli_hex(c, a, "peer-hs-public", phs, 32, &n, 32);
    if (!rc) {
        int e = e2e_viber_root_key(root, dh, id, hs, pid, phs, !cli_has(a, "responder"));
        if (e)
            rc = fail(c, e, "root key");
    }
    if (!rc) {
        cli_result_hex(c, "root_key", root, 32);
        cli_result_hex(c, "dh_id_a_hs_b", dh[0], 32);
        cli_result_hex(c, "dh_hs_a_id_b", dh[1], 32);
        cli_result_hex(c, "dh_hs_a_hs_b", dh[2], 32);
    }
    e2e_wipe(id, sizeof id);
    e2e_wipe(hs, sizeof hs);
    e2e_wipe(dh, sizeof dh);
    return rc;
}

static const struct cli_opt step_opts[] = {
    {"root-key", OPT_HEX, 1, "HEX", "current RootKey"},
    {"ratchet-private", OPT_HEX, 1, "HEX", "own ratchet private key"},
    {"peer-ratchet-public", OPT_HEX, 1, "HEX", "peer's ratchet public key"},
    {"label", OPT_STR, 0, "TEXT", "SessionKey label: mesg (our choice, default) or msg"},
};

static int
run_step(struct cli *c, const struct cli_args *a)
{
    uint8_t rk[32], priv[32], pub[32], nrk[32], sk[32], tk[32];
    size_t n;
    const char *label = cli_str(a, "label");
    if (label && strcmp(label, "mesg") != 0 && strcmp(label, "msg") != 0) {
        cli_error(c, "the seed writes \"mesg\" and \"msg\"", "--label: '%s'", label);
        return CLI_EXIT_USER;
    }
    int rc = cli_hex(c, a, "root-key", rk, 32, &n, 32);
    if (!rc)
        rc = cli_hex(c, a, "ratchet-private", priv, 32, &n, 32);
    if (!rc)
        rc = cli_hex(c, a, "peer-ratchet-public", pub, 32, &n, 32);
    if (!rc) {
        int e = e2e_viber_ratchet_step(nrk, sk, tk, rk, priv, pub, label);
        if (e)
            rc = fail(c, e, "ratchet step");
    }
    if (!rc) {
        cli_result_hex(c, "temp_key", tk, 32);
        cli_result_hex(c, "root_key", nrk, 32);
        cli_result_hex(c, "session_key", sk, 32);
    }
    e2e_wipe(priv, sizeof priv);
    e2e_wipe(tk, sizeof tk);
    e2e_wipe(sk, sizeof sk);
    return rc;
}

static const struct cli_opt chain_opts[] = {
    {"chain-key", OPT_HEX, 1, "HEX", "chain key CK_0 (a SessionKey)"},
    {"position", OPT_INT, 0, "N", "message position n in the chain (default 0)"},
};

static int
run_chain(struct cli *c, const struct cli_args *a)
{
    uint8_t ck[32], mk[32], wrap[32], mac[32];
    size_t n;
    long long pos = 0;
    int rc = cli_int(c, a, "position", 0, 100000, &pos);
    if (!rc)
        rc = cli_hex(c, a, "chain-key", ck, 32, &n, 32);
    if (rc)
        return rc;
    for (long long i = 0; i < pos; i++)
        e2e_viber_chain_step(mk, ck, ck);
    e2e_viber_chain_step(mk, ck, ck);
    e2e_viber_wrap_keys(wrap, mac, mk);
    cli_result_hex(c, "msg_key", mk, 32);
    cli_result_hex(c, "next_chain_key", ck, 32);
    cli_result_hex(c, "wrap_key", wrap, 32);
    cli_result_hex(c, "mac_key", mac, 32);
    e2e_wipe(ck, sizeof ck);
    e2e_wipe(mk, sizeof mk);
    e2e_wipe(wrap, sizeof wrap);
    e2e_wipe(mac, sizeof mac);
    return 0;
}

static const struct cli_opt gstep_opts[] = {
    {"group-key", OPT_HEX, 1, "HEX", "group chain key GK_s"},
    {"steps", OPT_INT, 0, "N", "hash steps to apply (default 1)"},
    {"group-id", OPT_HEX, 0, "HEX", "with --sender-udid: also the message keys at the result"},
    {"epoch", OPT_INT, 0, "N", "epoch (default 0)"},
    {"seq", OPT_INT, 0, "N", "position of the result (default: --steps)"},
    {"sender-udid", OPT_HEX, 0, "HEX", "writer's UDID (16 bytes)"},
};

static int
run_gstep(struct cli *c, const struct cli_args *a)
{
    uint8_t gk[32], gid[16], udid[16], enc[32], mac[32];
    size_t n, gn = 0, un = 0;
    long long steps = 1, epoch = 0, seq;
    int rc = cli_int(c, a, "steps", 0, 100000, &steps);
    seq = steps;
    if (!rc)
        rc = cli_int(c, a, "epoch", 0, 0xffffffffLL, &epoch);
    if (!rc)
        rc = cli_int(c, a, "seq", 0, 0xfffffffeLL, &seq);
    if (!rc)
        rc = cli_hex(c, a, "group-key", gk, 32, &n, 32);
    if (!rc)
        rc = cli_hex(c, a, "group-id", gid, 16, &gn, 16);
    if (!rc)
        rc = cli_hex(c, a, "sender-udid", udid, 16, &un, 16);
    if (rc)
        return rc;
    for (long long i = 0; i < steps; i++)
        e2e_viber_group_step(gk, gk);
    cli_result_hex(c, "group_key", gk, 32);
    if (gn && un) {
        e2e_viber_group_msg_keys(enc, mac, gk, gid, (uint32_t)epoch, (uint32_t)seq, udid);
        cli_result_hex(c, "enc_key", enc, 32);
        cli_result_hex(c, "mac_key", mac, 32);
    }
    e2e_wipe(gk, sizeof gk);
    e2e_wipe(enc, sizeof enc);
    e2e_wipe(mac, sizeof mac);
    return 0;
}

/* ---- one-to-one: a session start, read by the peer, and a reply ---------------------------- */

static const char *const session_script[] = {
    "alice-id-private", "bob-id-private",   "bob-hs-private",        "bob-ratchet-private",
    "prekey-random",    "alice-hs-private", "alice-ratchet-private", "message-key"};
static const size_t session_sizes[] = {32, 32, 32, 32, 64, 32, 32, 16};

static const struct cli_opt session_opts[] = {
    {"alice-udid", OPT_HEX, 1, "HEX", "Alice's device UDID (16 bytes)"},
    {"bob-udid", OPT_HEX, 1, "HEX", "Bob's device UDID (16 bytes)"},
    {"alice-id-private", OPT_HEX, 1, "HEX", "Alice's account ID private key"},
    {"bob-id-private", OPT_HEX, 1, "HEX", "Bob's account ID private key"},
    {"bob-hs-private", OPT_HEX, 1, "HEX", "handshake private key of Bob's PreKey 1"},
    {"bob-ratchet-private", OPT_HEX, 1, "HEX", "ratchet private key of Bob's PreKey 1"},
    {"prekey-random", OPT_HEX, 1, "HEX", "XEdDSA's 64 random bytes for the PreKey signature"},
    {"alice-hs-private", OPT_HEX, 1, "HEX", "Alice's handshake private key"},
    {"alice-ratchet-private", OPT_HEX, 1, "HEX", "Alice's first ratchet private key"},
    {"message-key", OPT_HEX, 1, "HEX", "the 128-bit ephemeral key of Alice's message"},
    {"plaintext", OPT_HEX, 1, "HEX", "Alice's message"},
    {"reply-message-key", OPT_HEX, 0, "HEX", "Bob replies: his message key (16 bytes)"},
    {"reply-ratchet-private", OPT_HEX, 0, "HEX", "Bob's new ratchet private key for the reply"},
    {"reply", OPT_HEX, 0, "HEX", "Bob's reply"},
};

struct duo {
    e2e_ctx *ctx;
    e2e_viber_device *alice, *bob;
    e2e_viber_session *ab, *ba;
    uint8_t *buf, *pt;
    size_t cap;
};

static void
duo_free(struct duo *d)
{
    e2e_viber_session_free(d->ab);
    e2e_viber_session_free(d->ba);
    e2e_viber_device_free(d->alice);
    e2e_viber_device_free(d->bob);
    e2e_ctx_free(d->ctx);
    free(d->buf);
    if (d->pt) {
        e2e_wipe(d->pt, d->cap);
        free(d->pt);
    }
}

/* Devices, Bob's PreKey 1 at the relay, Alice's session from it. */
static int
duo_setup(struct duo *d, const uint8_t audid[16], const uint8_t budid[16])
{
    uint8_t up[E2E_VIBER_PREKEY_WIRE_LEN + 64], id[32];
    size_t n;
    struct e2e_viber_prekey pk;
    e2e_viber_prekey_pool *pool = NULL;
    int rc = e2e_viber_device_new_primary(&d->alice, d->ctx, audid);
    if (!rc)
        rc = e2e_viber_device_new_primary(&d->bob, d->ctx, budid);
    if (!rc)
        rc = e2e_viber_device_prekeys_generate(d->bob, d->ctx, 1, up, sizeof up, &n);
    if (!rc)
        rc = e2e_viber_prekey_pool_new(&pool, budid);
    if (!rc)
        rc = e2e_viber_prekey_pool_add(pool, up, n, NULL);
    if (!rc)
        rc = e2e_viber_prekey_pool_take(pool, &pk);
    if (!rc)
        rc = e2e_viber_device_identity(d->bob, id);
    if (!rc)
        rc = e2e_viber_session_new(&d->ab, budid);
    if (!rc)
        rc = e2e_viber_session_new(&d->ba, audid);
    if (!rc)
        rc = e2e_viber_session_initiate(d->ab, d->ctx, d->alice, id, &pk, NULL);
    e2e_viber_prekey_pool_free(pool);
    return rc;
}

/* `from` sends pt to the peer of s; `to` decrypts it. The message stays in d->buf[0..*len). */
static int
duo_pass(struct duo *d, struct cli *c, e2e_viber_device *from, e2e_viber_session *s,
         e2e_viber_device *to, e2e_viber_session *back, const uint8_t *pt, size_t n,
         const char *key)
{
    size_t covered, len, out;
    struct e2e_report why;
    e2e_viber_session *one[1] = {s};
    int rc = e2e_viber_encrypt(d->ctx, from, one, 1, NULL, &covered, pt, n, d->buf, d->cap, &len);
    if (rc)
        return fail(c, rc, "encrypt");
    cli_result_hex(c, key, d->buf, len);
    rc = e2e_viber_decrypt(back, d->ctx, to, NULL, d->buf, len, d->pt, d->cap, &out, &why);
    if (rc)
        return cli_fail(c, rc, NULL, "decrypt (%s: %s)", why.check, why.detail);
    char k2[32];
    snprintf(k2, sizeof k2, "%s_read", key);
    cli_result_hex(c, k2, d->pt, out);
    return 0;
}

static int
run_session(struct cli *c, const struct cli_args *a)
{
    struct script s = {0};
    struct duo d = {0};
    uint8_t audid[16], budid[16], *pt = NULL, *reply = NULL;
    size_t n, ptn = 0, rn = 0;
    int rc = script_opts(c, a, &s, session_script, session_sizes, 8);
    if (!rc && cli_has(a, "reply")) {
        static const char *const r[] = {"reply-message-key", "reply-ratchet-private"};
        static const size_t rs[] = {16, 32};
        rc = script_opts(c, a, &s, r, rs, 2);
    }
    if (!rc)
        rc = cli_hex(c, a, "alice-udid", audid, 16, &n, 16);
    if (!rc)
        rc = cli_hex(c, a, "bob-udid", budid, 16, &n, 16);
    if (!rc)
        rc = cli_hex_alloc(c, a, "plaintext", &pt, &ptn);
    if (!rc)
        rc = cli_hex_alloc(c, a, "reply", &reply, &rn);
    if (!rc)
        rc = script_ctx(c, &d.ctx, &s);
    if (!rc) {
        d.cap = e2e_viber_msg_size(ptn > rn ? ptn : rn, 1);
        d.buf = malloc(d.cap);
        d.pt = malloc(d.cap);
        rc = d.buf && d.pt ? 0 : CLI_EXIT_UNEXPECTED;
    }
    int e = rc ? E2E_OK : duo_setup(&d, audid, budid);
    if (e)
        rc = fail(c, e, "session setup");
    if (!rc)
        rc = duo_pass(&d, c, d.alice, d.ab, d.bob, d.ba, pt, ptn, "message");
    if (!rc && cli_has(a, "reply"))
        rc = duo_pass(&d, c, d.bob, d.ba, d.alice, d.ab, reply, rn, "reply");
    if (!rc && s.pos != s.n)
        rc = cli_fail(c, E2E_ERR_INVALID, NULL, "%zu random bytes were not used", s.n - s.pos);
    duo_free(&d);
    cli_free_secret(pt, ptn);
    cli_free_secret(reply, rn);
    e2e_wipe(&s, sizeof s);
    return rc;
}

/* ---- groups --------------------------------------------------------------------------------- */

static const struct cli_opt gmsg_opts[] = {
    {"group-id", OPT_HEX, 1, "HEX", "group id (16 bytes)"},
    {"group-key", OPT_HEX, 1, "HEX", "GK at --seq"},
    {"epoch", OPT_INT, 0, "N", "epoch (default 0)"},
    {"seq", OPT_INT, 0, "N", "position (default 0)"},
    {"sender-udid", OPT_HEX, 1, "HEX", "the writer's UDID"},
    {"plaintext", OPT_HEX, 1, "HEX", "the message"},
};

/* A group state at (epoch, seq) with key GK, through the key-distribution payload. */
static int
group_at(e2e_viber_group **g, const uint8_t gid[16], const uint8_t gk[32], uint32_t epoch,
         uint32_t seq, const uint8_t udid[16])
{
    uint8_t p[E2E_VIBER_GROUP_KEY_LEN] = {1, 7};
    memcpy(p + 2, gid, 16);
    p[18] = (uint8_t)(epoch >> 24);
    p[19] = (uint8_t)(epoch >> 16);
    p[20] = (uint8_t)(epoch >> 8);
    p[21] = (uint8_t)epoch;
    p[22] = (uint8_t)(seq >> 24);
    p[23] = (uint8_t)(seq >> 16);
    p[24] = (uint8_t)(seq >> 8);
    p[25] = (uint8_t)seq;
    memcpy(p + 26, gk, 32);
    int rc = e2e_viber_group_join(g, udid, p, sizeof p, NULL);
    e2e_wipe(p, sizeof p);
    return rc;
}

static int
run_gmsg(struct cli *c, const struct cli_args *a)
{
    uint8_t gid[16], gk[32], udid[16], *pt = NULL, *out = NULL, *back = NULL;
    size_t n, ptn = 0, len = 0, bn;
    long long epoch = 0, seq = 0;
    e2e_viber_group *g = NULL, *r = NULL;
    uint8_t other[16] = {0xff};
    int rc = cli_int(c, a, "epoch", 0, 0xffffffffLL, &epoch);
    if (!rc)
        rc = cli_int(c, a, "seq", 0, 0xfffffffeLL, &seq);
    if (!rc)
        rc = cli_hex(c, a, "group-id", gid, 16, &n, 16);
    if (!rc)
        rc = cli_hex(c, a, "group-key", gk, 32, &n, 32);
    if (!rc)
        rc = cli_hex(c, a, "sender-udid", udid, 16, &n, 16);
    if (!rc)
        rc = cli_hex_alloc(c, a, "plaintext", &pt, &ptn);
    if (!rc && (!(out = malloc(e2e_viber_group_msg_size(ptn))) || !(back = malloc(ptn + 1))))
        rc = CLI_EXIT_UNEXPECTED;
    int e = rc ? E2E_OK : group_at(&g, gid, gk, (uint32_t)epoch, (uint32_t)seq, udid);
    if (!e && !rc)
        e = group_at(&r, gid, gk, (uint32_t)epoch, (uint32_t)seq, other);
    if (!e && !rc)
        e = e2e_viber_group_encrypt(g, NULL, pt, ptn, out, e2e_viber_group_msg_size(ptn), &len);
    if (!e && !rc)
        e = e2e_viber_group_decrypt(r, NULL, out, len, back, ptn + 1, &bn, NULL, NULL);
    if (e)
        rc = fail(c, e, "group message");
    if (!rc) {
        cli_result_hex(c, "message", out, len);
        cli_result_hex(c, "read", back, bn);
    }
    e2e_viber_group_free(g);
    e2e_viber_group_free(r);
    cli_free_secret(pt, ptn);
    cli_free_secret(back, ptn + 1);
    free(out);
    e2e_wipe(gk, sizeof gk);
    return rc;
}

/* ---- registration --------------------------------------------------------------------------- */

static const struct cli_opt link_opts[] = {
    {"udid", OPT_HEX, 1, "HEX", "the secondary's UDID (16 bytes)"},
    {"secondary-private", OPT_HEX, 1, "HEX", "the secondary's ephemeral private key"},
    {"primary-id-private", OPT_HEX, 1, "HEX", "the account's ID private key"},
    {"primary-private", OPT_HEX, 1, "HEX", "the primary's ephemeral private key"},
};

static int
run_link(struct cli *c, const struct cli_args *a)
{
    static const char *const names[] = {"secondary-private", "primary-id-private",
                                        "primary-private"};
    static const size_t sizes[] = {32, 32, 32};
    struct script s = {0};
    struct e2e_viber_link l;
    uint8_t udid[16], qr[E2E_VIBER_QR_LEN], msg[E2E_VIBER_LINK_MSG_LEN], to[16], id[32];
    size_t n;
    e2e_ctx *ctx = NULL;
    e2e_viber_device *sec = NULL, *pri = NULL;
    int rc = cli_hex(c, a, "udid", udid, 16, &n, 16);
    if (!rc)
        rc = script_opts(c, a, &s, names, sizes, 3);
    if (!rc)
        rc = script_ctx(c, &ctx, &s);
    int e = rc ? E2E_OK : e2e_viber_device_new_secondary(&sec, udid);
    if (!e && !rc)
        e = e2e_viber_link_start(&l, ctx, sec, qr);
    if (!e && !rc)
        e = e2e_viber_device_new_primary(&pri, ctx, udid);
    if (!e && !rc)
        e = e2e_viber_link_transfer(msg, to, ctx, pri, qr, sizeof qr, NULL);
    if (!e && !rc)
        e = e2e_viber_device_identity(pri, id);
    if (!e && !rc)
        e = e2e_viber_link_finish(&l, ctx, sec, id, msg, sizeof msg, NULL);
    if (e)
        rc = fail(c, e, "registration");
    if (!rc) {
        cli_result_hex(c, "transfer", msg, sizeof msg);
        cli_result_hex(c, "qr", qr, sizeof qr);
        cli_result_hex(c, "id_public", id, 32);
    }
    e2e_viber_device_free(sec);
    e2e_viber_device_free(pri);
    e2e_ctx_free(ctx);
    e2e_wipe(&s, sizeof s);
    return rc;
}

/* ---- files ---------------------------------------------------------------------------------- */

static const struct cli_opt file_opts[] = {
    {"key", OPT_HEX, 1, "HEX", "the file key (32 bytes)"},
    {"data", OPT_HEX, 1, "HEX", "the file"},
};

static int
run_file(struct cli *c, const struct cli_args *a)
{
    struct e2e_viber_file_stream f;
    uint8_t key[32], *buf = NULL, hmac[32], md5[16];
    size_t n, len = 0;
    int rc = cli_hex(c, a, "key", key, 32, &n, 32);
    if (!rc)
        rc = cli_hex_alloc(c, a, "data", &buf, &len);
    if (!rc) {
        e2e_viber_file_init(&f, key);
        int e = e2e_viber_file_encrypt_update(&f, buf, buf, len);
        e2e_viber_file_encrypt_final(&f, hmac, md5);
        if (e)
            rc = fail(c, e, "file");
    }
    if (!rc) {
        cli_result_hex(c, "ciphertext", buf, len);
        cli_result_hex(c, "hmac", hmac, 32);
        cli_result_hex(c, "md5", md5, 16);
    }
    free(buf);
    e2e_wipe(key, sizeof key);
    return rc;
}

/* ---- PreKey signatures, calls, media -------------------------------------------------------- */

static const struct cli_opt prekey_opts[] = {
    {"id-private", OPT_HEX, 1, "HEX", "the account ID private key"},
    {"udid", OPT_HEX, 1, "HEX", "the device's UDID"},
    {"hs-private", OPT_HEX, 1, "HEX", "handshake private key of PreKey 1"},
    {"ratchet-private", OPT_HEX, 1, "HEX", "ratchet private key of PreKey 1"},
    {"random", OPT_HEX, 1, "HEX", "XEdDSA's 64 random bytes"},
};

static int
run_prekey(struct cli *c, const struct cli_args *a)
{
    static const char *const names[] = {"id-private", "hs-private", "ratchet-private", "random"};
    static const size_t sizes[] = {32, 32, 32, 64};
    struct script s = {0};
    uint8_t udid[16], up[E2E_VIBER_PREKEY_WIRE_LEN + 64], wire[E2E_VIBER_PREKEY_WIRE_LEN];
    size_t n;
    e2e_ctx *ctx = NULL;
    e2e_viber_device *d = NULL;
    e2e_viber_prekey_pool *p = NULL;
    struct e2e_viber_prekey pk;
    int rc = cli_hex(c, a, "udid", udid, 16, &n, 16);
    if (!rc)
        rc = script_opts(c, a, &s, names, sizes, 4);
    if (!rc)
        rc = script_ctx(c, &ctx, &s);
    int e = rc ? E2E_OK : e2e_viber_device_new_primary(&d, ctx, udid);
    if (!e && !rc)
        e = e2e_viber_device_prekeys_generate(d, ctx, 1, up, sizeof up, &n);
    if (!e && !rc)
        e = e2e_viber_prekey_pool_new(&p, udid);
    if (!e && !rc)
        e = e2e_viber_prekey_pool_add(p, up, n, NULL);
    if (!e && !rc)
        e = e2e_viber_prekey_pool_take(p, &pk);
    if (e)
        rc = fail(c, e, "PreKey");
    if (!rc) {
        e2e_viber_prekey_encode(wire, &pk);
        cli_result_hex(c, "prekey", wire, sizeof wire);
        cli_result_hex(c, "upload", up, n);
    }
    e2e_viber_prekey_pool_free(p);
    e2e_viber_device_free(d);
    e2e_ctx_free(ctx);
    e2e_wipe(&s, sizeof s);
    return rc;
}

static const struct cli_opt call_opts[] = {
    {"call-id", OPT_HEX, 1, "HEX", "call id (16 bytes)"},
    {"caller-id-private", OPT_HEX, 1, "HEX", "caller's account ID private key"},
    {"callee-id-private", OPT_HEX, 1, "HEX", "callee's account ID private key"},
    {"caller-eph-private", OPT_HEX, 1, "HEX", "caller's ephemeral private key"},
    {"caller-random", OPT_HEX, 1, "HEX", "XEdDSA random bytes of the offer (64)"},
    {"callee-eph-private", OPT_HEX, 1, "HEX", "callee's ephemeral private key"},
    {"callee-random", OPT_HEX, 1, "HEX", "XEdDSA random bytes of the answer (64)"},
};

static int
call_run(e2e_ctx *ctx, const uint8_t call_id[16], struct cli *c)
{
    e2e_viber_device *er = NULL, *ee = NULL;
    struct e2e_viber_call a, b;
    uint8_t offer[E2E_VIBER_CALL_MSG_LEN], answer[E2E_VIBER_CALL_MSG_LEN], ida[32], idb[32];
    uint8_t udid[16] = {0};
    int e = e2e_viber_device_new_primary(&er, ctx, udid);
    if (!e)
        e = e2e_viber_device_new_primary(&ee, ctx, udid);
    if (!e)
        e = e2e_viber_device_identity(er, ida);
    if (!e)
        e = e2e_viber_device_identity(ee, idb);
    if (!e)
        e = e2e_viber_call_offer(&a, offer, ctx, er, call_id);
    if (!e)
        e = e2e_viber_call_answer(&b, answer, ctx, ee, ida, offer, sizeof offer, NULL);
    if (!e)
        e = e2e_viber_call_complete(&a, ctx, idb, answer, sizeof answer, NULL);
    if (!e && !e2e_ct_equal(a.call_key, b.call_key, 32))
        e = E2E_ERR_VERIFY;
    if (!e) {
        cli_result_hex(c, "call_key", a.call_key, 32);
        cli_result_hex(c, "offer", offer, sizeof offer);
        cli_result_hex(c, "answer", answer, sizeof answer);
    }
    e2e_viber_call_end(&a);
    e2e_viber_call_end(&b);
    e2e_viber_device_free(er);
    e2e_viber_device_free(ee);
    return e;
}

static int
run_call(struct cli *c, const struct cli_args *a)
{
    static const char *const names[] = {"caller-id-private",  "callee-id-private",
                                        "caller-eph-private", "caller-random",
                                        "callee-eph-private", "callee-random"};
    static const size_t sizes[] = {32, 32, 32, 64, 32, 64};
    struct script s = {0};
    uint8_t call_id[16];
    size_t n;
    e2e_ctx *ctx = NULL;
    int rc = cli_hex(c, a, "call-id", call_id, 16, &n, 16);
    if (!rc)
        rc = script_opts(c, a, &s, names, sizes, 6);
    if (!rc)
        rc = script_ctx(c, &ctx, &s);
    int e = rc ? E2E_OK : call_run(ctx, call_id, c);
    if (e)
        rc = fail(c, e, "call");
    e2e_ctx_free(ctx);
    e2e_wipe(&s, sizeof s);
    return rc;
}

static const struct cli_opt media_opts[] = {
    {"call-key", OPT_HEX, 1, "HEX", "the call key (32 bytes)"},
    {"direction", OPT_INT, 1, "N", "1 caller -> callee, 2 callee -> caller"},
    {"packet", OPT_HEX, 1, "HEX", "an RTP packet"},
    {"roc", OPT_INT, 0, "N", "rollover counter the sender is at (default 0)"},
};

static int
run_media(struct cli *c, const struct cli_args *a)
{
    struct e2e_viber_media m;
    uint8_t key[32], *pkt = NULL;
    size_t n, len = 0, out;
    long long dir = 0, roc = 0;
    int rc = cli_int(c, a, "direction", 1, 2, &dir);
    if (!rc)
        rc = cli_int(c, a, "roc", 0, 0xffffffffLL, &roc);
    if (!rc)
        rc = cli_hex(c, a, "call-key", key, 32, &n, 32);
    if (!rc) {
        const char *v = cli_str(a, "packet");
        size_t cap = strlen(v) / 2 + E2E_VIBER_MEDIA_TAG_LEN + 1;
        pkt = malloc(cap);
        rc = pkt ? cli_hex(c, a, "packet", pkt, cap, &len, 0) : CLI_EXIT_UNEXPECTED;
    }
    if (!rc) {
        e2e_viber_media_init_key(&m, key, (uint8_t)dir);
        if (len >= 4) { /* the sender is at this ROC with this packet's sequence number */
            e2e_replay_commit(&m.rw, (uint64_t)roc << 16 | (uint16_t)(pkt[2] << 8 | pkt[3]));
        }
        int e = e2e_viber_media_protect(&m, pkt, len, len + E2E_VIBER_MEDIA_TAG_LEN, &out);
        e2e_viber_media_wipe(&m);
        if (e)
            rc = fail(c, e, "media");
        else
            cli_result_hex(c, "packet", pkt, out);
    }
    free(pkt);
    e2e_wipe(key, sizeof key);
    return rc;
}

const struct calc_cmd calc_cmds_viber[] = {
    {"viber-auth-string", "48-digit string: SHA256(DH(own ID, peer ID)), 160 bits -> 4 x 12 digits",
     CALC_OPTS(auth_opts), run_auth},
    {"viber-root-key", "RootKey = SHA256(DH(ID_A,HS_B) || DH(HS_A,ID_B) || DH(HS_A,HS_B))",
     CALC_OPTS(root_opts), run_root},
    {"viber-ratchet-step", "TempKey, new RootKey (\"root\"), SessionKey (\"mesg\" or \"msg\")",
     CALC_OPTS(step_opts), run_step},
    {"viber-chain-step", "message key n of a chain, next chain key, wrap and MAC keys",
     CALC_OPTS(chain_opts), run_chain},
    {"viber-session", "session start A -> B from explicit keys, B's read, optional reply",
     CALC_OPTS(session_opts), run_session},
    {"viber-group-step", "group chain GK_s+n and a writer's message keys", CALC_OPTS(gstep_opts),
     run_gstep},
    {"viber-group-message", "one group message at a position, and a member's read",
     CALC_OPTS(gmsg_opts), run_gmsg},
    {"viber-link", "QR registration: QR payload, the primary's transfer, the secondary's check",
     CALC_OPTS(link_opts), run_link},
    {"viber-file", "file ciphertext, HMAC and MD5", CALC_OPTS(file_opts), run_file},
    {"viber-prekey", "a PreKey signed by the ID key, as the relay hands it out",
     CALC_OPTS(prekey_opts), run_prekey},
    {"viber-call", "signed call offer and answer, and the call key", CALC_OPTS(call_opts),
     run_call},
    {"viber-media", "one protected RTP packet (Salsa20 + HMAC-SHA256-80)", CALC_OPTS(media_opts),
     run_media},
    {0},
};
