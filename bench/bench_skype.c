/* Benchmarks of the skype suite. */
#include "bench.h"

void
bench_skype(void)
{
}
