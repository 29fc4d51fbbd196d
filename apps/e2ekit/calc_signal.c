/*
 * Calculators of the Signal Protocol core: every formula of reference/signal.md step by step,
 * so a derivation can be followed by hand (docs/protocols/signal.md shows them in use).
 * Public keys are taken as 32 bytes or as Signal's 33-byte 0x05 encoding.
 */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/crypto.h>
#include <e2ekit/signal.h>

#include "cli.h"

/* 32 bytes, or 33 starting with 05. */
static int
key_value(struct cli *c, const char *what, const char *hex, uint8_t out[32])
{
    uint8_t buf[33];
    size_t n;
    int rc = cli_hex_value(c, what, hex, buf, sizeof buf, &n, 0);
    if (rc)
        return rc;
    if (n == 33 && buf[0] == E2E_SIGNAL_KEY_TYPE) {
        memcpy(out, buf + 1, 32);
        return 0;
    }
    if (n != 32) {
        cli_error(c, "give 32 bytes, or 33 starting with 05 (Signal's serialisation)",
                  "--%s: expected a public key, got %zu bytes", what, n);
        return CLI_EXIT_USER;
    }
    memcpy(out, buf, 32);
    return 0;
}

static int
key_opt(struct cli *c, const struct cli_args *a, const char *name, uint8_t out[32])
{
    const char *v = cli_str(a, name);
    return v ? key_value(c, name, v, out) : 0;
}

/* A key the chosen role needs. */
static int
key_needed(struct cli *c, const struct cli_args *a, const char *name, const char *role,
           uint8_t out[32])
{
    if (!cli_has(a, name)) {
        cli_error(c, NULL, "--%s is needed for --role %s", name, role);
        return CLI_EXIT_USER;
    }
    return key_opt(c, a, name, out);
}

static int
secret_needed(struct cli *c, const struct cli_args *a, const char *name, const char *role,
              uint8_t out[32])
{
    size_t n;
    if (!cli_has(a, name)) {
        cli_error(c, NULL, "--%s is needed for --role %s", name, role);
        return CLI_EXIT_USER;
    }
    return cli_hex(c, a, name, out, 32, &n, 32);
}

static int
secret_opt(struct cli *c, const struct cli_args *a, const char *name, uint8_t out[32])
{
    size_t n;
    return cli_hex(c, a, name, out, 32, &n, 32);
}

/* ---- chain, root, X3DH, MAC ------------------------------------------------------------------ */

/* Message keys of message `steps` of the chain starting at ck; next receives its next chain key. */
static void
chain_keys(struct e2e_signal_message_keys *mk, uint8_t next[32], uint8_t ck[32], long long steps)
{
    for (long long i = 0; i <= steps; i++) {
        e2e_signal_chain_step(mk, next, ck);
        if (i < steps)
            memcpy(ck, next, 32);
    }
}

static const struct cli_opt chain_opts[] = {
    {"chain-key", OPT_HEX, 1, "HEX", "32-byte chain key CK"},
    {"steps", OPT_INT, 0, "N", "advance the chain N times first (keys of message N; default 0)"},
};

static int
run_chain_step(struct cli *c, const struct cli_args *a)
{
    uint8_t ck[32], next[32];
    long long steps = 0;
    struct e2e_signal_message_keys mk;
    int rc = cli_int(c, a, "steps", 0, 100000, &steps);
    if (!rc)
        rc = secret_opt(c, a, "chain-key", ck);
    if (rc)
        return rc;
    chain_keys(&mk, next, ck, steps);
    cli_result_hex(c, "message_key_seed", mk.seed, 32);
    cli_result_hex(c, "cipher_key", mk.cipher_key, 32);
    cli_result_hex(c, "mac_key", mk.mac_key, 32);
    cli_result_hex(c, "iv", mk.iv, 16);
    cli_result_hex(c, "next_chain_key", next, 32);
    e2e_wipe(&mk, sizeof mk);
    e2e_wipe(ck, sizeof ck);
    e2e_wipe(next, sizeof next);
    return 0;
}

static const struct cli_opt root_opts[] = {
    {"root-key", OPT_HEX, 1, "HEX", "32-byte root key RK"},
    {"dh", OPT_HEX, 0, "HEX", "the DH output, or give --private and --public"},
    {"private", OPT_HEX, 0, "HEX", "our ratchet private key"},
    {"public", OPT_HEX, 0, "HEX", "their ratchet public key"},
};

static int
run_root_step(struct cli *c, const struct cli_args *a)
{
    uint8_t rk[32], dh[32], priv[32], pub[32], nrk[32], nck[32];
    int rc = secret_opt(c, a, "root-key", rk);
    if (!rc && cli_has(a, "dh"))
        rc = secret_opt(c, a, "dh", dh);
    else if (!rc && cli_has(a, "private") && cli_has(a, "public")) {
        rc = secret_opt(c, a, "private", priv);
        if (!rc)
            rc = key_opt(c, a, "public", pub);
        if (!rc && e2e_x25519_shared(dh, priv, pub) != E2E_OK)
            rc = cli_fail(c, E2E_ERR_WEAK_KEY, NULL, "their ratchet key");
    } else if (!rc) {
        cli_error(c, "give --dh, or --private and --public", "no DH input");
        rc = CLI_EXIT_USER;
    }
    if (!rc) {
        e2e_signal_root_step(nrk, nck, rk, dh);
        cli_result_hex(c, "root_key", nrk, 32);
        cli_result_hex(c, "chain_key", nck, 32);
        cli_result_hex(c, "dh", dh, 32);
    }
    e2e_wipe(rk, sizeof rk);
    e2e_wipe(dh, sizeof dh);
    e2e_wipe(priv, sizeof priv);
    e2e_wipe(nrk, sizeof nrk);
    e2e_wipe(nck, sizeof nck);
    return rc;
}

static const struct cli_opt x3dh_opts[] = {
    {"role", OPT_STR, 1, "alice|bob", "initiator (alice) or responder (bob)"},
    {"identity-private", OPT_HEX, 1, "HEX", "our identity private key"},
    {"base-private", OPT_HEX, 0, "HEX", "alice: our base (ephemeral) private key"},
    {"their-identity", OPT_HEX, 1, "HEX", "their identity public key"},
    {"their-signed-prekey", OPT_HEX, 0, "HEX", "alice: Bob's signed prekey"},
    {"their-one-time-prekey", OPT_HEX, 0, "HEX", "alice: Bob's one-time prekey, if any"},
    {"signed-prekey-private", OPT_HEX, 0, "HEX", "bob: our signed prekey private key"},
    {"one-time-private", OPT_HEX, 0, "HEX", "bob: our one-time prekey private key, if used"},
    {"their-base-key", OPT_HEX, 0, "HEX", "bob: Alice's base key"},
};

struct x3dh_in {
    uint8_t ik[32], a[32], b[32], their_ik[32], their_a[32], their_b[32];
    int four;
};

/* DH1..DH4 in the order both sides concatenate them (reference/signal.md 4.1). */
static int
x3dh_dh(uint8_t dh[4][32], const struct x3dh_in *in, int alice)
{
    int bad = 0;
    if (alice) { /* ik = IK_A, a = EK_A; their_a = SPK_B, their_b = OPK_B */
        bad |= e2e_x25519_shared(dh[0], in->ik, in->their_a);
        bad |= e2e_x25519_shared(dh[1], in->a, in->their_ik);
        bad |= e2e_x25519_shared(dh[2], in->a, in->their_a);
        if (in->four)
            bad |= e2e_x25519_shared(dh[3], in->a, in->their_b);
    } else { /* ik = IK_B, a = SPK_B, b = OPK_B; their_a = EK_A */
        bad |= e2e_x25519_shared(dh[0], in->a, in->their_ik);
        bad |= e2e_x25519_shared(dh[1], in->ik, in->their_a);
        bad |= e2e_x25519_shared(dh[2], in->a, in->their_a);
        if (in->four)
            bad |= e2e_x25519_shared(dh[3], in->b, in->their_a);
    }
    return bad;
}

static int
x3dh_inputs(struct cli *c, const struct cli_args *a, struct x3dh_in *in, int alice)
{
    int rc = secret_opt(c, a, "identity-private", in->ik);
    if (!rc)
        rc = key_opt(c, a, "their-identity", in->their_ik);
    if (alice) {
        in->four = cli_has(a, "their-one-time-prekey");
        if (!rc)
            rc = secret_needed(c, a, "base-private", "alice", in->a);
        if (!rc)
            rc = key_needed(c, a, "their-signed-prekey", "alice", in->their_a);
        if (!rc)
            rc = key_opt(c, a, "their-one-time-prekey", in->their_b);
    } else {
        in->four = cli_has(a, "one-time-private");
        if (!rc)
            rc = secret_needed(c, a, "signed-prekey-private", "bob", in->a);
        if (!rc && in->four)
            rc = secret_opt(c, a, "one-time-private", in->b);
        if (!rc)
            rc = key_needed(c, a, "their-base-key", "bob", in->their_a);
    }
    return rc;
}

static int
run_x3dh(struct cli *c, const struct cli_args *a)
{
    const char *role = cli_str(a, "role");
    int alice = role && strcmp(role, "alice") == 0;
    if (!alice && !(role && strcmp(role, "bob") == 0)) {
        cli_error(c, "use --role alice or --role bob", "--role: unknown role '%s'", role);
        return CLI_EXIT_USER;
    }
    struct x3dh_in in;
    uint8_t dh[4][32], rk[32], ck[32];
    memset(&in, 0, sizeof in);
    int rc = x3dh_inputs(c, a, &in, alice);
    if (!rc && x3dh_dh(dh, &in, alice))
        rc = cli_fail(c, E2E_ERR_WEAK_KEY, NULL, "X3DH");
    if (!rc) {
        e2e_signal_x3dh_derive(rk, ck, dh[0], dh[1], dh[2], in.four ? dh[3] : NULL);
        cli_result_hex(c, "root_key", rk, 32);
        cli_result_hex(c, "chain_key", ck, 32);
        static const char *names[] = {"dh1", "dh2", "dh3", "dh4"};
        for (int i = 0; i < 3 + in.four; i++)
            cli_result_hex(c, names[i], dh[i], 32);
    }
    e2e_wipe(&in, sizeof in);
    e2e_wipe(dh, sizeof dh);
    e2e_wipe(rk, sizeof rk);
    e2e_wipe(ck, sizeof ck);
    return rc;
}

static const struct cli_opt mac_opts[] = {
    {"mac-key", OPT_HEX, 1, "HEX", "32-byte MAC key of the message"},
    {"sender-identity", OPT_HEX, 1, "HEX", "sender's identity public key"},
    {"receiver-identity", OPT_HEX, 1, "HEX", "receiver's identity public key"},
    {"data", OPT_HEX, 1, "HEX", "version byte || protobuf (the message without its MAC)"},
};

static int
run_mac(struct cli *c, const struct cli_args *a)
{
    uint8_t key[32], s[32], r[32], mac[8], *data = NULL;
    size_t n = 0;
    int rc = secret_opt(c, a, "mac-key", key);
    if (!rc)
        rc = key_opt(c, a, "sender-identity", s);
    if (!rc)
        rc = key_opt(c, a, "receiver-identity", r);
    if (!rc)
        rc = cli_hex_alloc(c, a, "data", &data, &n);
    if (!rc) {
        e2e_signal_mac(mac, key, s, r, data, n);
        cli_result_hex(c, "mac", mac, 8);
    }
    e2e_wipe(key, sizeof key);
    free(data);
    return rc;
}

static int
run_sender_key_step(struct cli *c, const struct cli_args *a)
{
    uint8_t ck[32], next[32], iv[16], key[32];
    struct e2e_signal_message_keys mk;
    long long steps = 0;
    int rc = cli_int(c, a, "steps", 0, 100000, &steps);
    if (!rc)
        rc = secret_opt(c, a, "chain-key", ck);
    if (rc)
        return rc;
    chain_keys(&mk, next, ck, steps); /* the same chain step; here the seed is what counts */
    e2e_signal_group_message_key(iv, key, mk.seed);
    cli_result_hex(c, "seed", mk.seed, 32);
    cli_result_hex(c, "iv", iv, 16);
    cli_result_hex(c, "cipher_key", key, 32);
    cli_result_hex(c, "next_chain_key", next, 32);
    e2e_wipe(&mk, sizeof mk);
    e2e_wipe(ck, sizeof ck);
    e2e_wipe(key, sizeof key);
    return 0;
}

/* ---- fingerprints ---------------------------------------------------------------------------- */

static const struct cli_opt fp_opts[] = {
    {"local-key", OPT_LIST, 1, "HEX", "our identity key (repeat for every device)"},
    {"local-id", OPT_STR, 1, "STR", "our stable identifier, e.g. +14152222222"},
    {"remote-key", OPT_LIST, 1, "HEX", "their identity key (repeat for every device)"},
    {"remote-id", OPT_STR, 1, "STR", "their stable identifier"},
    {"version", OPT_INT, 0, "N", "scannable format: 0 (keys, ids), 1 or 2 (hashes); default 1"},
    {"iterations", OPT_INT, 0, "N", "SHA-512 iterations (default 5200)"},
};

struct fp_args {
    uint8_t keys[2][E2E_SIGNAL_FP_MAX_KEYS][32];
    struct e2e_signal_fp_party party[2];
    long long version, iterations;
};

static int
fp_party(struct cli *c, const struct cli_args *a, struct fp_args *f, int i, const char *keys,
         const char *id)
{
    const char *vals[E2E_SIGNAL_FP_MAX_KEYS];
    size_t n = cli_list(a, keys, vals, E2E_SIGNAL_FP_MAX_KEYS);
    for (size_t k = 0; k < n; k++) {
        int rc = key_value(c, keys, vals[k], f->keys[i][k]);
        if (rc)
            return rc;
    }
    f->party[i].keys = (const uint8_t(*)[32])f->keys[i];
    f->party[i].n_keys = n;
    f->party[i].stable_id = cli_str(a, id);
    f->party[i].stable_id_len = strlen(f->party[i].stable_id);
    return 0;
}

static int
fp_parse(struct cli *c, const struct cli_args *a, struct fp_args *f)
{
    f->version = 1;
    f->iterations = E2E_SIGNAL_FP_ITERATIONS;
    int rc = cli_int(c, a, "version", 0, 2, &f->version);
    if (!rc)
        rc = cli_int(c, a, "iterations", 1, 1000000, &f->iterations);
    if (!rc)
        rc = fp_party(c, a, f, 0, "local-key", "local-id");
    if (!rc)
        rc = fp_party(c, a, f, 1, "remote-key", "remote-id");
    return rc;
}

static int
run_fingerprint(struct cli *c, const struct cli_args *a, int scannable)
{
    static struct fp_args f;
    char display[61];
    memset(&f, 0, sizeof f);
    int rc = fp_parse(c, a, &f);
    if (rc)
        return rc;
    size_t cap = e2e_signal_fingerprint_scannable_max(&f.party[0], &f.party[1]), len = 0;
    uint8_t *code = malloc(cap);
    int e = code ? e2e_signal_fingerprint(display, code, cap, &len, (unsigned)f.version,
                                          (unsigned)f.iterations, &f.party[0], &f.party[1])
                 : E2E_ERR_NOMEM;
    if (e) {
        free(code);
        return cli_fail(c, e, "identifiers of at most 255 bytes, 1 to 64 keys", "fingerprint");
    }
    if (scannable) {
        cli_result_hex(c, "scannable", code, len);
        cli_result_str(c, "safety_number", display);
    } else {
        char half[2][31];
        memcpy(half[0], display, 30);
        memcpy(half[1], display + 30, 30);
        half[0][30] = half[1][30] = 0;
        cli_result_str(c, "safety_number", display);
        cli_result_str(c, "first", half[0]);
        cli_result_str(c, "second", half[1]);
        cli_result_hex(c, "scannable", code, len);
    }
    free(code);
    return 0;
}

static int
run_safety_number(struct cli *c, const struct cli_args *a)
{
    return run_fingerprint(c, a, 0);
}

static int
run_scannable(struct cli *c, const struct cli_args *a)
{
    return run_fingerprint(c, a, 1);
}

static const struct cli_opt fpc_opts[] = {
    {"ours", OPT_HEX, 1, "HEX", "our scannable fingerprint"},
    {"scanned", OPT_HEX, 1, "HEX", "the one scanned from the peer's screen"},
};

static int
run_fingerprint_compare(struct cli *c, const struct cli_args *a)
{
    uint8_t *ours = NULL, *theirs = NULL;
    size_t on = 0, tn = 0;
    struct e2e_report why;
    int rc = cli_hex_alloc(c, a, "ours", &ours, &on);
    if (!rc)
        rc = cli_hex_alloc(c, a, "scanned", &theirs, &tn);
    if (!rc) {
        int e = e2e_signal_fingerprint_compare(ours, on, theirs, tn, &why);
        cli_result_str(c, "result", e == E2E_OK ? "match" : why.check);
        if (e)
            rc = cli_fail(c, e, NULL, "%s", why.detail);
    }
    free(ours);
    free(theirs);
    return rc;
}

const struct calc_cmd calc_cmds_signal[] = {
    {"signal-chain-step",
     "Signal symmetric step: message key seed, cipher key, MAC key, IV, next chain key",
     CALC_OPTS(chain_opts), run_chain_step},
    {"signal-root-step", "Signal DH ratchet step: new root key, new chain key (then the DH)",
     CALC_OPTS(root_opts), run_root_step},
    {"x3dh", "X3DH in either role: root key, chain key, then DH1..DH4", CALC_OPTS(x3dh_opts),
     run_x3dh},
    {"signal-mac", "8-byte MAC of a SignalMessage", CALC_OPTS(mac_opts), run_mac},
    {"signal-sender-key-step", "sender-key step: seed, IV, cipher key, next chain key",
     CALC_OPTS(chain_opts), run_sender_key_step},
    {"safety-number",
     "60-digit numeric fingerprint (then each half and the scannable code); keys repeatable",
     CALC_OPTS(fp_opts), run_safety_number},
    {"scannable-fingerprint", "CombinedFingerprints protobuf (hex), then the 60 digits",
     CALC_OPTS(fp_opts), run_scannable},
    {"fingerprint-compare",
     "compare scannable codes: match, or the failed check (version: exit 1; identity: exit 6)",
     CALC_OPTS(fpc_opts), run_fingerprint_compare},
    {0},
};
