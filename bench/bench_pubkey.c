/* Benchmarks of the pubkey primitives. */
#include "bench.h"

void
bench_pubkey(void)
{
}
