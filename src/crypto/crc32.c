/* CRC-32 as zlib computes it, slicing by 8 bytes at a time. */
#include <e2ekit/crypto.h>

#include "crypto/crc32_table.h"

uint32_t
e2e_crc32(uint32_t crc, const void *p, size_t n)
{
    const uint8_t *b = p;
    uint32_t c = crc ^ 0xFFFFFFFFu;
    while (n >= 8) {
        uint32_t lo = c ^ ((uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
                           (uint32_t)b[3] << 24);
        uint32_t hi = (uint32_t)b[4] | (uint32_t)b[5] << 8 | (uint32_t)b[6] << 16 |
                      (uint32_t)b[7] << 24;
        c = crc32_table[7][lo & 0xFF] ^ crc32_table[6][(lo >> 8) & 0xFF] ^
            crc32_table[5][(lo >> 16) & 0xFF] ^ crc32_table[4][lo >> 24] ^
            crc32_table[3][hi & 0xFF] ^ crc32_table[2][(hi >> 8) & 0xFF] ^
            crc32_table[1][(hi >> 16) & 0xFF] ^ crc32_table[0][hi >> 24];
        b += 8;
        n -= 8;
    }
    while (n--)
        c = crc32_table[0][(c ^ *b++) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}
