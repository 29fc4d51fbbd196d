/* Benchmarks of the viber suite. */
#include "bench.h"

void
bench_viber(void)
{
}
