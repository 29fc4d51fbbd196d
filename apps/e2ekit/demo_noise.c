/* The demo's noise chapter. */
#include "demo.h"

int
demo_noise(struct demo *d)
{
    demo_say(d, "This chapter is not written yet; it arrives with issue #7.");
    return 0;
}
