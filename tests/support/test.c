/* Minimal test harness (see test.h). */
#define _GNU_SOURCE
#include "test.h"

#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

int test_failures_;
int test_checks_;
static const char *current_;

void
test_fail_(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    test_failures_++;
    fprintf(stderr, "FAIL %s:%d [%s] ", file, line, current_ ? current_ : "-");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void
test_note(const char *fmt, ...)
{
    va_list ap;
    printf("note: ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

void
test_run_(const char *name, void (*fn)(void))
{
    int before = test_failures_;
    current_ = name;
    fn();
    printf("%s %s\n", test_failures_ == before ? "ok  " : "FAIL", name);
    fflush(stdout);
    current_ = NULL;
}

int
test_finish(void)
{
    printf("%d checks, %d failed\n", test_checks_, test_failures_);
    return test_failures_ ? 1 : 0;
}

void
test_skip(const char *why)
{
    printf("SKIP: %s\n", why);
    exit(77);
}

void
test_print_hex(const char *label, const uint8_t *p, size_t n)
{
    printf("%s = ", label);
    for (size_t i = 0; i < n; i++)
        printf("%02x", p[i]);
    putchar('\n');
}

static void
dump_diff(const uint8_t *got, const uint8_t *want, size_t n)
{
    fprintf(stderr, "  got:  ");
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, "%02x", got[i]);
    fprintf(stderr, "\n  want: ");
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, "%02x", want[i]);
    fputc('\n', stderr);
}

void
test_check_mem_(const char *file, int line, const char *what, const uint8_t *a, const uint8_t *b,
                size_t n)
{
    if (n && memcmp(a, b, n) != 0) {
        test_fail_(file, line, "%s: %zu bytes differ", what, n);
        dump_diff(a, b, n);
    }
}

void
test_check_hex_(const char *file, int line, const char *what, const uint8_t *p, size_t n,
                const char *hex)
{
    size_t hl = strlen(hex);
    if (hl != 2 * n) {
        test_fail_(file, line, "%s: expected hex has %zu bytes, checked length is %zu", what,
                   hl / 2, n);
        return;
    }
    uint8_t *want = malloc(n ? n : 1);
    if (!want)
        abort();
    unhex(want, n, hex);
    test_check_mem_(file, line, what, p, want, n);
    free(want);
}

size_t
unhex(uint8_t *out, size_t cap, const char *hex)
{
    size_t len = 0;
    if (e2e_hex_decode(out, cap, &len, hex, strlen(hex)) != E2E_OK) {
        fprintf(stderr, "unhex: bad test hex (%zu chars, cap %zu): %.40s\n", strlen(hex), cap,
                hex);
        abort();
    }
    return len;
}

static uint64_t
test_clock(void *user)
{
    return ((struct test_ctx *)user)->now_ms;
}

/* The context has one user pointer: the test_ctx, which holds both the drbg and the clock. */
static int
test_rng(void *user, uint8_t *out, size_t n)
{
    return e2e_drbg_rng(&((struct test_ctx *)user)->drbg, out, n);
}

e2e_ctx *
test_ctx_new(struct test_ctx *t, uint64_t seed)
{
    uint8_t s[8];
    for (int i = 0; i < 8; i++)
        s[i] = (uint8_t)(seed >> (8 * i));
    memset(t, 0, sizeof *t);
    e2e_drbg_seed(&t->drbg, s, sizeof s);
    t->now_ms = 1767225600000ull; /* 2026-01-01T00:00:00Z */
    struct e2e_ctx_config cfg = {0};
    cfg.rng = test_rng;
    cfg.now_ms = test_clock;
    cfg.user = t;
    if (e2e_ctx_new(&t->ctx, &cfg) != E2E_OK)
        abort();
    return t->ctx;
}

void
test_ctx_free(struct test_ctx *t)
{
    e2e_ctx_free(t->ctx);
    e2e_wipe(t, sizeof *t);
}

static const char *
path_under(const char *base, const char *rel, int must_exist)
{
    static char buf[4][1024];
    static int slot;
    char *p = buf[slot++ % 4];
    snprintf(p, sizeof buf[0], "%s/%s", base, rel);
    if (must_exist && access(p, R_OK) != 0)
        return NULL;
    return p;
}

const char *
test_shared_path(const char *rel)
{
    const char *base = getenv("E2E_SHARED_DIR");
    return path_under(base ? base : E2E_SHARED_DIR, rel, 1);
}

const char *
test_source_path(const char *rel)
{
    const char *base = getenv("E2E_SOURCE_DIR");
    return path_under(base ? base : E2E_SOURCE_DIR, rel, 0);
}
