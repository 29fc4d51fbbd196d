/* RTP (RFC 3550) pieces the media transforms of several suites share. */
#ifndef E2E_CODEC_RTP_H
#define E2E_CODEC_RTP_H

#include <stddef.h>
#include <stdint.h>

/* Length of the RTP header (fixed 12 bytes, CSRC list, header extension), or 0 when the n
 * bytes at p are not an RTP version 2 packet whose header fits. */
size_t e2e__rtp_header_len(const uint8_t *p, size_t n);

#endif
