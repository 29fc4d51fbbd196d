/* The emoji tables: e2ekit's own, Telegram's read from ../shared (checked against its documented
 * SHA-256; skipped with a note when absent), and the bounded parser under malformed files. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <e2ekit/telegram.h>

#include "calcrun.h"
#include "cli.h"
#include "test.h"

/* SHA-256 over the UTF-8 entries joined with LF, no trailing LF (reference/telegram-emoji.txt). */
static void
table_hash(const struct e2e_tg_emoji_table *t, uint8_t h[32])
{
    e2e_sha256_ctx c;
    e2e_sha256_init(&c);
    for (int i = 0; i < E2E_TG_EMOJI_COUNT; i++) {
        if (i)
            e2e_sha256_update(&c, "\n", 1);
        e2e_sha256_update(&c, t->entry[i], strlen(t->entry[i]));
    }
    e2e_sha256_final(&c, h);
}

/* One code point back from UTF-8 (the entry must be exactly one). */
static uint32_t
single_cp(const char *s)
{
    const uint8_t *u = (const uint8_t *)s;
    if (strlen(s) != 4 || (u[0] & 0xF8) != 0xF0)
        return 0;
    return (uint32_t)(u[0] & 7) << 18 | (uint32_t)(u[1] & 63) << 12 | (uint32_t)(u[2] & 63) << 6 |
           (u[3] & 63);
}

static void
test_default_table(void)
{
    struct e2e_tg_emoji_table *t = malloc(sizeof *t);
    e2e_tg_emoji_table_default(t);
    /* 333 single code points from the documented runs, all different, in code point order */
    uint32_t prev = 0;
    for (int i = 0; i < E2E_TG_EMOJI_COUNT; i++) {
        uint32_t cp = single_cp(t->entry[i]);
        CHECK(cp > prev);
        CHECK((cp >= 0x1F400 && cp <= 0x1F43E) || cp == 0x1F440 ||
              (cp >= 0x1F442 && cp <= 0x1F4FC) || (cp >= 0x1F600 && cp <= 0x1F64F) ||
              cp == 0x1F680 || cp == 0x1F681);
        prev = cp;
    }
    CHECK_EQ(single_cp(t->entry[0]), 0x1F400);
    CHECK_EQ(single_cp(t->entry[332]), 0x1F681);
    /* not Telegram's table: its first entry is U+1F609 */
    CHECK(single_cp(t->entry[0]) != 0x1F609);
    uint8_t h[32];
    table_hash(t, h);
    uint8_t tg[32];
    unhex(tg, 32, "bfae463f768800e2f624948a756025ca1a3ff55c8a858b9f0e4ebec8c1d66815");
    CHECK(memcmp(h, tg, 32) != 0);
    free(t);
}

static char *
read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(1 << 20);
    *n = fread(buf, 1, 1 << 20, f);
    fclose(f);
    return buf;
}

static void
test_telegram_table_from_shared(void)
{
    const char *path = test_shared_path("reference/telegram-emoji.txt");
    if (!path) {
        test_note("skipped: ../shared/reference/telegram-emoji.txt is absent (Telegram's table "
                  "is read from there, never copied into the project)");
        return;
    }
    size_t n = 0;
    char *text = read_file(path, &n);
    struct e2e_tg_emoji_table *t = malloc(sizeof *t);
    struct e2e_report why;
    CHECK_OK(e2e_tg_emoji_table_parse(t, text, n, &why));
    uint8_t h[32];
    table_hash(t, h);
    CHECK_HEX(h, 32, "bfae463f768800e2f624948a756025ca1a3ff55c8a858b9f0e4ebec8c1d66815");
    CHECK_EQ(single_cp(t->entry[0]), 0x1F609);
    CHECK_EQ(single_cp(t->entry[332]), 0x1F537);
    /* the calculator shows those pictures with --emoji-table */
    const struct calc_cmd *cmd = calc_find("telegram-emoji");
    char key[513], *argv[8], *out = NULL, *err = NULL;
    for (int i = 0; i < 256; i++)
        snprintf(key + 2 * i, 3, "%02x", i);
    char *ga = malloc(511);
    for (int i = 0; i < 255; i++)
        snprintf(ga + 2 * i, 3, "%02x", i + 1);
    argv[0] = "--key";
    argv[1] = key;
    argv[2] = "--g-a";
    argv[3] = ga;
    argv[4] = "--emoji-table";
    argv[5] = strdup(path);
    CHECK_EQ(calc_capture(cmd, 6, argv, &out, &err), 0);
    char want[256];
    snprintf(want, sizeof want, "91 241 313 46\n%s %s %s %s\n", t->entry[91], t->entry[241],
             t->entry[313], t->entry[46]);
    CHECK(strcmp(out, want) == 0);
    free(out);
    free(err);
    free(argv[5]);
    free(ga);
    free(t);
    free(text);
}

/* A valid table text built from e2ekit's own table, to corrupt line by line. */
static char *
table_text(size_t *n)
{
    struct e2e_tg_emoji_table *t = malloc(sizeof *t);
    e2e_tg_emoji_table_default(t);
    char *s = malloc(64 * 1024);
    size_t at = (size_t)sprintf(s, "# a comment\n\n");
    for (int i = 0; i < E2E_TG_EMOJI_COUNT; i++)
        at += (size_t)sprintf(s + at, "%d U+%X\r\n", i, single_cp(t->entry[i]));
    free(t);
    *n = at;
    return s;
}

static int
parse_text(const char *s, size_t n, struct e2e_report *why)
{
    struct e2e_tg_emoji_table *t = malloc(sizeof *t);
    int rc = e2e_tg_emoji_table_parse(t, s, n, why);
    if (rc != E2E_OK) /* a refused table is left empty */
        for (int i = 0; i < E2E_TG_EMOJI_COUNT; i++)
            CHECK(t->entry[i][0] == 0);
    free(t);
    return rc;
}

static void
replace(char *s, size_t *n, const char *what, const char *with)
{
    char *p = strstr(s, what);
    CHECK(p != NULL);
    if (!p)
        return;
    size_t a = strlen(what), b = strlen(with);
    memmove(p + b, p + a, *n - (size_t)(p - s) - a + 1);
    memcpy(p, with, b);
    *n = *n - a + b;
}

static void
test_parser_refuses_malformed(void)
{
    struct e2e_report why;
    size_t n;
    char *s = table_text(&n);
    CHECK_OK(parse_text(s, n, &why));
    static const struct {
        const char *what, *with;
    } cases[] = {
        {"\n5 U+", "\n6 U+"},                                         /* index out of order */
        {"\n7 U+", "\n7 X+"},                                         /* not U+ */
        {"\n8 U+1F408", "\n8 U+D800"},                                /* a surrogate */
        {"\n9 U+1F409", "\n9 U+110000"},                              /* beyond Unicode */
        {"\n10 U+1F40A", "\n10 U+1F4"},                               /* too few digits */
        {"\n11 U+1F40B", "\n11 U+1F40Bz"},                            /* junk */
        {"\n12 U+1F40C", "\n12"},                                     /* no code point */
        {"\n13 U+1F40D", "\n13 U+1 U+2 U+3 U+4 U+5 U+6 U+7 U+8 U+9"}, /* too many, too short */
        {"\n14 U+1F40E", "\n14 U+1F40E U+1F40E U+1F40E U+1F40E U+1F40E U+1F40E U+1F40E U+1F40E "
                         "U+1F40E"},                           /* nine code points */
        {"\n332 U+1F681\r\n", "\n"},                           /* 332 entries */
        {"\n332 U+1F681\r\n", "\n332 U+1F681\n333 U+1F600\n"}, /* 334 entries */
        {"\n0 U+1F400", "\n00000 U+1F400"},                    /* an index of five digits */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t m = n;
        char *c = malloc(n + 256);
        memcpy(c, s, n + 1);
        replace(c, &m, cases[i].what, cases[i].with);
        e2e_report_clear(&why);
        CHECK_ERR(parse_text(c, m, &why), E2E_ERR_MALFORMED);
        CHECK(why.check && strcmp(why.check, "emoji_table") == 0);
        free(c);
    }
    /* every truncation is refused, none reads past the end */
    for (size_t cut = 0; cut < n - 4; cut += 37) {
        char *c = malloc(cut ? cut : 1);
        memcpy(c, s, cut);
        CHECK_ERR(parse_text(c, cut, &why), E2E_ERR_MALFORMED);
        free(c);
    }
    CHECK_ERR(parse_text("", 0, &why), E2E_ERR_MALFORMED);
    free(s);
}

int
main(void)
{
    RUN(test_default_table);
    RUN(test_telegram_table_from_shared);
    RUN(test_parser_refuses_malformed);
    return test_finish();
}
