/*
 * The demo's whatsapp chapter: alice (phone + laptop) and bob (phone + tablet). What WhatsApp
 * adds to the Signal Protocol, played step by step through a server that only stores and
 * forwards bytes: companion linking by QR code (and a tampered link refused), signed device
 * lists, the initiator's checks, device-consistency information and padding in pairwise
 * plaintexts, an encrypted attachment, call master secrets per device with their SRTP keys,
 * and group-call key rotation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <e2ekit/crypto.h>
#include <e2ekit/whatsapp.h>

#include "demo.h"

struct account {
    const char *name;
    struct e2e_wa_identity phone, companion;
    const char *companion_name;
    struct e2e_wa_devlist list;
    uint8_t signed_list[E2E_WA_ADV_MAX];
    size_t signed_list_len;
    uint8_t companion_identity[E2E_WA_ADV_MAX]; /* uploaded ADVSignedDeviceIdentity */
    size_t companion_identity_len;
};

static int
take(struct demo *d, struct demo_server *srv, const char *to, uint8_t **p, size_t *n)
{
    return demo_ok(d, demo_server_take(srv, to, 0, p, n, NULL), "server delivers the bytes");
}

/* Linking: the companion shows a QR code, the primary signs, the companion verifies. */
static int
link_companion(struct demo *d, struct demo_server *srv, struct account *acc)
{
    struct e2e_wa_qr qr;
    char text[E2E_WA_QR_MAX + 1], to[48];
    memset(&qr, 0, sizeof qr);
    snprintf(qr.ref, sizeof qr.ref, "2@demo-ref-%s", acc->name);
    memcpy(qr.identity_pub, acc->companion.pub, 32);
    if (!demo_ok(d, e2e_random(d->ctx, qr.noise_pub, 32), "companion: Noise static key") ||
        !demo_ok(d, e2e_random(d->ctx, qr.adv_secret, 32), "companion: fresh linking secret"))
        return -1;
    strcpy(qr.client_type, "1");
    if (!demo_ok(d, e2e_wa_qr_encode(text, sizeof text, &qr), "companion: QR code text"))
        return -1;
    demo_say(d, "%s's %s shows a QR code (never sent to the server):", acc->name,
             acc->companion_name);
    demo_say(d, "  %.72s...", text);
    demo_value(d, "I_companion", acc->companion.pub, 32);
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
    if (!demo_ok(d, e2e_wa_link_primary(msg, sizeof msg, &n, d->ctx, &acc->phone, &scanned, &meta),
                 "phone: A_sig = Sign(I_primary, 06 00 || Lmetadata || I_companion); P_HMAC") ||
        !demo_ok(d,
                 e2e_wa_devlist_sign(acc->signed_list, sizeof acc->signed_list,
                                     &acc->signed_list_len, d->ctx, &acc->list, &acc->phone),
                 "phone: ListSignature = Sign(I_primary, 06 02 || ListData)"))
        return -1;
    demo_say(d, "device list of %s: timestamp %llu, key indexes 0..%u valid", acc->name,
             (unsigned long long)acc->list.timestamp, (unsigned)acc->list.current_index);
    snprintf(to, sizeof to, "%s.%s", acc->name, acc->companion_name);
    demo_server_post(srv, "phone", "directory", acc->signed_list, acc->signed_list_len);
    demo_server_post(srv, "phone", to, msg, n);
    uint8_t *p;
    if (!take(d, srv, to, &p, &n))
        return -1;
    /* the server tampers once: the companion refuses */
    p[n / 2] ^= 0x01;
    struct e2e_wa_link_result res;
    struct e2e_report why;
    demo_expect(
        d, e2e_wa_link_companion(&res, d->ctx, &acc->companion, qr.adv_secret, NULL, p, n, &why),
        E2E_ERR_AUTH, "companion: a linking payload with one byte changed is refused");
    demo_say(d, "  (check \"%s\": %s)", why.check, why.detail);
    p[n / 2] ^= 0x01;
    int ok = demo_ok(
        d, e2e_wa_link_companion(&res, d->ctx, &acc->companion, qr.adv_secret, NULL, p, n, &why),
        "companion: P_HMAC, A_sig verified; D_sig = Sign(I_companion, 06 01 || ...)");
    free(p);
    if (!ok)
        return -1;
    demo_value(d, "I_primary learnt", res.primary_pub, 32);
    memcpy(acc->companion_identity, res.signed_identity, res.signed_identity_len);
    acc->companion_identity_len = res.signed_identity_len;
    demo_server_post(srv, to, "directory", res.signed_identity, res.signed_identity_len);
    return 0;
}

/* Before bob's phone builds a session with alice's laptop. */
static int
check_companion(struct demo *d, struct account *peer)
{
    struct e2e_wa_devlist seen;
    struct e2e_wa_device_identity meta;
    struct e2e_report why;
    if (!demo_ok(d,
                 e2e_wa_devlist_verify(&seen, peer->signed_list, peer->signed_list_len,
                                       peer->phone.pub, &why),
                 "the device list verifies under the account's identity key"))
        return -1;
    demo_ok(d,
            e2e_wa_companion_check(&meta, peer->companion_identity, peer->companion_identity_len,
                                   peer->phone.pub, peer->companion.pub, &seen, &why),
            "account signature, device signature, device in the latest list: send to it");
    /* a key the server swapped into the companion's bundle */
    struct e2e_wa_identity mallory;
    if (e2e_wa_identity_generate(&mallory, d->ctx) != E2E_OK)
        return -1;
    demo_expect(d,
                e2e_wa_companion_check(&meta, peer->companion_identity,
                                       peer->companion_identity_len, peer->phone.pub, mallory.pub,
                                       &seen, &why),
                E2E_ERR_AUTH, "a companion key the primary never signed is refused");
    e2e_wipe(&mallory, sizeof mallory);
    return 0;
}

static void
show_plaintext(struct demo *d, const struct account *alice, const struct account *bob)
{
    struct e2e_wa_dci dci;
    static const char text[] = "Hi Bob! Lunch at 1?";
    struct e2e_wa_content c = {
        .kind = E2E_WA_CONTENT_TEXT, .text = (const uint8_t *)text, .text_len = sizeof text - 1};
    uint8_t to_bob[512], to_laptop[512];
    size_t n1, n2;
    e2e_wa_dci_from_lists(&dci, &alice->list, &bob->list);
    demo_ok(d, e2e_wa_plaintext_build(to_bob, sizeof to_bob, &n1, d->ctx, &c, &dci, NULL),
            "alice: Message + device-consistency info + padding, for each of bob's devices");
    demo_ok(d,
            e2e_wa_plaintext_build(to_laptop, sizeof to_laptop, &n2, d->ctx, &c, &dci,
                                   "bob@s.whatsapp.net"),
            "alice: the copy for her own laptop, wrapped in DeviceSentMessage");
    demo_value(d, "plaintext to bob's devices", to_bob, n1);
    demo_value(d, "plaintext to alice's laptop", to_laptop, n2);
    demo_say(d, "padding: %u bytes of value %u; %u bytes of value %u", to_bob[n1 - 1],
             to_bob[n1 - 1], to_laptop[n2 - 1], to_laptop[n2 - 1]);
    struct e2e_wa_plaintext pt;
    if (demo_ok(d, e2e_wa_plaintext_parse(&pt, to_laptop, n2, NULL),
                "alice's laptop: padding checked and stripped, Message parsed"))
        demo_check(d,
                   pt.dci.recipient_timestamp == bob->list.timestamp &&
                       e2e_wa_dci_recipient_has_companions(&pt.dci) &&
                       e2e_wa_dci_sender_has_companions(&pt.dci),
                   "its device-consistency info still describes bob's list (ts %llu, "
                   "companions: yes), not alice's",
                   (unsigned long long)pt.dci.recipient_timestamp);
}

static void
show_attachment(struct demo *d, struct demo_server *srv)
{
    uint8_t doc[3000], blob[3100], back[3100], mk[32], fsha[32], fesha[32];
    size_t bn, pn;
    for (size_t i = 0; i < sizeof doc; i++)
        doc[i] = (uint8_t)("The quarterly report. "[i % 22]);
    if (!demo_ok(d, e2e_random(d->ctx, mk, 32), "alice: a fresh 32-byte mediaKey"))
        return;
    struct e2e_wa_media_keys k;
    if (demo_ok(d, e2e_wa_media_derive(&k, mk, E2E_WA_MEDIA_DOCUMENT, d->ctx),
                "HKDF(mediaKey, \"WhatsApp Document Keys\", 112)")) {
        demo_value(d, "iv", k.iv, 16);
        demo_value(d, "cipherKey", k.cipher_key, 32);
        demo_value(d, "macKey", k.mac_key, 32);
        e2e_wipe(&k, sizeof k);
    }
    if (!demo_ok(d,
                 e2e_wa_media_encrypt(blob, sizeof blob, &bn, fsha, fesha, doc, sizeof doc, mk,
                                      E2E_WA_MEDIA_DOCUMENT, d->ctx),
                 "alice: AES-256-CBC, 10-byte MAC over iv || ciphertext"))
        return;
    demo_value(d, "fileEncSHA256", fesha, 32);
    demo_value(d, "fileSHA256", fsha, 32);
    demo_server_post(srv, "alice.phone", "blob-store", blob, bn);
    demo_say(d, "the mediaKey and both hashes travel in the pairwise message; the blob does not");
    uint8_t *p;
    size_t n;
    if (!take(d, srv, "blob-store", &p, &n))
        return;
    struct e2e_report why;
    p[100] ^= 0x20;
    demo_expect(d,
                e2e_wa_media_decrypt(back, sizeof back, &pn, p, n, fesha, fsha, mk,
                                     E2E_WA_MEDIA_DOCUMENT, d->ctx, &why),
                E2E_ERR_VERIFY, "bob: a corrupted download fails the fileEncSHA256 check");
    p[100] ^= 0x20;
    demo_ok(d,
            e2e_wa_media_decrypt(back, sizeof back, &pn, p, n, fesha, fsha, mk,
                                 E2E_WA_MEDIA_DOCUMENT, d->ctx, &why),
            "bob: hash, MAC, padding and fileSHA256 check; the document is back");
    demo_check(d, pn == sizeof doc && memcmp(back, doc, pn) == 0, "the same %zu bytes", pn);
    free(p);
}

static void
show_call(struct demo *d)
{
    static const char *const bob_devices[2] = {"bob.phone", "bob.tablet"};
    struct e2e_wa_call_offer offer[2];
    uint8_t call_id[16];
    if (!demo_ok(d, e2e_random(d->ctx, call_id, 16), "alice calls bob: a call id"))
        return;
    for (int i = 0; i < 2; i++) {
        char what[80];
        snprintf(what, sizeof what, "alice: a fresh SRTP master secret for %s", bob_devices[i]);
        if (!demo_ok(
                d,
                e2e_wa_call_offer_new(&offer[i], d->ctx, E2E_SRTP_AES_CM_128_HMAC_SHA1_80, call_id),
                what))
            return;
        demo_value(d, "master secret", offer[i].master_secret, 32);
    }
    demo_check(d, memcmp(offer[0].master_secret, offer[1].master_secret, 32) != 0,
               "each callee device gets its own secret");
    demo_say(d, "bob answers on his tablet: SRTP keys come from the tablet's secret "
                "(our documented HKDF step, then RFC 3711)");
    struct e2e_wa_call_master m;
    struct e2e_srtp_keys k;
    struct e2e_srtp_stream tx, rx;
    if (!demo_ok(d,
                 e2e_wa_call_master(&m, offer[1].master_secret, E2E_SRTP_AES_CM_128_HMAC_SHA1_80,
                                    "caller", d->ctx),
                 "HKDF(secret, \"e2ekit whatsapp call srtp v1\" .. \"caller\") -> key, salt") ||
        !demo_ok(d,
                 e2e_srtp_session_keys(&k, E2E_SRTP_AES_CM_128_HMAC_SHA1_80, m.master_key, 16,
                                       m.master_salt, 14, d->ctx),
                 "RFC 3711 4.3: labels 0, 1, 2 (and 3, 4, 5 for RTCP)") ||
        e2e_srtp_stream_init(&tx, &k) != E2E_OK || e2e_srtp_stream_init(&rx, &k) != E2E_OK)
        return;
    demo_value(d, "SRTP master key", m.master_key, 16);
    demo_value(d, "SRTP master salt", m.master_salt, 14);
    demo_value(d, "session key (label 0)", k.rtp_key, 16);
    demo_value(d, "session salt (label 2)", k.rtp_salt, 14);
    uint8_t pkt[64] = {0x80, 0x6f, 0x00, 0x01, 0, 0, 0, 160, 0x11, 0x22, 0x33, 0x44};
    memcpy(pkt + 12, "a voice frame...", 16);
    size_t n = 28;
    demo_ok(d, e2e_srtp_protect(&tx, pkt, sizeof pkt, &n, 0), "alice: one RTP packet protected");
    demo_value(d, "SRTP packet", pkt, n);
    demo_ok(d, e2e_srtp_unprotect(&rx, pkt, &n, 0, NULL), "bob's tablet: tag checked, decrypted");
    e2e_wipe(&k, sizeof k);
    e2e_wipe(&m, sizeof m);
    e2e_wipe(offer, sizeof offer);
}

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

static void
setup_account(struct demo *d, struct account *a, const char *name, const char *companion,
              uint32_t raw_id)
{
    memset(a, 0, sizeof *a);
    a->name = name;
    a->companion_name = companion;
    demo_ok(d, e2e_wa_identity_generate(&a->phone, d->ctx), "phone: identity key pair");
    demo_ok(d, e2e_wa_identity_generate(&a->companion, d->ctx), "companion: identity key pair");
    e2e_wa_devlist_init(&a->list, raw_id, d->ctx);
}

int
demo_whatsapp(struct demo *d)
{
    struct account alice, bob;
    struct demo_server *srv = demo_server_new(d, "server");
    if (!srv)
        return 1;
    demo_say(d, "Not in this chapter yet: prekey upload, X3DH, the double ratchet with a");
    demo_say(d, "reordered pair, the sender-key group and safety numbers. They need the Signal");
    demo_say(d, "core (branch signal), which is not merged yet; the WhatsApp layer below runs");
    demo_say(d, "on its own and shows the bytes that layer hands to the Signal sessions.");
    demo_say(d, "%s", "");
    demo_say(d, "1. Accounts: each phone is the primary; laptop and tablet are companions.");
    setup_account(d, &alice, "alice", "laptop", 0x0a11ce);
    setup_account(d, &bob, "bob", "tablet", 0x0b0b);
    demo_say(d, "2. Linking alice's laptop and bob's tablet by QR code (reference 2.1).");
    if (link_companion(d, srv, &alice) || link_companion(d, srv, &bob))
        goto out;
    demo_say(d, "3. Bob's phone checks alice's laptop before it sends anything to it.");
    if (check_companion(d, &alice))
        goto out;
    demo_say(d, "4. A pairwise plaintext, as it enters the Signal session.");
    show_plaintext(d, &alice, &bob);
    demo_say(d, "5. An attachment.");
    show_attachment(d, srv);
    demo_say(d, "6. A call: one SRTP master secret per callee device.");
    show_call(d);
    demo_say(d, "7. A group call: keys rotate on every join and leave.");
    show_group_call(d);
out:
    e2e_wipe(&alice, sizeof alice);
    e2e_wipe(&bob, sizeof bob);
    demo_server_free(srv);
    return 0;
}
