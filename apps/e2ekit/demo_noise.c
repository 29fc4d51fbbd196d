/*
 * The demo's noise chapter: a phone connects to the (simulated) relay with Noise Pipes. XX at
 * first contact, IK when it reconnects with the relay's key pinned, XXfallback after the relay
 * changed its key. The frames travel through the demo server as opaque bytes.
 */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/noise.h>

#include "demo.h"

/* The relay's side: its static key and its directory of device public keys. */
struct relay_sim {
    struct e2e_noise_keypair key;
    uint8_t devices[4][32];
    size_t ndevices;
};

static const char *
type_name(uint8_t t)
{
    switch (t) {
    case E2E_NOISE_MSG_CLIENT_XX:
        return "CLIENT_XX (XX message 1)";
    case E2E_NOISE_MSG_CLIENT_IK:
        return "CLIENT_IK (IK message 1)";
    case E2E_NOISE_MSG_SERVER_XX:
        return "SERVER_XX (XX message 2)";
    case E2E_NOISE_MSG_SERVER_IK:
        return "SERVER_IK (IK message 2)";
    case E2E_NOISE_MSG_SERVER_FALLBACK:
        return "SERVER_FALLBACK (XXfallback message 1)";
    default:
        return "CLIENT_FINISH (last handshake message)";
    }
}

/* One handshake frame from `from` to `to`, through the demo server, read by `rx`. */
static int
handshake_hop(struct demo *d, struct demo_server *srv, e2e_noise_pipe *tx, e2e_noise_pipe *rx,
              const char *from, const char *to, const char *payload, char *got)
{
    uint8_t body[512], frame[520], *p = NULL, pl[256];
    size_t n, fn, pn = 0, len = strlen(payload);
    const char *sender;
    int rc = e2e_noise_pipe_write(tx, (const uint8_t *)payload, len, body, sizeof body, &n);
    if (rc == E2E_OK)
        rc = e2e_noise_frame_write(frame, sizeof frame, &fn, body, n);
    if (rc != E2E_OK)
        return demo_ok(d, rc, "write a handshake frame") ? rc : rc;
    demo_say(d, "%s -> %s: %s, %zu-byte Noise message%s%s%s", from, to, type_name(body[0]), n - 1,
             len ? " carrying \"" : "", len ? payload : "", len ? "\"" : "");
    if ((rc = demo_server_post(srv, from, to, frame, fn)) != E2E_OK ||
        (rc = demo_server_take(srv, to, 0, &p, &n, &sender)) != E2E_OK)
        return rc;
    struct e2e_noise_deframer df;
    const uint8_t *f = NULL;
    size_t used, fl = 0;
    rc = e2e_noise_deframer_init(&df, body, sizeof body);
    if (rc == E2E_OK && e2e_noise_deframer_push(&df, p, n, &used, &f, &fl) != 1)
        rc = E2E_ERR_MALFORMED;
    if (rc == E2E_OK)
        rc = e2e_noise_pipe_read(rx, f, fl, pl, sizeof pl - 1, &pn, NULL);
    free(p);
    if (got) {
        memcpy(got, pl, rc == E2E_OK ? pn : 0);
        got[rc == E2E_OK ? pn : 0] = 0;
    }
    return rc;
}

/* The relay looks the authenticated device key up in its directory. */
static int
relay_authorize(struct demo *d, struct relay_sim *r, e2e_noise_pipe *relay, int expect_known)
{
    uint8_t pub[32];
    int rc = e2e_noise_pipe_peer_static(relay, pub);
    if (!demo_ok(d, rc, "the relay has the device's authenticated static public key"))
        return rc;
    demo_value(d, "device key seen by the relay", pub, 32);
    int known = 0;
    for (size_t i = 0; i < r->ndevices; i++)
        known |= memcmp(r->devices[i], pub, 32) == 0;
    demo_check(d, known == expect_known, "relay directory lookup: %s",
               known ? "a registered device, accepted" : "unknown key, rejected");
    return e2e_noise_pipe_authorize(relay, known);
}

static void
show_ready(struct demo *d, e2e_noise_pipe *c, e2e_noise_pipe *s, struct demo_server *srv)
{
    uint8_t hc[32], hs[32], frame[64], out[64];
    size_t n, on;
    demo_check(d,
               e2e_noise_pipe_state(c) == E2E_NOISE_PIPE_READY &&
                   e2e_noise_pipe_state(s) == E2E_NOISE_PIPE_READY,
               "both sides are in transport mode");
    if (e2e_noise_pipe_handshake_hash(c, hc) != E2E_OK ||
        e2e_noise_pipe_handshake_hash(s, hs) != E2E_OK)
        return;
    demo_value(d, "handshake hash (channel binding)", hc, 32);
    demo_check(d, memcmp(hc, hs, 32) == 0, "phone and relay have the same handshake hash");
    if (demo_ok(d, e2e_noise_pipe_seal(c, frame, sizeof frame, &n, (const uint8_t *)"sync", 4),
                "phone seals a 4-byte request into a transport frame")) {
        (void)demo_server_post(srv, "phone", "relay", frame, n);
        int rc = e2e_noise_pipe_open(s, out, sizeof out, &on, frame + 2, n - 2, NULL);
        demo_check(d, rc == E2E_OK && on == 4 && memcmp(out, "sync", 4) == 0,
                   "relay opens it: \"sync\"");
        demo_expect(d, e2e_noise_pipe_open(s, out, sizeof out, &on, frame + 2, n - 2, NULL),
                    E2E_ERR_AUTH, "the same frame replayed");
        uint8_t *p;
        size_t pn;
        if (demo_server_take(srv, "relay", 0, &p, &pn, NULL) == E2E_OK)
            free(p);
    }
}

static int
connect_xx(struct demo *d, struct relay_sim *r, const uint8_t device[32], uint8_t pin[32],
           struct demo_server *srv)
{
    e2e_noise_pipe *c, *s;
    char got[256];
    demo_say(d, "%s", "");
    demo_say(d, "1. First contact: the phone knows no relay key, so it runs Noise_XX.");
    if (!demo_ok(d, e2e_noise_pipe_client_new(&c, d->ctx, device, NULL), "phone pipe (XX)"))
        return 1;
    if (!demo_ok(d, e2e_noise_pipe_server_new(&s, d->ctx, r->key.priv), "relay pipe")) {
        e2e_noise_pipe_free(c);
        return 1;
    }
    demo_ok(d, handshake_hop(d, srv, c, s, "phone", "relay", "", NULL), "relay reads e");
    demo_ok(d, handshake_hop(d, srv, s, c, "relay", "phone", "relay e2ekit/1", got),
            "phone reads e, ee, s, es");
    if (e2e_noise_pipe_peer_static(c, pin) == E2E_OK) {
        demo_value(d, "relay static key received by the phone", pin, 32);
        demo_check(d, memcmp(pin, r->key.pub, 32) == 0, "it is the relay's key; the phone pins it");
    }
    demo_ok(d, e2e_noise_pipe_authorize(c, 1), "phone accepts the relay key");
    demo_ok(d, handshake_hop(d, srv, c, s, "phone", "relay", "login alice/phone", got),
            "relay reads s, se and the login payload");
    relay_authorize(d, r, s, 1);
    show_ready(d, c, s, srv);
    e2e_noise_pipe_free(c);
    e2e_noise_pipe_free(s);
    return 0;
}

static int
connect_ik(struct demo *d, struct relay_sim *r, const uint8_t device[32], uint8_t pin[32],
           struct demo_server *srv, int key_changed, int known)
{
    e2e_noise_pipe *c, *s;
    char got[256];
    if (!demo_ok(d, e2e_noise_pipe_client_new(&c, d->ctx, device, pin), "phone pipe (IK, pinned)"))
        return 1;
    if (!demo_ok(d, e2e_noise_pipe_server_new(&s, d->ctx, r->key.priv), "relay pipe")) {
        e2e_noise_pipe_free(c);
        return 1;
    }
    demo_ok(d, handshake_hop(d, srv, c, s, "phone", "relay", "0-RTT: fetch queue", got),
            key_changed ? "relay processes the IK message" : "relay reads e, es, s, ss, payload");
    if (key_changed) {
        demo_check(d, e2e_noise_pipe_mode(s) == E2E_NOISE_MODE_FALLBACK && got[0] == 0,
                   "the relay cannot decrypt it (its key changed): it switches to XXfallback "
                   "and the 0-RTT payload is not read");
        demo_ok(d, handshake_hop(d, srv, s, c, "relay", "phone", "relay e2ekit/1, new key", got),
                "phone re-initialises as XXfallback responder, reads e, ee, s, se");
        uint8_t seen[32];
        if (e2e_noise_pipe_peer_static(c, seen) == E2E_OK) {
            demo_value(d, "new relay key", seen, 32);
            demo_check(d, memcmp(seen, pin, 32) != 0 && memcmp(seen, r->key.pub, 32) == 0,
                       "the phone sees the relay's new key (it would check it against the "
                       "relay's certificate here) and re-pins it");
            memcpy(pin, seen, 32);
        }
        demo_ok(d, e2e_noise_pipe_authorize(c, 1), "phone accepts the new relay key");
        demo_ok(d, handshake_hop(d, srv, c, s, "phone", "relay", "login alice/phone", got),
                "relay reads s, es and the login payload");
        relay_authorize(d, r, s, 1);
    } else {
        relay_authorize(d, r, s, known);
        if (known)
            demo_ok(d, handshake_hop(d, srv, s, c, "relay", "phone", "welcome back", got),
                    "phone reads e, ee, se: one round trip, and the request went in the first");
        else
            demo_check(d, e2e_noise_pipe_state(s) == E2E_NOISE_PIPE_FAILED,
                       "the relay closes the connection; its pipe is wiped");
    }
    if (known)
        show_ready(d, c, s, srv);
    e2e_noise_pipe_free(c);
    e2e_noise_pipe_free(s);
    return 0;
}

int
demo_noise(struct demo *d)
{
    struct relay_sim r;
    struct e2e_noise_keypair device, stranger;
    uint8_t pin[32];
    memset(&r, 0, sizeof r);
    demo_say(d, "Noise Pipes with 25519, AES-GCM and SHA-256 (Noise revision 34), as WhatsApp");
    demo_say(d, "runs its client <-> server transport. Each handshake frame has one type byte");
    demo_say(d,
             "before the Noise message; frames carry a 2-byte length (docs/protocols/noise.md).");
    if (!demo_ok(d, e2e_noise_keypair_generate(&device, d->ctx), "phone's device key") ||
        !demo_ok(d, e2e_noise_keypair_generate(&r.key, d->ctx), "relay's static key") ||
        !demo_ok(d, e2e_noise_keypair_generate(&stranger, d->ctx), "a stranger's key"))
        return 1;
    memcpy(r.devices[r.ndevices++], device.pub, 32);
    demo_value(d, "phone device public key (its login credential)", device.pub, 32);
    demo_value(d, "relay static public key", r.key.pub, 32);
    demo_say(d, "At registration the relay stored only the phone's public key (32 bytes).");
    struct demo_server *srv = demo_server_new(d, "network");
    if (!srv)
        return 1;
    int rc = connect_xx(d, &r, device.priv, pin, srv);
    if (!rc) {
        demo_say(d, "%s", "");
        demo_say(d, "2. Reconnect: the phone pinned the relay key, so it runs Noise_IK.");
        rc = connect_ik(d, &r, device.priv, pin, srv, 0, 1);
    }
    if (!rc) {
        demo_say(d, "%s", "");
        demo_say(d, "3. The relay rotates its static key. The phone still pins the old one.");
        r.key = (struct e2e_noise_keypair){{0}, {0}};
        if (!demo_ok(d, e2e_noise_keypair_generate(&r.key, d->ctx), "relay's new static key"))
            rc = 1;
        else
            rc = connect_ik(d, &r, device.priv, pin, srv, 1, 1);
    }
    if (!rc) {
        demo_say(d, "%s", "");
        demo_say(d, "4. A device the relay does not know tries IK with the right relay key.");
        rc = connect_ik(d, &r, stranger.priv, pin, srv, 0, 0);
    }
    demo_server_free(srv);
    e2e_wipe(&device, sizeof device);
    e2e_wipe(&stranger, sizeof stranger);
    e2e_wipe(&r, sizeof r);
    return rc;
}
