/* The JSON reader (src/codec/json.c): values, escapes, strictness, limits, every prefix. */
#include <stdlib.h>
#include <string.h>

#include "codec/json.h"
#include "test.h"

static int
parse(const char *text, e2e_json **doc)
{
    return e2e_json_parse(doc, text, strlen(text), NULL, NULL);
}

static void
test_values(void)
{
    e2e_json *d;
    const char *text = " {\"a\": [1, -2.5e3, true, false, null, \"x\\ty\"], \"b\": {\"c\": \"\"},"
                       " \"big\": -9223372036854775808, \"u\": \"\\u00e9\\ud83d\\ude00/\\/\"} ";
    CHECK_OK(parse(text, &d));
    const struct e2e_json_node *root = e2e_json_root(d);
    CHECK_EQ(root->type, E2E_JSON_OBJECT);
    CHECK_EQ(root->count, 4);
    const struct e2e_json_node *a = e2e_json_get(d, root, "a");
    CHECK_EQ(a->type, E2E_JSON_ARRAY);
    CHECK_EQ(a->count, 6);
    const struct e2e_json_node *v = e2e_json_first(d, a);
    int64_t i = 0;
    double x = 0;
    CHECK_OK(e2e_json_int64(v, &i));
    CHECK_EQ(i, 1);
    v = e2e_json_next(d, v);
    CHECK_ERR(e2e_json_int64(v, &i), E2E_ERR_MALFORMED);
    CHECK_OK(e2e_json_double(v, &x));
    CHECK(x == -2500.0);
    v = e2e_json_next(d, v);
    CHECK_EQ(e2e_json_bool(v), 1);
    v = e2e_json_next(d, v);
    CHECK_EQ(e2e_json_bool(v), 0);
    v = e2e_json_next(d, v);
    CHECK_EQ(v->type, E2E_JSON_NULL);
    CHECK_EQ(e2e_json_bool(v), -1);
    v = e2e_json_next(d, v);
    size_t n;
    CHECK(strcmp(e2e_json_string(v, &n), "x\ty") == 0);
    CHECK(e2e_json_next(d, v) == NULL);
    const struct e2e_json_node *b = e2e_json_get(d, root, "b");
    CHECK(e2e_json_string(e2e_json_get(d, b, "c"), &n) != NULL && n == 0);
    CHECK(e2e_json_get(d, b, "missing") == NULL);
    CHECK(e2e_json_get(d, a, "c") == NULL);
    CHECK_OK(e2e_json_int64(e2e_json_get(d, root, "big"), &i));
    CHECK(i == INT64_MIN);
    const char *u = e2e_json_string(e2e_json_get(d, root, "u"), &n);
    CHECK_EQ(n, 2 + 4 + 2);
    CHECK_MEM(u, "\xc3\xa9\xf0\x9f\x98\x80//", 8);
    e2e_json_free(d);
    CHECK_OK(parse("\"top\"", &d));
    CHECK(strcmp(e2e_json_string(e2e_json_root(d), NULL), "top") == 0);
    e2e_json_free(d);
}

static void
test_malformed(void)
{
    static const char *const bad[] = {
        "",
        " ",
        "{",
        "}",
        "[1,]",
        "[,1]",
        "{\"a\" 1}",
        "{\"a\":}",
        "{a:1}",
        "{\"a\":1,}",
        "[1 2]",
        "01",
        "1.",
        ".5",
        "1e",
        "-",
        "+1",
        "0x10",
        "tru",
        "nul",
        "True",
        "\"abc",
        "\"a\nb\"",
        "\"\\x\"",
        "\"\\u12\"",
        "\"\\u0000\"",
        "\"\\ud800\"",
        "\"\\udc00\"",
        "\"\\ud800\\u0041\"",
        "\"\xff\"",
        "\"\xc0\xaf\"",
        "\"\xed\xa0\x80\"",
        "\"\xf4\x90\x80\x80\"",
        "\"\xe2\x82\"",
        "[1] [2]",
        "{\"a\":1,\"a\":2}",
        "NaN",
        "[Infinity]",
        "//c\n1",
        "\"a\"x",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        e2e_json *d = (e2e_json *)1;
        struct e2e_report why;
        int rc = e2e_json_parse(&d, bad[i], strlen(bad[i]), NULL, &why);
        if (rc != E2E_ERR_MALFORMED)
            test_fail_(__FILE__, __LINE__, "case %zu (%s): got %s", i, bad[i], e2e_err_name(rc));
        test_checks_++;
        CHECK(d == NULL);
        CHECK(strstr(why.detail, "line 1 column") != NULL);
    }
    struct e2e_report why;
    e2e_json *d;
    CHECK_ERR(e2e_json_parse(&d, "{\n  \"a\": [1,\n  }", 16, NULL, &why), E2E_ERR_MALFORMED);
    CHECK(strstr(why.detail, "line 3 column 3") != NULL);
    int64_t i;
    CHECK_OK(parse("[9223372036854775808, -9223372036854775809, 9223372036854775807]", &d));
    const struct e2e_json_node *v = e2e_json_first(d, e2e_json_root(d));
    CHECK_ERR(e2e_json_int64(v, &i), E2E_ERR_LIMIT);
    CHECK_ERR(e2e_json_int64(e2e_json_next(d, v), &i), E2E_ERR_LIMIT);
    CHECK_OK(e2e_json_int64(e2e_json_next(d, e2e_json_next(d, v)), &i));
    CHECK(i == INT64_MAX);
    e2e_json_free(d);
}

static void
test_limits(void)
{
    struct e2e_json_limits lim = {100, 3, 10, 2};
    e2e_json *d;
    CHECK_OK(e2e_json_parse(&d, "[[[1]]]", 7, &lim, NULL));
    e2e_json_free(d);
    CHECK_ERR(e2e_json_parse(&d, "[[[[1]]]]", 9, &lim, NULL), E2E_ERR_LIMIT);
    CHECK_ERR(e2e_json_parse(&d, "[1,2,3,4,5,6,7,8,9,10]", 22, &lim, NULL), E2E_ERR_LIMIT);
    CHECK_ERR(e2e_json_parse(&d, "{\"a\":1,\"b\":2,\"c\":3}", 19, &lim, NULL), E2E_ERR_LIMIT);
    char big[101];
    memset(big, ' ', sizeof big);
    big[0] = '1';
    CHECK_ERR(e2e_json_parse(&d, big, sizeof big, &lim, NULL), E2E_ERR_LIMIT);
    /* deep nesting with the default limits: refused, not a stack overflow */
    size_t n = 100000;
    char *deep = malloc(n);
    memset(deep, '[', n);
    CHECK_ERR(e2e_json_parse(&d, deep, n, NULL, NULL), E2E_ERR_LIMIT);
    free(deep);
}

/* Every prefix of a valid document parses or fails cleanly (ASan watches the reads). */
static void
test_every_prefix(void)
{
    const char *text = "{\"vectors\": [{\"protocol_name\": \"Noise_XX\", \"x\": [1, 2.5e-3, "
                       "true, null, \"\\u00e9\\ud83d\\ude00\\n\"]}]}";
    size_t n = strlen(text);
    int ok = 0;
    for (size_t len = 0; len <= n; len++) {
        char *copy = malloc(len ? len : 1);
        memcpy(copy, text, len);
        e2e_json *d;
        int rc = e2e_json_parse(&d, copy, len, NULL, NULL);
        CHECK(rc == E2E_OK || rc == E2E_ERR_MALFORMED);
        if (rc == E2E_OK) {
            ok++;
            e2e_json_free(d);
        }
        free(copy);
    }
    CHECK_EQ(ok, 1); /* only the whole text */
}

int
main(void)
{
    RUN(test_values);
    RUN(test_malformed);
    RUN(test_limits);
    RUN(test_every_prefix);
    return test_finish();
}
