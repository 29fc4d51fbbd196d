/*
 * The handshake patterns of Noise spec 7.4 (one-way) and 7.5 (interactive), and XXfallback
 * (spec 10.2) written in canonical form with Bob, who sends its first message, as the
 * initiator: "<- e ... -> e, ee, s, se  <- s, es" (noise-c src/protocol/patterns.c writes it
 * the same way). Message i is sent by the initiator when i is even.
 */
#include <string.h>

#include "noise/internal.h"

enum {
    E = E2E__TOK_E,
    S = E2E__TOK_S,
    EE = E2E__TOK_EE,
    ES = E2E__TOK_ES,
    SE = E2E__TOK_SE,
    SS = E2E__TOK_SS
};

static const struct e2e__noise_pattern patterns[] = {
    {"N", {0}, {S}, 1, 1, {{E, ES}}},
    {"K", {S}, {S}, 1, 1, {{E, ES, SS}}},
    {"X", {0}, {S}, 1, 1, {{E, ES, S, SS}}},
    {"NN", {0}, {0}, 2, 0, {{E}, {E, EE}}},
    {"NK", {0}, {S}, 2, 0, {{E, ES}, {E, EE}}},
    {"NX", {0}, {0}, 2, 0, {{E}, {E, EE, S, ES}}},
    {"XN", {0}, {0}, 3, 0, {{E}, {E, EE}, {S, SE}}},
    {"XK", {0}, {S}, 3, 0, {{E, ES}, {E, EE}, {S, SE}}},
    {"XX", {0}, {0}, 3, 0, {{E}, {E, EE, S, ES}, {S, SE}}},
    {"KN", {S}, {0}, 2, 0, {{E}, {E, EE, SE}}},
    {"KK", {S}, {S}, 2, 0, {{E, ES, SS}, {E, EE, SE}}},
    {"KX", {S}, {0}, 2, 0, {{E}, {E, EE, SE, S, ES}}},
    {"IN", {0}, {0}, 2, 0, {{E, S}, {E, EE, SE}}},
    {"IK", {0}, {S}, 2, 0, {{E, ES, S, SS}, {E, EE, SE}}},
    {"IX", {0}, {0}, 2, 0, {{E, S}, {E, EE, SE, S, ES}}},
    {"XXfallback", {0}, {E}, 2, 0, {{E, EE, S, SE}, {S, ES}}},
};

const struct e2e__noise_pattern *
e2e__noise_pattern_find(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++)
        if (strlen(patterns[i].name) == len && memcmp(patterns[i].name, name, len) == 0)
            return &patterns[i];
    return NULL;
}

const char *
e2e__noise_token_name(int token)
{
    static const char *const names[] = {"end", "e", "s", "ee", "es", "se", "ss"};
    return token >= 0 && token <= E2E__TOK_SS ? names[token] : "?";
}
