/* A bounded, total JSON reader (see json.h). */
#include "codec/json.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"

struct e2e_json {
    struct e2e_json_node *nodes;
    size_t nnodes, cap;
    char *strs; /* every decoded string and number text, allocated once */
    size_t slen, scap;
};

struct parser {
    e2e_json *doc;
    const unsigned char *p;
    size_t n, pos, depth;
    struct e2e_json_limits lim;
    struct e2e_report *why;
};

/* Propagate a parse error. */
#define E2E_TRY_JSON(expr)                                                                         \
    do {                                                                                           \
        int json_rc_ = (expr);                                                                     \
        if (json_rc_ != E2E_OK)                                                                    \
            return json_rc_;                                                                       \
    } while (0)

static const struct e2e_json_limits default_limits = {16u << 20, 64, 1000000, 4096};

/* ---- errors --------------------------------------------------------------------------------- */

static int
fail_at(struct parser *ps, int err, const char *what)
{
    size_t line = 1, col = 1;
    for (size_t i = 0; i < ps->pos && i < ps->n; i++) {
        if (ps->p[i] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    return e2e_report_fail(ps->why, err, "json", "line %zu column %zu: %s", line, col, what);
}

/* ---- lexing --------------------------------------------------------------------------------- */

static void
skip_ws(struct parser *ps)
{
    while (ps->pos < ps->n && (ps->p[ps->pos] == ' ' || ps->p[ps->pos] == '\t' ||
                               ps->p[ps->pos] == '\n' || ps->p[ps->pos] == '\r'))
        ps->pos++;
}

static int
peek(const struct parser *ps)
{
    return ps->pos < ps->n ? ps->p[ps->pos] : -1;
}

static int
literal(struct parser *ps, const char *word)
{
    size_t k = strlen(word);
    if (ps->n - ps->pos < k || memcmp(ps->p + ps->pos, word, k) != 0)
        return fail_at(ps, E2E_ERR_MALFORMED, "unknown literal");
    ps->pos += k;
    return E2E_OK;
}

static int
hex4(const unsigned char *p, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        int c = p[i], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return -1;
        v = v << 4 | (uint32_t)d;
    }
    *out = v;
    return 0;
}

static size_t
put_utf8(char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Length of the valid UTF-8 sequence at p (max n bytes), 0 if invalid (RFC 3629). */
static size_t
utf8_len(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    size_t k;
    uint32_t cp, min;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        k = 2, cp = c & 0x1F, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        k = 3, cp = c & 0x0F, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        k = 4, cp = c & 0x07, min = 0x10000;
    else
        return 0;
    if (n < k)
        return 0;
    for (size_t i = 1; i < k; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return k;
}

/* \uXXXX (and its low surrogate) at ps->pos, which points after the 'u'. */
static int
unicode_escape(struct parser *ps, char *out, size_t *olen)
{
    uint32_t cp, lo;
    if (ps->n - ps->pos < 4 || hex4(ps->p + ps->pos, &cp) != 0)
        return fail_at(ps, E2E_ERR_MALFORMED, "bad \\u escape");
    ps->pos += 4;
    if (cp >= 0xDC00 && cp <= 0xDFFF)
        return fail_at(ps, E2E_ERR_MALFORMED, "lone low surrogate");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (ps->n - ps->pos < 6 || ps->p[ps->pos] != '\\' || ps->p[ps->pos + 1] != 'u' ||
            hex4(ps->p + ps->pos + 2, &lo) != 0 || lo < 0xDC00 || lo > 0xDFFF)
            return fail_at(ps, E2E_ERR_MALFORMED, "high surrogate without its low surrogate");
        ps->pos += 6;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    }
    if (cp == 0)
        return fail_at(ps, E2E_ERR_MALFORMED, "\\u0000 is not accepted");
    *olen = put_utf8(out, cp);
    return E2E_OK;
}

static int
simple_escape(int c, char *out)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    const char *f = c ? strchr(from, c) : NULL;
    if (!f)
        return -1;
    *out = to[f - from];
    return 0;
}

/* A string at ps->pos (on the opening quote), decoded into the string area. */
static int
string(struct parser *ps, const char **out, size_t *len)
{
    e2e_json *d = ps->doc;
    char *dst = d->strs + d->slen;
    size_t k = 0;
    ps->pos++;
    for (;;) {
        if (ps->pos >= ps->n)
            return fail_at(ps, E2E_ERR_MALFORMED, "unterminated string");
        unsigned c = ps->p[ps->pos];
        if (c == '"')
            break;
        if (c < 0x20)
            return fail_at(ps, E2E_ERR_MALFORMED, "control character in string");
        if (c == '\\') {
            int e = ps->pos + 1 < ps->n ? ps->p[ps->pos + 1] : 0;
            ps->pos += 2;
            size_t w = 1;
            if (e == 'u') {
                int rc = unicode_escape(ps, dst + k, &w);
                if (rc != E2E_OK)
                    return rc;
            } else if (simple_escape(e, dst + k) != 0) {
                ps->pos--;
                return fail_at(ps, E2E_ERR_MALFORMED, "bad escape");
            }
            k += w;
            continue;
        }
        size_t u = utf8_len(ps->p + ps->pos, ps->n - ps->pos);
        if (u == 0)
            return fail_at(ps, E2E_ERR_MALFORMED, "invalid UTF-8");
        memcpy(dst + k, ps->p + ps->pos, u);
        k += u;
        ps->pos += u;
    }
    ps->pos++;
    dst[k] = 0;
    d->slen += k + 1;
    *out = dst;
    *len = k;
    return E2E_OK;
}

static size_t
digits(struct parser *ps)
{
    size_t start = ps->pos;
    while (ps->pos < ps->n && ps->p[ps->pos] >= '0' && ps->p[ps->pos] <= '9')
        ps->pos++;
    return ps->pos - start;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int
number(struct parser *ps, const char **out, size_t *len)
{
    size_t start = ps->pos;
    if (peek(ps) == '-')
        ps->pos++;
    int lead = peek(ps);
    size_t nd = digits(ps);
    if (nd == 0 || (lead == '0' && nd > 1))
        return fail_at(ps, E2E_ERR_MALFORMED, "bad number");
    if (peek(ps) == '.') {
        ps->pos++;
        if (digits(ps) == 0)
            return fail_at(ps, E2E_ERR_MALFORMED, "bad fraction");
    }
    if (peek(ps) == 'e' || peek(ps) == 'E') {
        ps->pos++;
        if (peek(ps) == '+' || peek(ps) == '-')
            ps->pos++;
        if (digits(ps) == 0)
            return fail_at(ps, E2E_ERR_MALFORMED, "bad exponent");
    }
    e2e_json *d = ps->doc;
    char *dst = d->strs + d->slen;
    *len = ps->pos - start;
    memcpy(dst, ps->p + start, *len);
    dst[*len] = 0;
    d->slen += *len + 1;
    *out = dst;
    return E2E_OK;
}

/* ---- the tree ------------------------------------------------------------------------------- */

static int
new_node(struct parser *ps, int type, uint32_t *idx)
{
    e2e_json *d = ps->doc;
    if (d->nnodes >= ps->lim.max_nodes || d->nnodes >= UINT32_MAX)
        return fail_at(ps, E2E_ERR_LIMIT, "too many values");
    if (d->nnodes == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 64;
        if (cap > ps->lim.max_nodes)
            cap = ps->lim.max_nodes;
        struct e2e_json_node *nn = realloc(d->nodes, cap * sizeof *nn);
        if (!nn)
            return E2E_ERR_NOMEM;
        d->nodes = nn;
        d->cap = cap;
    }
    *idx = (uint32_t)d->nnodes++;
    memset(&d->nodes[*idx], 0, sizeof d->nodes[*idx]);
    d->nodes[*idx].type = type;
    return E2E_OK;
}

static int value(struct parser *ps, uint32_t *idx);

static void
append_child(e2e_json *d, uint32_t parent, uint32_t *last, uint32_t child)
{
    if (*last)
        d->nodes[*last].next = child;
    else
        d->nodes[parent].child = child;
    *last = child;
    d->nodes[parent].count++;
}

static int
duplicate_key(const e2e_json *d, uint32_t obj, const char *key, size_t len)
{
    for (uint32_t c = d->nodes[obj].child; c; c = d->nodes[c].next)
        if (d->nodes[c].key_len == len && memcmp(d->nodes[c].key, key, len) == 0)
            return 1;
    return 0;
}

static int
member(struct parser *ps, uint32_t obj, uint32_t *last)
{
    const char *key;
    size_t klen;
    uint32_t child;
    skip_ws(ps);
    if (peek(ps) != '"')
        return fail_at(ps, E2E_ERR_MALFORMED, "expected a member name");
    size_t at = ps->pos;
    E2E_TRY_JSON(string(ps, &key, &klen));
    if (ps->doc->nodes[obj].count >= ps->lim.max_members)
        return fail_at(ps, E2E_ERR_LIMIT, "too many members in one object");
    if (duplicate_key(ps->doc, obj, key, klen)) {
        ps->pos = at;
        return fail_at(ps, E2E_ERR_MALFORMED, "duplicate member name");
    }
    skip_ws(ps);
    if (peek(ps) != ':')
        return fail_at(ps, E2E_ERR_MALFORMED, "expected ':'");
    ps->pos++;
    E2E_TRY_JSON(value(ps, &child));
    ps->doc->nodes[child].key = key;
    ps->doc->nodes[child].key_len = klen;
    append_child(ps->doc, obj, last, child);
    return E2E_OK;
}

/* Array or object at ps->pos (on '[' or '{'). */
static int
container(struct parser *ps, int type, uint32_t *idx)
{
    uint32_t last = 0, child;
    char close = type == E2E_JSON_ARRAY ? ']' : '}';
    if (++ps->depth > ps->lim.max_depth)
        return fail_at(ps, E2E_ERR_LIMIT, "nested too deeply");
    E2E_TRY_JSON(new_node(ps, type, idx));
    ps->pos++;
    skip_ws(ps);
    if (peek(ps) == close) {
        ps->pos++;
        ps->depth--;
        return E2E_OK;
    }
    for (;;) {
        if (type == E2E_JSON_ARRAY) {
            E2E_TRY_JSON(value(ps, &child));
            append_child(ps->doc, *idx, &last, child);
        } else {
            E2E_TRY_JSON(member(ps, *idx, &last));
        }
        skip_ws(ps);
        int c = peek(ps);
        ps->pos++;
        if (c == close)
            break;
        if (c != ',') {
            ps->pos--;
            return fail_at(ps, E2E_ERR_MALFORMED,
                           type == E2E_JSON_ARRAY ? "expected ',' or ']'" : "expected ',' or '}'");
        }
    }
    ps->depth--;
    return E2E_OK;
}

static int
scalar(struct parser *ps, int type, uint32_t *idx)
{
    const char *s = NULL;
    size_t len = 0;
    int rc;
    if (type == E2E_JSON_STRING)
        rc = string(ps, &s, &len);
    else if (type == E2E_JSON_NUMBER)
        rc = number(ps, &s, &len);
    else
        rc = literal(ps, type == E2E_JSON_NULL ? "null" : type == E2E_JSON_TRUE ? "true" : "false");
    if (rc == E2E_OK)
        rc = new_node(ps, type, idx);
    if (rc == E2E_OK) {
        ps->doc->nodes[*idx].str = s;
        ps->doc->nodes[*idx].len = len;
    }
    return rc;
}

static int
value(struct parser *ps, uint32_t *idx)
{
    skip_ws(ps);
    int c = peek(ps);
    switch (c) {
    case '{':
        return container(ps, E2E_JSON_OBJECT, idx);
    case '[':
        return container(ps, E2E_JSON_ARRAY, idx);
    case '"':
        return scalar(ps, E2E_JSON_STRING, idx);
    case 't':
        return scalar(ps, E2E_JSON_TRUE, idx);
    case 'f':
        return scalar(ps, E2E_JSON_FALSE, idx);
    case 'n':
        return scalar(ps, E2E_JSON_NULL, idx);
    default:
        if (c == '-' || (c >= '0' && c <= '9'))
            return scalar(ps, E2E_JSON_NUMBER, idx);
        return fail_at(ps, E2E_ERR_MALFORMED,
                       c < 0 ? "unexpected end of input" : "expected a value");
    }
}

int
e2e_json_parse(e2e_json **out, const char *text, size_t n, const struct e2e_json_limits *lim,
               struct e2e_report *why)
{
    struct parser ps;
    uint32_t root;
    e2e_report_clear(why);
    if (!out || (!text && n))
        return E2E_ERR_INVALID;
    *out = NULL;
    memset(&ps, 0, sizeof ps);
    ps.lim = lim ? *lim : default_limits;
    ps.p = (const unsigned char *)text;
    ps.n = n;
    ps.why = why;
    if (n > ps.lim.max_input)
        return e2e_report_fail(why, E2E_ERR_LIMIT, "json", "input of %zu bytes is above %zu", n,
                               ps.lim.max_input);
    if (ps.lim.max_depth > 1024) /* recursion depth: keep the stack bounded */
        ps.lim.max_depth = 1024;
    if (ps.lim.max_nodes == 0 || ps.lim.max_depth == 0)
        return E2E_ERR_INVALID;
    e2e_json *d = calloc(1, sizeof *d);
    /* Decoded strings never grow; number texts gain one NUL each, at most n of them. */
    char *strs = d ? malloc(2 * n + 2) : NULL;
    if (!d || !strs) {
        free(d);
        return E2E_ERR_NOMEM;
    }
    d->strs = strs;
    d->scap = 2 * n + 2;
    ps.doc = d;
    int rc = value(&ps, &root);
    if (rc == E2E_OK) {
        skip_ws(&ps);
        if (ps.pos != ps.n)
            rc = fail_at(&ps, E2E_ERR_MALFORMED, "text after the value");
    }
    if (rc != E2E_OK) {
        e2e_json_free(d);
        return rc;
    }
    *out = d;
    return E2E_OK;
}

void
e2e_json_free(e2e_json *doc)
{
    if (!doc)
        return;
    free(doc->nodes);
    free(doc->strs);
    free(doc);
}

/* ---- access --------------------------------------------------------------------------------- */

const struct e2e_json_node *
e2e_json_root(const e2e_json *doc)
{
    return doc && doc->nnodes ? &doc->nodes[0] : NULL;
}

const struct e2e_json_node *
e2e_json_first(const e2e_json *doc, const struct e2e_json_node *v)
{
    if (!doc || !v || (v->type != E2E_JSON_ARRAY && v->type != E2E_JSON_OBJECT) || !v->child)
        return NULL;
    return &doc->nodes[v->child];
}

const struct e2e_json_node *
e2e_json_next(const e2e_json *doc, const struct e2e_json_node *v)
{
    return doc && v && v->next ? &doc->nodes[v->next] : NULL;
}

const struct e2e_json_node *
e2e_json_get(const e2e_json *doc, const struct e2e_json_node *obj, const char *key)
{
    if (!obj || obj->type != E2E_JSON_OBJECT || !key)
        return NULL;
    size_t len = strlen(key);
    for (const struct e2e_json_node *c = e2e_json_first(doc, obj); c; c = e2e_json_next(doc, c))
        if (c->key_len == len && memcmp(c->key, key, len) == 0)
            return c;
    return NULL;
}

const char *
e2e_json_string(const struct e2e_json_node *v, size_t *len)
{
    if (!v || v->type != E2E_JSON_STRING)
        return NULL;
    if (len)
        *len = v->len;
    return v->str;
}

int
e2e_json_int64(const struct e2e_json_node *v, int64_t *out)
{
    if (!v || !out || v->type != E2E_JSON_NUMBER || strpbrk(v->str, ".eE"))
        return E2E_ERR_MALFORMED;
    int neg = v->str[0] == '-';
    uint64_t acc = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (const char *p = v->str + neg; *p; p++) {
        uint64_t d = (uint64_t)(*p - '0');
        if (acc > (limit - d) / 10)
            return E2E_ERR_LIMIT;
        acc = acc * 10 + d;
    }
    *out = neg ? (acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)acc) : (int64_t)acc;
    return E2E_OK;
}

int
e2e_json_double(const struct e2e_json_node *v, double *out)
{
    if (!v || !out || v->type != E2E_JSON_NUMBER)
        return E2E_ERR_MALFORMED;
    *out = strtod(v->str, NULL);
    return E2E_OK;
}

int
e2e_json_bool(const struct e2e_json_node *v)
{
    if (!v)
        return -1;
    return v->type == E2E_JSON_TRUE ? 1 : v->type == E2E_JSON_FALSE ? 0 : -1;
}
