/*
 * Calculators of the noise suite: the Noise building blocks (noise-hkdf, noise-rekey) and the
 * vector runner (noise-vectors) for cacophony-format JSON files, including noise-c's fallback
 * form ("fallback": true: an IK first message the responder cannot read, then XXfallback with
 * the roles reversed).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <e2ekit/crypto.h>
#include <e2ekit/noise.h>

#include "cli.h"
#include "codec/json.h"

#define MAX_FILE (64u << 20)
#define MAX_HEX  65536

/* ---- building blocks ------------------------------------------------------------------------ */

static const struct cli_opt hkdf_opts[] = {
    {"ck", OPT_HEX, 1, "HEX", "chaining key (32 bytes)"},
    {"ikm", OPT_HEX, 0, "HEX", "input key material (default empty, as in Split())"},
    {"outputs", OPT_INT, 0, "N", "2 (MixKey, Split) or 3 (MixKeyAndHash); default 2"},
};

static int
run_hkdf(struct cli *c, const struct cli_args *a)
{
    uint8_t ck[32], o[3][32], *ikm = NULL;
    size_t n, ikm_n = 0;
    long long outs = 2;
    int rc = cli_int(c, a, "outputs", 2, 3, &outs);
    if (!rc)
        rc = cli_hex(c, a, "ck", ck, sizeof ck, &n, 32);
    if (!rc)
        rc = cli_hex_alloc(c, a, "ikm", &ikm, &ikm_n);
    if (!rc) {
        e2e_noise_hkdf(o[0], o[1], outs == 3 ? o[2] : NULL, ck, ikm, ikm_n);
        cli_result_hex(c, "output1", o[0], 32);
        cli_result_hex(c, "output2", o[1], 32);
        if (outs == 3)
            cli_result_hex(c, "output3", o[2], 32);
    }
    e2e_wipe(ck, sizeof ck);
    e2e_wipe(o, sizeof o);
    cli_free_secret(ikm, ikm_n);
    return rc;
}

static const struct cli_opt rekey_opts[] = {
    {"key", OPT_HEX, 1, "HEX", "the CipherState key k (32 bytes)"},
    {"times", OPT_INT, 0, "N", "apply REKEY N times (default 1)"},
};

static int
run_rekey(struct cli *c, const struct cli_args *a)
{
    uint8_t k[32];
    size_t n;
    long long times = 1;
    int rc = cli_int(c, a, "times", 1, 1000000, &times);
    if (!rc)
        rc = cli_hex(c, a, "key", k, sizeof k, &n, 32);
    for (long long i = 0; !rc && i < times; i++) {
        int e = e2e_noise_rekey_key(k, k);
        if (e)
            rc = cli_fail(c, e, NULL, "REKEY");
    }
    if (!rc)
        cli_result_hex(c, "key", k, 32);
    e2e_wipe(k, sizeof k);
    return rc;
}

/* ---- the vector runner ---------------------------------------------------------------------- */

struct side {
    e2e_noise_handshake *hs;
    e2e_noise_transport *t;
};

/* One vector: the document, the vector object, and a sentence saying why it failed. */
struct vec {
    const e2e_json *doc;
    const struct e2e_json_node *v;
    struct side side[2]; /* [0] the initiator of the first pattern, [1] its responder */
    int one_way;
    char why[200];
};

static int vfail(struct vec *x, const char *fmt, ...) E2E_PRINTF(2, 3);

static int
vfail(struct vec *x, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->why, sizeof x->why, fmt, ap);
    va_end(ap);
    return -1;
}

/* Hex field `key` into buf (absent: *len = 0, returns 0 unless required). */
static int
hex_field(struct vec *x, const char *key, uint8_t *buf, size_t cap, size_t *len, int required)
{
    size_t n;
    const char *s = e2e_json_string(e2e_json_get(x->doc, x->v, key), &n);
    *len = 0;
    if (!s)
        return required || e2e_json_get(x->doc, x->v, key)
                   ? vfail(x, "field %s missing or not a string", key)
                   : 0;
    if (e2e_hex_decode(buf, cap, len, s, n) != E2E_OK)
        return vfail(x, "field %s is not hex of at most %zu bytes", key, cap);
    return 0;
}

static int
key_field(struct vec *x, const char *key, uint8_t out[32], int *present)
{
    size_t n;
    if (hex_field(x, key, out, 32, &n, 0) != 0)
        return -1;
    if (n != 0 && n != 32)
        return vfail(x, "field %s: %zu bytes, want 32", key, n);
    *present = n == 32;
    return 0;
}

/* Keys and prologue of one side from the vector's "init_" or "resp_" fields. */
static int
configure(struct vec *x, e2e_noise_handshake *hs, const char *pre)
{
    uint8_t buf[E2E_NOISE_MAX_PROLOGUE], key[32];
    size_t n;
    int have = 0, rc = 0;
    char f[64];
    snprintf(f, sizeof f, "%sprologue", pre);
    if (hex_field(x, f, buf, sizeof buf, &n, 0) || e2e_noise_handshake_set_prologue(hs, buf, n))
        return vfail(x, "%sprologue: bad", pre);
    static const char *const names[] = {"static", "remote_static", "ephemeral"};
    for (int i = 0; i < 3 && !rc; i++) {
        snprintf(f, sizeof f, "%s%s", pre, names[i]);
        if (key_field(x, f, key, &have) != 0)
            return -1;
        if (!have)
            continue;
        rc = i == 0   ? e2e_noise_handshake_set_local_static(hs, key)
             : i == 1 ? e2e_noise_handshake_set_remote_static(hs, key)
                      : e2e_noise_handshake_set_fixed_ephemeral(hs, key);
    }
    e2e_wipe(key, sizeof key);
    if (rc == E2E_OK)
        rc = e2e_noise_handshake_start(hs);
    return rc ? vfail(x, "cannot start the handshake (%s)", e2e_err_name(rc)) : 0;
}

static int
psk_vector(const struct vec *x)
{
    static const char *const keys[] = {"init_psks", "resp_psks", "init_psk", "resp_psk",
                                       "init_ssk",  "resp_ssk",  "hybrid"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (e2e_json_get(x->doc, x->v, keys[i]))
            return 1;
    return 0;
}

/* The protocol name of the first pattern; for the fallback form, "Noise_<pattern>_<rest>". */
static int
first_protocol(struct vec *x, char *out, size_t cap, int *fallback)
{
    const char *name = e2e_json_string(e2e_json_get(x->doc, x->v, "protocol_name"), NULL);
    if (!name)
        name = e2e_json_string(e2e_json_get(x->doc, x->v, "name"), NULL);
    if (!name)
        return vfail(x, "no protocol_name");
    *fallback = e2e_json_bool(e2e_json_get(x->doc, x->v, "fallback")) == 1;
    snprintf(out, cap, "%s", name);
    if (!*fallback)
        return 0;
    const char *pat = e2e_json_string(e2e_json_get(x->doc, x->v, "pattern"), NULL);
    const char *fb = e2e_json_string(e2e_json_get(x->doc, x->v, "fallback_pattern"), NULL);
    const char *rest = strncmp(name, "Noise_", 6) == 0 ? strchr(name + 6, '_') : NULL;
    if (!pat || !rest || (fb && strcmp(fb, "XXfallback") != 0) ||
        strncmp(name + 6, "XXfallback_", 11) != 0)
        return 1; /* a fallback form we do not run */
    snprintf(out, cap, "Noise_%s%s", pat, rest);
    return 0;
}

static int
setup(struct vec *x, const char *proto)
{
    for (int i = 0; i < 2; i++) {
        int rc = e2e_noise_handshake_new(&x->side[i].hs, proto,
                                         i == 0 ? E2E_NOISE_INITIATOR : E2E_NOISE_RESPONDER, NULL);
        if (rc == E2E_ERR_UNSUPPORTED)
            return 1;
        if (rc != E2E_OK)
            return vfail(x, "%s: ", e2e_err_name(rc));
        if (configure(x, x->side[i].hs, i == 0 ? "init_" : "resp_") != 0)
            return -1;
    }
    x->one_way = strlen(proto) > 7 && proto[7] == '_' && strchr("NKX", proto[6]);
    return 0;
}

/* One message entry: payload and expected ciphertext. */
static int
entry(struct vec *x, const struct e2e_json_node *m, uint8_t *pl, size_t *pl_n, uint8_t *ct,
      size_t *ct_n)
{
    const struct e2e_json_node *saved = x->v;
    x->v = m;
    int rc = hex_field(x, "payload", pl, MAX_HEX, pl_n, 1) ||
             hex_field(x, "ciphertext", ct, MAX_HEX, ct_n, 1);
    x->v = saved;
    return rc ? -1 : 0;
}

static int
compare(struct vec *x, const char *what, long long i, const uint8_t *got, size_t gn,
        const uint8_t *want, size_t wn)
{
    if (gn == wn && memcmp(got, want, gn) == 0)
        return 0;
    return vfail(x, "message %lld: %s differs", i, what);
}

/* A handshake message from side s to the other. */
static int
handshake_message(struct vec *x, int s, long long i, const uint8_t *pl, size_t pl_n,
                  const uint8_t *ct, size_t ct_n, uint8_t *buf, uint8_t *back)
{
    size_t n, bn;
    e2e_noise_handshake *me = x->side[s].hs, *peer = x->side[!s].hs;
    if (e2e_noise_handshake_action(me) != E2E_NOISE_ACTION_WRITE ||
        e2e_noise_handshake_action(peer) != E2E_NOISE_ACTION_READ)
        return vfail(x, "message %lld: the vector's sender is not the one whose turn it is", i);
    int rc = e2e_noise_handshake_write(me, pl, pl_n, buf, E2E_NOISE_MAX_MSG, &n);
    if (rc)
        return vfail(x, "message %lld: write failed (%s)", i, e2e_err_name(rc));
    if (compare(x, "ciphertext", i, buf, n, ct, ct_n))
        return -1;
    rc = e2e_noise_handshake_read(peer, ct, ct_n, back, E2E_NOISE_MAX_MSG, &bn, NULL);
    if (rc)
        return vfail(x, "message %lld: read failed (%s)", i, e2e_err_name(rc));
    return compare(x, "payload", i, back, bn, pl, pl_n);
}

static int
transport_message(struct vec *x, int s, long long i, const uint8_t *pl, size_t pl_n,
                  const uint8_t *ct, size_t ct_n, uint8_t *buf, uint8_t *back)
{
    size_t n, bn;
    int rc = e2e_noise_transport_encrypt(x->side[s].t, buf, E2E_NOISE_MAX_MSG, &n, pl, pl_n);
    if (rc)
        return vfail(x, "message %lld: encrypt failed (%s)", i, e2e_err_name(rc));
    if (compare(x, "ciphertext", i, buf, n, ct, ct_n))
        return -1;
    rc = e2e_noise_transport_decrypt(x->side[!s].t, back, E2E_NOISE_MAX_MSG, &bn, ct, ct_n, NULL);
    if (rc)
        return vfail(x, "message %lld: decrypt failed (%s)", i, e2e_err_name(rc));
    return compare(x, "payload", i, back, bn, pl, pl_n);
}

/* The fallback form's first message: IK from the initiator, which the responder must fail to
 * read; then both switch to XXfallback with the roles reversed. */
static int
fallback_switch(struct vec *x, const uint8_t *pl, size_t pl_n, const uint8_t *ct, size_t ct_n,
                uint8_t *buf, uint8_t *back)
{
    size_t n, bn;
    int rc = e2e_noise_handshake_write(x->side[0].hs, pl, pl_n, buf, E2E_NOISE_MAX_MSG, &n);
    if (rc || compare(x, "ciphertext", 0, buf, n, ct, ct_n))
        return rc ? vfail(x, "message 0: write failed (%s)", e2e_err_name(rc)) : -1;
    rc = e2e_noise_handshake_read(x->side[1].hs, ct, ct_n, back, E2E_NOISE_MAX_MSG, &bn, NULL);
    if (rc != E2E_ERR_AUTH)
        return vfail(x, "message 0: the responder's read gave %s, want AUTH", e2e_err_name(rc));
    for (int i = 0; i < 2; i++)
        if ((rc = e2e_noise_handshake_fallback(x->side[i].hs, NULL, 0)) != E2E_OK)
            return vfail(x, "fallback failed (%s)", e2e_err_name(rc));
    return 0;
}

static int
split_both(struct vec *x)
{
    uint8_t h[2][32], want[64];
    size_t wn;
    for (int i = 0; i < 2; i++) {
        if (e2e_noise_handshake_hash(x->side[i].hs, h[i]) ||
            e2e_noise_handshake_split(x->side[i].hs, &x->side[i].t))
            return vfail(x, "split failed");
    }
    if (memcmp(h[0], h[1], 32) != 0)
        return vfail(x, "the two handshake hashes differ");
    if (hex_field(x, "handshake_hash", want, sizeof want, &wn, 0) != 0)
        return -1;
    if (wn && (wn != 32 || memcmp(h[0], want, 32) != 0))
        return vfail(x, "handshake_hash differs");
    return 0;
}

/* Message i's sender: the first pattern's initiator for even i (cacophony order), always the
 * initiator for one-way patterns. */
static int
run_messages(struct vec *x, int fallback, uint8_t *pl, uint8_t *ct, uint8_t *buf, uint8_t *back)
{
    const struct e2e_json_node *msgs = e2e_json_get(x->doc, x->v, "messages");
    long long i = 0;
    if (!msgs || msgs->type != E2E_JSON_ARRAY)
        return vfail(x, "no messages array");
    for (const struct e2e_json_node *m = e2e_json_first(x->doc, msgs); m;
         m = e2e_json_next(x->doc, m), i++) {
        size_t pl_n, ct_n;
        int s = x->one_way ? 0 : (int)(i % 2);
        if (entry(x, m, pl, &pl_n, ct, &ct_n) != 0)
            return -1;
        int rc;
        if (i == 0 && fallback)
            rc = fallback_switch(x, pl, pl_n, ct, ct_n, buf, back);
        else if (!x->side[0].t)
            rc = handshake_message(x, s, i, pl, pl_n, ct, ct_n, buf, back);
        else
            rc = transport_message(x, s, i, pl, pl_n, ct, ct_n, buf, back);
        if (rc)
            return rc;
        if (!x->side[0].t && e2e_noise_handshake_action(x->side[0].hs) == E2E_NOISE_ACTION_SPLIT &&
            split_both(x) != 0)
            return -1;
    }
    if (!x->side[0].t)
        return vfail(x, "the messages end before the handshake does");
    return 0;
}

/* 0 passed, 1 skipped, -1 failed (x->why says why). */
static int
run_vector(struct vec *x, char *proto, size_t cap)
{
    int fallback = 0, rc = first_protocol(x, proto, cap, &fallback);
    if (rc)
        return rc;
    if (psk_vector(x))
        return 1;
    if ((rc = setup(x, proto)) != 0)
        return rc;
    uint8_t *mem = malloc(4 * (size_t)MAX_HEX);
    if (!mem)
        return vfail(x, "out of memory");
    rc = run_messages(x, fallback, mem, mem + MAX_HEX, mem + 2 * MAX_HEX, mem + 3 * MAX_HEX);
    free(mem);
    return rc;
}

static void
vec_free(struct vec *x)
{
    for (int i = 0; i < 2; i++) {
        e2e_noise_handshake_free(x->side[i].hs);
        e2e_noise_transport_free(x->side[i].t);
    }
}

static int
read_file(struct cli *c, const char *path, char **text, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        cli_error(c, "give the path of a cacophony-format JSON file", "cannot open %s", path);
        return CLI_EXIT_IO;
    }
    *text = malloc(MAX_FILE + 1);
    *n = *text ? fread(*text, 1, MAX_FILE + 1, f) : 0;
    int bad = !*text || ferror(f) || *n > MAX_FILE;
    fclose(f);
    if (bad) {
        free(*text);
        cli_error(c, NULL, "%s: unreadable or larger than %u bytes", path, MAX_FILE);
        return CLI_EXIT_IO;
    }
    return 0;
}

struct tally {
    long long passed, failed, skipped;
};

static void
run_all(struct cli *c, const e2e_json *doc, const struct e2e_json_node *list, struct tally *t)
{
    long long i = 0;
    for (const struct e2e_json_node *v = e2e_json_first(doc, list); v;
         v = e2e_json_next(doc, v), i++) {
        struct vec x = {doc, v, {{0}}, 0, ""};
        char proto[128] = "?";
        int rc = v->type == E2E_JSON_OBJECT ? run_vector(&x, proto, sizeof proto)
                                            : vfail(&x, "not an object");
        if (rc == 0)
            t->passed++;
        else if (rc > 0)
            t->skipped++;
        else
            t->failed++;
        const char *name = e2e_json_string(e2e_json_get(doc, v, "protocol_name"), NULL);
        if (!name)
            name = e2e_json_string(e2e_json_get(doc, v, "name"), NULL);
        cli_text(c, "%s %3lld %s%s%s",
                 rc == 0  ? "ok  "
                 : rc > 0 ? "skip"
                          : "FAIL",
                 i, name ? name : "?",
                 rc < 0   ? ": "
                 : rc > 0 ? ": unsupported protocol"
                          : "",
                 rc < 0 ? x.why : "");
        vec_free(&x);
    }
}

static const struct cli_opt vectors_opts[] = {
    {"file", OPT_POS, 1, "FILE", "cacophony-format JSON ({\"vectors\": [...]})"},
};

static int
run_vectors(struct cli *c, const struct cli_args *a)
{
    char *text;
    size_t n;
    e2e_json *doc;
    struct e2e_report why;
    const char *path = cli_str(a, "file");
    int rc = read_file(c, path, &text, &n);
    if (rc)
        return rc;
    int e = e2e_json_parse(&doc, text, n, NULL, &why);
    free(text);
    if (e)
        return cli_fail(c, e, "the file must be JSON", "%s: %s", path, why.detail);
    const struct e2e_json_node *list = e2e_json_get(doc, e2e_json_root(doc), "vectors");
    if (!list || list->type != E2E_JSON_ARRAY) {
        e2e_json_free(doc);
        cli_error(c, "cacophony files are {\"vectors\": [...]}", "%s: no \"vectors\" array", path);
        return CLI_EXIT_USER;
    }
    struct tally t = {0, 0, 0};
    run_all(c, doc, list, &t);
    e2e_json_free(doc);
    if (t.skipped)
        cli_text(c, "%lld skipped (protocols this runner does not support)", t.skipped);
    char line[96];
    snprintf(line, sizeof line, "%lld passed, %lld failed", t.passed, t.failed);
    cli_result_str(c, "summary", line);
    if (c->json) { /* in text mode the summary is the last line */
        cli_result_int(c, "passed", t.passed);
        cli_result_int(c, "failed", t.failed);
        cli_result_int(c, "skipped", t.skipped);
    }
    return t.failed ? CLI_EXIT_VERIFY : 0;
}

const struct calc_cmd calc_cmds_noise[] = {
    {"noise-hkdf", "Noise HKDF(ck, ikm, 2|3) (spec 4.3): MixKey, Split, MixKeyAndHash",
     CALC_OPTS(hkdf_opts), run_hkdf},
    {"noise-rekey", "Noise REKEY(k) for AESGCM (spec 11.3): ENCRYPT(k, 2^64-1, \"\", zeros)[0:32]",
     CALC_OPTS(rekey_opts), run_rekey},
    {"noise-vectors", "run every supported vector of a cacophony-format JSON file",
     CALC_OPTS(vectors_opts), run_vectors},
    {0},
};
