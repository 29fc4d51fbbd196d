/*
 * The hand-written per-message codec (src/signal/wire.c) against protobuf-c's code generated
 * from proto/WhisperTextProtocol.proto, the schema of record:
 *   - encoding: our bytes equal protobuf-c's pack of the same fields (version byte in front);
 *   - decoding: on valid messages and on 60,000 seeded mutations of them (bit flips, bytes set,
 *     truncations, insertions, extra known/unknown fields of every wire type, overlong
 *     varints, duplicated fields), both accept or both reject, and accepted values agree. The
 *     acceptance rule on protobuf-c's side is libsignal-protocol-c's (required fields, 33-byte
 *     0x05 keys) plus our one addition, canonical keys (u below 2^255 - 19).
 */
#include <stdlib.h>
#include <string.h>

#include "WhisperTextProtocol.pb-c.h"
#include "codec/pb.h"
#include "signal/wire.h"
#include "test.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t
rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static uint32_t
rnd32(void)
{
    /* counters of every width: small, 2-4 byte varints, and the 5-byte top range */
    switch (rnd() % 4) {
    case 0:
        return (uint32_t)(rnd() % 128);
    case 1:
        return (uint32_t)(rnd() % 70000);
    case 2:
        return (uint32_t)rnd();
    default:
        return 0xFFFFFFFFu - (uint32_t)(rnd() % 4);
    }
}

static void
fill(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)rnd();
}

/* ---- encoding -------------------------------------------------------------------------------- */

static size_t
pack_signal_pc(uint8_t *out, const uint8_t key[32], uint32_t c, uint32_t pc, const uint8_t *ct,
               size_t ct_len)
{
    uint8_t k33[33];
    e2e_signal_pubkey_encode(k33, key);
    Textsecure__SignalMessage m = TEXTSECURE__SIGNAL_MESSAGE__INIT;
    m.has_ratchetkey = m.has_counter = m.has_previouscounter = m.has_ciphertext = 1;
    m.ratchetkey.data = k33;
    m.ratchetkey.len = 33;
    m.counter = c;
    m.previouscounter = pc;
    m.ciphertext.data = (uint8_t *)(uintptr_t)ct;
    m.ciphertext.len = ct_len;
    out[0] = 0x33;
    return 1 + textsecure__signal_message__pack(&m, out + 1);
}

static void
test_encode_signal(void)
{
    uint8_t key[32], ct[300], a[512], b[512];
    for (int i = 0; i < 2000; i++) {
        fill(key, 32);
        size_t ct_len = 16 * (1 + rnd() % 17);
        fill(ct, ct_len);
        uint32_t c = rnd32(), pc = rnd32();
        size_t h = e2e__wire_signal_head(a, key, c, pc, ct_len);
        CHECK_EQ(h, e2e__wire_signal_head_len(c, pc, ct_len));
        memcpy(a + h, ct, ct_len);
        size_t n = pack_signal_pc(b, key, c, pc, ct, ct_len);
        CHECK_EQ(h + ct_len, n);
        CHECK_MEM(a, b, n);
    }
}

static void
test_encode_prekey(void)
{
    uint8_t inner[200], a[512], b[512];
    for (int i = 0; i < 2000; i++) {
        struct e2e_signal_prekey_header h;
        memset(&h, 0, sizeof h);
        h.registration_id = rnd32();
        h.signed_prekey_id = rnd32();
        h.has_one_time_prekey = (int)(rnd() & 1);
        h.one_time_prekey_id = h.has_one_time_prekey ? rnd32() : 0;
        fill(h.base_key, 32);
        fill(h.identity_key, 32);
        size_t inner_len = 10 + rnd() % 180;
        fill(inner, inner_len);
        size_t k = e2e__wire_prekey_head(a, &h, inner_len);
        CHECK_EQ(k, e2e__wire_prekey_head_len(&h, inner_len));
        memcpy(a + k, inner, inner_len);
        k += inner_len;
        size_t t = e2e__wire_prekey_tail(a + k, &h);
        CHECK_EQ(t, e2e__wire_prekey_tail_len(&h));
        k += t;

        uint8_t base33[33], id33[33];
        e2e_signal_pubkey_encode(base33, h.base_key);
        e2e_signal_pubkey_encode(id33, h.identity_key);
        Textsecure__PreKeySignalMessage m = TEXTSECURE__PRE_KEY_SIGNAL_MESSAGE__INIT;
        m.has_registrationid = m.has_signedprekeyid = m.has_basekey = m.has_identitykey =
            m.has_message = 1;
        m.has_prekeyid = h.has_one_time_prekey;
        m.prekeyid = h.one_time_prekey_id;
        m.registrationid = h.registration_id;
        m.signedprekeyid = h.signed_prekey_id;
        m.basekey = (ProtobufCBinaryData){33, base33};
        m.identitykey = (ProtobufCBinaryData){33, id33};
        m.message = (ProtobufCBinaryData){inner_len, inner};
        b[0] = 0x33;
        size_t n = 1 + textsecure__pre_key_signal_message__pack(&m, b + 1);
        CHECK_EQ(k, n);
        CHECK_MEM(a, b, n);
    }
}

static void
test_encode_skmsg(void)
{
    uint8_t ct[300], a[512], b[512];
    for (int i = 0; i < 2000; i++) {
        uint32_t id = rnd32(), it = rnd32();
        size_t ct_len = 16 * (1 + rnd() % 17);
        fill(ct, ct_len);
        size_t h = e2e__wire_skmsg_head(a, id, it, ct_len);
        CHECK_EQ(h, e2e__wire_skmsg_head_len(id, it, ct_len));
        memcpy(a + h, ct, ct_len);
        Textsecure__SenderKeyMessage m = TEXTSECURE__SENDER_KEY_MESSAGE__INIT;
        m.has_id = m.has_iteration = m.has_ciphertext = 1;
        m.id = id;
        m.iteration = it;
        m.ciphertext = (ProtobufCBinaryData){ct_len, ct};
        b[0] = 0x33;
        size_t n = 1 + textsecure__sender_key_message__pack(&m, b + 1);
        CHECK_EQ(h + ct_len, n);
        CHECK_MEM(a, b, n);
    }
}

/* ---- decoding ----------------------------------------------------------------------------------
 */

static size_t
put_varint(uint8_t *p, uint64_t v, int overlong)
{
    size_t n = e2e__pb_put_varint(p, v);
    while (overlong-- > 0 && n < 10) { /* same value, more bytes */
        p[n - 1] |= 0x80;
        p[n++] = 0;
    }
    return n;
}

/* A random extra field: any number 1..9 or a large one, any wire type (0..7). */
static size_t
random_field(uint8_t *p)
{
    uint32_t num = rnd() % 5 ? (uint32_t)(1 + rnd() % 9) : (uint32_t)(rnd() % 100000);
    uint32_t wt = (uint32_t)(rnd() % 8);
    size_t k = put_varint(p, (uint64_t)num << 3 | wt, (int)(rnd() % 3 == 0));
    switch (wt) {
    case 0:
        return k + put_varint(p + k, rnd() >> (rnd() % 64), (int)(rnd() % 2));
    case 1:
        fill(p + k, 8);
        return k + 8;
    case 2: {
        size_t n = rnd() % 4 ? 33 : rnd() % 40;
        k += put_varint(p + k, n, 0);
        fill(p + k, n);
        if (n == 33 && rnd() % 2)
            p[k] = 0x05;
        return k + n;
    }
    case 5:
        fill(p + k, 4);
        return k + 4;
    default:
        return k;
    }
}

static size_t
mutate(uint8_t *m, size_t n, size_t cap)
{
    size_t ops = 1 + rnd() % 3;
    for (size_t o = 0; o < ops; o++) {
        size_t at = n ? rnd() % (n + 1) : 0;
        uint8_t extra[64];
        size_t k;
        switch (rnd() % 7) {
        case 0:
            if (n)
                m[at % n] ^= (uint8_t)(1u << (rnd() % 8));
            break;
        case 1:
            if (n)
                m[at % n] = (uint8_t)rnd();
            break;
        case 2:
            n = at;
            break;
        case 3:
        case 4: /* insert a field (at a random place: often in the middle of another) */
            k = random_field(extra);
            if (rnd() % 2)
                at = n; /* or at the end, a well-formed position */
            if (n + k <= cap) {
                memmove(m + at + k, m + at, n - at);
                memcpy(m + at, extra, k);
                n += k;
            }
            break;
        case 5: /* duplicate a prefix: every field it holds appears twice */
            k = at < 60 ? at : 60;
            if (n + k <= cap) {
                memmove(m + k, m, n);
                n += k;
            }
            break;
        default:
            if (n)
                m[at % n] = (uint8_t)(rnd() % 2 ? 0x80 : 0x00);
            break;
        }
    }
    return n;
}

/* How often both sides accepted / rejected: the mutations must exercise both outcomes. */
static unsigned both_accept, both_reject;

static void
tally(int ok_ours, int ok_pc)
{
    both_accept += ok_ours && ok_pc;
    both_reject += !ok_ours && !ok_pc;
}

/* libsignal-protocol-c's key rule (33 bytes, type 0x05) plus ours: a canonical u below p. */
static int
pc_key_ok(const ProtobufCBinaryData *b)
{
    if (b->len != 33 || b->data[0] != 0x05 || b->data[32] > 0x7F)
        return 0;
    int top = b->data[32] == 0x7F && b->data[1] >= 0xED;
    for (int i = 2; i < 32; i++)
        top &= b->data[i] == 0xFF;
    return !top;
}

/* One SignalMessage body (pb only): compare acceptance and values. */
static void
diff_signal(const uint8_t *pb, size_t n)
{
    uint8_t msg[1024];
    msg[0] = 0x33;
    memcpy(msg + 1, pb, n);
    memset(msg + 1 + n, 0xAB, 8); /* the MAC */
    struct e2e__parsed_msg ours;
    int ok_ours = e2e__wire_parse_signal(&ours, msg, n + 9, NULL) == E2E_OK;
    Textsecure__SignalMessage *pc = textsecure__signal_message__unpack(NULL, n, pb);
    int ok_pc = pc && pc->has_ratchetkey && pc->has_counter && pc->has_ciphertext &&
                pc_key_ok(&pc->ratchetkey);
    if (ok_ours != ok_pc) {
        test_fail_(__FILE__, __LINE__, "SignalMessage of %zu bytes: ours %d protobuf-c %d", n,
                   ok_ours, ok_pc);
        test_print_hex("pb", pb, n);
    }
    test_checks_++;
    tally(ok_ours, ok_pc);
    if (ok_ours && ok_pc) {
        CHECK_EQ(ours.counter, pc->counter);
        CHECK_EQ(ours.previous_counter, pc->has_previouscounter ? pc->previouscounter : 0);
        CHECK_MEM(ours.ratchet_key, pc->ratchetkey.data + 1, 32);
        CHECK_EQ(ours.ciphertext_len, pc->ciphertext.len);
        CHECK_MEM(ours.ciphertext, pc->ciphertext.data, pc->ciphertext.len);
    }
    if (pc)
        textsecure__signal_message__free_unpacked(pc, NULL);
}

static void
diff_prekey(const uint8_t *pb, size_t n)
{
    uint8_t msg[1024];
    msg[0] = 0x33;
    memcpy(msg + 1, pb, n);
    struct e2e__parsed_prekey ours;
    int ok_ours = e2e__wire_parse_prekey(&ours, msg, n + 1, NULL) == E2E_OK;
    Textsecure__PreKeySignalMessage *pc = textsecure__pre_key_signal_message__unpack(NULL, n, pb);
    int ok_pc = pc && pc->has_signedprekeyid && pc->has_basekey && pc->has_identitykey &&
                pc->has_message && pc_key_ok(&pc->basekey) && pc_key_ok(&pc->identitykey);
    Textsecure__SignalMessage *inner =
        ok_pc && pc->message.len > 9 && pc->message.data[0] >> 4 == 3
            ? textsecure__signal_message__unpack(NULL, pc->message.len - 9, pc->message.data + 1)
            : NULL;
    ok_pc = ok_pc && inner && inner->has_ratchetkey && inner->has_counter &&
            inner->has_ciphertext && pc_key_ok(&inner->ratchetkey);
    if (ok_ours != ok_pc)
        test_fail_(__FILE__, __LINE__, "PreKeySignalMessage of %zu bytes: ours %d protobuf-c %d", n,
                   ok_ours, ok_pc);
    test_checks_++;
    tally(ok_ours, ok_pc);
    if (ok_ours && ok_pc) {
        CHECK_EQ(ours.h.registration_id, pc->has_registrationid ? pc->registrationid : 0);
        CHECK_EQ(ours.h.has_one_time_prekey, pc->has_prekeyid);
        CHECK_EQ(ours.h.one_time_prekey_id, pc->has_prekeyid ? pc->prekeyid : 0);
        CHECK_EQ(ours.h.signed_prekey_id, pc->signedprekeyid);
        CHECK_MEM(ours.h.base_key, pc->basekey.data + 1, 32);
        CHECK_MEM(ours.h.identity_key, pc->identitykey.data + 1, 32);
        CHECK_EQ(ours.inner.counter, inner->counter);
    }
    if (inner)
        textsecure__signal_message__free_unpacked(inner, NULL);
    if (pc)
        textsecure__pre_key_signal_message__free_unpacked(pc, NULL);
}

static void
diff_skmsg(const uint8_t *pb, size_t n)
{
    uint8_t msg[1024];
    msg[0] = 0x33;
    memcpy(msg + 1, pb, n);
    memset(msg + 1 + n, 0xCD, 64);
    struct e2e__parsed_skmsg ours;
    int ok_ours = e2e__wire_parse_skmsg(&ours, msg, n + 65, NULL) == E2E_OK;
    Textsecure__SenderKeyMessage *pc = textsecure__sender_key_message__unpack(NULL, n, pb);
    int ok_pc = pc && pc->has_id && pc->has_iteration && pc->has_ciphertext;
    if (ok_ours != ok_pc)
        test_fail_(__FILE__, __LINE__, "SenderKeyMessage of %zu bytes: ours %d protobuf-c %d", n,
                   ok_ours, ok_pc);
    test_checks_++;
    tally(ok_ours, ok_pc);
    if (ok_ours && ok_pc) {
        CHECK_EQ(ours.key_id, pc->id);
        CHECK_EQ(ours.iteration, pc->iteration);
        CHECK_EQ(ours.ciphertext_len, pc->ciphertext.len);
    }
    if (pc)
        textsecure__sender_key_message__free_unpacked(pc, NULL);
}

/* A random key, canonical three times in four. */
static void
fill_key(uint8_t k[32])
{
    fill(k, 32);
    if (rnd() % 4)
        k[31] &= 0x7F;
}

static void
test_decode_differential(void)
{
    uint8_t buf[900], key[32], ct[64];
    for (int i = 0; i < 20000; i++) {
        fill_key(key);
        fill(ct, sizeof ct);
        size_t n = e2e__wire_signal_head(buf, key, rnd32(), rnd32(), 32) - 1;
        memmove(buf, buf + 1, n);
        memcpy(buf + n, ct, 32);
        n += 32;
        diff_signal(buf, i ? mutate(buf, n, 700) : n);
    }
    for (int i = 0; i < 20000; i++) {
        struct e2e_signal_prekey_header h = {rnd32(), rnd32(), (int)(rnd() & 1), rnd32(), {0}, {0}};
        uint8_t inner[128];
        fill_key(h.base_key);
        fill_key(h.identity_key);
        fill_key(key);
        size_t in_n = e2e__wire_signal_head(inner, key, rnd32(), 0, 16);
        fill(inner + in_n, 16 + 8);
        in_n += 24;
        size_t n = e2e__wire_prekey_head(buf, &h, in_n) - 1;
        memmove(buf, buf + 1, n);
        memcpy(buf + n, inner, in_n);
        n += in_n;
        n += e2e__wire_prekey_tail(buf + n, &h);
        diff_prekey(buf, i ? mutate(buf, n, 700) : n);
    }
    for (int i = 0; i < 20000; i++) {
        size_t n = e2e__wire_skmsg_head(buf, rnd32(), rnd32(), 32) - 1;
        memmove(buf, buf + 1, n);
        fill(buf + n, 32);
        n += 32;
        diff_skmsg(buf, i ? mutate(buf, n, 700) : n);
    }
    test_note("differential: both accepted %u, both rejected %u", both_accept, both_reject);
    CHECK(both_accept > 6000);
    CHECK(both_reject > 6000);
}

/* Edge cases written out: the tag rules protobuf-c enforces and we mirror. */
static void
test_decode_edges(void)
{
    static const struct {
        const char *hex;
    } cases[] = {
        {"00"},                       /* tag byte with field 0 */
        {"0a"},                       /* length missing */
        {"0a05"},                     /* length beyond the end */
        {"10ffffffffffffffffff01"},   /* 10-byte varint: accepted */
        {"10ffffffffffffffffffff01"}, /* 11-byte varint: rejected */
        {"8001"},                     /* field 0 in a two-byte tag: allowed, unknown, skipped */
        {"f8ffffff0f00"},             /* 5-byte tag */
        {"f8ffffffff0f00"},           /* 6-byte tag: rejected */
        {"0b"},                       /* group start */
        {"0c"},                       /* group end */
        {"0e"},                       /* wire type 6 */
        {"0f"},                       /* wire type 7 */
        {"11"},                       /* fixed64 with nothing after */
        {"1100000000000000"},         /* fixed64 one byte short */
        {"150000"},                   /* fixed32 short */
        {"12"},                       /* counter (field 2) as length-delimited: rejected */
        {"1200"},
        {"08"},             /* ratchetKey (field 1) as varint: wrong wire type */
        {"8a808080800100"}, /* overlong tag for field 1, zero length */
    };
    uint8_t pb[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = unhex(pb, sizeof pb, cases[i].hex);
        diff_signal(pb, n);
        diff_prekey(pb, n);
        diff_skmsg(pb, n);
    }
}

int
main(void)
{
    RUN(test_encode_signal);
    RUN(test_encode_prekey);
    RUN(test_encode_skmsg);
    RUN(test_decode_edges);
    RUN(test_decode_differential);
    return test_finish();
}
