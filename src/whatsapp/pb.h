/*
 * A small protobuf wire-format reader and writer for the WhatsApp messages (ADV, Message).
 * Hand-written so that parsing is bounded, allocation-free and returns views into the input,
 * and so that signed bytes are verified exactly as received. protobuf-c's generated code for
 * the same schemas (proto/WA*.proto) serves as an independent oracle in the tests.
 */
#ifndef E2E_WHATSAPP_PB_H
#define E2E_WHATSAPP_PB_H

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"

enum { PB_VARINT = 0, PB_I64 = 1, PB_LEN = 2, PB_I32 = 5 };

struct pb_field {
    uint32_t num;
    unsigned wt;
    uint64_t v;       /* PB_VARINT, PB_I64, PB_I32 */
    const uint8_t *p; /* PB_LEN */
    size_t n;
};

/* 1 with *f filled, 0 at the clean end of the input, E2E_ERR_MALFORMED on bad bytes
 * (overlong varint, field number 0, group wire types, a length past the end). */
int e2e__pb_next(struct e2e_reader *r, struct pb_field *f);
/* Packed repeated uint32 (also a single unpacked varint): appends to out (cap entries).
 * E2E_ERR_MALFORMED on a value above 2^32 - 1, E2E_ERR_LIMIT when full. */
int e2e__pb_packed_u32(const struct pb_field *f, uint32_t *out, size_t cap, size_t *n);

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
