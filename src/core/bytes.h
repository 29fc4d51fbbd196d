/*
 * Bounded byte reader and writer. Errors are sticky: after the first short
 * read or overflowing write every later call does nothing, reads yield zeros,
 * and `err` holds E2E_ERR_MALFORMED (reader) or E2E_ERR_BUFFER (writer). A
 * parser reads all its fields and checks `err` once; there is no way to read
 * past the end.
 */
#ifndef E2E_CORE_BYTES_H
#define E2E_CORE_BYTES_H

#include <stddef.h>
#include <stdint.h>

struct e2e_reader {
    const uint8_t *p;
    size_t len;
    size_t pos;
    int err;
};

struct e2e_writer {
    uint8_t *p;
    size_t cap;
    size_t len;
    int err;
};

void e2e_reader_init(struct e2e_reader *r, const uint8_t *p, size_t len);
size_t e2e_reader_left(const struct e2e_reader *r);
/* E2E_ERR_MALFORMED unless the reader is error-free and fully consumed. */
int e2e_reader_done(const struct e2e_reader *r);
uint8_t e2e_read_u8(struct e2e_reader *r);
uint16_t e2e_read_u16_be(struct e2e_reader *r);
uint32_t e2e_read_u32_be(struct e2e_reader *r);
uint32_t e2e_read_u32_le(struct e2e_reader *r);
uint64_t e2e_read_u64_be(struct e2e_reader *r);
uint64_t e2e_read_u64_le(struct e2e_reader *r);
/* Copies n bytes into out (zeros on error). */
void e2e_read_bytes(struct e2e_reader *r, uint8_t *out, size_t n);
/* A pointer to the next n bytes inside the input, or NULL (and the error set) if short. */
const uint8_t *e2e_read_view(struct e2e_reader *r, size_t n);
void e2e_read_skip(struct e2e_reader *r, size_t n);
/* Marks the reader failed with `err` (a parser found a semantic error). */
void e2e_reader_fail(struct e2e_reader *r, int err);

void e2e_writer_init(struct e2e_writer *w, uint8_t *p, size_t cap);
void e2e_write_u8(struct e2e_writer *w, uint8_t v);
void e2e_write_u16_be(struct e2e_writer *w, uint16_t v);
void e2e_write_u32_be(struct e2e_writer *w, uint32_t v);
void e2e_write_u32_le(struct e2e_writer *w, uint32_t v);
void e2e_write_u64_be(struct e2e_writer *w, uint64_t v);
void e2e_write_u64_le(struct e2e_writer *w, uint64_t v);
void e2e_write_bytes(struct e2e_writer *w, const uint8_t *p, size_t n);
void e2e_write_zeros(struct e2e_writer *w, size_t n);
/* Reserves n bytes and returns a pointer to fill them in, or NULL on overflow. */
uint8_t *e2e_write_reserve(struct e2e_writer *w, size_t n);

#endif
