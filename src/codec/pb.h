/*
 * Protobuf wire format, bounded and allocation-free, shared by the suites that speak it
 * (signal, whatsapp). The reader accepts exactly what protobuf-c 1.4 accepts at the field
 * level: a tag of at most 5 bytes whose field number is not 0, varints of at most 10 bytes,
 * lengths of at most 5 bytes and 2^31 - 1, no group or reserved wire types. It returns views
 * into the input, so signed or MACed bytes are checked exactly as received. The writers emit
 * protobuf-c's canonical bytes (minimal varints). tests/signal/test_wire.c holds the reader
 * against protobuf-c's generated code on tens of thousands of inputs.
 */
#ifndef E2E_CODEC_PB_H
#define E2E_CODEC_PB_H

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"

enum { E2E__PB_VARINT = 0, E2E__PB_I64 = 1, E2E__PB_LEN = 2, E2E__PB_I32 = 5 };

struct e2e__pb_field {
    uint32_t num;
    unsigned wt;
    uint64_t v;       /* E2E__PB_VARINT, _I64, _I32 */
    const uint8_t *p; /* E2E__PB_LEN: the payload, inside the input */
    size_t n;
};

/* 1 with *f filled, 0 at the clean end of the input, E2E_ERR_MALFORMED on bad bytes (and the
 * reader failed, its position left at the start of the bad field). */
int e2e__pb_next(struct e2e_reader *r, struct e2e__pb_field *f);
/* Packed repeated uint32 (also a single unpacked varint): appends to out (cap entries).
 * E2E_ERR_MALFORMED on a value above 2^32 - 1, E2E_ERR_LIMIT when full. */
int e2e__pb_packed_u32(const struct e2e__pb_field *f, uint32_t *out, size_t cap, size_t *n);

/* Raw writers, for callers that size their output first (the per-message paths). */
size_t e2e__pb_varint_len(uint64_t v);
size_t e2e__pb_put_varint(uint8_t *p, uint64_t v); /* returns the length written */

/* Writers on the bounded writer (its sticky error reports overflow). */
void e2e__pb_varint(struct e2e_writer *w, uint64_t v);
void e2e__pb_tag(struct e2e_writer *w, uint32_t num, unsigned wt);
void e2e__pb_uint(struct e2e_writer *w, uint32_t num, uint64_t v);
void e2e__pb_bytes(struct e2e_writer *w, uint32_t num, const void *p, size_t n);
void e2e__pb_packed(struct e2e_writer *w, uint32_t num, const uint32_t *v, size_t n);
/* Nested message: _begin writes the tag and reserves room for the length; _end writes the
 * minimal varint length and moves the body into place. */
size_t e2e__pb_begin(struct e2e_writer *w, uint32_t num);
void e2e__pb_end(struct e2e_writer *w, size_t mark);

#endif
