/* Benchmarks of the Signal Protocol core. */
#include "bench.h"

void
bench_signal(void)
{
}
