/* The demo's telegram chapter. */
#include "demo.h"

int
demo_telegram(struct demo *d)
{
    demo_say(d, "This chapter is not written yet; it arrives with issue #4.");
    return 0;
}
