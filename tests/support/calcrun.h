/* Running e2ekit calculators in-process from tests (the vector runner and the suites' tests). */
#ifndef E2E_CALCRUN_H
#define E2E_CALCRUN_H

#include "cli.h"
#include "vecfile.h"

/* argv for `cmd` from a vector record: every field except calc/name/expect* becomes an option
 * (flags when the value is "yes"; "no" leaves them out), positional fields go in place; values
 * are translated (`<hex>*<n>`, `ascii:<text>`). Returns argc, or -1 after printing why. Free
 * with calc_argv_free. */
int calc_argv_from_record(const struct vec_record *r, const struct calc_cmd *cmd, char **argv,
                          int cap);
void calc_argv_free(char **argv, int argc);
/* Runs cmd with argv, capturing stdout and stderr (malloc'ed, NUL-terminated). Returns the
 * exit code. */
int calc_capture(const struct calc_cmd *cmd, int argc, char **argv, char **out, char **err);

#endif
