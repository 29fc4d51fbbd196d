/* The demo's skype chapter. */
#include "demo.h"

int
demo_skype(struct demo *d)
{
    demo_say(d, "This chapter is not written yet; it arrives with issue #6.");
    return 0;
}
