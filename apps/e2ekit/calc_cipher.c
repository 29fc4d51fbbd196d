/* Calculators for AES modes, Salsa20 and RC4. */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/crypto.h>

#include "cli.h"

#define IMPL_OPT {"impl", OPT_STR, 0, "NAME", "AES back end: auto (default), aesni, portable"}

/* Key setup honouring --impl. 0 or an exit code. */
static int
aes_key(struct cli *c, const struct cli_args *a, e2e_aes_key *k)
{
    uint8_t key[32];
    size_t n;
    int impl = E2E_AES_AUTO;
    const char *s = cli_str(a, "impl");
    if (s && strcmp(s, "aesni") == 0)
        impl = E2E_AES_AESNI;
    else if (s && strcmp(s, "portable") == 0)
        impl = E2E_AES_PORTABLE;
    else if (s && strcmp(s, "auto") != 0) {
        cli_error(c, "use auto, aesni or portable", "--impl: unknown back end '%s'", s);
        return CLI_EXIT_USER;
    }
    int rc = cli_hex(c, a, "key", key, sizeof key, &n, 0);
    if (rc)
        return rc;
    if (n != 16 && n != 32) {
        cli_error(c, NULL, "--key: AES takes 16 or 32 bytes, got %zu", n);
        return CLI_EXIT_USER;
    }
    int e = e2e_aes_setkey_impl(k, key, n, impl);
    e2e_wipe(key, sizeof key);
    return e ? cli_fail(c, e, "this CPU lacks AES-NI: use --impl portable", "AES key setup") : 0;
}

/* Reads --data into a buffer with `extra` spare bytes. */
static int
data_arg(struct cli *c, const struct cli_args *a, uint8_t **buf, size_t *n, size_t extra)
{
    const char *v = cli_str(a, "data");
    size_t cap = (v ? strlen(v) / 2 : 0) + extra + 1;
    *buf = malloc(cap);
    if (!*buf)
        return CLI_EXIT_UNEXPECTED;
    int rc = cli_hex(c, a, "data", *buf, cap, n, 0);
    if (rc) {
        free(*buf);
        *buf = NULL;
    }
    return rc;
}

static int
need_blocks(struct cli *c, size_t n)
{
    if (n % 16 == 0)
        return 0;
    cli_error(c, "give a multiple of 16 bytes", "--data: %zu bytes is not whole blocks", n);
    return CLI_EXIT_USER;
}

static const struct cli_opt block_opts[] = {
    {"key", OPT_HEX, 1, "HEX", "16- or 32-byte key"},
    {"data", OPT_HEX, 1, "HEX", "one 16-byte block"},
    {"decrypt", OPT_FLAG, 0, NULL, "decrypt instead of encrypt"},
    IMPL_OPT,
};

static int
run_block(struct cli *c, const struct cli_args *a)
{
    e2e_aes_key k;
    uint8_t in[16], out[16];
    size_t n;
    int rc = aes_key(c, a, &k);
    if (!rc)
        rc = cli_hex(c, a, "data", in, sizeof in, &n, 16);
    if (!rc) {
        if (cli_has(a, "decrypt"))
            e2e_aes_decrypt_block(&k, out, in);
        else
            e2e_aes_encrypt_block(&k, out, in);
        cli_result_hex(c, "block", out, 16);
    }
    e2e_wipe(&k, sizeof k);
    return rc;
}

static const struct cli_opt cbc_opts[] = {
    {"key", OPT_HEX, 1, "HEX", "16- or 32-byte key"},
    {"iv", OPT_HEX, 1, "HEX", "16-byte IV"},
    {"data", OPT_HEX, 1, "HEX", "plaintext (or ciphertext with --decrypt)"},
    {"decrypt", OPT_FLAG, 0, NULL, "decrypt instead of encrypt"},
    {"no-padding", OPT_FLAG, 0, NULL, "whole blocks, no PKCS#7 padding"},
    IMPL_OPT,
};

static int
run_cbc(struct cli *c, const struct cli_args *a)
{
    e2e_aes_key k;
    uint8_t iv[16], *buf = NULL;
    size_t n = 0, ivn, outn = 0;
    int rc = aes_key(c, a, &k);
    if (!rc)
        rc = cli_hex(c, a, "iv", iv, sizeof iv, &ivn, 16);
    if (!rc)
        rc = data_arg(c, a, &buf, &n, 16);
    if (rc)
        goto out;
    int dec = cli_has(a, "decrypt"), e;
    if (cli_has(a, "no-padding")) {
        if ((rc = need_blocks(c, n)) != 0)
            goto out;
        e = dec ? e2e_aes_cbc_decrypt(&k, iv, buf, n, buf) : e2e_aes_cbc_encrypt(&k, iv, buf, n, buf);
        outn = n;
    } else if (dec) {
        e = e2e_aes_cbc_pkcs7_decrypt(&k, iv, buf, n, buf, n, &outn);
    } else {
        e = e2e_aes_cbc_pkcs7_encrypt(&k, iv, buf, n, buf, n + 16, &outn);
    }
    if (e)
        rc = cli_fail(c, e, dec ? "wrong key, or not PKCS#7-padded" : NULL, "AES-CBC");
    else
        cli_result_hex(c, "data", buf, outn);
out:
    cli_free_secret(buf, n + 16);
    e2e_wipe(&k, sizeof k);
    return rc;
}

static const struct cli_opt ctr_opts[] = {
    {"key", OPT_HEX, 1, "HEX", "16- or 32-byte key"},
    {"iv", OPT_HEX, 1, "HEX", "16-byte initial counter block (128-bit big-endian counter)"},
    {"data", OPT_HEX, 1, "HEX", "input (encryption and decryption are the same)"},
    {"offset", OPT_INT, 0, "N", "byte position in the stream where --data starts (default 0)"},
    IMPL_OPT,
};

static int
run_ctr(struct cli *c, const struct cli_args *a)
{
    e2e_aes_key k;
    uint8_t iv[16], *buf = NULL;
    size_t n = 0, ivn;
    long long off = 0;
    int rc = aes_key(c, a, &k);
    if (!rc)
        rc = cli_hex(c, a, "iv", iv, sizeof iv, &ivn, 16);
    if (!rc)
        rc = cli_int(c, a, "offset", 0, 0x7fffffffffffffffLL, &off);
    if (!rc)
        rc = data_arg(c, a, &buf, &n, 0);
    if (!rc) {
        e2e_aes_ctr_xor(&k, iv, (uint64_t)off, buf, n, buf);
        cli_result_hex(c, "data", buf, n);
    }
    cli_free_secret(buf, n);
    e2e_wipe(&k, sizeof k);
    return rc;
}

static const struct cli_opt icm_opts[] = {
    {"key", OPT_HEX, 1, "HEX", "16- or 32-byte key"},
    {"block0", OPT_HEX, 1, "HEX", "16-byte first counter block; its last 2 bytes count"},
    {"data", OPT_HEX, 1, "HEX", "input; give zeros to see the keystream"},
    IMPL_OPT,
};

static int
run_icm(struct cli *c, const struct cli_args *a)
{
    e2e_aes_key k;
    uint8_t b0[16], *buf = NULL;
    size_t n = 0, bn;
    int rc = aes_key(c, a, &k);
    if (!rc)
        rc = cli_hex(c, a, "block0", b0, sizeof b0, &bn, 16);
    if (!rc)
        rc = data_arg(c, a, &buf, &n, 0);
    if (!rc) {
        int e = e2e_aes_icm_xor(&k, b0, buf, n, buf);
        if (e)
            rc = cli_fail(c, e, "the 16-bit block counter would wrap", "AES-ICM");
        else
            cli_result_hex(c, "data", buf, n);
    }
    cli_free_secret(buf, n);
    e2e_wipe(&k, sizeof k);
    return rc;
}

static const struct cli_opt ige_opts[] = {
    {"key", OPT_HEX, 1, "HEX", "16- or 32-byte key"},
    {"iv", OPT_HEX, 1, "HEX", "32 bytes: previous ciphertext block, then previous plaintext block"},
    {"data", OPT_HEX, 1, "HEX", "whole 16-byte blocks"},
    {"decrypt", OPT_FLAG, 0, NULL, "decrypt instead of encrypt"},
    IMPL_OPT,
};

static int
run_ige(struct cli *c, const struct cli_args *a)
{
    e2e_aes_key k;
    uint8_t iv[32], *buf = NULL;
    size_t n = 0, ivn;
    int rc = aes_key(c, a, &k);
    if (!rc)
        rc = cli_hex(c, a, "iv", iv, sizeof iv, &ivn, 32);
    if (!rc)
        rc = data_arg(c, a, &buf, &n, 0);
    if (!rc)
        rc = need_blocks(c, n);
    if (!rc) {
        int e = cli_has(a, "decrypt") ? e2e_aes_ige_decrypt(&k, iv, buf, n, buf)
                                      : e2e_aes_ige_encrypt(&k, iv, buf, n, buf);
        if (e)
            rc = cli_fail(c, e, NULL, "AES-IGE");
        else
            cli_result_hex(c, "data", buf, n);
    }
    cli_free_secret(buf, n);
    e2e_wipe(&k, sizeof k);
    e2e_wipe(iv, sizeof iv);
    return rc;
}

static const struct cli_opt gcm_opts[] = {
    {"key", OPT_HEX, 1, "HEX", "16- or 32-byte key"},
    {"nonce", OPT_HEX, 1, "HEX", "12-byte nonce"},
    {"ad", OPT_HEX, 0, "HEX", "associated data (default empty)"},
    {"data", OPT_HEX, 1, "HEX", "plaintext, or ciphertext || 16-byte tag with --decrypt"},
    {"decrypt", OPT_FLAG, 0, NULL, "decrypt and verify the tag (exit 6 if it fails)"},
};

static int
run_gcm(struct cli *c, const struct cli_args *a)
{
    uint8_t key[32], nonce[12], *ad = NULL, *buf = NULL, *out = NULL;
    size_t kn, nn, adn = 0, n = 0;
    e2e_aes_gcm *g = NULL;
    int rc = cli_hex(c, a, "key", key, sizeof key, &kn, 0);
    if (!rc)
        rc = cli_hex(c, a, "nonce", nonce, sizeof nonce, &nn, 12);
    if (!rc)
        rc = cli_hex_alloc(c, a, "ad", &ad, &adn);
    if (!rc)
        rc = data_arg(c, a, &buf, &n, 0);
    if (!rc && !(out = malloc(n + 16)))
        rc = CLI_EXIT_UNEXPECTED;
    int e = rc ? 0 : e2e_aes_gcm_new(&g, key, kn);
    if (!rc && e)
        rc = cli_fail(c, e, "AES-GCM takes a 16- or 32-byte key", "AES-GCM");
    if (!rc) {
        int dec = cli_has(a, "decrypt");
        e = dec ? e2e_aes_gcm_decrypt(g, out, nonce, ad, adn, buf, n)
                : e2e_aes_gcm_encrypt(g, out, nonce, ad, adn, buf, n);
        if (e)
            rc = cli_fail(c, e, dec ? "the ciphertext, tag, nonce, ad or key differ" : NULL,
                          "AES-GCM");
        else
            cli_result_hex(c, "data", out, dec ? n - 16 : n + 16);
    }
    e2e_aes_gcm_free(g);
    e2e_wipe(key, sizeof key);
    cli_free_secret(out, n + 16);
    cli_free_secret(buf, n);
    free(ad);
    return rc;
}

static const struct cli_opt salsa_opts[] = {
    {"key", OPT_HEX, 1, "HEX", "16-byte (\"expand 16-byte k\") or 32-byte key"},
    {"nonce", OPT_HEX, 1, "HEX", "8-byte nonce"},
    {"data", OPT_HEX, 1, "HEX", "input; give zeros to see the keystream"},
    {"counter", OPT_INT, 0, "N", "first 64-byte block number (default 0)"},
};

static int
run_salsa(struct cli *c, const struct cli_args *a)
{
    uint8_t key[32], nonce[8], *buf = NULL;
    size_t kn, nn, n = 0;
    long long ctr = 0;
    int rc = cli_hex(c, a, "key", key, sizeof key, &kn, 0);
    if (!rc)
        rc = cli_hex(c, a, "nonce", nonce, sizeof nonce, &nn, 8);
    if (!rc)
        rc = cli_int(c, a, "counter", 0, 0x7fffffffffffffffLL, &ctr);
    if (!rc)
        rc = data_arg(c, a, &buf, &n, 0);
    if (!rc) {
        int e = e2e_salsa20_xor(buf, buf, n, nonce, (uint64_t)ctr, key, kn);
        if (e)
            rc = cli_fail(c, e, "Salsa20 takes a 16- or 32-byte key", "Salsa20");
        else
            cli_result_hex(c, "data", buf, n);
    }
    e2e_wipe(key, sizeof key);
    cli_free_secret(buf, n);
    return rc;
}

static const struct cli_opt rc4_opts[] = {
    {"key", OPT_HEX, 1, "HEX", "1 to 256 bytes"},
    {"data", OPT_HEX, 1, "HEX", "input; give zeros to see the keystream"},
    {"skip", OPT_INT, 0, "N", "discard the first N keystream bytes (default 0)"},
};

static int
run_rc4(struct cli *c, const struct cli_args *a)
{
    uint8_t key[256], *buf = NULL, junk[256];
    size_t kn, n = 0;
    long long skip = 0;
    struct e2e_rc4 r;
    int rc = cli_hex(c, a, "key", key, sizeof key, &kn, 0);
    if (!rc)
        rc = cli_int(c, a, "skip", 0, 1 << 30, &skip);
    if (!rc)
        rc = data_arg(c, a, &buf, &n, 0);
    int e = rc ? 0 : e2e_rc4_init(&r, key, kn);
    if (!rc && e)
        rc = cli_fail(c, e, "RC4 takes a 1- to 256-byte key", "RC4");
    if (!rc) {
        memset(junk, 0, sizeof junk);
        for (long long left = skip; left > 0; left -= (long long)sizeof junk)
            e2e_rc4_xor(&r, junk, junk, left < (long long)sizeof junk ? (size_t)left : sizeof junk);
        e2e_rc4_xor(&r, buf, buf, n);
        cli_result_hex(c, "data", buf, n);
    }
    e2e_wipe(&r, sizeof r);
    e2e_wipe(key, sizeof key);
    cli_free_secret(buf, n);
    return rc;
}

const struct calc_cmd calc_cmds_cipher[] = {
    {"aes-block", "AES one block (FIPS 197)", CALC_OPTS(block_opts), run_block},
    {"aes-cbc", "AES-CBC with PKCS#7 padding (or --no-padding)", CALC_OPTS(cbc_opts), run_cbc},
    {"aes-ctr", "AES-CTR, 128-bit big-endian counter (OpenSSL's aes-*-ctr)", CALC_OPTS(ctr_opts),
     run_ctr},
    {"aes-icm", "AES integer counter mode: 16-bit block counter (SRTP AES-CM, Skype ICM)",
     CALC_OPTS(icm_opts), run_icm},
    {"aes-ige", "AES-IGE (MTProto): iv = previous ciphertext || previous plaintext block",
     CALC_OPTS(ige_opts), run_ige},
    {"aes-gcm", "AES-GCM, 12-byte nonce, 16-byte tag appended", CALC_OPTS(gcm_opts), run_gcm},
    {"salsa20", "Salsa20/20 with a 16- or 32-byte key, 8-byte nonce", CALC_OPTS(salsa_opts),
     run_salsa},
    {"rc4", "RC4 keystream XOR (Skype's obfuscation layer only)", CALC_OPTS(rc4_opts), run_rc4},
    {0},
};
