/*
 * Skype's RC4 obfuscation layer: the CRC variant against Schlatterbeck's published values, the
 * UDP seed and frame, and the TCP start with its keystream reuse.
 */
#include <string.h>

#include <e2ekit/skype.h>

#include "test.h"

/* Schlatterbeck, FluxCapacitor.py (OpenSkype), doctest of skype_crc. */
static void
test_crc_variant_published_values(void)
{
    CHECK_EQ(e2e_skype_crc32(0xFFFFFFFFu, "abcd", 4), 0x127D32EEu);
    CHECK_EQ(e2e_skype_crc32(0x127D32EEu, "fghi", 4), 0xB2F83C2Fu);
    CHECK_EQ(e2e_skype_crc32(0xFFFFFFFFu, "abcdfghi", 8), 3002612783u);
    CHECK_EQ(e2e_skype_crc32(0xFFFFFFFFu, "\xff\xf0\xf1\xf2", 4), 3949860366u);
    uint8_t hi[128];
    for (int i = 0; i < 128; i++)
        hi[i] = (uint8_t)(0x80 + i);
    CHECK_EQ(e2e_skype_crc32(0xFFFFFFFFu, hi, sizeof hi), 3115716450u);
    /* the relation to zlib's crc32 that the variant is defined by */
    CHECK_EQ(e2e_skype_crc32(0xFFFFFFFFu, hi, sizeof hi),
             e2e_crc32(0, hi, sizeof hi) ^ 0xFFFFFFFFu);
}

/* Silver Needle p. 61 (OpenSkype silverneedle.py): the sample frame's addresses, object id and
 * IV. The seed follows the FluxCapacitor construction; tests/py/test_skype.py recomputes it. */
static void
test_udp_seed_silver_needle_sample(void)
{
    static const uint8_t src[4] = {67, 172, 146, 158}, dst[4] = {172, 16, 15, 2};
    uint32_t seed = e2e_skype_udp_seed(src, dst, 0x3c66);
    CHECK_EQ(seed, 0xe5944629u);
    CHECK_EQ(seed ^ 0x31EB8C94u, 0xd47fcabdu);
    /* the seed is the CRC of the three values as little-endian words */
    static const uint8_t words[12] = {158, 146, 172, 67, 2, 15, 16, 172, 0x66, 0x3c, 0, 0};
    CHECK_EQ(seed, e2e_skype_crc32(0xFFFFFFFFu, words, sizeof words));
    uint8_t key[80], block[5] = {0xbd, 0xca, 0x7f, 0xd4, 0};
    e2e_skype_rc4_key(key, 0xd47fcabdu);
    uint8_t h[20];
    e2e_sha1(h, block, sizeof block);
    CHECK_MEM(key, h, 20);
    block[4] = 3;
    e2e_sha1(h, block, sizeof block);
    CHECK_MEM(key + 60, h, 20);
}

static void
test_udp_round_trip_and_rejections(void)
{
    static const uint8_t src[4] = {10, 0, 0, 1}, dst[4] = {192, 0, 2, 7}, other[4] = {10, 0, 0, 2};
    uint8_t payload[77], frame[128], back[128], bad[128];
    size_t len = 0, got = 0;
    uint16_t id = 0;
    for (size_t i = 0; i < sizeof payload; i++)
        payload[i] = (uint8_t)(i ^ 0x3c);
    CHECK_OK(e2e_skype_udp_obfuscate(frame, sizeof frame, &len, src, dst, 0xbeef, 0x01020304u,
                                     payload, sizeof payload));
    CHECK_EQ(len, 11 + sizeof payload);
    CHECK_HEX(frame, 7, "beef0201020304");
    CHECK_EQ((uint32_t)frame[7] << 24 | (uint32_t)frame[8] << 16 | frame[9] << 8 | frame[10],
             e2e_skype_crc32(0xFFFFFFFFu, payload, sizeof payload));
    CHECK(memcmp(frame + 11, payload, sizeof payload) != 0);
    CHECK_OK(e2e_skype_udp_deobfuscate(back, sizeof back, &got, &id, src, dst, frame, len, NULL));
    CHECK_EQ(got, sizeof payload);
    CHECK_EQ(id, 0xbeef);
    CHECK_MEM(back, payload, sizeof payload);
    /* in place */
    memcpy(bad, frame, len);
    CHECK_OK(
        e2e_skype_udp_deobfuscate(bad + 11, sizeof payload, &got, NULL, src, dst, bad, len, NULL));
    CHECK_MEM(bad + 11, payload, sizeof payload);
    struct e2e_report why;
    /* the seed binds the addresses: a frame read as coming from elsewhere fails its CRC */
    CHECK_ERR(e2e_skype_udp_deobfuscate(back, sizeof back, &got, &id, other, dst, frame, len, &why),
              E2E_ERR_AUTH);
    CHECK(strcmp(why.check, "crc") == 0);
    /* every changed byte is caught, except the frame type's high nibble, which (as in the
     * OpenSkype dissectors) is not part of the type */
    for (size_t i = 0; i < len; i++) {
        memcpy(bad, frame, len);
        bad[i] ^= 0x10;
        int rc = e2e_skype_udp_deobfuscate(back, sizeof back, &got, &id, src, dst, bad, len, &why);
        CHECK_EQ(rc, i == 2 ? E2E_OK : E2E_ERR_AUTH);
        bad[i] ^= 0x11;
        rc = e2e_skype_udp_deobfuscate(back, sizeof back, &got, &id, src, dst, bad, len, &why);
        CHECK_EQ(rc, i == 2 ? E2E_ERR_UNSUPPORTED : E2E_ERR_AUTH);
    }
    for (size_t n = 0; n < 11; n++)
        CHECK_ERR(e2e_skype_udp_deobfuscate(back, sizeof back, &got, &id, src, dst, frame, n, &why),
                  E2E_ERR_MALFORMED);
    memcpy(bad, frame, len);
    bad[2] = 0x03; /* a resend frame: not reproduced */
    CHECK_ERR(e2e_skype_udp_deobfuscate(back, sizeof back, &got, &id, src, dst, bad, len, &why),
              E2E_ERR_UNSUPPORTED);
    CHECK_ERR(e2e_skype_udp_deobfuscate(back, 10, &got, &id, src, dst, frame, len, &why),
              E2E_ERR_BUFFER);
    CHECK_ERR(e2e_skype_udp_obfuscate(frame, 11 + sizeof payload - 1, &len, src, dst, 1, 2, payload,
                                      sizeof payload),
              E2E_ERR_BUFFER);
    /* empty payloads are frames too */
    CHECK_OK(e2e_skype_udp_obfuscate(frame, sizeof frame, &len, src, dst, 1, 2, NULL, 0));
    CHECK_OK(e2e_skype_udp_deobfuscate(back, sizeof back, &got, &id, src, dst, frame, len, NULL));
    CHECK_EQ(got, 0);
}

static void
test_tcp_start_and_keystream_reuse(void)
{
    struct e2e_skype_tcp tx, rx, before;
    uint8_t start[14], data[40], ct[40], back[40];
    uint8_t last = 0;
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)('a' + i % 26);
    e2e_skype_tcp_start(&tx, start, 0xCAFEF00Du, 0x03);
    CHECK_HEX(start, 4, "cafef00d");
    e2e_skype_tcp_xor(&tx, ct, data, sizeof data);
    CHECK_OK(e2e_skype_tcp_accept(&rx, &last, start, NULL));
    CHECK_EQ(last, 3);
    e2e_skype_tcp_xor(&rx, back, ct, sizeof data);
    CHECK_MEM(back, data, sizeof data);
    /* The reuse, as published: the marker and the first 10 data bytes share keystream, so
     * their ciphertexts XOR to the plaintexts' XOR. */
    static const uint8_t marker[10] = {0, 1, 0, 0, 0, 1, 0, 0, 0, 3};
    for (size_t i = 0; i < 10; i++)
        CHECK_EQ(start[4 + i] ^ ct[i], marker[i] ^ data[i]);
    /* a stream that does not start with the marker is refused, and rx stays as it was */
    memcpy(&before, &rx, sizeof rx);
    start[9] ^= 1;
    struct e2e_report why;
    CHECK_ERR(e2e_skype_tcp_accept(&rx, &last, start, &why), E2E_ERR_MALFORMED);
    CHECK(strcmp(why.check, "marker") == 0);
    CHECK_MEM(&rx, &before, sizeof rx);
    /* 01 as the last byte is the other accepted form */
    e2e_skype_tcp_start(&tx, start, 7, 0x01);
    CHECK_OK(e2e_skype_tcp_accept(&rx, &last, start, NULL));
    CHECK_EQ(last, 1);
}

int
main(void)
{
    RUN(test_crc_variant_published_values);
    RUN(test_udp_seed_silver_needle_sample);
    RUN(test_udp_round_trip_and_rejections);
    RUN(test_tcp_start_and_keystream_reuse);
    return test_finish();
}
