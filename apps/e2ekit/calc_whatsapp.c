/*
 * Calculators of the whatsapp suite: media keys and blobs, ADV (linking) HMAC, signatures
 * and encodings, padding, the RFC 3711 key derivation and packet protection, and our call
 * key derivation. Every random input is an option, so every output is reproducible.
 */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/crypto.h>
#include <e2ekit/whatsapp.h>

#include "cli.h"

#define TYPE_HELP                                                                                  \
    "image, video, audio, document, history, app-state, sticker-pack, "                            \
    "link-thumbnail, sticker"

static int
media_type(struct cli *c, const struct cli_args *a, int *type)
{
    const char *s = cli_str(a, "type");
    *type = s ? e2e_wa_media_type_from_name(s) : -1;
    if (*type >= 0)
        return 0;
    cli_error(c, TYPE_HELP, "--type: unknown media type '%s'", s ? s : "");
    return CLI_EXIT_USER;
}

static int
key32(struct cli *c, const struct cli_args *a, const char *name, uint8_t out[32])
{
    size_t n;
    return cli_hex(c, a, name, out, 32, &n, 32);
}

/* ---- media -------------------------------------------------------------------------------- */

static const struct cli_opt media_keys_opts[] = {
    {"media-key", OPT_HEX, 1, "HEX", "32-byte mediaKey"},
    {"type", OPT_STR, 1, "TYPE", TYPE_HELP},
};

static int
run_media_keys(struct cli *c, const struct cli_args *a)
{
    uint8_t mk[32];
    struct e2e_wa_media_keys k;
    int type, rc = key32(c, a, "media-key", mk);
    if (!rc)
        rc = media_type(c, a, &type);
    if (rc)
        return rc;
    int e = e2e_wa_media_derive(&k, mk, type, NULL);
    if (e)
        return cli_fail(c, e, NULL, "media key derivation");
    cli_result_hex(c, "iv", k.iv, 16);
    cli_result_hex(c, "cipher_key", k.cipher_key, 32);
    cli_result_hex(c, "mac_key", k.mac_key, 32);
    cli_result_hex(c, "ref_key", k.ref_key, 32);
    e2e_wipe(&k, sizeof k);
    e2e_wipe(mk, sizeof mk);
    return 0;
}

static const struct cli_opt media_enc_opts[] = {
    {"media-key", OPT_HEX, 1, "HEX", "32-byte mediaKey"},
    {"type", OPT_STR, 1, "TYPE", TYPE_HELP},
    {"data", OPT_HEX, 1, "HEX", "the file's bytes"},
};

static int
run_media_encrypt(struct cli *c, const struct cli_args *a)
{
    uint8_t mk[32], *pt = NULL, *blob = NULL, fsha[32], fesha[32];
    size_t n = 0, bn = 0;
    int type, rc = key32(c, a, "media-key", mk);
    if (!rc)
        rc = media_type(c, a, &type);
    if (!rc)
        rc = cli_hex_alloc(c, a, "data", &pt, &n);
    if (rc)
        return rc;
    blob = malloc(e2e_wa_media_blob_len(n));
    int e = blob ? e2e_wa_media_encrypt(blob, e2e_wa_media_blob_len(n), &bn, fsha, fesha, pt, n, mk,
                                        type, NULL)
                 : E2E_ERR_NOMEM;
    if (e) {
        rc = cli_fail(c, e, NULL, "media encryption");
    } else {
        cli_result_hex(c, "blob", blob, bn);
        cli_result_hex(c, "file_enc_sha256", fesha, 32);
        cli_result_hex(c, "file_sha256", fsha, 32);
    }
    cli_free_secret(pt, n);
    free(blob);
    e2e_wipe(mk, sizeof mk);
    return rc;
}

static const struct cli_opt media_dec_opts[] = {
    {"media-key", OPT_HEX, 1, "HEX", "32-byte mediaKey"},
    {"type", OPT_STR, 1, "TYPE", TYPE_HELP},
    {"blob", OPT_HEX, 1, "HEX", "the downloaded blob: ciphertext || 10-byte MAC"},
    {"file-enc-sha256", OPT_HEX, 1, "HEX", "SHA-256 of the blob, from the message"},
    {"file-sha256", OPT_HEX, 0, "HEX", "SHA-256 of the file, from the message (checked if given)"},
};

static int
run_media_decrypt(struct cli *c, const struct cli_args *a)
{
    uint8_t mk[32], fesha[32], fsha[32], *blob = NULL, *pt = NULL;
    size_t bn = 0, pn = 0, fn = 0;
    struct e2e_report why;
    int type, rc = key32(c, a, "media-key", mk);
    if (!rc)
        rc = media_type(c, a, &type);
    if (!rc)
        rc = key32(c, a, "file-enc-sha256", fesha);
    if (!rc)
        rc = cli_hex(c, a, "file-sha256", fsha, 32, &fn, 0);
    if (!rc && fn != 0 && fn != 32) {
        cli_error(c, NULL, "--file-sha256: 32 bytes expected");
        rc = CLI_EXIT_USER;
    }
    if (!rc)
        rc = cli_hex_alloc(c, a, "blob", &blob, &bn);
    if (rc)
        return rc;
    pt = malloc(bn + 1);
    e2e_report_clear(&why);
    int e = pt ? e2e_wa_media_decrypt(pt, bn + 1, &pn, blob, bn, fesha, fn ? fsha : NULL, mk, type,
                                      NULL, &why)
               : E2E_ERR_NOMEM;
    if (e)
        rc = cli_fail(c, e, why.detail[0] ? why.detail : NULL, "media decryption (%s)",
                      why.check ? why.check : "?");
    else
        cli_result_hex(c, "data", pt, pn);
    cli_free_secret(pt, bn + 1);
    free(blob);
    e2e_wipe(mk, sizeof mk);
    return rc;
}

/* ---- ADV ---------------------------------------------------------------------------------- */

static const struct cli_opt adv_hmac_opts[] = {
    {"secret", OPT_HEX, 1, "HEX", "32-byte linking secret (advSecret, from the QR code)"},
    {"details", OPT_HEX, 1, "HEX", "serialized ADVSignedDeviceIdentity"},
    {"hosted", OPT_FLAG, 0, NULL, "HOSTED account: 06 05 is fed to the HMAC first"},
};

static int
run_adv_hmac(struct cli *c, const struct cli_args *a)
{
    uint8_t secret[32], *d = NULL, *m = NULL, mac[32];
    size_t n = 0;
    int rc = key32(c, a, "secret", secret);
    if (!rc)
        rc = cli_hex_alloc(c, a, "details", &d, &n);
    if (rc)
        return rc;
    int hosted = cli_has(a, "hosted");
    m = malloc(n + 2);
    if (!m) {
        free(d);
        return CLI_EXIT_UNEXPECTED;
    }
    m[0] = 0x06, m[1] = 0x05;
    memcpy(m + 2, d, n);
    e2e_hmac_sha256(mac, secret, 32, hosted ? m : m + 2, hosted ? n + 2 : n);
    cli_result_hex(c, "hmac", mac, 32);
    free(d);
    free(m);
    e2e_wipe(secret, sizeof secret);
    return 0;
}

/* The signed message 06 <prefix> || details [|| companion pub [|| primary pub]]. */
static const struct cli_opt adv_sig_opts[] = {
    {"kind", OPT_STR, 1, "KIND",
     "account (06 00 || details || companion), device (06 01 || details || companion || "
     "primary), list (06 02 || details), hosted-account (06 05 || details || companion)"},
    {"details", OPT_HEX, 1, "HEX", "serialized ADVDeviceIdentity or ADVKeyIndexList"},
    {"companion-pub", OPT_HEX, 0, "HEX", "32-byte companion identity key (account, device)"},
    {"primary-pub", OPT_HEX, 0, "HEX", "32-byte primary identity key (device)"},
    {"private", OPT_HEX, 0, "HEX", "32-byte signing key (to sign)"},
    {"random", OPT_HEX, 0, "HEX", "64 random bytes for XEdDSA (to sign)"},
    {"public", OPT_HEX, 0, "HEX", "32-byte key to verify with"},
    {"signature", OPT_HEX, 0, "HEX", "64-byte signature to verify (exit 6 if it fails)"},
};

static int
adv_message(struct cli *c, const struct cli_args *a, uint8_t *m, size_t cap, size_t *mn)
{
    const char *kind = cli_str(a, "kind");
    static const char *const kinds[] = {"account", "device", "list", "hosted-account"};
    static const uint8_t prefix[] = {0x00, 0x01, 0x02, 0x05};
    int k = -1;
    for (int i = 0; i < 4; i++)
        if (kind && strcmp(kind, kinds[i]) == 0)
            k = i;
    if (k < 0) {
        cli_error(c, "account, device, list or hosted-account", "--kind: unknown '%s'", kind);
        return CLI_EXIT_USER;
    }
    size_t dn, cn = 0, pn = 0;
    m[0] = 0x06, m[1] = prefix[k];
    int rc = cli_hex(c, a, "details", m + 2, cap - 66, &dn, 0);
    if (!rc && k != 2)
        rc = cli_hex(c, a, "companion-pub", m + 2 + dn, 32, &cn, 32);
    if (!rc && k == 1)
        rc = cli_hex(c, a, "primary-pub", m + 2 + dn + cn, 32, &pn, 32);
    if (!rc && ((k != 2 && cn != 32) || (k == 1 && pn != 32))) {
        cli_error(c, NULL, "--companion-pub (and --primary-pub for device) are required here");
        rc = CLI_EXIT_USER;
    }
    *mn = 2 + dn + cn + pn;
    return rc;
}

static int
run_adv_sign(struct cli *c, const struct cli_args *a)
{
    uint8_t m[600], priv[32], rnd[64], sig[64];
    size_t mn, kn, rn;
    int rc = adv_message(c, a, m, sizeof m, &mn);
    if (!rc)
        rc = cli_hex(c, a, "private", priv, 32, &kn, 32);
    if (!rc)
        rc = cli_hex(c, a, "random", rnd, 64, &rn, 64);
    if (rc)
        return rc;
    struct e2e_xeddsa_signer s;
    e2e_xeddsa_signer_init(&s, priv);
    e2e_xeddsa_sign(sig, &s, m, mn, rnd);
    cli_result_hex(c, "signature", sig, 64);
    cli_result_hex(c, "message", m, mn);
    e2e_wipe(&s, sizeof s);
    e2e_wipe(priv, sizeof priv);
    return 0;
}

static int
run_adv_verify(struct cli *c, const struct cli_args *a)
{
    uint8_t m[600], pub[32], sig[64];
    size_t mn, kn, sn;
    int rc = adv_message(c, a, m, sizeof m, &mn);
    if (!rc)
        rc = cli_hex(c, a, "public", pub, 32, &kn, 32);
    if (!rc)
        rc = cli_hex(c, a, "signature", sig, 64, &sn, 64);
    if (rc)
        return rc;
    int e = e2e_xeddsa_verify(pub, m, mn, sig);
    if (e)
        return cli_fail(c, e, "wrong key, kind, details or signature", "ADV signature");
    cli_result_str(c, "verify", "ok");
    cli_result_hex(c, "message", m, mn);
    return 0;
}

static const struct cli_opt device_identity_opts[] = {
    {"raw-id", OPT_INT, 1, "N", "rawID (account-scoped id)"},
    {"timestamp", OPT_INT, 1, "N", "seconds since the epoch"},
    {"key-index", OPT_INT, 1, "N", "the companion's key index"},
    {"hosted", OPT_FLAG, 0, NULL, "accountType = deviceType = HOSTED"},
};

static int
run_device_identity(struct cli *c, const struct cli_args *a)
{
    long long raw = 0, ts = 0, ki = 0;
    int rc = cli_int(c, a, "raw-id", 0, 0xffffffffLL, &raw);
    if (!rc)
        rc = cli_int(c, a, "timestamp", 0, 0x7fffffffffffffffLL, &ts);
    if (!rc)
        rc = cli_int(c, a, "key-index", 0, 0xffffffffLL, &ki);
    if (rc)
        return rc;
    struct e2e_wa_device_identity id = {(uint32_t)raw, (uint64_t)ts, (uint32_t)ki, 0, 0};
    if (cli_has(a, "hosted"))
        id.account_type = id.device_type = E2E_WA_ADV_HOSTED;
    uint8_t out[64];
    size_t n;
    int e = e2e_wa_device_identity_encode(out, sizeof out, &n, &id);
    if (e)
        return cli_fail(c, e, NULL, "ADVDeviceIdentity");
    cli_result_hex(c, "details", out, n);
    return 0;
}

/* ---- padding ------------------------------------------------------------------------------ */

static const struct cli_opt pad_opts[] = {
    {"data", OPT_HEX, 1, "HEX", "serialized Message (or padded bytes with --unpad)"},
    {"n", OPT_INT, 0, "N", "padding length 1..15 (random byte & 0x0f, 0 -> 15)"},
    {"unpad", OPT_FLAG, 0, NULL, "check and strip the padding instead"},
};

static int
run_pad(struct cli *c, const struct cli_args *a)
{
    uint8_t *d = NULL;
    size_t n = 0, out;
    long long pad = 0;
    int rc = cli_int(c, a, "n", 1, 15, &pad);
    if (!rc && !cli_has(a, "unpad") && !cli_has(a, "n")) {
        cli_error(c, "give --n N (1..15) to pad, or --unpad", "--n is required to pad");
        rc = CLI_EXIT_USER;
    }
    if (!rc)
        rc = cli_hex_alloc(c, a, "data", &d, &n);
    if (rc)
        return rc;
    uint8_t *buf = malloc(n + 16);
    struct e2e_report why;
    int e = !buf                  ? E2E_ERR_NOMEM
            : cli_has(a, "unpad") ? e2e_wa_unpad(&out, d, n, &why)
                                  : e2e_wa_pad_n(buf, n + 16, &out, d, n, (unsigned)pad);
    if (e)
        rc = cli_fail(c, e, NULL, "padding");
    else
        cli_result_hex(c, "data", cli_has(a, "unpad") ? d : buf, out);
    free(buf);
    free(d);
    return rc;
}

/* ---- SRTP and calls ----------------------------------------------------------------------- */

static const struct cli_opt srtp_kdf_opts[] = {
    {"master-key", OPT_HEX, 1, "HEX", "16- or 32-byte SRTP master key"},
    {"master-salt", OPT_HEX, 1, "HEX", "14-byte (or 12-byte AEAD) master salt"},
    {"label", OPT_INT, 1, "N", "0 rtp key, 1 rtp auth, 2 rtp salt, 3-5 the same for rtcp"},
    {"length", OPT_INT, 1, "N", "bytes of key material"},
    {"index", OPT_INT, 0, "N", "48-bit packet index (default 0)"},
    {"kdr", OPT_INT, 0, "N", "key derivation rate: 0 (default) or a power of two"},
};

static int
run_srtp_kdf(struct cli *c, const struct cli_args *a)
{
    uint8_t mk[32], ms[14], out[256];
    size_t kn, sn;
    long long label = 0, len = 0, idx = 0, kdr = 0;
    int rc = cli_hex(c, a, "master-key", mk, sizeof mk, &kn, 0);
    if (!rc)
        rc = cli_hex(c, a, "master-salt", ms, sizeof ms, &sn, 0);
    if (!rc)
        rc = cli_int(c, a, "label", 0, 5, &label);
    if (!rc)
        rc = cli_int(c, a, "length", 1, 256, &len);
    if (!rc)
        rc = cli_int(c, a, "index", 0, (1LL << 48) - 1, &idx);
    if (!rc)
        rc = cli_int(c, a, "kdr", 0, 1LL << 24, &kdr);
    if (rc)
        return rc;
    int e = e2e_srtp_kdf(out, (size_t)len, mk, kn, ms, sn, (unsigned)label, (uint64_t)idx,
                         (uint64_t)kdr);
    if (e)
        return cli_fail(c, e, "key 16 or 32 bytes, salt 14 or 12, kdr a power of two",
                        "SRTP key derivation");
    cli_result_hex(c, "key", out, (size_t)len);
    e2e_wipe(mk, sizeof mk);
    e2e_wipe(out, sizeof out);
    return 0;
}

static const struct cli_opt srtp_protect_opts[] = {
    {"master-key", OPT_HEX, 1, "HEX", "16-byte SRTP master key (AES_CM_128_HMAC_SHA1_80)"},
    {"master-salt", OPT_HEX, 1, "HEX", "14-byte master salt"},
    {"packet", OPT_HEX, 1, "HEX", "RTP packet (or SRTP packet with --unprotect)"},
    {"roc", OPT_INT, 0, "N", "rollover counter (default 0)"},
    {"unprotect", OPT_FLAG, 0, NULL, "check the tag and decrypt instead (exit 6 on a bad tag)"},
};

static int
run_srtp_protect(struct cli *c, const struct cli_args *a)
{
    uint8_t mk[16], ms[14], pkt[1600];
    size_t kn, sn, n;
    long long roc = 0;
    int rc = cli_hex(c, a, "master-key", mk, 16, &kn, 16);
    if (!rc)
        rc = cli_hex(c, a, "master-salt", ms, 14, &sn, 14);
    if (!rc)
        rc = cli_hex(c, a, "packet", pkt, sizeof pkt - 10, &n, 0);
    if (!rc)
        rc = cli_int(c, a, "roc", 0, 0xffffffffLL, &roc);
    if (rc)
        return rc;
    struct e2e_srtp_keys k;
    struct e2e_srtp_stream s;
    int e = e2e_srtp_session_keys(&k, E2E_SRTP_AES_CM_128_HMAC_SHA1_80, mk, 16, ms, 14, NULL);
    if (!e)
        e = e2e_srtp_stream_init(&s, &k);
    if (!e)
        e = cli_has(a, "unprotect") ? e2e_srtp_unprotect(&s, pkt, &n, (uint32_t)roc, NULL)
                                    : e2e_srtp_protect(&s, pkt, sizeof pkt, &n, (uint32_t)roc);
    if (e)
        rc = cli_fail(c, e, NULL, "SRTP");
    else
        cli_result_hex(c, "packet", pkt, n);
    e2e_wipe(&k, sizeof k);
    e2e_wipe(&s, sizeof s);
    e2e_wipe(mk, sizeof mk);
    return rc;
}

static const struct cli_opt call_keys_opts[] = {
    {"secret", OPT_HEX, 1, "HEX", "32-byte call master secret (from the call offer)"},
    {"profile", OPT_STR, 0, "NAME", "AES_CM_128_HMAC_SHA1_80 (default) or AEAD_AES_256_GCM"},
    {"sender", OPT_STR, 0, "ID", "caller (default), callee, or the sending device's id"},
};

static int
run_call_keys(struct cli *c, const struct cli_args *a)
{
    uint8_t secret[32];
    int rc = key32(c, a, "secret", secret);
    if (rc)
        return rc;
    const char *p = cli_str(a, "profile"), *sender = cli_str(a, "sender");
    int profile = !p || strcmp(p, "AES_CM_128_HMAC_SHA1_80") == 0 ? E2E_SRTP_AES_CM_128_HMAC_SHA1_80
                  : strcmp(p, "AEAD_AES_256_GCM") == 0            ? E2E_SRTP_AEAD_AES_256_GCM
                                                                  : 0;
    if (!profile) {
        cli_error(c, "AES_CM_128_HMAC_SHA1_80 or AEAD_AES_256_GCM", "--profile: unknown '%s'", p);
        return CLI_EXIT_USER;
    }
    struct e2e_wa_call_master m;
    struct e2e_srtp_keys k;
    int e = e2e_wa_call_master(&m, secret, profile, sender ? sender : "caller", NULL);
    if (!e)
        e = e2e_srtp_session_keys(&k, profile, m.master_key, m.master_key_len, m.master_salt,
                                  m.master_salt_len, NULL);
    if (e) {
        e2e_wipe(secret, sizeof secret);
        return cli_fail(c, e, "--sender: 1..63 bytes", "call key derivation");
    }
    size_t kl = m.master_key_len, sl = m.master_salt_len;
    cli_result_hex(c, "master_key", m.master_key, kl);
    cli_result_hex(c, "master_salt", m.master_salt, sl);
    cli_result_hex(c, "rtp_key", k.rtp_key, kl);
    if (profile == E2E_SRTP_AES_CM_128_HMAC_SHA1_80)
        cli_result_hex(c, "rtp_auth", k.rtp_auth, 20);
    cli_result_hex(c, "rtp_salt", k.rtp_salt, sl);
    e2e_wipe(&m, sizeof m);
    e2e_wipe(&k, sizeof k);
    e2e_wipe(secret, sizeof secret);
    return 0;
}

const struct calc_cmd calc_cmds_whatsapp[] = {
    {"whatsapp-media-keys", "HKDF(mediaKey, type info, 112): iv, cipherKey, macKey, refKey",
     CALC_OPTS(media_keys_opts), run_media_keys},
    {"whatsapp-media-encrypt", "media blob, then fileEncSHA256 and fileSHA256",
     CALC_OPTS(media_enc_opts), run_media_encrypt},
    {"whatsapp-media-decrypt", "check fileEncSHA256, the MAC, the padding; then the file",
     CALC_OPTS(media_dec_opts), run_media_decrypt},
    {"whatsapp-adv-hmac", "HMAC-SHA256 of the linking data keyed by the linking secret",
     CALC_OPTS(adv_hmac_opts), run_adv_hmac},
    {"whatsapp-adv-sign", "ADV account (06 00), device (06 01) or device-list (06 02) signature",
     CALC_OPTS(adv_sig_opts), run_adv_sign},
    {"whatsapp-adv-verify", "verify an ADV signature (exit 6 if it fails)", CALC_OPTS(adv_sig_opts),
     run_adv_verify},
    {"whatsapp-adv-device-identity", "ADVDeviceIdentity (Lmetadata) as WhatsApp encodes it",
     CALC_OPTS(device_identity_opts), run_device_identity},
    {"whatsapp-pad", "plaintext padding: N bytes of value N (or --unpad)", CALC_OPTS(pad_opts),
     run_pad},
    {"srtp-kdf", "RFC 3711 4.3 key derivation (AES-CM PRF, labels 0..5)", CALC_OPTS(srtp_kdf_opts),
     run_srtp_kdf},
    {"srtp-protect", "RFC 3711 AES_CM_128_HMAC_SHA1_80 packet protection from a master key",
     CALC_OPTS(srtp_protect_opts), run_srtp_protect},
    {"whatsapp-call-keys", "e2ekit's call master secret -> SRTP master key, salt, session keys",
     CALC_OPTS(call_keys_opts), run_call_keys},
    {0},
};
