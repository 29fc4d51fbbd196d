/*
 * Noise Pipes between a client and the relay: XX at first contact, IK on reconnect with the
 * pinned key, XXfallback after the relay's key changed; what the relay learns; rejections;
 * altered type bytes and frames; everything through the stream deframer in odd pieces.
 */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/noise.h>

#include "noise_helpers.h"
#include "test.h"

static struct test_ctx tc;
static const e2e_ctx *ctx;
static struct e2e_noise_keypair device, relay, relay_new;

/* One handshake frame from a to b (bodies, no length prefix); returns b's read result. */
static int
hop(e2e_noise_pipe *a, e2e_noise_pipe *b, const char *payload, char *got, uint8_t *type)
{
    uint8_t body[512], pl[256];
    size_t n, pn = 0;
    size_t len = payload ? strlen(payload) : 0;
    int rc = e2e_noise_pipe_write(a, (const uint8_t *)payload, len, body, sizeof body, &n);
    if (rc != E2E_OK)
        return rc;
    if (type)
        *type = body[0];
    rc = e2e_noise_pipe_read(b, body, n, pl, sizeof pl, &pn, NULL);
    if (got) {
        memcpy(got, pl, pn);
        got[pn] = 0;
    }
    return rc;
}

/* The relay's directory: one device key. */
static int
known_device(const uint8_t pub[32])
{
    return memcmp(pub, device.pub, 32) == 0;
}

static void
expect_ready(e2e_noise_pipe *c, e2e_noise_pipe *s)
{
    uint8_t hc[32], hs[32], buf[64], out[64];
    size_t n, on;
    CHECK_EQ(e2e_noise_pipe_state(c), E2E_NOISE_PIPE_READY);
    CHECK_EQ(e2e_noise_pipe_state(s), E2E_NOISE_PIPE_READY);
    CHECK_OK(e2e_noise_pipe_handshake_hash(c, hc));
    CHECK_OK(e2e_noise_pipe_handshake_hash(s, hs));
    CHECK_MEM(hc, hs, 32);
    CHECK_OK(e2e_noise_pipe_seal(c, buf, sizeof buf, &n, (const uint8_t *)"ping", 4));
    CHECK_EQ(n, 2 + 4 + 16);
    CHECK_EQ(buf[0] << 8 | buf[1], 20);
    CHECK_OK(e2e_noise_pipe_open(s, out, sizeof out, &on, buf + 2, n - 2, NULL));
    CHECK_MEM(out, "ping", 4);
    CHECK_OK(e2e_noise_pipe_seal(s, buf, sizeof buf, &n, (const uint8_t *)"pong", 4));
    CHECK_OK(e2e_noise_pipe_open(c, out, sizeof out, &on, buf + 2, n - 2, NULL));
    CHECK_MEM(out, "pong", 4);
}

/* First contact (XX); returns the relay key the client learned (to pin). */
static void
test_first_contact_xx(void)
{
    e2e_noise_pipe *c, *s;
    char got[256];
    uint8_t type = 0, pub[32];
    CHECK_OK(e2e_noise_pipe_client_new(&c, ctx, device.priv, NULL));
    CHECK_OK(e2e_noise_pipe_server_new(&s, ctx, relay.priv));
    CHECK_EQ(e2e_noise_pipe_mode(c), E2E_NOISE_MODE_XX);
    CHECK_OK(hop(c, s, NULL, got, &type));
    CHECK_EQ(type, E2E_NOISE_MSG_CLIENT_XX);
    CHECK_EQ(e2e_noise_pipe_state(s), E2E_NOISE_PIPE_SEND);
    CHECK_ERR(e2e_noise_pipe_peer_static(s, pub), E2E_ERR_STATE); /* not yet known */
    CHECK_OK(hop(s, c, "relay hello", got, &type));
    CHECK_EQ(type, E2E_NOISE_MSG_SERVER_XX);
    CHECK(strcmp(got, "relay hello") == 0);
    /* the client sees the relay's key and decides (trust on first use here) */
    CHECK_EQ(e2e_noise_pipe_state(c), E2E_NOISE_PIPE_AUTHORIZE);
    CHECK_OK(e2e_noise_pipe_peer_static(c, pub));
    CHECK_MEM(pub, relay.pub, 32);
    CHECK_OK(e2e_noise_pipe_authorize(c, 1));
    CHECK_OK(hop(c, s, "login", got, &type));
    CHECK_EQ(type, E2E_NOISE_MSG_CLIENT_FINISH);
    CHECK(strcmp(got, "login") == 0);
    /* the relay learns the device's static public key, authenticated, and nothing else */
    CHECK_EQ(e2e_noise_pipe_state(s), E2E_NOISE_PIPE_AUTHORIZE);
    CHECK_OK(e2e_noise_pipe_peer_static(s, pub));
    CHECK_MEM(pub, device.pub, 32);
    CHECK_ERR(e2e_noise_pipe_seal(s, (uint8_t *)got, 64, &(size_t){0}, NULL, 0), E2E_ERR_STATE);
    CHECK_OK(e2e_noise_pipe_authorize(s, known_device(pub)));
    expect_ready(c, s);
    e2e_noise_pipe_free(c);
    e2e_noise_pipe_free(s);
}

static void
test_reconnect_ik(void)
{
    e2e_noise_pipe *c, *s;
    char got[256];
    uint8_t type = 0, pub[32];
    CHECK_OK(e2e_noise_pipe_client_new(&c, ctx, device.priv, relay.pub));
    CHECK_OK(e2e_noise_pipe_server_new(&s, ctx, relay.priv));
    CHECK_EQ(e2e_noise_pipe_mode(c), E2E_NOISE_MODE_IK);
    CHECK_OK(hop(c, s, "0-RTT request", got, &type));
    CHECK_EQ(type, E2E_NOISE_MSG_CLIENT_IK);
    CHECK(strcmp(got, "0-RTT request") == 0);
    /* IK: the device key is authenticated by the first message, before the relay answers */
    CHECK_EQ(e2e_noise_pipe_state(s), E2E_NOISE_PIPE_AUTHORIZE);
    CHECK_OK(e2e_noise_pipe_peer_static(s, pub));
    CHECK_MEM(pub, device.pub, 32);
    CHECK_OK(e2e_noise_pipe_authorize(s, known_device(pub)));
    CHECK_OK(hop(s, c, "welcome back", got, &type));
    CHECK_EQ(type, E2E_NOISE_MSG_SERVER_IK);
    CHECK(strcmp(got, "welcome back") == 0);
    CHECK_OK(e2e_noise_pipe_peer_static(c, pub));
    CHECK_MEM(pub, relay.pub, 32);
    expect_ready(c, s);
    e2e_noise_pipe_free(c);
    e2e_noise_pipe_free(s);
}

static void
test_key_change_fallback(void)
{
    e2e_noise_pipe *c, *s;
    char got[256];
    uint8_t type = 0, pub[32];
    CHECK_OK(e2e_noise_pipe_client_new(&c, ctx, device.priv, relay.pub));
    CHECK_OK(e2e_noise_pipe_server_new(&s, ctx, relay_new.priv));
    CHECK_OK(hop(c, s, "0-RTT request", got, &type));
    CHECK_EQ(got[0], 0); /* unreadable: no payload */
    CHECK_EQ(e2e_noise_pipe_mode(s), E2E_NOISE_MODE_FALLBACK);
    CHECK_EQ(e2e_noise_pipe_state(s), E2E_NOISE_PIPE_SEND);
    CHECK_OK(hop(s, c, "new key", got, &type));
    CHECK_EQ(type, E2E_NOISE_MSG_SERVER_FALLBACK);
    CHECK(strcmp(got, "new key") == 0);
    CHECK_EQ(e2e_noise_pipe_mode(c), E2E_NOISE_MODE_FALLBACK);
    CHECK_EQ(e2e_noise_pipe_state(c), E2E_NOISE_PIPE_AUTHORIZE);
    CHECK_OK(e2e_noise_pipe_peer_static(c, pub));
    CHECK_MEM(pub, relay_new.pub, 32); /* the client re-pins after checking it */
    CHECK_OK(e2e_noise_pipe_authorize(c, 1));
    CHECK_OK(hop(c, s, "login again", got, &type));
    CHECK_EQ(type, E2E_NOISE_MSG_CLIENT_FINISH);
    CHECK_OK(e2e_noise_pipe_peer_static(s, pub));
    CHECK_MEM(pub, device.pub, 32);
    CHECK_OK(e2e_noise_pipe_authorize(s, 1));
    expect_ready(c, s);
    e2e_noise_pipe_free(c);
    e2e_noise_pipe_free(s);
}

/* The relay rejects a device it does not know; the client may reject a relay key. */
static void
test_rejections(void)
{
    struct e2e_noise_keypair stranger;
    e2e_noise_pipe *c, *s;
    uint8_t pub[32], buf[128];
    size_t n;
    keypair(ctx, &stranger);
    CHECK_OK(e2e_noise_pipe_client_new(&c, ctx, stranger.priv, relay.pub));
    CHECK_OK(e2e_noise_pipe_server_new(&s, ctx, relay.priv));
    CHECK_OK(hop(c, s, NULL, NULL, NULL));
    CHECK_OK(e2e_noise_pipe_peer_static(s, pub));
    CHECK(!known_device(pub));
    CHECK_OK(e2e_noise_pipe_authorize(s, 0));
    CHECK_EQ(e2e_noise_pipe_state(s), E2E_NOISE_PIPE_FAILED);
    CHECK_ERR(e2e_noise_pipe_write(s, NULL, 0, buf, sizeof buf, &n), E2E_ERR_STATE);
    CHECK_ERR(e2e_noise_pipe_peer_static(s, pub), E2E_ERR_STATE);
    CHECK(e2e_noise_pipe_transport(s) == NULL);
    e2e_noise_pipe_free(c);
    e2e_noise_pipe_free(s);
    /* XX client refusing the relay's key */
    CHECK_OK(e2e_noise_pipe_client_new(&c, ctx, device.priv, NULL));
    CHECK_OK(e2e_noise_pipe_server_new(&s, ctx, relay.priv));
    CHECK_OK(hop(c, s, NULL, NULL, NULL));
    CHECK_OK(hop(s, c, NULL, NULL, NULL));
    CHECK_ERR(e2e_noise_pipe_authorize(s, 1), E2E_ERR_STATE);
    CHECK_OK(e2e_noise_pipe_authorize(c, 0));
    CHECK_EQ(e2e_noise_pipe_state(c), E2E_NOISE_PIPE_FAILED);
    CHECK_ERR(e2e_noise_pipe_write(c, NULL, 0, buf, sizeof buf, &n), E2E_ERR_STATE);
    e2e_noise_pipe_free(c);
    e2e_noise_pipe_free(s);
}

/* Type bytes: unknown, out of order, or swapped by an attacker. */
static void
test_type_bytes(void)
{
    e2e_noise_pipe *c, *s;
    uint8_t body[512], pl[256];
    size_t n, pn;
    struct e2e_report why;
    /* the relay receives an unknown first type, a finish first, an empty frame */
    static const uint8_t firsts[] = {0x00, 0x03, E2E_NOISE_MSG_CLIENT_FINISH,
                                     E2E_NOISE_MSG_SERVER_IK};
    for (size_t i = 0; i < sizeof firsts; i++) {
        CHECK_OK(e2e_noise_pipe_client_new(&c, ctx, device.priv, relay.pub));
        CHECK_OK(e2e_noise_pipe_server_new(&s, ctx, relay.priv));
        CHECK_OK(e2e_noise_pipe_write(c, NULL, 0, body, sizeof body, &n));
        body[0] = firsts[i];
        CHECK_ERR(e2e_noise_pipe_read(s, body, n, pl, sizeof pl, &pn, &why), E2E_ERR_PROTOCOL);
        CHECK(strcmp(why.check, "type") == 0);
        CHECK_EQ(e2e_noise_pipe_state(s), E2E_NOISE_PIPE_FAILED);
        e2e_noise_pipe_free(c);
        e2e_noise_pipe_free(s);
    }
    CHECK_OK(e2e_noise_pipe_server_new(&s, ctx, relay.priv));
    CHECK_ERR(e2e_noise_pipe_read(s, body, 0, pl, sizeof pl, &pn, NULL), E2E_ERR_MALFORMED);
    e2e_noise_pipe_free(s);
    /* CLIENT_XX relabelled CLIENT_IK (and back): the prologue and pattern differ */
    CHECK_OK(e2e_noise_pipe_client_new(&c, ctx, device.priv, relay.pub));
    CHECK_OK(e2e_noise_pipe_server_new(&s, ctx, relay.priv));
    CHECK_OK(e2e_noise_pipe_write(c, NULL, 0, body, sizeof body, &n));
    body[0] = E2E_NOISE_MSG_CLIENT_XX; /* an IK message read as XX message 1 (e + payload) */
    CHECK_OK(e2e_noise_pipe_read(s, body, n, pl, sizeof pl, &pn, NULL));
    CHECK_OK(e2e_noise_pipe_write(s, NULL, 0, body, sizeof body, &n));
    /* the client expects an IK answer: a SERVER_XX frame is refused */
    CHECK_ERR(e2e_noise_pipe_read(c, body, n, pl, sizeof pl, &pn, NULL), E2E_ERR_PROTOCOL);
    e2e_noise_pipe_free(c);
    e2e_noise_pipe_free(s);
    /* SERVER_IK relabelled SERVER_FALLBACK: the client's XXfallback read fails */
    CHECK_OK(e2e_noise_pipe_client_new(&c, ctx, device.priv, relay.pub));
    CHECK_OK(e2e_noise_pipe_server_new(&s, ctx, relay.priv));
    CHECK_OK(hop(c, s, NULL, NULL, NULL));
    CHECK_OK(e2e_noise_pipe_authorize(s, 1));
    CHECK_OK(e2e_noise_pipe_write(s, NULL, 0, body, sizeof body, &n));
    body[0] = E2E_NOISE_MSG_SERVER_FALLBACK;
    CHECK_ERR(e2e_noise_pipe_read(c, body, n, pl, sizeof pl, &pn, NULL), E2E_ERR_MALFORMED);
    CHECK_EQ(e2e_noise_pipe_state(c), E2E_NOISE_PIPE_FAILED);
    e2e_noise_pipe_free(c);
    e2e_noise_pipe_free(s);
}

/* Every byte of the client's IK frame altered in transit: the relay falls back (or fails), and
 * the handshake never completes with an altered first message's e. */
static void
test_ik_frame_altered(void)
{
    uint8_t orig[512], body[512], pl[256];
    size_t n, pn;
    long completed = 0, cases = 0;
    struct test_ctx t;
    for (size_t i = 0; i < 1 + 96; i++) {
        e2e_noise_pipe *c, *s;
        e2e_ctx *cx = test_ctx_new(&t, 77);
        CHECK_OK(e2e_noise_pipe_client_new(&c, cx, device.priv, relay.pub));
        CHECK_OK(e2e_noise_pipe_server_new(&s, cx, relay.priv));
        CHECK_OK(e2e_noise_pipe_write(c, NULL, 0, orig, sizeof orig, &n));
        memcpy(body, orig, n);
        body[i] ^= 0x04;
        int rc = e2e_noise_pipe_read(s, body, n, pl, sizeof pl, &pn, NULL);
        cases++;
        if (rc == E2E_OK && e2e_noise_pipe_state(s) == E2E_NOISE_PIPE_SEND) {
            /* the relay switched to XXfallback; the client must not accept its answer if the
             * altered byte was in the e the relay took */
            rc = hop(s, c, NULL, NULL, NULL);
            if (rc == E2E_OK) {
                CHECK(i > 32); /* outside the type byte and e */
                completed++;
                CHECK_OK(e2e_noise_pipe_authorize(c, 1));
                CHECK_OK(hop(c, s, NULL, NULL, NULL));
                CHECK_OK(e2e_noise_pipe_authorize(s, 1));
                expect_ready(c, s);
            } else {
                CHECK_ERR(rc, E2E_ERR_AUTH);
                CHECK_EQ(e2e_noise_pipe_state(c), E2E_NOISE_PIPE_FAILED);
            }
        } else {
            CHECK(rc != E2E_OK);
            CHECK_EQ(e2e_noise_pipe_state(s), E2E_NOISE_PIPE_FAILED);
        }
        e2e_noise_pipe_free(c);
        e2e_noise_pipe_free(s);
        test_ctx_free(&t);
    }
    CHECK_EQ(completed, 96 - 32); /* every byte after e: a full XXfallback instead of IK */
    test_note("%ld altered IK frames: %ld completed through XXfallback", cases, completed);
}

/* Both directions through the deframer, the stream cut into odd pieces. */
static void
test_stream(void)
{
    e2e_noise_pipe *c, *s;
    uint8_t frame[600], *stream = malloc(1 << 16), dbuf[1024], pl[1024];
    size_t n, len = 0;
    CHECK_OK(e2e_noise_pipe_client_new(&c, ctx, device.priv, relay.pub));
    CHECK_OK(e2e_noise_pipe_server_new(&s, ctx, relay.priv));
    /* client -> relay: the IK frame then, after the answer, 50 transport frames */
    CHECK_OK(e2e_noise_pipe_write(c, NULL, 0, frame + 2, sizeof frame - 2, &n));
    CHECK_OK(e2e_noise_frame_write(stream, 1 << 16, &len, frame + 2, n));
    struct e2e_noise_deframer d;
    CHECK_OK(e2e_noise_deframer_init(&d, dbuf, sizeof dbuf));
    size_t pos = 0, frames = 0;
    while (pos < len) {
        const uint8_t *f;
        size_t fl, used, pn;
        size_t k = pos + 3 <= len ? 3 : len - pos;
        int rc = e2e_noise_deframer_push(&d, stream + pos, k, &used, &f, &fl);
        pos += used;
        if (rc == 1) {
            CHECK_OK(e2e_noise_pipe_read(s, f, fl, pl, sizeof pl, &pn, NULL));
            frames++;
        }
    }
    CHECK_EQ(frames, 1);
    CHECK_OK(e2e_noise_pipe_authorize(s, 1));
    CHECK_OK(hop(s, c, NULL, NULL, NULL));
    len = 0;
    for (int i = 0; i < 50; i++) {
        CHECK_OK(e2e_noise_pipe_seal(c, stream + len, (1 << 16) - len, &n, pl, (size_t)i * 13));
        len += n;
    }
    pos = frames = 0;
    for (size_t step = 0; pos < len; step++) {
        size_t k = 1 + (step * 31) % 97;
        if (k > len - pos)
            k = len - pos;
        const uint8_t *p = stream + pos;
        pos += k;
        while (k) {
            const uint8_t *f;
            size_t fl, used, on;
            int rc = e2e_noise_deframer_push(&d, p, k, &used, &f, &fl);
            CHECK(rc >= 0);
            p += used;
            k -= used;
            if (rc == 1) {
                CHECK_OK(e2e_noise_pipe_open(s, pl, sizeof pl, &on, f, fl, NULL));
                CHECK_EQ(on, frames * 13);
                frames++;
            }
        }
    }
    CHECK_EQ(frames, 50);
    free(stream);
    e2e_noise_pipe_free(c);
    e2e_noise_pipe_free(s);
}

int
main(void)
{
    ctx = test_ctx_new(&tc, 21);
    keypair(ctx, &device);
    keypair(ctx, &relay);
    keypair(ctx, &relay_new);
    RUN(test_first_contact_xx);
    RUN(test_reconnect_ik);
    RUN(test_key_change_fallback);
    RUN(test_rejections);
    RUN(test_type_bytes);
    RUN(test_ik_frame_altered);
    RUN(test_stream);
    test_ctx_free(&tc);
    return test_finish();
}
