/* Reader for known-answer data files (see vecfile.h). */
#include "vecfile.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *
trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = 0;
    return s;
}

static void
clear(struct vec_record *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->key[i]);
        free(r->val[i]);
    }
    r->n = 0;
}

static int
flush(struct vec_record *r, int (*fn)(const struct vec_record *, void *), void *arg)
{
    int rc = 0;
    if (r->n)
        rc = fn(r, arg);
    clear(r);
    return rc;
}

int
vec_file_each(const char *path, int (*fn)(const struct vec_record *r, void *arg), void *arg)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "%s: cannot open\n", path);
        return -1;
    }
    struct vec_record r;
    memset(&r, 0, sizeof r);
    r.file = path;
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0, provenance = 0, rc = 0;
    while (getline(&line, &cap, f) >= 0) {
        lineno++;
        char *s = trim(line);
        if (*s == '#') {
            provenance |= strstr(s, "source") != NULL || strstr(s, "provenance") != NULL;
            continue;
        }
        if (!*s) {
            if ((rc = flush(&r, fn, arg)) != 0)
                break;
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq || r.n >= VEC_MAX_FIELDS) {
            fprintf(stderr, "%s:%d: expected 'key = value'\n", path, lineno);
            rc = -1;
            break;
        }
        *eq = 0;
        if (r.n == 0)
            r.line = lineno;
        r.key[r.n] = strdup(trim(s));
        r.val[r.n] = strdup(trim(eq + 1));
        r.n++;
    }
    if (rc == 0)
        rc = flush(&r, fn, arg);
    clear(&r);
    free(line);
    fclose(f);
    if (rc == 0 && !provenance) {
        fprintf(stderr, "%s: no provenance line ('# source: ...')\n", path);
        rc = -1;
    }
    return rc;
}

const char *
vec_get(const struct vec_record *r, const char *key)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->key[i], key) == 0)
            return r->val[i];
    return NULL;
}
