/* Calculators for the cipher primitives. */
#include "cli.h"

const struct calc_cmd calc_cmds_cipher[] = {
    {0},
};
