/* Calculators for the pubkey primitives. */
#include "cli.h"

const struct calc_cmd calc_cmds_pubkey[] = {
    {0},
};
