/*
 * Known-answer data files: tests/vectors/<suite>/NAME.vec.
 *
 *   # source: RFC 4231, section 4.2, test case 1      <- provenance (required in every file)
 *   calc = hmac-sha256                                 <- the e2ekit calculator that checks it
 *   key = 0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b
 *   data = 4869205468657265
 *   expect = b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7
 *                                                      <- a blank line ends the record
 * Values: hex, `<hex>*<count>` (repeated), `ascii:<text>` (for hex options), or plain text.
 * Special keys: expect (first output line), expect_line<N> (N-th line, from 1),
 * expect_exit (exit code, default 0), expect_contains (substring of the output).
 */
#ifndef E2E_VECFILE_H
#define E2E_VECFILE_H

#include <stddef.h>

#define VEC_MAX_FIELDS 48

struct vec_record {
    const char *file;
    int line; /* first line of the record */
    size_t n;
    char *key[VEC_MAX_FIELDS];
    char *val[VEC_MAX_FIELDS];
};

/* Calls fn for each record; stops and returns fn's non-zero result. Returns -1 (after
 * printing why) if the file cannot be read, is malformed, or has no provenance line. */
int vec_file_each(const char *path, int (*fn)(const struct vec_record *r, void *arg), void *arg);
const char *vec_get(const struct vec_record *r, const char *key);

#endif
