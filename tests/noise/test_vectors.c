/*
 * The vector runner (`e2ekit calc noise-vectors FILE`) on the shared cacophony vectors
 * (every JSON file in ../shared/vectors/noise, read in place), on noise-c's fallback vector kept in
 * tests/vectors/noise, and on altered copies that it must reject.
 */
#define _GNU_SOURCE
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calcrun.h"
#include "cli.h"
#include "test.h"

static const struct calc_cmd *runner;

/* Runs the runner on path; returns the exit code, the output in *out (free it). */
static int
run(const char *path, char **out)
{
    char *argv[2] = {strdup(path), NULL};
    char *err = NULL;
    int rc = calc_capture(runner, 1, argv, out, &err);
    if (rc != 0 && err && *err)
        printf("%s", err);
    free(err);
    free(argv[0]);
    return rc;
}

static const char *
last_line(const char *text)
{
    size_t n = strlen(text);
    while (n && text[n - 1] == '\n')
        n--;
    while (n && text[n - 1] != '\n')
        n--;
    return text + n;
}

/* Expects `passed` vectors passed and `failed` failed (and the exit code that goes with it). */
static void
expect(const char *path, long passed, long failed, long skipped)
{
    char *out = NULL, want[64], line[64];
    int rc = run(path, &out);
    printf("%s", out);
    CHECK_EQ(rc, failed ? CLI_EXIT_VERIFY : 0);
    snprintf(want, sizeof want, "%ld passed, %ld failed\n", passed, failed);
    snprintf(line, sizeof line, "%s", last_line(out));
    if (strcmp(line, want) != 0)
        test_fail_(__FILE__, __LINE__, "%s: last line '%s', want '%s'", path, line, want);
    test_checks_++;
    if (skipped) {
        snprintf(want, sizeof want, "%ld skipped", skipped);
        CHECK(strstr(out, want) != NULL);
    }
    free(out);
}

static char *
slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *s = calloc(1, 1 << 20);
    size_t n = fread(s, 1, (1 << 20) - 1, f);
    s[n] = 0;
    fclose(f);
    return s;
}

static char tmp_path[64];

static const char *
write_tmp(const char *text)
{
    snprintf(tmp_path, sizeof tmp_path, "/tmp/e2e-noise-vec-XXXXXX");
    int fd = mkstemp(tmp_path);
    CHECK(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    return tmp_path;
}

/* A copy with room for replacements that grow it. */
static char *
dup_room(const char *s)
{
    size_t n = strlen(s);
    char *t = malloc(n + 256);
    memcpy(t, s, n + 1);
    return t;
}

/* Replaces the first occurrence of `from` in s (at most 256 bytes longer in all) with `to`. */
static void
replace(char *s, const char *from, const char *to)
{
    char *p = strstr(s, from);
    CHECK(p != NULL);
    if (!p)
        return;
    size_t fl = strlen(from), tl = strlen(to);
    memmove(p + tl, p + fl, strlen(p + fl) + 1);
    memcpy(p, to, tl);
}

static void
test_shared_cacophony(void)
{
    const char *dir = test_shared_path("vectors/noise");
    if (!dir) {
        test_note("SKIP: ../shared/vectors/noise is absent; the cacophony vectors were not run");
        return;
    }
    char pattern[1100];
    glob_t g;
    snprintf(pattern, sizeof pattern, "%s/*.json", dir);
    CHECK_EQ(glob(pattern, 0, NULL, &g), 0);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        char *out = NULL;
        int rc = run(g.gl_pathv[i], &out);
        printf("%s: %s", g.gl_pathv[i], last_line(out));
        CHECK_EQ(rc, 0);
        CHECK(strstr(last_line(out), " passed, 0 failed") != NULL);
        CHECK(strncmp(last_line(out), "0 passed", 8) != 0);
        free(out);
    }
    globfree(&g);
    const char *cac = test_shared_path("vectors/noise/cacophony-25519-aesgcm-sha256.json");
    if (cac)
        expect(cac, 2, 0, 0);
}

static void
test_noise_c_fallback(void)
{
    expect(test_source_path("tests/vectors/noise/noise-c-fallback-25519-aesgcm-sha256.json"), 1, 0,
           0);
}

/* The runner must be able to fail: altered ciphertexts, hashes, and a fallback vector whose
 * IK message the responder can in fact read. */
static void
test_runner_rejects(void)
{
    const char *fb =
        test_source_path("tests/vectors/noise/noise-c-fallback-25519-aesgcm-sha256.json");
    char *s = slurp(fb);
    CHECK(s != NULL);
    if (!s)
        return;
    char *t = dup_room(s);
    replace(t, "\"ciphertext\": \"da246c", "\"ciphertext\": \"da246d"); /* a transport byte */
    expect(write_tmp(t), 0, 1, 0);
    unlink(tmp_path);
    free(t);
    t = dup_room(s);
    replace(t, "\"handshake_hash\": \"07", "\"handshake_hash\": \"08");
    expect(write_tmp(t), 0, 1, 0);
    unlink(tmp_path);
    free(t);
    t = dup_room(s); /* another pinned key: the first message no longer matches */
    replace(t,
            "\"init_remote_static\": \"f215fe4ad54b354588d3fa52166179b723b9a211ec67167b9bf1729"
            "260972a23\"",
            "\"init_remote_static\": \"31e0303fd6418d2f8c0e78b91f22e8caed0fbe48656dcf4767e4834"
            "f701b8f62\"");
    expect(write_tmp(t), 0, 1, 0);
    unlink(tmp_path);
    free(t);
    /* unsupported protocols are skipped, not failed */
    t = dup_room(s);
    replace(t, "\"name\": \"Noise_XXfallback_25519_AESGCM_SHA256\"",
            "\"name\": \"Noise_XXfallback_25519_ChaChaPoly_SHA256\"");
    replace(t, "\"cipher\": \"AESGCM\"", "\"cipher\": \"ChaChaPoly\"");
    expect(write_tmp(t), 0, 0, 1);
    unlink(tmp_path);
    free(t);
    free(s);
    /* not JSON, no vectors array, no file */
    char *out = NULL;
    CHECK_EQ(run(write_tmp("{\"vectors\": [}"), &out), CLI_EXIT_USER);
    unlink(tmp_path);
    free(out);
    CHECK_EQ(run(write_tmp("{\"other\": []}"), &out), CLI_EXIT_USER);
    unlink(tmp_path);
    free(out);
    CHECK_EQ(run("/nonexistent/vectors.json", &out), CLI_EXIT_IO);
    free(out);
}

int
main(void)
{
    runner = calc_find("noise-vectors");
    CHECK(runner != NULL);
    if (!runner)
        return test_finish();
    RUN(test_shared_cacophony);
    RUN(test_noise_c_fallback);
    RUN(test_runner_rejects);
    return test_finish();
}
