/* RTP header parsing (see rtp.h). */
#include "codec/rtp.h"

#include "core/util.h"

size_t
e2e__rtp_header_len(const uint8_t *p, size_t n)
{
    if (n < 12 || p[0] >> 6 != 2)
        return 0;
    size_t h = 12 + 4 * (size_t)(p[0] & 0x0f);
    if (p[0] & 0x10) {
        if (n < h + 4)
            return 0;
        h += 4 + 4 * (size_t)e2e_load16_be(p + h + 2);
    }
    return h <= n ? h : 0;
}
