/*
 * Telegram's TL binary serialisation (reference/telegram.md 4.3), on top of the bounded reader
 * and writer of core/bytes.h.
 *
 * Emit canonical, parse leniently, bound every length:
 *   - int = 4 bytes LE, long = 8 bytes LE, double = 8 bytes LE IEEE 754;
 *   - bytes / string: length < 254 -> one length byte; otherwise 0xFE + 3-byte LE length; the
 *     field is zero-padded to a multiple of 4. The writer always uses the shortest form and
 *     zero pad bytes. The reader also accepts the long form for short values, the 0xFF + 7-byte
 *     form, and non-zero pad bytes (as tdlib's parser does), but never a length beyond the
 *     caller's bound or beyond the input;
 *   - Vector<T> = 1cb5c415, int32 count, elements; the count is checked against the bytes left
 *     before any element is read, so a forged count cannot make a parser loop or allocate.
 * Errors are the reader's / writer's sticky errors: a parser reads every field and checks once.
 */
#ifndef E2E_CODEC_TL_H
#define E2E_CODEC_TL_H

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"

#define E2E_TL_VECTOR     0x1cb5c415u
#define E2E_TL_BOOL_TRUE  0x997275b5u
#define E2E_TL_BOOL_FALSE 0xbc799737u
/* The largest bytes/string the writer emits (the 0xFE form holds 24 bits). */
#define E2E_TL_BYTES_MAX 0xFFFFFFu

void e2e__tl_write_id(struct e2e_writer *w, uint32_t id);
void e2e__tl_write_int(struct e2e_writer *w, int32_t v);
void e2e__tl_write_long(struct e2e_writer *w, int64_t v);
void e2e__tl_write_double(struct e2e_writer *w, double v);
/* Canonical bytes; a value longer than E2E_TL_BYTES_MAX fails the writer (E2E_ERR_INVALID). */
void e2e__tl_write_bytes(struct e2e_writer *w, const uint8_t *p, size_t n);
void e2e__tl_write_string(struct e2e_writer *w, const char *s, size_t n);
/* Vector<long>, bare elements. */
void e2e__tl_write_vector_long(struct e2e_writer *w, const int64_t *v, size_t n);
/* Bytes a bytes/string field of n bytes occupies on the wire (canonical form). */
size_t e2e__tl_bytes_size(size_t n);

uint32_t e2e__tl_read_id(struct e2e_reader *r);
int32_t e2e__tl_read_int(struct e2e_reader *r);
int64_t e2e__tl_read_long(struct e2e_reader *r);
double e2e__tl_read_double(struct e2e_reader *r);
/* A view of a bytes/string field inside the input, at most `max` bytes long (else the reader
 * fails with E2E_ERR_MALFORMED). *n is 0 and the result NULL on error. */
const uint8_t *e2e__tl_read_bytes(struct e2e_reader *r, size_t *n, size_t max);
/* Vector header: reads 1cb5c415 and the count; fails unless 0 <= count <= max and the input
 * still holds count * elem_min bytes. Returns the count (0 on error). */
size_t e2e__tl_read_vector(struct e2e_reader *r, size_t elem_min, size_t max);
/* Bool (boolTrue / boolFalse): 1 or 0; another id fails the reader. */
int e2e__tl_read_bool(struct e2e_reader *r);

#endif
