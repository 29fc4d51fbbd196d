/* Calculators for the pubkey primitives: MTProto DH, RSA, ISO/IEC 9796-2, OAEP. */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/crypto.h>

#include "cli.h"

#define RSA_MAX_BYTES 1024 /* 8192-bit modulus */
#define DER_MAX       5000 /* an 8192-bit private key is about 4.7 KB */

/* ---- MTProto DH ---------------------------------------------------------------------------- */

static const struct cli_opt dh_check_opts[] = {
    {"prime", OPT_HEX, 1, "HEX", "p, big-endian (256 bytes for a valid group)"},
    {"g", OPT_INT, 1, "N", "generator"},
};

static int
run_dh_check(struct cli *c, const struct cli_args *a)
{
    uint8_t p[600];
    size_t pn;
    long long g = 0;
    int rc = cli_hex(c, a, "prime", p, sizeof p, &pn, 0);
    if (!rc)
        rc = cli_int(c, a, "g", INT32_MIN, INT32_MAX, &g);
    if (rc)
        return rc;
    struct e2e_report why;
    int e = e2e_dh_check_params(p, pn, (int32_t)g, &why);
    if (e == E2E_OK) {
        cli_result_str(c, "verdict", "ok");
        return 0;
    }
    if (e != E2E_ERR_WEAK_KEY)
        return cli_fail(c, e, NULL, "mtproto-dh-check");
    cli_result_str(c, "verdict", "refused");
    cli_result_str(c, "check", why.check ? why.check : "");
    cli_result_str(c, "detail", why.detail);
    return CLI_EXIT_USER;
}

static const struct cli_opt dh_public_opts[] = {
    {"prime", OPT_HEX, 1, "HEX", "p, 256 bytes big-endian"},
    {"g", OPT_INT, 1, "N", "generator"},
    {"private", OPT_HEX, 1, "HEX", "private exponent, up to 256 bytes big-endian"},
};

static const struct cli_opt dh_shared_opts[] = {
    {"prime", OPT_HEX, 1, "HEX", "p, 256 bytes big-endian"},
    {"g", OPT_INT, 1, "N", "generator"},
    {"private", OPT_HEX, 1, "HEX", "own private exponent, up to 256 bytes big-endian"},
    {"peer", OPT_HEX, 1, "HEX", "the peer's g^b, up to 256 bytes big-endian"},
};

/* The checked group for --prime / --g (the check runs in a fresh cache: about 0.3 s unless p
 * is the Telegram prime), and --private left-padded to 256 bytes. */
static int
dh_inputs(struct cli *c, const struct cli_args *a, e2e_dh_cache **cache, const e2e_dh_group **grp,
          uint8_t priv[E2E_DH_BYTES])
{
    uint8_t p[600], buf[E2E_DH_BYTES];
    size_t pn, n;
    long long g = 0;
    int rc = cli_hex(c, a, "prime", p, sizeof p, &pn, 0);
    if (!rc)
        rc = cli_int(c, a, "g", INT32_MIN, INT32_MAX, &g);
    if (!rc)
        rc = cli_hex(c, a, "private", buf, sizeof buf, &n, 0);
    if (rc)
        return rc;
    memset(priv, 0, E2E_DH_BYTES - n);
    memcpy(priv + E2E_DH_BYTES - n, buf, n);
    e2e_wipe(buf, sizeof buf);
    struct e2e_report why;
    int e = e2e_dh_cache_new(cache);
    if (e == E2E_OK)
        e = e2e_dh_group_get(*cache, grp, p, pn, (int32_t)g, &why);
    if (e != E2E_OK)
        return cli_fail(c, e, "check the group with mtproto-dh-check", "DH parameters: %s",
                        e == E2E_ERR_WEAK_KEY ? why.detail : "");
    return 0;
}

static int
run_dh_public(struct cli *c, const struct cli_args *a)
{
    e2e_dh_cache *cache = NULL;
    const e2e_dh_group *grp;
    uint8_t priv[E2E_DH_BYTES], pub[E2E_DH_BYTES];
    int rc = dh_inputs(c, a, &cache, &grp, priv);
    if (!rc) {
        int e = e2e_dh_public(grp, pub, priv);
        if (e)
            rc =
                cli_fail(c, e, "MTProto requires 2^1984 <= g^a <= p - 2^1984", "mtproto-dh-public");
        else
            cli_result_hex(c, "public", pub, sizeof pub);
    }
    e2e_wipe(priv, sizeof priv);
    e2e_dh_cache_free(cache);
    return rc;
}

static int
run_dh_shared(struct cli *c, const struct cli_args *a)
{
    e2e_dh_cache *cache = NULL;
    const e2e_dh_group *grp;
    uint8_t priv[E2E_DH_BYTES], peer[E2E_DH_BYTES + 1], key[E2E_DH_BYTES], h[20];
    size_t pn;
    int rc = dh_inputs(c, a, &cache, &grp, priv);
    if (!rc)
        rc = cli_hex(c, a, "peer", peer, sizeof peer, &pn, 0);
    if (!rc) {
        int e = e2e_dh_compute(grp, key, priv, peer, pn);
        if (e) {
            rc =
                cli_fail(c, e, "MTProto requires 2^1984 <= g^b <= p - 2^1984", "mtproto-dh-shared");
        } else {
            cli_result_hex(c, "key", key, sizeof key);
            e2e_sha1(h, key, sizeof key);
            cli_result_hex(c, "key_fingerprint", h + 12, 8); /* reference/telegram.md 1.3 */
        }
    }
    e2e_wipe(priv, sizeof priv);
    e2e_wipe(key, sizeof key);
    e2e_dh_cache_free(cache);
    return rc;
}

/* ---- RSA keys ------------------------------------------------------------------------------ */

static int
rsa_fail(struct cli *c, int e, const char *what)
{
    return cli_fail(c, e, NULL, "%s", what);
}

static int
load_private(struct cli *c, const struct cli_args *a, e2e_rsa **k)
{
    uint8_t *der;
    size_t n;
    int rc = cli_hex_alloc(c, a, "key-der", &der, &n);
    if (rc)
        return rc;
    int e = e2e_rsa_from_der(k, 1, der, n);
    cli_free_secret(der, n);
    return e ? cli_fail(c, e, "give a PKCS#1 RSAPrivateKey in DER", "--key-der") : 0;
}

/* --public-der, or --key-der, or --modulus [--exponent] (default 65537). */
static int
load_public(struct cli *c, const struct cli_args *a, e2e_rsa **k)
{
    if (cli_has(a, "key-der"))
        return load_private(c, a, k);
    uint8_t *der = NULL, *mod = NULL, exp[RSA_MAX_BYTES] = {0x01, 0x00, 0x01};
    size_t n = 0, mn = 0, en = 3;
    int rc = 0, e;
    if (cli_has(a, "public-der")) {
        if (!(rc = cli_hex_alloc(c, a, "public-der", &der, &n)) &&
            (e = e2e_rsa_from_der(k, 0, der, n)) != E2E_OK)
            rc = cli_fail(c, e, "give a PKCS#1 RSAPublicKey in DER", "--public-der");
    } else if (cli_has(a, "modulus")) {
        if (!(rc = cli_hex_alloc(c, a, "modulus", &mod, &mn)) && cli_has(a, "exponent"))
            rc = cli_hex(c, a, "exponent", exp, sizeof exp, &en, 0);
        if (!rc && (e = e2e_rsa_from_public(k, mod, mn, exp, en)) != E2E_OK)
            rc = cli_fail(c, e, NULL, "--modulus / --exponent");
    } else {
        cli_error(c, "give --public-der, --key-der or --modulus", "no RSA key given");
        rc = CLI_EXIT_USER;
    }
    free(der);
    free(mod);
    return rc;
}

#define PUBLIC_KEY_OPTS                                                                            \
    {"public-der", OPT_HEX, 0, "HEX", "PKCS#1 RSAPublicKey, DER"},                                 \
        {"key-der", OPT_HEX, 0, "HEX", "or a PKCS#1 RSAPrivateKey, DER"},                          \
        {"modulus", OPT_HEX, 0, "HEX", "or the modulus, big-endian"},                              \
    {                                                                                              \
        "exponent", OPT_HEX, 0, "HEX", "with --modulus: public exponent (default 010001)"          \
    }

/* A context whose randomness is the given bytes (for --seed of the deterministic calcs). */
struct fixed_rng {
    const uint8_t *p;
    size_t n;
};

static int
fixed_rng_read(void *user, uint8_t *out, size_t n)
{
    struct fixed_rng *f = user;
    if (n > f->n)
        return -1;
    memcpy(out, f->p, n);
    f->p += n;
    f->n -= n;
    return 0;
}

static const struct cli_opt keygen_opts[] = {
    {"bits", OPT_INT, 1, "N", "1024, 1536, 2048 or 4096"},
    {"seed", OPT_HEX, 1, "HEX", "seed of e2ekit's deterministic generator (e2e_drbg)"},
};

static int
run_keygen(struct cli *c, const struct cli_args *a)
{
    uint8_t seed[256], der[DER_MAX], n[RSA_MAX_BYTES];
    size_t sn, len, nn;
    long long bits = 0;
    int rc = cli_int(c, a, "bits", 0, 8192, &bits);
    if (!rc)
        rc = cli_hex(c, a, "seed", seed, sizeof seed, &sn, 0);
    if (rc)
        return rc;
    struct e2e_drbg drbg;
    e2e_drbg_seed(&drbg, seed, sn);
    struct e2e_ctx_config cfg = {.rng = e2e_drbg_rng, .user = &drbg};
    e2e_ctx *ctx = NULL;
    e2e_rsa *k = NULL;
    int e = e2e_ctx_new(&ctx, &cfg);
    if (!e)
        e = e2e_rsa_generate(&k, (unsigned)bits, ctx);
    if (!e)
        e = e2e_rsa_to_der(k, 1, der, sizeof der, &len);
    if (!e)
        e = e2e_rsa_modulus(k, n, sizeof n, &nn);
    if (e) {
        rc = cli_fail(c, e, "--bits must be 1024, 1536, 2048 or 4096", "rsa-keygen");
    } else {
        cli_result_hex(c, "private_der", der, len);
        cli_result_hex(c, "modulus", n, nn);
    }
    e2e_wipe(der, sizeof der);
    e2e_wipe(&drbg, sizeof drbg);
    e2e_wipe(seed, sizeof seed);
    e2e_rsa_free(k);
    e2e_ctx_free(ctx);
    return rc;
}

/* ---- raw operations ------------------------------------------------------------------------ */

static const struct cli_opt public_raw_opts[] = {
    PUBLIC_KEY_OPTS,
    {"input", OPT_HEX, 1, "HEX", "value below the modulus, as long as the modulus"},
};

static const struct cli_opt private_raw_opts[] = {
    {"key-der", OPT_HEX, 1, "HEX", "PKCS#1 RSAPrivateKey, DER"},
    {"input", OPT_HEX, 1, "HEX", "value below the modulus, as long as the modulus"},
};

static int
run_raw(struct cli *c, const struct cli_args *a, int private_op)
{
    e2e_rsa *k = NULL;
    uint8_t in[RSA_MAX_BYTES], out[RSA_MAX_BYTES];
    size_t n;
    int rc = private_op ? load_private(c, a, &k) : load_public(c, a, &k);
    if (!rc)
        rc = cli_hex(c, a, "input", in, sizeof in, &n, 0);
    if (!rc) {
        int e = private_op ? e2e_rsa_private_raw(k, out, in, n) : e2e_rsa_public_raw(k, out, in, n);
        if (e)
            rc = cli_fail(c, e, "the input must be as long as the modulus and below it", "--input");
        else
            cli_result_hex(c, "output", out, e2e_rsa_bytes(k));
    }
    e2e_wipe(out, sizeof out);
    e2e_rsa_free(k);
    return rc;
}

static int
run_public_raw(struct cli *c, const struct cli_args *a)
{
    return run_raw(c, a, 0);
}

static int
run_private_raw(struct cli *c, const struct cli_args *a)
{
    return run_raw(c, a, 1);
}

/* ---- ISO/IEC 9796-2 ------------------------------------------------------------------------ */

static const struct cli_opt iso_sign_opts[] = {
    {"key-der", OPT_HEX, 1, "HEX", "PKCS#1 RSAPrivateKey, DER"},
    {"message", OPT_HEX, 1, "HEX", "the whole message M"},
};

static int
run_iso_sign(struct cli *c, const struct cli_args *a)
{
    e2e_rsa *k = NULL;
    uint8_t *msg = NULL, sig[RSA_MAX_BYTES];
    size_t mn = 0, sig_len, rec;
    int rc = load_private(c, a, &k);
    if (!rc)
        rc = cli_hex_alloc(c, a, "message", &msg, &mn);
    if (!rc) {
        int e = e2e_iso9796_sign(k, sig, sizeof sig, &sig_len, &rec, msg, mn);
        if (e) {
            rc = rsa_fail(c, e, "iso9796-sign");
        } else {
            cli_result_hex(c, "signature", sig, sig_len);
            cli_result_int(c, "recoverable_len", (long long)rec);
            cli_result_hex(c, "m2", msg + rec, mn - rec);
        }
    }
    free(msg);
    e2e_rsa_free(k);
    return rc;
}

static const struct cli_opt iso_verify_opts[] = {
    PUBLIC_KEY_OPTS,
    {"signature", OPT_HEX, 1, "HEX", "the signature"},
    {"m2", OPT_HEX, 0, "HEX", "the non-recoverable part M2 (partial recovery)"},
};

static int
run_iso_verify(struct cli *c, const struct cli_args *a)
{
    e2e_rsa *k = NULL;
    uint8_t *sig = NULL, *m2 = NULL, m1[RSA_MAX_BYTES];
    size_t sn = 0, m2n = 0, m1n = 0;
    int rc = load_public(c, a, &k);
    if (!rc)
        rc = cli_hex_alloc(c, a, "signature", &sig, &sn);
    if (!rc)
        rc = cli_hex_alloc(c, a, "m2", &m2, &m2n);
    if (!rc) {
        int e = e2e_iso9796_verify(k, m1, sizeof m1, &m1n, sig, sn, m2, m2n);
        cli_result_str(c, "result", e == E2E_OK ? "valid" : "invalid");
        if (e == E2E_OK)
            cli_result_hex(c, "m1", m1, m1n);
        rc = e == E2E_OK ? 0 : e == E2E_ERR_AUTH ? CLI_EXIT_VERIFY : rsa_fail(c, e, "verify");
    }
    free(sig);
    free(m2);
    e2e_rsa_free(k);
    return rc;
}

/* ---- OAEP ---------------------------------------------------------------------------------- */

static const struct cli_opt oaep_enc_opts[] = {
    PUBLIC_KEY_OPTS,
    {"message", OPT_HEX, 1, "HEX", "plaintext"},
    {"seed", OPT_HEX, 1, "HEX", "the 32-byte OAEP seed (fresh random in real use)"},
};

static int
run_oaep_encrypt(struct cli *c, const struct cli_args *a)
{
    e2e_rsa *k = NULL;
    uint8_t *msg = NULL, seed[32], out[RSA_MAX_BYTES];
    size_t mn = 0, sn, on;
    e2e_ctx *ctx = NULL;
    int rc = load_public(c, a, &k);
    if (!rc)
        rc = cli_hex(c, a, "seed", seed, sizeof seed, &sn, 32);
    if (!rc)
        rc = cli_hex_alloc(c, a, "message", &msg, &mn);
    if (!rc) {
        struct fixed_rng f = {seed, sizeof seed};
        struct e2e_ctx_config cfg = {.rng = fixed_rng_read, .user = &f};
        int e = e2e_ctx_new(&ctx, &cfg);
        if (!e)
            e = e2e_rsa_oaep_encrypt(k, ctx, out, sizeof out, &on, msg, mn);
        if (e)
            rc = cli_fail(c, e, "at most modulus bytes - 66 of plaintext", "rsa-oaep-encrypt");
        else
            cli_result_hex(c, "ciphertext", out, on);
    }
    cli_free_secret(msg, mn);
    e2e_ctx_free(ctx);
    e2e_rsa_free(k);
    return rc;
}

static const struct cli_opt oaep_dec_opts[] = {
    {"key-der", OPT_HEX, 1, "HEX", "PKCS#1 RSAPrivateKey, DER"},
    {"ciphertext", OPT_HEX, 1, "HEX", "ciphertext"},
};

static int
run_oaep_decrypt(struct cli *c, const struct cli_args *a)
{
    e2e_rsa *k = NULL;
    uint8_t *ct = NULL, out[RSA_MAX_BYTES];
    size_t cn = 0, on = 0;
    int rc = load_private(c, a, &k);
    if (!rc)
        rc = cli_hex_alloc(c, a, "ciphertext", &ct, &cn);
    if (!rc) {
        int e = e2e_rsa_oaep_decrypt(k, out, sizeof out, &on, ct, cn);
        if (e == E2E_OK)
            cli_result_hex(c, "plaintext", out, on);
        else if (e == E2E_ERR_AUTH)
            cli_result_str(c, "result", "invalid");
        rc = e == E2E_OK ? 0 : e == E2E_ERR_AUTH ? CLI_EXIT_VERIFY : rsa_fail(c, e, "decrypt");
    }
    e2e_wipe(out, sizeof out);
    free(ct);
    e2e_rsa_free(k);
    return rc;
}

const struct calc_cmd calc_cmds_pubkey[] = {
    {"mtproto-dh-check", "full MTProto check of (p, g): ok, or refused + check + detail (exit 1)",
     CALC_OPTS(dh_check_opts), run_dh_check},
    {"mtproto-dh-public", "g^a mod p (256 bytes) after the group and range checks",
     CALC_OPTS(dh_public_opts), run_dh_public},
    {"mtproto-dh-shared", "peer^a mod p (256 bytes), then the key fingerprint SHA1(key)[12..20)",
     CALC_OPTS(dh_shared_opts), run_dh_shared},
    {"rsa-keygen", "deterministic RSA key from a seed: PKCS#1 private DER, then the modulus",
     CALC_OPTS(keygen_opts), run_keygen},
    {"rsa-public-raw", "raw RSA m^e mod n", CALC_OPTS(public_raw_opts), run_public_raw},
    {"rsa-private-raw", "raw RSA c^d mod n (CRT, blinded)", CALC_OPTS(private_raw_opts),
     run_private_raw},
    {"iso9796-sign", "ISO/IEC 9796-2 scheme 1 signature (SHA-1, trailer BC), then |M1|, then M2",
     CALC_OPTS(iso_sign_opts), run_iso_sign},
    {"iso9796-verify", "verify ISO/IEC 9796-2 scheme 1: valid + recovered M1, or invalid (exit 6)",
     CALC_OPTS(iso_verify_opts), run_iso_verify},
    {"rsa-oaep-encrypt", "RSAES-OAEP SHA-256/MGF1-SHA-256 with a given seed",
     CALC_OPTS(oaep_enc_opts), run_oaep_encrypt},
    {"rsa-oaep-decrypt", "RSAES-OAEP SHA-256/MGF1-SHA-256 decryption, or invalid (exit 6)",
     CALC_OPTS(oaep_dec_opts), run_oaep_decrypt},
    {0},
};
