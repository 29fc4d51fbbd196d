/* Calculators of the telegram suite: key fingerprints, MTProto 2.0 / 1.0 messages, tgcalls
 * packets, the emoji fingerprint and file fingerprints, every input explicit hex. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <e2ekit/telegram.h>

#include "cli.h"
#include "core/log.h"
#include "telegram/internal.h"

#define KEY_OPT                                                                                    \
    {                                                                                              \
        "key", OPT_HEX, 1, "HEX", "the 256-byte shared key"                                        \
    }
#define EMOJI_TABLE_MAX (256 * 1024)

static int
key_arg(struct cli *c, const struct cli_args *a, uint8_t key[256])
{
    size_t n;
    return cli_hex(c, a, "key", key, 256, &n, 256);
}

static int
x_arg(struct cli *c, const struct cli_args *a, int call, int *x)
{
    long long v = 0;
    int rc = cli_int(c, a, "x", 0, 136, &v);
    if (rc)
        return rc;
    if (call ? !E2E_TG_CALL_X_VALID(v) : (v != 0 && v != 8)) {
        cli_error(c,
                  call ? "0 caller->callee, 8 callee->caller, +128 on signaling"
                       : "0 for messages the creator sends, 8 for the acceptor's",
                  "--x: %lld is not a valid x", v);
        return CLI_EXIT_USER;
    }
    *x = (int)v;
    return 0;
}

/* ---- keys ---------------------------------------------------------------------------------- */

static const struct cli_opt key_opts[] = {KEY_OPT};

static int
run_fingerprint(struct cli *c, const struct cli_args *a)
{
    uint8_t key[256], id[8];
    int rc = key_arg(c, a, key);
    if (!rc) {
        cli_result_int(c, "key_fingerprint", e2e_tg_key_fingerprint(key));
        e2e_tg_key_id(id, key);
        cli_result_hex(c, "key_id", id, 8);
    }
    e2e_wipe(key, sizeof key);
    return rc;
}

static const struct cli_opt visual_opts[] = {
    KEY_OPT,
    {"layer46-key", OPT_HEX, 0, "HEX", "key in use when the chat reached layer 46 (default --key)"},
};

static int
run_visualization(struct cli *c, const struct cli_args *a)
{
    uint8_t key[256], key46[256], out[36];
    size_t n;
    int rc = key_arg(c, a, key);
    if (!rc && cli_has(a, "layer46-key"))
        rc = cli_hex(c, a, "layer46-key", key46, 256, &n, 256);
    else
        memcpy(key46, key, 256);
    if (!rc) {
        e2e_tg_key_visualization(out, key, key46);
        cli_result_hex(c, "visualization", out, 36);
    }
    e2e_wipe(key, sizeof key);
    e2e_wipe(key46, sizeof key46);
    return rc;
}

/* ---- MTProto 2.0 / 1.0 --------------------------------------------------------------------- */

static const struct cli_opt kdf_opts[] = {
    KEY_OPT,
    {"msg-key", OPT_HEX, 1, "HEX", "16-byte msg_key"},
    {"x", OPT_INT, 1, "N", "0 or 8"},
    {"v1", OPT_FLAG, 0, NULL, "MTProto 1.0's SHA-1 KDF instead of KDF2"},
};

static int
run_kdf(struct cli *c, const struct cli_args *a)
{
    uint8_t key[256], mk[16], aes_key[32], aes_iv[32];
    size_t n;
    int x = 0;
    int rc = key_arg(c, a, key);
    if (!rc)
        rc = cli_hex(c, a, "msg-key", mk, 16, &n, 16);
    if (!rc)
        rc = x_arg(c, a, 0, &x);
    if (!rc) {
        if (cli_has(a, "v1"))
            e2e_tg_mtp1_kdf(aes_key, aes_iv, key, mk, x);
        else
            e2e_tg_mtp2_kdf(aes_key, aes_iv, key, mk, x);
        cli_result_hex(c, "aes_key", aes_key, 32);
        cli_result_hex(c, "aes_iv", aes_iv, 32);
    }
    e2e_wipe(key, sizeof key);
    e2e_wipe(aes_key, sizeof aes_key);
    e2e_wipe(aes_iv, sizeof aes_iv);
    return rc;
}

static const struct cli_opt enc_opts[] = {
    KEY_OPT,
    {"x", OPT_INT, 1, "N", "0 (the creator sends) or 8 (the acceptor sends)"},
    {"payload", OPT_HEX, 1, "HEX", "the TL payload (with --raw: the whole plaintext)"},
    {"padding", OPT_HEX, 0, "HEX",
     "12..1024 padding bytes making 4 + payload + padding whole "
     "blocks (random in real use)"},
    {"raw", OPT_FLAG, 0, NULL, "encrypt --payload as given: no length prefix, no padding"},
    {"v1", OPT_FLAG, 0, NULL, "MTProto 1.0 (x = 0; 0..15 padding bytes)"},
};

/* plaintext = LE32(len) || payload || padding, or the payload itself with --raw. */
static int
build_plain(struct cli *c, const struct cli_args *a, uint8_t **plain, size_t *pn)
{
    uint8_t *pay = NULL, *pad = NULL;
    size_t n = 0, m = 0;
    int rc = cli_hex_alloc(c, a, "payload", &pay, &n);
    if (!rc)
        rc = cli_hex_alloc(c, a, "padding", &pad, &m);
    int raw = cli_has(a, "raw");
    if (!rc && !(*plain = malloc(n + m + 4 + 1)))
        rc = CLI_EXIT_UNEXPECTED;
    if (!rc) {
        size_t at = 0;
        if (!raw) {
            (*plain)[0] = (uint8_t)n;
            (*plain)[1] = (uint8_t)(n >> 8);
            (*plain)[2] = (uint8_t)(n >> 16);
            (*plain)[3] = (uint8_t)(n >> 24);
            at = 4;
        }
        memcpy(*plain + at, pay, n);
        memcpy(*plain + at + n, pad, m);
        *pn = at + n + m;
    }
    cli_free_secret(pay, n);
    cli_free_secret(pad, m);
    return rc;
}

static int
run_encrypt(struct cli *c, const struct cli_args *a)
{
    uint8_t key[256], id[8], *plain = NULL, *out = NULL;
    size_t pn = 0;
    int x = 0, v1 = cli_has(a, "v1");
    int rc = key_arg(c, a, key);
    if (!rc)
        rc = x_arg(c, a, 0, &x);
    if (!rc)
        rc = build_plain(c, a, &plain, &pn);
    if (!rc && !(out = malloc(pn + 24)))
        rc = CLI_EXIT_UNEXPECTED;
    if (!rc && cli_has(a, "raw")) {
        if (pn % 16 || pn == 0 || v1) {
            cli_error(c, "give whole 16-byte blocks (and no --v1)", "--raw: %zu bytes", pn);
            rc = CLI_EXIT_USER;
        } else {
            e2e_tg_key_id(id, key);
            e2e__tg_mtp2_seal(NULL, out, key, id, x, plain, pn);
        }
    } else if (!rc) {
        int e = v1 ? e2e_tg_mtp1_encrypt(NULL, out, key, plain, pn)
                   : e2e_tg_mtp2_encrypt(NULL, out, key, x, plain, pn);
        if (e)
            rc = cli_fail(c, e,
                          v1 ? "4 + payload + padding must be whole blocks, 0..15 padding bytes"
                             : "4 + payload + padding must be whole blocks, 12..1024 padding "
                               "bytes, payload a multiple of 4",
                          "MTProto framing");
    }
    if (!rc)
        cli_result_hex(c, "message", out, pn + 24);
    e2e_wipe(key, sizeof key);
    cli_free_secret(plain, pn);
    cli_free_secret(out, pn + 24);
    return rc;
}

static const struct cli_opt dec_opts[] = {
    KEY_OPT,
    {"x", OPT_INT, 1, "N", "x of the sender: 0 (creator) or 8 (acceptor)"},
    {"message", OPT_HEX, 1, "HEX", "key id || msg_key || ciphertext"},
    {"raw", OPT_FLAG, 0, NULL, "check msg_key only and print the whole plaintext"},
    {"v1", OPT_FLAG, 0, NULL, "MTProto 1.0"},
};

static int
run_decrypt(struct cli *c, const struct cli_args *a)
{
    uint8_t key[256], *msg = NULL, *out = NULL;
    size_t n = 0, tl = 0;
    int x = 0;
    struct e2e_report why;
    e2e_report_clear(&why);
    int rc = key_arg(c, a, key);
    if (!rc)
        rc = x_arg(c, a, 0, &x);
    if (!rc)
        rc = cli_hex_alloc(c, a, "message", &msg, &n);
    if (!rc && !(out = malloc(n + 1)))
        rc = CLI_EXIT_UNEXPECTED;
    if (!rc) {
        int raw = cli_has(a, "raw"), e;
        uint8_t id[8];
        e2e_tg_key_id(id, key);
        if (raw && n >= 8 && memcmp(id, msg, 8) != 0)
            e = e2e_report_fail(&why, E2E_ERR_NO_SESSION, "fingerprint", "key id differs");
        else if (raw)
            e = e2e__tg_mtp2_unseal(NULL, out, key, x, msg, n, &why);
        else if (cli_has(a, "v1"))
            e = e2e_tg_mtp1_decrypt(NULL, out, &tl, key, msg, n, &why);
        else
            e = e2e_tg_mtp2_decrypt(NULL, out, &tl, key, x, msg, n, &why);
        if (e) {
            rc = cli_fail(c, e, why.detail[0] ? why.detail : NULL, "decrypt (%s)",
                          why.check ? why.check : "?");
        } else if (raw) {
            cli_result_hex(c, "plaintext", out, n - 24);
        } else {
            cli_result_hex(c, "payload", out + 4, tl);
            cli_result_hex(c, "padding", out + 4 + tl, n - 24 - 4 - tl);
        }
    }
    e2e_wipe(key, sizeof key);
    free(msg);
    cli_free_secret(out, n + 1);
    return rc;
}

/* ---- tgcalls ------------------------------------------------------------------------------- */

static const struct cli_opt call_enc_opts[] = {
    KEY_OPT,
    {"x", OPT_INT, 1, "N", "0 / 8 (transport, caller / callee sends), 128 / 136 (signaling)"},
    {"body", OPT_HEX, 1, "HEX", "decrypted body: seq (4 bytes) || message ..."},
};

static int
run_call_encrypt(struct cli *c, const struct cli_args *a)
{
    uint8_t key[256], *body = NULL, *out = NULL;
    size_t n = 0;
    int x = 0;
    int rc = key_arg(c, a, key);
    if (!rc)
        rc = x_arg(c, a, 1, &x);
    if (!rc)
        rc = cli_hex_alloc(c, a, "body", &body, &n);
    if (!rc && !(out = malloc(n + 16)))
        rc = CLI_EXIT_UNEXPECTED;
    if (!rc) {
        int e = e2e_tg_call_encrypt(NULL, out, key, x, body, n);
        if (e)
            rc = cli_fail(c, e, "the body is 5 bytes to 128 KiB - 16", "tgcalls encrypt");
        else
            cli_result_hex(c, "packet", out, n + 16);
    }
    e2e_wipe(key, sizeof key);
    cli_free_secret(body, n);
    cli_free_secret(out, n + 16);
    return rc;
}

static const struct cli_opt call_dec_opts[] = {
    KEY_OPT,
    {"x", OPT_INT, 1, "N", "x of the sender: 0 / 8 transport, 128 / 136 signaling"},
    {"packet", OPT_HEX, 1, "HEX", "msg_key || ciphertext"},
};

static int
run_call_decrypt(struct cli *c, const struct cli_args *a)
{
    uint8_t key[256], *pkt = NULL, *out = NULL;
    size_t n = 0;
    int x = 0;
    struct e2e_report why;
    e2e_report_clear(&why);
    int rc = key_arg(c, a, key);
    if (!rc)
        rc = x_arg(c, a, 1, &x);
    if (!rc)
        rc = cli_hex_alloc(c, a, "packet", &pkt, &n);
    if (!rc && !(out = malloc(n + 1)))
        rc = CLI_EXIT_UNEXPECTED;
    if (!rc) {
        int e = e2e_tg_call_decrypt(NULL, out, key, x, pkt, n, &why);
        if (e)
            rc = cli_fail(c, e, why.detail[0] ? why.detail : NULL, "tgcalls decrypt (%s)",
                          why.check ? why.check : "?");
        else
            cli_result_hex(c, "body", out, n - 16);
    }
    e2e_wipe(key, sizeof key);
    free(pkt);
    cli_free_secret(out, n + 1);
    return rc;
}

/* ---- emoji, files -------------------------------------------------------------------------- */

static const struct cli_opt emoji_opts[] = {
    KEY_OPT,
    {"g-a", OPT_HEX, 1, "HEX", "the caller's g_a, exactly as sent"},
    {"emoji-table", OPT_STR, 0, "FILE",
     "a 333-entry table in the format of reference/telegram-emoji.txt (default: e2ekit's own)"},
};

static int
load_table(struct cli *c, const char *path, struct e2e_tg_emoji_table *t)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        cli_error(c, NULL, "--emoji-table: cannot open %s", path);
        return CLI_EXIT_IO;
    }
    char *text = malloc(EMOJI_TABLE_MAX + 1);
    size_t n = text ? fread(text, 1, EMOJI_TABLE_MAX + 1, f) : 0;
    fclose(f);
    int rc = 0;
    struct e2e_report why;
    e2e_report_clear(&why);
    if (!text)
        rc = CLI_EXIT_UNEXPECTED;
    else if (n > EMOJI_TABLE_MAX)
        rc = cli_fail(c, E2E_ERR_MALFORMED, "tables are a few KiB", "--emoji-table: too large");
    else if (e2e_tg_emoji_table_parse(t, text, n, &why) != E2E_OK)
        rc = cli_fail(c, E2E_ERR_MALFORMED, why.detail, "--emoji-table %s", path);
    free(text);
    return rc;
}

static int
run_emoji(struct cli *c, const struct cli_args *a)
{
    uint8_t key[256], g_a[256];
    size_t n = 0;
    uint16_t idx[4];
    struct e2e_tg_emoji_table *t = malloc(sizeof *t);
    int rc = t ? key_arg(c, a, key) : CLI_EXIT_UNEXPECTED;
    if (!rc)
        rc = cli_hex(c, a, "g-a", g_a, sizeof g_a, &n, 0);
    if (!rc && cli_has(a, "emoji-table"))
        rc = load_table(c, cli_str(a, "emoji-table"), t);
    else if (!rc)
        e2e_tg_emoji_table_default(t);
    if (!rc) {
        char line[64], pics[4 * (E2E_TG_EMOJI_MAX_UTF8 + 1) + 1];
        e2e_tg_emoji_indices(idx, key, g_a, n);
        snprintf(line, sizeof line, "%u %u %u %u", idx[0], idx[1], idx[2], idx[3]);
        snprintf(pics, sizeof pics, "%s %s %s %s", t->entry[idx[0]], t->entry[idx[1]],
                 t->entry[idx[2]], t->entry[idx[3]]);
        cli_result_str(c, "indices", line);
        cli_result_str(c, "emoji", pics);
    }
    e2e_wipe(key, sizeof key);
    free(t);
    return rc;
}

static const struct cli_opt file_opts[] = {
    {"key", OPT_HEX, 1, "HEX", "the file's 32-byte key"},
    {"iv", OPT_HEX, 1, "HEX", "the file's 32-byte IV"},
};

static int
run_file_fingerprint(struct cli *c, const struct cli_args *a)
{
    struct e2e_tg_file_key k;
    size_t n;
    int rc = cli_hex(c, a, "key", k.key, 32, &n, 32);
    if (!rc)
        rc = cli_hex(c, a, "iv", k.iv, 32, &n, 32);
    if (!rc) {
        uint8_t d[16];
        e2e_md5(d, &k, sizeof k);
        cli_result_int(c, "key_fingerprint", e2e_tg_file_fingerprint(&k));
        cli_result_hex(c, "md5", d, 16);
    }
    e2e_wipe(&k, sizeof k);
    return rc;
}

const struct calc_cmd calc_cmds_telegram[] = {
    {"telegram-fingerprint", "key_fingerprint (signed 64-bit), then the 8-byte key id",
     CALC_OPTS(key_opts), run_fingerprint},
    {"telegram-visualization", "key visualisation: SHA1(key)[0..16) || SHA256(key46)[0..20)",
     CALC_OPTS(visual_opts), run_visualization},
    {"telegram-emoji", "call emoji: four indices mod 333, then the emoji", CALC_OPTS(emoji_opts),
     run_emoji},
    {"telegram-file-fingerprint", "file key_fingerprint (signed 32-bit), then MD5(key || iv)",
     CALC_OPTS(file_opts), run_file_fingerprint},
    {"mtproto2-kdf", "MTProto 2.0 KDF2 (or --v1): aes_key, then aes_iv", CALC_OPTS(kdf_opts),
     run_kdf},
    {"mtproto2-encrypt", "MTProto 2.0 message: key id || msg_key || AES-256-IGE",
     CALC_OPTS(enc_opts), run_encrypt},
    {"mtproto2-decrypt", "MTProto 2.0 message: payload, then padding (every check applied)",
     CALC_OPTS(dec_opts), run_decrypt},
    {"tgcalls-encrypt", "tgcalls packet: msg_key || AES-256-CTR(body)", CALC_OPTS(call_enc_opts),
     run_call_encrypt},
    {"tgcalls-decrypt", "tgcalls packet: the body after the msg_key check",
     CALC_OPTS(call_dec_opts), run_call_decrypt},
    {0},
};
