/*
 * The e2ekit command-line framework: option specs, parsing, error and hint
 * lines, exit codes, and results printed as text lines or one JSON object.
 *
 * Commands write through a `struct cli`, never straight to stdout, so the
 * vector runner and the tests can run any command in-process and read what
 * it printed.
 */
#ifndef E2EKIT_CLI_H
#define E2EKIT_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <e2ekit/core.h>

/* Exit codes (documented in docs/man/e2ekit.1). */
enum cli_exit {
    CLI_EXIT_OK = 0,
    CLI_EXIT_USER = 1,       /* bad arguments or input */
    CLI_EXIT_UNEXPECTED = 2, /* a bug or an internal failure */
    CLI_EXIT_IO = 3,         /* server, network, storage or file failure */
    CLI_EXIT_UNTRUSTED = 4,  /* an identity key is not trusted */
    CLI_EXIT_RATE = 5,       /* rate limited */
    CLI_EXIT_VERIFY = 6,     /* a verification failed: MAC, signature, codes differ */
};
/* Exit code for an e2e_err. */
int cli_exit_for(int err);

struct cli {
    FILE *out;
    FILE *err;
    int json;
    /* results collected for --json */
    char *jbuf;
    size_t jlen, jcap;
    int nresults;
};
void cli_init(struct cli *c, FILE *out, FILE *err, int json);
/* Prints the JSON object (in --json mode) and releases buffers. */
void cli_finish(struct cli *c);

/* "error: <msg>" then, if hint != NULL, "hint: <hint>" on c->err. */
void cli_error(struct cli *c, const char *hint, const char *fmt, ...) E2E_PRINTF(3, 4);
/* cli_error with the e2e_err's text appended; returns cli_exit_for(err). */
int cli_fail(struct cli *c, int err, const char *hint, const char *fmt, ...) E2E_PRINTF(4, 5);

/* Results: in text mode each is printed on its own line (the first is the main result); in
 * --json mode they become the members of one object. */
void cli_result_hex(struct cli *c, const char *key, const uint8_t *p, size_t n);
void cli_result_str(struct cli *c, const char *key, const char *s);
void cli_result_int(struct cli *c, const char *key, long long v);
/* Free-form text line (text mode only; ignored with --json). */
void cli_text(struct cli *c, const char *fmt, ...) E2E_PRINTF(2, 3);

/* ---- options -------------------------------------------------------------------------------- */

enum cli_opt_kind {
    OPT_FLAG, /* --name */
    OPT_STR,  /* --name TEXT */
    OPT_HEX,  /* --name HEX */
    OPT_INT,  /* --name N */
    OPT_LIST, /* --name VALUE, repeatable */
    OPT_POS,  /* positional argument, in spec order */
};

struct cli_opt {
    const char *name;
    int kind; /* enum cli_opt_kind */
    int required;
    const char *meta; /* shown in usage: HEX, N, FILE, ... */
    const char *help;
};

#define CLI_MAX_OPTS 32
#define CLI_MAX_LIST 64
struct cli_args {
    const struct cli_opt *spec;
    size_t nspec;
    const char *val[CLI_MAX_OPTS];
    int present[CLI_MAX_OPTS];
    const char *list[CLI_MAX_OPTS][CLI_MAX_LIST];
    size_t nlist[CLI_MAX_OPTS];
};

/* Usage text for a command (name, summary, options). */
void cli_usage(struct cli *c, const char *cmd, const char *summary, const struct cli_opt *spec,
               size_t nspec);
/* Parses argv (argv[0] is the first option). Returns 0, a non-zero exit code after printing
 * an error, or -1 when --help was given (usage printed; the caller exits 0). */
int cli_parse(struct cli *c, const char *cmd, const char *summary, const struct cli_opt *spec,
              size_t nspec, int argc, char **argv, struct cli_args *a);
const struct cli_opt *cli_find_opt(const struct cli_opt *spec, size_t nspec, const char *name);

int cli_has(const struct cli_args *a, const char *name);
const char *cli_str(const struct cli_args *a, const char *name); /* NULL when absent */
/* Hex option into buf; `exact` > 0 requires that many bytes. 0 or an exit code. An absent
 * optional option gives *len = 0. */
int cli_hex(struct cli *c, const struct cli_args *a, const char *name, uint8_t *buf, size_t cap,
            size_t *len, size_t exact);
/* Hex option of any length into a malloc'ed buffer (free it with cli_free_secret). */
int cli_hex_alloc(struct cli *c, const struct cli_args *a, const char *name, uint8_t **buf,
                  size_t *len);
void cli_free_secret(uint8_t *p, size_t n);
int cli_int(struct cli *c, const struct cli_args *a, const char *name, long long min,
            long long max, long long *out);
size_t cli_list(const struct cli_args *a, const char *name, const char **vals, size_t max);
/* Decode one hex string (for list elements). 0 or an exit code. */
int cli_hex_value(struct cli *c, const char *what, const char *hex, uint8_t *buf, size_t cap,
                  size_t *len, size_t exact);

/* ---- commands ------------------------------------------------------------------------------- */

struct calc_cmd {
    const char *name;
    const char *summary;
    const struct cli_opt *opts;
    size_t nopts;
    int (*run)(struct cli *c, const struct cli_args *a);
};
#define CALC_OPTS(o) (o), (sizeof(o) / sizeof((o)[0]))

/* One table per family, each ended by an entry with name == NULL. */
extern const struct calc_cmd calc_cmds_core[];   /* hashes, MACs, KDFs, curves */
extern const struct calc_cmd calc_cmds_cipher[]; /* AES modes, Salsa20, RC4 */
extern const struct calc_cmd calc_cmds_pubkey[]; /* RSA, ISO 9796-2, MTProto DH */
extern const struct calc_cmd calc_cmds_signal[];
extern const struct calc_cmd calc_cmds_whatsapp[];
extern const struct calc_cmd calc_cmds_telegram[];
extern const struct calc_cmd calc_cmds_viber[];
extern const struct calc_cmd calc_cmds_skype[];
extern const struct calc_cmd calc_cmds_noise[];

const struct calc_cmd *calc_find(const char *name);
/* Runs one calculator with its options (argv[0] is the first option). */
int calc_run(struct cli *c, const struct calc_cmd *cmd, int argc, char **argv);

/* The whole program, callable in-process: e2ekit_main(argc, argv, out, err). */
int e2ekit_main(int argc, char **argv, FILE *out, FILE *err);

#endif
