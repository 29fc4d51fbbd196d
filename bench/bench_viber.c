/*
 * Benchmarks of the viber suite, each next to its baseline in the same run (bench_ns_pair: each
 * pair measured alternately, because the build machine is shared):
 *
 * - sending a 1 KiB message to an account with 1, 2 and 5 devices, next to the per-device
 *   fan-out a WhatsApp client does for the same account with the signal suite: one Signal
 *   session per recipient device, set up and warmed up outside the timed region, and the
 *   plaintext encrypted once per device with e2e_signal_session_encrypt (SignalMessage with its
 *   MAC; the WhatsApp Message / device-consistency / padding step, once per send, is timed on
 *   its own row); bytes on the wire for both;
 * - a 1:1 round trip and a ping-pong (ratchet on every message) next to the same on Signal
 *   sessions; the session setup next to the public-key work it contains;
 * - group messages next to Signal sender keys (e2e_signal_group_*: signed per message);
 * - files next to the whatsapp suite's media encryption, call media next to its SRTP
 *   (AES_CM_128_HMAC_SHA1_80) and, when present, libsrtp2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef E2E_HAVE_SRTP2
#include <srtp2/srtp.h>
#endif

#include <e2ekit/crypto.h>
#include <e2ekit/signal.h>
#include <e2ekit/viber.h>
#include <e2ekit/whatsapp.h>

#include "bench.h"

#define BODY   1024
#define MAXDEV 5
#define MSGCAP (BODY + 64 + MAXDEV * 200)

static uint8_t pt[BODY];

/* ---- the Signal baseline: the signal suite's sessions -------------------------------------- */

#define SIG_MSG  (BODY + 256) /* >= e2e_signal_encrypt_max(BODY) */
#define SIG_PAIR MAXDEV       /* the extra pair for round trips */

/* Alice's sessions with each of bob's devices (0 .. MAXDEV-1) and with one more for 1:1 runs. */
struct sig_world {
    struct e2e_signal_identity alice, bob[MAXDEV + 1];
    e2e_signal_prekeys *pk[MAXDEV + 1];
    e2e_signal_session *ab[MAXDEV + 1], *ba[MAXDEV + 1];
    size_t n;
    uint64_t turn;
    size_t len[MAXDEV];
    uint8_t msg[MAXDEV][SIG_MSG], out[SIG_MSG];
};

/* One 1 KiB message on pair i, alice to bob (back = 0) or bob to alice, decrypted on arrival. */
static int
sig_send(struct sig_world *s, size_t i, int back)
{
    e2e_signal_session *from = back ? s->ba[i] : s->ab[i], *to = back ? s->ab[i] : s->ba[i];
    size_t len, n;
    int type;
    int rc = e2e_signal_session_encrypt(from, NULL, pt, BODY, s->msg[0], SIG_MSG, &len, &type);
    if (rc)
        return rc;
    if (type == E2E_SIGNAL_MSG_PREKEY)
        rc = e2e_signal_session_decrypt_prekey(to, NULL, &s->bob[i], s->pk[i], NULL, s->msg[0], len,
                                               s->out, sizeof s->out, &n, NULL, NULL);
    else
        rc = e2e_signal_session_decrypt(to, NULL, s->msg[0], len, s->out, sizeof s->out, &n, NULL);
    bench_consume(s->out, 1);
    return rc;
}

/* X3DH from bob i's bundle, then alice -> bob, bob -> alice, alice -> bob: the prekey phase is
 * over and alice's sending chain is the one every further message uses (steady state). */
static int
sig_pair(struct sig_world *s, size_t i)
{
    struct e2e_signal_bundle b;
    uint32_t first = 0;
    int rc = e2e_signal_identity_generate(&s->bob[i], NULL);
    if (!rc)
        rc = e2e_signal_prekeys_new(&s->pk[i]);
    if (!rc)
        rc = e2e_signal_prekeys_rotate_signed(s->pk[i], &s->bob[i], NULL, NULL);
    if (!rc)
        rc = e2e_signal_prekeys_generate(s->pk[i], NULL, 1, &first);
    if (!rc)
        rc = e2e_signal_prekeys_bundle(s->pk[i], &s->bob[i], (uint32_t)i, first, &b);
    if (!rc)
        rc = e2e_signal_session_new(&s->ab[i]);
    if (!rc)
        rc = e2e_signal_session_new(&s->ba[i]);
    if (!rc)
        rc = e2e_signal_session_init_alice(s->ab[i], NULL, &s->alice, &b, NULL, NULL, NULL);
    for (int k = 0; k < 3 && !rc; k++)
        rc = sig_send(s, i, k & 1);
    return rc;
}

static int
sig_world_init(struct sig_world *s)
{
    memset(s, 0, sizeof *s);
    if (e2e_signal_encrypt_max(BODY) > SIG_MSG || e2e_signal_group_encrypt_max(BODY) > SIG_MSG)
        return E2E_ERR_BUFFER;
    int rc = e2e_signal_identity_generate(&s->alice, NULL);
    for (size_t i = 0; i <= MAXDEV && !rc; i++)
        rc = sig_pair(s, i);
    return rc;
}

static void
sig_world_free(struct sig_world *s)
{
    for (size_t i = 0; i <= MAXDEV; i++) {
        e2e_signal_session_free(s->ab[i]);
        e2e_signal_session_free(s->ba[i]);
        e2e_signal_prekeys_free(s->pk[i]);
    }
    e2e_wipe(s, sizeof *s);
}

/* The fan-out: the same plaintext encrypted in each device's session, N messages kept. */
static void
b_sig_fanout(void *arg, uint64_t iters)
{
    struct sig_world *s = arg;
    int type;
    while (iters--) {
        for (size_t i = 0; i < s->n; i++) {
            if (e2e_signal_session_encrypt(s->ab[i], NULL, pt, BODY, s->msg[i], SIG_MSG, &s->len[i],
                                           &type))
                return;
            bench_consume(s->msg[i] + s->len[i] - 1, 1);
        }
    }
}

static void
b_sig_roundtrip(void *arg, uint64_t iters)
{
    struct sig_world *s = arg;
    while (iters--)
        if (sig_send(s, SIG_PAIR, 0))
            return;
}

/* Direction changes on every message: a DH ratchet step at each side. */
static void
b_sig_pingpong(void *arg, uint64_t iters)
{
    struct sig_world *s = arg;
    while (iters--)
        if (sig_send(s, SIG_PAIR, (int)(s->turn++ & 1)))
            return;
}

/* What WhatsApp adds before the fan-out, once per send: Message{conversation} with the
 * device-consistency info of both lists, padded (the input of every per-device encrypt). */
struct wa_plain {
    struct e2e_wa_content c;
    struct e2e_wa_dci dci;
    uint8_t out[BODY + 256];
};

static void
b_wa_plaintext(void *arg, uint64_t iters)
{
    struct wa_plain *p = arg;
    size_t len;
    while (iters--) {
        if (e2e_wa_plaintext_build(p->out, sizeof p->out, &len, NULL, &p->c, &p->dci, NULL))
            return;
        bench_consume(p->out + len - 1, 1);
    }
}

static double
wa_plaintext_ns(void)
{
    struct wa_plain p;
    struct e2e_wa_devlist sender, recipient;
    uint32_t idx;
    memset(&p, 0, sizeof p);
    e2e_wa_devlist_init(&sender, 1, NULL);
    e2e_wa_devlist_init(&recipient, 2, NULL);
    for (int i = 1; i < MAXDEV; i++)
        if (e2e_wa_devlist_add(&recipient, NULL, &idx))
            return 0;
    e2e_wa_dci_from_lists(&p.dci, &sender, &recipient);
    p.c.kind = E2E_WA_CONTENT_TEXT;
    p.c.text = pt;
    p.c.text_len = BODY;
    return bench_ns_per_op(b_wa_plaintext, &p);
}

/* ---- our world ------------------------------------------------------------------------------ */

struct world {
    e2e_viber_device *alice, *bob[MAXDEV];
    e2e_viber_session *ab[MAXDEV], *ba[MAXDEV]; /* the fan-out: alice to bob's devices */
    e2e_viber_device *x, *y;                    /* a separate pair for round trips */
    e2e_viber_session *xy, *yx;
    size_t n;
    int turn;
    uint8_t msg[MSGCAP], out[MSGCAP];
};

static int
prekey_for(e2e_viber_device *d, struct e2e_viber_prekey *pk)
{
    uint8_t up[512];
    size_t len;
    e2e_viber_prekey_pool *p = NULL;
    int rc = e2e_viber_device_prekeys_generate(d, NULL, 1, up, sizeof up, &len);
    if (!rc)
        rc = e2e_viber_prekey_pool_new(&p, e2e_viber_device_udid(d));
    if (!rc)
        rc = e2e_viber_prekey_pool_add(p, up, len, NULL);
    if (!rc)
        rc = e2e_viber_prekey_pool_take(p, pk);
    e2e_viber_prekey_pool_free(p);
    return rc;
}

static int
link_device(e2e_viber_device **sec, const e2e_viber_device *pri, uint8_t tag)
{
    uint8_t udid[16], qr[E2E_VIBER_QR_LEN], msg[E2E_VIBER_LINK_MSG_LEN], to[16];
    struct e2e_viber_link l;
    memset(udid, tag, 16);
    int rc = e2e_viber_device_new_secondary(sec, udid);
    if (!rc)
        rc = e2e_viber_link_start(&l, NULL, *sec, qr);
    if (!rc)
        rc = e2e_viber_link_transfer(msg, to, NULL, pri, qr, sizeof qr, NULL);
    if (!rc)
        rc = e2e_viber_link_finish(&l, NULL, *sec, NULL, msg, sizeof msg, NULL);
    return rc;
}

/* One message each way, so steady-state entries carry no session-start fields. */
static int
warm_up(e2e_viber_device *a, e2e_viber_session *ab, e2e_viber_device *b, e2e_viber_session *ba,
        uint8_t *msg, uint8_t *out)
{
    size_t covered, len, n;
    e2e_viber_session *s[1] = {ab};
    int rc = e2e_viber_encrypt(NULL, a, s, 1, NULL, &covered, pt, 16, msg, MSGCAP, &len);
    if (!rc)
        rc = e2e_viber_decrypt(ba, NULL, b, NULL, msg, len, out, MSGCAP, &n, NULL);
    s[0] = ba;
    if (!rc)
        rc = e2e_viber_encrypt(NULL, b, s, 1, NULL, &covered, pt, 16, msg, MSGCAP, &len);
    if (!rc)
        rc = e2e_viber_decrypt(ab, NULL, a, NULL, msg, len, out, MSGCAP, &n, NULL);
    return rc;
}

/* a starts a session with b (from a PreKey of b) and both warm it up. */
static int
pair(e2e_viber_device *a, e2e_viber_session **ab, e2e_viber_device *b, e2e_viber_session **ba,
     struct world *w)
{
    struct e2e_viber_prekey pk;
    uint8_t id[32];
    int rc = e2e_viber_session_new(ab, e2e_viber_device_udid(b));
    if (!rc)
        rc = e2e_viber_session_new(ba, e2e_viber_device_udid(a));
    if (!rc)
        rc = prekey_for(b, &pk);
    if (!rc)
        rc = e2e_viber_device_identity(b, id);
    if (!rc)
        rc = e2e_viber_session_initiate(*ab, NULL, a, id, &pk, NULL);
    if (!rc)
        rc = warm_up(a, *ab, b, *ba, w->msg, w->out);
    return rc;
}

static int
world_init(struct world *w)
{
    uint8_t udid[16] = {0xa1}, bud[16] = {0xb1}, xu[16] = {0xc1}, yu[16] = {0xd1};
    memset(w, 0, sizeof *w);
    int rc = e2e_viber_device_new_primary(&w->alice, NULL, udid);
    if (!rc)
        rc = e2e_viber_device_new_primary(&w->bob[0], NULL, bud);
    for (int i = 1; i < MAXDEV && !rc; i++)
        rc = link_device(&w->bob[i], w->bob[0], (uint8_t)(0xb1 + i));
    for (int i = 0; i < MAXDEV && !rc; i++)
        rc = pair(w->alice, &w->ab[i], w->bob[i], &w->ba[i], w);
    if (!rc)
        rc = e2e_viber_device_new_primary(&w->x, NULL, xu);
    if (!rc)
        rc = e2e_viber_device_new_primary(&w->y, NULL, yu);
    if (!rc)
        rc = pair(w->x, &w->xy, w->y, &w->yx, w);
    return rc;
}

static void
world_free(struct world *w)
{
    e2e_viber_session_free(w->xy);
    e2e_viber_session_free(w->yx);
    e2e_viber_device_free(w->x);
    e2e_viber_device_free(w->y);
    for (int i = 0; i < MAXDEV; i++) {
        e2e_viber_session_free(w->ab[i]);
        e2e_viber_session_free(w->ba[i]);
        e2e_viber_device_free(w->bob[i]);
    }
    e2e_viber_device_free(w->alice);
}

static size_t last_len;

static void
b_send(void *arg, uint64_t iters)
{
    struct world *w = arg;
    size_t covered;
    while (iters--) {
        if (e2e_viber_encrypt(NULL, w->alice, w->ab, w->n, NULL, &covered, pt, BODY, w->msg, MSGCAP,
                              &last_len))
            return;
        bench_consume(w->msg + last_len - 1, 1);
    }
}

static void
b_roundtrip(void *arg, uint64_t iters)
{
    struct world *w = arg;
    size_t covered, len, n;
    while (iters--) {
        if (e2e_viber_encrypt(NULL, w->x, &w->xy, 1, NULL, &covered, pt, BODY, w->msg, MSGCAP,
                              &len) ||
            e2e_viber_decrypt(w->yx, NULL, w->y, NULL, w->msg, len, w->out, MSGCAP, &n, NULL))
            return;
        bench_consume(w->out, 1);
    }
}

/* Direction changes on every message: each send is a ratchet step, each receive one too. */
static void
b_pingpong(void *arg, uint64_t iters)
{
    struct world *w = arg;
    size_t covered, len, n;
    while (iters--) {
        int k = w->turn ^= 1;
        e2e_viber_device *from = k ? w->y : w->x, *to = k ? w->x : w->y;
        e2e_viber_session *s[1] = {k ? w->yx : w->xy};
        if (e2e_viber_encrypt(NULL, from, s, 1, NULL, &covered, pt, BODY, w->msg, MSGCAP, &len) ||
            e2e_viber_decrypt(k ? w->xy : w->yx, NULL, to, NULL, w->msg, len, w->out, MSGCAP, &n,
                              NULL))
            return;
        bench_consume(w->out, 1);
    }
}

/* Bytes of one send to n devices: our one relay message, Signal's n SignalMessages (counters
 * still small, as in a conversation: measured before the timed runs). */
static void
wire_bytes(struct world *w, struct sig_world *s, size_t n, double *ours, double *sig)
{
    w->n = s->n = n;
    b_send(w, 1);
    b_sig_fanout(s, 1);
    *ours = (double)last_len;
    *sig = 0;
    for (size_t i = 0; i < n; i++)
        *sig += (double)s->len[i];
}

static void
bench_fanout_n(struct world *w, struct sig_world *s, size_t n)
{
    char name[80], base_name[96];
    const char *pl = n > 1 ? "s" : "";
    double ours, base, ours_bytes, sig_bytes;
    wire_bytes(w, s, n, &ours_bytes, &sig_bytes);
    bench_ns_pair(&ours, b_send, w, &base, b_sig_fanout, s);
    snprintf(name, sizeof name, "send 1 KiB, %zu device%s (body once + %zu entr%s)", n, pl, n,
             n > 1 ? "ies" : "y");
    snprintf(base_name, sizeof base_name, "Signal: %zu x e2e_signal_session_encrypt", n);
    bench_report("viber", name, "us/msg", ours / 1e3, base_name, base / 1e3, BENCH_LOWER_IS_BETTER);
    snprintf(name, sizeof name, "bytes on the wire, %zu device%s", n, pl);
    snprintf(base_name, sizeof base_name, "Signal: %zu SignalMessage%s (header, body, MAC)", n, pl);
    bench_report("viber", name, "bytes", ours_bytes, base_name, sig_bytes, BENCH_LOWER_IS_BETTER);
}

static void
bench_fanout(struct world *w, struct sig_world *s)
{
    bench_section("viber: send 1 KiB to an account with N devices (steady state)");
    bench_fanout_n(w, s, 1);
    bench_fanout_n(w, s, 2);
    bench_fanout_n(w, s, 5);
    bench_report_single("viber", "whatsapp: Message + DCI + padding of 1 KiB, once per send", "us",
                        wa_plaintext_ns() / 1e3);
    w->n = 5;
    uint64_t before = bench_allocs();
    b_send(w, 1000);
    bench_report_single("viber", "heap allocations per send to 5 devices", "allocs",
                        (double)(bench_allocs() - before) / 1000.0);
}

static void
bench_send(struct world *w, struct sig_world *s)
{
    double ours, base;
    bench_fanout(w, s);
    bench_ns_pair(&ours, b_roundtrip, w, &base, b_sig_roundtrip, s);
    bench_report("viber", "1:1 encrypt + decrypt 1 KiB, one device", "us", ours / 1e3,
                 "Signal session: encrypt + decrypt", base / 1e3, BENCH_LOWER_IS_BETTER);
    bench_ns_pair(&ours, b_pingpong, w, &base, b_sig_pingpong, s);
    bench_report("viber", "ping-pong 1 KiB (ratchet step every message)", "us", ours / 1e3,
                 "Signal session, DH ratchet step every message", base / 1e3,
                 BENCH_LOWER_IS_BETTER);
    uint64_t before = bench_allocs();
    b_roundtrip(w, 1000);
    bench_report_single("viber", "heap allocations per in-order encrypt + decrypt", "allocs",
                        (double)(bench_allocs() - before) / 1000.0);
}

/* ---- session setup ------------------------------------------------------------------------- */

/* PreKey generation (2 keygen + signature), initiate (verify, 2 keygen, 4 DH), first message,
 * accept (4 DH) and the first read. */
static void
b_setup(void *arg, uint64_t iters)
{
    struct world *w = arg;
    uint8_t id[32];
    size_t covered, len, n;
    if (e2e_viber_device_identity(w->bob[0], id))
        return;
    while (iters--) {
        struct e2e_viber_prekey pk;
        e2e_viber_session *a = NULL, *b = NULL;
        int rc = prekey_for(w->bob[0], &pk);
        if (!rc)
            rc = e2e_viber_session_new(&a, e2e_viber_device_udid(w->bob[0]));
        if (!rc)
            rc = e2e_viber_session_new(&b, e2e_viber_device_udid(w->alice));
        if (!rc)
            rc = e2e_viber_session_initiate(a, NULL, w->alice, id, &pk, NULL);
        if (!rc)
            rc = e2e_viber_encrypt(NULL, w->alice, &a, 1, NULL, &covered, pt, 64, w->msg, MSGCAP,
                                   &len);
        if (!rc)
            rc = e2e_viber_decrypt(b, NULL, w->bob[0], NULL, w->msg, len, w->out, MSGCAP, &n, NULL);
        e2e_viber_session_free(a);
        e2e_viber_session_free(b);
        if (rc)
            return;
    }
}

static void
b_setup_pk(void *arg, uint64_t iters)
{
    (void)arg;
    uint8_t priv[32], pub[32], shared[32], sig[64], z[64] = {0}, signed_msg[116] = {0};
    struct e2e_xeddsa_signer s;
    while (iters--) {
        for (int i = 0; i < 4; i++) /* 2 PreKey halves, HS_A, Ratchet_A */
            if (e2e_x25519_keygen(NULL, priv, pub))
                return;
        e2e_xeddsa_signer_init(&s, priv); /* the PreKey signature */
        e2e_xeddsa_sign(sig, &s, signed_msg, sizeof signed_msg, z);
        if (e2e_xeddsa_verify(pub, signed_msg, sizeof signed_msg, sig) != E2E_OK)
            return;
        for (int i = 0; i < 8; i++) /* 3 + 1 at each side */
            if (e2e_x25519_shared(shared, priv, pub))
                return;
        bench_consume(shared, 1);
    }
}

static void
bench_setup(struct world *w)
{
    double ours, base;
    bench_section("viber: session setup (PreKey made and signed, start, first read)");
    bench_ns_pair(&ours, b_setup, w, &base, b_setup_pk, NULL);
    bench_report("viber", "session setup, both sides", "setups/s", bench_ops(ours),
                 "its public-key work alone (4 keygen, sign, verify, 8 DH)", bench_ops(base),
                 BENCH_HIGHER_IS_BETTER);
}

/* ---- groups --------------------------------------------------------------------------------- */

struct grp {
    e2e_viber_group *a, *b;
    uint8_t msg[BODY + 128], out[BODY + 128];
};

static void
b_group_enc(void *arg, uint64_t iters)
{
    struct grp *g = arg;
    size_t len;
    while (iters--) {
        if (e2e_viber_group_encrypt(g->a, NULL, pt, BODY, g->msg, sizeof g->msg, &len))
            return;
        bench_consume(g->msg + len - 1, 1);
    }
}

static void
b_group_rt(void *arg, uint64_t iters)
{
    struct grp *g = arg;
    size_t len, n;
    while (iters--) {
        if (e2e_viber_group_encrypt(g->a, NULL, pt, BODY, g->msg, sizeof g->msg, &len) ||
            e2e_viber_group_decrypt(g->b, NULL, g->msg, len, g->out, sizeof g->out, &n, NULL, NULL))
            return;
        bench_consume(g->out, 1);
    }
}

/* Signal sender keys: the sender's record and one member's. */
struct sk {
    e2e_signal_group *a, *b;
    uint8_t msg[SIG_MSG], out[SIG_MSG];
};

/* The member (re)joins from a distribution message at the sender's current iteration. */
static int
sk_join(struct sk *k)
{
    uint8_t skdm[E2E_SIGNAL_DISTRIBUTION_MAX];
    size_t n;
    e2e_signal_group_free(k->b);
    k->b = NULL;
    int rc = e2e_signal_group_new(&k->b);
    if (!rc)
        rc = e2e_signal_group_create_distribution(k->a, NULL, skdm, sizeof skdm, &n);
    if (!rc)
        rc = e2e_signal_group_process_distribution(k->b, skdm, n, NULL);
    return rc;
}

static void
b_sk_enc(void *arg, uint64_t iters)
{
    struct sk *k = arg;
    size_t len;
    while (iters--) {
        if (e2e_signal_group_encrypt(k->a, NULL, pt, BODY, k->msg, sizeof k->msg, &len))
            return;
        bench_consume(k->msg + len - 1, 1);
    }
}

static void
b_sk_rt(void *arg, uint64_t iters)
{
    struct sk *k = arg;
    size_t len, n;
    while (iters--) {
        if (e2e_signal_group_encrypt(k->a, NULL, pt, BODY, k->msg, sizeof k->msg, &len) ||
            e2e_signal_group_decrypt(k->b, NULL, k->msg, len, k->out, sizeof k->out, &n, NULL))
            return;
        bench_consume(k->out, 1);
    }
}

static void
bench_group(void)
{
    struct grp g = {NULL, NULL, {0}, {0}};
    struct sk k = {NULL, NULL, {0}, {0}};
    uint8_t me[16] = {1}, other[16] = {2}, payload[E2E_VIBER_GROUP_KEY_LEN];
    double ours, base;
    if (e2e_viber_group_create(&g.a, NULL, me) || e2e_viber_group_export(g.a, payload) ||
        e2e_viber_group_join(&g.b, other, payload, sizeof payload, NULL) ||
        e2e_signal_group_new(&k.a) || sk_join(&k))
        goto out;
    bench_section("viber: group messages, 1 KiB");
    bench_ns_pair(&ours, b_group_enc, &g, &base, b_sk_enc, &k);
    bench_report("viber", "group encrypt 1 KiB", "us", ours / 1e3,
                 "Signal sender key: e2e_signal_group_encrypt (signs)", base / 1e3,
                 BENCH_LOWER_IS_BETTER);
    /* the encrypt-only runs took both writers thousands of positions ahead: rejoin the readers */
    e2e_viber_group_free(g.b);
    g.b = NULL;
    if (e2e_viber_group_export(g.a, payload) ||
        e2e_viber_group_join(&g.b, other, payload, sizeof payload, NULL) || sk_join(&k))
        goto out;
    bench_ns_pair(&ours, b_group_rt, &g, &base, b_sk_rt, &k);
    bench_report("viber", "group encrypt + one member decrypts 1 KiB", "us", ours / 1e3,
                 "Signal sender key: encrypt + decrypt (verifies)", base / 1e3,
                 BENCH_LOWER_IS_BETTER);
out:
    e2e_viber_group_free(g.a);
    e2e_viber_group_free(g.b);
    e2e_signal_group_free(k.a);
    e2e_signal_group_free(k.b);
}

/* ---- files ---------------------------------------------------------------------------------- */

struct file_arg {
    uint8_t *in, *out, key[32], hmac[32], md5[16], fsha[32], fesha[32];
    size_t n, blob_len;
};

static void
b_file_enc(void *arg, uint64_t iters)
{
    struct file_arg *a = arg;
    struct e2e_viber_file_stream f;
    while (iters--) {
        e2e_viber_file_init(&f, a->key);
        if (e2e_viber_file_encrypt_update(&f, a->out, a->in, a->n))
            return;
        e2e_viber_file_encrypt_final(&f, a->hmac, a->md5);
        bench_consume(a->hmac, 1);
    }
}

static void
b_file_dec(void *arg, uint64_t iters)
{
    struct file_arg *a = arg;
    struct e2e_viber_file_stream f;
    while (iters--) {
        e2e_viber_file_init(&f, a->key);
        if (e2e_viber_file_decrypt_update(&f, a->in, a->out, a->n) ||
            e2e_viber_file_decrypt_final(&f, a->hmac, a->n, NULL))
            return;
        bench_consume(a->in, 1);
    }
}

static void
b_wa_enc(void *arg, uint64_t iters)
{
    struct file_arg *a = arg;
    while (iters--) {
        if (e2e_wa_media_encrypt(a->out, a->n + 64, &a->blob_len, a->fsha, a->fesha, a->in, a->n,
                                 a->key, E2E_WA_MEDIA_IMAGE, NULL))
            return;
        bench_consume(a->out, 1);
    }
}

static void
b_wa_dec(void *arg, uint64_t iters)
{
    struct file_arg *a = arg;
    size_t len;
    while (iters--) {
        if (e2e_wa_media_decrypt(a->in, a->n + 64, &len, a->out, a->blob_len, a->fesha, a->fsha,
                                 a->key, E2E_WA_MEDIA_IMAGE, NULL, NULL))
            return;
        bench_consume(a->in, 1);
    }
}

static void
bench_file(void)
{
    struct file_arg v, wa;
    double ours, base, mb = 1.0;
    memset(&v, 0, sizeof v);
    v.n = 1024 * 1024;
    v.in = malloc(v.n + 64);
    v.out = malloc(v.n + 64);
    wa = v;
    wa.in = malloc(v.n + 64);
    wa.out = malloc(v.n + 64);
    if (!v.in || !v.out || !wa.in || !wa.out)
        goto out;
    memset(v.in, 0x42, v.n);
    memset(wa.in, 0x42, v.n);
    bench_section("viber: files, 1 MiB (next to the whatsapp suite's media encryption)");
    bench_ns_pair(&ours, b_file_enc, &v, &base, b_wa_enc, &wa);
    bench_report("viber", "file encrypt 1 MiB (Salsa20 + HMAC-SHA256 + MD5)", "MB/s",
                 mb / ours * 1e9, "whatsapp media encrypt (AES-256-CBC + HMAC + 2 SHA-256)",
                 mb / base * 1e9, BENCH_HIGHER_IS_BETTER);
    b_file_enc(&v, 1);
    b_wa_enc(&wa, 1);
    bench_ns_pair(&ours, b_file_dec, &v, &base, b_wa_dec, &wa);
    bench_report("viber", "file verify + decrypt 1 MiB (one pass)", "MB/s", mb / ours * 1e9,
                 "whatsapp media verify + decrypt", mb / base * 1e9, BENCH_HIGHER_IS_BETTER);
out:
    free(v.in);
    free(v.out);
    free(wa.in);
    free(wa.out);
}

/* ---- call media ----------------------------------------------------------------------------- */

struct media_arg {
    struct e2e_viber_media m;
    struct e2e_srtp_stream s;
    uint8_t pkt[1300];
    size_t n;
#ifdef E2E_HAVE_SRTP2
    srtp_t lib;
#endif
};

static void
b_media(void *arg, uint64_t iters)
{
    struct media_arg *a = arg;
    size_t out;
    while (iters--) {
        if (e2e_viber_media_protect(&a->m, a->pkt, a->n, sizeof a->pkt, &out))
            return;
        bench_consume(a->pkt + out - 1, 1);
    }
}

static void
b_wa_srtp(void *arg, uint64_t iters)
{
    struct media_arg *a = arg;
    while (iters--) {
        size_t n = a->n;
        if (e2e_srtp_protect(&a->s, a->pkt, sizeof a->pkt, &n, 0))
            return;
        bench_consume(a->pkt + n - 1, 1);
    }
}

#ifdef E2E_HAVE_SRTP2
static void
b_libsrtp(void *arg, uint64_t iters)
{
    struct media_arg *a = arg;
    while (iters--) {
        int n = (int)a->n;
        if (srtp_protect(a->lib, a->pkt, &n) != srtp_err_status_ok)
            return;
        bench_consume(a->pkt + n - 1, 1);
    }
}

static srtp_t
lib_session(const uint8_t *key30)
{
    srtp_policy_t p;
    srtp_t s = NULL;
    uint8_t k[30];
    memcpy(k, key30, 30);
    memset(&p, 0, sizeof p);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtp);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtcp);
    p.ssrc.type = ssrc_any_outbound;
    p.key = k;
    p.window_size = 128;
    p.allow_repeat_tx = 1;
    return srtp_create(&s, &p) == srtp_err_status_ok ? s : NULL;
}
#endif

static void
bench_media(void)
{
    struct media_arg a;
    struct e2e_srtp_keys k;
    uint8_t call_key[32], master[30];
    double ours, base;
    memset(&a, 0, sizeof a);
    memset(call_key, 7, 32);
    memset(master, 9, 30);
    e2e_viber_media_init_key(&a.m, call_key, 1);
    if (e2e_srtp_session_keys(&k, E2E_SRTP_AES_CM_128_HMAC_SHA1_80, master, 16, master + 16, 14,
                              NULL) ||
        e2e_srtp_stream_init(&a.s, &k))
        return;
#ifdef E2E_HAVE_SRTP2
    if (srtp_init() != srtp_err_status_ok)
        return;
    a.lib = lib_session(master);
#endif
    bench_section("viber: call media (Salsa20 + HMAC-SHA256-80, replay window)");
    static const size_t sizes[] = {172, 1212};
    for (int i = 0; i < 2; i++) {
        char name[64];
        a.n = sizes[i];
        a.pkt[0] = 0x80, a.pkt[1] = 0x6f, a.pkt[8] = 0xca, a.pkt[9] = 0xfe;
        snprintf(name, sizeof name, "protect %zu-byte RTP packet", sizes[i]);
        bench_ns_pair(&ours, b_media, &a, &base, b_wa_srtp, &a);
        bench_report("viber", name, "pkt/s", bench_ops(ours),
                     "whatsapp suite SRTP AES_CM_128_HMAC_SHA1_80", bench_ops(base),
                     BENCH_HIGHER_IS_BETTER);
#ifdef E2E_HAVE_SRTP2
        if (a.lib) {
            bench_ns_pair(&ours, b_media, &a, &base, b_libsrtp, &a);
            bench_report("viber", name, "pkt/s", bench_ops(ours),
                         "libsrtp2 srtp_protect AES_CM_128_HMAC_SHA1_80", bench_ops(base),
                         BENCH_HIGHER_IS_BETTER);
        }
#endif
    }
#ifdef E2E_HAVE_SRTP2
    if (a.lib)
        srtp_dealloc(a.lib);
    srtp_shutdown();
#endif
    e2e_viber_media_wipe(&a.m);
    e2e_wipe(&a.s, sizeof a.s);
}

void
bench_viber(void)
{
    struct world *w = calloc(1, sizeof *w);
    struct sig_world *s = calloc(1, sizeof *s);
    memset(pt, 0x61, sizeof pt);
    if (w && s && world_init(w) == E2E_OK && sig_world_init(s) == E2E_OK) {
        bench_send(w, s);
        bench_setup(w);
    } else {
        bench_report_single("viber", "setup of the benchmark world failed", "", 0);
    }
    if (w)
        world_free(w);
    if (s)
        sig_world_free(s);
    free(w);
    free(s);
    bench_group();
    bench_file();
    bench_media();
}
