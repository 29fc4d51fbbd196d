/* The e2ekit command-line framework (see cli.h). */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int
cli_exit_for(int err)
{
    switch (err) {
    case E2E_OK:
        return CLI_EXIT_OK;
    case E2E_ERR_INVALID:
    case E2E_ERR_MALFORMED:
    case E2E_ERR_BUFFER:
    case E2E_ERR_UNSUPPORTED:
    case E2E_ERR_WEAK_KEY:
    case E2E_ERR_NOT_FOUND:
    case E2E_ERR_STATE:
    case E2E_ERR_LIMIT:
    case E2E_ERR_PROTOCOL:
    case E2E_ERR_DUPLICATE:
    case E2E_ERR_TOO_FAR:
    case E2E_ERR_NO_SESSION:
        return CLI_EXIT_USER;
    case E2E_ERR_AUTH:
    case E2E_ERR_VERIFY:
        return CLI_EXIT_VERIFY;
    case E2E_ERR_UNTRUSTED:
        return CLI_EXIT_UNTRUSTED;
    case E2E_ERR_STORAGE:
    case E2E_ERR_NETWORK:
    case E2E_ERR_IO:
        return CLI_EXIT_IO;
    case E2E_ERR_RATE_LIMITED:
        return CLI_EXIT_RATE;
    default:
        return CLI_EXIT_UNEXPECTED;
    }
}

void
cli_init(struct cli *c, FILE *out, FILE *err, int json)
{
    memset(c, 0, sizeof *c);
    c->out = out;
    c->err = err;
    c->json = json;
}

void
cli_finish(struct cli *c)
{
    if (c->json && c->nresults)
        fprintf(c->out, "{%.*s}\n", (int)c->jlen, c->jbuf ? c->jbuf : "");
    free(c->jbuf);
    c->jbuf = NULL;
    c->jlen = c->jcap = 0;
    c->nresults = 0;
    fflush(c->out);
}

static void
verror(struct cli *c, const char *hint, const char *fmt, va_list ap)
{
    fputs("error: ", c->err);
    vfprintf(c->err, fmt, ap);
    fputc('\n', c->err);
    if (hint)
        fprintf(c->err, "hint: %s\n", hint);
    fflush(c->err);
}

void
cli_error(struct cli *c, const char *hint, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror(c, hint, fmt, ap);
    va_end(ap);
}

int
cli_fail(struct cli *c, int err, const char *hint, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cli_error(c, hint, "%s: %s (%s)", msg, e2e_strerror(err), e2e_err_name(err));
    return cli_exit_for(err);
}

/* ---- results -------------------------------------------------------------------------------- */

static void
jappend(struct cli *c, const char *s, size_t n)
{
    if (c->jlen + n + 1 > c->jcap) {
        size_t cap = c->jcap ? c->jcap : 256;
        while (cap < c->jlen + n + 1)
            cap *= 2;
        char *p = realloc(c->jbuf, cap);
        if (!p)
            return; /* results are lost rather than the process; cli_finish prints what fits */
        c->jbuf = p;
        c->jcap = cap;
    }
    memcpy(c->jbuf + c->jlen, s, n);
    c->jlen += n;
    c->jbuf[c->jlen] = 0;
}

static void
jstring(struct cli *c, const char *s)
{
    jappend(c, "\"", 1);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        char esc[8];
        if (ch == '"' || ch == '\\') {
            esc[0] = '\\';
            esc[1] = (char)ch;
            jappend(c, esc, 2);
        } else if (ch < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", ch);
            jappend(c, esc, 6);
        } else {
            jappend(c, (const char *)&ch, 1);
        }
    }
    jappend(c, "\"", 1);
}

static void
jkey(struct cli *c, const char *key)
{
    if (c->nresults++)
        jappend(c, ",", 1);
    jstring(c, key);
    jappend(c, ":", 1);
}

void
cli_result_hex(struct cli *c, const char *key, const uint8_t *p, size_t n)
{
    char *hex = malloc(2 * n + 1);
    if (!hex || e2e_hex_encode(hex, 2 * n + 1, p, n) != E2E_OK) {
        free(hex);
        return;
    }
    cli_result_str(c, key, hex);
    e2e_wipe(hex, 2 * n + 1);
    free(hex);
}

void
cli_result_str(struct cli *c, const char *key, const char *s)
{
    if (c->json) {
        jkey(c, key);
        jstring(c, s);
    } else {
        fprintf(c->out, "%s\n", s);
    }
}

void
cli_result_int(struct cli *c, const char *key, long long v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", v);
    if (c->json) {
        jkey(c, key);
        jappend(c, buf, strlen(buf));
    } else {
        fprintf(c->out, "%s\n", buf);
    }
}

void
cli_text(struct cli *c, const char *fmt, ...)
{
    if (c->json)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(c->out, fmt, ap);
    va_end(ap);
    fputc('\n', c->out);
}

/* ---- options -------------------------------------------------------------------------------- */

const struct cli_opt *
cli_find_opt(const struct cli_opt *spec, size_t nspec, const char *name)
{
    for (size_t i = 0; i < nspec; i++)
        if (spec[i].kind != OPT_POS && strcmp(spec[i].name, name) == 0)
            return &spec[i];
    return NULL;
}

void
cli_usage(struct cli *c, const char *cmd, const char *summary, const struct cli_opt *spec,
          size_t nspec)
{
    fprintf(c->out, "usage: e2ekit %s", cmd);
    for (size_t i = 0; i < nspec; i++) {
        const struct cli_opt *o = &spec[i];
        const char *meta = o->meta ? o->meta : "VALUE";
        const char *open = o->required ? "" : "[";
        const char *close = o->required ? "" : "]";
        if (o->kind == OPT_POS)
            fprintf(c->out, " %s%s%s", open, meta, close);
        else if (o->kind == OPT_FLAG)
            fprintf(c->out, " %s--%s%s", open, o->name, close);
        else
            fprintf(c->out, " %s--%s %s%s%s", open, o->name, meta,
                    o->kind == OPT_LIST ? " ..." : "", close);
    }
    fprintf(c->out, "\n\n%s\n", summary);
    if (nspec)
        fputs("\noptions:\n", c->out);
    for (size_t i = 0; i < nspec; i++) {
        const struct cli_opt *o = &spec[i];
        char left[64];
        if (o->kind == OPT_POS)
            snprintf(left, sizeof left, "%s", o->meta ? o->meta : o->name);
        else if (o->kind == OPT_FLAG)
            snprintf(left, sizeof left, "--%s", o->name);
        else
            snprintf(left, sizeof left, "--%s %s", o->name, o->meta ? o->meta : "VALUE");
        fprintf(c->out, "  %-26s %s%s\n", left, o->help ? o->help : "",
                o->kind == OPT_LIST ? " (repeatable)" : "");
    }
    fputs("  --help                     this text\n", c->out);
}

int
cli_parse(struct cli *c, const char *cmd, const char *summary, const struct cli_opt *spec,
          size_t nspec, int argc, char **argv, struct cli_args *a)
{
    memset(a, 0, sizeof *a);
    a->spec = spec;
    a->nspec = nspec > CLI_MAX_OPTS ? CLI_MAX_OPTS : nspec;
    size_t next_pos = 0;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            cli_usage(c, cmd, summary, spec, a->nspec);
            return -1;
        }
        if (strncmp(arg, "--", 2) != 0) {
            while (next_pos < a->nspec && spec[next_pos].kind != OPT_POS)
                next_pos++;
            if (next_pos >= a->nspec) {
                cli_error(c, "see 'e2ekit <command> --help'", "%s: unexpected argument '%s'",
                          cmd, arg);
                return CLI_EXIT_USER;
            }
            a->val[next_pos] = arg;
            a->present[next_pos++] = 1;
            continue;
        }
        const struct cli_opt *o = cli_find_opt(spec, a->nspec, arg + 2);
        if (!o) {
            cli_error(c, "see 'e2ekit <command> --help'", "%s: unknown option '%s'", cmd, arg);
            return CLI_EXIT_USER;
        }
        size_t k = (size_t)(o - spec);
        if (o->kind == OPT_FLAG) {
            a->present[k] = 1;
            continue;
        }
        if (i + 1 >= argc) {
            cli_error(c, NULL, "%s: option '%s' needs a value", cmd, arg);
            return CLI_EXIT_USER;
        }
        const char *v = argv[++i];
        if (o->kind == OPT_LIST) {
            if (a->nlist[k] >= CLI_MAX_LIST) {
                cli_error(c, NULL, "%s: option '%s' given more than %d times", cmd, arg,
                          CLI_MAX_LIST);
                return CLI_EXIT_USER;
            }
            a->list[k][a->nlist[k]++] = v;
        } else if (a->present[k]) {
            cli_error(c, NULL, "%s: option '%s' given twice", cmd, arg);
            return CLI_EXIT_USER;
        }
        a->val[k] = v;
        a->present[k] = 1;
    }
    for (size_t k = 0; k < a->nspec; k++) {
        if (spec[k].required && !a->present[k]) {
            if (spec[k].kind == OPT_POS)
                cli_error(c, "see --help", "%s: missing argument %s", cmd,
                          spec[k].meta ? spec[k].meta : spec[k].name);
            else
                cli_error(c, "see --help", "%s: missing option --%s", cmd, spec[k].name);
            return CLI_EXIT_USER;
        }
    }
    return 0;
}

static int
index_of(const struct cli_args *a, const char *name)
{
    for (size_t i = 0; i < a->nspec; i++)
        if (strcmp(a->spec[i].name, name) == 0)
            return (int)i;
    return -1;
}

int
cli_has(const struct cli_args *a, const char *name)
{
    int k = index_of(a, name);
    return k >= 0 && a->present[k];
}

const char *
cli_str(const struct cli_args *a, const char *name)
{
    int k = index_of(a, name);
    return k >= 0 && a->present[k] ? a->val[k] : NULL;
}

int
cli_hex_value(struct cli *c, const char *what, const char *hex, uint8_t *buf, size_t cap,
              size_t *len, size_t exact)
{
    size_t hl = strlen(hex);
    size_t n = 0;
    int rc = e2e_hex_decode(buf, cap, &n, hex, hl);
    if (rc == E2E_ERR_BUFFER) {
        cli_error(c, NULL, "%s: %zu bytes is too long (at most %zu)", what, hl / 2, cap);
        return CLI_EXIT_USER;
    }
    if (rc != E2E_OK) {
        cli_error(c, "give the value as hex digits, two per byte", "%s: not valid hex", what);
        return CLI_EXIT_USER;
    }
    if (exact && n != exact) {
        cli_error(c, NULL, "%s: expected %zu bytes, got %zu", what, exact, n);
        return CLI_EXIT_USER;
    }
    *len = n;
    return 0;
}

int
cli_hex(struct cli *c, const struct cli_args *a, const char *name, uint8_t *buf, size_t cap,
        size_t *len, size_t exact)
{
    const char *v = cli_str(a, name);
    *len = 0;
    if (!v)
        return 0;
    char what[80];
    snprintf(what, sizeof what, "--%s", name);
    return cli_hex_value(c, what, v, buf, cap, len, exact);
}

int
cli_hex_alloc(struct cli *c, const struct cli_args *a, const char *name, uint8_t **buf,
              size_t *len)
{
    const char *v = cli_str(a, name);
    size_t cap = v ? strlen(v) / 2 + 1 : 1;
    *buf = malloc(cap);
    *len = 0;
    if (!*buf) {
        cli_error(c, NULL, "out of memory");
        return CLI_EXIT_UNEXPECTED;
    }
    int rc = cli_hex(c, a, name, *buf, cap, len, 0);
    if (rc) {
        free(*buf);
        *buf = NULL;
    }
    return rc;
}

void
cli_free_secret(uint8_t *p, size_t n)
{
    if (p) {
        e2e_wipe(p, n);
        free(p);
    }
}

int
cli_int(struct cli *c, const struct cli_args *a, const char *name, long long min, long long max,
        long long *out)
{
    const char *v = cli_str(a, name);
    if (!v)
        return 0;
    char *end = NULL;
    long long x = strtoll(v, &end, 0);
    if (!*v || *end || x < min || x > max) {
        cli_error(c, NULL, "--%s: expected an integer in %lld..%lld, got '%s'", name, min, max, v);
        return CLI_EXIT_USER;
    }
    *out = x;
    return 0;
}

size_t
cli_list(const struct cli_args *a, const char *name, const char **vals, size_t max)
{
    int k = index_of(a, name);
    if (k < 0)
        return 0;
    size_t n = a->nlist[k] < max ? a->nlist[k] : max;
    for (size_t i = 0; i < n; i++)
        vals[i] = a->list[k][i];
    return n;
}
