/* The head of every versioned state blob (docs/ARCHITECTURE.md): a 4-byte magic naming the
 * object (four ASCII letters, written big-endian) and a 16-bit format version. */
#ifndef E2E_CORE_BLOB_H
#define E2E_CORE_BLOB_H

#include <stdint.h>

#include <e2ekit/core.h>

#include "core/bytes.h"

#define E2E__MAGIC(a, b, c, d)                                                                     \
    ((uint32_t)(uint8_t)(a) << 24 | (uint32_t)(uint8_t)(b) << 16 | (uint32_t)(uint8_t)(c) << 8 |   \
     (uint32_t)(uint8_t)(d))

void e2e__blob_head_write(struct e2e_writer *w, uint32_t magic, uint16_t version);
/* Reads and checks the head: E2E_ERR_MALFORMED (check "magic") for another object or a short
 * input, E2E_ERR_UNSUPPORTED (check "version") for a format this build does not read. The
 * reader is failed with the same code, so later reads do nothing. why may be NULL. */
int e2e__blob_head_read(struct e2e_reader *r, uint32_t magic, uint16_t version, const char *what,
                        struct e2e_report *why);

#endif
