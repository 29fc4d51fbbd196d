/*
 * The call's emoji fingerprint (reference/telegram.md 9.3): h = SHA256(key || g_a), four
 * big-endian 64-bit words with the top bit cleared, each mod 333.
 *
 * The picture for each index is display data. e2ekit ships its own table, not Telegram's: the
 * first 333 code points, in code point order, of these runs of single code points that Unicode
 * 14 gives default emoji presentation: U+1F400..U+1F43E (animals), U+1F440, U+1F442..U+1F4FC
 * (body, people, objects), U+1F600..U+1F64F (faces), U+1F680..U+1F681. Two e2ekit users see the
 * same pictures; to see the pictures Telegram's apps show, load Telegram's table (the format of
 * reference/telegram-emoji.txt) with e2e_tg_emoji_table_parse.
 */
#include <string.h>

#include <e2ekit/crypto.h>
#include <e2ekit/telegram.h>

#include "core/log.h"
#include "core/utf8.h"
#include "core/util.h"

void
e2e_tg_emoji_indices(uint16_t idx[4], const uint8_t key[E2E_TG_KEY_BYTES], const uint8_t *g_a,
                     size_t g_a_len)
{
    uint8_t h[32];
    e2e_sha256_ctx c;
    e2e_sha256_init(&c);
    e2e_sha256_update(&c, key, E2E_TG_KEY_BYTES);
    e2e_sha256_update(&c, g_a, g_a_len);
    e2e_sha256_final(&c, h);
    for (int i = 0; i < 4; i++)
        idx[i] =
            (uint16_t)((e2e_load64_be(h + 8 * i) & 0x7FFFFFFFFFFFFFFFull) % E2E_TG_EMOJI_COUNT);
    e2e_wipe(h, sizeof h);
}

void
e2e_tg_emoji_table_default(struct e2e_tg_emoji_table *t)
{
    static const struct {
        uint32_t first, count;
    } runs[] = {{0x1F400, 63}, {0x1F440, 1}, {0x1F442, 187}, {0x1F600, 80}, {0x1F680, 2}};
    size_t k = 0;
    memset(t, 0, sizeof *t);
    for (size_t r = 0; r < E2E_ARRAY_LEN(runs); r++)
        for (uint32_t i = 0; i < runs[r].count && k < E2E_TG_EMOJI_COUNT; i++, k++)
            t->entry[k][e2e__utf8_put(t->entry[k], runs[r].first + i)] = 0;
}

/* ---- the table file ------------------------------------------------------------------------ */

struct cursor {
    const char *p, *end;
    size_t line;
};

static int
is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r';
}

static void
skip_spaces(struct cursor *c)
{
    while (c->p < c->end && is_space(*c->p))
        c->p++;
}

/* Reads up to `max_digits` digits in `base`; 0 digits read means failure. */
static size_t
read_number(struct cursor *c, unsigned base, size_t max_digits, uint32_t *v)
{
    size_t n = 0;
    *v = 0;
    while (c->p < c->end && n < max_digits) {
        char ch = *c->p;
        unsigned d;
        if (ch >= '0' && ch <= '9')
            d = (unsigned)(ch - '0');
        else if (base == 16 && ch >= 'A' && ch <= 'F')
            d = (unsigned)(ch - 'A' + 10);
        else if (base == 16 && ch >= 'a' && ch <= 'f')
            d = (unsigned)(ch - 'a' + 10);
        else
            break;
        *v = *v * base + d;
        c->p++;
        n++;
    }
    return n;
}

static int
entry_fail(struct e2e_report *why, size_t line, const char *what)
{
    return e2e_report_fail(why, E2E_ERR_MALFORMED, "emoji_table", "line %zu: %s", line, what);
}

/* "INDEX U+XXXX [U+XXXX ...]" up to the end of the line. */
static int
parse_entry(struct cursor *c, char *out, uint32_t want, struct e2e_report *why)
{
    uint32_t index, cp;
    size_t ncp = 0, len = 0;
    if (read_number(c, 10, 4, &index) == 0 || index != want)
        return entry_fail(why, c->line, "expected the next index in order");
    for (;;) {
        skip_spaces(c);
        if (c->p >= c->end || *c->p == '\n')
            break;
        if (c->end - c->p < 3 || c->p[0] != 'U' || c->p[1] != '+')
            return entry_fail(why, c->line, "expected U+XXXX");
        c->p += 2;
        size_t digits = read_number(c, 16, 7, &cp);
        if (digits < 4 || digits > 6 || cp > 0x10FFFF || cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF))
            return entry_fail(why, c->line, "not a Unicode scalar value");
        if (c->p < c->end && !is_space(*c->p) && *c->p != '\n')
            return entry_fail(why, c->line, "junk after a code point");
        if (++ncp > E2E_TG_EMOJI_MAX_CP)
            return entry_fail(why, c->line, "too many code points");
        len += e2e__utf8_put(out + len, cp);
    }
    if (ncp == 0)
        return entry_fail(why, c->line, "no code points");
    out[len] = 0;
    return E2E_OK;
}

/* Moves to the start of the next line. */
static void
next_line(struct cursor *c)
{
    while (c->p < c->end && *c->p != '\n')
        c->p++;
    if (c->p < c->end)
        c->p++;
    c->line++;
}

int
e2e_tg_emoji_table_parse(struct e2e_tg_emoji_table *t, const char *text, size_t n,
                         struct e2e_report *why)
{
    struct cursor c = {text, text + n, 1};
    uint32_t count = 0;
    memset(t, 0, sizeof *t);
    for (; c.p < c.end; next_line(&c)) {
        skip_spaces(&c);
        if (c.p >= c.end || *c.p == '\n' || *c.p == '#')
            continue;
        if (count == E2E_TG_EMOJI_COUNT) {
            memset(t, 0, sizeof *t);
            return entry_fail(why, c.line, "more than 333 entries");
        }
        int rc = parse_entry(&c, t->entry[count], count, why);
        if (rc != E2E_OK) {
            memset(t, 0, sizeof *t);
            return rc;
        }
        count++;
    }
    if (count != E2E_TG_EMOJI_COUNT) {
        memset(t, 0, sizeof *t);
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "emoji_table",
                               "%u entries; a table has exactly 333", count);
    }
    return E2E_OK;
}
