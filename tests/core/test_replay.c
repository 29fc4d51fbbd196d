/* The shared replay window against a plain model: the set of numbers accepted so far. */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/core.h>

#include "test.h"

#define SPAN 4096

/* The model's verdict for seq, given which numbers were accepted and the highest one. */
static int
model(const uint8_t *seen, int have, uint64_t top, uint64_t seq, unsigned size)
{
    if (!have || seq > top)
        return E2E_REPLAY_NEW;
    if (top - seq >= size)
        return E2E_REPLAY_TOO_OLD;
    return seen[seq] ? E2E_REPLAY_SEEN : E2E_REPLAY_NEW;
}

static void
test_against_model(void)
{
    static const unsigned sizes[] = {1, 63, 64, 65, 127, 128};
    struct test_ctx t;
    test_ctx_new(&t, 31);
    static uint8_t seen[SPAN];
    for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++) {
        unsigned size = sizes[z];
        struct e2e_replay_window w;
        memset(&w, 0, sizeof w);
        memset(seen, 0, sizeof seen);
        int have = 0;
        uint64_t top = 0, cur = 0;
        for (int i = 0; i < 20000; i++) {
            uint8_t r[2];
            CHECK_OK(e2e_random(t.ctx, r, 2));
            /* mostly forward, by steps that cross every word boundary of the bitmap, with
             * replays and reorders around the top */
            static const int64_t steps[] = {1, 1, 2, 63, 64, 65, 127, 128, 129, 300};
            int64_t d = r[0] < 160 ? steps[r[1] % 10] : -(int64_t)(r[1] % 140);
            int64_t s = (int64_t)cur + d;
            if (s < 0 || s >= SPAN) {
                cur = 0;
                memset(&w, 0, sizeof w);
                memset(seen, 0, sizeof seen);
                have = 0;
                top = 0;
                continue;
            }
            uint64_t seq = (uint64_t)s;
            struct e2e_replay_window before = w;
            int want = model(seen, have, top, seq, size);
            CHECK_EQ(e2e_replay_check(&w, seq, size), want);
            CHECK_MEM(&before, &w, sizeof w); /* checking changes nothing */
            if (want == E2E_REPLAY_NEW) {
                e2e_replay_commit(&w, seq);
                seen[seq] = 1;
                if (!have || seq > top)
                    top = seq;
                have = 1;
                cur = seq;
            }
        }
    }
    test_ctx_free(&t);
}

static void
test_edges(void)
{
    struct e2e_replay_window w;
    memset(&w, 0, sizeof w);
    CHECK_EQ(e2e_replay_check(&w, 0, 64), E2E_REPLAY_NEW); /* empty: anything is new */
    e2e_replay_commit(&w, 0);
    CHECK_EQ(e2e_replay_check(&w, 0, 64), E2E_REPLAY_SEEN);
    e2e_replay_commit(&w, UINT64_MAX); /* a jump past the whole window clears it */
    CHECK_EQ(w.top, UINT64_MAX);
    CHECK(w.bits[0] == 1 && w.bits[1] == 0);
    CHECK_EQ(e2e_replay_check(&w, UINT64_MAX - 127, 128), E2E_REPLAY_NEW);
    CHECK_EQ(e2e_replay_check(&w, UINT64_MAX - 128, 128), E2E_REPLAY_TOO_OLD);
    CHECK_EQ(e2e_replay_check(&w, UINT64_MAX - 64, 64), E2E_REPLAY_TOO_OLD);
    CHECK_EQ(e2e_replay_check(&w, 5, 500), E2E_REPLAY_TOO_OLD); /* sizes cap at 128 */
    e2e_replay_commit(&w, 3); /* below the window: nothing to record */
    CHECK(w.bits[0] == 1 && w.bits[1] == 0 && w.top == UINT64_MAX);
}

int
main(void)
{
    RUN(test_against_model);
    RUN(test_edges);
    return test_finish();
}
