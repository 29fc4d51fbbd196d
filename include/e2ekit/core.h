/*
 * e2ekit core: errors, the context (randomness, time, logging), reports,
 * wiping, constant-time comparison and the hex / base64 codecs.
 *
 * Every other e2ekit header includes this one.
 */
#ifndef E2EKIT_CORE_H
#define E2EKIT_CORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- export and attribute macros ------------------------------------------------------------ */

#if defined(E2E_BUILDING_LIBRARY)
#define E2E_API __attribute__((visibility("default")))
#else
#define E2E_API
#endif
#define E2E_WARN_UNUSED __attribute__((warn_unused_result))
#define E2E_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* ---- errors --------------------------------------------------------------------------------- */

/*
 * The one list of error codes. Codes are negative; 0 is success. A failed
 * MAC or signature is always E2E_ERR_AUTH, never folded into MALFORMED, so
 * callers can tell tampering from garbage.
 */
#define E2E_ERRNO_MAP(XX)                                                                          \
    XX(INVALID, -1, "invalid argument")                                                            \
    XX(NOMEM, -2, "out of memory")                                                                 \
    XX(MALFORMED, -3, "malformed input")                                                           \
    XX(AUTH, -4, "authentication failed (MAC or signature)")                                       \
    XX(DUPLICATE, -5, "duplicate or replayed message")                                             \
    XX(TOO_FAR, -6, "message too far ahead")                                                       \
    XX(NO_SESSION, -7, "no session")                                                               \
    XX(UNTRUSTED, -8, "untrusted identity")                                                        \
    XX(UNSUPPORTED, -9, "unsupported version or layer")                                            \
    XX(STORAGE, -10, "storage failure")                                                            \
    XX(NETWORK, -11, "network failure")                                                            \
    XX(PROTOCOL, -12, "protocol violation")                                                        \
    XX(WEAK_KEY, -13, "weak or out-of-range public value")                                         \
    XX(BUFFER, -14, "output buffer too small")                                                     \
    XX(STATE, -15, "operation not allowed in this state")                                          \
    XX(LIMIT, -16, "limit reached")                                                                \
    XX(NOT_FOUND, -17, "not found")                                                                \
    XX(CRYPTO, -18, "cryptographic back end failed")                                               \
    XX(RNG, -19, "random number generator failed")                                                 \
    XX(VERIFY, -20, "verification codes differ")                                                   \
    XX(RATE_LIMITED, -21, "rate limited")                                                          \
    XX(IO, -22, "input/output failure")

enum e2e_err {
    E2E_OK = 0,
#define E2E_ERR_ENUM_(name, code, text) E2E_ERR_##name = (code),
    E2E_ERRNO_MAP(E2E_ERR_ENUM_)
#undef E2E_ERR_ENUM_
};

/* A sentence for the code ("authentication failed (MAC or signature)"). Never NULL. */
E2E_API const char *e2e_strerror(int err);
/* The code's name without prefix ("AUTH"); "OK" for 0, "UNKNOWN" for codes not in the list. */
E2E_API const char *e2e_err_name(int err);

/* ---- context -------------------------------------------------------------------------------- */

enum e2e_log_level {
    E2E_LOG_ERROR = 0,
    E2E_LOG_WARN = 1,
    E2E_LOG_INFO = 2,
    E2E_LOG_DEBUG = 3,
    /* Step-by-step derivations, including secret intermediate values. For study only. */
    E2E_LOG_TRACE = 4,
};

/*
 * What the library must not take from the world by itself. Every field may
 * be NULL / 0 for the default: libsodium's randombytes_buf, CLOCK_REALTIME,
 * no logging.
 */
struct e2e_ctx_config {
    int (*rng)(void *user, uint8_t *out, size_t n); /* 0 on success */
    uint64_t (*now_ms)(void *user);                 /* milliseconds since the Unix epoch */
    void (*log)(void *user, int level, const char *msg);
    void *user;
    int log_level; /* messages above this level are not formatted at all */
};

typedef struct e2e_ctx e2e_ctx;

/* cfg may be NULL (all defaults). The config is copied. */
E2E_API int e2e_ctx_new(e2e_ctx **out, const struct e2e_ctx_config *cfg) E2E_WARN_UNUSED;
E2E_API void e2e_ctx_free(e2e_ctx *ctx);

/* ctx may be NULL: the defaults are used. */
E2E_API int e2e_random(const e2e_ctx *ctx, uint8_t *out, size_t n) E2E_WARN_UNUSED;
E2E_API uint64_t e2e_now_ms(const e2e_ctx *ctx);
E2E_API int e2e_log_enabled(const e2e_ctx *ctx, int level);
E2E_API void e2e_log(const e2e_ctx *ctx, int level, const char *fmt, ...) E2E_PRINTF(3, 4);

/*
 * A deterministic random generator for tests, demos and reproducible
 * research runs: ChaCha20 keystream under a key derived from the seed. Pass
 * e2e_drbg_rng as the rng callback and the e2e_drbg as its user pointer. It
 * never touches libsodium's process-wide randombytes implementation.
 */
struct e2e_drbg {
    uint8_t key[32];
    uint64_t block;
    uint8_t buf[64];
    size_t used;
};
E2E_API void e2e_drbg_seed(struct e2e_drbg *d, const void *seed, size_t n);
E2E_API int e2e_drbg_rng(void *drbg, uint8_t *out, size_t n);

/* ---- reports -------------------------------------------------------------------------------- */

/*
 * Why a decrypt / verify / parse failed, filled in by functions that take a
 * `struct e2e_report *` (which may be NULL). On success err = 0 and `state`
 * says which stored state was used.
 */
struct e2e_report {
    int err;           /* the code the function returned */
    const char *check; /* static name of the check that failed: "mac", "duplicate", ... */
    int state;         /* state used / last tried: 0 current, n > 0 the n-th archived, -1 none */
    unsigned tried;    /* how many stored states were tried */
    char detail[160];  /* one human sentence */
};
E2E_API void e2e_report_clear(struct e2e_report *r);

/* ---- secrets -------------------------------------------------------------------------------- */

/* Overwrite n bytes with zeros in a way the compiler may not remove. */
E2E_API void e2e_wipe(void *p, size_t n);
/* 1 if equal, 0 otherwise; time depends only on n. */
E2E_API int e2e_ct_equal(const void *a, const void *b, size_t n);
/* 1 if all n bytes are zero; time depends only on n. */
E2E_API int e2e_ct_is_zero(const void *p, size_t n);

/* ---- replay windows ------------------------------------------------------------------------- */

/*
 * A sliding window of accepted sequence numbers, as RFC 4303 section 3.4.3 and RFC 3711
 * section 3.3.2 describe it: the highest number accepted and a bitmap of the ones below it.
 * Plain data; all zero is an empty window. Check before authenticating a packet, commit only
 * after (decrypt-then-commit). Each protocol keeps its own policy on top (window size, how far
 * ahead a number may jump).
 */
#define E2E_REPLAY_WINDOW_MAX 128
struct e2e_replay_window {
    uint64_t top;     /* the highest number accepted */
    uint64_t bits[2]; /* bit i (of 128): top - i was accepted */
    uint32_t have;    /* anything accepted yet */
};
enum e2e_replay_verdict {
    E2E_REPLAY_NEW = 0,     /* never seen, inside or above the window */
    E2E_REPLAY_SEEN = 1,    /* accepted before */
    E2E_REPLAY_TOO_OLD = 2, /* below the window: cannot tell, so refuse */
};
/* Classifies seq against a window of `size` entries (1..E2E_REPLAY_WINDOW_MAX) below the top.
 * Changes nothing. */
E2E_API int e2e_replay_check(const struct e2e_replay_window *w, uint64_t seq, unsigned size);
/* Records seq as accepted, sliding the window up when seq is above the top. */
E2E_API void e2e_replay_commit(struct e2e_replay_window *w, uint64_t seq);

/* ---- codecs (constant-time in the data: safe for key material) ------------------------------ */

/* Lower-case hex with a terminating NUL; needs out_cap >= 2n + 1. */
E2E_API int e2e_hex_encode(char *out, size_t out_cap, const uint8_t *in, size_t n);
/* Upper or lower case; whitespace is not accepted. E2E_ERR_MALFORMED on odd length or a bad
 * digit, E2E_ERR_BUFFER when out_cap < hex_len / 2. */
E2E_API int e2e_hex_decode(uint8_t *out, size_t out_cap, size_t *out_len, const char *hex,
                           size_t hex_len) E2E_WARN_UNUSED;

enum e2e_base64_variant {
    E2E_BASE64 = 0,     /* RFC 4648 section 4, with '=' padding */
    E2E_BASE64_URL = 1, /* RFC 4648 section 5, no padding */
};
/* Encoded length for n bytes, without the NUL. */
E2E_API size_t e2e_base64_encoded_len(size_t n, int variant);
E2E_API int e2e_base64_encode(char *out, size_t out_cap, const uint8_t *in, size_t n,
                              int variant);
/* Strict: canonical padding and unused bits zero. */
E2E_API int e2e_base64_decode(uint8_t *out, size_t out_cap, size_t *out_len, const char *b64,
                              size_t b64_len, int variant) E2E_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif
