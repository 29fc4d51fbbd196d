/*
 * The Signal half of the demo's whatsapp chapter (docs/protocols/signal.md, whatsapp.md 3 and
 * 7): every device's own identity and prekeys, the server's prekey directory, X3DH from
 * fetched bundles, pairwise messages under the double ratchet with WhatsApp plaintexts inside,
 * a reordered pair and a replay, a sender-key group that a member leaves, and the multi-device
 * safety number.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "demo_whatsapp.h"

#define ONE_TIME_PREKEYS 5
#define UPLOAD_HEAD      (4 + 4 + 33 + 4 + 33 + 64 + 2)
#define UPLOAD_MAX       (UPLOAD_HEAD + ONE_TIME_PREKEYS * (4 + 33))

static const char group_jid[] = "120363025246125486@g.us";

static const char *
type_name(int type)
{
    switch (type) {
    case E2E_SIGNAL_MSG_PREKEY:
        return "pkmsg";
    case E2E_SIGNAL_MSG_WHISPER:
        return "msg";
    case E2E_SIGNAL_MSG_SENDERKEY:
        return "skmsg";
    default:
        return "?";
    }
}

static int
device_named(const struct wa_world *w, const char *name)
{
    for (int i = 0; i < WA_NDEV; i++)
        if (strcmp(w->dev[i].name, name) == 0)
            return i;
    return -1;
}

static int
same_account(const struct wa_world *w, int i, int j)
{
    return w->dev[i].account == w->dev[j].account;
}

static const uint8_t *
trusted(const struct wa_world *w, int at, int peer)
{
    return w->has_trusted[at][peer] ? w->trusted[at][peer] : NULL;
}

/* Trust on first use: the identity key a device records for a peer device. */
static void
record_identity(struct wa_world *w, int at, int peer, const uint8_t key[32])
{
    memcpy(w->trusted[at][peer], key, 32);
    w->has_trusted[at][peer] = 1;
}

/* ---- the world ------------------------------------------------------------------------------- */

static void
accounts_init(struct wa_world *w)
{
    struct wa_account *a = &w->acc[WA_ALICE], *b = &w->acc[WA_BOB];
    a->name = "alice";
    a->jid = "alice@s.whatsapp.net";
    a->number = "+14155550100";
    a->phone = WA_ALICE_PHONE;
    a->companion = WA_ALICE_LAPTOP;
    b->name = "bob";
    b->jid = "bob@s.whatsapp.net";
    b->number = "+14155550199";
    b->phone = WA_BOB_PHONE;
    b->companion = WA_BOB_TABLET;
}

int
demo_wa_world_init(struct wa_world *w, struct demo *d)
{
    static const char *const names[WA_NDEV] = {"alice.phone", "alice.laptop", "bob.phone",
                                               "bob.tablet"};
    memset(w, 0, sizeof *w);
    w->d = d;
    w->srv = demo_server_new(d, "server");
    if (!w->srv)
        return E2E_ERR_NOMEM;
    accounts_init(w);
    int rc = E2E_OK;
    for (int i = 0; i < WA_NDEV && rc == E2E_OK; i++) {
        w->dev[i].name = names[i];
        w->dev[i].account = i < WA_BOB_PHONE ? WA_ALICE : WA_BOB;
        w->dev[i].device_id = i == w->acc[w->dev[i].account].phone ? 0 : 1;
        rc = e2e_signal_prekeys_new(&w->dev[i].prekeys);
        for (int j = 0; j < WA_NDEV && rc == E2E_OK; j++) {
            rc = e2e_signal_group_new(&w->sk[i][j]);
            if (rc == E2E_OK && i != j)
                rc = e2e_signal_session_new(&w->s[i][j]);
        }
    }
    return rc;
}

void
demo_wa_world_free(struct wa_world *w)
{
    for (int i = 0; i < WA_NDEV; i++) {
        for (int j = 0; j < WA_NDEV; j++) {
            e2e_signal_session_free(w->s[i][j]);
            e2e_signal_group_free(w->sk[i][j]);
        }
        e2e_signal_prekeys_free(w->dev[i].prekeys);
    }
    demo_server_free(w->srv);
    e2e_wipe(w, sizeof *w);
}

int
demo_wa_identities(struct wa_world *w)
{
    for (int i = 0; i < WA_NDEV; i++) {
        struct wa_device *v = &w->dev[i];
        char what[96];
        snprintf(what, sizeof what, "%s: its own identity key pair and registration id", v->name);
        int rc = e2e_signal_identity_generate(&v->id, w->d->ctx);
        if (!demo_ok(w->d, rc, what))
            return rc;
        e2e_wa_identity_from_private(&v->adv, v->id.key.priv);
        demo_say(w->d, "%s: registration id %u; the same key signs its linking statements", v->name,
                 (unsigned)v->id.registration_id);
        demo_value(w->d, "identity key", v->id.key.pub, 32);
    }
    return E2E_OK;
}

/* ---- prekeys and the server's directory ------------------------------------------------------
 *
 * The upload, in this demo's own layout (WhatsApp sends the same fields in an IQ stanza):
 *   BE32 registration id || BE32 device id || identity key (33) || BE32 signed prekey id ||
 *   signed prekey (33) || signature (64) || BE16 n || n x (BE32 id || one-time prekey (33))
 * A bundle handed out is the same with n = 1 (or 0 when none is left).
 */

struct upload {
    struct e2e_signal_bundle head; /* no one-time prekey in it */
    size_t n;
    uint32_t opk_id[ONE_TIME_PREKEYS];
    uint8_t opk[ONE_TIME_PREKEYS][32];
};

static void
write_key(struct e2e_writer *wr, const uint8_t key[32])
{
    uint8_t k[E2E_SIGNAL_PUBKEY_LEN];
    e2e_signal_pubkey_encode(k, key);
    e2e_write_bytes(wr, k, sizeof k);
}

static int
upload_write(uint8_t *out, size_t cap, size_t *len, const struct upload *u)
{
    struct e2e_writer wr;
    e2e_writer_init(&wr, out, cap);
    e2e_write_u32_be(&wr, u->head.registration_id);
    e2e_write_u32_be(&wr, u->head.device_id);
    write_key(&wr, u->head.identity_key);
    e2e_write_u32_be(&wr, u->head.signed_prekey_id);
    write_key(&wr, u->head.signed_prekey);
    e2e_write_bytes(&wr, u->head.signed_prekey_signature, 64);
    e2e_write_u16_be(&wr, (uint16_t)u->n);
    for (size_t i = 0; i < u->n; i++) {
        e2e_write_u32_be(&wr, u->opk_id[i]);
        write_key(&wr, u->opk[i]);
    }
    *len = wr.len;
    return wr.err;
}

static int
read_key(struct e2e_reader *r, uint8_t key[32])
{
    const uint8_t *p = e2e_read_view(r, E2E_SIGNAL_PUBKEY_LEN);
    return p ? e2e_signal_pubkey_decode(key, p, E2E_SIGNAL_PUBKEY_LEN) : E2E_ERR_MALFORMED;
}

static int
upload_read(struct upload *u, const uint8_t *p, size_t n)
{
    struct e2e_reader r;
    memset(u, 0, sizeof *u);
    e2e_reader_init(&r, p, n);
    u->head.registration_id = e2e_read_u32_be(&r);
    u->head.device_id = e2e_read_u32_be(&r);
    int rc = read_key(&r, u->head.identity_key);
    u->head.signed_prekey_id = e2e_read_u32_be(&r);
    if (rc == E2E_OK)
        rc = read_key(&r, u->head.signed_prekey);
    e2e_read_bytes(&r, u->head.signed_prekey_signature, 64);
    u->n = e2e_read_u16_be(&r);
    if (u->n > ONE_TIME_PREKEYS)
        return E2E_ERR_MALFORMED;
    for (size_t i = 0; i < u->n && rc == E2E_OK; i++) {
        u->opk_id[i] = e2e_read_u32_be(&r);
        rc = read_key(&r, u->opk[i]);
    }
    return rc != E2E_OK ? rc : e2e_reader_done(&r);
}

/* What a device publishes: its bundle head and the public halves of its one-time prekeys. */
static int
upload_of(struct upload *u, const struct wa_device *v)
{
    uint32_t ids[ONE_TIME_PREKEYS];
    memset(u, 0, sizeof *u);
    int rc = e2e_signal_prekeys_bundle(v->prekeys, &v->id, v->device_id, 0, &u->head);
    u->n = e2e_signal_prekeys_ids(v->prekeys, ids, ONE_TIME_PREKEYS);
    for (size_t i = 0; i < u->n && rc == E2E_OK; i++) {
        struct e2e_signal_prekey k;
        rc = e2e_signal_prekeys_get(v->prekeys, ids[i], &k);
        u->opk_id[i] = k.id;
        memcpy(u->opk[i], k.key.pub, 32);
        e2e_wipe(&k, sizeof k);
    }
    return rc;
}

static void
directory_box(char *out, size_t cap, const struct wa_device *v)
{
    snprintf(out, cap, "directory:%s", v->name);
}

static int
upload_one(struct wa_world *w, int i, int narrate)
{
    struct wa_device *v = &w->dev[i];
    struct upload u;
    uint8_t buf[UPLOAD_MAX];
    uint32_t spk_id = 0, first = 0;
    size_t n;
    char what[128], box[48];
    int rc = e2e_signal_prekeys_rotate_signed(v->prekeys, &v->id, w->d->ctx, &spk_id);
    if (rc == E2E_OK)
        rc = e2e_signal_prekeys_generate(v->prekeys, w->d->ctx, ONE_TIME_PREKEYS, &first);
    if (rc == E2E_OK)
        rc = upload_of(&u, v);
    if (rc == E2E_OK)
        rc = upload_write(buf, sizeof buf, &n, &u);
    snprintf(what, sizeof what,
             "%s: signed prekey #%u (XEdDSA by its identity key) and %zu one-time prekeys "
             "#%u..#%u",
             v->name, (unsigned)spk_id, e2e_signal_prekeys_count(v->prekeys), (unsigned)first,
             (unsigned)(first + ONE_TIME_PREKEYS - 1));
    if (!demo_ok(w->d, rc, what))
        return rc;
    if (narrate) {
        demo_value(w->d, "signed prekey", u.head.signed_prekey, 32);
        demo_value(w->d, "its signature", u.head.signed_prekey_signature, 64);
        demo_value(w->d, "one-time prekey #1", u.opk[0], 32);
    }
    directory_box(box, sizeof box, v);
    return demo_server_post(w->srv, v->name, box, buf, n);
}

int
demo_wa_upload_prekeys(struct wa_world *w)
{
    int rc = E2E_OK;
    for (int i = 0; i < WA_NDEV && rc == E2E_OK; i++)
        rc = upload_one(w, i, i == 0);
    if (rc != E2E_OK)
        return rc;
    demo_say(w->d, "the server keeps per device: registration id, identity key, the signed prekey");
    demo_say(w->d, "with its signature and the public halves of %d one-time prekeys (%d bytes);",
             ONE_TIME_PREKEYS, UPLOAD_MAX);
    demo_say(w->d, "the private halves never leave the device");
    return demo_check(w->d,
                      e2e_signal_prekeys_count(w->dev[WA_BOB_PHONE].prekeys) == ONE_TIME_PREKEYS,
                      "every device holds %d unused one-time prekeys", ONE_TIME_PREKEYS)
               ? E2E_OK
               : E2E_ERR_STATE;
}

/* The server's part: the identity, the signed prekey and ONE one-time prekey, which it then
 * deletes (whatsapp.md 3), stored back in the directory without it. */
static int
directory_hand_out(struct wa_world *w, int to, int requester)
{
    uint8_t *p = NULL, buf[UPLOAD_MAX];
    size_t n, len;
    struct upload u, one;
    char box[48];
    directory_box(box, sizeof box, &w->dev[to]);
    int rc = demo_server_take(w->srv, box, 0, &p, &n, NULL);
    if (rc == E2E_OK)
        rc = upload_read(&u, p, n);
    free(p);
    if (rc != E2E_OK)
        return rc;
    one = u;
    one.n = u.n ? 1 : 0;
    rc = upload_write(buf, sizeof buf, &len, &one);
    if (rc == E2E_OK)
        rc = demo_server_post(w->srv, "directory", w->dev[requester].name, buf, len);
    if (u.n) {
        u.n--;
        memmove(u.opk_id, u.opk_id + 1, u.n * sizeof u.opk_id[0]);
        memmove(u.opk, u.opk + 1, u.n * sizeof u.opk[0]);
    }
    if (rc == E2E_OK)
        rc = upload_write(buf, sizeof buf, &len, &u);
    if (rc == E2E_OK)
        rc = demo_server_post(w->srv, "directory", box, buf, len);
    return rc;
}

static int
fetch_bundle(struct wa_world *w, int from, int to, struct e2e_signal_bundle *b)
{
    uint8_t *p = NULL;
    size_t n;
    struct upload u;
    const char *box = w->dev[from].name;
    int rc = directory_hand_out(w, to, from);
    if (rc == E2E_OK) /* the newest item in the requester's mailbox: the bundle just posted */
        rc = demo_server_take(w->srv, box, demo_server_pending(w->srv, box) - 1, &p, &n, NULL);
    if (rc == E2E_OK)
        rc = upload_read(&u, p, n);
    free(p);
    if (rc != E2E_OK)
        return rc;
    *b = u.head;
    b->has_one_time_prekey = u.n == 1;
    b->one_time_prekey_id = u.opk_id[0];
    memcpy(b->one_time_prekey, u.opk[0], 32);
    return E2E_OK;
}

/* ---- sessions -------------------------------------------------------------------------------- */

/* Shown once: a bundle whose signed prekey signature the server changed is refused. */
static void
show_forged_signature(struct wa_world *w, const struct e2e_signal_bundle *b)
{
    struct e2e_signal_bundle forged = *b;
    struct e2e_report why;
    forged.signed_prekey_signature[10] ^= 0x04;
    demo_expect(w->d, e2e_signal_bundle_verify(&forged, NULL, &why), E2E_ERR_AUTH,
                "a bundle whose signed-prekey signature was changed on the server is refused");
    demo_say(w->d, "  (check \"%s\")", why.check);
}

static void
narrate_bundle(struct wa_world *w, int from, int to, const struct e2e_signal_bundle *b)
{
    char otp[32] = "none left";
    if (b->has_one_time_prekey)
        snprintf(otp, sizeof otp, "#%u", (unsigned)b->one_time_prekey_id);
    demo_say(w->d, "%s has %s's bundle: registration id %u, signed prekey #%u, one-time prekey %s",
             w->dev[from].name, w->dev[to].name, (unsigned)b->registration_id,
             (unsigned)b->signed_prekey_id, otp);
}

/* X3DH as the initiator from a bundle the server hands out, after the companion checks. */
static int
session_start(struct wa_world *w, int from, int to)
{
    struct demo *d = w->d;
    struct e2e_signal_bundle b;
    struct e2e_report why;
    char what[128];
    int first = w->sessions_started++ == 0;
    int rc = fetch_bundle(w, from, to, &b);
    if (!demo_ok(d, rc, "the server hands out a bundle and deletes its one-time prekey"))
        return rc;
    narrate_bundle(w, from, to, &b);
    if (to == w->acc[w->dev[to].account].companion &&
        (rc = demo_wa_check_companion(w, from, to, b.identity_key)) != E2E_OK)
        return rc;
    if (first)
        show_forged_signature(w, &b);
    rc = e2e_signal_bundle_verify(&b, &w->dev[from].sig_cache, &why);
    if (!demo_ok(d, rc, "the signed prekey's XEdDSA signature verifies under the identity key"))
        return rc;
    rc = e2e_signal_session_init_alice(w->s[from][to], d->ctx, &w->dev[from].id, &b,
                                       trusted(w, from, to), &w->dev[from].sig_cache, &why);
    snprintf(what, sizeof what, "X3DH: %s starts a session with %s", w->dev[from].name,
             w->dev[to].name);
    if (!demo_ok(d, rc, what))
        return rc;
    if (first) {
        demo_say(d, "secret = FF*32 || DH(IK_A, SPK_B) || DH(EK_A, IK_B) || DH(EK_A, SPK_B) "
                    "|| DH(EK_A, OPK_B)");
        demo_say(d, "HKDF(secret, 0^32, \"WhisperText\", 64) -> root key | chain key; one root "
                    "step with a fresh ratchet key gives the sending chain (--trace shows them)");
    }
    record_identity(w, from, to, b.identity_key);
    return E2E_OK;
}

/* The clear header of the first PreKeySignalMessage, once. */
static void
show_pkmsg(struct wa_world *w, const uint8_t *m, size_t n)
{
    struct e2e_signal_prekey_header h;
    if (w->pkmsg_shown || e2e_signal_prekey_message_parse(&h, m, n, NULL) != E2E_OK)
        return;
    w->pkmsg_shown = 1;
    demo_say(w->d,
             "a pkmsg: version 0x33, registration id %u, signed prekey #%u, one-time prekey "
             "#%u, then the SignalMessage with its 8-byte MAC",
             (unsigned)h.registration_id, (unsigned)h.signed_prekey_id,
             (unsigned)h.one_time_prekey_id);
    demo_value(w->d, "base key EK_A", h.base_key, 32);
    demo_value(w->d, "identity key IK_A", h.identity_key, 32);
}

static int
send_pairwise(struct wa_world *w, int from, int to, const uint8_t *pt, size_t n)
{
    uint8_t m[WA_CAP];
    size_t len = 0;
    int type = 0, rc = E2E_OK;
    char what[128];
    if (e2e_signal_encrypt_max(n) + 1 > sizeof m)
        rc = E2E_ERR_BUFFER;
    else if (!e2e_signal_session_has_current(w->s[from][to]))
        rc = session_start(w, from, to);
    if (rc != E2E_OK)
        return rc;
    rc = e2e_signal_session_encrypt(w->s[from][to], w->d->ctx, pt, n, m + 1, sizeof m - 1, &len,
                                    &type);
    snprintf(what, sizeof what, "%s encrypts for %s: %s, %zu bytes", w->dev[from].name,
             w->dev[to].name, type_name(type), len);
    if (!demo_ok(w->d, rc, what))
        return rc;
    if (type == E2E_SIGNAL_MSG_PREKEY)
        show_pkmsg(w, m + 1, len);
    m[0] = (uint8_t)type; /* the stanza's <enc type=...> */
    return demo_server_post(w->srv, w->dev[from].name, w->dev[to].name, m, len + 1);
}

/* ---- receiving ------------------------------------------------------------------------------- */

static void
narrate_new_session(struct wa_world *w, int at, int from,
                    const struct e2e_signal_prekey_result *res)
{
    if (!res->new_state)
        return;
    demo_say(w->d,
             "%s: pkmsg from %s starts a session: X3DH as responder with signed prekey #%u and "
             "one-time prekey #%u, now deleted (%zu left on the device)",
             w->dev[at].name, w->dev[from].name, (unsigned)res->header.signed_prekey_id,
             (unsigned)res->header.one_time_prekey_id,
             e2e_signal_prekeys_count(w->dev[at].prekeys));
}

static int
decrypt(struct wa_world *w, int at, int from, const uint8_t *m, size_t n, struct wa_rx *rx)
{
    struct e2e_signal_prekey_result res;
    const e2e_ctx *ctx = w->d->ctx;
    int rc;
    switch (rx->type) {
    case E2E_SIGNAL_MSG_PREKEY:
        rc = e2e_signal_session_decrypt_prekey(w->s[at][from], ctx, &w->dev[at].id,
                                               w->dev[at].prekeys, trusted(w, at, from), m, n,
                                               rx->buf, sizeof rx->buf, &rx->len, &res, &rx->why);
        if (rc == E2E_OK) {
            record_identity(w, at, from, res.header.identity_key);
            narrate_new_session(w, at, from, &res);
        }
        return rc;
    case E2E_SIGNAL_MSG_WHISPER:
        return e2e_signal_session_decrypt(w->s[at][from], ctx, m, n, rx->buf, sizeof rx->buf,
                                          &rx->len, &rx->why);
    case E2E_SIGNAL_MSG_SENDERKEY:
        return e2e_signal_group_decrypt(w->sk[at][from], ctx, m, n, rx->buf, sizeof rx->buf,
                                        &rx->len, &rx->why);
    default:
        return E2E_ERR_MALFORMED;
    }
}

/* One message as the server delivered it (type byte, then the Signal message). */
static int
open_msg(struct wa_world *w, int at, int from, const uint8_t *m, size_t n, struct wa_rx *rx)
{
    memset(rx, 0, sizeof *rx);
    rx->from = from;
    if (n < 2 || from < 0)
        return E2E_ERR_MALFORMED;
    rx->type = m[0];
    int rc = decrypt(w, at, from, m + 1, n - 1, rx);
    if (rc == E2E_OK)
        rc = e2e_wa_plaintext_parse(&rx->pt, rx->buf, rx->len, &rx->why);
    return rc;
}

int
demo_wa_receive(struct wa_world *w, int at, struct wa_rx *rx)
{
    uint8_t *m = NULL;
    size_t n;
    const char *from = "";
    memset(rx, 0, sizeof *rx);
    int rc = demo_server_take(w->srv, w->dev[at].name, 0, &m, &n, &from);
    if (rc == E2E_OK)
        rc = open_msg(w, at, device_named(w, from), m, n, rx);
    free(m);
    return rc;
}

static int
account_of_jid(const struct wa_world *w, const char *jid, size_t n)
{
    for (int a = 0; a < WA_NACC; a++)
        if (strlen(w->acc[a].jid) == n && memcmp(w->acc[a].jid, jid, n) == 0)
            return a;
    return -1;
}

/* Device-consistency info as the receiver knows the lists: (1) is the sender's, (3) the
 * original recipient's (the receiver's own account, or the one a DeviceSentMessage names). */
static int
dci_ok(const struct wa_world *w, int at, const struct wa_rx *rx)
{
    int sender = w->dev[rx->from].account, recipient = w->dev[at].account;
    if (rx->pt.sent_to)
        recipient = account_of_jid(w, rx->pt.sent_to, rx->pt.sent_to_len);
    return recipient >= 0 && rx->pt.has_dci &&
           rx->pt.dci.sender_timestamp == w->acc[sender].list.timestamp &&
           rx->pt.dci.recipient_timestamp == w->acc[recipient].list.timestamp;
}

static int
is_text(const struct wa_rx *rx, const char *text)
{
    const struct e2e_wa_content *c = &rx->pt.content;
    return c->kind == E2E_WA_CONTENT_TEXT && c->text_len == strlen(text) &&
           memcmp(c->text, text, c->text_len) == 0;
}

static int
check_text(struct wa_world *w, int at, int rc, const struct wa_rx *rx, const char *text)
{
    int pairwise = rx->type != E2E_SIGNAL_MSG_SENDERKEY;
    int ok = demo_check(w->d, rc == E2E_OK && is_text(rx, text) && (!pairwise || dci_ok(w, at, rx)),
                        "%s reads \"%s\" (%s from %s%s%s)", w->dev[at].name, text,
                        type_name(rx->type), rx->from >= 0 ? w->dev[rx->from].name : "?",
                        rx->pt.sent_to ? ", DeviceSentMessage" : "",
                        pairwise ? "; device-consistency info matches the lists" : "");
    if (rc != E2E_OK)
        demo_say(w->d, "  (%s: check \"%s\")", e2e_err_name(rc), rx->why.check);
    return ok;
}

/* Reads the oldest message of device `at`, which must be `text`. */
static int
read_text(struct wa_world *w, int at, const char *text)
{
    struct wa_rx rx;
    int rc = demo_wa_receive(w, at, &rx);
    int ok = check_text(w, at, rc, &rx, text);
    e2e_wipe(&rx, sizeof rx);
    return ok ? E2E_OK : (rc != E2E_OK ? rc : E2E_ERR_VERIFY);
}

/* ---- fan-out --------------------------------------------------------------------------------- */

static int
build(struct wa_world *w, int from, int peer, const struct e2e_wa_content *c, const char *sent_to,
      uint8_t *out, size_t *n)
{
    struct e2e_wa_dci dci;
    e2e_wa_dci_from_lists(&dci, &w->acc[w->dev[from].account].list, &w->acc[peer].list);
    return e2e_wa_plaintext_build(out, WA_CAP, n, w->d->ctx, c, &dci, sent_to);
}

static void
show_plaintexts(struct wa_world *w, const uint8_t *to_peer, size_t n_peer, const uint8_t *to_own,
                size_t n_own)
{
    demo_value(w->d, "plaintext for bob's devices", to_peer, n_peer);
    demo_value(w->d, "plaintext for alice's laptop", to_own, n_own);
    demo_say(w->d, "padding: %u bytes of value %u; %u bytes of value %u", to_peer[n_peer - 1],
             to_peer[n_peer - 1], to_own[n_own - 1], to_own[n_own - 1]);
}

int
demo_wa_fan_out(struct wa_world *w, int from, int peer, const struct e2e_wa_content *c, int narrate)
{
    uint8_t to_peer[WA_CAP], to_own[WA_CAP];
    size_t n_peer = 0, n_own = 0;
    char what[160];
    int rc = build(w, from, peer, c, NULL, to_peer, &n_peer);
    if (rc == E2E_OK)
        rc = build(w, from, peer, c, w->acc[peer].jid, to_own, &n_own);
    snprintf(what, sizeof what,
             "%s: Message + device-consistency info + padding for %s's devices, and the copy "
             "for its own in a DeviceSentMessage",
             w->dev[from].name, w->acc[peer].name);
    if (!demo_ok(w->d, rc, what))
        return rc;
    if (narrate)
        show_plaintexts(w, to_peer, n_peer, to_own, n_own);
    for (int j = 0; j < WA_NDEV && rc == E2E_OK; j++)
        if (w->dev[j].account == peer)
            rc = send_pairwise(w, from, j, to_peer, n_peer);
    for (int j = 0; j < WA_NDEV && rc == E2E_OK; j++)
        if (j != from && same_account(w, j, from))
            rc = send_pairwise(w, from, j, to_own, n_own);
    e2e_wipe(to_peer, sizeof to_peer);
    e2e_wipe(to_own, sizeof to_own);
    return rc;
}

static int
fan_out_text(struct wa_world *w, int from, int peer, const char *text, int narrate)
{
    struct e2e_wa_content c;
    memset(&c, 0, sizeof c);
    c.kind = E2E_WA_CONTENT_TEXT;
    c.text = (const uint8_t *)text;
    c.text_len = strlen(text);
    return demo_wa_fan_out(w, from, peer, &c, narrate);
}

int
demo_wa_send_content(struct wa_world *w, int from, int to, const struct e2e_wa_content *c)
{
    uint8_t pt[WA_CAP];
    size_t n = 0;
    int rc = build(w, from, w->dev[to].account, c, NULL, pt, &n);
    if (rc == E2E_OK)
        rc = send_pairwise(w, from, to, pt, n);
    e2e_wipe(pt, sizeof pt);
    return rc;
}

/* Every device but the sender reads `text`, in device order. */
static int
everyone_reads(struct wa_world *w, int from, const char *text)
{
    int rc = E2E_OK;
    for (int j = 0; j < WA_NDEV && rc == E2E_OK; j++)
        if (j != from)
            rc = read_text(w, j, text);
    return rc;
}

/* ---- the conversation ------------------------------------------------------------------------ */

/* Two messages the server delivers to bob's phone swapped, then one of them again. */
static int
reordered_pair(struct wa_world *w)
{
    static const char m1[] = "Running 10 minutes late.", m2[] = "Order me the soup?";
    uint8_t *p1 = NULL, *p2 = NULL;
    size_t n1 = 0, n2 = 0;
    struct wa_rx rx;
    const char *bob = w->dev[WA_BOB_PHONE].name;
    demo_say(w->d, "alice's phone sends two more; the server delivers them to bob's phone swapped");
    int rc = fan_out_text(w, WA_ALICE_PHONE, WA_BOB, m1, 0);
    if (rc == E2E_OK)
        rc = fan_out_text(w, WA_ALICE_PHONE, WA_BOB, m2, 0);
    if (rc == E2E_OK)
        rc = demo_server_take(w->srv, bob, 1, &p2, &n2, NULL);
    if (rc == E2E_OK)
        rc = demo_server_take(w->srv, bob, 0, &p1, &n1, NULL);
    if (rc == E2E_OK) {
        demo_check(w->d, p1[0] == E2E_SIGNAL_MSG_WHISPER && p2[0] == E2E_SIGNAL_MSG_WHISPER,
                   "both copies for bob's phone are msg now: it has answered");
        demo_say(w->d,
                 "  (the tablet and the laptop have not answered alice's phone: still pkmsg)");
        check_text(w, WA_BOB_PHONE, open_msg(w, WA_BOB_PHONE, WA_ALICE_PHONE, p2, n2, &rx), &rx,
                   m2);
        demo_say(w->d, "  the first message's key was derived on the way and kept as skipped");
        check_text(w, WA_BOB_PHONE, open_msg(w, WA_BOB_PHONE, WA_ALICE_PHONE, p1, n1, &rx), &rx,
                   m1);
        demo_expect(w->d, open_msg(w, WA_BOB_PHONE, WA_ALICE_PHONE, p2, n2, &rx), E2E_ERR_DUPLICATE,
                    "the server delivers the second one again: a replay");
        demo_say(w->d, "  (check \"%s\": %s)", rx.why.check, rx.why.detail);
        e2e_wipe(&rx, sizeof rx);
    }
    free(p1);
    free(p2);
    for (int j = WA_ALICE_LAPTOP; j < WA_NDEV && rc == E2E_OK; j += 2) /* laptop, tablet */
        if ((rc = read_text(w, j, m1)) == E2E_OK)
            rc = read_text(w, j, m2);
    return rc;
}

int
demo_wa_conversation(struct wa_world *w)
{
    static const char hi[] = "Hi Bob! Lunch at 1?", reply[] = "Sure. The usual place?";
    demo_say(w->d, "alice's phone writes to bob: one Signal message per device of bob's and one "
                   "for her own laptop, each in its own session");
    int rc = fan_out_text(w, WA_ALICE_PHONE, WA_BOB, hi, 1);
    if (rc == E2E_OK)
        rc = everyone_reads(w, WA_ALICE_PHONE, hi);
    if (rc != E2E_OK)
        return rc;
    demo_say(w->d, "bob answers from his phone: to alice's phone in the session she started, to "
                   "her laptop and his own tablet in new ones");
    rc = fan_out_text(w, WA_BOB_PHONE, WA_ALICE, reply, 0);
    if (rc == E2E_OK)
        rc = everyone_reads(w, WA_BOB_PHONE, reply);
    if (rc != E2E_OK)
        return rc;
    demo_check(w->d, !e2e_signal_session_pending_prekey(w->s[WA_ALICE_PHONE][WA_BOB_PHONE]),
               "alice's phone has decrypted bob's reply: its session with bob's phone leaves the "
               "prekey phase (msg from now on)");
    return reordered_pair(w);
}

/* ---- the sender-key group -------------------------------------------------------------------- */

static int
receive_distribution(struct wa_world *w, int at, int from)
{
    struct wa_rx rx;
    const struct e2e_wa_content *c = &rx.pt.content;
    int rc = demo_wa_receive(w, at, &rx);
    if (rc == E2E_OK && (c->kind != E2E_WA_CONTENT_SKDM || c->group_id_len != strlen(group_jid) ||
                         memcmp(c->group_id, group_jid, c->group_id_len) != 0 || rx.from != from ||
                         !dci_ok(w, at, &rx)))
        rc = E2E_ERR_VERIFY;
    if (rc == E2E_OK)
        rc = e2e_signal_group_process_distribution(w->sk[at][from], c->skdm, c->skdm_len, &rx.why);
    char what[128];
    snprintf(what, sizeof what, "%s: %s from %s, %s's sender key stored", w->dev[at].name,
             type_name(rx.type), w->dev[from].name, w->dev[from].name);
    demo_ok(w->d, rc, what);
    e2e_wipe(&rx, sizeof rx);
    return rc;
}

/* The sender's key to every other member device, each in a pairwise message (with DCI). */
static int
distribute(struct wa_world *w, int from, const int *members, size_t n)
{
    uint8_t skdm[E2E_SIGNAL_DISTRIBUTION_MAX];
    size_t len = 0;
    struct e2e_wa_content c;
    char what[128];
    int rc =
        e2e_signal_group_create_distribution(w->sk[from][from], w->d->ctx, skdm, sizeof skdm, &len);
    snprintf(what, sizeof what,
             "%s: its sender key (key id, chain key, signing key) in a distribution message",
             w->dev[from].name);
    if (!demo_ok(w->d, rc, what))
        return rc;
    demo_value(w->d, "SenderKeyDistributionMessage", skdm, len);
    memset(&c, 0, sizeof c);
    c.kind = E2E_WA_CONTENT_SKDM;
    c.group_id = group_jid;
    c.group_id_len = strlen(group_jid);
    c.skdm = skdm;
    c.skdm_len = len;
    for (size_t k = 0; k < n && rc == E2E_OK; k++) {
        if (members[k] == from)
            continue;
        rc = demo_wa_send_content(w, from, members[k], &c);
        if (rc == E2E_OK)
            rc = receive_distribution(w, members[k], from);
    }
    e2e_wipe(skdm, sizeof skdm);
    return rc;
}

/* The server copies the one skmsg to every member device but the sender. */
static int
server_copy(struct wa_world *w, int from, const int *members, size_t n)
{
    uint8_t *p = NULL;
    size_t len;
    int rc = demo_server_take(w->srv, group_jid, 0, &p, &len, NULL);
    for (size_t k = 0; k < n && rc == E2E_OK; k++)
        if (members[k] != from)
            rc = demo_server_post(w->srv, w->dev[from].name, w->dev[members[k]].name, p, len);
    free(p);
    return rc;
}

/* One skmsg: the padded Message (no DCI in sender-key messages) under the sender's key, stored
 * once on the server. */
static int
group_send(struct wa_world *w, int from, const char *text)
{
    uint8_t pt[WA_CAP], m[WA_CAP];
    size_t pn = 0, len = 0;
    struct e2e_wa_content c;
    memset(&c, 0, sizeof c);
    c.kind = E2E_WA_CONTENT_TEXT;
    c.text = (const uint8_t *)text;
    c.text_len = strlen(text);
    int rc = e2e_wa_plaintext_build(pt, sizeof pt, &pn, w->d->ctx, &c, NULL, NULL);
    if (rc == E2E_OK)
        rc = e2e_signal_group_encrypt(w->sk[from][from], w->d->ctx, pt, pn, m + 1, sizeof m - 1,
                                      &len);
    e2e_wipe(pt, sizeof pt);
    if (!demo_ok(w->d, rc,
                 "skmsg: Message + padding, encrypted once under the sender key and signed"))
        return rc;
    m[0] = E2E_SIGNAL_MSG_SENDERKEY;
    return demo_server_post(w->srv, w->dev[from].name, group_jid, m, len + 1);
}

static int
group_round(struct wa_world *w, int from, const int *members, size_t n, const char *text)
{
    int rc = group_send(w, from, text);
    if (rc == E2E_OK)
        rc = server_copy(w, from, members, n);
    for (size_t k = 0; k < n && rc == E2E_OK; k++)
        if (members[k] != from)
            rc = read_text(w, members[k], text);
    return rc;
}

/* WhatsApp (white paper, whatsapp.md 3): when a member leaves, every remaining member clears
 * its sender keys and starts over. */
static int
clear_sender_keys(struct wa_world *w, int at)
{
    int rc = E2E_OK;
    for (int j = 0; j < WA_NDEV && rc == E2E_OK; j++) {
        e2e_signal_group_free(w->sk[at][j]);
        w->sk[at][j] = NULL;
        rc = e2e_signal_group_new(&w->sk[at][j]);
    }
    return rc;
}

/* The oldest skmsg of device `at` must find no sender key. */
static int
refused(struct wa_world *w, int at, const char *what)
{
    struct wa_rx rx;
    int ok = demo_expect(w->d, demo_wa_receive(w, at, &rx), E2E_ERR_NO_SESSION, what);
    e2e_wipe(&rx, sizeof rx);
    return ok ? E2E_OK : E2E_ERR_STATE;
}

static int
member_leaves(struct wa_world *w)
{
    static const int all[] = {WA_ALICE_PHONE, WA_ALICE_LAPTOP, WA_BOB_PHONE, WA_BOB_TABLET};
    static const int rest[] = {WA_ALICE_PHONE, WA_ALICE_LAPTOP};
    demo_say(w->d, "bob leaves the group. Both of alice's devices clear every sender key they hold "
                   "and start over:");
    int rc = clear_sender_keys(w, WA_ALICE_PHONE);
    if (rc == E2E_OK)
        rc = clear_sender_keys(w, WA_ALICE_LAPTOP);
    if (rc == E2E_OK)
        rc = distribute(w, WA_ALICE_PHONE, rest, 2);
    if (rc == E2E_OK)
        rc = group_send(w, WA_ALICE_PHONE, "Just us now.");
    demo_say(w->d, "suppose the server still copies the group's messages to bob's devices:");
    if (rc == E2E_OK)
        rc = server_copy(w, WA_ALICE_PHONE, all, 4);
    if (rc == E2E_OK)
        rc = read_text(w, WA_ALICE_LAPTOP, "Just us now.");
    if (rc == E2E_OK)
        rc = refused(w, WA_BOB_PHONE, "bob's phone: alice's new sender key was never sent to it");
    if (rc == E2E_OK)
        rc = refused(w, WA_BOB_TABLET, "bob's tablet: the same");
    if (rc == E2E_OK)
        rc = group_send(w, WA_BOB_TABLET, "Wait, I'm still here!");
    if (rc == E2E_OK)
        rc = server_copy(w, WA_BOB_TABLET, rest, 2);
    if (rc == E2E_OK)
        rc = refused(w, WA_ALICE_PHONE,
                     "bob's tablet writes under its old sender key: alice's "
                     "phone has cleared it");
    if (rc == E2E_OK)
        rc = refused(w, WA_ALICE_LAPTOP, "alice's laptop too");
    return rc;
}

int
demo_wa_group(struct wa_world *w)
{
    static const int all[] = {WA_ALICE_PHONE, WA_ALICE_LAPTOP, WA_BOB_PHONE, WA_BOB_TABLET};
    demo_say(w->d,
             "group %s with all four devices. alice's phone first sends its sender key to "
             "each member device, pairwise:",
             group_jid);
    int rc = distribute(w, WA_ALICE_PHONE, all, 4);
    if (rc == E2E_OK)
        rc = group_round(w, WA_ALICE_PHONE, all, 4, "Lunch group: who's in on Friday?");
    if (rc != E2E_OK)
        return rc;
    demo_say(w->d, "bob's tablet writes: its sender key first (a new session with alice's laptop "
                   "on the way)");
    rc = distribute(w, WA_BOB_TABLET, all, 4);
    if (rc == E2E_OK)
        rc = group_round(w, WA_BOB_TABLET, all, 4, "Count me in.");
    return rc == E2E_OK ? member_leaves(w) : rc;
}

/* ---- safety numbers -------------------------------------------------------------------------- */

/* The identity keys device `at` knows for `account`'s devices: its own, or those recorded. */
static void
party_keys(const struct wa_world *w, int at, int account, uint8_t keys[2][32])
{
    const struct wa_account *a = &w->acc[account];
    const int dev[2] = {a->phone, a->companion};
    for (int k = 0; k < 2; k++)
        memcpy(keys[k], dev[k] == at ? w->dev[at].id.key.pub : w->trusted[at][dev[k]], 32);
}

struct fp {
    char digits[61];
    uint8_t code[512];
    size_t code_len;
};

static int
fingerprint(const struct wa_world *w, int at, uint8_t mine[2][32], uint8_t theirs[2][32],
            struct fp *out)
{
    const struct wa_account *me = &w->acc[w->dev[at].account],
                            *peer = &w->acc[1 - w->dev[at].account];
    struct e2e_signal_fp_party local = {(const uint8_t(*)[32])mine, 2, me->number,
                                        strlen(me->number)};
    struct e2e_signal_fp_party remote = {(const uint8_t(*)[32])theirs, 2, peer->number,
                                         strlen(peer->number)};
    if (e2e_signal_fingerprint_scannable_max(&local, &remote) > sizeof out->code)
        return E2E_ERR_BUFFER;
    return e2e_signal_fingerprint(out->digits, out->code, sizeof out->code, &out->code_len, 0,
                                  E2E_SIGNAL_FP_ITERATIONS, &local, &remote);
}

static int
phone_fingerprint(const struct wa_world *w, int at, struct fp *out)
{
    uint8_t mine[2][32], theirs[2][32];
    party_keys(w, at, w->dev[at].account, mine);
    party_keys(w, at, 1 - w->dev[at].account, theirs);
    return fingerprint(w, at, mine, theirs, out);
}

static void
say_digits(struct wa_world *w, const char *who, const char *digits)
{
    char g[80];
    size_t k = 0;
    for (size_t i = 0; i < 60; i++) {
        if (i && i % 5 == 0)
            g[k++] = i == 30 ? '|' : ' ';
        g[k++] = digits[i];
    }
    g[k] = 0;
    demo_say(w->d, "%-12s %s", who, g);
}

/* Bob's tablet re-installs: its new identity key is refused by alice's phone's sessions and
 * changes the number. */
static int
key_change(struct wa_world *w, const struct fp *bob_fp)
{
    struct e2e_signal_identity fresh;
    e2e_signal_prekeys *pk = NULL;
    e2e_signal_session *s = NULL;
    struct e2e_signal_bundle b;
    struct e2e_report why;
    struct fp changed;
    uint8_t mine[2][32], theirs[2][32];
    demo_say(w->d, "bob's tablet is re-installed: a new identity key, a new bundle");
    int rc = e2e_signal_identity_generate(&fresh, w->d->ctx);
    if (rc == E2E_OK)
        rc = e2e_signal_prekeys_new(&pk);
    if (rc == E2E_OK)
        rc = e2e_signal_prekeys_rotate_signed(pk, &fresh, w->d->ctx, NULL);
    if (rc == E2E_OK)
        rc = e2e_signal_prekeys_bundle(pk, &fresh, 1, 0, &b);
    if (rc == E2E_OK)
        rc = e2e_signal_session_new(&s);
    if (rc == E2E_OK)
        demo_expect(w->d,
                    e2e_signal_session_init_alice(s, w->d->ctx, &w->dev[WA_ALICE_PHONE].id, &b,
                                                  trusted(w, WA_ALICE_PHONE, WA_BOB_TABLET), NULL,
                                                  &why),
                    E2E_ERR_UNTRUSTED,
                    "alice's phone will not start a session with the new key it has not accepted");
    party_keys(w, WA_ALICE_PHONE, WA_ALICE, mine);
    party_keys(w, WA_ALICE_PHONE, WA_BOB, theirs);
    memcpy(theirs[1], fresh.key.pub, 32); /* bob's companion: the key the server now reports */
    if (rc == E2E_OK)
        rc = fingerprint(w, WA_ALICE_PHONE, mine, theirs, &changed);
    if (demo_ok(w->d, rc, "alice's phone recomputes the number with the tablet's new key")) {
        say_digits(w, "now:", changed.digits);
        demo_check(w->d, strcmp(changed.digits, bob_fp->digits) != 0,
                   "one of bob's device keys changed: the number changes");
        demo_expect(w->d,
                    e2e_signal_fingerprint_compare(changed.code, changed.code_len, bob_fp->code,
                                                   bob_fp->code_len, &why),
                    E2E_ERR_VERIFY, "the code bob's phone showed before no longer matches");
    }
    e2e_signal_session_free(s);
    e2e_signal_prekeys_free(pk);
    e2e_wipe(&fresh, sizeof fresh);
    return rc;
}

int
demo_wa_safety_numbers(struct wa_world *w)
{
    struct fp a, b;
    struct e2e_report why;
    demo_say(w->d, "each side: the identity keys of all of a party's devices, sorted, hashed with "
                   "its number 5200 times (SHA-512); 30 digits each, the smaller half first");
    int rc = phone_fingerprint(w, WA_ALICE_PHONE, &a);
    if (!demo_ok(w->d, rc, "alice's phone: bob's two keys and her two, as her phone recorded them"))
        return rc;
    rc = phone_fingerprint(w, WA_BOB_PHONE, &b);
    if (!demo_ok(w->d, rc, "bob's phone: the same from its side"))
        return rc;
    say_digits(w, "alice sees:", a.digits);
    say_digits(w, "bob sees:", b.digits);
    demo_check(w->d, strcmp(a.digits, b.digits) == 0, "the 60 digits are the same on both phones");
    demo_value(w->d, "alice's scannable code (v0: both numbers, every device key)", a.code,
               a.code_len);
    demo_ok(w->d, e2e_signal_fingerprint_compare(a.code, a.code_len, b.code, b.code_len, &why),
            "alice scans bob's code: his local is her remote and the other way round");
    return key_change(w, &b);
}
