/* Internal helpers shared by the files of the skype suite. */
#ifndef E2E_SKYPE_INTERNAL_H
#define E2E_SKYPE_INTERNAL_H

#include <e2ekit/skype.h>

#include "core/bytes.h"

/* Versioned blob header: 4-byte magic, 16-bit version (both big-endian). */
void e2e__skype_write_header(struct e2e_writer *w, uint32_t magic, uint16_t version);
/* E2E_ERR_MALFORMED for another magic, E2E_ERR_UNSUPPORTED for another version. */
int e2e__skype_read_header(struct e2e_reader *r, uint32_t magic, uint16_t version, const char *what,
                           struct e2e_report *why);

#endif
