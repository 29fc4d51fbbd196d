/* Wiping and constant-time comparison. */
#include <string.h>

#include <e2ekit/core.h>

void
e2e_wipe(void *p, size_t n)
{
    if (p && n)
        explicit_bzero(p, n);
}

int
e2e_ct_equal(const void *a, const void *b, size_t n)
{
    const volatile uint8_t *x = a;
    const volatile uint8_t *y = b;
    uint8_t d = 0;
    for (size_t i = 0; i < n; i++)
        d |= (uint8_t)(x[i] ^ y[i]);
    /* 1 when d == 0, without a data-dependent branch. */
    return (int)(1 & (((unsigned)d - 1) >> 8));
}

int
e2e_ct_is_zero(const void *p, size_t n)
{
    const volatile uint8_t *x = p;
    uint8_t d = 0;
    for (size_t i = 0; i < n; i++)
        d |= x[i];
    return (int)(1 & (((unsigned)d - 1) >> 8));
}
