/*
 * The one known-answer runner: every record of every tests/vectors/<suite>/NAME.vec file is run
 * through the named `e2ekit calc` calculator in-process, and its output compared. So the
 * vectors check the primitives and the calculators at once.
 */
#define _GNU_SOURCE
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "test.h"
#include "vecfile.h"

static int files, records, failed;

static int
is_special(const char *k)
{
    return strcmp(k, "calc") == 0 || strncmp(k, "expect", 6) == 0 || strcmp(k, "name") == 0;
}

/* `<hex>*<count>` -> the hex repeated; `ascii:<text>` -> hex of the text (for hex options). */
static char *
translate(const char *v, int kind)
{
    const char *star = strrchr(v, '*');
    if (star && star > v && strspn(v, "0123456789abcdefABCDEF") == (size_t)(star - v) &&
        star[1] && strspn(star + 1, "0123456789") == strlen(star + 1)) {
        size_t unit = (size_t)(star - v);
        size_t count = strtoul(star + 1, NULL, 10);
        char *o = malloc(unit * count + 1);
        if (!o)
            abort();
        for (size_t i = 0; i < count; i++)
            memcpy(o + i * unit, v, unit);
        o[unit * count] = 0;
        return o;
    }
    if ((kind == OPT_HEX || kind == OPT_LIST) && strncmp(v, "ascii:", 6) == 0) {
        const char *t = v + 6;
        size_t n = strlen(t);
        char *o = malloc(2 * n + 1);
        if (!o || e2e_hex_encode(o, 2 * n + 1, (const uint8_t *)t, n) != E2E_OK)
            abort();
        return o;
    }
    return strdup(v);
}

static const char *
nth_line(const char *text, int n, size_t *len)
{
    const char *p = text;
    for (int i = 1; i < n && p; i++) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    if (!p || !*p)
        return NULL;
    *len = strcspn(p, "\n");
    return p;
}

static int
expect_line(const struct vec_record *r, const char *out, int n, const char *want)
{
    size_t len = 0;
    const char *got = nth_line(out, n, &len);
    if (got && len == strlen(want) && strncmp(got, want, len) == 0)
        return 1;
    fprintf(stderr, "FAIL %s:%d: line %d\n  got:  %.*s\n  want: %s\n", r->file, r->line, n,
            got ? (int)len : 6, got ? got : "(none)", want);
    return 0;
}

static int
run_record(const struct vec_record *r, void *arg)
{
    (void)arg;
    records++;
    const char *name = vec_get(r, "calc");
    const struct calc_cmd *cmd = name ? calc_find(name) : NULL;
    if (!cmd) {
        fprintf(stderr, "FAIL %s:%d: unknown or missing calc '%s'\n", r->file, r->line,
                name ? name : "");
        failed++;
        return 0;
    }
    char *argv[2 * VEC_MAX_FIELDS + 1];
    int argc = 0;
    char *owned[VEC_MAX_FIELDS];
    size_t nowned = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (is_special(r->key[i]))
            continue;
        const struct cli_opt *o = cli_find_opt(cmd->opts, cmd->nopts, r->key[i]);
        int kind = o ? o->kind : OPT_POS;
        if (!o) {
            /* a positional argument, named in the record by its meta or name */
            for (size_t k = 0; k < cmd->nopts; k++)
                if (cmd->opts[k].kind == OPT_POS && strcmp(cmd->opts[k].name, r->key[i]) == 0)
                    o = &cmd->opts[k];
            if (!o) {
                fprintf(stderr, "FAIL %s:%d: calc %s has no option '%s'\n", r->file, r->line,
                        name, r->key[i]);
                failed++;
                goto out;
            }
        }
        if (kind == OPT_FLAG && strcmp(r->val[i], "yes") != 0)
            continue; /* "no": leave the flag out */
        if (kind != OPT_POS) {
            char *f = malloc(strlen(r->key[i]) + 3);
            if (!f)
                abort();
            sprintf(f, "--%s", r->key[i]);
            owned[nowned++] = f;
            argv[argc++] = f;
        }
        if (kind == OPT_FLAG)
            continue;
        char *v = translate(r->val[i], kind);
        owned[nowned++] = v;
        argv[argc++] = v;
    }
    argv[argc] = NULL;

    char *out = NULL, *err = NULL;
    size_t outn = 0, errn = 0;
    FILE *fo = open_memstream(&out, &outn);
    FILE *fe = open_memstream(&err, &errn);
    if (!fo || !fe)
        abort();
    struct cli c;
    cli_init(&c, fo, fe, 0);
    int rc = calc_run(&c, cmd, argc, argv);
    cli_finish(&c);
    fclose(fo);
    fclose(fe);

    int ok = 1;
    const char *want_exit = vec_get(r, "expect_exit");
    int we = want_exit ? atoi(want_exit) : 0;
    if (rc != we) {
        fprintf(stderr, "FAIL %s:%d: calc %s exited %d, want %d\n%s", r->file, r->line, name, rc,
                we, err);
        ok = 0;
    }
    for (size_t i = 0; i < r->n && ok; i++) {
        if (strcmp(r->key[i], "expect") == 0)
            ok &= expect_line(r, out, 1, r->val[i]);
        else if (strncmp(r->key[i], "expect_line", 11) == 0)
            ok &= expect_line(r, out, atoi(r->key[i] + 11), r->val[i]);
        else if (strcmp(r->key[i], "expect_contains") == 0 && !strstr(out, r->val[i]) &&
                 !strstr(err, r->val[i])) {
            fprintf(stderr, "FAIL %s:%d: output lacks '%s'\n", r->file, r->line, r->val[i]);
            ok = 0;
        }
    }
    if (!ok)
        failed++;
    free(out);
    free(err);
out:
    for (size_t i = 0; i < nowned; i++)
        free(owned[i]);
    return 0;
}

static int
visit(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    size_t n = strlen(path);
    if (type != FTW_F || n < 4 || strcmp(path + n - 4, ".vec") != 0)
        return 0;
    int before_r = records, before_f = failed;
    files++;
    if (vec_file_each(path, run_record, NULL) < 0)
        failed++;
    printf("%s %s: %d vectors\n", failed == before_f ? "ok  " : "FAIL", path + 0,
           records - before_r);
    return 0;
}

int
main(void)
{
    const char *dir = test_source_path("tests/vectors");
    if (nftw(dir, visit, 16, FTW_PHYS) != 0) {
        fprintf(stderr, "cannot walk %s\n", dir);
        return 1;
    }
    printf("%d files, %d vectors, %d failed\n", files, records, failed);
    if (records == 0) {
        fprintf(stderr, "no vectors found under %s\n", dir);
        return 1;
    }
    return failed ? 1 : 0;
}
