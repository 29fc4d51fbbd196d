/* Internal UTF-8 helpers (RFC 3629), shared by the JSON reader and display-data code. */
#ifndef E2E_CORE_UTF8_H
#define E2E_CORE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Writes the UTF-8 encoding of cp (<= 0x10FFFF, not a surrogate) to out (4 bytes of room);
 * returns its length. */
size_t e2e__utf8_put(char *out, uint32_t cp);
/* Length of the valid UTF-8 sequence at p (at most n > 0 bytes), 0 if invalid: overlong
 * forms, surrogates and values above 0x10FFFF are invalid. */
size_t e2e__utf8_len(const unsigned char *p, size_t n);

#endif
