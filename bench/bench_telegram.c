/* Benchmarks of the telegram suite. */
#include "bench.h"

void
bench_telegram(void)
{
}
