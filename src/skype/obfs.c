/*
 * Skype's RC4 obfuscation layer (Silver Needle; Vanilla Skype; Schlatterbeck's FluxCapacitor
 * for the CRC variant and the seed's byte order). It hides the protocol from filters; it is not
 * a security mechanism, and e2ekit reproduces its flaws as published.
 */
#include <string.h>

#include <e2ekit/skype.h>

#include "core/log.h"
#include "core/util.h"

uint32_t
e2e_skype_udp_seed(const uint8_t src_ip[4], const uint8_t dst_ip[4], uint16_t object_id)
{
    /* Each value enters as a little-endian 32-bit word: the IPs byte-reversed, the object id
     * low byte first and padded with two zero bytes. */
    uint8_t buf[12];
    for (int i = 0; i < 4; i++) {
        buf[i] = src_ip[3 - i];
        buf[4 + i] = dst_ip[3 - i];
    }
    buf[8] = (uint8_t)object_id;
    buf[9] = (uint8_t)(object_id >> 8);
    buf[10] = 0;
    buf[11] = 0;
    return e2e_skype_crc32(E2E_SKYPE_CRC_SEED, buf, sizeof buf);
}

void
e2e_skype_rc4_key(uint8_t key[80], uint32_t seed)
{
    uint8_t in[5];
    e2e_store32_le(in, seed);
    for (uint8_t j = 0; j < 4; j++) {
        in[4] = j;
        e2e_sha1(key + 20 * j, in, sizeof in);
    }
}

static void
rc4_from_seed(struct e2e_rc4 *r, uint32_t seed)
{
    uint8_t key[80];
    e2e_skype_rc4_key(key, seed);
    if (e2e_rc4_init(r, key, sizeof key) != E2E_OK) /* cannot fail for 80 bytes */
        memset(r, 0, sizeof *r);
    e2e_wipe(key, sizeof key);
}

/* ---- UDP ------------------------------------------------------------------------------------ */

int
e2e_skype_udp_obfuscate(uint8_t *out, size_t out_cap, size_t *out_len, const uint8_t src_ip[4],
                        const uint8_t dst_ip[4], uint16_t object_id, uint32_t iv,
                        const uint8_t *payload, size_t n)
{
    if (!out || !out_len || !src_ip || !dst_ip || (!payload && n) ||
        n > SIZE_MAX - E2E_SKYPE_UDP_HEADER)
        return E2E_ERR_INVALID;
    if (out_cap < E2E_SKYPE_UDP_HEADER + n)
        return E2E_ERR_BUFFER;
    struct e2e_rc4 rc4;
    e2e_store16_be(out, object_id);
    out[2] = E2E_SKYPE_UDP_FUNC_PAYLOAD;
    e2e_store32_be(out + 3, iv);
    e2e_store32_be(out + 7, e2e_skype_crc32(E2E_SKYPE_CRC_SEED, payload, n));
    rc4_from_seed(&rc4, e2e_skype_udp_seed(src_ip, dst_ip, object_id) ^ iv);
    e2e_rc4_xor(&rc4, out + E2E_SKYPE_UDP_HEADER, payload, n);
    e2e_wipe(&rc4, sizeof rc4);
    *out_len = E2E_SKYPE_UDP_HEADER + n;
    return E2E_OK;
}

int
e2e_skype_udp_deobfuscate(uint8_t *out, size_t out_cap, size_t *out_len, uint16_t *object_id,
                          const uint8_t src_ip[4], const uint8_t dst_ip[4], const uint8_t *pkt,
                          size_t n, struct e2e_report *why)
{
    e2e_report_clear(why);
    if (!out_len || !src_ip || !dst_ip || !pkt || (!out && out_cap))
        return e2e_report_fail(why, E2E_ERR_INVALID, "args", "missing argument");
    if (n < E2E_SKYPE_UDP_HEADER)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "length",
                               "%zu bytes: shorter than the 11-byte frame header", n);
    if ((pkt[2] & 0x0F) != E2E_SKYPE_UDP_FUNC_PAYLOAD)
        return e2e_report_fail(why, E2E_ERR_UNSUPPORTED, "func",
                               "frame type 0x%02x is not an obfuscated payload (0x02)", pkt[2]);
    size_t len = n - E2E_SKYPE_UDP_HEADER;
    if (out_cap < len)
        return e2e_report_fail(why, E2E_ERR_BUFFER, "buffer", "need %zu bytes", len);
    uint16_t id = e2e_load16_be(pkt);
    struct e2e_rc4 rc4;
    rc4_from_seed(&rc4, e2e_skype_udp_seed(src_ip, dst_ip, id) ^ e2e_load32_be(pkt + 3));
    e2e_rc4_xor(&rc4, out, pkt + E2E_SKYPE_UDP_HEADER, len);
    e2e_wipe(&rc4, sizeof rc4);
    if (e2e_skype_crc32(E2E_SKYPE_CRC_SEED, out, len) != e2e_load32_be(pkt + 7)) {
        e2e_wipe(out, len);
        return e2e_report_fail(why, E2E_ERR_AUTH, "crc",
                               "CRC-32 of the de-obfuscated payload differs: wrong addresses, "
                               "or the frame was damaged");
    }
    if (object_id)
        *object_id = id;
    *out_len = len;
    return E2E_OK;
}

/* ---- TCP ------------------------------------------------------------------------------------ */

static const uint8_t tcp_marker[10] = {0, 1, 0, 0, 0, 1, 0, 0, 0, 1};

void
e2e_skype_tcp_start(struct e2e_skype_tcp *t, uint8_t out[14], uint32_t seed, uint8_t last)
{
    uint8_t m[10];
    memcpy(m, tcp_marker, sizeof m);
    m[9] = last;
    e2e_store32_be(out, seed);
    rc4_from_seed(&t->rc4, seed);
    e2e_rc4_xor(&t->rc4, out + 4, m, sizeof m);
    /* As published: the cipher starts again from the same seed, so the data that follows is
     * encrypted with the same first keystream bytes as the marker. */
    rc4_from_seed(&t->rc4, seed);
    t->seed = seed;
}

int
e2e_skype_tcp_accept(struct e2e_skype_tcp *t, uint8_t *last, const uint8_t in[14],
                     struct e2e_report *why)
{
    e2e_report_clear(why);
    if (!t || !in)
        return e2e_report_fail(why, E2E_ERR_INVALID, "args", "missing argument");
    uint32_t seed = e2e_load32_be(in);
    struct e2e_rc4 rc4;
    uint8_t m[10];
    rc4_from_seed(&rc4, seed);
    e2e_rc4_xor(&rc4, m, in + 4, sizeof m);
    int ok = memcmp(m, tcp_marker, 9) == 0 && (m[9] == 0x01 || m[9] == 0x03);
    if (!ok) {
        e2e_wipe(&rc4, sizeof rc4);
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "marker",
                               "the first 10 bytes do not decrypt to 00 01 00 00 00 01 00 00 00 "
                               "01/03: not a Skype TCP stream");
    }
    if (last)
        *last = m[9];
    rc4_from_seed(&t->rc4, seed);
    t->seed = seed;
    e2e_wipe(&rc4, sizeof rc4);
    return E2E_OK;
}

void
e2e_skype_tcp_xor(struct e2e_skype_tcp *t, uint8_t *out, const uint8_t *in, size_t n)
{
    e2e_rc4_xor(&t->rc4, out, in, n);
}
