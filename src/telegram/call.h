/* Internal to src/telegram: the call object (tests reach its counters to test the limits). */
#ifndef E2E_TELEGRAM_CALL_H
#define E2E_TELEGRAM_CALL_H

#include <stddef.h>
#include <stdint.h>

#include <e2ekit/telegram.h>

enum tg_call_state {
    CALL_REQUESTED = 0, /* caller: waiting for g_b */
    CALL_ACCEPTED = 1,  /* callee: waiting for g_a */
    CALL_READY = 2,
    CALL_ENDED = 3, /* a counter is spent */
};

struct tg_call_channel {
    uint32_t counter; /* last counter sent */
    struct e2e_replay_window rw; /* counters received (E2E_TG_CALL_WINDOW below the largest) */
    struct e2e_tg_call_stats st;
};

struct e2e_tg_call {
    int outgoing; /* 1: the caller */
    int state;
    const e2e_dh_group *grp;
    uint8_t priv[256];
    uint8_t g_a[256]; /* the caller's g_a as on the wire (hashed for the emoji) */
    size_t g_a_len;
    uint8_t g_a_hash[32];
    uint8_t key[256];
    struct tg_call_channel ch[2];
};

#endif
