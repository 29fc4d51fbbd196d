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

#include "calcrun.h"
#include "cli.h"
#include "test.h"
#include "vecfile.h"

static int files, records, failed;

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
    int argc = calc_argv_from_record(r, cmd, argv, (int)(sizeof argv / sizeof argv[0]));
    if (argc < 0) {
        failed++;
        return 0;
    }
    char *out = NULL, *err = NULL;
    int rc = calc_capture(cmd, argc, argv, &out, &err);
    calc_argv_free(argv, argc);

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
