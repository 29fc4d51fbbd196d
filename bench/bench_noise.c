/* Benchmarks of the noise suite. */
#include "bench.h"

void
bench_noise(void)
{
}
