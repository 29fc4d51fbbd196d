/*
 * The demo: each suite's flows played inside one process, narrated step by
 * step. Until the relay and networked clients exist, a simulated server stands
 * in for them (it stores and forwards bytes, reading only what a real server
 * keeps in the clear), and the demo says so. Every step is checked; `make
 * demo` fails if any check fails.
 */
#ifndef E2EKIT_DEMO_H
#define E2EKIT_DEMO_H

#include <stddef.h>
#include <stdint.h>

#include <e2ekit/core.h>

#include "cli.h"

struct demo {
    struct cli *cli;
    e2e_ctx *ctx;        /* seeded drbg, demo clock; library traces go to the narration */
    struct e2e_drbg drbg;
    uint64_t now_ms;     /* the demo's clock; chapters may advance it */
    int trace;           /* --trace: print the library's step-by-step derivations */
    int failures;
    int checks;
};

int demo_main(struct cli *c, int argc, char **argv);

/* Narration. */
void demo_chapter(struct demo *d, const char *title);
void demo_say(struct demo *d, const char *fmt, ...) E2E_PRINTF(2, 3);
/* "    label = hex (n bytes)"; long values are shortened in the middle. */
void demo_value(struct demo *d, const char *label, const uint8_t *p, size_t n);
/* Counts a check; prints "  [ok] what" or "  [FAILED] what". Returns ok. */
int demo_check(struct demo *d, int ok, const char *fmt, ...) E2E_PRINTF(3, 4);
/* demo_check(rc == E2E_OK) with the error's name in the failure line. */
int demo_ok(struct demo *d, int rc, const char *what);
/* demo_check(rc == want): for steps that must fail (tampering, replays). */
int demo_expect(struct demo *d, int rc, int want, const char *what);

/* The simulated server: named mailboxes of byte strings. */
struct demo_server;
struct demo_server *demo_server_new(struct demo *d, const char *name);
void demo_server_free(struct demo_server *s);
/* Stores a copy of p for `to`; narrates "server: from -> to, n bytes". */
int demo_server_post(struct demo_server *s, const char *from, const char *to, const uint8_t *p,
                     size_t n);
size_t demo_server_pending(const struct demo_server *s, const char *to);
/* Removes the index-th pending item for `to` (0 = oldest) into a malloc'ed buffer; *from gets
 * the sender's name (valid until the server is freed). E2E_ERR_NOT_FOUND when there is none. */
int demo_server_take(struct demo_server *s, const char *to, size_t index, uint8_t **p, size_t *n,
                     const char **from);

/* One chapter per suite, in demo_<suite>.c. Each returns 0, or non-zero when it could not run. */
int demo_noise(struct demo *d);
int demo_whatsapp(struct demo *d);
int demo_telegram(struct demo *d);
int demo_viber(struct demo *d);
int demo_skype(struct demo *d);

#endif
