/* Calculators for hashes, MACs, KDFs and the curve primitives. */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/crypto.h>

#include "cli.h"

#define MAX_IN 65536

/* ---- hashes ------------------------------------------------------------------------------- */

static const struct cli_opt hash_opts[] = {
    {"data", OPT_HEX, 1, "HEX", "input bytes"},
};

static int
run_hash(struct cli *c, const struct cli_args *a, int which)
{
    uint8_t *in, out[64];
    size_t n;
    int rc = cli_hex_alloc(c, a, "data", &in, &n);
    if (rc)
        return rc;
    static const size_t len[] = {20, 32, 64, 16};
    switch (which) {
    case 0:
        e2e_sha1(out, in, n);
        break;
    case 1:
        e2e_sha256(out, in, n);
        break;
    case 2:
        e2e_sha512(out, in, n);
        break;
    default:
        e2e_md5(out, in, n);
        break;
    }
    cli_result_hex(c, "digest", out, len[which]);
    free(in);
    return 0;
}

static int
run_sha1(struct cli *c, const struct cli_args *a)
{
    return run_hash(c, a, 0);
}
static int
run_sha256(struct cli *c, const struct cli_args *a)
{
    return run_hash(c, a, 1);
}
static int
run_sha512(struct cli *c, const struct cli_args *a)
{
    return run_hash(c, a, 2);
}
static int
run_md5(struct cli *c, const struct cli_args *a)
{
    return run_hash(c, a, 3);
}

static const struct cli_opt crc_opts[] = {
    {"data", OPT_HEX, 1, "HEX", "input bytes"},
    {"crc", OPT_INT, 0, "N", "previous CRC to continue from (default 0)"},
};

static int
run_crc32(struct cli *c, const struct cli_args *a)
{
    uint8_t *in;
    size_t n;
    long long prev = 0;
    int rc = cli_int(c, a, "crc", 0, 0xFFFFFFFFLL, &prev);
    if (rc || (rc = cli_hex_alloc(c, a, "data", &in, &n)) != 0)
        return rc;
    uint32_t v = e2e_crc32((uint32_t)prev, in, n);
    char hex[9];
    snprintf(hex, sizeof hex, "%08x", v);
    cli_result_str(c, "crc32", hex);
    cli_result_int(c, "decimal", v);
    free(in);
    return 0;
}

/* ---- HMAC, HKDF ------------------------------------------------------------------------------ */

static const struct cli_opt hmac_opts[] = {
    {"key", OPT_HEX, 1, "HEX", "the key"},
    {"data", OPT_HEX, 1, "HEX", "the message"},
    {"truncate", OPT_INT, 0, "N", "keep the first N bytes (1..32)"},
};

static int
run_hmac(struct cli *c, const struct cli_args *a)
{
    uint8_t *key = NULL, *in = NULL, out[32];
    size_t kn = 0, n = 0;
    long long t = 32;
    int rc = cli_int(c, a, "truncate", 1, 32, &t);
    if (!rc)
        rc = cli_hex_alloc(c, a, "key", &key, &kn);
    if (!rc)
        rc = cli_hex_alloc(c, a, "data", &in, &n);
    if (!rc) {
        e2e_hmac_sha256(out, key, kn, in, n);
        cli_result_hex(c, "mac", out, (size_t)t);
        e2e_wipe(out, sizeof out);
    }
    cli_free_secret(key, kn);
    free(in);
    return rc;
}

static const struct cli_opt hkdf_opts[] = {
    {"ikm", OPT_HEX, 1, "HEX", "input key material"},
    {"salt", OPT_HEX, 0, "HEX", "salt (default: none, i.e. 32 zero bytes)"},
    {"info", OPT_HEX, 0, "HEX", "context and application info (default empty)"},
    {"length", OPT_INT, 1, "N", "output length in bytes (1..8160)"},
};

static int
run_hkdf(struct cli *c, const struct cli_args *a)
{
    uint8_t *ikm = NULL, *salt = NULL, *info = NULL, *out = NULL;
    size_t ikm_n = 0, salt_n = 0, info_n = 0;
    long long len = 0;
    int rc = cli_int(c, a, "length", 1, 255 * 32, &len);
    if (!rc)
        rc = cli_hex_alloc(c, a, "ikm", &ikm, &ikm_n);
    if (!rc)
        rc = cli_hex_alloc(c, a, "salt", &salt, &salt_n);
    if (!rc)
        rc = cli_hex_alloc(c, a, "info", &info, &info_n);
    if (!rc && !(out = malloc((size_t)len)))
        rc = CLI_EXIT_UNEXPECTED;
    if (!rc) {
        int e = e2e_hkdf_sha256(out, (size_t)len, salt, salt_n, ikm, ikm_n, info, info_n);
        if (e)
            rc = cli_fail(c, e, NULL, "hkdf");
        else
            cli_result_hex(c, "okm", out, (size_t)len);
    }
    cli_free_secret(out, (size_t)len);
    cli_free_secret(ikm, ikm_n);
    cli_free_secret(salt, salt_n);
    free(info);
    return rc;
}

/* ---- curves --------------------------------------------------------------------------------- */

/* Accepts a 32-byte key or Signal's 33-byte 0x05-prefixed serialisation. */
static int
public_key(struct cli *c, const struct cli_args *a, const char *name, uint8_t out[32])
{
    uint8_t buf[33];
    size_t n;
    int rc = cli_hex(c, a, name, buf, sizeof buf, &n, 0);
    if (rc)
        return rc;
    if (n == 33 && buf[0] == 0x05) {
        memcpy(out, buf + 1, 32);
        return 0;
    }
    if (n != 32) {
        cli_error(c, "give 32 bytes, or 33 starting with 05 (Signal's serialisation)",
                  "--%s: expected a 32-byte public key, got %zu bytes", name, n);
        return CLI_EXIT_USER;
    }
    memcpy(out, buf, 32);
    return 0;
}

static const struct cli_opt x25519_opts[] = {
    {"private", OPT_HEX, 1, "HEX", "32-byte scalar (used as RFC 7748 clamps it)"},
    {"public", OPT_HEX, 0, "HEX", "peer's public key: print the shared secret"},
};

static int
run_x25519(struct cli *c, const struct cli_args *a)
{
    uint8_t priv[32], pub[32], out[32];
    size_t n;
    int rc = cli_hex(c, a, "private", priv, sizeof priv, &n, 32);
    if (rc)
        return rc;
    if (!cli_has(a, "public")) {
        e2e_x25519_public(out, priv);
        cli_result_hex(c, "public", out, 32);
    } else if ((rc = public_key(c, a, "public", pub)) == 0) {
        int e = e2e_x25519_shared(out, priv, pub);
        if (e)
            rc = cli_fail(c, e, "the peer's key is of small order", "x25519");
        else
            cli_result_hex(c, "shared", out, 32);
    }
    e2e_wipe(priv, sizeof priv);
    e2e_wipe(out, sizeof out);
    return rc;
}

static const struct cli_opt xsign_opts[] = {
    {"private", OPT_HEX, 1, "HEX", "32-byte X25519 private key"},
    {"message", OPT_HEX, 1, "HEX", "message"},
    {"random", OPT_HEX, 1, "HEX", "the 64 random bytes Z (fresh random in real use)"},
};

static int
run_xsign(struct cli *c, const struct cli_args *a)
{
    uint8_t priv[32], z[64], sig[64], pub[32], *msg = NULL;
    size_t n, mn = 0;
    int rc = cli_hex(c, a, "private", priv, sizeof priv, &n, 32);
    if (!rc)
        rc = cli_hex(c, a, "random", z, sizeof z, &n, 64);
    if (!rc)
        rc = cli_hex_alloc(c, a, "message", &msg, &mn);
    if (!rc) {
        struct e2e_xeddsa_signer s;
        e2e_xeddsa_signer_init(&s, priv);
        e2e_xeddsa_sign(sig, &s, msg, mn, z);
        e2e_x25519_public(pub, priv);
        cli_result_hex(c, "signature", sig, 64);
        cli_result_hex(c, "public", pub, 32);
        e2e_wipe(&s, sizeof s);
    }
    e2e_wipe(priv, sizeof priv);
    e2e_wipe(z, sizeof z);
    free(msg);
    return rc;
}

static const struct cli_opt xverify_opts[] = {
    {"public", OPT_HEX, 1, "HEX", "X25519 public key (32 bytes, or 33 with the 05 prefix)"},
    {"message", OPT_HEX, 1, "HEX", "message"},
    {"signature", OPT_HEX, 1, "HEX", "64-byte signature"},
};

static int
report_verify(struct cli *c, int e)
{
    cli_result_str(c, "result", e == E2E_OK ? "valid" : "invalid");
    return e == E2E_OK ? 0 : CLI_EXIT_VERIFY;
}

static int
run_xverify(struct cli *c, const struct cli_args *a)
{
    uint8_t pub[32], sig[64], *msg = NULL;
    size_t n, mn = 0;
    int rc = public_key(c, a, "public", pub);
    if (!rc)
        rc = cli_hex(c, a, "signature", sig, sizeof sig, &n, 64);
    if (!rc)
        rc = cli_hex_alloc(c, a, "message", &msg, &mn);
    if (!rc)
        rc = report_verify(c, e2e_xeddsa_verify(pub, msg, mn, sig));
    free(msg);
    return rc;
}

static const struct cli_opt esign_opts[] = {
    {"seed", OPT_HEX, 1, "HEX", "32-byte secret seed (RFC 8032 private key)"},
    {"message", OPT_HEX, 1, "HEX", "message"},
};

static int
run_esign(struct cli *c, const struct cli_args *a)
{
    uint8_t seed[32], pub[32], sk[64], sig[64], *msg = NULL;
    size_t n, mn = 0;
    int rc = cli_hex(c, a, "seed", seed, sizeof seed, &n, 32);
    if (!rc)
        rc = cli_hex_alloc(c, a, "message", &msg, &mn);
    if (!rc) {
        e2e_ed25519_seed_keypair(pub, sk, seed);
        e2e_ed25519_sign(sig, msg, mn, sk);
        cli_result_hex(c, "signature", sig, 64);
        cli_result_hex(c, "public", pub, 32);
    }
    e2e_wipe(seed, sizeof seed);
    e2e_wipe(sk, sizeof sk);
    free(msg);
    return rc;
}

static const struct cli_opt everify_opts[] = {
    {"public", OPT_HEX, 1, "HEX", "32-byte Ed25519 public key"},
    {"message", OPT_HEX, 1, "HEX", "message"},
    {"signature", OPT_HEX, 1, "HEX", "64-byte signature"},
};

static int
run_everify(struct cli *c, const struct cli_args *a)
{
    uint8_t pub[32], sig[64], *msg = NULL;
    size_t n, mn = 0;
    int rc = cli_hex(c, a, "public", pub, sizeof pub, &n, 32);
    if (!rc)
        rc = cli_hex(c, a, "signature", sig, sizeof sig, &n, 64);
    if (!rc)
        rc = cli_hex_alloc(c, a, "message", &msg, &mn);
    if (!rc)
        rc = report_verify(c, e2e_ed25519_verify(sig, msg, mn, pub));
    free(msg);
    return rc;
}

const struct calc_cmd calc_cmds_core[] = {
    {"sha1", "SHA-1 digest", CALC_OPTS(hash_opts), run_sha1},
    {"sha256", "SHA-256 digest", CALC_OPTS(hash_opts), run_sha256},
    {"sha512", "SHA-512 digest", CALC_OPTS(hash_opts), run_sha512},
    {"md5", "MD5 digest", CALC_OPTS(hash_opts), run_md5},
    {"crc32", "CRC-32 as zlib computes it (hex, then decimal)", CALC_OPTS(crc_opts), run_crc32},
    {"hmac-sha256", "HMAC-SHA256 (RFC 2104)", CALC_OPTS(hmac_opts), run_hmac},
    {"hkdf", "HKDF-SHA256 (RFC 5869)", CALC_OPTS(hkdf_opts), run_hkdf},
    {"x25519", "X25519 public key, or shared secret with --public (RFC 7748)",
     CALC_OPTS(x25519_opts), run_x25519},
    {"xeddsa-sign", "XEdDSA signature, Signal's deployed variant (then the public key)",
     CALC_OPTS(xsign_opts), run_xsign},
    {"xeddsa-verify", "verify an XEdDSA (Signal variant) signature: valid / invalid (exit 6)",
     CALC_OPTS(xverify_opts), run_xverify},
    {"ed25519-sign", "Ed25519 signature (RFC 8032), then the public key", CALC_OPTS(esign_opts),
     run_esign},
    {"ed25519-verify", "verify an Ed25519 signature: valid / invalid (exit 6)",
     CALC_OPTS(everify_opts), run_everify},
    {0},
};
