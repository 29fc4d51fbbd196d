/* The e2ekit command line: exit codes, error and hint lines, --help everywhere, --json. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "test.h"

struct run {
    int rc;
    char *out, *err;
};

static struct run
run(int argc, const char *const *args)
{
    struct run r;
    size_t on = 0, en = 0;
    FILE *fo = open_memstream(&r.out, &on), *fe = open_memstream(&r.err, &en);
    char *argv[32];
    argv[0] = strdup("e2ekit");
    for (int i = 0; i < argc; i++)
        argv[i + 1] = strdup(args[i]);
    r.rc = e2ekit_main(argc + 1, argv, fo, fe);
    fclose(fo);
    fclose(fe);
    for (int i = 0; i <= argc; i++)
        free(argv[i]);
    return r;
}

static void
done(struct run *r)
{
    free(r->out);
    free(r->err);
}

#define RUNV(...)                                                                                  \
    run((int)(sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *)),                      \
        (const char *[]){__VA_ARGS__})

static void
test_top_level(void)
{
    struct run r = run(0, NULL);
    CHECK_EQ(r.rc, CLI_EXIT_USER);
    CHECK(strstr(r.out, "usage: e2ekit") != NULL);
    done(&r);
    r = RUNV("--help");
    CHECK_EQ(r.rc, 0);
    CHECK(strstr(r.out, "calc") && strstr(r.out, "demo") && strstr(r.out, "Exit codes"));
    done(&r);
    r = RUNV("frobnicate");
    CHECK_EQ(r.rc, CLI_EXIT_USER);
    CHECK(strstr(r.err, "error: unknown command 'frobnicate'\nhint: ") == r.err);
    done(&r);
    r = RUNV("--nope", "calc");
    CHECK_EQ(r.rc, CLI_EXIT_USER);
    CHECK(strstr(r.err, "error: unknown option '--nope'") != NULL);
    done(&r);
    r = RUNV("version");
    CHECK_EQ(r.rc, 0);
    CHECK(strncmp(r.out, "e2ekit ", 7) == 0);
    done(&r);
}

static void
test_calc_help_and_errors(void)
{
    struct run r = RUNV("calc", "--help");
    CHECK_EQ(r.rc, 0);
    CHECK(strstr(r.out, "hkdf") && strstr(r.out, "aes-ige") && strstr(r.out, "xeddsa-verify"));
    done(&r);
    /* --help on every calculator */
    static const char *const names[] = {"hkdf", "hmac-sha256", "salsa20", "aes-ige", "x25519",
                                        "xeddsa-sign", "xeddsa-verify", "sha256", "crc32"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        r = RUNV("calc", names[i], "--help");
        CHECK_EQ(r.rc, 0);
        CHECK(strstr(r.out, "usage: e2ekit calc") != NULL);
        CHECK(strstr(r.out, "options:") != NULL);
        done(&r);
    }
    r = RUNV("calc", "nosuch");
    CHECK_EQ(r.rc, CLI_EXIT_USER);
    CHECK(strstr(r.err, "error: unknown calculator 'nosuch'\nhint: ") != NULL);
    done(&r);
    r = RUNV("calc", "hkdf", "--ikm", "00");
    CHECK_EQ(r.rc, CLI_EXIT_USER);
    CHECK(strstr(r.err, "error: calc hkdf: missing option --length") != NULL);
    done(&r);
    r = RUNV("calc", "hkdf", "--ikm", "0g", "--length", "4");
    CHECK_EQ(r.rc, CLI_EXIT_USER);
    CHECK(strstr(r.err, "error: --ikm: not valid hex\nhint: ") != NULL);
    done(&r);
    r = RUNV("calc", "hkdf", "--ikm", "00", "--length", "9000");
    CHECK_EQ(r.rc, CLI_EXIT_USER);
    CHECK(strstr(r.err, "--length: expected an integer in 1..8160") != NULL);
    done(&r);
    r = RUNV("calc", "x25519", "--private", "00");
    CHECK_EQ(r.rc, CLI_EXIT_USER);
    CHECK(strstr(r.err, "--private: expected 32 bytes, got 1") != NULL);
    done(&r);
    r = RUNV("calc", "sha256", "--data", "00", "--data", "01");
    CHECK_EQ(r.rc, CLI_EXIT_USER);
    CHECK(strstr(r.err, "given twice") != NULL);
    done(&r);
    r = RUNV("calc", "sha256", "--data");
    CHECK_EQ(r.rc, CLI_EXIT_USER);
    CHECK(strstr(r.err, "needs a value") != NULL);
    done(&r);
}

static void
test_results_and_json(void)
{
    struct run r = RUNV("calc", "sha256", "--data", "616263");
    CHECK_EQ(r.rc, 0);
    CHECK(strcmp(r.out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n") == 0);
    done(&r);
    r = RUNV("--json", "calc", "crc32", "--data", "313233343536373839");
    CHECK_EQ(r.rc, 0);
    CHECK(strcmp(r.out, "{\"crc32\":\"cbf43926\",\"decimal\":3421780262}\n") == 0);
    done(&r);
    /* a failed verification exits 6 and says "invalid" */
    r = RUNV("calc", "ed25519-verify", "--public",
             "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "--message",
             "af83", "--signature",
             "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f"
             "760984dc6594a7c15e9716ed28dc027beceea1ec40a");
    CHECK_EQ(r.rc, CLI_EXIT_VERIFY);
    CHECK(strcmp(r.out, "invalid\n") == 0);
    done(&r);
}

static void
test_demo_frame(void)
{
    struct run r = RUNV("demo", "--suite", "nosuch");
    CHECK_EQ(r.rc, CLI_EXIT_USER);
    CHECK(strstr(r.err, "unknown chapter 'nosuch'") != NULL);
    done(&r);
    r = RUNV("demo", "--help");
    CHECK_EQ(r.rc, 0);
    CHECK(strstr(r.out, "--seed") != NULL);
    done(&r);
}

static void
test_exit_code_map(void)
{
    CHECK_EQ(cli_exit_for(E2E_OK), 0);
    CHECK_EQ(cli_exit_for(E2E_ERR_MALFORMED), CLI_EXIT_USER);
    CHECK_EQ(cli_exit_for(E2E_ERR_AUTH), CLI_EXIT_VERIFY);
    CHECK_EQ(cli_exit_for(E2E_ERR_VERIFY), CLI_EXIT_VERIFY);
    CHECK_EQ(cli_exit_for(E2E_ERR_UNTRUSTED), CLI_EXIT_UNTRUSTED);
    CHECK_EQ(cli_exit_for(E2E_ERR_NETWORK), CLI_EXIT_IO);
    CHECK_EQ(cli_exit_for(E2E_ERR_STORAGE), CLI_EXIT_IO);
    CHECK_EQ(cli_exit_for(E2E_ERR_RATE_LIMITED), CLI_EXIT_RATE);
    CHECK_EQ(cli_exit_for(E2E_ERR_NOMEM), CLI_EXIT_UNEXPECTED);
}

int
main(void)
{
    RUN(test_top_level);
    RUN(test_calc_help_and_errors);
    RUN(test_results_and_json);
    RUN(test_demo_frame);
    RUN(test_exit_code_map);
    return test_finish();
}
