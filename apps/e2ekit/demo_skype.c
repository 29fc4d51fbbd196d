/*
 * The demo's skype chapter: the central authority registers alice and bob (and refuses a
 * second "alice" and a wrong password), alice calls bob (certificates, challenges, key halves
 * under RSA), they talk on two streams, a replayed packet and a replayed handshake are refused,
 * and the server, playing the attacker, flips bits in a chat message and fixes the CRC up: the
 * faithful session accepts the forgery, the hardened one catches it. Last, the RC4 obfuscation
 * layer around a packet.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <e2ekit/skype.h>

#include "demo.h"

enum { BUF = 4096 };

struct skype_demo {
    struct demo *d;
    struct demo_server *srv;
    e2e_skype_authority *au;
    e2e_skype_ca *ca;
    e2e_skype_identity *alice, *bob;
};

/* Posts p as `from`, and takes it again as `to`: the server only stores and forwards. */
static int
relay(struct skype_demo *s, const char *from, const char *to, const uint8_t *p, size_t n,
      uint8_t **got, size_t *got_n)
{
    if (demo_server_post(s->srv, from, to, p, n) != E2E_OK)
        return -1;
    return demo_ok(s->d, demo_server_take(s->srv, to, 0, got, got_n, NULL),
                   "server forwards the bytes")
               ? 0
               : -1;
}

/* ---- the authority -------------------------------------------------------------------------- */

static int
ask_authority(struct skype_demo *s, e2e_skype_identity *id, int login, int mode, int premium,
              int want, const char *what)
{
    struct demo *d = s->d;
    uint8_t req[BUF], resp[BUF], *p;
    size_t rn = 0, sn = 0, n = 0;
    const char *name = e2e_skype_identity_name(id);
    int rc =
        login ? e2e_skype_login_request(id, s->ca, d->ctx, mode, req, sizeof req, &rn)
              : e2e_skype_register_request(id, s->ca, d->ctx, mode, premium, req, sizeof req, &rn);
    if (!demo_ok(d, rc, "client: request sealed under the authority's RSA-1536 key") ||
        relay(s, name, "authority", req, rn, &p, &n) != 0)
        return -1;
    struct e2e_report why;
    int st = e2e_skype_authority_handle(s->au, d->ctx, p, n, resp, sizeof resp, &sn, &why);
    free(p);
    demo_expect(d, st, want, what);
    if (st != E2E_OK)
        demo_say(d, "  (check \"%s\": %s)", why.check, why.detail);
    if (relay(s, "authority", name, resp, sn, &p, &n) != 0)
        return -1;
    rc = e2e_skype_identity_accept(id, s->ca, d->ctx, p, n, &why);
    free(p);
    return demo_expect(d, rc, want, "client: reads the authority's answer") ? 0 : -1;
}

static void
show_cert(struct skype_demo *s, const e2e_skype_identity *id)
{
    const uint8_t *cert;
    size_t n = 0;
    struct e2e_skype_cert_info info;
    if (e2e_skype_identity_cert(id, &cert, &n) != E2E_OK ||
        !demo_ok(s->d, e2e_skype_cert_verify(&info, s->ca, s->d->ctx, cert, n, NULL),
                 "certificate verifies under the CA key it names"))
        return;
    demo_say(s->d,
             "certificate of %s: key id %u, CA key %u (%s), valid %u..%u, %zu of %zu "
             "signed bytes recovered from the ISO 9796-2 signature",
             info.name, info.key_id, info.ca_key, info.ca_key == 1 ? "RSA-2048" : "RSA-1536",
             info.valid_from, info.valid_until, info.recovered_len, info.signed_len);
    demo_value(s->d, "certificate", cert, n);
}

static int
registration(struct skype_demo *s)
{
    struct demo *d = s->d;
    demo_say(d, "The authority generates its two signing keys (RSA-2048 for premium users,");
    demo_say(d, "RSA-1536 for the others); clients embed the public halves.");
    uint8_t blob[BUF];
    size_t n = 0;
    if (!demo_ok(d, e2e_skype_authority_new(&s->au, d->ctx), "authority: RSA-2048 + RSA-1536") ||
        !demo_ok(d, e2e_skype_authority_export_ca(s->au, blob, sizeof blob, &n),
                 "authority: public keys exported") ||
        !demo_ok(d, e2e_skype_ca_parse(&s->ca, blob, n, NULL), "clients: CA keys loaded"))
        return -1;
    if (!demo_ok(d, e2e_skype_identity_new(&s->alice, d->ctx, "alice.smith", "alice-pw", 1024),
                 "alice: RSA-1024 key pair, H(P) = MD5(\"alice.smith\\nskyper\\nalice-pw\")") ||
        !demo_ok(d, e2e_skype_identity_new(&s->bob, d->ctx, "bob.jones", "bob-pw", 1024),
                 "bob: RSA-1024 key pair and H(P)"))
        return -1;
    uint8_t hp[16], hhp[16];
    e2e_skype_password_hash(hp, "alice.smith", 11, "alice-pw", 8);
    e2e_skype_password_hash2(hhp, hp);
    demo_value(d, "H(P) alice sends", hp, 16);
    demo_value(d, "H(H(P)) the authority stores", hhp, 16);
    if (ask_authority(s, s->alice, 0, E2E_SKYPE_FAITHFUL, 0, E2E_OK,
                      "authority: alice.smith registered, certificate issued") ||
        ask_authority(s, s->bob, 0, E2E_SKYPE_HARDENED, 1, E2E_OK,
                      "authority: bob.jones registered (premium)"))
        return -1;
    show_cert(s, s->alice);
    show_cert(s, s->bob);
    e2e_skype_identity *eve;
    if (!demo_ok(d, e2e_skype_identity_new(&eve, d->ctx, "alice.smith", "guess", 1024),
                 "eve: a key pair under alice's name"))
        return -1;
    int rc = ask_authority(s, eve, 0, E2E_SKYPE_HARDENED, 0, E2E_ERR_DUPLICATE,
                           "authority: a second registration of alice.smith is refused");
    if (!rc)
        rc = ask_authority(s, eve, 1, E2E_SKYPE_HARDENED, 0, E2E_ERR_AUTH,
                           "authority: eve's login as alice.smith: H(H(P)) differs");
    e2e_skype_identity_free(eve);
    if (!rc)
        rc = ask_authority(s, s->alice, 1, E2E_SKYPE_FAITHFUL, 0, E2E_OK,
                           "authority: alice logs in (constant-time check), new certificate");
    demo_say(d, "%zu users registered", e2e_skype_authority_users(s->au));
    return rc;
}

/* ---- the call ------------------------------------------------------------------------------- */

struct call {
    e2e_skype_session *a, *b;
    uint8_t f[3][BUF]; /* the flights, as the server saw them */
    size_t n[3];
};

static int
flight(struct skype_demo *s, e2e_skype_handshake *from, e2e_skype_handshake *to,
       const char *from_name, const char *to_name, uint8_t *rec, size_t *rec_n, const char *what)
{
    uint8_t *p;
    size_t n = 0;
    if (!demo_ok(s->d, e2e_skype_handshake_write(from, s->d->ctx, rec, BUF, rec_n), what) ||
        relay(s, from_name, to_name, rec, *rec_n, &p, &n) != 0)
        return -1;
    struct e2e_report why;
    int ok = demo_ok(s->d, e2e_skype_handshake_read(to, s->d->ctx, p, n, &why),
                     "the peer checks the flight");
    free(p);
    return ok ? 0 : -1;
}

static int
call(struct skype_demo *s, int mode, struct call *c)
{
    struct demo *d = s->d;
    e2e_skype_handshake *ha = NULL, *hb = NULL;
    int rc = -1;
    demo_say(d, "alice calls bob (%s mode; 'e2ekit demo --trace' prints every derivation):",
             e2e_skype_mode_name(mode));
    if (demo_ok(
            d,
            e2e_skype_handshake_new(&ha, E2E_SKYPE_INITIATOR, mode, s->alice, s->ca, "bob.jones"),
            "alice: handshake toward bob.jones") &&
        demo_ok(d, e2e_skype_handshake_new(&hb, E2E_SKYPE_RESPONDER, mode, s->bob, s->ca, NULL),
                "bob: answers") &&
        !flight(s, ha, hb, "alice", "bob", c->f[0], &c->n[0],
                "flight 1: alice's certificate and a 64-bit challenge N_A") &&
        !flight(s, hb, ha, "bob", "alice", c->f[1], &c->n[1],
                mode ? "flight 2: bob's certificate, N_B, his half and salt under OAEP, signed "
                       "transcript"
                     : "flight 2: bob's certificate, N_B, signed f(N_A), his half repeated 8 "
                       "times under raw RSA") &&
        !flight(s, ha, hb, "alice", "bob", c->f[2], &c->n[2],
                mode ? "flight 3: alice's half under OAEP, signed transcript"
                     : "flight 3: signed f(N_B), alice's half under raw RSA") &&
        demo_ok(d, e2e_skype_handshake_split(ha, d->ctx, &c->a), "alice: 256-bit session") &&
        demo_ok(d, e2e_skype_handshake_split(hb, d->ctx, &c->b), "bob: the same session"))
        rc = 0;
    demo_say(d, mode ? "keys: HKDF over both halves, salts and the signed transcript; one AES "
                       "key and one HMAC key per direction"
                     : "session key = alice's 128 bits || bob's 128 bits, for both directions");
    e2e_skype_handshake_free(ha);
    e2e_skype_handshake_free(hb);
    return rc;
}

/* Sends msg on stream from alice to bob through the server; returns bob's result. */
static int
send_packet(struct skype_demo *s, struct call *c, unsigned stream, const char *msg, uint8_t *pkt,
            size_t *pkt_n, int show)
{
    uint8_t back[256], *p;
    size_t n = 0, got = 0;
    struct demo *d = s->d;
    if (!demo_ok(d,
                 e2e_skype_session_encrypt(c->a, d->ctx, stream, (const uint8_t *)msg, strlen(msg),
                                           pkt, 256, pkt_n),
                 "alice: AES-256 ICM, counter block salt:salt:packet_index:block") ||
        relay(s, "alice", "bob", pkt, *pkt_n, &p, &n) != 0)
        return -1;
    if (show)
        demo_value(d, "packet = packet_index | ciphertext | trailer", p, n);
    struct e2e_report why;
    int rc = e2e_skype_session_decrypt(c->b, d->ctx, p, n, back, sizeof back, &got, NULL, &why);
    free(p);
    if (rc == E2E_OK)
        demo_say(d, "bob reads on stream %u: \"%.*s\"", stream, (int)got, (const char *)back);
    else
        demo_say(d, "bob refuses: %s (check \"%s\")", e2e_err_name(rc), why.check);
    return rc;
}

static int
traffic(struct skype_demo *s, struct call *c)
{
    struct demo *d = s->d;
    uint8_t pkt[256], old[256];
    size_t n = 0, on = 0;
    demo_ok(d, send_packet(s, c, 0, "[voice frame 1]", pkt, &n, 1), "stream 0 (voice)");
    demo_ok(d, send_packet(s, c, 1, "hello bob, alice here", old, &on, 1), "stream 1 (chat)");
    demo_ok(d, send_packet(s, c, 0, "[voice frame 2]", pkt, &n, 0), "stream 0 again");
    demo_say(d, "both streams started at sequence 0, yet use different counter blocks:");
    demo_value(d, "stream 1, seq 0: packet_index", old, 6);
    demo_value(d, "stream 0, seq 1: packet_index", pkt, 6);
    uint8_t back[256], *p;
    size_t got = 0, pn = 0;
    struct e2e_report why;
    if (relay(s, "server (replaying)", "bob", old, on, &p, &pn) != 0)
        return -1;
    demo_expect(d,
                e2e_skype_session_decrypt(c->b, d->ctx, p, pn, back, sizeof back, &got, NULL, &why),
                E2E_ERR_DUPLICATE, "bob: the replayed chat packet is a duplicate");
    free(p);
    return 0;
}

/* ---- the weakness --------------------------------------------------------------------------- */

/* What an attacker on the path does: XOR the wanted change into the ciphertext, and the CRC's
 * change (affine: crc(c ^ x) = crc(c) ^ crc(x) ^ crc(0)) into the trailer. No key needed. */
static void
flip(uint8_t *pkt, size_t n, const char *from, const char *to, int fix_crc)
{
    size_t len = strlen(from);
    uint8_t delta[64] = {0}, zero[64] = {0};
    for (size_t i = 0; i < len; i++) {
        delta[i] = (uint8_t)(from[i] ^ to[i]);
        pkt[E2E_SKYPE_HEADER_BYTES + i] ^= delta[i];
    }
    if (!fix_crc)
        return;
    uint32_t fix =
        e2e_skype_crc32(0xFFFFFFFFu, delta, len) ^ e2e_skype_crc32(0xFFFFFFFFu, zero, len);
    pkt[n - 2] ^= (uint8_t)(fix >> 8);
    pkt[n - 1] ^= (uint8_t)fix;
}

static int
forgery(struct skype_demo *s, struct call *c, int mode)
{
    static const char msg[] = "transfer 100 EUR to bob.jones";
    static const char evil[] = "transfer 900 EUR to eve.smith";
    struct demo *d = s->d;
    uint8_t pkt[256], back[256];
    size_t n = 0, got = 0;
    if (!demo_ok(d,
                 e2e_skype_session_encrypt(c->a, d->ctx, 1, (const uint8_t *)msg, sizeof msg - 1,
                                           pkt, sizeof pkt, &n),
                 "alice: a chat message on stream 1"))
        return -1;
    demo_say(d, "the server flips bits of \"%s\" into \"%s\"%s", msg, evil,
             mode ? "" : " and fixes the CRC up");
    flip(pkt, n, msg, evil, mode == E2E_SKYPE_FAITHFUL);
    struct e2e_report why;
    int rc = e2e_skype_session_decrypt(c->b, d->ctx, pkt, n, back, sizeof back, &got, NULL, &why);
    if (mode == E2E_SKYPE_FAITHFUL) {
        demo_check(d, rc == E2E_OK && got == sizeof evil - 1 && !memcmp(back, evil, got),
                   "faithful: bob accepts \"%.*s\": a CRC is no MAC (the weakness, shown)",
                   (int)got, (const char *)back);
        return 0;
    }
    demo_expect(d, rc, E2E_ERR_AUTH, "hardened: the HMAC-SHA256 tag catches the edit");
    demo_say(d, "  (check \"%s\": %s)", why.check, why.detail);
    return 0;
}

static int
replayed_handshake(struct skype_demo *s, struct call *c)
{
    struct demo *d = s->d;
    e2e_skype_handshake *hb;
    uint8_t f2[BUF];
    size_t n2 = 0;
    struct e2e_report why;
    demo_say(d, "later, the server replays alice's recorded flights 1 and 3 to bob:");
    if (!demo_ok(d, e2e_skype_handshake_new(&hb, E2E_SKYPE_RESPONDER, 0, s->bob, s->ca, NULL),
                 "bob: a new handshake") ||
        !demo_ok(d, e2e_skype_handshake_read(hb, d->ctx, c->f[0], c->n[0], NULL),
                 "bob: flight 1 replayed (it holds nothing fresh of bob's)") ||
        !demo_ok(d, e2e_skype_handshake_write(hb, d->ctx, f2, sizeof f2, &n2),
                 "bob: answers with a fresh challenge N_B'"))
        return -1;
    demo_expect(d, e2e_skype_handshake_read(hb, d->ctx, c->f[2], c->n[2], &why), E2E_ERR_AUTH,
                "bob: the old flight 3 signs f(old N_B), not f(N_B')");
    demo_say(d, "  (check \"%s\")", why.check);
    e2e_skype_handshake_free(hb);
    return 0;
}

/* ---- obfuscation ---------------------------------------------------------------------------- */

static int
obfuscation(struct skype_demo *s, struct call *c)
{
    static const uint8_t alice_ip[4] = {198, 51, 100, 7}, bob_ip[4] = {203, 0, 113, 9};
    struct demo *d = s->d;
    uint8_t pkt[256], frame[300], back[300], ivb[4];
    size_t n = 0, fn = 0, got = 0;
    if (!demo_ok(d,
                 e2e_skype_session_encrypt(c->a, d->ctx, 0, (const uint8_t *)"[voice frame]", 13,
                                           pkt, sizeof pkt, &n),
                 "alice: a voice packet") ||
        !demo_ok(d, e2e_random(d->ctx, ivb, 4), "alice: a 32-bit IV"))
        return -1;
    uint32_t iv = (uint32_t)ivb[0] << 24 | (uint32_t)ivb[1] << 16 | (uint32_t)ivb[2] << 8 | ivb[3];
    uint32_t seed = e2e_skype_udp_seed(alice_ip, bob_ip, 0x0101);
    demo_say(d,
             "UDP seed = CRC-32 of the addresses and object id: %08x; XOR IV %08x; RC4 key "
             "from it (e2ekit's stand-in for Skype's key engine)",
             seed, iv);
    if (!demo_ok(
            d,
            e2e_skype_udp_obfuscate(frame, sizeof frame, &fn, alice_ip, bob_ip, 0x0101, iv, pkt, n),
            "alice: obfuscated frame id | 02 | IV | CRC-32 | RC4(packet)"))
        return -1;
    demo_value(d, "frame", frame, fn);
    demo_ok(
        d,
        e2e_skype_udp_deobfuscate(back, sizeof back, &got, NULL, alice_ip, bob_ip, frame, fn, NULL),
        "bob: RC4 removed, CRC-32 matches");
    demo_say(d, "anyone who sees the addresses can do the same: obfuscation, not encryption");
    return 0;
}

int
demo_skype(struct demo *d)
{
    struct skype_demo s = {.d = d};
    struct call faithful, hardened;
    memset(&faithful, 0, sizeof faithful);
    memset(&hardened, 0, sizeof hardened);
    s.srv = demo_server_new(d, "server");
    int rc = s.srv ? registration(&s) : -1;
    if (!rc)
        rc = call(&s, E2E_SKYPE_FAITHFUL, &faithful);
    if (!rc)
        rc = traffic(&s, &faithful);
    if (!rc)
        rc = forgery(&s, &faithful, E2E_SKYPE_FAITHFUL);
    if (!rc)
        rc = call(&s, E2E_SKYPE_HARDENED, &hardened);
    if (!rc)
        rc = forgery(&s, &hardened, E2E_SKYPE_HARDENED);
    if (!rc)
        rc = replayed_handshake(&s, &faithful);
    if (!rc)
        rc = obfuscation(&s, &faithful);
    e2e_skype_session_free(faithful.a);
    e2e_skype_session_free(faithful.b);
    e2e_skype_session_free(hardened.a);
    e2e_skype_session_free(hardened.b);
    e2e_skype_identity_free(s.alice);
    e2e_skype_identity_free(s.bob);
    e2e_skype_ca_free(s.ca);
    e2e_skype_authority_free(s.au);
    demo_server_free(s.srv);
    return rc ? 1 : 0;
}
