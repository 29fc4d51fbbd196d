/* Benchmarks of the whatsapp suite. */
#include "bench.h"

void
bench_whatsapp(void)
{
}
