/* Internal to e2ekit-bench: the harness's JSON writer. */
#ifndef E2E_BENCH_INTERNAL_H
#define E2E_BENCH_INTERNAL_H

int bench_write_json(const char *path);

#endif
