/* Running e2ekit calculators in-process (see calcrun.h). */
#define _GNU_SOURCE
#include "calcrun.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    char *o = strdup(v);
    if (!o)
        abort();
    return o;
}

static const struct cli_opt *
find_any(const struct calc_cmd *cmd, const char *name)
{
    const struct cli_opt *o = cli_find_opt(cmd->opts, cmd->nopts, name);
    for (size_t k = 0; !o && k < cmd->nopts; k++)
        if (cmd->opts[k].kind == OPT_POS && strcmp(cmd->opts[k].name, name) == 0)
            o = &cmd->opts[k];
    return o;
}

int
calc_argv_from_record(const struct vec_record *r, const struct calc_cmd *cmd, char **argv,
                      int cap)
{
    int argc = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (is_special(r->key[i]))
            continue;
        const struct cli_opt *o = find_any(cmd, r->key[i]);
        if (!o || argc + 2 >= cap) {
            fprintf(stderr, "%s:%d: calc %s has no option '%s'\n", r->file, r->line, cmd->name,
                    r->key[i]);
            calc_argv_free(argv, argc);
            return -1;
        }
        if (o->kind == OPT_FLAG && strcmp(r->val[i], "yes") != 0)
            continue;
        if (o->kind != OPT_POS && asprintf(&argv[argc++], "--%s", r->key[i]) < 0)
            abort();
        if (o->kind != OPT_FLAG)
            argv[argc++] = translate(r->val[i], o->kind);
    }
    argv[argc] = NULL;
    return argc;
}

void
calc_argv_free(char **argv, int argc)
{
    for (int i = 0; i < argc; i++)
        free(argv[i]);
}

int
calc_capture(const struct calc_cmd *cmd, int argc, char **argv, char **out, char **err)
{
    size_t on = 0, en = 0;
    FILE *fo = open_memstream(out, &on);
    FILE *fe = open_memstream(err, &en);
    if (!fo || !fe)
        abort();
    struct cli c;
    cli_init(&c, fo, fe, 0);
    int rc = calc_run(&c, cmd, argc, argv);
    cli_finish(&c);
    fclose(fo);
    fclose(fe);
    return rc;
}
