/*
 * Skipped message keys of one receiving chain: the seeds (HMAC(CK, 0x01)) of messages not yet
 * received, ascending by counter, in a heap array beside the state. Skipping ahead only ever
 * appends larger counters, so the array stays sorted and a lookup is a binary search; an
 * in-order message never touches it, which is what keeps its cost flat after a long gap.
 *
 * Growth is "reserve, then commit": room is made before the message is authenticated and the
 * new entries written after the end; only a successful decryption moves the end. A failed
 * decryption therefore leaves the list's contents exactly as they were.
 */
#include <stdlib.h>
#include <string.h>

#include "signal/internal.h"

int
e2e__skip_reserve(struct e2e__skip_list *l, uint32_t extra)
{
    if (l->cap - l->n >= extra)
        return E2E_OK;
    uint64_t want = (uint64_t)l->n + extra;
    uint64_t cap = l->cap ? l->cap : 16;
    while (cap < want)
        cap *= 2;
    if (cap > 2u * (E2E_SIGNAL_MAX_SKIPPED + E2E_SIGNAL_MAX_SKIP))
        cap = want;
    struct e2e__skipped *v = malloc((size_t)cap * sizeof *v);
    if (!v)
        return E2E_ERR_NOMEM;
    if (l->n)
        memcpy(v, l->v, l->n * sizeof *v);
    if (l->v) {
        e2e_wipe(l->v, l->cap * sizeof *l->v);
        free(l->v);
    }
    l->v = v;
    l->cap = (uint32_t)cap;
    return E2E_OK;
}

long
e2e__skip_find(const struct e2e__skip_list *l, uint32_t counter)
{
    uint32_t lo = 0, hi = l->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (l->v[mid].counter < counter)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < l->n && l->v[lo].counter == counter ? (long)lo : -1;
}

void
e2e__skip_remove(struct e2e__skip_list *l, uint32_t i)
{
    memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof *l->v);
    l->n--;
    e2e_wipe(&l->v[l->n], sizeof *l->v);
}

void
e2e__skip_commit(struct e2e__skip_list *l, uint32_t added)
{
    l->n += added;
    if (l->n > E2E_SIGNAL_MAX_SKIPPED) {
        uint32_t drop = l->n - E2E_SIGNAL_MAX_SKIPPED;
        e2e_wipe(l->v, drop * sizeof *l->v);
        memmove(l->v, l->v + drop, E2E_SIGNAL_MAX_SKIPPED * sizeof *l->v);
        l->n = E2E_SIGNAL_MAX_SKIPPED;
        e2e_wipe(l->v + l->n, drop * sizeof *l->v);
    }
}

void
e2e__skip_free(struct e2e__skip_list *l)
{
    if (l->v) {
        e2e_wipe(l->v, l->cap * sizeof *l->v);
        free(l->v);
    }
    memset(l, 0, sizeof *l);
}
