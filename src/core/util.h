/* Small internal helpers shared by every module: endian loads and stores, sizes. */
#ifndef E2E_CORE_UTIL_H
#define E2E_CORE_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <e2ekit/core.h>

#define E2E_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define E2E_MIN(a, b) ((a) < (b) ? (a) : (b))
#define E2E_MAX(a, b) ((a) > (b) ? (a) : (b))
/* Propagate a negative e2e_err. */
#define E2E_TRY(expr)                                                                              \
    do {                                                                                           \
        int e2e_try_rc_ = (expr);                                                                  \
        if (e2e_try_rc_ < 0)                                                                       \
            return e2e_try_rc_;                                                                    \
    } while (0)

static inline uint16_t
e2e_load16_be(const uint8_t *p)
{
    return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}
static inline uint32_t
e2e_load32_be(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline uint32_t
e2e_load32_le(const uint8_t *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}
static inline uint64_t
e2e_load64_be(const uint8_t *p)
{
    return (uint64_t)e2e_load32_be(p) << 32 | e2e_load32_be(p + 4);
}
static inline uint64_t
e2e_load64_le(const uint8_t *p)
{
    return (uint64_t)e2e_load32_le(p + 4) << 32 | e2e_load32_le(p);
}
static inline void
e2e_store16_be(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static inline void
e2e_store32_be(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}
static inline void
e2e_store32_le(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}
static inline void
e2e_store64_be(uint8_t *p, uint64_t v)
{
    e2e_store32_be(p, (uint32_t)(v >> 32));
    e2e_store32_be(p + 4, (uint32_t)v);
}
static inline void
e2e_store64_le(uint8_t *p, uint64_t v)
{
    e2e_store32_le(p, (uint32_t)v);
    e2e_store32_le(p + 4, (uint32_t)(v >> 32));
}

#endif
