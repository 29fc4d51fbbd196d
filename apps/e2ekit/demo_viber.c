/* The demo's viber chapter. */
#include "demo.h"

int
demo_viber(struct demo *d)
{
    demo_say(d, "This chapter is not written yet; it arrives with issue #5.");
    return 0;
}
