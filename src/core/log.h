/* Internal logging, tracing and report helpers. */
#ifndef E2E_CORE_LOG_H
#define E2E_CORE_LOG_H

#include <stddef.h>
#include <stdint.h>

#include <e2ekit/core.h>

/* At E2E_LOG_TRACE: "<label> = <hex>". Used by suites to narrate derivations step by step;
 * costs one branch when tracing is off. */
void e2e_trace_hex(const e2e_ctx *ctx, const char *label, const uint8_t *p, size_t n);
#define E2E_TRACE(ctx, ...)                                                                        \
    do {                                                                                           \
        if (e2e_log_enabled((ctx), E2E_LOG_TRACE))                                                 \
            e2e_log((ctx), E2E_LOG_TRACE, __VA_ARGS__);                                            \
    } while (0)

/* Fill a report (r may be NULL) and return err, so failures read
 *   return e2e_report_fail(why, E2E_ERR_AUTH, "mac", "MAC of message %u differs", n);  */
int e2e_report_fail(struct e2e_report *r, int err, const char *check, const char *fmt, ...)
    E2E_PRINTF(4, 5);

/* The default randomness (libsodium's randombytes_buf), defined in crypto/. */
int e2e__sys_random(uint8_t *out, size_t n);

#endif
