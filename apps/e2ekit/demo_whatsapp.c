/* The demo's whatsapp chapter. */
#include "demo.h"

int
demo_whatsapp(struct demo *d)
{
    demo_say(d, "This chapter is not written yet; it arrives with issue #3.");
    return 0;
}
