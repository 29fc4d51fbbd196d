/* The top-level command table of e2ekit. */
#include <string.h>

#include <e2ekit/version.h>

#include "cli.h"
#include "demo.h"

struct command {
    const char *name;
    const char *summary;
    int (*run)(struct cli *c, int argc, char **argv);
};

static int cmd_calc(struct cli *c, int argc, char **argv);
static int cmd_version(struct cli *c, int argc, char **argv);
static int cmd_help(struct cli *c, int argc, char **argv);

static const struct command commands[] = {
    {"calc", "calculators for the protocols' formulas (hex in, hex or text out)", cmd_calc},
    {"demo", "play every suite's flows in one process, narrated step by step", demo_main},
    {"version", "print the version", cmd_version},
    {"help", "this list", cmd_help},
};

static void
print_commands(struct cli *c)
{
    fputs("usage: e2ekit [--json] <command> [options]\n\ncommands:\n", c->out);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(c->out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fputs("\n'e2ekit <command> --help' describes a command. Exit codes: 0 ok, 1 user error,\n"
          "2 unexpected, 3 server or I/O, 4 untrusted identity, 5 rate limited,\n"
          "6 verification failed (see e2ekit(1)).\n",
          c->out);
}

static int
cmd_help(struct cli *c, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    print_commands(c);
    return 0;
}

static int
cmd_version(struct cli *c, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    cli_result_str(c, "version", "e2ekit " E2E_VERSION_STRING);
    return 0;
}

static const struct calc_cmd *const calc_tables[] = {
    calc_cmds_core,     calc_cmds_cipher, calc_cmds_pubkey, calc_cmds_signal, calc_cmds_whatsapp,
    calc_cmds_telegram, calc_cmds_viber,  calc_cmds_skype,  calc_cmds_noise,
};

const struct calc_cmd *
calc_find(const char *name)
{
    for (size_t t = 0; t < sizeof calc_tables / sizeof calc_tables[0]; t++)
        for (const struct calc_cmd *k = calc_tables[t]; k->name; k++)
            if (strcmp(k->name, name) == 0)
                return k;
    return NULL;
}

int
calc_run(struct cli *c, const struct calc_cmd *cmd, int argc, char **argv)
{
    struct cli_args a;
    char title[96];
    snprintf(title, sizeof title, "calc %s", cmd->name);
    int rc = cli_parse(c, title, cmd->summary, cmd->opts, cmd->nopts, argc, argv, &a);
    if (rc)
        return rc < 0 ? 0 : rc;
    return cmd->run(c, &a);
}

static int
cmd_calc(struct cli *c, int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
        fputs("usage: e2ekit calc <calculator> [options]\n\n"
              "Calculators take every input, random ones included, as explicit hex, so results\n"
              "are reproducible. The main result is on the first line (--json: one object).\n\n",
              c->out);
        for (size_t t = 0; t < sizeof calc_tables / sizeof calc_tables[0]; t++)
            for (const struct calc_cmd *k = calc_tables[t]; k->name; k++)
                fprintf(c->out, "  %-24s %s\n", k->name, k->summary);
        return argc < 1 ? CLI_EXIT_USER : 0;
    }
    const struct calc_cmd *k = calc_find(argv[0]);
    if (!k) {
        cli_error(c, "'e2ekit calc --help' lists the calculators", "unknown calculator '%s'",
                  argv[0]);
        return CLI_EXIT_USER;
    }
    return calc_run(c, k, argc - 1, argv + 1);
}

int
e2ekit_main(int argc, char **argv, FILE *out, FILE *err)
{
    struct cli c;
    int json = 0;
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (strcmp(argv[i], "--help") == 0) {
            break;
        } else {
            cli_init(&c, out, err, 0);
            cli_error(&c, "see 'e2ekit --help'", "unknown option '%s'", argv[i]);
            return CLI_EXIT_USER;
        }
    }
    cli_init(&c, out, err, json);
    if (i >= argc || strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
        print_commands(&c);
        return i >= argc ? CLI_EXIT_USER : 0;
    }
    for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++) {
        if (strcmp(commands[k].name, argv[i]) == 0) {
            int rc = commands[k].run(&c, argc - i - 1, argv + i + 1);
            cli_finish(&c);
            return rc;
        }
    }
    cli_error(&c, "see 'e2ekit --help'", "unknown command '%s'", argv[i]);
    return CLI_EXIT_USER;
}
