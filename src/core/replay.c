/* Sliding replay windows (see core.h). */
#include <e2ekit/core.h>

int
e2e_replay_check(const struct e2e_replay_window *w, uint64_t seq, unsigned size)
{
    if (size > E2E_REPLAY_WINDOW_MAX)
        size = E2E_REPLAY_WINDOW_MAX;
    if (!w->have || seq > w->top)
        return E2E_REPLAY_NEW;
    uint64_t back = w->top - seq;
    if (back >= size)
        return E2E_REPLAY_TOO_OLD;
    return (w->bits[back / 64] >> (back % 64) & 1) ? E2E_REPLAY_SEEN : E2E_REPLAY_NEW;
}

void
e2e_replay_commit(struct e2e_replay_window *w, uint64_t seq)
{
    if (!w->have || seq > w->top) {
        uint64_t shift = w->have ? seq - w->top : E2E_REPLAY_WINDOW_MAX;
        if (shift >= 128) {
            w->bits[0] = w->bits[1] = 0;
        } else if (shift >= 64) {
            w->bits[1] = w->bits[0] << (shift - 64);
            w->bits[0] = 0;
        } else if (shift) {
            w->bits[1] = w->bits[1] << shift | w->bits[0] >> (64 - shift);
            w->bits[0] <<= shift;
        }
        w->top = seq;
        w->have = 1;
    }
    uint64_t back = w->top - seq;
    if (back < 128)
        w->bits[back / 64] |= (uint64_t)1 << (back % 64);
}
