/* Benchmarks of the cipher primitives. */
#include "bench.h"

void
bench_cipher(void)
{
}
