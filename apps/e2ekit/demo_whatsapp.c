/*
 * The demo's whatsapp chapter: alice (phone + laptop) and bob (phone + tablet), in one process,
 * through a server that only stores and forwards bytes. Every device has its own Signal
 * identity, prekeys and pairwise sessions (demo_whatsapp_signal.c); on top of them, what
 * WhatsApp adds: companion linking by QR code (and a tampered link refused), signed device
 * lists, the initiator's checks before a session with a companion, device-consistency
 * information and padding in every pairwise plaintext, an attachment whose key travels in a
 * Signal message, call master secrets per callee device with their SRTP keys, and group-call
 * key rotation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <e2ekit/crypto.h>

#include "demo_whatsapp.h"

static int
take(struct demo *d, struct demo_server *srv, const char *to, uint8_t **p, size_t *n)
{
    return demo_ok(d, demo_server_take(srv, to, 0, p, n, NULL), "server delivers the bytes");
}

/* ---- linking and the initiator's checks ------------------------------------------------------ */

/* The companion's side of linking: the payload tampered in transit, then the real one. */
static int
companion_verifies(struct wa_world *w, struct wa_account *acc, const struct e2e_wa_qr *qr)
{
    struct demo *d = w->d;
    const struct wa_device *comp = &w->dev[acc->companion];
    struct e2e_wa_link_result res;
    struct e2e_report why;
    uint8_t *p;
    size_t n;
    if (!take(d, w->srv, comp->name, &p, &n))
        return -1;
    p[n / 2] ^= 0x01; /* the server tampers once: the companion refuses */
    demo_expect(d,
                e2e_wa_link_companion(&res, d->ctx, &comp->adv, qr->adv_secret, NULL, p, n, &why),
                E2E_ERR_AUTH, "companion: a linking payload with one byte changed is refused");
    demo_say(d, "  (check \"%s\": %s)", why.check, why.detail);
    p[n / 2] ^= 0x01;
    int ok = demo_ok(
        d, e2e_wa_link_companion(&res, d->ctx, &comp->adv, qr->adv_secret, NULL, p, n, &why),
        "companion: P_HMAC, A_sig verified; D_sig = Sign(I_companion, 06 01 || ...)");
    free(p);
    if (!ok)
        return -1;
    demo_value(d, "I_primary learnt", res.primary_pub, 32);
    memcpy(acc->companion_identity, res.signed_identity, res.signed_identity_len);
    acc->companion_identity_len = res.signed_identity_len;
    demo_server_post(w->srv, comp->name, "directory", res.signed_identity, res.signed_identity_len);
    return 0;
}

/* Linking: the companion shows a QR code, the primary signs, the companion verifies. */
static int
link_companion(struct wa_world *w, struct wa_account *acc)
{
    struct demo *d = w->d;
    const struct wa_device *phone = &w->dev[acc->phone], *comp = &w->dev[acc->companion];
    struct e2e_wa_qr qr;
    char text[E2E_WA_QR_MAX + 1];
    memset(&qr, 0, sizeof qr);
    snprintf(qr.ref, sizeof qr.ref, "2@demo-ref-%s", acc->name);
    memcpy(qr.identity_pub, comp->adv.pub, 32);
    if (!demo_ok(d, e2e_random(d->ctx, qr.noise_pub, 32), "companion: Noise static key") ||
        !demo_ok(d, e2e_random(d->ctx, qr.adv_secret, 32), "companion: fresh linking secret"))
        return -1;
    strcpy(qr.client_type, "1");
    if (!demo_ok(d, e2e_wa_qr_encode(text, sizeof text, &qr), "companion: QR code text"))
        return -1;
    demo_say(d, "%s shows a QR code (never sent to the server):", comp->name);
    demo_say(d, "  %.72s...", text);
    demo_value(d, "I_companion", comp->adv.pub, 32);
    demo_value(d, "L_companion (advSecret)", qr.adv_secret, 32);
    struct e2e_wa_qr scanned;
    if (!demo_ok(d, e2e_wa_qr_parse(&scanned, text, strlen(text), NULL),
                 "phone: scans and parses the QR code"))
        return -1;
    /* steps 3-6 on the phone */
    struct e2e_wa_device_identity meta = {0};
    if (!demo_ok(d, e2e_wa_devlist_add(&acc->list, d->ctx, &meta.key_index),
                 "phone: assigns the next key index in its device list"))
        return -1;
    meta.raw_id = acc->list.raw_id;
    meta.timestamp = acc->list.timestamp;
    uint8_t msg[E2E_WA_ADV_MAX];
    size_t n;
    if (!demo_ok(d, e2e_wa_link_primary(msg, sizeof msg, &n, d->ctx, &phone->adv, &scanned, &meta),
                 "phone: A_sig = Sign(I_primary, 06 00 || Lmetadata || I_companion); P_HMAC") ||
        !demo_ok(d,
                 e2e_wa_devlist_sign(acc->signed_list, sizeof acc->signed_list,
                                     &acc->signed_list_len, d->ctx, &acc->list, &phone->adv),
                 "phone: ListSignature = Sign(I_primary, 06 02 || ListData)"))
        return -1;
    demo_say(d, "device list of %s: timestamp %llu, key indexes 0..%u valid", acc->name,
             (unsigned long long)acc->list.timestamp, (unsigned)acc->list.current_index);
    demo_server_post(w->srv, phone->name, "directory", acc->signed_list, acc->signed_list_len);
    demo_server_post(w->srv, phone->name, comp->name, msg, n);
    return companion_verifies(w, acc, &qr);
}

/* The account's identity key as device `at` knows it: its own, or the one it recorded. */
static const uint8_t *
account_key(const struct wa_world *w, int at, const struct wa_account *acc)
{
    if (at == acc->phone)
        return w->dev[at].id.key.pub;
    return w->has_trusted[at][acc->phone] ? w->trusted[at][acc->phone] : NULL;
}

/* Shown once: a companion key the primary never signed, swapped in by the server. */
static void
show_swapped_key(struct wa_world *w, const struct wa_account *acc, const uint8_t *primary,
                 const struct e2e_wa_devlist *seen)
{
    struct e2e_wa_identity mallory;
    struct e2e_wa_device_identity meta;
    struct e2e_report why;
    if (e2e_wa_identity_generate(&mallory, w->d->ctx) != E2E_OK)
        return;
    demo_expect(w->d,
                e2e_wa_companion_check(&meta, acc->companion_identity, acc->companion_identity_len,
                                       primary, mallory.pub, seen, &why),
                E2E_ERR_AUTH, "a companion key the primary never signed is refused");
    e2e_wipe(&mallory, sizeof mallory);
}

int
demo_wa_check_companion(struct wa_world *w, int at, int companion,
                        const uint8_t bundle_identity[32])
{
    struct demo *d = w->d;
    const struct wa_account *acc = &w->acc[w->dev[companion].account];
    const uint8_t *primary = account_key(w, at, acc);
    struct e2e_wa_devlist seen;
    struct e2e_wa_device_identity meta;
    struct e2e_report why;
    char what[160];
    if (!demo_check(d, primary != NULL, "%s knows %s's account key", w->dev[at].name, acc->name))
        return E2E_ERR_UNTRUSTED;
    int rc = e2e_wa_devlist_verify(&seen, acc->signed_list, acc->signed_list_len, primary, &why);
    snprintf(what, sizeof what, "%s: %s's device list verifies under the account key",
             w->dev[at].name, acc->name);
    if (!demo_ok(d, rc, what))
        return rc;
    rc = e2e_wa_companion_check(&meta, acc->companion_identity, acc->companion_identity_len,
                                primary, bundle_identity, &seen, &why);
    snprintf(what, sizeof what,
             "%s checks %s before any session: account signature, device signature, key index "
             "%u in the latest list",
             w->dev[at].name, w->dev[companion].name, (unsigned)meta.key_index);
    if (!demo_ok(d, rc, what))
        return rc;
    if (!w->companion_checked) {
        w->companion_checked = 1;
        show_swapped_key(w, acc, primary, &seen);
    }
    return E2E_OK;
}

/* ---- an attachment --------------------------------------------------------------------------- */

static const char doc_text[] = "The quarterly report. ";

static int
upload_document(struct wa_world *w, struct e2e_wa_media_ref *ref, uint8_t mk[32])
{
    struct demo *d = w->d;
    uint8_t doc[3000], blob[3100];
    size_t bn;
    for (size_t i = 0; i < sizeof doc; i++)
        doc[i] = (uint8_t)doc_text[i % (sizeof doc_text - 1)];
    if (!demo_ok(d, e2e_random(d->ctx, mk, 32), "alice: a fresh 32-byte mediaKey"))
        return E2E_ERR_STATE;
    struct e2e_wa_media_keys k;
    if (demo_ok(d, e2e_wa_media_derive(&k, mk, E2E_WA_MEDIA_DOCUMENT, d->ctx),
                "HKDF(mediaKey, \"WhatsApp Document Keys\", 112)")) {
        demo_value(d, "iv", k.iv, 16);
        demo_value(d, "cipherKey", k.cipher_key, 32);
        demo_value(d, "macKey", k.mac_key, 32);
        e2e_wipe(&k, sizeof k);
    }
    int rc = e2e_wa_media_encrypt(blob, sizeof blob, &bn, ref->file_sha256, ref->file_enc_sha256,
                                  doc, sizeof doc, mk, E2E_WA_MEDIA_DOCUMENT, d->ctx);
    if (!demo_ok(d, rc, "alice: AES-256-CBC, 10-byte MAC over iv || ciphertext"))
        return rc;
    demo_value(d, "fileEncSHA256", ref->file_enc_sha256, 32);
    demo_value(d, "fileSHA256", ref->file_sha256, 32);
    ref->type = E2E_WA_MEDIA_DOCUMENT;
    memcpy(ref->media_key, mk, 32);
    ref->file_length = sizeof doc;
    ref->mimetype = "application/pdf";
    ref->mimetype_len = strlen(ref->mimetype);
    ref->direct_path = "/v/t62.7119-24/demo-quarterly-report";
    ref->direct_path_len = strlen(ref->direct_path);
    return demo_server_post(w->srv, "alice.phone", "blob-store", blob, bn);
}

/* A device reads the documentMessage: the key and both hashes arrived intact. */
static int
read_pointer(struct wa_world *w, int at, const struct e2e_wa_media_ref *sent, struct wa_rx *rx)
{
    int rc = demo_wa_receive(w, at, rx);
    const struct e2e_wa_media_ref *m = &rx->pt.content.media;
    demo_check(w->d,
               rc == E2E_OK && rx->pt.content.kind == E2E_WA_CONTENT_MEDIA &&
                   m->type == E2E_WA_MEDIA_DOCUMENT && m->file_length == sent->file_length &&
                   memcmp(m->media_key, sent->media_key, 32) == 0 &&
                   memcmp(m->file_enc_sha256, sent->file_enc_sha256, 32) == 0 &&
                   memcmp(m->file_sha256, sent->file_sha256, 32) == 0,
               "%s: a documentMessage (%.*s) with mediaKey, both hashes and the blob's path",
               w->dev[at].name, (int)m->mimetype_len, m->mimetype ? m->mimetype : "");
    return rc;
}

/* Bob's tablet downloads the blob and opens it with what the Signal message carried. */
static void
download(struct wa_world *w, const struct e2e_wa_media_ref *m)
{
    struct demo *d = w->d;
    struct e2e_report why;
    uint8_t back[3100], *p;
    size_t n, pn;
    if (!take(d, w->srv, "blob-store", &p, &n))
        return;
    p[100] ^= 0x20;
    demo_expect(d,
                e2e_wa_media_decrypt(back, sizeof back, &pn, p, n, m->file_enc_sha256,
                                     m->file_sha256, m->media_key, m->type, d->ctx, &why),
                E2E_ERR_VERIFY, "bob's tablet: a corrupted download fails the fileEncSHA256 check");
    p[100] ^= 0x20;
    demo_ok(d,
            e2e_wa_media_decrypt(back, sizeof back, &pn, p, n, m->file_enc_sha256, m->file_sha256,
                                 m->media_key, m->type, d->ctx, &why),
            "bob's tablet: hash, MAC, padding and fileSHA256 check; the document is back");
    int same = pn == m->file_length;
    for (size_t i = 0; same && i < pn; i++)
        same = back[i] == (uint8_t)doc_text[i % (sizeof doc_text - 1)];
    demo_check(d, same, "the same %zu bytes", pn);
    e2e_wipe(back, sizeof back);
    free(p);
}

static int
show_attachment(struct wa_world *w)
{
    struct e2e_wa_content c;
    struct wa_rx rx;
    uint8_t mk[32];
    memset(&c, 0, sizeof c);
    c.kind = E2E_WA_CONTENT_MEDIA;
    int rc = upload_document(w, &c.media, mk);
    demo_say(w->d, "the mediaKey, both hashes and the blob's path travel in a Signal message; the "
                   "blob does not");
    if (rc == E2E_OK)
        rc = demo_wa_fan_out(w, WA_ALICE_PHONE, WA_BOB, &c, 0);
    for (int j = WA_ALICE_LAPTOP; j < WA_NDEV && rc == E2E_OK; j++) {
        rc = read_pointer(w, j, &c.media, &rx);
        if (rc == E2E_OK && j == WA_BOB_TABLET)
            download(w, &rx.pt.content.media);
        e2e_wipe(&rx, sizeof rx);
    }
    e2e_wipe(mk, sizeof mk);
    e2e_wipe(&c, sizeof c);
    return rc;
}

/* ---- a call ---------------------------------------------------------------------------------- */

/* The caller's SRTP keys from one call master secret (our documented HKDF step, RFC 3711). */
static int
srtp_keys(struct e2e_srtp_keys *k, struct e2e_wa_call_master *m, const uint8_t secret[32],
          const e2e_ctx *ctx)
{
    int rc = e2e_wa_call_master(m, secret, E2E_SRTP_AES_CM_128_HMAC_SHA1_80, "caller", ctx);
    if (rc == E2E_OK)
        rc = e2e_srtp_session_keys(k, E2E_SRTP_AES_CM_128_HMAC_SHA1_80, m->master_key,
                                   m->master_key_len, m->master_salt, m->master_salt_len, ctx);
    return rc;
}

/* One offer per callee device, each inside that device's Signal session. */
static int
send_offers(struct wa_world *w, struct e2e_wa_call_offer offer[2])
{
    static const int callee[2] = {WA_BOB_PHONE, WA_BOB_TABLET};
    uint8_t call_id[16];
    struct e2e_wa_content c;
    int rc = e2e_random(w->d->ctx, call_id, 16);
    if (!demo_ok(w->d, rc, "alice calls bob: a call id"))
        return rc;
    memset(&c, 0, sizeof c);
    c.kind = E2E_WA_CONTENT_CALL;
    for (int i = 0; i < 2 && rc == E2E_OK; i++) {
        char what[80];
        snprintf(what, sizeof what, "alice: a fresh SRTP master secret for %s",
                 w->dev[callee[i]].name);
        rc = e2e_wa_call_offer_new(&offer[i], w->d->ctx, E2E_SRTP_AES_CM_128_HMAC_SHA1_80, call_id);
        if (!demo_ok(w->d, rc, what))
            break;
        demo_value(w->d, "master secret", offer[i].master_secret, 32);
        c.call = offer[i];
        rc = demo_wa_send_content(w, WA_ALICE_PHONE, callee[i], &c);
    }
    e2e_wipe(&c, sizeof c);
    demo_check(w->d, memcmp(offer[0].master_secret, offer[1].master_secret, 32) != 0,
               "each callee device gets its own secret");
    return rc;
}

static int
read_offer(struct wa_world *w, int at, const struct e2e_wa_call_offer *sent, struct wa_rx *rx)
{
    int rc = demo_wa_receive(w, at, rx);
    const struct e2e_wa_call_offer *o = &rx->pt.content.call;
    demo_check(w->d,
               rc == E2E_OK && rx->pt.content.kind == E2E_WA_CONTENT_CALL &&
                   memcmp(o->call_id, sent->call_id, 16) == 0 &&
                   memcmp(o->master_secret, sent->master_secret, 32) == 0,
               "%s: a call offer (%s) with its own master secret; it rings", w->dev[at].name,
               e2e_srtp_profile_name((int)o->profile));
    return rc;
}

/* Alice (from her copy of the tablet's secret) sends one RTP packet; the tablet (from the copy
 * its Signal message carried) opens it. */
static int
first_packet(struct wa_world *w, const uint8_t alice_secret[32], const uint8_t tablet_secret[32])
{
    struct demo *d = w->d;
    struct e2e_wa_call_master ma, mb;
    struct e2e_srtp_keys ka, kb;
    struct e2e_srtp_stream tx, rx;
    int rc = srtp_keys(&ka, &ma, alice_secret, d->ctx);
    if (rc == E2E_OK)
        rc = srtp_keys(&kb, &mb, tablet_secret, d->ctx);
    if (!demo_ok(d, rc,
                 "both ends: HKDF(secret, \"e2ekit whatsapp call srtp v1\" .. \"caller\"), "
                 "then RFC 3711 4.3"))
        return rc;
    demo_value(d, "SRTP master key", mb.master_key, mb.master_key_len);
    demo_value(d, "SRTP master salt", mb.master_salt, mb.master_salt_len);
    demo_value(d, "session key (label 0)", kb.rtp_key, 16);
    demo_value(d, "session salt (label 2)", kb.rtp_salt, 14);
    demo_check(d,
               memcmp(ka.rtp_key, kb.rtp_key, 16) == 0 &&
                   memcmp(ka.rtp_salt, kb.rtp_salt, 14) == 0 &&
                   memcmp(ka.rtp_auth, kb.rtp_auth, 20) == 0,
               "alice and bob's tablet hold the same SRTP session keys");
    uint8_t pkt[64] = {0x80, 0x6f, 0x00, 0x01, 0, 0, 0, 160, 0x11, 0x22, 0x33, 0x44};
    memcpy(pkt + 12, "a voice frame...", 16);
    size_t n = 28;
    if (e2e_srtp_stream_init(&tx, &ka) == E2E_OK && e2e_srtp_stream_init(&rx, &kb) == E2E_OK &&
        demo_ok(d, e2e_srtp_protect(&tx, pkt, sizeof pkt, &n, 0),
                "alice: one RTP packet protected")) {
        demo_value(d, "SRTP packet", pkt, n);
        demo_ok(d, e2e_srtp_unprotect(&rx, pkt, &n, 0, NULL),
                "bob's tablet: tag checked, decrypted");
    }
    e2e_wipe(&tx, sizeof tx);
    e2e_wipe(&rx, sizeof rx);
    e2e_wipe(&ka, sizeof ka);
    e2e_wipe(&kb, sizeof kb);
    e2e_wipe(&ma, sizeof ma);
    e2e_wipe(&mb, sizeof mb);
    return E2E_OK;
}

static int
show_call(struct wa_world *w)
{
    struct e2e_wa_call_offer offer[2];
    struct wa_rx *rx = calloc(2, sizeof *rx);
    int rc = rx ? send_offers(w, offer) : E2E_ERR_NOMEM;
    if (rc == E2E_OK)
        rc = read_offer(w, WA_BOB_PHONE, &offer[0], &rx[0]);
    if (rc == E2E_OK)
        rc = read_offer(w, WA_BOB_TABLET, &offer[1], &rx[1]);
    if (rc == E2E_OK) {
        demo_say(w->d, "bob answers on his tablet; his phone stops ringing and wipes its secret");
        e2e_wipe(&rx[0], sizeof rx[0]);
        rc = first_packet(w, offer[1].master_secret, rx[1].pt.content.call.master_secret);
    }
    if (rx)
        e2e_wipe(rx, 2 * sizeof *rx);
    free(rx);
    e2e_wipe(offer, sizeof offer);
    return rc;
}

/* ---- a group call ---------------------------------------------------------------------------- */

static void
show_group_call(struct demo *d)
{
    uint8_t call_id[16];
    e2e_wa_group_call *gc[3] = {NULL, NULL, NULL};
    static const char *const dev[3] = {"alice.phone", "bob.tablet", "carol.phone"};
    if (e2e_random(d->ctx, call_id, 16) != E2E_OK)
        return;
    for (int i = 0; i < 3; i++)
        if (e2e_wa_group_call_new(&gc[i], dev[i], call_id) != E2E_OK)
            goto out;
    uint32_t gen = 0;
    for (size_t members = 2; members <= 3; members++) {
        size_t idx;
        struct e2e_wa_call_offer o;
        const char *to[4];
        size_t nto;
        gen++;
        if (!demo_ok(d, e2e_wa_group_call_pick_distributor(&idx, members, d->ctx),
                     "server: membership changed, it picks a key distributor at random"))
            goto out;
        demo_say(d, "generation %u: %zu active devices, distributor %s", (unsigned)gen, members,
                 dev[idx]);
        for (size_t i = 0; i < members; i++)
            if (e2e_wa_group_call_membership(gc[i], dev, members, dev[idx], gen, NULL))
                goto out;
        if (!demo_ok(d, e2e_wa_group_call_rekey(gc[idx], d->ctx, 1, &o, to, 4, &nto),
                     "distributor: a new 32-byte secret for everyone"))
            goto out;
        demo_value(d, "group call secret", o.master_secret, 32);
        for (size_t i = 0; i < members; i++)
            if (i != idx)
                demo_ok(d, e2e_wa_group_call_accept(gc[i], d->ctx, dev[idx], &o, NULL),
                        "a participant takes the key from the distributor");
        e2e_wipe(&o, sizeof o);
    }
    uint8_t k[32];
    struct e2e_report why;
    d->now_ms += 4000;
    demo_ok(d, e2e_wa_group_call_key(gc[0], d->ctx, 1, k, NULL),
            "4 s after carol joined, alice still decrypts late packets under the old key");
    d->now_ms += 1000;
    demo_expect(d, e2e_wa_group_call_key(gc[0], d->ctx, 1, k, &why), E2E_ERR_NOT_FOUND,
                "5 s after the change the old key is wiped");
    e2e_wipe(k, sizeof k);
out:
    for (int i = 0; i < 3; i++)
        e2e_wa_group_call_free(gc[i]);
}

/* ---- the chapter ----------------------------------------------------------------------------- */

static int
devices(struct wa_world *w)
{
    int rc = demo_wa_identities(w);
    if (rc != E2E_OK)
        return rc;
    e2e_wa_devlist_init(&w->acc[WA_ALICE].list, 0x0a11ce, w->d->ctx);
    e2e_wa_devlist_init(&w->acc[WA_BOB].list, 0x0b0b, w->d->ctx);
    return E2E_OK;
}

static int
link_companions(struct wa_world *w)
{
    if (link_companion(w, &w->acc[WA_ALICE]) || link_companion(w, &w->acc[WA_BOB]))
        return E2E_ERR_STATE;
    return E2E_OK;
}

static int
group_call(struct wa_world *w)
{
    show_group_call(w->d);
    return E2E_OK;
}

static const struct {
    const char *title;
    int (*run)(struct wa_world *w);
} steps[] = {
    {"1. Devices: each phone is its account's primary, the laptop and the tablet companions;\n"
     "     every device has its own identity and its own sessions.",
     devices},
    {"2. Linking alice's laptop and bob's tablet by QR code (reference 2.1).", link_companions},
    {"3. Every device uploads its prekeys.", demo_wa_upload_prekeys},
    {"4. Messages: sessions by X3DH, fan-out to every device, the double ratchet.",
     demo_wa_conversation},
    {"5. A group with sender keys.", demo_wa_group},
    {"6. An attachment.", show_attachment},
    {"7. A call: one SRTP master secret per callee device, each in a Signal message.", show_call},
    {"8. A group call: keys rotate on every join and leave.", group_call},
    {"9. Safety numbers, between the primaries.", demo_wa_safety_numbers},
};

int
demo_whatsapp(struct demo *d)
{
    struct wa_world *w = malloc(sizeof *w);
    demo_say(d, "WhatsApp is the Signal Protocol (docs/protocols/signal.md) plus what WhatsApp");
    demo_say(d, "adds (docs/protocols/whatsapp.md). Run with --trace to see every derivation.");
    int rc = w ? demo_wa_world_init(w, d) : E2E_ERR_NOMEM;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0] && rc == E2E_OK; i++) {
        demo_say(d, "%s", steps[i].title);
        rc = steps[i].run(w);
    }
    demo_ok(d, rc, "whatsapp chapter complete");
    if (w)
        demo_wa_world_free(w);
    free(w);
    return 0;
}
