/*
 * Skype session crypto: AES-256 ICM packets on several streams, the faithful CRC trailer and
 * its weakness (a crafted bit-flip passes), the hardened HMAC tag, replay windows, lifetimes
 * and persistence.
 */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/skype.h>

#include "test.h"

static struct e2e_skype_session_params
params(int mode, int role)
{
    struct e2e_skype_session_params p;
    memset(&p, 0, sizeof p);
    p.mode = mode;
    p.role = role;
    for (int i = 0; i < 16; i++) {
        p.half_a[i] = (uint8_t)(0x10 + i);
        p.half_b[i] = (uint8_t)(0xA0 + i);
    }
    memcpy(p.salt_a, "\x01\x02\x03\x04", 4);
    memcpy(p.salt_b, "\xF1\xF2\xF3\xF4", 4);
    for (int i = 0; i < 32; i++)
        p.transcript[i] = (uint8_t)(0x55 ^ i);
    return p;
}

/* An initiator and a responder session of one mode. */
static void
pair(int mode, e2e_skype_session **a, e2e_skype_session **b)
{
    struct e2e_skype_session_params pa = params(mode, E2E_SKYPE_INITIATOR);
    struct e2e_skype_session_params pb = params(mode, E2E_SKYPE_RESPONDER);
    CHECK_OK(e2e_skype_session_new(a, &pa));
    CHECK_OK(e2e_skype_session_new(b, &pb));
}

/* The serialized form, to show that a failed operation changed nothing. */
static size_t
snapshot(const e2e_skype_session *s, uint8_t *buf, size_t cap)
{
    size_t n = 0;
    CHECK_OK(e2e_skype_session_serialize(s, buf, cap, &n));
    return n;
}

static void
test_round_trip_both_modes_both_directions(void)
{
    static const int modes[2] = {E2E_SKYPE_FAITHFUL, E2E_SKYPE_HARDENED};
    for (int m = 0; m < 2; m++) {
        e2e_skype_session *a, *b;
        pair(modes[m], &a, &b);
        CHECK_EQ(e2e_skype_session_overhead(a), m ? 22 : 8);
        uint8_t pt[1500], pkt[1600], back[1600];
        for (size_t i = 0; i < sizeof pt; i++)
            pt[i] = (uint8_t)(i * 13 + 7);
        for (unsigned stream = 0; stream < 3; stream++) {
            for (size_t n = 0; n < sizeof pt; n += 97) {
                size_t len = 0, got = 0;
                unsigned st = 99;
                CHECK_OK(e2e_skype_session_encrypt(a, NULL, stream, pt, n, pkt, sizeof pkt, &len));
                CHECK_EQ(len, n + e2e_skype_session_overhead(a));
                CHECK_OK(e2e_skype_session_decrypt(b, NULL, pkt, len, back, sizeof back, &got, &st,
                                                   NULL));
                CHECK_EQ(got, n);
                CHECK_EQ(st, stream);
                CHECK_MEM(back, pt, n);
                /* and back from B to A */
                CHECK_OK(e2e_skype_session_encrypt(b, NULL, stream, pt, n, pkt, sizeof pkt, &len));
                CHECK_OK(e2e_skype_session_decrypt(a, NULL, pkt, len, back, sizeof back, &got, &st,
                                                   NULL));
                CHECK_MEM(back, pt, n);
            }
        }
        /* in place: the payload decrypts where it lies */
        size_t len = 0, got = 0;
        CHECK_OK(e2e_skype_session_encrypt(a, NULL, 5, pt, 300, pkt, sizeof pkt, &len));
        CHECK_OK(e2e_skype_session_decrypt(b, NULL, pkt, len, pkt + E2E_SKYPE_HEADER_BYTES, 300,
                                           &got, NULL, NULL));
        CHECK_MEM(pkt + E2E_SKYPE_HEADER_BYTES, pt, 300);
        e2e_skype_session_free(a);
        e2e_skype_session_free(b);
    }
}

/* The wire layout is Berson's buffer: ICM under the counter block salt:salt:index:block. */
static void
test_layout_matches_icm_and_crc(void)
{
    struct e2e_skype_session_params p = params(E2E_SKYPE_FAITHFUL, E2E_SKYPE_INITIATOR);
    e2e_skype_session *a;
    CHECK_OK(e2e_skype_session_new(&a, &p));
    uint8_t pt[100], pkt[200], key[32], block0[16], ks[100];
    size_t len = 0;
    memset(pt, 0, sizeof pt);
    CHECK_OK(e2e_skype_session_encrypt(a, NULL, 2, pt, 1, pkt, sizeof pkt, &len)); /* seq 0 */
    CHECK_OK(e2e_skype_session_encrypt(a, NULL, 2, pt, sizeof pt, pkt, sizeof pkt, &len));
    /* header = packet_index 00 02 | 00 00 00 01 */
    CHECK_HEX(pkt, 6, "000200000001");
    memcpy(key, p.half_a, 16);
    memcpy(key + 16, p.half_b, 16);
    e2e_aes_key k;
    CHECK_OK(e2e_aes_setkey(&k, key, 32));
    e2e_skype_icm_block0(block0, p.salt_a, p.salt_b, e2e_skype_packet_index(2, 1));
    CHECK_HEX(block0, 16, "01020304f1f2f3f40002000000010000");
    memset(ks, 0, sizeof ks);
    CHECK_OK(e2e_aes_icm_xor(&k, block0, ks, sizeof ks, ks));
    CHECK_MEM(pkt + 6, ks, sizeof ks); /* zeros encrypt to the keystream */
    uint16_t t = e2e_skype_crc_trailer(pkt + 6, sizeof pt, e2e_skype_packet_index(2, 1));
    CHECK_EQ(pkt[106] << 8 | pkt[107], t);
    uint32_t crc = e2e_skype_crc32(0xFFFFFFFFu, pkt + 6, sizeof pt);
    CHECK_EQ(t, (crc ^ 1u) & 0xFFFF);
    e2e_skype_session_free(a);
}

static void
test_streams_do_not_share_counters(void)
{
    e2e_skype_session *a, *b;
    pair(E2E_SKYPE_FAITHFUL, &a, &b);
    uint8_t pt[64], p0[100], p1[100], p2[100];
    size_t l0 = 0, l1 = 0, l2 = 0;
    memset(pt, 0, sizeof pt);
    CHECK_OK(e2e_skype_session_encrypt(a, NULL, 0, pt, sizeof pt, p0, sizeof p0, &l0));
    CHECK_OK(e2e_skype_session_encrypt(a, NULL, 1, pt, sizeof pt, p1, sizeof p1, &l1));
    CHECK_OK(e2e_skype_session_encrypt(a, NULL, 0, pt, sizeof pt, p2, sizeof p2, &l2));
    /* both streams start at sequence 0, yet their keystreams differ */
    CHECK_HEX(p0, 6, "000000000000");
    CHECK_HEX(p1, 6, "000100000000");
    CHECK_HEX(p2, 6, "000000000001");
    CHECK(memcmp(p0 + 6, p1 + 6, sizeof pt) != 0);
    CHECK(memcmp(p0 + 6, p2 + 6, sizeof pt) != 0);
    CHECK(memcmp(p1 + 6, p2 + 6, sizeof pt) != 0);
    CHECK_EQ(e2e_skype_session_next_seq(a, 0), 2);
    CHECK_EQ(e2e_skype_session_next_seq(a, 1), 1);
    CHECK_EQ(e2e_skype_session_next_seq(a, 2), 0);
    /* each stream has its own replay window: sequence 0 is fresh on stream 1 after stream 0 */
    uint8_t back[100];
    size_t got = 0;
    CHECK_OK(e2e_skype_session_decrypt(b, NULL, p0, l0, back, sizeof back, &got, NULL, NULL));
    CHECK_OK(e2e_skype_session_decrypt(b, NULL, p1, l1, back, sizeof back, &got, NULL, NULL));
    CHECK_ERR(e2e_skype_session_decrypt(b, NULL, p0, l0, back, sizeof back, &got, NULL, NULL),
              E2E_ERR_DUPLICATE);
    e2e_skype_session_free(a);
    e2e_skype_session_free(b);
}

/*
 * The weakness, demonstrated: Skype's trailer is a CRC, which is affine in its input, and the
 * payload is a stream cipher, so flipping plaintext bits through the keystream and fixing the
 * CRC up needs neither key nor plaintext:
 *   crc(c ^ d) = crc(c) ^ crc(d) ^ crc(0^n)   for equal-length c, d.
 * The attacker XORs d into the ciphertext and crc(d) ^ crc(0^n) into the trailer.
 */
static void
flip_with_crc_fixup(uint8_t *pkt, size_t len, const uint8_t *delta, size_t off, size_t dn)
{
    size_t ct_len = len - E2E_SKYPE_HEADER_BYTES - E2E_SKYPE_CRC_BYTES;
    uint8_t *d = calloc(1, ct_len), *zero = calloc(1, ct_len);
    memcpy(d + off, delta, dn);
    for (size_t i = 0; i < ct_len; i++)
        pkt[E2E_SKYPE_HEADER_BYTES + i] ^= d[i];
    uint32_t fix =
        e2e_skype_crc32(0xFFFFFFFFu, d, ct_len) ^ e2e_skype_crc32(0xFFFFFFFFu, zero, ct_len);
    pkt[len - 2] ^= (uint8_t)(fix >> 8);
    pkt[len - 1] ^= (uint8_t)fix;
    free(d);
    free(zero);
}

static void
test_crafted_bitflip_passes_faithful_crc_not_hardened_mac(void)
{
    static const char msg[] = "transfer 100 EUR to bob.jones";
    static const char want[] = "transfer 900 EUR to eve.smith";
    uint8_t delta[sizeof msg];
    for (size_t i = 0; i < sizeof msg; i++)
        delta[i] = (uint8_t)(msg[i] ^ want[i]);
    static const int modes[2] = {E2E_SKYPE_FAITHFUL, E2E_SKYPE_HARDENED};
    for (int m = 0; m < 2; m++) {
        e2e_skype_session *a, *b;
        pair(modes[m], &a, &b);
        uint8_t pkt[128], back[128], before[1024], after[1024];
        size_t len = 0, got = 0;
        CHECK_OK(e2e_skype_session_encrypt(a, NULL, 0, (const uint8_t *)msg, sizeof msg, pkt,
                                           sizeof pkt, &len));
        if (modes[m] == E2E_SKYPE_FAITHFUL) {
            flip_with_crc_fixup(pkt, len, delta, 0, sizeof delta);
            CHECK_OK(
                e2e_skype_session_decrypt(b, NULL, pkt, len, back, sizeof back, &got, NULL, NULL));
            CHECK_EQ(got, sizeof want);
            CHECK_MEM(back, want, sizeof want); /* accepted: the CRC could not tell */
        } else {
            /* the same edit on the hardened packet (its trailer is a tag, so only the
             * ciphertext is edited): rejected, and nothing changes */
            for (size_t i = 0; i < sizeof delta; i++)
                pkt[E2E_SKYPE_HEADER_BYTES + i] ^= delta[i];
            size_t bn = snapshot(b, before, sizeof before);
            struct e2e_report why;
            CHECK_ERR(
                e2e_skype_session_decrypt(b, NULL, pkt, len, back, sizeof back, &got, NULL, &why),
                E2E_ERR_AUTH);
            CHECK(strcmp(why.check, "mac") == 0);
            CHECK_EQ(snapshot(b, after, sizeof after), bn);
            CHECK_MEM(after, before, bn);
        }
        e2e_skype_session_free(a);
        e2e_skype_session_free(b);
    }
}

/* Random damage is what a CRC is for: every changed ciphertext or trailer byte is caught. */
static void
test_faithful_crc_catches_accidental_damage(void)
{
    e2e_skype_session *a, *b;
    pair(E2E_SKYPE_FAITHFUL, &a, &b);
    uint8_t pt[200], pkt[256], bad[256], back[256];
    size_t len = 0, got = 0;
    for (size_t i = 0; i < sizeof pt; i++)
        pt[i] = (uint8_t)i;
    CHECK_OK(e2e_skype_session_encrypt(a, NULL, 0, pt, sizeof pt, pkt, sizeof pkt, &len));
    for (size_t i = 4; i < len; i++) { /* the low 16 bits of the index and everything after */
        for (int bit = 0; bit < 8; bit++) {
            memcpy(bad, pkt, len);
            bad[i] ^= (uint8_t)(1u << bit);
            struct e2e_report why;
            CHECK_ERR(
                e2e_skype_session_decrypt(b, NULL, bad, len, back, sizeof back, &got, NULL, &why),
                E2E_ERR_AUTH);
        }
    }
    CHECK_OK(e2e_skype_session_decrypt(b, NULL, pkt, len, back, sizeof back, &got, NULL, NULL));
    e2e_skype_session_free(a);
    e2e_skype_session_free(b);
}

/*
 * A second faithful weakness: only the low 16 bits of packet_index enter the trailer, so the
 * stream number and the high half of the sequence number can be changed unnoticed. The packet
 * then decrypts under another counter block: accepted garbage on another stream.
 */
static void
test_faithful_trailer_does_not_cover_the_stream(void)
{
    static const int modes[2] = {E2E_SKYPE_FAITHFUL, E2E_SKYPE_HARDENED};
    for (int m = 0; m < 2; m++) {
        e2e_skype_session *a, *b;
        pair(modes[m], &a, &b);
        uint8_t pt[32], pkt[64], back[64];
        size_t len = 0, got = 0;
        unsigned stream = 99;
        memset(pt, 'A', sizeof pt);
        CHECK_OK(e2e_skype_session_encrypt(a, NULL, 0, pt, sizeof pt, pkt, sizeof pkt, &len));
        pkt[1] ^= 3; /* stream 0 -> stream 3 */
        int rc =
            e2e_skype_session_decrypt(b, NULL, pkt, len, back, sizeof back, &got, &stream, NULL);
        if (modes[m] == E2E_SKYPE_FAITHFUL) {
            CHECK_OK(rc);
            CHECK_EQ(stream, 3);
            CHECK(memcmp(back, pt, sizeof pt) != 0);
        } else {
            CHECK_ERR(rc, E2E_ERR_AUTH);
        }
        e2e_skype_session_free(a);
        e2e_skype_session_free(b);
    }
}

/* Every single-bit change anywhere in a hardened packet is rejected, state untouched. */
static void
test_hardened_rejects_every_bit(void)
{
    e2e_skype_session *a, *b;
    pair(E2E_SKYPE_HARDENED, &a, &b);
    uint8_t pt[40], pkt[128], bad[128], back[128], before[1024], after[1024];
    size_t len = 0, got = 0;
    memset(pt, 0x5A, sizeof pt);
    CHECK_OK(e2e_skype_session_encrypt(a, NULL, 1, pt, sizeof pt, pkt, sizeof pkt, &len));
    size_t bn = snapshot(b, before, sizeof before);
    for (size_t i = 0; i < len; i++) {
        for (int bit = 0; bit < 8; bit++) {
            memcpy(bad, pkt, len);
            bad[i] ^= (uint8_t)(1u << bit);
            int rc =
                e2e_skype_session_decrypt(b, NULL, bad, len, back, sizeof back, &got, NULL, NULL);
            /* the stream byte may name a stream that does not exist: malformed, not auth */
            CHECK(rc == E2E_ERR_AUTH || (i < 2 && rc == E2E_ERR_MALFORMED));
        }
    }
    CHECK_EQ(snapshot(b, after, sizeof after), bn);
    CHECK_MEM(after, before, bn);
    CHECK_OK(e2e_skype_session_decrypt(b, NULL, pkt, len, back, sizeof back, &got, NULL, NULL));
    e2e_skype_session_free(a);
    e2e_skype_session_free(b);
}

/*
 * One key serves both directions in faithful mode (reported); only the order of the salts in
 * the counter block keeps A->B and B->A apart. Equal salts give both directions the same
 * keystream (a two-time pad); the hardened keys differ per direction.
 */
static void
test_same_key_both_directions(void)
{
    static const int modes[2] = {E2E_SKYPE_FAITHFUL, E2E_SKYPE_HARDENED};
    for (int m = 0; m < 2; m++) {
        struct e2e_skype_session_params pa = params(modes[m], E2E_SKYPE_INITIATOR);
        struct e2e_skype_session_params pb = params(modes[m], E2E_SKYPE_RESPONDER);
        memcpy(pa.salt_b, pa.salt_a, 4);
        memcpy(pb.salt_b, pb.salt_a, 4);
        e2e_skype_session *a, *b;
        CHECK_OK(e2e_skype_session_new(&a, &pa));
        CHECK_OK(e2e_skype_session_new(&b, &pb));
        uint8_t zeros[48], ca[80], cb[80];
        size_t la = 0, lb = 0;
        memset(zeros, 0, sizeof zeros);
        CHECK_OK(e2e_skype_session_encrypt(a, NULL, 0, zeros, sizeof zeros, ca, sizeof ca, &la));
        CHECK_OK(e2e_skype_session_encrypt(b, NULL, 0, zeros, sizeof zeros, cb, sizeof cb, &lb));
        int same = memcmp(ca + 6, cb + 6, sizeof zeros) == 0;
        CHECK_EQ(same, modes[m] == E2E_SKYPE_FAITHFUL);
        e2e_skype_session_free(a);
        e2e_skype_session_free(b);
    }
}

static void
test_replay_window(void)
{
    e2e_skype_session *a, *b;
    pair(E2E_SKYPE_HARDENED, &a, &b);
    enum { N = 300 };
    static uint8_t pkts[N][64];
    size_t lens[N], got = 0;
    uint8_t pt[16] = {1}, back[64], before[1024], after[1024];
    for (int i = 0; i < N; i++)
        CHECK_OK(e2e_skype_session_encrypt(a, NULL, 4, pt, sizeof pt, pkts[i], 64, &lens[i]));
    struct e2e_report why;
    /* out of order inside the window is fine */
    CHECK_OK(e2e_skype_session_decrypt(b, NULL, pkts[10], lens[10], back, 64, &got, NULL, NULL));
    CHECK_OK(e2e_skype_session_decrypt(b, NULL, pkts[3], lens[3], back, 64, &got, NULL, NULL));
    CHECK_OK(e2e_skype_session_decrypt(b, NULL, pkts[7], lens[7], back, 64, &got, NULL, NULL));
    size_t bn = snapshot(b, before, sizeof before);
    CHECK_ERR(e2e_skype_session_decrypt(b, NULL, pkts[3], lens[3], back, 64, &got, NULL, &why),
              E2E_ERR_DUPLICATE);
    CHECK(strcmp(why.check, "duplicate") == 0);
    CHECK_ERR(e2e_skype_session_decrypt(b, NULL, pkts[10], lens[10], back, 64, &got, NULL, &why),
              E2E_ERR_DUPLICATE);
    CHECK_EQ(snapshot(b, after, sizeof after), bn);
    CHECK_MEM(after, before, bn);
    /* jump ahead past the window: 3..10 fall out of it */
    CHECK_OK(e2e_skype_session_decrypt(b, NULL, pkts[299], lens[299], back, 64, &got, NULL, NULL));
    CHECK_ERR(e2e_skype_session_decrypt(b, NULL, pkts[5], lens[5], back, 64, &got, NULL, &why),
              E2E_ERR_DUPLICATE);
    CHECK(strcmp(why.check, "replay_window") == 0);
    /* the edge of the window: 299 - 127 is inside, 299 - 128 is not */
    CHECK_OK(e2e_skype_session_decrypt(b, NULL, pkts[172], lens[172], back, 64, &got, NULL, NULL));
    CHECK_ERR(e2e_skype_session_decrypt(b, NULL, pkts[171], lens[171], back, 64, &got, NULL, &why),
              E2E_ERR_DUPLICATE);
    CHECK_OK(e2e_skype_session_decrypt(b, NULL, pkts[298], lens[298], back, 64, &got, NULL, NULL));
    CHECK_OK(e2e_skype_session_decrypt(b, NULL, pkts[236], lens[236], back, 64, &got, NULL, NULL));
    CHECK_ERR(e2e_skype_session_decrypt(b, NULL, pkts[236], lens[236], back, 64, &got, NULL, &why),
              E2E_ERR_DUPLICATE);
    e2e_skype_session_free(a);
    e2e_skype_session_free(b);
}

static void
test_too_far_ahead_and_malformed(void)
{
    struct e2e_skype_session_params pa = params(E2E_SKYPE_FAITHFUL, E2E_SKYPE_INITIATOR);
    struct e2e_skype_session_params pb = params(E2E_SKYPE_FAITHFUL, E2E_SKYPE_RESPONDER);
    e2e_skype_session *b;
    CHECK_OK(e2e_skype_session_new(&b, &pb));
    uint8_t pt[8] = {0}, pkt[64], back[64];
    size_t len = 0, got = 0;
    struct e2e_report why;
    CHECK_OK(e2e_skype_packet_encrypt(&pa, 0, 5, pt, sizeof pt, pkt, sizeof pkt, &len));
    CHECK_OK(e2e_skype_session_decrypt(b, NULL, pkt, len, back, 64, &got, NULL, NULL));
    CHECK_OK(e2e_skype_packet_encrypt(&pa, 0, 5 + E2E_SKYPE_MAX_JUMP + 1, pt, sizeof pt, pkt,
                                      sizeof pkt, &len));
    CHECK_ERR(e2e_skype_session_decrypt(b, NULL, pkt, len, back, 64, &got, NULL, &why),
              E2E_ERR_TOO_FAR);
    CHECK(strcmp(why.check, "too_far") == 0);
    CHECK_OK(e2e_skype_packet_encrypt(&pa, 0, 5 + E2E_SKYPE_MAX_JUMP, pt, sizeof pt, pkt,
                                      sizeof pkt, &len));
    CHECK_OK(e2e_skype_session_decrypt(b, NULL, pkt, len, back, 64, &got, NULL, NULL));
    /* shorter than header + trailer */
    for (size_t n = 0; n < 8; n++)
        CHECK_ERR(e2e_skype_session_decrypt(b, NULL, pkt, n, back, 64, &got, NULL, &why),
                  E2E_ERR_MALFORMED);
    /* a stream that does not exist */
    CHECK_OK(e2e_skype_packet_encrypt(&pa, 1, 0, pt, sizeof pt, pkt, sizeof pkt, &len));
    pkt[1] = E2E_SKYPE_MAX_STREAMS;
    CHECK_ERR(e2e_skype_session_decrypt(b, NULL, pkt, len, back, 64, &got, NULL, &why),
              E2E_ERR_MALFORMED);
    CHECK(strcmp(why.check, "stream") == 0);
    /* an output buffer too small */
    pkt[1] = 1;
    CHECK_ERR(e2e_skype_session_decrypt(b, NULL, pkt, len, back, 7, &got, NULL, &why),
              E2E_ERR_BUFFER);
    /* bad arguments on the sending side */
    CHECK_ERR(e2e_skype_session_encrypt(b, NULL, E2E_SKYPE_MAX_STREAMS, pt, 8, pkt, 64, &len),
              E2E_ERR_INVALID);
    CHECK_ERR(e2e_skype_session_encrypt(b, NULL, 0, pt, 8, pkt, 15, &len), E2E_ERR_BUFFER);
    e2e_skype_session_free(b);
}

static void
test_payload_limit(void)
{
    e2e_skype_session *a, *b;
    pair(E2E_SKYPE_FAITHFUL, &a, &b);
    size_t max = E2E_SKYPE_MAX_PAYLOAD;
    uint8_t *pt = calloc(1, max + 1), *pkt = malloc(max + 64), *back = malloc(max + 64);
    size_t len = 0, got = 0;
    pt[max - 1] = 0x77;
    CHECK_OK(e2e_skype_session_encrypt(a, NULL, 0, pt, max, pkt, max + 64, &len));
    CHECK_OK(e2e_skype_session_decrypt(b, NULL, pkt, len, back, max + 64, &got, NULL, NULL));
    CHECK_EQ(got, max);
    CHECK_MEM(back, pt, max);
    CHECK_ERR(e2e_skype_session_encrypt(a, NULL, 0, pt, max + 1, pkt, max + 64, &len),
              E2E_ERR_INVALID);
    free(pt);
    free(pkt);
    free(back);
    e2e_skype_session_free(a);
    e2e_skype_session_free(b);
}

static void
test_serialize_parse(void)
{
    e2e_skype_session *a, *b, *b2;
    pair(E2E_SKYPE_HARDENED, &a, &b);
    uint8_t pt[20] = {9}, pkt[3][64], back[64], blob[1024], blob2[1024];
    size_t len[3], got = 0, n = 0, n2 = 0;
    for (int i = 0; i < 3; i++)
        CHECK_OK(e2e_skype_session_encrypt(a, NULL, 7, pt, sizeof pt, pkt[i], 64, &len[i]));
    CHECK_OK(e2e_skype_session_decrypt(b, NULL, pkt[1], len[1], back, 64, &got, NULL, NULL));
    CHECK_OK(e2e_skype_session_serialize(b, blob, sizeof blob, &n));
    CHECK_HEX(blob, 6, "534b53530001");
    CHECK_OK(e2e_skype_session_parse(&b2, blob, n, NULL));
    CHECK_OK(e2e_skype_session_serialize(b2, blob2, sizeof blob2, &n2));
    CHECK_EQ(n2, n);
    CHECK_MEM(blob2, blob, n);
    /* the parsed copy remembers what was received and still decrypts */
    CHECK_ERR(e2e_skype_session_decrypt(b2, NULL, pkt[1], len[1], back, 64, &got, NULL, NULL),
              E2E_ERR_DUPLICATE);
    CHECK_OK(e2e_skype_session_decrypt(b2, NULL, pkt[0], len[0], back, 64, &got, NULL, NULL));
    CHECK_MEM(back, pt, sizeof pt);
    e2e_skype_session_free(b2);
    /* every truncation and extension is refused */
    struct e2e_report why;
    for (size_t k = 0; k < n; k++)
        CHECK_ERR(e2e_skype_session_parse(&b2, blob, k, &why), E2E_ERR_MALFORMED);
    blob[n] = 0;
    CHECK_ERR(e2e_skype_session_parse(&b2, blob, n + 1, NULL), E2E_ERR_MALFORMED);
    /* other versions and magics, and out-of-range fields */
    blob[5] = 2;
    CHECK_ERR(e2e_skype_session_parse(&b2, blob, n, &why), E2E_ERR_UNSUPPORTED);
    CHECK(strcmp(why.check, "version") == 0);
    blob[5] = 1;
    blob[0] ^= 1;
    CHECK_ERR(e2e_skype_session_parse(&b2, blob, n, &why), E2E_ERR_MALFORMED);
    blob[0] ^= 1;
    blob[6] = 2; /* mode */
    CHECK_ERR(e2e_skype_session_parse(&b2, blob, n, &why), E2E_ERR_MALFORMED);
    blob[6] = 1;
    blob[7] = 2; /* role */
    CHECK_ERR(e2e_skype_session_parse(&b2, blob, n, &why), E2E_ERR_MALFORMED);
    e2e_skype_session_free(a);
    e2e_skype_session_free(b);
}

/* A session whose stream 3 has sent 2^32 - 1 packets: one more, then the limit. */
static void
test_sequence_exhaustion(void)
{
    e2e_skype_session *a, *a2;
    struct e2e_skype_session_params pa = params(E2E_SKYPE_FAITHFUL, E2E_SKYPE_INITIATOR);
    CHECK_OK(e2e_skype_session_new(&a, &pa));
    uint8_t blob[1024], pkt[64], pt[4] = {0};
    size_t n = 0, len = 0;
    CHECK_OK(e2e_skype_session_serialize(a, blob, sizeof blob, &n));
    /* header 6 + mode, role 2 + halves 32 + salts 8 + transcript 32 + closed 8 + expired 1 */
    size_t off = 89 + 3 * (8 + 1 + 4 + 16);
    blob[off + 4] = 0xFF;
    blob[off + 5] = 0xFF;
    blob[off + 6] = 0xFF;
    blob[off + 7] = 0xFF;
    CHECK_OK(e2e_skype_session_parse(&a2, blob, n, NULL));
    CHECK_EQ(e2e_skype_session_next_seq(a2, 3), 0xFFFFFFFFu);
    CHECK_OK(e2e_skype_session_encrypt(a2, NULL, 3, pt, sizeof pt, pkt, sizeof pkt, &len));
    CHECK_HEX(pkt, 6, "0003ffffffff");
    CHECK_ERR(e2e_skype_session_encrypt(a2, NULL, 3, pt, sizeof pt, pkt, sizeof pkt, &len),
              E2E_ERR_LIMIT);
    CHECK_OK(e2e_skype_session_encrypt(a2, NULL, 4, pt, sizeof pt, pkt, sizeof pkt, &len));
    e2e_skype_session_free(a);
    e2e_skype_session_free(a2);
}

static void
test_lifetime_after_close(void)
{
    struct test_ctx t;
    e2e_ctx *ctx = test_ctx_new(&t, 6);
    e2e_skype_session *a, *b;
    pair(E2E_SKYPE_FAITHFUL, &a, &b);
    uint8_t pt[10] = {3}, pkt[64], back[64];
    size_t len = 0, got = 0;
    CHECK_OK(e2e_skype_session_encrypt(a, ctx, 0, pt, sizeof pt, pkt, sizeof pkt, &len));
    e2e_skype_session_close(a, ctx);
    e2e_skype_session_close(b, ctx);
    t.now_ms += E2E_SKYPE_SESSION_LINGER_MS - 1; /* a late packet still decrypts */
    CHECK_OK(e2e_skype_session_decrypt(b, ctx, pkt, len, back, 64, &got, NULL, NULL));
    t.now_ms += 1;
    struct e2e_report why;
    CHECK_ERR(e2e_skype_session_encrypt(a, ctx, 0, pt, sizeof pt, pkt, sizeof pkt, &len),
              E2E_ERR_STATE);
    CHECK_ERR(e2e_skype_session_decrypt(b, ctx, pkt, len, back, 64, &got, NULL, &why),
              E2E_ERR_STATE);
    CHECK(strcmp(why.check, "expired") == 0);
    /* the expired state persists and holds no key material */
    uint8_t blob[1024], zero[32] = {0};
    size_t n = 0;
    CHECK_OK(e2e_skype_session_serialize(b, blob, sizeof blob, &n));
    CHECK_MEM(blob + 8, zero, 32); /* both halves */
    e2e_skype_session *b2;
    CHECK_OK(e2e_skype_session_parse(&b2, blob, n, NULL));
    CHECK_ERR(e2e_skype_session_decrypt(b2, ctx, pkt, len, back, 64, &got, NULL, NULL),
              E2E_ERR_STATE);
    e2e_skype_session_free(b2);
    e2e_skype_session_free(a);
    e2e_skype_session_free(b);
    test_ctx_free(&t);
}

static void
test_key_derivation(void)
{
    struct e2e_skype_session_params p = params(E2E_SKYPE_FAITHFUL, E2E_SKYPE_INITIATOR);
    struct e2e_skype_keys k;
    CHECK_OK(e2e_skype_derive_keys(&k, &p));
    CHECK_HEX(k.enc_ab, 32, "101112131415161718191a1b1c1d1e1fa0a1a2a3a4a5a6a7a8a9aaabacadaeaf");
    CHECK_MEM(k.enc_ba, k.enc_ab, 32);
    uint8_t zero[32] = {0};
    CHECK_MEM(k.mac_ab, zero, 32);
    p.mode = E2E_SKYPE_HARDENED;
    CHECK_OK(e2e_skype_derive_keys(&k, &p));
    CHECK(memcmp(k.enc_ab, k.enc_ba, 32) != 0);
    CHECK(memcmp(k.mac_ab, k.mac_ba, 32) != 0);
    CHECK(memcmp(k.enc_ab, k.mac_ab, 32) != 0);
    /* the transcript is bound in: a different transcript, different keys */
    struct e2e_skype_keys k2;
    p.transcript[31] ^= 1;
    CHECK_OK(e2e_skype_derive_keys(&k2, &p));
    CHECK(memcmp(k.enc_ab, k2.enc_ab, 32) != 0);
    p.mode = 7;
    CHECK_ERR(e2e_skype_derive_keys(&k, &p), E2E_ERR_INVALID);
    e2e_skype_session *s;
    CHECK_ERR(e2e_skype_session_new(&s, &p), E2E_ERR_INVALID);
    p.mode = E2E_SKYPE_FAITHFUL;
    p.role = 2;
    CHECK_ERR(e2e_skype_session_new(&s, &p), E2E_ERR_INVALID);
}

static void
test_challenge_and_names(void)
{
    uint8_t n[8], f[8];
    memcpy(n, "\x00\x00\x00\x00\x00\x00\x00\xff", 8);
    e2e_skype_challenge_transform(f, n);
    CHECK_HEX(f, 8, "0000000000000100");
    memset(n, 0xFF, 8);
    e2e_skype_challenge_transform(f, n);
    CHECK_HEX(f, 8, "0000000000000000");
    CHECK_OK(e2e_skype_name_check("alice.smith", 11));
    CHECK_OK(e2e_skype_name_check("bob_jones-2,x", 13));
    CHECK_ERR(e2e_skype_name_check("alice", 5), E2E_ERR_INVALID);        /* too short */
    CHECK_ERR(e2e_skype_name_check("Alice.smith", 11), E2E_ERR_INVALID); /* upper case */
    CHECK_ERR(e2e_skype_name_check("1alice.smith", 12), E2E_ERR_INVALID);
    CHECK_ERR(e2e_skype_name_check("alice\nsmith", 11), E2E_ERR_INVALID);
    CHECK_ERR(e2e_skype_name_check("alice smith", 11), E2E_ERR_INVALID);
    CHECK_ERR(e2e_skype_name_check("abcdefghijabcdefghijabcdefghijabc", 33), E2E_ERR_INVALID);
    CHECK_OK(e2e_skype_name_check("abcdefghijabcdefghijabcdefghijab", 32));
    uint8_t hp[16], hhp[16];
    e2e_skype_password_hash(hp, "alice.smith", 11, "secret", 6);
    CHECK_HEX(hp, 16,
              "65af80aa3c23f0115668cd09228716a5"); /* = MD5("alice.smith\nskyper\nsecret") */
    e2e_skype_password_hash2(hhp, hp);
    CHECK_HEX(hhp, 16, "94a12562cf22d541314facf8b1b665bc");
}

int
main(void)
{
    RUN(test_round_trip_both_modes_both_directions);
    RUN(test_layout_matches_icm_and_crc);
    RUN(test_streams_do_not_share_counters);
    RUN(test_crafted_bitflip_passes_faithful_crc_not_hardened_mac);
    RUN(test_faithful_crc_catches_accidental_damage);
    RUN(test_faithful_trailer_does_not_cover_the_stream);
    RUN(test_hardened_rejects_every_bit);
    RUN(test_same_key_both_directions);
    RUN(test_replay_window);
    RUN(test_too_far_ahead_and_malformed);
    RUN(test_payload_limit);
    RUN(test_serialize_parse);
    RUN(test_sequence_exhaustion);
    RUN(test_lifetime_after_close);
    RUN(test_key_derivation);
    RUN(test_challenge_and_names);
    return test_finish();
}
