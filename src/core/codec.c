/*
 * Hex and base64 without table look-ups or branches on the data, so that
 * encoding and decoding key material does not leak it through timing.
 * Mask helpers work on values 0..255 and return 0xFF for true, 0 for false.
 */
#include <e2ekit/core.h>

static unsigned
ct_lt(unsigned x, unsigned y)
{
    return ((x - y) >> 8) & 0xFF;
}
static unsigned
ct_ge(unsigned x, unsigned y)
{
    return ct_lt(x, y) ^ 0xFF;
}
static unsigned
ct_eq(unsigned x, unsigned y)
{
    return (((x ^ y) - 1) >> 8) & 0xFF;
}

static char
hex_digit(unsigned c)
{
    /* '0' + c for c < 10, 'a' + c - 10 otherwise */
    return (char)(87 + c + (((c - 10) >> 8) & ~38u));
}

/* Value 0..15, or 0x100 and more when c is not a hex digit. */
static unsigned
hex_value(unsigned c)
{
    unsigned num = c ^ 48;
    unsigned num_ok = ct_lt(num, 10);
    unsigned alpha = (c & ~32u) - 55;
    unsigned alpha_ok = ct_ge(alpha, 10) & ct_lt(alpha, 16);
    unsigned ok = num_ok | alpha_ok;
    return (num_ok & num) | (alpha_ok & alpha) | ((ok ^ 0xFF) << 1);
}

int
e2e_hex_encode(char *out, size_t out_cap, const uint8_t *in, size_t n)
{
    if (!out || (!in && n))
        return E2E_ERR_INVALID;
    if (n > (SIZE_MAX - 1) / 2 || out_cap < 2 * n + 1)
        return E2E_ERR_BUFFER;
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex_digit(in[i] >> 4);
        out[2 * i + 1] = hex_digit(in[i] & 15u);
    }
    out[2 * n] = 0;
    return E2E_OK;
}

int
e2e_hex_decode(uint8_t *out, size_t out_cap, size_t *out_len, const char *hex, size_t hex_len)
{
    if (out_len)
        *out_len = 0;
    if ((!hex && hex_len) || (!out && hex_len))
        return E2E_ERR_INVALID;
    if (hex_len % 2)
        return E2E_ERR_MALFORMED;
    if (out_cap < hex_len / 2)
        return E2E_ERR_BUFFER;
    unsigned bad = 0;
    for (size_t i = 0; i < hex_len / 2; i++) {
        unsigned hi = hex_value((uint8_t)hex[2 * i]);
        unsigned lo = hex_value((uint8_t)hex[2 * i + 1]);
        bad |= (hi | lo) >> 8;
        out[i] = (uint8_t)(hi << 4 | (lo & 15u));
    }
    if (bad) {
        e2e_wipe(out, hex_len / 2);
        return E2E_ERR_MALFORMED;
    }
    if (out_len)
        *out_len = hex_len / 2;
    return E2E_OK;
}

static char
b64_char(unsigned x, int variant)
{
    unsigned c62 = variant == E2E_BASE64_URL ? '-' : '+';
    unsigned c63 = variant == E2E_BASE64_URL ? '_' : '/';
    return (char)((ct_lt(x, 26) & (x + 'A')) | (ct_ge(x, 26) & ct_lt(x, 52) & (x + ('a' - 26))) |
                  (ct_ge(x, 52) & ct_lt(x, 62) & (x - (52 - '0'))) | (ct_eq(x, 62) & c62) |
                  (ct_eq(x, 63) & c63));
}

/* Value 0..63, or 0xFF when c is not in the alphabet. */
static unsigned
b64_value(unsigned c, int variant)
{
    unsigned c62 = variant == E2E_BASE64_URL ? '-' : '+';
    unsigned c63 = variant == E2E_BASE64_URL ? '_' : '/';
    unsigned up = ct_ge(c, 'A') & ct_ge('Z', c);
    unsigned lo = ct_ge(c, 'a') & ct_ge('z', c);
    unsigned dg = ct_ge(c, '0') & ct_ge('9', c);
    unsigned p = ct_eq(c, c62);
    unsigned s = ct_eq(c, c63);
    unsigned x = (up & (c - 'A')) | (lo & (c - ('a' - 26))) | (dg & (c + (52 - '0'))) | (p & 62) |
                 (s & 63);
    return x | ((up | lo | dg | p | s) ^ 0xFF);
}

size_t
e2e_base64_encoded_len(size_t n, int variant)
{
    if (variant == E2E_BASE64_URL)
        return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
    return (n + 2) / 3 * 4;
}

int
e2e_base64_encode(char *out, size_t out_cap, const uint8_t *in, size_t n, int variant)
{
    if (!out || (!in && n) || (variant != E2E_BASE64 && variant != E2E_BASE64_URL))
        return E2E_ERR_INVALID;
    if (n > SIZE_MAX / 2 || out_cap < e2e_base64_encoded_len(n, variant) + 1)
        return E2E_ERR_BUFFER;
    size_t o = 0;
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        for (int k = 3; k >= 0; k--)
            out[o++] = b64_char((v >> (6 * k)) & 63u, variant);
    }
    if (n - i) {
        uint32_t v = (uint32_t)in[i] << 16 | (n - i == 2 ? (uint32_t)in[i + 1] << 8 : 0);
        size_t chars = n - i + 1;
        for (size_t k = 0; k < chars; k++)
            out[o++] = b64_char((v >> (18 - 6 * k)) & 63u, variant);
        if (variant == E2E_BASE64)
            for (size_t k = chars; k < 4; k++)
                out[o++] = '=';
    }
    out[o] = 0;
    return E2E_OK;
}

int
e2e_base64_decode(uint8_t *out, size_t out_cap, size_t *out_len, const char *b64, size_t b64_len,
                  int variant)
{
    if (out_len)
        *out_len = 0;
    if ((!b64 && b64_len) || (variant != E2E_BASE64 && variant != E2E_BASE64_URL))
        return E2E_ERR_INVALID;
    size_t len = b64_len;
    if (variant == E2E_BASE64) {
        if (len % 4)
            return E2E_ERR_MALFORMED;
        if (len && b64[len - 1] == '=')
            len--;
        if (len && b64[len - 1] == '=')
            len--;
    }
    if (len % 4 == 1)
        return E2E_ERR_MALFORMED;
    size_t n = len / 4 * 3 + (len % 4 ? len % 4 - 1 : 0);
    if (n > out_cap || (!out && n))
        return n > out_cap ? E2E_ERR_BUFFER : E2E_ERR_INVALID;
    unsigned bad = 0;
    uint32_t acc = 0;
    unsigned bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned v = b64_value((uint8_t)b64[i], variant);
        bad |= ct_eq(v, 0xFF);
        acc = (acc << 6 | (v & 63u)) & 0xFFFFFFu;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    /* Canonical form: the bits left over must be zero. */
    bad |= (acc & ((1u << bits) - 1)) ? 1 : 0;
    if (bad) {
        e2e_wipe(out, n);
        return E2E_ERR_MALFORMED;
    }
    if (out_len)
        *out_len = o;
    return E2E_OK;
}
