/* RTP header lengths (src/codec/rtp.c), shared by the whatsapp and viber media transforms. */
#include "codec/rtp.h"
#include "test.h"

static void
test_header_len(void)
{
    uint8_t p[64];
    size_t n;
    n = unhex(p, sizeof p,
              "800f1234decafbadcafebabe"
              "abab");
    CHECK_EQ(e2e__rtp_header_len(p, n), 12);
    CHECK_EQ(e2e__rtp_header_len(p, 12), 12);
    CHECK_EQ(e2e__rtp_header_len(p, 11), 0); /* shorter than the fixed header */
    p[0] = 0x40;                             /* version 1 */
    CHECK_EQ(e2e__rtp_header_len(p, n), 0);
    p[0] = 0x82; /* two CSRCs: 20 bytes */
    CHECK_EQ(e2e__rtp_header_len(p, n), 0);
    CHECK_EQ(e2e__rtp_header_len(p, 20), 20);
    /* an extension: 4-byte head with a length of 2 words after the fixed header */
    n = unhex(p, sizeof p,
              "900f1234decafbadcafebabe"
              "bede0002"
              "1111111122222222"
              "ff");
    CHECK_EQ(e2e__rtp_header_len(p, n), 24);
    CHECK_EQ(e2e__rtp_header_len(p, 23), 0); /* the extension does not fit */
    CHECK_EQ(e2e__rtp_header_len(p, 15), 0); /* nor does its head */
}

int
main(void)
{
    RUN(test_header_len);
    return test_finish();
}
