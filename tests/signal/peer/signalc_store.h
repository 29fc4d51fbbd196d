/*
 * In-memory stores for libsignal-protocol-c 2.3.3 (the real peer in the interop tests and the
 * baseline in the benchmarks). They keep serialized records, as the library's store API
 * requires, in small linear maps: one struct per party, no globals. Identity trust is "trust
 * on first use, then only that key".
 */
#ifndef E2E_SIGNALC_STORE_H
#define E2E_SIGNALC_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <signal/signal_protocol.h>

struct sc_map_entry {
    uint8_t *key, *val;
    size_t klen, vlen;
};
struct sc_map {
    struct sc_map_entry *e;
    size_t n, cap;
};

struct sc_store {
    struct sc_map sessions, prekeys, signed_prekeys, identities, sender_keys;
    signal_buffer *identity_pub, *identity_priv; /* serialized, as the store API hands them out */
    uint32_t registration_id;
    unsigned loads, stores; /* record traffic, for the curious */
};

/* Wires the five stores of `st` into a new store context for `ctx`. */
int sc_store_context(signal_protocol_store_context **out, signal_context *ctx, struct sc_store *st);
void sc_store_clear(struct sc_store *st);

/* Raw access for tests (NULL when absent). */
const uint8_t *sc_map_get(const struct sc_map *m, const void *key, size_t klen, size_t *vlen);
int sc_map_put(struct sc_map *m, const void *key, size_t klen, const uint8_t *val, size_t vlen);
void sc_map_del(struct sc_map *m, const void *key, size_t klen);

#endif
