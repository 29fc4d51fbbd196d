/* The context: randomness, time and logging come from the caller, never from globals. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"

struct e2e_ctx {
    struct e2e_ctx_config cfg;
};

int
e2e_ctx_new(e2e_ctx **out, const struct e2e_ctx_config *cfg)
{
    if (!out)
        return E2E_ERR_INVALID;
    *out = NULL;
    e2e_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return E2E_ERR_NOMEM;
    if (cfg)
        c->cfg = *cfg;
    *out = c;
    return E2E_OK;
}

void
e2e_ctx_free(e2e_ctx *ctx)
{
    if (ctx) {
        e2e_wipe(ctx, sizeof *ctx);
        free(ctx);
    }
}

int
e2e_random(const e2e_ctx *ctx, uint8_t *out, size_t n)
{
    if (!out && n)
        return E2E_ERR_INVALID;
    if (n == 0)
        return E2E_OK;
    if (ctx && ctx->cfg.rng) {
        if (ctx->cfg.rng(ctx->cfg.user, out, n) != 0) {
            e2e_wipe(out, n);
            return E2E_ERR_RNG;
        }
        return E2E_OK;
    }
    return e2e__sys_random(out, n);
}

uint64_t
e2e_now_ms(const e2e_ctx *ctx)
{
    if (ctx && ctx->cfg.now_ms)
        return ctx->cfg.now_ms(ctx->cfg.user);
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int
e2e_log_enabled(const e2e_ctx *ctx, int level)
{
    return ctx && ctx->cfg.log && level <= ctx->cfg.log_level;
}

void
e2e_log(const e2e_ctx *ctx, int level, const char *fmt, ...)
{
    if (!e2e_log_enabled(ctx, level))
        return;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    ctx->cfg.log(ctx->cfg.user, level, buf);
    e2e_wipe(buf, sizeof buf);
}

void
e2e_trace_hex(const e2e_ctx *ctx, const char *label, const uint8_t *p, size_t n)
{
    if (!e2e_log_enabled(ctx, E2E_LOG_TRACE))
        return;
    char hex[2 * 256 + 1];
    size_t shown = n > 256 ? 256 : n;
    if (e2e_hex_encode(hex, sizeof hex, p, shown) != E2E_OK)
        hex[0] = 0;
    e2e_log(ctx, E2E_LOG_TRACE, "%s = %s%s", label, hex, shown < n ? "..." : "");
    e2e_wipe(hex, sizeof hex);
}

void
e2e_report_clear(struct e2e_report *r)
{
    if (!r)
        return;
    memset(r, 0, sizeof *r);
    r->state = -1;
}

int
e2e_report_fail(struct e2e_report *r, int err, const char *check, const char *fmt, ...)
{
    if (r) {
        r->err = err;
        r->check = check;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->detail, sizeof r->detail, fmt, ap);
        va_end(ap);
    }
    return err;
}
