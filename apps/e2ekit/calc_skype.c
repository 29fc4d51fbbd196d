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

static int
run_challenge(struct cli *c, const struct cli_args *a)
{
    uint8_t n[8], f[8];
    size_t len;
    int rc = cli_hex(c, a, "challenge", n, sizeof n, &len, 8);
    if (rc)
        return rc;
    e2e_skype_challenge_transform(f, n);
    cli_result_hex(c, "answer", f, 8);
    return 0;
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
    uint8_t half[16], block[128];
    size_t n;
    int rc = cli_hex(c, a, "half", half, sizeof half, &n, 16);
    if (rc)
        return rc;
    e2e_skype_halfkey_block(block, half);
    cli_result_hex(c, "block", block, sizeof block);
    e2e_wipe(half, sizeof half);
    e2e_wipe(block, sizeof block);
    return 0;
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
    {"skype-obfs-seed", "UDP obfuscation seed (CRC of IPs and object id), and its RC4 key",
     CALC_OPTS(seed_opts), run_obfs_seed},
    {"skype-udp", "UDP obfuscation frame: id | 02 | IV | CRC-32 | RC4(payload)",
     CALC_OPTS(udp_opts), run_udp},
    {"skype-tcp", "TCP obfuscation: seed | RC4(marker) | RC4 restarted (keystream reuse)",
     CALC_OPTS(tcp_opts), run_tcp},
    {0},
};
