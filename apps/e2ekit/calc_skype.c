/*
 * Calculators of the skype suite: every derivation step of docs/protocols/skype.md on its own,
 * so that each can be checked against known answers and re-computed independently.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <e2ekit/skype.h>

#include "cli.h"

/* ---- option helpers ------------------------------------------------------------------------- */

#define MODE_OPT                                                                                   \
    {                                                                                              \
        "mode", OPT_STR, 0, "NAME", "faithful (default) or hardened"                               \
    }

static int
mode_arg(struct cli *c, const struct cli_args *a, int *mode)
{
    const char *s = cli_str(a, "mode");
    *mode = E2E_SKYPE_FAITHFUL;
    if (!s || strcmp(s, "faithful") == 0)
        return 0;
    if (strcmp(s, "hardened") == 0) {
        *mode = E2E_SKYPE_HARDENED;
        return 0;
    }
    cli_error(c, "use faithful or hardened", "--mode: unknown mode '%s'", s);
    return CLI_EXIT_USER;
}

/* Dotted IPv4 into 4 bytes in network order. */
static int
ip_arg(struct cli *c, const struct cli_args *a, const char *name, uint8_t ip[4])
{
    const char *s = cli_str(a, name);
    unsigned v[4];
    char tail;
    if (s && sscanf(s, "%u.%u.%u.%u%c", &v[0], &v[1], &v[2], &v[3], &tail) == 4 && v[0] < 256 &&
        v[1] < 256 && v[2] < 256 && v[3] < 256) {
        for (int i = 0; i < 4; i++)
            ip[i] = (uint8_t)v[i];
        return 0;
    }
    cli_error(c, "give a dotted IPv4 address such as 172.16.15.2", "--%s: bad address '%s'", name,
              s ? s : "");
    return CLI_EXIT_USER;
}

static void
result_u32(struct cli *c, const char *key, uint32_t v)
{
    char hex[9];
    snprintf(hex, sizeof hex, "%08x", v);
    cli_result_str(c, key, hex);
}

/* --half-a/--half-b/--salt-a/--salt-b/--transcript/--mode into session parameters. */
static int
params_args(struct cli *c, const struct cli_args *a, struct e2e_skype_session_params *p)
{
    size_t n;
    memset(p, 0, sizeof *p);
    int rc = mode_arg(c, a, &p->mode);
    if (!rc)
        rc = cli_hex(c, a, "half-a", p->half_a, 16, &n, 16);
    if (!rc)
        rc = cli_hex(c, a, "half-b", p->half_b, 16, &n, 16);
    if (!rc)
        rc = cli_hex(c, a, "salt-a", p->salt_a, 4, &n, 4);
    if (!rc)
        rc = cli_hex(c, a, "salt-b", p->salt_b, 4, &n, 4);
    if (!rc && cli_has(a, "transcript"))
        rc = cli_hex(c, a, "transcript", p->transcript, 32, &n, 32);
    return rc;
}

#define PARAMS_OPTS                                                                                \
    {"half-a", OPT_HEX, 1, "HEX", "the initiator's 16-byte key half"},                             \
        {"half-b", OPT_HEX, 1, "HEX", "the responder's 16-byte key half"},                         \
        {"salt-a", OPT_HEX, 1, "HEX", "the initiator's 4-byte salt"},                              \
        {"salt-b", OPT_HEX, 1, "HEX", "the responder's 4-byte salt"},                              \
        {"transcript", OPT_HEX, 0, "HEX", "hardened: 32-byte transcript hash (default zeros)"},    \
        MODE_OPT

/* ---- passwords, challenges ------------------------------------------------------------------ */

static const struct cli_opt pw_opts[] = {
    {"name", OPT_STR, 0, "STR", "the Skype name"},
    {"user", OPT_STR, 0, "STR", "the same as --name (vector files use 'name' to label records)"},
    {"password", OPT_STR, 1, "STR",
     "the password (a calculator only: real clients never take it "
     "on argv)"},
};

static int
run_password_hash(struct cli *c, const struct cli_args *a)
{
    const char *name = cli_has(a, "name") ? cli_str(a, "name") : cli_str(a, "user");
    const char *pw = cli_str(a, "password");
    uint8_t hp[16], hhp[16];
    if (!name) {
        cli_error(c, "give --name", "missing option --name");
        return CLI_EXIT_USER;
    }
    e2e_skype_password_hash(hp, name, strlen(name), pw, strlen(pw));
    e2e_skype_password_hash2(hhp, hp);
    cli_result_hex(c, "hp", hp, 16);
    cli_result_hex(c, "hhp", hhp, 16);
    e2e_wipe(hp, sizeof hp);
    return 0;
}

static const struct cli_opt challenge_opts[] = {
    {"challenge", OPT_HEX, 1, "HEX", "the 8-byte challenge N"},
};

/* One fixed-size hex option in, a transform, one hex result out (secrets wiped). */
static int
fixed_hex(struct cli *c, const struct cli_args *a, const char *opt, size_t in_len,
          void (*fn)(uint8_t *out, const uint8_t *in), size_t out_len, const char *key)
{
    uint8_t in[16], out[128];
    size_t n;
    int rc = cli_hex(c, a, opt, in, in_len, &n, in_len);
    if (rc)
        return rc;
    fn(out, in);
    cli_result_hex(c, key, out, out_len);
    e2e_wipe(in, sizeof in);
    e2e_wipe(out, sizeof out);
    return 0;
}

static int
run_challenge(struct cli *c, const struct cli_args *a)
{
    return fixed_hex(c, a, "challenge", 8, e2e_skype_challenge_transform, 8, "answer");
}

/* ---- session keys, ICM, CRC ----------------------------------------------------------------- */

static const struct cli_opt key_opts[] = {PARAMS_OPTS};

static int
run_session_key(struct cli *c, const struct cli_args *a)
{
    struct e2e_skype_session_params p;
    struct e2e_skype_keys k;
    int rc = params_args(c, a, &p);
    if (rc)
        return rc;
    int e = e2e_skype_derive_keys(&k, &p);
    if (e)
        return cli_fail(c, e, NULL, "key derivation");
    cli_result_hex(c, "enc_ab", k.enc_ab, 32);
    if (p.mode == E2E_SKYPE_HARDENED) {
        cli_result_hex(c, "enc_ba", k.enc_ba, 32);
        cli_result_hex(c, "mac_ab", k.mac_ab, 32);
        cli_result_hex(c, "mac_ba", k.mac_ba, 32);
    }
    e2e_wipe(&k, sizeof k);
    e2e_wipe(&p, sizeof p);
    return 0;
}

static const struct cli_opt icm_opts[] = {
    {"key", OPT_HEX, 1, "HEX", "32-byte AES-256 session key"},
    {"salt-a", OPT_HEX, 1, "HEX", "first salt of the counter block (the sender's)"},
    {"salt-b", OPT_HEX, 1, "HEX", "second salt of the counter block (the receiver's)"},
    {"packet-index", OPT_INT, 1, "N", "48-bit packet index (stream << 32 | seq)"},
    {"block", OPT_INT, 0, "N", "16-bit block number (default 0)"},
};

static int
run_icm_block(struct cli *c, const struct cli_args *a)
{
    uint8_t key[32], sa[4], sb[4], block[16], ks[16];
    size_t n;
    long long pi = 0, blk = 0;
    e2e_aes_key k;
    int rc = cli_hex(c, a, "key", key, sizeof key, &n, 32);
    if (!rc)
        rc = cli_hex(c, a, "salt-a", sa, 4, &n, 4);
    if (!rc)
        rc = cli_hex(c, a, "salt-b", sb, 4, &n, 4);
    if (!rc)
        rc = cli_int(c, a, "packet-index", 0, 0xFFFFFFFFFFFFLL, &pi);
    if (!rc)
        rc = cli_int(c, a, "block", 0, 0xFFFF, &blk);
    if (!rc && (rc = e2e_aes_setkey(&k, key, 32)) != 0)
        rc = cli_fail(c, rc, NULL, "AES key setup");
    if (!rc) {
        e2e_skype_icm_block0(block, sa, sb, (uint64_t)pi);
        block[14] = (uint8_t)(blk >> 8);
        block[15] = (uint8_t)blk;
        e2e_aes_encrypt_block(&k, ks, block);
        cli_result_hex(c, "keystream", ks, 16);
        cli_result_hex(c, "counter", block, 16);
    }
    e2e_wipe(&k, sizeof k);
    e2e_wipe(key, sizeof key);
    return rc;
}

static const struct cli_opt crc_opts[] = {
    {"data", OPT_HEX, 1, "HEX", "input bytes"},
    {"seed", OPT_INT, 0, "N", "initial register (default 0xFFFFFFFF; a previous result chains)"},
};

static int
run_crc32(struct cli *c, const struct cli_args *a)
{
    uint8_t *in;
    size_t n;
    long long seed = E2E_SKYPE_CRC_SEED;
    int rc = cli_int(c, a, "seed", 0, 0xFFFFFFFFLL, &seed);
    if (rc || (rc = cli_hex_alloc(c, a, "data", &in, &n)) != 0)
        return rc;
    result_u32(c, "crc", e2e_skype_crc32((uint32_t)seed, in, n));
    free(in);
    return 0;
}

static const struct cli_opt trailer_opts[] = {
    {"data", OPT_HEX, 1, "HEX", "the encrypted bytes of the buffer (all but the trailer)"},
    {"packet-index", OPT_INT, 1, "N", "48-bit packet index"},
};

static int
run_crc_trailer(struct cli *c, const struct cli_args *a)
{
    uint8_t *in, t[2];
    size_t n;
    long long pi = 0;
    int rc = cli_int(c, a, "packet-index", 0, 0xFFFFFFFFFFFFLL, &pi);
    if (rc || (rc = cli_hex_alloc(c, a, "data", &in, &n)) != 0)
        return rc;
    uint16_t v = e2e_skype_crc_trailer(in, n, (uint64_t)pi);
    t[0] = (uint8_t)(v >> 8);
    t[1] = (uint8_t)v;
    cli_result_hex(c, "trailer", t, 2);
    result_u32(c, "crc", e2e_skype_crc32(E2E_SKYPE_CRC_SEED, in, n));
    free(in);
    return 0;
}

/* ---- packets -------------------------------------------------------------------------------- */

static const struct cli_opt packet_opts[] = {
    PARAMS_OPTS,
    {"from", OPT_STR, 1, "a|b", "the sender: a (initiator) or b (responder)"},
    {"stream", OPT_INT, 0, "N", "stream number (default 0)"},
    {"seq", OPT_INT, 0, "N", "sequence number in the stream (default 0)"},
    {"data", OPT_HEX, 1, "HEX", "payload, or the whole packet with --decrypt"},
    {"decrypt", OPT_FLAG, 0, NULL, "check and decrypt a packet (exit 6 when the check fails)"},
};

static int
run_packet(struct cli *c, const struct cli_args *a)
{
    struct e2e_skype_session_params p;
    long long stream = 0, seq = 0;
    uint8_t *in = NULL, *out = NULL;
    size_t n = 0, outn = 0;
    const char *from = cli_str(a, "from");
    int rc = params_args(c, a, &p);
    if (!rc && strcmp(from, "a") != 0 && strcmp(from, "b") != 0) {
        cli_error(c, "use a or b", "--from: unknown side '%s'", from);
        rc = CLI_EXIT_USER;
    }
    if (!rc)
        rc = cli_int(c, a, "stream", 0, E2E_SKYPE_MAX_STREAMS - 1, &stream);
    if (!rc)
        rc = cli_int(c, a, "seq", 0, 0xFFFFFFFFLL, &seq);
    if (!rc)
        rc = cli_hex_alloc(c, a, "data", &in, &n);
    if (!rc && !(out = malloc(n + 64)))
        rc = CLI_EXIT_UNEXPECTED;
    if (!rc) {
        int dec = cli_has(a, "decrypt"), a_sends = strcmp(from, "a") == 0;
        p.role = (a_sends != dec) ? E2E_SKYPE_INITIATOR : E2E_SKYPE_RESPONDER;
        struct e2e_report why;
        int e = dec ? e2e_skype_packet_decrypt(&p, in, n, out, n + 64, &outn, &why)
                    : e2e_skype_packet_encrypt(&p, (unsigned)stream, (uint32_t)seq, in, n, out,
                                               n + 64, &outn);
        if (e)
            rc = cli_fail(c, e, dec ? why.detail : NULL, "skype packet");
        else
            cli_result_hex(c, dec ? "payload" : "packet", out, outn);
    }
    cli_free_secret(out, n + 64);
    free(in);
    e2e_wipe(&p, sizeof p);
    return rc;
}

static const struct cli_opt halfblock_opts[] = {
    {"half", OPT_HEX, 1, "HEX", "the 16-byte key half"},
};

static int
run_halfkey_block(struct cli *c, const struct cli_args *a)
{
    return fixed_hex(c, a, "half", 16, e2e_skype_halfkey_block, 128, "block");
}

/* ---- RSA: key halves and certificates ------------------------------------------------------ */

static const uint8_t f4[3] = {1, 0, 1};

/* --key-der (private) or --modulus (public, e = 65537) into *k. */
static int
rsa_arg(struct cli *c, const struct cli_args *a, const char *der_opt, const char *mod_opt,
        e2e_rsa **k)
{
    uint8_t *buf = NULL;
    size_t n = 0;
    int priv = der_opt && cli_has(a, der_opt);
    const char *opt = priv ? der_opt : mod_opt;
    if (!opt || !cli_has(a, opt)) {
        cli_error(c, "give the key", "missing --%s", der_opt ? der_opt : mod_opt);
        return CLI_EXIT_USER;
    }
    int rc = cli_hex_alloc(c, a, opt, &buf, &n);
    if (rc)
        return rc;
    int e = priv ? e2e_rsa_from_der(k, 1, buf, n) : e2e_rsa_from_public(k, buf, n, f4, sizeof f4);
    cli_free_secret(buf, n);
    return e ? cli_fail(c, e, "a PKCS#1 RSAPrivateKey in DER, or a big-endian modulus", "--%s", opt)
             : 0;
}

static const struct cli_opt halfenc_opts[] = {
    {"modulus", OPT_HEX, 0, "HEX", "the peer's RSA modulus (e = 65537)"},
    {"key-der", OPT_HEX, 0, "HEX", "or the peer's PKCS#1 RSAPrivateKey, DER"},
    {"half", OPT_HEX, 1, "HEX", "the 16-byte key half"},
};

static int
run_halfkey_encrypt(struct cli *c, const struct cli_args *a)
{
    e2e_rsa *k = NULL;
    uint8_t half[16], out[512];
    size_t n = 0;
    int rc = rsa_arg(c, a, "key-der", "modulus", &k);
    if (!rc)
        rc = cli_hex(c, a, "half", half, sizeof half, &n, 16);
    if (!rc) {
        int e = e2e_skype_halfkey_encrypt(k, out, sizeof out, &n, half);
        if (e)
            rc = cli_fail(c, e, "the repeated block must be below the modulus: another half",
                          "skype half-key encryption");
        else
            cli_result_hex(c, "ciphertext", out, n);
    }
    e2e_rsa_free(k);
    e2e_wipe(half, sizeof half);
    return rc;
}

static const struct cli_opt halfdec_opts[] = {
    {"key-der", OPT_HEX, 1, "HEX", "the receiver's PKCS#1 RSAPrivateKey, DER"},
    {"ciphertext", OPT_HEX, 1, "HEX", "the raw RSA ciphertext"},
};

static int
run_halfkey_decrypt(struct cli *c, const struct cli_args *a)
{
    e2e_rsa *k = NULL;
    uint8_t half[16], ct[512];
    size_t n = 0;
    int rc = rsa_arg(c, a, "key-der", NULL, &k);
    if (!rc)
        rc = cli_hex(c, a, "ciphertext", ct, sizeof ct, &n, 0);
    if (!rc) {
        int e = e2e_skype_halfkey_decrypt(k, half, ct, n);
        if (e)
            rc = cli_fail(c, e, "not eight copies of one half: wrong key or altered",
                          "skype half-key decryption");
        else
            cli_result_hex(c, "half", half, 16);
    }
    e2e_rsa_free(k);
    e2e_wipe(half, sizeof half);
    return rc;
}

static const struct cli_opt certsign_opts[] = {
    {"ca-key-der", OPT_HEX, 1, "HEX", "the authority's PKCS#1 RSAPrivateKey, DER"},
    {"ca-key", OPT_INT, 1, "N", "the CA key number written first (1: 2048-bit, 2: 1536-bit)"},
    {"user", OPT_STR, 1, "NAME", "the certified Skype name"},
    {"key-id", OPT_INT, 1, "N", "the key identifier"},
    {"modulus", OPT_HEX, 1, "HEX", "the user's RSA modulus"},
    {"valid-from", OPT_INT, 1, "N", "Unix seconds"},
    {"valid-until", OPT_INT, 1, "N", "Unix seconds"},
};

static int
cert_fields(struct cli *c, const struct cli_args *a, struct e2e_skype_cert_info *info)
{
    long long id = 0, from = 0, until = 0;
    const char *name = cli_str(a, "user");
    memset(info, 0, sizeof *info);
    if (strlen(name) > E2E_SKYPE_NAME_MAX) {
        cli_error(c, NULL, "--user: at most 32 characters");
        return CLI_EXIT_USER;
    }
    strcpy(info->name, name);
    int rc = cli_int(c, a, "key-id", 0, 0xFFFFFFFFLL, &id);
    if (!rc)
        rc = cli_int(c, a, "valid-from", 0, 0xFFFFFFFFLL, &from);
    if (!rc)
        rc = cli_int(c, a, "valid-until", 0, 0xFFFFFFFFLL, &until);
    if (!rc)
        rc = cli_hex(c, a, "modulus", info->modulus, sizeof info->modulus, &info->modulus_len, 0);
    info->key_id = (uint32_t)id;
    info->valid_from = (uint32_t)from;
    info->valid_until = (uint32_t)until;
    return rc;
}

static int
run_cert_sign(struct cli *c, const struct cli_args *a)
{
    e2e_rsa *k = NULL;
    struct e2e_skype_cert_info info;
    uint8_t cert[1200];
    size_t n = 0;
    long long no = 0;
    int rc = rsa_arg(c, a, "ca-key-der", NULL, &k);
    if (!rc)
        rc = cli_int(c, a, "ca-key", 0, 0xFFFFFFFFLL, &no);
    if (!rc)
        rc = cert_fields(c, a, &info);
    if (!rc) {
        int e = e2e_skype_cert_sign(cert, sizeof cert, &n, k, (uint32_t)no, &info);
        if (e)
            rc = cli_fail(c, e, "a valid name, a 128..512-byte modulus, from <= until",
                          "skype certificate");
        else
            cli_result_hex(c, "certificate", cert, n);
    }
    e2e_rsa_free(k);
    return rc;
}

static const struct cli_opt certverify_opts[] = {
    {"ca-modulus", OPT_HEX, 1, "HEX", "the authority key's modulus (1536 or 2048 bits)"},
    {"cert", OPT_HEX, 1, "HEX", "the certificate"},
    {"now", OPT_INT, 1, "N", "the time to check validity at, Unix seconds"},
};

static uint64_t
fixed_clock(void *user)
{
    return *(const uint64_t *)user;
}

static void
cert_results(struct cli *c, const struct e2e_skype_cert_info *info)
{
    cli_result_str(c, "verdict", "valid");
    cli_result_str(c, "name", info->name);
    cli_result_int(c, "key_id", info->key_id);
    cli_result_hex(c, "modulus", info->modulus, info->modulus_len);
    cli_result_int(c, "valid_from", info->valid_from);
    cli_result_int(c, "valid_until", info->valid_until);
    cli_result_int(c, "recovered", (long long)info->recovered_len);
    cli_result_int(c, "signed", (long long)info->signed_len);
}

static int
run_cert_verify(struct cli *c, const struct cli_args *a)
{
    e2e_rsa *k = NULL;
    e2e_skype_ca *ca = NULL;
    e2e_ctx *ctx = NULL;
    uint8_t *cert = NULL;
    size_t n = 0;
    long long now = 0;
    uint64_t now_ms = 0;
    struct e2e_ctx_config cfg = {0};
    int rc = rsa_arg(c, a, NULL, "ca-modulus", &k);
    if (!rc)
        rc = cli_int(c, a, "now", 0, 0xFFFFFFFFLL, &now);
    if (!rc)
        rc = cli_hex_alloc(c, a, "cert", &cert, &n);
    now_ms = (uint64_t)now * 1000;
    cfg.now_ms = fixed_clock;
    cfg.user = &now_ms;
    int e = rc                        ? 0
            : e2e_rsa_bits(k) == 2048 ? e2e_skype_ca_new(&ca, k, NULL)
                                      : e2e_skype_ca_new(&ca, NULL, k);
    if (!rc && !e)
        e = e2e_ctx_new(&ctx, &cfg);
    if (!rc && e)
        rc = cli_fail(c, e, "the CA key has 1536 or 2048 bits", "skype CA key");
    if (!rc) {
        struct e2e_skype_cert_info info;
        struct e2e_report why;
        e = e2e_skype_cert_verify(&info, ca, ctx, cert, n, &why);
        if (e)
            rc = cli_fail(c, e, why.detail, "skype certificate (%s)", why.check);
        else
            cert_results(c, &info);
    }
    e2e_ctx_free(ctx);
    e2e_skype_ca_free(ca);
    e2e_rsa_free(k);
    free(cert);
    return rc;
}

/* ---- obfuscation ---------------------------------------------------------------------------- */

static const struct cli_opt seed_opts[] = {
    {"src", OPT_STR, 1, "IP", "public source IPv4 address"},
    {"dst", OPT_STR, 1, "IP", "destination IPv4 address"},
    {"object-id", OPT_INT, 1, "N", "the frame's 16-bit object (packet) id"},
    {"iv", OPT_INT, 0, "N", "the frame's 32-bit IV (default 0)"},
};

static int
run_obfs_seed(struct cli *c, const struct cli_args *a)
{
    uint8_t src[4], dst[4], key[80];
    long long id = 0, iv = 0;
    int rc = ip_arg(c, a, "src", src);
    if (!rc)
        rc = ip_arg(c, a, "dst", dst);
    if (!rc)
        rc = cli_int(c, a, "object-id", 0, 0xFFFF, &id);
    if (!rc)
        rc = cli_int(c, a, "iv", 0, 0xFFFFFFFFLL, &iv);
    if (rc)
        return rc;
    uint32_t seed = e2e_skype_udp_seed(src, dst, (uint16_t)id);
    e2e_skype_rc4_key(key, seed ^ (uint32_t)iv);
    result_u32(c, "seed", seed);
    result_u32(c, "seed_xor_iv", seed ^ (uint32_t)iv);
    cli_result_hex(c, "rc4_key", key, sizeof key);
    return 0;
}

static const struct cli_opt udp_opts[] = {
    {"src", OPT_STR, 1, "IP", "public source IPv4 address"},
    {"dst", OPT_STR, 1, "IP", "destination IPv4 address"},
    {"object-id", OPT_INT, 0, "N", "16-bit object id (obfuscate only)"},
    {"iv", OPT_INT, 0, "N", "32-bit IV (obfuscate only, default 0)"},
    {"data", OPT_HEX, 1, "HEX", "payload, or the frame with --decrypt"},
    {"decrypt", OPT_FLAG, 0, NULL, "de-obfuscate a frame and check its CRC"},
};

static int
run_udp(struct cli *c, const struct cli_args *a)
{
    uint8_t src[4], dst[4], *in = NULL, *out = NULL;
    long long id = 0, iv = 0;
    size_t n = 0, outn = 0;
    int rc = ip_arg(c, a, "src", src);
    if (!rc)
        rc = ip_arg(c, a, "dst", dst);
    if (!rc)
        rc = cli_int(c, a, "object-id", 0, 0xFFFF, &id);
    if (!rc)
        rc = cli_int(c, a, "iv", 0, 0xFFFFFFFFLL, &iv);
    if (!rc)
        rc = cli_hex_alloc(c, a, "data", &in, &n);
    if (!rc && !(out = malloc(n + E2E_SKYPE_UDP_HEADER)))
        rc = CLI_EXIT_UNEXPECTED;
    if (!rc) {
        struct e2e_report why;
        uint16_t got_id = 0;
        int dec = cli_has(a, "decrypt");
        int e = dec ? e2e_skype_udp_deobfuscate(out, n, &outn, &got_id, src, dst, in, n, &why)
                    : e2e_skype_udp_obfuscate(out, n + E2E_SKYPE_UDP_HEADER, &outn, src, dst,
                                              (uint16_t)id, (uint32_t)iv, in, n);
        if (e)
            rc = cli_fail(c, e, dec ? why.detail : NULL, "skype UDP frame");
        else
            cli_result_hex(c, dec ? "payload" : "frame", out, outn);
        if (!e && dec)
            cli_result_int(c, "object_id", got_id);
    }
    free(out);
    free(in);
    return rc;
}

static const struct cli_opt tcp_opts[] = {
    {"seed", OPT_INT, 1, "N", "the stream's 32-bit seed"},
    {"last", OPT_INT, 0, "N", "last marker byte: 1 (default) or 3"},
    {"data", OPT_HEX, 0, "HEX", "stream data that follows the 14-byte start"},
};

static int
run_tcp(struct cli *c, const struct cli_args *a)
{
    long long seed = 0, last = 1;
    uint8_t *in = NULL, *out = NULL;
    size_t n = 0;
    int rc = cli_int(c, a, "seed", 0, 0xFFFFFFFFLL, &seed);
    if (!rc)
        rc = cli_int(c, a, "last", 1, 3, &last);
    if (!rc && last == 2) {
        cli_error(c, "use 1 or 3", "--last: the marker ends in 01 or 03");
        rc = CLI_EXIT_USER;
    }
    if (!rc)
        rc = cli_hex_alloc(c, a, "data", &in, &n);
    if (!rc && !(out = malloc(n + E2E_SKYPE_TCP_START)))
        rc = CLI_EXIT_UNEXPECTED;
    if (!rc) {
        struct e2e_skype_tcp t;
        e2e_skype_tcp_start(&t, out, (uint32_t)seed, (uint8_t)last);
        e2e_skype_tcp_xor(&t, out + E2E_SKYPE_TCP_START, in, n);
        cli_result_hex(c, "stream", out, n + E2E_SKYPE_TCP_START);
        e2e_wipe(&t, sizeof t);
    }
    free(out);
    free(in);
    return rc;
}

const struct calc_cmd calc_cmds_skype[] = {
    {"skype-password-hash", "H(P) = MD5(name \\n skyper \\n password), then H(H(P))",
     CALC_OPTS(pw_opts), run_password_hash},
    {"skype-challenge", "the challenge transform f(N) = N + 1 mod 2^64 (defined by e2ekit)",
     CALC_OPTS(challenge_opts), run_challenge},
    {"skype-session-key", "session keys from the two halves (and, hardened, salts and transcript)",
     CALC_OPTS(key_opts), run_session_key},
    {"skype-icm-block", "one AES-256 ICM keystream block: salt:salt:packet_index:block",
     CALC_OPTS(icm_opts), run_icm_block},
    {"skype-crc32", "Skype's CRC-32 (register from the seed, no final XOR)", CALC_OPTS(crc_opts),
     run_crc32},
    {"skype-crc-trailer", "faithful trailer: CRC of the encrypted bytes XOR packet_index (16 bits)",
     CALC_OPTS(trailer_opts), run_crc_trailer},
    {"skype-packet", "one session packet: packet_index | AES-256-ICM(payload) | trailer",
     CALC_OPTS(packet_opts), run_packet},
    {"skype-halfkey-block", "the 1024-bit block of a key half: the half repeated 8 times",
     CALC_OPTS(halfblock_opts), run_halfkey_block},
    {"skype-halfkey-encrypt", "faithful key half: raw RSA of the half repeated 8 times",
     CALC_OPTS(halfenc_opts), run_halfkey_encrypt},
    {"skype-halfkey-decrypt", "raw RSA decryption and the 8-copies check (exit 6 if it fails)",
     CALC_OPTS(halfdec_opts), run_halfkey_decrypt},
    {"skype-cert-sign", "identity certificate: key number | ISO 9796-2 (SHA-1) signature | M2",
     CALC_OPTS(certsign_opts), run_cert_sign},
    {"skype-cert-verify", "verify a certificate at a given time: valid + its fields, or refused",
     CALC_OPTS(certverify_opts), run_cert_verify},
    {"skype-obfs-seed", "UDP obfuscation seed (CRC of IPs and object id), and its RC4 key",
     CALC_OPTS(seed_opts), run_obfs_seed},
    {"skype-udp", "UDP obfuscation frame: id | 02 | IV | CRC-32 | RC4(payload)",
     CALC_OPTS(udp_opts), run_udp},
    {"skype-tcp", "TCP obfuscation: seed | RC4(marker) | RC4 restarted (keystream reuse)",
     CALC_OPTS(tcp_opts), run_tcp},
    {0},
};
