/* The demo's frame: chapter table, narration, checks and the simulated server. */
#include "demo.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct chapter {
    const char *name;
    const char *title;
    int (*run)(struct demo *d);
};

static const struct chapter chapters[] = {
    {"noise", "Noise Pipes: the client <-> server channel", demo_noise},
    {"whatsapp", "WhatsApp: Signal Protocol with multi-device", demo_whatsapp},
    {"telegram", "Telegram: MTProto 2.0 secret chats and calls", demo_telegram},
    {"viber", "Viber: handshake + ratchet PreKeys, Salsa20, hash-ratchet groups", demo_viber},
    {"skype", "Skype: CA certificates, challenge/response, AES-256 ICM", demo_skype},
};

void
demo_chapter(struct demo *d, const char *title)
{
    fprintf(d->cli->out, "\n== %s ==\n\n", title);
}

void
demo_say(struct demo *d, const char *fmt, ...)
{
    va_list ap;
    fputs("  ", d->cli->out);
    va_start(ap, fmt);
    vfprintf(d->cli->out, fmt, ap);
    va_end(ap);
    fputc('\n', d->cli->out);
}

void
demo_value(struct demo *d, const char *label, const uint8_t *p, size_t n)
{
    char hex[2 * 24 + 1];
    FILE *o = d->cli->out;
    if (n <= 24) {
        if (e2e_hex_encode(hex, sizeof hex, p, n) != E2E_OK)
            hex[0] = 0;
        fprintf(o, "      %s = %s (%zu bytes)\n", label, hex, n);
        return;
    }
    char tail[2 * 8 + 1];
    if (e2e_hex_encode(hex, sizeof hex, p, 16) != E2E_OK ||
        e2e_hex_encode(tail, sizeof tail, p + n - 8, 8) != E2E_OK)
        hex[0] = tail[0] = 0;
    fprintf(o, "      %s = %s...%s (%zu bytes)\n", label, hex, tail, n);
}

int
demo_check(struct demo *d, int ok, const char *fmt, ...)
{
    va_list ap;
    d->checks++;
    if (!ok)
        d->failures++;
    fputs(ok ? "  [ok] " : "  [FAILED] ", d->cli->out);
    va_start(ap, fmt);
    vfprintf(d->cli->out, fmt, ap);
    va_end(ap);
    fputc('\n', d->cli->out);
    return ok;
}

int
demo_ok(struct demo *d, int rc, const char *what)
{
    if (rc == E2E_OK)
        return demo_check(d, 1, "%s", what);
    return demo_check(d, 0, "%s: %s (%s)", what, e2e_strerror(rc), e2e_err_name(rc));
}

int
demo_expect(struct demo *d, int rc, int want, const char *what)
{
    if (rc == want)
        return demo_check(d, 1, "%s: %s, as it must", what, e2e_err_name(rc));
    return demo_check(d, 0, "%s: got %s, expected %s", what, e2e_err_name(rc),
                      e2e_err_name(want));
}

/* ---- the simulated server ------------------------------------------------------------------- */

struct demo_item {
    char *to;
    const char *from;
    uint8_t *p;
    size_t n;
    struct demo_item *next;
};

struct demo_server {
    struct demo *d;
    char name[32];
    struct demo_item *head;
    char *names[64]; /* interned sender names */
    size_t nnames;
};

struct demo_server *
demo_server_new(struct demo *d, const char *name)
{
    struct demo_server *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->d = d;
    snprintf(s->name, sizeof s->name, "%s", name);
    return s;
}

void
demo_server_free(struct demo_server *s)
{
    if (!s)
        return;
    while (s->head) {
        struct demo_item *it = s->head;
        s->head = it->next;
        free(it->to);
        free(it->p);
        free(it);
    }
    for (size_t i = 0; i < s->nnames; i++)
        free(s->names[i]);
    free(s);
}

static const char *
intern(struct demo_server *s, const char *name)
{
    for (size_t i = 0; i < s->nnames; i++)
        if (strcmp(s->names[i], name) == 0)
            return s->names[i];
    if (s->nnames >= sizeof s->names / sizeof s->names[0])
        return "?";
    s->names[s->nnames] = strdup(name);
    return s->names[s->nnames] ? s->names[s->nnames++] : "?";
}

int
demo_server_post(struct demo_server *s, const char *from, const char *to, const uint8_t *p,
                 size_t n)
{
    struct demo_item *it = calloc(1, sizeof *it);
    if (!it)
        return E2E_ERR_NOMEM;
    it->to = strdup(to);
    it->p = malloc(n ? n : 1);
    if (!it->to || !it->p) {
        free(it->to);
        free(it->p);
        free(it);
        return E2E_ERR_NOMEM;
    }
    memcpy(it->p, p, n);
    it->n = n;
    it->from = intern(s, from);
    struct demo_item **tail = &s->head;
    while (*tail)
        tail = &(*tail)->next;
    *tail = it;
    fprintf(s->d->cli->out, "      %s: %s -> %s, %zu bytes stored\n",
            s->name, from, to, n);
    return E2E_OK;
}

size_t
demo_server_pending(const struct demo_server *s, const char *to)
{
    size_t k = 0;
    for (const struct demo_item *it = s->head; it; it = it->next)
        k += strcmp(it->to, to) == 0;
    return k;
}

int
demo_server_take(struct demo_server *s, const char *to, size_t index, uint8_t **p, size_t *n,
                 const char **from)
{
    for (struct demo_item **pp = &s->head; *pp; pp = &(*pp)->next) {
        if (strcmp((*pp)->to, to) != 0)
            continue;
        if (index--)
            continue;
        struct demo_item *it = *pp;
        *pp = it->next;
        *p = it->p;
        *n = it->n;
        if (from)
            *from = it->from;
        free(it->to);
        free(it);
        return E2E_OK;
    }
    return E2E_ERR_NOT_FOUND;
}

/* ---- main ----------------------------------------------------------------------------------- */

static void
demo_log(void *user, int level, const char *msg)
{
    struct demo *d = user;
    (void)level;
    fprintf(d->cli->out, "      trace: %s\n", msg);
}

static int
demo_rng(void *user, uint8_t *out, size_t n)
{
    return e2e_drbg_rng(&((struct demo *)user)->drbg, out, n);
}

static uint64_t
demo_clock(void *user)
{
    return ((struct demo *)user)->now_ms;
}

static const struct cli_opt demo_opts[] = {
    {"suite", OPT_LIST, 0, "NAME", "only this chapter (noise, whatsapp, telegram, viber, skype)"},
    {"seed", OPT_INT, 0, "N", "seed of the demo's deterministic randomness (default 1)"},
    {"trace", OPT_FLAG, 0, NULL, "also print the library's step-by-step derivations"},
};

static int
wanted(const struct cli_args *a, const char *name)
{
    const char *v[CLI_MAX_LIST];
    size_t n = cli_list(a, "suite", v, CLI_MAX_LIST);
    if (n == 0)
        return 1;
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], name) == 0)
            return 1;
    return 0;
}

int
demo_main(struct cli *c, int argc, char **argv)
{
    struct cli_args a;
    int rc = cli_parse(c, "demo", "Play every suite's flows in one process, narrated.", demo_opts,
                       sizeof demo_opts / sizeof demo_opts[0], argc, argv, &a);
    if (rc)
        return rc < 0 ? 0 : rc;
    const char *v[CLI_MAX_LIST];
    size_t nv = cli_list(&a, "suite", v, CLI_MAX_LIST);
    for (size_t i = 0; i < nv; i++) {
        size_t k = 0;
        while (k < sizeof chapters / sizeof chapters[0] && strcmp(chapters[k].name, v[i]) != 0)
            k++;
        if (k == sizeof chapters / sizeof chapters[0]) {
            cli_error(c, "chapters: noise, whatsapp, telegram, viber, skype",
                      "unknown chapter '%s'", v[i]);
            return CLI_EXIT_USER;
        }
    }
    long long seed = 1;
    if ((rc = cli_int(c, &a, "seed", 0, 0x7fffffffffffffffLL, &seed)) != 0)
        return rc;

    struct demo d;
    memset(&d, 0, sizeof d);
    d.cli = c;
    d.trace = cli_has(&a, "trace");
    d.now_ms = 1767225600000ull; /* 2026-01-01T00:00:00Z: the demo's clock starts here */
    char seedtxt[32];
    snprintf(seedtxt, sizeof seedtxt, "e2ekit-demo-%lld", seed);
    e2e_drbg_seed(&d.drbg, seedtxt, strlen(seedtxt));
    struct e2e_ctx_config cfg = {0};
    cfg.rng = demo_rng;
    cfg.now_ms = demo_clock;
    cfg.log = demo_log;
    cfg.user = &d;
    cfg.log_level = d.trace ? E2E_LOG_TRACE : E2E_LOG_WARN;
    if (e2e_ctx_new(&d.ctx, &cfg) != E2E_OK) {
        cli_error(c, NULL, "out of memory");
        return CLI_EXIT_UNEXPECTED;
    }

    fprintf(c->out,
            "e2ekit demo (seed %lld)\n\n"
            "Everything below runs inside this one process. The relay server and networked\n"
            "clients are not part of this demo yet: a simulated server stands in for them. It\n"
            "stores and forwards messages it cannot read, and keeps only what a real server\n"
            "keeps in the clear (public prekeys, signed device lists, certificates).\n"
            "Randomness comes from a seeded generator, so a run with the same seed prints the\n"
            "same values.\n",
            seed);
    int not_run = 0;
    for (size_t k = 0; k < sizeof chapters / sizeof chapters[0]; k++) {
        if (!wanted(&a, chapters[k].name))
            continue;
        demo_chapter(&d, chapters[k].title);
        if (chapters[k].run(&d) != 0)
            not_run++;
    }
    fprintf(c->out, "\n%d checks, %d failed%s\n", d.checks, d.failures,
            not_run ? " (some chapters could not run: see above)" : "");
    e2e_ctx_free(d.ctx);
    return d.failures || not_run ? CLI_EXIT_UNEXPECTED : 0;
}
