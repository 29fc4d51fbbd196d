/*
 * A small bounded, total JSON reader (RFC 8259): the whole text is parsed into a read-only tree
 * in two allocations (nodes, decoded strings), with limits on input size, nesting depth, node
 * count and members per object. Every malformed input gives E2E_ERR_MALFORMED with the line
 * and column in the report; exceeding a limit gives E2E_ERR_LIMIT. Strict: UTF-8 is validated,
 * escapes are decoded (\uXXXX with surrogate pairs to UTF-8; \u0000 and lone surrogates are
 * refused), duplicate member names are refused, nothing follows the top-level value but
 * whitespace.
 */
#ifndef E2E_CODEC_JSON_H
#define E2E_CODEC_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <e2ekit/core.h>

enum e2e_json_type {
    E2E_JSON_NULL = 0,
    E2E_JSON_FALSE,
    E2E_JSON_TRUE,
    E2E_JSON_NUMBER,
    E2E_JSON_STRING,
    E2E_JSON_ARRAY,
    E2E_JSON_OBJECT,
};

struct e2e_json_limits {
    size_t max_input;   /* bytes of text (default 16 MiB) */
    size_t max_depth;   /* nested arrays / objects (default 64, at most 1024) */
    size_t max_nodes;   /* values in the document (default 1,000,000) */
    size_t max_members; /* members of one object (default 4096) */
};

/* A value. Pointers stay valid until e2e_json_free. */
struct e2e_json_node {
    int type;
    uint32_t next;   /* next sibling's index, 0 = none */
    uint32_t child;  /* first element / member, 0 = none */
    uint32_t count;  /* elements / members */
    const char *key; /* member name (NUL-terminated, decoded) when inside an object, else NULL */
    size_t key_len;
    const char *str; /* string value (decoded, NUL-terminated), or the number's text */
    size_t len;
};

typedef struct e2e_json e2e_json;

/* lim may be NULL (defaults). */
int e2e_json_parse(e2e_json **out, const char *text, size_t n, const struct e2e_json_limits *lim,
                   struct e2e_report *why) E2E_WARN_UNUSED;
void e2e_json_free(e2e_json *doc);

const struct e2e_json_node *e2e_json_root(const e2e_json *doc);
/* Iteration over an array's elements or an object's members: first, then next (NULL at the
 * end or for a scalar). */
const struct e2e_json_node *e2e_json_first(const e2e_json *doc, const struct e2e_json_node *v);
const struct e2e_json_node *e2e_json_next(const e2e_json *doc, const struct e2e_json_node *v);
/* The member named `key` of an object, or NULL. */
const struct e2e_json_node *e2e_json_get(const e2e_json *doc, const struct e2e_json_node *obj,
                                         const char *key);
/* The string of a string node, or NULL for other types. */
const char *e2e_json_string(const struct e2e_json_node *v, size_t *len);
/* A number node as an integer: E2E_ERR_MALFORMED for non-numbers, fractions, exponents,
 * E2E_ERR_LIMIT for values outside int64. */
int e2e_json_int64(const struct e2e_json_node *v, int64_t *out) E2E_WARN_UNUSED;
/* A number node as a double. */
int e2e_json_double(const struct e2e_json_node *v, double *out) E2E_WARN_UNUSED;
/* 1 for true, 0 for false, -1 for other types. */
int e2e_json_bool(const struct e2e_json_node *v);

#endif
