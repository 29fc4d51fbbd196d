/*
 * Minimal test harness. Each tests/<dir>/test_*.c is one program:
 *
 *   static void test_something(void) { CHECK_OK(e2e_foo(...)); CHECK_HEX(out, 32, "ab12..."); }
 *   int main(void) { RUN(test_something); return test_finish(); }
 *
 * Checks record the failure with file:line and go on; test_finish() prints a
 * summary and returns 1 if any check failed. test_skip() ends the program with
 * ctest's skip code (77) and a message saying why.
 */
#ifndef E2E_TEST_H
#define E2E_TEST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <e2ekit/core.h>

extern int test_failures_;
extern int test_checks_;

void test_fail_(const char *file, int line, const char *fmt, ...) E2E_PRINTF(3, 4);
void test_run_(const char *name, void (*fn)(void));
int test_finish(void);
void test_skip(const char *why) __attribute__((noreturn));
/* Prints "note: ..." (e.g. a skipped part of one test, with the reason). */
void test_note(const char *fmt, ...) E2E_PRINTF(1, 2);

#define RUN(fn) test_run_(#fn, fn)

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        test_checks_++;                                                                            \
        if (!(cond))                                                                               \
            test_fail_(__FILE__, __LINE__, "CHECK(%s)", #cond);                                    \
    } while (0)

#define CHECK_EQ(a, b)                                                                             \
    do {                                                                                           \
        long long a_ = (long long)(a), b_ = (long long)(b);                                        \
        test_checks_++;                                                                            \
        if (a_ != b_)                                                                              \
            test_fail_(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, a_, b_);              \
    } while (0)

/* Expects a specific e2e_err code (E2E_OK for success). */
#define CHECK_ERR(expr, code)                                                                      \
    do {                                                                                           \
        int got_ = (expr), want_ = (code);                                                         \
        test_checks_++;                                                                            \
        if (got_ != want_)                                                                         \
            test_fail_(__FILE__, __LINE__, "%s: got %s (%d), want %s", #expr,                      \
                       e2e_err_name(got_), got_, e2e_err_name(want_));                             \
    } while (0)
#define CHECK_OK(expr) CHECK_ERR(expr, E2E_OK)

#define CHECK_MEM(a, b, n)                                                                         \
    do {                                                                                           \
        test_checks_++;                                                                            \
        test_check_mem_(__FILE__, __LINE__, #a, (const uint8_t *)(a), (const uint8_t *)(b), (n));  \
    } while (0)
/* Compares n bytes at p with a hex string (which must describe exactly n bytes). */
#define CHECK_HEX(p, n, hex)                                                                       \
    do {                                                                                           \
        test_checks_++;                                                                            \
        test_check_hex_(__FILE__, __LINE__, #p, (const uint8_t *)(p), (n), (hex));                 \
    } while (0)

void test_check_mem_(const char *file, int line, const char *what, const uint8_t *a,
                     const uint8_t *b, size_t n);
void test_check_hex_(const char *file, int line, const char *what, const uint8_t *p, size_t n,
                     const char *hex);

/* Decode hex into out (aborts the program on bad hex or overflow: test data is ours). */
size_t unhex(uint8_t *out, size_t cap, const char *hex);
/* Print bytes as hex (for notes). */
void test_print_hex(const char *label, const uint8_t *p, size_t n);

/*
 * A deterministic context: randomness from a seeded e2e_drbg, time from a
 * settable clock (starts at 2026-01-01T00:00:00Z). Free with test_ctx_free.
 */
struct test_ctx {
    e2e_ctx *ctx;
    struct e2e_drbg drbg;
    uint64_t now_ms;
};
e2e_ctx *test_ctx_new(struct test_ctx *t, uint64_t seed);
void test_ctx_free(struct test_ctx *t);

/* Path of ../shared/<rel> if it exists (else NULL): vectors that are read, never copied. */
const char *test_shared_path(const char *rel);
/* Path of <source dir>/<rel>. */
const char *test_source_path(const char *rel);

#endif
