/*
 * The per-packet pieces of Skype's session crypto (Berson 3.2.1): the ICM counter block, Skype's
 * CRC-32 and the faithful CRC trailer. The session (session.c) strings them together.
 */
#include <e2ekit/skype.h>

#include "core/util.h"

void
e2e_skype_icm_block0(uint8_t block[16], const uint8_t salt_send[4], const uint8_t salt_recv[4],
                     uint64_t packet_index)
{
    memcpy(block, salt_send, 4);
    memcpy(block + 4, salt_recv, 4);
    /* 48-bit packet_index, then the 16-bit block number, starting at 0 */
    e2e_store16_be(block + 8, (uint16_t)(packet_index >> 32));
    e2e_store32_be(block + 10, (uint32_t)packet_index);
    block[14] = 0;
    block[15] = 0;
}

uint32_t
e2e_skype_crc32(uint32_t seed, const void *p, size_t n)
{
    /* zlib's crc32 inverts the register on entry and on exit; Skype's does neither. */
    return e2e_crc32(seed ^ 0xFFFFFFFFu, p, n) ^ 0xFFFFFFFFu;
}

uint16_t
e2e_skype_crc_trailer(const uint8_t *ct, size_t n, uint64_t packet_index)
{
    uint32_t crc = e2e_skype_crc32(E2E_SKYPE_CRC_SEED, ct, n);
    return (uint16_t)((crc ^ packet_index) & 0xFFFFu);
}
