/*
 * The demo's viber chapter (docs/protocols/viber.md): two accounts with two devices each, a
 * secondary registered by QR, sessions between every pair of devices, one message read on
 * every device, a group with two writers racing, a file, a call, the 48 digits, and an ID-key
 * change that turns the lock red. The simulated server only stores and forwards bytes; the
 * relay's jobs it stands in for (PreKey stock, per-device split) use the suite's functions.
 */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/viber.h>

#include "demo.h"

enum { A1, A2, B1, B2, NDEV };
#define CAP 4096

struct vdev {
    const char *name;
    const char *account;
    e2e_viber_device *d;
    e2e_viber_prekey_pool *pool; /* the relay's stock of this device's PreKeys */
};

struct vw {
    struct demo *d;
    struct demo_server *srv;
    struct vdev dev[NDEV];
    e2e_viber_session *s[NDEV][NDEV]; /* [i][j]: on device i, with device j */
    e2e_viber_group *g[NDEV];
    e2e_viber_trust *trust; /* Alice's view of the accounts she talks to */
};

static void
udid_of(uint8_t udid[16], const char *name)
{
    uint8_t h[32];
    e2e_sha256(h, name, strlen(name));
    memcpy(udid, h, 16);
}

static void
id_of(const struct vw *w, int i, uint8_t id[32])
{
    if (e2e_viber_device_identity(w->dev[i].d, id) != E2E_OK)
        memset(id, 0, 32);
}

/* Takes the oldest item for `to` from the simulated server. */
static int
fetch(struct vw *w, const char *to, uint8_t **p, size_t *n)
{
    return demo_server_take(w->srv, to, 0, p, n, NULL);
}

/* ---- devices, PreKeys, registration --------------------------------------------------------- */

static int
upload_prekeys(struct vw *w, int i, unsigned count)
{
    uint8_t up[2048], *p = NULL;
    size_t n, got;
    int rc = e2e_viber_device_prekeys_generate(w->dev[i].d, w->d->ctx, count, up, sizeof up, &n);
    if (rc == E2E_OK)
        rc = demo_server_post(w->srv, w->dev[i].name, "relay-prekeys", up, n);
    if (rc == E2E_OK)
        rc = fetch(w, "relay-prekeys", &p, &got);
    if (rc == E2E_OK)
        rc = e2e_viber_prekey_pool_add(w->dev[i].pool, p, got, NULL);
    free(p);
    return rc;
}

static int
new_primary(struct vw *w, int i)
{
    uint8_t udid[16], id[32];
    udid_of(udid, w->dev[i].name);
    int rc = e2e_viber_device_new_primary(&w->dev[i].d, w->d->ctx, udid);
    if (rc == E2E_OK)
        rc = e2e_viber_prekey_pool_new(&w->dev[i].pool, udid);
    if (!demo_ok(w->d, rc, "primary device generates the account's ID key"))
        return rc;
    id_of(w, i, id);
    demo_say(w->d, "%s (primary of %s): ID key generated, public half uploaded", w->dev[i].name,
             w->dev[i].account);
    demo_value(w->d, "ID public", id, 32);
    return E2E_OK;
}

/* The relay delivers the transfer; a copy damaged on the way is refused first. */
static int
link_receive(struct vw *w, int sec, struct e2e_viber_link *l, const uint8_t id[32])
{
    uint8_t *p = NULL;
    size_t n;
    struct e2e_report why;
    int rc = fetch(w, w->dev[sec].name, &p, &n);
    if (rc != E2E_OK)
        return rc;
    p[60] ^= 0x01; /* one bit of the encrypted ID key flipped in transit */
    demo_expect(w->d, e2e_viber_link_finish(l, w->d->ctx, w->dev[sec].d, id, p, n, &why),
                E2E_ERR_AUTH, "a transfer damaged in transit fails its HMAC");
    p[60] ^= 0x01;
    rc = e2e_viber_link_finish(l, w->d->ctx, w->dev[sec].d, id, p, n, &why);
    free(p);
    return rc;
}

static int
register_secondary(struct vw *w, int sec, int pri)
{
    uint8_t udid[16], qr[E2E_VIBER_QR_LEN], msg[E2E_VIBER_LINK_MSG_LEN], to[16], id[32], got[32];
    struct e2e_viber_link l;
    udid_of(udid, w->dev[sec].name);
    int rc = e2e_viber_device_new_secondary(&w->dev[sec].d, udid);
    if (rc == E2E_OK)
        rc = e2e_viber_prekey_pool_new(&w->dev[sec].pool, udid);
    if (rc == E2E_OK)
        rc = e2e_viber_link_start(&l, w->d->ctx, w->dev[sec].d, qr);
    if (rc != E2E_OK)
        return rc;
    demo_say(w->d, "%s shows a QR code: its UDID and a fresh ephemeral public key",
             w->dev[sec].name);
    demo_value(w->d, "QR payload", qr, sizeof qr);
    rc = e2e_viber_link_transfer(msg, to, w->d->ctx, w->dev[pri].d, qr, sizeof qr, NULL);
    if (!demo_ok(w->d, rc,
                 "the primary scans it, encrypts its private ID key under "
                 "SHA256(DH), HMACs it"))
        return rc;
    demo_value(w->d, "transfer", msg, sizeof msg);
    demo_server_post(w->srv, w->dev[pri].name, w->dev[sec].name, msg, sizeof msg);
    id_of(w, pri, id);
    rc = link_receive(w, sec, &l, id);
    demo_ok(w->d, rc,
            "the secondary re-derives the secret, checks UDID and HMAC, installs the key");
    id_of(w, sec, got);
    demo_check(w->d, memcmp(id, got, 32) == 0, "%s now holds %s's ID key: one identity per account",
               w->dev[sec].name, w->dev[sec].account);
    return rc;
}

static int
setup_devices(struct vw *w)
{
    demo_say(w->d, "-- accounts and devices --");
    int rc = new_primary(w, A1);
    if (rc == E2E_OK)
        rc = new_primary(w, B1);
    if (rc == E2E_OK)
        rc = register_secondary(w, A2, A1);
    if (rc == E2E_OK)
        rc = register_secondary(w, B2, B1);
    for (int i = 0; i < NDEV && rc == E2E_OK; i++)
        rc = upload_prekeys(w, i, 4);
    if (rc == E2E_OK)
        demo_say(w->d, "every device uploaded 4 PreKeys (handshake + ratchet pair each, signed "
                       "with the ID key); the relay stocks them per device");
    return rc;
}

/* ---- sessions and messages ------------------------------------------------------------------- */

/* Device i starts a session with device j from a PreKey the relay hands out. */
static int
connect(struct vw *w, int i, int j, int narrate)
{
    uint8_t wire[E2E_VIBER_PREKEY_WIRE_LEN], *p = NULL, id[32];
    struct e2e_viber_prekey pk;
    size_t n;
    int rc = e2e_viber_prekey_pool_take(w->dev[j].pool, &pk);
    if (rc != E2E_OK)
        return rc;
    e2e_viber_prekey_encode(wire, &pk);
    demo_server_post(w->srv, "relay", w->dev[i].name, wire, sizeof wire);
    rc = fetch(w, w->dev[i].name, &p, &n);
    if (rc == E2E_OK)
        rc = e2e_viber_prekey_parse(&pk, p, n, NULL);
    free(p);
    id_of(w, j, id);
    if (rc == E2E_OK)
        rc = e2e_viber_session_initiate(w->s[i][j], w->d->ctx, w->dev[i].d, id, &pk, NULL);
    if (narrate)
        demo_say(w->d,
                 "%s -> %s: PreKey %u verified against %s's ID key; RootKey = "
                 "SHA256(DH(ID_A,HS_B) || DH(HS_A,ID_B) || DH(HS_A,HS_B)), "
                 "SessionKey = HMAC(HMAC(RootKey, DH(Ratchet_A,Ratchet_B)), \"mesg\")",
                 w->dev[i].name, w->dev[j].name, pk.id, w->dev[j].account);
    return rc;
}

/* Device i writes pt to the devices in to[] (starting sessions where there are none) and
 * posts the one message to the relay. `what` names it in the narration. */
static int
send_all(struct vw *w, int i, const int *to, size_t n, const uint8_t *pt, size_t pt_len,
         const char *what)
{
    uint8_t m[CAP];
    size_t len, covered;
    e2e_viber_session *s[NDEV];
    for (size_t k = 0; k < n; k++) {
        int rc = e2e_viber_session_ready(w->s[i][to[k]]) ? E2E_OK : connect(w, i, to[k], k == 0);
        if (rc != E2E_OK)
            return rc;
        s[k] = w->s[i][to[k]];
    }
    int rc = e2e_viber_encrypt(w->d->ctx, w->dev[i].d, s, n, NULL, &covered, pt, pt_len, m,
                               sizeof m, &len);
    if (!demo_ok(w->d, rc,
                 "one Salsa20 body under a fresh 128-bit key, the key wrapped per device"))
        return rc;
    demo_say(w->d, "%s sends %s: one message of %zu bytes for %zu device%s", w->dev[i].name, what,
             len, covered, covered == 1 ? "" : "s");
    return demo_server_post(w->srv, w->dev[i].name, "relay", m, len);
}

/* The relay splits the message in its mailbox into one part per device. */
static int
relay_split(struct vw *w, const int *to, size_t n)
{
    uint8_t *m = NULL, part[CAP];
    size_t len, plen;
    int rc = fetch(w, "relay", &m, &len);
    for (size_t k = 0; k < n && rc == E2E_OK; k++) {
        rc = e2e_viber_msg_split(part, sizeof part, &plen, m, len,
                                 e2e_viber_device_udid(w->dev[to[k]].d), NULL);
        if (rc == E2E_OK)
            rc = demo_server_post(w->srv, "relay", w->dev[to[k]].name, part, plen);
    }
    free(m);
    return rc;
}

/* Device j takes its part from the server and decrypts it (from device i). */
static int
receive(struct vw *w, int j, int i, uint8_t *pt, size_t cap, size_t *n)
{
    uint8_t *m = NULL, id[32];
    size_t len;
    id_of(w, i, id);
    int rc = fetch(w, w->dev[j].name, &m, &len);
    if (rc == E2E_OK)
        rc = e2e_viber_decrypt(w->s[j][i], w->d->ctx, w->dev[j].d, id, m, len, pt, cap, n, NULL);
    free(m);
    return rc;
}

static void
read_at(struct vw *w, int j, int i, const char *text)
{
    uint8_t pt[CAP];
    size_t n = 0;
    int rc = receive(w, j, i, pt, sizeof pt, &n);
    demo_check(w->d, rc == E2E_OK && n == strlen(text) && memcmp(pt, text, n) == 0,
               "%s reads \"%.*s\"", w->dev[j].name, (int)n, (const char *)pt);
}

static int
conversation(struct vw *w, int i, const int *to, size_t n, const char *text)
{
    char what[96];
    snprintf(what, sizeof what, "\"%s\"", text);
    int rc = send_all(w, i, to, n, (const uint8_t *)text, strlen(text), what);
    if (rc == E2E_OK)
        rc = relay_split(w, to, n);
    for (size_t k = 0; k < n && rc == E2E_OK; k++)
        read_at(w, to[k], i, text);
    return rc;
}

static int
messages(struct vw *w)
{
    demo_say(w->d, "-- one-to-one messages across both accounts' devices --");
    static const int from_a1[] = {B1, B2, A2}, from_b2[] = {A1, A2, B1}, from_a2[] = {B1, B2, A1};
    int rc = conversation(w, A1, from_a1, 3, "Hi Bob! Dinner on Friday?");
    if (rc == E2E_OK) {
        demo_say(w->d, "direction changes: bob-tablet generates a new ratchet pair and steps "
                       "TempKey = HMAC(RootKey, DH(new ratchet, Alice's ratchet))");
        rc = conversation(w, B2, from_b2, 3, "Friday works. I'll bring the wine.");
    }
    if (rc == E2E_OK)
        rc = conversation(w, A2, from_a2, 3, "Great - typing this from my desktop.");
    if (rc != E2E_OK)
        return rc;
    unsigned left = e2e_viber_prekey_pool_count(w->dev[B1].pool);
    unsigned more = e2e_viber_prekey_pool_refill(w->dev[B1].pool, 3, 8);
    demo_say(w->d,
             "the relay has %u PreKey(s) left for bob-phone; below its threshold of 3 it "
             "asks bob-phone for %u more",
             left, more);
    rc = more ? upload_prekeys(w, B1, more) : E2E_OK;
    demo_check(w->d, rc == E2E_OK && e2e_viber_prekey_pool_count(w->dev[B1].pool) == 8,
               "bob-phone uploads %u new signed PreKeys; ids never repeat", more);
    return rc;
}

/* ---- group ----------------------------------------------------------------------------------- */

static int
group_share(struct vw *w)
{
    uint8_t payload[E2E_VIBER_GROUP_KEY_LEN], pt[CAP];
    size_t n;
    static const int to[] = {A2, B1, B2};
    int rc = e2e_viber_group_create(&w->g[A1], w->d->ctx, e2e_viber_device_udid(w->dev[A1].d));
    if (rc == E2E_OK)
        rc = e2e_viber_group_export(w->g[A1], payload);
    if (rc == E2E_OK)
        rc = send_all(w, A1, to, 3, payload, sizeof payload, "the group secret");
    if (rc == E2E_OK)
        rc = relay_split(w, to, 3);
    for (int k = 0; k < 3 && rc == E2E_OK; k++) {
        rc = receive(w, to[k], A1, pt, sizeof pt, &n);
        if (rc == E2E_OK)
            rc = e2e_viber_group_join(&w->g[to[k]], e2e_viber_device_udid(w->dev[to[k]].d), pt, n,
                                      NULL);
    }
    e2e_wipe(payload, sizeof payload);
    e2e_wipe(pt, sizeof pt);
    return rc;
}

static void
group_deliver(struct vw *w, int from, const uint8_t *m, size_t len, const char *text)
{
    for (int j = 0; j < NDEV; j++) {
        if (j == from)
            continue;
        uint8_t pt[CAP];
        size_t n = 0;
        int rc = e2e_viber_group_decrypt(w->g[j], w->d->ctx, m, len, pt, sizeof pt, &n, NULL, NULL);
        demo_check(w->d, rc == E2E_OK && n == strlen(text) && memcmp(pt, text, n) == 0,
                   "%s reads \"%s\"", w->dev[j].name, text);
    }
}

static int
group(struct vw *w)
{
    uint8_t mb[CAP], ma[CAP];
    size_t lb, la;
    uint32_t epoch, pos;
    demo_say(w->d, "-- a secure group --");
    int rc = group_share(w);
    if (!demo_ok(w->d, rc,
                 "alice-phone creates the group secret and sends it over the 1:1 "
                 "sessions to every member device"))
        return rc;
    demo_say(w->d, "two writers at the same moment: bob-phone and alice-desktop both at the "
                   "latest position");
    rc = e2e_viber_group_encrypt(w->g[B1], w->d->ctx, (const uint8_t *)"Pizza!", 6, mb, sizeof mb,
                                 &lb);
    if (rc == E2E_OK)
        rc = e2e_viber_group_encrypt(w->g[A2], w->d->ctx, (const uint8_t *)"Sushi!", 6, ma,
                                     sizeof ma, &la);
    if (rc != E2E_OK)
        return rc;
    demo_check(w->d, memcmp(mb + 22, ma + 22, 4) == 0,
               "both carry sequence number %u (hash steps applied to the secret)", mb[25]);
    demo_say(w->d, "each message key is bound to its writer's UDID, so the race reuses no key");
    group_deliver(w, B1, mb, lb, "Pizza!");
    group_deliver(w, A2, ma, la, "Sushi!");
    rc = e2e_viber_group_encrypt(w->g[B2], w->d->ctx, (const uint8_t *)"Both, then.", 11, mb,
                                 sizeof mb, &lb);
    if (rc == E2E_OK)
        group_deliver(w, B2, mb, lb, "Both, then.");
    e2e_viber_group_position(w->g[A1], &epoch, &pos);
    demo_check(w->d, pos == 2, "everyone continues from the latest position: next is %u", pos);
    demo_expect(
        w->d, e2e_viber_group_decrypt(w->g[A1], w->d->ctx, mb, lb, ma, sizeof ma, &la, NULL, NULL),
        E2E_ERR_DUPLICATE, "the same group message delivered twice");
    return rc;
}

/* ---- file, call ------------------------------------------------------------------------------ */

static int
file_upload(struct vw *w, uint8_t key[32], uint8_t hmac[32], size_t *size)
{
    uint8_t photo[3000], ct[3000], md5[16];
    struct e2e_viber_file_stream f;
    for (size_t i = 0; i < sizeof photo; i++)
        photo[i] = (uint8_t)(i * 7 + (i >> 5));
    int rc = e2e_viber_file_encrypt_init(&f, w->d->ctx, key);
    for (size_t off = 0; off < sizeof photo && rc == E2E_OK; off += 1024)
        rc = e2e_viber_file_encrypt_update(&f, ct + off, photo + off,
                                           sizeof photo - off < 1024 ? sizeof photo - off : 1024);
    if (rc != E2E_OK)
        return rc;
    e2e_viber_file_encrypt_final(&f, hmac, md5);
    demo_say(w->d, "alice-phone encrypts a 3000-byte photo in 1 KiB pieces under a fresh key");
    demo_value(w->d, "MD5 of the encrypted file (for the storage server)", md5, 16);
    demo_server_post(w->srv, "alice-phone", "storage", ct, sizeof ct);
    uint8_t check[16];
    e2e_md5(check, ct, sizeof ct);
    demo_check(w->d, memcmp(check, md5, 16) == 0,
               "the storage server's MD5 of what it received matches: transfer intact");
    *size = sizeof ct;
    return E2E_OK;
}

static int
file_download(struct vw *w, const struct e2e_viber_file_ref *r)
{
    uint8_t *ct = NULL;
    size_t n;
    struct e2e_viber_file_stream f;
    int rc = fetch(w, "storage", &ct, &n);
    if (rc != E2E_OK)
        return rc;
    e2e_viber_file_init(&f, r->file_key);
    rc = e2e_viber_file_decrypt_update(&f, ct, ct, n);
    if (rc == E2E_OK)
        rc = e2e_viber_file_decrypt_final(&f, r->hmac, r->size, NULL);
    int same = rc == E2E_OK && n == 3000;
    for (size_t i = 0; same && i < n; i++)
        same = ct[i] == (uint8_t)(i * 7 + (i >> 5));
    demo_check(w->d, same, "bob-tablet downloads by file id, checks the HMAC, decrypts the photo");
    free(ct);
    return rc;
}

static int
file(struct vw *w)
{
    struct e2e_viber_file_ref r;
    uint8_t ref[E2E_VIBER_FILE_REF_MAX];
    size_t len;
    static const int to[] = {B2};
    demo_say(w->d, "-- a file --");
    memset(&r, 0, sizeof r);
    memcpy(r.file_id, "photo-0001", 10);
    r.file_id_len = 10;
    int rc = file_upload(w, r.file_key, r.hmac, &len);
    r.size = len;
    if (rc == E2E_OK)
        rc = e2e_viber_file_ref_encode(ref, sizeof ref, &len, &r);
    if (rc == E2E_OK)
        rc = send_all(w, A1, to, 1, ref, len, "the file id and key");
    if (rc == E2E_OK)
        rc = relay_split(w, to, 1);
    if (rc == E2E_OK)
        rc = receive(w, B2, A1, ref, sizeof ref, &len);
    if (rc == E2E_OK)
        rc = e2e_viber_file_ref_parse(&r, ref, len, NULL);
    demo_ok(w->d, rc, "the file reference arrives end-to-end encrypted");
    if (rc == E2E_OK)
        rc = file_download(w, &r);
    e2e_wipe(&r, sizeof r);
    e2e_wipe(ref, sizeof ref);
    return rc;
}

static int
call(struct vw *w)
{
    struct e2e_viber_call ca, cb;
    uint8_t offer[E2E_VIBER_CALL_MSG_LEN], answer[E2E_VIBER_CALL_MSG_LEN], ida[32], idb[32];
    uint8_t call_id[16], pkt[64];
    size_t n, out;
    demo_say(w->d, "-- a call --");
    memcpy(call_id, "call-2026-01-01!", 16);
    id_of(w, A1, ida);
    id_of(w, B1, idb);
    int rc = e2e_viber_call_offer(&ca, offer, w->d->ctx, w->dev[A1].d, call_id);
    if (rc == E2E_OK)
        rc = e2e_viber_call_answer(&cb, answer, w->d->ctx, w->dev[B1].d, ida, offer, sizeof offer,
                                   NULL);
    if (rc == E2E_OK)
        rc = e2e_viber_call_complete(&ca, w->d->ctx, idb, answer, sizeof answer, NULL);
    demo_ok(w->d, rc, "ephemeral keys signed with the ID keys (XEdDSA), verified, DH -> call key");
    demo_check(w->d, rc == E2E_OK && memcmp(ca.call_key, cb.call_key, 32) == 0,
               "both phones hold the same call key, in memory only");
    struct e2e_viber_media tx, rx;
    if (rc == E2E_OK)
        rc = e2e_viber_media_init(&tx, w->d->ctx, &ca, E2E_VIBER_MEDIA_SEND);
    if (rc == E2E_OK)
        rc = e2e_viber_media_init(&rx, w->d->ctx, &cb, E2E_VIBER_MEDIA_RECV);
    static const uint8_t hdr[12] = {0x80, 111, 0, 1, 0, 0, 0, 160, 0xca, 0xfe, 0xba, 0xbe};
    memcpy(pkt, hdr, 12);
    memcpy(pkt + 12, "twenty bytes of opus", 20);
    n = 32;
    if (rc == E2E_OK)
        rc = e2e_viber_media_protect(&tx, pkt, n, sizeof pkt, &out);
    if (rc == E2E_OK) {
        demo_value(w->d, "protected RTP packet", pkt, out);
        rc = e2e_viber_media_unprotect(&rx, pkt, out, &n, NULL);
    }
    demo_check(w->d, rc == E2E_OK && memcmp(pkt + 12, "twenty bytes of opus", 20) == 0,
               "an RTP packet: Salsa20 payload, HMAC-SHA256-80 tag, replay window");
    e2e_viber_media_wipe(&tx);
    e2e_viber_media_wipe(&rx);
    e2e_viber_call_end(&ca);
    e2e_viber_call_end(&cb);
    return rc;
}

/* ---- authentication, key change ------------------------------------------------------------ */

static int
verify(struct vw *w)
{
    char a[E2E_VIBER_AUTH_DIGITS + 1], b[E2E_VIBER_AUTH_DIGITS + 1], grouped[60];
    uint8_t ida[32], idb[32];
    demo_say(w->d, "-- the 48 digits --");
    id_of(w, A1, ida);
    id_of(w, B1, idb);
    int rc = e2e_viber_device_auth_string(w->dev[A1].d, a, idb);
    if (rc == E2E_OK)
        rc = e2e_viber_device_auth_string(w->dev[B1].d, b, ida);
    if (rc != E2E_OK)
        return rc;
    e2e_viber_auth_string_groups(grouped, a);
    demo_say(w->d, "alice-phone shows: %s", grouped);
    e2e_viber_auth_string_groups(grouped, b);
    demo_say(w->d, "bob-phone shows:   %s", grouped);
    demo_check(w->d, strcmp(a, b) == 0, "read aloud during the call: the strings match");
    rc = e2e_viber_trust_observe(w->trust, "bob", idb);
    demo_check(w->d, rc == E2E_VIBER_LOCK_GREY, "until now Bob's account was %s (unverified)",
               e2e_viber_lock_name(rc));
    rc = e2e_viber_trust_verified(w->trust, "bob", idb);
    demo_check(w->d, e2e_viber_trust_lock(w->trust, "bob") == E2E_VIBER_LOCK_GREEN,
               "Alice trusts Bob's account: the lock is %s, for bob-phone and bob-tablet alike",
               e2e_viber_lock_name(e2e_viber_trust_lock(w->trust, "bob")));
    return rc;
}

static int
key_change(struct vw *w)
{
    uint8_t udid[16], idb[32], old[32], m[CAP], pt[CAP];
    size_t len, covered, n;
    demo_say(w->d, "-- Bob re-installs Viber on his phone --");
    id_of(w, B1, old);
    udid_of(udid, "bob-phone");
    e2e_viber_device_free(w->dev[B1].d);
    e2e_viber_session_free(w->s[B1][A1]);
    w->dev[B1].d = NULL;
    w->s[B1][A1] = NULL;
    int rc = e2e_viber_device_new_primary(&w->dev[B1].d, w->d->ctx, udid);
    if (rc == E2E_OK)
        rc = e2e_viber_session_new(&w->s[B1][A1], e2e_viber_device_udid(w->dev[A1].d));
    if (rc != E2E_OK)
        return rc;
    id_of(w, B1, idb);
    demo_value(w->d, "Bob's new ID public", idb, 32);
    int lock = e2e_viber_trust_observe(w->trust, "bob", idb);
    demo_check(w->d, lock == E2E_VIBER_LOCK_RED,
               "the directory shows a new ID key for a trusted account: the lock turns %s",
               e2e_viber_lock_name(lock));
    rc = connect(w, B1, A1, 0);
    e2e_viber_session *s[1] = {w->s[B1][A1]};
    if (rc == E2E_OK)
        rc = e2e_viber_encrypt(w->d->ctx, w->dev[B1].d, s, 1, NULL, &covered,
                               (const uint8_t *)"It's me, new phone", 18, m, sizeof m, &len);
    if (rc == E2E_OK)
        demo_expect(w->d,
                    e2e_viber_decrypt(w->s[A1][B1], w->d->ctx, w->dev[A1].d, old, m, len, pt,
                                      sizeof pt, &n, NULL),
                    E2E_ERR_UNTRUSTED, "alice-phone still expects the key she verified");
    demo_say(w->d, "until Alice compares the new 48 digits (green again) or accepts the change "
                   "(grey), the conversation shows a red lock");
    return rc;
}

static void
vw_free(struct vw *w)
{
    for (int i = 0; i < NDEV; i++) {
        for (int j = 0; j < NDEV; j++)
            e2e_viber_session_free(w->s[i][j]);
        e2e_viber_group_free(w->g[i]);
        e2e_viber_device_free(w->dev[i].d);
        e2e_viber_prekey_pool_free(w->dev[i].pool);
    }
    e2e_viber_trust_free(w->trust);
    demo_server_free(w->srv);
}

static int
vw_init(struct vw *w, struct demo *d)
{
    static const char *names[NDEV] = {"alice-phone", "alice-desktop", "bob-phone", "bob-tablet"};
    memset(w, 0, sizeof *w);
    w->d = d;
    w->srv = demo_server_new(d, "server");
    if (!w->srv || e2e_viber_trust_new(&w->trust) != E2E_OK)
        return E2E_ERR_NOMEM;
    for (int i = 0; i < NDEV; i++) {
        uint8_t udid[16];
        w->dev[i].name = names[i];
        w->dev[i].account = i < B1 ? "alice" : "bob";
        for (int j = 0; j < NDEV; j++) {
            udid_of(udid, names[j]);
            if (i != j && e2e_viber_session_new(&w->s[i][j], udid) != E2E_OK)
                return E2E_ERR_NOMEM;
        }
    }
    return E2E_OK;
}

int
demo_viber(struct demo *d)
{
    struct vw w;
    demo_say(d, "Viber (Encryption Overview, 2016) with the details it leaves open defined in "
                "docs/protocols/viber.md. Run with --trace to see every derivation.");
    int rc = vw_init(&w, d);
    if (rc == E2E_OK)
        rc = setup_devices(&w);
    if (rc == E2E_OK)
        rc = messages(&w);
    if (rc == E2E_OK)
        rc = group(&w);
    if (rc == E2E_OK)
        rc = file(&w);
    if (rc == E2E_OK)
        rc = call(&w);
    if (rc == E2E_OK)
        rc = verify(&w);
    if (rc == E2E_OK)
        rc = key_change(&w);
    demo_ok(d, rc, "viber chapter complete");
    vw_free(&w);
    return 0;
}
