/*
 * e2ekit-bench: every benchmark measures our code and a baseline in the same
 * run, so ratios hold even on a noisy machine. Results go to a table on stdout
 * and to a JSON list of records
 *   {"suite","name","unit","ours","baseline_name","baseline","ratio","ratio_means"}
 * where ratio is oriented so that bigger is better for us.
 */
#ifndef E2E_BENCH_H
#define E2E_BENCH_H

#include <stddef.h>
#include <stdint.h>

/* Run `iters` operations. */
typedef void (*bench_fn)(void *arg, uint64_t iters);

/* 1 under BENCH_QUICK=1: shorter calibration and fewer repetitions. */
int bench_quick(void);
/* Median nanoseconds per operation over several repetitions, each calibrated to run for a
 * fixed time (0.2 s, quick 0.04 s). */
double bench_ns_per_op(bench_fn fn, void *arg);
/* ns per op of ours and of a baseline, measured alternately three times each, keeping each one's
 * fastest: on a shared machine both then see the same load, and the fastest run is the closest
 * to what the code costs. */
void bench_ns_pair(double *ours, bench_fn fa, void *a, double *base, bench_fn fb, void *b);
/* Operations per second from ns per op. */
static inline double
bench_ops(double ns)
{
    return ns > 0 ? 1e9 / ns : 0;
}

enum bench_better { BENCH_HIGHER_IS_BETTER = 1, BENCH_LOWER_IS_BETTER = 0 };
/* Records a comparison. For HIGHER (ops/s, MB/s) ratio = ours / baseline; for LOWER (µs,
 * allocations) ratio = baseline / ours. */
void bench_report(const char *suite, const char *name, const char *unit, double ours,
                  const char *baseline_name, double baseline, int better);
/* Records a figure with no baseline (ratio null). */
void bench_report_single(const char *suite, const char *name, const char *unit, double ours);
/* A section line in the printed table. */
void bench_section(const char *title);

/* Heap allocations (malloc, calloc, realloc, aligned) made by this process so far. */
uint64_t bench_allocs(void);

/* Benchmark groups, one per file. */
void bench_crypto(void); /* hashes, MACs, KDFs, curves */
void bench_cipher(void); /* AES modes, Salsa20, RC4 */
void bench_pubkey(void); /* RSA, MTProto DH */
void bench_signal(void);
void bench_whatsapp(void);
void bench_telegram(void);
void bench_viber(void);
void bench_skype(void);
void bench_noise(void);

/* Keeps a result alive so the compiler cannot drop the work. */
extern volatile uint8_t bench_sink;
static inline void
bench_consume(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        bench_sink ^= b[i];
}

#endif
