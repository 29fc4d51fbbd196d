/*
 * A queue of byte strings in one growing buffer, for the chat's outbox, its stored ciphertexts,
 * its early (out-of-order) messages and its events. Items keep arrival order, so the buffer is
 * compacted in place; capacity only grows (and is reused), so a chat in steady state moves
 * messages through its queues without allocating. Everything is wiped when removed or freed:
 * the bytes are ciphertexts, plaintexts and key material.
 */
#ifndef E2E_TELEGRAM_QUEUE_H
#define E2E_TELEGRAM_QUEUE_H

#include <stddef.h>
#include <stdint.h>

struct tg_item {
    uint32_t tag;
    uint32_t len;
    size_t off;
};

struct tg_queue {
    struct tg_item *it;
    size_t head, end, cap; /* live items are it[head .. end) */
    uint8_t *buf;
    size_t used, bcap, live; /* bytes used at the tail, bytes allocated, bytes still referenced */
};

void e2e__tg_queue_free(struct tg_queue *q);
/* Removes every item (wiping the bytes), keeps the capacity. */
void e2e__tg_queue_clear(struct tg_queue *q);
size_t e2e__tg_queue_count(const struct tg_queue *q);
/* Makes room for `items` more items holding `bytes` more bytes, so that the pushes that follow
 * cannot fail. E2E_ERR_NOMEM. */
int e2e__tg_queue_reserve(struct tg_queue *q, size_t items, size_t bytes);
/* Appends an item of n bytes and returns where to write them (room must have been reserved;
 * NULL otherwise). */
uint8_t *e2e__tg_queue_push(struct tg_queue *q, uint32_t tag, size_t n);
/* The i-th live item (0 = oldest) and its bytes. */
const struct tg_item *e2e__tg_queue_item(const struct tg_queue *q, size_t i);
uint8_t *e2e__tg_queue_data(const struct tg_queue *q, size_t i);
/* Index of the first item with this tag, or (size_t)-1. */
size_t e2e__tg_queue_find(const struct tg_queue *q, uint32_t tag);
/* Removes the i-th live item. */
void e2e__tg_queue_remove(struct tg_queue *q, size_t i);

#endif
