/* Timing, reporting and allocation counting for e2ekit-bench. */
#define _GNU_SOURCE
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "bench_internal.h"

volatile uint8_t bench_sink;

/* ---- allocation counting: the executable's malloc family wraps glibc's -------------------- */

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

static atomic_ullong alloc_count;

void *malloc(size_t n);
void *calloc(size_t a, size_t b);
void *realloc(void *p, size_t n);
void free(void *p);
int posix_memalign(void **out, size_t align, size_t n);
void *aligned_alloc(size_t align, size_t n);
void *memalign(size_t align, size_t n);

void *
malloc(size_t n)
{
    atomic_fetch_add_explicit(&alloc_count, 1, memory_order_relaxed);
    return __libc_malloc(n);
}

void *
calloc(size_t a, size_t b)
{
    atomic_fetch_add_explicit(&alloc_count, 1, memory_order_relaxed);
    return __libc_calloc(a, b);
}

void *
realloc(void *p, size_t n)
{
    atomic_fetch_add_explicit(&alloc_count, 1, memory_order_relaxed);
    return __libc_realloc(p, n);
}

void
free(void *p)
{
    __libc_free(p);
}

void *
memalign(size_t align, size_t n)
{
    atomic_fetch_add_explicit(&alloc_count, 1, memory_order_relaxed);
    return __libc_memalign(align, n);
}

void *
aligned_alloc(size_t align, size_t n)
{
    return memalign(align, n);
}

int
posix_memalign(void **out, size_t align, size_t n)
{
    void *p = memalign(align, n);
    if (!p)
        return 12; /* ENOMEM */
    *out = p;
    return 0;
}

uint64_t
bench_allocs(void)
{
    return atomic_load_explicit(&alloc_count, memory_order_relaxed);
}

/* ---- timing --------------------------------------------------------------------------------- */

int
bench_quick(void)
{
    const char *q = getenv("BENCH_QUICK");
    return q && *q && strcmp(q, "0") != 0;
}

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double
bench_ns_per_op(bench_fn fn, void *arg)
{
    const double target = bench_quick() ? 0.04 : 0.2;
    const int reps = bench_quick() ? 3 : 7;
    /* calibrate: grow the iteration count until one run takes a tenth of the target */
    uint64_t iters = 1;
    for (;;) {
        double t0 = now_s();
        fn(arg, iters);
        double dt = now_s() - t0;
        if (dt >= target / 10 || iters >= (1ull << 40)) {
            double per = dt / (double)iters;
            uint64_t want = per > 0 ? (uint64_t)(target / per) : iters * 10;
            iters = want ? want : 1;
            break;
        }
        iters *= 4;
    }
    double samples[16];
    for (int r = 0; r < reps; r++) {
        double t0 = now_s();
        fn(arg, iters);
        samples[r] = (now_s() - t0) / (double)iters * 1e9;
    }
    qsort(samples, (size_t)reps, sizeof samples[0], cmp_double);
    return samples[reps / 2];
}

void
bench_ns_pair(double *ours, bench_fn fa, void *a, double *base, bench_fn fb, void *b)
{
    *ours = *base = 0;
    for (int i = 0; i < 3; i++) {
        double x = bench_ns_per_op(fa, a), y = bench_ns_per_op(fb, b);
        if (*ours == 0 || x < *ours)
            *ours = x;
        if (*base == 0 || y < *base)
            *base = y;
    }
}

/* ---- reporting ------------------------------------------------------------------------------ */

struct record {
    char suite[24], name[96], unit[16], base_name[64];
    double ours, base, ratio;
    int has_base;
    int better;
};

static struct record *records;
static size_t nrecords, caprecords;

static void
add(const struct record *r)
{
    if (nrecords == caprecords) {
        size_t cap = caprecords ? caprecords * 2 : 64;
        struct record *p = realloc(records, cap * sizeof *p);
        if (!p)
            return;
        records = p;
        caprecords = cap;
    }
    records[nrecords++] = *r;
}

static void
fmt_value(char *buf, size_t cap, double v)
{
    if (v >= 1e6)
        snprintf(buf, cap, "%.3g M", v / 1e6);
    else if (v >= 1e4)
        snprintf(buf, cap, "%.3g k", v / 1e3);
    else
        snprintf(buf, cap, "%.4g", v);
}

void
bench_section(const char *title)
{
    printf("\n-- %s --\n", title);
    printf("%-46s %12s %-10s %12s  %-30s %7s\n", "benchmark", "ours", "unit", "baseline",
           "baseline is", "ratio");
    fflush(stdout);
}

void
bench_report(const char *suite, const char *name, const char *unit, double ours,
             const char *baseline_name, double baseline, int better)
{
    struct record r;
    memset(&r, 0, sizeof r);
    snprintf(r.suite, sizeof r.suite, "%s", suite);
    snprintf(r.name, sizeof r.name, "%s", name);
    snprintf(r.unit, sizeof r.unit, "%s", unit);
    snprintf(r.base_name, sizeof r.base_name, "%s", baseline_name);
    r.ours = ours;
    r.base = baseline;
    r.has_base = 1;
    r.better = better;
    if (better == BENCH_HIGHER_IS_BETTER)
        r.ratio = baseline > 0 ? ours / baseline : 0;
    else
        r.ratio = ours > 0 ? baseline / ours : (baseline > 0 ? INFINITY : 1);
    add(&r);
    char a[32], b[32];
    fmt_value(a, sizeof a, ours);
    fmt_value(b, sizeof b, baseline);
    printf("%-46s %12s %-10s %12s  %-30s %6.2fx\n", name, a, unit, b, baseline_name, r.ratio);
    fflush(stdout);
}

void
bench_report_single(const char *suite, const char *name, const char *unit, double ours)
{
    struct record r;
    memset(&r, 0, sizeof r);
    snprintf(r.suite, sizeof r.suite, "%s", suite);
    snprintf(r.name, sizeof r.name, "%s", name);
    snprintf(r.unit, sizeof r.unit, "%s", unit);
    r.ours = ours;
    r.better = BENCH_HIGHER_IS_BETTER;
    add(&r);
    char a[32];
    fmt_value(a, sizeof a, ours);
    printf("%-46s %12s %-10s\n", name, a, unit);
    fflush(stdout);
}

static void
json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void
json_num(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.6g", v);
    else
        fputs("null", f);
}

int
bench_write_json(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs("[\n", f);
    for (size_t i = 0; i < nrecords; i++) {
        const struct record *r = &records[i];
        fputs("  {\"suite\": ", f);
        json_str(f, r->suite);
        fputs(", \"name\": ", f);
        json_str(f, r->name);
        fputs(", \"unit\": ", f);
        json_str(f, r->unit);
        fputs(", \"ours\": ", f);
        json_num(f, r->ours);
        fputs(", \"baseline_name\": ", f);
        if (r->has_base)
            json_str(f, r->base_name);
        else
            fputs("null", f);
        fputs(", \"baseline\": ", f);
        if (r->has_base)
            json_num(f, r->base);
        else
            fputs("null", f);
        fputs(", \"ratio\": ", f);
        if (r->has_base)
            json_num(f, r->ratio);
        else
            fputs("null", f);
        fputs(", \"ratio_means\": ", f);
        json_str(f, !r->has_base ? "no baseline"
                     : r->better == BENCH_HIGHER_IS_BETTER ? "ours / baseline (higher is better)"
                                                           : "baseline / ours (higher is better)");
        fprintf(f, "}%s\n", i + 1 < nrecords ? "," : "");
    }
    fputs("]\n", f);
    return fclose(f) == 0 ? 0 : -1;
}
