/* Byte-string queue of the secret chat (see queue.h). */
#include "telegram/queue.h"

#include <stdlib.h>
#include <string.h>

#include <e2ekit/core.h>

void
e2e__tg_queue_free(struct tg_queue *q)
{
    if (q->buf) {
        e2e_wipe(q->buf, q->bcap);
        free(q->buf);
    }
    free(q->it);
    memset(q, 0, sizeof *q);
}

void
e2e__tg_queue_clear(struct tg_queue *q)
{
    if (q->buf)
        e2e_wipe(q->buf, q->used);
    q->head = q->end = 0;
    q->used = q->live = 0;
}

size_t
e2e__tg_queue_count(const struct tg_queue *q)
{
    return q->end - q->head;
}

/* Moves the live bytes to the front of the buffer (items are in offset order). */
static void
compact(struct tg_queue *q)
{
    size_t at = 0;
    for (size_t i = q->head; i < q->end; i++) {
        if (q->it[i].off != at)
            memmove(q->buf + at, q->buf + q->it[i].off, q->it[i].len);
        q->it[i].off = at;
        at += q->it[i].len;
    }
    e2e_wipe(q->buf + at, q->used - at);
    q->used = at;
    if (q->head) {
        memmove(q->it, q->it + q->head, (q->end - q->head) * sizeof *q->it);
        q->end -= q->head;
        q->head = 0;
    }
}

static int
grow_bytes(struct tg_queue *q, size_t need)
{
    size_t cap = q->bcap ? q->bcap : 4096;
    while (cap < need)
        cap *= 2;
    uint8_t *nb = malloc(cap);
    if (!nb)
        return E2E_ERR_NOMEM;
    if (q->buf) {
        memcpy(nb, q->buf, q->used);
        e2e_wipe(q->buf, q->bcap);
        free(q->buf);
    }
    q->buf = nb;
    q->bcap = cap;
    return E2E_OK;
}

int
e2e__tg_queue_reserve(struct tg_queue *q, size_t items, size_t bytes)
{
    if (q->end + items > q->cap && q->head)
        compact(q);
    if (q->end + items > q->cap) {
        size_t cap = q->cap ? q->cap : 16;
        while (cap < q->end + items)
            cap *= 2;
        struct tg_item *ni = realloc(q->it, cap * sizeof *ni);
        if (!ni)
            return E2E_ERR_NOMEM;
        q->it = ni;
        q->cap = cap;
    }
    if (q->used + bytes > q->bcap && q->used > q->live)
        compact(q);
    if (q->used + bytes > q->bcap)
        return grow_bytes(q, q->used + bytes);
    return E2E_OK;
}

uint8_t *
e2e__tg_queue_push(struct tg_queue *q, uint32_t tag, size_t n)
{
    if (q->end >= q->cap || q->used + n > q->bcap || n > UINT32_MAX)
        return NULL;
    struct tg_item *t = &q->it[q->end++];
    t->tag = tag;
    t->len = (uint32_t)n;
    t->off = q->used;
    q->used += n;
    q->live += n;
    return q->buf + t->off;
}

const struct tg_item *
e2e__tg_queue_item(const struct tg_queue *q, size_t i)
{
    return &q->it[q->head + i];
}

uint8_t *
e2e__tg_queue_data(const struct tg_queue *q, size_t i)
{
    return q->buf + q->it[q->head + i].off;
}

size_t
e2e__tg_queue_find(const struct tg_queue *q, uint32_t tag)
{
    for (size_t i = q->head; i < q->end; i++)
        if (q->it[i].tag == tag)
            return i - q->head;
    return (size_t)-1;
}

void
e2e__tg_queue_remove(struct tg_queue *q, size_t i)
{
    struct tg_item *t = &q->it[q->head + i];
    e2e_wipe(q->buf + t->off, t->len);
    q->live -= t->len;
    if (i == 0) {
        q->head++;
    } else {
        memmove(t, t + 1, (q->end - q->head - i - 1) * sizeof *t);
        q->end--;
    }
    if (q->head == q->end)
        e2e__tg_queue_clear(q);
}
